//! Phase-diagram sweeps (Fig. 1-right, Fig. 4, Fig. 9): an ensemble per (a, λ) cell, run for T
//! steps, recording the fraction that escaped |w_T| > θ (diverged walkers count as escaped, and
//! are also counted apart).
//!
//! A sweep is progressive: cells are visited coarse-to-fine (every 2^k-th cell in both
//! directions first), so the whole plane is visible after a small fraction of the work. Cells
//! are shared among threads through an atomic counter; a cancel flag stops every thread within
//! one chunk of work. Each cell has its own seed derived from (seed, cell index), so the result
//! does not depend on the thread count or on the visiting order.

use std::sync::atomic::{AtomicBool, Ordering};
use web_time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::ensemble::Ensemble;
use super::params::{
    ExperimentParams, ParamError, ValidParams, out_of_range, parse_number, parse_whole,
};
use super::pool;

mod layers;

pub use layers::exact_escape_map;
use layers::theory_layers_async;
pub(crate) use layers::{TheoryLayers, mu_zero_frame, theory_layers, theory_layers_but_mu_zero};

/// The grid and the per-cell experiment of a sweep. The rest of the experiment (landscape,
/// optimizer, noise, initial law, seed) comes from the base [`ExperimentParams`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SweepSpec {
    pub a_min: f64,
    pub a_max: f64,
    pub a_cells: usize,
    pub lambda_min: f64,
    pub lambda_max: f64,
    pub lambda_cells: usize,
    /// Walkers per cell.
    pub walkers: usize,
    /// Steps T each cell runs.
    pub steps: u64,
    /// Escape threshold θ: a walker escaped when |w_T| > θ.
    pub threshold: f64,
    /// A typed landscape's stationary point whose μ = 0 line the map draws; none: the SGD
    /// fixed point nearest the origin at the middle of the a range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point: Option<PickedPoint>,
}

/// A stationary point of a typed landscape, picked for the phase diagram's μ = 0 line: where
/// it is at one a (the map follows it over a from there).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickedPoint {
    /// (w, 0) in 1-D, (w1, w2) in 2-D.
    pub w: [f64; 2],
    /// The a it is at there; none: the experiment's a.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a: Option<f64>,
}

impl Default for SweepSpec {
    /// Fig. 1-right: a ∈ [−1, 1], λ ∈ [0, 2], 50 × 50 cells × 2000 walkers × 1000 steps, θ = 0.1.
    fn default() -> Self {
        SweepSpec {
            a_min: -1.0,
            a_max: 1.0,
            a_cells: 50,
            lambda_min: 0.0,
            lambda_max: 2.0,
            lambda_cells: 50,
            walkers: 2000,
            steps: 1000,
            threshold: 0.1,
            point: None,
        }
    }
}

impl SweepSpec {
    pub fn validate(&self) -> Result<(), ParamError> {
        if !(self.a_min.is_finite() && self.a_max.is_finite() && self.a_min < self.a_max) {
            return Err(out_of_range(
                "a range",
                format!("[{}, {}]", self.a_min, self.a_max),
                "finite a_min < a_max",
            ));
        }
        if !(self.lambda_min.is_finite()
            && self.lambda_max.is_finite()
            && 0.0 <= self.lambda_min
            && self.lambda_min < self.lambda_max
            && self.lambda_max <= super::params::MAX_LAMBDA)
        {
            return Err(out_of_range(
                "λ range",
                format!("[{}, {}]", self.lambda_min, self.lambda_max),
                "0 ≤ λ_min < λ_max ≤ 100",
            ));
        }
        for (name, n) in [("a cells", self.a_cells), ("λ cells", self.lambda_cells)] {
            if !(1..=400).contains(&n) {
                return Err(out_of_range(name, n, "1 to 400"));
            }
        }
        if !(1..=1_000_000).contains(&self.walkers) {
            return Err(out_of_range("walkers per cell", self.walkers, "1 to 10⁶"));
        }
        if !(1..=1_000_000).contains(&self.steps) {
            return Err(out_of_range("steps T", self.steps, "1 to 10⁶"));
        }
        if let Some(p) = self.point
            && !(p.w.iter().all(|v| v.is_finite()) && p.a.is_none_or(f64::is_finite))
        {
            return Err(out_of_range(
                "picked point",
                format!("{:?}", p.w),
                "finite w and a",
            ));
        }
        if !(self.threshold.is_finite() && self.threshold > 0.0) {
            return Err(out_of_range(
                "threshold θ",
                self.threshold,
                "a finite number > 0",
            ));
        }
        Ok(())
    }

    /// Cell centres along a (the singular a = 1 is never a centre of the default grid).
    pub fn a_centres(&self) -> Vec<f64> {
        centres(self.a_min, self.a_max, self.a_cells)
    }

    /// Cell centres along λ (never λ = 1 or 2 on the default grid).
    pub fn lambda_centres(&self) -> Vec<f64> {
        centres(self.lambda_min, self.lambda_max, self.lambda_cells)
    }

    pub fn cells(&self) -> usize {
        self.a_cells * self.lambda_cells
    }

    /// Set one field from text (`--set sweep.KEY=VALUE`); validate afterwards.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ParamError> {
        let full = format!("sweep.{key}");
        let num = || parse_number(&full, value, "a number");
        let whole = || parse_whole(&full, value, "a whole number");
        match key {
            "a_min" => self.a_min = num()?,
            "a_max" => self.a_max = num()?,
            "a_cells" => self.a_cells = whole()? as usize,
            "lambda_min" => self.lambda_min = num()?,
            "lambda_max" => self.lambda_max = num()?,
            "lambda_cells" => self.lambda_cells = whole()? as usize,
            "walkers" => self.walkers = whole()?.min(usize::MAX as u64) as usize,
            "steps" => self.steps = whole()?,
            "threshold" => self.threshold = num()?,
            "point" => {
                let w: Vec<f64> = value
                    .split(',')
                    .map(|v| parse_number(&full, v.trim(), "w, or w1,w2"))
                    .collect::<Result<_, _>>()?;
                let (w1, w2) = match w[..] {
                    [w] => (w, 0.0),
                    [w1, w2] => (w1, w2),
                    _ => return Err(out_of_range("sweep.point", value, "w, or w1,w2")),
                };
                let a = self.point.and_then(|p| p.a);
                self.point = Some(PickedPoint { w: [w1, w2], a });
            }
            "point_a" => {
                let a = num()?;
                let w = self.point.map_or([0.0; 2], |p| p.w);
                self.point = Some(PickedPoint { w, a: Some(a) });
            }
            _ => return Err(ParamError::UnknownKey(full)),
        }
        Ok(())
    }
}

fn centres(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let d = (hi - lo) / n as f64;
    (0..n).map(|i| lo + (i as f64 + 0.5) * d).collect()
}

/// The stride of the coarsest level: the largest power of two with at least about 4 cells
/// of that stride along the longer axis.
fn coarse_stride(cols: usize, rows: usize) -> usize {
    let mut stride = 1usize;
    while stride * 4 < cols.max(rows) {
        stride *= 2;
    }
    stride
}

/// Number of cells in the coarsest level (the first image of the whole plane).
pub fn coarse_level_len(cols: usize, rows: usize) -> usize {
    let s = coarse_stride(cols, rows);
    cols.div_ceil(s) * rows.div_ceil(s)
}

/// The visiting order: every `s`-th cell in both directions for s = 2^k, k from coarse to 0,
/// each cell once. The first level has at most about 16 cells.
pub fn progressive_order(cols: usize, rows: usize) -> Vec<(usize, usize)> {
    let mut stride = coarse_stride(cols, rows);
    let mut seen = vec![false; cols * rows];
    let mut order = Vec::with_capacity(cols * rows);
    loop {
        for r in (0..rows).step_by(stride) {
            for c in (0..cols).step_by(stride) {
                if !seen[r * cols + c] {
                    seen[r * cols + c] = true;
                    order.push((c, r));
                }
            }
        }
        if stride == 1 {
            break;
        }
        stride /= 2;
    }
    order
}

/// The result of a sweep, complete or partial. Arrays are row-major with rows along λ and
/// columns along a (index = row · a_cells + col); NaN marks a cell not computed yet.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SweepGrid {
    pub spec: SweepSpec,
    pub base: ExperimentParams,
    pub a: Vec<f64>,
    pub lambda: Vec<f64>,
    /// Fraction of walkers with |w_T| > θ or non-finite.
    pub escape: Vec<f64>,
    /// Fraction of walkers with a non-finite w_T.
    pub diverged: Vec<f64>,
    /// μ(a, λ) = E ln|1 − λx| of the base noise law (quadratic picture).
    pub mu: Vec<f64>,
    /// Exact finite-T escape probability from the binomial law, where it applies (quadratic,
    /// SGD, two-point noise, no σ_add, no projection).
    pub exact_escape: Option<Vec<f64>>,
    /// The μ = 0 line of the base noise law over the grid, as polylines of (a, λ): Eq. 5's
    /// closed form for the two-point law, traced numerically for the others.
    pub mu_zero: Vec<Vec<[f64; 2]>>,
    /// The typed landscape's stationary point the μ = 0 line is of, in words ("the maximum
    /// w = 0 at a = 0.5"); none for a built-in landscape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mu_zero_of: Option<String>,
    /// That point is w = 0, where escape is measured from.
    #[serde(default)]
    pub mu_zero_at_origin: bool,
    /// Cells computed so far.
    pub done: usize,
    /// Wall time so far, in seconds.
    pub seconds: f64,
}

impl SweepGrid {
    /// An empty grid with its theory layers; the exact map stops early (and is left out) once
    /// `cancel` is set.
    #[cfg(test)]
    fn new(base: &ExperimentParams, spec: &SweepSpec, cancel: &AtomicBool) -> SweepGrid {
        let mut g = SweepGrid::empty(base, spec);
        g.attach(theory_layers(base, spec, 2, cancel));
        g
    }

    /// An empty grid whose theory layers are not there yet (μ NaN, no exact map, no contour).
    fn empty(base: &ExperimentParams, spec: &SweepSpec) -> SweepGrid {
        let n = spec.cells();
        SweepGrid {
            spec: spec.clone(),
            base: base.clone(),
            a: spec.a_centres(),
            lambda: spec.lambda_centres(),
            escape: vec![f64::NAN; n],
            diverged: vec![f64::NAN; n],
            mu: vec![f64::NAN; n],
            exact_escape: None,
            mu_zero: Vec::new(),
            mu_zero_of: None,
            mu_zero_at_origin: false,
            done: 0,
            seconds: 0.0,
        }
    }

    fn attach(&mut self, t: TheoryLayers) {
        self.mu = t.mu;
        self.exact_escape = t.exact_escape;
        self.mu_zero = t.mu_zero;
        self.mu_zero_of = t.mu_zero_of;
        self.mu_zero_at_origin = t.at_origin;
    }

    pub fn is_complete(&self) -> bool {
        self.done == self.spec.cells()
    }

    /// The cell containing (a, λ), if inside the grid.
    pub fn cell_at(&self, a: f64, lambda: f64) -> Option<(usize, usize)> {
        let s = &self.spec;
        let fc = (a - s.a_min) / (s.a_max - s.a_min) * s.a_cells as f64;
        let fr = (lambda - s.lambda_min) / (s.lambda_max - s.lambda_min) * s.lambda_cells as f64;
        (fc >= 0.0 && fr >= 0.0 && fc < s.a_cells as f64 && fr < s.lambda_cells as f64)
            .then_some((fc as usize, fr as usize))
    }

    pub fn index(&self, col: usize, row: usize) -> usize {
        row * self.spec.a_cells + col
    }

    /// (cells where "escape > ½" and "μ > 0" agree, computed cells with a finite μ): how well
    /// the map follows the μ = 0 line of the grid's μ.
    pub fn sign_agreement(&self) -> (usize, usize) {
        let mut agree = 0;
        let mut of = 0;
        for (e, m) in self.escape.iter().zip(&self.mu) {
            if e.is_nan() || !m.is_finite() {
                continue;
            }
            of += 1;
            if (*e > 0.5) == (*m > 0.0) {
                agree += 1;
            }
        }
        (agree, of)
    }

    /// `values` with every cell not computed yet filled from its nearest computed coarse
    /// ancestor of the progressive order (so a partial sweep shows a blocky whole plane).
    pub fn filled(&self, values: &[f64]) -> Vec<f64> {
        let (cols, rows) = (self.spec.a_cells, self.spec.lambda_cells);
        let mut out = values.to_vec();
        for r in 0..rows {
            for c in 0..cols {
                if !out[r * cols + c].is_nan() {
                    continue;
                }
                let mut stride = 2;
                while stride < 2 * cols.max(rows) {
                    let v = values[(r - r % stride) * cols + (c - c % stride)];
                    if !v.is_nan() {
                        out[r * cols + c] = v;
                        break;
                    }
                    stride *= 2;
                }
            }
        }
        out
    }
}

/// The experiment of one cell.
pub fn cell_params(
    base: &ExperimentParams,
    spec: &SweepSpec,
    col: usize,
    row: usize,
) -> ExperimentParams {
    let a = spec.a_centres()[col];
    let lambda = spec.lambda_centres()[row];
    ExperimentParams {
        a,
        lambda,
        walkers: spec.walkers,
        steps: spec.steps,
        record_steps: Vec::new(),
        thresholds: vec![spec.threshold],
        seed: base.seed
            ^ ((row * spec.a_cells + col) as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03),
        ..base.clone()
    }
}

/// Run one cell: (escape fraction, diverged fraction), or `None` if cancelled.
pub(crate) async fn run_cell(
    p: &ValidParams,
    threshold: f64,
    cancel: &AtomicBool,
) -> Option<(f64, f64)> {
    let mut e = Ensemble::new(p);
    if !e.advance_to_async(p.steps, 1, cancel).await {
        return None;
    }
    let two_d = !e.w2().is_empty();
    let (mut escaped, mut diverged) = (0usize, 0usize);
    for i in 0..e.len() {
        let w1 = e.w1()[i];
        let w2 = if two_d { e.w2()[i] } else { 0.0 };
        if !(w1.is_finite() && w2.is_finite()) {
            diverged += 1;
            escaped += 1;
        } else if w1.hypot(w2) > threshold {
            escaped += 1;
        }
    }
    let n = e.len() as f64;
    Some((escaped as f64 / n, diverged as f64 / n))
}

/// Run the whole sweep on `threads` threads, calling `progress` with the partial grid at most
/// every `every` (and once at the end). Returns `None` if cancelled.
pub fn run_sweep(
    base: &ValidParams,
    spec: &SweepSpec,
    threads: usize,
    cancel: &AtomicBool,
    every: Duration,
    progress: impl FnMut(&SweepGrid),
) -> Result<Option<SweepGrid>, ParamError> {
    crate::coop::block_on(run_sweep_async(
        base, spec, threads, cancel, every, progress,
    ))
}

/// As [`run_sweep`]; on one thread it gives the frame back between cells (see
/// [`crate::coop`]) and computes the theory layers after the coarse image, so that image comes
/// first in a browser too. The cells are the same whatever the threads.
pub async fn run_sweep_async(
    base: &ValidParams,
    spec: &SweepSpec,
    threads: usize,
    cancel: &AtomicBool,
    every: Duration,
    mut progress: impl FnMut(&SweepGrid),
) -> Result<Option<SweepGrid>, ParamError> {
    spec.validate()?;
    cell_params(base, spec, 0, 0).validate()?;
    let start = Instant::now();
    let mut grid = SweepGrid::empty(base, spec);
    if cancel.load(Ordering::Relaxed) {
        return Ok(None);
    }
    let order = progressive_order(spec.a_cells, spec.lambda_cells);
    let mut last = Instant::now();
    let coarse = coarse_level_len(spec.a_cells, spec.lambda_cells);
    let mut coarse_done = 0;
    // Every cell's parameters are valid when the first one's are (the spec is).
    let work = |_, &(c, r): &(usize, usize)| async move {
        let p = cell_params(base, spec, c, r).valid().ok()?;
        run_cell(&p, spec.threshold, cancel).await
    };
    // k: the place in the visiting order.
    let mut on_cell = |grid: &mut SweepGrid, k: usize, (esc, div): (f64, f64)| {
        let (c, r) = order[k];
        let idx = r * spec.a_cells + c;
        grid.escape[idx] = esc;
        grid.diverged[idx] = div;
        grid.done += 1;
        // The coarse image of the whole plane goes out as soon as its last cell is in (cells
        // finish slightly out of order on several threads).
        let coarse_now = k < coarse && {
            coarse_done += 1;
            coarse_done == coarse
        };
        if (last.elapsed() >= every || coarse_now) && !grid.is_complete() {
            grid.seconds = start.elapsed().as_secs_f64();
            progress(grid);
            last = Instant::now();
        }
    };
    if let Some(pool) = super::remote::pool() {
        let theory = super::remote::cells::cells_on_pool(
            pool,
            base,
            spec,
            &order,
            coarse,
            cancel,
            |k, r| on_cell(&mut grid, k, r),
        )
        .await?;
        if let Some(t) = theory {
            grid.attach(t);
        }
    } else if threads <= 1 {
        let (first, rest) = order.split_at(coarse.min(order.len()));
        pool::for_each(first, 1, work, |k, r| on_cell(&mut grid, k, r)).await;
        if !cancel.load(Ordering::Relaxed) {
            grid.attach(theory_layers_async(base, spec, 1, cancel, true).await);
            pool::for_each(
                rest,
                1,
                |k, cell| work(k + first.len(), cell),
                |k, r| on_cell(&mut grid, k + first.len(), r),
            )
            .await;
        }
    } else {
        let (tx, rx) = crossbeam_channel::bounded(1);
        std::thread::scope(|s| {
            s.spawn(move || {
                let _ = tx.send(theory_layers(base, spec, 2, cancel));
            });
            let mut attached = false;
            pool::for_each_parallel(
                &order,
                threads,
                |k, cell| crate::coop::block_on(work(k, cell)),
                |k, r| {
                    if !attached && let Ok(t) = rx.try_recv() {
                        grid.attach(t);
                        attached = true;
                    }
                    on_cell(&mut grid, k, r)
                },
            );
            if !attached && let Ok(t) = rx.recv() {
                grid.attach(t);
            }
        });
    }
    let cancelled = cancel.load(Ordering::Relaxed) && !grid.is_complete();
    grid.seconds = start.elapsed().as_secs_f64();
    if cancelled {
        return Ok(None);
    }
    progress(&grid);
    Ok(Some(grid))
}

/// One cell of the `saddlescope run` JSON of a phase diagram.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SweepCell {
    pub a: f64,
    pub lambda: f64,
    pub escape: f64,
    pub diverged: f64,
    pub mu: f64,
    /// Exact binomial escape probability (null where the closed form does not apply).
    pub exact_escape: Option<f64>,
}

/// The JSON written by `saddlescope run` for a phase-diagram preset.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SweepOutput {
    pub format: String,
    pub format_version: u32,
    pub params: ExperimentParams,
    pub sweep: SweepSpec,
    /// Cell centres along a (columns) and λ (rows).
    pub a: Vec<f64>,
    pub lambda: Vec<f64>,
    /// Row-major: λ rows, a columns.
    pub cells: Vec<SweepCell>,
    /// A typed landscape's picked stationary point, whose exponent the cells' `mu` is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mu_zero_of: Option<String>,
}

pub const SWEEP_FORMAT: &str = "saddlescope-sweep";

impl SweepOutput {
    pub fn from_grid(g: &SweepGrid) -> SweepOutput {
        let mut cells = Vec::with_capacity(g.escape.len());
        for (r, &lambda) in g.lambda.iter().enumerate() {
            for (c, &a) in g.a.iter().enumerate() {
                let i = g.index(c, r);
                cells.push(SweepCell {
                    a,
                    lambda,
                    escape: g.escape[i],
                    diverged: g.diverged[i],
                    mu: g.mu[i],
                    exact_escape: g.exact_escape.as_ref().map(|e| e[i]),
                });
            }
        }
        SweepOutput {
            format: SWEEP_FORMAT.into(),
            format_version: 1,
            params: g.base.clone(),
            sweep: g.spec.clone(),
            a: g.a.clone(),
            lambda: g.lambda.clone(),
            cells,
            mu_zero_of: g.mu_zero_of.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progressive_order_visits_every_cell_once_coarse_first() {
        let order = progressive_order(50, 50);
        assert_eq!(order.len(), 2500);
        let mut seen = std::collections::HashSet::new();
        assert!(order.iter().all(|c| seen.insert(*c)));
        // The first level is every 16th cell: 4 × 4 cells span the plane.
        assert_eq!(
            order[..16]
                .iter()
                .filter(|(c, r)| c % 16 == 0 && r % 16 == 0)
                .count(),
            16
        );
        assert_eq!(progressive_order(1, 1), vec![(0, 0)]);
        assert_eq!(coarse_level_len(50, 50), 16);
        assert_eq!(coarse_level_len(7, 3), 8); // stride 2: 4 columns × 2 rows
    }

    #[test]
    fn cancel_stops_promptly_and_returns_none() {
        let spec = SweepSpec {
            walkers: 20_000,
            steps: 100_000,
            a_cells: 4,
            lambda_cells: 4,
            ..SweepSpec::default()
        };
        let cancel = AtomicBool::new(false);
        let r = std::thread::scope(|s| {
            let h = s.spawn(|| {
                run_sweep(
                    &ExperimentParams::default().valid().unwrap(),
                    &spec,
                    2,
                    &cancel,
                    Duration::from_millis(10),
                    |_| {},
                )
            });
            std::thread::sleep(Duration::from_millis(100));
            cancel.store(true, Ordering::Relaxed);
            h.join().unwrap()
        });
        // 16 cells × 2·10⁹ walker-steps would take minutes: returning at all means the threads
        // saw the flag inside their cells.
        assert!(r.unwrap().is_none());
    }

    #[test]
    fn filled_shows_coarse_values_for_missing_cells() {
        let spec = SweepSpec {
            a_cells: 4,
            lambda_cells: 4,
            ..SweepSpec::default()
        };
        let mut g = SweepGrid::new(&ExperimentParams::default(), &spec, &AtomicBool::new(false));
        g.escape[0] = 0.25;
        let f = g.filled(&g.escape);
        assert!(f.iter().all(|v| *v == 0.25));
    }
}
