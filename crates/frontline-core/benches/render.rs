//! Rendering speed: a full Syria + Iraq map at 1600×1000 (target: under 200 ms including PNG
//! encoding), and its parts. The actor layers are the 18 real Iraqi governorates (geoBoundaries,
//! 4,108 vertices) assigned to four actors in all four styles, plus the real DeepStateMap polygon
//! for a larger single layer; the base map is the bundled Natural Earth 10m data.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use frontline_core::render::{
    self, map_scene, ActorLayer, Basemap, City, Fonts, Format, GeoBox, MapSpec, Panel,
    PanelContent, Rgba,
};
use geo::MultiPolygon;

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(rel)
}

fn gj(rel: &str) -> geojson::GeoJson {
    std::fs::read_to_string(data(rel)).unwrap().parse().unwrap()
}

fn basemap() -> Basemap {
    let csv = std::fs::read_to_string(data("places/ne_10m_populated_places_syr_irq.csv")).unwrap();
    let cities = csv
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            City {
                name: c[0].to_owned(),
                name_ar: Some("الموصل".to_owned()),
                lat: c[4].parse().unwrap(),
                lon: c[5].parse().unwrap(),
                population: c[6].parse::<f64>().unwrap() as u64,
                capital: c[9] == "Admin-0 capital",
            }
        })
        .collect();
    let mut b = Basemap::from_geojson(
        &gj("boundaries/ne_10m_admin_0_countries_mideast.geojson"),
        &gj("boundaries/ne_10m_admin_0_boundary_lines_land_mideast.geojson"),
        &gj("boundaries/ne_10m_rivers_lake_centerlines_syr_irq.geojson"),
        &gj("boundaries/ne_10m_lakes_syr_irq.geojson"),
        cities,
    )
    .unwrap();
    for r in &mut b.rivers {
        r.labelled = ["Euphrates", "Tigris"].contains(&r.name.as_str());
        r.major = r.labelled;
    }
    b
}

fn layers() -> Vec<ActorLayer> {
    let geojson::GeoJson::FeatureCollection(fc) = gj("boundaries/geoBoundaries-IRQ-ADM1.geojson")
    else {
        panic!()
    };
    let actors = [
        ("islamic-state", Rgba::rgb(22, 22, 22)),
        ("iraqi-government", Rgba::rgb(229, 143, 125)),
        ("kurdistan-region", Rgba::rgb(185, 137, 44)),
        ("sdf", Rgba::rgb(233, 196, 48)),
    ];
    let mut out: Vec<ActorLayer> = actors
        .iter()
        .map(|(id, c)| ActorLayer::held(id, id, *c, 1000.0, MultiPolygon(vec![])))
        .collect();
    for (i, f) in fc.features.iter().enumerate() {
        let g = geo::Geometry::<f64>::try_from(&f.geometry.as_ref().unwrap().value).unwrap();
        let mp = match g {
            geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
            geo::Geometry::MultiPolygon(mp) => mp,
            _ => continue,
        };
        let l = &mut out[i % 4];
        match (i / 4) % 4 {
            0 => l.held.0.extend(mp.0),
            1 => l.contested.0.extend(mp.0),
            2 => l.besieged.0.extend(mp.0),
            _ => l.low_confidence.0.extend(mp.0),
        }
    }
    out
}

fn spec(panels: usize) -> MapSpec {
    MapSpec {
        title: "Syria and Iraq".into(),
        subtitle: Some("Benchmark".into()),
        width: 1600.0,
        height: 1000.0,
        view: GeoBox::SYRIA_IRAQ,
        focus: vec!["Syria".into(), "Iraq".into()],
        panels: (0..panels)
            .map(|i| Panel {
                caption: format!("Panel {i}"),
                content: PanelContent::Control(layers()),
            })
            .collect(),
        credit: "Natural Earth; geoBoundaries.".into(),
        counter: None,
    }
}

fn bench(c: &mut Criterion) {
    let base = basemap();
    let fonts = Fonts::embedded();
    let one = spec(1);
    let pair = spec(2);
    let mut g = c.benchmark_group("render");
    g.sample_size(20);
    g.bench_function("syria_iraq_1600x1000_png", |b| {
        b.iter(|| {
            render::encode(&map_scene(&one, &base, &fonts).unwrap(), Format::Png, 1.0).unwrap()
        })
    });
    let scene = map_scene(&one, &base, &fonts).unwrap();
    g.bench_function("layout_only", |b| {
        b.iter(|| map_scene(&one, &base, &fonts).unwrap())
    });
    g.bench_function("rasterize_only", |b| {
        b.iter(|| render::rasterize(&scene, 1.0).unwrap())
    });
    let img = render::rasterize(&scene, 1.0).unwrap();
    g.bench_function("png_encode_only", |b| {
        b.iter(|| render::encode_png(&img, 1.0).unwrap())
    });
    g.bench_function("svg_only", |b| b.iter(|| render::to_svg(&scene)));
    g.bench_function("pair_1600x1000_png", |b| {
        b.iter(|| {
            render::encode(&map_scene(&pair, &base, &fonts).unwrap(), Format::Png, 1.0).unwrap()
        })
    });
    g.bench_function("syria_iraq_print_2x_png", |b| {
        b.iter(|| render::encode(&scene, Format::Png, 2.0).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
