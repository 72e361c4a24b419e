//! The analysis grid: the H3 cells (via `h3o`) covering a region mask, each with its geodesic
//! area clipped to the mask and split by the region's parts (countries or areas of interest).
//!
//! A grid is built once per region and resolution and then shared (it is an `Arc` inside, so
//! cloning is cheap): every estimate for every date reuses its cell list, cell → index map and
//! areas.
//!
//! # Units
//! Areas are geodesic km² on the WGS84 ellipsoid. Cells wholly inside the mask take h3o's exact
//! spherical cell area scaled by the ellipsoid's local area factor (see [`ellipsoid_factor`]);
//! cells on the mask's edge are clipped against the mask and measured with geo's geodesic area,
//! so the cell areas of a part sum to that part's geodesic area.

use std::collections::HashMap;
use std::sync::Arc;

use geo::{
    orient::Direction, BooleanOps, BoundingRect, Contains, MultiPolygon, Orient, Polygon, Rect,
};
use h3o::{CellIndex, LatLng, Resolution};

use crate::geometry::{geodesic_area_km2, ring_area_km2};
use crate::LatLon;

/// Why a grid could not be built.
#[derive(Debug, thiserror::Error)]
pub enum GridError {
    #[error("the region has no parts")]
    NoParts,
    #[error("region part {0:?} has an invalid geometry: {1}")]
    Geometry(String, String),
    #[error("invalid H3 resolution {0} (expected 0–15)")]
    Resolution(u8),
    #[error("region part {0:?} covers no H3 cell at this resolution")]
    Empty(String),
    #[error("a stored grid is unusable: {0}")]
    Stored(String),
}

/// One named part of a region mask: a country or an area of interest.
#[derive(Debug, Clone)]
pub struct RegionPart {
    /// Short code (ISO alpha-3 for countries, e.g. `SYR`), used in tables.
    pub code: String,
    pub name: String,
    /// The part's outline in lon/lat degrees (repaired beforehand if it was invalid).
    pub shape: MultiPolygon<f64>,
}

/// What the grid knows about a part after building.
#[derive(Debug, Clone)]
pub struct PartInfo {
    pub code: String,
    pub name: String,
    /// Geodesic area of the part's own outline, km².
    pub area_km2: f64,
    /// Sum of the (clipped) cell areas assigned to the part, km².
    pub cell_area_km2: f64,
}

/// The share of one cell that lies in one part.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    pub cell: u32,
    pub part: u16,
    pub area_km2: f64,
}

#[derive(Debug)]
struct GridData {
    resolution: Resolution,
    cells: Vec<CellIndex>,
    index: HashMap<CellIndex, u32>,
    centers: Vec<LatLon>,
    area_km2: Vec<f64>,
    /// The part holding the largest share of each cell.
    main_part: Vec<u16>,
    /// Cells' shares per part, sorted by cell (edge cells on a border have two or more).
    pieces: Vec<Piece>,
    parts: Vec<PartInfo>,
    /// Grid indices of each cell's ring-1 neighbours; `NO_CELL` where the neighbour is off the
    /// grid (the region's edge) or absent (pentagons).
    neighbours: Vec<[u32; 6]>,
    shapes: Vec<MultiPolygon<f64>>,
    mask: MultiPolygon<f64>,
}

/// The H3 cells covering a region mask, with their clipped geodesic areas. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Grid(Arc<GridData>);

/// The stored grid's magic bytes and format version (bump the version when `to_bytes` changes).
const STORED_MAGIC: &[u8] = b"FRONTLINE-GRID\n";
const STORED_VERSION: u32 = 1;

/// Reads a stored grid, refusing short input.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, k: usize) -> Result<&'a [u8], GridError> {
        if self.0.len() < k {
            return Err(GridError::Stored("truncated".into()));
        }
        let (head, rest) = self.0.split_at(k);
        self.0 = rest;
        Ok(head)
    }

    fn array<const K: usize>(&mut self) -> Result<[u8; K], GridError> {
        Ok(self.take(K)?.try_into().expect("K bytes"))
    }

    fn u16(&mut self) -> Result<u16, GridError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, GridError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, GridError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    fn f64(&mut self) -> Result<f64, GridError> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    /// A count of items of at least `item_bytes` each, checked against what is left.
    fn len(&mut self, item_bytes: usize) -> Result<usize, GridError> {
        let k = self.u64()?;
        if k > (self.0.len() / item_bytes) as u64 {
            return Err(GridError::Stored("truncated".into()));
        }
        Ok(k as usize)
    }
}

/// Size of the tiles (degrees) the mask is cut into before edge cells are clipped against it:
/// each edge cell then meets a few hundred vertices instead of the whole outline.
const TILE_DEG: f64 = 0.5;

impl Grid {
    /// Cover `parts` with H3 cells at `resolution` (7 ≈ 5.2 km² per cell).
    ///
    /// Parts are assumed not to overlap (countries, or disjoint areas of interest); a cell on the
    /// border of two parts is split between them by area.
    pub fn build(parts: &[RegionPart], resolution: u8) -> Result<Self, GridError> {
        if parts.is_empty() {
            return Err(GridError::NoParts);
        }
        let res =
            Resolution::try_from(resolution).map_err(|_| GridError::Resolution(resolution))?;
        // cell -> (part, area) list, gathered part by part.
        let mut shares: HashMap<CellIndex, Vec<(u16, f64)>> = HashMap::new();
        let mut infos = Vec::with_capacity(parts.len());
        let mut shapes = Vec::with_capacity(parts.len());
        for (pi, part) in parts.iter().enumerate() {
            let shape = part.shape.orient(Direction::Default);
            let part_area = geodesic_area_km2(&shape);
            let tiles = Tiles::new(&shape);
            let cell_area_sum = cover(&shape, &tiles, res, |cell, area| {
                shares.entry(cell).or_default().push((pi as u16, area));
            })
            .map_err(|e| GridError::Geometry(part.code.clone(), e))?;
            if cell_area_sum == 0.0 {
                return Err(GridError::Empty(part.code.clone()));
            }
            infos.push(PartInfo {
                code: part.code.clone(),
                name: part.name.clone(),
                area_km2: part_area,
                cell_area_km2: cell_area_sum,
            });
            shapes.push(shape);
        }
        // Deterministic order: by cell index (H3 indexes are spatially coherent).
        let mut cells: Vec<CellIndex> = shares.keys().copied().collect();
        cells.sort_unstable();
        let n = cells.len();
        let mut index = HashMap::with_capacity(n);
        let mut centers = Vec::with_capacity(n);
        let mut area_km2 = Vec::with_capacity(n);
        let mut main_part = Vec::with_capacity(n);
        let mut pieces = Vec::with_capacity(n + n / 20);
        for (i, cell) in cells.iter().enumerate() {
            index.insert(*cell, i as u32);
            let ll = LatLng::from(*cell);
            centers.push(LatLon::new(ll.lat(), ll.lng()).expect("H3 centres are valid"));
            let list = &shares[cell];
            let mut total = 0.0;
            let mut best = (0u16, f64::MIN);
            for &(part, area) in list {
                total += area;
                if area > best.1 {
                    best = (part, area);
                }
                pieces.push(Piece {
                    cell: i as u32,
                    part,
                    area_km2: area,
                });
            }
            area_km2.push(total);
            main_part.push(best.0);
        }
        let neighbours = cells
            .iter()
            .map(|&cell| {
                let mut out = [NO_CELL; 6];
                let ring = cell.grid_disk::<Vec<_>>(1);
                for (slot, n) in out.iter_mut().zip(ring.into_iter().filter(|&n| n != cell)) {
                    *slot = index.get(&n).copied().unwrap_or(NO_CELL);
                }
                out
            })
            .collect();
        let mask = MultiPolygon(shapes.iter().flat_map(|s| s.0.iter().cloned()).collect());
        Ok(Self(Arc::new(GridData {
            resolution: res,
            cells,
            index,
            centers,
            area_km2,
            main_part,
            pieces,
            parts: infos,
            neighbours,
            shapes,
            mask,
        })))
    }

    /// What a grid of `parts` at `resolution` is made from, as a hex SHA-256: the parts' codes,
    /// names and every outline coordinate, the resolution and the stored format. A stored grid
    /// is named by it, so that changing an outline names another grid.
    pub fn fingerprint(parts: &[RegionPart], resolution: u8) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(STORED_MAGIC);
        h.update(STORED_VERSION.to_le_bytes());
        h.update([resolution]);
        for part in parts {
            for text in [&part.code, &part.name] {
                h.update((text.len() as u64).to_le_bytes());
                h.update(text.as_bytes());
            }
            for poly in &part.shape.0 {
                for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                    h.update((ring.0.len() as u64).to_le_bytes());
                    for c in &ring.0 {
                        h.update(c.x.to_le_bytes());
                        h.update(c.y.to_le_bytes());
                    }
                }
                h.update(b"/");
            }
            h.update(b"|");
        }
        hex::encode(h.finalize())
    }

    /// The grid as bytes, to be read back by [`Grid::from_bytes`] with the same parts: the cells,
    /// their clipped areas, part shares and neighbours (what is slow to build), not the outlines.
    pub fn to_bytes(&self, parts: &[RegionPart]) -> Vec<u8> {
        let g = &self.0;
        let n = g.cells.len();
        let mut out = Vec::with_capacity(64 + n * 90 + g.pieces.len() * 14);
        out.extend_from_slice(STORED_MAGIC);
        out.extend_from_slice(&STORED_VERSION.to_le_bytes());
        out.extend_from_slice(
            &hex::decode(Self::fingerprint(parts, self.resolution())).expect("hex"),
        );
        out.extend_from_slice(&(n as u64).to_le_bytes());
        for c in &g.cells {
            out.extend_from_slice(&u64::from(*c).to_le_bytes());
        }
        for a in &g.area_km2 {
            out.extend_from_slice(&a.to_le_bytes());
        }
        for m in &g.main_part {
            out.extend_from_slice(&m.to_le_bytes());
        }
        for nb in &g.neighbours {
            for j in nb {
                out.extend_from_slice(&j.to_le_bytes());
            }
        }
        out.extend_from_slice(&(g.pieces.len() as u64).to_le_bytes());
        for p in &g.pieces {
            out.extend_from_slice(&p.cell.to_le_bytes());
            out.extend_from_slice(&p.part.to_le_bytes());
            out.extend_from_slice(&p.area_km2.to_le_bytes());
        }
        out.extend_from_slice(&(g.parts.len() as u64).to_le_bytes());
        for p in &g.parts {
            out.extend_from_slice(&p.area_km2.to_le_bytes());
            out.extend_from_slice(&p.cell_area_km2.to_le_bytes());
        }
        out
    }

    /// A grid stored by [`Grid::to_bytes`], for the same `parts` and `resolution` (refused
    /// otherwise): equal to the grid [`Grid::build`] makes, without the clipping.
    pub fn from_bytes(
        parts: &[RegionPart],
        resolution: u8,
        bytes: &[u8],
    ) -> Result<Self, GridError> {
        let bad = |what: &str| GridError::Stored(what.to_owned());
        let mut r = Reader(bytes);
        if r.take(STORED_MAGIC.len())? != STORED_MAGIC {
            return Err(bad("not a stored grid"));
        }
        if r.u32()? != STORED_VERSION {
            return Err(bad("another format version"));
        }
        let fingerprint = hex::decode(Self::fingerprint(parts, resolution)).expect("hex");
        if r.take(32)? != fingerprint.as_slice() {
            return Err(bad("made from other outlines or at another resolution"));
        }
        let res =
            Resolution::try_from(resolution).map_err(|_| GridError::Resolution(resolution))?;
        let n = r.len(12)?;
        let cells = (0..n)
            .map(|_| CellIndex::try_from(r.u64()?).map_err(|_| bad("invalid cell")))
            .collect::<Result<Vec<_>, _>>()?;
        let area_km2 = (0..n).map(|_| r.f64()).collect::<Result<Vec<_>, _>>()?;
        let main_part = (0..n).map(|_| r.u16()).collect::<Result<Vec<_>, _>>()?;
        let neighbours = (0..n)
            .map(|_| {
                let mut nb = [NO_CELL; 6];
                for j in &mut nb {
                    *j = r.u32()?;
                }
                Ok(nb)
            })
            .collect::<Result<Vec<_>, GridError>>()?;
        let m = r.len(14)?;
        let pieces = (0..m)
            .map(|_| {
                Ok(Piece {
                    cell: r.u32()?,
                    part: r.u16()?,
                    area_km2: r.f64()?,
                })
            })
            .collect::<Result<Vec<_>, GridError>>()?;
        if r.len(16)? != parts.len() {
            return Err(bad("another number of parts"));
        }
        let mut infos = Vec::with_capacity(parts.len());
        let mut shapes = Vec::with_capacity(parts.len());
        for part in parts {
            infos.push(PartInfo {
                code: part.code.clone(),
                name: part.name.clone(),
                area_km2: r.f64()?,
                cell_area_km2: r.f64()?,
            });
            shapes.push(part.shape.orient(Direction::Default));
        }
        if !r.0.is_empty() {
            return Err(bad("trailing bytes"));
        }
        if cells.iter().any(|c| c.resolution() != res)
            || neighbours
                .iter()
                .flatten()
                .any(|&j| j != NO_CELL && j as usize >= n)
            || pieces
                .iter()
                .any(|p| p.cell as usize >= n || p.part as usize >= parts.len())
            || main_part.iter().any(|&p| p as usize >= parts.len())
        {
            return Err(bad("inconsistent"));
        }
        let index = cells
            .iter()
            .enumerate()
            .map(|(i, c)| (*c, i as u32))
            .collect();
        let centers = cells
            .iter()
            .map(|&cell| {
                let ll = LatLng::from(cell);
                LatLon::new(ll.lat(), ll.lng()).expect("H3 centres are valid")
            })
            .collect();
        let mask = MultiPolygon(shapes.iter().flat_map(|s| s.0.iter().cloned()).collect());
        Ok(Self(Arc::new(GridData {
            resolution: res,
            cells,
            index,
            centers,
            area_km2,
            main_part,
            pieces,
            parts: infos,
            neighbours,
            shapes,
            mask,
        })))
    }

    pub fn resolution(&self) -> u8 {
        u8::from(self.0.resolution)
    }

    pub fn h3_resolution(&self) -> Resolution {
        self.0.resolution
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.0.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.cells.is_empty()
    }

    pub fn cells(&self) -> &[CellIndex] {
        &self.0.cells
    }

    pub fn cell(&self, i: usize) -> CellIndex {
        self.0.cells[i]
    }

    /// Centre of cell `i`.
    pub fn center(&self, i: usize) -> LatLon {
        self.0.centers[i]
    }

    pub fn centers(&self) -> &[LatLon] {
        &self.0.centers
    }

    /// Clipped geodesic area of cell `i`, km².
    pub fn area_km2(&self, i: usize) -> f64 {
        self.0.area_km2[i]
    }

    pub fn areas_km2(&self) -> &[f64] {
        &self.0.area_km2
    }

    /// The grid index of an H3 cell, if it is part of the grid.
    pub fn index_of(&self, cell: CellIndex) -> Option<usize> {
        self.0.index.get(&cell).map(|&i| i as usize)
    }

    /// The grid index of the cell containing `p`, if that cell is in the grid.
    pub fn locate(&self, p: LatLon) -> Option<usize> {
        let ll = LatLng::new(p.lat(), p.lon()).ok()?;
        self.index_of(ll.to_cell(self.0.resolution))
    }

    /// Whether `p` lies inside the region mask itself (not merely in an edge cell).
    pub fn mask_contains(&self, p: LatLon) -> bool {
        self.0.mask.contains(&p.point())
    }

    pub fn parts(&self) -> &[PartInfo] {
        &self.0.parts
    }

    pub fn part_shape(&self, part: usize) -> &MultiPolygon<f64> {
        &self.0.shapes[part]
    }

    /// The whole mask (all parts), oriented.
    pub fn mask(&self) -> &MultiPolygon<f64> {
        &self.0.mask
    }

    /// The part holding the largest share of cell `i`.
    pub fn main_part(&self, i: usize) -> usize {
        self.0.main_part[i] as usize
    }

    /// Grid indices of cell `i`'s six neighbours ([`NO_CELL`] where off the grid).
    pub fn neighbours(&self, i: usize) -> &[u32; 6] {
        &self.0.neighbours[i]
    }

    /// Every cell's share of every part it touches, sorted by cell.
    pub fn pieces(&self) -> &[Piece] {
        &self.0.pieces
    }

    /// The grid cells whose (clipped) area lies at least half inside `shape` (lon/lat): the
    /// cells a map draws in the shape's colour. h3o's tiler gives the same cells by centroid
    /// but took over a minute per country-sized polygon here.
    pub fn cells_within(&self, shape: &MultiPolygon<f64>) -> Vec<usize> {
        self.cells_covered(shape)
            .into_iter()
            .filter(|&(i, km2)| km2 >= 0.5 * self.0.area_km2[i])
            .map(|(i, _)| i)
            .collect()
    }

    /// Every grid cell that `shape` (lon/lat) covers, with the covered km²: the whole clipped
    /// area for cells inside, the geodesic area of the cell clipped to the shape (at most the
    /// cell's own clipped area) for the cells its edge cuts. Summed, this is the shape's area
    /// inside the grid, exactly up to the clipping (the basis of area-exact polygon accounting).
    pub fn cells_covered(&self, shape: &MultiPolygon<f64>) -> Vec<(usize, f64)> {
        use rstar::{primitives::Rectangle, RTree, AABB};
        let shape = shape.orient(Direction::Default);
        let Some(bb) = shape.bounding_rect() else {
            return Vec::new();
        };
        let tiles = Tiles::new(&shape);
        let mut segs = Vec::new();
        for poly in &shape.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for l in ring.lines() {
                    segs.push(Rectangle::from_corners(
                        [l.start.x, l.start.y],
                        [l.end.x, l.end.y],
                    ));
                }
            }
        }
        let segments = RTree::bulk_load(segs);
        let radius_deg = 1.5 * self.0.resolution.edge_length_km() / 111.0;
        let mut out = Vec::new();
        for (i, c) in self.0.centers.iter().enumerate() {
            let kx = radius_deg / c.lat().to_radians().cos().max(0.05);
            if c.lon() < bb.min().x - kx
                || c.lon() > bb.max().x + kx
                || c.lat() < bb.min().y - radius_deg
                || c.lat() > bb.max().y + radius_deg
            {
                continue;
            }
            let env = AABB::from_corners(
                [c.lon() - kx, c.lat() - radius_deg],
                [c.lon() + kx, c.lat() + radius_deg],
            );
            let covered = if segments
                .locate_in_envelope_intersecting(&env)
                .next()
                .is_some()
            {
                let cell = self.0.cells[i];
                tiles
                    .clipped_area_km2(&cell_polygon(cell))
                    .min(self.0.area_km2[i])
            } else if tiles.contains(c.point()) {
                self.0.area_km2[i]
            } else {
                0.0
            };
            if covered > 0.0 {
                out.push((i, covered));
            }
        }
        out
    }

    /// Total area of the grid (sum of clipped cell areas), km².
    pub fn total_area_km2(&self) -> f64 {
        self.0.area_km2.iter().sum()
    }

    /// Mean area of a whole cell at this resolution, km² (for reach heuristics and docs).
    pub fn mean_cell_area_km2(&self) -> f64 {
        h3o_mean_area_km2(self.0.resolution)
    }
}

fn h3o_mean_area_km2(res: Resolution) -> f64 {
    res.area_km2()
}

/// Marks a missing neighbour in [`Grid::neighbours`].
pub const NO_CELL: u32 = u32::MAX;

/// The hexagon (or pentagon) of a cell as a lon/lat polygon.
pub fn cell_polygon(cell: CellIndex) -> Polygon<f64> {
    let ring: Vec<geo::Coord<f64>> = cell
        .boundary()
        .iter()
        .map(|ll| geo::coord! { x: ll.lng(), y: ll.lat() })
        .collect();
    Polygon::new(geo::LineString::from(ring), vec![])
}

/// Geodesic area (WGS84) of a whole cell, km²: h3o's spherical area on the authalic sphere times
/// the ellipsoid's local area factor at the cell's latitude. Agrees with geo's geodesic area of
/// the cell outline to about 1e-5 (tested), and costs nothing.
pub fn full_cell_area_km2(cell: CellIndex) -> f64 {
    let lat = LatLng::from(cell).lat();
    cell.area_km2() * ellipsoid_factor(lat)
}

/// Ratio of the WGS84 ellipsoid's area element to the authalic sphere's (R = 6371.007 km, the
/// radius h3o uses) at geodetic latitude `lat_deg`, for the same small lat/lon box.
pub fn ellipsoid_factor(lat_deg: f64) -> f64 {
    const A: f64 = 6378.137;
    const F: f64 = 1.0 / 298.257_223_563;
    const R: f64 = 6_371.007_180_918_475;
    let e2 = F * (2.0 - F);
    let s = lat_deg.to_radians().sin();
    let w = 1.0 - e2 * s * s;
    A * A * (1.0 - e2) / (R * R * w * w)
}

/// Cover `shape` with cells: candidates come from the shape's bounding box (cheap to tile);
/// a candidate whose outline meets no boundary segment is wholly inside or outside (decided by
/// its centre); the others are clipped against the mask's tiles. h3o's own polygon tiler is
/// exact too, but took ~90 s for Syria + Iraq at resolution 7 on this machine; this takes well
/// under a second. Calls `emit(cell, clipped_area_km2)` for every cell with area; returns the sum.
fn cover(
    shape: &MultiPolygon<f64>,
    tiles: &Tiles,
    res: Resolution,
    mut emit: impl FnMut(CellIndex, f64),
) -> Result<f64, String> {
    use rstar::{primitives::Rectangle, RTree, AABB};
    let Some(bb) = shape.bounding_rect() else {
        return Ok(0.0);
    };
    // Boundary segments, indexed by their bounding boxes.
    let mut segs = Vec::new();
    for poly in &shape.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            for l in ring.lines() {
                segs.push(Rectangle::from_corners(
                    [l.start.x, l.start.y],
                    [l.end.x, l.end.y],
                ));
            }
        }
    }
    let segments = RTree::bulk_load(segs);
    let candidates = cells_near_rect(&bb, res);
    // A cell lies within this many degrees of its centre (generous: pentagon-free latitudes).
    let radius_deg = 1.5 * res.edge_length_km() / 111.0;
    let measure = |&(cell, ll): &(CellIndex, LatLng)| -> f64 {
        let kx = radius_deg / ll.lat().to_radians().cos().max(0.05);
        let env = AABB::from_corners(
            [ll.lng() - kx, ll.lat() - radius_deg],
            [ll.lng() + kx, ll.lat() + radius_deg],
        );
        if segments
            .locate_in_envelope_intersecting(&env)
            .next()
            .is_some()
        {
            tiles.clipped_area_km2(&cell_polygon(cell))
        } else if tiles.contains(geo::Point::new(ll.lng(), ll.lat())) {
            full_cell_area_km2(cell)
        } else {
            0.0
        }
    };
    // Split the candidates over the available cores; each cell is measured independently.
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(8);
    let chunk = candidates.len().div_ceil(threads).max(1);
    let areas: Vec<f64> = std::thread::scope(|scope| {
        let handles: Vec<_> = candidates
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(measure).collect::<Vec<f64>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("area worker panicked"))
            .collect()
    });
    let mut sum = 0.0;
    for ((cell, _), area) in candidates.iter().zip(areas) {
        // Cells that only touch the outline carry no area: leave them out.
        if area > 1e-9 {
            sum += area;
            emit(*cell, area);
        }
    }
    Ok(sum)
}

/// Every cell whose centre lies within `bb` widened by two cell widths (so every cell meeting
/// `bb` is included), by flood fill from the box's centre: h3o's tiler took seconds for a
/// plain rectangle of this size.
fn cells_near_rect(bb: &Rect<f64>, res: Resolution) -> Vec<(CellIndex, LatLng)> {
    let pad_deg = 2.0 * res.edge_length_km() / 111.0;
    let (lat_pad, lon_pad) = (
        pad_deg,
        pad_deg
            / bb.max()
                .y
                .abs()
                .max(bb.min().y.abs())
                .to_radians()
                .cos()
                .max(0.05),
    );
    let (x0, x1) = (bb.min().x - lon_pad, bb.max().x + lon_pad);
    let (y0, y1) = (bb.min().y - lat_pad, bb.max().y + lat_pad);
    let inside = |ll: LatLng| (x0..=x1).contains(&ll.lng()) && (y0..=y1).contains(&ll.lat());
    let c = bb.center();
    let Ok(seed) = LatLng::new(c.y, c.x) else {
        return Vec::new();
    };
    let seed = seed.to_cell(res);
    let mut seen = std::collections::HashSet::from([seed]);
    let mut queue = vec![(seed, LatLng::from(seed))];
    let mut out = Vec::new();
    while let Some((cell, ll)) = queue.pop() {
        out.push((cell, ll));
        for n in cell.grid_disk::<Vec<_>>(1) {
            // Each cell's centre is computed once: mark it seen before testing it.
            if seen.insert(n) {
                let nll = LatLng::from(n);
                if inside(nll) {
                    queue.push((n, nll));
                }
            }
        }
    }
    out
}

/// Sutherland–Hodgman: clip `ring` (any simple ring) by the convex counter-clockwise `window`.
/// For a concave ring the result may hold zero-width bridges, which carry no area: only the
/// area of the result is used.
fn clip_ring(ring: &[geo::Coord<f64>], window: &[geo::Coord<f64>]) -> Vec<geo::Coord<f64>> {
    let mut out: Vec<geo::Coord<f64>> = ring.to_vec();
    if out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    let n = window.len();
    for k in 0..n {
        if out.is_empty() {
            break;
        }
        let (a, b) = (window[k], window[(k + 1) % n]);
        let side = |p: geo::Coord<f64>| (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
        let input = std::mem::take(&mut out);
        for i in 0..input.len() {
            let (p, q) = (input[i], input[(i + 1) % input.len()]);
            let (sp, sq) = (side(p), side(q));
            if sp >= 0.0 {
                out.push(p);
            }
            if (sp >= 0.0) != (sq >= 0.0) {
                let t = sp / (sp - sq);
                out.push(geo::coord! { x: p.x + t * (q.x - p.x), y: p.y + t * (q.y - p.y) });
            }
        }
    }
    out
}

/// The mask cut into square tiles, so that each edge cell is clipped against a small piece.
struct Tiles {
    pieces: HashMap<(i32, i32), MultiPolygon<f64>>,
}

impl Tiles {
    fn new(shape: &MultiPolygon<f64>) -> Self {
        let mut pieces = HashMap::new();
        let Some(bb) = shape.bounding_rect() else {
            return Self { pieces };
        };
        let (x0, x1) = (tile_of(bb.min().x), tile_of(bb.max().x));
        let (y0, y1) = (tile_of(bb.min().y), tile_of(bb.max().y));
        let span = ((x1 - x0).max(y1 - y0) + 1).max(1) as u32;
        let size = span.next_power_of_two() as i32;
        // Quadtree: cut the shape in four, then each quarter in four, ... down to one tile, so
        // every cut works on an ever smaller piece.
        let mut stack = vec![(x0, y0, size, shape.clone())];
        while let Some((tx, ty, size, piece)) = stack.pop() {
            if size == 1 {
                pieces.insert((tx, ty), piece);
                continue;
            }
            let half = size / 2;
            for (qx, qy) in [
                (tx, ty),
                (tx + half, ty),
                (tx, ty + half),
                (tx + half, ty + half),
            ] {
                let rect = Rect::new(
                    geo::coord! { x: qx as f64 * TILE_DEG, y: qy as f64 * TILE_DEG },
                    geo::coord! { x: (qx + half) as f64 * TILE_DEG, y: (qy + half) as f64 * TILE_DEG },
                )
                .to_polygon();
                let sub = piece.intersection(&rect);
                if !sub.0.is_empty() {
                    stack.push((qx, qy, half, sub));
                }
            }
        }
        Self { pieces }
    }

    fn contains(&self, p: geo::Point<f64>) -> bool {
        self.pieces
            .get(&(tile_of(p.x()), tile_of(p.y())))
            .is_some_and(|piece| piece.contains(&p))
    }

    fn clipped_area_km2(&self, cell: &Polygon<f64>) -> f64 {
        let Some(bb) = cell.bounding_rect() else {
            return 0.0;
        };
        let mut window: Vec<geo::Coord<f64>> = cell.exterior().0.clone();
        window.pop();
        // Counter-clockwise window.
        let twice: f64 = (0..window.len())
            .map(|i| {
                let (p, q) = (window[i], window[(i + 1) % window.len()]);
                p.x * q.y - q.x * p.y
            })
            .sum();
        if twice < 0.0 {
            window.reverse();
        }
        let mut area = 0.0;
        for tx in tile_of(bb.min().x)..=tile_of(bb.max().x) {
            for ty in tile_of(bb.min().y)..=tile_of(bb.max().y) {
                if let Some(piece) = self.pieces.get(&(tx, ty)) {
                    for poly in &piece.0 {
                        area += ring_area_km2(clip_ring(&poly.exterior().0, &window));
                        for hole in poly.interiors() {
                            area -= ring_area_km2(clip_ring(&hole.0, &window));
                        }
                    }
                }
            }
        }
        area.max(0.0)
    }
}

fn tile_of(v: f64) -> i32 {
    (v / TILE_DEG).floor() as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use geo::{polygon, GeodesicArea};

    fn square(x0: f64, y0: f64, size: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x0, y: y0),
            (x: x0 + size, y: y0),
            (x: x0 + size, y: y0 + size),
            (x: x0, y: y0 + size),
            (x: x0, y: y0),
        ]])
    }

    #[test]
    fn ellipsoid_factor_matches_geodesic_area_of_cells() {
        for (lat, lon) in [(0.0, 10.0), (35.0, 40.0), (48.0, 35.0), (70.0, 20.0)] {
            let cell = LatLng::new(lat, lon).unwrap().to_cell(Resolution::Seven);
            let geodesic = cell_polygon(cell).geodesic_area_unsigned() / 1e6;
            assert_relative_eq!(full_cell_area_km2(cell), geodesic, max_relative = 1e-4);
        }
    }

    #[test]
    fn cell_areas_sum_to_the_mask_area() {
        let part = RegionPart {
            code: "SQ".into(),
            name: "square".into(),
            shape: square(38.0, 34.0, 1.0),
        };
        let grid = Grid::build(&[part], 6).unwrap();
        let info = &grid.parts()[0];
        assert_relative_eq!(grid.total_area_km2(), info.area_km2, max_relative = 1e-6);
        assert_relative_eq!(info.cell_area_km2, info.area_km2, max_relative = 1e-6);
    }

    #[test]
    fn border_cells_are_split_between_parts() {
        let a = RegionPart {
            code: "A".into(),
            name: "a".into(),
            shape: square(38.0, 34.0, 0.5),
        };
        let b = RegionPart {
            code: "B".into(),
            name: "b".into(),
            shape: square(38.5, 34.0, 0.5),
        };
        let grid = Grid::build(&[a, b], 6).unwrap();
        let split = grid
            .pieces()
            .windows(2)
            .filter(|w| w[0].cell == w[1].cell)
            .count();
        assert!(split > 0, "some cells straddle the shared edge");
        let both: f64 = grid.parts().iter().map(|p| p.area_km2).sum();
        assert_relative_eq!(grid.total_area_km2(), both, max_relative = 1e-6);
        let p = LatLon::new(34.25, 38.25).unwrap();
        let i = grid.locate(p).unwrap();
        assert_eq!(grid.main_part(i), 0);
        assert!(grid.mask_contains(p));
    }

    #[test]
    fn bad_resolution_is_an_error() {
        let part = RegionPart {
            code: "SQ".into(),
            name: "square".into(),
            shape: square(38.0, 34.0, 1.0),
        };
        assert!(matches!(
            Grid::build(&[part], 16),
            Err(GridError::Resolution(16))
        ));
        assert!(matches!(Grid::build(&[], 7), Err(GridError::NoParts)));
    }
}
