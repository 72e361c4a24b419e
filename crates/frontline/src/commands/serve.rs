//! `frontline serve`: run the HTTP API (see `crate::server` and docs/server.md).

use anyhow::Context;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Let anyone read without a token (writes still need an analyst token).
    #[arg(long)]
    pub public: bool,
    /// Database handles kept open (readers run in parallel; SQLite takes one writer at a time).
    #[arg(long, default_value_t = 4)]
    pub pool: usize,
    /// Largest JSON request body, in bytes.
    #[arg(long, default_value_t = 2 * 1024 * 1024)]
    pub max_body: usize,
    /// Region of the maps when a request names none: comma-separated area codes (default:
    /// SYR,IRQ if stored, else every stored country).
    #[arg(long)]
    pub region: Option<String>,
    /// H3 resolution of the maps (7 ≈ 5 km² cells).
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u8).range(0..=10))]
    pub resolution: u8,
    /// The built web map to serve at `/` (default: web/dist under the current directory, else
    /// beside the executable's build folder).
    #[arg(long, value_name = "DIR")]
    pub web: Option<PathBuf>,
    /// Seconds a client may take to send a request's line and headers (Slowloris defence).
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = seconds)]
    pub header_timeout: Duration,
    /// Seconds a connection may stay open with nothing sent either way and no request in
    /// flight (the wait for the next request is also bounded by --header-timeout).
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = seconds)]
    pub idle_timeout: Duration,
    /// Seconds a request may take to be answered before the server answers 503.
    #[arg(long, value_name = "SECS", default_value = "120", value_parser = seconds)]
    pub request_timeout: Duration,
    /// Seconds a client may pause while sending a request body.
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = seconds)]
    pub body_timeout: Duration,
    /// Let web pages on this origin call the API from a browser (CORS), e.g.
    /// https://maps.example.org; repeat for several; `*` for any (fine for a public, read-only
    /// server). Default: no CORS headers, so only pages served by this server can.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    pub cors_origins: Vec<String>,
}

/// A positive number of seconds (fractions allowed: tests use short timeouts).
fn seconds(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= 86_400.0) {
        return Err(format!(
            "{s}: expected more than 0 and at most 86400 seconds"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

pub fn run(db: &Path, args: ServeArgs) -> anyhow::Result<()> {
    if !db.exists() {
        tracing::warn!(db = %db.display(), "database does not exist yet: it will be created empty");
    }
    let web_dir = frontline::server::routes::web::find_web_dir(args.web.as_deref());
    match &web_dir {
        Some(dir) if !dir.join("index.html").is_file() => {
            anyhow::bail!("--web {}: no index.html there (run `make web`)", dir.display())
        }
        Some(dir) => tracing::info!(dir = %dir.display(), "serving the web map"),
        None => tracing::warn!(
            "the web map is not built (no web/dist here or beside the executable): run `make web`; / will say how"
        ),
    }
    let opts = frontline::server::Options {
        web_dir,
        public: args.public,
        pool_size: args.pool,
        max_body_bytes: args.max_body,
        region: args.region,
        resolution: args.resolution,
        ..frontline::server::Options::new(db)
    };
    let limits = frontline::server::Limits {
        header_read: args.header_timeout,
        idle: args.idle_timeout,
        request: args.request_timeout,
        body_read: args.body_timeout,
        cors_origins: args.cors_origins,
    };
    // A bad origin is a usage error: say so before opening anything.
    frontline::server::conn::cors_layer(&limits.cors_origins)?;
    frontline::server::serve(args.bind, opts, limits).context("running the server")
}
