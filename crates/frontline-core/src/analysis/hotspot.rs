//! Hotspots: zones where events in a window exceed the zone's own baseline ("fighting has been
//! unusually fierce around Deir al-Zour in recent days").
//!
//! # Statistic
//! Zones are H3 cells at a coarser resolution (default 5, ≈ 250 km²) or areas of interest. For
//! each zone with events in the window `[D − w + 1, D]`, the baseline is the same zone's counts in
//! the `B` preceding windows of the same length. With `x` the window's count and `Σ` the
//! baseline total, the baseline rate is `λ = (Σ + 0.5) / B` (the 0.5 keeps a zone with a quiet
//! history from getting λ = 0 and an infinite z-score), and:
//! - `p = P(X ≥ x)` for `X ~ Poisson(λ)`: the one-sided tail probability of seeing at least this
//!   many events if the zone kept its baseline rate;
//! - `z = (x − λ) / √λ`.
//!
//! A zone is a hotspot when `x ≥ min_events` and `p < alpha / zones_tested` (Bonferroni: with
//! hundreds of zones, some would pass an uncorrected 1 % test by chance). Counts are occurrences:
//! an event row standing for 3 strikes counts 3. Fatalities are reported beside them (sum of the
//! best estimates, with the baseline's mean) but do not decide.
//!
//! Only events whose whole date period lies inside one window count: a year-precision event
//! (the bundled UCDP file) cannot be placed in a 14-day window and is reported as excluded.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate};
use h3o::{CellIndex, LatLng, Resolution};

use super::AnalysisError;
use crate::{Event, LatLon};

/// A zone events are counted in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Zone {
    Cell(CellIndex),
    /// An area of interest, by code.
    Area(String),
}

impl Zone {
    pub fn label(&self) -> String {
        match self {
            Self::Cell(c) => c.to_string(),
            Self::Area(code) => code.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HotspotParams {
    /// Window length, days.
    pub window_days: u32,
    /// Number of preceding windows forming the baseline.
    pub baseline_windows: u32,
    /// Family-wise significance level (Bonferroni-corrected over the zones tested).
    pub alpha: f64,
    /// Fewest occurrences in the window for a zone to be reported.
    pub min_events: u32,
}

impl Default for HotspotParams {
    fn default() -> Self {
        Self {
            window_days: 14,
            baseline_windows: 12,
            alpha: 0.01,
            min_events: 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ZoneStat {
    pub zone: Zone,
    /// A representative point of the zone (the cell's centre, or the mean of its events).
    pub centre: LatLon,
    /// Occurrences in the window.
    pub count: u32,
    /// Event rows in the window.
    pub rows: u32,
    pub fatalities: u32,
    /// Occurrences in all the baseline windows together.
    pub baseline_total: u32,
    /// λ, occurrences per window expected from the baseline.
    pub baseline_rate: f64,
    pub baseline_fatalities_mean: f64,
    pub p_value: f64,
    pub z: f64,
    pub hotspot: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HotspotReport {
    pub window: (NaiveDate, NaiveDate),
    pub baseline: (NaiveDate, NaiveDate),
    pub params: HotspotParams,
    /// Zones with at least one event in the window (the tests made).
    pub zones_tested: usize,
    /// The per-test level: `alpha / zones_tested`.
    pub threshold: f64,
    /// Every tested zone, hotspots first, then by p-value.
    pub zones: Vec<ZoneStat>,
    /// Events overlapping the window or the baseline whose date is too coarse to place in one
    /// window (e.g. year-precision UCDP rows).
    pub excluded_imprecise: usize,
}

impl HotspotReport {
    pub fn hotspots(&self) -> impl Iterator<Item = &ZoneStat> {
        self.zones.iter().filter(|z| z.hotspot)
    }
}

/// The zone of an H3 cell at `resolution` containing the event.
pub fn cell_zone(resolution: Resolution) -> impl Fn(&Event) -> Option<Zone> {
    move |e| {
        LatLng::new(e.location.lat(), e.location.lon())
            .ok()
            .map(|ll| Zone::Cell(ll.to_cell(resolution)))
    }
}

/// Test every zone with events in the window ending on `date` against its own baseline.
pub fn hotspots(
    events: &[Event],
    date: NaiveDate,
    params: &HotspotParams,
    zone_of: impl Fn(&Event) -> Option<Zone>,
) -> Result<HotspotReport, AnalysisError> {
    if params.window_days == 0 {
        return Err(AnalysisError::EmptyWindow);
    }
    if params.baseline_windows == 0 {
        return Err(AnalysisError::Parameter(
            "the baseline needs at least one window".into(),
        ));
    }
    let w = i64::from(params.window_days);
    let b = i64::from(params.baseline_windows);
    let win_start = date - Duration::days(w - 1);
    let base_start = win_start - Duration::days(w * b);
    let base_end = win_start - Duration::days(1);
    // window index: 0 = current, k = k-th window before it.
    let index_of = |d: NaiveDate| -> Option<i64> {
        if d > date || d < base_start {
            return None;
        }
        Some((date - d).num_days() / w)
    };
    #[derive(Default)]
    struct Acc {
        now: u32,
        rows: u32,
        fat: u32,
        base: u32,
        base_fat: u64,
        lat: f64,
        lon: f64,
    }
    let mut acc: HashMap<Zone, Acc> = HashMap::new();
    let mut excluded = 0;
    for e in events {
        let (first, last) = (e.date.first_day(), e.date.last_day());
        if last < base_start || first > date {
            continue;
        }
        let (Some(i), Some(j)) = (index_of(first), index_of(last)) else {
            excluded += 1;
            continue;
        };
        if i != j {
            excluded += 1;
            continue;
        }
        let Some(zone) = zone_of(e) else { continue };
        let a = acc.entry(zone).or_default();
        let fat = e.fatalities.map_or(0, |f| f.best());
        if i == 0 {
            a.now += e.count;
            a.rows += 1;
            a.fat += fat;
            a.lat += e.location.lat();
            a.lon += e.location.lon();
        } else {
            a.base += e.count;
            a.base_fat += u64::from(fat);
        }
    }
    let tested: Vec<(Zone, Acc)> = acc.into_iter().filter(|(_, a)| a.rows > 0).collect();
    let zones_tested = tested.len();
    let threshold = if zones_tested > 0 {
        params.alpha / zones_tested as f64
    } else {
        params.alpha
    };
    let mut zones: Vec<ZoneStat> = tested
        .into_iter()
        .map(|(zone, a)| {
            let rate = (f64::from(a.base) + 0.5) / b as f64;
            let p_value = poisson_upper_tail(a.now, rate);
            let z = (f64::from(a.now) - rate) / rate.sqrt();
            let centre = match &zone {
                Zone::Cell(c) => {
                    let ll = LatLng::from(*c);
                    LatLon::new(ll.lat(), ll.lng()).expect("valid H3 centre")
                }
                Zone::Area(_) => LatLon::new(a.lat / f64::from(a.rows), a.lon / f64::from(a.rows))
                    .expect("mean of valid coordinates"),
            };
            ZoneStat {
                hotspot: a.now >= params.min_events && p_value < threshold,
                zone,
                centre,
                count: a.now,
                rows: a.rows,
                fatalities: a.fat,
                baseline_total: a.base,
                baseline_rate: rate,
                baseline_fatalities_mean: a.base_fat as f64 / b as f64,
                p_value,
                z,
            }
        })
        .collect();
    zones.sort_by(|x, y| {
        y.hotspot
            .cmp(&x.hotspot)
            .then(x.p_value.total_cmp(&y.p_value))
            .then(y.count.cmp(&x.count))
            .then(x.zone.cmp(&y.zone))
    });
    Ok(HotspotReport {
        window: (win_start, date),
        baseline: (base_start, base_end),
        params: params.clone(),
        zones_tested,
        threshold,
        zones,
        excluded_imprecise: excluded,
    })
}

/// `P(X ≥ x)` for `X ~ Poisson(λ)`, summed in log space so that tiny tails stay accurate.
pub fn poisson_upper_tail(x: u32, lambda: f64) -> f64 {
    if x == 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    let ln_pmf = |k: u32| -> f64 { f64::from(k) * lambda.ln() - lambda - ln_factorial(k) };
    if f64::from(x) <= lambda {
        // Near the bulk: 1 − P(X < x) is accurate enough.
        let below: f64 = (0..x).map(|k| ln_pmf(k).exp()).sum();
        return (1.0 - below).clamp(0.0, 1.0);
    }
    // Right of the mode the terms fall: sum until they stop mattering.
    let mut total = 0.0;
    let mut k = x;
    loop {
        let t = ln_pmf(k).exp();
        total += t;
        if t < total * 1e-16 || k > x + 10_000 {
            break;
        }
        k += 1;
    }
    total.min(1.0)
}

fn ln_factorial(k: u32) -> f64 {
    (2..=k).map(|i| f64::from(i).ln()).sum()
}

/// Per-zone counts in consecutive windows, oldest first: the series behind a hotspot, for
/// charts and for checking a result by hand.
pub fn zone_series(
    events: &[Event],
    zone: &Zone,
    date: NaiveDate,
    params: &HotspotParams,
    zone_of: impl Fn(&Event) -> Option<Zone>,
) -> BTreeMap<NaiveDate, u32> {
    let w = i64::from(params.window_days.max(1));
    let n = i64::from(params.baseline_windows) + 1;
    let mut out = BTreeMap::new();
    for k in (0..n).rev() {
        let end = date - Duration::days(k * w);
        out.insert(end, 0);
    }
    for e in events {
        if e.date.first_day() != e.date.last_day() {
            continue;
        }
        let d = e.date.first_day();
        if d > date || zone_of(e).as_ref() != Some(zone) {
            continue;
        }
        let k = (date - d).num_days() / w;
        if k < n {
            *out.entry(date - Duration::days(k * w)).or_insert(0) += e.count;
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{EventKey, EventParty, EventType, LocationPrecision, ObservedDate, Source};

    pub fn strike(day: NaiveDate, lat: f64, lon: f64, count: u32, dataset: &str) -> Event {
        Event {
            key: EventKey {
                dataset: dataset.into(),
                id: format!("{day}-{lat}-{lon}-{count}"),
            },
            date: ObservedDate::day(day),
            location: LatLon::new(lat, lon).unwrap(),
            location_precision: LocationPrecision::Exact,
            place: None,
            country: Some("SYR".into()),
            event_type: EventType::AirStrike,
            side_a: vec![EventParty {
                name: "US-led coalition".into(),
                actor: Some(crate::ActorId::new("us-led-coalition").unwrap()),
            }],
            side_b: vec![],
            fatalities: None,
            count,
            source: Source::default(),
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn poisson_tail_matches_hand_values() {
        // P(X >= 1 | λ=1) = 1 − e^-1
        assert!((poisson_upper_tail(1, 1.0) - (1.0 - (-1.0f64).exp())).abs() < 1e-12);
        // P(X >= 3 | λ=0.5) = 1 − e^-0.5 (1 + 0.5 + 0.125)
        let want = 1.0 - (-0.5f64).exp() * 1.625;
        assert!((poisson_upper_tail(3, 0.5) - want).abs() < 1e-12);
        assert_eq!(poisson_upper_tail(0, 3.0), 1.0);
        let tiny = poisson_upper_tail(60, 0.1);
        assert!(tiny > 0.0 && tiny < 1e-100, "{tiny}");
    }

    #[test]
    fn a_burst_over_a_quiet_baseline_is_a_hotspot() {
        let date = d(2015, 9, 30);
        let mut ev = Vec::new();
        // Deir ez-Zor: 1 strike a month in the baseline, 20 in the window.
        for k in 0..6 {
            ev.push(strike(
                d(2015, 3, 1) + Duration::days(30 * k),
                35.33,
                40.14,
                1,
                "g",
            ));
        }
        for k in 0..10 {
            ev.push(strike(date - Duration::days(k), 35.33, 40.14, 2, "g"));
        }
        // Raqqa: steady 4 strikes every 14 days, including the window.
        for k in 0..13 {
            ev.push(strike(date - Duration::days(14 * k), 35.95, 39.01, 4, "g"));
        }
        let r = hotspots(
            &ev,
            date,
            &HotspotParams::default(),
            cell_zone(Resolution::Five),
        )
        .unwrap();
        assert_eq!(r.zones_tested, 2);
        let hot: Vec<_> = r.hotspots().collect();
        assert_eq!(hot.len(), 1);
        assert_eq!(hot[0].count, 20);
        // The baseline is the 168 days from 2015-04-02 to 2015-09-16: it holds the strikes of
        // 30 Apr, 30 May, 29 Jun and 29 Jul, not those of 1 and 31 March.
        assert_eq!(r.baseline, (d(2015, 4, 2), d(2015, 9, 16)));
        assert_eq!(hot[0].baseline_total, 4);
        assert!((hot[0].baseline_rate - 4.5 / 12.0).abs() < 1e-12);
        assert!(hot[0].z > 20.0);
        let raqqa = &r.zones[1];
        assert!(!raqqa.hotspot);
        assert_eq!(raqqa.count, 4);
        assert_eq!(raqqa.baseline_total, 48);
    }

    #[test]
    fn year_precision_events_are_excluded_and_counted() {
        let date = d(2015, 9, 30);
        let mut e = strike(date, 35.33, 40.14, 1, "ucdp");
        e.date = ObservedDate::year(2015).unwrap();
        let r = hotspots(
            &[e],
            date,
            &HotspotParams::default(),
            cell_zone(Resolution::Five),
        )
        .unwrap();
        assert_eq!(r.zones_tested, 0);
        assert_eq!(r.excluded_imprecise, 1);
    }

    #[test]
    fn series_sums_match_the_report() {
        let date = d(2015, 9, 30);
        let ev: Vec<Event> = (0..100)
            .map(|k| strike(date - Duration::days(k * 3), 35.33, 40.14, 1, "g"))
            .collect();
        let p = HotspotParams::default();
        let r = hotspots(&ev, date, &p, cell_zone(Resolution::Five)).unwrap();
        let s = zone_series(&ev, &r.zones[0].zone, date, &p, cell_zone(Resolution::Five));
        assert_eq!(s.len(), 13);
        assert_eq!(*s.values().last().unwrap(), r.zones[0].count);
        let base: u32 = s.values().take(12).sum();
        assert_eq!(base, r.zones[0].baseline_total);
    }
}
