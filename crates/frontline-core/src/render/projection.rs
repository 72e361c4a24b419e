//! The map projection: equirectangular ("plate carrée") with longitudes shrunk by the cosine of
//! the view's middle latitude. For a region the size of Syria + Iraq (29–38° N) this keeps shapes
//! within about 6 % of true at the top and bottom edges, looks like the maps newspapers print, and
//! is trivially invertible; Web Mercator would stretch the north by as much again for nothing.
//! The scale bar is computed geodesically at the middle latitude, where this projection is true.

use geo::{Coord, Distance, Geodesic, Point};

use super::scene::Rect;

/// A longitude/latitude box, degrees (WGS84).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoBox {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl GeoBox {
    pub const fn new(west: f64, south: f64, east: f64, north: f64) -> Self {
        Self {
            west,
            south,
            east,
            north,
        }
    }

    /// Syria and Iraq with a margin: the default view.
    pub const SYRIA_IRAQ: GeoBox = GeoBox::new(35.3, 28.9, 48.9, 37.9);

    pub fn is_valid(&self) -> bool {
        [self.west, self.south, self.east, self.north]
            .iter()
            .all(|v| v.is_finite())
            && self.west < self.east
            && self.south < self.north
            && self.south >= -85.0
            && self.north <= 85.0
    }

    pub fn intersects(&self, o: &GeoBox) -> bool {
        self.west <= o.east && o.west <= self.east && self.south <= o.north && o.south <= self.north
    }
}

/// Maps lon/lat to logical pixels inside a frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    /// Pixels per degree of longitude and latitude.
    kx: f64,
    ky: f64,
    lon0: f64,
    lat0: f64,
    /// The frame the map fills; `(lon0, lat0)` is its centre.
    frame: Rect,
}

impl Projection {
    /// The projection that shows all of `view` inside `frame`, centred. The frame is filled: the
    /// axis with room to spare shows more than the view asks for.
    pub fn fit(view: GeoBox, frame: Rect) -> Self {
        let lat_mid = (view.south + view.north) / 2.0;
        let c = lat_mid.to_radians().cos();
        let k = (frame.w as f64 / ((view.east - view.west) * c))
            .min(frame.h as f64 / (view.north - view.south));
        Self {
            kx: k * c,
            ky: k,
            lon0: (view.west + view.east) / 2.0,
            lat0: lat_mid,
            frame,
        }
    }

    pub fn frame(&self) -> Rect {
        self.frame
    }

    /// Pixel position of a lon/lat.
    pub fn project(&self, lon: f64, lat: f64) -> (f32, f32) {
        let x = self.frame.x as f64 + self.frame.w as f64 / 2.0 + (lon - self.lon0) * self.kx;
        let y = self.frame.y as f64 + self.frame.h as f64 / 2.0 - (lat - self.lat0) * self.ky;
        (x as f32, y as f32)
    }

    pub fn project_coord(&self, c: Coord<f64>) -> (f32, f32) {
        self.project(c.x, c.y)
    }

    /// Lon/lat of a pixel position.
    pub fn unproject(&self, x: f32, y: f32) -> (f64, f64) {
        let lon =
            self.lon0 + (x as f64 - self.frame.x as f64 - self.frame.w as f64 / 2.0) / self.kx;
        let lat =
            self.lat0 - (y as f64 - self.frame.y as f64 - self.frame.h as f64 / 2.0) / self.ky;
        (lon, lat)
    }

    /// The lon/lat box the frame actually shows.
    pub fn visible(&self) -> GeoBox {
        let (west, north) = self.unproject(self.frame.x, self.frame.y);
        let (east, south) = self.unproject(self.frame.right(), self.frame.bottom());
        GeoBox::new(west, south, east, north)
    }

    /// The latitude where horizontal distances are true (the view's middle), degrees.
    pub fn true_scale_latitude(&self) -> f64 {
        self.lat0
    }

    /// Geodesic kilometres per logical pixel, measured east–west at the true-scale latitude.
    pub fn km_per_px(&self) -> f64 {
        let span_px = 100.0;
        let a = Point::new(self.lon0, self.lat0);
        let b = Point::new(self.lon0 + span_px / self.kx, self.lat0);
        Geodesic.distance(a, b) / 1000.0 / span_px
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn the_view_fits_and_round_trips() {
        let p = Projection::fit(GeoBox::SYRIA_IRAQ, Rect::new(10.0, 20.0, 800.0, 500.0));
        let (x, y) = p.project(43.13, 36.34); // Mosul
        let (lon, lat) = p.unproject(x, y);
        assert_relative_eq!(lon, 43.13, epsilon = 1e-4);
        assert_relative_eq!(lat, 36.34, epsilon = 1e-4);
        let v = p.visible();
        assert!(v.west <= 35.3 + 1e-6 && v.east >= 48.9 - 1e-6);
        assert!(v.south <= 28.9 + 1e-6 && v.north >= 37.9 - 1e-6);
    }

    #[test]
    fn north_is_up_and_a_degree_of_longitude_is_shorter_than_one_of_latitude() {
        let p = Projection::fit(GeoBox::SYRIA_IRAQ, Rect::new(0.0, 0.0, 800.0, 500.0));
        let (x0, y0) = p.project(40.0, 33.0);
        let (x1, _) = p.project(41.0, 33.0);
        let (_, y1) = p.project(40.0, 34.0);
        assert!(y1 < y0);
        let ratio = (x1 - x0) / (y0 - y1);
        assert_relative_eq!(ratio as f64, 33.4f64.to_radians().cos(), epsilon = 1e-3);
    }

    #[test]
    fn scale_is_geodesic_at_the_middle_latitude() {
        let p = Projection::fit(GeoBox::SYRIA_IRAQ, Rect::new(0.0, 0.0, 800.0, 500.0));
        // One degree of longitude at 33.4° N is 93.1 km on WGS84.
        let (x0, _) = p.project(40.0, 33.4);
        let (x1, _) = p.project(41.0, 33.4);
        let km = p.km_per_px() * (x1 - x0) as f64;
        assert_relative_eq!(km, 93.1, epsilon = 0.2);
    }
}
