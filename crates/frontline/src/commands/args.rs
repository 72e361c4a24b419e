//! What the commands share: the options naming a map (`--date`, `--known-on`, `--region`,
//! `--resolution`) and their parsers, which are the application layer's (`frontline::app`), so a
//! flag means what the HTTP API's parameter of the same name means; the engine over the
//! database; where output goes; progress bars.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;
use frontline::app::request::{parse_date as app_date, parse_step as app_step};
use frontline::app::{Engine, KnownOn, Limits, MapRequest, Region, Settings, StepSize, WindowDays};
use frontline_store::Store;

/// Which map: the date, what was known, the region and the grid resolution.
#[derive(Debug, Clone, clap::Args)]
pub struct MapArgs {
    /// The date to estimate control for (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    pub date: NaiveDate,
    #[command(flatten)]
    pub basis: BasisArgs,
}

impl MapArgs {
    pub fn request(&self) -> MapRequest {
        self.basis.request(self.date)
    }
}

/// What a map rests on besides its date: what was known, the region and the resolution.
#[derive(Debug, Clone, clap::Args)]
pub struct BasisArgs {
    /// Use only what had been recorded by then (YYYY-MM-DD = end of that day UTC, or RFC 3339).
    #[arg(long, value_name = "T", value_parser = parse_known_on)]
    pub known_on: Option<KnownOn>,
    /// Codes or names of stored areas whose union is the estimated region [default: SYR,IRQ if
    /// stored, else every stored country].
    #[arg(long, value_parser = parse_region)]
    pub region: Option<Region>,
    /// H3 resolution of the grid (7 ≈ 5.2 km² per cell).
    #[arg(long, default_value_t = 7)]
    pub resolution: u8,
}

impl BasisArgs {
    /// The map of `date` on this basis.
    pub fn request(&self, date: NaiveDate) -> MapRequest {
        MapRequest {
            date,
            known_on: self.known_on.unwrap_or_default(),
            region: self.region.clone(),
            resolution: Some(self.resolution),
        }
    }
}

pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    app_date("date", s).map_err(|e| message(&e))
}

pub fn parse_known_on(s: &str) -> Result<KnownOn, String> {
    KnownOn::parse("known-on", s).map_err(|e| message(&e))
}

pub fn parse_region(s: &str) -> Result<Region, String> {
    Region::parse("region", s).map_err(|e| message(&e))
}

pub fn parse_step(s: &str) -> Result<StepSize, String> {
    app_step("step", s).map_err(|e| message(&e))
}

pub fn parse_window(s: &str) -> Result<u32, String> {
    WindowDays::parse("window", s)
        .map(WindowDays::days)
        .map_err(|e| message(&e))
}

/// clap names the flag itself: keep only what is wrong with the value.
fn message(e: &frontline::app::AppError) -> String {
    match e {
        frontline::app::AppError::Input { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

pub fn open_store(db: &Path) -> anyhow::Result<Store> {
    Store::open(db).with_context(|| format!("opening database {}", db.display()))
}

/// The engine over the database, as one user's command line uses it.
pub fn open_engine(db: &Path) -> anyhow::Result<Engine> {
    let mut settings = Settings::new(Limits::command_line());
    settings.grid_cache_dir = Some(frontline::app::engine::grid_cache_dir(db));
    Ok(Engine::new(open_store(db)?, settings))
}

/// A file, or standard output.
pub fn output(out: Option<&PathBuf>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match out {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    })
}

/// `unassessed` for ground nobody holds.
pub fn actor_label(a: Option<&frontline_core::ActorId>) -> String {
    a.map_or_else(|| "unassessed".to_owned(), ToString::to_string)
}

/// A progress bar on a terminal, hidden otherwise.
pub fn progress(len: u64, what: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} {elapsed}")
            .expect("valid template"),
    );
    bar.set_message(what.to_owned());
    bar
}

/// A CSV field, quoted when it must be.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}
