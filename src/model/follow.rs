//! A stationary point of a typed landscape followed over a, and its stability exponent over the
//! (a, λ) plane: the phase diagram's μ = 0 line of the point the user picks (README, "Your own
//! landscape"). At each a the point is found again by Newton's method on ∇L = 0 from where it
//! was at the a before (continuation); its exponent there is the one the theory panel shows —
//! μ = E ln|1 − λ ℓ″| in 1-D, the top Lyapunov exponent of I − λH in 2-D, across the curve for
//! a point of a curve.

use super::contour::Grid;
use super::custom::Custom;
use super::stationary::{Kind, XLaw, curve_at, eigen, lyapunov, vanishes};

/// The point at one a: where it is, the law of x there, and whether SGD can settle there.
#[derive(Clone, Debug)]
pub struct Site {
    pub a: f64,
    pub w: [f64; 2],
    pub law: XLaw,
    /// ∇ℓ(w; x) = 0 for every x the law draws (otherwise there is no exponent).
    pub fixed: bool,
    /// A unit vector across the curve of stationary points `w` lies on, if it lies on one.
    pub across: Option<[f64; 2]>,
}

/// Draws of the random product per exponent on the map (2-D, Hessians that do not commute): a
/// twentieth of the theory panel's, so that a map of 81 × 81 exponents takes about a second.
const MAP_LYAPUNOV_STEPS: usize = 2000;

/// A typed landscape, its b, and the law of x at each a: what following a point needs.
pub struct Follower<'a> {
    pub c: &'a Custom,
    pub b: f64,
    pub law_at: &'a dyn Fn(f64) -> XLaw,
    /// The size of the region the point lives in (Newton's steps are capped at a quarter of it).
    pub size: f64,
}

impl Follower<'_> {
    fn grad(&self, law: &XLaw, a: f64, w: [f64; 2]) -> [f64; 2] {
        [
            law.expect(|x| self.c.grad_at(w, x, a, self.b)[0]),
            law.expect(|x| self.c.grad_at(w, x, a, self.b)[1]),
        ]
    }

    fn hess(&self, law: &XLaw, a: f64, w: [f64; 2]) -> [[f64; 2]; 2] {
        let mut h = [[0.0; 2]; 2];
        for (i, row) in h.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = law.expect(|x| self.c.hess_at(w, x, a, self.b)[i][j]);
            }
        }
        h
    }

    /// The stationary point of L at `a` that Newton's method reaches from `guess`, if it
    /// converges (|∇L| ≤ 10⁻¹¹ of the curvature's scale) within 60 steps.
    pub fn settle(&self, a: f64, guess: [f64; 2]) -> Option<Site> {
        let law = (self.law_at)(a);
        let two_d = self.c.dim() == 2;
        let mut w = guess;
        let mut found = false;
        for _ in 0..60 {
            let g = self.grad(&law, a, w);
            let h = self.hess(&law, a, w);
            let scale = 1.0 + h[0][0].abs() + h[1][1].abs();
            if g[0].abs() + g[1].abs() <= 1e-11 * scale {
                found = true;
                break;
            }
            let step = if !two_d {
                [g[0] / h[0][0], 0.0]
            } else {
                let det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
                if det.abs() > 1e-12 * scale * scale {
                    [
                        (h[1][1] * g[0] - h[0][1] * g[1]) / det,
                        (h[0][0] * g[1] - h[1][0] * g[0]) / det,
                    ]
                } else {
                    [g[0] / scale, g[1] / scale]
                }
            };
            let len = step[0].hypot(step[1]);
            let cap = if len > 0.25 * self.size {
                0.25 * self.size / len
            } else {
                1.0
            };
            w = [w[0] - cap * step[0], w[1] - cap * step[1]];
            if !(w[0].is_finite() && w[1].is_finite()) {
                return None;
            }
        }
        if !found {
            return None;
        }
        let (c, b) = (self.c, self.b);
        let fixed = if two_d {
            law.support().into_iter().all(|x| {
                let g = c.grad_at(w, x, a, b);
                let h = c.hess_at(w, x, a, b);
                g[0].abs() + g[1].abs() <= 1e-9 * (1.0 + h[0][0].abs() + h[1][1].abs())
            })
        } else {
            vanishes(
                &law,
                |x| c.grad_at(w, x, a, b)[0],
                |x| c.hess_at(w, x, a, b)[0][0],
            )
        };
        let across = if two_d && fixed {
            let grad = |p: [f64; 2]| self.grad(&law, a, p);
            let hess = |p: [f64; 2]| self.hess(&law, a, p);
            let (on, null, _, vecs) = curve_at(&grad, &hess, w, self.size, &|_| true);
            on.then(|| vecs[1 - null.unwrap_or(0)])
        } else {
            None
        };
        Some(Site {
            a,
            w,
            law,
            fixed,
            across,
        })
    }

    /// The point that is at `from.1` when a = `from.0`, at each of `a_values`: followed from
    /// there outwards in both directions in steps no longer than the values' spacing; `None`
    /// where Newton's method loses it (the point merged with another or left the reals).
    pub fn follow(&self, from: (f64, [f64; 2]), a_values: &[f64]) -> Vec<Option<Site>> {
        let mut out: Vec<Option<Site>> = vec![None; a_values.len()];
        let mut order: Vec<usize> = (0..a_values.len()).collect();
        order.sort_by(|&i, &j| a_values[i].total_cmp(&a_values[j]));
        let span = a_values
            .iter()
            .fold(0.0f64, |m, &a| m.max((a - from.0).abs()));
        let h = span / a_values.len().max(1) as f64;
        let (below, above): (Vec<usize>, Vec<usize>) =
            order.iter().partition(|&&i| a_values[i] < from.0);
        for side in [above, below.into_iter().rev().collect::<Vec<_>>()] {
            let (mut a0, mut w0) = from;
            for i in side {
                let a = a_values[i];
                let sub = if h > 0.0 {
                    ((a - a0).abs() / h).ceil().max(1.0) as usize
                } else {
                    1
                };
                let mut site = None;
                for k in 1..=sub {
                    let ak = if k == sub {
                        a
                    } else {
                        a0 + (a - a0) * k as f64 / sub as f64
                    };
                    site = self.settle(ak, w0);
                    match &site {
                        Some(s) => w0 = s.w,
                        None => break,
                    }
                }
                let Some(s) = site else {
                    // Lost: the rest of this side is lost too.
                    break;
                };
                a0 = a;
                out[i] = Some(s);
            }
        }
        out
    }

    /// What kind of stationary point of L the site is (by the eigenvalues of L's Hessian; a
    /// point of a curve by its curvature across).
    pub fn kind(&self, site: &Site) -> Kind {
        let h = self.hess(&site.law, site.a, site.w);
        let ev = if self.c.dim() == 1 {
            [h[0][0], h[0][0]]
        } else {
            eigen(h).0
        };
        let sign = |v: f64| {
            let tiny = 1e-8 * (1.0 + ev[0].abs() + ev[1].abs());
            if v > tiny {
                Kind::Minimum
            } else if v < -tiny {
                Kind::Maximum
            } else {
                Kind::Degenerate
            }
        };
        match site.across {
            Some(u) => match sign(super::stationary::quad(h, u)) {
                Kind::Maximum => Kind::Saddle,
                k => k,
            },
            None => match (sign(ev[0]), sign(ev[1])) {
                (Kind::Minimum, Kind::Minimum) => Kind::Minimum,
                (Kind::Maximum, Kind::Maximum) => Kind::Maximum,
                (Kind::Maximum, Kind::Minimum) | (Kind::Minimum, Kind::Maximum) => Kind::Saddle,
                _ => Kind::Degenerate,
            },
        }
    }

    /// The exponent of `site` at λ: NaN where SGD cannot settle there.
    pub fn exponent(&self, site: &Site, lambda: f64) -> f64 {
        if !site.fixed {
            return f64::NAN;
        }
        let (c, a, b, w) = (self.c, site.a, self.b, site.w);
        if c.dim() == 1 {
            site.law.mean_log(lambda, |x| c.hess_at(w, x, a, b)[0][0])
        } else {
            lyapunov(
                c,
                &site.law,
                (a, b, lambda),
                w,
                site.across,
                MAP_LYAPUNOV_STEPS,
            )
            .0
        }
    }

    /// The zero set of the point's exponent over [a_min, a_max] × [λ_min, λ_max], as segments:
    /// marching squares on `samples` × `samples` exponents, each crossing then bisected along
    /// its cell edge (the point found again at the a between), so that the line is the
    /// exponent's zero set to rounding, not a linear interpolation of it.
    pub async fn mu_zero(
        &self,
        from: (f64, [f64; 2]),
        (a_min, a_max): (f64, f64),
        (lambda_min, lambda_max): (f64, f64),
        samples: usize,
    ) -> Vec<[[f64; 2]; 2]> {
        let n = samples.max(2);
        let l0 = lambda_min.max(1e-6 * (lambda_max - lambda_min).abs().max(1e-12));
        let (dx, dy) = (
            (a_max - a_min) / (n - 1) as f64,
            (lambda_max - l0) / (n - 1) as f64,
        );
        let a_values: Vec<f64> = (0..n).map(|c| a_min + c as f64 * dx).collect();
        let sites = self.follow(from, &a_values);
        let mut values = Vec::with_capacity(n * n);
        for r in 0..n {
            let l = l0 + r as f64 * dy;
            values.extend(
                sites
                    .iter()
                    .map(|s| s.as_ref().map_or(f64::NAN, |s| self.exponent(s, l))),
            );
            crate::coop::yield_now().await;
        }
        let grid = Grid {
            cols: n,
            rows: n,
            x0: a_min,
            y0: l0,
            dx,
            dy,
            values,
        };
        // On a column the site is known; between columns it is found again from the nearer.
        let at = |a: f64, l: f64| {
            let j = (((a - a_min) / dx).round().max(0.0) as usize).min(n - 1);
            match &sites[j] {
                Some(s) if a == a_values[j] => self.exponent(s, l),
                Some(s) => self
                    .settle(a, s.w)
                    .map_or(f64::NAN, |s| self.exponent(&s, l)),
                None => f64::NAN,
            }
        };
        grid.contour_refined(0.0, at)
    }
}
