//! Trends and spread of one actor over time: per step, its events by type, fatalities, how many
//! countries, provinces and H3 res-4 cells its attacks touched, how many of its attacks fell
//! outside the territory it held, and its km² — so that "attacks spread while territory shrinks"
//! can be seen or refuted in one table.
//!
//! Definitions:
//! - the actor's *events*: events with the actor on either side;
//! - its *attacks*: events with the actor on side A (the initiator in ACLED; the perpetrator of
//!   one-sided violence in UCDP), plus battles with it on either side (UCDP lists the government
//!   as side A of state-based battles even when the other side attacked);
//! - an attack is *outside its territory* when the cell holding the attack's location was held by
//!   another actor or unassessed at the step's end; attacks located only to a province or country
//!   centroid are not judged (`attacks_located` says how many were);
//! - an event counts in a step when its whole date period lies inside the step; events that only
//!   overlap it (a year-precision UCDP row against a monthly step) are counted as `imprecise`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, Months, NaiveDate};
use h3o::{LatLng, Resolution};

use super::{AnalysisError, Territory};
use crate::{ActorId, Event, EventType, LatLon, LocationPrecision};

/// A step length: `14d`, `2w`, `1mo`, `1y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepSize {
    Days(u32),
    Months(u32),
}

impl std::str::FromStr for StepSize {
    type Err = AnalysisError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (n, unit) = t.split_at(split);
        let n: u32 = n.parse().map_err(|_| {
            AnalysisError::Parameter(format!("step {s:?}: expected e.g. 14d, 2w, 1mo, 1y"))
        })?;
        if n == 0 {
            return Err(AnalysisError::EmptyStep);
        }
        match unit {
            "d" | "day" | "days" => Ok(Self::Days(n)),
            "w" | "wk" | "week" | "weeks" => Ok(Self::Days(7 * n)),
            "mo" | "m" | "month" | "months" => Ok(Self::Months(n)),
            "y" | "yr" | "year" | "years" => Ok(Self::Months(12 * n)),
            _ => Err(AnalysisError::Parameter(format!(
                "step {s:?}: unit must be d, w, mo or y"
            ))),
        }
    }
}

impl std::fmt::Display for StepSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Self::Days(n) if n % 7 == 0 => write!(f, "{}w", n / 7),
            Self::Days(n) => write!(f, "{n}d"),
            Self::Months(n) if n % 12 == 0 => write!(f, "{}y", n / 12),
            Self::Months(n) => write!(f, "{n}mo"),
        }
    }
}

impl StepSize {
    /// The day after a step starting on `from` ends.
    pub fn advance(self, from: NaiveDate) -> NaiveDate {
        match self {
            Self::Days(n) => from + Duration::days(i64::from(n)),
            Self::Months(n) => from
                .checked_add_months(Months::new(n))
                .expect("dates stay in range"),
        }
    }
}

/// An inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Step {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Step {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

/// Consecutive steps from `from` to `to` (the last one cut at `to`).
pub fn steps(from: NaiveDate, to: NaiveDate, size: StepSize) -> Result<Vec<Step>, AnalysisError> {
    if from > to {
        return Err(AnalysisError::Period { from, to });
    }
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let next = size.advance(start);
        out.push(Step {
            from: start,
            to: (next - Duration::days(1)).min(to),
        });
        start = next;
    }
    Ok(out)
}

/// One step of an actor's trend.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrendRow {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Occurrences with the actor as a party, by event type.
    pub events_by_type: BTreeMap<EventType, u32>,
    pub events: u32,
    pub attacks: u32,
    /// Best-estimate fatalities of the actor's events.
    pub fatalities: u32,
    pub countries: usize,
    /// Distinct provinces with its attacks (only where province outlines are known).
    pub provinces: usize,
    /// Distinct H3 resolution-4 cells (≈ 1,770 km²) with its attacks: spread independent of
    /// administrative boundaries.
    pub cells_r4: usize,
    /// Attacks located to the district or better.
    pub attacks_located: u32,
    /// Of those, attacks in cells not held by the actor at the step's end (`None` without a
    /// control estimate for the step).
    pub attacks_outside: Option<u32>,
    /// km² held at the step's end (`None` without a control estimate).
    pub km2: Option<f64>,
    /// Events of the actor overlapping the step whose date is too coarse to place in it.
    pub imprecise: u32,
}

/// True when `actor` is a party to the event.
pub fn is_party(e: &Event, actor: &ActorId) -> bool {
    e.side_a
        .iter()
        .chain(&e.side_b)
        .any(|p| p.actor.as_ref() == Some(actor))
}

/// True when the event counts as an attack by `actor` (see the module notes).
pub fn is_attack(e: &Event, actor: &ActorId) -> bool {
    e.side_a.iter().any(|p| p.actor.as_ref() == Some(actor))
        || (e.event_type == EventType::Battle && is_party(e, actor))
}

/// The actor's trend over `steps`. `territory(i)` is the control estimate at the end of step
/// `i` (if one was made); `province(p)` names the province containing a point, if known.
pub fn trend<'t>(
    events: &[Event],
    actor: &ActorId,
    steps: &[Step],
    territory: impl Fn(usize) -> Option<&'t Territory>,
    province: impl Fn(LatLon) -> Option<String>,
) -> Vec<TrendRow> {
    let mut rows: Vec<TrendRow> = steps
        .iter()
        .map(|s| TrendRow {
            from: s.from,
            to: s.to,
            ..TrendRow::default()
        })
        .collect();
    let mut countries: Vec<BTreeSet<String>> = vec![BTreeSet::new(); steps.len()];
    let mut provinces: Vec<BTreeSet<String>> = vec![BTreeSet::new(); steps.len()];
    let mut cells: Vec<BTreeSet<h3o::CellIndex>> = vec![BTreeSet::new(); steps.len()];
    let terr: Vec<Option<&Territory>> = (0..steps.len()).map(&territory).collect();
    for (i, t) in terr.iter().enumerate() {
        if let Some(t) = t {
            rows[i].km2 = Some(t.area_by_actor().get(actor).copied().unwrap_or(0.0));
            rows[i].attacks_outside = Some(0);
        }
    }
    for e in events.iter().filter(|e| is_party(e, actor)) {
        let (first, last) = (e.date.first_day(), e.date.last_day());
        // Steps are sorted and disjoint: find the one holding the first day.
        let Some(i) = steps.iter().position(|s| s.contains(first)) else {
            for (k, s) in steps.iter().enumerate() {
                if first <= s.to && last >= s.from {
                    rows[k].imprecise += 1;
                }
            }
            continue;
        };
        if !steps[i].contains(last) {
            for (k, s) in steps.iter().enumerate() {
                if first <= s.to && last >= s.from {
                    rows[k].imprecise += 1;
                }
            }
            continue;
        }
        let row = &mut rows[i];
        *row.events_by_type.entry(e.event_type).or_insert(0) += e.count;
        row.events += e.count;
        row.fatalities += e.fatalities.map_or(0, |f| f.best());
        if !is_attack(e, actor) {
            continue;
        }
        row.attacks += e.count;
        if let Some(c) = &e.country {
            countries[i].insert(c.clone());
        }
        if e.location_precision <= LocationPrecision::District {
            row.attacks_located += e.count;
            if let Ok(ll) = LatLng::new(e.location.lat(), e.location.lon()) {
                cells[i].insert(ll.to_cell(Resolution::Four));
            }
            if let Some(p) = province(e.location) {
                provinces[i].insert(p);
            }
            if let (Some(t), Some(out)) = (terr[i], row.attacks_outside.as_mut()) {
                let holder = t.at(e.location).map(|c| c.actor.as_ref());
                // Outside the region: not judged. Unassessed or another actor: outside.
                if let Some(h) = holder {
                    if h != Some(actor) {
                        *out += e.count;
                    }
                }
            }
        }
    }
    for (i, row) in rows.iter_mut().enumerate() {
        row.countries = countries[i].len();
        row.provinces = provinces[i].len();
        row.cells_r4 = cells[i].len();
    }
    rows
}

/// The last day of the month containing `d` (handy for monthly control estimates).
pub fn month_end(d: NaiveDate) -> NaiveDate {
    let first = d.with_day(1).expect("day 1 exists");
    first.checked_add_months(Months::new(1)).expect("in range") - Duration::days(1)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use crate::{EventKey, EventParty, Fatalities, ObservedDate, Source};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn ev(
        date: ObservedDate,
        lat: f64,
        lon: f64,
        t: EventType,
        a: &str,
        b: &str,
        dead: u32,
    ) -> Event {
        let party = |s: &str| EventParty {
            name: s.into(),
            actor: ActorId::new(s).ok(),
        };
        Event {
            key: EventKey {
                dataset: "t".into(),
                id: format!("{date}{lat}{lon}{a}{b}"),
            },
            date,
            location: LatLon::new(lat, lon).unwrap(),
            location_precision: LocationPrecision::Exact,
            place: None,
            country: Some(if lon > 42.0 { "IRQ" } else { "SYR" }.into()),
            event_type: t,
            side_a: vec![party(a)],
            side_b: vec![party(b)],
            fatalities: Some(Fatalities::exact(dead)),
            count: 1,
            source: Source::default(),
        }
    }

    #[test]
    fn step_sizes_parse_and_cut() {
        assert_eq!("14d".parse::<StepSize>().unwrap(), StepSize::Days(14));
        assert_eq!("2w".parse::<StepSize>().unwrap(), StepSize::Days(14));
        assert_eq!("1mo".parse::<StepSize>().unwrap(), StepSize::Months(1));
        assert_eq!("1y".parse::<StepSize>().unwrap(), StepSize::Months(12));
        assert!("0d".parse::<StepSize>().is_err());
        assert!("3x".parse::<StepSize>().is_err());
        let s = steps(d(2016, 1, 31), d(2016, 4, 15), StepSize::Months(1)).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].from, s[0].to), (d(2016, 1, 31), d(2016, 2, 28)));
        assert_eq!(s[2].to, d(2016, 4, 15));
        assert!(steps(d(2016, 2, 1), d(2016, 1, 1), StepSize::Days(1)).is_err());
    }

    #[test]
    fn rows_count_types_spread_and_outside_attacks() {
        let is = "islamic-state";
        let day = |m, dd| ObservedDate::day(d(2017, m, dd));
        let events = vec![
            ev(
                day(1, 5),
                35.33,
                40.14,
                EventType::Battle,
                "syrian-government",
                is,
                10,
            ),
            ev(
                day(1, 9),
                36.34,
                43.13,
                EventType::ViolenceAgainstCivilians,
                is,
                "civilians",
                3,
            ),
            ev(
                day(2, 1),
                35.95,
                39.01,
                EventType::AirStrike,
                "us-led-coalition",
                is,
                2,
            ),
            ev(
                ObservedDate::year(2017).unwrap(),
                35.0,
                40.0,
                EventType::Battle,
                is,
                "sdf",
                1,
            ),
            ev(day(1, 7), 35.0, 40.0, EventType::Battle, "sdf", "hts", 1),
        ];
        let s = steps(d(2017, 1, 1), d(2017, 2, 28), StepSize::Months(1)).unwrap();
        // In January IS holds the cells around Mosul, the government Deir ez-Zor.
        let jan = Territory::new(
            [cell_at(36.34, 43.13, 7)]
                .into_iter()
                .map(|c| held(c, Some(is)))
                .chain([held(cell_at(35.33, 40.14, 7), Some("syrian-government"))]),
        )
        .unwrap();
        let rows = trend(
            &events,
            &actor(is),
            &s,
            |i| (i == 0).then_some(&jan),
            |_| None,
        );
        let r = &rows[0];
        assert_eq!(r.events, 2);
        assert_eq!(r.attacks, 2);
        assert_eq!(r.fatalities, 13);
        assert_eq!(r.countries, 2);
        assert_eq!(r.cells_r4, 2);
        assert_eq!(r.attacks_outside, Some(1));
        assert_eq!(r.imprecise, 1);
        assert!(r.km2.unwrap() > 4.0);
        let f = &rows[1];
        // An air strike on IS is its event but not its attack.
        assert_eq!((f.events, f.attacks, f.fatalities), (1, 0, 2));
        assert_eq!(f.events_by_type[&EventType::AirStrike], 1);
        assert_eq!(f.attacks_outside, None);
        assert_eq!(f.imprecise, 1);
    }
}
