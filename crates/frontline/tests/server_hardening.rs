//! The server against slow and hostile clients, over a real socket: the built binary serves an
//! empty database, and raw TCP clients send half a header (Slowloris), trickle a header, stall
//! a body or keep an idle connection; each must be cut off within its timeout. Also: the bearer
//! scheme in any case, and CORS only when asked for.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use frontline::server::{conn, router, AppState, Limits, Options};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// The server process, killed when dropped.
struct Server {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(extra: &[&str]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("frontline.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .arg("--db")
        .arg(&db)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start frontline serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("frontline serving on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    Server {
        child,
        addr,
        _dir: dir,
        db,
    }
}

/// Read from `s` until the server closes the connection (or resets it), calling `tick` every
/// 200 ms; the time it took, or None if it was still open after `give_up`.
fn time_to_close(
    s: &mut TcpStream,
    give_up: Duration,
    mut tick: impl FnMut(&mut TcpStream),
) -> Option<Duration> {
    let t = Instant::now();
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut buf = [0u8; 4096];
    while t.elapsed() < give_up {
        match s.read(&mut buf) {
            Ok(0) => return Some(t.elapsed()),
            // A 408 or 400 before the close is fine; keep reading until it closes.
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                tick(s)
            }
            Err(_) => return Some(t.elapsed()),
        }
    }
    None
}

#[test]
fn a_half_sent_header_is_cut_off_by_the_default_timeouts() {
    // No timeout flags: the defaults alone must defend against Slowloris.
    let server = start(&[]);
    let mut clients: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut s = TcpStream::connect(&server.addr).unwrap();
            s.write_all(b"GET /api HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .unwrap();
            s
        })
        .collect();
    for s in &mut clients {
        let took = time_to_close(s, Duration::from_secs(15), |_| {});
        assert!(
            took.is_some(),
            "a half-sent header kept its connection open for 15 s"
        );
    }
}

#[test]
fn a_slowly_trickled_header_is_cut_off_by_the_header_timeout() {
    // The idle timeout is long and every 200 ms brings a byte: only the header timeout acts.
    let server = start(&["--header-timeout", "1", "--idle-timeout", "60"]);
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.write_all(b"GET /api HTTP/1.1\r\nHost: x\r\n").unwrap();
    let took = time_to_close(&mut s, Duration::from_secs(10), |s| {
        let _ = s.write_all(b"X");
    })
    .expect("a header trickled for 10 s was still being read");
    assert!(
        took >= Duration::from_millis(800) && took < Duration::from_secs(4),
        "closed after {took:?}, expected about 1 s"
    );
}

#[test]
fn an_idle_kept_alive_connection_is_closed_after_the_idle_timeout() {
    let server = start(&["--idle-timeout", "1", "--header-timeout", "60"]);
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.write_all(b"GET /api HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut first = [0u8; 12];
    s.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200", "the request itself is answered");
    let took = time_to_close(&mut s, Duration::from_secs(10), |_| {})
        .expect("an idle connection was still open after 10 s");
    assert!(took < Duration::from_secs(4), "closed after {took:?}");
}

fn token(server: &Server, role: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .arg("--db")
        .arg(&server.db)
        .args(["token", "create", "--role", role, "--label", "test"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn a_stalled_request_body_is_given_up_after_the_body_timeout() {
    let server = start(&[
        "--body-timeout",
        "1",
        "--idle-timeout",
        "60",
        "--header-timeout",
        "60",
    ]);
    let analyst = token(&server, "analyst");
    let mut s = TcpStream::connect(&server.addr).unwrap();
    write!(
        s,
        "POST /api/observations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {analyst}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"label\":"
    )
    .unwrap();
    let t = Instant::now();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut reply = Vec::new();
    let _ = s.read_to_end(&mut reply);
    let reply = String::from_utf8_lossy(&reply);
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "a stalled body held the request for {:?}",
        t.elapsed()
    );
    let status: u16 = reply
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP reply: {reply:?}"));
    assert!((400..500).contains(&status), "{reply}");
}

#[test]
fn the_bearer_scheme_is_accepted_in_any_case() {
    let server = start(&[]);
    let viewer = token(&server, "viewer");
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let mut s = TcpStream::connect(&server.addr).unwrap();
        write!(
            s,
            "GET /api/actors HTTP/1.1\r\nHost: x\r\nAuthorization: {scheme} {viewer}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut reply = String::new();
        s.read_to_string(&mut reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 200"), "{scheme}: {reply}");
    }
}

#[test]
fn an_origin_that_is_not_an_origin_stops_the_server_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .arg("--db")
        .arg(dir.path().join("x.db"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--cors-origin",
            "example.org",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--cors-origin \"example.org\""),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The router over an empty public database, with `origins` as `--cors-origin`.
fn app(dir: &tempfile::TempDir, origins: &[&str]) -> axum::Router {
    let opts = Options {
        public: true,
        ..Options::new(dir.path().join("frontline.db"))
    };
    let limits = Limits {
        cors_origins: origins.iter().map(|o| (*o).to_owned()).collect(),
        ..Limits::default()
    };
    conn::with_limits(router(AppState::open(&opts).unwrap(), &opts), &limits).unwrap()
}

async fn call(app: &axum::Router, req: Request<Body>) -> axum::http::Response<Body> {
    app.clone().oneshot(req).await.unwrap()
}

#[tokio::test]
async fn without_cors_origins_no_cors_headers_are_sent() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir, &[]);
    let res = call(
        &app,
        Request::get("/api/actors")
            .header("origin", "https://maps.example.org")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .headers()
        .keys()
        .all(|k| !k.as_str().starts_with("access-control-")));
}

#[tokio::test]
async fn a_listed_origin_may_read_and_see_the_etag_and_others_may_not() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir, &["https://maps.example.org"]);
    let res = call(
        &app,
        Request::get("/api/actors")
            .header("origin", "https://maps.example.org")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers();
    assert_eq!(h["access-control-allow-origin"], "https://maps.example.org");
    let exposed = h["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("etag"), "{exposed}");
    assert!(h
        .get_all("vary")
        .iter()
        .any(|v| v.to_str().unwrap().contains("origin")));

    let other = call(
        &app,
        Request::get("/api/actors")
            .header("origin", "https://evil.example.net")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(other.headers().get("access-control-allow-origin").is_none());

    // A preflight for an authenticated write is answered before authentication.
    let pre = call(
        &app,
        Request::options("/api/observations")
            .header("origin", "https://maps.example.org")
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(pre.status().is_success(), "{}", pre.status());
    let allowed = pre.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("content-type"),
        "{allowed}"
    );
}

#[tokio::test]
async fn a_wildcard_origin_lets_any_page_read() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir, &["*"]);
    let res = call(
        &app,
        Request::get("/api/actors")
            .header("origin", "https://anyone.example")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
}
