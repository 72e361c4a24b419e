//! `frontline serve`: run the HTTP API (see `crate::server` and docs/server.md).

use anyhow::Context;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

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
    frontline::server::serve(args.bind, opts).context("running the server")
}
