//! Bar charts of sensitivity indices with their confidence intervals.

use std::path::Path;

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use super::plot::PlotError;

const COLOURS: [RGBColor; 3] = [super::plot::PALETTE[0], super::plot::PALETTE[1], super::plot::PALETTE[2]];

/// One series of bars: a name and, per label, (value, low, high).
pub type BarSeries = (String, Vec<(f64, f64, f64)>);

/// Grouped bars: one group per label, one bar per series, each with an interval whisker.
pub fn index_bars(
    path: &Path,
    title: &str,
    y_name: &str,
    labels: &[String],
    series: &[BarSeries],
) -> Result<(), PlotError> {
    let err = |e: String| PlotError::Draw { path: path.to_path_buf(), message: e };
    let vals = series.iter().flat_map(|s| s.1.iter().flat_map(|&(v, l, h)| [v, l, h])).filter(|v| v.is_finite());
    let (lo, hi) = vals.fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let hi = if hi > lo { hi + 0.05 * (hi - lo) } else { lo + 1.0 };
    let lo = if lo < 0.0 { lo - 0.05 * (hi - lo) } else { 0.0 };
    let n = labels.len().max(1) as i32;
    let ns = series.len().max(1) as f64;
    let mut svg = String::new();
    {
        let height = 420 + 14 * labels.iter().map(|l| l.len()).max().unwrap_or(0) as u32 / 4;
        let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(15)
            .x_label_area_size(60)
            .y_label_area_size(60)
            .build_cartesian_2d((0..n - 1).into_segmented(), lo..hi)
            .map_err(|e| err(e.to_string()))?;
        let short: Vec<String> = labels
            .iter()
            .map(|l| l.rsplit('.').take(2).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("."))
            .collect();
        let fx = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => short.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(labels.len())
            .x_label_formatter(&fx)
            .y_desc(y_name)
            .draw()
            .map_err(|e| err(e.to_string()))?;
        // Bars sit at fractional positions inside each segment; a float overlay shares the area.
        let area = chart.plotting_area().strip_coord_spec();
        let (w, h) = area.dim_in_pixel();
        let px = |x: f64| (x / n as f64 * w as f64) as i32;
        let py = |y: f64| ((hi - y) / (hi - lo) * h as f64) as i32;
        for (si, (name, est)) in series.iter().enumerate() {
            let c = COLOURS[si % COLOURS.len()];
            for (i, &(v, l, u)) in est.iter().enumerate() {
                if !v.is_finite() {
                    continue;
                }
                let x0 = i as f64 + 0.1 + 0.8 * si as f64 / ns;
                let x1 = x0 + 0.8 / ns * 0.9;
                area.draw(&Rectangle::new([(px(x0), py(v.max(0.0).max(lo))), (px(x1), py(v.min(0.0)))], c.filled()))
                    .map_err(|e| err(e.to_string()))?;
                if l.is_finite() && u.is_finite() {
                    let xm = px((x0 + x1) / 2.0);
                    let style = BLACK.stroke_width(1);
                    area.draw(&PathElement::new(vec![(xm, py(l)), (xm, py(u))], style))
                        .map_err(|e| err(e.to_string()))?;
                    for y in [l, u] {
                        area.draw(&PathElement::new(vec![(xm - 4, py(y)), (xm + 4, py(y))], style))
                            .map_err(|e| err(e.to_string()))?;
                    }
                }
            }
            let ly = 10 + 20 * si as i32;
            area.draw(&Rectangle::new([(w as i32 - 150, ly), (w as i32 - 136, ly + 12)], c.filled()))
                .map_err(|e| err(e.to_string()))?;
            area.draw(&Text::new(name.clone(), (w as i32 - 130, ly), ("sans-serif", 13).into_font()))
                .map_err(|e| err(e.to_string()))?;
        }
        root.present().map_err(|e| err(e.to_string()))?;
    }
    super::plot::save(path, &svg)
}
