//! `frontline explain --date D --at LAT,LON`: who holds a point and the observations that
//! decided it, with their weights, sources and gradings (what `/api/explain` returns).

use std::io::Write;
use std::path::Path;

use frontline_core::LatLon;

use super::args::{open_engine, MapArgs};

pub fn parse_latlon(s: &str) -> Result<LatLon, String> {
    let (a, b) = s
        .split_once(',')
        .ok_or_else(|| format!("{s:?}: expected LAT,LON"))?;
    let lat = a
        .trim()
        .parse::<f64>()
        .map_err(|e| format!("latitude {a:?}: {e}"))?;
    let lon = b
        .trim()
        .parse::<f64>()
        .map_err(|e| format!("longitude {b:?}: {e}"))?;
    LatLon::new(lat, lon).map_err(|e| e.to_string())
}

/// `frontline explain --date D --at LAT,LON`: the observations that decided a point.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub map: MapArgs,
    /// The point, as LAT,LON.
    #[arg(long, value_parser = parse_latlon, allow_hyphen_values = true)]
    pub at: LatLon,
}

pub fn run(db: &Path, args: ExplainArgs) -> anyhow::Result<()> {
    let engine = open_engine(db)?;
    let m = &args.map;
    engine.key(&m.request())?;
    engine.with_day(
        m.date,
        m.basis.known_on.unwrap_or_default(),
        |day, known| print(day, &known.observations, &args),
    )?
}

fn print(
    day: &frontline_core::estimate::Day<'_, '_>,
    obs: &[frontline_core::Observation],
    args: &ExplainArgs,
) -> anyhow::Result<()> {
    let m = &args.map;
    let est = day.at(args.at);
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}, {} on {}:", args.at.lat(), args.at.lon(), m.date)?;
    match &est.actor {
        Some(a) => writeln!(
            out,
            "  {} ({}{}) confidence {:.2}",
            a,
            est.status,
            est.actor2
                .as_ref()
                .map(|b| format!(" with {b}"))
                .unwrap_or_default(),
            est.confidence
        )?,
        None => writeln!(out, "  unassessed: no observation reaches this point")?,
    }
    let show = |out: &mut dyn Write,
                state: u32,
                weight: Option<(f64, f64, f64, f64)>|
     -> anyhow::Result<()> {
        let d = &day.states[state as usize];
        let s = &d.state;
        match weight {
            Some((w, share, dist, reach)) => writeln!(
                out,
                "\n  {} — {} ({}) place confidence {:.2}; {:.1} km away, reach {:.1} km; weight {:.4} ({:.0} %)",
                d.label.as_deref().unwrap_or("(unnamed)"),
                s.actor,
                s.status,
                s.confidence,
                dist,
                reach,
                w,
                100.0 * share
            )?,
            None => writeln!(
                out,
                "\n  analyst area {} — {} ({}) confidence {:.2}",
                d.label.as_deref().unwrap_or("(unnamed)"),
                s.actor,
                s.status,
                s.confidence
            )?,
        }
        writeln!(out, "    basis: {}", s.basis.as_str())?;
        for &i in &s.observations {
            let o = &obs[i as usize];
            writeln!(
                out,
                "    {} observed {} grading {} — {}{}",
                o.key,
                o.observed,
                o.grading
                    .map_or_else(|| "ungraded".to_owned(), |g| g.to_string()),
                o.source.citation,
                o.source
                    .url
                    .as_ref()
                    .map(|u| format!(" <{u}>"))
                    .unwrap_or_default()
            )?;
            for e in &o.evidence {
                if let frontline_core::Evidence::Events {
                    dataset,
                    ids,
                    summary,
                } = e
                {
                    let ids = ids.join(", ");
                    writeln!(out, "      inferred from {dataset} {ids}: {summary}")?;
                }
            }
        }
        Ok(())
    };
    if let Some(a) = est.area {
        show(&mut out, a, None)?;
    }
    for c in est.contributions.iter().take(12) {
        show(
            &mut out,
            c.state,
            Some((c.weight, c.share, c.distance_km, c.reach_km)),
        )?;
    }
    if est.contributions.len() > 12 {
        writeln!(
            out,
            "\n  … and {} weaker contributions",
            est.contributions.len() - 12
        )?;
    }
    Ok(())
}
