//! Escape-rate experiments (Def. 3, Prop. 3; Fig. 5 and Fig. 6): the two estimators of γ versus
//! step for several λ, and γ versus λ for several a, each against μ(a, λ).
//!
//! Two estimators (SPEC.md §4): E ln|w_t/w_0| / t, which equals μ at every t for the quadratic,
//! and the paper's E ln|w_t| / t = μ + E ln|w_0| / t, which settles only after tens of steps.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::model::theory;
use crate::sim::theory::READOUT_LAMBDA_MAX;

use super::ensemble::{CANCEL_CHUNK, Ensemble};
use super::params::{
    ExperimentParams, ParamError, ValidParams, out_of_range, parse_list, parse_number, parse_whole,
};

/// Fig. 5: the estimators versus t at one a for several λ.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateVsStepSpec {
    pub a: f64,
    pub lambdas: Vec<f64>,
    pub walkers: usize,
    pub steps: u64,
}

impl Default for RateVsStepSpec {
    fn default() -> Self {
        RateVsStepSpec {
            a: -1.0,
            lambdas: vec![0.2, 0.5, 0.8, 1.5],
            walkers: 2000,
            steps: 100,
        }
    }
}

/// Fig. 6: γ versus λ for several a, at one t.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateVsLambdaSpec {
    pub a_values: Vec<f64>,
    pub lambda_min: f64,
    pub lambda_max: f64,
    /// λ points, at cell centres of [λ_min, λ_max] (so λ = 1 is avoided on the default grid).
    pub lambda_points: usize,
    pub walkers: usize,
    /// The step t at which E ln|w_t/w_0| / t is read.
    pub steps: u64,
}

impl Default for RateVsLambdaSpec {
    fn default() -> Self {
        RateVsLambdaSpec {
            a_values: vec![-3.0, -2.0, -1.0, 0.0, 1.0],
            lambda_min: 0.0,
            lambda_max: 2.0,
            lambda_points: 40,
            walkers: 2000,
            steps: 50,
        }
    }
}

impl RateVsStepSpec {
    /// Set one field from text (`--set rate.KEY=VALUE`: a, lambdas, walkers, steps).
    pub fn set(&mut self, key: &str, value: &str) -> Result<bool, ParamError> {
        let full = format!("rate.{key}");
        match key {
            "a" => self.a = parse_number(&full, value, "a number")?,
            "lambdas" => self.lambdas = parse_list(&full, value, "comma-separated learning rates")?,
            "walkers" => self.walkers = parse_whole(&full, value, "a whole number")? as usize,
            "steps" => self.steps = parse_whole(&full, value, "a whole number")?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    pub fn validate(&self) -> Result<(), ParamError> {
        if self.lambdas.is_empty() || self.lambdas.len() > 16 {
            return Err(out_of_range(
                "rate.lambdas",
                self.lambdas.len(),
                "1 to 16 values",
            ));
        }
        if let Some(l) = self
            .lambdas
            .iter()
            .find(|l| !(l.is_finite() && **l >= 0.0 && **l <= 100.0))
        {
            return Err(out_of_range("rate.lambdas", l, "0 ≤ λ ≤ 100"));
        }
        check_counts(self.walkers, self.steps, 10_000)
    }
}

impl RateVsLambdaSpec {
    /// Set one field from text (`--set rate.KEY=VALUE`: a_values, lambda_min, lambda_max,
    /// lambda_points, walkers, steps).
    pub fn set(&mut self, key: &str, value: &str) -> Result<bool, ParamError> {
        let full = format!("rate.{key}");
        match key {
            "a_values" => self.a_values = parse_list(&full, value, "comma-separated values of a")?,
            "lambda_min" => self.lambda_min = parse_number(&full, value, "a number")?,
            "lambda_max" => self.lambda_max = parse_number(&full, value, "a number")?,
            "lambda_points" => {
                self.lambda_points = parse_whole(&full, value, "a whole number")? as usize
            }
            "walkers" => self.walkers = parse_whole(&full, value, "a whole number")? as usize,
            "steps" => self.steps = parse_whole(&full, value, "a whole number")?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    pub fn validate(&self) -> Result<(), ParamError> {
        if self.a_values.is_empty() || self.a_values.len() > 16 {
            return Err(out_of_range(
                "rate.a_values",
                self.a_values.len(),
                "1 to 16 values",
            ));
        }
        if !(self.lambda_min.is_finite()
            && self.lambda_max.is_finite()
            && 0.0 <= self.lambda_min
            && self.lambda_min < self.lambda_max
            && self.lambda_max <= 100.0)
        {
            return Err(out_of_range(
                "rate λ range",
                format!("[{}, {}]", self.lambda_min, self.lambda_max),
                "0 ≤ λ_min < λ_max ≤ 100",
            ));
        }
        if !(1..=400).contains(&self.lambda_points) {
            return Err(out_of_range(
                "rate.lambda_points",
                self.lambda_points,
                "1 to 400",
            ));
        }
        check_counts(self.walkers, self.steps, 10_000)
    }
}

fn check_counts(walkers: usize, steps: u64, max_steps: u64) -> Result<(), ParamError> {
    if !(1..=1_000_000).contains(&walkers) {
        return Err(out_of_range("rate.walkers", walkers, "1 to 10⁶"));
    }
    if !(1..=max_steps).contains(&steps) {
        return Err(out_of_range("rate.steps", steps, "1 to 10⁴"));
    }
    Ok(())
}

/// The JSON written by `saddlescope run` for an escape-rate preset.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EscapeRateOutput {
    pub format: String,
    pub format_version: u32,
    pub params: ExperimentParams,
    pub rate_vs_step_spec: RateVsStepSpec,
    pub rate_vs_lambda_spec: RateVsLambdaSpec,
    pub rate_vs_step: Vec<RateCurve>,
    pub rate_vs_lambda: Vec<GammaSeries>,
}

pub const ESCAPE_RATE_FORMAT: &str = "saddlescope-escape-rate";

/// Both escape-rate experiments of a preset; `Ok(None)` once `cancel` is set (it is looked at
/// every [`CANCEL_CHUNK`] walker-steps).
pub fn run_escape_rate(
    base: &ValidParams,
    by_step: &RateVsStepSpec,
    by_lambda: &RateVsLambdaSpec,
    threads: usize,
    cancel: &AtomicBool,
) -> Result<Option<EscapeRateOutput>, ParamError> {
    crate::coop::block_on(run_escape_rate_async(
        base, by_step, by_lambda, threads, cancel,
    ))
}

/// As [`run_escape_rate`], giving the frame back between steps and chunks (see
/// [`crate::coop`]).
pub async fn run_escape_rate_async(
    base: &ValidParams,
    by_step: &RateVsStepSpec,
    by_lambda: &RateVsLambdaSpec,
    threads: usize,
    cancel: &AtomicBool,
) -> Result<Option<EscapeRateOutput>, ParamError> {
    if let Some(pool) = super::remote::pool() {
        // On a pool of workers (the page): the whole computation is one task.
        let task = super::remote::Task::EscapeRate {
            base: ExperimentParams::clone(base),
            by_step: by_step.clone(),
            by_lambda: by_lambda.clone(),
        };
        return super::remote::run(pool, &task, |_| {})
            .await
            .map_err(ParamError::Worker);
    }
    let Some(rate_vs_step) = rate_vs_step_async(base, by_step, threads, cancel).await? else {
        return Ok(None);
    };
    let Some(rate_vs_lambda) = rate_vs_lambda_async(base, by_lambda, threads, cancel).await? else {
        return Ok(None);
    };
    Ok(Some(EscapeRateOutput {
        format: ESCAPE_RATE_FORMAT.into(),
        format_version: 1,
        params: ExperimentParams::clone(base),
        rate_vs_step_spec: by_step.clone(),
        rate_vs_lambda_spec: by_lambda.clone(),
        rate_vs_step,
        rate_vs_lambda,
    }))
}

/// One curve of Fig. 5.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RateCurve {
    pub lambda: f64,
    /// μ(a, λ): the value both estimators tend to.
    pub mu: f64,
    pub steps: Vec<u64>,
    /// E ln|w_t/w_0| / t.
    pub ratio_estimate: Vec<f64>,
    /// The paper's E ln|w_t| / t.
    pub paper_estimate: Vec<f64>,
}

/// One series of Fig. 6.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GammaSeries {
    pub a: f64,
    pub lambda: Vec<f64>,
    /// E ln|w_t/w_0| / t at t = `steps`, and its standard error.
    pub gamma: Vec<f64>,
    pub gamma_se: Vec<f64>,
    /// μ(a, λ) at the same λ.
    pub mu: Vec<f64>,
    /// Prop. 3, for a < 0.
    pub lambda_star: Option<f64>,
    pub gamma_star: Option<f64>,
    /// μ(a, λ) on a fine λ grid over the same range, for drawing (−∞ where it is).
    pub theory_lambda: Vec<f64>,
    pub theory_mu: Vec<f64>,
}

/// Fig. 5 for the base experiment (its landscape, noise, initial law and seed); `Ok(None)` if
/// cancelled.
pub fn rate_vs_step(
    base: &ValidParams,
    spec: &RateVsStepSpec,
    threads: usize,
    cancel: &AtomicBool,
) -> Result<Option<Vec<RateCurve>>, ParamError> {
    crate::coop::block_on(rate_vs_step_async(base, spec, threads, cancel))
}

async fn rate_vs_step_async(
    base: &ValidParams,
    spec: &RateVsStepSpec,
    threads: usize,
    cancel: &AtomicBool,
) -> Result<Option<Vec<RateCurve>>, ParamError> {
    spec.validate()?;
    // Steps between two looks at the flag (each step here is a pass over the walkers).
    let every = (CANCEL_CHUNK / spec.walkers.max(1) as u64).max(1);
    let mut curves = Vec::with_capacity(spec.lambdas.len());
    for &lambda in &spec.lambdas {
        let p = ExperimentParams {
            a: spec.a,
            lambda,
            walkers: spec.walkers,
            steps: spec.steps,
            record_steps: vec![],
            ..ExperimentParams::clone(base)
        };
        let mut e = Ensemble::new(&p.valid()?);
        let mut curve = RateCurve {
            lambda,
            mu: theory::log_factor_moments(&p.noise, p.a, lambda).0,
            steps: Vec::new(),
            ratio_estimate: Vec::new(),
            paper_estimate: Vec::new(),
        };
        for t in 1..=spec.steps {
            if t % every == 0 {
                if cancel.load(Ordering::Relaxed) {
                    return Ok(None);
                }
                crate::coop::yield_now().await;
            }
            e.advance(1, threads);
            let (ratio, abs) = mean_logs(&e);
            curve.steps.push(t);
            curve.ratio_estimate.push(ratio / t as f64);
            curve.paper_estimate.push(abs / t as f64);
        }
        curves.push(curve);
    }
    Ok(Some(curves))
}

/// (E ln|w_t/w_0|, E ln|w_t|) over finite, non-zero walkers (NaN when none).
fn mean_logs(e: &Ensemble) -> (f64, f64) {
    let (mut s1, mut s2, mut n) = (0.0, 0.0, 0usize);
    for (w, l0) in e.w1().iter().zip(e.log_w0()) {
        if w.is_finite() && *w != 0.0 && l0.is_finite() {
            let l = w.abs().ln();
            s1 += l - l0;
            s2 += l;
            n += 1;
        }
    }
    if n == 0 {
        (f64::NAN, f64::NAN)
    } else {
        (s1 / n as f64, s2 / n as f64)
    }
}

/// Fig. 6 for the base experiment; `Ok(None)` if cancelled.
pub fn rate_vs_lambda(
    base: &ValidParams,
    spec: &RateVsLambdaSpec,
    threads: usize,
    cancel: &AtomicBool,
) -> Result<Option<Vec<GammaSeries>>, ParamError> {
    crate::coop::block_on(rate_vs_lambda_async(base, spec, threads, cancel))
}

async fn rate_vs_lambda_async(
    base: &ValidParams,
    spec: &RateVsLambdaSpec,
    threads: usize,
    cancel: &AtomicBool,
) -> Result<Option<Vec<GammaSeries>>, ParamError> {
    spec.validate()?;
    let d = (spec.lambda_max - spec.lambda_min) / spec.lambda_points as f64;
    let lambdas: Vec<f64> = (0..spec.lambda_points)
        .map(|i| spec.lambda_min + (i as f64 + 0.5) * d)
        .collect();
    let mut all = Vec::with_capacity(spec.a_values.len());
    for &a in &spec.a_values {
        // The law that runs: its μ's first maximum (Prop. 3's closed form for the two-point law).
        let star = theory::mu_profile(&base.noise, a, READOUT_LAMBDA_MAX).first_max;
        let mut s = GammaSeries {
            a,
            lambda: lambdas.clone(),
            gamma: Vec::new(),
            gamma_se: Vec::new(),
            mu: Vec::new(),
            lambda_star: star.map(|m| m.0),
            gamma_star: star.map(|m| m.1),
            theory_lambda: Vec::new(),
            theory_mu: Vec::new(),
        };
        let fine = 600;
        for i in 0..=fine {
            let l = spec.lambda_min + (spec.lambda_max - spec.lambda_min) * i as f64 / fine as f64;
            s.theory_lambda.push(l);
            s.theory_mu
                .push(theory::log_factor_moments(&base.noise, a, l).0);
        }
        for &lambda in &lambdas {
            let p = ExperimentParams {
                a,
                lambda,
                walkers: spec.walkers,
                steps: spec.steps,
                record_steps: vec![],
                ..ExperimentParams::clone(base)
            };
            let mut e = Ensemble::new(&p.valid()?);
            if !e.advance_to_async(spec.steps, threads, cancel).await {
                return Ok(None);
            }
            let (mean, se) = log_ratio_mean_se(&e);
            s.gamma.push(mean / spec.steps as f64);
            s.gamma_se.push(se / spec.steps as f64);
            s.mu.push(theory::log_factor_moments(&p.noise, a, lambda).0);
        }
        all.push(s);
    }
    Ok(Some(all))
}

/// Mean and standard error of ln|w_t/w_0| over finite, non-zero walkers.
fn log_ratio_mean_se(e: &Ensemble) -> (f64, f64) {
    let vals: Vec<f64> = e
        .w1()
        .iter()
        .zip(e.log_w0())
        .filter(|(w, l0)| w.is_finite() && **w != 0.0 && l0.is_finite())
        .map(|(w, l0)| w.abs().ln() - l0)
        .collect();
    let n = vals.len() as f64;
    if vals.len() < 2 {
        return (vals.first().copied().unwrap_or(f64::NAN), f64::NAN);
    }
    let m = vals.iter().sum::<f64>() / n;
    let var = vals.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Closing the window or changing a parameter mid-run cancels it: each run below is hours
    /// of work (4·10¹² and 1.6·10¹¹ walker-steps), so returning at all means the flag was
    /// looked at, and the answer is "cancelled", never a partial result passed off as whole.
    #[test]
    fn a_cancel_stops_a_long_run_part_way() {
        let base = ExperimentParams::default();
        let by_lambda = RateVsLambdaSpec {
            walkers: 1_000_000,
            steps: 10_000,
            lambda_points: 400,
            ..RateVsLambdaSpec::default()
        };
        let by_step = RateVsStepSpec {
            walkers: 1_000_000,
            steps: 10_000,
            ..RateVsStepSpec::default()
        };
        for which in 0..2 {
            let cancel = AtomicBool::new(false);
            std::thread::scope(|s| {
                s.spawn(|| {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    cancel.store(true, Ordering::Relaxed);
                });
                let stopped = if which == 0 {
                    rate_vs_lambda(&base.valid().unwrap(), &by_lambda, 1, &cancel)
                        .unwrap()
                        .is_none()
                } else {
                    rate_vs_step(&base.valid().unwrap(), &by_step, 1, &cancel)
                        .unwrap()
                        .is_none()
                };
                assert!(stopped);
            });
        }
        // Set before the start: nothing runs.
        let cancel = AtomicBool::new(true);
        let out =
            run_escape_rate(&base.valid().unwrap(), &by_step, &by_lambda, 1, &cancel).unwrap();
        assert!(out.is_none());
    }

    #[test]
    fn looking_at_the_flag_does_not_change_the_answer() {
        // Chunked stepping (for the flag) gives the same γ as one call would: the ensemble's
        // result depends only on the seed.
        let base = ExperimentParams::default();
        let spec = RateVsLambdaSpec {
            walkers: 3000,
            steps: 2000,
            lambda_points: 2,
            a_values: vec![-1.0],
            ..RateVsLambdaSpec::default()
        };
        let never = AtomicBool::new(false);
        let s = &rate_vs_lambda(&base.valid().unwrap(), &spec, 2, &never)
            .unwrap()
            .unwrap()[0];
        for (k, &lambda) in s.lambda.iter().enumerate() {
            let p = ExperimentParams {
                a: -1.0,
                lambda,
                walkers: spec.walkers,
                steps: spec.steps,
                record_steps: vec![],
                ..base.clone()
            };
            let mut e = Ensemble::new(&p.valid().unwrap());
            e.advance(spec.steps, 1);
            assert_eq!(log_ratio_mean_se(&e).0 / spec.steps as f64, s.gamma[k]);
        }
    }
}
