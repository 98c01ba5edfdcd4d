//! Ensembles of walkers and the experiments run on them: validated parameters, the stepping
//! engine, statistics and histograms, headless runs, and the worker thread with its channel
//! protocol. No egui here.

pub mod bins;
pub mod ensemble;
pub mod escape_rate;
pub mod fast;
pub mod job;
pub mod lanes;
pub mod loss_sweep;
pub mod optimizers;
pub mod params;
pub mod pool;
pub mod remote;
pub mod run;
mod scalar;
pub mod stats;
pub mod story;
pub mod sweep;
pub mod theory;
pub mod worker;

pub use ensemble::{Engine, Ensemble};
pub use params::{ExperimentParams, InitLaw, ParamError, ValidParams};
pub use run::{RunOutput, run_headless};
pub use stats::{Histogram, Record, Summary};
