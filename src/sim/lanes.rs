//! The engine's vectorised f64 kernels: every landscape, optimizer and noise law outside the
//! quadratic fast path ([`super::fast`]).
//!
//! Walkers go in groups of [`LANES`] = 64. A group is copied into stack arrays, advanced for all
//! the steps asked for while it sits in registers and L1, and written back; each step is one loop
//! over the 64 lanes with no branch, which LLVM turns into AVX2 code (4 lanes per instruction).
//! Each group owns a random source of eight interleaved xoshiro256++ streams ([`Rng8`]), so that
//! drawing 64 words is itself a vector loop: one word gives the 64 two-point draws of a step,
//! 64 words the uniforms, and Box–Muller with polynomial `ln`, `sin` and `cos` (accurate to a few
//! units in the last place on the ranges used) the Gaussians — no scalar sample per walker.
//!
//! The conventions are the reference engine's (SPEC.md §5, [`super::ensemble`]): a magnitude
//! below f64's smallest normal becomes exactly 0; a walker with a non-finite coordinate is
//! diverged (both coordinates NaN in 2-D) and a projection never revives it. A group whose every
//! walker can no longer change — all diverged, or, where 0 is absorbing (1-D, SGD or GD, no added
//! noise), all at 0 or diverged — is skipped from then on; it is checked at absolute steps that
//! are multiples of [`DEAD_CHECK`], so results depend only on the seed, never on the thread
//! count or on how the steps are split among calls.

use std::sync::Arc;

use crate::model::custom::CustomKernel;

mod typed;
use crate::model::optimizer::{AdamConfig, Moments};
use crate::model::{Landscape, Optimizer};
use typed::{BATCH, typed};

/// Defines `fn NAME(args) -> R` that runs `PORTABLE(args)` compiled for AVX-512 (F, DQ, VL),
/// for AVX2 + FMA, or for the baseline, whichever the CPU has (checked at run time). PORTABLE is
/// `#[inline(always)]`, so each copy is vectorised for its instruction set.
macro_rules! multiversion {
    ($(#[$m:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? => $portable:path) => {
        $(#[$m])*
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
                fn avx512($($arg: $ty),*) $(-> $ret)? {
                    $portable($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                fn avx2($($arg: $ty),*) $(-> $ret)? {
                    $portable($($arg),*)
                }
                if $crate::sim::lanes::has_avx512() {
                    // SAFETY: the CPU has AVX-512 F, DQ and VL, checked just above.
                    return unsafe { avx512($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
                {
                    // SAFETY: the CPU has AVX2 and FMA, checked just above.
                    return unsafe { avx2($($arg),*) };
                }
            }
            $portable($($arg),*)
        }
    };
}
pub(crate) use multiversion;

/// Whether the CPU has the AVX-512 subsets the kernels are compiled for (8 f64 lanes per
/// instruction instead of 4).
#[cfg(target_arch = "x86_64")]
pub fn has_avx512() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512dq")
        && std::arch::is_x86_feature_detected!("avx512vl")
        && std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("fma")
}

/// Walkers per group.
pub const LANES: usize = 64;

/// Steps between two looks at whether a group is dead.
const DEAD_CHECK: u64 = 16;

/// Eight xoshiro256++ streams side by side (structure of arrays, so that advancing all eight is
/// one vector loop).
#[derive(Clone, Debug)]
pub struct Rng8 {
    s: [[u64; 8]; 4],
    /// Words of the last [`Rng8::next8`] not yet handed out by [`Rng8::next_word`] (one word
    /// a step serves the two-point law: the other seven serve the next seven steps).
    buf: [u64; 8],
    used: usize,
}

/// SplitMix64's output function: a bijection of u64 that mixes every bit.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng8 {
    /// The streams of group `group` for `seed`: 32 state words from SplitMix64 started at a hash
    /// of (seed, group) — distinct from the reference engine's block streams.
    pub fn new(seed: u64, group: usize) -> Rng8 {
        let mut x =
            mix64(seed ^ 0x5EED_1A4E_5C0F_FEE5) ^ mix64(group as u64 ^ 0xA5A5_0000_0000_5A5A);
        let mut s = [[0u64; 8]; 4];
        for word in s.iter_mut().flatten() {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            *word = mix64(x);
        }
        for j in 0..8 {
            if s.iter().all(|row| row[j] == 0) {
                s[0][j] = 1; // the one state xoshiro cannot leave
            }
        }
        Rng8 {
            s,
            buf: [0; 8],
            used: 8,
        }
    }

    /// The next word of each of the eight streams.
    #[inline(always)]
    pub fn next8(&mut self) -> [u64; 8] {
        let mut out = [0u64; 8];
        let [s0, s1, s2, s3] = &mut self.s;
        for j in 0..8 {
            out[j] = s0[j]
                .wrapping_add(s3[j])
                .rotate_left(23)
                .wrapping_add(s0[j]);
            let t = s1[j] << 17;
            s2[j] ^= s0[j];
            s3[j] ^= s1[j];
            s1[j] ^= s2[j];
            s0[j] ^= s3[j];
            s2[j] ^= t;
            s3[j] = s3[j].rotate_left(45);
        }
        out
    }

    /// One word: the eight of a [`Rng8::next8`], one after the other.
    #[inline(always)]
    pub fn next_word(&mut self) -> u64 {
        if self.used == 8 {
            self.buf = self.next8();
            self.used = 0;
        }
        let w = self.buf[self.used];
        self.used += 1;
        w
    }

    /// 64 uniforms in [0, 1) with 52 random bits each.
    #[inline(always)]
    pub fn uniforms(&mut self, out: &mut [f64; LANES]) {
        for c in 0..LANES / 8 {
            let w = self.next8();
            for j in 0..8 {
                out[8 * c + j] = unit(w[j]);
            }
        }
    }

    /// [`Rng8::normals`] compiled for AVX2 where the CPU has it, for callers outside the kernels
    /// (the kernels inline `normals` into their own AVX2 code).
    pub fn normals_fast(&mut self, out: &mut [f64; LANES]) {
        fill_normals(self, out);
    }

    /// 64 standard normal draws (Box–Muller on pairs of uniforms).
    #[inline(always)]
    pub fn normals(&mut self, out: &mut [f64; LANES]) {
        let mut u = [0.0; LANES];
        self.uniforms(&mut u);
        const H: usize = LANES / 2;
        for j in 0..H {
            let (z1, z2) = box_muller(u[j], u[j + H]);
            out[j] = z1;
            out[j + H] = z2;
        }
    }
}

multiversion! {
    fn fill_normals(rng: &mut Rng8, out: &mut [f64; LANES]) => normals_portable
}

#[inline(always)]
fn normals_portable(rng: &mut Rng8, out: &mut [f64; LANES]) {
    rng.normals(out);
}

multiversion! {
    /// `out[i] = ln max(|w[i]|, f64::MIN_POSITIVE)` for every `i` (the vectorised ln of
    /// [`ln_positive`]; the engine never holds a subnormal, so the clamp changes nothing there).
    pub fn ln_abs_many(w: &[f64], out: &mut [f64]) => ln_abs_portable
}

#[inline(always)]
fn ln_abs_portable(w: &[f64], out: &mut [f64]) {
    for (o, &v) in out.iter_mut().zip(w) {
        *o = ln_positive(v.abs().max(f64::MIN_POSITIVE));
    }
}

/// The initial cloud on the flat minima: walker `i` at radius `radius·√r` and angle 2πt around
/// (±1/√2, 0), the sign by the parity of `i`. The angle by the polynomial sin and cos (the same
/// to ~10⁻¹⁶ as the library's, and vectorisable).
#[inline(always)]
pub fn flat_minima_point(radius: f64, i: usize, r: f64, t: f64) -> (f64, f64) {
    let rad = radius * r.sqrt();
    let (sin, cos) = sincos_turns(t);
    let cx = if i.is_multiple_of(2) {
        std::f64::consts::FRAC_1_SQRT_2
    } else {
        -std::f64::consts::FRAC_1_SQRT_2
    };
    (cx + rad * cos, rad * sin)
}

multiversion! {
    /// [`flat_minima_point`] for walkers `first ..`, from the pairs (r, t) in `u`, as one loop the
    /// compiler vectorises (AVX-512 or AVX2 where the CPU has it).
    pub fn flat_minima_many(radius: f64, first: usize, u: &[f64], w1: &mut [f64], w2: &mut [f64])
        => flat_minima_portable
}

#[inline(always)]
fn flat_minima_portable(radius: f64, first: usize, u: &[f64], w1: &mut [f64], w2: &mut [f64]) {
    for (j, ((a, b), p)) in w1
        .iter_mut()
        .zip(w2.iter_mut())
        .zip(u.chunks_exact(2))
        .enumerate()
    {
        (*a, *b) = flat_minima_point(radius, first + j, p[0], p[1]);
    }
}

/// A uniform in [0, 1) from the top 52 bits of a word (exact, no integer-to-float conversion).
#[inline(always)]
fn unit(w: u64) -> f64 {
    f64::from_bits((w >> 12) | 0x3FF0_0000_0000_0000) - 1.0
}

/// x = 2^e · m with m ∈ [√½, √2), as (e, s = (m − 1)/(m + 1), s²), for a positive normal x.
#[inline(always)]
fn ln_parts(x: f64) -> (f64, f64, f64) {
    let bits = x.to_bits();
    let biased = bits >> 52;
    let m = f64::from_bits((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000);
    let big = m > std::f64::consts::SQRT_2;
    let m = if big { 0.5 * m } else { m };
    // The biased exponent as a float, exactly, by the 2^52 trick (AVX2 has no i64 → f64).
    let e = f64::from_bits(0x4330_0000_0000_0000 | biased) - 4_503_599_627_371_519.0
        + if big { 1.0 } else { 0.0 };
    let s = (m - 1.0) / (m + 1.0);
    (e, s, s * s)
}

/// ln x for a positive normal x, without a library call: x = m·2^e with m ∈ [√½, √2), and
/// ln m = 2 atanh s, s = (m − 1)/(m + 1), |s| ≤ 0.172, by its series to s¹⁷ (the next term is
/// below 10⁻¹⁵ of the sum).
#[inline(always)]
pub fn ln_positive(x: f64) -> f64 {
    ln_series::<true>(x)
}

/// [`ln_positive`] with the series to s¹³ only (absolute error below 5·10⁻¹³): what a
/// Box–Muller radius needs, a seventh cheaper.
#[inline(always)]
fn ln_for_normals(x: f64) -> f64 {
    ln_series::<false>(x)
}

/// 2 atanh s by its series: to s¹⁷ when `FULL`, to s¹³ otherwise.
#[inline(always)]
fn ln_series<const FULL: bool>(x: f64) -> f64 {
    let (e, s, z) = ln_parts(x);
    let p = if FULL {
        1.0 / 13.0 + z * (1.0 / 15.0 + z * (1.0 / 17.0))
    } else {
        1.0 / 13.0
    };
    let p = 1.0 / 11.0 + z * p;
    let p = 1.0 / 9.0 + z * p;
    let p = 1.0 / 7.0 + z * p;
    let p = 1.0 / 5.0 + z * p;
    let p = 1.0 / 3.0 + z * p;
    let p = 1.0 + z * p;
    e * std::f64::consts::LN_2 + 2.0 * s * p
}

/// (sin 2πu, cos 2πu) for u ∈ [0, 1) to about 4·10⁻¹³, for Box–Muller's angle: Taylor
/// polynomials to x¹³ and x¹² on [−π/4, π/4].
#[inline(always)]
fn sincos_for_normals(u: f64) -> (f64, f64) {
    sincos_poly::<false>(u)
}

/// (sin 2πu, cos 2πu) for u ∈ [0, 1): the quadrant from 4u, the rest by Taylor polynomials on
/// [−π/4, π/4] to x¹⁵ and x¹⁴ (remainders below 10⁻¹⁶).
#[inline(always)]
pub fn sincos_turns(u: f64) -> (f64, f64) {
    sincos_poly::<true>(u)
}

/// The quadrant from 4u, then Taylor polynomials on [−π/4, π/4]: to x¹⁵ and x¹⁴ when `FULL`,
/// to x¹³ and x¹² otherwise.
#[inline(always)]
fn sincos_poly<const FULL: bool>(u: f64) -> (f64, f64) {
    // 4u + 0.5 > 0: truncation is the floor, and needs no SSE4.1 (no library call).
    let q = (4.0 * u + 0.5) as i32 as f64;
    let x = std::f64::consts::TAU * (u - 0.25 * q);
    let q = if q >= 4.0 { q - 4.0 } else { q };
    let x2 = x * x;
    let s = if FULL {
        1.0 / 6_227_020_800.0 + x2 * (-1.0 / 1_307_674_368_000.0)
    } else {
        1.0 / 6_227_020_800.0
    };
    let s = -1.0 / 39_916_800.0 + x2 * s;
    let s = 1.0 / 362_880.0 + x2 * s;
    let s = -1.0 / 5040.0 + x2 * s;
    let s = 1.0 / 120.0 + x2 * s;
    let s = -1.0 / 6.0 + x2 * s;
    let sin = x + x * x2 * s;
    let c = if FULL {
        -1.0 / 479_001_600.0 + x2 * (1.0 / 87_178_291_200.0)
    } else {
        -1.0 / 479_001_600.0
    };
    let c = 1.0 / 3_628_800.0 + x2 * c;
    let c = -1.0 / 40_320.0 + x2 * c;
    let c = 1.0 / 720.0 + x2 * c;
    let c = -1.0 / 24.0 + x2 * c;
    let c = 0.5 + x2 * c;
    let cos = 1.0 - x2 * c;
    // Quadrant q: the angle is qπ/2 + x.
    let swap = q == 1.0 || q == 3.0;
    let (s0, c0) = if swap { (cos, sin) } else { (sin, cos) };
    let sin_sign = if q >= 2.0 { -1.0 } else { 1.0 };
    let cos_sign = if q == 1.0 || q == 2.0 { -1.0 } else { 1.0 };
    (sin_sign * s0, cos_sign * c0)
}

/// Two independent standard normals from two uniforms in [0, 1).
#[inline(always)]
fn box_muller(u1: f64, u2: f64) -> (f64, f64) {
    // 1 − u1 ∈ (0, 1]: |z| ≤ √(2·52·ln 2) ≈ 8.5.
    let r = (-2.0 * ln_for_normals(1.0 - u1)).sqrt();
    let (s, c) = sincos_for_normals(u2);
    (r * c, r * s)
}

/// How x is drawn each step (the reference engine's `Sampler`, by lanes).
#[derive(Clone, Copy, Debug)]
pub enum Draw {
    Constant(f64),
    TwoPoint(f64, f64),
    Gaussian { mean: f64, sd: f64 },
    Uniform { lo: f64, width: f64 },
    Discrete(crate::model::Discrete),
}

/// Everything a group's steps need.
#[derive(Clone, Debug)]
pub struct LaneKernel {
    pub landscape: Landscape,
    pub a: f64,
    pub b: f64,
    pub lambda: f64,
    pub optimizer: Optimizer,
    pub adam: AdamConfig,
    /// Injected noise std (0: none).
    pub sigma_add: f64,
    /// Projection half-width (∞: none).
    pub proj: f64,
    pub draw: Draw,
    /// A typed landscape's gradient program (`None` for the built-in ones).
    pub custom: Option<Arc<CustomKernel>>,
}

impl LaneKernel {
    /// Whether w = 0 can never move again (1-D, SGD or GD, no added noise).
    fn zero_absorbs(&self) -> bool {
        self.landscape.dim() == 1 && !self.optimizer.is_adaptive() && self.sigma_add == 0.0
    }
}

/// One group's walkers and state, as slices of the ensemble's arrays (`w2`, `m1`, `m2` empty
/// where unused; `m2` only for adaptive 2-D).
pub struct Group<'a> {
    pub rng: &'a mut Rng8,
    pub dead: &'a mut bool,
    pub w1: &'a mut [f64],
    pub w2: &'a mut [f64],
    pub m1: &'a mut [Moments],
    pub m2: &'a mut [Moments],
}

/// The bias-correction factors (1/(1 − β1^t), 1/(1 − β2^t)) for steps t0 + 1 ..= t0 + steps;
/// empty when there is no bias correction (factors 1).
pub fn bias_table(k: &LaneKernel, t0: u64, steps: u64) -> Vec<(f64, f64)> {
    if !(k.optimizer.is_adaptive() && k.adam.bias_correction) {
        return Vec::new();
    }
    (1..=steps)
        .map(|s| crate::model::optimizer::bias_factors(&k.adam, t0 + s))
        .collect()
}

multiversion! {
    /// Advance `groups` from step `t0` by `steps` on this thread.
    pub fn run(k: &LaneKernel, groups: &mut [Group<'_>], t0: u64, steps: u64, bias: &[(f64, f64)])
        => run_portable
}

#[inline(always)]
fn run_portable(
    k: &LaneKernel,
    groups: &mut [Group<'_>],
    t0: u64,
    steps: u64,
    bias: &[(f64, f64)],
) {
    // The flags become constants, so each combination's lane loop has no dead work in it.
    macro_rules! flags {
        ($f:ident, $g:expr, $grad:expr) => {
            match (
                k.optimizer.is_adaptive(),
                k.sigma_add > 0.0,
                k.proj.is_finite(),
            ) {
                (false, false, false) => $f::<false, false, false>(k, $g, t0, steps, bias, $grad),
                (false, false, true) => $f::<false, false, true>(k, $g, t0, steps, bias, $grad),
                (false, true, false) => $f::<false, true, false>(k, $g, t0, steps, bias, $grad),
                (false, true, true) => $f::<false, true, true>(k, $g, t0, steps, bias, $grad),
                (true, false, false) => $f::<true, false, false>(k, $g, t0, steps, bias, $grad),
                (true, false, true) => $f::<true, false, true>(k, $g, t0, steps, bias, $grad),
                (true, true, false) => $f::<true, true, false>(k, $g, t0, steps, bias, $grad),
                (true, true, true) => $f::<true, true, true>(k, $g, t0, steps, bias, $grad),
            }
        };
    }
    if let Some(c) = k.custom.as_deref() {
        // Typed: batches of groups, so that each instruction of the program runs over
        // BATCH × 64 lanes and its dispatch is paid once per batch, not per group.
        for batch in groups.chunks_mut(BATCH) {
            if batch.iter().all(|g| *g.dead) {
                continue;
            }
            flags!(typed, batch, c);
        }
        return;
    }
    for g in groups {
        if *g.dead {
            continue;
        }
        match k.landscape {
            Landscape::Quadratic => flags!(one_d, g, |w: f64, x: f64| x * w),
            Landscape::Quartic => flags!(one_d, g, |w: f64, x: f64| w * (x + w * w)),
            Landscape::SharpMinima => {
                let (a, b) = (k.a, k.b);
                let grad = move |w1: f64, w2: f64, x: f64| {
                    let (w1s, w2s) = (w1 * w1, w2 * w2);
                    [
                        w1 * (-2.0 + 4.0 * w1s + 12.0 * w2s + x * b),
                        w2 * (-2.0 + 4.0 * w2s + 12.0 * w1s - 2.0 * a),
                    ]
                };
                flags!(two_d, g, grad)
            }
            Landscape::ToyNetwork => {
                let grad = |w1: f64, w2: f64, y: f64| {
                    let w1s = w1 * w1;
                    let r = w2 * w1s - y;
                    [4.0 * w1 * w2 * r, 2.0 * w1s * r]
                };
                flags!(two_d, g, grad)
            }
            // Stepped above, by batches.
            Landscape::Custom | Landscape::Custom2d => {}
        }
    }
}

/// This step's x for every lane.
#[inline(always)]
fn draw(d: Draw, rng: &mut Rng8, xs: &mut [f64; LANES]) {
    match d {
        Draw::Constant(_) => {} // filled once
        Draw::TwoPoint(lo, hi) => {
            let bits = rng.next_word();
            for (i, x) in xs.iter_mut().enumerate() {
                *x = if (bits >> i) & 1 == 0 { lo } else { hi };
            }
        }
        Draw::Uniform { lo, width } => {
            rng.uniforms(xs);
            for x in xs.iter_mut() {
                *x = lo + width * *x;
            }
        }
        Draw::Gaussian { mean, sd } => {
            rng.normals(xs);
            for x in xs.iter_mut() {
                *x = mean + sd * *x;
            }
        }
        Draw::Discrete(d) => {
            rng.uniforms(xs);
            for x in xs.iter_mut() {
                *x = d.pick(*x);
            }
        }
    }
}

/// The added noise σ·N(0, 1) for every lane (left at 0 without added noise).
#[inline(always)]
fn draw_added(sigma: f64, rng: &mut Rng8, e: &mut [f64; LANES]) {
    if sigma > 0.0 {
        rng.normals(e);
        for v in e.iter_mut() {
            *v *= sigma;
        }
    }
}

/// Flush below the smallest normal to 0, project a finite value onto [−proj, proj]; a
/// non-finite value is kept (diverged stays diverged).
#[inline(always)]
fn settle<const PROJ: bool>(w: f64, proj: f64) -> f64 {
    let w = if w.abs() < f64::MIN_POSITIVE { 0.0 } else { w };
    if PROJ {
        let c = w.max(-proj).min(proj);
        if w.is_finite() { c } else { w }
    } else {
        w
    }
}

/// A 2-D walker's new position: both coordinates settled, or both NaN when either is not
/// finite (diverged: no statistic can take it for finite).
#[inline(always)]
fn settle_pair<const PROJ: bool>(n1: f64, n2: f64, proj: f64) -> (f64, f64) {
    let finite = n1.is_finite() && n2.is_finite();
    (
        if finite {
            settle::<PROJ>(n1, proj)
        } else {
            f64::NAN
        },
        if finite {
            settle::<PROJ>(n2, proj)
        } else {
            f64::NAN
        },
    )
}

/// One coordinate's Adam / AMSGrad step, lane-wise (the model's `adam_displacement`, written so
/// that it vectorises: the 0/0 of a walker with v̂ = 0 is read as no move).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn adam_lane(
    m: &mut f64,
    v: &mut f64,
    vh: &mut f64,
    g: f64,
    k: &LaneKernel,
    ams: bool,
    c1: f64,
    c2: f64,
) -> f64 {
    let cfg = &k.adam;
    *m = cfg.beta1 * *m + (1.0 - cfg.beta1) * g;
    *v = cfg.beta2 * *v + (1.0 - cfg.beta2) * g * g;
    *vh = if ams { vh.max(*v) } else { *v };
    let denom = (*vh * c2).sqrt() + cfg.eps;
    let d = -k.lambda * *m * c1 / denom;
    if denom > 0.0 { d } else { 0.0 }
}

/// Whether every live lane (`i < n`) of a group satisfies `gone`.
#[inline(always)]
fn all_gone(n: usize, w: &[f64; LANES], gone: impl Fn(f64) -> bool) -> bool {
    w[..n].iter().all(|&v| gone(v))
}

fn load(dst: &mut [f64; LANES], src: &[f64]) {
    dst[..src.len()].copy_from_slice(src);
}

fn load_moments(
    m: &mut [f64; LANES],
    v: &mut [f64; LANES],
    vh: &mut [f64; LANES],
    src: &[Moments],
) {
    for (i, s) in src.iter().enumerate() {
        (m[i], v[i], vh[i]) = (s.m, s.v, s.v_hat);
    }
}

fn store_moments(m: &[f64; LANES], v: &[f64; LANES], vh: &[f64; LANES], dst: &mut [Moments]) {
    for (i, d) in dst.iter_mut().enumerate() {
        *d = Moments {
            m: m[i],
            v: v[i],
            v_hat: vh[i],
        };
    }
}

// Natively inlined into `run`'s AVX-512 / AVX2 / portable copies (multiversion!), so that each
// gets the target features; in wasm (one copy, SIMD on throughout) each combination is its own
// function, because V8 compiles one 0.5 MB function of 40 inlined loops to slower code than 40
// small ones (the quartic kernel ran at half its reference loop's speed, measured in the page).
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
#[cfg_attr(target_arch = "wasm32", inline(never))]
fn one_d<const ADAPTIVE: bool, const ADD: bool, const PROJ: bool>(
    k: &LaneKernel,
    g: &mut Group<'_>,
    t0: u64,
    steps: u64,
    bias: &[(f64, f64)],
    grad: impl Fn(f64, f64) -> f64,
) {
    let n = g.w1.len();
    let (lambda, proj) = (k.lambda, k.proj);
    let ams = k.optimizer == Optimizer::Amsgrad;
    let absorbs = k.zero_absorbs();
    let mut w = [0.0; LANES];
    load(&mut w, g.w1);
    let (mut m, mut v, mut vh) = ([0.0; LANES], [0.0; LANES], [0.0; LANES]);
    if ADAPTIVE {
        load_moments(&mut m, &mut v, &mut vh, g.m1);
    }
    let mut xs = [if let Draw::Constant(c) = k.draw {
        c
    } else {
        0.0
    }; LANES];
    let mut e = [0.0; LANES];
    for s in 0..steps {
        draw(k.draw, g.rng, &mut xs);
        if ADD {
            draw_added(k.sigma_add, g.rng, &mut e);
        }
        let (c1, c2) = bias.get(s as usize).copied().unwrap_or((1.0, 1.0));
        for i in 0..LANES {
            let gr = grad(w[i], xs[i]);
            let gr = if ADD { gr + e[i] } else { gr };
            let d = if ADAPTIVE {
                adam_lane(&mut m[i], &mut v[i], &mut vh[i], gr, k, ams, c1, c2)
            } else {
                -lambda * gr
            };
            w[i] = settle::<PROJ>(w[i] + d, proj);
        }
        if (t0 + s + 1).is_multiple_of(DEAD_CHECK)
            && all_gone(n, &w, |v| v.is_nan() || (absorbs && v == 0.0))
        {
            *g.dead = true;
            break;
        }
    }
    g.w1.copy_from_slice(&w[..n]);
    if ADAPTIVE {
        store_moments(&m, &v, &vh, g.m1);
    }
}

/// As [`one_d`], inlined natively and its own function in wasm.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
#[cfg_attr(target_arch = "wasm32", inline(never))]
fn two_d<const ADAPTIVE: bool, const ADD: bool, const PROJ: bool>(
    k: &LaneKernel,
    g: &mut Group<'_>,
    t0: u64,
    steps: u64,
    bias: &[(f64, f64)],
    grad: impl Fn(f64, f64, f64) -> [f64; 2],
) {
    let n = g.w1.len();
    let (lambda, proj) = (k.lambda, k.proj);
    let ams = k.optimizer == Optimizer::Amsgrad;
    let (mut w1, mut w2) = ([0.0; LANES], [0.0; LANES]);
    load(&mut w1, g.w1);
    load(&mut w2, g.w2);
    let (mut m1, mut v1, mut vh1) = ([0.0; LANES], [0.0; LANES], [0.0; LANES]);
    let (mut m2, mut v2, mut vh2) = ([0.0; LANES], [0.0; LANES], [0.0; LANES]);
    if ADAPTIVE {
        load_moments(&mut m1, &mut v1, &mut vh1, g.m1);
        load_moments(&mut m2, &mut v2, &mut vh2, g.m2);
    }
    let mut xs = [if let Draw::Constant(c) = k.draw {
        c
    } else {
        0.0
    }; LANES];
    let (mut e1, mut e2) = ([0.0; LANES], [0.0; LANES]);
    for s in 0..steps {
        draw(k.draw, g.rng, &mut xs);
        if ADD {
            draw_added(k.sigma_add, g.rng, &mut e1);
            draw_added(k.sigma_add, g.rng, &mut e2);
        }
        let (c1, c2) = bias.get(s as usize).copied().unwrap_or((1.0, 1.0));
        for i in 0..LANES {
            let [g1, g2] = grad(w1[i], w2[i], xs[i]);
            let (g1, g2) = if ADD {
                (g1 + e1[i], g2 + e2[i])
            } else {
                (g1, g2)
            };
            let (d1, d2) = if ADAPTIVE {
                (
                    adam_lane(&mut m1[i], &mut v1[i], &mut vh1[i], g1, k, ams, c1, c2),
                    adam_lane(&mut m2[i], &mut v2[i], &mut vh2[i], g2, k, ams, c1, c2),
                )
            } else {
                (-lambda * g1, -lambda * g2)
            };
            (w1[i], w2[i]) = settle_pair::<PROJ>(w1[i] + d1, w2[i] + d2, proj);
        }
        if (t0 + s + 1).is_multiple_of(DEAD_CHECK) && all_gone(n, &w1, f64::is_nan) {
            *g.dead = true;
            break;
        }
    }
    g.w1.copy_from_slice(&w1[..n]);
    g.w2.copy_from_slice(&w2[..n]);
    if ADAPTIVE {
        store_moments(&m1, &v1, &vh1, g.m1);
        store_moments(&m2, &v2, &vh2, g.m2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_and_sincos_match_the_library_to_a_few_ulp() {
        let mut rng = Rng8::new(1, 0);
        let mut u = [0.0; LANES];
        let (mut worst_ln, mut worst_trig) = (0.0f64, 0.0f64);
        for _ in 0..2000 {
            rng.uniforms(&mut u);
            for &x in &u {
                let y = 1.0 - x; // (0, 1]
                let e = (ln_positive(y) - y.ln()).abs() / y.ln().abs().max(1e-300);
                if y != 1.0 {
                    worst_ln = worst_ln.max(e);
                }
                let (s, c) = sincos_turns(x);
                let a = std::f64::consts::TAU * x;
                worst_trig = worst_trig.max((s - a.sin()).abs()).max((c - a.cos()).abs());
            }
        }
        // Near y = 1, ln y → 0 and relative error grows like the absolute one / |ln y|; the
        // absolute error stays ~1e-16.
        assert!(worst_ln < 1e-12, "ln: {worst_ln}");
        // The library is handed 2πu rounded to f64 (up to 4.4·10⁻¹⁶ off near 2π), its own result
        // rounds once more: a few 10⁻¹⁶ of disagreement come from that side.
        assert!(worst_trig < 2e-15, "sin/cos: {worst_trig}");
        for y in [1.0, 0.5, f64::MIN_POSITIVE, 2f64.powi(-52), 0.999_999_999] {
            assert!(
                (ln_positive(y) - y.ln()).abs() < 1e-15 * y.ln().abs().max(1.0),
                "{y}"
            );
        }
        // The shorter versions behind the normals: below 10⁻¹² absolute.
        for _ in 0..200 {
            rng.uniforms(&mut u);
            for &x in &u {
                let y = 1.0 - x;
                assert!((ln_for_normals(y) - y.ln()).abs() < 1e-12, "{y}");
                let (s, c) = sincos_for_normals(x);
                let a = std::f64::consts::TAU * x;
                assert!(
                    (s - a.sin()).abs() < 4e-13 && (c - a.cos()).abs() < 4e-13,
                    "{x}"
                );
            }
        }
        for u in [0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 0.999_999] {
            let (s, c) = sincos_turns(u);
            let a = std::f64::consts::TAU * u;
            assert!(
                (s - a.sin()).abs() < 1e-15 && (c - a.cos()).abs() < 1e-15,
                "{u}"
            );
        }
    }

    #[test]
    fn the_normals_are_standard_normal() {
        // 6.4·10⁵ draws: the mean has standard error 1/√n = 1.25·10⁻³, the variance
        // √(2/n) = 1.8·10⁻³; five standard errors each. The fraction beyond 1.96 is 0.05 with
        // standard error √(0.05·0.95/n) = 2.7·10⁻⁴; the Kolmogorov distance's 99.9 % point is
        // 1.95/√n = 2.4·10⁻³.
        let mut rng = Rng8::new(7, 3);
        let mut z = [0.0; LANES];
        let mut all = Vec::new();
        for _ in 0..10_000 {
            rng.normals(&mut z);
            all.extend_from_slice(&z);
        }
        let n = all.len() as f64;
        let mean = all.iter().sum::<f64>() / n;
        let var = all.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        assert!(mean.abs() < 5.0 * 1.25e-3, "{mean}");
        assert!((var - 1.0).abs() < 5.0 * 1.8e-3, "{var}");
        let tail = all.iter().filter(|v| v.abs() > 1.959_964).count() as f64 / n;
        assert!((tail - 0.05).abs() < 5.0 * 2.7e-4, "{tail}");
        all.sort_by(f64::total_cmp);
        // Φ to 1.2·10⁻⁷, far below the distance tested.
        let phi = crate::model::theory::normal_cdf;
        let d = all
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                (phi(x) - i as f64 / n)
                    .abs()
                    .max((phi(x) - (i + 1) as f64 / n).abs())
            })
            .fold(0.0, f64::max);
        assert!(d < 1.95 / n.sqrt(), "{d}");
    }

    #[test]
    fn streams_differ_between_groups_and_seeds() {
        let a = Rng8::new(1, 0).next8();
        let b = Rng8::new(1, 1).next8();
        let c = Rng8::new(2, 0).next8();
        assert_ne!(a, b);
        assert_ne!(a, c);
        let mut d = Rng8::new(1, 0);
        assert_eq!(d.next8(), a);
        assert_ne!(d.next8(), a);
    }
}
