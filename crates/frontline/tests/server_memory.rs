//! Anonymous readers cannot grow a public server's memory without bound: a real
//! `frontline serve --public` process on the demo database (the bundled real data, as
//! `frontline demo --load-only` loads it) is sent the adversarial request mixes of issue 13 —
//! one tile with every `window_days` from 1 to 366 on two dates, 400 distinct `known_on` times,
//! regions far over the size limit (`RUS`, `RUS,…`) and the largest ones under it, many
//! distinct dates, and concurrent GeoPackage exports of every event — while its resident set
//! is sampled from `/proc/PID/status`. The kernel's high-water mark (`VmHWM`) must stay under
//! [`CEILING_MB`], no request may answer a 5xx other than a 503 "busy", and oversized regions
//! are refused with a 4xx before any grid is built.
//!
//! The server is the binary cargo built for this test (a debug build: the store's and the
//! core's code are optimised in test builds, see the workspace's Cargo.toml), or another one
//! named by `FRONTLINE_SERVE_BIN` (e.g. `target/release/frontline`). Memory does not depend
//! on the build's optimisation; the mixes take about two minutes in a debug build.

#![cfg(target_os = "linux")]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Most resident memory the server may reach, MiB.
const CEILING_MB: u64 = 1024;

/// How long a refusal of an oversized region may take.
const REFUSAL_SECS: f64 = 5.0;

fn bin() -> PathBuf {
    std::env::var_os("FRONTLINE_SERVE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_frontline")))
}

fn demo_db(dir: &Path) -> PathBuf {
    let db = dir.join("frontline.db");
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let out = Command::new(bin())
        .arg("--db")
        .arg(&db)
        .args(["demo", "--load-only", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(dir.join("out"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "frontline demo --load-only: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    db
}

/// A `frontline serve --public` process, killed when dropped.
struct Server {
    child: Child,
    addr: String,
    log: PathBuf,
}

impl Server {
    fn start(db: &Path, dir: &Path) -> Self {
        let log = dir.join("serve.log");
        let mut child = Command::new(bin())
            .arg("--db")
            .arg(db)
            .args(["serve", "--public", "--bind", "127.0.0.1:0"])
            .env("FRONTLINE_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("frontline serving on http://")
            .unwrap_or_else(|| panic!("the server did not start: {line:?}"))
            .to_owned();
        Self { child, addr, log }
    }

    /// VmRSS and VmHWM (the peak), MiB.
    fn rss_mb(pid: u32) -> Option<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let field = |name: &str| -> Option<u64> {
            let line = status.lines().find(|l| l.starts_with(name))?;
            let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kb / 1024)
        };
        Some((field("VmRSS:")?, field("VmHWM:")?))
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Samples the server's resident set every 50 ms; remembers the highest.
struct Sampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sampler {
    fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let (s, p) = (Arc::clone(&stop), Arc::clone(&peak));
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                if let Some((rss, _)) = Server::rss_mb(pid) {
                    p.fetch_max(rss, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        Self {
            stop,
            peak,
            thread: Some(thread),
        }
    }

    fn peak(&self) -> u64 {
        self.peak.load(Ordering::Relaxed)
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What one request got: status, body bytes, time taken.
#[derive(Debug, Clone)]
struct Answer {
    path: String,
    status: u16,
    bytes: usize,
    secs: f64,
}

/// One GET over a fresh connection (HTTP/1.1, `Connection: close`), the whole body read.
fn get(addr: &str, path: &str) -> Answer {
    let started = Instant::now();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(600))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("{path}: no response head in {} bytes", raw.len()));
    let head = String::from_utf8_lossy(&raw[..head_end]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{path}: bad status line {head:?}"));
    Answer {
        path: path.to_owned(),
        status,
        bytes: raw.len() - head_end - 4,
        secs: started.elapsed().as_secs_f64(),
    }
}

/// Every path requested once, by `threads` clients at a time.
fn run_all(addr: &str, paths: Vec<String>, threads: usize) -> Vec<Answer> {
    let queue = Arc::new(Mutex::new(VecDeque::from(paths)));
    let answers = Arc::new(Mutex::new(Vec::new()));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (q, a, addr) = (Arc::clone(&queue), Arc::clone(&answers), addr.to_owned());
            std::thread::spawn(move || loop {
                let Some(p) = q.lock().unwrap().pop_front() else {
                    return;
                };
                let r = get(&addr, &p);
                a.lock().unwrap().push(r);
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    Arc::try_unwrap(answers).unwrap().into_inner().unwrap()
}

/// A mix's answers: none a 5xx except 503 (busy, try again), and each status `ok` allows.
fn check(
    name: &str,
    answers: &[Answer],
    ok: impl Fn(u16) -> bool,
    server: &Server,
    sampler: &Sampler,
) {
    let bad: Vec<&Answer> = answers
        .iter()
        .filter(|a| (a.status >= 500 && a.status != 503) || !ok(a.status))
        .collect();
    assert!(
        bad.is_empty(),
        "{name}: {} unexpected answers, e.g. {:?}\nserver log:\n{}",
        bad.len(),
        &bad[..bad.len().min(5)],
        server.log_tail()
    );
    let busy = answers.iter().filter(|a| a.status == 503).count();
    let slowest = answers.iter().map(|a| a.secs).fold(0.0, f64::max);
    let (rss, hwm) = Server::rss_mb(server.child.id()).unwrap_or_default();
    eprintln!(
        "{name}: {} requests, {busy} busy (503), slowest {slowest:.1} s; RSS now {rss} MiB, sampled peak {} MiB, VmHWM {hwm} MiB",
        answers.len(),
        sampler.peak()
    );
    assert!(
        hwm < CEILING_MB && sampler.peak() < CEILING_MB,
        "{name}: the server reached {hwm} MiB (ceiling {CEILING_MB} MiB)"
    );
}

#[test]
fn adversarial_request_mixes_keep_a_public_server_under_1_gb() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let server = Server::start(&db, dir.path());
    let sampler = Sampler::start(server.child.id());
    let addr = server.addr.clone();
    let (_, hwm) = Server::rss_mb(server.child.id()).unwrap();
    eprintln!("server {} ({}): {hwm} MiB at start", addr, bin().display());

    // Oversized regions: refused with a 4xx, quickly, and nothing kept.
    let oversized: Vec<String> = [
        "RUS",
        "RUS,UKR",
        "RUS,SYR",
        "RUS,UKR,BLR,POL",
        "SAU,IRN",
        "EGY,IRN,TUR",
        "rus,Russia",
    ]
    .iter()
    .flat_map(|r| {
        [
            format!("/api/area?date=2017-06-01&region={r}"),
            format!("/api/control?date=2017-06-01&region={r}"),
            format!("/tiles/5/19/12.mvt?date=2017-06-01&layers=control&region={r}"),
        ]
    })
    .collect();
    let answers = run_all(&addr, oversized, 3);
    check(
        "oversized regions",
        &answers,
        |s| (400..500).contains(&s),
        &server,
        &sampler,
    );
    for a in &answers {
        assert!(
            a.secs < REFUSAL_SECS,
            "{} took {:.1} s to be refused",
            a.path,
            a.secs
        );
    }

    // Regions under the limit, the largest first: grids and maps within their budgets, grid
    // builds throttled (a 503 is a fair answer while others build).
    let large: Vec<String> = ["SAU", "IRN", "EGY", "TUR", "SAU", "IRN,IRQ", "TUR,SYR"]
        .iter()
        .map(|r| format!("/api/area?date=2017-06-01&region={r}"))
        .collect();
    let answers = run_all(&addr, large, 3);
    check(
        "largest regions under the limit",
        &answers,
        |s| s == 200 || s == 503,
        &server,
        &sampler,
    );

    // One tile, every events window, on two dates.
    let windows: Vec<String> = ["2016-06-01", "2017-07-20"]
        .iter()
        .flat_map(|d| {
            (1..=366).map(move |w| format!("/tiles/6/38/25.mvt?date={d}&window_days={w}"))
        })
        .collect();
    let answers = run_all(&addr, windows, 8);
    check(
        "tiles with window_days 1..=366",
        &answers,
        |s| s == 200,
        &server,
        &sampler,
    );

    // 400 distinct known_on times: each is a different view of the observations.
    let start = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").unwrap();
    let known: Vec<String> = (0..400)
        .map(|i| {
            let t = start + chrono::Duration::minutes(97 * i);
            format!(
                "/api/whois?date=2017-06-01&lat=35.95&lon=39.01&known_on={}",
                t.format("%Y-%m-%dT%H:%M:%SZ")
            )
        })
        .chain((0..12).map(|i| {
            let t = start + chrono::Duration::days(3 * i);
            format!(
                "/api/area?date=2017-06-01&known_on={}",
                t.format("%Y-%m-%dT%H:%M:%SZ")
            )
        }))
        .collect();
    let answers = run_all(&addr, known, 8);
    check(
        "400 distinct known_on",
        &answers,
        |s| s == 200 || s == 503,
        &server,
        &sampler,
    );

    // Many distinct dates: area tables, whole maps and their tiles.
    let day0 = chrono::NaiveDate::from_ymd_opt(2014, 1, 1).unwrap();
    let dates: Vec<String> = (0..80)
        .map(|i| format!("/api/area?date={}", day0 + chrono::Duration::days(17 * i)))
        .chain((0..16).flat_map(|i| {
            let d = day0 + chrono::Duration::days(83 * i);
            [
                format!("/api/control?date={d}"),
                format!("/tiles/6/38/25.mvt?date={d}"),
                format!("/tiles/7/77/51.mvt?date={d}"),
            ]
        }))
        .collect();
    let answers = run_all(&addr, dates, 6);
    check(
        "many distinct dates",
        &answers,
        |s| s == 200 || s == 503,
        &server,
        &sampler,
    );

    // Every event as a GeoPackage, eight at a time, twice.
    let exports: Vec<String> = (0..16)
        .map(|_| "/api/export/events?format=gpkg".to_owned())
        .collect();
    let answers = run_all(&addr, exports, 8);
    check(
        "8 concurrent GeoPackage exports of the events",
        &answers,
        |s| s == 200 || s == 503,
        &server,
        &sampler,
    );
    assert!(
        answers
            .iter()
            .any(|a| a.status == 200 && a.bytes > 1_000_000),
        "at least one export is served whole: {:?}",
        answers
            .iter()
            .map(|a| (a.status, a.bytes))
            .collect::<Vec<_>>()
    );

    // The server still answers, and quickly, after all of it.
    let health = get(&addr, "/health");
    assert_eq!(health.status, 200);
    let (_, hwm) = Server::rss_mb(server.child.id()).unwrap();
    eprintln!("peak resident set over every mix: {hwm} MiB (VmHWM), ceiling {CEILING_MB} MiB");
}
