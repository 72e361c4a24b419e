//! End to end: the built binary serves a database on a free port; a token made with
//! `frontline token create` posts an observation and the map read back has changed. Then GDAL,
//! the library QGIS uses, reads the OGC API – Features collections (skipped with a notice when
//! `ogrinfo` is not installed; CI installs gdal-bin).

mod server_support;

use server_support::Fixture;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

/// The server process, killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn frontline(db: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_frontline"));
    c.arg("--db").arg(db);
    c
}

fn start(fx: &Fixture, extra: &[&str]) -> Server {
    let mut child = frontline(&fx.db)
        .args(["serve", "--bind", "127.0.0.1:0", "--resolution", "6"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
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
    Server { child, addr }
}

/// A minimal HTTP/1.1 client (one request per connection), enough for these tests.
fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    let body = body.unwrap_or("");
    if !body.is_empty() {
        req.push_str("Content-Type: application/json\r\n");
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_owned()
    };
    (status, body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

fn area_of(addr: &str, token: &str, actor: &str) -> f64 {
    let (status, body) = http(addr, "GET", "/api/area?date=2017-06-01", Some(token), None);
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["actor"] == actor)
        .map_or(0.0, |r| r["area_km2"].as_f64().unwrap())
}

#[test]
fn a_token_from_the_cli_posts_an_observation_and_the_map_changes() {
    let fx = Fixture::new();
    let out = frontline(&fx.db)
        .args(["token", "create", "--role", "analyst", "--label", "e2e"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("fl_"), "{token:?}");

    let server = start(&fx, &[]);
    let (status, _) = http(&server.addr, "GET", "/health", None, None);
    assert_eq!(status, 200);
    let (status, _) = http(
        &server.addr,
        "GET",
        "/api/control?date=2017-06-01",
        None,
        None,
    );
    assert_eq!(status, 401, "reads need a token without --public");

    // A Turkish-held town in the empty desert east of Palmyra, far from every observation:
    // before, nobody holds Turkey-coloured ground there.
    let before = area_of(&server.addr, &token, "turkey");
    let obs = r#"{"label": "E2E test post", "geometry": {"type": "Point", "coordinates": [39.2, 34.4]},
        "actor": "turkey", "status": "held", "observed": "2017-05-20",
        "source": "end-to-end test", "grading": "B2"}"#;
    let (status, body) = http(
        &server.addr,
        "POST",
        "/api/observations",
        Some(&token),
        Some(obs),
    );
    assert_eq!(status, 201, "{body}");
    let after = area_of(&server.addr, &token, "turkey");
    assert!(
        after > before + 10.0,
        "turkey held {before} km², after the post {after} km²"
    );
    let (status, body) = http(
        &server.addr,
        "GET",
        "/api/whois?date=2017-06-01&lat=34.4&lon=39.2",
        Some(&token),
        None,
    );
    assert_eq!(status, 200);
    assert!(body.contains("\"turkey\""), "{body}");
}

fn ogrinfo() -> Option<()> {
    match Command::new("ogrinfo").arg("--version").output() {
        Ok(o) if o.status.success() => Some(()),
        _ => {
            assert!(
                std::env::var_os("FRONTLINE_REQUIRE_GDAL").is_none(),
                "FRONTLINE_REQUIRE_GDAL is set but ogrinfo cannot be run"
            );
            println!("NOTICE: ogrinfo (gdal-bin) is not installed: the GDAL client check is skipped. Install it with apt-get install -y gdal-bin.");
            None
        }
    }
}

#[test]
fn gdal_lists_and_reads_the_ogc_api_collections() {
    if ogrinfo().is_none() {
        return;
    }
    let fx = Fixture::new();
    let server = start(&fx, &[]);
    let url = format!("OAPIF:http://{}/ogc", server.addr);
    let auth = format!("GDAL_HTTP_HEADERS=Authorization: Bearer {}", fx.viewer);
    let run = |args: &[&str]| {
        let out = Command::new("ogrinfo")
            .args(["--config"])
            .args(auth.split_once('=').map(|(a, b)| [a, b]).unwrap())
            .args(["-ro"])
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "ogrinfo {args:?} failed: {}\n{text}",
            String::from_utf8_lossy(&out.stderr)
        );
        text
    };
    let list = run(&[&url]);
    for c in ["control", "observations", "events"] {
        assert!(list.contains(c), "collection {c} not listed:\n{list}");
    }
    let control = run(&[&url, "control", "-so"]);
    assert!(control.contains("Feature Count"), "{control}");
    assert!(control.contains("area_km2"), "{control}");
    // Reading every feature of a paged collection follows the next links.
    let obs = run(&[&url, "observations", "-so", "-oo", "PAGE_SIZE=500"]);
    let n: usize = obs
        .lines()
        .find_map(|l| l.trim().strip_prefix("Feature Count: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no feature count in {obs}"));
    assert!(n > 1000, "observations: {n} features");
    // The date is chosen in the connection's URL (what docs/server.md tells QGIS users): the
    // query is carried to every items request.
    let dated = |date: &str| {
        let text = run(&[&format!("{url}?datetime={date}"), "control", "-al"]);
        text.lines()
            .filter(|l| l.trim().starts_with("date (Date) ="))
            .map(|l| l.trim().trim_start_matches("date (Date) = ").to_owned())
            .collect::<std::collections::BTreeSet<String>>()
    };
    for date in ["2017-06-01", "2016-02-01"] {
        let want = date.replace('-', "/");
        assert_eq!(
            dated(date),
            std::collections::BTreeSet::from([want]),
            "the features of the {date} map"
        );
    }
    let feats = run(&[&url, "control", "-where", "actor = 'islamic-state'"]);
    assert!(
        feats.contains("MULTIPOLYGON"),
        "no geometry read:\n{}",
        &feats[..feats.len().min(2000)]
    );
}

#[test]
fn writes_by_another_process_show_after_the_poll() {
    use frontline_core::{
        ActorId, ControlStatus, FeatureType, Footprint, LatLon, Observation, ObservationKey,
        ObservedDate, Source,
    };
    let fx = Fixture::new();
    let server = start(&fx, &[]);
    let before = area_of(&server.addr, &fx.viewer, "turkey");
    // Another writer (as `frontline import` would be) adds a Turkish-held place in the desert.
    let store = frontline_store::Store::open(&fx.db).unwrap();
    store
        .add_observation(
            &Observation {
                key: ObservationKey::new("other-process:1").unwrap(),
                label: Some("outpost".into()),
                footprint: Footprint::Point(LatLon::new(34.4, 39.2).unwrap()),
                feature: FeatureType::Base,
                actor: ActorId::new("turkey").unwrap(),
                actor2: None,
                status: ControlStatus::Held,
                observed: ObservedDate::day(chrono::NaiveDate::from_ymd_opt(2017, 5, 20).unwrap()),
                source: Source {
                    citation: "test".into(),
                    url: None,
                },
                evidence: vec![],
                grading: None,
                analyst: None,
                note: None,
                recorded_at: chrono::Utc::now(),
            },
            &frontline_store::Editor {
                token_id: None,
                who: "another process".into(),
                role: "analyst".into(),
            },
        )
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(4500));
    let after = area_of(&server.addr, &fx.viewer, "turkey");
    assert!(
        after > before + 10.0,
        "turkey: {before} km² before, {after} km² after"
    );
}
