//! One module per command. Each parses nothing itself: it receives its clap arguments (typed by
//! `args`, whose parsers are the application layer's), asks the engine (`frontline::app`) or the
//! store, and prints or writes what it gets. `main.rs` dispatches to them.

pub mod analyses_demo;
pub mod aoi;
pub mod area;
pub mod args;
pub mod chart;
pub mod control;
pub mod demo;
pub mod diff;
pub mod events;
pub mod explain;
pub mod hotspots;
pub mod import;
pub mod layers;
pub mod look;
pub mod map;
pub mod population;
pub mod serve;
pub mod share;
pub mod sieges;
pub mod timelapse;
pub mod token;
pub mod trend;
pub mod validate;
pub mod watch;
pub mod whois;
