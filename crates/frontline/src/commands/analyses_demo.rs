//! One printable line per analysis for `frontline demo`, computed on the demo database: the
//! share of Mosul, the Deir ez-Zor siege, a strike hotspot, the Islamic State's trend, duplicate
//! strike reports, population per actor and a watch alert.

use std::path::Path;

use chrono::NaiveDate;
use frontline::app::analyses::{HotspotRequest, TrendRequest};
use frontline::app::{Engine, MapRequest, StepSize};
use frontline_core::analysis::dedup::{find_duplicates, DedupParams};
use frontline_core::analysis::enclave::EnclaveParams;
use frontline_core::analysis::watch::{control_change, Trigger};
use frontline_core::ActorId;
use frontline_store::EventFilter;

use super::aoi::resolve_aoi;
use super::args::open_engine;

/// The snapshot's date (data/control/MARKS.md: between late June and early August 2017).
pub const SNAPSHOT_DATE: &str = "2017-07-20";

fn date(s: &str) -> NaiveDate {
    s.parse().expect("valid date literal")
}

fn pct(x: f64) -> String {
    format!("{x:.1} %")
}

/// One line per analysis. Needs the demo's data imported (boundaries, gazetteer, control,
/// events); each line says what it rests on.
pub fn demo_lines(engine: &Engine) -> anyhow::Result<Vec<String>> {
    // The default region (Syria and Iraq in the demo database), as every door has it.
    let on = MapRequest::on;
    let d = date(SNAPSHOT_DATE);
    let snapshot = engine.map(&on(d))?;
    let snap = snapshot.territory();
    let mut lines = Vec::new();

    // Share of a city.
    let mosul = resolve_aoi(engine, "Mosul", None)?;
    let r = engine.share(&on(d), &mosul)?;
    let parts: Vec<String> = r
        .rows
        .iter()
        .take(3)
        .map(|x| format!("{} {}", pct(x.pct), x.holder.label()))
        .collect();
    lines.push(format!(
        "Share: Mosul on {d}: {} of its {:.0} km² ({})",
        parts.join(", "),
        r.aoi_km2,
        mosul.how
    ));

    // Sieges.
    let all = engine.sieges(&on(d), &EnclaveParams::default())?;
    let airport = frontline_core::LatLon::new(35.284, 40.1757).expect("valid point");
    let cell = snap.at(airport).map(|c| c.cell);
    let deir: Vec<_> = all
        .iter()
        .filter(|e| e.actor.as_str() == "syrian-government" && e.encircled)
        .filter(|e| {
            cell.is_some_and(|c| e.contains(c))
                || (e.centre.lat() - 35.3).abs() < 0.1 && (e.centre.lon() - 40.12).abs() < 0.15
        })
        .collect();
    let encircled = all.iter().filter(|e| e.encircled && e.km2 >= 10.0).count();
    if deir.is_empty() {
        lines.push(format!("Sieges on {d}: {encircled} encircled enclaves ≥ 10 km²; no government pocket found at Deir ez-Zor"));
    } else {
        let desc: Vec<String> = deir
            .iter()
            .map(|e| {
                let top = &e.perimeter[0];
                format!(
                    "{:.0} km² ({} {} of the perimeter)",
                    e.km2,
                    pct(top.pct),
                    top.neighbour.label()
                )
            })
            .collect();
        lines.push(format!(
            "Sieges on {d}: Deir ez-Zor government enclave in {} pocket(s): {} — encircled; {encircled} encircled enclaves ≥ 10 km² in all",
            deir.len(),
            desc.join(" and ")
        ));
    }

    // Hotspot (day-precision air strikes; UCDP rows have a year only and cannot enter a window).
    let hd = date("2014-10-20");
    let hr = engine.hotspots(&HotspotRequest::on(hd))?;
    match hr.hotspots().next() {
        Some(z) => lines.push(format!(
            "Hotspot: 14 days to {hd}: cell {} at {:.2},{:.2}: {} events vs {:.2} per window in its baseline (Poisson p = {:.1e}, z = {:.1}); {} hotspots of {} zones; {} year-precision UCDP events left out",
            z.zone.label(),
            z.centre.lat(),
            z.centre.lon(),
            z.count,
            z.baseline_rate,
            z.p_value,
            z.z,
            hr.hotspots().count(),
            hr.zones_tested,
            hr.excluded_imprecise
        )),
        None => lines.push(format!("Hotspot: none in the 14 days to {hd} ({} zones tested)", hr.zones_tested)),
    }

    // Trend of the Islamic State, yearly (UCDP's year precision), with km² at each year's end.
    let is = ActorId::new("islamic-state")?;
    let rows = engine.trend(
        &TrendRequest {
            actor: is.clone(),
            from: date("2015-01-01"),
            to: date("2017-12-31"),
            step: StepSize::Months(12),
            map: on(date("2017-12-31")),
            with_control: true,
        },
        usize::MAX,
    )?;
    let cells: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{}: {} events, {} attacks in {} res-4 cells ({} outside its territory), {:.0} km²",
                r.from.format("%Y"),
                r.events,
                r.attacks,
                r.cells_r4,
                r.attacks_outside.unwrap_or(0),
                r.km2.unwrap_or(0.0)
            )
        })
        .collect();
    lines.push(format!(
        "Trend of islamic-state (yearly; UCDP is year-precision): {}",
        cells.join("; ")
    ));

    // Events and duplicates.
    let strikes = engine.store().stored_events(&EventFilter {
        event_type: Some(frontline_core::EventType::AirStrike),
        include_duplicates: true,
        ..EventFilter::default()
    })?;
    let linked = strikes.iter().filter(|s| s.duplicate_of.is_some()).count();
    let plain: Vec<_> = strikes.iter().map(|s| s.event.clone()).collect();
    let dd = find_duplicates(&plain, &DedupParams::default());
    let all_strikes: u64 = plain.iter().map(|e| u64::from(e.count)).sum();
    lines.push(format!(
        "Events: {} air-strike rows ({} strikes); {} linked as duplicates by the importer, {} same-day/≤15 km groups across compilations (shown, not hidden); {} strikes counted once",
        plain.len(),
        all_strikes,
        linked,
        dd.groups.len(),
        dd.deduplicated_count(&plain)
    ));

    // Population per actor.
    let (p, _) = engine.population(&on(d), None)?;
    let top: Vec<String> = p
        .rows
        .iter()
        .take(4)
        .map(|r| format!("{} {:.1} M", r.holder.label(), r.people as f64 / 1e6))
        .collect();
    lines.push(format!(
        "Population on {d} ({} settlements of the deduplicated gazetteer): {}",
        p.places,
        top.join(", ")
    ));

    // A watch: Mosul between 2016-01-01 and the snapshot.
    let (w, _) = engine.store().add_watch(
        "Mosul",
        Trigger::ControlChange,
        &serde_json::json!({"min_pct_points": 1.0}),
    )?;
    let d0 = date("2016-01-01");
    let before = engine.share(&on(d0), &mosul)?;
    let draft = control_change("Mosul", (d0, &before), (d, &r), 1.0);
    let fired =
        engine
            .store()
            .record_check(w.id, d, None, &serde_json::json!({}), draft.as_slice())?;
    lines.push(match (draft, fired.first()) {
        (Some(_), Some(a)) => format!("Watch {} (control-change on Mosul): {}", w.id, a.message),
        (Some(a), None) => format!(
            "Watch {} (control-change on Mosul): already fired earlier — {}",
            w.id, a.message
        ),
        (None, _) => format!(
            "Watch {} (control-change on Mosul): no change between {d0} and {d}",
            w.id
        ),
    });
    Ok(lines)
}

/// `frontline analyses`: the lines on the current database.
pub fn run(db: &Path) -> anyhow::Result<()> {
    let engine = open_engine(db)?;
    for line in demo_lines(&engine)? {
        println!("{line}");
    }
    Ok(())
}
