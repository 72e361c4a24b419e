//! `frontline import wiki`: the Wikipedia detailed-map snapshot (lat,long,mark,label), mapped
//! through the mark legend (marks.csv: module,mark_prefix,actor,actor2,status).
//!
//! A mark is a prefix plus an optional feature suffix (`m.gov_base` = `m.gov` + `base`); the
//! longest prefix of the module wins (`m.stable_gov_SDF` before `m.gov`). Border-crossing arrows
//! (`m.pass_*`) and icon files (`*.svg`) are not control marks: skipped and counted. Identical
//! rows (same lat, long, mark, label) are imported once. The snapshot has no date: the
//! observations get `--date` (default 2017-07-20, see data/control/MARKS.md) at month precision.

use chrono::NaiveDate;
use frontline_core::{
    ActorId, ControlStatus, DatePrecision, FeatureType, Footprint, LatLon, Observation,
    ObservationKey, ObservedDate, Source,
};
use frontline_store::ImportBatch;
use std::collections::HashSet;

use super::resolve::Actors;
use super::{table, Ctx, FieldError, ImportError};

/// The legend bundled with Frontline (a copy of data/control/marks.csv).
const BUNDLED_MARKS: &str = include_str!("../../../../data/control/marks.csv");

/// The snapshot's date when `--date` is not given (data/control/MARKS.md).
pub(crate) const DEFAULT_DATE: (i32, u32, u32) = (2017, 7, 20);

/// One mark as read from the CSV or the Lua text.
pub(crate) struct WikiRow {
    pub line: u64,
    pub lat: String,
    pub long: String,
    pub mark: String,
    pub label: String,
}

impl WikiRow {
    fn raw(&self) -> String {
        format!("{},{},{},{}", self.lat, self.long, self.mark, self.label)
    }
}

struct Legend {
    prefix: String,
    actor: ActorId,
    actor2: Option<ActorId>,
    status: ControlStatus,
}

/// The module, date and legend of an import.
pub(crate) struct Setup {
    module: String,
    observed: ObservedDate,
    legend: Vec<Legend>,
}

impl Setup {
    pub fn new(ctx: &Ctx<'_>, file_name: &str, actors: &Actors) -> Result<Setup, ImportError> {
        let module = match &ctx.opts.module {
            Some(m) => m.to_ascii_lowercase(),
            None => {
                let f = file_name.to_ascii_lowercase();
                let base = f.rsplit('/').next().unwrap_or(&f);
                if base.contains("syria") {
                    "syria".into()
                } else if base.contains("iraq") {
                    "iraq".into()
                } else {
                    return Err(ctx.file_error(
                        "cannot tell the module from the file name: give --module syria or --module iraq",
                    ));
                }
            }
        };
        let (y, m, d) = DEFAULT_DATE;
        let date = ctx
            .opts
            .date
            .unwrap_or_else(|| NaiveDate::from_ymd_opt(y, m, d).expect("valid default"));
        let observed = ObservedDate::new(date, DatePrecision::Month)
            .not_after(ctx.opts.today)
            .map_err(|e| ctx.file_error(format!("--date: {e}")))?;
        let (marks_name, marks_text) = match &ctx.opts.marks {
            Some(p) => (
                p.display().to_string(),
                std::fs::read_to_string(p)
                    .map_err(|e| ctx.file_error(format!("reading marks {}: {e}", p.display())))?,
            ),
            None => {
                let beside = std::path::Path::new(file_name).with_file_name("marks.csv");
                match std::fs::read_to_string(&beside) {
                    Ok(t) => (beside.display().to_string(), t),
                    Err(_) => ("bundled marks.csv".into(), BUNDLED_MARKS.to_owned()),
                }
            }
        };
        let legend = read_legend(&marks_name, &marks_text, &module, actors)?;
        if legend.is_empty() {
            return Err(ctx.file_error(format!("{marks_name} has no marks for module {module:?}")));
        }
        Ok(Setup {
            module,
            observed,
            legend,
        })
    }

    /// The legend entry and feature of a mark, if it is one.
    fn classify(&self, mark: &str) -> Result<(&Legend, FeatureType), String> {
        let mut best: Option<(&Legend, FeatureType)> = None;
        for l in &self.legend {
            let feature = if mark == l.prefix {
                Some(FeatureType::Town)
            } else if let Some(suffix) = mark
                .strip_prefix(l.prefix.as_str())
                .and_then(|r| r.strip_prefix('_'))
            {
                suffix.parse::<FeatureType>().ok()
            } else {
                None
            };
            if let Some(f) = feature {
                if best.is_none_or(|(b, _)| l.prefix.len() > b.prefix.len()) {
                    best = Some((l, f));
                }
            }
        }
        best.ok_or_else(|| format!("unknown mark {mark:?} for the {} module", self.module))
    }
}

fn read_legend(
    name: &str,
    text: &str,
    module: &str,
    actors: &Actors,
) -> Result<Vec<Legend>, ImportError> {
    let err = |line: u64, field: &str, reason: String| ImportError {
        file: name.to_owned(),
        line,
        field: Some(field.to_owned()),
        reason,
    };
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut out = Vec::new();
    for rec in reader.deserialize::<(String, String, String, String, String)>() {
        let rec = rec.map_err(|e| ImportError {
            file: name.to_owned(),
            line: e.position().map_or(0, |p| p.line()),
            field: None,
            reason: e.to_string(),
        })?;
        let line = (out.len() + 2) as u64;
        let (m, prefix, actor, actor2, status) = rec;
        if m != module {
            continue;
        }
        let resolve = |field: &str, v: &str| {
            actors.resolve(v).ok_or_else(|| {
                err(
                    line,
                    field,
                    format!("unknown actor {v:?}: import data/actors.csv first"),
                )
            })
        };
        out.push(Legend {
            prefix,
            actor: resolve("actor", &actor)?,
            actor2: if actor2.is_empty() {
                None
            } else {
                Some(resolve("actor2", &actor2)?)
            },
            status: status
                .parse()
                .map_err(|e| err(line, "status", format!("{e}")))?,
        });
    }
    Ok(out)
}

pub(crate) fn read_csv(ctx: &mut Ctx<'_>, text: &str) -> Result<Vec<WikiRow>, ImportError> {
    let rows = table::read(ctx, text, b',', &["lat", "long", "mark", "label"], &[])?;
    Ok(rows
        .into_iter()
        .map(|r| WikiRow {
            line: r.line,
            lat: r.get("lat").to_owned(),
            long: r.get("long").to_owned(),
            mark: r.get("mark").to_owned(),
            label: r.get("label").to_owned(),
        })
        .collect())
}

/// Not a control mark: border-crossing arrows and icon files.
fn is_decoration(mark: &str) -> Option<&'static str> {
    if mark.starts_with("m.pass") {
        Some("border-crossing marks (m.pass_*)")
    } else if mark.to_ascii_lowercase().ends_with(".svg") {
        Some("icon files (*.svg: dams, battles, minimaps)")
    } else {
        None
    }
}

fn coordinate(field: &str, s: &str) -> Result<f64, FieldError> {
    s.trim()
        .parse::<f64>()
        .map_err(|e| FieldError::new(field, format!("{s:?}: {e}")))
}

pub(crate) fn convert(
    ctx: &mut Ctx<'_>,
    setup: &Setup,
    rows: Vec<WikiRow>,
    batch: &mut ImportBatch,
) -> Result<(), ImportError> {
    ctx.start_progress(rows.len() as u64, "wiki");
    let citation = match setup.module.as_str() {
        "syria" => "Wikipedia, Module:Syrian Civil War detailed map",
        "iraq" => "Wikipedia, Module:Iraqi insurgency detailed map",
        _ => "Wikipedia detailed map module",
    };
    let url = match setup.module.as_str() {
        "syria" => {
            Some("https://en.wikipedia.org/wiki/Module:Syrian_Civil_War_detailed_map".to_owned())
        }
        "iraq" => {
            Some("https://en.wikipedia.org/wiki/Module:Iraqi_insurgency_detailed_map".to_owned())
        }
        _ => None,
    };
    let mut seen = HashSet::new();
    for row in rows {
        ctx.progress.inc(1);
        let mark = row.mark.trim();
        if let Some(why) = is_decoration(mark) {
            ctx.skip(why);
            continue;
        }
        let parsed = (|| -> Result<Observation, FieldError> {
            if mark.is_empty() {
                return Err(FieldError::new("mark", "is empty"));
            }
            let lat = coordinate("lat", &row.lat)?;
            let lon = coordinate("long", &row.long)?;
            let point = LatLon::new(lat, lon).map_err(|e| {
                let f = if matches!(e, frontline_core::ModelError::Latitude(_)) {
                    "lat"
                } else {
                    "long"
                };
                FieldError::new(f, e)
            })?;
            let (legend, feature) = setup
                .classify(mark)
                .map_err(|e| FieldError::new("mark", e))?;
            let label = row.label.trim();
            // Keys hash the parsed numbers, so "36.350" (CSV) and "36.35" (Lua) agree.
            let key = ObservationKey::hashed(
                &format!("wiki-{}", setup.module),
                &[&lat.to_string(), &lon.to_string(), mark, label],
            );
            Ok(Observation {
                key,
                label: Some(label.to_owned()).filter(|l| !l.is_empty()),
                footprint: Footprint::Point(point),
                feature,
                actor: legend.actor.clone(),
                actor2: legend.actor2.clone(),
                status: legend.status,
                observed: setup.observed,
                source: Source {
                    citation: format!("{citation} (undated snapshot, taken as {})", setup.observed),
                    url: url.clone(),
                },
                evidence: vec![],
                grading: None,
                analyst: None,
                note: None,
                recorded_at: chrono::Utc::now(),
            })
        })();
        match parsed {
            Ok(o) => {
                if seen.insert(o.key.clone()) {
                    batch.observations.push(o);
                } else {
                    ctx.skip("identical duplicate rows (imported once)");
                }
            }
            Err(e) => ctx.reject(row.line, e, &row.raw())?,
        }
    }
    Ok(())
}
