//! The command-line interface: global options and the list of commands. Each command's own
//! arguments live beside its implementation in `commands/`; `main.rs` dispatches (so that the
//! commands never depend on this list).

use clap::{Parser, Subcommand};
use std::path::PathBuf;

use crate::commands;

/// Frontline: an open-source conflict monitor. Stores control observations and events,
/// estimates who controls every part of a region on any date, and reports areas, changes and
/// analyses.
#[derive(Debug, Parser)]
#[command(name = "frontline", version, propagate_version = true)]
pub struct Cli {
    /// The SQLite database file (created and migrated automatically).
    #[arg(
        long,
        global = true,
        env = "FRONTLINE_DB",
        default_value = "frontline.db"
    )]
    pub db: PathBuf,

    /// More log output on stderr (-v info, -vv debug); FRONTLINE_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import observations, events, boundaries or gazetteers from a file.
    Import(commands::import::ImportArgs),
    /// Create a fresh database from the bundled real data and show what Frontline does with it.
    Demo(commands::demo::DemoArgs),
    /// Run the HTTP API (JSON/GeoJSON, OGC API – Features, vector tiles, editing).
    Serve(commands::serve::ServeArgs),
    /// Create, list and revoke API tokens.
    Token(commands::token::TokenArgs),
    /// Draw a publication map (PNG or SVG): one date, the pair of dates, or the change between them.
    Map(commands::map::MapArgs),
    /// Animated GIF of control between two dates, with an area counter.
    Timelapse(commands::timelapse::TimelapseArgs),
    /// Charts: km² per actor over time.
    Chart(commands::chart::ChartArgs),
    /// Km² and % of an area of interest held by each actor (on a date or over time).
    Share(commands::share::ShareArgs),
    /// Enclaves and sieges: connected areas of one actor and who holds their perimeter.
    Sieges(commands::sieges::SiegesArgs),
    /// Query events by date, area, actor and type as CSV or GeoJSON (duplicates shown).
    Events(commands::events::EventsArgs),
    /// Zones where events in a window exceed their own baseline (Poisson test).
    Hotspots(commands::hotspots::HotspotsArgs),
    /// An actor's events, spread and territory per step.
    Trend(commands::trend::TrendArgs),
    /// Alerts on areas of interest: control changes and activity spikes.
    Watch(commands::watch::WatchArgs),
    /// One line per analysis on the current database (what `frontline demo` prints).
    Analyses,
    /// Per-actor control polygons on a date (GeoJSON, CSV or GeoPackage).
    Control(commands::control::ControlArgs),
    /// Km² and share per actor on a date (and per country with --by country).
    Area(commands::area::AreaArgs),
    /// Km² gained and lost per actor between two dates.
    Diff(commands::diff::DiffArgs),
    /// The observations that decided who holds a point on a date.
    Explain(commands::explain::ExplainArgs),
    /// Who holds each point of a CSV (id,lat,lon) on a date.
    Whois(commands::whois::WhoisArgs),
    /// People per actor on a date, from the gazetteer (deduplicated).
    Population(commands::population::PopulationArgs),
    /// Hold out snapshot towns, estimate them from the rest, compare with the k-nearest baseline.
    Validate(commands::validate::ValidateArgs),
}
