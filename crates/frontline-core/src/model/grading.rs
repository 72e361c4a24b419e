//! Source grading by the NATO Admiralty code: source reliability A–F and information
//! credibility 1–6 (e.g. "B2": usually reliable source, probably true information).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::ModelError;

/// Reliability of the source: A (completely reliable) … E (unreliable), F (cannot be judged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Reliability {
    A,
    B,
    C,
    D,
    E,
    F,
}

/// Credibility of the information: 1 (confirmed) … 5 (improbable), 6 (cannot be judged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Credibility {
    Confirmed = 1,
    ProbablyTrue = 2,
    PossiblyTrue = 3,
    DoubtfullyTrue = 4,
    Improbable = 5,
    CannotBeJudged = 6,
}

/// An Admiralty grading such as `B2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Grading {
    pub reliability: Reliability,
    pub credibility: Credibility,
}

impl Grading {
    /// The grading given to sources nobody graded: F6, "cannot be judged".
    pub const UNGRADED: Grading = Grading {
        reliability: Reliability::F,
        credibility: Credibility::CannotBeJudged,
    };

    /// A weight in (0, 1] for resolving disagreements: A1 = 1.0, F6 = C3 ≈ 0.56, E5 = 0.14.
    ///
    /// "Cannot be judged" (F, 6) is deliberately neutral (as good as C/3), not bad: most open
    /// sources are ungraded, and an ungraded report should not lose to a graded "unreliable" one.
    pub fn weight(&self) -> f64 {
        let r = match self.reliability {
            Reliability::A => 1.0,
            Reliability::B => 0.9,
            Reliability::C => 0.75,
            Reliability::D => 0.55,
            Reliability::E => 0.35,
            Reliability::F => 0.75,
        };
        let c = match self.credibility {
            Credibility::Confirmed => 1.0,
            Credibility::ProbablyTrue => 0.9,
            Credibility::PossiblyTrue => 0.75,
            Credibility::DoubtfullyTrue => 0.55,
            Credibility::Improbable => 0.4,
            Credibility::CannotBeJudged => 0.75,
        };
        r * c
    }
}

impl FromStr for Grading {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let err = || ModelError::Grading(s.to_owned());
        let mut chars = t.chars();
        let (Some(r), Some(c), None) = (chars.next(), chars.next(), chars.next()) else {
            return Err(err());
        };
        let reliability = match r.to_ascii_uppercase() {
            'A' => Reliability::A,
            'B' => Reliability::B,
            'C' => Reliability::C,
            'D' => Reliability::D,
            'E' => Reliability::E,
            'F' => Reliability::F,
            _ => return Err(err()),
        };
        let credibility = match c {
            '1' => Credibility::Confirmed,
            '2' => Credibility::ProbablyTrue,
            '3' => Credibility::PossiblyTrue,
            '4' => Credibility::DoubtfullyTrue,
            '5' => Credibility::Improbable,
            '6' => Credibility::CannotBeJudged,
            _ => return Err(err()),
        };
        Ok(Self {
            reliability,
            credibility,
        })
    }
}

impl fmt::Display for Grading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}{}", self.reliability, self.credibility as u8)
    }
}

impl TryFrom<String> for Grading {
    type Error = ModelError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Grading> for String {
    fn from(g: Grading) -> Self {
        g.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admiralty_codes_parse_and_print() {
        let g: Grading = "b2".parse().unwrap();
        assert_eq!(g.to_string(), "B2");
        for bad in ["", "G1", "A7", "A", "AA", "A12"] {
            assert!(bad.parse::<Grading>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn better_gradings_weigh_more() {
        let w = |s: &str| s.parse::<Grading>().unwrap().weight();
        assert!(w("A1") > w("B2"));
        assert!(w("B2") > w("C3"));
        assert!(w("C3") > w("E5"));
        assert!((w("A1") - 1.0).abs() < 1e-12);
        assert!(w("E5") > 0.0);
        assert!((Grading::UNGRADED.weight() - w("C3")).abs() < 1e-12);
    }
}
