//! The fast path for the paper's central experiment: quadratic loss, SGD, two-point noise, no
//! added noise, no projection. There every step multiplies a walker by one of two constants,
//! w ← w·c_b with c_b = 1 − λ x_b and b one fair random bit, so a step is a select and a multiply.
//!
//! Layout: walkers in groups of [`GROUP`] = 128, each group with two random streams of its own
//! (one 64-bit word per stream per step gives the 128 bits). A group's 128 walkers stay in
//! registers for many steps, and the two independent streams keep the CPU busy while either is
//! computing its next word. Results depend only on the seed, never on thread count or on how
//! the steps are split among calls.
//!
//! Precision and range: a walker is w = m · 2^e with an f32 mantissa m and an i32 exponent e.
//! Between two renormalisations (every `window` steps, at absolute step counts multiple of the
//! window) |m| moves by at most 2^±100, inside f32's normal range, so no step ever meets a
//! subnormal. At a renormalisation m is brought back to [1, 2), and the f64 engine's conventions
//! are applied to the full value: |w| < 2^−1022 (f64's smallest normal) becomes exactly 0, and
//! |w| ≥ 2^1024 (beyond f64's largest) is diverged, stored as NaN. The range is therefore the
//! f64 engine's; the precision is f32's (each factor is rounded to f32, a relative change of at
//! most 6·10⁻⁸, and each product rounds once).

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Walkers per group (two 64-bit random words per step).
pub const GROUP: usize = 128;

/// The most |m| may grow or shrink between renormalisations, in powers of 2 (f32 normals reach
/// 2^±126).
const HEADROOM_BITS: f64 = 100.0;

/// The longest window between renormalisations, for factors near 1.
const MAX_WINDOW: u64 = 1 << 16;

/// The two per-step factors and the renormalisation window they allow.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Factors {
    /// Factor for random bit 0 and for bit 1.
    pub c: [f32; 2],
    /// Steps between renormalisations.
    pub window: u64,
}

impl Factors {
    /// The factors 1 − λx for x ∈ {x0, x1}; `None` when a factor is so far from 1 that f32 cannot
    /// hold even one step of it (|c| ≥ 2^100 or 0 < |c| < 2^−100), where the f64 engine is used.
    pub fn new(lambda: f64, x0: f64, x1: f64) -> Option<Factors> {
        let c = [1.0 - lambda * x0, 1.0 - lambda * x1];
        let mut worst_bits = 0.0f64;
        for v in c {
            if !v.is_finite() {
                return None;
            }
            if v != 0.0 {
                worst_bits = worst_bits.max(v.abs().log2().abs());
            }
        }
        let window = if worst_bits * MAX_WINDOW as f64 <= HEADROOM_BITS {
            MAX_WINDOW
        } else {
            (HEADROOM_BITS / worst_bits).floor() as u64
        };
        (window >= 1).then_some(Factors {
            c: [c[0] as f32, c[1] as f32],
            window,
        })
    }
}

/// Split a finite, normal f64 into (mantissa in ±[1, 2], exponent); 0 for zero and for
/// subnormals (the engine's flush convention), NaN for a non-finite value.
pub fn split(w: f64) -> (f32, i32) {
    if !w.is_finite() {
        return (f32::NAN, 0);
    }
    let bits = w.to_bits();
    let biased = ((bits >> 52) & 0x7FF) as i32;
    if biased == 0 {
        return (0.0, 0);
    }
    let mantissa = f64::from_bits((bits & 0x800F_FFFF_FFFF_FFFF) | (1023u64 << 52));
    // Rounding to f32 may give exactly ±2.0, still a normal number; the next renormalisation
    // folds it back.
    (mantissa as f32, biased - 1023)
}

/// m · 2^e as an f64 under the f64 engine's conventions: below the smallest normal → 0,
/// beyond the largest → ±∞ (diverged).
pub fn join(m: f32, e: i32) -> f64 {
    if m == 0.0 || m.is_nan() {
        return m as f64;
    }
    // Both factors are exact: e ∈ [−1022, 1023] always (renormalisation keeps it there).
    let pow2 = f64::from_bits(((e + 1023) as u64) << 52);
    let v = m as f64 * pow2;
    if v.abs() < f64::MIN_POSITIVE { 0.0 } else { v }
}

/// The walkers of the fast path.
#[derive(Clone, Debug)]
pub struct FastState {
    factors: Factors,
    /// Mantissas, padded with absorbed zeros to a multiple of [`GROUP`].
    m: Vec<f32>,
    e: Vec<i32>,
    /// Two streams per group.
    rngs: Vec<[Xoshiro256PlusPlus; 2]>,
    /// A group whose walkers are all 0 or diverged: nothing can change it any more, so it is
    /// skipped (its random streams are never read again).
    dead: Vec<bool>,
}

/// The random stream `k` of group `g` for `seed` (distinct from the f64 engine's block streams).
fn group_rng(seed: u64, g: usize, k: usize) -> Xoshiro256PlusPlus {
    let salt = 0xA076_1D64_78BD_642Fu64;
    let index = (2 * g + k) as u64 + 1;
    Xoshiro256PlusPlus::seed_from_u64(seed ^ salt ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

impl FastState {
    /// Take over walkers `w` (f64, already drawn) at step 0.
    pub fn new(factors: Factors, w: &[f64], seed: u64) -> FastState {
        FastState::from_group(factors, w, seed, 0)
    }

    /// As [`FastState::new`] for walkers that are groups `first_group ..` of a larger
    /// ensemble: those groups' streams (to replay part of an ensemble).
    pub fn from_group(factors: Factors, w: &[f64], seed: u64, first_group: usize) -> FastState {
        let groups = w.len().div_ceil(GROUP);
        let mut m = vec![0.0f32; groups * GROUP];
        let mut e = vec![0i32; groups * GROUP];
        for (i, &x) in w.iter().enumerate() {
            (m[i], e[i]) = split(x);
        }
        FastState {
            factors,
            m,
            e,
            rngs: (0..groups)
                .map(|g| {
                    let g = first_group + g;
                    [group_rng(seed, g, 0), group_rng(seed, g, 1)]
                })
                .collect(),
            dead: vec![false; groups],
        }
    }

    pub fn factors(&self) -> Factors {
        self.factors
    }

    /// Walker `i`'s current value as f64.
    pub fn value(&self, i: usize) -> f64 {
        join(self.m[i], self.e[i])
    }

    /// Advance groups `groups` from step `t0` by `steps`, on this thread, writing the new values
    /// into `out` (the walkers of those groups, `out.len()` ≤ their count).
    fn advance_range(
        &mut self,
        groups: std::ops::Range<usize>,
        t0: u64,
        steps: u64,
        out: &mut [f64],
    ) {
        let lo = groups.start * GROUP;
        let hi = groups.end * GROUP;
        let job = Job {
            factors: self.factors,
            m: &mut self.m[lo..hi],
            e: &mut self.e[lo..hi],
            rngs: &mut self.rngs[groups.clone()],
            dead: &mut self.dead[groups],
            out,
        };
        job.run(t0, steps);
    }

    /// Advance every walker from step `t0` by `steps` on up to `threads` threads, writing the
    /// new values into `w` (one per walker). Groups `0..tracked_groups` are advanced one step
    /// at a time on this thread, calling `after_step` after each.
    pub fn advance(
        &mut self,
        t0: u64,
        steps: u64,
        threads: usize,
        w: &mut [f64],
        tracked_groups: usize,
        mut after_step: impl FnMut(&FastState),
    ) {
        let groups = self.dead.len();
        let tracked = tracked_groups.min(groups);
        // Split the untracked groups into contiguous jobs, one per thread.
        let rest = groups - tracked;
        let threads = threads.clamp(1, rest.max(1));
        let per = rest.div_ceil(threads).max(1);
        let factors = self.factors;
        let track_out = (tracked * GROUP).min(w.len());
        let mut jobs = Vec::new();
        {
            let split_at = (tracked * GROUP).min(w.len());
            let (_, mut w_rest) = w.split_at_mut(split_at);
            let (_, mut m) = self.m.split_at_mut(tracked * GROUP);
            let (_, mut e) = self.e.split_at_mut(tracked * GROUP);
            let (_, mut rngs) = self.rngs.split_at_mut(tracked);
            let (_, mut dead) = self.dead.split_at_mut(tracked);
            while !dead.is_empty() {
                let g = per.min(dead.len());
                let n = (g * GROUP).min(w_rest.len());
                let (m_j, m_t) = std::mem::take(&mut m).split_at_mut(g * GROUP);
                let (e_j, e_t) = std::mem::take(&mut e).split_at_mut(g * GROUP);
                let (r_j, r_t) = std::mem::take(&mut rngs).split_at_mut(g);
                let (d_j, d_t) = std::mem::take(&mut dead).split_at_mut(g);
                let (o_j, o_t) = std::mem::take(&mut w_rest).split_at_mut(n);
                jobs.push(Job {
                    factors,
                    m: m_j,
                    e: e_j,
                    rngs: r_j,
                    dead: d_j,
                    out: o_j,
                });
                (m, e, rngs, dead, w_rest) = (m_t, e_t, r_t, d_t, o_t);
            }
        }
        if jobs.len() <= 1 {
            for j in jobs {
                j.run(t0, steps);
            }
        } else {
            std::thread::scope(|s| {
                let mut it = jobs.into_iter();
                let mine = it.next();
                for j in it {
                    s.spawn(move || j.run(t0, steps));
                }
                if let Some(j) = mine {
                    j.run(t0, steps);
                }
            });
        }
        if tracked > 0 {
            for s in 0..steps {
                self.advance_range(0..tracked, t0 + s, 1, &mut w[..track_out]);
                after_step(self);
            }
        }
    }
}

/// A contiguous run of groups handed to one thread.
struct Job<'a> {
    factors: Factors,
    m: &'a mut [f32],
    e: &'a mut [i32],
    rngs: &'a mut [[Xoshiro256PlusPlus; 2]],
    dead: &'a mut [bool],
    out: &'a mut [f64],
}

impl Job<'_> {
    fn run(self, t0: u64, steps: u64) {
        #[cfg(target_arch = "x86_64")]
        {
            if super::lanes::has_avx512() {
                // SAFETY: the CPU has AVX-512 F, DQ and VL, checked just above.
                unsafe { self.run_avx512(t0, steps) };
                return;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, checked just above.
                unsafe { self.run_avx2(t0, steps) };
                return;
            }
        }
        self.run_portable(t0, steps);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
    fn run_avx512(self, t0: u64, steps: u64) {
        self.run_portable(t0, steps);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn run_avx2(self, t0: u64, steps: u64) {
        self.run_portable(t0, steps);
    }

    #[inline(always)]
    fn run_portable(self, t0: u64, steps: u64) {
        let f = self.factors;
        let groups = self
            .m
            .chunks_exact_mut(GROUP)
            .zip(self.e.chunks_exact_mut(GROUP));
        let rest = self.rngs.iter_mut().zip(self.dead.iter_mut());
        for (gi, ((m, e), (rngs, dead))) in groups.zip(rest).enumerate() {
            let m: &mut [f32; GROUP] = m.try_into().expect("group-sized chunk");
            let e: &mut [i32; GROUP] = e.try_into().expect("group-sized chunk");
            if !*dead {
                let end = t0 + steps;
                let mut t = t0;
                while t < end {
                    let stop = ((t / f.window + 1) * f.window).min(end);
                    multiply(m, rngs, f.c, stop - t);
                    t = stop;
                    if t.is_multiple_of(f.window) && renormalise(m, e) {
                        *dead = true;
                        break;
                    }
                }
            }
            let lo = gi * GROUP;
            let len = self.out.len();
            if lo < len {
                let out = &mut self.out[lo..(lo + GROUP).min(len)];
                for (i, o) in out.iter_mut().enumerate() {
                    *o = join(m[i], e[i]);
                }
            }
        }
    }
}

/// `steps` steps of one group: m_i ← m_i · c[bit i]. Written so that the compiler keeps the 128
/// mantissas in vector registers and turns each bit test into a vector compare.
#[inline(always)]
fn multiply(m: &mut [f32; GROUP], rngs: &mut [Xoshiro256PlusPlus; 2], c: [f32; 2], steps: u64) {
    let mut v = *m;
    let [ra, rb] = rngs;
    for _ in 0..steps {
        let r = ra.next_u64();
        let s = rb.next_u64();
        let words = [r as u32, (r >> 32) as u32, s as u32, (s >> 32) as u32];
        for i in 0..32 {
            for (k, &word) in words.iter().enumerate() {
                v[32 * k + i] *= if word & (1u32 << i) != 0 { c[1] } else { c[0] };
            }
        }
    }
    *m = v;
}

/// Bring every mantissa back to ±[1, 2) and apply the f64 range conventions (see the module
/// comment). Returns true if every walker of the group is now 0 or diverged.
#[inline(always)]
fn renormalise(m: &mut [f32; GROUP], e: &mut [i32; GROUP]) -> bool {
    // Branch-free, so that it vectorises like the steps do.
    let mut live = 0u32;
    for i in 0..GROUP {
        let bits = m[i].to_bits();
        let biased = ((bits >> 23) & 0xFF) as i32;
        // No subnormal can occur inside a window, so a finite non-zero m has `biased` ≥ 1.
        let exp = e[i] + biased - 127;
        let zero = bits & 0x7FFF_FFFF == 0 || exp < -1022;
        let diverged = biased == 0xFF || exp > 1023;
        let unit = f32::from_bits((bits & 0x807F_FFFF) | (127 << 23));
        m[i] = if diverged {
            f32::NAN
        } else if zero {
            0.0
        } else {
            unit
        };
        let keep = !(zero || diverged);
        e[i] = if keep { exp } else { 0 };
        live |= keep as u32;
    }
    live == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_and_join_round_trip_f32_values() {
        for w in [1.0, -3.5, 1e-300, -2.5e300, 0.1f32 as f64, 7.0e-10] {
            let (m, e) = split(w);
            assert!((1.0..=2.0).contains(&m.abs()), "{w}: {m}");
            let back = join(m, e);
            assert!(((back - w) / w).abs() < 1e-7, "{w} → {back}");
        }
        assert_eq!(split(0.0), (0.0, 0));
        assert_eq!(split(1e-320), (0.0, 0)); // subnormal: flushed
        assert!(split(f64::INFINITY).0.is_nan());
        assert!(join(f32::NAN, 0).is_nan());
        assert_eq!(join(1.5, -1022), 1.5 * f64::MIN_POSITIVE);
        assert_eq!(join(0.75, -1022), 0.0); // below the smallest normal
        assert_eq!(join(1.999, 1023), 1.999f32 as f64 * 2f64.powi(1023));
    }

    #[test]
    fn windows_keep_mantissas_inside_f32() {
        let f = Factors::new(1.8, 1.0, -1.5).unwrap(); // c = −0.8, 3.7
        let worst = 3.7f64.log2();
        assert!(f.window as f64 * worst <= HEADROOM_BITS);
        assert!((f.window + 1) as f64 * worst > HEADROOM_BITS);
        assert_eq!(Factors::new(0.0, 1.0, 1.0).unwrap().window, MAX_WINDOW);
        // A factor of exactly 0 (λx = 1) is fine: the walker lands on the absorbing 0.
        assert!(Factors::new(1.0, 1.0, -0.5).is_some());
        assert!(Factors::new(1e40, 1.0, -1.0).is_none());
    }

    #[test]
    fn walkers_flush_to_zero_and_diverge_like_f64() {
        // c = 1e-3 for both bits: |w| shrinks by ~2^−10 per step and must hit the flush at
        // |w| < 2^−1022 after ~103 steps, then stay exactly 0.
        let f = Factors::new(0.999, 1.0, 1.0).unwrap();
        let mut s = FastState::new(f, &[1.0, -1.0], 7);
        let mut w = vec![0.0; 2];
        s.advance(0, 100, 1, &mut w, 0, |_| {});
        assert!(w[0] > 0.0 && w[1] < 0.0);
        assert!((w[0].ln() - 100.0 * 1e-3f64.ln()).abs() < 1e-3);
        s.advance(100, 2000, 1, &mut w, 0, |_| {});
        assert_eq!(w, [0.0, 0.0]);
        // c = 3 (λ = −2 is not a valid experiment, but the kernel does not care): grows past
        // f64's range after ~646 steps and is diverged for good.
        let f = Factors::new(-2.0, 1.0, 1.0).unwrap();
        let mut s = FastState::new(f, &[1.0], 7);
        let mut w = vec![0.0];
        s.advance(0, 600, 1, &mut w, 0, |_| {});
        assert!((w[0].ln() - 600.0 * 3f64.ln()).abs() < 1e-2, "{}", w[0]);
        s.advance(600, 3000, 1, &mut w, 0, |_| {});
        assert!(w[0].is_nan() || w[0].is_infinite());
    }

    #[test]
    fn splitting_the_steps_or_the_threads_changes_nothing() {
        let f = Factors::new(0.9, 1.0, -1.2).unwrap();
        let w0: Vec<f64> = (0..1000).map(|i| (i as f64 + 0.5) / 1000.0 - 0.5).collect();
        let mut a = FastState::new(f, &w0, 3);
        let mut b = FastState::new(f, &w0, 3);
        let (mut wa, mut wb) = (vec![0.0; 1000], vec![0.0; 1000]);
        a.advance(0, 377, 1, &mut wa, 0, |_| {});
        b.advance(0, 10, 2, &mut wb, 0, |_| {});
        b.advance(10, 200, 3, &mut wb, 2, |_| {});
        b.advance(210, 167, 2, &mut wb, 0, |_| {});
        assert_eq!(wa, wb);
    }
}
