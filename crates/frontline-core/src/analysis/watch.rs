//! The rules behind `frontline watch`: given two states of an area of interest, decide whether
//! an alert fires and give it a stable key, so that the store records each alert once.
//!
//! - **control-change** compares the area's shares on the previous check's date and on the new
//!   date: it fires when the leading actor changes, or when any holder's share moves by at least
//!   `min_pct_points` percentage points.
//! - **activity-spike** fires when the events in the window ending on the date exceed the area's
//!   own baseline by the hotspot test ([`super::hotspot`], one zone, so no Bonferroni division),
//!   unless the same watch already fired for a window that overlaps this one.

use chrono::NaiveDate;
use std::fmt;
use std::str::FromStr;

use super::hotspot::HotspotReport;
use super::share::{Holder, ShareReport};
use super::AnalysisError;

/// What a watch looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trigger {
    ControlChange,
    ActivitySpike,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ControlChange => "control-change",
            Self::ActivitySpike => "activity-spike",
        }
    }
}

impl FromStr for Trigger {
    type Err = AnalysisError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "control-change" => Ok(Self::ControlChange),
            "activity-spike" => Ok(Self::ActivitySpike),
            _ => Err(AnalysisError::Parameter(format!(
                "unknown watch trigger {s:?}: expected control-change or activity-spike"
            ))),
        }
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An alert decided by a rule, before it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertDraft {
    pub trigger: Trigger,
    /// The date the alert is about.
    pub date: NaiveDate,
    /// Stable identity: the same situation gives the same key, so it is stored (and shown) once.
    pub key: String,
    pub message: String,
}

/// Default smallest share movement (percentage points) that counts as a control change.
pub const DEFAULT_MIN_PCT_POINTS: f64 = 1.0;

fn pct(r: &ShareReport, h: &Holder) -> f64 {
    r.rows
        .iter()
        .find(|x| &x.holder == h)
        .map_or(0.0, |x| x.pct)
}

/// Compare the area's shares between two dates.
pub fn control_change(
    aoi: &str,
    before: (NaiveDate, &ShareReport),
    after: (NaiveDate, &ShareReport),
    min_pct_points: f64,
) -> Option<AlertDraft> {
    let (d0, r0) = before;
    let (d1, r1) = after;
    let lead = |r: &ShareReport| r.leader().map(|x| x.holder.clone());
    let (l0, l1) = (lead(r0), lead(r1));
    let mut holders: Vec<Holder> = r0
        .rows
        .iter()
        .chain(&r1.rows)
        .map(|x| x.holder.clone())
        .collect();
    holders.sort();
    holders.dedup();
    let mut moves: Vec<(Holder, f64, f64)> = holders
        .into_iter()
        .filter(|h| *h != Holder::Outside)
        .map(|h| {
            let (a, b) = (pct(r0, &h), pct(r1, &h));
            (h, a, b)
        })
        .filter(|(_, a, b)| (b - a).abs() >= min_pct_points)
        .collect();
    if l0 == l1 && moves.is_empty() {
        return None;
    }
    moves.sort_by(|x, y| {
        (y.2 - y.1)
            .abs()
            .total_cmp(&(x.2 - x.1).abs())
            .then(x.0.cmp(&y.0))
    });
    let detail: Vec<String> = moves
        .iter()
        .map(|(h, a, b)| format!("{} {a:.1} % → {b:.1} %", h.label()))
        .collect();
    let name = |l: &Option<Holder>| {
        l.as_ref()
            .map_or("nobody".to_owned(), |h| h.label().to_owned())
    };
    let head = if l0 != l1 {
        format!(
            "{aoi}: now mostly held by {} (was {})",
            name(&l1),
            name(&l0)
        )
    } else {
        format!("{aoi}: control changed")
    };
    // The key names the dates and the rounded new shares: re-checking the same dates cannot
    // fire again, while a further change later gives a new key.
    let sig: Vec<String> = moves
        .iter()
        .map(|(h, _, b)| format!("{}={b:.0}", h.label()))
        .collect();
    Some(AlertDraft {
        trigger: Trigger::ControlChange,
        date: d1,
        key: format!("control-change:{aoi}:{d0}:{d1}:{}", sig.join(",")),
        message: format!("{head} between {d0} and {d1}: {}", detail.join("; ")),
    })
}

/// Decide an activity spike from a one-zone hotspot report of the area (see
/// [`super::hotspot::hotspots`] with every event in the area mapped to one zone).
/// `last_fired` is the window end of this watch's latest activity alert, if any.
pub fn activity_spike(
    aoi: &str,
    report: &HotspotReport,
    last_fired: Option<NaiveDate>,
) -> Option<AlertDraft> {
    let z = report.zones.first()?;
    if !z.hotspot {
        return None;
    }
    let (from, to) = report.window;
    if last_fired.is_some_and(|d| d >= from && d <= to) {
        return None;
    }
    Some(AlertDraft {
        trigger: Trigger::ActivitySpike,
        date: to,
        key: format!("activity-spike:{aoi}:{from}:{to}"),
        message: format!(
            "{aoi}: {} events {from}…{to} against a baseline of {:.2} per {} days \
             (Poisson P(X ≥ {}) = {:.2e}, z = {:.1}); {} fatalities",
            z.count,
            z.baseline_rate,
            report.params.window_days,
            z.count,
            z.p_value,
            z.z,
            z.fatalities
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::super::hotspot::{hotspots, HotspotParams, Zone};
    use super::super::share::ShareRow;
    use super::super::testutil::actor;
    use super::*;
    use chrono::Duration;

    fn report(rows: &[(&str, f64)]) -> ShareReport {
        ShareReport {
            aoi: "Mosul".into(),
            aoi_km2: 100.0,
            assessed_km2: 100.0,
            cells: 20,
            rows: rows
                .iter()
                .map(|(a, p)| ShareRow {
                    holder: Holder::Actor(actor(a)),
                    km2: *p,
                    pct: *p,
                    pct_of_assessed: Some(*p),
                })
                .collect(),
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn control_change_fires_on_a_new_leader_and_not_on_noise() {
        let a = report(&[("islamic-state", 60.0), ("iraqi-government", 40.0)]);
        let b = report(&[("iraqi-government", 96.1), ("islamic-state", 3.9)]);
        let alert =
            control_change("Mosul", (d(2017, 3, 1), &a), (d(2017, 7, 20), &b), 1.0).unwrap();
        assert!(
            alert
                .message
                .contains("now mostly held by iraqi-government (was islamic-state)"),
            "{}",
            alert.message
        );
        assert_eq!(alert.trigger, Trigger::ControlChange);
        let again =
            control_change("Mosul", (d(2017, 3, 1), &a), (d(2017, 7, 20), &b), 1.0).unwrap();
        assert_eq!(alert.key, again.key);
        let c = report(&[("iraqi-government", 96.5), ("islamic-state", 3.5)]);
        assert!(control_change("Mosul", (d(2017, 7, 20), &b), (d(2017, 7, 21), &c), 1.0).is_none());
    }

    #[test]
    fn activity_spike_fires_once_per_window() {
        use super::super::hotspot::tests::strike;
        let date = d(2015, 9, 30);
        let ev: Vec<_> = (0..10)
            .map(|k| strike(date - Duration::days(k), 35.33, 40.14, 2, "g"))
            .collect();
        let r = hotspots(&ev, date, &HotspotParams::default(), |_| {
            Some(Zone::Area("deir".into()))
        })
        .unwrap();
        let a = activity_spike("Deir ez-Zor", &r, None).unwrap();
        assert!(a.message.contains("20 events"), "{}", a.message);
        assert!(activity_spike("Deir ez-Zor", &r, Some(date)).is_none());
        assert!(activity_spike("Deir ez-Zor", &r, Some(date - Duration::days(20))).is_some());
        assert!("activity-spike".parse::<Trigger>().is_ok());
        assert!("spike".parse::<Trigger>().is_err());
    }
}
