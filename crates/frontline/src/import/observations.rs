//! `frontline import observations`: Frontline's own observation schema, as CSV (points) or as
//! GeoJSON (points or analyst-drawn polygons, properties named like the CSV columns).
//!
//! Columns: key, label, lat, lon, feature, actor, actor2, status, date, precision, source, url,
//! evidence, grading, analyst, note (CSV also accepts `geometry` holding a GeoJSON geometry
//! instead of lat/lon). Without a key, the key is a hash of the row's content, so re-importing
//! the file changes nothing; with a key, a changed row becomes a new version of that key.

use frontline_core::geometry::make_valid;
use frontline_core::{
    ControlStatus, DatePrecision, Evidence, FeatureType, Footprint, Grading, Observation,
    ObservationKey, ObservedDate, Source,
};
use frontline_store::ImportBatch;
use serde_json::{Map, Value};

use super::resolve::Actors;
use super::{actor_field, table, Ctx, FieldError, ImportError};

/// Field access shared by CSV rows and GeoJSON properties.
trait Fields {
    fn text(&self, field: &str) -> Option<String>;
}

impl Fields for table::Row {
    fn text(&self, field: &str) -> Option<String> {
        self.opt(field).map(str::to_owned)
    }
}

impl Fields for Map<String, Value> {
    fn text(&self, field: &str) -> Option<String> {
        match self.get(field)? {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(s.trim().to_owned()),
            other => Some(other.to_string()),
        }
    }
}

/// `scene:ID@YYYY-MM-DD` is a satellite scene; anything else is a report's text.
fn evidence(s: &str) -> Result<Evidence, FieldError> {
    if let Some(rest) = s.strip_prefix("scene:") {
        let (id, date) = rest
            .rsplit_once('@')
            .ok_or_else(|| FieldError::new("evidence", "a scene is written scene:ID@YYYY-MM-DD"))?;
        let acquired = date
            .parse()
            .map_err(|e| FieldError::new("evidence", format!("scene date {date:?}: {e}")))?;
        Ok(Evidence::SatelliteScene {
            scene_id: id.to_owned(),
            acquired,
        })
    } else {
        Ok(Evidence::Report { text: s.to_owned() })
    }
}

fn observation(
    ctx: &mut Ctx<'_>,
    f: &dyn Fields,
    footprint: Footprint,
    actors: &Actors,
) -> Result<Observation, FieldError> {
    let req = |k: &str| f.text(k).ok_or_else(|| FieldError::new(k, "is empty"));
    let actor = actor_field(actors, "actor", &req("actor")?)?;
    let actor2 = f
        .text("actor2")
        .map(|a| actor_field(actors, "actor2", &a))
        .transpose()?;
    let status: ControlStatus = req("status")?
        .parse()
        .map_err(|e| FieldError::new("status", e))?;
    let date_text = req("date")?;
    let observed = match f.text("precision") {
        Some(p) => {
            let p: DatePrecision = p.parse().map_err(|e| FieldError::new("precision", e))?;
            ObservedDate::parse_with_precision(&date_text, p)
        }
        None => ObservedDate::parse(&date_text),
    }
    .map_err(|e| FieldError::new("date", e))?;
    let observed = ctx.not_future("date", observed)?;
    let feature = match f.text("feature") {
        Some(t) => t.parse().map_err(|e| FieldError::new("feature", e))?,
        None if matches!(footprint, Footprint::Area(_)) => FeatureType::Area,
        None => FeatureType::Town,
    };
    let grading = f
        .text("grading")
        .map(|g| g.parse::<Grading>())
        .transpose()
        .map_err(|e| FieldError::new("grading", e))?;
    let evidence = f.text("evidence").map(|e| evidence(&e)).transpose()?;
    let label = f.text("label");
    let source = Source {
        citation: f.text("source").unwrap_or_default(),
        url: f.text("url"),
    };
    let key = match f.text("key") {
        Some(k) => ObservationKey::new(&k).map_err(|e| FieldError::new("key", e))?,
        None => {
            let geometry = serde_json::to_string(&footprint).unwrap_or_default();
            ObservationKey::hashed(
                "obs",
                &[
                    label.as_deref().unwrap_or(""),
                    &geometry,
                    actor.as_str(),
                    actor2.as_ref().map_or("", |a| a.as_str()),
                    status.as_str(),
                    &observed.to_string(),
                    feature.as_str(),
                    &source.citation,
                    source.url.as_deref().unwrap_or(""),
                ],
            )
        }
    };
    let o = Observation {
        key,
        label,
        footprint,
        feature,
        actor,
        actor2,
        status,
        observed,
        source,
        evidence: evidence.into_iter().collect(),
        grading,
        analyst: f.text("analyst"),
        note: f.text("note"),
        recorded_at: chrono::Utc::now(),
    };
    o.validate().map_err(|e| FieldError::new("actor2", e))?;
    Ok(o)
}

/// A GeoJSON geometry as a footprint; polygons are repaired (counted in `repaired`).
fn footprint(
    ctx: &mut Ctx<'_>,
    field: &str,
    g: geojson::Geometry,
) -> Result<Footprint, FieldError> {
    let geom = frontline_core::geojson_to_geo(g).map_err(|e| FieldError::new(field, e))?;
    let mp = match geom {
        geo::Geometry::Point(p) => {
            return frontline_core::LatLon::new(p.y(), p.x())
                .map(Footprint::Point)
                .map_err(|e| FieldError::new(field, e))
        }
        geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
        geo::Geometry::MultiPolygon(mp) => mp,
        _ => {
            return Err(FieldError::new(
                field,
                "must be a Point, Polygon or MultiPolygon",
            ))
        }
    };
    let fixed = make_valid(mp).map_err(|e| FieldError::new(field, e))?;
    if fixed.repaired {
        ctx.repaired += 1;
    }
    Footprint::area(fixed.geometry).map_err(|e| FieldError::new(field, e))
}

pub(crate) fn parse_csv(
    ctx: &mut Ctx<'_>,
    text: &str,
    actors: &Actors,
    batch: &mut ImportBatch,
) -> Result<(), ImportError> {
    let rows = table::read(
        ctx,
        text,
        b',',
        &["actor", "status", "date"],
        &["note", "evidence", "geometry"],
    )?;
    ctx.start_progress(rows.len() as u64, "observations");
    for row in rows {
        ctx.progress.inc(1);
        let result = (|| {
            let fp = match row.opt("geometry") {
                Some(g) => {
                    let g: geojson::Geometry = g
                        .parse::<geojson::GeoJson>()
                        .map_err(|e| FieldError::new("geometry", e))
                        .and_then(|j| {
                            geojson::Geometry::try_from(j)
                                .map_err(|e| FieldError::new("geometry", e))
                        })?;
                    footprint(ctx, "geometry", g)?
                }
                None => Footprint::Point(table::latlon(&row, "lat", "lon")?),
            };
            observation(ctx, &row, fp, actors)
        })();
        match result {
            Ok(o) => batch.observations.push(o),
            Err(e) => ctx.reject(row.line, e, &row.raw())?,
        }
    }
    Ok(())
}

pub(crate) fn parse_geojson(
    ctx: &mut Ctx<'_>,
    text: &str,
    actors: &Actors,
    batch: &mut ImportBatch,
) -> Result<(), ImportError> {
    let fc = parse_feature_collection(ctx, text)?;
    ctx.start_progress(fc.features.len() as u64, "observations");
    for (i, feature) in fc.features.into_iter().enumerate() {
        ctx.progress.inc(1);
        let n = (i + 1) as u64;
        let raw = feature.to_string();
        let props = feature.properties.clone().unwrap_or_default();
        let result = (|| {
            let g = feature
                .geometry
                .ok_or_else(|| FieldError::new("geometry", "is missing"))?;
            let fp = footprint(ctx, "geometry", g)?;
            observation(ctx, &props, fp, actors)
        })();
        match result {
            Ok(o) => batch.observations.push(o),
            Err(e) => ctx.reject(n, e, &raw)?,
        }
    }
    Ok(())
}

/// A FeatureCollection; JSON syntax errors name their line. In GeoJSON inputs the "line" of a
/// feature error is the feature's number (1-based) in the collection.
pub(crate) fn parse_feature_collection(
    ctx: &Ctx<'_>,
    text: &str,
) -> Result<geojson::FeatureCollection, ImportError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ImportError {
        file: ctx.file.clone(),
        line: e.line() as u64,
        field: None,
        reason: format!("not valid JSON (truncated file?): {e}"),
    })?;
    let fc = geojson::FeatureCollection::try_from(
        serde_json::from_value::<geojson::GeoJson>(value)
            .map_err(|e| ctx.file_error(format!("not GeoJSON: {e}")))?,
    )
    .map_err(|e| ctx.file_error(format!("not a GeoJSON FeatureCollection: {e}")))?;
    if fc.features.is_empty() {
        return Err(ctx.file_error("the FeatureCollection has no features"));
    }
    Ok(fc)
}
