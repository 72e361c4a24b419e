//! `frontline events`: the stored events as a layer — filtered by dates, box, actor and type,
//! written as CSV or GeoJSON. Duplicates are shown, not hidden: rows the importer linked to
//! another compilation's row carry `duplicate_of`, and reports of the same event by two datasets
//! (same day, within 15 km, compatible actors) share a `dup_group`.

use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;
use frontline_core::analysis::dedup::{find_duplicates, DedupParams};
use frontline_core::{ActorId, Event, EventType};
use frontline_store::{event_key_text, EventFilter, StoredEvent};

use super::args::{csv_field, open_store as open, parse_date};

#[derive(Debug, clap::Args)]
pub struct EventsArgs {
    #[arg(long, value_parser = parse_date)]
    pub from: Option<NaiveDate>,
    #[arg(long, value_parser = parse_date)]
    pub to: Option<NaiveDate>,
    /// MIN_LON,MIN_LAT,MAX_LON,MAX_LAT
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
    pub bbox: Option<Vec<f64>>,
    #[arg(long)]
    pub actor: Option<ActorId>,
    /// battle, air_strike, drone_strike, explosion_remote_violence, violence_against_civilians…
    #[arg(long = "type")]
    pub event_type: Option<EventType>,
    #[arg(long)]
    pub dataset: Option<String>,
    /// Farthest apart (km) two datasets' reports of one event may be.
    #[arg(long, default_value_t = 15.0)]
    pub dedup_km: f64,
    #[arg(long, default_value = "csv", value_parser = ["csv", "geojson"])]
    pub format: String,
}

/// One output row: the event, the importer's duplicate link and the analysis' group.
pub struct EventRow<'a> {
    pub stored: &'a StoredEvent,
    pub dup_group: Option<usize>,
    pub dup_primary: bool,
}

pub fn rows(events: &[StoredEvent], dedup_km: f64) -> (Vec<EventRow<'_>>, usize) {
    let plain: Vec<Event> = events.iter().map(|s| s.event.clone()).collect();
    let d = find_duplicates(&plain, &DedupParams { max_km: dedup_km });
    let rows = events
        .iter()
        .zip(&d.marks)
        .map(|(stored, m)| EventRow {
            stored,
            dup_group: m.map(|m| m.group + 1),
            dup_primary: m.is_none_or(|m| m.is_primary),
        })
        .collect();
    (rows, d.groups.len())
}

fn parties(e: &Event, side_a: bool) -> String {
    let side = if side_a { &e.side_a } else { &e.side_b };
    side.iter()
        .map(|p| p.actor.as_ref().map_or(p.name.clone(), |a| a.to_string()))
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn run(db: &Path, args: EventsArgs) -> anyhow::Result<()> {
    if args.bbox.as_ref().is_some_and(|b| b.len() != 4) {
        anyhow::bail!("--bbox takes four numbers: MIN_LON,MIN_LAT,MAX_LON,MAX_LAT");
    }
    let store = open(db)?;
    let filter = EventFilter {
        from: args.from,
        to: args.to,
        bbox: args.bbox.as_ref().map(|b| [b[0], b[1], b[2], b[3]]),
        actor: args.actor.clone(),
        event_type: args.event_type,
        dataset: args.dataset.clone(),
        include_duplicates: true,
    };
    let events = store.stored_events(&filter).context("reading events")?;
    let (rows, groups) = rows(&events, args.dedup_km);
    let linked = events.iter().filter(|e| e.duplicate_of.is_some()).count();
    tracing::info!(events = events.len(), linked, groups, "events selected");
    let mut out = std::io::stdout().lock();
    use std::io::Write;
    if args.format == "geojson" {
        let features: Vec<geojson::Feature> = rows
            .iter()
            .map(|r| {
                let e = &r.stored.event;
                let mut props = serde_json::Map::new();
                props.insert("key".into(), event_key_text(&e.key).into());
                props.insert("date".into(), e.date.to_string().into());
                props.insert("date_precision".into(), e.date.precision().as_str().into());
                props.insert("type".into(), e.event_type.as_str().into());
                props.insert("place".into(), e.place.clone().into());
                props.insert("country".into(), e.country.clone().into());
                props.insert("side_a".into(), parties(e, true).into());
                props.insert("side_b".into(), parties(e, false).into());
                props.insert("count".into(), e.count.into());
                props.insert("fatalities".into(), e.fatalities.map(|f| f.best()).into());
                props.insert(
                    "duplicate_of".into(),
                    r.stored.duplicate_of.as_ref().map(event_key_text).into(),
                );
                props.insert("dup_group".into(), r.dup_group.into());
                props.insert("dup_primary".into(), r.dup_primary.into());
                geojson::Feature {
                    geometry: Some(geojson::Geometry::new(geojson::GeometryValue::from(
                        &e.location.point(),
                    ))),
                    properties: Some(props),
                    ..Default::default()
                }
            })
            .collect();
        let fc = geojson::FeatureCollection {
            features,
            bbox: None,
            foreign_members: None,
        };
        writeln!(out, "{}", geojson::GeoJson::from(fc))?;
        return Ok(());
    }
    writeln!(
        out,
        "key,date,date_precision,lat,lon,location_precision,type,side_a,side_b,place,country,count,fatalities,duplicate_of,dup_group,dup_primary"
    )?;
    for r in &rows {
        let e = &r.stored.event;
        writeln!(
            out,
            "{},{},{},{:.5},{:.5},{:?},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&event_key_text(&e.key)),
            e.date,
            e.date.precision(),
            e.location.lat(),
            e.location.lon(),
            e.location_precision,
            e.event_type,
            csv_field(&parties(e, true)),
            csv_field(&parties(e, false)),
            csv_field(e.place.as_deref().unwrap_or("")),
            e.country.as_deref().unwrap_or(""),
            e.count,
            e.fatalities.map_or(String::new(), |f| f.best().to_string()),
            r.stored
                .duplicate_of
                .as_ref()
                .map_or(String::new(), |k| csv_field(&event_key_text(k))),
            r.dup_group.map_or(String::new(), |g| g.to_string()),
            r.dup_primary
        )?;
    }
    Ok(())
}
