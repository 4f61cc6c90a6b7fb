//! Charts of sensitivity indices: bars with their confidence intervals, and the Morris mu*-sigma chart.

use std::path::Path;

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use super::plot::PlotError;

const COLOURS: [RGBColor; 3] = [super::plot::PALETTE[0], super::plot::PALETTE[1], super::plot::PALETTE[2]];

/// One series of bars: a name and, per label, (value, low, high).
pub type BarSeries = (String, Vec<(f64, f64, f64)>);

/// Grouped horizontal bars: one row per label, one bar per series, each with an interval
/// whisker; rows ranked by the first series (largest on top), so that a study of forty
/// parameters reads down its list with every name whole. An output with no finite index (no
/// variance for the indices to divide) gets a chart that says so instead of an empty frame.
pub fn index_bars(
    path: &Path,
    title: &str,
    x_name: &str,
    labels: &[String],
    series: &[BarSeries],
) -> Result<(), PlotError> {
    let err = |e: String| PlotError::Draw { path: path.to_path_buf(), message: e };
    let vals = series.iter().flat_map(|s| s.1.iter().flat_map(|&(v, l, h)| [v, l, h])).filter(|v| v.is_finite());
    let (lo, hi) = vals.fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let drawable = series.iter().any(|s| s.1.iter().any(|e| e.0.is_finite()));
    let hi = if hi > lo { hi + 0.05 * (hi - lo) } else { lo + 1.0 };
    let lo = if lo < 0.0 { lo - 0.05 * (hi - lo) } else { 0.0 };
    // Rank rows by the first series, largest first; NaN last, in the study's order.
    let mut order: Vec<usize> = (0..labels.len()).collect();
    let key = |i: usize| series.first().and_then(|s| s.1.get(i)).map_or(f64::NAN, |e| e.0);
    order.sort_by(|&a, &b| match (key(a).is_nan(), key(b).is_nan()) {
        (false, false) => key(b).total_cmp(&key(a)),
        (x, y) => x.cmp(&y),
    });
    let short: Vec<String> = order.iter().map(|&i| short_label(&labels[i])).collect();
    let n = labels.len().max(1) as i32;
    let ns = series.len().max(1) as f64;
    let row = (12.0 * ns + 8.0).max(18.0);
    let label_width = short.iter().map(|l| label_size(l).0).max().unwrap_or(0).clamp(60, 420) as u32 + 16;
    let mut svg = String::new();
    {
        let height = (130.0 + row * n as f64).max(300.0) as u32;
        let root = SVGBackend::with_string(&mut svg, (560 + label_width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(label_width)
            .build_cartesian_2d(lo..hi, (0..n - 1).into_segmented())
            .map_err(|e| err(e.to_string()))?;
        // Segment 0 is at the bottom: the top row is the last segment.
        let fy = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => short.get((n - 1 - *i) as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        // Ticks at a tenth of the range: two decimals below it, and never "-0.0".
        let decimals = ((-(hi - lo).log10()).floor() as i32 + 2).max(0) as usize;
        let fx = |v: &f64| {
            let v = if v.abs() < 1e-9 * (hi - lo) { 0.0 } else { *v };
            format!("{v:.decimals$}")
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_label_formatter(&fx)
            .y_labels(labels.len())
            .y_label_formatter(&fy)
            .y_label_style(("sans-serif", 13))
            .x_desc(x_name)
            .draw()
            .map_err(|e| err(e.to_string()))?;
        let area = chart.plotting_area().strip_coord_spec();
        let (w, h) = area.dim_in_pixel();
        let px = |x: f64| ((x - lo) / (hi - lo) * w as f64) as i32;
        let py = |y: f64| (y / n as f64 * h as f64) as i32;
        if !drawable {
            area.draw(&Text::new(
                "no index to draw: every index is undefined (the output has no variance to divide)".to_string(),
                (10, 10),
                ("sans-serif", 14).into_font(),
            ))
            .map_err(|e| err(e.to_string()))?;
        }
        for (si, (name, est)) in series.iter().enumerate() {
            let c = COLOURS[si % COLOURS.len()];
            for (r, &i) in order.iter().enumerate() {
                let Some(&(v, l, u)) = est.get(i) else { continue };
                if !v.is_finite() {
                    continue;
                }
                let y0 = r as f64 + 0.1 + 0.8 * si as f64 / ns;
                let y1 = y0 + 0.8 / ns * 0.9;
                area.draw(&Rectangle::new([(px(v.min(0.0).max(lo)), py(y0)), (px(v.max(0.0)), py(y1))], c.filled()))
                    .map_err(|e| err(e.to_string()))?;
                if l.is_finite() && u.is_finite() {
                    let ym = py((y0 + y1) / 2.0);
                    let style = BLACK.stroke_width(1);
                    area.draw(&PathElement::new(vec![(px(l), ym), (px(u), ym)], style))
                        .map_err(|e| err(e.to_string()))?;
                    for x in [l, u] {
                        area.draw(&PathElement::new(vec![(px(x), ym - 4), (px(x), ym + 4)], style))
                            .map_err(|e| err(e.to_string()))?;
                    }
                }
            }
            // The legend sits under the axis, left of its title, where no bar or whisker reaches.
            let (lx, ly) = (15 + 130 * si as i32, height as i32 - 24);
            root.draw(&Rectangle::new([(lx, ly), (lx + 14, ly + 12)], c.filled())).map_err(|e| err(e.to_string()))?;
            root.draw(&Text::new(name.clone(), (lx + 20, ly), ("sans-serif", 13).into_font()))
                .map_err(|e| err(e.to_string()))?;
        }
        root.present().map_err(|e| err(e.to_string()))?;
    }
    super::plot::save(path, &svg)
}

/// The short name of a parameter on a chart: its key path's last two parts
/// (`leaders.secretary.attention_hours_per_day` → `secretary.attention_hours_per_day`).
pub fn short_label(path: &str) -> String {
    path.rsplit('.').take(2).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join(".")
}

/// Pixel size of a label in the charts' 13-point sans-serif, which plotters writes as a font of
/// 10.5 px: about 5.5 px a character; 6 leaves a margin.
fn label_size(text: &str) -> (i32, i32) {
    ((text.chars().count() as f64 * 6.0).ceil() as i32, 13)
}

fn overlap(a: [i32; 4], b: [i32; 4]) -> i64 {
    let w = (a[2].min(b[2]) - a[0].max(b[0])).max(0) as i64;
    let h = (a[3].min(b[3]) - a[1].max(b[1])).max(0) as i64;
    w * h
}

/// Top-left corners for labels of sizes `sizes` beside markers at `points` (pixels), inside
/// `bounds` (x0, y0, x1, y1): for each in turn, the first of the places around its marker (right,
/// left, above, below, the corners, then right or left one to five label heights up or down) that
/// covers no marker, no other obstacle (boxes such as whiskers), no label placed before and no
/// edge; if every place covers something, the one covering least (labels and edges weigh 20
/// times as much as markers and obstacles).
pub fn place_labels(
    points: &[(i32, i32)],
    sizes: &[(i32, i32)],
    obstacles: &[[i32; 4]],
    bounds: [i32; 4],
) -> Vec<(i32, i32)> {
    const R: i32 = 7;
    let markers: Vec<[i32; 4]> = points.iter().map(|&(x, y)| [x - R, y - R, x + R, y + R]).collect();
    let mut placed: Vec<[i32; 4]> = Vec::new();
    let mut out = Vec::with_capacity(points.len());
    for (k, (&(x, y), &(w, h))) in points.iter().zip(sizes).enumerate() {
        // Around the marker first; then, for markers in a cluster, right or left of it one to
        // five label heights up or down.
        let mut candidates = vec![
            (x + R + 2, y - h / 2),
            (x - R - 2 - w, y - h / 2),
            (x - w / 2, y - R - 2 - h),
            (x - w / 2, y + R + 2),
            (x + R, y - R - h),
            (x + R, y + R),
            (x - R - w, y - R - h),
            (x - R - w, y + R),
        ];
        for step in 1..=5 {
            for dy in [-step * h, step * h] {
                candidates.push((x + R + 2, y - h / 2 + dy));
                candidates.push((x - R - 2 - w, y - h / 2 + dy));
            }
        }
        // A label on a label is unreadable, a label over a marker or a whisker only untidy.
        let cost = |&(cx, cy): &(i32, i32)| -> i64 {
            let b = [cx, cy, cx + w, cy + h];
            let outside = (w as i64 * h as i64) - overlap(b, bounds);
            let on_markers: i64 =
                markers.iter().enumerate().filter(|(j, _)| *j != k).map(|(_, m)| overlap(b, *m)).sum();
            let on_obstacles: i64 = obstacles.iter().map(|p| overlap(b, *p)).sum();
            let on_labels: i64 = placed.iter().map(|p| overlap(b, *p)).sum();
            20 * outside + on_markers + on_obstacles + 20 * on_labels
        };
        let best = candidates
            .iter()
            .find(|c| cost(c) == 0)
            .copied()
            .unwrap_or_else(|| *candidates.iter().min_by_key(|c| cost(c)).expect("candidates"));
        placed.push([best.0, best.1, best.0 + w, best.1 + h]);
        out.push(best);
    }
    out
}

/// How many parameters a mu*-sigma chart names (the largest by mu*).
const MAX_NAMED: usize = 15;

/// A Morris mu*-sigma chart: each parameter a point at (mu*, sigma), a horizontal whisker for
/// mu*'s interval, and the lines sigma/mu* = 1, 0.5 and 0.1 (those of SALib's `covariance_plot`):
/// far right is influential; above sigma = mu*, the effects change with the other parameters or
/// along the range (interaction or non-linearity); below sigma = 0.1 mu*, about linear and
/// additive. `points` are (mu*, low, high, sigma) per label; points with a NaN are left out.
/// The [`MAX_NAMED`] largest by mu* are labelled with their key paths' last two parts, placed by
/// [`place_labels`].
pub fn mu_star_sigma(
    path: &Path,
    title: &str,
    labels: &[String],
    points: &[(f64, f64, f64, f64)],
) -> Result<(), PlotError> {
    let err = |e: String| PlotError::Draw { path: path.to_path_buf(), message: e };
    let shown: Vec<(String, (f64, f64, f64, f64))> = labels
        .iter()
        .zip(points)
        .filter(|(_, p)| p.0.is_finite() && p.3.is_finite())
        .map(|(l, p)| (short_label(l), *p))
        .collect();
    let xmax = shown.iter().map(|(_, p)| if p.2.is_finite() { p.2.max(p.0) } else { p.0 }).fold(0.0f64, f64::max);
    let ymax = shown.iter().map(|(_, p)| p.3).fold(0.0f64, f64::max);
    let xmax = if xmax > 0.0 { xmax * 1.08 } else { 1.0 };
    let ymax = if ymax > 0.0 { ymax * 1.12 } else { 1.0 };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (860, 640)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        let (main, note) = root.split_vertically(604);
        let mut chart = ChartBuilder::on(&main)
            .caption(title, ("sans-serif", 18))
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..xmax, 0.0..ymax)
            .map_err(|e| err(e.to_string()))?;
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .x_desc("mu* (mean |elementary effect|, output units per full range)")
            .y_desc("sigma (sd of the elementary effects)")
            .draw()
            .map_err(|e| err(e.to_string()))?;
        let grey = RGBColor(0x66, 0x66, 0x66);
        // Solid lines, lighter as the ratio falls (plotters' dashes come out ragged in the PNG).
        let lines = [
            (1.0, "sigma = mu*", grey),
            (0.5, "sigma = 0.5 mu*", RGBColor(0x99, 0x99, 0x99)),
            (0.1, "sigma = 0.1 mu*", RGBColor(0xBB, 0xBB, 0xBB)),
        ];
        for (ratio, name, colour) in lines {
            let x_end = xmax.min(ymax / ratio);
            let line = [(0.0, 0.0), (x_end, ratio * x_end)];
            chart.draw_series(LineSeries::new(line, colour.stroke_width(1))).map_err(|e| err(e.to_string()))?;
            let (px, py) = chart.backend_coord(&(x_end, ratio * x_end));
            let (ox, oy) = chart.backend_coord(&(0.0, 0.0));
            let (w, h) = label_size(name);
            // At the top edge the name goes left of where the line leaves, clear of the line down
            // to the name's foot; at the right edge, above the line's end.
            let at = if ratio * xmax > ymax {
                let shift = (h + 4) as f64 * (px - ox) as f64 / (oy - py).max(1) as f64;
                (px - w - 4 - shift.ceil() as i32, py + 4)
            } else {
                (px - w - 2, py - h - 5)
            };
            main.draw(&Text::new(name, at, ("sans-serif", 12).into_font().color(&grey)))
                .map_err(|e| err(e.to_string()))?;
        }
        let c = super::plot::PALETTE[0];
        for (_, p) in &shown {
            let (m, lo, hi, s) = *p;
            if lo.is_finite() && hi.is_finite() {
                chart
                    .draw_series(std::iter::once(PathElement::new(vec![(lo, s), (hi, s)], c.mix(0.5).stroke_width(2))))
                    .map_err(|e| err(e.to_string()))?;
            }
            chart.draw_series(std::iter::once(Circle::new((m, s), 5, c.filled()))).map_err(|e| err(e.to_string()))?;
        }
        let (left, top) = chart.backend_coord(&(0.0, ymax));
        let (right, bottom) = chart.backend_coord(&(xmax, 0.0));
        // A study of forty parameters piles most of them near the origin, where forty labels
        // cannot be read: the largest by mu* are named, the rest are dots (the table has them).
        let mut by_size: Vec<usize> = (0..shown.len()).collect();
        by_size.sort_by(|&a, &b| shown[b].1.0.total_cmp(&shown[a].1.0).then(a.cmp(&b)));
        let named: Vec<&(String, (f64, f64, f64, f64))> = by_size.iter().take(MAX_NAMED).map(|&i| &shown[i]).collect();
        let unnamed = shown.len() - named.len();
        let pixels: Vec<(i32, i32)> = named.iter().map(|(_, p)| chart.backend_coord(&(p.0, p.3))).collect();
        let sizes: Vec<(i32, i32)> = named.iter().map(|(l, _)| label_size(l)).collect();
        let whiskers: Vec<[i32; 4]> = shown
            .iter()
            .filter(|(_, p)| p.1.is_finite() && p.2.is_finite())
            .map(|(_, p)| {
                let ((x0, y), (x1, _)) = (chart.backend_coord(&(p.1, p.3)), chart.backend_coord(&(p.2, p.3)));
                [x0, y - 2, x1, y + 2]
            })
            .collect();
        let at = place_labels(&pixels, &sizes, &whiskers, [left, top, right, bottom]);
        for (((l, _), (x, y)), (&(w, h), &(px, py))) in named.iter().map(|n| *n).zip(at).zip(sizes.iter().zip(&pixels))
        {
            main.draw(&Text::new(l.clone(), (x, y), ("sans-serif", 13).into_font())).map_err(|e| err(e.to_string()))?;
            // A label moved away from its marker (in a cluster) gets a thin line to it, from the
            // nearest point of the label.
            let (ex, ey) = (px.clamp(x, x + w), py.clamp(y, y + h));
            if (ex - px).pow(2) + (ey - py).pow(2) > 14 * 14 {
                main.draw(&PathElement::new(vec![(px, py), (ex, ey)], RGBColor(0x99, 0x99, 0x99).stroke_width(1)))
                    .map_err(|e| err(e.to_string()))?;
            }
        }
        let guide = "right: influential; above sigma = mu*: interactions or non-linear effects; below sigma = 0.1 mu*: about linear and additive";
        note.draw(&Text::new(guide, (15, 2), ("sans-serif", 12).into_font().color(&grey)))
            .map_err(|e| err(e.to_string()))?;
        if unnamed > 0 {
            let count = format!(
                "the {MAX_NAMED} largest by mu* are named; {unnamed} smaller ones are dots (indices.csv has them all)"
            );
            note.draw(&Text::new(count, (15, 18), ("sans-serif", 12).into_font().color(&grey)))
                .map_err(|e| err(e.to_string()))?;
        }
        root.present().map_err(|e| err(e.to_string()))?;
    }
    super::plot::save(path, &svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_avoid_markers_labels_and_edges() {
        let bounds = [0, 0, 400, 300];
        // Two markers close together: the second label must not sit on the first.
        let points = [(100, 150), (100, 160), (395, 20)];
        let sizes = [(80, 15), (80, 15), (60, 15)];
        let at = place_labels(&points, &sizes, &[], bounds);
        let boxes: Vec<[i32; 4]> = at.iter().zip(&sizes).map(|(&(x, y), &(w, h))| [x, y, x + w, y + h]).collect();
        for (i, a) in boxes.iter().enumerate() {
            assert!(a[0] >= 0 && a[1] >= 0 && a[2] <= 400 && a[3] <= 300, "label {i} inside: {a:?}");
            for b in &boxes[..i] {
                assert_eq!(overlap(*a, *b), 0, "labels {a:?} and {b:?}");
            }
            for (j, &(x, y)) in points.iter().enumerate() {
                assert_eq!(overlap(*a, [x - 7, y - 7, x + 7, y + 7]), 0, "label {i} on marker {j}");
            }
        }
        // At the right edge, the label goes left of its marker.
        assert!(at[2].0 + sizes[2].0 <= 395);
        // Three markers in one spot: three labels, none on another.
        let cluster = [(50, 280), (52, 283), (51, 286)];
        let at = place_labels(&cluster, &[(120, 15); 3], &[], bounds);
        for i in 0..3 {
            for j in 0..i {
                let (a, b) = (at[i], at[j]);
                assert_eq!(overlap([a.0, a.1, a.0 + 120, a.1 + 15], [b.0, b.1, b.0 + 120, b.1 + 15]), 0, "{at:?}");
            }
        }
        // A whisker through the marker pushes the label off its line (above it).
        let at = place_labels(&[(200, 150)], &[(80, 15)], &[[120, 148, 280, 152]], bounds);
        assert!(at[0].1 + 15 <= 148, "{at:?}");
    }

    #[test]
    fn mu_star_sigma_chart_names_every_parameter() {
        let dir = std::env::temp_dir().join(format!("embedsim-bars-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("mustar-sigma-x.svg");
        let labels = ["a.b.first".to_string(), "c.second".to_string(), "d.e.f.undefined".to_string()];
        let points = [(2.0, 1.5, 2.5, 0.1), (0.5, 0.3, 0.7, 0.9), (f64::NAN, f64::NAN, f64::NAN, f64::NAN)];
        mu_star_sigma(&path, "study: p.metric (Morris mu* and sigma)", &labels, &points).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        for text in ["b.first", "c.second", "sigma = mu*", "sigma = 0.1 mu*", "study: p.metric", "mu* (mean"] {
            assert!(svg.contains(text), "{text}");
        }
        assert!(!svg.contains("undefined"), "a point with no sigma is left out");
        assert!(png_path_exists(&path));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Rows ranked largest first, every name whole on its own row (rows at least a label's
    /// height apart), and an output that never varied says so rather than drawing an empty frame.
    #[test]
    fn index_bars_rank_rows_and_say_when_there_is_nothing_to_draw() {
        let dir = std::env::temp_dir().join(format!("embedsim-index-bars-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let labels: Vec<String> = (0..40).map(|i| format!("platforms.some_platform.a_long_key_number_{i}")).collect();
        let values: Vec<(f64, f64, f64)> = (0..40).map(|i| (i as f64 / 40.0, 0.0, 1.0)).collect();
        let path = dir.join("indices-x.svg");
        index_bars(&path, "study: x", "index", &labels, &[("first order".into(), values)]).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        // Every label whole, the largest (39) above the smallest (0) and the next (38).
        let y_of = |name: &str| {
            // plotters writes a text's content on a line of its own.
            let at = svg.find(&format!(">\n{name}\n<")).unwrap_or_else(|| panic!("{name} whole"));
            let tag = &svg[svg[..at].rfind("<text").unwrap()..at];
            let y = tag.split("y=\"").nth(1).unwrap().split('"').next().unwrap();
            y.parse::<f64>().unwrap()
        };
        let (top, next, bottom) = (
            y_of("some_platform.a_long_key_number_39"),
            y_of("some_platform.a_long_key_number_38"),
            y_of("some_platform.a_long_key_number_0"),
        );
        assert!(top < next && next < bottom, "ranked: {top} {next} {bottom}");
        assert!(next - top >= 13.0, "rows a label's height apart: {}", next - top);
        assert!(!svg.contains("no index to draw"));
        let path = dir.join("indices-flat.svg");
        let nan = (f64::NAN, f64::NAN, f64::NAN);
        index_bars(&path, "study: flat", "index", &labels[..3], &[("total".into(), vec![nan; 3])]).unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().contains("no index to draw"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn png_path_exists(path: &Path) -> bool {
        super::super::plot::png_path(path).exists()
    }
}
