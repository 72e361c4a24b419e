//! The application layer: what the CLI, the HTTP API, the web map and the GIS endpoints have in
//! common. A door parses its inputs into the typed requests of [`request`], asks the
//! [`Engine`] for an estimate or an analysis, and formats what it gets back; nothing here knows
//! of terminals, files or HTTP.
//!
//! - [`request`]: dates, known-on times, regions, windows and steps, parsed once by one set of
//!   rules.
//! - [`engine`]: the store → grid → estimate path, bounded caches, event windows with duplicates
//!   removed once.
//! - [`product`]: a map and its derived views (features, areas, territory, GeoJSON, tiles).
//! - [`region`]: region parts resolved and made disjoint.
//! - [`analyses`]: shares, sieges, population, hotspots and trends on the engine's maps.

pub mod analyses;
pub mod cache;
pub mod encoded;
pub mod engine;
pub mod error;
pub mod product;
pub mod region;
pub mod request;

pub use engine::{Engine, Limits, Settings};
pub use error::{AppError, AppResult};
pub use product::{MapKey, MapProduct};
pub use request::{KnownOn, MapRequest, Region, StepSize, WindowDays};
