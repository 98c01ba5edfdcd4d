//! Where μ(a, λ) = 0: the boundary between escape and collapse in the (a, λ) plane (Eq. 5,
//! Cor. 1, SPEC.md §4) — its closed forms for the two-point law, its roots for any law, and the
//! lines a sweep draws, traced from μ sampled on a grid.

use crate::model::contour::Grid;
use crate::model::noise::NoiseLaw;

use super::{log_factor_moments, mu_profile, mu_two_point};

/// Eq. 5 / Cor. 1: for a < 1, SGD on the quadratic is trapped at w = 0 exactly for
/// a/(a − 1) < λ < (a − sqrt(a² − 8a + 8)) / (2(a − 1)). Returns the interval as the paper
/// writes it (its lower end is negative for 0 < a < 1); at a = 1, where the formula is 0/0, its
/// limit (−∞, 2). `None` for a > 1, where the formula does not apply.
pub fn eq5_interval(a: f64) -> Option<(f64, f64)> {
    if a > 1.0 || a.is_nan() {
        return None;
    }
    if a == 1.0 {
        return Some((f64::NEG_INFINITY, 2.0));
    }
    let lo = a / (a - 1.0);
    let hi = (a - (a * a - 8.0 * a + 8.0).sqrt()) / (2.0 * (a - 1.0));
    Some((lo, hi))
}

/// The positive learning rates at which μ(a, λ) = 0 for the two-point law, sorted: the roots
/// of |P(λ)| = 1 with P(λ) = (1 − λ)(1 − λ(a − 1)) = 1 − aλ + (a − 1)λ². This is the orange
/// line of Fig. 1-right / Fig. 9; it equals Eq. 5's ends where Eq. 5 is defined and stays
/// correct at a = 1 (where P is linear).
pub fn mu_zero_lambdas(a: f64) -> Vec<f64> {
    let mut roots = Vec::new();
    let c2 = a - 1.0;
    // P(λ) = 1 → λ (c2 λ − a) = 0.
    if c2 != 0.0 {
        roots.push(a / c2);
    }
    // P(λ) = −1 → c2 λ² − a λ + 2 = 0.
    let [lo, hi] = mu_zero_minus_one_roots(a);
    roots.extend(lo);
    roots.extend(hi);
    roots.retain(|r| r.is_finite() && *r > 0.0);
    roots.sort_by(f64::total_cmp);
    roots.dedup_by(|x, y| (*x - *y).abs() < 1e-12);
    roots
}

/// The two roots of P(λ) = −1, i.e. (a − 1)λ² − aλ + 2 = 0, where real: the first is Eq. 5's
/// upper end written stably as 4/(a + sqrt(a² − 8a + 8)) (exact at a = 1, where Eq. 5 is 0/0),
/// the second (a + sqrt(·))/(2(a − 1)), which is negative for a < 1.
pub fn mu_zero_minus_one_roots(a: f64) -> [Option<f64>; 2] {
    let disc = a * a - 8.0 * (a - 1.0);
    if disc < 0.0 || a.is_nan() {
        return [None, None];
    }
    let s = disc.sqrt();
    let first = 4.0 / (a + s);
    let second = if a == 1.0 {
        None
    } else {
        Some((a + s) / (2.0 * (a - 1.0)))
    };
    [
        first.is_finite().then_some(first),
        second.filter(|r| r.is_finite()),
    ]
}

/// The μ = 0 line of the two-point law over a ∈ [a_min, a_max] as polylines of (a, λ) with
/// λ in (0, λ_max]: the branch λ = a/(a − 1) and the two roots of P(λ) = −1, each split where
/// it leaves the range. This is the orange line of Fig. 1-right and Fig. 9.
pub fn mu_zero_curves(
    a_min: f64,
    a_max: f64,
    lambda_max: f64,
    samples: usize,
) -> Vec<Vec<[f64; 2]>> {
    let n = samples.max(2);
    let branches: [&dyn Fn(f64) -> Option<f64>; 3] = [
        &|a: f64| (a != 1.0).then(|| a / (a - 1.0)),
        &|a: f64| mu_zero_minus_one_roots(a)[0],
        &|a: f64| mu_zero_minus_one_roots(a)[1],
    ];
    let mut out = Vec::new();
    for branch in branches {
        let mut current: Vec<[f64; 2]> = Vec::new();
        for i in 0..n {
            let a = a_min + (a_max - a_min) * i as f64 / (n - 1) as f64;
            match branch(a).filter(|l| *l > 0.0 && *l <= lambda_max) {
                Some(l) => current.push([a, l]),
                None => {
                    if current.len() > 1 {
                        out.push(std::mem::take(&mut current));
                    }
                    current.clear();
                }
            }
        }
        if current.len() > 1 {
            out.push(current);
        }
    }
    out
}

/// The λ-intervals (within (0, λ_max)) where μ(a, λ) < 0, i.e. where SGD on the quadratic with
/// the two-point law is trapped at w = 0 (Prop. 2).
pub fn trapped_intervals(a: f64, lambda_max: f64) -> Vec<(f64, f64)> {
    let mut cuts = vec![0.0];
    cuts.extend(mu_zero_lambdas(a).into_iter().filter(|&r| r < lambda_max));
    cuts.push(lambda_max);
    cuts.windows(2)
        .filter(|w| mu_two_point(a, 0.5 * (w[0] + w[1])) < 0.0)
        .map(|w| (w[0], w[1]))
        .collect()
}

/// The learning rates in (0, λ_max] where μ(a, λ) of `noise` changes sign ([`mu_profile`]).
/// (μ of a continuous law is finite for λ > 0: the log singularity integrates.)
pub fn mu_zero_roots(noise: &NoiseLaw, a: f64, lambda_max: f64) -> Vec<f64> {
    mu_profile(noise, a, lambda_max).zeros
}

/// The λ-intervals within (0, λ_max) where μ(a, λ) of `noise` is negative: where SGD on the
/// quadratic is trapped at w = 0 (Prop. 2; [`mu_profile`]).
pub fn trapped_intervals_of(noise: &NoiseLaw, a: f64, lambda_max: f64) -> Vec<(f64, f64)> {
    mu_profile(noise, a, lambda_max).negative
}

/// The μ = 0 line of `noise` over a ∈ [a_min, a_max] × λ ∈ (λ_min, λ_max] as polylines of
/// (a, λ). The two-point law has the closed form of [`mu_zero_curves`]; the continuous laws are
/// traced by marching squares on μ sampled on `samples` × `samples` points (λ starting just
/// above 0, where μ = 0 for every a and says nothing).
pub fn mu_zero_lines(
    noise: &NoiseLaw,
    a: (f64, f64),
    lambda: (f64, f64),
    samples: usize,
) -> Vec<Vec<[f64; 2]>> {
    crate::coop::block_on(mu_zero_lines_async(noise, a, lambda, samples))
}

/// As [`mu_zero_lines`], giving the frame back between rows of quadratures (see
/// [`crate::coop`]).
pub async fn mu_zero_lines_async(
    noise: &NoiseLaw,
    (a_min, a_max): (f64, f64),
    (lambda_min, lambda_max): (f64, f64),
    samples: usize,
) -> Vec<Vec<[f64; 2]>> {
    if *noise == NoiseLaw::TwoPoint {
        return mu_zero_curves(a_min, a_max, lambda_max, 400)
            .into_iter()
            .map(|c| {
                c.into_iter()
                    .filter(|p| p[1] >= lambda_min)
                    .collect::<Vec<_>>()
            })
            .filter(|c| c.len() > 1)
            .collect();
    }
    let mut grid = mu_zero_frame((a_min, a_max), (lambda_min, lambda_max), samples);
    grid.values = mu_zero_rows(noise, &grid, 0..grid.rows).await;
    mu_zero_from(&grid)
}

/// The points a continuous law's μ is sampled at for its μ = 0 line (see [`mu_zero_lines`]):
/// the grid with no values yet, so that its rows can be computed apart (on workers) and
/// joined.
pub fn mu_zero_frame(
    (a_min, a_max): (f64, f64),
    (lambda_min, lambda_max): (f64, f64),
    samples: usize,
) -> Grid {
    let l0 = lambda_min.max(1e-6 * (lambda_max - lambda_min).abs().max(1e-12));
    let (cols, rows) = (samples.max(2), samples.max(2));
    Grid {
        cols,
        rows,
        x0: a_min,
        y0: l0,
        dx: (a_max - a_min) / (cols - 1) as f64,
        dy: (lambda_max - l0) / (rows - 1) as f64,
        values: Vec::new(),
    }
}

/// μ of `noise` at the sample rows `rows` of `frame`, row after row; a sample a unit (see
/// [`crate::coop`]).
pub async fn mu_zero_rows(
    noise: &NoiseLaw,
    frame: &Grid,
    rows: std::ops::Range<usize>,
) -> Vec<f64> {
    let mut values = Vec::with_capacity(rows.len() * frame.cols);
    for r in rows {
        for c in 0..frame.cols {
            let (a, l) = (
                frame.x0 + c as f64 * frame.dx,
                frame.y0 + r as f64 * frame.dy,
            );
            values.push(log_factor_moments(noise, a, l).0);
            crate::coop::yield_now().await;
        }
    }
    values
}

/// The μ = 0 line of a sampled grid of μ.
pub fn mu_zero_from(grid: &Grid) -> Vec<Vec<[f64; 2]>> {
    grid.contour(0.0)
        .into_iter()
        .map(|[p, q]| vec![p, q])
        .collect()
}
