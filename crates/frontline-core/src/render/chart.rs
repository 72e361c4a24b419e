//! The area chart: km² per actor over time, one line each, labelled at its end (no legend to
//! look up), with a km² axis from zero, a date axis and marked dates (e.g. the dates of the
//! published map pair) as dashed verticals.

use chrono::{Datelike, NaiveDate};

use super::map::{fmt_int, palette};
use super::scene::{Path, Rect, Rgba, Scene};
use super::text::{draw_text, Anchor, Fonts, Halo, TextStyle};
use super::RenderError;

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub colour: Rgba,
    /// Dated values, km²; sorted by date when drawn.
    pub points: Vec<(NaiveDate, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AreaChart {
    pub title: String,
    pub subtitle: Option<String>,
    pub width: f32,
    pub height: f32,
    pub series: Vec<Series>,
    /// Dates to mark with a dashed vertical and a label.
    pub marks: Vec<(NaiveDate, String)>,
    pub credit: String,
}

const MARGIN: f32 = 20.0;

/// Lays out the chart.
pub fn chart_scene(chart: &AreaChart, fonts: &Fonts) -> Result<Scene, RenderError> {
    if !(chart.width >= 300.0 && chart.height >= 200.0) {
        return Err(RenderError::InvalidSize(format!(
            "{}×{}",
            chart.width, chart.height
        )));
    }
    let series: Vec<Series> = chart
        .series
        .iter()
        .filter(|s| s.points.len() >= 2)
        .map(|s| {
            let mut s = s.clone();
            s.points.sort_by_key(|p| p.0);
            s
        })
        .collect();
    if series.is_empty() {
        return Err(RenderError::EmptyChart);
    }
    let (w, h) = (chart.width, chart.height);
    let mut scene = Scene::new(w, h);
    scene.rect(Rect::new(0.0, 0.0, w, h), palette::PAPER);
    let mut y = MARGIN + 24.0;
    draw_text(
        &mut scene,
        fonts,
        &chart.title,
        TextStyle::bold(22.0),
        MARGIN,
        y,
        Anchor::Start,
        palette::INK,
        None,
    );
    if let Some(sub) = &chart.subtitle {
        y += 22.0;
        draw_text(
            &mut scene,
            fonts,
            sub,
            TextStyle::regular(14.0),
            MARGIN,
            y,
            Anchor::Start,
            palette::GREY_TEXT,
            None,
        );
    }
    draw_text(
        &mut scene,
        fonts,
        &chart.credit,
        TextStyle::regular(10.0),
        MARGIN,
        h - MARGIN + 6.0,
        Anchor::Start,
        palette::GREY_TEXT,
        None,
    );

    let d0 = series
        .iter()
        .map(|s| s.points[0].0)
        .min()
        .unwrap_or_default();
    let d1 = series
        .iter()
        .map(|s| s.points[s.points.len() - 1].0)
        .max()
        .unwrap_or_default();
    let vmax = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(0.0f64, f64::max);
    let (step, top) = nice_axis(vmax);

    let tick = TextStyle::regular(11.5);
    let label_w = fonts.measure(&fmt_int(top), tick);
    let end_label_w = series
        .iter()
        .map(|s| {
            fonts
                .measure(&s.name, TextStyle::bold(12.0))
                .max(fonts.measure(
                    &format!("{} km²", fmt_int(s.points[s.points.len() - 1].1)),
                    tick,
                ))
        })
        .fold(0.0f32, f32::max);
    let plot = Rect::new(MARGIN + label_w + 10.0, y + 44.0, 0.0, 0.0);
    let plot = Rect::new(
        plot.x,
        plot.y,
        w - MARGIN - end_label_w - 14.0 - plot.x,
        h - MARGIN - 58.0 - plot.y,
    );
    if plot.w < 80.0 || plot.h < 60.0 {
        return Err(RenderError::InvalidSize(format!(
            "{w}×{h} leaves no room for the plot"
        )));
    }
    let span = (d1 - d0).num_days().max(1) as f32;
    let px = |d: NaiveDate| plot.x + plot.w * (d - d0).num_days() as f32 / span;
    let py = |v: f64| plot.bottom() - plot.h * (v / top) as f32;

    // Y axis: gridlines and labels, axis title above.
    draw_text(
        &mut scene,
        fonts,
        "Area, km²",
        TextStyle::bold(12.0),
        MARGIN,
        plot.y - 14.0,
        Anchor::Start,
        palette::INK,
        None,
    );
    let mut v = 0.0;
    while v <= top + step * 0.01 {
        let yy = py(v);
        let mut g = Path::new();
        g.move_to(plot.x, yy);
        g.line_to(plot.right(), yy);
        scene.stroke(
            g,
            if v == 0.0 {
                palette::INK
            } else {
                Rgba::rgb(222, 222, 222)
            },
            if v == 0.0 { 1.0 } else { 0.8 },
        );
        draw_text(
            &mut scene,
            fonts,
            &fmt_int(v),
            tick,
            plot.x - 8.0,
            yy + 4.0,
            Anchor::End,
            palette::GREY_TEXT,
            None,
        );
        v += step;
    }
    // X axis: ticks at years, quarters or months, whichever gives 3–12 ticks.
    let ticks = date_ticks(d0, d1);
    let mut last_right = f32::MIN;
    for (d, label) in &ticks {
        let xx = px(*d);
        let mut t = Path::new();
        t.move_to(xx, plot.bottom());
        t.line_to(xx, plot.bottom() + 5.0);
        scene.stroke(t, palette::INK, 1.0);
        let lw = fonts.measure(label, tick);
        if xx - lw / 2.0 > last_right + 6.0 && xx + lw / 2.0 <= w - 4.0 {
            draw_text(
                &mut scene,
                fonts,
                label,
                tick,
                xx,
                plot.bottom() + 19.0,
                Anchor::Middle,
                palette::GREY_TEXT,
                None,
            );
            last_right = xx + lw / 2.0;
        }
    }
    draw_text(
        &mut scene,
        fonts,
        "Date",
        TextStyle::bold(12.0),
        plot.x + plot.w / 2.0,
        plot.bottom() + 38.0,
        Anchor::Middle,
        palette::INK,
        None,
    );

    // Marked dates.
    let mark_style = TextStyle::regular(11.0);
    let mut mark_rows: Vec<f32> = Vec::new();
    for (d, label) in &chart.marks {
        if *d < d0 || *d > d1 {
            continue;
        }
        let xx = px(*d);
        let mut l = Path::new();
        l.move_to(xx, plot.y - 2.0);
        l.line_to(xx, plot.bottom());
        scene.stroke_dashed(l, palette::GREY_TEXT, 1.0, Some((4.0, 3.0)));
        let lw = fonts.measure(label, mark_style);
        let anchor_x = (xx + 4.0).min(plot.right() - lw);
        let row = mark_rows
            .iter()
            .position(|r| *r < anchor_x - 6.0)
            .unwrap_or(mark_rows.len());
        if row == mark_rows.len() {
            mark_rows.push(0.0);
        }
        mark_rows[row] = anchor_x + lw;
        draw_text(
            &mut scene,
            fonts,
            label,
            mark_style,
            anchor_x,
            plot.y + 12.0 + 14.0 * row as f32,
            Anchor::Start,
            palette::INK,
            Some(Halo {
                colour: Rgba::WHITE,
                width: 3.0,
            }),
        );
    }

    // Lines, then end labels pushed apart vertically.
    let mut ends: Vec<(f32, &Series)> = Vec::new();
    for s in &series {
        let mut p = Path::new();
        for (i, (d, v)) in s.points.iter().enumerate() {
            if i == 0 {
                p.move_to(px(*d), py(*v));
            } else {
                p.line_to(px(*d), py(*v));
            }
        }
        scene.stroke(p, Rgba::WHITE, 4.5);
        let mut p2 = Path::new();
        for (i, (d, v)) in s.points.iter().enumerate() {
            if i == 0 {
                p2.move_to(px(*d), py(*v));
            } else {
                p2.line_to(px(*d), py(*v));
            }
        }
        scene.stroke(p2, s.colour, 2.2);
        let (d, v) = s.points[s.points.len() - 1];
        scene.fill(Path::circle(px(d), py(v), 3.0), s.colour);
        ends.push((py(v), s));
    }
    ends.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut next_free = f32::MIN;
    for (yy, s) in ends {
        let y_label = yy.max(next_free);
        let x = plot.right() + 10.0;
        let ink = if s.colour.luminance() > 0.7 {
            palette::INK
        } else {
            s.colour
        };
        draw_text(
            &mut scene,
            fonts,
            &s.name,
            TextStyle::bold(12.0),
            x,
            y_label + 1.0,
            Anchor::Start,
            ink,
            None,
        );
        let value = format!("{} km²", fmt_int(s.points[s.points.len() - 1].1));
        draw_text(
            &mut scene,
            fonts,
            &value,
            tick,
            x,
            y_label + 15.0,
            Anchor::Start,
            palette::GREY_TEXT,
            None,
        );
        next_free = y_label + 32.0;
    }
    Ok(scene)
}

/// A round tick step and the axis top (a multiple of it) for values up to `max`.
fn nice_axis(max: f64) -> (f64, f64) {
    if max.is_nan() || max <= 0.0 {
        return (1.0, 1.0);
    }
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    (step, (max / step).ceil() * step)
}

/// Tick dates and labels between `d0` and `d1`.
fn date_ticks(d0: NaiveDate, d1: NaiveDate) -> Vec<(NaiveDate, String)> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let months = (d1.year() - d0.year()) * 12 + d1.month() as i32 - d0.month() as i32;
    let every = if months > 36 {
        12
    } else if months > 12 {
        3
    } else {
        1
    };
    let mut out = Vec::new();
    let (mut y, mut m) = (d0.year(), d0.month());
    loop {
        if let Some(d) = NaiveDate::from_ymd_opt(y, m, 1) {
            if d > d1 {
                break;
            }
            if d >= d0 && (m - 1) % every == 0 {
                let label = if every == 12 {
                    y.to_string()
                } else if m == 1 || out.is_empty() {
                    format!("{} {y}", MONTHS[(m - 1) as usize])
                } else {
                    MONTHS[(m - 1) as usize].to_owned()
                };
                out.push((d, label));
            }
        }
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_axis(78_412.0), (20_000.0, 80_000.0));
        assert_eq!(nice_axis(9.0), (2.0, 10.0));
        assert_eq!(nice_axis(0.0), (1.0, 1.0));
    }

    #[test]
    fn date_ticks_adapt_to_the_span() {
        let years = date_ticks(d("2014-01-01"), d("2018-06-01"));
        assert_eq!(
            years.iter().map(|t| t.1.as_str()).collect::<Vec<_>>(),
            ["2014", "2015", "2016", "2017", "2018"]
        );
        let quarters = date_ticks(d("2016-02-01"), d("2017-06-05"));
        assert_eq!(quarters[0].1, "Apr 2016");
        assert_eq!(quarters[1].1, "Jul");
        assert_eq!(quarters[3].1, "Jan 2017");
    }

    #[test]
    fn an_empty_chart_is_an_error() {
        let c = AreaChart {
            title: "t".into(),
            subtitle: None,
            width: 800.0,
            height: 500.0,
            series: vec![Series {
                name: "x".into(),
                colour: Rgba::BLACK,
                points: vec![(d("2016-01-01"), 1.0)],
            }],
            marks: vec![],
            credit: String::new(),
        };
        assert!(matches!(
            chart_scene(&c, &Fonts::embedded()),
            Err(RenderError::EmptyChart)
        ));
    }
}
