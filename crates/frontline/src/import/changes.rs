//! `frontline import changes`: dated control changes
//! (date,precision,place,country,lat,lon,new_controller,previous_controller,change,source_url,quote).
//!
//! - `change` sets the status: captured / recaptured / siege_broken → held by the new
//!   controller; besieged → the previous controller besieged by the new one; contested →
//!   contested between the new and the previous controller.
//! - A controller written "A and B" (a joint capture) → `shared` by A and B.
//! - Rows without coordinates are located by name in the row's country: the stored gazetteer
//!   first, then the Wikipedia snapshot labels (normalised names, then spelling skeletons, then
//!   the name without a parenthetical qualifier). A name that matches nothing, or places more
//!   than 10 km apart, stays unresolved: the row is not imported, it is listed (never guessed).
//! - A captured or recaptured row with coordinates that names the previous controller also
//!   gives an observation of that previous holder on the day before the change's span begins (note "held until the
//!   change of …"): the estimator then knows who held the place before, instead of projecting
//!   a later map back in time.
//! - The key hashes date, place, country, controllers and change (and "previous holder" for the
//!   second observation): re-importing changes nothing.

use frontline_core::{
    ActorId, ControlStatus, DatePrecision, Evidence, FeatureType, Footprint, Observation,
    ObservationKey, ObservedDate, Source,
};
use frontline_store::ImportBatch;

use super::resolve::{Actors, PlaceIndex, Resolution};
use super::{actor_field, table, Ctx, FieldError, ImportError};

const COLUMNS: &[&str] = &[
    "date",
    "precision",
    "place",
    "country",
    "lat",
    "lon",
    "new_controller",
    "previous_controller",
    "change",
    "source_url",
    "quote",
];

/// One actor, or two for a joint "A and B".
fn controllers(
    actors: &Actors,
    field: &str,
    name: &str,
) -> Result<(ActorId, Option<ActorId>), FieldError> {
    if let Some(a) = actors.resolve(name) {
        return Ok((a, None));
    }
    if let Some((a, b)) = name.split_once(" and ") {
        if let (Some(a), Some(b)) = (actors.resolve(a), actors.resolve(b)) {
            return Ok((a, Some(b)));
        }
    }
    actor_field(actors, field, name).map(|a| (a, None))
}

pub(crate) fn parse(
    ctx: &mut Ctx<'_>,
    text: &str,
    actors: &Actors,
    places: &PlaceIndex,
    batch: &mut ImportBatch,
) -> Result<(), ImportError> {
    let rows = table::read(ctx, text, b',', COLUMNS, &["quote"])?;
    ctx.start_progress(rows.len() as u64, "changes");
    let mut resolved_by_name = 0u64;
    for row in rows {
        ctx.progress.inc(1);
        let result = (|| -> Result<Option<(Observation, Option<Observation>)>, FieldError> {
            let precision: DatePrecision = row.parse("precision")?;
            let date = row.req("date")?;
            let observed = ObservedDate::parse_with_precision(date, precision)
                .map_err(|e| FieldError::new("date", e))?;
            let observed = ctx.not_future("date", observed)?;
            let place = row.req("place")?;
            let country = row.req("country")?.to_ascii_uppercase();
            let (new, new2) = controllers(actors, "new_controller", row.req("new_controller")?)?;
            let previous_pair = match row.opt("previous_controller") {
                Some(p) => Some(controllers(actors, "previous_controller", p)?),
                None => None,
            };
            let previous = previous_pair.as_ref().map(|p| p.0.clone());
            let change = row.req("change")?;
            let (actor, actor2, status) = match change {
                "captured" | "recaptured" | "siege_broken" => match new2 {
                    Some(b) => (new, Some(b), ControlStatus::Shared),
                    None => (new, None, ControlStatus::Held),
                },
                "besieged" => {
                    let besieged = previous.clone().ok_or_else(|| {
                        FieldError::new("previous_controller", "a besieged row needs the besieged (previous) controller")
                    })?;
                    (besieged, Some(new), ControlStatus::Besieged)
                }
                "contested" => {
                    let other = previous.clone().ok_or_else(|| {
                        FieldError::new("previous_controller", "a contested row needs the other party")
                    })?;
                    (new, Some(other), ControlStatus::Contested)
                }
                other => {
                    return Err(FieldError::new(
                        "change",
                        format!("{other:?}: expected captured, recaptured, besieged, siege_broken or contested"),
                    ))
                }
            };
            let located_by_file = row.opt("lat").is_some() || row.opt("lon").is_some();
            let point = if located_by_file {
                table::latlon(&row, "lat", "lon")?
            } else {
                match places.resolve(place, Some(&country)) {
                    Resolution::Found { point, .. } => {
                        resolved_by_name += 1;
                        point
                    }
                    Resolution::Ambiguous(n) => {
                        ctx.unresolved.push(format!(
                            "line {}: {place} ({country}): {n} different places carry this name",
                            row.line
                        ));
                        return Ok(None);
                    }
                    Resolution::NotNear(q) => {
                        ctx.unresolved.push(format!(
                            "line {}: {place} ({country}): named only more than 30 km from {q}, which qualifies it",
                            row.line
                        ));
                        return Ok(None);
                    }
                    Resolution::NotFound => {
                        ctx.unresolved.push(format!(
                            "line {}: {place} ({country}): not in the gazetteer or the map labels",
                            row.line
                        ));
                        return Ok(None);
                    }
                }
            };
            let key_parts = [
                date,
                precision.as_str(),
                place,
                &country,
                row.get("new_controller"),
                row.get("previous_controller"),
                change,
            ];
            let o = Observation {
                key: ObservationKey::hashed("changes", &key_parts),
                label: Some(place.to_owned()),
                footprint: Footprint::Point(point),
                feature: FeatureType::Town,
                actor,
                actor2,
                status,
                observed,
                source: Source {
                    citation: "IS control changes 2014–2017 compilation".into(),
                    url: row.opt("source_url").map(str::to_owned),
                },
                evidence: row
                    .opt("quote")
                    .map(|q| Evidence::Report { text: q.to_owned() })
                    .into_iter()
                    .collect(),
                grading: None,
                analyst: None,
                note: Some(format!(
                    "{change} (from {})",
                    row.get("previous_controller")
                )),
                recorded_at: chrono::Utc::now(),
            };
            o.validate()
                .map_err(|e| FieldError::new("new_controller", e))?;
            // Who held the place before a capture: an observation of the previous holder on
            // the day before the change's span begins, so that the timeline knows the earlier
            // state (Mosul was Islamic State's from June 2014 until its recapture in 2017).
            // Only captures name a previous *holder*: a besieged or contested row's previous
            // controller still holds or fights for it, and a siege_broken row's is the besieger.
            // Only at the file's own coordinates: a place located by name alone may be a
            // homonym elsewhere in the country (the Qayrawan of Sinjar matched one near Basra),
            // harmless for the new holder's later state where that holder holds everything,
            // but a previous holder there would paint a false territory in the past.
            let before = match (&previous_pair, change) {
                (Some((p, p2)), "captured" | "recaptured")
                    if located_by_file && (p, p2.as_ref()) != (&o.actor, o.actor2.as_ref()) =>
                {
                    let day = observed.first_day().pred_opt().ok_or_else(|| {
                        FieldError::new("date", "no day before the change's date")
                    })?;
                    let b = Observation {
                        key: ObservationKey::hashed(
                            "changes",
                            &[&key_parts[..], &["previous holder"]].concat(),
                        ),
                        actor: p.clone(),
                        actor2: p2.clone(),
                        status: if p2.is_some() {
                            ControlStatus::Shared
                        } else {
                            ControlStatus::Held
                        },
                        observed: ObservedDate::new(day, DatePrecision::Day),
                        note: Some(format!(
                            "held until the change of {date} ({change} by {})",
                            row.get("new_controller")
                        )),
                        ..o.clone()
                    };
                    b.validate()
                        .map_err(|e| FieldError::new("previous_controller", e))?;
                    Some(b)
                }
                _ => None,
            };
            Ok(Some((o, before)))
        })();
        match result {
            Ok(Some((o, before))) => {
                batch.observations.push(o);
                batch.observations.extend(before);
            }
            Ok(None) => {}
            Err(e) => ctx.reject(row.line, e, &row.raw())?,
        }
    }
    ctx.notes
        .push(format!("{resolved_by_name} rows located by place name"));
    Ok(())
}
