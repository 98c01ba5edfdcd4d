//! Fig. 3-right: the toy network's average stationary loss versus λ. For each λ an ensemble
//! runs T steps; the mean of L over finite walkers, its 10–90 % quantile band and the diverged
//! fraction are recorded. The paper's picture: 2.25 (the minimum valley) at small λ, 2.5 (the
//! saddle) beyond, and divergence near λ ≈ 0.108.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::model::LandscapeParams;

use super::ensemble::Ensemble;
use super::params::{
    ExperimentParams, ParamError, ValidParams, out_of_range, parse_number, parse_whole,
};
use super::pool;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LossSweepSpec {
    pub lambda_min: f64,
    pub lambda_max: f64,
    /// λ values, evenly spaced with both ends included.
    pub points: usize,
    pub walkers: usize,
    pub steps: u64,
}

impl Default for LossSweepSpec {
    fn default() -> Self {
        LossSweepSpec {
            lambda_min: 0.001,
            lambda_max: 0.15,
            points: 30,
            walkers: 1000,
            steps: 10_000,
        }
    }
}

impl LossSweepSpec {
    pub fn validate(&self) -> Result<(), ParamError> {
        if !(self.lambda_min.is_finite()
            && self.lambda_max.is_finite()
            && 0.0 < self.lambda_min
            && self.lambda_min < self.lambda_max
            && self.lambda_max <= 10.0)
        {
            return Err(out_of_range(
                "loss λ range",
                format!("[{}, {}]", self.lambda_min, self.lambda_max),
                "0 < λ_min < λ_max ≤ 10",
            ));
        }
        if !(2..=400).contains(&self.points) {
            return Err(out_of_range("loss.points", self.points, "2 to 400"));
        }
        if !(1..=1_000_000).contains(&self.walkers) {
            return Err(out_of_range("loss.walkers", self.walkers, "1 to 10⁶"));
        }
        if !(1..=10_000_000).contains(&self.steps) {
            return Err(out_of_range("loss.steps", self.steps, "1 to 10⁷"));
        }
        Ok(())
    }

    /// Set one field from text (`--set loss.KEY=VALUE`).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ParamError> {
        let full = format!("loss.{key}");
        match key {
            "lambda_min" => self.lambda_min = parse_number(&full, value, "a number")?,
            "lambda_max" => self.lambda_max = parse_number(&full, value, "a number")?,
            "points" => self.points = parse_whole(&full, value, "a whole number")? as usize,
            "walkers" => self.walkers = parse_whole(&full, value, "a whole number")? as usize,
            "steps" => self.steps = parse_whole(&full, value, "a whole number")?,
            _ => return Err(ParamError::UnknownKey(full)),
        }
        Ok(())
    }

    pub fn lambdas(&self) -> Vec<f64> {
        (0..self.points)
            .map(|i| {
                self.lambda_min
                    + (self.lambda_max - self.lambda_min) * i as f64 / (self.points - 1) as f64
            })
            .collect()
    }
}

/// One λ of the sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LossPoint {
    pub lambda: f64,
    /// Mean of the averaged loss L over finite walkers (NaN when none is finite).
    pub mean_loss: f64,
    /// 10 % and 90 % quantiles of L over finite walkers.
    pub loss_q10: f64,
    pub loss_q90: f64,
    pub diverged: f64,
}

/// The `saddlescope run` JSON of a loss sweep.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LossSweepOutput {
    pub format: String,
    pub format_version: u32,
    pub params: ExperimentParams,
    pub loss_sweep: LossSweepSpec,
    /// NaN entries (points not computed) are written as null.
    pub points: Vec<LossPoint>,
}

pub const LOSS_SWEEP_FORMAT: &str = "saddlescope-loss-sweep";

pub(crate) async fn run_point(
    base: &ExperimentParams,
    spec: &LossSweepSpec,
    lambda: f64,
    index: usize,
    cancel: &AtomicBool,
) -> Result<Option<LossPoint>, ParamError> {
    let p = ExperimentParams {
        lambda,
        walkers: spec.walkers,
        steps: spec.steps,
        record_steps: Vec::new(),
        seed: base.seed ^ (index as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407),
        ..base.clone()
    };
    let mut e = Ensemble::new(&p.valid()?);
    if !e.advance_to_async(spec.steps, 1, cancel).await {
        return Ok(None);
    }
    let lp = LandscapeParams {
        landscape: p.landscape,
        a: p.a,
        b: p.b,
    };
    let finite = |(a, b): &(&f64, &f64)| a.is_finite() && b.is_finite();
    let pairs = e
        .w1()
        .iter()
        .zip(e.w2().iter().chain(std::iter::repeat(&0.0)));
    let mut losses: Vec<f64> = if p.landscape.is_custom() {
        // A typed landscape's L by its law's nodes ([`crate::model::custom::mean_losses`]); the loss
        // parsed when the parameters were validated.
        let law = super::theory::x_law(&p);
        let l = crate::model::expr::parse_loss(&p.loss).map_or_else(
            |_| vec![f64::NAN; e.len()],
            |loss| crate::model::custom::mean_losses(&loss, (p.a, p.b), &law, e.w1(), e.w2()),
        );
        pairs
            .zip(l)
            .filter(|(w, _)| finite(w))
            .map(|(_, l)| l)
            .collect()
    } else {
        pairs
            .filter(finite)
            .map(|(a, b)| lp.averaged_loss([*a, *b]))
            .collect()
    };
    losses.retain(|l| l.is_finite());
    let n = e.len() as f64;
    let diverged = (e.len() - losses.len()) as f64 / n;
    if losses.is_empty() {
        return Ok(Some(LossPoint {
            lambda,
            mean_loss: f64::NAN,
            loss_q10: f64::NAN,
            loss_q90: f64::NAN,
            diverged,
        }));
    }
    let mean = losses.iter().sum::<f64>() / losses.len() as f64;
    losses.sort_by(f64::total_cmp);
    let q = |p: f64| losses[((losses.len() - 1) as f64 * p).round() as usize];
    Ok(Some(LossPoint {
        lambda,
        mean_loss: mean,
        loss_q10: q(0.1),
        loss_q90: q(0.9),
        diverged,
    }))
}

/// Run the sweep on `threads` threads; `progress` gets the points done so far (in λ order,
/// missing ones NaN). `Ok(None)` if cancelled.
pub fn run_loss_sweep(
    base: &ValidParams,
    spec: &LossSweepSpec,
    threads: usize,
    cancel: &AtomicBool,
    progress: impl FnMut(f32, &[LossPoint]),
) -> Result<Option<Vec<LossPoint>>, ParamError> {
    crate::coop::block_on(run_loss_sweep_async(base, spec, threads, cancel, progress))
}

/// As [`run_loss_sweep`], giving the frame back between chunks (see [`crate::coop`]).
pub async fn run_loss_sweep_async(
    base: &ValidParams,
    spec: &LossSweepSpec,
    threads: usize,
    cancel: &AtomicBool,
    mut progress: impl FnMut(f32, &[LossPoint]),
) -> Result<Option<Vec<LossPoint>>, ParamError> {
    spec.validate()?;
    let lambdas = spec.lambdas();
    let mut points: Vec<LossPoint> = lambdas
        .iter()
        .map(|&lambda| LossPoint {
            lambda,
            mean_loss: f64::NAN,
            loss_q10: f64::NAN,
            loss_q90: f64::NAN,
            diverged: f64::NAN,
        })
        .collect();
    let mut failure = None;
    let mut done = 0;
    if let Some(pool) = super::remote::pool() {
        // On a pool of workers (the page): every λ a task, answered in any order.
        use super::remote::{Batch, Event, Task, answer};
        let mut batch = Batch::new(pool);
        for (index, &lambda) in lambdas.iter().enumerate() {
            batch.submit(&Task::LossPoint {
                base: ExperimentParams::clone(base),
                spec: spec.clone(),
                lambda,
                index,
            });
        }
        while let Some((i, ev)) = batch.next().await {
            if cancel.load(Ordering::Relaxed) {
                return Ok(None);
            }
            let Event::Done(bytes) = ev else { continue };
            match answer::<LossPoint>(bytes) {
                Ok(Some(pt)) => {
                    points[i] = pt;
                    done += 1;
                    progress(done as f32 / lambdas.len() as f32, &points);
                }
                Ok(None) => return Ok(None),
                Err(e) => return Err(ParamError::Worker(e)),
            }
        }
        return Ok(Some(points));
    }
    pool::for_each(
        &lambdas,
        threads,
        // A failure is a result too (it stops the rest); a cancel is none.
        |i, &l| async move { run_point(base, spec, l, i, cancel).await.transpose() },
        |i, msg| match msg {
            Ok(pt) => {
                points[i] = pt;
                done += 1;
                progress(done as f32 / lambdas.len() as f32, &points);
            }
            Err(e) => {
                failure = Some(e);
                cancel.store(true, Ordering::Relaxed);
            }
        },
    )
    .await;
    if let Some(e) = failure {
        return Err(e);
    }
    if cancel.load(Ordering::Relaxed) && points.iter().any(|p| p.diverged.is_nan()) {
        return Ok(None);
    }
    Ok(Some(points))
}
