//! Criterion benches of the control engine on the real Syria + Iraq data: building the grid,
//! a full snapshot estimate at resolution 7 from every observation, and one year of daily maps;
//! the same over precomputed candidate voters (`Scrub`).
//! Run: `cargo bench -p frontline-core --bench estimate`.

#[path = "../tests/support/mod.rs"]
mod support;

use criterion::{criterion_group, criterion_main, Criterion};
use frontline_core::estimate::{estimate, Params, Prepared, Scrub};
use frontline_core::grid::Grid;
use std::hint::black_box;

fn benches(c: &mut Criterion) {
    let parts = support::countries(&["SYR", "IRQ"]);
    let mut obs = support::snapshot();
    obs.extend(support::changes());
    let params = Params::default();

    let mut g = c.benchmark_group("syria_iraq_res7");
    g.sample_size(10);
    g.bench_function("grid_build", |b| {
        b.iter(|| Grid::build(black_box(&parts), 7).unwrap())
    });
    let grid = Grid::build(&parts, 7).unwrap();
    g.bench_function("snapshot_estimate", |b| {
        b.iter(|| estimate(black_box(&obs), &grid, &params, support::snapshot_date()))
    });
    g.bench_function("snapshot_estimate_and_areas", |b| {
        b.iter(|| estimate(black_box(&obs), &grid, &params, support::snapshot_date()).areas())
    });
    g.bench_function("year_of_daily_maps_2016", |b| {
        b.iter(|| {
            let prep = Prepared::new(&obs, &params);
            let start = chrono::NaiveDate::from_ymd_opt(2016, 1, 1).unwrap();
            let mut total = 0.0;
            for day in 0..365 {
                let map = prep.on(start + chrono::Days::new(day)).estimate(&grid);
                total += map.areas().rows[0].area_km2;
            }
            total
        })
    });
    // Precomputed candidate voters per cell (estimate/scrub.rs): made once, then any date.
    g.bench_function("scrub_prepare", |b| {
        b.iter(|| Scrub::new(Prepared::new(black_box(&obs), &params), &grid))
    });
    let scrub = Scrub::new(Prepared::new(&obs, &params), &grid);
    g.bench_function("scrub_snapshot_estimate", |b| {
        b.iter(|| scrub.estimate(black_box(support::snapshot_date())))
    });
    g.bench_function("scrub_snapshot_estimate_and_areas", |b| {
        b.iter(|| scrub.estimate(black_box(support::snapshot_date())).areas())
    });
    g.bench_function("scrub_year_of_daily_maps_2016", |b| {
        b.iter(|| {
            let start = chrono::NaiveDate::from_ymd_opt(2016, 1, 1).unwrap();
            let mut total = 0.0;
            for day in 0..365 {
                let map = scrub.estimate(start + chrono::Days::new(day));
                total += map.areas().rows[0].area_km2;
            }
            total
        })
    });
    g.finish();
}

criterion_group!(estimate_benches, benches);
criterion_main!(estimate_benches);
