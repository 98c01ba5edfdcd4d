//! Each view's figure, built from the same data the view draws on screen (a worker snapshot, a
//! sweep grid, a job's output), so the app's export and `saddlescope figure` cannot disagree.

use crate::model::basins::Basin;
use crate::sim::escape_rate::EscapeRateOutput;
use crate::sim::loss_sweep::LossSweepOutput;
use crate::sim::optimizers::OptimizerOutput;
use crate::sim::stats::Histogram;
use crate::sim::sweep::SweepGrid;
use crate::sim::worker::Snapshot;

use super::PhaseOverlays;
use super::figure::{Axis, Dash, Figure, Heatmap, Mark, Panel, Rgb, Series, escape_colormap};

const THRESHOLD_COLORS: [Rgb; 3] = [[0x1f, 0x77, 0xb4], [0x2c, 0xa0, 0x2c], [0x94, 0x67, 0xbd]];
const RED: Rgb = [0xd0, 0x30, 0x30];
const ORANGE: Rgb = [0xff, 0x8c, 0x00];
const PALETTE: [Rgb; 6] = [
    [0x1f, 0x77, 0xb4],
    [0xd6, 0x27, 0x28],
    [0x2c, 0xa0, 0x2c],
    [0x94, 0x67, 0xbd],
    [0xff, 0x7f, 0x0e],
    [0x17, 0xbe, 0xcf],
];

/// Viridis-like colours of the recorded steps, dark to light (as in the app).
pub fn step_rgb(k: usize, n: usize) -> Rgb {
    const STOPS: [Rgb; 6] = [
        [68, 1, 84],
        [65, 68, 135],
        [42, 120, 142],
        [34, 168, 132],
        [122, 209, 81],
        [220, 200, 30],
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
    [lerp(a[0], b[0]), lerp(a[1], b[1]), lerp(a[2], b[2])]
}

fn fmt(v: f64) -> String {
    crate::app::theory_panel::fmt_num(v, 3)
}

/// Finite range of `values` with a margin, falling back to `default`.
fn range(values: impl Iterator<Item = f64>, default: (f64, f64), include_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if !(lo.is_finite() && hi.is_finite()) {
        return default;
    }
    if hi - lo < 1e-12 {
        return (lo - 0.5, hi + 0.5);
    }
    let m = 0.05 * (hi - lo);
    (
        if include_zero && lo == 0.0 {
            0.0
        } else {
            lo - m
        },
        hi + m,
    )
}

fn bars(h: &Histogram, n: usize) -> Vec<[f64; 2]> {
    let w = h.bin_width();
    (0..h.counts.len())
        .filter(|&i| h.counts[i] > 0)
        .map(|i| [h.edge(i) + 0.5 * w, h.density(i, n as u64)])
        .collect()
}

/// Fig. 1-left, 1-middle, 8: histograms of w (or log10|w|) at the recorded steps, and the
/// fraction with |w| < θ against t with the exact law over it.
pub fn histogram_figure(
    title: &str,
    caption: &str,
    snap: &Snapshot,
    log_axis: bool,
    show_theory: bool,
) -> Figure {
    let n = snap.current.summary.walkers;
    let pick = |r: &crate::sim::Record| {
        if log_axis {
            r.log10_histogram.clone()
        } else {
            r.histogram.clone()
        }
    };
    let mut hist_series = Vec::new();
    let k_total = snap.recorded.len();
    for (k, rec) in snap.recorded.iter().enumerate() {
        let h = pick(rec);
        hist_series.push(Series {
            name: format!("t = {}", rec.summary.step),
            mark: Mark::Bars {
                width: h.bin_width(),
            },
            color: step_rgb(k, k_total),
            points: bars(&h, n),
        });
    }
    let sum = &snap.current.summary;
    if snap
        .recorded
        .last()
        .is_none_or(|r| r.summary.step != sum.step)
    {
        let h = pick(&snap.current);
        hist_series.push(Series {
            name: format!("t = {} (now)", sum.step),
            mark: Mark::Bars {
                width: h.bin_width(),
            },
            color: [0, 0, 0],
            points: bars(&h, n),
        });
    }
    let h0 = pick(&snap.current);
    let ymax = range(
        hist_series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p[1])),
        (0.0, 1.0),
        true,
    )
    .1;
    let hist_panel = Panel {
        x: Axis::new(if log_axis { "log10 |w|" } else { "w" }, "", h0.lo, h0.hi),
        y: Axis::new(
            "density",
            if log_axis { "1/decade" } else { "1/w" },
            0.0,
            ymax,
        ),
        series: hist_series,
        heatmap: None,
    };
    let mut frac = Vec::new();
    for (k, th) in snap.params.thresholds.iter().enumerate() {
        let col = THRESHOLD_COLORS[k % 3];
        let pts = snap
            .trace
            .iter()
            .filter_map(|p| p.fraction_below.get(k).map(|f| [p.step as f64, *f]))
            .collect();
        frac.push(Series::line(
            &format!("simulation, θ = {}", fmt(*th)),
            col,
            2.0,
            Dash::Solid,
            pts,
        ));
        if !show_theory {
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
                frac.push(Series::line(
                    &format!("exact binomial law, θ = {}", fmt(*th)),
                    col,
                    3.0,
                    Dash::Dashed,
                    upto(ys),
                ));
            } else if let Some(ys) = c.normal.get(k) {
                frac.push(Series::line(
                    &format!("Lemma 1 normal approx., θ = {}", fmt(*th)),
                    col,
                    2.0,
                    Dash::Dotted,
                    upto(ys),
                ));
            }
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
            RED,
            1.5,
            Dash::Solid,
            pts,
        ));
    }
    let frac_panel = Panel {
        x: Axis::new("step t", "steps", 0.0, sum.step.max(20) as f64),
        y: Axis::new("fraction with |w| < θ", "", 0.0, 1.0),
        series: frac,
        heatmap: None,
    };
    Figure {
        title: title.into(),
        panels: vec![hist_panel, frac_panel],
        caption: caption.into(),
    }
}

/// Fig. 1-right, 4, 9: the escape fraction over (a, λ), the μ = 0 line and the continuous-time
/// line over it.
pub fn phase_figure(title: &str, caption: &str, g: &SweepGrid, overlays: &PhaseOverlays) -> Figure {
    let s = &g.spec;
    let exact = overlays.exact_map && g.exact_escape.is_some();
    let values = match (&g.exact_escape, exact) {
        (Some(e), true) => e.clone(),
        _ => g.filled(&g.escape),
    };
    let mut series = Vec::new();
    if overlays.mu_zero {
        for c in &g.mu_zero {
            let name = if series.is_empty() {
                "μ = 0 (Eq. 5)"
            } else {
                ""
            };
            series.push(Series::line(name, ORANGE, 2.5, Dash::Solid, c.clone()));
        }
    }
    if overlays.continuous {
        let a0 = s.a_min.max(-s.lambda_max);
        let a1 = s.a_max.min(-s.lambda_min).min(0.0);
        if a1 > a0 {
            series.push(Series::line(
                "λ = −a (continuous time)",
                [0xe0, 0x20, 0x20],
                2.5,
                Dash::Dashed,
                vec![[a0, -a0], [a1, -a1]],
            ));
        }
    }
    let label = if exact {
        "exact escape probability"
    } else {
        "escape fraction |w_T| > θ"
    };
    Figure {
        title: title.into(),
        panels: vec![Panel {
            x: Axis::new("a", "", s.a_min, s.a_max),
            y: Axis::new("λ", "", s.lambda_min, s.lambda_max),
            series,
            heatmap: Some(Heatmap {
                label: label.into(),
                cols: s.a_cells,
                rows: s.lambda_cells,
                values,
                colormap: escape_colormap,
            }),
        }],
        caption: caption.into(),
    }
}

/// Fig. 5 and 6: both escape-rate estimators against t, and γ against λ with μ over it.
pub fn escape_rate_figure(title: &str, caption: &str, out: &EscapeRateOutput) -> Figure {
    let mut by_step = Vec::new();
    let mut tmax = 1.0f64;
    for (k, c) in out.rate_vs_step.iter().enumerate() {
        let col = PALETTE[k % PALETTE.len()];
        let pts = |ys: &Vec<f64>| {
            c.steps
                .iter()
                .zip(ys)
                .map(|(t, y)| [*t as f64, *y])
                .collect::<Vec<_>>()
        };
        tmax = tmax.max(c.steps.last().copied().unwrap_or(1) as f64);
        by_step.push(Series::line(
            &format!("E ln|w_t/w_0|/t, λ = {}", fmt(c.lambda)),
            col,
            2.0,
            Dash::Solid,
            pts(&c.ratio_estimate),
        ));
        by_step.push(Series::line(
            &format!("E ln|w_t|/t (paper), λ = {}", fmt(c.lambda)),
            col,
            1.5,
            Dash::Dotted,
            pts(&c.paper_estimate),
        ));
        by_step.push(Series::line(
            &format!("μ, λ = {}", fmt(c.lambda)),
            col,
            1.0,
            Dash::Dashed,
            vec![[0.0, c.mu], [tmax, c.mu]],
        ));
    }
    let ys = range(
        by_step.iter().flat_map(|s| s.points.iter().map(|p| p[1])),
        (-1.0, 1.0),
        true,
    );
    let mut by_lambda = Vec::new();
    for (k, g) in out.rate_vs_lambda.iter().enumerate() {
        let col = PALETTE[k % PALETTE.len()];
        by_lambda.push(Series {
            name: format!("simulated γ, a = {}", fmt(g.a)),
            mark: Mark::Points { radius: 3.0 },
            color: col,
            points: g
                .lambda
                .iter()
                .zip(&g.gamma)
                .map(|(l, y)| [*l, *y])
                .collect(),
        });
        by_lambda.push(Series::line(
            &format!("μ(a, λ), a = {}", fmt(g.a)),
            col,
            1.5,
            Dash::Solid,
            g.theory_lambda
                .iter()
                .zip(&g.theory_mu)
                .map(|(l, y)| [*l, *y])
                .collect(),
        ));
    }
    let lx = range(
        by_lambda.iter().flat_map(|s| s.points.iter().map(|p| p[0])),
        (0.0, 1.0),
        false,
    );
    let ly = range(
        by_lambda
            .iter()
            .flat_map(|s| s.points.iter().filter(|p| p[1] > -5.0).map(|p| p[1])),
        (-1.0, 1.0),
        true,
    );
    let mut panels = Vec::new();
    if !by_step.is_empty() {
        panels.push(Panel {
            x: Axis::new("step t", "steps", 0.0, tmax),
            y: Axis::new("escape-rate estimate", "1/step", ys.0, ys.1),
            series: by_step,
            heatmap: None,
        });
    }
    if !by_lambda.is_empty() {
        panels.push(Panel {
            x: Axis::new("λ", "", lx.0, lx.1),
            y: Axis::new("γ", "1/step", ly.0, ly.1),
            series: by_lambda,
            heatmap: None,
        });
    }
    Figure {
        title: title.into(),
        panels,
        caption: caption.into(),
    }
}

/// Fig. 3-right: the averaged loss at the end against λ, its 10–90 % band and the diverged share.
pub fn loss_sweep_figure(title: &str, caption: &str, out: &LossSweepOutput) -> Figure {
    let pts = |f: fn(&crate::sim::loss_sweep::LossPoint) -> f64| {
        out.points
            .iter()
            .map(|p| [p.lambda, f(p)])
            .collect::<Vec<_>>()
    };
    let series = vec![
        Series::line("mean L", PALETTE[0], 2.5, Dash::Solid, pts(|p| p.mean_loss)),
        Series::line(
            "10 % quantile",
            PALETTE[0],
            1.0,
            Dash::Dotted,
            pts(|p| p.loss_q10),
        ),
        Series::line(
            "90 % quantile",
            PALETTE[0],
            1.0,
            Dash::Dotted,
            pts(|p| p.loss_q90),
        ),
    ];
    let x = range(out.points.iter().map(|p| p.lambda), (0.0, 1.0), false);
    let y = range(
        series.iter().flat_map(|s| s.points.iter().map(|p| p[1])),
        (0.0, 1.0),
        false,
    );
    let div = vec![Series::line(
        "diverged fraction",
        RED,
        2.0,
        Dash::Solid,
        pts(|p| p.diverged),
    )];
    Figure {
        title: title.into(),
        panels: vec![
            Panel {
                x: Axis::new("λ", "", x.0, x.1),
                y: Axis::new("averaged loss L at the end", "", y.0, y.1),
                series,
                heatmap: None,
            },
            Panel {
                x: Axis::new("λ", "", x.0, x.1),
                y: Axis::new("diverged fraction", "", 0.0, 1.0),
                series: div,
                heatmap: None,
            },
        ],
        caption: caption.into(),
    }
}

/// Fig. 2: mean |w| against t for each optimizer.
pub fn optimizers_figure(title: &str, caption: &str, out: &OptimizerOutput) -> Figure {
    let mut series = Vec::new();
    for (k, c) in out.curves.iter().enumerate() {
        series.push(Series::line(
            &format!("{} (λ = {})", c.optimizer.label(), fmt(c.lambda)),
            PALETTE[k % PALETTE.len()],
            2.0,
            Dash::Solid,
            c.steps
                .iter()
                .zip(&c.mean_abs)
                .map(|(t, y)| [*t as f64, *y])
                .collect(),
        ));
    }
    let x = range(
        series.iter().flat_map(|s| s.points.iter().map(|p| p[0])),
        (0.0, 1.0),
        true,
    );
    let y = range(
        series.iter().flat_map(|s| s.points.iter().map(|p| p[1])),
        (0.0, 1.0),
        true,
    );
    Figure {
        title: title.into(),
        panels: vec![Panel {
            x: Axis::new("step t", "steps", x.0, x.1),
            y: Axis::new("mean |w|", "", y.0, y.1),
            series,
            heatmap: None,
        }],
        caption: caption.into(),
    }
}

/// Fig. 7, 3-left, 3-middle: the walkers on the plane with the tracked trajectories, and the
/// share of walkers in each basin against t.
pub fn landscape_figure(title: &str, caption: &str, snap: &Snapshot) -> Figure {
    let h = &snap.params.histogram;
    let p = &snap.params;
    let lp = crate::model::LandscapeParams {
        landscape: p.landscape,
        a: p.a,
        b: p.b,
    };
    let levels =
        crate::model::contour::LossLevels::new(&lp, (h.lo, h.hi), (h.lo2, h.hi2)).polyline();
    let mut plane = vec![Series::line(
        "contours of L",
        [0xb0, 0xb0, 0xb0],
        0.6,
        Dash::Solid,
        levels,
    )];
    plane.push(Series {
        name: format!("walkers at t = {}", snap.step()),
        mark: Mark::Points { radius: 1.6 },
        color: PALETTE[0],
        points: snap.cloud.to_vec(),
    });
    for (k, t) in snap.tracks.iter().enumerate() {
        let name = if k == 0 { "trajectories" } else { "" };
        plane.push(Series::line(
            name,
            [0x55, 0x55, 0x55],
            0.8,
            Dash::Solid,
            t.clone(),
        ));
    }
    let basins = Basin::of(snap.params.landscape);
    let mut shares = Vec::new();
    for (k, b) in basins.iter().enumerate() {
        let pts = snap
            .trace
            .iter()
            .filter_map(|p| p.basins.get(k).map(|f| [p.step as f64, *f]))
            .collect();
        shares.push(Series::line(
            b.label(),
            PALETTE[k % PALETTE.len()],
            2.0,
            Dash::Solid,
            pts,
        ));
    }
    let n = snap.current.summary.walkers.max(1) as f64;
    if snap.trace.iter().any(|p| p.diverged > 0) {
        shares.push(Series::line(
            "diverged",
            RED,
            1.5,
            Dash::Solid,
            snap.trace
                .iter()
                .map(|p| [p.step as f64, p.diverged as f64 / n])
                .collect(),
        ));
    }
    let mut panels = vec![Panel {
        x: Axis::new("w1", "", h.lo, h.hi),
        y: Axis::new("w2", "", h.lo2, h.hi2),
        series: plane,
        heatmap: None,
    }];
    if !shares.is_empty() {
        panels.push(Panel {
            x: Axis::new("step t", "steps", 0.0, snap.step().max(20) as f64),
            y: Axis::new("share of walkers", "", 0.0, 1.0),
            series: shares,
            heatmap: None,
        });
    }
    Figure {
        title: title.into(),
        panels,
        caption: caption.into(),
    }
}

/// The one-line caption of a figure, generated from the parameters (so it can never disagree
/// with what is drawn): landscape, optimizer, noise, a, λ, N, the step and what μ says.
pub fn caption(p: &crate::sim::ExperimentParams, step: Option<u64>) -> String {
    caption_with(p, &crate::sim::theory::Readout::new(p), step)
}

/// [`caption`] with the theory readout of `p` already at hand.
pub fn caption_with(
    p: &crate::sim::ExperimentParams,
    r: &crate::sim::theory::Readout,
    step: Option<u64>,
) -> String {
    let noise = match p.noise {
        crate::model::NoiseLaw::TwoPoint => "two-point noise".to_string(),
        n => format!("{} noise", n.label().to_lowercase()),
    };
    let head = format!(
        "{}, {}, {noise}; a = {}, λ = {}, N = {}",
        p.landscape.label(),
        p.optimizer.label(),
        fmt(p.a),
        crate::app::theory_panel::fmt_num(p.lambda, 4),
        p.walkers
    );
    let tail = if p.landscape.dim() == 2 {
        String::new()
    } else if r.trapped {
        format!(": μ = {} < 0, SGD is trapped at w = 0", fmt(r.mu))
    } else {
        format!(": μ = {} > 0, SGD escapes w = 0", fmt(r.mu))
    };
    let step = step.map_or(String::new(), |t| format!(" (t = {t})"));
    format!("{head}{step}{tail}")
}
