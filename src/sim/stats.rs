//! Statistics of an ensemble at one step: counts, fractions below thresholds, the escape-rate
//! estimators, quantiles and histograms. Non-finite walkers are counted as diverged and kept out
//! of every histogram, mean and quantile.

use serde::{Deserialize, Serialize};

use crate::model::basins::{Basin, Classifier};
use crate::model::{Landscape, LandscapeParams};

use super::bins::bin_slot;
pub use super::bins::{Histogram, Histogram2d, bin_anchor};
use super::ensemble::Ensemble;

/// The share of all walkers in one basin.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BasinShare {
    pub basin: Basin,
    pub fraction: f64,
}

/// A 1-D histogram being filled at speed: the bin scale computed once, no data-dependent branch
/// (slot 0 counts "below", slot bins + 1 "above"), and four interleaved copies of the counts, so
/// that consecutive walkers falling into the same bin (the whole ensemble collapsing onto
/// w = 0) do not each wait for the previous increment.
struct Binner {
    lo: f64,
    hi: f64,
    scale: f64,
    bins: usize,
    anchor: (usize, f64),
    counts: Vec<u64>,
}

impl Binner {
    fn new(lo: f64, hi: f64, bins: usize) -> Binner {
        let bins = bins.max(1);
        Binner {
            lo,
            hi,
            scale: bins as f64 / (hi - lo),
            bins,
            anchor: bin_anchor(lo, hi, bins),
            // below, the bins, above, and a last slot for values not counted at all.
            counts: vec![0; 4 * (bins + 3)],
        }
    }

    /// The slot of a value: 0 below, 1 ..= bins the bins, bins + 1 above; `skip` picks the
    /// uncounted slot. Branch-free, so that a loop computing many slots vectorises; a closure,
    /// so that it does not borrow the counts.
    #[inline(always)]
    fn slots(&self) -> impl Fn(f64, bool) -> u32 + Copy + use<> {
        let (lo, hi, scale, bins, anchor) = (self.lo, self.hi, self.scale, self.bins, self.anchor);
        move |v: f64, skip: bool| {
            let slot = bin_slot(v, lo, hi, anchor, scale, bins);
            if skip { bins as u32 + 2 } else { slot }
        }
    }

    /// Count a slot; `lane` (any number) picks the copy.
    #[inline(always)]
    fn count(&mut self, slot: u32, lane: usize) {
        self.counts[4 * slot as usize + (lane & 3)] += 1;
    }

    /// Count a finite `v`; `lane` (any number) picks the copy.
    #[cfg(test)]
    fn add(&mut self, v: f64, lane: usize) {
        let s = (self.slots())(v, false);
        self.count(s, lane);
    }

    fn finish(self) -> Histogram {
        let mut slots = self.counts.chunks_exact(4).map(|c| c.iter().sum::<u64>());
        let below = slots.next().unwrap_or(0);
        let mut counts: Vec<u64> = slots.collect();
        counts.pop(); // the uncounted
        let above = counts.pop().unwrap_or(0);
        Histogram {
            lo: self.lo,
            hi: self.hi,
            counts,
            below,
            above,
        }
    }
}

/// One quantile of the finite walkers' first coordinate and of its magnitude.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quantile {
    pub p: f64,
    pub w: f64,
    pub abs_w: f64,
}

/// Quantile levels reported everywhere.
pub const QUANTILE_LEVELS: [f64; 7] = [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99];

/// Summary statistics of an ensemble at one step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub step: u64,
    pub walkers: usize,
    /// Walkers with every coordinate finite.
    pub finite: usize,
    /// Walkers with a ±∞ or NaN coordinate.
    pub diverged: usize,
    /// Finite walkers exactly at w = 0 (underflowed; absorbing).
    pub at_zero: usize,
    /// For each threshold θ of the parameters: (finite walkers with |w| < θ) / all walkers.
    /// |w| is |w1| in 1-D and the Euclidean norm in 2-D.
    pub fraction_below: Vec<f64>,
    /// E ln|w_t/w_0| over finite walkers with w_t ≠ 0 and w_0 ≠ 0 (1-D: first coordinate). Equals
    /// t·μ for the quadratic at every t (SPEC.md §4). `None` when no walker qualifies.
    pub mean_log_ratio: Option<f64>,
    /// E ln|w_t| over the same walkers (the paper's estimator is this divided by t).
    pub mean_log_abs: Option<f64>,
    /// Number of walkers behind the two means above.
    pub log_count: usize,
    /// Mean and mean magnitude of w1 over finite walkers.
    pub mean_w: Option<f64>,
    pub mean_abs_w: Option<f64>,
    /// Standard error of `mean_abs_w`.
    pub sem_abs_w: Option<f64>,
    /// Mean averaged loss L(w) over finite walkers.
    pub mean_loss: Option<f64>,
    pub quantiles: Vec<Quantile>,
    /// 2-D landscapes: the share of all walkers per basin (diverged ones are in none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub basins: Vec<BasinShare>,
    /// AMSGrad on a 1-D landscape: each walker's effective rate λ/√v̂ (Prop. 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_rates: Option<EffectiveRates>,
}

/// Prop. 5's reading of AMSGrad: once a walker's v̂ has settled at some c it is SGD with the
/// rate λ/√c, trapped at w = 0 iff that rate lies in Eq. 5's window. Over the walkers with a
/// finite w and v̂ > 0 (a walker whose v̂ is 0 has not moved).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EffectiveRates {
    /// Walkers behind the numbers.
    pub count: usize,
    /// (p, λ/√v̂) at the levels of [`QUANTILE_LEVELS`].
    pub quantiles: Vec<(f64, f64)>,
    /// Eq. 5's window for the current a (two-point law); `None` where Eq. 5 does not apply.
    pub window: Option<(f64, f64)>,
    /// The share of those walkers whose λ/√v̂ lies inside the window.
    pub inside: Option<f64>,
}

/// λ/√v̂ over the adaptive walkers of `e`, for AMSGrad on a 1-D landscape (an even sample of at
/// most `cap` walkers for the quantiles; the share inside Eq. 5's window over the same sample).
fn effective_rates(e: &Ensemble, cap: usize) -> Option<EffectiveRates> {
    let p = e.params();
    if p.optimizer != crate::model::Optimizer::Amsgrad || !e.w2().is_empty() {
        return None;
    }
    let m = e.moments();
    let stride = m.len().div_ceil(cap.max(1)).max(1);
    let w1s = e.w1();
    let mut rates: Vec<f64> = (0..m.len())
        .step_by(stride)
        .filter(|&i| w1s[i].is_finite() && m[i].v_hat > 0.0 && m[i].v_hat.is_finite())
        .map(|i| p.lambda / (m[i].v_hat.sqrt() + p.adam.eps))
        .collect();
    let window = (p.noise == crate::model::NoiseLaw::TwoPoint)
        .then(|| crate::model::theory::eq5_interval(p.a))
        .flatten()
        .map(|(lo, hi)| (lo.max(0.0), hi));
    let count = rates.len();
    let inside = window.filter(|_| count > 0).map(|(lo, hi)| {
        rates.iter().filter(|r| **r > lo && **r < hi).count() as f64 / count as f64
    });
    let quantiles = if count == 0 {
        Vec::new()
    } else {
        QUANTILE_LEVELS
            .iter()
            .map(|&q| {
                let k = ((count - 1) as f64 * q).round() as usize;
                (q, *rates.select_nth_unstable_by(k, f64::total_cmp).1)
            })
            .collect()
    };
    Some(EffectiveRates {
        count,
        quantiles,
        window,
        inside,
    })
}

/// A summary with the distribution of w1 at that step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    #[serde(flatten)]
    pub summary: Summary,
    /// Histogram of w1 on the parameters' linear range.
    pub histogram: Histogram,
    /// Histogram of log10|w1| over finite, non-zero walkers (zeros are counted in `below`).
    pub log10_histogram: Histogram,
    /// 2-D landscapes: the density of (w1, w2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub density: Option<Histogram2d>,
}

fn mean(sum: f64, n: usize) -> Option<f64> {
    (n > 0).then(|| sum / n as f64)
}

/// Quantiles of `values` (which is reordered). Uses at most `cap` evenly strided values when
/// given, which bounds the cost in the live view (standard error of a quantile ∝ 1/sqrt(cap)).
fn quantiles_of(values: &mut Vec<f64>, abs_values: &mut Vec<f64>) -> Vec<Quantile> {
    if values.is_empty() {
        return Vec::new();
    }
    let pick = |v: &mut Vec<f64>, p: f64| -> f64 {
        let k = ((v.len() - 1) as f64 * p).round() as usize;
        *v.select_nth_unstable_by(k, f64::total_cmp).1
    };
    QUANTILE_LEVELS
        .iter()
        .map(|&p| Quantile {
            p,
            w: pick(values, p),
            abs_w: pick(abs_values, p),
        })
        .collect()
}

/// Walkers per unit of statistics work: fixed, so that the sums are added in the same order
/// whatever the thread count (the statistics, like the walkers, depend only on the seed).
const STAT_CHUNK: usize = 1 << 16;

/// The counts and sums of one chunk of walkers.
struct Partial {
    hist: Binner,
    log_hist: Binner,
    below: Vec<usize>,
    finite: usize,
    at_zero: usize,
    log_count: usize,
    sum_w: f64,
    sum_abs: f64,
    sum_abs2: f64,
    sum_w4: f64,
    sum_loss: f64,
    sum_log_ratio: f64,
    sum_log_abs: f64,
    basin_counts: Vec<usize>,
    density: Option<Histogram2d>,
}

impl Partial {
    fn merge(mut self, o: Partial) -> Partial {
        for (a, b) in self.hist.counts.iter_mut().zip(&o.hist.counts) {
            *a += b;
        }
        for (a, b) in self.log_hist.counts.iter_mut().zip(&o.log_hist.counts) {
            *a += b;
        }
        for (a, b) in self.below.iter_mut().zip(&o.below) {
            *a += b;
        }
        for (a, b) in self.basin_counts.iter_mut().zip(&o.basin_counts) {
            *a += b;
        }
        if let (Some(d), Some(od)) = (self.density.as_mut(), o.density.as_ref()) {
            for (a, b) in d.counts.iter_mut().zip(&od.counts) {
                *a += b;
            }
            d.outside += od.outside;
        }
        self.finite += o.finite;
        self.at_zero += o.at_zero;
        self.log_count += o.log_count;
        self.sum_w += o.sum_w;
        self.sum_abs += o.sum_abs;
        self.sum_abs2 += o.sum_abs2;
        self.sum_w4 += o.sum_w4;
        self.sum_loss += o.sum_loss;
        self.sum_log_ratio += o.sum_log_ratio;
        self.sum_log_abs += o.sum_log_abs;
        self
    }
}

/// Walkers per inner block of the statistics: the block's scratch arrays stay in L1.
const STAT_BLOCK: usize = 1024;

crate::sim::lanes::multiversion! {
    /// The counts and sums over walkers `range` of `e`.
    fn partial(e: &Ensemble, range: std::ops::Range<usize>) -> Partial => partial_portable
}

/// Σ f(i) over `0..n` in eight interleaved sums (so that LLVM keeps them in one vector register),
/// added in a fixed order.
#[inline(always)]
fn sum8(n: usize, f: impl Fn(usize) -> f64) -> f64 {
    let mut acc = [0.0f64; 8];
    let whole = n / 8 * 8;
    for c in (0..whole).step_by(8) {
        for (j, a) in acc.iter_mut().enumerate() {
            *a += f(c + j);
        }
    }
    let mut total: f64 = acc.iter().sum();
    for i in whole..n {
        total += f(i);
    }
    total
}

/// Every statistic of a block as a series of simple loops over L1-resident arrays — masks,
/// sums in eight lanes, histogram slots and basin indices computed as numbers — which LLVM
/// vectorises, then the counting of the slots.
#[inline(always)]
fn partial_portable(e: &Ensemble, range: std::ops::Range<usize>) -> Partial {
    let p = e.params();
    let h = &p.histogram;
    let lp = LandscapeParams {
        landscape: p.landscape,
        a: p.a,
        b: p.b,
    };
    let two_d = !e.w2().is_empty();
    let basins = Basin::of(p.landscape);
    let classifier = Classifier::new(p.landscape, p.a);
    let mut out = Partial {
        hist: Binner::new(h.lo, h.hi, h.bins),
        log_hist: Binner::new(h.log10_lo, h.log10_hi, h.bins),
        below: vec![0; p.thresholds.len()],
        finite: 0,
        at_zero: 0,
        log_count: 0,
        sum_w: 0.0,
        sum_abs: 0.0,
        sum_abs2: 0.0,
        sum_w4: 0.0,
        sum_loss: 0.0,
        sum_log_ratio: 0.0,
        sum_log_abs: 0.0,
        basin_counts: vec![0; basins.len()],
        density: two_d.then(|| Histogram2d::new(h.lo, h.hi, h.lo2, h.hi2, h.bins2d)),
    };
    let w1_all = &e.w1()[range.clone()];
    let w2_all = if two_d {
        &e.w2()[range.clone()]
    } else {
        &[][..]
    };
    let log_w0_all = &e.log_w0()[range];
    // The averaged loss of a 1-D landscape is x̄w²/2 (+ w⁴/4 for Q4): summed from moments.
    let one_d_loss = !two_d && matches!(p.landscape, Landscape::Quadratic | Landscape::Quartic);
    let (lin_slot_of, log_slot_of) = (out.hist.slots(), out.log_hist.slots());
    const B: usize = STAT_BLOCK;
    let (mut fin, mut v1, mut v2) = ([0.0f64; B], [0.0f64; B], [0.0f64; B]);
    let (mut norms, mut logs, mut q) = ([0.0f64; B], [0.0f64; B], [0.0f64; B]);
    let (mut lin_slots, mut log_slots) = ([0u32; B], [0u32; B]);
    let (mut classes, mut cells) = ([0u32; B], [0u32; B]);
    let dens_skip = out.density.as_ref().map_or(0, |d| (d.cols * d.rows) as u32);
    let dens_outside = dens_skip + 1;
    let dens_geom = out
        .density
        .as_ref()
        .map(|d| (d.x0, d.x1, d.y0, d.y1, d.cols, d.rows));
    let mut below = vec![0.0f64; p.thresholds.len()];
    let mut sums = [0.0f64; 10];
    for (b, w1s) in w1_all.chunks(B).enumerate() {
        let base = b * B;
        let n = w1s.len();
        let w2s = if two_d {
            &w2_all[base..base + n]
        } else {
            &[][..]
        };
        let l0s = &log_w0_all[base..base + n];
        crate::sim::lanes::ln_abs_many(w1s, &mut logs[..n]);
        // Masks and masked values.
        for i in 0..n {
            let w1 = w1s[i];
            let w2 = if two_d { w2s[i] } else { 0.0 };
            let finite = w1.is_finite() && w2.is_finite();
            fin[i] = if finite { 1.0 } else { 0.0 };
            v1[i] = if finite { w1 } else { 0.0 };
            v2[i] = if finite { w2 } else { 0.0 };
        }
        // Sums.
        sums[0] += sum8(n, |i| fin[i]);
        sums[1] += sum8(n, |i| v1[i]);
        sums[2] += sum8(n, |i| v1[i].abs());
        sums[3] += sum8(n, |i| v1[i] * v1[i]);
        if one_d_loss {
            sums[4] += sum8(n, |i| (v1[i] * v1[i]) * (v1[i] * v1[i]));
        } else {
            // One loop per landscape, so that the loss inlines without its `match`.
            let masked = |i: usize, l: f64| {
                if fin[i] > 0.0 && l.is_finite() {
                    l
                } else {
                    0.0
                }
            };
            let lp_sharp = LandscapeParams {
                landscape: Landscape::SharpMinima,
                ..lp
            };
            // Eq. 6's averaged loss is ℓ at E[x]: the mean once, not per walker.
            let x_sharp = Landscape::SharpMinima.noise_mean(lp.a);
            let lp_toy = LandscapeParams {
                landscape: Landscape::ToyNetwork,
                ..lp
            };
            sums[5] += match p.landscape {
                Landscape::SharpMinima => {
                    sum8(n, |i| masked(i, lp_sharp.loss([v1[i], v2[i]], x_sharp)))
                }
                Landscape::ToyNetwork => {
                    sum8(n, |i| masked(i, lp_toy.averaged_loss([v1[i], v2[i]])))
                }
                _ => sum8(n, |i| masked(i, lp.averaged_loss([v1[i], v2[i]]))),
            };
        }
        sums[6] += sum8(n, |i| {
            if fin[i] > 0.0 && v1[i] == 0.0 && v2[i] == 0.0 {
                1.0
            } else {
                0.0
            }
        });
        // |w| for the thresholds: √(w1² + w2²) rather than hypot (a library call per walker),
        // which may underflow to 0 or overflow to ∞ only where the comparison comes out the same.
        for i in 0..n {
            let nm = if two_d {
                (v1[i] * v1[i] + v2[i] * v2[i]).sqrt()
            } else {
                v1[i].abs()
            };
            norms[i] = if fin[i] > 0.0 { nm } else { f64::INFINITY };
        }
        for (acc, &th) in below.iter_mut().zip(&p.thresholds) {
            *acc += sum8(n, |i| if norms[i] < th { 1.0 } else { 0.0 });
        }
        // E ln|w_t/w_0| over finite walkers away from 0 that did not start at 0; a walker at 0
        // is counted below the log histogram's range.
        for i in 0..n {
            let nonzero = fin[i] > 0.0 && v1[i] != 0.0;
            q[i] = if nonzero && l0s[i].is_finite() {
                1.0
            } else {
                0.0
            };
            let l10 = if nonzero {
                logs[i] * std::f64::consts::LOG10_E
            } else {
                f64::NEG_INFINITY
            };
            log_slots[i] = log_slot_of(l10, fin[i] == 0.0);
            lin_slots[i] = lin_slot_of(v1[i], fin[i] == 0.0);
        }
        sums[7] += sum8(n, |i| q[i]);
        sums[8] += sum8(n, |i| if q[i] > 0.0 { logs[i] - l0s[i] } else { 0.0 });
        sums[9] += sum8(n, |i| if q[i] > 0.0 { logs[i] } else { 0.0 });
        if two_d {
            for i in 0..n {
                let k = classifier.index(v1[i], v2[i]) as u32;
                classes[i] = if fin[i] > 0.0 { k } else { basins.len() as u32 };
            }
            if let Some((x0, x1, y0, y1, cols, rows)) = dens_geom {
                for i in 0..n {
                    let fx = (v1[i] - x0) / (x1 - x0);
                    let fy = (v2[i] - y0) / (y1 - y0);
                    let inside = (0.0..=1.0).contains(&fx) && (0.0..=1.0).contains(&fy);
                    let c = ((fx * cols as f64) as i32).clamp(0, cols as i32 - 1) as u32;
                    let r = ((fy * rows as f64) as i32).clamp(0, rows as i32 - 1) as u32;
                    cells[i] = if fin[i] == 0.0 {
                        dens_skip
                    } else if inside {
                        r * cols as u32 + c
                    } else {
                        dens_outside
                    };
                }
            }
        }
        // The counting.
        for i in 0..n {
            out.hist.count(lin_slots[i], i);
            out.log_hist.count(log_slots[i], i);
        }
        if two_d {
            let mut per = [0usize; 4];
            for &k in &classes[..n] {
                per[(k as usize).min(3)] += 1;
            }
            for (c, k) in out.basin_counts.iter_mut().zip(per) {
                *c += k;
            }
            if let Some(d) = out.density.as_mut() {
                for &cell in &cells[..n] {
                    if cell < dens_skip {
                        d.counts[cell as usize] += 1;
                    } else if cell == dens_outside {
                        d.outside += 1;
                    }
                }
            }
        }
    }
    out.finite = sums[0] as usize;
    out.sum_w = sums[1];
    out.sum_abs = sums[2];
    out.sum_abs2 = sums[3];
    out.sum_w4 = sums[4];
    out.sum_loss = sums[5];
    out.at_zero = sums[6] as usize;
    out.log_count = sums[7] as usize;
    out.sum_log_ratio = sums[8];
    out.sum_log_abs = sums[9];
    out.below = below.iter().map(|&b| b as usize).collect();
    out
}

/// Compute the record of `e` at its current step on this thread. `quantile_cap` bounds the
/// number of walkers used for quantiles (`None` = all).
/// A typed landscape's mean loss: L = E_x ℓ(w; x) of its law ([`crate::model::custom::mean_losses`]) over
/// the finite walkers whose L is finite, as the built-ins skip non-finite losses.
fn typed_mean_loss(e: &Ensemble) -> Option<f64> {
    let p = e.params();
    // The loss alone: no derivatives to form at every snapshot.
    let loss = crate::model::expr::parse_loss(&p.loss).ok()?;
    let law = super::theory::x_law(p);
    let losses = crate::model::custom::mean_losses(&loss, (p.a, p.b), &law, e.w1(), e.w2());
    let (sum, n) = losses
        .iter()
        .filter(|l| l.is_finite())
        .fold((0.0, 0usize), |(s, n), l| (s + l, n + 1));
    mean(sum, n)
}

pub fn record(e: &Ensemble, quantile_cap: Option<usize>) -> Record {
    record_parallel(e, quantile_cap, 1)
}

/// [`record`] on up to `threads` threads: fixed chunks of walkers, their counts and sums added
/// in chunk order, so that the result does not depend on `threads`.
pub fn record_parallel(e: &Ensemble, quantile_cap: Option<usize>, threads: usize) -> Record {
    record_unless(e, quantile_cap, threads, &|| false).expect("never stopped")
}

/// [`record_parallel`] that gives up (`None`) as soon as `stop()` says so, looked at before each
/// chunk: the live view's statistics of an ensemble about to be replaced are not worth finishing.
pub fn record_unless(
    e: &Ensemble,
    quantile_cap: Option<usize>,
    threads: usize,
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<Record> {
    let p = e.params();
    let two_d = !e.w2().is_empty();
    let (w1s, w2s) = (e.w1(), e.w2());
    let _ = e.log_w0(); // computed once, before the threads share it
    let chunks: Vec<std::ops::Range<usize>> = (0..e.len().div_ceil(STAT_CHUNK).max(1))
        .map(|c| c * STAT_CHUNK..((c + 1) * STAT_CHUNK).min(e.len()))
        .collect();
    let threads = threads.clamp(1, chunks.len());
    let mut parts: Vec<Option<Partial>> = (0..chunks.len()).map(|_| None).collect();
    let fill = |slots: &mut [Option<Partial>], rs: &[std::ops::Range<usize>]| {
        for (slot, r) in slots.iter_mut().zip(rs) {
            if stop() {
                return;
            }
            *slot = Some(partial(e, r.clone()));
        }
    };
    if threads == 1 {
        fill(&mut parts, &chunks);
    } else {
        let per = chunks.len().div_ceil(threads);
        std::thread::scope(|s| {
            for (slots, rs) in parts.chunks_mut(per).zip(chunks.chunks(per)) {
                s.spawn(move || fill(slots, rs));
            }
        });
    }
    if parts.iter().any(Option::is_none) {
        return None;
    }
    let all = parts
        .into_iter()
        .flatten()
        .reduce(Partial::merge)
        .expect("at least one chunk");
    let Partial {
        hist,
        log_hist,
        below,
        finite,
        at_zero,
        log_count,
        sum_w,
        sum_abs,
        sum_abs2,
        sum_w4,
        mut sum_loss,
        sum_log_ratio,
        sum_log_abs,
        basin_counts,
        density,
    } = all;
    let basins = Basin::of(p.landscape);
    let lp = LandscapeParams {
        landscape: p.landscape,
        a: p.a,
        b: p.b,
    };
    let one_d_loss = !two_d && matches!(p.landscape, Landscape::Quadratic | Landscape::Quartic);
    if one_d_loss {
        let xbar = p.landscape.noise_mean(p.a);
        sum_loss = 0.5 * xbar * sum_abs2;
        if p.landscape == Landscape::Quartic {
            sum_loss += 0.25 * sum_w4;
        }
        if !sum_loss.is_finite() {
            // Some walker's w² or w⁴ overflowed: fall back to the per-walker sum, which skips
            // non-finite losses the same way.
            sum_loss = w1s
                .iter()
                .map(|&w| lp.averaged_loss([w, 0.0]))
                .filter(|l| l.is_finite())
                .sum();
        }
    }
    let n = e.len();
    let cap = quantile_cap.unwrap_or(usize::MAX).max(1);
    // Every stride-th walker, the non-finite ones skipped: an even sample of at most about
    // `cap` values, the same at every step.
    let stride = n.div_ceil(cap).max(1);
    let mut vals: Vec<f64> = (0..n)
        .step_by(stride)
        .filter(|&i| w1s[i].is_finite() && (!two_d || w2s[i].is_finite()))
        .map(|i| w1s[i])
        .collect();

    let mut abs_vals: Vec<f64> = vals.iter().map(|w| w.abs()).collect();
    let quantiles = quantiles_of(&mut vals, &mut abs_vals);

    let mean_abs = mean(sum_abs, finite);
    let sem_abs = mean_abs.and_then(|m| {
        (finite > 1)
            .then(|| ((sum_abs2 / finite as f64 - m * m).max(0.0) / (finite - 1) as f64).sqrt())
    });
    Some(Record {
        summary: Summary {
            step: e.step(),
            walkers: n,
            finite,
            diverged: n - finite,
            at_zero,
            fraction_below: below.iter().map(|&c| c as f64 / n as f64).collect(),
            mean_log_ratio: mean(sum_log_ratio, log_count),
            mean_log_abs: mean(sum_log_abs, log_count),
            log_count,
            mean_w: mean(sum_w, finite),
            mean_abs_w: mean_abs,
            sem_abs_w: sem_abs,
            mean_loss: if p.landscape.is_custom() {
                typed_mean_loss(e)
            } else {
                mean(sum_loss, finite)
            },
            quantiles,
            basins: if two_d {
                basins
                    .iter()
                    .zip(&basin_counts)
                    .map(|(b, c)| BasinShare {
                        basin: *b,
                        fraction: *c as f64 / n as f64,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            effective_rates: effective_rates(e, cap.min(100_000)),
        },
        histogram: hist.finish(),
        log10_histogram: log_hist.finish(),
        density,
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_fast_binner_counts_like_the_histogram() {
        let (lo, hi, bins) = (-1.0, 1.0, 7);
        let mut values = vec![
            lo,
            hi,
            -1.0000001,
            1.0000001,
            0.0,
            f64::NEG_INFINITY,
            1e300,
            -1e300,
        ];
        values.extend((0..=700).map(|k| -1.2 + 2.4 * k as f64 / 700.0));
        values.extend((0..=7).map(|k| lo + (hi - lo) * k as f64 / 7.0)); // every bin edge
        let mut slow = Histogram::new(lo, hi, bins);
        let mut fast = Binner::new(lo, hi, bins);
        for (i, &v) in values.iter().enumerate() {
            slow.add(v);
            fast.add(v, i);
        }
        assert_eq!(fast.finish(), slow);
    }

    use super::*;
    use crate::model::Landscape;
    use crate::sim::params::{ExperimentParams, InitLaw};

    #[test]
    fn bins_mirror_about_zero_and_the_sign_decides_the_central_bin() {
        for (lo, hi, bins) in [
            (-1.0, 1.0, 20),
            (-1.0, 1.0, 4),
            (-3.0, 1.0, 8),
            (-0.7, 0.7, 14),
        ] {
            let mut h = Histogram::new(lo, hi, bins);
            let mut fast = Binner::new(lo, hi, bins);
            let (ia, at) = bin_anchor(lo, hi, bins);
            assert_eq!(at, 0.0, "0 is an edge of {lo}..{hi} in {bins} bins");
            assert_eq!(h.edge(ia), 0.0);
            // Tiny values of either sign, ±0 included, fall on their own side of 0.
            for (v, bin) in [(-1e-300, ia - 1), (1e-300, ia), (-0.0, ia - 1), (0.0, ia)] {
                let mut one = Histogram::new(lo, hi, bins);
                one.add(v);
                assert_eq!(one.counts[bin], 1, "{v} in {lo}..{hi}");
            }
            // Mirrored values land in mirrored bins, edges included (the range's own ends only
            // where both are ends: `hi` counts in the last bin, `lo` in the first).
            let r = hi.min(-lo);
            let last = if lo == -hi { 4000 } else { 3999 };
            for k in 0..=last {
                let v = r * k as f64 / 4000.0;
                for (i, x) in [v, -v].into_iter().enumerate() {
                    h.add(x);
                    fast.add(x, k + i);
                }
            }
            for j in 0..ia.min(bins - ia) {
                assert_eq!(
                    h.counts[ia + j],
                    h.counts[ia - 1 - j],
                    "bin pair {j} of {lo}..{hi}"
                );
                assert_eq!(h.edge(ia + j + 1), -h.edge(ia - j - 1));
            }
            assert_eq!(fast.finish(), h);
        }
        // Odd bins on a symmetric range: 0 is a bin centre, and the bins stay anchored at lo.
        assert_eq!(bin_anchor(-1.0, 1.0, 21), (0, -1.0));
    }

    #[test]
    fn histogram_edges_and_totals() {
        let mut h = Histogram::new(-1.0, 1.0, 4);
        for v in [-2.0, -1.0, -0.6, 0.0, 0.49, 0.5, 1.0, 3.0] {
            h.add(v);
        }
        assert_eq!(h.counts, vec![2, 0, 2, 2]);
        assert_eq!((h.below, h.above, h.total()), (1, 1, 8));
    }

    #[test]
    fn diverged_walkers_stay_out_of_every_statistic() {
        let p = ExperimentParams {
            landscape: Landscape::Quartic,
            lambda: 1.6,
            walkers: 2000,
            init: InitLaw::Uniform { half_width: 1.5 },
            ..ExperimentParams::default()
        };
        let mut e = Ensemble::new(&p.valid().unwrap());
        e.advance(300, 1);
        let r = record(&e, None);
        let s = &r.summary;
        assert!(s.diverged > 0, "this setting should diverge some walkers");
        assert_eq!(s.finite + s.diverged, s.walkers);
        assert_eq!(r.histogram.total() as usize, s.finite);
        for v in [s.mean_w, s.mean_abs_w, s.mean_loss, s.mean_log_ratio]
            .into_iter()
            .flatten()
        {
            assert!(v.is_finite());
        }
        assert!(
            s.quantiles
                .iter()
                .all(|q| q.w.is_finite() && q.abs_w.is_finite())
        );
    }
}
