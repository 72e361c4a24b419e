//! `frontline validate`: accuracy measured on held-out data — snapshot towns held out (or
//! k-fold cross-validation over all of them), or the past's dated changes each estimated on its
//! own date — beside the k-nearest baseline.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use frontline::app::KnownOn;

use super::args::{actor_label, open_engine, parse_known_on};

/// `frontline validate`: hold out snapshot towns, estimate them, compare with the baseline.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Share of the snapshot's town places to hold out.
    #[arg(long, default_value_t = 0.1, conflicts_with = "folds")]
    pub holdout: f64,
    /// Cross-validate instead: split the town places into N folds and hold out each in turn,
    /// so that every place is estimated once (per-actor figures on all of an actor's places).
    #[arg(long, value_name = "N")]
    pub folds: Option<usize>,
    /// Validate the past instead: every dated observation besides the snapshot (control
    /// changes, previous holders) estimated on its own date with its whole place held out, in
    /// folds (10 unless --folds says otherwise), beside the snapshot projected back.
    #[arg(long, conflicts_with = "holdout")]
    pub history: bool,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, value_name = "T", value_parser = parse_known_on)]
    pub known_on: Option<KnownOn>,
    /// Write the held-out places the estimator got wrong to this CSV
    /// (label,lat,lon,truth,truth2,estimate).
    #[arg(long, value_name = "FILE")]
    pub misses: Option<PathBuf>,
}

pub fn run(db: &Path, args: ValidateArgs) -> anyhow::Result<()> {
    let engine = open_engine(db)?;
    let known = engine.known(args.known_on.unwrap_or_default())?;
    let obs = &known.observations;
    let params = engine.settings().params.clone();
    let r = match (args.history, args.folds) {
        (true, n) => {
            frontline_core::validate::validate_history(obs, &params, n.unwrap_or(10), args.seed)?
        }
        (false, Some(n)) => frontline_core::validate::cross_validate(obs, &params, n, args.seed)?,
        (false, None) => frontline_core::validate::validate(obs, &params, args.holdout, args.seed)?,
    };
    if let Some(path) = &args.misses {
        let mut w =
            csv::Writer::from_path(path).with_context(|| format!("creating {}", path.display()))?;
        w.write_record(["label", "lat", "lon", "truth", "truth2", "estimate"])?;
        for m in &r.misses {
            w.write_record([
                m.label.clone().unwrap_or_default(),
                format!("{:.5}", m.truth.location.lat()),
                format!("{:.5}", m.truth.location.lon()),
                m.truth.actor.to_string(),
                m.truth
                    .alt
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                actor_label(m.predicted.as_ref()),
            ])?;
        }
        w.flush()?;
    }
    let mut out = std::io::stdout().lock();
    match args.folds {
        _ if args.history => writeln!(
            out,
            "Estimated {} dated observations besides the snapshot dated {} (control changes and \
             the holders before them), each on its own date, in {} folds of their places (seed \
             {}): a fold's places lose all their observations, snapshot included. The baseline \
             is the snapshot projected back (the k-nearest vote of its remaining marks).",
            r.held_out,
            r.snapshot,
            args.folds.unwrap_or(10),
            args.seed
        )?,
        Some(n) => writeln!(
            out,
            "Cross-validated {} town places of the snapshot dated {} in {n} folds (seed {}): each \
             fold held out in turn and estimated on {} from the rest.",
            r.held_out, r.snapshot, args.seed, r.date
        )?,
        None => writeln!(
            out,
            "Held out {} of {} town places of the snapshot dated {} (seed {}), estimated on {} \
             from the rest.",
            r.held_out, r.candidates, r.snapshot, args.seed, r.date
        )?,
    }
    let best = r.best_k().context("no baseline")?;
    writeln!(
        out,
        "\n{:<22} {:>10} {:>14}",
        "",
        "estimator",
        format!("baseline k={}", best.0)
    )?;
    writeln!(
        out,
        "{:<22} {:>9.1}% {:>13.1}%",
        "overall",
        100.0 * r.estimator.overall(),
        100.0 * best.1.overall()
    )?;
    for ((a, n, c), (_, _, bc)) in r.estimator.per_actor.iter().zip(&best.1.per_actor) {
        writeln!(
            out,
            "{:<22} {:>9.1}% {:>13.1}%   ({n} places)",
            a,
            100.0 * *c as f64 / *n as f64,
            100.0 * *bc as f64 / *n as f64
        )?;
    }
    let e = &r.estimator;
    writeln!(
        out,
        "\nThe estimator left {} of {} places unassessed (beyond every reach; counted wrong \
         above, the baseline always names an actor); among the {} it assessed it is right for \
         {:.1}%.",
        e.unassessed(),
        e.total,
        e.total - e.unassessed(),
        100.0 * e.among_assessed()
    )?;
    writeln!(
        out,
        "\nbaseline by k: {}",
        r.baseline
            .iter()
            .map(|(k, a)| format!("k={k} {:.1}%", 100.0 * a.overall()))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    writeln!(
        out,
        "\nEstimator confusion matrix (rows: truth, columns: estimate):"
    )?;
    let labels = &r.estimator.labels;
    let short = |s: &str| s.chars().take(10).collect::<String>();
    write!(out, "{:<20}", "")?;
    for l in labels {
        write!(out, " {:>10}", short(l))?;
    }
    writeln!(out)?;
    for (l, row) in labels.iter().zip(&r.estimator.matrix) {
        if row.iter().sum::<usize>() == 0 {
            continue;
        }
        write!(out, "{:<20}", l)?;
        for v in row {
            write!(out, " {:>10}", v)?;
        }
        writeln!(out)?;
    }
    Ok(())
}
