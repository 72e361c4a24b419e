//! The command-line interface: global options and the list of commands. Each command's own
//! arguments live beside its implementation in `commands/`.

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
}
