//! One module per command (or family of commands). Each parses nothing itself: it receives its
//! clap arguments, does the work through the core and the store, and prints or writes results.

pub mod control;
pub mod demo;
pub mod gpkg;
pub mod import;

use crate::cli::{Cli, Command};

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Import(args) => import::run(&cli.db, args),
        Command::Demo(args) => demo::run(&cli.db, args),
        Command::Control(args) => control::run_control(&cli.db, args),
        Command::Area(args) => control::run_area(&cli.db, args),
        Command::Diff(args) => control::run_diff(&cli.db, args),
        Command::Explain(args) => control::run_explain(&cli.db, args),
        Command::Whois(args) => control::run_whois(&cli.db, args),
        Command::Population(args) => control::run_population(&cli.db, args),
        Command::Validate(args) => control::run_validate(&cli.db, args),
    }
}
