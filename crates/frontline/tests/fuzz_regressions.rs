//! Inputs that fuzzing (scripts/fuzz.sh) found to crash the importers or the API, minimised by
//! hand: each must now be refused with a reason, not panic.

use chrono::NaiveDate;
use frontline::import::{parse_input, ImportKind, ImportOptions, Input, Lookups, RejectMode};
use frontline::server::auth::Caller;
use frontline::server::routes::areas::AreaInput;
use frontline::server::routes::observations::ObservationInput;
use frontline_core::ObservationKey;

fn options(rejects: RejectMode) -> ImportOptions {
    ImportOptions {
        rejects,
        today: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        progress: false,
        ..ImportOptions::default()
    }
}

fn lookups() -> Lookups {
    let actors = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/actors.csv"
    ))
    .unwrap();
    let input = Input::from_bytes("actors.csv", actors).unwrap();
    let parsed = parse_input(
        ImportKind::Actors,
        &input,
        &options(RejectMode::Fail),
        &Lookups::default(),
    )
    .unwrap();
    Lookups::from_values(&parsed.batch.actors, &[], [])
}

/// GeoJSON positions with fewer than two numbers (api_json, crash-bdff530e: `[ 35.8]` in a
/// polygon ring) made the geojson crate index out of bounds.
const SHORT_POSITIONS: [&str; 4] = [
    r#"{"type":"Point","coordinates":[35.8]}"#,
    r#"{"type":"Point","coordinates":[]}"#,
    r#"{"type":"Polygon","coordinates":[[[38.5,35.8],[35.8],[38.6,35.9],[38.5,35.8]]]}"#,
    r#"{"type":"MultiPolygon","coordinates":[[[[38.5,35.8],[38.6,35.8],[],[38.5,35.8]]]]}"#,
];

#[test]
fn an_observation_body_with_a_short_position_is_refused_not_a_panic() {
    let caller = Caller {
        token_id: Some(1),
        who: "test".into(),
        role: None,
    };
    for geometry in SHORT_POSITIONS {
        let body = format!(
            r#"{{"geometry":{geometry},"actor":"sdf","observed":"2017-05-10","source":"S"}}"#
        );
        match serde_json::from_str::<ObservationInput>(&body) {
            // Refused while reading the body (geojson checks some positions itself, our
            // conversion the others).
            Err(e) => assert!(e.to_string().contains("two"), "{e}"),
            Ok(input) => {
                let key = ObservationKey::new("api:x").unwrap();
                let today = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
                assert!(input.into_observation(key, &caller, today).is_err());
            }
        }
    }
}

#[test]
fn an_area_body_with_a_short_position_is_refused_not_a_panic() {
    for geometry in &SHORT_POSITIONS[2..] {
        let body = format!(r#"{{"name":"A","source":"S","geometry":{geometry}}}"#);
        let input: AreaInput = serde_json::from_str(&body).unwrap();
        let err = input.into_area("a").unwrap_err();
        assert!(format!("{err:?}").contains("fewer than two"), "{err:?}");
    }
}

#[test]
fn geojson_files_with_a_short_position_reject_that_feature() {
    let lookups = lookups();
    for geometry in SHORT_POSITIONS {
        let obs = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"actor":"sdf","status":"held","date":"2017-05-10","source":"S"}},"geometry":{geometry}}}]}}"#
        );
        let boundaries = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"name":"A","iso_a3":"AAA"}},"geometry":{geometry}}}]}}"#
        );
        for (kind, name, text) in [
            (ImportKind::Observations, "obs.geojson", obs),
            (ImportKind::Boundaries, "areas.geojson", boundaries),
        ] {
            let input = Input::from_bytes(name, text.into_bytes()).unwrap();
            let parsed = parse_input(kind, &input, &options(RejectMode::Collect), &lookups);
            let refused = match parsed {
                Ok(p) => {
                    p.rejects.len() == 1
                        && p.rejects[0].reason.contains("two")
                        && p.batch.observations.is_empty()
                        && p.batch.areas.is_empty()
                }
                Err(e) => e.reason.contains("two"),
            };
            assert!(refused, "{name}: {geometry}");
        }
    }
}
