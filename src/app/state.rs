//! What a user would save: the experiment, the view shown and each view's settings, presenter
//! mode and the theme. Serde, persisted between launches and written into presets; the runtime
//! handles (worker, jobs, caches) live in the app and the views, not here.

use serde::{Deserialize, Serialize};

use crate::figure::views::{
    EscapeOptions, HistogramOptions, LandscapeOptions, OptimizerOptions, PhaseOverlays,
};
use crate::preset::{Preset, ViewKind};
use crate::sim::escape_rate::{RateVsLambdaSpec, RateVsStepSpec};
use crate::sim::loss_sweep::LossSweepSpec;
use crate::sim::optimizers::OptimizerSpec;
use crate::sim::params::ExperimentParams;
use crate::sim::sweep::SweepSpec;

use super::controls::ControlState;
use super::views::escape::EscapeFields;

/// What a user would save: the experiment and the view options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppState {
    pub params: ExperimentParams,
    pub controls: ControlState,
    pub histogram: HistogramOptions,
    /// The preset the parameters came from, for the title bar.
    pub preset: Option<String>,
    pub view: ViewKind,
    pub sweep: SweepSpec,
    pub overlays: PhaseOverlays,
    pub rate_vs_step: RateVsStepSpec,
    pub rate_vs_lambda: RateVsLambdaSpec,
    pub escape_fields: EscapeFields,
    pub escape_options: EscapeOptions,
    pub landscape: LandscapeOptions,
    pub loss_sweep: LossSweepSpec,
    pub optimizers: OptimizerSpec,
    pub optimizer_options: OptimizerOptions,
    /// Presenter mode: larger text and lines, controls folded, a caption under the plot.
    pub presenter: bool,
    /// A high-contrast light theme for projectors.
    pub light_theme: bool,
}

impl Default for AppState {
    fn default() -> Self {
        AppState::from_preset(&Preset::builtin("fig1-left").expect("fig1-left is built in"))
    }
}

impl AppState {
    pub fn from_preset(p: &Preset) -> AppState {
        let mut controls = ControlState::default();
        controls.sync_text(&p.params);
        if let Some(n) = p.steps_per_frame {
            controls.steps_per_frame = n.max(1);
        }
        let rate_vs_step = p.rate_vs_step.clone().unwrap_or_default();
        let rate_vs_lambda = p.rate_vs_lambda.clone().unwrap_or_default();
        let mut escape_fields = EscapeFields::default();
        escape_fields.sync(&rate_vs_step, &rate_vs_lambda);
        AppState {
            params: p.params.clone(),
            controls,
            histogram: p.histogram_options.unwrap_or_default(),
            preset: Some(p.name.clone()),
            view: p.view,
            sweep: p.sweep.clone().unwrap_or_default(),
            overlays: p.overlays.unwrap_or_default(),
            rate_vs_step,
            rate_vs_lambda,
            escape_fields,
            escape_options: p.escape_options.unwrap_or_default(),
            landscape: p.landscape_options.unwrap_or_default(),
            loss_sweep: p.loss_sweep.clone().unwrap_or_default(),
            optimizers: p.optimizers.clone().unwrap_or_default(),
            optimizer_options: p.optimizer_options.unwrap_or_default(),
            presenter: false,
            light_theme: false,
        }
    }
}
