//! The live histogram view (Fig. 1-left, 1-middle, 8): the distribution of w at the recorded
//! steps overlaid, on a linear w or a log10|w| axis, and beside it the fraction of walkers with
//! |w| < θ versus step with the exact binomial law over it. Everything drawn comes binned from
//! the worker; this file only turns it into plot items.

use egui::{Color32, RichText, Ui};
use egui_plot::{Bar, BarChart, Legend, Line, LineStyle, Plot, PlotPoints};

use crate::sim::stats::Histogram;
use crate::sim::worker::Snapshot;

use super::theory_panel::fmt_num;

/// Options of the view that a user toggles.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct HistogramOptions {
    /// Plot log10|w| instead of w.
    pub log_axis: bool,
    /// Draw the exact and approximate theory curves.
    pub show_theory: bool,
}

impl Default for HistogramOptions {
    fn default() -> Self {
        HistogramOptions {
            log_axis: false,
            show_theory: true,
        }
    }
}

/// Distinct colours for the recorded steps, dark to light (viridis-like, readable on both themes).
pub fn step_color(k: usize, n: usize) -> Color32 {
    const STOPS: [(u8, u8, u8); 6] = [
        (68, 1, 84),
        (65, 68, 135),
        (42, 120, 142),
        (34, 168, 132),
        (122, 209, 81),
        (253, 231, 37),
    ];
    let x = if n <= 1 {
        0.0
    } else {
        k as f64 / (n - 1) as f64
    } * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let lerp = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    Color32::from_rgb(lerp(a.0, b.0), lerp(a.1, b.1), lerp(a.2, b.2))
}

/// Colours of the threshold curves.
pub fn threshold_color(k: usize) -> Color32 {
    [
        Color32::from_rgb(0x1f, 0x77, 0xb4),
        Color32::from_rgb(0x2c, 0xa0, 0x2c),
        Color32::from_rgb(0x94, 0x67, 0xbd),
    ][k % 3]
}

/// The histogram as translucent bars (density normalised by all `n` walkers).
pub fn histogram_bars(name: &str, h: &Histogram, n: usize, color: Color32) -> BarChart {
    let w = h.bin_width();
    let bars = (0..h.counts.len())
        .filter(|&i| h.counts[i] > 0)
        .map(|i| {
            Bar::new(h.edge(i) + 0.5 * w, h.density(i, n as u64))
                .width(w)
                .fill(color.gamma_multiply(0.35))
                .stroke(egui::Stroke::new(1.5, color))
        })
        .collect();
    BarChart::new(name.to_string(), bars).color(color)
}

/// The histogram as a closed staircase of densities (normalised by all `n` walkers).
pub fn stair_points(h: &Histogram, n: usize) -> Vec<[f64; 2]> {
    let mut pts = Vec::with_capacity(2 * h.counts.len() + 2);
    pts.push([h.lo, 0.0]);
    for i in 0..h.counts.len() {
        let d = h.density(i, n as u64);
        pts.push([h.edge(i), d]);
        pts.push([h.edge(i + 1), d]);
    }
    pts.push([h.hi, 0.0]);
    pts
}

pub fn histogram_view_ui(ui: &mut Ui, snap: &Snapshot, opts: &mut HistogramOptions) {
    let sum = &snap.current.summary;
    ui.horizontal(|ui| {
        ui.checkbox(&mut opts.log_axis, "log10 |w| axis")
            .on_hover_text("Trapped walkers reach |w| ~ 1e-140 within a thousand steps: a linear axis alone hides the story.");
        ui.checkbox(&mut opts.show_theory, "theory curves")
            .on_hover_text("Exact binomial law (solid) and Lemma 1's normal approximation (dotted) for the quadratic under SGD.");
        ui.separator();
        let div = format!("diverged: {} of {}", sum.diverged, sum.walkers);
        let div = if sum.diverged > 0 { RichText::new(div).color(Color32::from_rgb(0xd0, 0x30, 0x30)).strong() } else { RichText::new(div) };
        ui.label(div).on_hover_text("Walkers at ±∞ or NaN; they are not in the histograms.");
        if opts.log_axis {
            ui.label(format!("at w = 0: {}", sum.at_zero)).on_hover_text("Walkers that underflowed to exactly 0: log10|w| = −∞, not drawn.");
        }
    });
    let avail = ui.available_size();
    let hist_h = (avail.y * 0.58).max(120.0);
    let n = sum.walkers;
    let x_label = if opts.log_axis { "log10 |w|" } else { "w" };
    let now_color = if ui.visuals().dark_mode {
        Color32::WHITE
    } else {
        Color32::BLACK
    };
    Plot::new("histogram_plot")
        .height(hist_h)
        .legend(Legend::default().follow_insertion_order(true))
        .x_axis_label(x_label)
        .y_axis_label("density")
        .include_y(0.0)
        .allow_scroll(false)
        .show(ui, |pui| {
            let k_total = snap.recorded.len();
            for (k, rec) in snap.recorded.iter().enumerate() {
                let h = if opts.log_axis {
                    &rec.log10_histogram
                } else {
                    &rec.histogram
                };
                pui.bar_chart(histogram_bars(
                    &format!("t = {}", rec.summary.step),
                    h,
                    n,
                    step_color(k, k_total),
                ));
            }
            if snap
                .recorded
                .last()
                .is_none_or(|r| r.summary.step != sum.step)
            {
                let h = if opts.log_axis {
                    &snap.current.log10_histogram
                } else {
                    &snap.current.histogram
                };
                let col = now_color;
                pui.line(
                    Line::new(
                        format!("t = {} (now)", sum.step),
                        PlotPoints::new(stair_points(h, n)),
                    )
                    .color(col)
                    .width(2.5)
                    .style(LineStyle::dashed_loose()),
                );
            }
        });
    ui.add_space(4.0);
    Plot::new("fraction_plot")
        .legend(Legend::default().follow_insertion_order(true))
        .x_axis_label("step t")
        .y_axis_label("fraction with |w| < θ")
        .include_y(0.0)
        .include_y(1.0)
        .include_x(0.0)
        .include_x(sum.step.max(20) as f64)
        .allow_scroll(false)
        .show(ui, |pui| {
            for (k, th) in snap.params.thresholds.iter().enumerate() {
                let col = threshold_color(k);
                let pts: Vec<[f64; 2]> = snap
                    .trace
                    .iter()
                    .filter_map(|p| p.fraction_below.get(k).map(|f| [p.step as f64, *f]))
                    .collect();
                pui.line(
                    Line::new(
                        format!("simulation, θ = {}", fmt_num(*th, 1)),
                        PlotPoints::new(pts),
                    )
                    .color(col)
                    .width(2.0),
                );
                if !opts.show_theory {
                    continue;
                }
                if let Some(c) = &snap.curves {
                    let upto = |ys: &Vec<f64>| -> Vec<[f64; 2]> {
                        c.steps
                            .iter()
                            .zip(ys)
                            .filter(|(t, _)| **t <= sum.step.max(1))
                            .map(|(t, y)| [*t as f64, *y])
                            .collect()
                    };
                    if let Some(ys) = c.exact.get(k) {
                        pui.line(
                            Line::new(
                                format!("exact binomial law, θ = {}", fmt_num(*th, 1)),
                                PlotPoints::new(upto(ys)),
                            )
                            .color(col.gamma_multiply(0.6))
                            .width(4.0)
                            .style(LineStyle::dashed_dense()),
                        );
                    } else if let Some(ys) = c.normal.get(k) {
                        pui.line(
                            Line::new(
                                format!("Lemma 1 normal approx., θ = {}", fmt_num(*th, 1)),
                                PlotPoints::new(upto(ys)),
                            )
                            .color(col.gamma_multiply(0.6))
                            .width(2.0)
                            .style(LineStyle::dotted_dense()),
                        );
                    }
                }
            }
            if snap.trace.iter().any(|p| p.diverged > 0) {
                let pts: Vec<[f64; 2]> = snap
                    .trace
                    .iter()
                    .map(|p| [p.step as f64, p.diverged as f64 / n.max(1) as f64])
                    .collect();
                pui.line(
                    Line::new("diverged fraction", PlotPoints::new(pts))
                        .color(Color32::from_rgb(0xd0, 0x30, 0x30))
                        .width(1.5),
                );
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staircase_integrates_to_the_in_range_fraction() {
        let mut h = Histogram::new(-1.0, 1.0, 10);
        for i in 0..100 {
            h.add(-0.99 + 0.0198 * i as f64);
        }
        h.add(5.0);
        let pts = stair_points(&h, 101);
        let area: f64 = pts.windows(2).map(|w| (w[1][0] - w[0][0]) * w[0][1]).sum();
        assert!((area - 100.0 / 101.0).abs() < 1e-12);
    }
}
