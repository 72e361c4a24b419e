//! One module per command (or family of commands). Each parses nothing itself: it receives its
//! clap arguments, does the work through the core and the store, and prints or writes results.

pub mod chart;
pub mod demo;
pub mod import;
pub mod map;
pub mod series;
pub mod serve;
pub mod timelapse;
pub mod token;

use crate::cli::{Cli, Command};

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Import(args) => import::run(&cli.db, args),
        Command::Demo(args) => demo::run(&cli.db, args),
        Command::Serve(args) => serve::run(&cli.db, args),
        Command::Token(args) => token::run(&cli.db, args),
        Command::Map(args) => map::run(args),
        Command::Timelapse(args) => timelapse::run(args),
        Command::Chart(args) => chart::run(args),
    }
}
