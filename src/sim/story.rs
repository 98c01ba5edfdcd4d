//! One walker's story: a walker of the live ensemble followed step by step — each noise draw
//! x_t, the gradient, the factor w_t/w_{t−1} (exactly 1 − λx_t for SGD on the quadratic), the
//! running ln|w_t/w_0|, and for Adam and AMSGrad the moments m_t, v_t, v̂_t and the effective
//! rate λ/√v̂_t that Prop. 5 compares with Eq. 5's window.
//!
//! The walker is the ensemble's own: [`Ensemble::replay`] rebuilds the few walkers that share
//! its random streams and steps them one step at a time, bit for bit as the ensemble does. The
//! engine does not keep its draws, so the story reads them back from the update: the gradient
//! from the displacement (SGD, GD) or from the first moment (Adam, AMSGrad:
//! g_t = (m_t − β1 m_{t−1})/(1 − β1)), and the sample from the gradient, which is affine in x
//! for every landscape here (x is the label y for the toy network). With added noise the sample
//! cannot be told apart from the noise, and a step the projection clipped hides its gradient
//! (SGD, GD): those are NaN, and the panel says why.

use std::collections::VecDeque;

use crate::model::landscape::LandscapeParams;
use crate::model::optimizer::{Moments, bias_factors};

use super::ensemble::{Engine, Ensemble};
use super::params::{ExperimentParams, ValidParams};

/// One step of the story.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StoryStep {
    pub t: u64,
    /// The sample drawn at this step (NaN where it cannot be read back: see the module).
    pub x: f64,
    /// The gradient used, added noise included (NaN where the projection clipped the step).
    pub g: [f64; 2],
    /// (w1, w2) after the step and the projection (w2 = 0 on 1-D landscapes).
    pub w: [f64; 2],
    /// w1_t / w1_{t−1} (NaN once w1 is 0).
    pub factor: f64,
    /// ln|w1_t / w1_0|.
    pub log_ratio: f64,
    /// Adam / AMSGrad: the first coordinate's moments after the step.
    pub moments: Option<Moments>,
    /// The step size the gradient is multiplied by: λ for SGD and GD, λ/√v̂_t (with the bias
    /// factors, ε) of the first coordinate for Adam and AMSGrad.
    pub rate: f64,
    /// The projection moved the walker at this step.
    pub clipped: bool,
}

/// A walker of an ensemble followed from step 0.
pub struct Story {
    params: ExperimentParams,
    /// Which walker of the ensemble.
    pub walker: usize,
    /// Its start, (w1, w2).
    pub w0: [f64; 2],
    replay: Ensemble,
    /// The walker's index in the replay.
    lane: usize,
    /// State before the next step: position and both coordinates' moments.
    w: [f64; 2],
    m: [Moments; 2],
    /// The steps taken, in order (the last [`STORY_MAX`]).
    pub steps: VecDeque<StoryStep>,
}

/// The most steps a story keeps (a longer run keeps following, its oldest steps dropped).
pub const STORY_MAX: usize = 200_000;

impl Story {
    /// Walker number `walker` (0-based) of the ensemble the app runs for `p`.
    pub fn new(p: &ValidParams, walker: usize) -> Result<Story, String> {
        let (replay, lane) = Ensemble::replay(p, Engine::Auto, walker)?;
        let w = position(&replay, lane);
        Ok(Story {
            params: ExperimentParams::clone(p),
            walker,
            w0: w,
            m: moments(&replay, lane),
            replay,
            lane,
            w,
            steps: VecDeque::new(),
        })
    }

    /// The experiment the walker runs in.
    pub fn params(&self) -> &ExperimentParams {
        &self.params
    }

    /// Steps taken.
    pub fn t(&self) -> u64 {
        self.replay.step()
    }

    /// The current (w1, w2).
    pub fn w(&self) -> [f64; 2] {
        self.w
    }

    /// Take steps up to step `t` (at most `budget` of them now).
    pub fn advance_to(&mut self, t: u64, budget: u64) {
        let stop = t.min(self.t().saturating_add(budget));
        while self.t() < stop && !self.diverged() {
            self.replay.advance(1, 1);
            let step = self.read_step();
            if self.steps.len() == STORY_MAX {
                self.steps.pop_front();
            }
            self.steps.push_back(step);
        }
    }

    /// What the step just taken did, read back from the walker's state before and after.
    fn read_step(&mut self) -> StoryStep {
        let p = &self.params;
        let k = self.t();
        let (before, m_before) = (self.w, self.m);
        let w = position(&self.replay, self.lane);
        let m = moments(&self.replay, self.lane);
        (self.w, self.m) = (w, m);
        let dim = p.landscape.dim();
        // A walker exactly on the box's edge was (but for a null set of draws) clipped there.
        let clipped = p
            .projection
            .is_some_and(|r| (0..dim).any(|c| w[c].abs() == r));
        let adaptive = p.optimizer.is_adaptive();
        let b1 = p.adam.beta1;
        let mut g = [0.0; 2];
        for c in 0..dim {
            g[c] = if adaptive {
                if b1 < 1.0 {
                    (m[c].m - b1 * m_before[c].m) / (1.0 - b1)
                } else {
                    f64::NAN
                }
            } else if clipped {
                f64::NAN
            } else {
                (before[c] - w[c]) / p.lambda
            };
        }
        let x = if p.sigma_add > 0.0 {
            f64::NAN
        } else {
            sample_from_gradient(p, before, g)
        };
        let rate = if adaptive {
            let (c1, c2) = bias_factors(&p.adam, k);
            let denom = (m[0].v_hat * c2).sqrt() + p.adam.eps;
            if denom > 0.0 {
                p.lambda * c1 / denom
            } else {
                0.0
            }
        } else {
            p.lambda
        };
        StoryStep {
            t: k,
            x,
            g,
            w,
            factor: if before[0] != 0.0 {
                w[0] / before[0]
            } else {
                f64::NAN
            },
            log_ratio: if self.w0[0] != 0.0 {
                (w[0] / self.w0[0]).abs().ln()
            } else {
                f64::NAN
            },
            moments: adaptive.then_some(m[0]),
            rate,
            clipped,
        }
    }

    /// Whether the walker is no longer finite.
    pub fn diverged(&self) -> bool {
        !(self.w[0].is_finite() && self.w[1].is_finite())
    }

    /// The walker's path so far, (w1, w2) from its start, at most `max` points (evenly thinned).
    pub fn path(&self, max: usize) -> Vec<[f64; 2]> {
        let n = self.steps.len() + 1;
        let stride = n.div_ceil(max.max(2)).max(1);
        let mut out: Vec<[f64; 2]> = std::iter::once(self.w0)
            .chain(self.steps.iter().map(|s| s.w))
            .step_by(stride)
            .filter(|w| w[0].is_finite() && w[1].is_finite())
            .collect();
        if let Some(last) = self.steps.back().map(|s| s.w)
            && !(n - 1).is_multiple_of(stride)
            && last.iter().all(|v| v.is_finite())
        {
            out.push(last);
        }
        out
    }
}

fn position(e: &Ensemble, lane: usize) -> [f64; 2] {
    [e.w1()[lane], e.w2().get(lane).copied().unwrap_or(0.0)]
}

fn moments(e: &Ensemble, lane: usize) -> [Moments; 2] {
    [
        e.moments().get(lane).copied().unwrap_or_default(),
        e.moments2().get(lane).copied().unwrap_or_default(),
    ]
}

/// The sample x that gives gradient `g` at `w`: every landscape's gradient is affine in x, so x
/// is read off the coordinate where it weighs most. NaN where x does not enter (w1 = 0).
fn sample_from_gradient(p: &ExperimentParams, w: [f64; 2], g: [f64; 2]) -> f64 {
    let lp = LandscapeParams {
        landscape: p.landscape,
        a: p.a,
        b: p.b,
    };
    let (g0, g1) = (lp.grad(w, 0.0), lp.grad(w, 1.0));
    let c = if (g1[1] - g0[1]).abs() > (g1[0] - g0[0]).abs() {
        1
    } else {
        0
    };
    let slope = g1[c] - g0[c];
    if slope == 0.0 || !slope.is_finite() {
        return f64::NAN;
    }
    (g[c] - g0[c]) / slope
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Landscape, NoiseLaw, Optimizer};
    use crate::sim::params::InitLaw;

    fn quadratic(optimizer: Optimizer) -> ExperimentParams {
        ExperimentParams {
            landscape: Landscape::Quadratic,
            optimizer,
            noise: NoiseLaw::TwoPoint,
            a: -1.0,
            lambda: 0.8,
            projection: None,
            walkers: 1000,
            init: InitLaw::Uniform { half_width: 1.0 },
            ..ExperimentParams::default()
        }
    }

    #[test]
    fn sgd_on_the_quadratic_multiplies_by_one_minus_lambda_x() {
        // Fig. 1-left's setting runs on the f32 fast path: its factors are f32 (1 − λx rounded
        // to 24 bits), so the read-back sample is exact to ~1e-7 relative.
        let p = quadratic(Optimizer::Sgd).valid().unwrap();
        let mut s = Story::new(&p, 3).unwrap();
        s.advance_to(200, 1000);
        assert_eq!(s.t(), 200);
        let mut log_sum = 0.0;
        for st in &s.steps {
            // The two-point law: x is 1 or a − 1 = −2; the factor is 1 − λx.
            let near = |v: f64| (st.x - v).abs() < 1e-5;
            assert!(near(1.0) || near(-2.0), "{}", st.x);
            assert!((st.factor - (1.0 - 0.8 * st.x)).abs() < 1e-5);
            log_sum += st.factor.abs().ln();
            assert!((st.log_ratio - log_sum).abs() < 1e-6 * (1.0 + log_sum.abs()));
        }
        // Both values drawn: a fair coin over 200 steps gives each at least once (p = 2⁻¹⁹⁹).
        assert!(s.steps.iter().any(|st| st.x > 0.0) && s.steps.iter().any(|st| st.x < 0.0));
    }

    #[test]
    fn the_story_is_the_ensembles_own_walker() {
        // The live ensemble, advanced in big chunks on two threads; the story, step by step:
        // the same w at every step the two share, on the fast path, the lanes and in 2-D.
        let cases = [
            quadratic(Optimizer::Sgd),
            ExperimentParams {
                landscape: Landscape::Quartic,
                lambda: 0.3,
                ..quadratic(Optimizer::Sgd)
            },
            ExperimentParams {
                a: -0.1,
                lambda: 0.2,
                projection: Some(1.0),
                ..quadratic(Optimizer::Amsgrad)
            },
            ExperimentParams {
                landscape: Landscape::SharpMinima,
                a: 0.5,
                b: 14.0,
                lambda: 0.05,
                projection: Some(1.0),
                init: InitLaw::FlatMinima { radius: 0.25 },
                ..quadratic(Optimizer::Sgd)
            },
        ];
        for p in cases {
            let v = p.valid().unwrap();
            let mut e = Ensemble::with_threads(&v, Engine::Auto, 2);
            let mut s = Story::new(&v, 517).unwrap();
            assert_eq!(s.w0, [e.w1()[517], e.w2().get(517).copied().unwrap_or(0.0)]);
            for chunk in [5, 50, 300] {
                e.advance(chunk, 2);
                s.advance_to(e.step(), u64::MAX);
                let w = s.steps.back().unwrap().w;
                assert_eq!(w[0].to_bits(), e.w1()[517].to_bits(), "{:?}", p.landscape);
                if let Some(w2) = e.w2().get(517) {
                    assert_eq!(w[1].to_bits(), w2.to_bits());
                }
                if let Some(m) = e.moments().get(517) {
                    assert_eq!(s.steps.back().unwrap().moments, Some(*m));
                }
            }
        }
    }

    #[test]
    fn the_samples_read_back_are_the_laws_own() {
        // Two-point laws: every read-back sample is one of the law's two values (f64 engines:
        // the displacement loses at most a few ulps of w, far below 1e-6 of x).
        let quartic = ExperimentParams {
            landscape: Landscape::Quartic,
            lambda: 0.3,
            ..quadratic(Optimizer::Sgd)
        };
        let sharp = ExperimentParams {
            landscape: Landscape::SharpMinima,
            a: 0.5,
            b: 14.0,
            lambda: 0.05,
            projection: None,
            init: InitLaw::FlatMinima { radius: 0.25 },
            ..quadratic(Optimizer::Sgd)
        };
        let network = ExperimentParams {
            landscape: Landscape::ToyNetwork,
            lambda: 0.01,
            init: InitLaw::Network,
            ..quadratic(Optimizer::Sgd)
        };
        let adam = ExperimentParams {
            a: -0.1,
            lambda: 0.2,
            projection: Some(1.0),
            ..quadratic(Optimizer::Amsgrad)
        };
        for p in [quartic, sharp, network, adam] {
            let v = p.valid().unwrap();
            let (lo, hi) = p.landscape.two_point_values(p.a);
            let mut s = Story::new(&v, 9).unwrap();
            s.advance_to(100, u64::MAX);
            let mut seen = [false; 2];
            for st in &s.steps {
                if st.x.is_nan() {
                    continue;
                }
                let tol = 1e-6 * (1.0 + lo.abs().max(hi.abs()));
                let which = if (st.x - lo).abs() < tol {
                    0
                } else if (st.x - hi).abs() < tol {
                    1
                } else {
                    panic!("{:?}: x = {} is neither {lo} nor {hi}", p.landscape, st.x)
                };
                seen[which] = true;
            }
            // Both values among ≥ 90 readable draws: a fair coin misses one with p < 2⁻⁸⁹.
            assert_eq!(seen, [true, true], "{:?}", p.landscape);
        }
    }

    #[test]
    fn amsgrads_rate_is_lambda_over_root_v_hat_and_never_grows() {
        let mut p = quadratic(Optimizer::Amsgrad);
        p.a = -0.1;
        p.lambda = 0.2;
        p.projection = Some(1.0);
        let mut s = Story::new(&p.valid().unwrap(), 0).unwrap();
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
            assert!(st.w[0].abs() <= 1.0);
        }
    }

    #[test]
    fn added_noise_hides_the_sample_and_a_walker_past_the_end_is_refused() {
        let p = ExperimentParams {
            sigma_add: 0.1,
            ..quadratic(Optimizer::Sgd)
        };
        let mut s = Story::new(&p.valid().unwrap(), 0).unwrap();
        s.advance_to(10, 10);
        assert!(
            s.steps
                .iter()
                .all(|st| st.x.is_nan() && st.g[0].is_finite())
        );
        let e = Story::new(&p.valid().unwrap(), 1000).err().unwrap();
        assert!(e.contains("0 to 999"), "{e}");
    }
}
