//! The paper's theory for any typed landscape (README, "Your own landscape"): the stationary
//! points of L(w) = E_x ℓ(w; x) in the view box, what kind each is, whether SGD can settle
//! there at all (every sample's gradient vanishes), and its stability exponent at λ — in 1-D
//! μ = E ln|1 − λ ℓ″(w*; x)| (Prop. 2 with h = ℓ″), in 2-D the top Lyapunov exponent of the
//! random product of (I − λ H(w*; x)).

use serde::Serialize;

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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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
fn vanishes(law: &XLaw, g: impl Fn(f64) -> f64, h: impl Fn(f64) -> f64) -> bool {
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
