//! The same event reported by two datasets: grouped and shown, never silently dropped.
//!
//! Two events are duplicates when they come from different datasets, are both dated to the same
//! day, lie within `max_km` of each other (geodesic) and have compatible actors (their sets of
//! actor ids intersect, or one of them names none). Duplicates are chained into groups
//! (union–find), each with a primary member (the most precisely located, then the larger count,
//! then the smaller key). Counting a group once takes, per dataset, the sum of its members'
//! counts and keeps the largest, so two datasets that both report "3 strikes on Bayji" count 3.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use geo::{Distance, Geodesic};

use crate::{ActorId, DatePrecision, Event};

#[derive(Debug, Clone, PartialEq)]
pub struct DedupParams {
    /// Farthest apart two reports of one event may be, km.
    pub max_km: f64,
}

impl Default for DedupParams {
    fn default() -> Self {
        // The air-strike compilations geocode the same named place a few km apart (Guardian vs
        // Information put Bayji 1.8 km apart); 10 km keeps two neighbouring towns distinct.
        Self { max_km: 10.0 }
    }
}

/// A set of events judged to be one.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateGroup {
    /// Indices into the events given, sorted.
    pub members: Vec<usize>,
    /// The member shown as the event.
    pub primary: usize,
    /// Occurrences counted once (largest per-dataset total).
    pub count: u32,
}

/// Each event's place in the duplicate groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DupMark {
    pub group: usize,
    pub primary: usize,
    pub is_primary: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dedup {
    pub groups: Vec<DuplicateGroup>,
    /// `marks[i]` is set when event `i` belongs to a group.
    pub marks: Vec<Option<DupMark>>,
}

impl Dedup {
    /// Indices of the events to count: everything except non-primary members of groups.
    pub fn representatives(&self) -> impl Iterator<Item = usize> + '_ {
        self.marks
            .iter()
            .enumerate()
            .filter(|(_, m)| m.is_none_or(|m| m.is_primary))
            .map(|(i, _)| i)
    }

    /// Total occurrences once duplicates are counted once.
    pub fn deduplicated_count(&self, events: &[Event]) -> u64 {
        let mut total: u64 = self
            .marks
            .iter()
            .zip(events)
            .filter(|(m, _)| m.is_none())
            .map(|(_, e)| u64::from(e.count))
            .sum();
        total += self.groups.iter().map(|g| u64::from(g.count)).sum::<u64>();
        total
    }

    /// The events to analyse: non-duplicates as they are, and each group's primary with the
    /// group's deduplicated count.
    pub fn deduplicated(&self, events: &[Event]) -> Vec<Event> {
        let mut out = Vec::with_capacity(events.len());
        for (i, e) in events.iter().enumerate() {
            match self.marks[i] {
                None => out.push(e.clone()),
                Some(m) if m.is_primary => {
                    let mut e = e.clone();
                    e.count = self.groups[m.group].count;
                    out.push(e);
                }
                Some(_) => {}
            }
        }
        out
    }
}

fn actors(e: &Event) -> BTreeSet<&ActorId> {
    e.side_a
        .iter()
        .chain(&e.side_b)
        .filter_map(|p| p.actor.as_ref())
        .collect()
}

fn compatible(a: &Event, b: &Event) -> bool {
    let (x, y) = (actors(a), actors(b));
    x.is_empty() || y.is_empty() || !x.is_disjoint(&y)
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Group the events reported by more than one dataset.
pub fn find_duplicates(events: &[Event], params: &DedupParams) -> Dedup {
    let mut by_day: HashMap<NaiveDate, Vec<usize>> = HashMap::new();
    for (i, e) in events.iter().enumerate() {
        if e.date.precision() == DatePrecision::Day {
            by_day.entry(e.date.first_day()).or_default().push(i);
        }
    }
    let mut parent: Vec<usize> = (0..events.len()).collect();
    let max_m = params.max_km * 1000.0;
    for ids in by_day.values() {
        for (k, &i) in ids.iter().enumerate() {
            for &j in &ids[k + 1..] {
                let (a, b) = (&events[i], &events[j]);
                if a.key.dataset == b.key.dataset || !compatible(a, b) {
                    continue;
                }
                if Geodesic.distance(a.location.point(), b.location.point()) <= max_m {
                    let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                    if ri != rj {
                        parent[ri.max(rj)] = ri.min(rj);
                    }
                }
            }
        }
    }
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..events.len() {
        let r = find(&mut parent, i);
        members.entry(r).or_default().push(i);
    }
    let mut out = Dedup {
        groups: Vec::new(),
        marks: vec![None; events.len()],
    };
    for (_, m) in members.into_iter().filter(|(_, m)| m.len() > 1) {
        let primary = *m
            .iter()
            .min_by(|&&x, &&y| {
                let (a, b) = (&events[x], &events[y]);
                a.location_precision
                    .cmp(&b.location_precision)
                    .then(b.count.cmp(&a.count))
                    .then(a.key.cmp(&b.key))
            })
            .expect("groups are non-empty");
        let mut per_dataset: HashMap<&str, u32> = HashMap::new();
        for &i in &m {
            *per_dataset
                .entry(events[i].key.dataset.as_str())
                .or_insert(0) += events[i].count;
        }
        let count = per_dataset.values().copied().max().unwrap_or(0);
        let group = out.groups.len();
        for &i in &m {
            out.marks[i] = Some(DupMark {
                group,
                primary,
                is_primary: i == primary,
            });
        }
        out.groups.push(DuplicateGroup {
            members: m,
            primary,
            count,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::hotspot::tests::strike;
    use super::*;
    use crate::ObservedDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn same_day_near_place_two_datasets_are_grouped() {
        let day = d(2015, 6, 20);
        let ev = vec![
            strike(day, 34.93, 43.49, 3, "guardian"),    // Bayji
            strike(day, 34.945, 43.48, 2, "informeren"), // Bayji, ~2 km off
            strike(day, 34.93, 43.49, 1, "informeren"),  // also Bayji in the same dataset
            strike(day, 36.34, 43.13, 4, "informeren"),  // Mosul: far
            strike(d(2015, 6, 21), 34.93, 43.49, 5, "informeren"), // next day
        ];
        let r = find_duplicates(&ev, &DedupParams::default());
        assert_eq!(r.groups.len(), 1);
        let g = &r.groups[0];
        assert_eq!(g.members, vec![0, 1, 2]);
        assert_eq!(g.primary, 0);
        // guardian 3 vs informeren 2 + 1 = 3 → 3.
        assert_eq!(g.count, 3);
        assert_eq!(r.deduplicated_count(&ev), 3 + 4 + 5);
        assert_eq!(r.representatives().collect::<Vec<_>>(), vec![0, 3, 4]);
        let dd = r.deduplicated(&ev);
        assert_eq!(dd.len(), 3);
        assert_eq!(
            dd.iter().map(|e| u64::from(e.count)).sum::<u64>(),
            r.deduplicated_count(&ev)
        );
    }

    #[test]
    fn incompatible_actors_and_coarse_dates_are_not_grouped() {
        let day = d(2015, 6, 20);
        let a = strike(day, 34.93, 43.49, 1, "guardian");
        let mut b = strike(day, 34.93, 43.49, 1, "acled");
        b.side_a[0].actor = Some(ActorId::new("russia").unwrap());
        let mut c = strike(day, 34.93, 43.49, 1, "ucdp");
        c.date = ObservedDate::year(2015).unwrap();
        let r = find_duplicates(&[a, b, c], &DedupParams::default());
        assert!(r.groups.is_empty());
        assert!(r.marks.iter().all(Option::is_none));
    }
}
