//! Observations: dated, sourced and graded claims that an actor holds (or contests, or
//! besieges) a place or an area. They are the engine's only input about control.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

use super::{ActorId, Footprint, Grading, ModelError, ObservedDate};

/// Control status claimed by an observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ControlStatus {
    /// The actor controls it.
    Held,
    /// Stable mixed control by `actor` and `actor2` (e.g. Qamishli: government + SDF).
    Shared,
    /// Fighting between `actor` and `actor2`; `actor` is the one named first by the source.
    Contested,
    /// `actor` holds it but is encircled (by `actor2` when known).
    Besieged,
}

impl ControlStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Held => "held",
            Self::Shared => "shared",
            Self::Contested => "contested",
            Self::Besieged => "besieged",
        }
    }
}

impl FromStr for ControlStatus {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "held" => Ok(Self::Held),
            "shared" => Ok(Self::Shared),
            "contested" => Ok(Self::Contested),
            "besieged" => Ok(Self::Besieged),
            _ => Err(ModelError::Status(s.to_owned())),
        }
    }
}

impl fmt::Display for ControlStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of feature an observation is about; it sets how far the observation reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeatureType {
    /// A city, town or village (the default).
    Town,
    /// Military base or checkpoint.
    Base,
    Hill,
    Airbase,
    Helipad,
    Naval,
    /// Oil or gas field or plant.
    Oil,
    /// Industrial site, silo, factory.
    Industry,
    /// An analyst-drawn area (polygon footprint).
    Area,
}

impl FeatureType {
    pub const ALL: [FeatureType; 9] = [
        Self::Town,
        Self::Base,
        Self::Hill,
        Self::Airbase,
        Self::Helipad,
        Self::Naval,
        Self::Oil,
        Self::Industry,
        Self::Area,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Town => "town",
            Self::Base => "base",
            Self::Hill => "hill",
            Self::Airbase => "airbase",
            Self::Helipad => "helipad",
            Self::Naval => "naval",
            Self::Oil => "oil",
            Self::Industry => "industry",
            Self::Area => "area",
        }
    }
}

impl FromStr for FeatureType {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        match t.as_str() {
            "" | "town" | "village" | "city" => Ok(Self::Town),
            "air" => Ok(Self::Airbase),
            "heli" => Ok(Self::Helipad),
            _ => Self::ALL
                .into_iter()
                .find(|f| f.as_str() == t)
                .ok_or_else(|| ModelError::Feature(s.to_owned())),
        }
    }
}

impl fmt::Display for FeatureType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a claim comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Source {
    /// A citation ("Wikipedia, Module:Syrian Civil War detailed map") or a title.
    pub citation: String,
    pub url: Option<String>,
}

/// Supporting material for a claim.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// A satellite scene, with its id and acquisition date.
    SatelliteScene {
        scene_id: String,
        acquired: NaiveDate,
    },
    /// A written report, article or statement (a quote or a summary).
    Report { text: String },
    /// A stored file (image chip, photo, PDF), content-addressed by SHA-256.
    File {
        sha256: String,
        media_type: String,
        name: String,
    },
    /// Inferred from events rather than seen: the event rows (by dataset and id) whose
    /// occurrence implies the claim, e.g. coalition strikes on a place implying Islamic State
    /// forces there that day. Such observations are indirect: validation does not score them.
    Events {
        dataset: String,
        ids: Vec<String>,
        summary: String,
    },
}

/// The stable identity of an observation across its versions: an edit keeps the key and adds a
/// version. Importers derive it from the dataset's own id or, lacking one, from a content hash.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ObservationKey(String);

impl ObservationKey {
    pub fn new(s: &str) -> Result<Self, ModelError> {
        let t = s.trim();
        if t.is_empty() {
            Err(ModelError::Empty("observation key"))
        } else {
            Ok(Self(t.to_owned()))
        }
    }

    /// `prefix:` followed by the first 16 bytes (hex) of the SHA-256 of `parts` joined by US.
    pub fn hashed(prefix: &str, parts: &[&str]) -> Self {
        let mut h = Sha256::new();
        for p in parts {
            h.update(p.as_bytes());
            h.update([0x1f]);
        }
        Self(format!("{prefix}:{}", hex::encode(&h.finalize()[..16])))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ObservationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A control claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub key: ObservationKey,
    /// The place's name as the source gives it, if any.
    pub label: Option<String>,
    pub footprint: Footprint,
    pub feature: FeatureType,
    /// The actor holding it (for `contested`, the first party; for `besieged`, the besieged).
    pub actor: ActorId,
    /// The other party for `shared` and `contested`; the besieger for `besieged`, when known.
    pub actor2: Option<ActorId>,
    pub status: ControlStatus,
    pub observed: ObservedDate,
    pub source: Source,
    pub evidence: Vec<Evidence>,
    pub grading: Option<Grading>,
    pub analyst: Option<String>,
    pub note: Option<String>,
    /// When this version was recorded in Frontline (set by the store).
    pub recorded_at: DateTime<Utc>,
}

impl Observation {
    /// The grading, or [`Grading::UNGRADED`] if the source was not graded.
    pub fn grading_or_default(&self) -> Grading {
        self.grading.unwrap_or(Grading::UNGRADED)
    }

    /// Check the cross-field rules that single fields cannot: `shared`/`contested` name a
    /// second actor different from the first; an `area` feature has a polygon footprint.
    /// Whether the claim is inferred from events ([`Evidence::Events`]) rather than observed.
    pub fn is_inferred(&self) -> bool {
        self.evidence
            .iter()
            .any(|e| matches!(e, Evidence::Events { .. }))
    }

    pub fn validate(&self) -> Result<(), ModelError> {
        if matches!(
            self.status,
            ControlStatus::Shared | ControlStatus::Contested
        ) && self.actor2.is_none()
        {
            return Err(ModelError::Empty(
                "second actor (actor2) of a shared or contested claim",
            ));
        }
        if self.actor2.as_ref() == Some(&self.actor) {
            return Err(ModelError::ActorId(format!(
                "{} (actor2 must differ from actor)",
                self.actor
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_features_parse() {
        assert_eq!(
            "Besieged".parse::<ControlStatus>().unwrap(),
            ControlStatus::Besieged
        );
        assert!("captured".parse::<ControlStatus>().is_err());
        assert_eq!("air".parse::<FeatureType>().unwrap(), FeatureType::Airbase);
        assert_eq!("".parse::<FeatureType>().unwrap(), FeatureType::Town);
        assert_eq!("oil".parse::<FeatureType>().unwrap(), FeatureType::Oil);
        assert!("castle".parse::<FeatureType>().is_err());
    }

    #[test]
    fn hashed_keys_are_stable_and_distinct() {
        let a = ObservationKey::hashed("wiki", &["36.35", "43.155", "m.gov"]);
        let b = ObservationKey::hashed("wiki", &["36.35", "43.155", "m.gov"]);
        let c = ObservationKey::hashed("wiki", &["36.35", "43.155m.gov"]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.as_str().starts_with("wiki:"));
    }
}
