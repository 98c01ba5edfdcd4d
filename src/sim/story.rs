//! One walker's story: a single run of a 1-D experiment followed step by step — each noise draw
//! x_t, the gradient, the factor w_t/w_{t−1} (exactly 1 − λx_t for SGD on the quadratic), the
//! running ln|w_t/w_0|, and for Adam and AMSGrad the moments m_t, v_t, v̂_t and the effective
//! rate λ/√v̂_t that Prop. 5 compares with Eq. 5's window. The walker has a noise stream of its
//! own (seeded from the experiment's seed and its number), drawn from the experiment's law with
//! the engine's conventions: additive noise, projection, a walker at w = 0 stays there.

use std::collections::VecDeque;

use rand::{Rng, RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::model::landscape::{grad_quadratic, grad_quartic};
use crate::model::optimizer::{Moments, adam_displacement, bias_factors};
use crate::model::{Landscape, Optimizer};

use super::params::ExperimentParams;
use super::scalar::Sampler;

/// One step of the story.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StoryStep {
    pub t: u64,
    /// The sample drawn at this step.
    pub x: f64,
    /// The gradient used (additive noise included).
    pub g: f64,
    /// w_t after the step (and the projection).
    pub w: f64,
    /// w_t / w_{t−1} (NaN once w is 0).
    pub factor: f64,
    /// ln|w_t / w_0|.
    pub log_ratio: f64,
    /// Adam / AMSGrad: the moments after the step.
    pub moments: Option<Moments>,
    /// The step size the gradient is multiplied by: λ for SGD and GD, λ/√v̂_t (with the bias
    /// factors, ε) for Adam and AMSGrad.
    pub rate: f64,
}

/// A walker followed from step 0.
#[derive(Clone, Debug)]
pub struct Story {
    params: ExperimentParams,
    /// Which walker: its noise stream.
    pub walker: u64,
    pub w0: f64,
    rng: Xoshiro256PlusPlus,
    sampler: Sampler,
    w: f64,
    moments: Moments,
    /// The steps taken, in order (the last [`STORY_MAX`]).
    pub steps: VecDeque<StoryStep>,
}

/// The most steps a story keeps (a longer run keeps following, its oldest steps dropped).
pub const STORY_MAX: usize = 200_000;

impl Story {
    /// Walker number `walker` of a 1-D experiment (the quadratic or the quartic), from `w0`.
    pub fn new(p: &ExperimentParams, walker: u64, w0: f64) -> Result<Story, String> {
        if !matches!(p.landscape, Landscape::Quadratic | Landscape::Quartic) {
            return Err(format!(
                "one walker's story is told on the 1-D landscapes; {} is 2-D",
                p.landscape.label()
            ));
        }
        if !w0.is_finite() {
            return Err(format!("w₀ = {w0}: a finite start"));
        }
        // Its own stream: the seed and the walker's number, mixed (splitmix64's constant).
        let seed = p.seed ^ walker.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let w0 = match p.projection {
            Some(r) => w0.clamp(-r, r),
            None => w0,
        };
        Ok(Story {
            params: p.clone(),
            walker,
            w0,
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            sampler: Sampler::new(p),
            w: w0,
            moments: Moments::default(),
            steps: VecDeque::new(),
        })
    }

    /// The experiment the walker runs in.
    pub fn params(&self) -> &ExperimentParams {
        &self.params
    }

    /// Steps taken.
    pub fn t(&self) -> u64 {
        self.steps.back().map_or(0, |s| s.t)
    }

    /// The current w.
    pub fn w(&self) -> f64 {
        self.w
    }

    /// Take steps up to step `t` (at most `budget` of them now).
    pub fn advance_to(&mut self, t: u64, budget: u64) {
        let p = &self.params;
        let stop = t.min(self.t() + budget);
        while self.t() < stop {
            let k = self.t() + 1;
            let x = match self.sampler {
                Sampler::Constant(m) => m,
                Sampler::TwoPoint(lo, hi) => {
                    if self.rng.next_u64() & 1 == 0 {
                        lo
                    } else {
                        hi
                    }
                }
                Sampler::Gaussian { mean, sd } => {
                    let z: f64 = self.rng.sample(StandardNormal);
                    mean + sd * z
                }
                Sampler::Uniform { lo, width } => lo + width * self.rng.random::<f64>(),
            };
            let before = self.w;
            let mut g = match p.landscape {
                Landscape::Quartic => grad_quartic(before, x),
                _ => grad_quadratic(before, x),
            };
            if p.sigma_add > 0.0 {
                let z: f64 = self.rng.sample(StandardNormal);
                g += p.sigma_add * z;
            }
            let (step, moments, rate) = match p.optimizer {
                Optimizer::Adam | Optimizer::Amsgrad => {
                    let (c1, c2) = bias_factors(&p.adam, k);
                    let amsgrad = p.optimizer == Optimizer::Amsgrad;
                    let d =
                        adam_displacement(&mut self.moments, g, p.lambda, &p.adam, amsgrad, c1, c2);
                    let denom = (self.moments.v_hat * c2).sqrt() + p.adam.eps;
                    let rate = if denom > 0.0 {
                        p.lambda * c1 / denom
                    } else {
                        0.0
                    };
                    (d, Some(self.moments), rate)
                }
                _ => (-p.lambda * g, None, p.lambda),
            };
            let mut w = before + step;
            if let Some(r) = p.projection {
                w = w.clamp(-r, r);
            }
            self.w = w;
            let factor = if before != 0.0 { w / before } else { f64::NAN };
            let log_ratio = if self.w0 != 0.0 {
                (w / self.w0).abs().ln()
            } else {
                f64::NAN
            };
            if self.steps.len() == STORY_MAX {
                self.steps.pop_front();
            }
            self.steps.push_back(StoryStep {
                t: k,
                x,
                g,
                w,
                factor,
                log_ratio,
                moments,
                rate,
            });
            if !w.is_finite() {
                // Diverged: nothing more to tell.
                break;
            }
        }
    }

    /// Whether the walker's w is no longer finite.
    pub fn diverged(&self) -> bool {
        !self.w.is_finite()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NoiseLaw;

    fn quadratic(optimizer: Optimizer) -> ExperimentParams {
        ExperimentParams {
            landscape: Landscape::Quadratic,
            optimizer,
            noise: NoiseLaw::TwoPoint,
            a: -1.0,
            lambda: 0.8,
            projection: None,
            ..ExperimentParams::default()
        }
    }

    #[test]
    fn sgd_on_the_quadratic_multiplies_by_one_minus_lambda_x() {
        let mut s = Story::new(&quadratic(Optimizer::Sgd), 3, 0.5).unwrap();
        s.advance_to(200, 1000);
        assert_eq!(s.t(), 200);
        let mut product = 0.5;
        let mut log_sum = 0.0;
        for st in &s.steps {
            // The two-point law: x is 1 or a − 1 = −2; the factor is exactly 1 − λx.
            assert!(st.x == 1.0 || st.x == -2.0, "{}", st.x);
            assert!((st.factor - (1.0 - 0.8 * st.x)).abs() < 1e-12);
            product *= 1.0 - 0.8 * st.x;
            log_sum += (1.0 - 0.8 * st.x).abs().ln();
            assert!((st.w - product).abs() <= 1e-12 * product.abs().max(1e-300));
            assert!((st.log_ratio - log_sum).abs() < 1e-9);
        }
        // Both values drawn: a fair coin over 200 steps gives each at least once (p = 2⁻¹⁹⁹).
        assert!(s.steps.iter().any(|st| st.x == 1.0) && s.steps.iter().any(|st| st.x == -2.0));
    }

    #[test]
    fn a_walkers_number_picks_its_stream_and_the_same_number_repeats_it() {
        let p = quadratic(Optimizer::Sgd);
        let run = |walker| {
            let mut s = Story::new(&p, walker, 0.5).unwrap();
            s.advance_to(64, 64);
            s.steps.iter().map(|st| st.x).collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }

    #[test]
    fn amsgrads_rate_is_lambda_over_root_v_hat_and_never_grows() {
        let mut p = quadratic(Optimizer::Amsgrad);
        p.a = -0.1;
        p.lambda = 0.2;
        p.projection = Some(1.0);
        let mut s = Story::new(&p, 0, 0.7).unwrap();
        s.advance_to(2000, 2000);
        let mut last = f64::INFINITY;
        for st in &s.steps {
            let m = st.moments.unwrap();
            assert!(m.v_hat >= m.v - 1e-15);
            if m.v_hat > 0.0 {
                assert!((st.rate - 0.2 / m.v_hat.sqrt()).abs() < 1e-12 * st.rate);
                // v̂ is a running maximum: the rate only falls.
                assert!(st.rate <= last * (1.0 + 1e-12));
                last = st.rate;
            }
            assert!(st.w.abs() <= 1.0);
        }
    }

    #[test]
    fn a_2d_landscape_has_no_story() {
        let p = ExperimentParams {
            landscape: Landscape::SharpMinima,
            ..ExperimentParams::default()
        };
        assert!(Story::new(&p, 0, 0.5).unwrap_err().contains("2-D"));
    }
}
