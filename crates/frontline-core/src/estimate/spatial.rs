//! Spatial logic: how far each place's state reaches and how disagreeing neighbours are weighed.
//!
//! Distances are great-circle km (haversine on the mean Earth radius). Candidate neighbours are
//! found in an R-tree over a sinusoidal projection centred on the data (equal-area, distances
//! within a few per cent of the truth over the Middle East); the final distances are haversine.

use rstar::{primitives::GeomWithData, RTree};

use crate::geometry::{haversine_km, EARTH_RADIUS_KM};
use crate::{FeatureType, LatLon};

/// Projected distances can undershoot true ones by the projection's shear: query a wider box and
/// filter with haversine.
pub const QUERY_PAD: f64 = 1.3;

/// Sinusoidal projection (km) centred on a meridian near the data.
#[derive(Debug, Clone, Copy)]
pub struct Projection {
    lon0: f64,
}

impl Projection {
    pub fn for_points(points: impl Iterator<Item = LatLon>) -> Self {
        let (mut sum, mut n) = (0.0, 0usize);
        for p in points {
            sum += p.lon();
            n += 1;
        }
        Self {
            lon0: if n == 0 { 0.0 } else { sum / n as f64 },
        }
    }

    pub fn xy(&self, p: LatLon) -> [f64; 2] {
        let k = EARTH_RADIUS_KM.to_radians();
        [
            (p.lon() - self.lon0) * p.lat().to_radians().cos() * k,
            p.lat() * k,
        ]
    }
}

/// The reach bounds (min, max km) of a feature type, before the density rule.
///
/// Why these figures: a village in the Syrian and Iraqi countryside has its fields and hamlets
/// within 2–5 km; towns a little more; a base, hill or checkpoint controls its immediate
/// surroundings; an airbase or an oil field covers a few km² of installations. The density rule
/// scales reach with the spacing of the places around, up to the maximum: beyond it nobody who
/// drew the map knew more than we do, and cells there stay unassessed.
pub fn reach_bounds(feature: FeatureType, r: &ReachParams) -> (f64, f64) {
    match feature {
        FeatureType::Town => (r.town_min_km, r.town_max_km),
        FeatureType::Airbase | FeatureType::Oil => (r.site_min_km, r.site_max_km),
        FeatureType::Base
        | FeatureType::Hill
        | FeatureType::Helipad
        | FeatureType::Naval
        | FeatureType::Industry => (r.post_min_km, r.post_max_km),
        FeatureType::Area => (0.0, 0.0),
    }
}

/// Reach parameters (km). See docs/estimation.md for the reasons behind each figure.
#[derive(Debug, Clone, PartialEq)]
pub struct ReachParams {
    pub town_min_km: f64,
    pub town_max_km: f64,
    /// Airbases, oil and gas fields.
    pub site_min_km: f64,
    pub site_max_km: f64,
    /// Bases, checkpoints, hills, helipads, naval bases, industrial sites.
    pub post_min_km: f64,
    pub post_max_km: f64,
    /// The density rule: reach = factor × distance to the k-th nearest other place, clamped to
    /// the feature's bounds. On a dense front (places 1–2 km apart) reach shrinks to the minimum;
    /// sparse villages reach as far as their neighbours lie, up to the maximum.
    pub density_k: usize,
    pub density_factor: f64,
}

impl Default for ReachParams {
    fn default() -> Self {
        Self {
            town_min_km: 2.5,
            town_max_km: 25.0,
            site_min_km: 2.0,
            site_max_km: 8.0,
            post_min_km: 1.5,
            post_max_km: 8.0,
            density_k: 3,
            density_factor: 2.0,
        }
    }
}

/// A place active on the date, placed in space.
#[derive(Debug, Clone)]
pub struct Site {
    pub location: LatLon,
    pub reach_km: f64,
    /// The strength of its vote: the place's confidence, less for posts than for towns.
    pub confidence: f64,
    /// Index into the date's list of place states.
    pub state: u32,
}

/// The R-tree of active sites.
pub struct SiteIndex {
    pub proj: Projection,
    pub tree: RTree<GeomWithData<[f64; 2], u32>>,
    pub sites: Vec<Site>,
    pub max_reach_km: f64,
}

impl SiteIndex {
    pub fn new(proj: Projection, sites: Vec<Site>) -> Self {
        let tree = RTree::bulk_load(
            sites
                .iter()
                .enumerate()
                .map(|(i, s)| GeomWithData::new(proj.xy(s.location), i as u32))
                .collect(),
        );
        let max_reach_km = sites.iter().map(|s| s.reach_km).fold(0.0, f64::max);
        Self {
            proj,
            tree,
            sites,
            max_reach_km,
        }
    }

    /// Distance to the k-th nearest other site (or `None` if there are not k others).
    pub fn kth_neighbour_km(&self, i: usize, k: usize) -> Option<f64> {
        let s = &self.sites[i];
        self.tree
            .nearest_neighbor_iter(&self.proj.xy(s.location))
            .filter(|n| n.data as usize != i)
            .nth(k.saturating_sub(1))
            .map(|n| haversine_km(s.location, self.sites[n.data as usize].location))
    }

    /// Sites whose reach covers `p`, with their distance (km), in a deterministic order.
    pub fn reaching(&self, p: LatLon, out: &mut Vec<(u32, f64)>) {
        out.clear();
        let r = self.max_reach_km * QUERY_PAD;
        for n in self.tree.locate_within_distance(self.proj.xy(p), r * r) {
            let s = &self.sites[n.data as usize];
            let d = haversine_km(p, s.location);
            if d < s.reach_km {
                out.push((n.data, d));
            }
        }
        out.sort_unstable_by_key(|&(i, _)| i);
    }
}

/// The vote of a site at distance `d_km` whose rank among the voters (0 = nearest) has the
/// divisor `rank_divisor` ([`rank_divisor`]): its confidence, tapered to zero at its reach, over
/// a power of its rank. Ranks rather than distances: one place a few hundred metres away must
/// not outvote the four next nearest (the kernel sum this replaced did, and lost to a plain
/// k-nearest vote); the taper keeps the reach a hard limit without a jump in weight.
pub fn vote_weight(confidence: f64, d_km: f64, reach_km: f64, rank_divisor: f64) -> f64 {
    let u = d_km / reach_km;
    if u >= 1.0 {
        return 0.0;
    }
    confidence * (1.0 - u * u) / rank_divisor
}

/// (1 + rank)^rank_power: computed once per rank, not once per vote (a year of daily maps
/// casts some 10⁸ votes).
pub fn rank_divisor(rank: usize, rank_power: f64) -> f64 {
    (1.0 + rank as f64).powf(rank_power)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn votes_are_zero_beyond_reach_and_fall_with_rank_and_distance() {
        let r = |rank| rank_divisor(rank, 1.0);
        assert_eq!(vote_weight(1.0, 5.0, 5.0, r(0)), 0.0);
        assert!(vote_weight(1.0, 1.0, 5.0, r(0)) > vote_weight(1.0, 2.0, 5.0, r(0)));
        assert!(vote_weight(1.0, 1.0, 5.0, r(0)) > vote_weight(1.0, 1.0, 5.0, r(1)));
        assert!(vote_weight(0.5, 1.0, 5.0, r(0)) < vote_weight(1.0, 1.0, 5.0, r(0)));
    }

    #[test]
    fn the_index_finds_sites_within_their_reach_only() {
        let a = LatLon::new(35.0, 40.0).unwrap();
        let b = LatLon::new(35.0, 40.1).unwrap(); // ≈ 9.1 km east
        let sites = vec![
            Site {
                location: a,
                reach_km: 5.0,
                confidence: 1.0,
                state: 0,
            },
            Site {
                location: b,
                reach_km: 10.0,
                confidence: 1.0,
                state: 1,
            },
        ];
        let idx = SiteIndex::new(Projection::for_points([a, b].into_iter()), sites);
        let mut out = Vec::new();
        idx.reaching(a, &mut out);
        assert_eq!(out.iter().map(|x| x.0).collect::<Vec<_>>(), vec![0, 1]);
        idx.reaching(b, &mut out);
        assert_eq!(out.iter().map(|x| x.0).collect::<Vec<_>>(), vec![1]);
        assert_relative_eq!(
            idx.kth_neighbour_km(0, 1).unwrap(),
            9.11,
            max_relative = 0.01
        );
    }
}
