//! Validation on real data: hold out a share of a snapshot's town places, estimate them from the
//! rest, and score the estimator beside a plain vote of the k nearest places (the baseline).
//!
//! A held-out place counts as right when the estimate names its actor, or either party of a
//! shared or contested mark. Unassessed counts as wrong. Deterministic for a given seed.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rstar::{primitives::GeomWithData, RTree};

use crate::estimate::spatial::Projection;
use crate::estimate::{timeline, Params, Prepared};
use crate::geometry::haversine_km;
use crate::{ActorId, ControlStatus, FeatureType, Footprint, LatLon, Observation, ObservedDate};

/// A small deterministic PRNG (SplitMix64): the split must not change with a crate version.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The snapshot: the observed date carried by the most town-point observations (ties: the
/// later date), and the indices of those town points (the holdout candidates).
pub fn snapshot_towns(obs: &[Observation]) -> Option<(ObservedDate, Vec<usize>)> {
    let mut counts: BTreeMap<(NaiveDate, u8), (ObservedDate, usize)> = BTreeMap::new();
    for o in obs {
        if o.feature == FeatureType::Town
            && matches!(o.footprint, Footprint::Point(_))
            && !o.is_inferred()
        {
            let k = (o.observed.first_day(), o.observed.precision() as u8);
            counts.entry(k).or_insert((o.observed, 0)).1 += 1;
        }
    }
    let (_, &(date, _)) = counts
        .iter()
        .max_by(|a, b| a.1 .1.cmp(&b.1 .1).then(a.0.cmp(b.0)))?;
    let towns = obs
        .iter()
        .enumerate()
        .filter(|(_, o)| {
            o.feature == FeatureType::Town
                && o.observed == date
                && matches!(o.footprint, Footprint::Point(_))
                && !o.is_inferred()
        })
        .map(|(i, _)| i)
        .collect();
    Some((date, towns))
}

/// Pick `share` of `candidates` (rounded, at least one) with a seeded shuffle; sorted.
pub fn holdout(candidates: &[usize], share: f64, seed: u64) -> Vec<usize> {
    let mut v = shuffled(candidates, seed);
    let n = ((v.len() as f64 * share).round() as usize).clamp(1.min(v.len()), v.len());
    v.truncate(n);
    v.sort_unstable();
    v
}

/// `candidates` in a seeded random order (Fisher–Yates).
fn shuffled(candidates: &[usize], seed: u64) -> Vec<usize> {
    let mut v = candidates.to_vec();
    let mut rng = SplitMix(seed);
    for i in (1..v.len()).rev() {
        let j = (rng.next() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
    v
}

/// Right and total per truth actor, and the confusion matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Accuracy {
    pub total: usize,
    pub correct: usize,
    /// Row and column labels: the actors, then `unassessed` (columns only matter there).
    pub labels: Vec<String>,
    /// `matrix[truth][predicted]`.
    pub matrix: Vec<Vec<usize>>,
    /// Per truth actor: (label, total, correct).
    pub per_actor: Vec<(String, usize, usize)>,
}

impl Accuracy {
    pub fn overall(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.correct as f64 / self.total as f64
        }
    }

    /// Places estimated `unassessed` (beyond every reach), counted wrong in [`Self::overall`].
    pub fn unassessed(&self) -> usize {
        self.matrix.iter().filter_map(|row| row.last()).sum()
    }

    /// Accuracy among the places given an actor: what the estimate says where it says anything.
    pub fn among_assessed(&self) -> f64 {
        let assessed = self.total - self.unassessed();
        if assessed == 0 {
            0.0
        } else {
            self.correct as f64 / assessed as f64
        }
    }

    /// The lowest per-actor accuracy (actors with at least one held-out place).
    pub fn worst_actor(&self) -> Option<(&str, f64)> {
        self.per_actor
            .iter()
            .filter(|a| a.1 > 0)
            .map(|a| (a.0.as_str(), a.2 as f64 / a.1 as f64))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }
}

/// What a held-out place really is.
#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    pub location: LatLon,
    pub actor: ActorId,
    /// The other party of a shared or contested mark: naming it counts as right too.
    pub alt: Option<ActorId>,
}

impl Truth {
    pub fn of(o: &Observation) -> Self {
        let alt = match o.status {
            ControlStatus::Shared | ControlStatus::Contested => o.actor2.clone(),
            ControlStatus::Held | ControlStatus::Besieged => None,
        };
        Self {
            location: o.footprint.anchor(),
            actor: o.actor.clone(),
            alt,
        }
    }

    pub fn accepts(&self, a: &ActorId) -> bool {
        *a == self.actor || self.alt.as_ref() == Some(a)
    }
}

/// Score predictions against truths.
pub fn score(truths: &[Truth], predicted: &[Option<ActorId>]) -> Accuracy {
    let mut labels: Vec<String> = truths
        .iter()
        .map(|t| t.actor.to_string())
        .chain(predicted.iter().flatten().map(ToString::to_string))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    labels.push("unassessed".into());
    let pos = |s: &str| labels.iter().position(|l| l == s).expect("label listed");
    let mut matrix = vec![vec![0; labels.len()]; labels.len()];
    let mut per: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut correct = 0;
    for (t, p) in truths.iter().zip(predicted) {
        let right = p.as_ref().is_some_and(|a| t.accepts(a));
        // A right answer naming the other party of a shared mark is booked on the diagonal.
        let col = if right {
            pos(t.actor.as_str())
        } else {
            p.as_ref().map_or(labels.len() - 1, |a| pos(a.as_str()))
        };
        matrix[pos(t.actor.as_str())][col] += 1;
        let e = per.entry(t.actor.to_string()).or_default();
        e.0 += 1;
        if right {
            e.1 += 1;
            correct += 1;
        }
    }
    Accuracy {
        total: truths.len(),
        correct,
        labels,
        matrix,
        per_actor: per.into_iter().map(|(a, (n, c))| (a, n, c)).collect(),
    }
}

/// The baseline: the majority actor among the k nearest training places (ties: the actor of the
/// nearest place among the tied).
pub fn knn_vote(train: &[(LatLon, ActorId)], queries: &[LatLon], k: usize) -> Vec<Option<ActorId>> {
    let proj = Projection::for_points(train.iter().map(|t| t.0));
    let tree: RTree<GeomWithData<[f64; 2], u32>> = RTree::bulk_load(
        train
            .iter()
            .enumerate()
            .map(|(i, t)| GeomWithData::new(proj.xy(t.0), i as u32))
            .collect(),
    );
    queries
        .iter()
        .map(|q| {
            let mut near: Vec<(f64, u32)> = tree
                .nearest_neighbor_iter(&proj.xy(*q))
                .take(k + 4)
                .map(|n| (haversine_km(*q, train[n.data as usize].0), n.data))
                .collect();
            near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            near.truncate(k);
            let mut votes: Vec<(&ActorId, usize, f64)> = Vec::new();
            for &(d, i) in &near {
                let a = &train[i as usize].1;
                match votes.iter_mut().find(|v| v.0 == a) {
                    Some(v) => v.1 += 1,
                    None => votes.push((a, 1, d)),
                }
            }
            votes
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.2.total_cmp(&a.2)))
                .map(|v| v.0.clone())
        })
        .collect()
}

/// The outcome of one validation run.
#[derive(Debug, Clone)]
pub struct Report {
    pub snapshot: ObservedDate,
    /// The date the estimate was made for (the snapshot's nominal date).
    pub date: NaiveDate,
    pub candidates: usize,
    pub held_out: usize,
    pub estimator: Accuracy,
    /// Baseline accuracy for k = 1..=9.
    pub baseline: Vec<(usize, Accuracy)>,
    /// The held-out places the estimator got wrong.
    pub misses: Vec<Miss>,
}

/// A held-out place the estimator got wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Miss {
    pub label: Option<String>,
    pub truth: Truth,
    /// `None`: unassessed.
    pub predicted: Option<ActorId>,
}

impl Report {
    /// The k with the best baseline accuracy (smallest k on ties).
    pub fn best_k(&self) -> Option<&(usize, Accuracy)> {
        self.baseline
            .iter()
            .max_by(|a, b| a.1.correct.cmp(&b.1.correct).then(b.0.cmp(&a.0)))
    }
}

/// Why a validation could not run.
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    #[error("no town observations to hold out")]
    NoSnapshot,
    #[error("holdout share {0} must be in (0, 1)")]
    Share(f64),
    #[error("cross-validation needs at least 2 folds, not {0}")]
    Folds(usize),
    #[error("no dated point observations besides the snapshot to validate the past on")]
    NoHistory,
}

/// Hold out `share` of the snapshot's town places (seeded), estimate them from all the other
/// observations at the snapshot's nominal date, and score the estimator and the baseline.
pub fn validate(
    obs: &[Observation],
    params: &Params,
    share: f64,
    seed: u64,
) -> Result<Report, ValidateError> {
    if !(share > 0.0 && share < 1.0) {
        return Err(ValidateError::Share(share));
    }
    let (snapshot, towns) = snapshot_towns(obs).ok_or(ValidateError::NoSnapshot)?;
    let test = holdout(&towns, share, seed);
    let places = places_of(obs, params);
    let fold = run_fold(obs, params, snapshot, &places, &test);
    Ok(fold.report(snapshot, towns.len()))
}

/// k-fold cross-validation: the snapshot's town places are shuffled (seeded) and split into
/// `folds` parts; each part is held out in turn and estimated from everything else, so every
/// place is estimated exactly once. Per-actor figures then rest on all of an actor's places
/// rather than on the tenth a single holdout draws (HTS has about 115 towns, so a 10 % holdout
/// scores it on about a dozen).
pub fn cross_validate(
    obs: &[Observation],
    params: &Params,
    folds: usize,
    seed: u64,
) -> Result<Report, ValidateError> {
    check_folds(folds)?;
    let (snapshot, towns) = snapshot_towns(obs).ok_or(ValidateError::NoSnapshot)?;
    let places = places_of(obs, params);
    let mut all = Fold::default();
    for fold in deal(towns.len(), folds, seed) {
        let mut test: Vec<usize> = fold.into_iter().map(|k| towns[k]).collect();
        test.sort_unstable();
        all.extend(run_fold(obs, params, snapshot, &places, &test));
    }
    Ok(all.report(snapshot, towns.len()))
}

/// Validation of past dates: the places with dated observations besides the snapshot (the
/// control changes and the previous holders they name) are dealt into `folds`; each fold's
/// places lose **all** their observations, snapshot included, and every dated observation of
/// theirs is estimated on its own nominal date from the rest. This measures the maps of the
/// past (the 1 February 2016 map rests on exactly this) where the snapshot validation measures
/// the snapshot's date. The baseline is the present projected back: the k-nearest vote of the
/// remaining snapshot marks, as if nothing had changed.
pub fn validate_history(
    obs: &[Observation],
    params: &Params,
    folds: usize,
    seed: u64,
) -> Result<Report, ValidateError> {
    check_folds(folds)?;
    let (snapshot, _) = snapshot_towns(obs).ok_or(ValidateError::NoSnapshot)?;
    let place_of = places_of(obs, params);
    // The dated point observations that say who holds a place (not who fights for it), as
    // seen or reported: an inference from events is evidence, not a truth to score against.
    let dated: Vec<usize> = obs
        .iter()
        .enumerate()
        .filter(|(_, o)| {
            o.observed != snapshot
                && !o.is_inferred()
                && matches!(o.footprint, Footprint::Point(_))
                && matches!(o.status, ControlStatus::Held | ControlStatus::Shared)
        })
        .map(|(i, _)| i)
        .collect();
    if dated.is_empty() {
        return Err(ValidateError::NoHistory);
    }
    let mut places: Vec<u32> = dated.iter().map(|&i| place_of[i]).collect();
    places.sort_unstable();
    places.dedup();
    let mut all = Fold::default();
    for fold in deal(places.len(), folds, seed) {
        let held: std::collections::HashSet<u32> = fold.into_iter().map(|k| places[k]).collect();
        let train: Vec<Observation> = obs
            .iter()
            .enumerate()
            .filter(|(i, _)| !held.contains(&place_of[*i]))
            .map(|(_, o)| o.clone())
            .collect();
        let test: Vec<usize> = dated
            .iter()
            .copied()
            .filter(|&i| held.contains(&place_of[i]))
            .collect();
        let base_train = baseline_marks(&train, snapshot);
        let prep = Prepared::new(&train, params);
        // One day's estimate serves every test observation of that date.
        let mut by_date: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
        for &i in &test {
            by_date
                .entry(obs[i].observed.mid_day())
                .or_default()
                .push(i);
        }
        for (date, ids) in by_date {
            let day = prep.on(date);
            let truths: Vec<Truth> = ids.iter().map(|&i| Truth::of(&obs[i])).collect();
            let queries: Vec<LatLon> = truths.iter().map(|t| t.location).collect();
            all.extend(Fold {
                date: None,
                labels: ids.iter().map(|&i| obs[i].label.clone()).collect(),
                predicted: queries.iter().map(|&q| day.at(q).actor).collect(),
                baseline: baselines(&base_train, &queries),
                truths,
            });
        }
    }
    Ok(all.report(snapshot, dated.len()))
}

fn check_folds(folds: usize) -> Result<(), ValidateError> {
    if folds < 2 {
        return Err(ValidateError::Folds(folds));
    }
    Ok(())
}

/// Deal `n` items (by index) into `folds` seeded folds of near-equal size.
fn deal(n: usize, folds: usize, seed: u64) -> Vec<Vec<usize>> {
    let order = shuffled(&(0..n).collect::<Vec<_>>(), seed);
    (0..folds)
        .map(|f| order.iter().skip(f).step_by(folds).copied().collect())
        .collect()
}

/// The baseline's training marks: the remaining snapshot places (every feature type), by
/// their first actor.
fn baseline_marks(train: &[Observation], snapshot: ObservedDate) -> Vec<(LatLon, ActorId)> {
    train
        .iter()
        .filter(|o| o.observed == snapshot && matches!(o.footprint, Footprint::Point(_)))
        .map(|o| (o.footprint.anchor(), o.actor.clone()))
        .collect()
}

/// The baseline's predictions for k = 1..=9.
fn baselines(marks: &[(LatLon, ActorId)], queries: &[LatLon]) -> Vec<Vec<Option<ActorId>>> {
    (1..=9).map(|k| knn_vote(marks, queries, k)).collect()
}

/// The place (timeline) each observation belongs to.
fn places_of(obs: &[Observation], params: &Params) -> Vec<u32> {
    let mut place_of = vec![u32::MAX; obs.len()];
    for (t, tl) in timeline::group(obs, params).iter().enumerate() {
        for &m in &tl.members {
            place_of[m as usize] = t as u32;
        }
    }
    place_of
}

/// The predictions of one holdout.
#[derive(Debug, Default)]
struct Fold {
    date: Option<NaiveDate>,
    truths: Vec<Truth>,
    labels: Vec<Option<String>>,
    predicted: Vec<Option<ActorId>>,
    /// Per k = 1..=9, the baseline's predictions.
    baseline: Vec<Vec<Option<ActorId>>>,
}

impl Fold {
    fn extend(&mut self, other: Fold) {
        self.date = self.date.or(other.date);
        self.truths.extend(other.truths);
        self.labels.extend(other.labels);
        self.predicted.extend(other.predicted);
        if self.baseline.is_empty() {
            self.baseline = other.baseline;
        } else {
            for (mine, theirs) in self.baseline.iter_mut().zip(other.baseline) {
                mine.extend(theirs);
            }
        }
    }

    fn report(self, snapshot: ObservedDate, candidates: usize) -> Report {
        let estimator = score(&self.truths, &self.predicted);
        let misses = self
            .truths
            .iter()
            .zip(&self.labels)
            .zip(&self.predicted)
            .filter(|((t, _), p)| !p.as_ref().is_some_and(|a| t.accepts(a)))
            .map(|((t, label), p)| Miss {
                label: label.clone(),
                truth: t.clone(),
                predicted: p.clone(),
            })
            .collect();
        let baseline = self
            .baseline
            .iter()
            .enumerate()
            .map(|(k, preds)| (k + 1, score(&self.truths, preds)))
            .collect();
        Report {
            snapshot,
            date: self.date.unwrap_or_else(|| snapshot.mid_day()),
            candidates,
            held_out: self.truths.len(),
            estimator,
            baseline,
            misses,
        }
    }
}

/// Hold out the snapshot places of the town marks `test`, estimate them from the rest.
fn run_fold(
    obs: &[Observation],
    params: &Params,
    snapshot: ObservedDate,
    place_of: &[u32],
    test: &[usize],
) -> Fold {
    // Hold out places, not marks: every snapshot observation grouped into the same place as a
    // held-out mark (a repeated mark, a base drawn on the town) goes too, or the place would
    // leak into its own estimate. The place's dated changes stay: they are not the snapshot.
    let held_places: std::collections::HashSet<u32> = test.iter().map(|&i| place_of[i]).collect();
    let is_test: Vec<bool> = obs
        .iter()
        .enumerate()
        .map(|(i, o)| o.observed == snapshot && held_places.contains(&place_of[i]))
        .collect();
    let train: Vec<Observation> = obs
        .iter()
        .zip(&is_test)
        .filter(|(_, t)| !**t)
        .map(|(o, _)| o.clone())
        .collect();
    let truths: Vec<Truth> = test.iter().map(|&i| Truth::of(&obs[i])).collect();
    let date = snapshot.mid_day();
    let prep = Prepared::new(&train, params);
    let day = prep.on(date);
    let predicted: Vec<Option<ActorId>> = truths.iter().map(|t| day.at(t.location).actor).collect();
    let queries: Vec<LatLon> = truths.iter().map(|t| t.location).collect();
    let baseline = baselines(&baseline_marks(&train, snapshot), &queries);
    Fold {
        date: Some(date),
        labels: test.iter().map(|&i| obs[i].label.clone()).collect(),
        truths,
        predicted,
        baseline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holdout_is_seeded_and_sized() {
        let c: Vec<usize> = (0..100).collect();
        let a = holdout(&c, 0.1, 7);
        assert_eq!(a.len(), 10);
        assert_eq!(a, holdout(&c, 0.1, 7));
        assert_ne!(a, holdout(&c, 0.1, 8));
    }

    #[test]
    fn shared_marks_accept_either_party_and_unassessed_is_wrong() {
        let p = LatLon::new(35.0, 40.0).unwrap();
        let a = ActorId::new("a").unwrap();
        let b = ActorId::new("b").unwrap();
        let truths = vec![
            Truth {
                location: p,
                actor: a.clone(),
                alt: Some(b.clone()),
            },
            Truth {
                location: p,
                actor: a.clone(),
                alt: None,
            },
            Truth {
                location: p,
                actor: b.clone(),
                alt: None,
            },
        ];
        let acc = score(&truths, &[Some(b.clone()), Some(b.clone()), None]);
        assert_eq!((acc.total, acc.correct), (3, 1));
        assert_eq!(acc.labels, vec!["a", "b", "unassessed"]);
        assert_eq!(acc.matrix[0], vec![1, 1, 0]);
        assert_eq!(acc.matrix[1], vec![0, 0, 1]);
        assert_eq!(acc.worst_actor().unwrap().1, 0.0);
        assert_eq!(acc.unassessed(), 1);
        assert_eq!(acc.among_assessed(), 0.5);
    }

    #[test]
    fn knn_votes_by_majority() {
        let a = ActorId::new("a").unwrap();
        let b = ActorId::new("b").unwrap();
        let pt = |lon: f64| LatLon::new(35.0, lon).unwrap();
        let train = vec![
            (pt(40.0), a.clone()),
            (pt(40.02), b.clone()),
            (pt(40.03), b.clone()),
        ];
        let q = [pt(40.001)];
        assert_eq!(knn_vote(&train, &q, 1)[0], Some(a));
        assert_eq!(knn_vote(&train, &q, 3)[0], Some(b));
    }
}
