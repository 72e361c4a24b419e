//! One module per command (or family of commands). Each parses nothing itself: it receives its
//! clap arguments, does the work through the core and the store, and prints or writes results.

pub mod analyses_demo;
pub mod analysis_ctx;
pub mod chart;
pub mod control;
pub mod demo;
pub mod events;
pub mod gpkg;
pub mod hotspots;
pub mod import;
pub mod map;
pub mod series;
pub mod serve;
pub mod share;
pub mod sieges;
pub mod timelapse;
pub mod token;
pub mod trend;
pub mod watch;

use crate::cli::{Cli, Command};

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Import(args) => import::run(&cli.db, args),
        Command::Demo(args) => demo::run(&cli.db, args),
        Command::Map(args) => map::run(&cli.db, args),
        Command::Timelapse(args) => timelapse::run(&cli.db, args),
        Command::Chart(args) => chart::run(&cli.db, args),
        Command::Serve(args) => serve::run(&cli.db, args),
        Command::Token(args) => token::run(&cli.db, args),
        Command::Share(args) => share::run(&cli.db, args),
        Command::Sieges(args) => sieges::run(&cli.db, args),
        Command::Events(args) => events::run(&cli.db, args),
        Command::Hotspots(args) => hotspots::run(&cli.db, args),
        Command::Trend(args) => trend::run(&cli.db, args),
        Command::Watch(args) => watch::run(&cli.db, args),
        Command::Analyses => {
            let store = analysis_ctx::open(&cli.db)?;
            for line in analyses_demo::demo_lines(&store)? {
                println!("{line}");
            }
            Ok(())
        }
        Command::Control(args) => control::run_control(&cli.db, args),
        Command::Area(args) => control::run_area(&cli.db, args),
        Command::Diff(args) => control::run_diff(&cli.db, args),
        Command::Explain(args) => control::run_explain(&cli.db, args),
        Command::Whois(args) => control::run_whois(&cli.db, args),
        Command::Population(args) => control::run_population(&cli.db, args),
        Command::Validate(args) => control::run_validate(&cli.db, args),
    }
}
