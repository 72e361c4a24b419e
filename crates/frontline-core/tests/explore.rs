mod support;
use frontline_core::estimate::{estimate, Params};
use frontline_core::grid::Grid;
use std::time::Instant;

#[test]
#[ignore]
fn explore() {
    let t = Instant::now();
    let parts = support::countries(&["SYR", "IRQ"]);
    let grid = Grid::build(&parts, 7).unwrap();
    eprintln!("grid {} cells in {:?}", grid.len(), t.elapsed());
    for p in grid.parts() {
        eprintln!("{} {:.1} {:.1}", p.code, p.area_km2, p.cell_area_km2);
    }
    let mut obs = support::snapshot();
    let ch = support::changes();
    eprintln!("snapshot {} changes {}", obs.len(), ch.len());
    obs.extend(ch);
    for date in ["2017-07-20", "2017-06-05", "2016-02-01"] {
        let t = Instant::now();
        let map = estimate(&obs, &grid, &Params::default(), date.parse().unwrap());
        eprintln!("{date} estimate in {:?}", t.elapsed());
        for r in map.areas().rows {
            eprintln!(
                "  {:?} {:.0} {:.1}%",
                r.actor.map(|a| a.to_string()),
                r.area_km2,
                r.share_pct
            );
        }
    }
}
