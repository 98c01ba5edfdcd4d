//! Fig. 3-right: the toy network's stationary loss against λ, swept in the background; the
//! picture is [`loss_figure`].

use egui::{RichText, Ui};

use crate::figure::Figure;
use crate::figure::views::loss_figure;
use crate::preset::ViewKind;
use crate::sim::loss_sweep::{
    LOSS_SWEEP_FORMAT, LossPoint, LossSweepOutput, LossSweepSpec, run_loss_sweep_async,
};
use crate::sim::params::{ExperimentParams, ValidParams};
use crate::sim::worker::Waker;

use super::super::AppState;
use super::super::fields::NumberField;
use super::{FigureCx, JobControl, JobState, View, ViewCx, job_bar, sweep_threads};

#[derive(Default)]
pub struct LossView {
    job: JobState<Vec<LossPoint>, (ExperimentParams, LossSweepSpec)>,
}

impl LossView {
    /// The newest points (partial while running).
    pub fn points(&self) -> Option<&std::sync::Arc<Vec<LossPoint>>> {
        self.job.result()
    }

    /// The sweep's output: its points with the parameters it ran with.
    fn output(&self) -> Option<LossSweepOutput> {
        let points = self.job.result()?;
        let (params, loss_sweep) = self.job.key()?.clone();
        Some(LossSweepOutput {
            format: LOSS_SWEEP_FORMAT.into(),
            format_version: 1,
            params,
            loss_sweep,
            points: points.to_vec(),
        })
    }

    fn start(&mut self, state: &AppState, params: &ValidParams, force: bool, waker: &Waker) {
        if let Err(e) = state.loss_sweep.validate() {
            self.job.set_error(Some(e.to_string()));
            return;
        }
        let key = (ExperimentParams::clone(params), state.loss_sweep.clone());
        let (p, spec) = (params.clone(), state.loss_sweep.clone());
        self.job.ensure(
            key,
            force,
            false,
            "saddlescope-loss",
            waker,
            |ctx| async move {
                run_loss_sweep_async(&p, &spec, sweep_threads(), ctx.flag(), |f, pts| {
                    ctx.progress(f, Some(pts.to_vec()))
                })
                .await
                .map_err(|e| e.to_string())
            },
        );
    }
}

impl View for LossView {
    fn kind(&self) -> ViewKind {
        ViewKind::LossSweep
    }

    fn update(
        &mut self,
        state: &AppState,
        params: Option<&ValidParams>,
        visible: bool,
        waker: &Waker,
    ) {
        if let Some((p, force)) = self.job.update(visible, params) {
            self.start(state, p, force, waker);
        }
    }

    fn job(&self) -> Option<&dyn JobControl> {
        Some(&self.job)
    }

    fn job_mut(&mut self) -> Option<&mut dyn JobControl> {
        Some(&mut self.job)
    }

    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewCx<'_>) {
        if cx.controls {
            loss_controls_ui(ui, &mut cx.state.loss_sweep);
        }
        if job_bar(ui, cx.controls, &self.job, None)
            && let Some(p) = cx.params
        {
            self.start(cx.state, p, true, cx.waker);
        }
        if cx.state.params.landscape.dim() != 2 {
            ui.label(RichText::new("This view sweeps the toy network: choose it in the controls, or load the fig3-right preset.").italics());
        }
        match self.output() {
            Some(out) => {
                let fig = loss_figure(cx.title, &out);
                cx.show(ui, fig);
            }
            None => {
                ui.label("waiting for the first points…");
            }
        }
    }

    fn figure(&self, cx: &FigureCx<'_>) -> Option<Figure> {
        Some(loss_figure(cx.title, &self.output()?))
    }
}

/// Grid controls; edits go into `spec`.
pub fn loss_controls_ui(ui: &mut Ui, spec: &mut LossSweepSpec) {
    ui.horizontal_wrapped(|ui| {
        NumberField::new(
            "λ from",
            "Smallest learning rate of the sweep.",
            1e-4..=10.0,
        )
        .speed(0.001)
        .max_decimals(4)
        .show(ui, &mut spec.lambda_min);
        NumberField::new("to", "Largest learning rate of the sweep.", 1e-4..=10.0)
            .speed(0.001)
            .max_decimals(4)
            .show(ui, &mut spec.lambda_max);
        NumberField::new(
            "points",
            "Values of λ, evenly spaced, both ends included.",
            2..=400,
        )
        .show(ui, &mut spec.points);
        NumberField::new("walkers", "Runs per λ.", 1..=1_000_000)
            .speed(10.0)
            .show(ui, &mut spec.walkers);
        NumberField::new("steps", "Steps before the loss is read.", 1..=10_000_000)
            .speed(100.0)
            .show(ui, &mut spec.steps);
    });
}
