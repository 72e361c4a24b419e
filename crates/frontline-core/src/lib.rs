//! Frontline's pure core: the domain model, the grid, the control estimator and the analyses.
//!
//! Nothing in this crate reads files, talks to a database or speaks HTTP: functions take data and
//! return data (for example `estimate(&observations, &grid, &params, date) -> ControlMap`). The
//! adapters around it (importers, storage, rendering, server, CLI) live in the other crates.

pub mod analysis;
pub mod control_map;
pub mod diff;
pub mod estimate;
pub mod geometry;
pub mod grid;
pub mod model;
pub mod names;
pub mod place_state;
pub mod render;
pub mod validate;

pub use model::*;
