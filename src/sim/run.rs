//! Headless runs: advance an ensemble to each recorded step and collect the records, with the
//! theory that applies laid alongside. Used by the command line and by the tests.

use serde::{Deserialize, Serialize};

use super::ensemble::Ensemble;
use super::params::{ExperimentParams, ParamError, ValidParams};
use super::stats::{self, Record};
use super::theory::{Readout, StepTheory, step_theory};

/// The JSON written by `saddlescope run`. Field names are part of the documented format.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunOutput {
    pub format: String,
    pub format_version: u32,
    pub params: ExperimentParams,
    /// The theory panel's rows at the run's parameters ([`Readout`]: μ, s², the μ < 0
    /// intervals, the μ = 0 rates, λ*, γ*, the continuous-time line and the verdict, all for
    /// the law that runs). Written, not read back (μ may be −∞, which JSON writes as null).
    #[serde(default, skip_deserializing)]
    pub theory: Option<Readout>,
    pub records: Vec<RunRecord>,
}

/// One recorded step: the ensemble's statistics and, where a closed form exists, theory.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunRecord {
    #[serde(flatten)]
    pub record: Record,
    pub theory: Option<StepTheory>,
}

pub const RUN_FORMAT: &str = "saddlescope-run";
pub const RUN_FORMAT_VERSION: u32 = 1;

/// The steps at which a headless run records: `record_steps`, then `steps` if not already there.
pub fn recorded_steps(p: &ExperimentParams) -> Vec<u64> {
    let mut s = p.record_steps.clone();
    if s.last() != Some(&p.steps) {
        s.push(p.steps);
    }
    s
}

/// Run `p` to its last step on `threads` threads; `progress` is called with each recorded step.
pub fn run_headless(
    p: &ValidParams,
    threads: usize,
    mut progress: impl FnMut(u64),
) -> Result<RunOutput, ParamError> {
    let mut e = Ensemble::new(p);
    let mut records = Vec::new();
    for t in recorded_steps(p) {
        e.advance(t - e.step(), threads);
        records.push(RunRecord {
            record: stats::record(&e, None),
            theory: step_theory(p, t),
        });
        progress(t);
    }
    Ok(RunOutput {
        format: RUN_FORMAT.to_string(),
        format_version: RUN_FORMAT_VERSION,
        params: ExperimentParams::clone(p),
        theory: Some(Readout::new(p)),
        records,
    })
}
