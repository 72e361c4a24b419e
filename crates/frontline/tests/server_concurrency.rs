//! Many analysts writing at once through the HTTP API while `frontline import` writes into the
//! same database file: every write waits its turn instead of failing ("database is locked"
//! used to answer 10-22 % of such writes with a 500, and the import failed at once), and every
//! acknowledged write is in the database afterwards.

mod server_support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use frontline_core::ObservationKey;
use server_support::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const WRITERS: usize = 8;
/// Each writer makes at least this many (create, correct) pairs, and goes on until the import
/// has finished, so that the import runs while they write.
const MIN_ROUNDS: usize = 6;

fn observation(n: usize, actor: &str) -> String {
    serde_json::json!({
        "label": format!("post {n}"),
        "geometry": {"type": "Point", "coordinates": [38.0 + n as f64 * 0.001, 35.5]},
        "feature": "base",
        "actor": actor,
        "status": "held",
        "observed": "2017-05-30",
        "source": "concurrency test",
    })
    .to_string()
}

/// One acknowledged write: the key, the version the API answered and the actor it holds.
type Ack = (String, u32, String);

async fn writer(
    app: axum::Router,
    token: String,
    id: usize,
    import_done: Arc<AtomicBool>,
) -> (Vec<Ack>, Vec<(StatusCode, String)>) {
    let mut acks = Vec::new();
    let mut failures = Vec::new();
    let mut round = 0;
    while round < MIN_ROUNDS || !import_done.load(Ordering::Acquire) {
        let n = id * 1000 + round;
        let r = send(
            &app,
            with_json(
                "POST",
                "/api/observations",
                Some(&token),
                &observation(n, "sdf"),
            ),
        )
        .await;
        if r.status != StatusCode::CREATED {
            failures.push((r.status, String::from_utf8_lossy(&r.body).into_owned()));
            round += 1;
            continue;
        }
        let key = r.json()["id"].as_str().unwrap().to_owned();
        acks.push((key.clone(), 1, "sdf".to_owned()));
        let put = Request::put(format!("/api/observations/{key}"))
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .header("if-match", "\"1\"")
            .body(Body::from(observation(n, "turkey")))
            .unwrap();
        let r = send(&app, put).await;
        if r.status == StatusCode::OK {
            acks.push((key, 2, "turkey".to_owned()));
        } else {
            failures.push((r.status, String::from_utf8_lossy(&r.body).into_owned()));
        }
        round += 1;
    }
    (acks, failures)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_writers_and_an_import_at_once_all_succeed_and_every_acknowledged_write_is_kept() {
    let fx = Fixture::new();
    let opts = frontline::server::Options {
        pool_size: WRITERS,
        ..fx.options(false)
    };
    let app = frontline::server::router(frontline::server::AppState::open(&opts).unwrap(), &opts);
    let import_done = Arc::new(AtomicBool::new(false));

    // `frontline import` in its own process, on the same file, while the writers write.
    let db = fx.db.clone();
    let done = Arc::clone(&import_done);
    let import = std::thread::spawn(move || {
        let steps = [
            ("actors", "actors.csv"),
            (
                "airstrikes",
                "events/coalition_airstrikes_guardian_2014_2016.csv",
            ),
            (
                "airstrikes",
                "events/coalition_airstrikes_iraq_syria_2014_2015_informeren.csv",
            ),
        ];
        let mut outputs = Vec::new();
        for (kind, file) in steps {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontline"))
                .arg("--db")
                .arg(&db)
                .args(["import", kind])
                .arg(data_dir().join(file))
                .output()
                .expect("the frontline binary runs");
            let ok = out.status.success();
            outputs.push(out);
            if !ok {
                break;
            }
        }
        done.store(true, Ordering::Release);
        outputs
    });

    let t0 = std::time::Instant::now();
    let tasks: Vec<_> = (0..WRITERS)
        .map(|id| {
            tokio::spawn(writer(
                app.clone(),
                fx.analyst.clone(),
                id,
                Arc::clone(&import_done),
            ))
        })
        .collect();
    let mut acks = Vec::new();
    let mut failures = Vec::new();
    for t in tasks {
        let (a, f) = t.await.unwrap();
        acks.extend(a);
        failures.extend(f);
    }
    let outputs = import.join().unwrap();
    eprintln!(
        "{} writes acknowledged, {} failed, in {:?}",
        acks.len(),
        failures.len(),
        t0.elapsed()
    );
    for out in &outputs {
        assert!(
            out.status.success(),
            "the import beside the server failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(outputs.len(), 3);
    assert!(
        failures.is_empty(),
        "{} of {} writes failed, e.g. {:?}",
        failures.len(),
        failures.len() + acks.len(),
        &failures[..failures.len().min(3)]
    );
    assert!(acks.len() >= WRITERS * MIN_ROUNDS * 2);

    // Every acknowledged write is stored, as acknowledged; and the import landed too.
    let store = frontline_store::Store::open(&fx.db).unwrap();
    for (key, version, actor) in &acks {
        let history = store
            .observation_history(&ObservationKey::new(key).unwrap())
            .unwrap();
        let v = history
            .iter()
            .find(|v| v.version == *version)
            .unwrap_or_else(|| panic!("{key} version {version} was acknowledged but is missing"));
        assert_eq!(v.observation.actor.as_str(), actor, "{key} v{version}");
    }
    let imports = store.imports().unwrap();
    assert_eq!(imports.iter().filter(|i| i.kind == "airstrikes").count(), 2);
}
