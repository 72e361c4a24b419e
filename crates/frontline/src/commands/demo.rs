//! `frontline demo`: creates a fresh database from the bundled real data (data/), imports it
//! with progress, prints what was loaded per table, then shows what Frontline does with it.

use anyhow::{bail, Context};
use chrono::NaiveDate;
use frontline::app::MapRequest;
use frontline_core::control_map::ControlMap;
use frontline_core::{ActorId, AoiKind, Credibility, Grading, Reliability};
use frontline_store::Store;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use frontline::import::{import_path, ImportKind, ImportOptions, RejectMode};

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
    /// Only load the bundled data (the demo database), without the figures, maps and analyses.
    #[arg(long)]
    pub load_only: bool,
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

/// The grading of the Islamic State presence the demo infers from air strikes: "not usually
/// reliable, doubtful" (weight 0.30 against an ungraded report's 0.56), so the dated changes and
/// the snapshot outweigh it wherever they speak. Measured by `validate --history`
/// (docs/estimation.md §6).
const PRESENCE_GRADING: Grading = Grading {
    reliability: Reliability::D,
    credibility: Credibility::DoubtfullyTrue,
};

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
    let store = Store::open(db).with_context(|| format!("creating {}", db.display()))?;
    for s in STEPS {
        let path = data.join(s.file);
        let stem = file_name(s.file).trim_end_matches(".gz");
        let opts = ImportOptions {
            // Real data has defects (an out-of-range coordinate in the Wikipedia module): the
            // demo sets the bad rows aside with their reasons instead of stopping.
            rejects: RejectMode::WriteTo(args.out.join(format!("rejects-{stem}"))),
            unresolved: Some(args.out.join(format!("unresolved-{stem}"))),
            area_kind: s.area_kind,
            // Coalition strikes imply Islamic State forces at the place that day: indirect,
            // low-graded evidence for the 2014–2016 maps (docs/estimation.md §2).
            presence: (s.kind == ImportKind::Airstrikes)
                .then(|| ("islamic-state".to_owned(), PRESENCE_GRADING)),
            ..ImportOptions::default()
        };
        let summary = import_path(&store, s.kind, &path, &opts)
            .with_context(|| format!("importing {} as {}", path.display(), s.kind.as_str()))?;
        println!("{summary}");
        for r in summary.rejects.iter().take(3) {
            println!("  rejected line {}: {}", r.line, r.reason);
        }
    }
    let load_time = started.elapsed();
    println!("\nLoaded in {:.1} s:", load_time.as_secs_f64());
    println!("{}", store.counts()?);

    drop(store);
    if args.load_only {
        return Ok(());
    }
    control_section(db, &args.out)?;
    pictures_section(db, &args.out)?;
    analyses_section(db)?;
    println!(
        "\nDone in {:.1} s. Everything above can be reproduced command by command: see README.md.",
        started.elapsed().as_secs_f64()
    );
    println!(
        "The web map of this database: frontline --db {} serve --public, then open the printed URL (docs/webmap.md).",
        db.display()
    );
    Ok(())
}

/// The seed article's pair of maps, the change map, the area chart and a time-lapse, made by the
/// commands a user runs (called with the arguments the README's lines give them).
fn pictures_section(db: &Path, out: &Path) -> anyhow::Result<()> {
    use super::args::BasisArgs;
    use super::look::LookArgs;
    use frontline::app::StepSize;
    println!("\nMaps and charts (in {}):", out.display());
    let d = |s: &str| -> NaiveDate { s.parse().expect("valid date literal") };
    let basis = BasisArgs {
        known_on: None,
        region: None,
        resolution: 7,
    };
    let look = LookArgs {
        view: "syria-iraq".into(),
        width: 1600,
        height: None,
        scale: 1.0,
        title: None,
        subtitle: None,
        credit: None,
    };
    let pair = [d("2016-02-01"), d("2017-06-05")];
    let map = |diff: bool, name: &str| super::map::MapArgs {
        dates: pair.to_vec(),
        basis: basis.clone(),
        layers: Vec::new(),
        captions: Vec::new(),
        diff,
        actor: None,
        out: out.join(name),
        look: look.clone(),
    };
    super::map::run(
        db,
        map(false, "islamic-state-2016-02-01-and-2017-06-05.png"),
    )?;
    super::map::run(db, map(true, "change-2016-02-01-to-2017-06-05.png"))?;
    super::chart::run(
        db,
        super::chart::ChartArgs {
            chart: super::chart::ChartKind::Area(super::chart::AreaArgs {
                layers_dir: None,
                from: d("2016-02-01"),
                to: d("2017-07-20"),
                step: StepSize::Months(1),
                actors: Vec::new(),
                marks: pair.to_vec(),
                title: Some("Area held in Syria and Iraq".into()),
                width: 1200,
                height: 700,
                scale: 1.0,
                credit: "Frontline's estimate from the Wikipedia detailed-map modules (CC BY-SA) and dated control changes".into(),
                out: out.join("area-chart.svg"),
                basis: basis.clone(),
            }),
        },
    )?;
    super::timelapse::run(
        db,
        super::timelapse::TimelapseArgs {
            layers_dir: None,
            from: d("2016-02-01"),
            to: d("2017-07-01"),
            step: StepSize::Months(1),
            actor: "islamic-state".into(),
            delay_ms: 400,
            out: out.join("timelapse-islamic-state.gif"),
            look,
            basis,
        },
    )?;
    Ok(())
}

/// One line per kind of analysis.
fn analyses_section(db: &Path) -> anyhow::Result<()> {
    println!("\nAnalyses:");
    let engine = super::args::open_engine(db)?;
    for line in super::analyses_demo::demo_lines(&engine)? {
        println!("  {line}");
    }
    Ok(())
}

/// The seed article's two dates and the snapshot's date (2017-07-20, month precision: see
/// data/control/MARKS.md).
const DATES: [(&str, &str); 3] = [
    ("2016-02-01", "1 Feb 2016"),
    ("2017-06-05", "5 Jun 2017"),
    (
        "2017-07-20",
        "20 Jul 2017, the snapshot's date (known to the month)",
    ),
];

/// Each actor's km², share and mean confidence on the three dates, the change between them, and
/// Islamic State's polygons as GeoJSON.
fn control_section(db: &Path, out: &Path) -> anyhow::Result<()> {
    let engine = super::args::open_engine(db)?;
    let started = Instant::now();
    let is = ActorId::new("islamic-state").expect("valid id");
    let mut is_km2 = Vec::new();
    let region = engine.region(None)?;
    println!(
        "\nControl of {} (H3 resolution 7, {:.0} km²):",
        region.key, region.km2
    );
    for (date, label) in DATES {
        let date: NaiveDate = date.parse().expect("valid date");
        let map = engine.map(&MapRequest::on(date))?;
        let areas = map.areas();
        let confidence = mean_confidence(&map.map);
        println!("\n{label}:");
        println!(
            "  {:<20} {:>10} {:>7} {:>11}",
            "actor", "km²", "share", "confidence"
        );
        for row in &areas.rows {
            let (name, conf) = match &row.actor {
                Some(a) => (a.as_str(), confidence.get(a).copied().unwrap_or(0.0)),
                None => ("unassessed", 0.0),
            };
            let conf = if row.actor.is_some() {
                format!("{conf:.2}")
            } else {
                "-".to_owned()
            };
            println!(
                "  {name:<20} {:>10.0} {:>6.1} % {conf:>11}",
                row.area_km2, row.share_pct
            );
        }
        let path = out.join(format!("islamic-state-{date}.geojson"));
        std::fs::write(&path, map.geojson_of(&is))
            .with_context(|| format!("writing {}", path.display()))?;
        println!("  Islamic State's polygons: {}", path.display());
        is_km2.push((label, areas.get(Some(&is))));
    }
    let (from, to) = (is_km2[0], is_km2[1]);
    println!(
        "\nIslamic State: {:.0} km² on {} → {:.0} km² on {}: {:+.0} km² ({:+.1} %).",
        from.1,
        from.0,
        to.1,
        to.0,
        to.1 - from.1,
        100.0 * (to.1 - from.1) / from.1.max(1.0)
    );
    println!(
        "The 2016 map rests on the dated control changes, on the coalition strikes (low-graded \
         evidence of Islamic State forces, for 180 days) and on how far back the July 2017 \
         snapshot can speak (until an earlier known change); its lower confidence says so. \
         See docs/estimation.md. ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Area-weighted mean confidence of each actor's cells.
fn mean_confidence(map: &ControlMap) -> BTreeMap<ActorId, f64> {
    let mut sums: BTreeMap<u16, (f64, f64)> = BTreeMap::new();
    for (i, cell) in map.cells().iter().enumerate() {
        if cell.is_assessed() {
            let a = map.grid().area_km2(i);
            let e = sums.entry(cell.actor).or_default();
            e.0 += a * f64::from(cell.confidence);
            e.1 += a;
        }
    }
    sums.into_iter()
        .filter_map(|(k, (w, a))| Some((map.actor(k)?.clone(), w / a.max(f64::MIN_POSITIVE))))
        .collect()
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
