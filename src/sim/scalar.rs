//! The scalar reference engine: one `rand_distr` sample per walker and step, block by block
//! ([`super::Engine::Reference`]) — the yardstick the f32 fast path and the vectorised f64
//! kernels are tested against. Also the per-experiment constants both f64 engines start from
//! ([`Kernel`], [`Sampler`]).

use rand::{Rng, RngExt};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::model::landscape::{grad_quadratic, grad_quartic, grad_sharp_minima, grad_toy_network};
use crate::model::optimizer::{Moments, adam_displacement, bias_factors};
use std::sync::Arc;

use crate::model::custom::{Custom, CustomKernel};
use crate::model::{AdamConfig, Discrete, Landscape, LandscapeParams, NoiseLaw, Optimizer};

use super::ensemble::BLOCK;
use super::params::ExperimentParams;

/// How x is drawn each step.
#[derive(Clone, Copy, Debug)]
pub(super) enum Sampler {
    /// GD: x is always E[x].
    Constant(f64),
    /// One of two values, one random bit each.
    TwoPoint(f64, f64),
    Gaussian {
        mean: f64,
        sd: f64,
    },
    Uniform {
        lo: f64,
        width: f64,
    },
    /// x = vᵢ with probability pᵢ, by one uniform draw each.
    Discrete(Discrete),
}

impl Sampler {
    pub(super) fn new(p: &ExperimentParams) -> Sampler {
        let mean = p.noise_mean();
        if !p.optimizer.is_stochastic() {
            return Sampler::Constant(mean);
        }
        match p.noise {
            NoiseLaw::TwoPoint => {
                let (lo, hi) = p.landscape.two_point_values(p.a);
                Sampler::TwoPoint(lo, hi)
            }
            NoiseLaw::Discrete { values } => match values.as_two_point() {
                Some((lo, hi)) => Sampler::TwoPoint(lo, hi),
                None => Sampler::Discrete(values),
            },
            NoiseLaw::Gaussian { std } => Sampler::Gaussian { mean, sd: std },
            NoiseLaw::Uniform { half_width } => Sampler::Uniform {
                lo: mean - half_width,
                width: 2.0 * half_width,
            },
        }
    }

    #[inline]
    fn fill(&self, rng: &mut Xoshiro256PlusPlus, xs: &mut [f64]) {
        match *self {
            Sampler::Constant(_) => {} // filled once per block
            Sampler::TwoPoint(lo, hi) => {
                for chunk in xs.chunks_mut(64) {
                    let mut bits = rng.next_u64();
                    for x in chunk {
                        *x = if bits & 1 == 0 { lo } else { hi };
                        bits >>= 1;
                    }
                }
            }
            Sampler::Gaussian { mean, sd } => {
                for x in xs {
                    let z: f64 = rng.sample(StandardNormal);
                    *x = mean + sd * z;
                }
            }
            Sampler::Uniform { lo, width } => {
                for x in xs {
                    *x = lo + width * rng.random::<f64>();
                }
            }
            Sampler::Discrete(d) => {
                for x in xs {
                    *x = d.pick(rng.random::<f64>());
                }
            }
        }
    }
}

/// Everything the inner loops need, copied out of the parameters once.
#[derive(Clone, Debug)]
pub(super) struct Kernel {
    pub(super) lp: LandscapeParams,
    pub(super) lambda: f64,
    pub(super) optimizer: Optimizer,
    pub(super) adam: AdamConfig,
    /// Injected noise std; 0 for GD, which is noiseless.
    pub(super) sigma_add: f64,
    /// Projection half-width (∞ = none).
    pub(super) proj: f64,
    pub(super) sampler: Sampler,
    /// A typed landscape's gradient (`None` for the built-in ones).
    pub(super) custom: Option<Arc<CustomKernel>>,
}

impl Kernel {
    pub(super) fn new(p: &ExperimentParams) -> Kernel {
        Kernel {
            lp: LandscapeParams {
                landscape: p.landscape,
                a: p.a,
                b: p.b,
            },
            lambda: p.lambda,
            optimizer: p.optimizer,
            adam: p.adam,
            sigma_add: if p.optimizer.is_stochastic() {
                p.sigma_add
            } else {
                0.0
            },
            proj: p.projection.unwrap_or(f64::INFINITY),
            sampler: Sampler::new(p),
            // Validated parameters hold a loss that parses whenever the landscape is typed.
            custom: p
                .landscape
                .is_custom()
                .then(|| Custom::new(&p.loss).ok())
                .flatten()
                .map(|c| Arc::new(c.kernel(p.a, p.b))),
        }
    }
}

/// Flush sub-normal magnitudes to exactly 0 and project onto [−proj, proj]. A non-finite value
/// is returned unchanged, so a diverged walker stays diverged even under projection.
#[inline(always)]
fn settle(w: f64, proj: f64) -> f64 {
    let w = if w.abs() < f64::MIN_POSITIVE { 0.0 } else { w };
    if w.is_finite() {
        w.clamp(-proj, proj)
    } else {
        w
    }
}

/// One block's mutable view: its random stream and its slices of the walker arrays.
pub(super) struct BlockMut<'a> {
    pub(super) rng: &'a mut Xoshiro256PlusPlus,
    pub(super) w1: &'a mut [f64],
    pub(super) w2: &'a mut [f64],
    pub(super) mom1: &'a mut [Moments],
    pub(super) mom2: &'a mut [Moments],
}

/// Per-thread scratch buffers of one block's size.
pub(super) struct Scratch {
    xs: Vec<f64>,
    add1: Vec<f64>,
    add2: Vec<f64>,
}

impl Scratch {
    pub(super) fn new(k: &Kernel) -> Scratch {
        let fill = if let Sampler::Constant(m) = k.sampler {
            m
        } else {
            0.0
        };
        Scratch {
            xs: vec![fill; BLOCK],
            add1: vec![0.0; BLOCK],
            add2: vec![0.0; BLOCK],
        }
    }
}

pub(super) fn advance_block(
    b: &mut BlockMut<'_>,
    k: &Kernel,
    s: &mut Scratch,
    t0: u64,
    steps: u64,
) {
    let n = b.w1.len();
    let two_d = k.lp.landscape.dim() == 2;
    for step in 1..=steps {
        let t = t0 + step;
        k.sampler.fill(b.rng, &mut s.xs[..n]);
        let add = k.sigma_add > 0.0;
        if add {
            for e in &mut s.add1[..n] {
                *e = k.sigma_add * b.rng.sample::<f64, _>(StandardNormal);
            }
            if two_d {
                for e in &mut s.add2[..n] {
                    *e = k.sigma_add * b.rng.sample::<f64, _>(StandardNormal);
                }
            }
        }
        let xs = &s.xs[..n];
        let (add1, add2) = (&s.add1[..n], &s.add2[..n]);
        let (a, bb) = (k.lp.a, k.lp.b);
        match k.lp.landscape {
            Landscape::Quadratic => step_1d(b, k, t, xs, add.then_some(add1), grad_quadratic),
            Landscape::Quartic => step_1d(b, k, t, xs, add.then_some(add1), grad_quartic),
            Landscape::SharpMinima => {
                step_2d(b, k, t, xs, add.then_some((add1, add2)), |w1, w2, x| {
                    grad_sharp_minima(w1, w2, x, a, bb)
                })
            }
            Landscape::ToyNetwork => {
                step_2d(b, k, t, xs, add.then_some((add1, add2)), grad_toy_network)
            }
            Landscape::Custom | Landscape::Custom2d => {
                let c = k
                    .custom
                    .as_deref()
                    .expect("a typed landscape has its kernel");
                if two_d {
                    step_2d(b, k, t, xs, add.then_some((add1, add2)), |w1, w2, x| {
                        c.grad_at(w1, w2, x)
                    })
                } else {
                    step_1d(b, k, t, xs, add.then_some(add1), |w, x| {
                        c.grad_at(w, 0.0, x)[0]
                    })
                }
            }
        }
    }
}

#[inline(always)]
fn step_1d<G: Fn(f64, f64) -> f64>(
    b: &mut BlockMut<'_>,
    k: &Kernel,
    t: u64,
    xs: &[f64],
    add: Option<&[f64]>,
    grad: G,
) {
    let (lambda, proj) = (k.lambda, k.proj);
    if k.optimizer.is_adaptive() {
        let ams = k.optimizer == Optimizer::Amsgrad;
        let (c1, c2) = bias_factors(&k.adam, t);
        for i in 0..b.w1.len() {
            let w = b.w1[i];
            let g = grad(w, xs[i]) + add.map_or(0.0, |e| e[i]);
            let d = adam_displacement(&mut b.mom1[i], g, lambda, &k.adam, ams, c1, c2);
            b.w1[i] = settle(w + d, proj);
        }
        return;
    }
    match add {
        None => {
            for (w, &x) in b.w1.iter_mut().zip(xs) {
                *w = settle(*w - lambda * grad(*w, x), proj);
            }
        }
        Some(add) => {
            for ((w, &x), &e) in b.w1.iter_mut().zip(xs).zip(add) {
                *w = settle(*w - lambda * (grad(*w, x) + e), proj);
            }
        }
    }
}

#[inline(always)]
fn step_2d<G: Fn(f64, f64, f64) -> [f64; 2]>(
    b: &mut BlockMut<'_>,
    k: &Kernel,
    t: u64,
    xs: &[f64],
    add: Option<(&[f64], &[f64])>,
    grad: G,
) {
    let (lambda, proj) = (k.lambda, k.proj);
    let adaptive = k.optimizer.is_adaptive();
    let ams = k.optimizer == Optimizer::Amsgrad;
    let (c1, c2) = bias_factors(&k.adam, t);
    for i in 0..b.w1.len() {
        let (w1, w2) = (b.w1[i], b.w2[i]);
        let mut g = grad(w1, w2, xs[i]);
        if let Some((e1, e2)) = add {
            g[0] += e1[i];
            g[1] += e2[i];
        }
        let (d1, d2) = if adaptive {
            (
                adam_displacement(&mut b.mom1[i], g[0], lambda, &k.adam, ams, c1, c2),
                adam_displacement(&mut b.mom2[i], g[1], lambda, &k.adam, ams, c1, c2),
            )
        } else {
            (-lambda * g[0], -lambda * g[1])
        };
        let (n1, n2) = (w1 + d1, w2 + d2);
        if n1.is_finite() && n2.is_finite() {
            b.w1[i] = settle(n1, proj);
            b.w2[i] = settle(n2, proj);
        } else {
            // Diverged: mark both coordinates so no statistic can mistake it for finite.
            b.w1[i] = f64::NAN;
            b.w2[i] = f64::NAN;
        }
    }
}
