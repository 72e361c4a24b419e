//! Rendering workflow tests on the bundled real data: golden images compared with a per-pixel
//! tolerance, SVG that parses, identical output for identical input.
//!
//! Regenerate the goldens after an intended visual change with
//! `FRONTLINE_BLESS=1 cargo test -p frontline-core --test render_maps`, then look at them.

use std::io::Read;
use std::path::PathBuf;

use frontline_core::render::{
    self, chart_scene, map_scene, ActorLayer, AreaChart, Basemap, ChangeLayer, City, Fonts, Format,
    GeoBox, MapSpec, Panel, PanelContent, Rgba, Series,
};
use geo::{GeodesicArea, MultiPolygon, Orient};

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(rel)
}

fn read_geojson(rel: &str) -> geojson::GeoJson {
    let bytes = std::fs::read(data(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let text = if rel.ends_with(".gz") {
        let mut s = String::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_string(&mut s)
            .unwrap();
        s
    } else {
        String::from_utf8(bytes).unwrap()
    };
    text.parse().unwrap()
}

fn multipolygon(
    gj: &geojson::GeoJson,
    pick: impl Fn(&geojson::Feature) -> bool,
) -> MultiPolygon<f64> {
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        panic!("not a collection")
    };
    let mut out = MultiPolygon(vec![]);
    for f in fc.features.iter().filter(|f| pick(f)) {
        match geo::Geometry::<f64>::try_from(&f.geometry.as_ref().unwrap().value).unwrap() {
            geo::Geometry::Polygon(p) => out.0.push(p),
            geo::Geometry::MultiPolygon(mp) => out.0.extend(mp.0),
            _ => {}
        }
    }
    out
}

fn km2(mp: &MultiPolygon<f64>) -> f64 {
    mp.orient(geo::orient::Direction::Default)
        .geodesic_area_unsigned()
        / 1e6
}

fn empty() -> geojson::GeoJson {
    r#"{"type":"FeatureCollection","features":[]}"#.parse().unwrap()
}

/// The Syria/Iraq base map as the binary builds it (Natural Earth; cities with an Arabic name
/// for the three the Mosul test shows).
fn middle_east() -> Basemap {
    let csv = std::fs::read_to_string(data("places/ne_10m_populated_places_syr_irq.csv")).unwrap();
    let arabic = [
        ("Mosul", "الموصل"),
        ("Irbil", "أربيل"),
        ("Dahuk", "دهوك"),
        ("Tall Afar", "تلعفر"),
    ];
    let cities = csv
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            City {
                name: c[0].to_owned(),
                name_ar: arabic.iter().find(|a| a.0 == c[0]).map(|a| a.1.to_owned()),
                lat: c[4].parse().unwrap(),
                lon: c[5].parse().unwrap(),
                population: c[6].parse::<f64>().unwrap() as u64,
                capital: c[9] == "Admin-0 capital",
            }
        })
        .collect();
    let mut b = Basemap::from_geojson(
        &read_geojson("boundaries/ne_10m_admin_0_countries_mideast.geojson"),
        &read_geojson("boundaries/ne_10m_admin_0_boundary_lines_land_mideast.geojson"),
        &read_geojson("boundaries/ne_10m_rivers_lake_centerlines_syr_irq.geojson"),
        &read_geojson("boundaries/ne_10m_lakes_syr_irq.geojson"),
        cities,
    )
    .unwrap();
    for r in &mut b.rivers {
        if ["Tigris", "Dicle"].contains(&r.name.as_str()) {
            r.name = "Tigris".into();
            r.labelled = true;
            r.major = true;
        }
    }
    b
}

/// Around Mosul: real geoBoundaries governorates standing in for actor areas, one per style
/// (held, contested, besieged, low confidence), under the real base map.
fn mosul_spec() -> MapSpec {
    let gov = read_geojson("boundaries/geoBoundaries-IRQ-ADM1.geojson");
    let named = |n: &'static str| {
        multipolygon(&gov, move |f| {
            f.property("shapeName").and_then(|v| v.as_str()) == Some(n)
        })
    };
    let erbil = named("Erbil");
    let ninawa = named("Ninawa");
    let dohuk = named("Dohuk");
    let kirkuk = named("Kirkuk");
    let mut kurds = ActorLayer::held(
        "kurdistan-region",
        "Kurdistan Region",
        Rgba::rgb(185, 137, 44),
        0.0,
        erbil,
    );
    kurds.low_confidence = dohuk;
    kurds.area_km2 = km2(&kurds.held) + km2(&kurds.low_confidence);
    let mut is = ActorLayer::held(
        "islamic-state",
        "Islamic State",
        Rgba::rgb(22, 22, 22),
        0.0,
        MultiPolygon(vec![]),
    );
    is.contested = ninawa;
    is.besieged = kirkuk;
    is.area_km2 = km2(&is.contested) + km2(&is.besieged);
    MapSpec {
        title: "Around Mosul".into(),
        subtitle: Some("Test layers: Iraqi governorates (geoBoundaries) in each style".into()),
        width: 640.0,
        height: 520.0,
        view: GeoBox::new(41.9, 35.4, 44.4, 37.0),
        focus: vec!["Syria".into(), "Iraq".into()],
        panels: vec![Panel {
            caption: "Test".into(),
            content: PanelContent::Control(vec![is, kurds]),
        }],
        credit: "Boundaries: Natural Earth; governorates: geoBoundaries.".into(),
        counter: None,
    }
}

fn ukraine_base() -> Basemap {
    Basemap::from_geojson(
        &read_geojson("ukraine/ne_10m_admin_0_countries_ukraine_region.geojson"),
        &empty(),
        &empty(),
        &empty(),
        vec![],
    )
    .unwrap()
}

fn occupied(day: &str) -> ActorLayer {
    let mp = multipolygon(
        &read_geojson(&format!(
            "ukraine/deepstatemap/deepstatemap_data_{day}.geojson.gz"
        )),
        |_| true,
    );
    ActorLayer::held(
        "russia",
        "Russian-occupied",
        Rgba::rgb(196, 59, 53),
        km2(&mp),
        mp,
    )
}

/// Donbas on two dates: the seed's two-panel layout on a real DeepStateMap polygon.
fn donbas_pair_spec() -> MapSpec {
    MapSpec {
        title: "Donbas, 1 August 2024 and 1 August 2026".into(),
        subtitle: None,
        width: 720.0,
        height: 420.0,
        view: GeoBox::new(36.8, 47.0, 39.6, 49.4),
        focus: vec!["Ukraine".into()],
        panels: vec![
            Panel { caption: "1 August 2024".into(), content: PanelContent::Control(vec![occupied("20240801")]) },
            Panel { caption: "1 August 2026".into(), content: PanelContent::Control(vec![occupied("20260801")]) },
        ],
        credit: "Occupied area: DeepStateMap (archive cyterat/deepstate-map-data). Boundaries: Natural Earth.".into(),
        counter: None,
    }
}

fn golden(name: &str, png: &[u8]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("FRONTLINE_BLESS").is_some()
        || !path.exists() && std::env::var_os("CI").is_none()
    {
        std::fs::write(&path, png).unwrap();
        eprintln!("wrote golden {}", path.display());
        return;
    }
    let want = render::decode_png(&std::fs::read(&path).unwrap()).unwrap();
    let got = render::decode_png(png).unwrap();
    assert_eq!(
        (got.width, got.height),
        (want.width, want.height),
        "{name}: size"
    );
    // Tolerance: anti-aliasing may differ in the last bits between platforms or crate patch
    // releases; a real change moves many pixels by a lot.
    let mut off = 0usize;
    let mut total = 0u64;
    for (a, b) in got.rgba.chunks(4).zip(want.rgba.chunks(4)) {
        let d = a
            .iter()
            .zip(b)
            .map(|(x, y)| x.abs_diff(*y))
            .max()
            .unwrap_or(0);
        total += u64::from(d);
        if d > 24 {
            off += 1;
        }
    }
    let n = (got.width * got.height) as usize;
    let share = off as f64 / n as f64;
    let mean = total as f64 / n as f64;
    if share > 0.002 || mean > 0.5 {
        let actual = std::env::temp_dir().join(format!("actual-{name}"));
        std::fs::write(&actual, png).unwrap();
        panic!(
            "{name}: {:.3} % of pixels differ by more than 24 levels (mean {mean:.2}); actual written to {}",
            share * 100.0,
            actual.display()
        );
    }
}

#[test]
fn mosul_map_matches_its_golden_image() {
    let scene = map_scene(&mosul_spec(), &middle_east(), &Fonts::embedded()).unwrap();
    golden(
        "mosul.png",
        &render::encode(&scene, Format::Png, 1.0).unwrap(),
    );
}

#[test]
fn donbas_pair_matches_its_golden_image() {
    let scene = map_scene(&donbas_pair_spec(), &ukraine_base(), &Fonts::embedded()).unwrap();
    golden(
        "donbas_pair.png",
        &render::encode(&scene, Format::Png, 1.0).unwrap(),
    );
}

#[test]
fn donbas_change_map_matches_its_golden_image() {
    let (a, b) = (occupied("20240801"), occupied("20260801"));
    use geo::BooleanOps;
    let gained = b.held.difference(&a.held);
    let lost = a.held.difference(&b.held);
    let change = ChangeLayer {
        id: a.id.clone(),
        name: a.name.clone(),
        colour: a.colour,
        gained_km2: km2(&gained),
        lost_km2: km2(&lost),
        kept: a.held.intersection(&b.held),
        gained,
        lost,
    };
    // The two polygons' areas and the change agree: after = before + gained − lost (0.1 %).
    let net = a.area_km2 + change.gained_km2 - change.lost_km2;
    assert!(
        (net - b.area_km2).abs() / b.area_km2 < 1e-3,
        "{net} vs {}",
        b.area_km2
    );
    let mut spec = donbas_pair_spec();
    spec.title = "Change, 1 August 2024 to 1 August 2026".into();
    spec.width = 480.0;
    spec.height = 520.0;
    spec.panels = vec![Panel {
        caption: String::new(),
        content: PanelContent::Change(vec![change]),
    }];
    let scene = map_scene(&spec, &ukraine_base(), &Fonts::embedded()).unwrap();
    golden(
        "donbas_change.png",
        &render::encode(&scene, Format::Png, 1.0).unwrap(),
    );
}

#[test]
fn print_scale_doubles_the_pixels_of_the_same_layout() {
    // The Mosul map has every kind of fill, hatching included.
    let scene = map_scene(&mosul_spec(), &middle_east(), &Fonts::embedded()).unwrap();
    let one = render::rasterize(&scene, 1.0).unwrap();
    let two = render::rasterize(&scene, 2.0).unwrap();
    assert_eq!((two.width, two.height), (2 * one.width, 2 * one.height));
    // Same picture: the 2× image averaged down is close to the 1× image.
    let mut diff = 0u64;
    for y in 0..one.height {
        for x in 0..one.width {
            let p = one.pixel(x, y);
            let q: Vec<u32> = (0..3)
                .map(|c| {
                    (0..4)
                        .map(|k| u32::from(two.pixel(2 * x + k % 2, 2 * y + k / 2)[c]))
                        .sum::<u32>()
                        / 4
                })
                .collect();
            diff += (0..3)
                .map(|c| u64::from(p[c].abs_diff(q[c] as u8)))
                .sum::<u64>();
        }
    }
    let mean = diff as f64 / (3 * one.width * one.height) as f64;
    assert!(mean < 4.0, "mean channel difference {mean}");
}

#[test]
fn svg_output_is_valid_and_has_the_texts_as_outlines() {
    let scene = map_scene(&donbas_pair_spec(), &ukraine_base(), &Fonts::embedded()).unwrap();
    let svg = String::from_utf8(render::encode(&scene, Format::Svg, 1.0).unwrap()).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    assert_eq!(root.attribute("viewBox"), Some("0 0 720 420"));
    // Every url(#id) reference points at a defined element.
    let ids: std::collections::HashSet<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("id"))
        .collect();
    let mut refs = 0;
    for n in doc.descendants() {
        for a in n.attributes() {
            if let Some(id) = a
                .value()
                .strip_prefix("url(#")
                .and_then(|v| v.strip_suffix(')'))
            {
                assert!(ids.contains(id), "dangling reference {id}");
                refs += 1;
            }
        }
    }
    assert!(
        refs >= 3,
        "two panel clips and the hatch patterns are referenced"
    );
    let paths = doc.descendants().filter(|n| n.has_tag_name("path")).count();
    assert!(paths > 50, "{paths} paths");
    for n in doc.descendants().filter(|n| n.has_tag_name("path")) {
        let d = n.attribute("d").unwrap_or("M0 0");
        assert!(
            d.starts_with('M') && !d.contains("NaN") && !d.contains("inf"),
            "bad path data {d:.40}"
        );
    }
}

#[test]
fn the_same_input_renders_identically_twice() {
    let base = middle_east();
    let fonts = Fonts::embedded();
    let a = map_scene(&mosul_spec(), &base, &fonts).unwrap();
    let b = map_scene(&mosul_spec(), &base, &fonts).unwrap();
    assert_eq!(a, b);
    assert_eq!(
        render::encode(&a, Format::Png, 2.0).unwrap(),
        render::encode(&b, Format::Png, 2.0).unwrap()
    );
    assert_eq!(render::to_svg(&a), render::to_svg(&b));
}

#[test]
fn the_area_chart_of_the_occupied_area_renders_and_parses() {
    let days = [
        "20240801", "20241001", "20241201", "20250301", "20250601", "20251001", "20260101",
        "20260401", "20260801",
    ];
    let points = days
        .iter()
        .map(|d| {
            (
                chrono::NaiveDate::parse_from_str(d, "%Y%m%d").unwrap(),
                occupied(d).area_km2,
            )
        })
        .collect::<Vec<_>>();
    // DeepStateMap's occupied area grows over these two years (≈ 110,000 → 117,000 km²).
    assert!(points.first().unwrap().1 < points.last().unwrap().1);
    let chart = AreaChart {
        title: "Russian-occupied Ukraine".into(),
        subtitle: Some("km², DeepStateMap".into()),
        width: 800.0,
        height: 450.0,
        series: vec![Series {
            name: "Russian-occupied".into(),
            colour: Rgba::rgb(196, 59, 53),
            points,
        }],
        marks: vec![(
            chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
            "1 June 2025".into(),
        )],
        credit: "DeepStateMap".into(),
    };
    let scene = chart_scene(&chart, &Fonts::embedded()).unwrap();
    let svg = render::to_svg(&scene);
    roxmltree::Document::parse(&svg).expect("well-formed SVG");
    golden(
        "chart_ukraine.png",
        &render::encode(&scene, Format::Png, 1.0).unwrap(),
    );
}
