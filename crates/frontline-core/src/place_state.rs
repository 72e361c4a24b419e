//! What a place (or an analyst area) says on a date: the estimator's timeline decides it, and a
//! [`ControlMap`](crate::control_map::ControlMap) keeps it as the provenance of the cells it
//! decided. It lives apart from both so that the map does not depend on the estimator.

use crate::{ActorId, ControlStatus};

/// What a place (or an analyst area) says on a date, after the temporal logic.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceState {
    pub actor: ActorId,
    pub actor2: Option<ActorId>,
    pub status: ControlStatus,
    /// Confidence in [0, 1]: grading × date precision × decay with the distance in time.
    pub confidence: f64,
    /// Indices (into the estimator's input) of the observations that decided it.
    pub observations: Vec<u32>,
    /// How the state was reached, for `explain`.
    pub basis: Basis,
}

/// How a place's state on a date follows from its observations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// An observation on or before the date, and nothing later.
    Latest,
    /// Only a later observation, speaking back in time.
    Later,
    /// An earlier and a later observation that agree: no change known in between.
    Bracketed,
    /// An earlier and a later observation that disagree: a change happened in between; the
    /// nearer (in weighted time) wins.
    Changed,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Latest => "latest observation on or before the date",
            Self::Later => "later observation speaking back in time",
            Self::Bracketed => "earlier and later observations agree",
            Self::Changed => "control changed between the earlier and later observations",
        }
    }
}
