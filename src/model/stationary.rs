//! The paper's theory for any typed landscape (README, "Your own landscape"): the stationary
//! points of L(w) = E_x ℓ(w; x) in the view box, what kind each is, whether SGD can settle
//! there at all (every sample's gradient vanishes), and its stability exponent at λ — in 1-D
//! μ = E ln|1 − λ ℓ″(w*; x)| (Prop. 2 with h = ℓ″), in 2-D the top Lyapunov exponent of the
//! random product of (I − λ H(w*; x)).

use serde::{Deserialize, Serialize};

use super::custom::Custom;
use super::quadrature::{log_moments_gaussian, log_moments_uniform};

/// The law of x the theory averages over: values and weights, or a continuous law.
#[derive(Clone, Debug, PartialEq)]
pub enum XLaw {
    /// Finitely many values (the two-point and discrete laws; GD's single x = E[x]).
    Points(Vec<(f64, f64)>),
    Gaussian {
        mean: f64,
        sd: f64,
    },
    Uniform {
        lo: f64,
        hi: f64,
    },
}

/// Simpson intervals for an expectation under a continuous law (smooth integrands: L′, L″).
const SIMPSON: usize = 2000;

impl XLaw {
    /// E[f(x)]: exact sums, Simpson's rule on ±10 sd for the Gaussian, on [lo, hi] for the
    /// uniform law.
    pub fn expect(&self, f: impl Fn(f64) -> f64) -> f64 {
        match *self {
            XLaw::Points(ref p) => p.iter().map(|&(v, w)| w * f(v)).sum(),
            XLaw::Gaussian { mean, sd } => simpson(
                |z| f(mean + sd * z) * (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt(),
                -10.0,
                10.0,
            ),
            XLaw::Uniform { lo, hi } => simpson(|x| f(x) / (hi - lo), lo, hi),
        }
    }

    /// `n` nodes and weights that give E[f(x)] exactly for a polynomial f of degree below 2n:
    /// the values and their weights for a discrete law (any n), Gauss–Hermite nodes for the
    /// Gaussian, Gauss–Legendre nodes for the uniform law.
    pub fn nodes(&self, n: usize) -> Vec<(f64, f64)> {
        match *self {
            XLaw::Points(ref p) => p.clone(),
            XLaw::Gaussian { mean, sd } => gauss_hermite(n)
                .into_iter()
                .map(|(z, w)| (mean + sd * z, w))
                .collect(),
            XLaw::Uniform { lo, hi } => gauss_legendre(n)
                .into_iter()
                .map(|(t, w)| (0.5 * (lo + hi) + 0.5 * (hi - lo) * t, 0.5 * w))
                .collect(),
        }
    }

    /// Values x can take, to check that a gradient vanishes for all of them: every value of a
    /// discrete law; for a continuous law points across its range (a gradient that is a
    /// polynomial or analytic in x and vanishes at all of them vanishes everywhere).
    pub fn support(&self) -> Vec<f64> {
        match *self {
            XLaw::Points(ref p) => p.iter().map(|&(v, _)| v).collect(),
            XLaw::Gaussian { mean, sd } => (-4..=4).map(|k| mean + 0.7 * k as f64 * sd).collect(),
            XLaw::Uniform { lo, hi } => (0..=8).map(|k| lo + (hi - lo) * k as f64 / 8.0).collect(),
        }
    }

    /// E ln|1 − λ h(x)|: exact for a discrete law and, where h is affine in x (every landscape
    /// of the paper), for the Gaussian and uniform laws (the model's quadratures of ln|U|);
    /// otherwise Simpson's rule, which a singularity of the logarithm inside the range makes
    /// approximate.
    pub fn mean_log(&self, lambda: f64, h: impl Fn(f64) -> f64) -> f64 {
        let u = |x: f64| 1.0 - lambda * h(x);
        match *self {
            XLaw::Points(_) => self.expect(|x| u(x).abs().ln()),
            XLaw::Gaussian { mean, sd } => {
                let (lo, mid, hi) = (u(mean - sd), u(mean), u(mean + sd));
                if affine(lo, mid, hi) {
                    log_moments_gaussian(mid, 0.5 * (hi - lo)).0
                } else {
                    self.expect(|x| u(x).abs().ln())
                }
            }
            XLaw::Uniform { lo, hi } => {
                let (a, m, b) = (u(lo), u(0.5 * (lo + hi)), u(hi));
                if affine(a, m, b) {
                    log_moments_uniform(a.min(b), a.max(b)).0
                } else {
                    self.expect(|x| u(x).abs().ln())
                }
            }
        }
    }
}

/// Gauss–Legendre nodes and weights on [−1, 1] (weights summing to 2): Newton's method on the
/// Legendre polynomial from the usual first guesses.
fn gauss_legendre(n: usize) -> Vec<(f64, f64)> {
    let n = n.max(1);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            // P_n(z) by the three-term recurrence, and its derivative.
            let (mut p0, mut p1) = (1.0, z);
            for k in 2..=n {
                let kf = k as f64;
                (p0, p1) = (p1, ((2.0 * kf - 1.0) * z * p1 - (kf - 1.0) * p0) / kf);
            }
            let pn = if n == 1 { z } else { p1 };
            let pm = if n == 1 { 1.0 } else { p0 };
            dp = n as f64 * (z * pn - pm) / (z * z - 1.0);
            let step = pn / dp;
            z -= step;
            if step.abs() <= 1e-15 {
                break;
            }
        }
        out.push((z, 2.0 / ((1.0 - z * z) * dp * dp)));
    }
    out
}

/// Nodes and weights for E[f(z)] under the standard normal law (weights summing to 1):
/// Gauss–Hermite for the weight e^(−t²), Newton's method on the normalised Hermite
/// polynomials from Numerical Recipes' first guesses, then z = √2 t and the weights over √π.
fn gauss_hermite(n: usize) -> Vec<(f64, f64)> {
    let n = n.max(1);
    let nf = n as f64;
    let pim4 = std::f64::consts::PI.powf(-0.25);
    let mut x = vec![0.0; n];
    let mut w = vec![0.0; n];
    let mut z = 0.0;
    for i in 0..n.div_ceil(2) {
        z = match i {
            0 => (2.0 * nf + 1.0).sqrt() - 1.85575 * (2.0 * nf + 1.0).powf(-1.0 / 6.0),
            1 => z - 1.14 * nf.powf(0.426) / z,
            2 => 1.86 * z - 0.86 * x[0],
            3 => 1.91 * z - 0.91 * x[1],
            _ => 2.0 * z - x[i - 2],
        };
        let mut pp = 1.0;
        for _ in 0..100 {
            let (mut p1, mut p2) = (pim4, 0.0);
            for j in 1..=n {
                let jf = j as f64;
                let p3 = p2;
                p2 = p1;
                p1 = z * (2.0 / jf).sqrt() * p2 - ((jf - 1.0) / jf).sqrt() * p3;
            }
            pp = (2.0 * nf).sqrt() * p2;
            let step = p1 / pp;
            z -= step;
            if step.abs() <= 1e-15 * (1.0 + z.abs()) {
                break;
            }
        }
        x[i] = z;
        x[n - 1 - i] = -z;
        w[i] = 2.0 / (pp * pp);
        w[n - 1 - i] = w[i];
    }
    let sqrt_pi = std::f64::consts::PI.sqrt();
    x.into_iter()
        .zip(w)
        .map(|(t, w)| (std::f64::consts::SQRT_2 * t, w / sqrt_pi))
        .collect()
}

/// Whether three equally spaced values lie on a line (to rounding).
fn affine(lo: f64, mid: f64, hi: f64) -> bool {
    (lo + hi - 2.0 * mid).abs() <= 1e-12 * (lo.abs() + hi.abs() + mid.abs() + 1e-300)
}

fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    let h = (b - a) / SIMPSON as f64;
    let mut s = f(a) + f(b);
    for k in 1..SIMPSON {
        s += if k % 2 == 1 { 4.0 } else { 2.0 } * f(a + k as f64 * h);
    }
    s * h / 3.0
}

/// What kind of stationary point of L a point is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Minimum,
    Maximum,
    Saddle,
    /// L″ = 0 (1-D) or a singular Hessian off a curve: the second derivative does not decide.
    Degenerate,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Minimum => "minimum",
            Kind::Maximum => "maximum",
            Kind::Saddle => "saddle",
            Kind::Degenerate => "degenerate",
        }
    }
}

/// A stationary point of L and what SGD does near it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StationaryPoint {
    /// Where (w2 = 0 in 1-D).
    #[serde(skip)]
    pub w: [f64; 2],
    pub kind: Kind,
    /// ∇ℓ(w*; x) = 0 for every x the law can draw: only then can SGD settle at w*.
    pub sgd_fixed_point: bool,
    /// The stability exponent at λ: μ = E ln|1 − λ ℓ″| in 1-D, the top Lyapunov exponent of
    /// (I − λ H) in 2-D (transverse to the curve for a point of a curve). `None` where SGD
    /// cannot settle (it does not apply).
    pub mu: Option<f64>,
    /// The exponent's standard error where it is estimated by simulation (2-D, Hessians that do
    /// not commute); `None` where it is exact.
    pub mu_se: Option<f64>,
    /// A point of a curve of stationary points (the toy network's line w1 = 0): along the curve
    /// the factor is 1 and the exponent is the transverse one.
    pub on_curve: bool,
}

impl StationaryPoint {
    /// SGD is attracted at this λ: a fixed point of every sample's step with μ < 0.
    pub fn attracts(&self) -> bool {
        self.sgd_fixed_point && self.mu.is_some_and(|m| m < 0.0)
    }

    /// One sentence on what SGD does here.
    pub fn verdict(&self) -> &'static str {
        match (self.sgd_fixed_point, self.mu) {
            (false, _) => "SGD cannot settle here: the gradient noise does not vanish",
            (true, Some(m)) if m < 0.0 => "SGD is attracted here at this λ",
            (true, Some(_)) => "SGD is repelled here at this λ",
            (true, None) => "no theory for this optimizer (Prop. 2 is SGD's and GD's)",
        }
    }
}

/// Cells of the grid the 1-D root search brackets sign changes of L′ on.
const GRID: usize = 4000;

/// L′(w) = E ℓ′(w; x).
fn slope(c: &Custom, law: &XLaw, w: f64, a: f64, b: f64) -> f64 {
    law.expect(|x| c.grad_at([w, 0.0], x, a, b)[0])
}

/// The stationary points of a 1-D typed landscape in [lo, hi]: every sign change of L′ on a
/// grid of 4000 cells refined by bisection to 10⁻¹³ of the box, and every grid point where L′
/// is exactly 0 (a double root, as of L = w³, has no sign change).
pub fn points_1d(
    c: &Custom,
    law: &XLaw,
    (a, b, lambda): (f64, f64, f64),
    (lo, hi): (f64, f64),
) -> Vec<StationaryPoint> {
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return Vec::new();
    }
    let at = |k: usize| lo + (hi - lo) * k as f64 / GRID as f64;
    let vals: Vec<f64> = (0..=GRID).map(|k| slope(c, law, at(k), a, b)).collect();
    let mut roots: Vec<f64> = Vec::new();
    for k in 0..=GRID {
        if vals[k] == 0.0 {
            roots.push(at(k));
        } else if k > 0
            && vals[k - 1] != 0.0
            && vals[k - 1].is_finite()
            && vals[k].is_finite()
            && (vals[k - 1] < 0.0) != (vals[k] < 0.0)
        {
            let (mut l, mut r) = (at(k - 1), at(k));
            let left_negative = vals[k - 1] < 0.0;
            while r - l > 1e-13 * (hi - lo) {
                let m = 0.5 * (l + r);
                let v = slope(c, law, m, a, b);
                if v == 0.0 {
                    (l, r) = (m, m);
                    break;
                }
                if (v < 0.0) == left_negative {
                    l = m;
                } else {
                    r = m;
                }
            }
            roots.push(0.5 * (l + r));
        }
    }
    roots
        .into_iter()
        .map(|w| point_1d(c, law, (a, b, lambda), w))
        .collect()
}

fn point_1d(c: &Custom, law: &XLaw, (a, b, lambda): (f64, f64, f64), w: f64) -> StationaryPoint {
    let curvature = law.expect(|x| c.hess_at([w, 0.0], x, a, b)[0][0]);
    let kind = if curvature > 0.0 {
        Kind::Minimum
    } else if curvature < 0.0 {
        Kind::Maximum
    } else {
        Kind::Degenerate
    };
    let fixed = vanishes(
        law,
        |x| c.grad_at([w, 0.0], x, a, b)[0],
        |x| c.hess_at([w, 0.0], x, a, b)[0][0],
    );
    StationaryPoint {
        w: [w, 0.0],
        kind,
        sgd_fixed_point: fixed,
        mu: fixed.then(|| law.mean_log(lambda, |x| c.hess_at([w, 0.0], x, a, b)[0][0])),
        mu_se: None,
        on_curve: false,
    }
}

/// Whether a sample's gradient g(x) vanishes for every x the law draws, to the precision the
/// point is known with: |g| no more than 10⁻⁹ of the scale its curvature h(x) sets.
pub(crate) fn vanishes(law: &XLaw, g: impl Fn(f64) -> f64, h: impl Fn(f64) -> f64) -> bool {
    law.support()
        .into_iter()
        .all(|x| g(x).abs() <= 1e-9 * (1.0 + h(x).abs()))
}

/// μ(λ) of the point `w` over (0, λ_max]: the λ-intervals where it is negative (bisection on a
/// 2000-point scan, as for the built-in laws).
pub fn negative_intervals_1d(
    c: &Custom,
    law: &XLaw,
    (a, b): (f64, f64),
    w: f64,
    lambda_max: f64,
) -> Vec<(f64, f64)> {
    let mu = |l: f64| law.mean_log(l, |x| c.hess_at([w, 0.0], x, a, b)[0][0]);
    let n = 2000;
    let lam: Vec<f64> = (1..=n).map(|k| lambda_max * k as f64 / n as f64).collect();
    let vals: Vec<f64> = lam.iter().map(|&l| mu(l)).collect();
    let mut cuts = vec![0.0];
    for k in 1..n {
        let (m0, m1) = (vals[k - 1], vals[k]);
        if m0.is_finite() && m1.is_finite() && (m0 < 0.0) != (m1 < 0.0) {
            let (mut lo, mut hi) = (lam[k - 1], lam[k]);
            while hi - lo > 1e-12 * hi {
                let mid = 0.5 * (lo + hi);
                if (mu(mid) < 0.0) == (m0 < 0.0) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            cuts.push(0.5 * (lo + hi));
        }
    }
    cuts.push(lambda_max);
    cuts.windows(2)
        .filter(|w| w[1] > w[0] && mu(0.5 * (w[0] + w[1])) < 0.0)
        .map(|w| (w[0], w[1]))
        .collect()
}

/// A 2 × 2 symmetric matrix's eigenvalues (ascending) and unit eigenvectors.
pub(crate) fn eigen(h: [[f64; 2]; 2]) -> ([f64; 2], [[f64; 2]; 2]) {
    let (a, b, d) = (h[0][0], 0.5 * (h[0][1] + h[1][0]), h[1][1]);
    let mean = 0.5 * (a + d);
    let r = (0.25 * (a - d) * (a - d) + b * b).sqrt();
    let (l0, l1) = (mean - r, mean + r);
    let vector = |l: f64| {
        let v = if b.abs() > 1e-300 {
            [b, l - a]
        } else if (a - l).abs() <= (d - l).abs() {
            [1.0, 0.0]
        } else {
            [0.0, 1.0]
        };
        let n = (v[0] * v[0] + v[1] * v[1]).sqrt();
        [v[0] / n, v[1] / n]
    };
    let v0 = vector(l0);
    // The second orthogonal to the first (exact for a symmetric matrix, also when l0 = l1).
    ([l0, l1], [v0, [-v0[1], v0[0]]])
}

pub(crate) fn quad(h: [[f64; 2]; 2], v: [f64; 2]) -> f64 {
    v[0] * (h[0][0] * v[0] + h[0][1] * v[1]) + v[1] * (h[1][0] * v[0] + h[1][1] * v[1])
}

/// Newton starts per side of the view box.
const STARTS: usize = 24;
/// Draws of the random product that estimates a Lyapunov exponent, in batches for its error.
const LYAPUNOV_STEPS: usize = 40_000;
const LYAPUNOV_BATCHES: usize = 20;

/// The stationary points of a 2-D typed landscape in the box: Newton's method on ∇L = 0 from a
/// 24 × 24 grid of starts, the roots inside the box kept once (within 10⁻⁶ of its size). A root
/// where L's Hessian has a null direction along which ∇L stays 0 is a point of a curve of
/// stationary points (the toy network's line w1 = 0, its valley w2 w1² = ½): it is kept as such,
/// with the exponent across the curve.
pub fn points_2d(
    c: &Custom,
    law: &XLaw,
    (a, b, lambda): (f64, f64, f64),
    bx: ((f64, f64), (f64, f64)),
) -> Vec<StationaryPoint> {
    let ((x0, x1), (y0, y1)) = bx;
    if !(x1 > x0 && y1 > y0 && [x0, x1, y0, y1].iter().all(|v| v.is_finite())) {
        return Vec::new();
    }
    let grad = |w: [f64; 2]| {
        let g0 = law.expect(|x| c.grad_at(w, x, a, b)[0]);
        let g1 = law.expect(|x| c.grad_at(w, x, a, b)[1]);
        [g0, g1]
    };
    let hess = |w: [f64; 2]| {
        let mut h = [[0.0; 2]; 2];
        for (i, row) in h.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = law.expect(|x| c.hess_at(w, x, a, b)[i][j]);
            }
        }
        h
    };
    let size = (x1 - x0).max(y1 - y0);
    let inside = |w: [f64; 2]| {
        let m = 1e-9 * size;
        w[0] >= x0 - m && w[0] <= x1 + m && w[1] >= y0 - m && w[1] <= y1 + m
    };
    let mut roots: Vec<[f64; 2]> = Vec::new();
    for i in 0..STARTS {
        for j in 0..STARTS {
            let mut w = [
                x0 + (x1 - x0) * (i as f64 + 0.5) / STARTS as f64,
                y0 + (y1 - y0) * (j as f64 + 0.5) / STARTS as f64,
            ];
            let mut found = false;
            for _ in 0..100 {
                let g = grad(w);
                let h = hess(w);
                let scale = 1.0 + h[0][0].abs() + h[1][1].abs();
                if g[0].abs() + g[1].abs() <= 1e-11 * scale {
                    found = true;
                    break;
                }
                let det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
                let step = if det.abs() > 1e-12 * scale * scale {
                    [
                        (h[1][1] * g[0] - h[0][1] * g[1]) / det,
                        (h[0][0] * g[1] - h[1][0] * g[0]) / det,
                    ]
                } else {
                    // A singular Hessian (on a curve of stationary points): a gradient step of
                    // the curvature's scale.
                    [g[0] / scale, g[1] / scale]
                };
                // A step no longer than a quarter of the box (Newton overshoots where the
                // Hessian is nearly singular).
                let len = step[0].hypot(step[1]);
                let cap = if len > 0.25 * size {
                    0.25 * size / len
                } else {
                    1.0
                };
                w = [w[0] - cap * step[0], w[1] - cap * step[1]];
                if !(w[0].is_finite() && w[1].is_finite() && inside(w)) {
                    break;
                }
            }
            if found
                && inside(w)
                && !roots
                    .iter()
                    .any(|r| (r[0] - w[0]).abs() + (r[1] - w[1]).abs() < 1e-6 * size)
            {
                roots.push(w);
            }
        }
    }
    // Newton drifts along a curve whose gradient vanishes to second order across it (the toy
    // network's line w1 = 0): scan each grid row for sign changes of ∂L/∂w1 and each column
    // for those of ∂L/∂w2, bisect, and keep the roots where the whole gradient vanishes.
    for j in 0..STARTS {
        for k in 0..2 {
            let line = |t: f64| {
                let along = if k == 0 {
                    x0 + (x1 - x0) * t
                } else {
                    y0 + (y1 - y0) * t
                };
                let fixed = if k == 0 {
                    y0 + (y1 - y0) * (j as f64 + 0.5) / STARTS as f64
                } else {
                    x0 + (x1 - x0) * (j as f64 + 0.5) / STARTS as f64
                };
                if k == 0 {
                    [along, fixed]
                } else {
                    [fixed, along]
                }
            };
            let n = 400;
            let f = |t: f64| grad(line(t))[k];
            let mut prev = f(0.0);
            for i in 1..=n {
                let t = i as f64 / n as f64;
                let cur = f(t);
                if prev.is_finite() && cur.is_finite() && (prev < 0.0) != (cur < 0.0) {
                    let (mut lo, mut hi) = ((i - 1) as f64 / n as f64, t);
                    let below = prev < 0.0;
                    for _ in 0..60 {
                        let mid = 0.5 * (lo + hi);
                        if (f(mid) < 0.0) == below {
                            lo = mid;
                        } else {
                            hi = mid;
                        }
                    }
                    let w = line(0.5 * (lo + hi));
                    let (g, h) = (grad(w), hess(w));
                    let scale = 1.0 + h[0][0].abs() + h[1][1].abs();
                    if g[0].abs() + g[1].abs() <= 1e-9 * scale {
                        roots.push(w);
                    }
                }
                prev = cur;
            }
        }
    }
    roots.sort_by(|p, q| p[0].total_cmp(&q[0]).then(p[1].total_cmp(&q[1])));
    let curve = |w: [f64; 2]| curve_at(&grad, &hess, w, size, &inside);
    // Newton lands anywhere on a curve: its points are kept an eighth of the box apart.
    let mut kept: Vec<[f64; 2]> = Vec::new();
    for w in roots {
        // A degenerate root (a null direction) is known only roughly: kept apart as well.
        let (on, null, ..) = curve(w);
        let apart = if on || null.is_some() {
            size / 8.0
        } else {
            1e-6 * size
        };
        if !kept
            .iter()
            .any(|r| (r[0] - w[0]).abs().max((r[1] - w[1]).abs()) < apart)
        {
            kept.push(w);
        }
    }
    kept.into_iter()
        .map(|w| {
            let (on_curve, null, ev, vecs) = curve(w);
            let kind = match (ev[0] > 0.0, ev[1] > 0.0, ev[0] < 0.0, ev[1] < 0.0) {
                _ if null.is_some() && !on_curve => Kind::Degenerate,
                _ if on_curve => {
                    // The curve's kind is its curvature across.
                    let across = ev[1 - null.unwrap_or(0)];
                    if across > 0.0 {
                        Kind::Minimum
                    } else if across < 0.0 {
                        Kind::Saddle
                    } else {
                        Kind::Degenerate
                    }
                }
                (true, true, _, _) => Kind::Minimum,
                (_, _, true, true) => Kind::Maximum,
                _ if ev[0] < 0.0 && ev[1] > 0.0 => Kind::Saddle,
                _ => Kind::Degenerate,
            };
            let fixed = law.support().into_iter().all(|x| {
                let g = c.grad_at(w, x, a, b);
                let h = c.hess_at(w, x, a, b);
                let s = 1.0 + h[0][0].abs() + h[1][1].abs();
                g[0].abs() + g[1].abs() <= 1e-9 * s
            });
            let (mu, mu_se) = if fixed {
                let across = on_curve.then(|| vecs[1 - null.unwrap_or(0)]);
                let (m, se) = lyapunov(c, law, (a, b, lambda), w, across, LYAPUNOV_STEPS);
                (Some(m), se)
            } else {
                (None, None)
            };
            StationaryPoint {
                w,
                kind,
                sgd_fixed_point: fixed,
                mu,
                mu_se,
                on_curve,
            }
        })
        .collect()
}

/// What L's Hessian says at a stationary point `w` of a 2-D landscape: whether `w` lies on a
/// curve of stationary points (a null direction of the Hessian along which ∇L stays 0, either
/// way), the null direction (along the curve where there is one), the eigenvalues and the
/// eigenvectors.
#[allow(clippy::type_complexity)]
pub(crate) fn curve_at(
    grad: &dyn Fn([f64; 2]) -> [f64; 2],
    hess: &dyn Fn([f64; 2]) -> [[f64; 2]; 2],
    w: [f64; 2],
    size: f64,
    inside: &dyn Fn([f64; 2]) -> bool,
) -> (bool, Option<usize>, [f64; 2], [[f64; 2]; 2]) {
    let (ev, vecs) = eigen(hess(w));
    let scale = 1.0 + ev[0].abs() + ev[1].abs();
    let nulls: Vec<usize> = (0..2).filter(|&k| ev[k].abs() <= 1e-8 * scale).collect();
    // A step along the null direction, then Newton across it (along the other eigenvector)
    // back onto ∇L = 0: a curve lets it land; an isolated degenerate point does not.
    let on_along = |k: usize| {
        let (v, u) = (vecs[k], vecs[1 - k]);
        [1.0, -1.0].iter().any(|sgn| {
            let d = sgn * 1e-3 * size;
            let mut p = [w[0] + d * v[0], w[1] + d * v[1]];
            for _ in 0..30 {
                let (g, h) = (grad(p), hess(p));
                let (gu, huu) = (g[0] * u[0] + g[1] * u[1], quad(h, u));
                if huu.abs() <= 1e-12 * scale {
                    break;
                }
                p = [p[0] - gu / huu * u[0], p[1] - gu / huu * u[1]];
            }
            let g = grad(p);
            inside(p) && g[0].abs() + g[1].abs() <= 1e-9 * scale
        })
    };
    // The null direction along which the curve runs (either, where the Hessian is 0).
    let along = nulls.iter().copied().find(|&k| on_along(k));
    let null = along.or(nulls.first().copied());
    (along.is_some(), null, ev, vecs)
}

/// The top Lyapunov exponent of the random product of I − λH(w*; x): exact where the H(x)
/// commute (a common eigenbasis: the larger of E ln|1 − λ vₖᵀH(x)vₖ|), else estimated from
/// `steps` draws in 20 batches (seeded: the same draws at every λ), with the batches' standard
/// error. `across`: a unit vector across a curve of stationary points, whose exponent is the one
/// that decides (along the curve the factor is 1).
pub(crate) fn lyapunov(
    c: &Custom,
    law: &XLaw,
    (a, b, lambda): (f64, f64, f64),
    w: [f64; 2],
    across: Option<[f64; 2]>,
    steps: usize,
) -> (f64, Option<f64>) {
    let h = |x: f64| c.hess_at(w, x, a, b);
    let support = law.support();
    let commute = support.iter().all(|&p| {
        support.iter().all(|&q| {
            let (hp, hq) = (h(p), h(q));
            let ab = hp[0][0] * hq[0][1] + hp[0][1] * hq[1][1];
            let ba = hq[0][0] * hp[0][1] + hq[0][1] * hp[1][1];
            let s = 1.0 + hp[0][0].abs() + hp[1][1].abs() + hq[0][0].abs() + hq[1][1].abs();
            (ab - ba).abs() <= 1e-12 * s * s
        })
    });
    if commute {
        // A common eigenbasis: the eigenvectors of the H with the most separated eigenvalues.
        let basis = support
            .iter()
            .map(|&x| eigen(h(x)))
            .max_by(|p, q| (p.0[1] - p.0[0]).total_cmp(&(q.0[1] - q.0[0])))
            .map(|e| e.1)
            .unwrap_or([[1.0, 0.0], [0.0, 1.0]]);
        let exponent = |v: [f64; 2]| law.mean_log(lambda, |x| quad(h(x), v));
        return match across {
            Some(v) => (exponent(v), None),
            None => (exponent(basis[0]).max(exponent(basis[1])), None),
        };
    }
    // The random product, renormalised each step; the vector starts across the curve if any.
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(2022);
    let draw = |rng: &mut rand_xoshiro::Xoshiro256PlusPlus| -> f64 {
        match *law {
            XLaw::Points(ref p) => {
                let u: f64 = rng.random();
                let mut acc = 0.0;
                for &(v, wt) in p {
                    acc += wt;
                    if u < acc {
                        return v;
                    }
                }
                p.last().map_or(0.0, |p| p.0)
            }
            XLaw::Gaussian { mean, sd } => {
                let (u1, u2): (f64, f64) = (rng.random(), rng.random());
                mean + sd * (-2.0 * (1.0 - u1).ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
            }
            XLaw::Uniform { lo, hi } => lo + (hi - lo) * rng.random::<f64>(),
        }
    };
    let mut v = across.unwrap_or([std::f64::consts::FRAC_1_SQRT_2; 2]);
    let per = (steps / LYAPUNOV_BATCHES).max(1);
    let mut batches = Vec::with_capacity(LYAPUNOV_BATCHES);
    for _ in 0..LYAPUNOV_BATCHES {
        let mut sum = 0.0;
        for _ in 0..per {
            let m = h(draw(&mut rng));
            let nv = [
                v[0] - lambda * (m[0][0] * v[0] + m[0][1] * v[1]),
                v[1] - lambda * (m[1][0] * v[0] + m[1][1] * v[1]),
            ];
            let n = (nv[0] * nv[0] + nv[1] * nv[1]).sqrt();
            if !(n > 0.0 && n.is_finite()) {
                return (f64::NEG_INFINITY, None);
            }
            sum += n.ln();
            v = [nv[0] / n, nv[1] / n];
        }
        batches.push(sum / per as f64);
    }
    let k = batches.len() as f64;
    let mean = batches.iter().sum::<f64>() / k;
    let var = batches.iter().map(|b| (b - mean) * (b - mean)).sum::<f64>() / (k - 1.0);
    (mean, Some((var / k).sqrt()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quadrature_nodes_integrate_polynomials_exactly() {
        // E z^k of the standard normal: 1, 0, 1, 0, 3, 0, 15, 0, 105; of U[−1, 1]: 1/(k + 1)
        // for even k. Twelve nodes are exact up to degree 23.
        for n in [1, 2, 5, 12, 20] {
            let g = XLaw::Gaussian { mean: 0.0, sd: 1.0 }.nodes(n);
            let u = XLaw::Uniform { lo: -1.0, hi: 1.0 }.nodes(n);
            assert_eq!((g.len(), u.len()), (n, n));
            let normal = [1.0, 0.0, 1.0, 0.0, 3.0, 0.0, 15.0, 0.0, 105.0];
            for (k, want) in normal.iter().enumerate().filter(|(k, _)| *k < 2 * n) {
                let got: f64 = g.iter().map(|&(z, w)| w * z.powi(k as i32)).sum();
                assert!(
                    (got - want).abs() <= 1e-12 * (1.0 + want),
                    "n {n}, k {k}: {got}"
                );
                let want_u = if k % 2 == 0 {
                    1.0 / (k as f64 + 1.0)
                } else {
                    0.0
                };
                let got_u: f64 = u.iter().map(|&(t, w)| w * t.powi(k as i32)).sum();
                assert!((got_u - want_u).abs() <= 1e-13, "n {n}, k {k}: {got_u}");
            }
        }
        // Shifted and scaled: E x² = m² + s².
        let g = XLaw::Gaussian { mean: 0.5, sd: 2.0 }.nodes(12);
        let m2: f64 = g.iter().map(|&(x, w)| w * x * x).sum();
        assert!((m2 - 4.25).abs() <= 1e-12);
    }
}
