//! Events: battles, air strikes, bombings… each dated and located with its own precision, with
//! the actors on each side and the fatalities, as reported by an originating dataset.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::{ActorId, LatLon, ModelError, ObservedDate, Source};

/// Kinds of event, following ACLED's event types (UCDP's violence types map onto them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    Battle,
    AirStrike,
    DroneStrike,
    /// Explosions and remote violence other than air and drone strikes (shelling, IEDs, …).
    ExplosionRemoteViolence,
    ViolenceAgainstCivilians,
    Protest,
    Riot,
    StrategicDevelopment,
    Other,
}

impl EventType {
    pub const ALL: [EventType; 9] = [
        Self::Battle,
        Self::AirStrike,
        Self::DroneStrike,
        Self::ExplosionRemoteViolence,
        Self::ViolenceAgainstCivilians,
        Self::Protest,
        Self::Riot,
        Self::StrategicDevelopment,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Battle => "battle",
            Self::AirStrike => "air_strike",
            Self::DroneStrike => "drone_strike",
            Self::ExplosionRemoteViolence => "explosion_remote_violence",
            Self::ViolenceAgainstCivilians => "violence_against_civilians",
            Self::Protest => "protest",
            Self::Riot => "riot",
            Self::StrategicDevelopment => "strategic_development",
            Self::Other => "other",
        }
    }
}

impl FromStr for EventType {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase().replace([' ', '-', '/'], "_");
        Self::ALL
            .into_iter()
            .find(|e| e.as_str() == t)
            .ok_or_else(|| ModelError::EventType(s.to_owned()))
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How precisely an event is located (UCDP's `where_prec`, ACLED's `geo_precision`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationPrecision {
    /// The exact place.
    Exact,
    /// Within about 25 km of the place.
    Near,
    /// A district (admin-2) centroid.
    District,
    /// A province (admin-1) centroid.
    Province,
    /// Only the country is known.
    Country,
}

/// Fatalities with the source's uncertainty range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fatalities {
    low: u32,
    best: u32,
    high: u32,
}

impl Fatalities {
    pub fn new(low: u32, best: u32, high: u32) -> Result<Self, ModelError> {
        if low <= best && best <= high {
            Ok(Self { low, best, high })
        } else {
            Err(ModelError::Fatalities { low, best, high })
        }
    }

    pub fn exact(n: u32) -> Self {
        Self {
            low: n,
            best: n,
            high: n,
        }
    }

    pub fn low(&self) -> u32 {
        self.low
    }
    pub fn best(&self) -> u32 {
        self.best
    }
    pub fn high(&self) -> u32 {
        self.high
    }
}

/// A party to an event: the name the dataset uses and, where it maps to one, the actor.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EventParty {
    pub name: String,
    pub actor: Option<ActorId>,
}

/// The identity of an event: its dataset and the dataset's own id. Re-importing the dataset
/// finds the same keys and changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EventKey {
    pub dataset: String,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub key: EventKey,
    pub date: ObservedDate,
    pub location: LatLon,
    pub location_precision: LocationPrecision,
    /// The place name given by the dataset, if any.
    pub place: Option<String>,
    /// ISO 3166-1 alpha-3 country code, if known.
    pub country: Option<String>,
    pub event_type: EventType,
    pub side_a: Vec<EventParty>,
    pub side_b: Vec<EventParty>,
    pub fatalities: Option<Fatalities>,
    /// How many occurrences the row stands for (e.g. strikes on that place that day); 1 by default.
    pub count: u32,
    pub source: Source,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fatalities_must_be_ordered() {
        assert!(Fatalities::new(1, 2, 3).is_ok());
        assert!(Fatalities::new(3, 2, 5).is_err());
        assert!(Fatalities::new(0, 6, 5).is_err());
    }

    #[test]
    fn event_types_parse_from_acled_wording() {
        assert_eq!(
            "Battles"
                .trim_end_matches('s')
                .parse::<EventType>()
                .unwrap(),
            EventType::Battle
        );
        assert_eq!(
            "Violence against civilians".parse::<EventType>().unwrap(),
            EventType::ViolenceAgainstCivilians
        );
        assert_eq!(
            "air strike".parse::<EventType>().unwrap(),
            EventType::AirStrike
        );
    }
}
