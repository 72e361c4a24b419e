//! Areas of interest: named polygons (countries, provinces, cities, user-drawn areas) used as
//! region masks and for shares, populations and alerts.

use geo::MultiPolygon;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::{Footprint, ModelError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AoiKind {
    Country,
    Province,
    City,
    Custom,
}

impl AoiKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Country => "country",
            Self::Province => "province",
            Self::City => "city",
            Self::Custom => "custom",
        }
    }
}

impl FromStr for AoiKind {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "country" => Ok(Self::Country),
            "province" | "governorate" | "adm1" => Ok(Self::Province),
            "city" => Ok(Self::City),
            "custom" | "" => Ok(Self::Custom),
            _ => Err(ModelError::Feature(s.to_owned())),
        }
    }
}

impl fmt::Display for AoiKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A named polygon. `code` is a short stable handle (ISO3 for countries, e.g. `SYR`; ISO 3166-2
/// for provinces, e.g. `IQ-NI`; a slug otherwise).
#[derive(Debug, Clone, PartialEq)]
pub struct AreaOfInterest {
    pub code: String,
    pub name: String,
    pub kind: AoiKind,
    /// ISO3 of the country it lies in, if any.
    pub country: Option<String>,
    geometry: MultiPolygon<f64>,
    pub source: String,
}

impl AreaOfInterest {
    /// The geometry must be valid (repaired by the importer) and in WGS84 range.
    pub fn new(
        code: &str,
        name: &str,
        kind: AoiKind,
        country: Option<String>,
        geometry: MultiPolygon<f64>,
        source: &str,
    ) -> Result<Self, ModelError> {
        if code.trim().is_empty() {
            return Err(ModelError::Empty("area code"));
        }
        if name.trim().is_empty() {
            return Err(ModelError::Empty("area name"));
        }
        let Footprint::Area(geometry) = Footprint::area(geometry)? else {
            unreachable!("Footprint::area returns an area")
        };
        Ok(Self {
            code: code.trim().to_owned(),
            name: name.trim().to_owned(),
            kind,
            country,
            geometry,
            source: source.to_owned(),
        })
    }

    pub fn geometry(&self) -> &MultiPolygon<f64> {
        &self.geometry
    }
}
