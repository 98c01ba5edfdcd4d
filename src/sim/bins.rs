//! Histograms of walkers: fixed-width bins on a range, anchored at 0 when 0 is an edge so that
//! the bins mirror about it, and 2-D counts on a grid of cells. Non-finite values are the
//! caller's to keep out.

use serde::{Deserialize, Serialize};

/// Where the bins of `bins` equal bins on [lo, hi] are anchored: an edge index and its value.
/// When 0 is an inner edge (an even number of bins on a symmetric range, say) the anchor is that
/// edge, exactly 0, and bins mirror about it: a walker's sign decides its side — a value is
/// binned by its distance from 0, so −v and v always land in mirrored bins, and −10⁻³⁰⁰ and
/// +10⁻³⁰⁰ in the two central ones (with `(v − lo)/width`, −10⁻³⁰⁰ rounds to the right of 0).
/// Otherwise the anchor is `lo`.
pub fn bin_anchor(lo: f64, hi: f64, bins: usize) -> (usize, f64) {
    let width = (hi - lo) / bins.max(1) as f64;
    if lo < 0.0 && hi > 0.0 {
        let i = (-lo / width).round();
        if i >= 1.0 && i < bins as f64 && (lo + i * width).abs() <= 1e-9 * width {
            return (i as usize, 0.0);
        }
    }
    (0, lo)
}

/// The slot of a finite `v` among `bins` bins: 0 below, 1 ..= bins the bins, bins + 1 above.
/// Bins are measured from the anchor (see [`bin_anchor`]) by distance, on either side: to the
/// right [anchor + kw, anchor + (k+1)w), to the left their mirror (anchor − (k+1)w, anchor − kw];
/// a value's sign relative to the anchor (−0.0 included) picks the side. Both ends are inside:
/// `lo` in the first bin, `hi` in the last. Branch-free, so that a loop over it vectorises.
#[inline(always)]
pub(crate) fn bin_slot(
    v: f64,
    lo: f64,
    hi: f64,
    anchor: (usize, f64),
    scale: f64,
    bins: usize,
) -> u32 {
    let d = v - anchor.1;
    // |d| in bin widths, floored; capped so that the cast is exact.
    let k = (d.abs() * scale).min(bins as f64 + 1.0) as i64;
    let ia = anchor.0 as i64;
    let slot = if d.is_sign_negative() {
        ia - k
    } else {
        ia + 1 + k
    };
    let slot = slot.clamp(0, bins as i64 + 1) as u32;
    if v == hi {
        bins as u32
    } else if v == lo {
        1
    } else {
        slot
    }
}

/// Fixed-width bins on [lo, hi], anchored at 0 when 0 is an edge ([`bin_anchor`]); values
/// outside are counted in `below` / `above`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub lo: f64,
    pub hi: f64,
    pub counts: Vec<u64>,
    pub below: u64,
    pub above: u64,
}

impl Histogram {
    pub fn new(lo: f64, hi: f64, bins: usize) -> Histogram {
        Histogram {
            lo,
            hi,
            counts: vec![0; bins.max(1)],
            below: 0,
            above: 0,
        }
    }

    pub fn bin_width(&self) -> f64 {
        (self.hi - self.lo) / self.counts.len() as f64
    }

    /// Left edge of bin `i`, measured from the anchor (so the edges mirror exactly about 0).
    pub fn edge(&self, i: usize) -> f64 {
        let n = self.counts.len();
        match i {
            0 => self.lo,
            i if i >= n => self.hi,
            i => {
                let (ia, at) = bin_anchor(self.lo, self.hi, n);
                at + (i as f64 - ia as f64) * self.bin_width()
            }
        }
    }

    #[inline]
    pub fn add(&mut self, v: f64) {
        let n = self.counts.len();
        let anchor = bin_anchor(self.lo, self.hi, n);
        let scale = n as f64 / (self.hi - self.lo);
        match bin_slot(v, self.lo, self.hi, anchor, scale, n) as usize {
            0 => self.below += 1,
            s if s > n => self.above += 1,
            s => self.counts[s - 1] += 1,
        }
    }

    /// Everything counted, inside the range or not.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum::<u64>() + self.below + self.above
    }

    /// Probability density of bin `i`, normalised by `n` walkers (so curves with different
    /// numbers of diverged walkers stay comparable).
    pub fn density(&self, i: usize, n: u64) -> f64 {
        if n == 0 {
            0.0
        } else {
            self.counts[i] as f64 / (n as f64 * self.bin_width())
        }
    }
}

/// Counts on a 2-D grid of cells over [x0, x1] × [y0, y1], row-major with rows along y.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Histogram2d {
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
    pub cols: usize,
    pub rows: usize,
    pub counts: Vec<u32>,
    /// Finite walkers outside the box.
    pub outside: u64,
}

impl Histogram2d {
    pub fn new(x0: f64, x1: f64, y0: f64, y1: f64, cells: usize) -> Histogram2d {
        let n = cells.max(1);
        Histogram2d {
            x0,
            x1,
            y0,
            y1,
            cols: n,
            rows: n,
            counts: vec![0; n * n],
            outside: 0,
        }
    }

    #[inline]
    pub fn add(&mut self, x: f64, y: f64) {
        let fx = (x - self.x0) / (self.x1 - self.x0);
        let fy = (y - self.y0) / (self.y1 - self.y0);
        if !(0.0..=1.0).contains(&fx) || !(0.0..=1.0).contains(&fy) {
            self.outside += 1;
            return;
        }
        let c = ((fx * self.cols as f64) as usize).min(self.cols - 1);
        let r = ((fy * self.rows as f64) as usize).min(self.rows - 1);
        self.counts[r * self.cols + c] += 1;
    }
}
