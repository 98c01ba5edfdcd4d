//! A sweep's theory layers, computed beside its cells: μ per cell, the exact escape map where
//! the quadratic theory applies, the μ = 0 line (sampled and contoured, or traced for a typed
//! landscape), and the words of its caption.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::model::theory;
use crate::sim::params::ExperimentParams;
use crate::sim::theory::{init_magnitude, quadratic_theory_applies};

use super::SweepSpec;

/// Samples per side of the (a, λ) grid the μ = 0 line of a continuous law is traced on.
const MU_ZERO_SAMPLES: usize = 161;

/// 1 − P(|w_T| < θ) from the binomial law, per cell, where the quadratic theory applies; `None`
/// also when `cancel` is set before it is done (it is looked at every row: a row costs
/// a_cells · T operations, milliseconds at the largest grid and T).
pub fn exact_escape_map(
    base: &ExperimentParams,
    spec: &SweepSpec,
    cancel: &AtomicBool,
) -> Option<Vec<f64>> {
    crate::coop::block_on(exact_escape_map_async(base, spec, 2, cancel))
}

/// As [`exact_escape_map`] on `threads` (1 or 2) threads, giving the frame back between rows
/// on one (see [`crate::coop`]).
async fn exact_escape_map_async(
    base: &ExperimentParams,
    spec: &SweepSpec,
    threads: usize,
    cancel: &AtomicBool,
) -> Option<Vec<f64>> {
    if !quadratic_theory_applies(base) || base.noise != crate::model::NoiseLaw::TwoPoint {
        return None;
    }
    let init = init_magnitude(&base.init)?;
    let law = theory::BinomialHalf::new(spec.steps);
    let a_centres = spec.a_centres();
    let mut out = vec![0.0; spec.cells()];
    let cell =
        |a: f64, l: f64| 1.0 - theory::fraction_below_exact_with(&law, a, l, spec.threshold, init);
    let fill_row = |l: f64, row: &mut [f64]| {
        for (v, &a) in row.iter_mut().zip(&a_centres) {
            *v = cell(a, l);
        }
    };
    let mut rows: Vec<(f64, &mut [f64])> = spec
        .lambda_centres()
        .into_iter()
        .zip(out.chunks_mut(spec.a_cells))
        .collect();
    if threads <= 1 {
        for (l, row) in rows {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            // A cell a unit (each a binomial sum over T steps).
            for (v, &a) in row.iter_mut().zip(&a_centres) {
                *v = cell(a, l);
                crate::coop::yield_now().await;
            }
        }
    } else {
        // Rows are independent: split them between two threads (the second core would
        // otherwise idle while a sweep starts).
        let fill = |rows: &mut [(f64, &mut [f64])]| {
            for (l, row) in rows {
                if cancel.load(Ordering::Relaxed) {
                    return;
                }
                fill_row(*l, row);
            }
        };
        let half = rows.len() / 2;
        let (first, second) = rows.split_at_mut(half);
        std::thread::scope(|s| {
            s.spawn(|| fill(first));
            fill(second);
        });
    }
    (!cancel.load(Ordering::Relaxed)).then_some(out)
}

/// A grid's theory: μ per cell, the exact escape map where it applies, the μ = 0 contour. For
/// Gaussian or uniform noise that is ~3·10⁴ quadratures (seconds), so it is computed on a thread
/// of its own beside the cells and joins the grid when ready.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct TheoryLayers {
    pub(super) mu: Vec<f64>,
    pub(super) exact_escape: Option<Vec<f64>>,
    pub(super) mu_zero: Vec<Vec<[f64; 2]>>,
    pub(super) mu_zero_of: Option<String>,
    pub(super) at_origin: bool,
}

/// Where a grid's μ = 0 line is traced from μ sampled on a grid (a continuous law, the paper's
/// landscapes), the sampling's frame: its rows can then be computed apart, on several workers
/// (the seconds of a Gaussian law's quadratures), and joined with [`TheoryLayers::join_mu_zero`].
pub(crate) fn mu_zero_frame(
    base: &ExperimentParams,
    spec: &SweepSpec,
) -> Option<crate::model::contour::Grid> {
    (!base.landscape.is_custom() && base.noise != crate::model::NoiseLaw::TwoPoint).then(|| {
        theory::mu_zero_frame(
            (spec.a_min, spec.a_max),
            (spec.lambda_min, spec.lambda_max),
            MU_ZERO_SAMPLES,
        )
    })
}

impl TheoryLayers {
    /// The μ = 0 line from the whole sampled grid, where [`theory_layers`] was asked to leave
    /// it out.
    pub(crate) fn join_mu_zero(&mut self, grid: &crate::model::contour::Grid) {
        self.mu_zero = theory::mu_zero_from(grid);
    }
}

/// A grid's theory layers, the exact map on `threads` threads (1 in a Web Worker, which has
/// none of its own).
pub(crate) fn theory_layers(
    base: &ExperimentParams,
    spec: &SweepSpec,
    threads: usize,
    cancel: &AtomicBool,
) -> TheoryLayers {
    crate::coop::block_on(theory_layers_async(base, spec, threads, cancel, true))
}

/// As [`theory_layers`] on one thread, without the μ = 0 line where [`mu_zero_frame`] has a
/// frame (the caller samples it apart).
pub(crate) fn theory_layers_but_mu_zero(base: &ExperimentParams, spec: &SweepSpec) -> TheoryLayers {
    let never = AtomicBool::new(false);
    let apart = mu_zero_frame(base, spec).is_some();
    crate::coop::block_on(theory_layers_async(base, spec, 1, &never, !apart))
}

/// As [`theory_layers`], the exact map on `threads` threads, giving the frame back between
/// rows (see [`crate::coop`]).
pub(super) async fn theory_layers_async(
    base: &ExperimentParams,
    spec: &SweepSpec,
    threads: usize,
    cancel: &AtomicBool,
    with_mu_zero: bool,
) -> TheoryLayers {
    if base.landscape.is_custom() {
        return typed_layers(base, spec).await;
    }
    let (a, lambda) = (spec.a_centres(), spec.lambda_centres());
    let mut mu = Vec::with_capacity(spec.cells());
    for &l in &lambda {
        for &ai in &a {
            mu.push(theory::log_factor_moments(&base.noise, ai, l).0);
            // A cell a unit: a Gaussian or uniform law's μ is a quadrature.
            crate::coop::yield_now().await;
        }
    }
    TheoryLayers {
        mu,
        exact_escape: exact_escape_map_async(base, spec, threads, cancel).await,
        mu_zero: if with_mu_zero {
            theory::mu_zero_lines_async(
                &base.noise,
                (spec.a_min, spec.a_max),
                (spec.lambda_min, spec.lambda_max),
                MU_ZERO_SAMPLES,
            )
            .await
        } else {
            Vec::new()
        },
        mu_zero_of: None,
        at_origin: true,
    }
}

/// A typed landscape's theory layers: the exponent of the picked stationary point (followed
/// over a) per cell, and its zero line. No exact map; no line for Adam and AMSGrad (Prop. 2 is
/// SGD's and GD's).
async fn typed_layers(base: &ExperimentParams, spec: &SweepSpec) -> TheoryLayers {
    use crate::model::custom::Custom;
    use crate::model::follow::Follower;
    let mut out = TheoryLayers {
        mu: vec![f64::NAN; spec.cells()],
        exact_escape: None,
        mu_zero: Vec::new(),
        mu_zero_of: None,
        at_origin: false,
    };
    let Ok(c) = Custom::new(&base.loss) else {
        return out;
    };
    if base.optimizer.is_adaptive() {
        return out;
    }
    let law_at = |a: f64| crate::sim::theory::x_law(&ExperimentParams { a, ..base.clone() });
    let f = Follower {
        c: &c,
        b: base.b,
        law_at: &law_at,
        size: 4.0,
    };
    let from = match spec.point {
        Some(p) => (p.a.unwrap_or(base.a), p.w),
        None => {
            // The run's a where the map shows it, else the middle of the a range.
            let mid = if (spec.a_min..=spec.a_max).contains(&base.a) {
                base.a
            } else {
                0.5 * (spec.a_min + spec.a_max)
            };
            let p = ExperimentParams {
                a: mid,
                lambda: 1.0,
                ..base.clone()
            };
            let law = crate::sim::theory::x_law(&p);
            let r = (-2.0, 2.0);
            let points = if c.dim() == 1 {
                crate::model::stationary::points_1d(&c, &law, (mid, p.b, 1.0), r)
            } else {
                crate::model::stationary::points_2d(&c, &law, (mid, p.b, 1.0), (r, r))
            };
            let Some(nearest) = points
                .into_iter()
                .filter(|q| q.sgd_fixed_point)
                .min_by(|q, r| q.w[0].hypot(q.w[1]).total_cmp(&r.w[0].hypot(r.w[1])))
            else {
                return out;
            };
            (mid, nearest.w)
        }
    };
    let Some(site) = f.settle(from.0, from.1) else {
        out.mu_zero_of = Some(format!(
            "no stationary point near {} at a = {}",
            point_words(c.dim(), from.1),
            short(from.0)
        ));
        return out;
    };
    out.mu_zero_of = Some(format!(
        "the {} {} at a = {}",
        f.kind(&site).label(),
        point_words(c.dim(), site.w),
        short(site.a)
    ));
    out.at_origin = site.w[0].hypot(site.w[1]) <= 1e-9;
    let from = (site.a, site.w);
    let sites = f.follow(from, &spec.a_centres());
    for (row, l) in spec.lambda_centres().into_iter().enumerate() {
        for (col, s) in sites.iter().enumerate() {
            if let Some(s) = s {
                out.mu[row * spec.a_cells + col] = f.exponent(s, l);
            }
        }
        crate::coop::yield_now().await;
    }
    let samples = if c.dim() == 1 { MU_ZERO_SAMPLES } else { 81 };
    out.mu_zero = f
        .mu_zero(
            from,
            (spec.a_min, spec.a_max),
            (spec.lambda_min, spec.lambda_max),
            samples,
        )
        .await
        .into_iter()
        .map(|[p, q]| vec![p, q])
        .collect();
    out
}

/// "w = 0.5" or "(w1, w2) = (0, 1)", to three decimals.
fn point_words(dim: usize, w: [f64; 2]) -> String {
    if dim == 1 {
        format!("w = {}", short(w[0]))
    } else {
        format!("(w1, w2) = ({}, {})", short(w[0]), short(w[1]))
    }
}

/// To three decimals, without trailing zeros (0.5, not 0.500; 0, not −0.000).
fn short(v: f64) -> String {
    let s = crate::figure::fmt_num(v, 3);
    if s.contains('.') && !s.contains('e') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}
