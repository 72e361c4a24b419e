//! Temporal logic: group observations into places and decide each place's state on a date.
//!
//! A place is a lineage of observations about the same spot: point observations within
//! `group_radius_km` of each other, or within `group_name_radius_km` when their labels share a
//! name skeleton ("Deir ez-Zor" and "Dayr az Zawr"). Control is piecewise constant between known
//! changes, so on a date D a place is described by the latest observation on or before D and the
//! earliest one after D; see [`Timeline::state_on`].

use chrono::NaiveDate;

use super::Params;
use crate::place_state::{Basis, PlaceState};
use crate::{ActorId, ControlStatus, DatePrecision, Footprint, LatLon, Observation};

/// The observations of one place (or one analyst-area series), sorted by date.
#[derive(Debug, Clone)]
pub struct Timeline {
    /// Indices into the input, sorted by (nominal date, key).
    pub members: Vec<u32>,
    /// Where the place is (the first member's anchor).
    pub location: LatLon,
    pub label: Option<String>,
    pub is_area: bool,
}

/// Nominal date of an observation: the middle of its precision span (a month-precision snapshot
/// dated 2017-07 counts as mid-July).
pub fn nominal_date(o: &Observation) -> NaiveDate {
    o.observed.mid_day()
}

fn precision_factor(p: DatePrecision) -> f64 {
    match p {
        DatePrecision::Day => 1.0,
        DatePrecision::Month => 0.9,
        DatePrecision::Year => 0.7,
    }
}

/// Base weight of an observation before any decay: grading weight × date-precision factor.
pub fn base_weight(o: &Observation) -> f64 {
    o.grading_or_default().weight() * precision_factor(o.observed.precision())
}

/// Decay of an observation's weight `days` after it (forward) or before it (backward).
pub fn decay(days: i64, half_life: f64, max_days: i64) -> f64 {
    if days > max_days {
        0.0
    } else {
        0.5f64.powf(days.max(0) as f64 / half_life)
    }
}

/// Whether an observation records a change of control ("captured", "recaptured",
/// "siege_broken" in its note, as the control-changes importer writes them). A change says who
/// holds the place from its date on, and that someone else held it before: it must not speak
/// for earlier dates.
pub fn is_change(o: &Observation) -> bool {
    o.note.as_deref().is_some_and(|n| {
        let n = n.trim_start().to_ascii_lowercase();
        ["captured", "recaptured", "siege_broken", "siege broken"]
            .iter()
            .any(|c| n.starts_with(c))
    })
}

/// One claim at one nominal date: members with that date, combined.
struct Claim {
    actor: ActorId,
    actor2: Option<ActorId>,
    status: ControlStatus,
    weight: f64,
    date: NaiveDate,
    observations: Vec<u32>,
    /// A recorded change of control: it does not speak back in time.
    change: bool,
    /// Every observation behind it is inferred from events (`Observation::is_inferred`).
    inferred: bool,
}

impl Claim {
    fn agrees(&self, other: &Claim) -> bool {
        self.actor == other.actor && self.status == other.status && self.actor2 == other.actor2
    }
}

/// Combine the observations of a place that share one nominal date. Agreeing ones reinforce;
/// disagreeing ones are resolved by grading weight, and an exact tie between two actors becomes
/// `contested` between them (e.g. Ash Shuwayrat m.IS and Qaryat ash Shuwayrat m.gov on one point).
fn combine(obs: &[Observation], idx: &[u32]) -> Claim {
    let mut best: Option<Claim> = None;
    let mut tie: Option<ActorId> = None;
    for &i in idx {
        let o = &obs[i as usize];
        let w = base_weight(o);
        let c = Claim {
            actor: o.actor.clone(),
            actor2: o.actor2.clone(),
            status: o.status,
            weight: w,
            date: nominal_date(o),
            observations: vec![i],
            change: is_change(o),
            inferred: o.is_inferred(),
        };
        match &mut best {
            None => best = Some(c),
            Some(b) if b.agrees(&c) => {
                // Agreeing reports reinforce each other, but not as if independent: they
                // often copy one another. Keep the strongest weight.
                b.weight = b.weight.max(w);
                b.observations.push(i);
                b.inferred &= c.inferred;
            }
            Some(b) => {
                if w > b.weight + 1e-12 {
                    tie = None;
                    best = Some(c);
                } else if (w - b.weight).abs() <= 1e-12 && c.actor != b.actor {
                    tie = Some(c.actor.clone());
                    b.observations.push(i);
                    b.inferred &= c.inferred;
                }
            }
        }
    }
    let mut b = best.expect("a date group is never empty");
    if let Some(other) = tie {
        // Order the two parties by id so the result does not depend on input order.
        let (a, z) = if b.actor <= other {
            (b.actor.clone(), other)
        } else {
            (other, b.actor.clone())
        };
        b.actor = a;
        b.actor2 = Some(z);
        b.status = ControlStatus::Contested;
        b.weight *= 0.5;
    }
    b
}

impl Timeline {
    /// The place's state on `date`, or `None` if nothing about it is strong enough then.
    pub fn state_on(&self, obs: &[Observation], date: NaiveDate, p: &Params) -> Option<PlaceState> {
        // Split point: members with nominal date <= D come first.
        let split = self
            .members
            .partition_point(|&i| nominal_date(&obs[i as usize]) <= date);
        let prev = if split > 0 {
            let t = nominal_date(&obs[self.members[split - 1] as usize]);
            let start =
                self.members[..split].partition_point(|&i| nominal_date(&obs[i as usize]) < t);
            Some(combine(obs, &self.members[start..split]))
        } else {
            None
        };
        let next = if split < self.members.len() {
            let t = nominal_date(&obs[self.members[split] as usize]);
            let end = split
                + self.members[split..].partition_point(|&i| nominal_date(&obs[i as usize]) <= t);
            Some(combine(obs, &self.members[split..end]))
        } else {
            None
        };
        // A claim inferred from events (forces seen there that day) speaks for a season at most:
        // presence is not holding, and a strike of 2015 says nothing of 2017.
        let horizon = |c: &Claim, max: i64| {
            if c.inferred {
                max.min(p.inferred_max_days)
            } else {
                max
            }
        };
        let fwd = |c: &Claim| {
            c.weight
                * decay(
                    (date - c.date).num_days(),
                    p.forward_half_life_days,
                    horizon(c, p.max_forward_days),
                )
        };
        let back = |c: &Claim| {
            c.weight
                * decay(
                    (c.date - date).num_days(),
                    p.backward_half_life_days,
                    horizon(c, p.max_backward_days),
                )
        };
        // A change after the date says nothing about the date itself; it only ends the earlier
        // state (which the forward decay already covers).
        let next = next.filter(|n| !n.change);
        let (claim, confidence, mut observations, basis) = match (prev, next) {
            (None, None) => return None,
            (Some(a), None) => {
                let c = fwd(&a);
                (a, c, Vec::new(), Basis::Latest)
            }
            (None, Some(b)) => {
                let c = back(&b);
                (b, c, Vec::new(), Basis::Later)
            }
            (Some(a), Some(b)) if a.agrees(&b) => {
                let c = 1.0 - (1.0 - fwd(&a)) * (1.0 - back(&b));
                let extra = b.observations.clone();
                (a, c, extra, Basis::Bracketed)
            }
            (Some(a), Some(b)) => {
                let (wa, wb) = (fwd(&a), back(&b));
                let (win, lose, extra) = if wa >= wb {
                    (a, wb, b.observations)
                } else {
                    (b, wa, a.observations)
                };
                let w = wa.max(wb);
                // The nearer claim wins, discounted by how close the other one is.
                let c = w * w / (w + lose).max(1e-12);
                (win, c, extra, Basis::Changed)
            }
        };
        if confidence < p.min_confidence {
            return None;
        }
        let mut all = claim.observations;
        all.append(&mut observations);
        Some(PlaceState {
            actor: claim.actor,
            actor2: claim.actor2,
            status: claim.status,
            confidence: confidence.clamp(0.0, 1.0),
            observations: all,
            basis,
        })
    }
}

/// Group observations into timelines. Points group by distance (and by name within a wider
/// radius); analyst areas group by (actor, source citation): one series per source.
pub fn group(obs: &[Observation], p: &Params) -> Vec<Timeline> {
    use rstar::{primitives::GeomWithData, RTree};
    let mut order: Vec<u32> = (0..obs.len() as u32).collect();
    // Deterministic: by date then key then input position.
    order.sort_by(|&a, &b| {
        let (x, y) = (&obs[a as usize], &obs[b as usize]);
        nominal_date(x)
            .cmp(&nominal_date(y))
            .then_with(|| x.key.cmp(&y.key))
            .then(a.cmp(&b))
    });
    let mut timelines: Vec<Timeline> = Vec::new();
    // Areas: one series per (actor, citation).
    let mut area_series: std::collections::BTreeMap<(String, String), usize> = Default::default();
    // Points: union-find over neighbours.
    let points: Vec<u32> = order
        .iter()
        .copied()
        .filter(|&i| matches!(obs[i as usize].footprint, Footprint::Point(_)))
        .collect();
    let proj = super::spatial::Projection::for_points(
        points.iter().map(|&i| obs[i as usize].footprint.anchor()),
    );
    let tree: RTree<GeomWithData<[f64; 2], u32>> = RTree::bulk_load(
        points
            .iter()
            .enumerate()
            .map(|(k, &i)| GeomWithData::new(proj.xy(obs[i as usize].footprint.anchor()), k as u32))
            .collect(),
    );
    let mut parent: Vec<u32> = (0..points.len() as u32).collect();
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            parent[x as usize] = parent[parent[x as usize] as usize];
            x = parent[x as usize];
        }
        x
    }
    let skeletons: Vec<Option<String>> = points
        .iter()
        .map(|&i| {
            obs[i as usize]
                .label
                .as_deref()
                .map(crate::names::skeleton)
                .filter(|s| !s.is_empty())
        })
        .collect();
    let r_max = p.group_radius_km.max(p.group_name_radius_km);
    for (k, &i) in points.iter().enumerate() {
        let a = obs[i as usize].footprint.anchor();
        let q = proj.xy(a);
        let r = r_max * super::spatial::QUERY_PAD;
        for n in tree.locate_within_distance(q, r * r) {
            let j = n.data as usize;
            if j <= k {
                continue;
            }
            let d = crate::geometry::haversine_km(a, obs[points[j] as usize].footprint.anchor());
            let same_name = matches!((&skeletons[k], &skeletons[j]), (Some(x), Some(y)) if x == y);
            if d <= p.group_radius_km || (same_name && d <= p.group_name_radius_km) {
                let (ra, rb) = (find(&mut parent, k as u32), find(&mut parent, j as u32));
                if ra != rb {
                    let (lo, hi) = (ra.min(rb), ra.max(rb));
                    parent[hi as usize] = lo;
                }
            }
        }
    }
    let mut point_k = vec![u32::MAX; obs.len()];
    for (k, &i) in points.iter().enumerate() {
        point_k[i as usize] = k as u32;
    }
    let mut root_to_timeline: std::collections::HashMap<u32, usize> = Default::default();
    for &i in &order {
        let o = &obs[i as usize];
        match &o.footprint {
            Footprint::Area(_) => {
                let key = (o.actor.as_str().to_owned(), o.source.citation.clone());
                let t = *area_series.entry(key).or_insert_with(|| {
                    timelines.push(Timeline {
                        members: Vec::new(),
                        location: o.footprint.anchor(),
                        label: o.label.clone(),
                        is_area: true,
                    });
                    timelines.len() - 1
                });
                timelines[t].members.push(i);
            }
            Footprint::Point(pt) => {
                let root = find(&mut parent, point_k[i as usize]);
                let t = *root_to_timeline.entry(root).or_insert_with(|| {
                    timelines.push(Timeline {
                        members: Vec::new(),
                        location: *pt,
                        label: o.label.clone(),
                        is_area: false,
                    });
                    timelines.len() - 1
                });
                timelines[t].members.push(i);
            }
        }
    }
    timelines
}
