//! `frontline serve`: the HTTP API that analysts, their readers and GIS tools use.
//!
//! Layout: [`router`] builds the axum router from the route modules under `routes/`; handlers
//! take their caller from [`auth`] (bearer tokens, roles), their input through [`extract`]
//! (JSON errors for bad input), run database work on blocking threads through [`pool`] and map work through the application
//! engine (`crate::app`, shared with the CLI), and
//! answer errors as [`error::ApiError`]. Handlers never touch SQL and never re-implement the
//! engine: they call the store and the core. [`conn`] holds the socket side: timeouts on slow
//! clients and handlers, and CORS.

pub mod auth;
pub mod conn;
pub mod error;
pub mod extract;
pub mod mvt;
pub mod openapi;
pub mod payload;
pub mod pool;
pub mod routes;
pub mod state;

use anyhow::Context;
use axum::http::{header, HeaderValue};
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};

pub use conn::Limits;
pub use state::{AppState, Options};

/// The whole API as a router (no socket): `main` serves it, tests call it with `oneshot`.
pub fn router(state: Arc<AppState>, opts: &Options) -> Router {
    routes::routes(opts)
        .with_state(state)
        .layer(axum::middleware::from_fn(extract::uri_limit))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(tracing::Level::INFO))
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
}

/// Bind, serve until Ctrl-C or SIGTERM, then let requests in flight finish.
pub fn serve(bind: SocketAddr, opts: Options, limits: Limits) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let state = AppState::open(&opts)?;
        watch_external_writes(&state)?;
        let app = conn::with_limits(router(state, &opts), &limits)?;
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("binding {bind}"))?;
        let addr = listener.local_addr()?;
        tracing::info!(%addr, public = opts.public, db = %opts.db.display(), "serving");
        // The line tools and tests wait for: where the server listens; then the map's URL. One
        // write, so a reader that takes the first line and closes the pipe cannot make a second
        // print fail; and a closed stdout is no reason to stop serving.
        let map = if opts.web_dir.is_some() {
            format!("web map: http://{addr}/")
        } else {
            format!("web map: not built (run `make web`); http://{addr}/ says how")
        };
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = out
                .write_all(format!("frontline serving on http://{addr}\n{map}\n").as_bytes())
                .and_then(|()| out.flush());
        }
        conn::serve_on(listener, app, &limits, shutdown_signal()).await;
        tracing::info!("stopped");
        Ok(())
    })
}

/// Writes by other processes (`frontline import` while the server runs) do not go through the
/// API's generation counter: poll SQLite's `data_version` on a connection of our own and mark
/// the cached maps stale when it moves.
fn watch_external_writes(state: &std::sync::Arc<AppState>) -> anyhow::Result<()> {
    // The server's own store: its backend keeps a connection of its own for this poll, so a
    // second store (a writer and its readers) need not be opened.
    let store = state.engine.store().clone();
    let state = std::sync::Arc::downgrade(state);
    std::thread::Builder::new()
        .name("frontline-db-watch".into())
        .spawn(move || {
            let mut last = store.data_version().ok();
            loop {
                std::thread::sleep(std::time::Duration::from_secs(2));
                let Some(state) = state.upgrade() else { return };
                let now = store.data_version().ok();
                if now != last {
                    tracing::info!("the database changed: cached maps will be recomputed");
                    // An import may have brought new boundaries as well as observations.
                    state.areas_changed();
                    last = now;
                }
            }
        })
        .context("starting the change watcher")?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
