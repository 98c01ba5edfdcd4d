//! Fig. 1-left, 1-middle, 8: the distribution of w (or log10|w|) at the recorded steps
//! overlaid, the current one as a dashed outline, and below it the fraction of walkers with
//! |w| < θ against t with the exact binomial law (or Lemma 1's approximation) over it.

use serde::{Deserialize, Serialize};

use crate::figure::Shape;
use crate::sim::stats::Histogram;
use crate::sim::worker::Snapshot;

use super::super::format::{count, show_number};
use super::super::palette::{self, with_alpha};
use super::super::{
    Arrangement, Axis, Dash, Figure, Label, Mark, Panel, Series, StepScale, data_range, fmt_num,
};
use super::{experiment_label, extras};

/// What the view shows, as a user toggles it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HistogramOptions {
    /// Plot log10|w| instead of w.
    pub log_axis: bool,
    /// Draw the exact and approximate theory curves.
    pub show_theory: bool,
    /// The fraction panel's step axis.
    pub step_scale: StepScale,
    /// Follow one walker step by step beside the ensemble (a window; not in the figure).
    pub story: bool,
}

impl Default for HistogramOptions {
    fn default() -> Self {
        HistogramOptions {
            log_axis: false,
            show_theory: true,
            step_scale: StepScale::Auto,
            story: false,
        }
    }
}

/// The histogram's layout that shows where the walkers of `summary` are: the w range from the
/// 1 % to the 99 % quantile widened by a tenth either side and rounded out to 2 significant
/// digits, or — where |w| spreads over more than four decades (a collapse to 10⁻¹⁴⁰, an escape
/// to 10¹⁹⁰) and a linear axis would put them all in one bin — the log10|w| axis over the
/// decades from the 1 % to the 99 % quantile of |w|, a decade either side. Returns the layout
/// and whether the log axis is the one to show; `None` without finite walkers.
pub fn fitted_histogram(
    summary: &crate::sim::stats::Summary,
    spec: crate::sim::params::HistogramSpec,
) -> Option<(crate::sim::params::HistogramSpec, bool)> {
    let q = |p: f64| summary.quantiles.iter().find(|q| q.p == p);
    let (lo, hi) = (q(0.01)?, q(0.99)?);
    let mut out = spec;
    let (a0, a1) = (
        summary
            .quantiles
            .iter()
            .map(|q| q.abs_w)
            .fold(f64::INFINITY, f64::min),
        summary
            .quantiles
            .iter()
            .map(|q| q.abs_w)
            .fold(0.0, f64::max),
    );
    if a1 > 0.0 && a1.is_finite() && (a0 <= 0.0 || a1 / a0 > 1e4) {
        let floor = if a0 > 0.0 { a0.log10().floor() } else { -300.0 };
        out.log10_lo = (floor - 1.0).max(-400.0);
        out.log10_hi = (a1.log10().ceil() + 1.0).min(400.0);
        return Some((out, true));
    }
    let (w0, w1) = (lo.w, hi.w);
    if !(w0.is_finite() && w1.is_finite()) {
        return None;
    }
    let pad = 0.1 * (w1 - w0).max(1e-12 * w0.abs().max(w1.abs()).max(1e-300));
    let round = |v: f64, up: bool| {
        if v == 0.0 {
            return 0.0;
        }
        let unit = 10f64.powf(v.abs().log10().floor() - 1.0);
        if up {
            (v / unit).ceil() * unit
        } else {
            (v / unit).floor() * unit
        }
    };
    (out.lo, out.hi) = (round(w0 - pad, false), round(w1 + pad, true));
    (out.hi > out.lo).then_some((out, false))
}

/// Bar centres and densities of the non-empty bins (normalised by all `n` walkers).
fn bars(h: &Histogram, n: usize) -> Vec<[f64; 2]> {
    let w = h.bin_width();
    (0..h.counts.len())
        .filter(|&i| h.counts[i] > 0)
        .map(|i| [h.edge(i) + 0.5 * w, h.density(i, n as u64)])
        .collect()
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

/// Walkers the axis cannot show, counted at its ends with a « or » (an escaping run's walkers
/// are at 10¹⁹⁰, far past any axis: the plot must not look empty for lack of them).
fn off_axis_labels(h: &Histogram, log_axis: bool, at_zero: u64, ymax: f64) -> Vec<Label> {
    let mut out = Vec::new();
    let (lo, hi) = if log_axis {
        (
            format!("10^{}", fmt_num(h.lo, 0)),
            format!("10^{}", fmt_num(h.hi, 0)),
        )
    } else {
        (fmt_num(h.lo, 2), fmt_num(h.hi, 2))
    };
    // On the log axis the walkers at exactly 0 are in `below`; the note counts them apart.
    let below = if log_axis {
        h.below.saturating_sub(at_zero)
    } else {
        h.below
    };
    let (what_lo, what_hi) = if log_axis {
        ("|w| <", "|w| >")
    } else {
        ("w <", "w >")
    };
    if h.above > 0 {
        out.push(Label {
            text: format!("{} at {what_hi} {hi} »", count(h.above as f64, "walker")),
            at: [h.hi, 0.02 * ymax],
            color: palette::DIVERGED,
            size: 13.0,
            anchor: [1, -1],
        });
    }
    if below > 0 {
        out.push(Label {
            text: format!("« {} at {what_lo} {lo}", count(below as f64, "walker")),
            at: [h.lo, 0.02 * ymax],
            color: palette::DIVERGED,
            size: 13.0,
            anchor: [-1, -1],
        });
    }
    out
}

/// The caption of a live 1-D run: what runs, at which step, and what μ of the law that runs
/// says.
pub fn live_caption(snap: &Snapshot) -> String {
    let (mu, _) = crate::model::theory::log_factor_moments(
        &snap.params.noise,
        snap.params.a,
        snap.params.lambda,
    );
    let p = &snap.params;
    let extra = extras(p);
    let head = format!(
        "{}; a = {}, λ = {}{}{}, N = {} (t = {})",
        experiment_label(p),
        fmt_num(p.a, 3),
        fmt_num(p.lambda, 4),
        if extra.is_empty() { "" } else { ", " },
        extra,
        p.walkers,
        snap.step()
    );
    // Prop. 2's verdict is about SGD at w = 0 of a 1-D landscape; the other optimizers get
    // what the paper says of them, or that it says nothing.
    use crate::model::Optimizer;
    let er = snap.current.summary.effective_rates.as_ref();
    let attracting: Vec<String> = snap
        .stationary
        .iter()
        .filter(|r| r.point.attracts())
        .map(|r| format!("{} {}", r.point.kind.label(), fmt_num(r.point.w[0], 3)))
        .collect();
    let verdict = if p.landscape.dim() == 2 {
        String::new()
    } else if p.landscape.is_custom() {
        // The typed landscape's own theory: which of its stationary points attract at λ.
        if attracting.is_empty() {
            ": no stationary point in view attracts SGD at this λ".to_string()
        } else {
            format!(": SGD is attracted to the {}", attracting.join(", "))
        }
    } else if p.optimizer == Optimizer::Adam {
        ": the paper has no theory for Adam here".to_string()
    } else if p.optimizer == Optimizer::Gd {
        if p.a < 0.0 {
            ": GD takes no noise and escapes the maximum".to_string()
        } else {
            String::new()
        }
    } else if p.optimizer == Optimizer::Amsgrad {
        match (er.and_then(|e| e.window), er.and_then(|e| e.inside)) {
            (Some((lo, hi)), Some(f)) => format!(
                ": Prop. 5, λ/√v̂ inside Eq. 5's window ({}, {}) for {}% of walkers",
                fmt_num(lo, 3),
                fmt_num(hi, 3),
                fmt_num(100.0 * f, 1)
            ),
            _ => ": Prop. 5 needs Eq. 5's window (two-point law, a ≤ 1)".to_string(),
        }
    } else if mu < 0.0 {
        format!(": μ = {} < 0, SGD is trapped at w = 0", fmt_num(mu, 3))
    } else {
        format!(": μ = {} > 0, SGD escapes w = 0", fmt_num(mu, 3))
    };
    format!("{head}{verdict}")
}

/// A typed landscape's stationary points as marks (at `at`: on the histogram just above the w
/// axis, on the 2-D map at the points), one series per verdict: attracts SGD at this λ, repels it, or cannot hold it (the gradient noise does not
/// vanish there).
pub fn stationary_marks(
    points: &[crate::sim::theory::PointRow],
    at: impl Fn(&crate::sim::theory::PointRow) -> [f64; 2],
) -> Vec<Series> {
    let classes = [
        ("attracts SGD at this λ", palette::GREEN, Shape::Diamond),
        ("repels SGD at this λ", palette::RED, Shape::Square),
        (
            "SGD cannot settle (noisy gradient)",
            palette::GREY,
            Shape::Cross,
        ),
    ];
    classes
        .iter()
        .enumerate()
        .filter_map(|(k, &(name, color, shape))| {
            let at: Vec<[f64; 2]> = points
                .iter()
                .filter(|r| {
                    let class = match (r.point.sgd_fixed_point, r.point.attracts()) {
                        (true, true) => 0,
                        (true, false) => 1,
                        (false, _) => 2,
                    };
                    class == k
                })
                .map(&at)
                .collect();
            (!at.is_empty()).then(|| Series::points(name, color, 6.0, shape, at))
        })
        .collect()
}

pub fn histogram_figure(title: &str, snap: &Snapshot, opts: &HistogramOptions) -> Figure {
    let sum = &snap.current.summary;
    let n = sum.walkers;
    let pick = |r: &crate::sim::Record| -> Histogram {
        if opts.log_axis {
            r.log10_histogram.clone()
        } else {
            r.histogram.clone()
        }
    };
    let mut hist = Vec::new();
    let k_total = snap.recorded.len();
    for (k, rec) in snap.recorded.iter().enumerate() {
        let h = pick(rec);
        hist.push(Series {
            name: format!("t = {}", rec.summary.step),
            legend: format!("t = {}", rec.summary.step),
            color: palette::step(k, k_total),
            mark: Mark::Bars {
                width: h.bin_width(),
            },
            points: bars(&h, n),
            marker: false,
        });
    }
    let now = pick(&snap.current);
    if snap
        .recorded
        .last()
        .is_none_or(|r| r.summary.step != sum.step)
    {
        hist.push(Series::line(
            &format!("t = {} (now)", sum.step),
            palette::NOW,
            2.5,
            Dash::Dashed,
            stair_points(&now, n),
        ));
    }
    // A quarter more than the tallest bar: room at the top for the legend (the counts of walkers
    // off the axis sit at its ends, just above it).
    let ymax = 1.25
        * data_range(
            hist.iter().flat_map(|s| s.points.iter().map(|p| p[1])),
            (0.0, 1.0),
            true,
        )
        .1;
    let mut top = Panel::new(
        "histogram",
        0.58,
        Axis::new(
            if opts.log_axis { "log10 |w|" } else { "w" },
            "",
            now.lo,
            now.hi,
        ),
        Axis::new(
            "density",
            // w has no unit, so neither has its density; on the log axis it is per decade.
            if opts.log_axis { "1/decade" } else { "" },
            0.0,
            ymax,
        ),
    );
    if !opts.log_axis {
        hist.extend(stationary_marks(&snap.stationary, |r| {
            [r.point.w[0], 0.04 * ymax]
        }));
    }
    top.series = hist;
    top.labels = off_axis_labels(&now, opts.log_axis, sum.at_zero as u64, ymax);

    let mut frac = Vec::new();
    for (k, th) in snap.params.thresholds.iter().enumerate() {
        let col = palette::threshold(k);
        let pts = snap
            .trace
            .iter()
            .filter_map(|p| p.fraction_below.get(k).map(|f| [p.step as f64, *f]))
            .collect();
        frac.push(Series::line(
            &format!("simulation, θ = {}", fmt_num(*th, 1)),
            col,
            2.0,
            Dash::Solid,
            pts,
        ));
        let Some(c) = snap.curves.as_ref().filter(|_| opts.show_theory) else {
            continue;
        };
        let upto = |ys: &Vec<f64>| -> Vec<[f64; 2]> {
            c.steps
                .iter()
                .zip(ys)
                // Up to the step shown: at t = 0 the law is one point, not a segment to t = 1.
                .filter(|(t, _)| **t <= sum.step)
                .map(|(t, y)| [*t as f64, *y])
                .collect()
        };
        if let Some(ys) = c.exact.get(k) {
            frac.push(Series::line(
                &format!("exact binomial law, θ = {}", fmt_num(*th, 1)),
                with_alpha(col, 160),
                4.0,
                Dash::Dashed,
                upto(ys),
            ));
        } else if let Some(ys) = c.normal.get(k) {
            frac.push(Series::line(
                &format!("Lemma 1 normal approx., θ = {}", fmt_num(*th, 1)),
                with_alpha(col, 160),
                2.0,
                Dash::Dotted,
                upto(ys),
            ));
        }
    }
    if snap.trace.iter().any(|p| p.diverged > 0) {
        let pts = snap
            .trace
            .iter()
            .map(|p| [p.step as f64, p.diverged as f64 / n.max(1) as f64])
            .collect();
        frac.push(Series::line(
            "diverged fraction",
            palette::DIVERGED,
            1.5,
            Dash::Solid,
            pts,
        ));
    }
    // The step axis by where the simulation's action is (the theory curves run on to the end).
    let sim: Vec<&Series> = frac
        .iter()
        .filter(|s| s.name.starts_with("simulation"))
        .collect();
    let step = opts
        .step_scale
        .axis(&sim, sum.step.max(20) as f64, snap.finished);
    let mut bottom = Panel::new(
        "fraction",
        0.42,
        step,
        Axis::new("fraction with |w| < θ", "", 0.0, 1.0),
    );
    bottom.series = frac;

    let mut note = format!(
        "diverged: {} of {} (no longer finite: not in the histograms)",
        show_number(sum.diverged as f64),
        count(sum.walkers as f64, "walker")
    );
    if opts.log_axis {
        note.push_str(&format!(
            "; at w = 0 exactly: {} (log10|w| = −∞, not drawn)",
            sum.at_zero
        ));
    }
    Figure {
        title: title.to_owned(),
        note,
        arrangement: Arrangement::Column,
        panels: vec![top, bottom],
        caption: live_caption(snap),
    }
    .with_legends_placed()
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
