//! Shared fixtures of the server tests: a database holding the bundled Syria boundary and the
//! bundled Wikipedia snapshot of Syria (mapped through `marks.csv`), tokens for each role, and
//! helpers to call the router without a socket.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{NaiveDate, Utc};
use frontline::server::{router, AppState, Options};
use frontline_core::{
    Actor, ActorId, AoiKind, AreaOfInterest, Colour, ControlStatus, Event, EventKey, EventParty,
    EventType, Fatalities, FeatureType, Footprint, Grading, LatLon, LocationPrecision, Observation,
    ObservationKey, ObservedDate, Place, PlaceId, Population, Source,
};
use frontline_store::auth::Role;
use frontline_store::NewEvent;
use frontline_store::{Editor, ImportBatch, Store};
use http_body_util::BodyExt;
use std::path::{Path, PathBuf};
use tower::ServiceExt;

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

/// The day the fixture's snapshot speaks for.
pub fn snapshot_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2017, 6, 1).unwrap()
}

pub struct Fixture {
    /// Removed when the fixture is dropped (`None` for a shared fixture kept for the run).
    pub dir: Option<tempfile::TempDir>,
    pub db: PathBuf,
    pub viewer: String,
    pub analyst: String,
    pub admin: String,
}

fn actor(id: &str) -> Actor {
    let colour = match id {
        "islamic-state" => Colour::rgb(0, 0, 0),
        "sdf" => Colour::rgb(230, 200, 40),
        "syrian-government" => Colour::rgb(220, 60, 60),
        "syrian-opposition" => Colour::rgb(60, 160, 60),
        "hts" => Colour::rgb(120, 120, 120),
        _ => Colour::rgb(60, 100, 200),
    };
    Actor::new(ActorId::new(id).unwrap(), id, vec![], colour, None).unwrap()
}

/// Syria's boundary from the bundled Natural Earth file.
fn syria() -> AreaOfInterest {
    let text = std::fs::read_to_string(
        data_dir().join("boundaries/ne_50m_admin_0_countries_mideast.geojson"),
    )
    .unwrap();
    let fc: geojson::FeatureCollection = text.parse().unwrap();
    let f = fc
        .features
        .into_iter()
        .find(|f| f.property("ADM0_A3").and_then(|v| v.as_str()) == Some("SYR"))
        .unwrap();
    let geom: geo::Geometry<f64> = f.geometry.unwrap().try_into().unwrap();
    let mp = match geom {
        geo::Geometry::MultiPolygon(mp) => mp,
        geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
        other => panic!("unexpected {other:?}"),
    };
    AreaOfInterest::new(
        "SYR",
        "Syria",
        AoiKind::Country,
        Some("SYR".into()),
        mp,
        "Natural Earth",
    )
    .unwrap()
}

/// The Syria snapshot's marks with an actor in marks.csv, as observations dated
/// [`snapshot_date`].
fn snapshot() -> Vec<Observation> {
    let mut marks = csv::Reader::from_path(data_dir().join("control/marks.csv")).unwrap();
    let marks: Vec<(String, String, String, String)> = marks
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[0] == "syria")
        .map(|r| {
            (
                r[1].to_owned(),
                r[2].to_owned(),
                r[3].to_owned(),
                r[4].to_owned(),
            )
        })
        .collect();
    let mut rows = csv::Reader::from_path(data_dir().join("control/wiki_syria_2017.csv")).unwrap();
    let mut out = Vec::new();
    for (line, r) in rows.records().enumerate() {
        let r = r.unwrap();
        let (Ok(lat), Ok(lon)) = (r[0].parse::<f64>(), r[1].parse::<f64>()) else {
            continue;
        };
        let Ok(point) = LatLon::new(lat, lon) else {
            continue;
        };
        let mark = &r[2];
        let Some(m) = marks
            .iter()
            .filter(|m| mark.starts_with(m.0.as_str()))
            .max_by_key(|m| m.0.len())
        else {
            continue;
        };
        let suffix = mark[m.0.len()..].trim_start_matches('_');
        let suffix = suffix.split('.').next().unwrap_or("");
        let feature = suffix.parse::<FeatureType>().unwrap_or(FeatureType::Town);
        out.push(Observation {
            key: ObservationKey::new(&format!("wiki-syria:{}", line + 2)).unwrap(),
            label: Some(r[3].to_owned()).filter(|l| !l.is_empty()),
            footprint: Footprint::Point(point),
            feature,
            actor: ActorId::new(&m.1).unwrap(),
            actor2: (!m.2.is_empty()).then(|| ActorId::new(&m.2).unwrap()),
            status: m.3.parse::<ControlStatus>().unwrap(),
            observed: ObservedDate::day(snapshot_date()),
            source: Source {
                citation: "Wikipedia, Module:Syrian Civil War detailed map".into(),
                url: None,
            },
            evidence: vec![],
            grading: Some("B2".parse::<Grading>().unwrap()),
            analyst: None,
            note: None,
            recorded_at: Utc::now(),
        });
    }
    out
}

/// Air strikes on Raqqa in May 2017 (one a day, three on the 20th), as the bundled
/// compilations report them.
fn events() -> Vec<NewEvent> {
    (1..=31)
        .map(|day| {
            let date = NaiveDate::from_ymd_opt(2017, 5, day).unwrap();
            NewEvent {
                event: Event {
                    key: EventKey {
                        dataset: "test".into(),
                        id: format!("raqqa-{day}"),
                    },
                    date: ObservedDate::day(date),
                    location: LatLon::new(35.95, 39.01).unwrap(),
                    location_precision: LocationPrecision::Near,
                    place: Some("Raqqa".into()),
                    country: Some("SYR".into()),
                    event_type: EventType::AirStrike,
                    side_a: vec![EventParty {
                        name: "US-led coalition".into(),
                        actor: None,
                    }],
                    side_b: vec![EventParty {
                        name: "Islamic State".into(),
                        actor: Some(ActorId::new("islamic-state").unwrap()),
                    }],
                    fatalities: Some(Fatalities::exact(if day == 20 { 12 } else { 1 })),
                    count: if day == 20 { 3 } else { 1 },
                    source: Source {
                        citation: "test compilation".into(),
                        url: None,
                    },
                },
                duplicate_of: None,
            }
        })
        .collect()
}

/// Two settlements with populations (Raqqa, Aleppo) and a second spelling of Raqqa that the
/// gazetteer deduplication must not count twice.
fn places() -> Vec<Place> {
    let mk = |id: &str, name: &str, lat: f64, lon: f64, pop: u64| {
        let mut p = Place::new(
            PlaceId::new("test", id).unwrap(),
            name,
            LatLon::new(lat, lon).unwrap(),
            "SYR",
        )
        .unwrap();
        p.population = Some(Population {
            count: pop,
            source: "test".into(),
            year: Some(2004),
        });
        p
    };
    vec![
        mk("1", "Raqqa", 35.95, 39.01, 220_488),
        mk("2", "Ar Raqqah", 35.9501, 39.0101, 220_488),
        mk("3", "Aleppo", 36.2, 37.16, 2_132_100),
    ]
}

impl Fixture {
    /// A fixture in its own temporary folder.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("frontline.db");
        let mut fx = Self::at(db);
        fx.dir = Some(dir);
        fx
    }

    /// A fixture under cargo's test scratch folder, replaced on every run: for a fixture shared
    /// by the tests of one binary through a `static`, which is never dropped.
    pub fn shared(name: &str) -> Self {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self::at(dir.join("frontline.db"))
    }

    fn at(db: PathBuf) -> Self {
        let store = Store::open(&db).unwrap();
        let ids = [
            "syrian-government",
            "sdf",
            "syrian-opposition",
            "hts",
            "islamic-state",
            "turkey",
        ];
        store
            .import(ImportBatch {
                kind: "test".into(),
                file_name: "fixture".into(),
                sha256: "0".repeat(64),
                actors: ids.iter().map(|i| actor(i)).collect(),
                observations: snapshot(),
                areas: vec![syria()],
                events: events(),
                places: places(),
                ..Default::default()
            })
            .unwrap();
        let setup = Editor {
            token_id: None,
            who: "fixture".into(),
            role: "admin".into(),
        };
        let token = |role, label| store.create_token(role, label, &setup).unwrap().1;
        Self {
            viewer: token(Role::Viewer, "reader"),
            analyst: token(Role::Analyst, "amira"),
            admin: token(Role::Admin, "root"),
            dir: None,
            db,
        }
    }

    pub fn options(&self, public: bool) -> Options {
        Options {
            public,
            // A coarser grid than the server's default keeps the debug-build tests quick.
            resolution: 6,
            ..Options::new(&self.db)
        }
    }

    pub fn app(&self, public: bool) -> axum::Router {
        let opts = self.options(public);
        router(AppState::open(&opts).unwrap(), &opts)
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    /// The message of an error reply, checking the error shape.
    pub fn error(&self) -> String {
        let j = self.json();
        assert_eq!(j["error"]["status"], self.status.as_u16(), "{j}");
        j["error"]["message"].as_str().unwrap().to_owned()
    }
}

pub async fn send(app: &axum::Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

pub fn get(uri: &str, token: Option<&str>) -> Request<Body> {
    let mut b = Request::get(uri);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.body(Body::empty()).unwrap()
}

pub fn with_json(method: &str, uri: &str, token: Option<&str>, body: &str) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.body(Body::from(body.to_owned())).unwrap()
}
