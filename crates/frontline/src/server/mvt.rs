//! Mapbox Vector Tiles (spec 2.1) written with a small protobuf writer.
//!
//! A tile needs only three message types (Tile, Layer, Feature/Value) and three geometry
//! commands, so writing them by hand is leaner than pulling in a protobuf stack and geozero's
//! second copy of geojson. Geometries arrive in WGS84, are projected to Web Mercator tile
//! coordinates (extent 4096), clipped to the tile plus a buffer (Sutherland–Hodgman: the
//! clipped rings may run along the buffer edge, which is outside the visible tile), quantised,
//! and written with the winding the spec requires (exterior rings positive area in tile
//! coordinates, holes negative).

use geo::{BoundingRect, LineString, MultiPolygon, Point, Rect};
use std::collections::HashMap;

/// Tile extent in integer coordinates.
pub const EXTENT: u32 = 4096;
/// Clip buffer around the tile, in tile units, so that strokes at the edge join up.
const BUFFER: f64 = 64.0;

/// A tile address in the XYZ scheme (the one MapLibre, Leaflet and QGIS XYZ layers use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl TileId {
    /// Validate z ≤ 22 and x, y < 2^z.
    pub fn new(z: u8, x: u32, y: u32) -> Option<Self> {
        if z > 22 {
            return None;
        }
        let n = 1u32 << z;
        (x < n && y < n).then_some(Self { z, x, y })
    }

    /// The tile's bounds in WGS84 degrees, grown by the clip buffer.
    pub fn bounds_with_buffer(&self) -> Rect<f64> {
        let n = f64::from(1u32 << self.z);
        let b = BUFFER / f64::from(EXTENT);
        let lon = |x: f64| x / n * 360.0 - 180.0;
        let lat = |y: f64| {
            let t = std::f64::consts::PI * (1.0 - 2.0 * y / n);
            t.sinh().atan().to_degrees()
        };
        let (x0, x1) = (f64::from(self.x) - b, f64::from(self.x) + 1.0 + b);
        let (y0, y1) = (f64::from(self.y) - b, f64::from(self.y) + 1.0 + b);
        Rect::new(
            (lon(x0), lat(y1).max(-85.06)),
            (lon(x1), lat(y0).min(85.06)),
        )
    }

    /// Project a WGS84 position to this tile's coordinates (floating point).
    fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        let n = f64::from(1u32 << self.z);
        let lat = lat.clamp(-85.051_128, 85.051_128).to_radians();
        let x = (lon + 180.0) / 360.0 * n;
        let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
        (
            (x - f64::from(self.x)) * f64::from(EXTENT),
            (y - f64::from(self.y)) * f64::from(EXTENT),
        )
    }
}

/// A property value in a tile.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    String(String),
    Double(f64),
    Int(i64),
    Bool(bool),
}

impl Value {
    fn key(&self) -> String {
        match self {
            Self::String(s) => format!("s{s}"),
            Self::Double(d) => format!("d{}", d.to_bits()),
            Self::Int(i) => format!("i{i}"),
            Self::Bool(b) => format!("b{b}"),
        }
    }
}

/// A layer being built: features are added one by one, keys and values are shared.
pub struct Layer {
    name: String,
    tile: TileId,
    keys: Vec<String>,
    key_index: HashMap<String, u32>,
    values: Vec<Value>,
    value_index: HashMap<String, u32>,
    features: Vec<Vec<u8>>,
}

impl Layer {
    pub fn new(name: &str, tile: TileId) -> Self {
        Self {
            name: name.to_owned(),
            tile,
            keys: Vec::new(),
            key_index: HashMap::new(),
            values: Vec::new(),
            value_index: HashMap::new(),
            features: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    fn tags(&mut self, props: &[(&str, Value)]) -> Vec<u32> {
        let mut tags = Vec::with_capacity(props.len() * 2);
        for (k, v) in props {
            let ki = *self.key_index.entry((*k).to_owned()).or_insert_with(|| {
                self.keys.push((*k).to_owned());
                (self.keys.len() - 1) as u32
            });
            let vk = v.key();
            let vi = match self.value_index.get(&vk) {
                Some(i) => *i,
                None => {
                    self.values.push(v.clone());
                    let i = (self.values.len() - 1) as u32;
                    self.value_index.insert(vk, i);
                    i
                }
            };
            tags.push(ki);
            tags.push(vi);
        }
        tags
    }

    /// Add a (multi)polygon; nothing is added if no part of it falls in the tile.
    pub fn add_polygon(
        &mut self,
        id: Option<u64>,
        mp: &MultiPolygon<f64>,
        props: &[(&str, Value)],
    ) {
        let clip = self.tile.bounds_with_buffer();
        let mut cmds = Geometry::default();
        for poly in &mp.0 {
            let Some(bb) = poly.bounding_rect() else {
                continue;
            };
            if !intersects(&bb, &clip) {
                continue;
            }
            let Some(ext) = self.ring(poly.exterior()) else {
                continue;
            };
            cmds.ring(&ext, true);
            for hole in poly.interiors() {
                if let Some(r) = self.ring(hole) {
                    cmds.ring(&r, false);
                }
            }
        }
        if cmds.0.is_empty() {
            return;
        }
        let tags = self.tags(props);
        self.features.push(feature(id, &tags, 3, &cmds.0));
    }

    /// Add a point; nothing is added if it falls outside the tile and its buffer.
    pub fn add_point(&mut self, id: Option<u64>, p: Point<f64>, props: &[(&str, Value)]) {
        let (x, y) = self.tile.project(p.x(), p.y());
        let lim = f64::from(EXTENT) + BUFFER;
        if !(-BUFFER..=lim).contains(&x) || !(-BUFFER..=lim).contains(&y) {
            return;
        }
        let (x, y) = (x.round() as i32, y.round() as i32);
        let geom = vec![command(1, 1), zigzag(x), zigzag(y)];
        let tags = self.tags(props);
        self.features.push(feature(id, &tags, 1, &geom));
    }

    /// Project, clip and quantise a ring; `None` if nothing with an area is left.
    fn ring(&self, ring: &LineString<f64>) -> Option<Vec<(i32, i32)>> {
        let pts: Vec<(f64, f64)> = ring.0.iter().map(|c| self.tile.project(c.x, c.y)).collect();
        let clipped = clip_ring(&pts, -BUFFER, f64::from(EXTENT) + BUFFER);
        let mut q: Vec<(i32, i32)> = Vec::with_capacity(clipped.len());
        for (x, y) in clipped {
            let p = (x.round() as i32, y.round() as i32);
            if q.last() != Some(&p) {
                q.push(p);
            }
        }
        while q.len() > 1 && q.first() == q.last() {
            q.pop();
        }
        (q.len() >= 3 && signed_area(&q) != 0).then_some(q)
    }

    fn encode(&self, out: &mut Vec<u8>) {
        let mut l = Vec::new();
        put_varint_field(&mut l, 15, 2);
        put_bytes_field(&mut l, 1, self.name.as_bytes());
        for f in &self.features {
            put_bytes_field(&mut l, 2, f);
        }
        for k in &self.keys {
            put_bytes_field(&mut l, 3, k.as_bytes());
        }
        for v in &self.values {
            let mut vb = Vec::new();
            match v {
                Value::String(s) => put_bytes_field(&mut vb, 1, s.as_bytes()),
                Value::Double(d) => {
                    put_key(&mut vb, 3, 1);
                    vb.extend_from_slice(&d.to_le_bytes());
                }
                Value::Int(i) => put_varint_field(&mut vb, 6, zigzag64(*i)),
                Value::Bool(b) => put_varint_field(&mut vb, 7, u64::from(*b)),
            }
            put_bytes_field(&mut l, 4, &vb);
        }
        put_varint_field(&mut l, 5, u64::from(EXTENT));
        put_bytes_field(out, 3, &l);
    }
}

/// Encode layers as one tile (empty layers are left out; an empty tile is zero bytes, which
/// is a valid tile).
pub fn encode_tile(layers: &[Layer]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in layers.iter().filter(|l| !l.is_empty()) {
        l.encode(&mut out);
    }
    out
}

fn intersects(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x <= b.max().x
        && a.max().x >= b.min().x
        && a.min().y <= b.max().y
        && a.max().y >= b.min().y
}

/// Geometry command stream with a cursor, as the spec encodes positions relative to the last.
#[derive(Default)]
struct Geometry(Vec<u32>, (i32, i32));

impl Geometry {
    fn ring(&mut self, ring: &[(i32, i32)], exterior: bool) {
        let mut pts = ring.to_vec();
        // Exterior rings have positive area in tile coordinates (y down), holes negative.
        if (signed_area(&pts) > 0) != exterior {
            pts.reverse();
        }
        let emit = |g: &mut Self, p: (i32, i32)| {
            g.0.push(zigzag(p.0 - g.1 .0));
            g.0.push(zigzag(p.1 - g.1 .1));
            g.1 = p;
        };
        self.0.push(command(1, 1));
        emit(self, pts[0]);
        self.0.push(command(2, (pts.len() - 1) as u32));
        for p in &pts[1..] {
            emit(self, *p);
        }
        self.0.push(command(7, 1));
    }
}

fn signed_area(pts: &[(i32, i32)]) -> i64 {
    let n = pts.len();
    (0..n)
        .map(|i| {
            let (a, b) = (pts[i], pts[(i + 1) % n]);
            i64::from(a.0) * i64::from(b.1) - i64::from(b.0) * i64::from(a.1)
        })
        .sum()
}

/// Sutherland–Hodgman clip of a ring against the square [lo, hi]².
fn clip_ring(pts: &[(f64, f64)], lo: f64, hi: f64) -> Vec<(f64, f64)> {
    type Inside = fn(&(f64, f64), f64) -> bool;
    type Cut = fn(&(f64, f64), &(f64, f64), f64) -> (f64, f64);
    let cut_x: Cut = |a, b, x| (x, a.1 + (b.1 - a.1) * (x - a.0) / (b.0 - a.0));
    let cut_y: Cut = |a, b, y| (a.0 + (b.0 - a.0) * (y - a.1) / (b.1 - a.1), y);
    let edges: [(Inside, Cut, f64); 4] = [
        (|p, v| p.0 >= v, cut_x, lo),
        (|p, v| p.0 <= v, cut_x, hi),
        (|p, v| p.1 >= v, cut_y, lo),
        (|p, v| p.1 <= v, cut_y, hi),
    ];
    let mut out: Vec<(f64, f64)> = pts.to_vec();
    if out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    for (inside, cut, v) in edges {
        if out.is_empty() {
            break;
        }
        let input = std::mem::take(&mut out);
        let mut prev = *input.last().expect("non-empty");
        for cur in input {
            match (inside(&cur, v), inside(&prev, v)) {
                (true, true) => out.push(cur),
                (true, false) => {
                    out.push(cut(&prev, &cur, v));
                    out.push(cur);
                }
                (false, true) => out.push(cut(&prev, &cur, v)),
                (false, false) => {}
            }
            prev = cur;
        }
    }
    out
}

fn command(id: u32, count: u32) -> u32 {
    (id & 0x7) | (count << 3)
}

fn zigzag(v: i32) -> u32 {
    ((v << 1) ^ (v >> 31)) as u32
}

fn zigzag64(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn feature(id: Option<u64>, tags: &[u32], kind: u64, geometry: &[u32]) -> Vec<u8> {
    let mut f = Vec::new();
    if let Some(id) = id {
        put_varint_field(&mut f, 1, id);
    }
    put_packed(&mut f, 2, tags);
    put_varint_field(&mut f, 3, kind);
    put_packed(&mut f, 4, geometry);
    f
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_key(out: &mut Vec<u8>, field: u32, wire: u8) {
    put_varint(out, (u64::from(field) << 3) | u64::from(wire));
}

fn put_varint_field(out: &mut Vec<u8>, field: u32, v: u64) {
    put_key(out, field, 0);
    put_varint(out, v);
}

fn put_bytes_field(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    put_key(out, field, 2);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn put_packed(out: &mut Vec<u8>, field: u32, vals: &[u32]) {
    if vals.is_empty() {
        return;
    }
    let mut b = Vec::with_capacity(vals.len() * 2);
    for v in vals {
        put_varint(&mut b, u64::from(*v));
    }
    put_bytes_field(out, field, &b);
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn zigzag_and_commands_follow_the_spec() {
        assert_eq!((zigzag(0), zigzag(-1), zigzag(1), zigzag(-2)), (0, 1, 2, 3));
        assert_eq!(command(1, 1), 9);
        assert_eq!(command(2, 3), 26);
        assert_eq!(command(7, 1), 15);
    }

    #[test]
    fn the_spec_example_point_encodes_as_in_the_spec() {
        // Spec 4.3.5.1: a point at (25, 17) is [9, 50, 34].
        let mut g = vec![command(1, 1)];
        g.extend([zigzag(25), zigzag(17)]);
        assert_eq!(g, vec![9, 50, 34]);
    }

    #[test]
    fn a_polygon_inside_the_tile_is_kept_with_positive_exterior_area() {
        let tile = TileId::new(6, 39, 25).unwrap(); // over northern Syria
        let bb = tile.bounds_with_buffer();
        let c = bb.center();
        let p = polygon![(x: c.x - 0.5, y: c.y - 0.5), (x: c.x + 0.5, y: c.y - 0.5),
                         (x: c.x + 0.5, y: c.y + 0.5), (x: c.x - 0.5, y: c.y + 0.5)];
        let mut layer = Layer::new("control", tile);
        layer.add_polygon(
            Some(1),
            &MultiPolygon(vec![p.clone()]),
            &[("actor", Value::String("sdf".into()))],
        );
        assert!(!layer.is_empty());
        let ring = layer.ring(p.exterior()).unwrap();
        let mut g = Geometry::default();
        g.ring(&ring, true);
        // Decode the ring back and check its area sign.
        let mut pts = Vec::new();
        let (mut x, mut y) = (0i32, 0i32);
        let unz = |v: u32| ((v >> 1) as i32) ^ -((v & 1) as i32);
        let mut i = 0;
        while i < g.0.len() {
            let (id, count) = (g.0[i] & 7, g.0[i] >> 3);
            i += 1;
            if id == 7 {
                continue;
            }
            for _ in 0..count {
                x += unz(g.0[i]);
                y += unz(g.0[i + 1]);
                pts.push((x, y));
                i += 2;
            }
        }
        assert!(signed_area(&pts) > 0);
        let bytes = encode_tile(&[layer]);
        assert!(bytes.len() > 20);
        assert_eq!(bytes[0], (3 << 3) | 2, "tile starts with a layer field");
    }

    #[test]
    fn a_polygon_elsewhere_is_left_out_and_an_empty_tile_is_empty() {
        let tile = TileId::new(6, 39, 25).unwrap();
        let far = polygon![(x: -70.0, y: 10.0), (x: -69.0, y: 10.0), (x: -69.0, y: 11.0)];
        let mut layer = Layer::new("control", tile);
        layer.add_polygon(None, &MultiPolygon(vec![far]), &[]);
        layer.add_point(None, Point::new(-70.0, 10.0), &[]);
        assert!(layer.is_empty());
        assert!(encode_tile(&[layer]).is_empty());
    }

    #[test]
    fn clipping_keeps_the_part_inside() {
        let square = [
            (-100.0, -100.0),
            (200.0, -100.0),
            (200.0, 200.0),
            (-100.0, 200.0),
        ];
        let out = clip_ring(&square, 0.0, 100.0);
        let xs: Vec<f64> = out.iter().map(|p| p.0).collect();
        assert!(xs.iter().all(|x| (0.0..=100.0).contains(x)));
        assert_eq!(out.len(), 4);
    }

    #[test]
    fn tile_ids_are_validated() {
        assert!(TileId::new(0, 0, 0).is_some());
        assert!(TileId::new(2, 4, 0).is_none());
        assert!(TileId::new(23, 0, 0).is_none());
    }
}
