//! `frontline import ucdp`: UCDP GED events, in the full public column layout (id, relid, year,
//! …, type_of_violence, side_a, side_b, …, where_prec, latitude, longitude, …, date_prec,
//! date_start, date_end, deaths_*, best, high, low, …) or in the year-only replication layout
//! bundled in data/events (id, year, dyad_name, longitude, latitude, where_prec, …, deaths_*,
//! side_a, side_b). The layout is detected from the header.
//!
//! - Date: full layout: `date_start` with `date_prec` 1–3 → day, 4 → month, 5 → year.
//!   Replication layout: the year only, at year precision (never an invented day).
//! - Type: type_of_violence 1 and 2 → battle, 3 (one-sided) → violence against civilians;
//!   replication layout (no type): side_b "Civilians" → violence against civilians, else battle.
//! - Location precision: where_prec 1 exact, 2 near (≤ 25 km), 3 district, 4–5 province,
//!   6–7 country.
//! - Fatalities: low/best/high; the replication layout has only the deaths_* columns, whose
//!   sum is `best`, and low = high = best there.
//! - Sides: comma-separated groups, each kept by name and mapped to an actor through aliases
//!   when one matches (no match is not an error for events).
//! - Key: dataset `ucdp-ged`, the UCDP event id.

use frontline_core::{
    Event, EventKey, EventParty, EventType, Fatalities, LocationPrecision, ObservedDate, Source,
};
use frontline_store::{ImportBatch, NewEvent};
use std::collections::HashMap;

use super::country::alpha3_from_name;
use super::resolve::Actors;
use super::{table, Ctx, FieldError, ImportError};

const COMMON: &[&str] = &[
    "id",
    "year",
    "latitude",
    "longitude",
    "where_prec",
    "country",
    "side_a",
    "side_b",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
];
const FULL: &[&str] = &[
    "type_of_violence",
    "date_prec",
    "date_start",
    "date_end",
    "best",
    "high",
    "low",
];
const FREE_TEXT: &[&str] = &[
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_description",
    "where_coordinates",
];

/// Party names to parties, caching the alias lookups (57,000 rows share a few hundred names).
pub(crate) struct Parties<'a> {
    actors: &'a Actors,
    cache: HashMap<String, Vec<EventParty>>,
}

impl<'a> Parties<'a> {
    pub fn new(actors: &'a Actors) -> Self {
        Self {
            actors,
            cache: HashMap::new(),
        }
    }

    /// Split a side on `sep` into named parties with their actors.
    pub fn side(&mut self, names: &str, sep: char) -> Vec<EventParty> {
        if let Some(p) = self.cache.get(names) {
            return p.clone();
        }
        let parties: Vec<EventParty> = names
            .split(sep)
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| EventParty {
                name: n.to_owned(),
                actor: self.actors.resolve(n),
            })
            .collect();
        self.cache.insert(names.to_owned(), parties.clone());
        parties
    }
}

fn location_precision(row: &table::Row) -> Result<LocationPrecision, FieldError> {
    Ok(match row.parse::<u8>("where_prec")? {
        1 => LocationPrecision::Exact,
        2 => LocationPrecision::Near,
        3 => LocationPrecision::District,
        4 | 5 => LocationPrecision::Province,
        6 | 7 => LocationPrecision::Country,
        other => return Err(FieldError::new("where_prec", format!("{other} is not 1–7"))),
    })
}

fn event(
    ctx: &Ctx<'_>,
    row: &table::Row,
    full: bool,
    parties: &mut Parties<'_>,
) -> Result<Event, FieldError> {
    let id = row.req("id")?;
    let year: i32 = row.parse("year")?;
    let date = if full {
        let start = row.req("date_start")?;
        let day = start.get(..10).unwrap_or(start);
        let d = ObservedDate::parse(day).map_err(|e| FieldError::new("date_start", e))?;
        let d = match row.parse::<u8>("date_prec")? {
            1..=3 => d,
            4 => ObservedDate::new(d.first_day(), frontline_core::DatePrecision::Month),
            5 => ObservedDate::new(d.first_day(), frontline_core::DatePrecision::Year),
            other => return Err(FieldError::new("date_prec", format!("{other} is not 1–5"))),
        };
        if chrono::Datelike::year(&d.first_day()) != year {
            return Err(FieldError::new(
                "year",
                format!("{year} disagrees with date_start {start}"),
            ));
        }
        d
    } else {
        ObservedDate::year(year).map_err(|e| FieldError::new("year", e))?
    };
    let date = ctx.not_future(if full { "date_start" } else { "year" }, date)?;
    let location = table::latlon(row, "latitude", "longitude")?;
    let side_a = parties.side(row.req("side_a")?, ',');
    let side_b = parties.side(row.req("side_b")?, ',');
    let event_type = if full {
        match row.parse::<u8>("type_of_violence")? {
            1 | 2 => EventType::Battle,
            3 => EventType::ViolenceAgainstCivilians,
            other => {
                return Err(FieldError::new(
                    "type_of_violence",
                    format!("{other} is not 1, 2 or 3"),
                ))
            }
        }
    } else if side_b.iter().any(|p| p.name == "Civilians") {
        EventType::ViolenceAgainstCivilians
    } else {
        EventType::Battle
    };
    let fatalities = if full {
        Fatalities::new(row.parse("low")?, row.parse("best")?, row.parse("high")?)
            .map_err(|e| FieldError::new("best", e))?
    } else {
        let mut best: u32 = 0;
        for f in ["deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"] {
            best = best.saturating_add(row.parse::<u32>(f)?);
        }
        Fatalities::exact(best)
    };
    let place = row
        .opt("where_coordinates")
        .or_else(|| row.opt("adm_2"))
        .or_else(|| row.opt("adm_1"))
        .map(str::to_owned);
    Ok(Event {
        key: EventKey {
            dataset: "ucdp-ged".into(),
            id: id.to_owned(),
        },
        date,
        location,
        location_precision: location_precision(row)?,
        place,
        country: alpha3_from_name(row.get("country")).map(str::to_owned),
        event_type,
        side_a,
        side_b,
        fatalities: Some(fatalities),
        count: 1,
        source: Source {
            citation: "UCDP Georeferenced Event Dataset (Sundberg & Melander 2013), CC BY 4.0"
                .into(),
            url: Some(format!("https://ucdp.uu.se/event/{id}")),
        },
    })
}

pub(crate) fn parse(
    ctx: &mut Ctx<'_>,
    text: &str,
    actors: &Actors,
    batch: &mut ImportBatch,
) -> Result<(), ImportError> {
    let header = text.lines().next().unwrap_or("");
    let full = header
        .split(',')
        .any(|h| h.trim().trim_matches('"') == "date_start");
    let required: Vec<&str> = if full {
        COMMON.iter().chain(FULL).copied().collect()
    } else {
        COMMON.to_vec()
    };
    let rows = table::read(ctx, text, b',', &required, FREE_TEXT)?;
    ctx.start_progress(rows.len() as u64, "ucdp");
    ctx.notes.push(if full {
        "layout: UCDP GED full public layout".into()
    } else {
        "layout: year-only replication layout (dates kept at year precision)".into()
    });
    let mut parties = Parties::new(actors);
    let mut seen = HashMap::new();
    for row in rows {
        ctx.progress.inc(1);
        match event(ctx, &row, full, &mut parties) {
            Ok(e) => {
                if let Some(first) = seen.insert(e.key.id.clone(), row.line) {
                    ctx.reject(
                        row.line,
                        FieldError::new(
                            "id",
                            format!("event {} already appears on line {first}", e.key.id),
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
