//! Unit tests of the estimator on small synthetic inputs.

use super::*;
use crate::{ObservationKey, ObservedDate, Source};
use chrono::{DateTime, Utc};

pub(crate) fn obs(key: &str, lat: f64, lon: f64, actor: &str, date: &str) -> Observation {
    Observation {
        key: ObservationKey::new(key).unwrap(),
        label: Some(key.to_owned()),
        footprint: Footprint::Point(LatLon::new(lat, lon).unwrap()),
        feature: FeatureType::Town,
        actor: ActorId::new(actor).unwrap(),
        actor2: None,
        status: ControlStatus::Held,
        observed: ObservedDate::parse(date).unwrap(),
        source: Source::default(),
        evidence: Vec::new(),
        grading: None,
        analyst: None,
        note: None,
        recorded_at: DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap(),
    }
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn latest_observation_decides_and_later_ones_speak_back() {
    let o = vec![
        obs("a1", 35.0, 40.0, "islamic-state", "2014-06-10"),
        obs("a2", 35.0, 40.0, "sdf", "2016-06-10"),
    ];
    let prep = Prepared::new(&o, &Params::default());
    assert_eq!(prep.timelines().len(), 1, "same point, one place");
    let at = |date: &str| prep.on(d(date)).states[0].state.clone();
    // Before anything: the earliest observation speaks back, weakly.
    let s = at("2014-01-01");
    assert_eq!((s.actor.as_str(), s.basis), ("islamic-state", Basis::Later));
    // Between two disagreeing observations: the nearer one in time wins.
    assert_eq!(at("2014-08-01").actor.as_str(), "islamic-state");
    assert_eq!(at("2016-05-01").actor.as_str(), "sdf");
    assert_eq!(at("2016-05-01").basis, Basis::Changed);
    // Confidence falls with age.
    assert!(at("2016-07-01").confidence > at("2018-07-01").confidence);
}

#[test]
fn agreeing_observations_bracket_a_date_with_high_confidence() {
    let o = vec![
        obs("a1", 35.0, 40.0, "sdf", "2015-01-01"),
        obs("a2", 35.0, 40.0, "sdf", "2017-01-01"),
    ];
    let prep = Prepared::new(&o, &Params::default());
    let s = prep.on(d("2016-01-01")).states[0].state.clone();
    assert_eq!(s.basis, Basis::Bracketed);
    let alone = Prepared::new(&o[..1], &Params::default());
    assert!(s.confidence > alone.on(d("2016-01-01")).states[0].state.confidence);
}

#[test]
fn a_front_line_runs_between_opposing_places() {
    // Two villages 6 km apart: the point 2 km from A is A's; 2 km from B is B's.
    let o = vec![
        obs("a", 35.0, 40.0, "islamic-state", "2017-07"),
        obs("b", 35.0, 40.066, "sdf", "2017-07"),
    ];
    let prep = Prepared::new(&o, &Params::default());
    let day = prep.on(d("2017-07-20"));
    let near_a = day.at(LatLon::new(35.0, 40.022).unwrap());
    let near_b = day.at(LatLon::new(35.0, 40.044).unwrap());
    assert_eq!(near_a.actor.unwrap().as_str(), "islamic-state");
    assert_eq!(near_b.actor.unwrap().as_str(), "sdf");
    // Far away: nobody reaches, unassessed.
    let far = day.at(LatLon::new(35.5, 40.0).unwrap());
    assert!(far.actor.is_none());
}

#[test]
fn a_recorded_change_does_not_speak_for_earlier_dates() {
    let mut change = obs("c", 35.0, 40.0, "syrian-government", "2016-03-27");
    change.note = Some("recaptured (from Islamic State)".into());
    let o = vec![obs("a", 35.0, 40.0, "islamic-state", "2015-05-21"), change];
    let prep = Prepared::new(&o, &Params::default());
    let s = prep.on(d("2016-02-01")).states[0].state.clone();
    assert_eq!(
        (s.actor.as_str(), s.basis),
        ("islamic-state", Basis::Latest)
    );
    assert_eq!(
        prep.on(d("2016-04-01")).states[0].state.actor.as_str(),
        "syrian-government"
    );
    // Alone, a change says nothing about earlier dates.
    let alone = Prepared::new(&o[1..], &Params::default());
    assert!(alone.on(d("2016-02-01")).states.is_empty());
}
