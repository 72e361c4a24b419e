//! The `frontline` binary: parses the command line and hands each command to its module under
//! `commands/`. Errors are reported here with their chain of causes.

mod cli;
mod commands;
mod import;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    init_tracing(cli.verbose);
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: cli::Cli) -> anyhow::Result<()> {
    use cli::Command;
    let db = &cli.db;
    match cli.command {
        Command::Import(args) => commands::import::run(db, args),
        Command::Demo(args) => commands::demo::run(db, args),
        Command::Map(args) => commands::map::run(db, args),
        Command::Timelapse(args) => commands::timelapse::run(db, args),
        Command::Chart(args) => commands::chart::run(db, args),
        Command::Serve(args) => commands::serve::run(db, args),
        Command::Token(args) => commands::token::run(db, args),
        Command::Share(args) => commands::share::run(db, args),
        Command::Sieges(args) => commands::sieges::run(db, args),
        Command::Events(args) => commands::events::run(db, args),
        Command::Hotspots(args) => commands::hotspots::run(db, args),
        Command::Trend(args) => commands::trend::run(db, args),
        Command::Watch(args) => commands::watch::run(db, args),
        Command::Analyses => commands::analyses_demo::run(db),
        Command::Control(args) => commands::control::run(db, args),
        Command::Area(args) => commands::area::run(db, args),
        Command::Diff(args) => commands::diff::run(db, args),
        Command::Explain(args) => commands::explain::run(db, args),
        Command::Whois(args) => commands::whois::run(db, args),
        Command::Population(args) => commands::population::run(db, args),
        Command::Validate(args) => commands::validate::run(db, args),
    }
}

fn init_tracing(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter =
        EnvFilter::try_from_env("FRONTLINE_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
