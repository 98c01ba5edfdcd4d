//! Fig. 2: GD, SGD, Adam and AMSGrad on the quadratic, side by side, driven by the same noise
//! stream (same seed: every stochastic optimizer draws the identical x_t, so the difference is
//! the optimizer alone). Records the ensemble mean of |w| and of w with a standard-error band and
//! a 10–90 % quantile band at log-spaced steps.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::model::Optimizer;

use super::ensemble::Ensemble;
use super::params::{
    ExperimentParams, ParamError, ValidParams, out_of_range, parse_number, parse_whole,
};
use super::pool;
use super::stats;

/// One optimizer of the comparison and its learning rate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptimizerEntry {
    pub optimizer: Optimizer,
    pub lambda: f64,
    pub enabled: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimizerSpec {
    pub entries: Vec<OptimizerEntry>,
    pub walkers: usize,
    pub steps: u64,
    /// About this many log-spaced recording steps.
    pub points: usize,
}

impl Default for OptimizerSpec {
    /// Fig. 2: Adam and AMSGrad at λ = 0.2, GD at 0.01, SGD at 0.2 for reference; 2000 runs,
    /// 5·10⁴ steps.
    fn default() -> Self {
        let e = |optimizer, lambda| OptimizerEntry {
            optimizer,
            lambda,
            enabled: true,
        };
        OptimizerSpec {
            entries: vec![
                e(Optimizer::Gd, 0.01),
                e(Optimizer::Sgd, 0.2),
                e(Optimizer::Adam, 0.2),
                e(Optimizer::Amsgrad, 0.2),
            ],
            walkers: 2000,
            steps: 50_000,
            points: 120,
        }
    }
}

impl OptimizerSpec {
    pub fn validate(&self) -> Result<(), ParamError> {
        if self.entries.is_empty() || self.entries.len() > 8 {
            return Err(out_of_range(
                "optimizers",
                self.entries.len(),
                "1 to 8 entries",
            ));
        }
        for e in &self.entries {
            if !(e.lambda.is_finite() && e.lambda >= 0.0 && e.lambda <= 100.0) {
                return Err(out_of_range("optimizer λ", e.lambda, "0 ≤ λ ≤ 100"));
            }
        }
        if !(1..=1_000_000).contains(&self.walkers) {
            return Err(out_of_range("opt.walkers", self.walkers, "1 to 10⁶"));
        }
        if !(1..=10_000_000).contains(&self.steps) {
            return Err(out_of_range("opt.steps", self.steps, "1 to 10⁷"));
        }
        if !(2..=1000).contains(&self.points) {
            return Err(out_of_range("opt.points", self.points, "2 to 1000"));
        }
        Ok(())
    }

    /// Set one field from text (`--set opt.KEY=VALUE`: walkers, steps, points, or
    /// gd_lambda / sgd_lambda / adam_lambda / amsgrad_lambda).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ParamError> {
        let full = format!("opt.{key}");
        if let Some(name) = key.strip_suffix("_lambda") {
            let v = parse_number(&full, value, "a learning rate")?;
            let entry = self
                .entries
                .iter_mut()
                .find(|e| e.optimizer.label().eq_ignore_ascii_case(name));
            return match entry {
                Some(e) => {
                    e.lambda = v;
                    Ok(())
                }
                None => Err(ParamError::UnknownKey(full)),
            };
        }
        match key {
            "walkers" => self.walkers = parse_whole(&full, value, "a whole number")? as usize,
            "steps" => self.steps = parse_whole(&full, value, "a whole number")?,
            "points" => self.points = parse_whole(&full, value, "a whole number")? as usize,
            _ => return Err(ParamError::UnknownKey(full)),
        }
        Ok(())
    }

    /// Log-spaced recording steps 0, 1, …, `steps`.
    pub fn record_steps(&self) -> Vec<u64> {
        let mut s = vec![0u64];
        let n = self.points;
        let top = (self.steps as f64).ln();
        for i in 0..n {
            let t = (top * i as f64 / (n - 1) as f64).exp().round() as u64;
            if t > *s.last().expect("non-empty") {
                s.push(t.min(self.steps));
            }
        }
        if s.last() != Some(&self.steps) {
            s.push(self.steps);
        }
        s
    }
}

/// One optimizer's curves.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OptimizerCurve {
    pub optimizer: Optimizer,
    pub lambda: f64,
    pub steps: Vec<u64>,
    /// Mean |w| over finite walkers, its standard error, and the 10 % / 90 % quantiles of |w|.
    pub mean_abs: Vec<f64>,
    pub sem_abs: Vec<f64>,
    pub q10_abs: Vec<f64>,
    pub q90_abs: Vec<f64>,
    pub mean_w: Vec<f64>,
    pub diverged: Vec<usize>,
}

/// The `saddlescope run` JSON of an optimizer comparison.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OptimizerOutput {
    pub format: String,
    pub format_version: u32,
    pub params: ExperimentParams,
    pub optimizers: OptimizerSpec,
    pub curves: Vec<OptimizerCurve>,
}

pub const OPTIMIZER_FORMAT: &str = "saddlescope-optimizers";

pub(crate) async fn run_one(
    base: &ExperimentParams,
    spec: &OptimizerSpec,
    entry: &OptimizerEntry,
    cancel: &AtomicBool,
    mut tick: impl FnMut(u64),
) -> Result<Option<OptimizerCurve>, ParamError> {
    let p = ExperimentParams {
        optimizer: entry.optimizer,
        lambda: entry.lambda,
        walkers: spec.walkers,
        steps: spec.steps,
        record_steps: Vec::new(),
        ..base.clone()
    };
    let mut e = Ensemble::new(&p.valid()?);
    let mut c = OptimizerCurve {
        optimizer: entry.optimizer,
        lambda: entry.lambda,
        steps: Vec::new(),
        mean_abs: Vec::new(),
        sem_abs: Vec::new(),
        q10_abs: Vec::new(),
        q90_abs: Vec::new(),
        mean_w: Vec::new(),
        diverged: Vec::new(),
    };
    for t in spec.record_steps() {
        if !e.advance_to_async(t, 1, cancel).await {
            return Ok(None);
        }
        let s = stats::record(&e, None).summary;
        let q = |p: f64| {
            s.quantiles
                .iter()
                .find(|q| q.p == p)
                .map_or(f64::NAN, |q| q.abs_w)
        };
        c.steps.push(t);
        c.mean_abs.push(s.mean_abs_w.unwrap_or(f64::NAN));
        c.sem_abs.push(s.sem_abs_w.unwrap_or(f64::NAN));
        c.q10_abs.push(q(0.1));
        c.q90_abs.push(q(0.9));
        c.mean_w.push(s.mean_w.unwrap_or(f64::NAN));
        c.diverged.push(s.diverged);
        tick(t);
    }
    Ok(Some(c))
}

/// Run every enabled optimizer (in parallel, one thread each, up to `threads`); `progress` gets
/// the fraction of steps done. `Ok(None)` if cancelled.
pub fn run_optimizers(
    base: &ValidParams,
    spec: &OptimizerSpec,
    threads: usize,
    cancel: &AtomicBool,
    progress: impl Fn(f32) + Sync,
) -> Result<Option<Vec<OptimizerCurve>>, ParamError> {
    crate::coop::block_on(run_optimizers_async(base, spec, threads, cancel, progress))
}

/// As [`run_optimizers`], giving the frame back between chunks (see [`crate::coop`]).
pub async fn run_optimizers_async(
    base: &ValidParams,
    spec: &OptimizerSpec,
    threads: usize,
    cancel: &AtomicBool,
    progress: impl Fn(f32) + Sync,
) -> Result<Option<Vec<OptimizerCurve>>, ParamError> {
    spec.validate()?;
    let entries: Vec<OptimizerEntry> = spec.entries.iter().copied().filter(|e| e.enabled).collect();
    let done = std::sync::atomic::AtomicU64::new(0);
    let total = (entries.len() as u64 * spec.steps).max(1);
    let mut results: Vec<Option<Result<OptimizerCurve, ParamError>>> =
        entries.iter().map(|_| None).collect();
    if let Some(pool) = super::remote::pool() {
        // On a pool of workers (the page): every optimizer a task.
        use super::remote::{Batch, Event, Task, answer};
        let mut batch = Batch::new(pool);
        for entry in &entries {
            batch.submit(&Task::Optimizer {
                base: ExperimentParams::clone(base),
                spec: spec.clone(),
                entry: *entry,
            });
        }
        let mut fractions = vec![0.0f32; entries.len()];
        while let Some((i, ev)) = batch.next().await {
            if cancel.load(Ordering::Relaxed) {
                return Ok(None);
            }
            let got = match ev {
                Event::Progress(f) => {
                    fractions[i] = f;
                    progress(fractions.iter().sum::<f32>() / entries.len().max(1) as f32);
                    continue;
                }
                Event::Done(bytes) => answer::<OptimizerCurve>(bytes),
            };
            results[i] = match got {
                Ok(Some(c)) => Some(Ok(c)),
                Ok(None) => None,
                Err(e) => Some(Err(ParamError::Worker(e))),
            };
        }
    } else {
        let (done, progress) = (&done, &progress);
        pool::for_each(
            &entries,
            threads,
            |_, &entry| async move {
                let mut last = 0;
                run_one(base, spec, &entry, cancel, |t| {
                    done.fetch_add(t - last, Ordering::Relaxed);
                    last = t;
                    progress(done.load(Ordering::Relaxed) as f32 / total as f32);
                })
                .await
                .transpose()
            },
            |i, r| results[i] = Some(r),
        )
        .await;
    }
    let mut curves = Vec::new();
    for r in results {
        match r {
            Some(Ok(c)) => curves.push(c),
            Some(Err(e)) => return Err(e),
            None => return Ok(None),
        }
    }
    Ok(Some(curves))
}
