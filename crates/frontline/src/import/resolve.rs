//! Name resolution: actor names to actor ids (through names and aliases), and place names to
//! points (through the stored gazetteer and the Wikipedia snapshot labels).

use frontline_core::geometry::haversine_km;
use frontline_core::names::{normalize, skeleton};
use frontline_core::{ActorId, Footprint, LatLon};
use frontline_store::Store;
use std::collections::HashMap;

use super::ImportError;

fn store_error(e: frontline_store::StoreError) -> ImportError {
    ImportError {
        file: "database".into(),
        line: 0,
        field: None,
        reason: e.to_string(),
    }
}

/// Actor names (ids, display names, aliases), normalised, to ids.
#[derive(Debug, Default)]
pub(crate) struct Actors {
    by_name: HashMap<String, ActorId>,
}

impl Actors {
    pub fn load(store: &Store) -> Result<Actors, ImportError> {
        Ok(Self::from_actors(&store.actors().map_err(store_error)?))
    }

    /// The names of these actors (as the store would hold them after importing them).
    pub fn from_actors(actors: &[frontline_core::Actor]) -> Actors {
        let mut out = Actors::default();
        for a in actors {
            for name in std::iter::once(a.id.as_str())
                .chain(std::iter::once(a.name.as_str()))
                .chain(a.aliases.iter().map(String::as_str))
            {
                out.by_name
                    .entry(normalize(name))
                    .or_insert_with(|| a.id.clone());
            }
        }
        out
    }

    /// The actor a name stands for, if any.
    pub fn resolve(&self, name: &str) -> Option<ActorId> {
        self.by_name.get(&normalize(name)).cloned()
    }
}

/// A located name.
#[derive(Debug, Clone)]
struct Entry {
    point: LatLon,
    country: String,
    population: u64,
    /// 0 = gazetteer, 1 = map snapshot label.
    rank: u8,
    source: String,
}

/// How a place name resolved.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Resolution {
    Found {
        point: LatLon,
        source: String,
    },
    /// Several distinct places carry the name: not guessed.
    Ambiguous(usize),
    /// The name is known, but only more than 30 km from the place that qualifies it.
    NotNear(String),
    NotFound,
}

/// Entries further apart than this are different places.
const SAME_PLACE_KM: f64 = 10.0;

/// A name qualified by a nearby place ("Hajiyeh (Tal Hamis)", "Qil Eydê (Kobani)") is looked
/// for within this distance of that place: compilations qualify villages by the town or
/// offensive they belong to, and the offensives of 2015–2017 moved 10–30 km from their town.
const NEAR_QUALIFIER_KM: f64 = 30.0;

/// Place names (gazetteer names and alternates, snapshot labels) to points, by country.
#[derive(Debug, Default)]
pub(crate) struct PlaceIndex {
    by_name: HashMap<String, Vec<usize>>,
    by_skeleton: HashMap<String, Vec<usize>>,
    entries: Vec<Entry>,
}

/// The name without a parenthetical qualifier: "Hasakah (southern districts)" → "Hasakah".
fn without_qualifier(name: &str) -> &str {
    name.split('(').next().unwrap_or(name).trim()
}

/// The parenthetical qualifier, if any: "Hajiyeh (Tal Hamis)" → "Tal Hamis".
fn qualifier(name: &str) -> Option<&str> {
    let (_, rest) = name.split_once('(')?;
    let q = rest.split(')').next()?.trim();
    (!q.is_empty()).then_some(q)
}

impl PlaceIndex {
    pub fn load(store: &Store) -> Result<PlaceIndex, ImportError> {
        let places = store.places().map_err(store_error)?;
        let observations = store.observations(None).map_err(store_error)?;
        Ok(Self::from_parts(
            &places,
            observations.into_iter().map(|s| s.observation),
        ))
    }

    /// The index of these gazetteer places and of the labels of these observations' Wikipedia
    /// snapshot points (other observations are ignored).
    pub fn from_parts(
        places: &[frontline_core::Place],
        observations: impl IntoIterator<Item = frontline_core::Observation>,
    ) -> PlaceIndex {
        let mut index = PlaceIndex::default();
        for p in places {
            let entry = Entry {
                point: p.point,
                country: p.country.clone(),
                population: p.population.as_ref().map_or(0, |p| p.count),
                rank: 0,
                source: p.id.to_string(),
            };
            let names: Vec<String> = p.names().map(str::to_owned).collect();
            index.add(entry, names.iter().map(String::as_str));
        }
        for o in observations {
            let country = if o.key.as_str().starts_with("wiki-syria:") {
                "SYR"
            } else if o.key.as_str().starts_with("wiki-iraq:") {
                "IRQ"
            } else {
                continue;
            };
            let (Some(label), Footprint::Point(point)) = (&o.label, &o.footprint) else {
                continue;
            };
            let entry = Entry {
                point: *point,
                country: country.into(),
                population: 0,
                rank: 1,
                source: format!("map label {label:?}"),
            };
            // "Abu Jarbuah/Jarwan" names one place twice.
            index.add(entry, label.split('/'));
        }
        index
    }

    fn add<'n>(&mut self, entry: Entry, names: impl Iterator<Item = &'n str>) {
        let i = self.entries.len();
        self.entries.push(entry);
        for name in names {
            let n = normalize(name);
            if n.is_empty() {
                continue;
            }
            let list = self.by_name.entry(n).or_default();
            if !list.contains(&i) {
                list.push(i);
            }
            let s = skeleton(name);
            if s.len() >= 3 {
                let list = self.by_skeleton.entry(s).or_default();
                if !list.contains(&i) {
                    list.push(i);
                }
            }
        }
    }

    /// Locate `name` in `country` (ISO3; None = any). Exact normalised names first, then
    /// skeletons; the name without its parenthetical qualifier after that. Found only if
    /// every candidate lies within 10 km of the others. A qualifier that is itself a place
    /// ("Madwil (Tal Hamis)") narrows the bare name's candidates to those within 30 km of it,
    /// which settles homonyms elsewhere in the country; a name found only far from its
    /// qualifier is not that place, and stays unresolved.
    pub fn resolve(&self, name: &str, country: Option<&str>) -> Resolution {
        let bare = without_qualifier(name);
        let anchor = qualifier(name).and_then(|q| match self.resolve(q, country) {
            Resolution::Found { point, .. } => Some((q, point)),
            _ => None,
        });
        let whole = [
            (&self.by_name, normalize(name)),
            (&self.by_skeleton, skeleton(name)),
        ];
        let parts = [
            (&self.by_name, normalize(bare)),
            (&self.by_skeleton, skeleton(bare)),
        ];
        for (map, key) in whole {
            if let Some(r) = self.lookup(map, &key, country, None) {
                return r;
            }
        }
        let mut far_from_anchor = false;
        for (map, key) in parts {
            if let Some((q, at)) = anchor {
                match self.lookup(map, &key, country, Some(at)) {
                    Some(Resolution::Found { point, source }) => {
                        return Resolution::Found {
                            point,
                            source: format!("{source}, within {NEAR_QUALIFIER_KM} km of {q}"),
                        }
                    }
                    Some(r) => return r,
                    None => {
                        far_from_anchor |= self.lookup(map, &key, country, None).is_some();
                        continue;
                    }
                }
            }
            if let Some(r) = self.lookup(map, &key, country, None) {
                return r;
            }
        }
        match anchor {
            Some((q, _)) if far_from_anchor => Resolution::NotNear(q.to_owned()),
            _ => Resolution::NotFound,
        }
    }

    /// The candidates for `key` in `country` (and within 30 km of `near`, if given): None if
    /// there are none, else Found when they are one place or Ambiguous.
    fn lookup(
        &self,
        map: &HashMap<String, Vec<usize>>,
        key: &str,
        country: Option<&str>,
        near: Option<LatLon>,
    ) -> Option<Resolution> {
        if key.is_empty() {
            return None;
        }
        let cands: Vec<&Entry> = map
            .get(key)?
            .iter()
            .map(|&i| &self.entries[i])
            .filter(|e| country.is_none_or(|c| e.country == c))
            .filter(|e| near.is_none_or(|a| haversine_km(e.point, a) <= NEAR_QUALIFIER_KM))
            .collect();
        let first = cands.first()?.point;
        if cands
            .iter()
            .any(|e| haversine_km(e.point, first) > SAME_PLACE_KM)
        {
            // Several places share this spelling; count the distinct ones.
            let mut distinct: Vec<LatLon> = Vec::new();
            for e in &cands {
                if distinct
                    .iter()
                    .all(|d| haversine_km(*d, e.point) > SAME_PLACE_KM)
                {
                    distinct.push(e.point);
                }
            }
            return Some(Resolution::Ambiguous(distinct.len()));
        }
        let best = cands
            .iter()
            .min_by(|a, b| {
                a.rank
                    .cmp(&b.rank)
                    .then_with(|| b.population.cmp(&a.population))
            })
            .expect("not empty");
        Some(Resolution::Found {
            point: best.point,
            source: best.source.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(places: &[(&str, f64, f64)]) -> PlaceIndex {
        let mut index = PlaceIndex::default();
        for &(name, lat, lon) in places {
            let entry = Entry {
                point: LatLon::new(lat, lon).unwrap(),
                country: "SYR".into(),
                population: 0,
                rank: 0,
                source: name.into(),
            };
            index.add(entry, std::iter::once(name));
        }
        index
    }

    fn found_at(r: Resolution) -> (f64, f64) {
        match r {
            Resolution::Found { point, .. } => (point.lat(), point.lon()),
            other => panic!("expected Found, got {other:?}"),
        }
    }

    #[test]
    fn a_qualifying_place_settles_homonyms_and_rejects_far_namesakes() {
        let idx = index(&[
            ("Tal Hamis", 36.87, 41.42),
            ("Madwil", 36.90, 41.50),
            ("Madwil", 35.00, 38.00),
            ("Dar'a", 32.62, 36.10),
            ("Hasakah", 36.50, 40.75),
        ]);
        // Two Madwils in the country: ambiguous alone, the one near Tal Hamis when qualified.
        assert_eq!(idx.resolve("Madwil", Some("SYR")), Resolution::Ambiguous(2));
        assert_eq!(
            found_at(idx.resolve("Madwil (Tal Hamis)", Some("SYR"))),
            (36.90, 41.50)
        );
        // "Dara" is how "Dar'a" normalises, 480 km from Tal Hamis: not the village meant.
        assert!(matches!(
            idx.resolve("Dara", Some("SYR")),
            Resolution::Found { .. }
        ));
        assert_eq!(
            idx.resolve("Dara (Tal Hamis)", Some("SYR")),
            Resolution::NotNear("Tal Hamis".into())
        );
        // A qualifier that is not a place leaves the bare name to resolve as before.
        assert_eq!(
            found_at(idx.resolve("Hasakah (southern districts)", Some("SYR"))),
            (36.50, 40.75)
        );
        assert_eq!(
            idx.resolve("Kocho (Tal Hamis)", Some("SYR")),
            Resolution::NotFound
        );
    }
}
