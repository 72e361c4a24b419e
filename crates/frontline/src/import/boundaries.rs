//! `frontline import boundaries --kind country|province|city|custom`: GeoJSON areas of
//! interest. Name and code properties are detected (Natural Earth `name`/`NAME` and
//! `iso_a3`/`ISO_A3`/`ADM0_A3`; geoBoundaries `shapeName` and `shapeISO`) or named with
//! `--name-field`/`--code-field`. Without a code the code is the slug of the name. Invalid
//! polygons (self-touching rings) are repaired with `frontline_core::geometry::make_valid`,
//! never dropped, and counted. In messages, the "line" of a feature is its number (1-based).

use frontline_core::geometry::make_valid;
use frontline_core::{AoiKind, AreaOfInterest};
use frontline_store::ImportBatch;
use serde_json::{Map, Value};

use super::observations::parse_feature_collection;
use super::{Ctx, FieldError, ImportError};

const NAME_FIELDS: &[&str] = &["name", "NAME", "shapeName", "name_en", "NAME_EN", "ADMIN"];
const CODE_FIELDS: &[&str] = &["iso_a3", "ISO_A3", "shapeISO", "ADM0_A3", "adm0_a3", "code"];
const COUNTRY_FIELDS: &[&str] = &["shapeGroup", "adm0_a3", "ADM0_A3", "iso_a3", "ISO_A3"];

fn text(props: &Map<String, Value>, field: &str) -> Option<String> {
    match props.get(field)? {
        Value::String(s) if !s.trim().is_empty() && s.trim() != "-99" => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn slug(name: &str) -> String {
    frontline_core::names::normalize(name).replace(' ', "-")
}

pub(crate) fn parse(
    ctx: &mut Ctx<'_>,
    text_in: &str,
    batch: &mut ImportBatch,
) -> Result<(), ImportError> {
    let fc = parse_feature_collection(ctx, text_in)?;
    let kind = ctx.opts.area_kind;
    let name_field = ctx.opts.name_field.clone();
    let code_field = ctx.opts.code_field.clone();
    ctx.start_progress(fc.features.len() as u64, "boundaries");
    let mut seen = std::collections::HashMap::new();
    for (i, feature) in fc.features.into_iter().enumerate() {
        ctx.progress.inc(1);
        let n = (i + 1) as u64;
        let props = feature.properties.clone().unwrap_or_default();
        let raw = Value::Object(props.clone()).to_string();
        let result = (|| -> Result<AreaOfInterest, FieldError> {
            let name = match &name_field {
                Some(f) => {
                    text(&props, f).ok_or_else(|| FieldError::new(f, "is missing or empty"))?
                }
                None => NAME_FIELDS
                    .iter()
                    .find_map(|f| text(&props, f))
                    .ok_or_else(|| {
                        FieldError::new(
                            "name",
                            "no name property (name, NAME, shapeName…): give --name-field",
                        )
                    })?,
            };
            let code = match &code_field {
                Some(f) => {
                    text(&props, f).ok_or_else(|| FieldError::new(f, "is missing or empty"))?
                }
                None => CODE_FIELDS
                    .iter()
                    .find_map(|f| text(&props, f))
                    .unwrap_or_else(|| slug(&name)),
            };
            let country = match kind {
                AoiKind::Country => Some(code.clone()),
                _ => COUNTRY_FIELDS.iter().find_map(|f| text(&props, f)),
            };
            let g = feature
                .geometry
                .clone()
                .ok_or_else(|| FieldError::new("geometry", "is missing"))?;
            let geom =
                frontline_core::geojson_to_geo(g).map_err(|e| FieldError::new("geometry", e))?;
            let mp = match geom {
                geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
                geo::Geometry::MultiPolygon(mp) => mp,
                _ => {
                    return Err(FieldError::new(
                        "geometry",
                        "must be a Polygon or MultiPolygon",
                    ))
                }
            };
            let fixed = make_valid(mp).map_err(|e| FieldError::new("geometry", e))?;
            if fixed.repaired {
                tracing::info!(%name, problem = ?fixed.problem, "repaired an invalid boundary");
                ctx.repaired += 1;
            }
            AreaOfInterest::new(&code, &name, kind, country, fixed.geometry, &ctx.file)
                .map_err(|e| FieldError::new("geometry", e))
        })();
        match result {
            Ok(a) => {
                if let Some(first) = seen.insert(a.code.clone(), n) {
                    ctx.reject(
                        n,
                        FieldError::new(
                            "code",
                            format!("{} is also the code of feature {first}", a.code),
                        ),
                        &raw,
                    )?;
                } else {
                    batch.areas.push(a);
                }
            }
            Err(e) => ctx.reject(n, e, &raw)?,
        }
    }
    Ok(())
}
