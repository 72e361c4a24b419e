//! Importers: turn files into validated domain values and write them to the store in one
//! transaction. One module per format; this module holds what they share: reading the file
//! (gzip, encodings, SHA-256), row errors that name file, line and field, the `--rejects` mode,
//! actor and place-name resolution, the progress bar and the summary.
//!
//! The rules every importer follows (docs/formats.md has the details per format):
//! - a malformed row stops the import with an error naming file, line and field, and nothing is
//!   written; with [`RejectMode::WriteTo`] (`--rejects FILE`) or [`RejectMode::Collect`] the
//!   good rows are imported and the bad ones reported with their reasons;
//! - re-importing the same file changes nothing (keys come from the dataset's ids or from a
//!   content hash, and the store skips rows identical to what it holds);
//! - an actor name must resolve to a stored actor (by id, name or alias);
//! - dates after "today" ([`ImportOptions::today`]), out-of-range coordinates, empty or
//!   truncated files and non-UTF-8 text are errors.

mod acled;
mod actors;
mod airstrikes;
mod boundaries;
mod changes;
mod country;
mod gazetteer;
mod input;
mod observations;
mod resolve;
mod table;
mod ucdp;
mod wiki;
mod wiki_lua;

pub use input::Input;

use anyhow::{bail, Context};
use chrono::{NaiveDate, Utc};
use frontline_core::{ActorId, AoiKind, Grading};
use frontline_store::{ImportBatch, ImportReport, Store};
use indicatif::{ProgressBar, ProgressStyle};
use std::fmt;
use std::path::{Path, PathBuf};

/// The formats `frontline import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportKind {
    /// Actors CSV: id,name,aliases,colour,coalition (data/actors.csv).
    Actors,
    /// Frontline's own observation schema, CSV or GeoJSON (by extension).
    Observations,
    /// Wikipedia detailed-map snapshot CSV (lat,long,mark,label) through marks.csv.
    Wiki,
    /// The Wikipedia map modules' raw Lua text.
    WikiLua,
    /// Dated control changes (data/control/is_control_changes_2014_2017.csv).
    Changes,
    /// GeoJSON areas of interest (Natural Earth, geoBoundaries, any GeoJSON with names).
    Boundaries,
    /// GeoNames CSV or TSV dump, or Natural Earth populated places CSV.
    Gazetteer,
    /// UCDP GED CSV (full public layout or the year-only replication layout).
    Ucdp,
    /// ACLED CSV export.
    Acled,
    /// Coalition air-strike compilations (Guardian or Information layouts).
    Airstrikes,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Actors => "actors",
            Self::Observations => "observations",
            Self::Wiki => "wiki",
            Self::WikiLua => "wiki-lua",
            Self::Changes => "changes",
            Self::Boundaries => "boundaries",
            Self::Gazetteer => "gazetteer",
            Self::Ucdp => "ucdp",
            Self::Acled => "acled",
            Self::Airstrikes => "airstrikes",
        }
    }
}

/// What to do with malformed rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum RejectMode {
    /// Stop at the first bad row; nothing is imported.
    #[default]
    Fail,
    /// Import the good rows; write the bad ones with their reasons to this file (CSV).
    WriteTo(PathBuf),
    /// Import the good rows; return the bad ones in [`ImportSummary::rejects`] (for callers
    /// such as the demo that report them themselves).
    #[allow(dead_code)]
    Collect,
}

/// Options shared by the importers; each reads the ones that apply to it.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub rejects: RejectMode,
    /// Where `changes` and `airstrikes` write the rows whose place name stayed unresolved.
    pub unresolved: Option<PathBuf>,
    /// "Today" for the future-date check (tests inject it).
    pub today: NaiveDate,
    /// `wiki`/`wiki-lua`: syria or iraq (inferred from the file name if absent).
    pub module: Option<String>,
    /// `wiki`/`wiki-lua`: the snapshot's date (month precision); default 2017-07-20.
    pub date: Option<NaiveDate>,
    /// `wiki`/`wiki-lua`: the mark legend; default marks.csv beside the file, else the bundled one.
    pub marks: Option<PathBuf>,
    /// `boundaries`: the kind of area.
    pub area_kind: AoiKind,
    /// `boundaries`: property holding the name / code (auto-detected if absent).
    pub name_field: Option<String>,
    pub code_field: Option<String>,
    /// `airstrikes`: also record each strike as indirect evidence that this actor's forces were
    /// at the place that day (an observation inferred from the event), at this grading.
    pub presence: Option<(String, Grading)>,
    /// Events (`ucdp`, `acled`, `airstrikes`): the file is its datasets' whole current release,
    /// so their stored events missing from it were deleted upstream and are retired (a retired
    /// version; nothing is deleted), and edited rows become new versions.
    pub sync: bool,
    /// Show a progress bar (only drawn on a terminal).
    pub progress: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            rejects: RejectMode::Fail,
            unresolved: None,
            today: Utc::now().date_naive(),
            module: None,
            date: None,
            marks: None,
            area_kind: AoiKind::Custom,
            name_field: None,
            code_field: None,
            presence: None,
            sync: false,
            progress: true,
        }
    }
}

/// A bad row: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub line: u64,
    pub field: Option<String>,
    pub reason: String,
    /// The row as read (for CSV: the record's fields joined by commas).
    pub raw: String,
}

/// A whole-import error: the file, the line (0 for whole-file problems) and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}{}: {reason}", if *.line > 0 { format!(":{}", .line) } else { String::new() }, .field.as_ref().map(|f| format!(": field `{f}`")).unwrap_or_default())]
pub struct ImportError {
    pub file: String,
    pub line: u64,
    pub field: Option<String>,
    pub reason: String,
}

/// A problem with one field of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: &str, reason: impl fmt::Display) -> Self {
        Self {
            field: field.to_owned(),
            reason: reason.to_string(),
        }
    }
}

/// The importers' working state: options, tallies and rejects.
pub(crate) struct Ctx<'a> {
    pub file: String,
    pub opts: &'a ImportOptions,
    pub rejects: Vec<Reject>,
    pub skipped: u64,
    pub skipped_why: std::collections::BTreeMap<String, u64>,
    pub unresolved: Vec<String>,
    pub repaired: u64,
    pub notes: Vec<String>,
    pub progress: ProgressBar,
}

impl<'a> Ctx<'a> {
    fn new(file: String, opts: &'a ImportOptions) -> Self {
        Self {
            file,
            opts,
            rejects: Vec::new(),
            skipped: 0,
            skipped_why: Default::default(),
            unresolved: Vec::new(),
            repaired: 0,
            notes: Vec::new(),
            progress: ProgressBar::hidden(),
        }
    }

    /// A whole-file error.
    pub fn file_error(&self, reason: impl fmt::Display) -> ImportError {
        ImportError {
            file: self.file.clone(),
            line: 0,
            field: None,
            reason: reason.to_string(),
        }
    }

    /// A bad row: an error in [`RejectMode::Fail`], otherwise recorded and skipped.
    pub fn reject(&mut self, line: u64, err: FieldError, raw: &str) -> Result<(), ImportError> {
        if self.opts.rejects == RejectMode::Fail {
            return Err(ImportError {
                file: self.file.clone(),
                line,
                field: Some(err.field),
                reason: err.reason,
            });
        }
        self.rejects.push(Reject {
            line,
            field: Some(err.field),
            reason: err.reason,
            raw: raw.to_owned(),
        });
        Ok(())
    }

    /// A row deliberately left out (not an error), counted under `why`.
    pub fn skip(&mut self, why: &str) {
        self.skipped += 1;
        *self.skipped_why.entry(why.to_owned()).or_default() += 1;
    }

    pub fn start_progress(&mut self, len: u64, what: &str) {
        if self.opts.progress {
            let bar = ProgressBar::new(len);
            bar.set_style(
                ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({elapsed})")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar.set_message(what.to_owned());
            self.progress = bar;
        }
    }

    /// Reject a date after today.
    pub fn not_future(
        &self,
        field: &str,
        d: frontline_core::ObservedDate,
    ) -> Result<frontline_core::ObservedDate, FieldError> {
        d.not_after(self.opts.today)
            .map_err(|e| FieldError::new(field, e))
    }
}

/// What an import did, printable.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    pub kind: &'static str,
    pub file: String,
    pub report: ImportReport,
    /// Rows deliberately left out (not control marks, duplicate rows, …), with reasons.
    pub skipped: u64,
    pub skipped_why: Vec<(String, u64)>,
    pub rejects: Vec<Reject>,
    /// Place names that could not be located (rows not imported).
    pub unresolved: Vec<String>,
    /// Geometries that were invalid and repaired.
    pub repaired: u64,
    pub notes: Vec<String>,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.report.total();
        write!(
            f,
            "{} {}: {} inserted, {} unchanged, {} superseded, {} skipped, {} rejected, {} unresolved",
            self.kind,
            self.file,
            t.inserted,
            t.unchanged,
            t.superseded,
            self.skipped,
            self.rejects.len(),
            self.unresolved.len()
        )?;
        if t.retired > 0 {
            write!(f, ", {} retired (deleted upstream)", t.retired)?;
        }
        if self.repaired > 0 {
            write!(f, ", {} geometries repaired", self.repaired)?;
        }
        for (why, n) in &self.skipped_why {
            write!(f, "\n  skipped {n}: {why}")?;
        }
        for note in &self.notes {
            write!(f, "\n  {note}")?;
        }
        Ok(())
    }
}

/// Import `path` as `kind` into `store`: read, validate, then write in one transaction.
pub fn import_path(
    store: &Store,
    kind: ImportKind,
    path: &Path,
    opts: &ImportOptions,
) -> anyhow::Result<ImportSummary> {
    let input = Input::read(path)?;
    import_input(store, kind, &input, opts)
}

/// What the importers look up in the store: actor names, place names (gazetteer and map
/// labels) and the air strikes already stored (for linking duplicates across compilations).
/// Loaded from a store, or built from values in memory so that parsing needs no database.
#[derive(Debug, Default)]
pub struct Lookups {
    actors: resolve::Actors,
    places: resolve::PlaceIndex,
    airstrikes: Vec<frontline_store::StoredEvent>,
}

impl Lookups {
    /// What `kind` needs from `store` (nothing for the kinds that resolve no names).
    pub fn load(store: &Store, kind: ImportKind) -> anyhow::Result<Lookups> {
        let mut out = Lookups::default();
        let needs_actors = !matches!(
            kind,
            ImportKind::Actors | ImportKind::Boundaries | ImportKind::Gazetteer
        );
        if needs_actors {
            out.actors = resolve::Actors::load(store)?;
        }
        if matches!(kind, ImportKind::Changes | ImportKind::Airstrikes) {
            out.places = resolve::PlaceIndex::load(store)?;
        }
        if kind == ImportKind::Airstrikes {
            out.airstrikes = store
                .stored_events(&frontline_store::EventFilter {
                    event_type: Some(frontline_core::EventType::AirStrike),
                    include_duplicates: true,
                    ..Default::default()
                })
                .context("reading the stored air strikes")?;
        }
        Ok(out)
    }

    /// Lookups over values in memory, as if they had been imported into an empty store: these
    /// actors, these gazetteer places and these observations' map labels (no stored strikes).
    pub fn from_values(
        actors: &[frontline_core::Actor],
        places: &[frontline_core::Place],
        observations: impl IntoIterator<Item = frontline_core::Observation>,
    ) -> Lookups {
        Lookups {
            actors: resolve::Actors::from_actors(actors),
            places: resolve::PlaceIndex::from_parts(places, observations),
            airstrikes: Vec::new(),
        }
    }
}

/// A parsed file: the batch to write and what the importer noted on the way.
#[derive(Debug, Default)]
pub struct Parsed {
    pub batch: ImportBatch,
    pub skipped: u64,
    pub skipped_why: Vec<(String, u64)>,
    pub rejects: Vec<Reject>,
    pub unresolved: Vec<String>,
    pub repaired: u64,
    pub notes: Vec<String>,
}

/// Parse and validate `input` as `kind` into a batch, touching no database (the store's
/// content comes in through `lookups`). Rows are rejected or fail the parse as
/// [`ImportOptions::rejects`] says. `wiki`/`wiki-lua` read the mark legend from disk (see
/// [`ImportOptions::marks`]).
pub fn parse_input(
    kind: ImportKind,
    input: &Input,
    opts: &ImportOptions,
    lookups: &Lookups,
) -> Result<Parsed, ImportError> {
    let mut ctx = Ctx::new(input.name.clone(), opts);
    let mut batch = ImportBatch {
        kind: kind.as_str().to_owned(),
        file_name: input.name.clone(),
        sha256: input.sha256.clone(),
        ..Default::default()
    };
    let text = input.text().map_err(|reason| ctx.file_error(reason))?;
    let actors = &lookups.actors;
    let places = &lookups.places;
    match kind {
        ImportKind::Actors => actors::parse(&mut ctx, text, &mut batch)?,
        ImportKind::Observations => {
            if input.name.ends_with(".geojson")
                || input.name.ends_with(".json")
                || input.name.ends_with(".geojson.gz")
            {
                observations::parse_geojson(&mut ctx, text, actors, &mut batch)?
            } else {
                observations::parse_csv(&mut ctx, text, actors, &mut batch)?
            }
        }
        ImportKind::Wiki | ImportKind::WikiLua => {
            let setup = wiki::Setup::new(&ctx, &input.name, actors)?;
            let rows = if kind == ImportKind::Wiki {
                wiki::read_csv(&mut ctx, text)?
            } else {
                wiki_lua::read_lua(&mut ctx, text)?
            };
            wiki::convert(&mut ctx, &setup, rows, &mut batch)?
        }
        ImportKind::Changes => changes::parse(&mut ctx, text, actors, places, &mut batch)?,
        ImportKind::Boundaries => boundaries::parse(&mut ctx, text, &mut batch)?,
        ImportKind::Gazetteer => gazetteer::parse(&mut ctx, text, &mut batch)?,
        ImportKind::Ucdp => ucdp::parse(&mut ctx, text, actors, &mut batch)?,
        ImportKind::Acled => acled::parse(&mut ctx, text, actors, &mut batch)?,
        ImportKind::Airstrikes => airstrikes::parse(
            &mut ctx,
            text,
            actors,
            places,
            &lookups.airstrikes,
            &mut batch,
        )?,
    }
    ctx.progress.finish_and_clear();
    batch.skipped = ctx.skipped;
    batch.rejected = ctx.rejects.len() as u64;
    batch.unresolved = ctx.unresolved.len() as u64;
    batch.repaired = ctx.repaired;
    Ok(Parsed {
        batch,
        skipped: ctx.skipped,
        skipped_why: ctx.skipped_why.into_iter().collect(),
        rejects: ctx.rejects,
        unresolved: ctx.unresolved,
        repaired: ctx.repaired,
        notes: ctx.notes,
    })
}

/// Import already-read input (see [`Input::from_bytes`]).
///
/// The `--rejects` and `--unresolved` files are written (to a temporary file, synced, then
/// renamed) *before* the import is committed: once the rows are in the database, the list of
/// the rows left out is on disk too, whenever the process is killed. If the commit then fails,
/// the files describe an import that did not happen, which the error says.
pub fn import_input(
    store: &Store,
    kind: ImportKind,
    input: &Input,
    opts: &ImportOptions,
) -> anyhow::Result<ImportSummary> {
    if opts.sync {
        if !matches!(
            kind,
            ImportKind::Ucdp | ImportKind::Acled | ImportKind::Airstrikes
        ) {
            bail!(
                "--sync is for event datasets (ucdp, acled, airstrikes), not {}",
                kind.as_str()
            );
        }
        if !matches!(opts.rejects, RejectMode::Fail) {
            // A rejected row would look deleted upstream and be retired.
            bail!("--sync imports a release whole: it cannot set rows aside with --rejects");
        }
    }
    let lookups = Lookups::load(store, kind)?;
    let mut parsed = parse_input(kind, input, opts, &lookups)?;
    if opts.sync {
        let mut datasets: Vec<String> = parsed
            .batch
            .events
            .iter()
            .map(|e| e.event.key.dataset.clone())
            .collect();
        datasets.sort();
        datasets.dedup();
        if datasets.is_empty() {
            bail!(
                "{}: no events, and --sync would retire every stored event of the dataset",
                input.name
            );
        }
        parsed.batch.sync_datasets = datasets;
    }
    if let RejectMode::WriteTo(path) = &opts.rejects {
        write_durably(path, rejects_csv(&parsed.rejects).as_bytes())
            .with_context(|| format!("writing rejects to {}", path.display()))?;
    }
    if let Some(path) = &opts.unresolved {
        let mut text = String::from("row\n");
        for u in &parsed.unresolved {
            text.push_str(&csv_field(u));
            text.push('\n');
        }
        write_durably(path, text.as_bytes())
            .with_context(|| format!("writing unresolved names to {}", path.display()))?;
    }
    let report = store
        .import(parsed.batch)
        .with_context(|| format!("writing {} to the database", input.name))?;
    Ok(ImportSummary {
        kind: kind.as_str(),
        file: input.name.clone(),
        report,
        skipped: parsed.skipped,
        skipped_why: parsed.skipped_why,
        rejects: parsed.rejects,
        unresolved: parsed.unresolved,
        repaired: parsed.repaired,
        notes: parsed.notes,
    })
}

/// Write `bytes` to `path` so that a crash leaves either the old file or the whole new one:
/// a temporary file beside it, synced, renamed over it, and the directory synced.
fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".frontline-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    // The rename is durable once the directory's entry is (not possible to open on Windows).
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn rejects_csv(rejects: &[Reject]) -> String {
    let mut text = String::from("line,field,reason,row\n");
    for r in rejects {
        text.push_str(&format!(
            "{},{},{},{}\n",
            r.line,
            csv_field(r.field.as_deref().unwrap_or("")),
            csv_field(&r.reason),
            csv_field(&r.raw)
        ));
    }
    text
}

/// Parse an actor id field that must name a stored actor.
pub(crate) fn actor_field(
    actors: &resolve::Actors,
    field: &str,
    value: &str,
) -> Result<ActorId, FieldError> {
    actors
        .resolve(value)
        .ok_or_else(|| FieldError::new(field, format!("unknown actor {value:?}: not an actor id, name or alias (import data/actors.csv first, or add an alias)")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data")
            .join(rel)
    }

    #[test]
    fn the_library_entry_collects_rejects_without_a_file() {
        let store = Store::open_in_memory().unwrap();
        let opts = ImportOptions {
            rejects: RejectMode::Collect,
            progress: false,
            ..ImportOptions::default()
        };
        import_path(&store, ImportKind::Actors, &data("actors.csv"), &opts).unwrap();
        let s = import_path(
            &store,
            ImportKind::Wiki,
            &data("control/wiki_syria_2017.csv"),
            &opts,
        )
        .unwrap();
        assert_eq!(s.rejects.len(), 1);
        assert_eq!(s.rejects[0].line, 1238);
        assert_eq!(s.rejects[0].field.as_deref(), Some("long"));
        assert_eq!(
            s.report.observations.inserted as usize,
            store.observations(None).unwrap().len()
        );
        // The imports table records the file's hash.
        let imports = store.imports().unwrap();
        assert_eq!(imports.len(), 2);
        assert_eq!(imports[1].sha256.len(), 64);
        assert_eq!(imports[1].counts["rejected"], 1);
    }

    #[test]
    fn a_future_default_date_for_the_snapshot_is_refused() {
        let store = Store::open_in_memory().unwrap();
        let mut opts = ImportOptions {
            progress: false,
            ..ImportOptions::default()
        };
        import_path(&store, ImportKind::Actors, &data("actors.csv"), &opts).unwrap();
        opts.today = NaiveDate::from_ymd_opt(2017, 1, 1).unwrap();
        let err = import_path(
            &store,
            ImportKind::Wiki,
            &data("control/wiki_iraq_2017.csv"),
            &opts,
        )
        .unwrap_err();
        assert!(format!("{err:#}").contains("--date"), "{err:#}");
    }
}
