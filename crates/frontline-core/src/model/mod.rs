//! Validated domain types. Every constructor checks its input, so the rest of Frontline never
//! sees an invalid actor id, coordinate, date precision or grading.

mod actor;
mod aoi;
mod date;
mod event;
mod grading;
mod location;
mod observation;
mod place;

pub use actor::{Actor, ActorId, Colour};
pub use aoi::{AoiKind, AreaOfInterest};
pub use date::{DatePrecision, ObservedDate};
pub use event::{Event, EventKey, EventParty, EventType, Fatalities, LocationPrecision};
pub use grading::{Credibility, Grading, Reliability};
pub use location::{geojson_to_geo, Footprint, LatLon};
pub use observation::{ControlStatus, Evidence, FeatureType, Observation, ObservationKey, Source};
pub use place::{Place, PlaceId, Population};

/// Why a value could not be constructed. The message names the offending value; callers (the
/// importers, the API) add the file, line and field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("invalid actor id {0:?}: use lowercase letters, digits and '-' (e.g. islamic-state)")]
    ActorId(String),
    #[error("invalid colour {0:?}: expected #rrggbb")]
    Colour(String),
    #[error("latitude {0} is out of range [-90, 90]")]
    Latitude(f64),
    #[error("longitude {0} is out of range [-180, 180]")]
    Longitude(f64),
    #[error("invalid date {0:?}: expected YYYY-MM-DD, YYYY-MM or YYYY")]
    Date(String),
    #[error("date {date} is in the future (today is {today})")]
    FutureDate {
        date: chrono::NaiveDate,
        today: chrono::NaiveDate,
    },
    #[error("invalid date precision {0:?}: expected day, month or year")]
    Precision(String),
    #[error("invalid grading {0:?}: expected source reliability A-F and credibility 1-6, e.g. B2")]
    Grading(String),
    #[error("invalid status {0:?}: expected held, shared, contested or besieged")]
    Status(String),
    #[error("invalid feature type {0:?}")]
    Feature(String),
    #[error("invalid event type {0:?}")]
    EventType(String),
    #[error(
        "fatalities must satisfy low <= best <= high (got low {low}, best {best}, high {high})"
    )]
    Fatalities { low: u32, best: u32, high: u32 },
    #[error("geometry is empty or has non-finite or out-of-range coordinates")]
    Geometry,
    #[error("{0} must not be empty")]
    Empty(&'static str),
}
