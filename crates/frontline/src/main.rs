//! The `frontline` binary: parses the command line and hands each command to its module under
//! `commands/`. Errors are reported here with their chain of causes.
//!
//! A closed stdout (`frontline events … | head -1`) ends the program quietly with status 141,
//! as a Unix tool killed by SIGPIPE would: Rust ignores SIGPIPE, so the write fails with
//! `BrokenPipe` instead, either as an error a command returns or as the panic of `println!`,
//! which [`quiet_on_broken_pipe`] turns into that exit (resetting SIGPIPE would need `unsafe`).

mod cli;
mod commands;

use clap::Parser;

/// The exit status of a process killed by SIGPIPE, as shells report it (128 + 13).
const BROKEN_PIPE_EXIT: u8 = 141;

fn main() -> std::process::ExitCode {
    quiet_on_broken_pipe();
    let cli = cli::Cli::parse();
    init_tracing(cli.verbose);
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => std::process::ExitCode::from(BROKEN_PIPE_EXIT),
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

/// Whether an error comes from writing to a closed pipe.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// `println!` panics when stdout is a closed pipe ("failed printing to stdout: Broken pipe"):
/// end the process quietly instead, whichever command was printing. Other panics are reported
/// as before.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        let printing = message.starts_with("failed printing to stdout")
            || message.starts_with("failed printing to stderr");
        // The OS's text for EPIPE, which std puts in the message (os error 32 on Linux).
        if printing && message.contains("Broken pipe") {
            std::process::exit(i32::from(BROKEN_PIPE_EXIT));
        }
        default(info);
    }));
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
