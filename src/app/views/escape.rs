//! The escape-rate view (Def. 3, Prop. 3): Fig. 5, the two estimators of γ against step for
//! several λ at one a; Fig. 6, γ against λ for several a with μ(a, λ) and Prop. 3's optimum.
//! Computed in the background; the picture is [`escape_figure`].

use egui::{RichText, Ui};

use crate::figure::Figure;
use crate::figure::views::{EscapeFocus, escape_figure};
use crate::preset::ViewKind;
use crate::sim::escape_rate::{self, EscapeRateOutput, RateVsLambdaSpec, RateVsStepSpec};
use crate::sim::params::{ExperimentParams, ValidParams};
use crate::sim::worker::Waker;

use super::super::AppState;
use super::super::fields::NumberField;
use super::{ERROR_RED, FigureCx, JobControl, JobState, View, ViewCx, job_bar, sweep_threads};

type Key = (ExperimentParams, RateVsStepSpec, RateVsLambdaSpec);

#[derive(Default)]
pub struct EscapeView {
    job: JobState<EscapeRateOutput, Key>,
    field_errors: Vec<String>,
}

impl EscapeView {
    pub fn result(&self) -> Option<&std::sync::Arc<EscapeRateOutput>> {
        self.job.result()
    }

    fn start(&mut self, state: &AppState, params: &ValidParams, force: bool, waker: &Waker) {
        let key = (
            ExperimentParams::clone(params),
            state.rate_vs_step.clone(),
            state.rate_vs_lambda.clone(),
        );
        let (_, by_step, by_lambda) = key.clone();
        let p = params.clone();
        self.job.ensure(
            key,
            force,
            false,
            "saddlescope-escape",
            waker,
            |ctx| async move {
                let threads = sweep_threads();
                escape_rate::run_escape_rate_async(&p, &by_step, &by_lambda, threads, ctx.flag())
                    .await
                    .map_err(|e| e.to_string())
            },
        );
    }
}

impl View for EscapeView {
    fn kind(&self) -> ViewKind {
        ViewKind::EscapeRate
    }

    /// A change cancels the running computation and starts a new one.
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
            self.field_errors = escape_controls_ui(
                ui,
                &mut st.rate_vs_step,
                &mut st.rate_vs_lambda,
                &mut st.escape_fields,
            );
            egui::ComboBox::from_label("panel widths")
                .selected_text(st.escape_options.focus.label())
                .show_ui(ui, |ui| {
                    for f in EscapeFocus::ALL {
                        ui.selectable_value(&mut st.escape_options.focus, f, f.label());
                    }
                })
                .response
                .on_hover_text("Which panel takes the larger share of the width (the exports follow). Fig. 5's preset shows γ against t large, Fig. 6's γ against λ.");
            super::step_scale_ui(ui, &mut st.escape_options.step_scale);
        }
        for e in &self.field_errors {
            ui.label(RichText::new(format!("⚠ {e}")).color(ERROR_RED));
        }
        if job_bar(ui, cx.controls, &self.job, None)
            && let Some(p) = cx.params
        {
            self.start(cx.state, p, true, cx.waker);
        }
        match self.job.result() {
            Some(out) => {
                let fig = escape_figure(cx.title, out, &cx.state.escape_options);
                cx.show(ui, fig);
            }
            None => {
                ui.label(if self.job.running() {
                    "computing…"
                } else {
                    "no result"
                });
            }
        }
    }

    fn figure(&self, cx: &FigureCx<'_>) -> Option<Figure> {
        Some(escape_figure(
            cx.title,
            self.job.result()?,
            &cx.state.escape_options,
        ))
    }
}

/// Text fields of the view (applied when they parse).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct EscapeFields {
    pub lambdas: String,
    pub a_values: String,
}

impl EscapeFields {
    pub fn sync(&mut self, by_step: &RateVsStepSpec, by_lambda: &RateVsLambdaSpec) {
        let join = |v: &[f64]| {
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        self.lambdas = join(&by_step.lambdas);
        self.a_values = join(&by_lambda.a_values);
    }
}

fn text_field(
    ui: &mut Ui,
    label: &str,
    tip: &str,
    text: &mut String,
    apply: impl FnOnce(&str) -> Result<(), String>,
) -> Option<String> {
    let l = ui.label(label);
    let r = ui
        .add(egui::TextEdit::singleline(text).desired_width(140.0))
        .labelled_by(l.id)
        .on_hover_text(tip);
    let _ = r;
    apply(text).err()
}

pub fn escape_controls_ui(
    ui: &mut Ui,
    by_step: &mut RateVsStepSpec,
    by_lambda: &mut RateVsLambdaSpec,
    fields: &mut EscapeFields,
) -> Vec<String> {
    if fields.lambdas.is_empty() && fields.a_values.is_empty() {
        fields.sync(by_step, by_lambda);
    }
    let mut errors = Vec::new();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Fig. 5").strong());
        NumberField::new(
            "a",
            "The a of the estimator-versus-step curves.",
            -10.0..=10.0,
        )
        .speed(0.01)
        .show(ui, &mut by_step.a);
        errors.extend(text_field(
            ui,
            "λ values",
            "Learning rates of the curves, comma-separated (1 to 16).",
            &mut fields.lambdas,
            |t| {
                let mut trial = by_step.clone();
                trial.set("lambdas", t).map_err(|e| e.to_string())?;
                trial.validate().map_err(|e| e.to_string())?;
                *by_step = trial;
                Ok(())
            },
        ));
        NumberField::new("steps", "Largest t shown.", 1..=10_000).show(ui, &mut by_step.steps);
    });
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Fig. 6").strong());
        errors.extend(text_field(
            ui,
            "a values",
            "The values of a, one series each, comma-separated (1 to 16).",
            &mut fields.a_values,
            |t| {
                let mut trial = by_lambda.clone();
                trial.set("a_values", t).map_err(|e| e.to_string())?;
                trial.validate().map_err(|e| e.to_string())?;
                *by_lambda = trial;
                Ok(())
            },
        ));
        NumberField::new(
            "λ points",
            "λ values at cell centres of (λ_min, λ_max); λ = 1 is avoided.",
            1..=400,
        )
        .show(ui, &mut by_lambda.lambda_points);
        NumberField::new(
            "read γ at t =",
            "γ is estimated as E ln|w_t/w_0| / t at this t.",
            1..=10_000,
        )
        .show(ui, &mut by_lambda.steps);
        NumberField::new("walkers", "Runs per point (both figures).", 1..=1_000_000)
            .speed(10.0)
            .show(ui, &mut by_lambda.walkers);
        by_step.walkers = by_lambda.walkers;
    });
    errors
}
