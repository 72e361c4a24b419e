//! `frontline import <kind> <file> [options]`: read one file into the database, in one
//! transaction, and print what was inserted, unchanged, superseded, skipped and rejected.

use anyhow::Context;
use chrono::NaiveDate;
use frontline_core::{AoiKind, Grading};
use frontline_store::Store;
use std::io::Write;
use std::path::{Path, PathBuf};

use frontline::import::{import_path, ImportKind, ImportOptions, RejectMode};

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// What the file holds (see docs/formats.md).
    #[arg(value_enum, value_name = "KIND")]
    pub format: ImportKind,
    /// The file to import (.gz files are decompressed transparently).
    pub file: PathBuf,
    /// Import the good rows and write the bad ones, with their reasons, to this CSV file
    /// (without it, the first bad row stops the import and nothing is written).
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// changes, airstrikes: write the rows whose place could not be located to this file.
    #[arg(long, value_name = "FILE")]
    pub unresolved: Option<PathBuf>,
    /// wiki, wiki-lua: the module (syria or iraq); inferred from the file name if absent.
    #[arg(long)]
    pub module: Option<String>,
    /// wiki, wiki-lua: the snapshot's date (month precision) [default: 2017-07-20].
    #[arg(long)]
    pub date: Option<NaiveDate>,
    /// wiki, wiki-lua: the mark legend [default: marks.csv beside the file, else the bundled one].
    #[arg(long, value_name = "FILE")]
    pub marks: Option<PathBuf>,
    /// boundaries: the kind of area (country, province, city, custom).
    #[arg(long = "kind", default_value = "custom")]
    pub area_kind: AoiKind,
    /// boundaries: the property holding the name [default: name, NAME or shapeName].
    #[arg(long)]
    pub name_field: Option<String>,
    /// boundaries: the property holding the code [default: iso_a3, ISO_A3 or shapeISO].
    #[arg(long)]
    pub code_field: Option<String>,
    /// airstrikes: also record every strike as indirect evidence that this actor's forces were
    /// at the place that day (the coalition's releases report strikes on Islamic State), as an
    /// observation inferred from the event (docs/estimation.md §2).
    #[arg(long, value_name = "ACTOR")]
    pub presence: Option<String>,
    /// ucdp, acled, airstrikes: the file is its dataset's whole current release (living datasets
    /// revise and delete rows): stored events it no longer has are retired, edited rows become
    /// new versions, and no earlier version is lost. Importing it again changes nothing.
    #[arg(long)]
    pub sync: bool,
    /// airstrikes: the grading of those inferred observations.
    #[arg(
        long,
        value_name = "GRADING",
        default_value = "D4",
        requires = "presence"
    )]
    pub presence_grading: Grading,
    /// Treat this day as today for the future-date check [default: today].
    #[arg(long, hide = true)]
    pub today: Option<NaiveDate>,
}

pub fn run(db: &Path, args: ImportArgs) -> anyhow::Result<()> {
    let store = Store::open(db).with_context(|| format!("opening database {}", db.display()))?;
    let mut opts = ImportOptions {
        rejects: args.rejects.map_or(RejectMode::Fail, RejectMode::WriteTo),
        unresolved: args.unresolved,
        module: args.module,
        date: args.date,
        marks: args.marks,
        area_kind: args.area_kind,
        name_field: args.name_field,
        code_field: args.code_field,
        presence: args.presence.map(|a| (a, args.presence_grading)),
        sync: args.sync,
        ..ImportOptions::default()
    };
    if let Some(today) = args.today {
        opts.today = today;
    }
    let summary = import_path(&store, args.format, &args.file, &opts).with_context(|| {
        format!(
            "importing {} as {}",
            args.file.display(),
            args.format.as_str()
        )
    })?;
    // A closed stdout is an error to return (main ends quietly on it), not a panic.
    let mut out = std::io::stdout().lock();
    writeln!(out, "{summary}")?;
    if !summary.rejects.is_empty() {
        if let RejectMode::WriteTo(p) = &opts.rejects {
            writeln!(
                out,
                "{} rejected rows written to {}",
                summary.rejects.len(),
                p.display()
            )?;
        }
    }
    if !summary.unresolved.is_empty() {
        writeln!(out, "unresolved places ({}):", summary.unresolved.len())?;
        for u in &summary.unresolved {
            writeln!(out, "  {u}")?;
        }
    }
    out.flush()?;
    Ok(())
}
