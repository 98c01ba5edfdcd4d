//! The theory curves the app draws over the simulations (SPEC.md §4), and the stationary points
//! of the 2-D landscapes (SPEC.md §1).
//!
//! Everything here is a closed form or a short deterministic sum; singular inputs (λ = 1, λ = 2,
//! a = 1, a = 0) give ±∞ or `None` rather than NaN, and callers display those as such.

use super::landscape::Landscape;
use super::noise::NoiseLaw;
use super::quadrature::{log_moments_gaussian, log_moments_uniform};

mod mu_zero;
pub use mu_zero::*;

/// ln|u| with ln 0 = −∞ (never NaN for finite u).
fn ln_abs(u: f64) -> f64 {
    u.abs().ln()
}

/// μ(a, λ) = E ln|1 − λx| = ½ ln|(1 − λ)(1 − λ(a − 1))| for the two-point law (Prop. 2).
pub fn mu_two_point(a: f64, lambda: f64) -> f64 {
    0.5 * (ln_abs(1.0 - lambda) + ln_abs(1.0 - lambda * (a - 1.0)))
}

/// The first two moments of ln|1 − λx| for the quadratic under `noise`: (μ, s²) with
/// μ = E ln|1 − λx| (Prop. 2) and s² = Var ln|1 − λx| (Lemma 1).
///
/// For the two-point law at λ = 1 or λ = 1/(a − 1), μ = −∞ and s² = +∞: one draw of that value
/// sends w to exactly 0.
pub fn log_factor_moments(noise: &NoiseLaw, a: f64, lambda: f64) -> (f64, f64) {
    let mean_x = Landscape::Quadratic.noise_mean(a);
    match *noise {
        NoiseLaw::TwoPoint => {
            let l1 = ln_abs(1.0 - lambda);
            let l2 = ln_abs(1.0 - lambda * (a - 1.0));
            let mu = 0.5 * (l1 + l2);
            if !mu.is_finite() {
                return (mu, f64::INFINITY);
            }
            let half = 0.5 * (l1 - l2);
            (mu, half * half)
        }
        NoiseLaw::Gaussian { std } => {
            let (m1, m2) = log_moments_gaussian(1.0 - lambda * mean_x, lambda * std);
            (m1, (m2 - m1 * m1).max(0.0))
        }
        NoiseLaw::Uniform { half_width } => {
            let lo = 1.0 - lambda * (mean_x + half_width);
            let hi = 1.0 - lambda * (mean_x - half_width);
            let (m1, m2) = log_moments_uniform(lo.min(hi), lo.max(hi));
            (m1, (m2 - m1 * m1).max(0.0))
        }
        // Exact sums over the values.
        NoiseLaw::Discrete { values } => {
            let mu = values.expect(|v| ln_abs(1.0 - lambda * v));
            if !mu.is_finite() {
                return (mu, f64::INFINITY);
            }
            (
                mu,
                values.expect(|v| (ln_abs(1.0 - lambda * v) - mu).powi(2)),
            )
        }
    }
}

/// App. B.4: the continuous-time (Fokker–Planck) picture escapes iff λ < −S a; this returns the
/// critical λ = −S a (the red dashed line of Fig. 9).
pub fn continuous_time_critical_lambda(a: f64, batch_size: f64) -> f64 {
    -batch_size * a
}

/// Eq. 38 (unnormalised): the continuous-time stationary density P(w) ∝ |w|^(−2 − S a/λ)
/// exp(−S b w²/λ); b = 0 for the quadratic.
pub fn continuous_time_density(w: f64, a: f64, b: f64, lambda: f64, batch_size: f64) -> f64 {
    w.abs().powf(-2.0 - batch_size * a / lambda) * (-batch_size * b * w * w / lambda).exp()
}

/// Prop. 3: for a < 0 the escape rate μ(a, λ) over λ < 1 peaks at λ* = a / (2(a − 1)).
pub fn optimal_lambda(a: f64) -> Option<f64> {
    (a < 0.0).then(|| a / (2.0 * (a - 1.0)))
}

/// Prop. 3: the optimal escape rate γ* = ln((2 − a) / (2 sqrt(1 − a))) → 0 as a → 0⁻.
pub fn optimal_rate(a: f64) -> Option<f64> {
    (a < 0.0).then(|| ((2.0 - a) / (2.0 * (1.0 - a).sqrt())).ln())
}

/// The mean and variance of the per-step sample x of the quadratic under `noise`:
/// (a/2, (2 − a)²/4) for the two-point law x ∈ {1, a − 1}, (a/2, std²) for the Gaussian,
/// (a/2, h²/3) for the uniform law of half-width h.
pub fn noise_moments(noise: &NoiseLaw, a: f64) -> (f64, f64) {
    let mean = Landscape::Quadratic.noise_mean(a);
    let var = match *noise {
        NoiseLaw::TwoPoint => 0.25 * (2.0 - a) * (2.0 - a),
        NoiseLaw::Gaussian { std } => std * std,
        NoiseLaw::Uniform { half_width } => half_width * half_width / 3.0,
        NoiseLaw::Discrete { values } => return (values.mean(), values.variance()),
    };
    (mean, var)
}

/// App. B.4 for a noise law of mean m and variance σ² (batch size S): the Itô equation
/// dw = −λ m w dt + λ σ w dW/√S has the stationary Fokker–Planck law
/// P(w) ∝ |w|^(−2 − 2 S m/(λ σ²)), which escapes (no mass concentrates at 0) iff
/// −2 S m/(λ σ²) > 1, i.e. iff λ < λ_c = −2 S m/σ². Returns λ_c: `None` where the picture
/// has no critical rate — m ≥ 0 (trapped at every λ) or σ² = 0 (no noise: plain gradient flow).
/// The paper's line λ = −S a is this with σ² = 1 (the two-point law's (2 − a)²/4 at a = 0).
pub fn continuous_time_critical_lambda_of(
    noise: &NoiseLaw,
    a: f64,
    batch_size: f64,
) -> Option<f64> {
    let (m, var) = noise_moments(noise, a);
    (m < 0.0 && var > 0.0 && var.is_finite()).then(|| -2.0 * batch_size * m / var)
}

/// How μ(a, λ) = E ln|1 − λx| of one noise law behaves over λ ∈ (0, λ_max] at one a: where it
/// changes sign, where it is negative (Prop. 2: trapped), and its first local maximum (Prop. 3's
/// optimal escape, generalised to any law).
#[derive(Clone, Debug, PartialEq)]
pub struct MuProfile {
    /// The λ where μ changes sign, increasing.
    pub zeros: Vec<f64>,
    /// The λ-intervals where μ < 0.
    pub negative: Vec<(f64, f64)>,
    /// The first local maximum of μ(λ) for λ > 0: (λ*, γ* = μ(λ*)). For the two-point law and
    /// a < 0 it is Prop. 3's λ* = a/(2(a − 1)), γ* = ln((2 − a)/(2√(1 − a))).
    pub first_max: Option<(f64, f64)>,
}

/// Samples of λ in (0, λ_max] that [`mu_profile`] scans: sign changes and maxima are then
/// refined to 10⁻¹² relative.
const PROFILE_SAMPLES: usize = 2000;

/// μ's zeros, negative intervals and first maximum over (0, `lambda_max`] for `noise` at `a`.
/// The two-point law's zeros are Eq. 5's closed form; every other number is found from μ
/// sampled on [`PROFILE_SAMPLES`] points, a sign change refined by bisection, a maximum by
/// golden-section search.
pub fn mu_profile(noise: &NoiseLaw, a: f64, lambda_max: f64) -> MuProfile {
    let empty = MuProfile {
        zeros: Vec::new(),
        negative: Vec::new(),
        first_max: None,
    };
    if !(lambda_max.is_finite() && lambda_max > 0.0 && a.is_finite()) {
        return empty;
    }
    let mu = |l: f64| log_factor_moments(noise, a, l).0;
    let n = PROFILE_SAMPLES;
    let lam: Vec<f64> = (1..=n).map(|k| lambda_max * k as f64 / n as f64).collect();
    let vals: Vec<f64> = lam.iter().map(|&l| mu(l)).collect();
    let zeros = if *noise == NoiseLaw::TwoPoint {
        let mut r: Vec<f64> = mu_zero_lambdas(a)
            .into_iter()
            .filter(|&l| l > 0.0 && l <= lambda_max)
            .collect();
        r.sort_by(f64::total_cmp);
        r
    } else {
        let mut roots = Vec::new();
        for k in 1..n {
            let (m0, m1) = (vals[k - 1], vals[k]);
            if m0.is_finite() && m1.is_finite() && (m0 < 0.0) != (m1 < 0.0) {
                let (mut lo, mut hi) = (lam[k - 1], lam[k]);
                let below = m0 < 0.0;
                while hi - lo > 1e-12 * hi {
                    let mid = 0.5 * (lo + hi);
                    if (mu(mid) < 0.0) == below {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                roots.push(0.5 * (lo + hi));
            }
        }
        roots
    };
    let mut cuts = vec![0.0];
    cuts.extend(zeros.iter().copied().filter(|&r| r < lambda_max));
    cuts.push(lambda_max);
    let negative = cuts
        .windows(2)
        .filter(|w| w[1] > w[0] && mu(0.5 * (w[0] + w[1])) < 0.0)
        .map(|w| (w[0], w[1]))
        .collect();
    // Prop. 3's closed form where it holds (exact; a search locates a flat maximum only to
    // √ε); otherwise the first sample above both neighbours (μ near λ = 0 is ≈ −λ E[x], a slope, never a
    // maximum); then golden-section search on the bracket around it.
    let prop3 = (*noise == NoiseLaw::TwoPoint)
        .then(|| optimal_lambda(a).zip(optimal_rate(a)))
        .flatten()
        .filter(|m| m.0 <= lambda_max);
    let first_max = prop3.or_else(|| {
        (1..n - 1)
            .find(|&k| vals[k].is_finite() && vals[k] > vals[k - 1] && vals[k] >= vals[k + 1])
            .map(|k| {
                let (mut lo, mut hi) = (lam[k - 1], lam[k + 1]);
                let g = 0.5 * (5f64.sqrt() - 1.0);
                let (mut x1, mut x2) = (hi - g * (hi - lo), lo + g * (hi - lo));
                let (mut f1, mut f2) = (mu(x1), mu(x2));
                while hi - lo > 1e-12 * hi {
                    if f1 < f2 {
                        lo = x1;
                        (x1, f1) = (x2, f2);
                        x2 = lo + g * (hi - lo);
                        f2 = mu(x2);
                    } else {
                        hi = x2;
                        (x2, f2) = (x1, f1);
                        x1 = hi - g * (hi - lo);
                        f1 = mu(x1);
                    }
                }
                let l = 0.5 * (lo + hi);
                (l, mu(l))
            })
    });
    MuProfile {
        zeros,
        negative,
        first_max,
    }
}

/// The initial law of |w_0| for the 1-D theory curves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum InitMagnitude {
    /// |w_0| uniform on [0, r] (w_0 ~ U[−r, r]).
    Uniform { radius: f64 },
    /// |w_0| = r exactly.
    Point { radius: f64 },
}

/// The Binomial(t, ½) law of the number of draws of x = 1 in t steps: its probabilities, kept
/// only over the range of k where they exceed 10⁻²⁰ of the largest (the rest add up to less than
/// (t + 1)·10⁻²⁰, far below f64's resolution of an answer in [0, 1]). Built once per t and
/// shared by every cell of a map.
#[derive(Clone, Debug)]
pub struct BinomialHalf {
    t: u64,
    /// First k kept.
    k0: u64,
    /// P(K = k) for k = k0, k0 + 1, …
    pmf: Vec<f64>,
}

impl BinomialHalf {
    pub fn new(t: u64) -> BinomialHalf {
        // ln P(K = k) − ln P(K = t/2) by the ratio recurrence P(k + 1)/P(k) = (t − k)/(k + 1)
        // outwards from the mode, then normalised: no large factorials, and the kept
        // probabilities sum to 1 to rounding.
        let mode = t / 2;
        let cut = (1e-20f64).ln();
        let mut up = vec![0.0f64];
        let mut k = mode;
        while k < t {
            let next = up.last().unwrap() + ((t - k) as f64 / (k + 1) as f64).ln();
            if next < cut {
                break;
            }
            up.push(next);
            k += 1;
        }
        let mut down = Vec::new();
        let (mut k, mut r) = (mode, 0.0f64);
        while k > 0 {
            r += (k as f64 / (t - k + 1) as f64).ln();
            if r < cut {
                break;
            }
            down.push(r);
            k -= 1;
        }
        let k0 = mode - down.len() as u64;
        let mut pmf: Vec<f64> = down.iter().rev().chain(&up).map(|r| r.exp()).collect();
        let sum: f64 = pmf.iter().sum();
        for p in &mut pmf {
            *p /= sum;
        }
        BinomialHalf { t, k0, pmf }
    }

    pub fn steps(&self) -> u64 {
        self.t
    }
}

/// The exact finite-t fraction of quadratic walkers with |w_t| < θ under the two-point law.
///
/// With k ~ Binomial(t, ½) draws of x = 1, ln|w_t/w_0| = k ln|1 − λ| + (t − k) ln|1 − λ(a − 1)|
/// (SPEC.md §4), so P(|w_t| < θ) = Σ_k C(t, k) 2^−t · P(|w_0| < θ e^{−L_k}). O(t) work.
pub fn fraction_below_exact(a: f64, lambda: f64, t: u64, theta: f64, init: InitMagnitude) -> f64 {
    fraction_below_exact_with(&BinomialHalf::new(t), a, lambda, theta, init)
}

/// [`fraction_below_exact`] with the binomial law of its t given, for maps of many cells.
pub fn fraction_below_exact_with(
    law: &BinomialHalf,
    a: f64,
    lambda: f64,
    theta: f64,
    init: InitMagnitude,
) -> f64 {
    let t = law.t;
    let l1 = ln_abs(1.0 - lambda);
    let l2 = ln_abs(1.0 - lambda * (a - 1.0));
    let ln_theta = theta.ln();
    let tf = t as f64;
    let mut total = 0.0;
    for (i, &weight) in law.pmf.iter().enumerate() {
        let k = law.k0 + i as u64;
        let kf = k as f64;
        // 0 · (−∞) means "no draw of that value": it contributes nothing.
        let part1 = if k == 0 { 0.0 } else { kf * l1 };
        let part2 = if k == t { 0.0 } else { (tf - kf) * l2 };
        let log_growth = part1 + part2;
        let p_init = match init {
            InitMagnitude::Uniform { radius } => {
                // P(|w0| < θ e^{−L}) for |w0| ~ U[0, r].
                let e = ln_theta - log_growth - radius.ln();
                if e >= 0.0 { 1.0 } else { e.exp() }
            }
            InitMagnitude::Point { radius } => {
                if radius.ln() + log_growth < ln_theta {
                    1.0
                } else {
                    0.0
                }
            }
        };
        total += weight * p_init;
    }
    total.clamp(0.0, 1.0)
}

/// Lemma 1's normal approximation ln|w_t/w_0| ≈ N(tμ, t s²) for any noise law: the fraction of
/// walkers with |w_t| < θ.
pub fn fraction_below_normal(mu: f64, s2: f64, t: u64, theta: f64, init: InitMagnitude) -> f64 {
    let tf = t as f64;
    let below_given = |ln_w0: f64| -> f64 {
        let target = theta.ln() - ln_w0; // need ln|w_t/w_0| < target
        if t == 0 || s2 == 0.0 || !s2.is_finite() || !mu.is_finite() {
            let mean = if t == 0 { 0.0 } else { tf * mu };
            return if mean < target { 1.0 } else { 0.0 };
        }
        normal_cdf((target - tf * mu) / (tf * s2).sqrt())
    };
    match init {
        InitMagnitude::Point { radius } => below_given(radius.ln()),
        InitMagnitude::Uniform { radius } => {
            // Midpoint rule over |w0| = r·u, u ∈ (0, 1); the integrand is bounded and monotone.
            let n = 400;
            (0..n)
                .map(|i| below_given((radius * (i as f64 + 0.5) / n as f64).ln()))
                .sum::<f64>()
                / n as f64
        }
    }
}

/// Standard normal CDF via erfc (W. H. Press et al.'s Chebyshev fit, relative error < 1.2e-7).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Prop. 4 (Eq. 80–83, with b = 1/λ − 6 and |w| ≤ 1): w1 → 0 when
/// 16 λ max(|1 − 2λ|, |1 − 10λ|) < 1.
pub fn prop4_condition(lambda: f64) -> bool {
    16.0 * lambda * (1.0 - 2.0 * lambda).abs().max((1.0 - 10.0 * lambda).abs()) < 1.0
}

/// The largest λ for which Prop. 4's condition holds: (2 − √2)/8 ≈ 0.0732 (the paper's Eq. 84,
/// (1 + √6)/20, is a slip; SPEC.md §4).
pub fn prop4_lambda_max() -> f64 {
    (2.0 - std::f64::consts::SQRT_2) / 8.0
}

/// Prop. 4's choice of the noise scale: b = 1/λ − 6.
pub fn prop4_b(lambda: f64) -> f64 {
    1.0 / lambda - 6.0
}

/// What kind of stationary point a marked point is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointKind {
    FlatMinimum,
    SharpMinimum,
    Maximum,
    Saddle,
}

/// A stationary point of an averaged loss with its Hessian [[h11, h12], [h12, h22]].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StationaryPoint {
    pub w: [f64; 2],
    pub kind: PointKind,
    pub loss: f64,
    pub hessian: [[f64; 2]; 2],
}

impl StationaryPoint {
    pub fn trace(&self) -> f64 {
        self.hessian[0][0] + self.hessian[1][1]
    }
}

/// Hessian of the averaged Eq. 6 landscape (E[x] = 0, so b drops out), Eq. 7.
pub fn sharp_minima_hessian(w: [f64; 2], a: f64) -> [[f64; 2]; 2] {
    let r = 12.0 * (w[0] * w[0] + w[1] * w[1]);
    let h12 = 24.0 * w[0] * w[1];
    [[-2.0 + r, h12], [h12, -2.0 - 2.0 * a + r]]
}

/// The minima of the averaged Eq. 6 landscape: flat at (±1/√2, 0) with Hessian diag (4, 4 − 2a),
/// and for a > 0 sharp at (0, ±sqrt((1 + a)/2)) with diag (4 + 6a, 4 + 4a). The origin is a
/// maximum. (For a ≤ 0 the "sharp" points are not deeper; they are listed only for a > −1.)
pub fn sharp_minima_points(a: f64) -> Vec<StationaryPoint> {
    let l = |w: [f64; 2]| {
        let d = w[0] - w[1];
        let s = w[0] + w[1];
        0.5 * (-d * d - s * s + d.powi(4) + s.powi(4) - 2.0 * a * w[1] * w[1])
    };
    let mut pts = Vec::new();
    let f = std::f64::consts::FRAC_1_SQRT_2;
    for w in [[f, 0.0], [-f, 0.0]] {
        pts.push(StationaryPoint {
            w,
            kind: PointKind::FlatMinimum,
            loss: l(w),
            hessian: sharp_minima_hessian(w, a),
        });
    }
    if a > -1.0 {
        let y = ((1.0 + a) / 2.0).sqrt();
        for w in [[0.0, y], [0.0, -y]] {
            pts.push(StationaryPoint {
                w,
                kind: PointKind::SharpMinimum,
                loss: l(w),
                hessian: sharp_minima_hessian(w, a),
            });
        }
    }
    let o = [0.0, 0.0];
    pts.push(StationaryPoint {
        w: o,
        kind: PointKind::Maximum,
        loss: 0.0,
        hessian: sharp_minima_hessian(o, a),
    });
    pts
}

/// The toy network's minimum loss on the valley w2 w1² = ½ (Sec. 6.3).
pub const TOY_NETWORK_MIN_LOSS: f64 = 2.25;
/// The toy network's loss on the saddle line {w1 = 0, w2 ≥ 0}.
pub const TOY_NETWORK_SADDLE_LOSS: f64 = 2.5;

/// Hessian of the toy network's averaged loss L = ½(p + 1)² + ½(p − 2)², p = w2 w1²:
/// H = 2 ∇p ∇pᵀ + (2p − 1) ∇²p.
pub fn toy_network_hessian(w: [f64; 2]) -> [[f64; 2]; 2] {
    let (w1, w2) = (w[0], w[1]);
    let p = w2 * w1 * w1;
    let dp = [2.0 * w1 * w2, w1 * w1];
    let c = 2.0 * p - 1.0;
    [
        [
            2.0 * dp[0] * dp[0] + c * 2.0 * w2,
            2.0 * dp[0] * dp[1] + c * 2.0 * w1,
        ],
        [2.0 * dp[0] * dp[1] + c * 2.0 * w1, 2.0 * dp[1] * dp[1]],
    ]
}

#[cfg(test)]
mod tests {

    #[test]
    fn binomial_half_is_a_law() {
        let b = BinomialHalf::new(10);
        assert_eq!(b.k0, 0);
        assert!((b.pmf[5] - 252.0 / 1024.0).abs() < 1e-13);
        assert!((b.pmf[0] - 1.0 / 1024.0).abs() < 1e-15);
        for t in [1, 7, 1000, 100_000] {
            let b = BinomialHalf::new(t);
            let sum: f64 = b.pmf.iter().sum();
            assert!((sum - 1.0).abs() < 1e-12, "t={t}: {sum}");
        }
        // At t = 1000 the kept range is a window around 500, far from the tails.
        let b = BinomialHalf::new(1000);
        assert!(b.k0 > 300 && b.k0 < 500, "{}", b.k0);
    }

    use super::*;
    use crate::model::landscape::LandscapeParams;

    #[test]
    fn eq5_at_a_minus_one() {
        let (lo, hi) = eq5_interval(-1.0).unwrap();
        assert!((lo - 0.5).abs() < 1e-15);
        // (1 + sqrt(17)) / 4
        assert!((hi - (1.0 + 17f64.sqrt()) / 4.0).abs() < 1e-15);
        assert!((hi - 1.2808).abs() < 1e-4);
    }

    #[test]
    fn mu_zero_contour_agrees_with_eq5() {
        for i in 0..200 {
            let a = -3.0 + 3.99 * i as f64 / 199.0; // a ∈ [−3, 0.99]
            let (lo, hi) = eq5_interval(a).unwrap();
            let roots = mu_zero_lambdas(a);
            for end in [lo, hi].into_iter().filter(|r| *r > 0.0) {
                assert!(
                    roots.iter().any(|r| (r - end).abs() < 1e-12),
                    "a={a}: {end} not in {roots:?}"
                );
                assert!(mu_two_point(a, end).abs() < 1e-12);
            }
            // Inside the interval μ < 0, just outside μ > 0.
            let mid = 0.5 * (lo.max(0.0) + hi);
            assert!(mu_two_point(a, mid) < 0.0);
            assert!(mu_two_point(a, hi + 1e-6) > 0.0);
        }
        // a = 1: Eq. 5 is 0/0 but the contour is at λ = 2.
        assert_eq!(mu_zero_lambdas(1.0), vec![2.0]);
        // The drawn curves lie on μ = 0 and cover a = −1's two crossings.
        let curves = mu_zero_curves(-1.0, 1.0, 2.0, 401);
        for c in &curves {
            for &[a, l] in c {
                assert!(mu_two_point(a, l).abs() < 1e-9, "({a}, {l})");
            }
        }
        let at_minus_one: Vec<f64> = curves
            .iter()
            .flat_map(|c| c.iter().filter(|p| p[0] == -1.0).map(|p| p[1]))
            .collect();
        assert_eq!(at_minus_one.len(), 2);
        assert!(mu_two_point(1.0, 1.5) < 0.0 && mu_two_point(1.0, 2.5) > 0.0);
        assert_eq!(trapped_intervals(-1.0, 2.0).len(), 1);
    }

    #[test]
    fn optimal_rate_is_the_numerical_maximum() {
        for a in [-3.0, -2.0, -1.0, -0.5, -0.1] {
            // Golden-section-free brute force: 10⁶ points of λ ∈ (0, 1).
            let (mut best, mut arg) = (f64::NEG_INFINITY, 0.0);
            for i in 1..1_000_000 {
                let l = i as f64 * 1e-6;
                let m = mu_two_point(a, l);
                if m > best {
                    best = m;
                    arg = l;
                }
            }
            assert!((optimal_lambda(a).unwrap() - arg).abs() < 2e-6, "a={a}");
            assert!((optimal_rate(a).unwrap() - best).abs() < 1e-10, "a={a}");
        }
        // γ* → 0 as a → 0⁻.
        assert!(optimal_rate(-1e-6).unwrap() < 1e-12);
        assert!(optimal_rate(0.0).is_none());
    }

    #[test]
    fn general_noise_moments_reduce_correctly() {
        // Uniform with a tiny half-width and Gaussian with tiny std both tend to ln|1 − λ a/2|.
        let (a, l) = (-1.0, 0.8);
        let target = (1.0 - l * a / 2.0f64).abs().ln();
        let (mu_u, _) = log_factor_moments(&NoiseLaw::Uniform { half_width: 1e-6 }, a, l);
        let (mu_g, _) = log_factor_moments(&NoiseLaw::Gaussian { std: 1e-6 }, a, l);
        assert!((mu_u - target).abs() < 1e-9 && (mu_g - target).abs() < 1e-9);
        let (mu, s2) = log_factor_moments(&NoiseLaw::TwoPoint, a, l);
        assert!((mu - mu_two_point(a, l)).abs() < 1e-15);
        assert!((s2 - (0.2f64.ln() - 2.6f64.ln()).powi(2) / 4.0).abs() < 1e-14);
    }

    #[test]
    fn exact_fraction_limits() {
        // t = 0: |w0| ~ U[0, 1] so P(|w0| < θ) = θ.
        let f = fraction_below_exact(-1.0, 0.8, 0, 0.1, InitMagnitude::Uniform { radius: 1.0 });
        assert!((f - 0.1).abs() < 1e-15);
        // λ = 1: every walker that ever draws x = 1 is exactly 0; P(no such draw in t) = 2^−t.
        let f = fraction_below_exact(-1.0, 1.0, 10, 1e-6, InitMagnitude::Point { radius: 1.0 });
        assert!((f - (1.0 - 2f64.powi(-10))).abs() < 1e-12);
        // Deep in the trapped phase at large t everything is below θ.
        let f = fraction_below_exact(-1.0, 0.8, 2000, 0.1, InitMagnitude::Uniform { radius: 1.0 });
        assert!(f > 1.0 - 1e-12);
    }

    #[test]
    fn normal_approximation_tracks_the_exact_law() {
        // Lemma 1 is a CLT statement: at t = 400 the two should agree to a few per cent.
        let (a, l, th) = (-1.0, 0.55, 0.1);
        let (mu, s2) = log_factor_moments(&NoiseLaw::TwoPoint, a, l);
        let init = InitMagnitude::Uniform { radius: 1.0 };
        for t in [100, 400] {
            let e = fraction_below_exact(a, l, t, th, init);
            let n = fraction_below_normal(mu, s2, t, th, init);
            assert!((e - n).abs() < 0.03, "t={t}: exact {e} normal {n}");
        }
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.959_963_985) - 0.975).abs() < 1e-7);
    }

    #[test]
    fn prop4_threshold() {
        let l = prop4_lambda_max();
        assert!((l - 0.0732).abs() < 1e-4);
        assert!(prop4_condition(l * 0.999));
        assert!(!prop4_condition(l * 1.001));
        assert!(prop4_condition(0.05));
        assert_eq!(prop4_b(0.05), 14.0);
    }

    fn numerical_hessian(f: impl Fn([f64; 2]) -> f64, w: [f64; 2]) -> [[f64; 2]; 2] {
        let h = 1e-4;
        let mut out = [[0.0; 2]; 2];
        for i in 0..2 {
            for j in 0..2 {
                let mut pp = w;
                let mut pm = w;
                let mut mp = w;
                let mut mm = w;
                pp[i] += h;
                pp[j] += h;
                pm[i] += h;
                pm[j] -= h;
                mp[i] -= h;
                mp[j] += h;
                mm[i] -= h;
                mm[j] -= h;
                out[i][j] = (f(pp) - f(pm) - f(mp) + f(mm)) / (4.0 * h * h);
            }
        }
        out
    }

    /// Second differences with h = 1e-4 have truncation error O(h²·ℓ⁗) ≈ 1e-6 and rounding
    /// O(ε/h²) ≈ 1e-8; 1e-4 is a safe bound that still catches any wrong coefficient.
    #[test]
    #[allow(clippy::needless_range_loop)] // i, j index two matrices at once
    fn hessians_match_finite_differences() {
        let a = 0.5;
        let s2 = LandscapeParams {
            landscape: Landscape::SharpMinima,
            a,
            b: 14.0,
        };
        for p in sharp_minima_points(a) {
            let fd = numerical_hessian(|w| s2.averaged_loss(w), p.w);
            for i in 0..2 {
                for j in 0..2 {
                    assert!((fd[i][j] - p.hessian[i][j]).abs() < 1e-4, "{:?}", p);
                }
            }
            assert!((s2.averaged_loss(p.w) - p.loss).abs() < 1e-14);
        }
        let flat = sharp_minima_points(a)[0];
        assert!(
            (flat.hessian[0][0] - 4.0).abs() < 1e-12
                && (flat.hessian[1][1] - (4.0 - 2.0 * a)).abs() < 1e-12
        );
        assert!((flat.trace() - (8.0 - 2.0 * a)).abs() < 1e-12);
        let sharp = sharp_minima_points(a)[2];
        assert!((sharp.trace() - (8.0 + 10.0 * a)).abs() < 1e-12);
        assert!(sharp.loss < flat.loss);

        let nn = LandscapeParams {
            landscape: Landscape::ToyNetwork,
            a: 0.0,
            b: 0.0,
        };
        for w in [[1.0, 0.5], [0.0, 0.7], [0.3, -0.2], [-0.8, 1.1]] {
            let fd = numerical_hessian(|w| nn.averaged_loss(w), w);
            let h = toy_network_hessian(w);
            for i in 0..2 {
                for j in 0..2 {
                    assert!((fd[i][j] - h[i][j]).abs() < 1e-4, "{w:?}: {fd:?} vs {h:?}");
                }
            }
        }
        // On the saddle line the w1-curvature is −2 w2 < 0.
        assert!(toy_network_hessian([0.0, 0.7])[0][0] < 0.0);
    }

    #[test]
    fn the_mu_zero_roots_of_every_law_are_zeros_of_its_mu() {
        // The two-point roots are Eq. 5's ends.
        let two = mu_zero_roots(&NoiseLaw::TwoPoint, -1.0, 10.0);
        assert_eq!(two.len(), 2);
        assert!((two[0] - 0.5).abs() < 1e-12 && (two[1] - 1.2807764064044151).abs() < 1e-12);
        for noise in [
            NoiseLaw::Gaussian { std: 1.0 },
            NoiseLaw::Uniform { half_width: 1.5 },
        ] {
            for a in [-2.0, -1.0, -0.3, 0.5] {
                let roots = mu_zero_roots(&noise, a, 10.0);
                for &r in &roots {
                    let mu = |l: f64| log_factor_moments(&noise, a, l).0;
                    assert!(mu(r).abs() < 1e-9, "{noise:?} a={a}: μ({r}) = {}", mu(r));
                    assert!(mu(r * 0.999) * mu(r * 1.001) < 0.0, "a sign change at {r}");
                }
                // μ < 0 exactly inside the trapped intervals.
                for (lo, hi) in trapped_intervals_of(&noise, a, 10.0) {
                    assert!(log_factor_moments(&noise, a, 0.5 * (lo + hi)).0 < 0.0);
                }
            }
        }
        // The Gaussian law is not the two-point one: at a = −1 with unit spread it has no
        // trapped window at all, where Eq. 5 has (0.5, 1.28); at a = −0.5 its window is
        // (0.425, 1.082), not Eq. 5's (0.333, 1.434).
        assert!(mu_zero_roots(&NoiseLaw::Gaussian { std: 1.0 }, -1.0, 10.0).is_empty());
        let g = mu_zero_roots(&NoiseLaw::Gaussian { std: 1.0 }, -0.5, 10.0);
        assert_eq!(g.len(), 2);
        assert!(
            (g[0] - 0.4247).abs() < 1e-3 && (g[1] - 1.0824).abs() < 1e-3,
            "{g:?}"
        );
    }
}
