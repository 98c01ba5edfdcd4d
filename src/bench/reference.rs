//! Minimal hand-written loops of each kernel's update, the floor `saddlescope bench` holds the
//! engine against: a block of 64 walkers on the stack for all steps, started where the engine's
//! walkers start, x drawn for the block each step from the engine's own stream of that group
//! (one 64-bit word gives 64 two-point draws; uniforms and normals from the same vectorised
//! generator — its cost is the generator's, measured on its own row; GD's constant x filled
//! once), a branch-free update LLVM vectorises (AVX2 or AVX-512 where the CPU has it),
//! flush-to-zero emulated by one select, the projection as a clamp. Each combination of
//! optimizer kind, added noise and projection is compiled on its own, as the engine's kernels
//! are, so no loop pays for a flag it does not have. No range handling beyond that, no
//! divergence bookkeeping, no skipping of finished walkers, no statistics: what the arithmetic
//! costs, not a design. `tests/bench_reference.rs` checks that it computes the engine's update.

use crate::model::{Landscape, NoiseLaw, Optimizer};
use crate::sim::ExperimentParams;
use crate::sim::lanes::{LANES, Rng8};

/// How the reference draws x.
#[derive(Clone, Copy)]
enum X {
    Const(f64),
    Two(f64, f64),
    Uniform(f64, f64),
    Gauss(f64, f64),
    Discrete(crate::model::Discrete),
}

/// Everything one block needs, copied out of the case.
#[derive(Clone, Copy)]
struct Case {
    landscape: Landscape,
    a: f64,
    b: f64,
    lambda: f64,
    adaptive: bool,
    ams: bool,
    beta1: f64,
    beta2: f64,
    eps: f64,
    sigma: f64,
    proj: f64,
    x: X,
}

impl Case {
    fn of(p: &ExperimentParams) -> Case {
        let mean = p.noise_mean();
        let (lo, hi) = p.landscape.two_point_values(p.a);
        let x = if !p.optimizer.is_stochastic() {
            X::Const(mean)
        } else {
            match p.noise {
                NoiseLaw::TwoPoint => X::Two(lo, hi),
                NoiseLaw::Uniform { half_width } => X::Uniform(mean - half_width, 2.0 * half_width),
                NoiseLaw::Gaussian { std } => X::Gauss(mean, std),
                NoiseLaw::Discrete { values } => X::Discrete(values),
            }
        };
        Case {
            landscape: p.landscape,
            a: p.a,
            b: p.b,
            lambda: p.lambda,
            adaptive: p.optimizer.is_adaptive(),
            ams: p.optimizer == Optimizer::Amsgrad,
            beta1: p.adam.beta1,
            beta2: p.adam.beta2,
            eps: p.adam.eps,
            sigma: if p.optimizer.is_stochastic() {
                p.sigma_add
            } else {
                0.0
            },
            proj: p.projection.unwrap_or(f64::INFINITY),
            x,
        }
    }
}

/// Where the walkers start: the engine's initial walkers for the same parameters (made before
/// the timing starts).
pub struct Start {
    w1: Vec<f64>,
    w2: Vec<f64>,
    seed: u64,
}

impl Start {
    pub fn of(params: &ExperimentParams) -> Start {
        let e = crate::sim::Ensemble::new(&params.valid().expect("valid case"));
        Start {
            w1: e.w1().to_vec(),
            w2: e.w2().to_vec(),
            seed: params.seed,
        }
    }

    /// Block `index`'s 64 walkers (a short last block padded with 0.5).
    fn block(&self, index: usize) -> ([f64; LANES], [f64; LANES]) {
        let take =
            |v: &[f64]| std::array::from_fn(|i| v.get(index * LANES + i).copied().unwrap_or(0.5));
        (take(&self.w1), take(&self.w2))
    }
}

/// Run the reference loop of `params`' update for `steps` steps on `params.walkers` walkers
/// from `start`, split over `threads` threads; returns a checksum (so that nothing is optimised
/// away).
pub fn run(params: &ExperimentParams, start: &Start, steps: u64, threads: usize) -> f64 {
    let c = Case::of(params);
    on_threads(params.walkers.div_ceil(LANES), threads, |b| {
        let (w1, w2) = block(&c, start, b, steps);
        w1.iter().chain(&w2).sum()
    })
}

/// The walkers after `steps` steps of the reference loop, on one thread: (w1, w2), w2 empty in
/// 1-D — to check the loop against the engine.
pub fn walkers_after(params: &ExperimentParams, steps: u64) -> (Vec<f64>, Vec<f64>) {
    let (c, start) = (Case::of(params), Start::of(params));
    let n = params.walkers;
    let (mut w1, mut w2) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for b in 0..n.div_ceil(LANES) {
        let (x, y) = block(&c, &start, b, steps);
        let k = LANES.min(n - b * LANES);
        w1.extend_from_slice(&x[..k]);
        w2.extend_from_slice(&y[..k]);
    }
    if params.landscape.dim() == 1 {
        w2.clear();
    }
    (w1, w2)
}

/// Σ `f(b)` over blocks `0..blocks`, in contiguous runs, one per thread.
fn on_threads(blocks: usize, threads: usize, f: impl Fn(usize) -> f64 + Sync) -> f64 {
    let threads = threads.clamp(1, blocks.max(1));
    if threads == 1 {
        return (0..blocks).map(f).sum();
    }
    let per = blocks.div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let range = (t * per)..((t + 1) * per).min(blocks);
                s.spawn(move || range.map(f).sum::<f64>())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0.0)).sum()
    })
}

type Walkers = ([f64; LANES], [f64; LANES]);

crate::sim::lanes::multiversion! {
    fn block(c: &Case, start: &Start, index: usize, steps: u64) -> Walkers => block_portable
}

/// One block, its loop compiled for the case's flags: optimizer kind, added noise, projection.
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
fn block_portable(c: &Case, start: &Start, index: usize, steps: u64) -> Walkers {
    match (c.adaptive, c.sigma > 0.0, c.proj.is_finite()) {
        (false, false, false) => landscape::<false, false, false>(c, start, index, steps),
        (false, false, true) => landscape::<false, false, true>(c, start, index, steps),
        (false, true, false) => landscape::<false, true, false>(c, start, index, steps),
        (false, true, true) => landscape::<false, true, true>(c, start, index, steps),
        (true, false, false) => landscape::<true, false, false>(c, start, index, steps),
        (true, false, true) => landscape::<true, false, true>(c, start, index, steps),
        (true, true, false) => landscape::<true, true, false>(c, start, index, steps),
        (true, true, true) => landscape::<true, true, true>(c, start, index, steps),
    }
}

/// The page's block: plain SGD only, the one combination its benchmark measures
/// ([`crate::bench::browser_kernel_rows`]); the seven others would be 0.3 MB of download that
/// nothing in the page runs. Any other case gives NaN walkers, as a typed landscape does.
#[cfg(target_arch = "wasm32")]
#[inline(always)]
fn block_portable(c: &Case, start: &Start, index: usize, steps: u64) -> Walkers {
    if c.adaptive || c.sigma > 0.0 || c.proj.is_finite() {
        return ([f64::NAN; LANES], [f64::NAN; LANES]);
    }
    landscape::<false, false, false>(c, start, index, steps)
}

#[inline(always)]
fn landscape<const ADAPTIVE: bool, const ADD: bool, const PROJ: bool>(
    c: &Case,
    start: &Start,
    index: usize,
    steps: u64,
) -> Walkers {
    let s = (start, index, steps);
    match c.landscape {
        Landscape::Quadratic => one_d::<ADAPTIVE, ADD, PROJ>(c, s, |w, x| x * w),
        Landscape::Quartic => one_d::<ADAPTIVE, ADD, PROJ>(c, s, |w, x| x * w + w * w * w),
        Landscape::SharpMinima => {
            let (a, b) = (c.a, c.b);
            let grad = move |w1: f64, w2: f64, x: f64| {
                let (s1, s2) = (w1 * w1, w2 * w2);
                (
                    w1 * (-2.0 + 4.0 * s1 + 12.0 * s2 + x * b),
                    w2 * (-2.0 + 4.0 * s2 + 12.0 * s1 - 2.0 * a),
                )
            };
            two_d::<ADAPTIVE, ADD, PROJ>(c, s, grad)
        }
        Landscape::ToyNetwork => {
            let grad = |w1: f64, w2: f64, y: f64| {
                let s1 = w1 * w1;
                let r = w2 * s1 - y;
                (4.0 * w1 * w2 * r, 2.0 * s1 * r)
            };
            two_d::<ADAPTIVE, ADD, PROJ>(c, s, grad)
        }
        // `kernel_cases` measures a typed landscape against its built-in kernel, not a loop.
        Landscape::Custom | Landscape::Custom2d => ([f64::NAN; LANES], [f64::NAN; LANES]),
    }
}

/// x for every lane of the block; a constant x is filled once, before the steps ([`fill`]).
#[inline(always)]
fn draw(c: &Case, rng: &mut Rng8, xs: &mut [f64; LANES]) {
    match c.x {
        X::Const(_) => {}
        X::Two(lo, hi) => {
            let bits = rng.next_word();
            for (i, x) in xs.iter_mut().enumerate() {
                *x = if (bits >> i) & 1 == 0 { lo } else { hi };
            }
        }
        X::Uniform(lo, width) => {
            rng.uniforms(xs);
            for x in xs.iter_mut() {
                *x = lo + width * *x;
            }
        }
        X::Gauss(mean, sd) => {
            rng.normals(xs);
            for x in xs.iter_mut() {
                *x = mean + sd * *x;
            }
        }
        X::Discrete(d) => {
            rng.uniforms(xs);
            for x in xs.iter_mut() {
                *x = d.pick(*x);
            }
        }
    }
}

/// The draws' array before the first step: a constant x written once.
fn fill(c: &Case) -> [f64; LANES] {
    match c.x {
        X::Const(v) => [v; LANES],
        _ => [0.0; LANES],
    }
}

#[inline(always)]
fn noise(c: &Case, rng: &mut Rng8, e: &mut [f64; LANES]) {
    rng.normals(e);
    for v in e.iter_mut() {
        *v *= c.sigma;
    }
}

/// Flush, then the projection's clamp where there is one.
#[inline(always)]
fn settle<const PROJ: bool>(w: f64, proj: f64) -> f64 {
    let w = ftz(w);
    if PROJ { w.max(-proj).min(proj) } else { w }
}

#[inline(always)]
fn adam(c: &Case, m: &mut f64, v: &mut f64, vh: &mut f64, g: f64) -> f64 {
    *m = c.beta1 * *m + (1.0 - c.beta1) * g;
    *v = c.beta2 * *v + (1.0 - c.beta2) * g * g;
    *vh = if c.ams { vh.max(*v) } else { *v };
    let den = vh.sqrt() + c.eps;
    if den > 0.0 { -c.lambda * *m / den } else { 0.0 }
}

#[inline(always)]
fn ftz(w: f64) -> f64 {
    if w.abs() < f64::MIN_POSITIVE { 0.0 } else { w }
}

/// (start, block index, steps).
type Run<'a> = (&'a Start, usize, u64);

#[inline(always)]
fn one_d<const ADAPTIVE: bool, const ADD: bool, const PROJ: bool>(
    c: &Case,
    (start, index, steps): Run<'_>,
    grad: impl Fn(f64, f64) -> f64,
) -> Walkers {
    let mut rng = Rng8::new(start.seed, index);
    let (mut w, _) = start.block(index);
    let (mut m, mut v, mut vh) = ([0.0; LANES], [0.0; LANES], [0.0; LANES]);
    let (mut xs, mut e) = (fill(c), [0.0; LANES]);
    for _ in 0..steps {
        draw(c, &mut rng, &mut xs);
        if ADD {
            noise(c, &mut rng, &mut e);
        }
        for i in 0..LANES {
            let g = grad(w[i], xs[i]);
            let g = if ADD { g + e[i] } else { g };
            let d = if ADAPTIVE {
                adam(c, &mut m[i], &mut v[i], &mut vh[i], g)
            } else {
                -c.lambda * g
            };
            w[i] = settle::<PROJ>(w[i] + d, c.proj);
        }
    }
    (w, [0.0; LANES])
}

#[inline(always)]
fn two_d<const ADAPTIVE: bool, const ADD: bool, const PROJ: bool>(
    c: &Case,
    (start, index, steps): Run<'_>,
    grad: impl Fn(f64, f64, f64) -> (f64, f64),
) -> Walkers {
    let mut rng = Rng8::new(start.seed, index);
    let (mut w1, mut w2) = start.block(index);
    let (mut m1, mut v1, mut vh1) = ([0.0; LANES], [0.0; LANES], [0.0; LANES]);
    let (mut m2, mut v2, mut vh2) = ([0.0; LANES], [0.0; LANES], [0.0; LANES]);
    let (mut xs, mut e1, mut e2) = (fill(c), [0.0; LANES], [0.0; LANES]);
    for _ in 0..steps {
        draw(c, &mut rng, &mut xs);
        if ADD {
            noise(c, &mut rng, &mut e1);
            noise(c, &mut rng, &mut e2);
        }
        for i in 0..LANES {
            let (g1, g2) = grad(w1[i], w2[i], xs[i]);
            let (g1, g2) = if ADD {
                (g1 + e1[i], g2 + e2[i])
            } else {
                (g1, g2)
            };
            let (d1, d2) = if ADAPTIVE {
                (
                    adam(c, &mut m1[i], &mut v1[i], &mut vh1[i], g1),
                    adam(c, &mut m2[i], &mut v2[i], &mut vh2[i], g2),
                )
            } else {
                (-c.lambda * g1, -c.lambda * g2)
            };
            w1[i] = settle::<PROJ>(w1[i] + d1, c.proj);
            w2[i] = settle::<PROJ>(w2[i] + d2, c.proj);
        }
    }
    (w1, w2)
}

/// The quadratic fast path's floor: 128 f32 walkers per block, each step one select and one
/// multiply per walker from two 64-bit words (no renormalisation, no range handling).
pub fn run_quadratic_f32(params: &ExperimentParams, steps: u64, threads: usize) -> f64 {
    let (lo, hi) = params.landscape.two_point_values(params.a);
    let c = [
        (1.0 - params.lambda * lo) as f32,
        (1.0 - params.lambda * hi) as f32,
    ];
    on_threads(params.walkers.div_ceil(128), threads, |b| {
        f32_block(c, b, steps)
    })
}

crate::sim::lanes::multiversion! {
    fn f32_block(c: [f32; 2], index: usize, steps: u64) -> f64 => f32_block_portable
}

#[inline(always)]
fn f32_block_portable(c: [f32; 2], index: usize, steps: u64) -> f64 {
    let mut rng = Rng8::new(99, index);
    // Factors near 1 in a bench's steps stay inside f32 for 0.1 … 0.9 starts only briefly;
    // the magnitudes are irrelevant to the cost (no subnormal arithmetic: FTZ by a select).
    let mut w: [f32; 128] = std::array::from_fn(|i| 0.1 + 0.8 * i as f32 / 128.0);
    for _ in 0..steps {
        let (r0, r1) = (rng.next_word(), rng.next_word());
        let words = [r0 as u32, (r0 >> 32) as u32, r1 as u32, (r1 >> 32) as u32];
        for i in 0..32 {
            for (k, &word) in words.iter().enumerate() {
                let v = w[32 * k + i] * if word & (1u32 << i) != 0 { c[1] } else { c[0] };
                w[32 * k + i] = if v.abs() < f32::MIN_POSITIVE { 0.0 } else { v };
            }
        }
    }
    w.iter().map(|&v| v as f64).sum()
}
