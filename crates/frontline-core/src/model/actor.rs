//! Actors: the parties that hold territory or take part in events.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::ModelError;

/// A stable, URL-safe actor id such as `islamic-state` (a slug: `[a-z0-9]+(-[a-z0-9]+)*`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ActorId(String);

impl ActorId {
    pub fn new(s: &str) -> Result<Self, ModelError> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ModelError::ActorId(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ActorId {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<String> for ActorId {
    type Error = ModelError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(&s)
    }
}

impl From<ActorId> for String {
    fn from(id: ActorId) -> Self {
        id.0
    }
}

/// An sRGB colour, written `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Colour {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

impl Colour {
    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b }
    }

    pub fn parse(s: &str) -> Result<Self, ModelError> {
        let err = || ModelError::Colour(s.to_owned());
        let hex = s.strip_prefix('#').ok_or_else(err)?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(err());
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| err());
        Ok(Self::rgb(byte(0)?, byte(2)?, byte(4)?))
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

impl TryFrom<String> for Colour {
    type Error = ModelError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Colour> for String {
    fn from(c: Colour) -> Self {
        c.to_string()
    }
}

/// A party to the conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actor {
    pub id: ActorId,
    /// Display name, e.g. "Islamic State".
    pub name: String,
    /// Other names that identify the actor in sources (IS, ISIS, ISIL, Daesh, ...).
    pub aliases: Vec<String>,
    pub colour: Colour,
    /// A coalition the actor belongs to (e.g. `us-led-coalition`), if any.
    pub coalition: Option<String>,
}

impl Actor {
    pub fn new(
        id: ActorId,
        name: &str,
        aliases: Vec<String>,
        colour: Colour,
        coalition: Option<String>,
    ) -> Result<Self, ModelError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ModelError::Empty("actor name"));
        }
        let aliases = aliases
            .into_iter()
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty())
            .collect();
        Ok(Self {
            id,
            name: name.to_owned(),
            aliases,
            colour,
            coalition: coalition.filter(|c| !c.trim().is_empty()),
        })
    }

    /// True if `name` is this actor's id, display name or one of its aliases (compared after
    /// [`crate::names::normalize`], so "ISIL", "isil" and "I.S.I.L." all match).
    pub fn answers_to(&self, name: &str) -> bool {
        let n = crate::names::normalize(name);
        n == crate::names::normalize(self.id.as_str())
            || n == crate::names::normalize(&self.name)
            || self.aliases.iter().any(|a| crate::names::normalize(a) == n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_validated() {
        assert!(ActorId::new("islamic-state").is_ok());
        assert!(ActorId::new("hts").is_ok());
        for bad in ["", "Islamic State", "-is", "is-", "is--x", "ISIS"] {
            assert!(ActorId::new(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn colours_round_trip() {
        let c = Colour::parse("#1a2B3c").unwrap();
        assert_eq!(c.to_string(), "#1a2b3c");
        assert!(Colour::parse("1a2b3c").is_err());
        assert!(Colour::parse("#12345").is_err());
    }

    #[test]
    fn aliases_match_loosely() {
        let is = Actor::new(
            ActorId::new("islamic-state").unwrap(),
            "Islamic State",
            vec!["ISIS".into(), "ISIL".into(), "Daesh".into()],
            Colour::rgb(0, 0, 0),
            None,
        )
        .unwrap();
        assert!(is.answers_to("isil"));
        assert!(is.answers_to("Islamic state"));
        assert!(!is.answers_to("SDF"));
    }
}
