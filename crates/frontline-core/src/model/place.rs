//! Gazetteer entries: named, located, populated places.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::{LatLon, ModelError};

/// A gazetteer id, prefixed with its gazetteer: `geonames:98182`, `ne:Baghdad`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlaceId(String);

impl PlaceId {
    pub fn new(gazetteer: &str, id: &str) -> Result<Self, ModelError> {
        if gazetteer.trim().is_empty() || id.trim().is_empty() {
            return Err(ModelError::Empty("place id"));
        }
        Ok(Self(format!("{}:{}", gazetteer.trim(), id.trim())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PlaceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A population figure with where and when it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Population {
    pub count: u64,
    pub source: String,
    pub year: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub id: PlaceId,
    pub name: String,
    /// Other spellings (Deir ez-Zor = Deir al-Zour = Dayr az Zawr).
    pub alternate_names: Vec<String>,
    pub point: LatLon,
    /// ISO 3166-1 alpha-3 code (SYR, IRQ).
    pub country: String,
    /// First-level division (governorate, province), if known.
    pub admin1: Option<String>,
    pub population: Option<Population>,
}

impl Place {
    pub fn new(id: PlaceId, name: &str, point: LatLon, country: &str) -> Result<Self, ModelError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ModelError::Empty("place name"));
        }
        let country = country.trim().to_ascii_uppercase();
        if country.len() != 3 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ModelError::Empty("ISO 3166-1 alpha-3 country code"));
        }
        Ok(Self {
            id,
            name: name.to_owned(),
            alternate_names: Vec::new(),
            point,
            country,
            admin1: None,
            population: None,
        })
    }

    /// Every spelling of the place: its name then the alternates.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.alternate_names.iter().map(String::as_str))
    }
}
