//! The four loss landscapes of the paper (SPEC.md §1): per-sample loss ℓ(w; x), its gradient,
//! and the averaged loss L(w) = E_x[ℓ(w; x)].
//!
//! Weights are passed as `[f64; 2]`; the 1-D landscapes use `w[0]` and ignore `w[1]`.

use serde::{Deserialize, Serialize};

/// Which per-sample loss the walkers descend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Landscape {
    /// Q, Eq. 2: ℓ = x w²/2, L = a w²/4.
    Quadratic,
    /// Q4, Sec. 6.1 / App. A.1: ℓ = x w²/2 + w⁴/4.
    Quartic,
    /// S2, Eq. 6: the 2-D landscape with flat minima (±1/√2, 0) and sharp minima (0, ±√((1+a)/2)).
    SharpMinima,
    /// NN, Sec. 6.3: f(x) = w2 (w1 x)², x = 1, label y ∈ {−1, 2}, ℓ = (w2 w1² − y)².
    ToyNetwork,
    /// A typed ℓ(w; x) of one weight (`ExperimentParams::loss`; [`crate::model::custom`]).
    Custom,
    /// A typed ℓ(w1, w2; x).
    #[serde(rename = "custom_2d")]
    Custom2d,
}

impl Landscape {
    pub const ALL: [Landscape; 4] = [
        Landscape::Quadratic,
        Landscape::Quartic,
        Landscape::SharpMinima,
        Landscape::ToyNetwork,
    ];

    /// Number of weights.
    pub fn dim(self) -> usize {
        match self {
            Landscape::Quadratic | Landscape::Quartic | Landscape::Custom => 1,
            Landscape::SharpMinima | Landscape::ToyNetwork | Landscape::Custom2d => 2,
        }
    }

    /// Whether ℓ is typed (its formulas live in the expression, not here).
    pub fn is_custom(self) -> bool {
        matches!(self, Landscape::Custom | Landscape::Custom2d)
    }

    /// The built-in landscape's ℓ as one types it, with the discrete law that gives its
    /// two-point values (`None`: the paper's x ∈ {1, a − 1}, what a typed landscape's two-point
    /// law draws): the "start from" menu's entries, and the typed landscapes `bench` runs.
    pub fn typed(self) -> Option<(&'static str, Option<&'static str>)> {
        match self {
            Landscape::Quadratic => Some(("x*w^2/2", None)),
            Landscape::Quartic => Some(("x*w^2/2 + w^4/4", None)),
            // Eq. 6 multiplied out: ½((w1−w2)⁴ + (w1+w2)⁴) = w1⁴ + 6w1²w2² + w2⁴.
            Landscape::SharpMinima => Some((
                "w1^4 + 6*w1^2*w2^2 + w2^4 - w1^2 - (1 + a)*w2^2 + x*b*w1^2/2",
                Some("-1, 1"),
            )),
            Landscape::ToyNetwork => Some(("(w2*w1^2 - x)^2", Some("-1, 2"))),
            Landscape::Custom | Landscape::Custom2d => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Landscape::Quadratic => "Quadratic  ℓ = x w²/2",
            Landscape::Quartic => "Quartic  ℓ = x w²/2 + w⁴/4",
            Landscape::SharpMinima => "Sharp minima (2-D, Eq. 6)",
            Landscape::ToyNetwork => "Toy network  (w2 w1² − y)²",
            Landscape::Custom => "Typed  ℓ(w; x)",
            Landscape::Custom2d => "Typed 2-D  ℓ(w1, w2; x)",
        }
    }

    pub fn short_name(self) -> &'static str {
        match self {
            Landscape::Quadratic => "quadratic",
            Landscape::Quartic => "quartic",
            Landscape::SharpMinima => "sharp_minima",
            Landscape::ToyNetwork => "toy_network",
            Landscape::Custom => "custom",
            Landscape::Custom2d => "custom_2d",
        }
    }

    /// The two values of the paper's two-point noise variable, each drawn with probability ½.
    ///
    /// Q and Q4: x ∈ {1, a − 1} (E[x] = a/2). S2: the sign x ∈ {−1, +1} that multiplies b w1².
    /// NN: the label y ∈ {−1, 2}.
    pub fn two_point_values(self, a: f64) -> (f64, f64) {
        match self {
            Landscape::Quadratic | Landscape::Quartic | Landscape::Custom | Landscape::Custom2d => {
                (1.0, a - 1.0)
            }
            Landscape::SharpMinima => (-1.0, 1.0),
            Landscape::ToyNetwork => (-1.0, 2.0),
        }
    }

    /// E[x] under every noise law for this landscape (the midpoint of the two-point values).
    pub fn noise_mean(self, a: f64) -> f64 {
        let (lo, hi) = self.two_point_values(a);
        0.5 * (lo + hi)
    }
}

/// The landscape's own shape parameters. `a` is the paper's a; `b` scales the rank-one noise of
/// Eq. 6 (unused elsewhere).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LandscapeParams {
    pub landscape: Landscape,
    pub a: f64,
    pub b: f64,
}

impl LandscapeParams {
    /// Per-sample loss ℓ(w; x).
    pub fn loss(&self, w: [f64; 2], x: f64) -> f64 {
        let Self { landscape, a, b } = *self;
        match landscape {
            Landscape::Quadratic => 0.5 * x * w[0] * w[0],
            Landscape::Quartic => 0.5 * x * w[0] * w[0] + 0.25 * w[0].powi(4),
            Landscape::SharpMinima => {
                let (w1, w2) = (w[0], w[1]);
                let d = w1 - w2;
                let s = w1 + w2;
                0.5 * (-d * d - s * s + d.powi(4) + s.powi(4) - 2.0 * a * w2 * w2 + x * b * w1 * w1)
            }
            Landscape::ToyNetwork => {
                let r = w[1] * w[0] * w[0] - x;
                r * r
            }
            // A typed landscape's formulas are its expression's (`model::custom`).
            Landscape::Custom | Landscape::Custom2d => f64::NAN,
        }
    }

    /// Gradient ∇_w ℓ(w; x) (Eq. 77 for S2).
    #[inline(always)]
    pub fn grad(&self, w: [f64; 2], x: f64) -> [f64; 2] {
        let Self { landscape, a, b } = *self;
        match landscape {
            Landscape::Quadratic => [grad_quadratic(w[0], x), 0.0],
            Landscape::Quartic => [grad_quartic(w[0], x), 0.0],
            Landscape::SharpMinima => grad_sharp_minima(w[0], w[1], x, a, b),
            Landscape::ToyNetwork => grad_toy_network(w[0], w[1], x),
            Landscape::Custom | Landscape::Custom2d => [f64::NAN; 2],
        }
    }

    /// Averaged loss L(w) = E_x ℓ(w; x). Every ℓ here is linear in x except the toy network's,
    /// whose E[(r − y)²] adds Var(y) = 9/4 to the loss at y = E[y].
    pub fn averaged_loss(&self, w: [f64; 2]) -> f64 {
        let mean = self.landscape.noise_mean(self.a);
        match self.landscape {
            Landscape::ToyNetwork => {
                let (lo, hi) = self.landscape.two_point_values(self.a);
                0.5 * (self.loss(w, lo) + self.loss(w, hi))
            }
            _ => self.loss(w, mean),
        }
    }
}

/// Q: ∂ℓ/∂w = x w.
#[inline(always)]
pub fn grad_quadratic(w: f64, x: f64) -> f64 {
    x * w
}

/// Q4: ∂ℓ/∂w = x w + w³.
#[inline(always)]
pub fn grad_quartic(w: f64, x: f64) -> f64 {
    x * w + w * w * w
}

/// S2, Eq. 77: ∂ℓ/∂w1 = −2w1 + 4w1³ + 12 w1 w2² + x b w1, ∂ℓ/∂w2 = −2w2 + 4w2³ + 12 w1² w2 − 2a w2.
#[inline(always)]
pub fn grad_sharp_minima(w1: f64, w2: f64, x: f64, a: f64, b: f64) -> [f64; 2] {
    let w1s = w1 * w1;
    let w2s = w2 * w2;
    [
        w1 * (-2.0 + 4.0 * w1s + 12.0 * w2s + x * b),
        w2 * (-2.0 + 4.0 * w2s + 12.0 * w1s - 2.0 * a),
    ]
}

/// NN: ∂ℓ/∂w1 = 4 w1 w2 (w2 w1² − y), ∂ℓ/∂w2 = 2 w1² (w2 w1² − y).
#[inline(always)]
pub fn grad_toy_network(w1: f64, w2: f64, y: f64) -> [f64; 2] {
    let w1s = w1 * w1;
    let r = w2 * w1s - y;
    [4.0 * w1 * w2 * r, 2.0 * w1s * r]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn finite_difference(p: &LandscapeParams, w: [f64; 2], x: f64) -> [f64; 2] {
        let h = 1e-6;
        let mut g = [0.0; 2];
        for (k, gk) in g.iter_mut().enumerate() {
            let mut wp = w;
            let mut wm = w;
            wp[k] += h;
            wm[k] -= h;
            *gk = (p.loss(wp, x) - p.loss(wm, x)) / (2.0 * h);
        }
        g
    }

    proptest! {
        #![proptest_config(crate::model::proptest_config())]

        /// Central differences have error O(h²·ℓ''') + O(ε/h); with h = 1e-6 and |w| ≤ 2 the
        /// third derivatives are at most a few hundred, so 1e-5 relative to the gradient's scale
        /// leaves two orders of magnitude of head-room and still fails on any wrong term.
        #[test]
        fn gradients_match_finite_differences(
            li in 0usize..4, w1 in -2.0f64..2.0, w2 in -2.0f64..2.0,
            x in -3.0f64..3.0, a in -3.0f64..3.0, b in 0.0f64..20.0,
        ) {
            let p = LandscapeParams { landscape: Landscape::ALL[li], a, b };
            let w = [w1, if p.landscape.dim() == 2 { w2 } else { 0.0 }];
            let g = p.grad(w, x);
            let fd = finite_difference(&p, w, x);
            for k in 0..p.landscape.dim() {
                let scale = 1.0 + g[k].abs();
                prop_assert!((g[k] - fd[k]).abs() < 1e-5 * scale,
                    "{:?} coordinate {k}: analytic {} vs finite difference {}", p.landscape, g[k], fd[k]);
            }
        }
    }

    #[test]
    fn averaged_losses_match_the_paper() {
        let a = -1.0;
        let q = LandscapeParams {
            landscape: Landscape::Quadratic,
            a,
            b: 0.0,
        };
        assert!((q.averaged_loss([0.7, 0.0]) - a * 0.49 / 4.0).abs() < 1e-15);
        let q4 = LandscapeParams {
            landscape: Landscape::Quartic,
            a,
            b: 0.0,
        };
        let w = (-a / 2.0f64).sqrt();
        // L' = a w/2 + w³ vanishes at the minima ±sqrt(−a/2).
        let h = 1e-6;
        let d = (q4.averaged_loss([w + h, 0.0]) - q4.averaged_loss([w - h, 0.0])) / (2.0 * h);
        assert!(d.abs() < 1e-8);
        let nn = LandscapeParams {
            landscape: Landscape::ToyNetwork,
            a,
            b: 0.0,
        };
        // L = ½(w2w1² + 1)² + ½(w2w1² − 2)²: 2.25 on the valley w2 w1² = ½, 2.5 on w1 = 0.
        assert!((nn.averaged_loss([1.0, 0.5]) - 2.25).abs() < 1e-14);
        assert!((nn.averaged_loss([0.0, 0.3]) - 2.5).abs() < 1e-14);
    }
}
