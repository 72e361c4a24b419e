//! The server's side of the socket: how long a client may take and which other origins may
//! call from a browser.
//!
//! `axum::serve` gives hyper no timer, so hyper enforces no header-read timeout and a client
//! that sends half a request header keeps its connection (and a task) forever: a few hundred
//! such clients (Slowloris) hold the server. [`serve_on`] runs hyper's HTTP/1 connections
//! itself, with
//! - a header-read timeout (hyper's, which also runs while a kept-alive connection waits for
//!   its next request),
//! - an idle timeout: a connection on which nothing was read or written for that long, and no
//!   request is in flight, is closed,
//! - and, in [`with_limits`], a timeout on each request's handling and on reading its body.
//!
//! CORS ([`Limits::cors_origins`]) is off by default: no `Access-Control-*` headers at all.

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use http_body_util::BodyExt;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::RequestBodyTimeoutLayer;

use super::error::ApiError;

/// Time limits on clients and handlers, and the origins allowed to call from a browser.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// The whole request head (line and headers) must arrive within this time of the server
    /// starting to wait for it, including the wait for the next request on a kept-alive
    /// connection.
    pub header_read: Duration,
    /// A connection with no request in flight on which nothing was read or written for this
    /// long is closed.
    pub idle: Duration,
    /// A handler that has not answered after this long is answered 503 (its blocking work is
    /// not interrupted, but the client is not kept waiting).
    pub request: Duration,
    /// Reading a request body slower than this (between chunks) fails the request.
    pub body_read: Duration,
    /// Origins that browsers may call the API from (`*`: any); empty: no CORS headers.
    pub cors_origins: Vec<String>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            idle: Duration::from_secs(5),
            request: Duration::from_secs(120),
            body_read: Duration::from_secs(30),
            cors_origins: Vec::new(),
        }
    }
}

/// A `--cors-origin` value that is neither `*` nor an origin (`scheme://host[:port]`).
#[derive(Debug, thiserror::Error)]
#[error("--cors-origin {0:?}: expected * or an origin such as https://example.org (scheme, host and port, no path)")]
pub struct BadOrigin(String);

/// Check the CORS origins before serving (so that a typo fails at start, not on a request).
pub fn cors_layer(origins: &[String]) -> Result<Option<CorsLayer>, BadOrigin> {
    if origins.is_empty() {
        return Ok(None);
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        let mut list = Vec::new();
        for o in origins {
            let o = o.trim_end_matches('/');
            let ok = o.split_once("://").is_some_and(|(scheme, rest)| {
                !scheme.is_empty()
                    && scheme
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
                    && !rest.is_empty()
                    && !rest.contains(['/', '?', '#', ' '])
            });
            let value = HeaderValue::from_str(o).ok().filter(|_| ok);
            list.push(value.ok_or_else(|| BadOrigin(o.to_owned()))?);
        }
        AllowOrigin::list(list)
    };
    Ok(Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([
                Method::GET,
                Method::HEAD,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::IF_MATCH,
                header::IF_NONE_MATCH,
                header::ACCEPT,
                header::ACCEPT_ENCODING,
            ])
            // What a page on another origin may read of a response: cache validators (tiles
            // and maps are revalidated with If-None-Match) and where a created item lives.
            .expose_headers([
                header::ETAG,
                header::LAST_MODIFIED,
                header::CACHE_CONTROL,
                header::CONTENT_ENCODING,
                header::CONTENT_DISPOSITION,
                header::CONTENT_LENGTH,
                header::LOCATION,
                header::LINK,
                header::WWW_AUTHENTICATE,
            ])
            .max_age(Duration::from_secs(600)),
    ))
}

/// The router with the per-request limits (handler and body-read timeouts) and CORS.
pub fn with_limits(app: Router, limits: &Limits) -> Result<Router, BadOrigin> {
    let request = limits.request;
    let app = app
        .layer(RequestBodyTimeoutLayer::new(limits.body_read))
        .layer(axum::middleware::from_fn(
            move |req: Request, next: Next| answer_within(request, req, next),
        ));
    // Outermost, so that preflights are answered before authentication and errors (401, 503)
    // carry the headers a browser needs to show them to the page.
    Ok(match cors_layer(&limits.cors_origins)? {
        Some(cors) => app.layer(cors),
        None => app,
    })
}

async fn answer_within(limit: Duration, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the request took longer than {} s: narrow it (a smaller region or date range) or try again",
                limit.as_secs_f64()
            ),
        )
        .into_response(),
    }
}

/// Serve `app` on `listener` with the connection limits of `limits` until `shutdown`
/// completes, then wait for the requests in flight (idle connections are closed at once).
/// `app` should already carry [`with_limits`].
pub async fn serve_on(
    listener: TcpListener,
    app: Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Watched::new(stream, activity.clone(), limits.idle));
        let app = app.clone();
        let service =
            hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let app = app.clone();
                let busy = Busy::start(&activity);
                async move {
                    let res = app.oneshot(req.map(axum::body::Body::new)).await;
                    // The request counts as in flight until its body has been sent.
                    Ok::<_, std::convert::Infallible>(match res {
                        Ok(res) => res.map(|body| {
                            axum::body::Body::new(body.map_frame(move |frame| {
                                let _ = &busy;
                                frame
                            }))
                        }),
                        Err(never) => match never {},
                    })
                }
            });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read)
            .keep_alive(true)
            .serve_connection(io, service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// What a connection is doing: requests in flight, and when bytes last moved.
#[derive(Debug)]
struct Activity {
    in_flight: AtomicUsize,
    last: Mutex<Instant>,
}

impl Activity {
    fn new() -> Self {
        Self {
            in_flight: AtomicUsize::new(0),
            last: Mutex::new(Instant::now()),
        }
    }

    fn touch(&self) {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
    }

    fn last(&self) -> Instant {
        *self.last.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A request in flight on a connection (until dropped).
struct Busy(Arc<Activity>);

impl Busy {
    fn start(activity: &Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::SeqCst);
        Self(activity.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        // The idle time counts from the end of the response.
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A socket that fails its reads with `TimedOut` once it has been idle (nothing read or
/// written, no request in flight) for longer than the idle limit. hyper polls the read side
/// while it waits for a request, so that is where the limit is noticed.
struct Watched {
    io: TcpStream,
    activity: Arc<Activity>,
    idle: Duration,
    timer: Pin<Box<Sleep>>,
}

impl Watched {
    fn new(io: TcpStream, activity: Arc<Activity>, idle: Duration) -> Self {
        Self {
            io,
            timer: Box::pin(tokio::time::sleep_until(activity.last() + idle)),
            activity,
            idle,
        }
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.io).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    self.activity.touch();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                if self.activity.in_flight.load(Ordering::SeqCst) > 0 {
                    // A handler is working: the client is not the one keeping us waiting.
                    return Poll::Pending;
                }
                let deadline = self.activity.last() + self.idle;
                if self.timer.deadline() != deadline {
                    self.timer.as_mut().reset(deadline);
                }
                match self.timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "connection idle for too long",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_handler_slower_than_the_request_timeout_is_answered_503() {
        let app = Router::new()
            .route(
                "/slow",
                axum::routing::get(|| async {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    "late"
                }),
            )
            .route("/quick", axum::routing::get(|| async { "quick" }));
        let limits = Limits {
            request: Duration::from_millis(200),
            ..Limits::default()
        };
        let app = with_limits(app, &limits).unwrap();
        let get = |uri: &str| Request::get(uri).body(axum::body::Body::empty()).unwrap();
        let t = std::time::Instant::now();
        let res = app.clone().oneshot(get("/slow")).await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(t.elapsed() < Duration::from_secs(5));
        let body = res.into_body().collect().await.unwrap().to_bytes();
        assert!(String::from_utf8_lossy(&body).contains("timeout"));
        let res = app.oneshot(get("/quick")).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }

    #[test]
    fn origins_are_checked_before_serving() {
        assert!(cors_layer(&[]).unwrap().is_none());
        assert!(cors_layer(&["*".into()]).unwrap().is_some());
        assert!(cors_layer(&["https://maps.example.org".into()])
            .unwrap()
            .is_some());
        assert!(cors_layer(&["http://localhost:5173/".into()])
            .unwrap()
            .is_some());
        for bad in [
            "maps.example.org",
            "https://x.org/tiles",
            "https://",
            "*.example.org",
        ] {
            assert!(cors_layer(&[bad.into()]).is_err(), "{bad}");
        }
    }
}
