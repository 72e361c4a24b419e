//! `frontline demo`: creates a fresh database from the bundled real data (data/), imports it
//! with progress, prints what was loaded per table, then shows what Frontline does with it.

use anyhow::{bail, Context};
use frontline_core::AoiKind;
use frontline_store::Store;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::import::{import_path, ImportKind, ImportOptions, RejectMode};

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Folder for the files the demo writes (maps, GeoJSON, rejected rows).
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// The bundled data folder [default: ./data, else the one in the source tree].
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Replace the database even if it holds data that did not come from the demo.
    #[arg(long)]
    pub force: bool,
}

/// One step of the demo's load: what to import, and how.
struct Step {
    kind: ImportKind,
    file: &'static str,
    area_kind: AoiKind,
}

const fn step(kind: ImportKind, file: &'static str) -> Step {
    Step {
        kind,
        file,
        area_kind: AoiKind::Custom,
    }
}

const fn areas(file: &'static str, area_kind: AoiKind) -> Step {
    Step {
        kind: ImportKind::Boundaries,
        file,
        area_kind,
    }
}

/// Everything the demo loads, in dependency order: actors before anything naming them,
/// gazetteer and snapshot before the dated changes whose places are resolved against them.
const STEPS: &[Step] = &[
    step(ImportKind::Actors, "actors.csv"),
    areas(
        "boundaries/ne_10m_admin_0_countries_mideast.geojson",
        AoiKind::Country,
    ),
    areas(
        "boundaries/geoBoundaries-IRQ-ADM1.geojson",
        AoiKind::Province,
    ),
    areas(
        "ukraine/ne_10m_admin_0_countries_ukraine_region.geojson",
        AoiKind::Country,
    ),
    step(
        ImportKind::Gazetteer,
        "places/geonames_cities500_syr_irq.csv",
    ),
    step(
        ImportKind::Gazetteer,
        "places/ne_10m_populated_places_syr_irq.csv",
    ),
    step(ImportKind::Wiki, "control/wiki_syria_2017.csv"),
    step(ImportKind::Wiki, "control/wiki_iraq_2017.csv"),
    step(
        ImportKind::Changes,
        "control/is_control_changes_2014_2017.csv",
    ),
    step(
        ImportKind::Ucdp,
        "events/ucdp_ged_syria_iraq_2003_2019_yearonly.csv.gz",
    ),
    step(
        ImportKind::Airstrikes,
        "events/coalition_airstrikes_iraq_syria_2014_2015_informeren.csv",
    ),
    step(
        ImportKind::Airstrikes,
        "events/coalition_airstrikes_guardian_2014_2016.csv",
    ),
];

pub fn run(db: &Path, args: DemoArgs) -> anyhow::Result<()> {
    let data = data_dir(args.data.as_deref())?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating output folder {}", args.out.display()))?;
    fresh_database(db, args.force)?;

    println!(
        "Frontline demo: a fresh database {} from {}",
        db.display(),
        data.display()
    );
    let started = Instant::now();
    let mut store = Store::open(db).with_context(|| format!("creating {}", db.display()))?;
    for s in STEPS {
        let path = data.join(s.file);
        let stem = file_name(s.file).trim_end_matches(".gz");
        let opts = ImportOptions {
            // Real data has defects (an out-of-range coordinate in the Wikipedia module): the
            // demo sets the bad rows aside with their reasons instead of stopping.
            rejects: RejectMode::WriteTo(args.out.join(format!("rejects-{stem}"))),
            unresolved: Some(args.out.join(format!("unresolved-{stem}"))),
            area_kind: s.area_kind,
            ..ImportOptions::default()
        };
        let summary = import_path(&mut store, s.kind, &path, &opts)
            .with_context(|| format!("importing {} as {}", path.display(), s.kind.as_str()))?;
        println!("{summary}");
        for r in summary.rejects.iter().take(3) {
            println!("  rejected line {}: {}", r.line, r.reason);
        }
    }
    let load_time = started.elapsed();
    println!("\nLoaded in {:.1} s:", load_time.as_secs_f64());
    println!("{}", store.counts()?);
    Ok(())
}

/// The bundled data folder: the one given, `./data`, or the source tree's.
fn data_dir(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    let candidates: Vec<PathBuf> = match given {
        Some(p) => vec![p.to_path_buf()],
        None => vec![
            PathBuf::from("data"),
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data"),
        ],
    };
    candidates
        .into_iter()
        .find(|p| p.join("actors.csv").is_file())
        .with_context(|| "the bundled data folder (with actors.csv) was not found: pass --data DIR")
}

/// Remove the database file (and its WAL files) unless it holds anything the demo did not put
/// there: the demo must never destroy an analyst's work.
fn fresh_database(db: &Path, force: bool) -> anyhow::Result<()> {
    if !db.exists() {
        return Ok(());
    }
    if !force {
        let store = Store::open(db).with_context(|| format!("opening {}", db.display()))?;
        // Import records keep the path as given; compare file names, which the demo's steps fix.
        let bundled: Vec<&str> = STEPS.iter().map(|s| file_name(s.file)).collect();
        let foreign: Vec<String> = store
            .imports()?
            .into_iter()
            .filter(|r| !bundled.contains(&file_name(&r.file_name)))
            .map(|r| r.file_name)
            .collect();
        if !foreign.is_empty() {
            bail!(
                "{} holds data the demo did not load (e.g. {}): refusing to replace it; \
                 choose another file with --db, or pass --force",
                db.display(),
                foreign[0]
            );
        }
    }
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", db.display()));
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("removing {}", p.display()))?;
        }
    }
    Ok(())
}

fn file_name(path: &str) -> &str {
    Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(path)
}
