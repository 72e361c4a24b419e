//! `frontline import acled`: ACLED's CSV export (event_id_cnty, event_date, year,
//! time_precision, disorder_type, event_type, sub_event_type, actor1, assoc_actor_1, inter1,
//! actor2, assoc_actor_2, inter2, interaction, civilian_targeting, iso, region, country, admin1,
//! admin2, admin3, location, latitude, longitude, geo_precision, source, source_scale, notes,
//! fatalities, tags, timestamp).
//!
//! - Date: `event_date` (`2017-07-20`, `20 July 2017` or `20-July-2017`); time_precision 1 →
//!   day, 2 (within a week) and 3 (within a month) → month.
//! - Type: Battles → battle; Explosions/Remote violence → air_strike or drone_strike by
//!   sub_event_type ("Air/drone strike": drone if the notes say drone), else
//!   explosion_remote_violence; Violence against civilians; Protests; Riots; Strategic
//!   developments.
//! - Location precision: geo_precision 1 exact, 2 near, 3 district.
//! - Sides: actor1 and the `;`-separated assoc_actor_1 (side a), actor2 and assoc_actor_2
//!   (side b), mapped to actors through aliases when one matches.
//! - Key: dataset `acled`, event_id_cnty.

use chrono::NaiveDate;
use frontline_core::{
    DatePrecision, Event, EventKey, EventType, Fatalities, LocationPrecision, ObservedDate, Source,
};
use frontline_store::{ImportBatch, NewEvent};

use super::country::alpha3_from_name;
use super::resolve::Actors;
use super::ucdp::Parties;
use super::{table, Ctx, FieldError, ImportError};

const REQUIRED: &[&str] = &[
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "country",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "fatalities",
];

fn date(s: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
}

fn event_type(kind: &str, sub: &str, notes: &str) -> Result<EventType, FieldError> {
    Ok(match kind {
        "Battles" => EventType::Battle,
        "Explosions/Remote violence" => {
            if sub == "Air/drone strike" {
                if notes.to_ascii_lowercase().contains("drone") {
                    EventType::DroneStrike
                } else {
                    EventType::AirStrike
                }
            } else {
                EventType::ExplosionRemoteViolence
            }
        }
        "Violence against civilians" => EventType::ViolenceAgainstCivilians,
        "Protests" => EventType::Protest,
        "Riots" => EventType::Riot,
        "Strategic developments" => EventType::StrategicDevelopment,
        other => {
            return Err(FieldError::new(
                "event_type",
                format!("unknown ACLED event type {other:?}"),
            ))
        }
    })
}

fn event(ctx: &Ctx<'_>, row: &table::Row, parties: &mut Parties<'_>) -> Result<Event, FieldError> {
    let id = row.req("event_id_cnty")?;
    let raw_date = row.req("event_date")?;
    let day = date(raw_date)
        .ok_or_else(|| FieldError::new("event_date", format!("{raw_date:?} is not a date")))?;
    let precision = match row.parse::<u8>("time_precision")? {
        1 => DatePrecision::Day,
        2 | 3 => DatePrecision::Month,
        other => {
            return Err(FieldError::new(
                "time_precision",
                format!("{other} is not 1, 2 or 3"),
            ))
        }
    };
    let date = ctx.not_future("event_date", ObservedDate::new(day, precision))?;
    let location = table::latlon(row, "latitude", "longitude")?;
    let location_precision = match row.parse::<u8>("geo_precision")? {
        1 => LocationPrecision::Exact,
        2 => LocationPrecision::Near,
        3 => LocationPrecision::District,
        other => {
            return Err(FieldError::new(
                "geo_precision",
                format!("{other} is not 1, 2 or 3"),
            ))
        }
    };
    let mut side_a = parties.side(row.req("actor1")?, ';');
    side_a.extend(parties.side(row.get("assoc_actor_1"), ';'));
    let mut side_b = parties.side(row.get("actor2"), ';');
    side_b.extend(parties.side(row.get("assoc_actor_2"), ';'));
    let fatalities: u32 = row.parse("fatalities")?;
    Ok(Event {
        key: EventKey {
            dataset: "acled".into(),
            id: id.to_owned(),
        },
        date,
        location,
        location_precision,
        place: row.opt("location").map(str::to_owned),
        country: alpha3_from_name(row.get("country")).map(str::to_owned),
        event_type: event_type(
            row.get("event_type"),
            row.get("sub_event_type"),
            row.get("notes"),
        )?,
        side_a,
        side_b,
        fatalities: Some(Fatalities::exact(fatalities)),
        count: 1,
        source: Source {
            citation: format!("ACLED ({})", row.get("source")),
            url: None,
        },
    })
}

pub(crate) fn parse(
    ctx: &mut Ctx<'_>,
    text: &str,
    actors: &Actors,
    batch: &mut ImportBatch,
) -> Result<(), ImportError> {
    let rows = table::read(ctx, text, b',', REQUIRED, &["notes", "source", "tags"])?;
    ctx.start_progress(rows.len() as u64, "acled");
    let mut parties = Parties::new(actors);
    let mut seen = std::collections::HashMap::new();
    for row in rows {
        ctx.progress.inc(1);
        match event(ctx, &row, &mut parties) {
            Ok(e) => {
                if let Some(first) = seen.insert(e.key.id.clone(), row.line) {
                    ctx.reject(
                        row.line,
                        FieldError::new(
                            "event_id_cnty",
                            format!("{} already appears on line {first}", e.key.id),
                        ),
                        &row.raw(),
                    )?;
                } else {
                    batch.events.push(NewEvent {
                        event: e,
                        duplicate_of: None,
                    });
                }
            }
            Err(e) => ctx.reject(row.line, e, &row.raw())?,
        }
    }
    Ok(())
}
