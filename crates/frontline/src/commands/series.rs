//! Dated control layers for the commands that draw a series (time-lapse, area chart): a folder
//! of per-day GeoJSON files whose names end in `_YYYYMMDD.geojson[.gz]` (as the DeepStateMap
//! archive is laid out). For each requested date the latest file on or before it is used, and
//! the date of that file is reported: missing days are never interpolated.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::{Months, NaiveDate};
use frontline_core::render::ActorLayer;

/// A step between frames or chart points: `3d`, `1w`, `1m` (calendar month).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Days(u32),
    Months(u32),
}

impl std::str::FromStr for Step {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || format!("{s:?}: expected a step like 1d, 1w or 1m");
        let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).ok_or_else(err)?);
        let n: u32 = n.parse().map_err(|_| err())?;
        if n == 0 {
            return Err(err());
        }
        match unit {
            "d" => Ok(Step::Days(n)),
            "w" => Ok(Step::Days(7 * n)),
            "m" => Ok(Step::Months(n)),
            _ => Err(err()),
        }
    }
}

/// The dates from `from` to `to` inclusive, every `step`.
pub fn dates(from: NaiveDate, to: NaiveDate, step: Step) -> anyhow::Result<Vec<NaiveDate>> {
    if to < from {
        bail!("--to {to} is before --from {from}");
    }
    let mut out = Vec::new();
    let mut d = from;
    let mut i = 0u32;
    while d <= to {
        out.push(d);
        i += 1;
        d = match step {
            Step::Days(n) => from + chrono::Days::new(u64::from(n) * u64::from(i)),
            Step::Months(n) => from
                .checked_add_months(Months::new(n * i))
                .context("date out of range")?,
        };
        if out.len() > 5000 {
            bail!("more than 5000 steps from {from} to {to}: use a longer --step");
        }
    }
    Ok(out)
}

/// A folder of dated layer files.
pub struct DatedFiles {
    files: Vec<(NaiveDate, PathBuf)>,
    actor: Option<String>,
}

impl DatedFiles {
    pub fn open(dir: &Path, actor: Option<String>) -> anyhow::Result<Self> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let stem = name
                .trim_end_matches(".gz")
                .trim_end_matches(".geojson")
                .trim_end_matches(".json");
            let Some(tail) = stem.rsplit('_').next() else {
                continue;
            };
            if let Ok(d) = NaiveDate::parse_from_str(tail, "%Y%m%d") {
                files.push((d, path));
            }
        }
        files.sort();
        if files.is_empty() {
            bail!("{}: no files named *_YYYYMMDD.geojson[.gz]", dir.display());
        }
        Ok(Self { files, actor })
    }

    /// The layers in force on `date` and the date of the file they come from.
    pub fn on(&self, date: NaiveDate) -> anyhow::Result<Option<(NaiveDate, Vec<ActorLayer>)>> {
        let Some((d, path)) = self.files.iter().rev().find(|(d, _)| *d <= date) else {
            return Ok(None);
        };
        let layers = super::map::read_layers(path, self.actor.as_deref())?;
        Ok(Some((*d, layers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn steps_parse_and_step() {
        assert_eq!("1w".parse::<Step>(), Ok(Step::Days(7)));
        assert_eq!("2m".parse::<Step>(), Ok(Step::Months(2)));
        assert!("0d".parse::<Step>().is_err());
        assert!("w".parse::<Step>().is_err());
        let ds = dates(d("2016-01-31"), d("2016-04-30"), Step::Months(1)).unwrap();
        assert_eq!(
            ds,
            vec![
                d("2016-01-31"),
                d("2016-02-29"),
                d("2016-03-31"),
                d("2016-04-30")
            ]
        );
        assert_eq!(
            dates(d("2016-01-01"), d("2016-01-15"), Step::Days(7))
                .unwrap()
                .len(),
            3
        );
    }

    #[test]
    fn the_latest_file_on_or_before_a_date_is_used() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/ukraine/deepstatemap"
        );
        let files = DatedFiles::open(Path::new(dir), Some("russia".into())).unwrap();
        assert!(files.on(d("2024-07-31")).unwrap().is_none());
        let (used, layers) = files.on(d("2025-01-20")).unwrap().unwrap();
        assert_eq!(
            used,
            d("2024-12-01"),
            "January 2025 is missing from the bundle"
        );
        assert_eq!(layers.len(), 1);
        assert!(layers[0].area_km2 > 100_000.0 && layers[0].area_km2 < 130_000.0);
    }
}
