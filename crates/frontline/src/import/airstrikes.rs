//! `frontline import airstrikes`: daily US-led coalition strike counts per place, from the
//! Guardian compilation (date,place,lat,lon,country,strikes,source_file) or the Information
//! (DK) one (date,location,lat,lon,strikes); the layout is detected from the header.
//!
//! Each row becomes one event of type air_strike on that day (day precision, location "near"
//! the named place), side a = the `us-led-coalition` actor, `count` = strikes.
//!
//! # Overlaps
//! The compilations overlap (Guardian's two source files in June–December 2015, and the
//! Information compilation with both until June 2015). A row is a *duplicate* when a row from
//! another source (another dataset, or another Guardian source file) reports the same day and
//! the same place: equal normalised names or skeletons, or points within 2 km. The row imported
//! first stays the counted one; the later row is stored with `duplicate_of` pointing at it, so
//! it stays visible but is not counted twice. Each counted row absorbs at most one duplicate per
//! source. Repeated rows of one source on one day (separate entries in one release) are kept as
//! separate events (`#2` in their id). Links are decided when a row is first imported, so
//! re-importing a file changes nothing.
//!
//! Rows without coordinates are located by name like the control changes; names that stay
//! unresolved are listed, not imported.
//!
//! # Presence
//! With `--presence ACTOR` each counted row also becomes a control observation inferred from
//! it ([`Evidence::Events`]): the releases report strikes on Islamic State, so its forces were
//! at the place that day. It is graded low (D4 unless `--presence-grading` says otherwise), so
//! that what is seen or reported outweighs it, and validation never scores it.

use frontline_core::geometry::haversine_km;
use frontline_core::names::{normalize, skeleton};
use frontline_core::{
    ActorId, ControlStatus, Event, EventKey, EventParty, EventType, Evidence, FeatureType,
    Footprint, Grading, LatLon, LocationPrecision, Observation, ObservationKey, ObservedDate,
    Source,
};
use frontline_store::{ImportBatch, NewEvent, StoredEvent};
use std::collections::{HashMap, HashSet};

use super::resolve::{Actors, PlaceIndex, Resolution};
use super::{table, Ctx, FieldError, ImportError};

const GUARDIAN: &str = "airstrikes-guardian";
const INFORMEREN: &str = "airstrikes-informeren";
/// Points closer than this on the same day are the same place.
const SAME_PLACE_KM: f64 = 2.0;

/// Which compilation (and, for the Guardian, which source file) an event comes from.
fn source_tag(key: &EventKey) -> String {
    if key.dataset == GUARDIAN {
        let file = key.id.split('/').nth(2).unwrap_or("");
        format!("{GUARDIAN}/{}", file.split('#').next().unwrap_or(file))
    } else {
        key.dataset.clone()
    }
}

/// A counted strike row that later rows may duplicate.
struct Canonical {
    key: EventKey,
    tag: String,
    name: String,
    skeleton: String,
    point: LatLon,
}

impl Canonical {
    fn new(e: &Event) -> Self {
        let name = e.place.clone().unwrap_or_default();
        Self {
            key: e.key.clone(),
            tag: source_tag(&e.key),
            skeleton: skeleton(&name),
            name: normalize(&name),
            point: e.location,
        }
    }

    fn same_place(&self, other: &Canonical) -> bool {
        (!self.name.is_empty() && self.name == other.name)
            || (self.skeleton.len() >= 3 && self.skeleton == other.skeleton)
            || haversine_km(self.point, other.point) <= SAME_PLACE_KM
    }
}

/// A strike as indirect evidence: the releases report strikes on `actor` (Islamic State), so
/// its forces were at the place that day. Grading is the importer's choice (D4 by default: not
/// usually reliable, doubtful), so that anything seen or reported outweighs it; the evidence
/// names the event, which `explain` shows.
fn presence_observation(e: &Event, actor: &ActorId, grading: Grading) -> Observation {
    let place = e
        .place
        .clone()
        .unwrap_or_else(|| format!("{:.4},{:.4}", e.location.lat(), e.location.lon()));
    Observation {
        key: ObservationKey::hashed("presence", &[&e.key.dataset, &e.key.id, actor.as_str()]),
        label: Some(place.clone()),
        footprint: Footprint::Point(e.location),
        feature: FeatureType::Town,
        actor: actor.clone(),
        actor2: None,
        status: ControlStatus::Held,
        observed: e.date,
        source: e.source.clone(),
        evidence: vec![Evidence::Events {
            dataset: e.key.dataset.clone(),
            ids: vec![e.key.id.clone()],
            summary: format!(
                "{} coalition strike(s) reported near {place} on {}: {actor}'s forces were there",
                e.count,
                e.date.first_day()
            ),
        }],
        grading: Some(grading),
        analyst: None,
        note: Some("inferred from air strikes (indirect evidence)".into()),
        recorded_at: chrono::Utc::now(),
    }
}

pub(crate) fn parse(
    ctx: &mut Ctx<'_>,
    text: &str,
    actors: &Actors,
    places: &PlaceIndex,
    stored: &[StoredEvent],
    batch: &mut ImportBatch,
) -> Result<(), ImportError> {
    let header = text.lines().next().unwrap_or("");
    let guardian = header.contains("source_file");
    let (dataset, place_field) = if guardian {
        (GUARDIAN, "place")
    } else if header.contains("location") {
        (INFORMEREN, "location")
    } else {
        return Err(ctx.file_error(
            "unknown air-strike layout: expected date,place,lat,lon,country,strikes,source_file (Guardian) or date,location,lat,lon,strikes (Information)",
        ));
    };
    // --presence: the actor whose forces a strike implies at the place (checked before any row).
    let presence = match &ctx.opts.presence {
        Some((name, grading)) => {
            let actor = actors.resolve(name).ok_or_else(|| {
                ctx.file_error(format!(
                    "--presence {name:?} is not an actor in the database: import data/actors.csv first"
                ))
            })?;
            Some((actor, *grading))
        }
        None => None,
    };
    let coalition = actors.resolve("us-led-coalition").ok_or_else(|| {
        ctx.file_error(
            "actor us-led-coalition is not in the database: import data/actors.csv first",
        )
    })?;
    let required: &[&str] = if guardian {
        &[
            "date",
            "place",
            "lat",
            "lon",
            "country",
            "strikes",
            "source_file",
        ]
    } else {
        &["date", "location", "lat", "lon", "strikes"]
    };
    let rows = table::read(ctx, text, b',', required, &[])?;
    ctx.start_progress(rows.len() as u64, "airstrikes");

    // What the store already holds (its air-strike events, duplicates included): counted rows
    // by day, links already made, and the links of rows being re-imported (kept as they were).
    let mut by_day: HashMap<chrono::NaiveDate, Vec<Canonical>> = HashMap::new();
    let mut absorbed: HashSet<(EventKey, String)> = HashSet::new();
    let mut existing_links: HashMap<EventKey, Option<EventKey>> = HashMap::new();
    for s in stored {
        if s.event.event_type != EventType::AirStrike
            || !s.event.key.dataset.starts_with("airstrikes-")
        {
            continue;
        }
        existing_links.insert(s.event.key.clone(), s.duplicate_of.clone());
        match &s.duplicate_of {
            None => by_day
                .entry(s.event.date.first_day())
                .or_default()
                .push(Canonical::new(&s.event)),
            Some(target) => {
                absorbed.insert((target.clone(), source_tag(&s.event.key)));
            }
        }
    }

    let mut occurrences: HashMap<String, u32> = HashMap::new();
    let mut duplicates = 0u64;
    for row in rows {
        ctx.progress.inc(1);
        let result = (|| -> Result<Option<Event>, FieldError> {
            let day =
                ObservedDate::parse(row.req("date")?).map_err(|e| FieldError::new("date", e))?;
            if day.precision() != frontline_core::DatePrecision::Day {
                return Err(FieldError::new("date", "expected a day (YYYY-MM-DD)"));
            }
            let day = ctx.not_future("date", day)?;
            let strikes: u32 = row.parse("strikes")?;
            if strikes == 0 {
                ctx.skip("rows reporting zero strikes");
                return Ok(None);
            }
            // A row may give coordinates without a name (the Information file has two).
            let place = row.get(place_field);
            if place.is_empty() && row.opt("lat").is_none() {
                return Err(FieldError::new(
                    place_field,
                    "is empty and the row has no coordinates",
                ));
            }
            let country = row.opt("country").map(|c| c.to_ascii_uppercase());
            let location = if row.opt("lat").is_some() || row.opt("lon").is_some() {
                table::latlon(&row, "lat", "lon")?
            } else {
                match places.resolve(place, country.as_deref()) {
                    Resolution::Found { point, .. } => point,
                    Resolution::Ambiguous(n) => {
                        ctx.unresolved.push(format!(
                            "line {}: {place}: {n} different places carry this name",
                            row.line
                        ));
                        return Ok(None);
                    }
                    Resolution::NotNear(q) => {
                        ctx.unresolved.push(format!(
                            "line {}: {place}: named only more than 30 km from {q}, which qualifies it",
                            row.line
                        ));
                        return Ok(None);
                    }
                    Resolution::NotFound => {
                        ctx.unresolved.push(format!(
                            "line {}: {place}: not in the gazetteer or the map labels",
                            row.line
                        ));
                        return Ok(None);
                    }
                }
            };
            let name = if place.is_empty() {
                format!("@{:.4},{:.4}", location.lat(), location.lon())
            } else {
                place.to_owned()
            };
            let mut id = if guardian {
                format!("{}/{name}/{}", day, row.req("source_file")?)
            } else {
                format!("{day}/{name}")
            };
            let n = occurrences.entry(id.clone()).or_default();
            *n += 1;
            if *n > 1 {
                id = format!("{id}#{n}");
            }
            Ok(Some(Event {
                key: EventKey {
                    dataset: dataset.to_owned(),
                    id,
                },
                date: day,
                location,
                location_precision: LocationPrecision::Near,
                place: Some(place.to_owned()).filter(|p| !p.is_empty()),
                country,
                event_type: EventType::AirStrike,
                side_a: vec![EventParty {
                    name: "US-led coalition".into(),
                    actor: Some(coalition.clone()),
                }],
                side_b: vec![],
                fatalities: None,
                count: strikes,
                source: Source {
                    citation: if guardian {
                        format!(
                            "CENTCOM/CJTF-OIR strike releases, compiled by the Guardian ({})",
                            row.get("source_file")
                        )
                    } else {
                        "CENTCOM/CJTF-OIR strike releases, compiled by Information (DK)".into()
                    },
                    url: None,
                },
            }))
        })();
        let event = match result {
            Ok(Some(e)) => e,
            Ok(None) => continue,
            Err(e) => {
                ctx.reject(row.line, e, &row.raw())?;
                continue;
            }
        };
        let duplicate_of = match existing_links.get(&event.key) {
            Some(link) => link.clone(),
            None => {
                let me = Canonical::new(&event);
                let day = event.date.first_day();
                let found = by_day.get(&day).and_then(|cands| {
                    cands
                        .iter()
                        .find(|c| {
                            c.tag != me.tag
                                && !absorbed.contains(&(c.key.clone(), me.tag.clone()))
                                && c.same_place(&me)
                        })
                        .map(|c| c.key.clone())
                });
                match &found {
                    Some(target) => {
                        absorbed.insert((target.clone(), me.tag.clone()));
                    }
                    None => by_day.entry(day).or_default().push(me),
                }
                found
            }
        };
        if duplicate_of.is_some() {
            duplicates += 1;
        }
        // The other compilation's row already stands for a duplicate's strikes.
        if let (Some((actor, grading)), None) = (&presence, &duplicate_of) {
            batch
                .observations
                .push(presence_observation(&event, actor, *grading));
        }
        batch.events.push(NewEvent {
            event,
            duplicate_of,
        });
    }
    ctx.notes.push(format!(
        "{duplicates} rows report a day and place another source already holds: kept as linked duplicates, not counted"
    ));
    Ok(())
}
