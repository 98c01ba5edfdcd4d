//! The stepping engine: N walkers of one experiment, stored as contiguous arrays and advanced
//! block by block.
//!
//! Walkers are cut into blocks of [`BLOCK`]; each block owns its own random stream, seeded from
//! (seed, block index), and is advanced for many steps while it sits in cache. A result depends
//! only on the parameters and the seed — never on the thread count.
//!
//! Numerical conventions (SPEC.md §5): a coordinate whose magnitude falls below the smallest
//! normal float is set to exactly 0 (w = 0 is absorbing for Q, Q4 and the 1-D optimizers, and
//! subnormals are ~100× slower); a walker with any non-finite coordinate is *diverged* and stays
//! so (±∞ and NaN propagate through every update; a projection is not allowed to revive it).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::model::optimizer::Moments;
use crate::model::{Landscape, Optimizer};

use super::fast::{Factors, FastState, GROUP};
use super::lanes::{self, Draw, LANES, LaneKernel, Rng8};
use super::params::{ExperimentParams, InitLaw, ValidParams};
use super::scalar::{BlockMut, Kernel, Sampler, Scratch, advance_block};

/// Walker-steps between two looks at a cancel flag in [`Ensemble::advance_to`]: a few
/// milliseconds of work.
pub const CANCEL_CHUNK: u64 = 2_000_000;

/// Walker-steps of a unit of work in a frame's slice (see [`crate::coop`]): about 3 ms at the
/// page's slowest kernels (~6·10⁷ walker-steps/s: Gaussian draws, typed landscapes), so a
/// slice ends within a few ms of its budget. At least one step: a step is never split.
pub const IN_FRAME_CHUNK: u64 = 200_000;

/// Walkers per block (and per random stream): 32 KiB of f64 per coordinate, cache-resident.
pub const BLOCK: usize = 4096;

/// An ensemble of independent walkers of one experiment.
pub struct Ensemble {
    params: ExperimentParams,
    kernel: Kernel,
    t: u64,
    rngs: Vec<Xoshiro256PlusPlus>,
    w1: Vec<f64>,
    /// Empty for 1-D landscapes.
    w2: Vec<f64>,
    /// w1 at t = 0.
    w0: Vec<f64>,
    /// ln|w1 at t = 0| (−∞ for a walker that starts at 0), computed on first use: most runs
    /// (every phase-diagram cell) never ask for it.
    log_w0: std::sync::OnceLock<Vec<f64>>,
    /// Empty unless the optimizer is adaptive.
    mom1: Vec<Moments>,
    mom2: Vec<Moments>,
    /// The last positions of the first few walkers, newest last (for trajectories).
    tracks: Vec<VecDeque<[f64; 2]>>,
    track_len: usize,
    /// The f32 fast path's walkers, where it applies (then the source of truth; `w1` is
    /// rewritten from it after every advance).
    fast: Option<FastState>,
    /// The vectorised f64 kernels' state ([`super::lanes`]), for every other experiment under
    /// [`Engine::Auto`]; `None` under [`Engine::Reference`] (and on the fast path).
    lanes: Option<LaneState>,
}

/// One random source and one "can no longer change" flag per group of [`LANES`] walkers.
struct LaneState {
    kernel: LaneKernel,
    rngs: Vec<Rng8>,
    dead: Vec<bool>,
}

impl LaneState {
    /// The state of `walkers` walkers that are groups `first_group ..` of their ensemble.
    fn new(k: &Kernel, walkers: usize, seed: u64, first_group: usize) -> LaneState {
        let groups = walkers.div_ceil(LANES);
        let draw = match k.sampler {
            Sampler::Constant(c) => Draw::Constant(c),
            Sampler::TwoPoint(lo, hi) => Draw::TwoPoint(lo, hi),
            Sampler::Gaussian { mean, sd } => Draw::Gaussian { mean, sd },
            Sampler::Uniform { lo, width } => Draw::Uniform { lo, width },
            Sampler::Discrete(d) => Draw::Discrete(d),
        };
        LaneState {
            kernel: LaneKernel {
                landscape: k.lp.landscape,
                a: k.lp.a,
                b: k.lp.b,
                lambda: k.lambda,
                optimizer: k.optimizer,
                adam: k.adam,
                sigma_add: k.sigma_add,
                proj: k.proj,
                draw,
                custom: k.custom.clone(),
            },
            rngs: (0..groups)
                .map(|g| Rng8::new(seed, first_group + g))
                .collect(),
            dead: vec![false; groups],
        }
    }
}

/// Which engine steps an ensemble.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// The f32 fast path ([`super::fast`]) where it applies — quadratic loss, SGD, two-point
    /// noise, no added noise, no projection — and the vectorised f64 kernels
    /// ([`super::lanes`]) elsewhere.
    Auto,
    /// Always the vectorised f64 kernels, even where the fast path applies (to compare the two).
    Lanes,
    /// Always the scalar f64 engine: one sample per walker and step from `rand_distr`, block by
    /// block (the reference both faster paths are tested against).
    Reference,
}

/// The fast path's factors for `p`, if it applies.
fn fast_factors(p: &ExperimentParams, k: &Kernel) -> Option<Factors> {
    let applies = p.landscape == Landscape::Quadratic
        && p.optimizer == Optimizer::Sgd
        && k.sigma_add == 0.0
        && p.projection.is_none();
    match k.sampler {
        Sampler::TwoPoint(x0, x1) if applies => Factors::new(p.lambda, x0, x1),
        _ => None,
    }
}

/// The random stream of block `index` for `seed` (SplitMix64 inside `seed_from_u64` decorrelates
/// neighbouring seeds).
fn block_rng(seed: u64, index: usize) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

fn split<'a, T>(s: &mut &'a mut [T], n: usize) -> &'a mut [T] {
    let taken = std::mem::take(s);
    let n = n.min(taken.len());
    let (head, tail) = taken.split_at_mut(n);
    *s = tail;
    head
}

impl Ensemble {
    /// Draw the initial walkers.
    pub fn new(params: &ValidParams) -> Ensemble {
        Ensemble::with_engine(params, Engine::Auto)
    }

    /// As [`Ensemble::new`], choosing the engine.
    pub fn with_engine(params: &ValidParams, engine: Engine) -> Ensemble {
        Ensemble::with_threads(params, engine, 1)
    }

    /// As [`Ensemble::with_engine`], drawing the initial walkers on up to `threads` threads
    /// (the same walkers whatever the count).
    pub fn with_threads(params: &ValidParams, engine: Engine, threads: usize) -> Ensemble {
        let n = params.walkers;
        let dim = params.landscape.dim();
        let nblocks = n.div_ceil(BLOCK);
        let mut rngs: Vec<_> = (0..nblocks).map(|i| block_rng(params.seed, i)).collect();
        let mut w1 = vec![0.0; n];
        let mut w2 = vec![0.0; if dim == 2 { n } else { 0 }];
        // Each block draws from its own stream: the blocks split over threads freely.
        let threads = threads.clamp(1, nblocks.max(1));
        if threads == 1 || n < 4 * BLOCK {
            draw_blocks(&params.init, &mut rngs, 0, &mut w1, &mut w2);
        } else {
            let per = nblocks.div_ceil(threads);
            std::thread::scope(|s| {
                let mut w2_rest = &mut w2[..];
                for (k, (r, a)) in rngs
                    .chunks_mut(per)
                    .zip(w1.chunks_mut(per * BLOCK))
                    .enumerate()
                {
                    let b = split(&mut w2_rest, if dim == 2 { a.len() } else { 0 });
                    let init = &params.init;
                    s.spawn(move || draw_blocks(init, r, k * per, a, b));
                }
            });
        }
        if let Some(r) = params.projection {
            for w in w1.iter_mut().chain(w2.iter_mut()) {
                *w = w.clamp(-r, r);
            }
        }
        let w0 = w1.clone();
        let adaptive = params.optimizer.is_adaptive();
        let mom1 = if adaptive {
            vec![Moments::default(); n]
        } else {
            Vec::new()
        };
        let mom2 = if adaptive && dim == 2 {
            vec![Moments::default(); n]
        } else {
            Vec::new()
        };
        let kernel = Kernel::new(params);
        let fast = match engine {
            Engine::Auto => fast_factors(params, &kernel),
            Engine::Lanes | Engine::Reference => None,
        }
        .map(|f| FastState::new(f, &w1, params.seed));
        let lanes = (engine != Engine::Reference && fast.is_none())
            .then(|| LaneState::new(&kernel, n, params.seed, 0));
        Ensemble {
            params: ExperimentParams::clone(params),
            kernel,
            t: 0,
            rngs,
            w1,
            w2,
            w0,
            log_w0: std::sync::OnceLock::new(),
            mom1,
            mom2,
            tracks: Vec::new(),
            track_len: 0,
            fast,
            lanes,
        }
    }

    /// Walker `walker` of the ensemble `Ensemble::with_engine(params, engine)` would build,
    /// replayed alone: the walkers that share its random streams (a fast-path group, a lane
    /// group, or a reference block) are rebuilt with those streams and initial values, so that
    /// stepping the replay reproduces the walker bit for bit — at the cost of a few dozen
    /// walkers, whatever the ensemble's size. Returns the replay and the walker's index in it.
    pub fn replay(
        params: &ValidParams,
        engine: Engine,
        walker: usize,
    ) -> Result<(Ensemble, usize), String> {
        let n = params.walkers;
        if walker >= n {
            return Err(format!(
                "walker {walker}: the ensemble has {n} walkers, numbered 0 to {}",
                n.saturating_sub(1)
            ));
        }
        let dim = params.landscape.dim();
        // The block's initial values, from the block's stream (as `with_threads` draws them).
        let b = walker / BLOCK;
        let lo = b * BLOCK;
        let hi = (lo + BLOCK).min(n);
        let mut rng = block_rng(params.seed, b);
        let mut w1 = vec![0.0; hi - lo];
        let mut w2 = vec![0.0; if dim == 2 { hi - lo } else { 0 }];
        draw_blocks(
            &params.init,
            std::slice::from_mut(&mut rng),
            b,
            &mut w1,
            &mut w2,
        );
        if let Some(r) = params.projection {
            for w in w1.iter_mut().chain(w2.iter_mut()) {
                *w = w.clamp(-r, r);
            }
        }
        let kernel = Kernel::new(params);
        let factors = match engine {
            Engine::Auto => fast_factors(params, &kernel),
            Engine::Lanes | Engine::Reference => None,
        };
        // The unit of walkers that shares streams; every unit divides a block.
        let unit = match (factors.is_some(), engine) {
            (true, _) => GROUP,
            (false, Engine::Reference) => BLOCK,
            (false, _) => LANES,
        };
        let start = walker / unit * unit;
        let end = (start + unit).min(n);
        let w1: Vec<f64> = w1[start - lo..end - lo].to_vec();
        let w2: Vec<f64> = if dim == 2 {
            w2[start - lo..end - lo].to_vec()
        } else {
            Vec::new()
        };
        let len = w1.len();
        let adaptive = params.optimizer.is_adaptive();
        let moments = |on: bool| {
            if on {
                vec![Moments::default(); len]
            } else {
                Vec::new()
            }
        };
        let fast = factors.map(|f| FastState::from_group(f, &w1, params.seed, start / GROUP));
        let lanes = (engine != Engine::Reference && fast.is_none())
            .then(|| LaneState::new(&kernel, len, params.seed, start / LANES));
        let e = Ensemble {
            params: ExperimentParams::clone(params),
            kernel,
            t: 0,
            rngs: vec![rng],
            w0: w1.clone(),
            w1,
            w2,
            log_w0: std::sync::OnceLock::new(),
            mom1: moments(adaptive),
            mom2: moments(adaptive && dim == 2),
            tracks: Vec::new(),
            track_len: 0,
            fast,
            lanes,
        };
        Ok((e, walker - start))
    }

    /// The second coordinate's moments (2-D adaptive optimizers; empty otherwise).
    pub fn moments2(&self) -> &[Moments] {
        &self.mom2
    }

    pub fn params(&self) -> &ExperimentParams {
        &self.params
    }

    /// Adam's and AMSGrad's moments of w1 per walker (empty for the other optimizers).
    pub fn moments(&self) -> &[Moments] {
        &self.mom1
    }

    /// Whether the vectorised f64 kernels step this ensemble.
    pub fn uses_lanes(&self) -> bool {
        self.lanes.is_some()
    }

    /// Whether the f32 fast path steps this ensemble.
    pub fn uses_fast_path(&self) -> bool {
        self.fast.is_some()
    }

    /// Steps taken so far.
    pub fn step(&self) -> u64 {
        self.t
    }

    pub fn len(&self) -> usize {
        self.w1.len()
    }

    pub fn is_empty(&self) -> bool {
        self.w1.is_empty()
    }

    /// First coordinates of all walkers.
    pub fn w1(&self) -> &[f64] {
        &self.w1
    }

    /// Second coordinates (empty for 1-D landscapes).
    pub fn w2(&self) -> &[f64] {
        &self.w2
    }

    /// ln|w1| at t = 0, per walker.
    pub fn log_w0(&self) -> &[f64] {
        self.log_w0.get_or_init(|| {
            // The vectorised ln; a walker that starts at 0 (or, never drawn, subnormal) has −∞.
            let mut out = vec![0.0; self.w0.len()];
            lanes::ln_abs_many(&self.w0, &mut out);
            for (l, w) in out.iter_mut().zip(&self.w0) {
                if w.abs() < f64::MIN_POSITIVE {
                    *l = if *w == 0.0 {
                        f64::NEG_INFINITY
                    } else {
                        w.abs().ln()
                    };
                }
            }
            out
        })
    }

    /// Record the positions of the first `walkers` walkers (at most one block) after every step,
    /// keeping the newest `len` of each.
    pub fn set_tracking(&mut self, walkers: usize, len: usize) {
        let k = if len == 0 {
            0
        } else {
            walkers.min(BLOCK).min(self.w1.len())
        };
        self.track_len = len;
        self.tracks = (0..k)
            .map(|i| {
                let mut d = VecDeque::with_capacity(len + 1);
                d.push_back([self.w1[i], self.w2.get(i).copied().unwrap_or(0.0)]);
                d
            })
            .collect();
    }

    /// The tracked walkers' recent positions, oldest first.
    pub fn tracks(&self) -> &[VecDeque<[f64; 2]>] {
        &self.tracks
    }

    /// Advance to step `target` in chunks of about [`CANCEL_CHUNK`] walker-steps, looking at
    /// `cancel` before each: `false` if it stopped on a cancel. The one loop behind every batch
    /// experiment (sweeps, escape rates, the loss sweep, the optimizer runs); the result does
    /// not depend on the split, only on the seed.
    pub fn advance_to(&mut self, target: u64, threads: usize, cancel: &AtomicBool) -> bool {
        crate::coop::block_on(self.advance_to_async(target, threads, cancel))
    }

    /// As [`Ensemble::advance_to`], giving the frame back between chunks (see
    /// [`crate::coop`]); the same steps in the same chunks, so the same walkers.
    pub async fn advance_to_async(
        &mut self,
        target: u64,
        threads: usize,
        cancel: &AtomicBool,
    ) -> bool {
        let unit = if crate::coop::in_frame_slice() {
            IN_FRAME_CHUNK
        } else {
            CANCEL_CHUNK
        };
        let chunk = (unit / self.w1.len().max(1) as u64).max(1);
        while self.t < target {
            if cancel.load(Ordering::Relaxed) {
                return false;
            }
            self.advance(chunk.min(target - self.t), threads);
            crate::coop::yield_now().await;
        }
        true
    }

    /// Advance every walker by `steps` steps, using up to `threads` threads.
    pub fn advance(&mut self, steps: u64, threads: usize) {
        if steps == 0 || self.w1.is_empty() {
            return;
        }
        let k = self.kernel.clone();
        let k = &k;
        let t0 = self.t;
        if let Some(fast) = self.fast.as_mut() {
            let tracked_groups = self.tracks.len().div_ceil(GROUP);
            let (tracks, track_len) = (&mut self.tracks, self.track_len);
            fast.advance(t0, steps, threads, &mut self.w1, tracked_groups, |s| {
                for (i, tr) in tracks.iter_mut().enumerate() {
                    tr.push_back([s.value(i), 0.0]);
                    if tr.len() > track_len {
                        tr.pop_front();
                    }
                }
            });
            self.t += steps;
            return;
        }
        if self.lanes.is_some() {
            self.advance_lanes(steps, threads);
            self.t += steps;
            return;
        }
        let mut blocks = Vec::with_capacity(self.rngs.len());
        {
            let (mut w1, mut w2) = (&mut self.w1[..], &mut self.w2[..]);
            let (mut m1, mut m2) = (&mut self.mom1[..], &mut self.mom2[..]);
            for rng in self.rngs.iter_mut() {
                blocks.push(BlockMut {
                    rng,
                    w1: split(&mut w1, BLOCK),
                    w2: split(&mut w2, BLOCK),
                    mom1: split(&mut m1, BLOCK),
                    mom2: split(&mut m2, BLOCK),
                });
            }
        }
        // With tracking, block 0 goes one step at a time on this thread (the same random
        // stream as in one go), recording its first walkers after each step.
        let (tracks, track_len) = (&mut self.tracks, self.track_len);
        let split = if tracks.is_empty() { 0 } else { 1 };
        let (first, rest) = blocks.split_at_mut(split);
        let mut run_first = move || {
            if let Some(b) = first.first_mut() {
                let mut scratch = Scratch::new(k);
                for s in 0..steps {
                    advance_block(b, k, &mut scratch, t0 + s, 1);
                    for (i, tr) in tracks.iter_mut().enumerate() {
                        tr.push_back([b.w1[i], b.w2.get(i).copied().unwrap_or(0.0)]);
                        if tr.len() > track_len {
                            tr.pop_front();
                        }
                    }
                }
            }
        };
        let threads = threads.clamp(1, rest.len().max(1));
        if threads == 1 {
            let mut scratch = Scratch::new(k);
            for b in rest.iter_mut() {
                advance_block(b, k, &mut scratch, t0, steps);
            }
            run_first();
        } else {
            let per = rest.len().div_ceil(threads);
            std::thread::scope(|s| {
                for group in rest.chunks_mut(per) {
                    s.spawn(move || {
                        let mut scratch = Scratch::new(k);
                        for b in group {
                            advance_block(b, k, &mut scratch, t0, steps);
                        }
                    });
                }
                run_first();
            });
        }
        self.t += steps;
    }
}

impl Ensemble {
    /// [`Ensemble::advance`] on the vectorised kernels: groups in contiguous runs, one per
    /// thread; with tracking, the tracked groups one step at a time on this thread.
    fn advance_lanes(&mut self, steps: u64, threads: usize) {
        let Some(ls) = self.lanes.as_mut() else {
            return;
        };
        let t0 = self.t;
        let k = ls.kernel.clone();
        let k = &k;
        let bias = lanes::bias_table(k, t0, steps);
        let mut groups = Vec::with_capacity(ls.rngs.len());
        {
            let (mut w1, mut w2) = (&mut self.w1[..], &mut self.w2[..]);
            let (mut m1, mut m2) = (&mut self.mom1[..], &mut self.mom2[..]);
            for (rng, dead) in ls.rngs.iter_mut().zip(ls.dead.iter_mut()) {
                groups.push(lanes::Group {
                    rng,
                    dead,
                    w1: split(&mut w1, LANES),
                    w2: split(&mut w2, LANES),
                    m1: split(&mut m1, LANES),
                    m2: split(&mut m2, LANES),
                });
            }
        }
        let tracked = self.tracks.len().div_ceil(LANES).min(groups.len());
        let (first, rest) = groups.split_at_mut(tracked);
        let (tracks, track_len) = (&mut self.tracks, self.track_len);
        let bias_first = &bias;
        let mut run_first = move || {
            for s in 0..steps {
                let b = bias_first.get(s as usize..s as usize + 1).unwrap_or(&[]);
                lanes::run(k, first, t0 + s, 1, b);
                let (mut i, mut g) = (0, 0);
                for tr in tracks.iter_mut() {
                    let grp = &first[g];
                    tr.push_back([grp.w1[i], grp.w2.get(i).copied().unwrap_or(0.0)]);
                    if tr.len() > track_len {
                        tr.pop_front();
                    }
                    i += 1;
                    if i == LANES {
                        (i, g) = (0, g + 1);
                    }
                }
            }
        };
        let threads = threads.clamp(1, rest.len().max(1));
        if threads == 1 {
            lanes::run(k, rest, t0, steps, &bias);
            run_first();
        } else {
            let per = rest.len().div_ceil(threads);
            std::thread::scope(|s| {
                let mut chunks = rest.chunks_mut(per);
                let mine = chunks.next();
                for chunk in chunks {
                    let bias = &bias;
                    s.spawn(move || lanes::run(k, chunk, t0, steps, bias));
                }
                if let Some(chunk) = mine {
                    lanes::run(k, chunk, t0, steps, &bias);
                }
                run_first();
            });
        }
    }
}

/// Draw the walkers of whole blocks `first ..`, each from its block's stream, into `w1` (and
/// `w2`, empty for 1-D).
fn draw_blocks(
    init: &InitLaw,
    rngs: &mut [Xoshiro256PlusPlus],
    first: usize,
    w1: &mut [f64],
    w2: &mut [f64],
) {
    for (k, rng) in rngs.iter_mut().enumerate() {
        let lo = k * BLOCK;
        let hi = (lo + BLOCK).min(w1.len());
        if let InitLaw::FlatMinima { radius } = *init
            && w2.len() >= hi
        {
            // The same draws in the same order as `draw_init`, the transform (a square root,
            // a sine and a cosine per walker) as one vectorised loop.
            let n = hi - lo;
            let mut u = vec![0.0; 2 * n];
            for pair in u.chunks_exact_mut(2) {
                pair[0] = rng.random::<f64>();
                pair[1] = rng.random::<f64>();
            }
            lanes::flat_minima_many(
                radius,
                first * BLOCK + lo,
                &u,
                &mut w1[lo..hi],
                &mut w2[lo..hi],
            );
            continue;
        }
        for (j, v1) in w1[lo..hi].iter_mut().enumerate() {
            let (a, b) = draw_init(init, rng, first * BLOCK + lo + j);
            *v1 = a;
            if let Some(v) = w2.get_mut(lo + j) {
                *v = b;
            }
        }
    }
}

/// Walker `i`'s initial (w1, w2).
fn draw_init(init: &InitLaw, rng: &mut Xoshiro256PlusPlus, i: usize) -> (f64, f64) {
    let mut u = |lo: f64, hi: f64| lo + (hi - lo) * rng.random::<f64>();
    match *init {
        InitLaw::Uniform { half_width: r } => (u(-r, r), u(-r, r)),
        InitLaw::Point { w1, w2 } => (w1, w2),
        InitLaw::Network => (u(-1.0, 1.0), u(0.0, 1.0)),
        InitLaw::FlatMinima { radius } => {
            let (r, t) = (u(0.0, 1.0), u(0.0, 1.0));
            lanes::flat_minima_point(radius, i, r, t)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quad(n: usize, seed: u64) -> ExperimentParams {
        ExperimentParams {
            walkers: n,
            seed,
            ..ExperimentParams::default()
        }
    }

    #[test]
    fn same_seed_same_walkers_whatever_the_thread_count() {
        let p = quad(3 * BLOCK + 17, 42);
        let mut a = Ensemble::new(&p.valid().unwrap());
        let mut b = Ensemble::new(&p.valid().unwrap());
        a.advance(25, 1);
        b.advance(10, 2);
        b.advance(15, 3);
        assert_eq!(a.w1(), b.w1());
        let mut c = Ensemble::new(&ExperimentParams { seed: 43, ..p }.valid().unwrap());
        c.advance(25, 1);
        assert_ne!(a.w1(), c.w1());
    }

    #[test]
    fn quadratic_sgd_is_the_product_of_factors() {
        // One walker, point start: w_t = w_0 ∏(1 − λ x_i) with x_i ∈ {1, a − 1}, so
        // |w_t| = (0.2)^k (2.6)^(t−k) for some k — to f64 rounding in the reference engine, to
        // f32 rounding (≈ 6·10⁻⁸ per factor and per product, 24 of them) in the fast path.
        let p = ExperimentParams {
            walkers: 1,
            init: InitLaw::Point { w1: 1.0, w2: 0.0 },
            ..ExperimentParams::default()
        };
        for (engine, tol) in [(Engine::Reference, 1e-12), (Engine::Auto, 24.0 * 6e-8)] {
            let mut e = Ensemble::with_engine(&p.valid().unwrap(), engine);
            assert_eq!(e.uses_fast_path(), engine == Engine::Auto);
            e.advance(12, 1);
            let w = e.w1()[0].abs();
            let found = (0..=12).any(|k| {
                let expect = 0.2f64.powi(k) * 2.6f64.powi(12 - k);
                (w - expect).abs() < tol * expect
            });
            assert!(found, "{engine:?}: {w}");
        }
    }

    #[test]
    fn tracking_does_not_change_the_walkers() {
        let p = ExperimentParams {
            walkers: 2 * BLOCK + 5,
            landscape: Landscape::ToyNetwork,
            lambda: 0.05,
            init: InitLaw::Network,
            ..ExperimentParams::default()
        };
        let mut a = Ensemble::new(&p.valid().unwrap());
        let mut b = Ensemble::new(&p.valid().unwrap());
        b.set_tracking(4, 10);
        a.advance(30, 2);
        b.advance(30, 2);
        assert_eq!(a.w1(), b.w1());
        assert_eq!(a.w2(), b.w2());
        assert_eq!(b.tracks().len(), 4);
        assert_eq!(b.tracks()[0].len(), 10);
        assert_eq!(*b.tracks()[2].back().unwrap(), [b.w1()[2], b.w2()[2]]);
    }

    #[test]
    fn zero_is_absorbing_and_divergence_is_kept() {
        let p = ExperimentParams {
            walkers: 4,
            init: InitLaw::Point { w1: 0.0, w2: 0.0 },
            ..ExperimentParams::default()
        };
        let mut e = Ensemble::new(&p.valid().unwrap());
        e.advance(100, 1);
        assert!(e.w1().iter().all(|&w| w == 0.0));
        // Quartic at λ = 3: every walker blows up to ±∞ or NaN and stays non-finite.
        let p = ExperimentParams {
            landscape: Landscape::Quartic,
            lambda: 3.0,
            walkers: 500,
            init: InitLaw::Uniform { half_width: 2.0 },
            ..ExperimentParams::default()
        };
        let mut e = Ensemble::new(&p.valid().unwrap());
        e.advance(200, 1);
        let diverged = e.w1().iter().filter(|w| !w.is_finite()).count();
        assert!(diverged > 400, "{diverged}");
        e.advance(200, 1);
        assert!(e.w1().iter().filter(|w| !w.is_finite()).count() >= diverged);
    }

    #[test]
    fn projection_keeps_walkers_in_the_box() {
        let p = ExperimentParams {
            optimizer: Optimizer::Adam,
            a: -0.1,
            lambda: 0.2,
            projection: Some(1.0),
            walkers: 1000,
            ..ExperimentParams::default()
        };
        let mut e = Ensemble::new(&p.valid().unwrap());
        e.advance(500, 1);
        assert!(e.w1().iter().all(|w| w.abs() <= 1.0));
    }

    #[test]
    fn optimizers_share_the_noise_stream() {
        // SGD and AMSGrad with the same seed draw identical x_t, in the f64 kernels and in the
        // scalar reference engine alike: with λ tiny the SGD walkers barely move, and the
        // per-step sample can be recovered from the update. (The fast path has streams of its
        // own; it never runs an adaptive optimizer.)
        let base = ExperimentParams {
            walkers: 3 * LANES + 5,
            lambda: 1e-3,
            init: InitLaw::Point { w1: 1.0, w2: 0.0 },
            ..ExperimentParams::default()
        };
        for engine in [Engine::Lanes, Engine::Reference] {
            let mut sgd = Ensemble::with_engine(&base.valid().unwrap(), engine);
            sgd.advance(1, 1);
            // One step from w = 1: w_1 = 1 − λ x, so x = (1 − w_1)/λ.
            let xs: Vec<f64> = sgd
                .w1()
                .iter()
                .map(|w| ((1.0 - w) / 1e-3).round())
                .collect();
            let ams = ExperimentParams {
                optimizer: Optimizer::Amsgrad,
                ..base.clone()
            };
            let mut e = Ensemble::with_engine(&ams.valid().unwrap(), engine);
            e.advance(1, 1);
            // AMSGrad's first step is −λ(1 − β1) g / sqrt((1 − β2) g²) = −λ sign(g)/sqrt(1 − β2)
            // for β1 = 0, so its sign reveals the sign of x (g = x w with w = 1).
            for (x, w) in xs.iter().zip(e.w1()) {
                assert_eq!(x.signum(), (1.0 - w).signum(), "{engine:?}");
            }
        }
    }

    #[test]
    fn a_replayed_walker_is_the_ensembles_own_bit_for_bit() {
        use crate::model::NoiseLaw;
        let n = 2 * BLOCK + 300;
        let quadratic = ExperimentParams {
            walkers: n,
            a: -1.0,
            lambda: 0.8,
            init: InitLaw::Uniform { half_width: 1.0 },
            projection: None,
            seed: 11,
            ..ExperimentParams::default()
        };
        let cases = [
            // The fast path (f32), the lanes and the reference engine on Fig. 1-left.
            (quadratic.clone(), Engine::Auto),
            (quadratic.clone(), Engine::Lanes),
            (quadratic.clone(), Engine::Reference),
            (
                ExperimentParams {
                    landscape: Landscape::Quartic,
                    noise: NoiseLaw::Gaussian { std: 1.0 },
                    lambda: 0.3,
                    ..quadratic.clone()
                },
                Engine::Auto,
            ),
            (
                ExperimentParams {
                    optimizer: Optimizer::Amsgrad,
                    a: -0.1,
                    lambda: 0.2,
                    projection: Some(1.0),
                    ..quadratic.clone()
                },
                Engine::Auto,
            ),
            (
                ExperimentParams {
                    landscape: Landscape::SharpMinima,
                    optimizer: Optimizer::Adam,
                    a: 0.5,
                    b: 4.0,
                    lambda: 0.05,
                    projection: Some(1.0),
                    init: InitLaw::FlatMinima { radius: 0.25 },
                    ..quadratic.clone()
                },
                Engine::Auto,
            ),
        ];
        for (p, engine) in cases {
            let v = p.valid().unwrap();
            let mut full = Ensemble::with_threads(&v, engine, 2);
            // The whole ensemble in uneven chunks on two threads; the replays a step at a time.
            let walkers = [0, 77, BLOCK + 130, n - 1];
            let mut replays: Vec<_> = walkers
                .iter()
                .map(|&i| Ensemble::replay(&v, engine, i).unwrap())
                .collect();
            for chunk in [1, 36, 163] {
                full.advance(chunk, 2);
                for (&i, (r, k)) in walkers.iter().zip(replays.iter_mut()) {
                    for _ in 0..chunk {
                        r.advance(1, 1);
                    }
                    let what = format!(
                        "{:?} {engine:?} walker {i} at t = {}",
                        p.landscape,
                        full.step()
                    );
                    assert_eq!(r.step(), full.step());
                    assert_eq!(r.w1()[*k].to_bits(), full.w1()[i].to_bits(), "{what}");
                    if !full.w2().is_empty() {
                        assert_eq!(r.w2()[*k].to_bits(), full.w2()[i].to_bits(), "{what}");
                    }
                    if !full.moments().is_empty() {
                        assert_eq!(r.moments()[*k], full.moments()[i], "{what}");
                    }
                    if !full.moments2().is_empty() {
                        assert_eq!(r.moments2()[*k], full.moments2()[i], "{what}");
                    }
                }
            }
        }
        let v = quadratic.valid().unwrap();
        assert!(
            Ensemble::replay(&v, Engine::Auto, n)
                .err()
                .unwrap()
                .contains("numbered 0 to")
        );
    }
}
