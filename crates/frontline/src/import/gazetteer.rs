//! `frontline import gazetteer`: populated places. The layout is detected from the header:
//! - GeoNames CSV (`geonameid,name,latitude,longitude,countrycode,admin1code,population,…`);
//! - the GeoNames TSV dump (`cities500.txt` etc.: 19 tab-separated columns, no header);
//! - Natural Earth populated places CSV (`name,nameascii,adm0_a3,adm1name,latitude,longitude,pop_max,…`).
//!
//! Ids: `geonames:<geonameid>`, `ne:<ADM0>/<nameascii>`. Every entry is kept, duplicates
//! included (GeoNames' two Mosuls, Natural Earth repeating GeoNames cities); population is
//! counted once per settlement by `frontline_store::places::settlements` (rule in its docs).

use frontline_core::{LatLon, Place, PlaceId, Population};
use frontline_store::ImportBatch;

use super::country::alpha3_from_alpha2;
use super::{table, Ctx, FieldError, ImportError};

/// The GeoNames dump's columns (readme.txt of download.geonames.org/export/dump).
const GEONAMES_TSV: &[&str] = &[
    "geonameid",
    "name",
    "asciiname",
    "alternatenames",
    "latitude",
    "longitude",
    "feature_class",
    "feature_code",
    "countrycode",
    "cc2",
    "admin1code",
    "admin2code",
    "admin3code",
    "admin4code",
    "population",
    "elevation",
    "dem",
    "timezone",
    "modification_date",
];

fn population(
    row: &table::Row,
    field: &str,
    source: &str,
) -> Result<Option<Population>, FieldError> {
    // Natural Earth writes floats ("1316000.0"); GeoNames integers.
    let Some(v) = row.opt(field) else {
        return Ok(None);
    };
    let n: f64 = v
        .parse()
        .map_err(|e| FieldError::new(field, format!("{v:?}: {e}")))?;
    if !(0.0..1e10).contains(&n) || n.fract() != 0.0 {
        return Err(FieldError::new(
            field,
            format!("{v:?} is not a population count"),
        ));
    }
    Ok((n > 0.0).then(|| Population {
        count: n as u64,
        source: source.to_owned(),
        year: None,
    }))
}

fn geonames(row: &table::Row, tsv: bool) -> Result<Place, FieldError> {
    let id = row.req("geonameid")?;
    if !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldError::new(
            "geonameid",
            format!("{id:?} is not a number"),
        ));
    }
    let cc = row.req("countrycode")?;
    let country = alpha3_from_alpha2(cc)
        .ok_or_else(|| FieldError::new("countrycode", format!("unknown country code {cc:?}")))?;
    let point = table::latlon(row, "latitude", "longitude")?;
    let mut p = Place::new(
        PlaceId::new("geonames", id).map_err(|e| FieldError::new("geonameid", e))?,
        row.req("name")?,
        point,
        country,
    )
    .map_err(|e| FieldError::new("name", e))?;
    p.admin1 = row.opt("admin1code").map(str::to_owned);
    p.population = population(row, "population", "GeoNames")?;
    if tsv {
        let mut alts: Vec<String> = std::iter::once(row.get("asciiname"))
            .chain(row.get("alternatenames").split(','))
            .map(str::trim)
            .filter(|a| !a.is_empty() && *a != p.name)
            .map(str::to_owned)
            .collect();
        alts.dedup();
        p.alternate_names = alts;
    }
    Ok(p)
}

fn natural_earth(row: &table::Row) -> Result<Place, FieldError> {
    let name = row.req("name")?;
    let ascii = row.opt("nameascii").unwrap_or(name);
    let adm0 = row.req("adm0_a3")?;
    let point: LatLon = table::latlon(row, "latitude", "longitude")?;
    let mut p = Place::new(
        PlaceId::new("ne", &format!("{adm0}/{ascii}")).map_err(|e| FieldError::new("name", e))?,
        name,
        point,
        adm0,
    )
    .map_err(|e| FieldError::new("adm0_a3", e))?;
    if ascii != name {
        p.alternate_names.push(ascii.to_owned());
    }
    p.admin1 = row.opt("adm1name").map(str::to_owned);
    p.population = population(row, "pop_max", "Natural Earth pop_max")?;
    Ok(p)
}

pub(crate) fn parse(
    ctx: &mut Ctx<'_>,
    text: &str,
    batch: &mut ImportBatch,
) -> Result<(), ImportError> {
    let first = text.lines().next().unwrap_or("");
    let (rows, layout) = if first.starts_with("geonameid,") {
        (
            table::read(
                ctx,
                text,
                b',',
                &[
                    "geonameid",
                    "name",
                    "latitude",
                    "longitude",
                    "countrycode",
                    "population",
                ],
                &[],
            )?,
            0,
        )
    } else if first.starts_with("name,nameascii,") || first.contains("adm0_a3") {
        (
            table::read(
                ctx,
                text,
                b',',
                &["name", "adm0_a3", "latitude", "longitude", "pop_max"],
                &[],
            )?,
            1,
        )
    } else if first.split('\t').count() == GEONAMES_TSV.len()
        && first
            .split('\t')
            .next()
            .is_some_and(|f| f.bytes().all(|b| b.is_ascii_digit()))
    {
        (
            table::read_with_headers(ctx, text, b'\t', Some(GEONAMES_TSV), &[], &[])?,
            2,
        )
    } else {
        return Err(ctx.file_error(
            "unknown gazetteer layout: expected a GeoNames CSV (geonameid,name,…), a GeoNames TSV dump (19 tab-separated columns) or Natural Earth populated places (name,nameascii,adm0_a3,…)",
        ));
    };
    ctx.start_progress(rows.len() as u64, "gazetteer");
    let mut seen = std::collections::HashMap::new();
    for row in rows {
        ctx.progress.inc(1);
        let place = match layout {
            0 => geonames(&row, false),
            1 => natural_earth(&row),
            _ => geonames(&row, true),
        };
        match place {
            Ok(p) => {
                if let Some(first) = seen.insert(p.id.clone(), row.line) {
                    ctx.reject(
                        row.line,
                        FieldError::new(
                            "geonameid",
                            format!("{} already appears on line {first}", p.id),
                        ),
                        &row.raw(),
                    )?;
                } else {
                    batch.places.push(p);
                }
            }
            Err(e) => ctx.reject(row.line, e, &row.raw())?,
        }
    }
    Ok(())
}
