//! The optimizers of SPEC.md §3: GD on ∇L, SGD (Definition 1), and Adam / AMSGrad exactly as the
//! paper writes them (Eq. 9–12: no bias correction and no ε unless asked for).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Optimizer {
    /// Gradient descent on the averaged loss: the gradient at x = E[x], no noise at all.
    Gd,
    /// w_t = w_{t−1} − λ ∇ℓ(w_{t−1}; x_t) with a fresh sample every step.
    Sgd,
    /// Eq. 9–12 with v̂_t = v_t.
    Adam,
    /// Eq. 9–12 with v̂_t = max(v̂_{t−1}, v_t).
    Amsgrad,
}

impl Optimizer {
    pub const ALL: [Optimizer; 4] = [
        Optimizer::Gd,
        Optimizer::Sgd,
        Optimizer::Adam,
        Optimizer::Amsgrad,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Optimizer::Gd => "GD",
            Optimizer::Sgd => "SGD",
            Optimizer::Adam => "Adam",
            Optimizer::Amsgrad => "AMSGrad",
        }
    }

    /// Whether the optimizer keeps the moment estimates m, v (and so uses β1, β2, ε).
    pub fn is_adaptive(self) -> bool {
        matches!(self, Optimizer::Adam | Optimizer::Amsgrad)
    }

    /// Whether the optimizer samples x at all.
    pub fn is_stochastic(self) -> bool {
        !matches!(self, Optimizer::Gd)
    }
}

/// The constants of Adam / AMSGrad.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AdamConfig {
    pub beta1: f64,
    pub beta2: f64,
    /// Added to sqrt(v̂) in the denominator; the paper uses 0.
    pub eps: f64,
    /// Divide m by 1 − β1^t and v̂ by 1 − β2^t; the paper does not.
    pub bias_correction: bool,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            beta1: 0.0,
            beta2: 0.999,
            eps: 0.0,
            bias_correction: false,
        }
    }
}

/// One coordinate's Adam / AMSGrad state.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moments {
    pub m: f64,
    pub v: f64,
    pub v_hat: f64,
}

/// The per-step factors 1/(1 − β1^t) and 1/(1 − β2^t) (both 1 without bias correction).
#[inline]
pub fn bias_factors(cfg: &AdamConfig, t: u64) -> (f64, f64) {
    if cfg.bias_correction {
        let t = t.min(i32::MAX as u64) as i32;
        (
            1.0 / (1.0 - cfg.beta1.powi(t)),
            1.0 / (1.0 - cfg.beta2.powi(t)),
        )
    } else {
        (1.0, 1.0)
    }
}

/// One Adam / AMSGrad update of a single coordinate; returns the displacement −λ m̂ / (sqrt(v̂) + ε).
///
/// `amsgrad` selects v̂_t = max(v̂_{t−1}, v_t). With bias correction, m̂ = m_t·c1 and the
/// denominator uses v̂_t·c2 (the max is taken on the raw v). A walker with v̂ = 0 (exactly at a
/// critical point since the start) does not move: the paper's 0/0 is read as 0.
#[inline(always)]
pub fn adam_displacement(
    st: &mut Moments,
    g: f64,
    lambda: f64,
    cfg: &AdamConfig,
    amsgrad: bool,
    c1: f64,
    c2: f64,
) -> f64 {
    st.m = cfg.beta1 * st.m + (1.0 - cfg.beta1) * g;
    st.v = cfg.beta2 * st.v + (1.0 - cfg.beta2) * g * g;
    st.v_hat = if amsgrad { st.v_hat.max(st.v) } else { st.v };
    let denom = (st.v_hat * c2).sqrt() + cfg.eps;
    if denom > 0.0 {
        -lambda * st.m * c1 / denom
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sequence by hand: β1 = 0.5, β2 = 0.75, λ = 0.1, gradients 2, −1, 0.5.
    #[test]
    fn adam_and_amsgrad_match_a_hand_computed_sequence() {
        let cfg = AdamConfig {
            beta1: 0.5,
            beta2: 0.75,
            eps: 0.0,
            bias_correction: false,
        };
        let gs = [2.0, -1.0, 0.5];
        // m: 1, 0, 0.25.  v: 1, 1.0, 0.8125.  Adam step = −0.1 m / sqrt(v).
        let adam = [-0.1, 0.0, -0.1 * 0.25 / 0.8125f64.sqrt()];
        // AMSGrad: v̂ = 1, 1, 1.
        let ams = [-0.1, 0.0, -0.1 * 0.25];
        let (mut sa, mut sm) = (Moments::default(), Moments::default());
        for k in 0..3 {
            let da = adam_displacement(&mut sa, gs[k], 0.1, &cfg, false, 1.0, 1.0);
            let dm = adam_displacement(&mut sm, gs[k], 0.1, &cfg, true, 1.0, 1.0);
            assert!(
                (da - adam[k]).abs() < 1e-15,
                "Adam step {k}: {da} vs {}",
                adam[k]
            );
            assert!(
                (dm - ams[k]).abs() < 1e-15,
                "AMSGrad step {k}: {dm} vs {}",
                ams[k]
            );
        }
    }

    #[test]
    fn first_step_without_bias_correction_is_large() {
        // SPEC.md §3: the first step has size λ(1 − β1)/sqrt(1 − β2).
        let cfg = AdamConfig {
            beta1: 0.9,
            beta2: 0.999,
            ..AdamConfig::default()
        };
        let mut s = Moments::default();
        let d = adam_displacement(&mut s, 3.0, 0.2, &cfg, false, 1.0, 1.0);
        let expected = 0.2 * 0.1 / 0.001f64.sqrt();
        assert!((d.abs() - expected).abs() < 1e-12);
        // With bias correction the first step is exactly λ·sign(g).
        let cfg = AdamConfig {
            bias_correction: true,
            ..cfg
        };
        let (c1, c2) = bias_factors(&cfg, 1);
        let mut s = Moments::default();
        let d = adam_displacement(&mut s, 3.0, 0.2, &cfg, false, c1, c2);
        assert!((d + 0.2).abs() < 1e-12);
    }

    #[test]
    fn zero_gradient_from_rest_does_not_move() {
        let cfg = AdamConfig::default();
        let mut s = Moments::default();
        assert_eq!(
            adam_displacement(&mut s, 0.0, 0.2, &cfg, true, 1.0, 1.0),
            0.0
        );
    }

    #[test]
    fn amsgrad_v_hat_never_decreases() {
        let cfg = AdamConfig {
            beta1: 0.9,
            beta2: 0.9,
            ..AdamConfig::default()
        };
        let mut s = Moments::default();
        let mut last = 0.0;
        for k in 0..200 {
            let g = if k % 17 < 3 { 5.0 } else { 0.01 * k as f64 };
            adam_displacement(&mut s, g, 0.1, &cfg, true, 1.0, 1.0);
            assert!(s.v_hat >= last);
            last = s.v_hat;
        }
    }
}
