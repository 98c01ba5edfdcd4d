//! Fig. 2: GD, SGD, Adam and AMSGrad on the quadratic side by side, on the same noise stream,
//! run in the background; the picture is [`optimizers_figure`].

use egui::{RichText, Ui};

use crate::figure::views::{OptimizerOptions, optimizers_figure};
use crate::figure::{Figure, palette};
use crate::preset::ViewKind;
use crate::sim::optimizers::{
    OPTIMIZER_FORMAT, OptimizerCurve, OptimizerOutput, OptimizerSpec, run_optimizers_async,
};
use crate::sim::params::{ExperimentParams, ValidParams};
use crate::sim::worker::Waker;

use super::super::AppState;
use super::super::fields::NumberField;
use super::super::plot::color;
use super::{FigureCx, JobControl, JobState, View, ViewCx, job_bar, sweep_threads};

#[derive(Default)]
pub struct OptimizersView {
    job: JobState<Vec<OptimizerCurve>, (ExperimentParams, OptimizerSpec)>,
}

impl OptimizersView {
    pub fn curves(&self) -> Option<&std::sync::Arc<Vec<OptimizerCurve>>> {
        self.job.result()
    }

    /// The run's output: its curves with the parameters it ran with.
    fn output(&self) -> Option<OptimizerOutput> {
        let curves = self.job.result()?;
        let (params, optimizers) = self.job.key()?.clone();
        Some(OptimizerOutput {
            format: OPTIMIZER_FORMAT.into(),
            format_version: 1,
            params,
            optimizers,
            curves: curves.to_vec(),
        })
    }

    fn start(&mut self, state: &AppState, params: &ValidParams, force: bool, waker: &Waker) {
        if let Err(e) = state.optimizers.validate() {
            self.job.set_error(Some(e.to_string()));
            return;
        }
        // The optimizer, λ, walkers and steps of the base parameters are set per curve.
        let base = ExperimentParams {
            lambda: 0.0,
            walkers: 1,
            steps: 0,
            record_steps: Vec::new(),
            ..ExperimentParams::clone(params)
        };
        let key = (base, state.optimizers.clone());
        let (p, spec) = (params.clone(), state.optimizers.clone());
        self.job.ensure(
            key,
            force,
            false,
            "saddlescope-optimizers",
            waker,
            |ctx| async move {
                run_optimizers_async(&p, &spec, sweep_threads(), ctx.flag(), |f| {
                    ctx.progress(f, None)
                })
                .await
                .map_err(|e| e.to_string())
            },
        );
    }
}

impl View for OptimizersView {
    fn kind(&self) -> ViewKind {
        ViewKind::Optimizers
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
        let st = &mut *cx.state;
        if cx.controls {
            optimizer_controls_ui(ui, &mut st.optimizers, &mut st.optimizer_options);
        }
        if job_bar(ui, cx.controls, &self.job, None)
            && let Some(p) = cx.params
        {
            self.start(cx.state, p, true, cx.waker);
        }
        match self.output() {
            Some(out) => {
                let fig = optimizers_figure(cx.title, &out, &cx.state.optimizer_options);
                cx.show(ui, fig);
            }
            None => {
                ui.label("computing…");
            }
        }
    }

    fn figure(&self, cx: &FigureCx<'_>) -> Option<Figure> {
        Some(optimizers_figure(
            cx.title,
            &self.output()?,
            &cx.state.optimizer_options,
        ))
    }
}

/// Per-optimizer switches and learning rates, and the run length; edits go into `spec`.
pub fn optimizer_controls_ui(ui: &mut Ui, spec: &mut OptimizerSpec, opts: &mut OptimizerOptions) {
    ui.horizontal_wrapped(|ui| {
        for e in &mut spec.entries {
            ui.checkbox(
                &mut e.enabled,
                RichText::new(e.optimizer.label()).color(color(palette::optimizer(e.optimizer))),
            );
            let label = format!("λ_{}", e.optimizer.label());
            NumberField::new(
                &label,
                "This optimizer's learning rate (Fig. 2: 0.2 for Adam and AMSGrad, 0.01 for GD).",
                0.0..=100.0,
            )
            .speed(0.001)
            .max_decimals(4)
            .show(ui, &mut e.lambda);
            ui.separator();
        }
    });
    ui.horizontal_wrapped(|ui| {
        NumberField::new("walkers", "Runs per optimizer.", 1..=1_000_000)
            .speed(10.0)
            .show(ui, &mut spec.walkers);
        NumberField::new("steps", "Steps each optimizer runs.", 1..=10_000_000)
            .speed(100.0)
            .show(ui, &mut spec.steps);
        ui.separator();
        ui.checkbox(&mut opts.log_x, "log step axis");
        ui.checkbox(&mut opts.log_y, "log y axis");
        ui.checkbox(&mut opts.signed, "mean of w (not |w|)");
        ui.checkbox(&mut opts.quantile_band, "10–90 % band")
            .on_hover_text(
                "Shade the 10–90 % quantiles of |w| instead of ±2 standard errors of the mean.",
            );
    });
    ui.label(
        RichText::new("β1, β2, ε, bias correction, a and the [−1, 1] projection are in the controls on the left; every optimizer uses the same seed, so the stochastic ones see identical x_t.")
            .small(),
    );
}
