//! Cross-validate the estimator with changed parameters: the tool behind the sweeps reported in
//! docs/estimation.md §6.
//!
//! ```text
//! cargo run --release -p frontline --example validate_sweep -- frontline.db 10 \
//!     vote_k=4 reach.town_max_km=30
//! ```
//!
//! Arguments: the database, the number of folds, then `name=value` overrides of
//! `frontline_core::estimate::Params` (several values separated by `,` are swept one by one).
//! `SEED=N` deals the folds differently; `SNAPSHOT_ONLY=1` leaves the dated changes out;
//! `HISTORY=1` runs `validate --history` (past dates) instead of the snapshot's validation.

use anyhow::{bail, Context};
use frontline_core::estimate::Params;
use frontline_core::validate::{cross_validate, validate_history};
use frontline_store::Store;

fn set(p: &mut Params, name: &str, v: f64) -> anyhow::Result<()> {
    match name {
        "vote_k" => p.vote_k = v as usize,
        "rank_power" => p.rank_power = v,
        "post_vote_factor" => p.post_vote_factor = v,
        "change_shadow_km" => p.change_shadow_km = v,
        "backward_half_life_days" => p.backward_half_life_days = v,
        "forward_half_life_days" => p.forward_half_life_days = v,
        "min_confidence" => p.min_confidence = v,
        "inferred_max_days" => p.inferred_max_days = v as i64,
        "max_forward_days" => p.max_forward_days = v as i64,
        "max_backward_days" => p.max_backward_days = v as i64,
        "reach.town_min_km" => p.reach.town_min_km = v,
        "reach.town_max_km" => p.reach.town_max_km = v,
        "reach.site_min_km" => p.reach.site_min_km = v,
        "reach.site_max_km" => p.reach.site_max_km = v,
        "reach.post_min_km" => p.reach.post_min_km = v,
        "reach.post_max_km" => p.reach.post_max_km = v,
        "reach.density_k" => p.reach.density_k = v as usize,
        "reach.density_factor" => p.reach.density_factor = v,
        _ => bail!("unknown parameter {name}"),
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [db, folds, overrides @ ..] = args.as_slice() else {
        bail!("usage: validate_sweep DB FOLDS [name=v1,v2,...]...");
    };
    let folds: usize = folds.parse().context("folds")?;
    // HISTORY=1: validate the past (`frontline validate --history`) instead of the snapshot.
    let history = std::env::var("HISTORY").is_ok_and(|v| v == "1");
    // SEED=N deals the folds differently (default 1).
    let seed: u64 = std::env::var("SEED")
        .map_or(Ok(1), |s| s.parse())
        .context("SEED")?;
    let store = Store::open(std::path::Path::new(db)).context("opening the database")?;
    let mut obs: Vec<_> = store
        .observations(None)?
        .into_iter()
        .map(|s| s.observation)
        .collect();
    // SNAPSHOT_ONLY=1: leave the dated changes out, to see what they add.
    if std::env::var("SNAPSHOT_ONLY").is_ok_and(|v| v == "1") {
        let (snapshot, _) =
            frontline_core::validate::snapshot_towns(&obs).context("no snapshot")?;
        obs.retain(|o| o.observed == snapshot);
    }
    // The cartesian product of the swept values.
    let mut runs: Vec<Vec<(String, f64)>> = vec![Vec::new()];
    for o in overrides {
        let (name, values) = o.split_once('=').context("expected name=value")?;
        let values: Vec<f64> = values
            .split(',')
            .map(|v| v.parse().with_context(|| format!("value of {name}")))
            .collect::<Result<_, _>>()?;
        runs = runs
            .into_iter()
            .flat_map(|r| {
                values.iter().map(move |&v| {
                    let mut r = r.clone();
                    r.push((name.to_string(), v));
                    r
                })
            })
            .collect();
    }
    for run in runs {
        let mut p = Params::default();
        for (name, v) in &run {
            set(&mut p, name, *v)?;
        }
        let r = if history {
            validate_history(&obs, &p, folds, seed)?
        } else {
            cross_validate(&obs, &p, folds, seed)?
        };
        let unassessed = r.estimator.unassessed();
        let per: Vec<String> = r
            .estimator
            .per_actor
            .iter()
            .map(|(a, n, c)| {
                format!(
                    "{}:{:.1}",
                    &a[..a.len().min(6)],
                    100.0 * *c as f64 / *n as f64
                )
            })
            .collect();
        let label: Vec<String> = run.iter().map(|(n, v)| format!("{n}={v}")).collect();
        println!(
            "{:<50} {:.2}%  unassessed {unassessed}  {}",
            label.join(" "),
            100.0 * r.estimator.overall(),
            per.join(" ")
        );
    }
    Ok(())
}
