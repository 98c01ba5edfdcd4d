//! Fig. 2: GD, SGD, Adam and AMSGrad side by side on the same noise stream: the ensemble mean
//! of |w| (or of w) against t with a shaded band (±2 standard errors, or the 10–90 % quantiles),
//! on linear or log axes.

use serde::{Deserialize, Serialize};

use crate::model::Optimizer;
use crate::sim::optimizers::OptimizerOutput;

use super::super::format::count;
use super::super::palette::{self, with_alpha};
use super::super::{Arrangement, Axis, Band, Dash, Figure, Panel, Series, data_range, fmt_num};
use super::{adam_label, noise_label};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OptimizerOptions {
    pub log_x: bool,
    pub log_y: bool,
    /// Plot the mean of w instead of the mean of |w|.
    pub signed: bool,
    /// Band: 10–90 % quantiles of |w| instead of ±2 standard errors of the mean.
    pub quantile_band: bool,
}

impl Default for OptimizerOptions {
    fn default() -> Self {
        OptimizerOptions {
            log_x: true,
            log_y: false,
            signed: false,
            quantile_band: false,
        }
    }
}

pub fn optimizers_figure(title: &str, out: &OptimizerOutput, opts: &OptimizerOptions) -> Figure {
    let what = if opts.signed {
        "mean of w"
    } else {
        "mean of |w|"
    };
    let mut x = Axis::new("step t", "", 0.0, 1.0);
    let mut y = Axis::new(what, "", 0.0, 1.0);
    if opts.log_x {
        x = x.log10();
    }
    if opts.log_y {
        y = y.log10();
    }
    let mut p = Panel::new("optimizers", 1.0, x, y);
    for c in &out.curves {
        let col = palette::optimizer(c.optimizer);
        let name = format!("{} (λ = {})", c.optimizer.label(), fmt_num(c.lambda, 3));
        let mut band = Band {
            name: format!(
                "{name}, {}",
                if opts.quantile_band && !opts.signed {
                    "10–90 %"
                } else {
                    "±2 SE"
                }
            ),
            legend: String::new(),
            color: with_alpha(col, 64),
            xs: Vec::new(),
            lo: Vec::new(),
            hi: Vec::new(),
        };
        let mut pts = Vec::new();
        for k in 0..c.steps.len() {
            let t = c.steps[k] as f64;
            let m = if opts.signed {
                c.mean_w[k]
            } else {
                c.mean_abs[k]
            };
            let (b0, b1) = if opts.quantile_band && !opts.signed {
                (c.q10_abs[k], c.q90_abs[k])
            } else {
                (m - 2.0 * c.sem_abs[k], m + 2.0 * c.sem_abs[k])
            };
            pts.push([t, m]);
            // Where an edge has no place on a log axis the band narrows to the mean.
            let fit = |v: f64| if p.y.place(v).is_some() { v } else { m };
            band.xs.push(t);
            band.lo.push(fit(b0));
            band.hi.push(fit(b1));
        }
        p.bands.push(band);
        p.series
            .push(Series::line(&name, col, 2.0, Dash::Solid, pts));
    }
    let placed = |axis: &Axis, v: f64| axis.place(v).map(|_| v);
    let xs = p
        .series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(|q| placed(&p.x, q[0])));
    let (x0, x1) = data_range(xs, (1.0, 10.0), false);
    let ys = p
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|q| q[1]))
        .chain(
            p.bands
                .iter()
                .flat_map(|b| b.lo.iter().chain(&b.hi).copied()),
        )
        .filter_map(|v| placed(&p.y, v));
    let (y0, y1) = data_range(ys, (0.0, 1.0), !opts.log_y);
    (p.x.min, p.x.max) = if opts.log_x {
        // The margins of a log axis are factors.
        let (lo, hi) = (
            out.curves
                .iter()
                .flat_map(|c| c.steps.iter())
                .copied()
                .filter(|t| *t > 0)
                .min()
                .unwrap_or(1) as f64,
            out.curves
                .iter()
                .flat_map(|c| c.steps.iter())
                .copied()
                .max()
                .unwrap_or(10) as f64,
        );
        (lo, hi.max(lo * 10.0))
    } else {
        (x0.max(0.0), x1)
    };
    (p.y.min, p.y.max) = if opts.log_y {
        let pos = p
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|q| q[1]))
            .chain(
                p.bands
                    .iter()
                    .flat_map(|b| b.lo.iter().chain(&b.hi).copied()),
            )
            .filter(|v| *v > 0.0 && v.is_finite());
        let (lo, hi) = pos.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        if lo.is_finite() {
            (lo / 1.5, hi * 1.5)
        } else {
            (1e-3, 1.0)
        }
    } else {
        (y0, y1)
    };
    Figure {
        title: title.to_owned(),
        note: String::new(),
        arrangement: Arrangement::Row,
        panels: vec![p],
        caption: optimizers_caption(out),
    }
    .with_legends_placed()
}

/// Names each optimizer's λ, β1, β2, the projection, the law and the run length.
pub fn optimizers_caption(out: &OptimizerOutput) -> String {
    let p = &out.params;
    let spec = &out.optimizers;
    let each: Vec<String> = spec
        .entries
        .iter()
        .filter(|e| e.enabled)
        .map(|e| format!("{} λ = {}", e.optimizer.label(), fmt_num(e.lambda, 3)))
        .collect();
    let adaptive = spec
        .entries
        .iter()
        .any(|e| e.enabled && matches!(e.optimizer, Optimizer::Adam | Optimizer::Amsgrad));
    format!(
        "{} on {}, {}, a = {}: {}{}{}; {} × {} each, every optimizer on the same noise stream (seed {})",
        if spec.entries.iter().filter(|e| e.enabled).count() > 1 {
            "Optimizers compared"
        } else {
            "One optimizer"
        },
        p.landscape.label(),
        noise_label(p.noise),
        fmt_num(p.a, 3),
        each.join(", "),
        if adaptive {
            format!(" (Adam and AMSGrad: {})", adam_label(p))
        } else {
            String::new()
        },
        match p.projection {
            Some(r) => format!("; projected onto [−{0}, {0}]", fmt_num(r, 2)),
            None => String::new(),
        },
        count(spec.walkers as f64, "run"),
        count(spec.steps as f64, "step"),
        p.seed
    )
}
