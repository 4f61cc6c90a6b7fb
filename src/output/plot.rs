//! SVG charts of sweeps: regime maps over two parameters, metric lines with 95% bands over one.
//!
//! Charts are rendered into a string and written atomically. Text is emitted as SVG `<text>`
//! elements, so no font files are needed; each chart also gets a PNG copy beside it
//! ([`super::png`]), rasterised with the font embedded in the binary.

use std::path::{Path, PathBuf};

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use super::atomic::{WriteError, write_atomic};
use crate::metrics::Regime;

/// Why a chart could not be drawn or written.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// Drawing failed.
    #[error("cannot draw {}: {message}", path.display())]
    Draw {
        /// The chart file.
        path: PathBuf,
        /// What plotters reported.
        message: String,
    },
    /// Writing failed.
    #[error(transparent)]
    Write(#[from] WriteError),
}

impl From<PlotError> for crate::experiment::sweep::SweepError {
    fn from(e: PlotError) -> Self {
        match e {
            PlotError::Write(w) => w.into(),
            PlotError::Draw { path, message } => crate::experiment::sweep::SweepError::Inconsistent { path, message },
        }
    }
}

/// A fixed colour per regime, so maps from different sweeps read alike: the Okabe–Ito colours
/// the page and the report use (assets/page/charts.js), legible with the common forms of colour
/// blindness.
pub fn regime_colour(r: Regime) -> RGBColor {
    match r {
        Regime::Embedded => RGBColor(0x00, 0x9E, 0x73),
        Regime::Reengineered => RGBColor(0x00, 0x72, 0xB2),
        Regime::Floating => RGBColor(0xE6, 0x9F, 0x00),
        Regime::Idling => RGBColor(0xF0, 0xE4, 0x42),
        Regime::Overloaded => RGBColor(0xD5, 0x5E, 0x00),
        Regime::Transitional => RGBColor(0x56, 0xB4, 0xE9),
        Regime::Unclassified => RGBColor(0xBB, 0xBB, 0xBB),
    }
}

/// A chart's frame: its title, margins and axis label areas (`y_area` pixels for the y labels).
fn titled<'a, 'b, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    y_area: u32,
) -> ChartBuilder<'a, 'b, DB> {
    let mut b = ChartBuilder::on(area);
    b.caption(title, ("sans-serif", 18)).margin(10).x_label_area_size(45).y_label_area_size(y_area);
    b
}

fn draw_err(path: &Path) -> impl Fn(String) -> PlotError + '_ {
    move |message| PlotError::Draw { path: path.to_path_buf(), message }
}

/// Where the PNG copy of the chart at `path` goes: beside it, with `.png` for `.svg`.
pub fn png_path(path: &Path) -> PathBuf {
    path.with_extension("png")
}

/// Writes the chart as SVG at `path`, and as PNG at [`png_path`].
pub fn save(path: &Path, svg: &str) -> Result<(), PlotError> {
    write_atomic(path, |w| w.write_all(svg.as_bytes()))?;
    let png_path = png_path(path);
    let png = super::png::svg_to_png(svg).map_err(|e| draw_err(&png_path)(e.to_string()))?;
    write_atomic(&png_path, |w| w.write_all(&png))?;
    Ok(())
}

fn distinct(xs: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = xs.collect();
    v.sort_by(f64::total_cmp);
    v.dedup();
    v
}

fn label(x: f64) -> String {
    let s = format!("{x}");
    if s.len() > 8 { format!("{x:.3}") } else { s }
}

/// A regime map: cell (or dot, when the points are not a grid) at each (x, y), coloured by
/// regime, with a legend of the regimes shown.
pub fn regime_map(
    path: &Path,
    title: &str,
    x_name: &str,
    y_name: &str,
    cells: &[(f64, f64, Regime)],
) -> Result<(), PlotError> {
    regime_map_with_boxes(path, title, x_name, y_name, cells, &[])
}

/// Position of data value `v` on a grid axis of cells centred on `xs` (cell i spans [i, i + 1]),
/// interpolated between centres; infinite values go to the edges.
fn grid_position(xs: &[f64], v: f64) -> f64 {
    let n = xs.len();
    if v <= xs[0] {
        return if v.is_finite() && n > 1 { (0.5 - (xs[0] - v) / (xs[1] - xs[0])).max(0.0) } else { 0.0 };
    }
    if v >= xs[n - 1] {
        return if v.is_finite() && n > 1 {
            (n as f64 - 0.5 + (v - xs[n - 1]) / (xs[n - 1] - xs[n - 2])).min(n as f64)
        } else {
            n as f64
        };
    }
    let j = xs.iter().rposition(|x| *x <= v).unwrap_or(0);
    j as f64 + 0.5 + (v - xs[j]) / (xs[j + 1] - xs[j])
}

/// One axis of a regime grid: its key path, and its values' labels in order.
#[derive(Clone, Copy, Debug)]
pub struct GridAxis<'a> {
    /// The key path (its words label the axis).
    pub key: &'a str,
    /// The values, in the order they are drawn.
    pub labels: &'a [String],
    /// The values are names, not numbers: the axis says so.
    pub categorical: bool,
}

impl GridAxis<'_> {
    fn desc(&self) -> String {
        let words = super::words::axis(self.key);
        if self.categorical { format!("{words} (categories)") } else { words }
    }
}

/// A regime map on a grid: one cell per (x, y) pair of value indices, each value an equal band
/// named by its label (numbers or categories).
pub fn regime_grid(
    path: &Path,
    title: &str,
    x: GridAxis<'_>,
    y: GridAxis<'_>,
    cells: &[(usize, usize, Regime)],
) -> Result<(), PlotError> {
    regime_grid_with_boxes(path, title, x, y, cells, &[])
}

/// [`regime_grid`] with boxes outlined in black, in grid units (x_lo, x_hi, y_lo, y_hi: value
/// `i`'s band spans [i, i + 1]).
fn regime_grid_with_boxes(
    path: &Path,
    title: &str,
    x: GridAxis<'_>,
    y: GridAxis<'_>,
    cells: &[(usize, usize, Regime)],
    outlines: &[[f64; 4]],
) -> Result<(), PlotError> {
    let err = draw_err(path);
    let (nx, ny) = (x.labels.len(), y.labels.len());
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        let (main, legend) = root.split_horizontally(720);
        let mut chart = titled(&main, title, if x.categorical || y.categorical { 90 } else { 60 })
            .build_cartesian_2d((0..nx as i32 - 1).into_segmented(), (0..ny as i32 - 1).into_segmented())
            .map_err(|e| err(e.to_string()))?;
        let name = |labels: &[String], v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        let fx = |v: &SegmentValue<i32>| name(x.labels, v);
        let fy = |v: &SegmentValue<i32>| name(y.labels, v);
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(x.desc())
            .y_desc(y.desc())
            .x_labels(nx.min(20))
            .y_labels(ny.min(20))
            .x_label_formatter(&fx)
            .y_label_formatter(&fy)
            .draw()
            .map_err(|e| err(e.to_string()))?;
        chart
            .draw_series(cells.iter().map(|&(i, j, r)| {
                let (i, j) = (i as i32, j as i32);
                Rectangle::new(
                    [
                        (SegmentValue::Exact(i), SegmentValue::Exact(j)),
                        (SegmentValue::Exact(i + 1), SegmentValue::Exact(j + 1)),
                    ],
                    regime_colour(r).filled(),
                )
            }))
            .map_err(|e| err(e.to_string()))?;
        for &[x0, x1, y0, y1] in outlines {
            let area = chart.plotting_area().strip_coord_spec();
            let (w, h) = area.dim_in_pixel();
            let px = |v: f64| (v / nx as f64 * w as f64).round() as i32;
            let py = |v: f64| h as i32 - (v / ny as f64 * h as f64).round() as i32;
            area.draw(&Rectangle::new([(px(x0), py(y1)), (px(x1), py(y0))], BLACK.stroke_width(4)))
                .map_err(|e| err(e.to_string()))?;
        }
        regime_legend(&legend, cells.iter().map(|c| c.2), &err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    save(path, &svg)
}

/// The legend of a regime map: the regimes shown, in the classifier's order.
fn regime_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    regimes: impl Iterator<Item = Regime>,
    err: &dyn Fn(String) -> PlotError,
) -> Result<(), PlotError> {
    let regimes: Vec<Regime> = regimes.collect();
    let shown: Vec<Regime> = Regime::ALL.iter().copied().filter(|g| regimes.contains(g)).collect();
    area.draw(&Text::new("modal regime", (10, 60), ("sans-serif", 15).into_font())).map_err(|e| err(e.to_string()))?;
    for (k, g) in shown.iter().enumerate() {
        let y = 85 + 26 * k as i32;
        area.draw(&Rectangle::new([(10, y), (28, y + 18)], regime_colour(*g).filled()))
            .map_err(|e| err(e.to_string()))?;
        area.draw(&Text::new(format!("{} {}", g.name(), g.chinese()), (34, y + 3), ("sans-serif", 14).into_font()))
            .map_err(|e| err(e.to_string()))?;
    }
    Ok(())
}

/// A regime map with boxes (x_lo, x_hi, y_lo, y_hi in data units; infinite ends reach the
/// edges) outlined in black, as found by scenario discovery.
pub fn regime_map_with_boxes(
    path: &Path,
    title: &str,
    x_name: &str,
    y_name: &str,
    cells: &[(f64, f64, Regime)],
    outlines: &[[f64; 4]],
) -> Result<(), PlotError> {
    let err = draw_err(path);
    let xs = distinct(cells.iter().map(|c| c.0));
    let ys = distinct(cells.iter().map(|c| c.1));
    if xs.len() * ys.len() == cells.len() {
        let index = |v: &[f64], x: f64| v.iter().position(|u| *u == x).unwrap_or(0);
        let grid: Vec<(usize, usize, Regime)> =
            cells.iter().map(|&(x, y, r)| (index(&xs, x), index(&ys, y), r)).collect();
        let (xl, yl): (Vec<String>, Vec<String>) =
            (xs.iter().map(|v| label(*v)).collect(), ys.iter().map(|v| label(*v)).collect());
        let boxes: Vec<[f64; 4]> = outlines
            .iter()
            .map(|&[x0, x1, y0, y1]| {
                [grid_position(&xs, x0), grid_position(&xs, x1), grid_position(&ys, y0), grid_position(&ys, y1)]
            })
            .collect();
        let x = GridAxis { key: x_name, labels: &xl, categorical: false };
        let y = GridAxis { key: y_name, labels: &yl, categorical: false };
        return regime_grid_with_boxes(path, title, x, y, &grid, &boxes);
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        let (main, legend) = root.split_horizontally(720);
        let pad = |v: &[f64]| {
            let (lo, hi) = (v[0], v[v.len() - 1]);
            let d = if hi > lo { (hi - lo) * 0.05 } else { 0.5 };
            (lo - d)..(hi + d)
        };
        let mut chart =
            titled(&main, title, 60).build_cartesian_2d(pad(&xs), pad(&ys)).map_err(|e| err(e.to_string()))?;
        chart
            .configure_mesh()
            .x_desc(super::words::axis(x_name))
            .y_desc(super::words::axis(y_name))
            .draw()
            .map_err(|e| err(e.to_string()))?;
        chart
            .draw_series(cells.iter().map(|(x, y, r)| Circle::new((*x, *y), 6, regime_colour(*r).filled())))
            .map_err(|e| err(e.to_string()))?;
        for &[x0, x1, y0, y1] in outlines {
            let (rx, ry) = (pad(&xs), pad(&ys));
            let cx = |v: f64| v.clamp(rx.start, rx.end);
            let cy = |v: f64| v.clamp(ry.start, ry.end);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(cx(x0), cy(y1)), (cx(x1), cy(y0))],
                    BLACK.stroke_width(4),
                )))
                .map_err(|e| err(e.to_string()))?;
        }
        regime_legend(&legend, cells.iter().map(|c| c.2), &err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    save(path, &svg)
}

/// One line of a metric chart: (x, mean, 95% half-width) sorted by x.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// Points; NaN means are skipped, NaN half-widths draw no band.
    pub points: Vec<(f64, f64, f64)>,
}

/// Series colours: Okabe–Ito, in the order of the page's charts.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x00, 0x00, 0x00),
    RGBColor(0xF0, 0xE4, 0x42),
];

/// Mean lines with shaded 95% confidence bands, one per series.
pub fn metric_lines(path: &Path, title: &str, x_name: &str, y_name: &str, series: &[Series]) -> Result<(), PlotError> {
    let err = draw_err(path);
    let pts: Vec<Vec<(f64, f64, f64)>> = series
        .iter()
        .map(|s| {
            s.points
                .iter()
                .filter(|p| p.1.is_finite())
                .map(|&(x, m, h)| (x, m, if h.is_finite() { h } else { 0.0 }))
                .collect()
        })
        .collect();
    let all: Vec<&(f64, f64, f64)> = pts.iter().flatten().collect();
    let xs = distinct(all.iter().map(|p| p.0));
    if xs.is_empty() {
        return Err(err("nothing to plot".into()));
    }
    // A share's band stops at 0 and 1, where the share does.
    let share = y_name.ends_with("share") || y_name.ends_with("_rate") || y_name == "p_wait";
    let clamp = |v: f64| if share { v.clamp(0.0, 1.0) } else { v };
    let lo = all.iter().map(|p| clamp(p.1 - p.2)).fold(f64::INFINITY, f64::min);
    let hi = all.iter().map(|p| clamp(p.1 + p.2)).fold(f64::NEG_INFINITY, f64::max);
    let (ylo, yhi) = if hi > lo { (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)) } else { (lo - 0.5, hi + 0.5) };
    let (xlo, xhi) = if xs.len() > 1 { (xs[0], xs[xs.len() - 1]) } else { (xs[0] - 0.5, xs[0] + 0.5) };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (960, 500)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        // The legend has a column of its own, so it never covers the data.
        let (main, legend) = root.split_horizontally(800);
        let mut chart =
            titled(&main, title, 70).build_cartesian_2d(xlo..xhi, ylo..yhi).map_err(|e| err(e.to_string()))?;
        chart
            .configure_mesh()
            .x_desc(super::words::axis(x_name))
            .y_desc(super::words::axis(y_name))
            .draw()
            .map_err(|e| err(e.to_string()))?;
        for (k, (s, p)) in series.iter().zip(&pts).enumerate() {
            let c = PALETTE[k % PALETTE.len()];
            let mut band: Vec<(f64, f64)> = p.iter().map(|q| (q.0, clamp(q.1 + q.2))).collect();
            band.extend(p.iter().rev().map(|q| (q.0, clamp(q.1 - q.2))));
            if p.len() > 1 {
                chart
                    .draw_series(std::iter::once(Polygon::new(band, c.mix(0.2).filled())))
                    .map_err(|e| err(e.to_string()))?;
            }
            chart
                .draw_series(LineSeries::new(p.iter().map(|q| (q.0, q.1)), c.stroke_width(2)))
                .map_err(|e| err(e.to_string()))?;
            let y = 60 + 22 * k as i32;
            legend.draw(&PathElement::new(vec![(6, y), (30, y)], c.stroke_width(3))).map_err(|e| err(e.to_string()))?;
            legend
                .draw(&Text::new(s.name.clone(), (36, y - 7), ("sans-serif", 14).into_font()))
                .map_err(|e| err(e.to_string()))?;
            chart
                .draw_series(p.iter().map(|q| Circle::new((q.0, q.1), 3, c.filled())))
                .map_err(|e| err(e.to_string()))?;
        }
        root.present().map_err(|e| err(e.to_string()))?;
    }
    save(path, &svg)
}
