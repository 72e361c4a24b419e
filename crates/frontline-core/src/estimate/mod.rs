//! The control estimator: from the observations known for a date, who controls every cell of a
//! grid, how sure the estimate is, and which observations decided it.
//!
//! Pure and deterministic: `estimate(&observations, &grid, &params, date) -> ControlMap`.
//! The steps (each explained, with its figures, in docs/estimation.md):
//! 1. [`timeline`]: observations are grouped into places; each place's state on the date comes
//!    from its latest observation on or before it and its earliest one after it.
//!    A later observation does not speak back across a nearby capture by its own actor.
//! 2. [`spatial`]: each place reaches a distance set by its feature type and by how dense the
//!    places around it are; a point (a cell's centre, or a `whois` point) takes the vote of the
//!    `vote_k` nearest places reaching it, so a front runs between opposing places.
//! 3. Analyst polygons override points for the cells they cover at least half; for the km²,
//!    cells they cover in part count by the covered fraction.
//! 4. Unreached pockets enclosed by one actor's cells become that actor's (up to a size limit);
//!    small pockets of one actor wholly surrounded by a single other actor are marked besieged.

pub mod scrub;
pub mod spatial;
pub mod timeline;

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::ops::Deref;
use std::sync::Arc;

use chrono::NaiveDate;
use geo::{Contains, MultiPolygon};

use crate::control_map::{CellSource, CellState, ControlMap, Cover, Decision, NO_ACTOR};
use crate::grid::Grid;
use crate::{ActorId, ControlStatus, FeatureType, Footprint, LatLon, Observation};

pub use crate::geometry::haversine_km;
pub use crate::place_state::{Basis, PlaceState};
pub use scrub::Scrub;
pub use spatial::ReachParams;
pub use timeline::Timeline;

/// The estimator's parameters. `Default` gives the documented values.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// An observation's weight halves every this many days after it.
    pub forward_half_life_days: f64,
    /// A later observation speaking for an earlier date halves every this many days back.
    pub backward_half_life_days: f64,
    /// Beyond this many days after it, an observation says nothing.
    pub max_forward_days: i64,
    /// Beyond this many days before it, an observation says nothing.
    pub max_backward_days: i64,
    /// An observation inferred from events (`Evidence::Events`: air strikes implying Islamic
    /// State forces) says nothing beyond this many days either way.
    pub inferred_max_days: i64,
    /// Places whose state is weaker than this on the date are ignored.
    pub min_confidence: f64,
    /// Point observations this close (km) are the same place.
    pub group_radius_km: f64,
    /// ... and this close when their labels share a name skeleton.
    pub group_name_radius_km: f64,
    pub reach: ReachParams,
    /// How many of the nearest places reaching a point vote on it.
    pub vote_k: usize,
    /// The vote of the r-th nearest (r = 0, 1, …) is weighted 1 / (1 + r)^rank_power.
    pub rank_power: f64,
    /// A military post or installation (base, hill, airbase, oil field…) votes with this share
    /// of a town's weight: it holds its own few km² but says less about the villages around it.
    pub post_vote_factor: f64,
    /// A later observation does not speak back across a capture by its own actor recorded
    /// within this many km (see [`Prepared::shadowed`]).
    pub change_shadow_km: f64,
    /// Pockets beyond every reach but bordered by a single actor are filled up to this size.
    pub enclosure_max_km2: f64,
    /// A connected area of one actor wholly surrounded by one other actor and at most this big
    /// is marked besieged.
    pub siege_max_km2: f64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            forward_half_life_days: 365.0,
            backward_half_life_days: 180.0,
            max_forward_days: 3 * 365,
            max_backward_days: 2 * 365,
            inferred_max_days: 180,
            min_confidence: 0.02,
            group_radius_km: 0.3,
            group_name_radius_km: 3.0,
            reach: ReachParams::default(),
            vote_k: 6,
            rank_power: 0.5,
            post_vote_factor: 1.0,
            change_shadow_km: 10.0,
            enclosure_max_km2: 1500.0,
            siege_max_km2: 1000.0,
        }
    }
}

/// The observations a [`Prepared`] reads: borrowed, or shared so that a prepared set can be
/// kept (`Prepared<'static>`) beside the observations it was made from.
enum Observations<'a> {
    Borrowed(&'a [Observation]),
    Shared(Arc<Vec<Observation>>),
}

impl Deref for Observations<'_> {
    type Target = [Observation];

    fn deref(&self) -> &[Observation] {
        match self {
            Observations::Borrowed(o) => o,
            Observations::Shared(o) => o,
        }
    }
}

/// Observations grouped into places once, ready to be estimated on many dates.
pub struct Prepared<'a> {
    obs: Observations<'a>,
    params: Params,
    timelines: Vec<Timeline>,
    actors: Vec<ActorId>,
    /// Recorded changes of control: (where, nominal date, new holder).
    changes: Vec<(LatLon, NaiveDate, ActorId)>,
    /// The vote divisor of each rank below `vote_k` (`spatial::rank_divisor`).
    rank_divisors: Vec<f64>,
}

/// One contribution to a cell or point, for `explain`.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    /// Index into [`Day::states`].
    pub state: u32,
    pub distance_km: f64,
    pub reach_km: f64,
    /// Kernel weight (unnormalised) and its share of all weights at the point.
    pub weight: f64,
    pub share: f64,
}

/// The estimate at one point, with every contribution.
#[derive(Debug, Clone, PartialEq)]
pub struct PointEstimate {
    pub actor: Option<ActorId>,
    pub actor2: Option<ActorId>,
    pub status: ControlStatus,
    pub confidence: f64,
    /// Set when an analyst polygon decided the point (index into [`Day::states`]).
    pub area: Option<u32>,
    pub contributions: Vec<Contribution>,
}

/// The places' states on one date, indexed in space.
pub struct Day<'p, 'a> {
    prep: &'p Prepared<'a>,
    date: NaiveDate,
    /// Every place or area active on the date.
    pub states: Vec<Decision>,
    /// Indices of the active analyst areas in `states`, strongest first.
    areas: Vec<u32>,
    index: spatial::SiteIndex,
    actor_of_state: Vec<(u16, u16)>,
}

impl Prepared<'static> {
    /// Prepare shared observations: the result owns what it needs and can be kept.
    pub fn shared(obs: Arc<Vec<Observation>>, params: &Params) -> Self {
        Prepared::build(Observations::Shared(obs), params)
    }
}

impl<'a> Prepared<'a> {
    pub fn new(obs: &'a [Observation], params: &Params) -> Self {
        Self::build(Observations::Borrowed(obs), params)
    }

    fn build(obs: Observations<'a>, params: &Params) -> Self {
        let timelines = timeline::group(&obs, params);
        let actors: BTreeSet<ActorId> = obs
            .iter()
            .flat_map(|o| std::iter::once(o.actor.clone()).chain(o.actor2.clone()))
            .collect();
        let changes = obs
            .iter()
            .filter(|o| timeline::is_change(o) && matches!(o.footprint, Footprint::Point(_)))
            .map(|o| {
                (
                    o.footprint.anchor(),
                    timeline::nominal_date(o),
                    o.actor.clone(),
                )
            })
            .collect();
        Self {
            obs,
            params: params.clone(),
            timelines,
            actors: actors.into_iter().collect(),
            changes,
            rank_divisors: (0..params.vote_k)
                .map(|r| spatial::rank_divisor(r, params.rank_power))
                .collect(),
        }
    }

    pub fn timelines(&self) -> &[Timeline] {
        &self.timelines
    }

    pub fn params(&self) -> &Params {
        &self.params
    }

    fn actor_index(&self, a: &ActorId) -> u16 {
        self.actors.binary_search(a).expect("actor listed") as u16
    }

    /// Whether a later observation `o` cannot speak back to `date` because a recorded change
    /// nearby gave its actor that ground in between: within `change_shadow_km` of it, `o`'s
    /// actor captured a place after `date` and no later than `o`. A later map says nothing
    /// about the time before its holder arrived (Mosul's districts and villages, retaken in
    /// 2016–2017, must not paint Mosul government-held in 2016).
    fn shadowed(&self, o: &Observation, date: NaiveDate) -> bool {
        let r = self.params.change_shadow_km;
        if r <= 0.0 {
            return false;
        }
        let at = o.footprint.anchor();
        let until = timeline::nominal_date(o);
        let dlat = r / 111.0;
        self.changes.iter().any(|(p, d, a)| {
            *d > date
                && *d <= until
                && *a == o.actor
                && (p.lat() - at.lat()).abs() <= dlat
                && haversine_km(*p, at) <= r
        })
    }

    /// The places' states on `date`.
    pub fn on(&self, date: NaiveDate) -> Day<'_, 'a> {
        let p = &self.params;
        let mut states = Vec::new();
        for t in &self.timelines {
            if let Some(state) = t.state_on(&self.obs, date, p) {
                let decider = &self.obs[state.observations[0] as usize];
                if state.basis == Basis::Later && !t.is_area && self.shadowed(decider, date) {
                    continue;
                }
                let location = if t.is_area {
                    t.location
                } else {
                    decider.footprint.anchor()
                };
                states.push((t, decider.feature, location, state));
            }
        }
        // Reach: by feature, shrunk where places are dense.
        let proj = spatial::Projection::for_points(states.iter().map(|s| s.2));
        let point_sites: Vec<spatial::Site> = states
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.0.is_area)
            .map(|(i, s)| spatial::Site {
                location: s.2,
                reach_km: 0.0,
                confidence: s.3.confidence
                    * if is_town(s.1) {
                        1.0
                    } else {
                        p.post_vote_factor
                    },
                state: i as u32,
            })
            .collect();
        let mut index = spatial::SiteIndex::new(proj, point_sites);
        let reaches: Vec<f64> = (0..index.sites.len())
            .map(|i| {
                let st = &states[index.sites[i].state as usize];
                let (lo, hi) = spatial::reach_bounds(st.1, &p.reach);
                let spacing = index
                    .kth_neighbour_km(i, p.reach.density_k)
                    .unwrap_or(f64::INFINITY);
                (p.reach.density_factor * spacing).clamp(lo, hi)
            })
            .collect();
        for (s, r) in index.sites.iter_mut().zip(&reaches) {
            s.reach_km = *r;
        }
        index.max_reach_km = reaches.iter().copied().fold(0.0, f64::max);
        let mut reach_of_state = vec![0.0; states.len()];
        for s in &index.sites {
            reach_of_state[s.state as usize] = s.reach_km;
        }
        let mut areas: Vec<u32> = states
            .iter()
            .enumerate()
            .filter(|(_, s)| s.0.is_area)
            .map(|(i, _)| i as u32)
            .collect();
        // Strongest first; ties by position (deterministic).
        areas.sort_by(|&a, &b| {
            states[b as usize]
                .3
                .confidence
                .total_cmp(&states[a as usize].3.confidence)
                .then(a.cmp(&b))
        });
        let decisions: Vec<Decision> = states
            .into_iter()
            .zip(reach_of_state)
            .map(|((t, _, location, state), reach_km)| Decision {
                label: t.label.clone(),
                location,
                is_area: t.is_area,
                reach_km,
                state,
            })
            .collect();
        let actor_of_state = decisions
            .iter()
            .map(|d| {
                (
                    self.actor_index(&d.state.actor),
                    d.state
                        .actor2
                        .as_ref()
                        .map_or(NO_ACTOR, |a| self.actor_index(a)),
                )
            })
            .collect();
        Day {
            prep: self,
            date,
            states: decisions,
            areas,
            index,
            actor_of_state,
        }
    }
}

/// Scores per actor at a point: small, so a vector beats a map.
#[derive(Default)]
struct Scores {
    by_actor: Vec<(u16, f64)>,
    /// Per actor: the contributing site with the largest weight, and the rank of the actor's
    /// first (nearest) voter.
    top: Vec<(u16, u32, f64, usize)>,
}

impl Scores {
    fn clear(&mut self) {
        self.by_actor.clear();
        self.top.clear();
    }

    fn add(&mut self, actor: u16, site_state: u32, w: f64) {
        match self.by_actor.iter_mut().find(|x| x.0 == actor) {
            Some(x) => x.1 += w,
            None => self.by_actor.push((actor, w)),
        }
        let rank = self.top.len();
        match self.top.iter_mut().find(|x| x.0 == actor) {
            Some(x) if w > x.2 => {
                x.1 = site_state;
                x.2 = w;
            }
            Some(_) => {}
            None => self.top.push((actor, site_state, w, rank)),
        }
    }
}

impl Day<'_, '_> {
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    fn polygon(&self, state: u32) -> &MultiPolygon<f64> {
        let i = self.states[state as usize].state.observations[0] as usize;
        match &self.prep.obs[i].footprint {
            Footprint::Area(mp) => mp,
            Footprint::Point(_) => unreachable!("area states come from area observations"),
        }
    }

    /// Vote on `p` among the point sites reaching it; returns (actor, actor2, status,
    /// confidence, decider). `near` is left sorted by distance and `weights[i]` holds the vote
    /// of `near[i]` (0 beyond the `vote_k` nearest).
    fn score(
        &self,
        p: LatLon,
        near: &mut Vec<(u32, f64)>,
        weights: &mut Vec<f64>,
        scores: &mut Scores,
    ) -> Option<(u16, u16, ControlStatus, f64, u32)> {
        let prm = &self.prep.params;
        self.index.reaching(p, near);
        weights.clear();
        if near.is_empty() {
            return None;
        }
        near.sort_unstable_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        scores.clear();
        let mut rank = 0usize;
        for &(site, d) in near.iter() {
            let s = &self.index.sites[site as usize];
            let w = if rank < prm.vote_k {
                spatial::vote_weight(s.confidence, d, s.reach_km, self.prep.rank_divisors[rank])
            } else {
                0.0
            };
            weights.push(w);
            if w <= 0.0 {
                continue;
            }
            rank += 1;
            self.cast(scores, s.state, w);
        }
        self.decide(scores, |decider| {
            near.iter()
                .find(|x| self.index.sites[x.0 as usize].state == decider)
                .map_or(0.0, |x| x.1)
        })
    }

    /// Count the vote `w` of the place `state` for the actors it names.
    fn cast(&self, scores: &mut Scores, state: u32, w: f64) {
        let st = &self.states[state as usize].state;
        let (a, b) = self.actor_of_state[state as usize];
        match st.status {
            // Both parties hold a shared place.
            ControlStatus::Shared => {
                scores.add(a, state, w);
                scores.add(b, state, w);
            }
            // The holder keeps a contested place's surroundings; the attacker gets half.
            ControlStatus::Contested => {
                scores.add(a, state, w);
                if b != NO_ACTOR {
                    scores.add(b, state, 0.5 * w);
                }
            }
            ControlStatus::Held | ControlStatus::Besieged => scores.add(a, state, w),
        }
    }

    /// The outcome of a vote: the actor with the largest score (ties to the actor of the nearest
    /// voter, then the lower actor index), the status and other party from its deciding place,
    /// and the confidence. `distance_of(state)` is the distance to the voting site of `state`.
    fn decide(
        &self,
        scores: &Scores,
        distance_of: impl Fn(u32) -> f64,
    ) -> Option<(u16, u16, ControlStatus, f64, u32)> {
        let total: f64 = scores.by_actor.iter().map(|x| x.1).sum();
        if total <= 0.0 {
            return None;
        }
        // Largest score; ties to the actor of the nearest voter, then the lower actor index.
        let first = |actor: u16| {
            scores
                .top
                .iter()
                .find(|x| x.0 == actor)
                .map_or(usize::MAX, |x| x.3)
        };
        let &(best, best_w) = scores.by_actor.iter().max_by(|x, y| {
            x.1.total_cmp(&y.1)
                .then(first(y.0).cmp(&first(x.0)))
                .then(y.0.cmp(&x.0))
        })?;
        let &(_, decider, _, _) = scores.top.iter().find(|x| x.0 == best)?;
        let dec = &self.states[decider as usize];
        let (da, db) = self.actor_of_state[decider as usize];
        // Status and other party come from the decisive place when it names this actor.
        let (status, actor2) = if da == best {
            (dec.state.status, db)
        } else if db == best && dec.state.status == ControlStatus::Shared {
            (ControlStatus::Shared, da)
        } else {
            (ControlStatus::Held, NO_ACTOR)
        };
        // Confidence: the winning actor's share of the vote, times the deciding place's own
        // confidence, times how well inside its reach the point is.
        let near_d = distance_of(decider);
        let taper = 1.0 - (near_d / dec.reach_km.max(1e-9)).powi(2);
        let conf = (best_w / total) * dec.state.confidence * taper.max(0.0).sqrt();
        Some((best, actor2, status, conf.clamp(0.0, 1.0), decider))
    }

    /// The estimate at a point, with its contributions (the basis of `explain` and `whois`).
    pub fn at(&self, p: LatLon) -> PointEstimate {
        let actor = |i: u16| self.prep.actors.get(i as usize).cloned();
        for &a in &self.areas {
            if self.polygon(a).contains(&p.point()) {
                let d = &self.states[a as usize];
                let (x, y) = self.actor_of_state[a as usize];
                return PointEstimate {
                    actor: actor(x),
                    actor2: actor(y),
                    status: d.state.status,
                    confidence: d.state.confidence,
                    area: Some(a),
                    contributions: Vec::new(),
                };
            }
        }
        let mut near = Vec::new();
        let mut weights = Vec::new();
        let mut scores = Scores::default();
        let result = self.score(p, &mut near, &mut weights, &mut scores);
        let total: f64 = weights.iter().sum();
        let mut contributions: Vec<Contribution> = near
            .iter()
            .zip(&weights)
            .map(|(&(site, d), &w)| {
                let s = &self.index.sites[site as usize];
                Contribution {
                    state: s.state,
                    distance_km: d,
                    reach_km: s.reach_km,
                    weight: w,
                    share: if total > 0.0 { w / total } else { 0.0 },
                }
            })
            .collect();
        contributions.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.state.cmp(&b.state)));
        match result {
            Some((a, b, status, confidence, _)) => PointEstimate {
                actor: actor(a),
                actor2: actor(b),
                status,
                confidence,
                area: None,
                contributions,
            },
            None => PointEstimate {
                actor: None,
                actor2: None,
                status: ControlStatus::Held,
                confidence: 0.0,
                area: None,
                contributions,
            },
        }
    }

    /// Estimate every cell of `grid`.
    pub fn estimate(&self, grid: &Grid) -> ControlMap {
        let cells = point_cells(grid.len(), |i, near, weights, scores| {
            self.score(grid.center(i), near, weights, scores)
        });
        self.finish(grid, cells, |a| grid.cells_covered(self.polygon(a)).into())
    }

    /// Polygons, enclosures and sieges over the cells the points decided, and the map.
    /// `covered(state)` gives the cells the polygon of an area state covers, with km².
    fn finish(
        &self,
        grid: &Grid,
        mut cells: Vec<CellState>,
        covered: impl Fn(u32) -> Arc<Vec<(usize, f64)>>,
    ) -> ControlMap {
        // Analyst polygons override points, weakest first so the strongest ends on top: a cell
        // at least half covered takes the polygon's state. For the km², a cell the polygons
        // cover only in part is split by the covered fraction (`covers`), so that areas match
        // the polygons' own geodesic areas instead of gaining or losing half-cells along
        // every edge.
        let mut partial: HashMap<usize, Vec<(u16, u16, ControlStatus, f64)>> = HashMap::new();
        let points = cells.clone();
        for &a in self.areas.iter().rev() {
            let (x, y) = self.actor_of_state[a as usize];
            let st = &self.states[a as usize].state;
            for &(i, km2) in covered(a).iter() {
                let f = (km2 / grid.area_km2(i)).min(1.0);
                if f >= 0.5 {
                    cells[i] = CellState {
                        actor: x,
                        actor2: y,
                        status: st.status,
                        confidence: st.confidence as f32,
                        source: CellSource::Area(a),
                    };
                }
                // Stronger polygons come later: put them first.
                partial
                    .entry(i)
                    .or_default()
                    .insert(0, (x, y, st.status, f));
            }
        }
        let mut covers: Vec<Cover> = partial
            .into_iter()
            .filter_map(|(i, polys)| {
                // The strongest polygons take their share first; overlaps cannot exceed the cell.
                let mut left = 1.0f64;
                let mut parts = Vec::new();
                for (x, y, status, f) in polys {
                    let f = f.min(left);
                    if f > 0.0 {
                        parts.push((x, y, status, f));
                        left -= f;
                    }
                }
                // Wholly covered by one actor: the cell's own state says it all.
                let whole = left <= 1e-12 && parts.len() == 1;
                (!whole).then(|| Cover {
                    cell: i as u32,
                    parts,
                    rest: points[i],
                })
            })
            .collect();
        covers.sort_unstable_by_key(|c| c.cell);
        let prm = &self.prep.params;
        fill_enclosures(grid, &mut cells, prm.enclosure_max_km2);
        mark_sieges(grid, &mut cells, prm.siege_max_km2);
        ControlMap {
            date: self.date,
            grid: grid.clone(),
            actors: self.prep.actors.clone(),
            cells,
            decisions: self.states.clone(),
            keys: self.prep.obs.iter().map(|o| o.key.clone()).collect(),
            covers,
        }
    }
}

/// Scratch space of one thread's votes.
type Scratch = (Vec<(u32, f64)>, Vec<f64>, Scores);

/// Decide `n` cells by `vote(cell, scratch…)`, split across threads in fixed chunks: each cell's
/// result depends only on the cell, so the map is the same whatever the number of threads.
fn point_cells(
    n: usize,
    vote: impl Fn(
            usize,
            &mut Vec<(u32, f64)>,
            &mut Vec<f64>,
            &mut Scores,
        ) -> Option<(u16, u16, ControlStatus, f64, u32)>
        + Sync,
) -> Vec<CellState> {
    let mut cells = vec![CellState::UNASSESSED; n];
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(8);
    let chunk = n.div_ceil(threads.max(1)).max(1);
    let vote = &vote;
    std::thread::scope(|scope| {
        for (k, slice) in cells.chunks_mut(chunk).enumerate() {
            scope.spawn(move || {
                let (mut near, mut weights, mut scores): Scratch = Default::default();
                for (j, cell) in slice.iter_mut().enumerate() {
                    if let Some((a, b, status, conf, decider)) =
                        vote(k * chunk + j, &mut near, &mut weights, &mut scores)
                    {
                        *cell = CellState {
                            actor: a,
                            actor2: b,
                            status,
                            confidence: conf as f32,
                            source: CellSource::Place(decider),
                        };
                    }
                }
            });
        }
    });
    cells
}

/// Estimate who controls every cell of `grid` on `date` from `observations`.
pub fn estimate(
    observations: &[Observation],
    grid: &Grid,
    params: &Params,
    date: NaiveDate,
) -> ControlMap {
    Prepared::new(observations, params).on(date).estimate(grid)
}

/// Grid neighbours (ring 1) of cell `i` that are on the grid; returns true if any is not
/// (the cell is on the region's edge). Pentagons (never inside a country) count as edge too.
fn neighbours(grid: &Grid, i: usize, out: &mut Vec<usize>) -> bool {
    out.clear();
    let mut edge = false;
    for &j in grid.neighbours(i) {
        if j == crate::grid::NO_CELL {
            edge = true;
        } else {
            out.push(j as usize);
        }
    }
    edge
}

/// Connected components of cells satisfying `member`, in cell order.
fn components(grid: &Grid, member: impl Fn(usize) -> bool) -> Vec<Vec<usize>> {
    let n = grid.len();
    let mut seen = vec![false; n];
    let mut out = Vec::new();
    let mut nb = Vec::new();
    for start in 0..n {
        if seen[start] || !member(start) {
            continue;
        }
        let mut comp = Vec::new();
        let mut queue = VecDeque::from([start]);
        seen[start] = true;
        while let Some(i) = queue.pop_front() {
            comp.push(i);
            neighbours(grid, i, &mut nb);
            for &j in &nb {
                if !seen[j] && member(j) {
                    seen[j] = true;
                    queue.push_back(j);
                }
            }
        }
        out.push(comp);
    }
    out
}

/// Unassessed pockets bordered by a single actor's cells become that actor's, at half the mean
/// confidence of the bordering cells, up to `max_km2` per pocket.
fn fill_enclosures(grid: &Grid, cells: &mut [CellState], max_km2: f64) {
    if max_km2 <= 0.0 {
        return;
    }
    let pockets = components(grid, |i| !cells[i].is_assessed());
    let mut nb = Vec::new();
    for pocket in pockets {
        let area: f64 = pocket.iter().map(|&i| grid.area_km2(i)).sum();
        if area > max_km2 {
            continue;
        }
        let mut border: HashMap<u16, (f64, usize, Option<CellSource>)> = HashMap::new();
        for &i in &pocket {
            neighbours(grid, i, &mut nb);
            for &j in &nb {
                let c = cells[j];
                if c.is_assessed() {
                    let e = border.entry(c.actor).or_insert((0.0, 0, None));
                    e.0 += f64::from(c.confidence);
                    e.1 += 1;
                    if e.2.is_none() {
                        e.2 = Some(c.source);
                    }
                }
            }
        }
        if border.len() != 1 {
            continue;
        }
        let (&actor, &(sum, count, source)) = border.iter().next().expect("one entry");
        let decider = match source {
            Some(CellSource::Place(d) | CellSource::Area(d) | CellSource::Enclosed(d)) => d,
            _ => continue,
        };
        let conf = (0.5 * sum / count as f64) as f32;
        for &i in &pocket {
            cells[i] = CellState {
                actor,
                actor2: NO_ACTOR,
                status: ControlStatus::Held,
                confidence: conf,
                source: CellSource::Enclosed(decider),
            };
        }
    }
}

/// A connected area of one actor, wholly surrounded by one other actor's cells (no unassessed
/// neighbour, not on the region's edge) and at most `max_km2`, is besieged by that actor.
fn mark_sieges(grid: &Grid, cells: &mut [CellState], max_km2: f64) {
    if max_km2 <= 0.0 {
        return;
    }
    let actor_of: Vec<u16> = cells.iter().map(|c| c.actor).collect();
    let n = grid.len();
    let mut seen = vec![false; n];
    let mut nb = Vec::new();
    for start in 0..n {
        let a = actor_of[start];
        if seen[start] || a == NO_ACTOR {
            continue;
        }
        let mut comp = Vec::new();
        let mut queue = VecDeque::from([start]);
        seen[start] = true;
        let mut area = 0.0;
        let mut besieger: Option<u16> = None;
        let mut open = false;
        while let Some(i) = queue.pop_front() {
            comp.push(i);
            area += grid.area_km2(i);
            if neighbours(grid, i, &mut nb) {
                open = true;
            }
            for &j in &nb {
                let b = actor_of[j];
                if b == a {
                    if !seen[j] {
                        seen[j] = true;
                        queue.push_back(j);
                    }
                } else if b == NO_ACTOR {
                    open = true;
                } else {
                    match besieger {
                        None => besieger = Some(b),
                        Some(x) if x != b => open = true,
                        Some(_) => {}
                    }
                }
            }
        }
        if open || area > max_km2 {
            continue;
        }
        if let Some(b) = besieger {
            for &i in &comp {
                let c = &mut cells[i];
                if c.status == ControlStatus::Held {
                    c.status = ControlStatus::Besieged;
                    c.actor2 = b;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;

/// Feature types that count as "towns" for validation (the snapshot's plain marks).
pub fn is_town(f: FeatureType) -> bool {
    f == FeatureType::Town
}
