//! The escape-rate view (Def. 3, Prop. 3): Fig. 5, the two estimators of γ versus step for
//! several λ at one a; Fig. 6, γ versus λ for several a, with μ(a, λ) and Prop. 3's optimum.

use super::fields::NumberField;
use egui::{Color32, RichText, Ui};
use egui_plot::{
    ColorConflictHandling, Legend, Line, LineStyle, MarkerShape, Plot, PlotPoints, Points,
};

use crate::sim::escape_rate::{EscapeRateOutput, RateVsLambdaSpec, RateVsStepSpec};

use super::histogram_view::step_color;
use super::theory_panel::fmt_num;

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

pub fn escape_view_ui(ui: &mut Ui, out: Option<&EscapeRateOutput>, running: bool) {
    let Some(out) = out else {
        ui.label(if running { "computing…" } else { "no result" });
        return;
    };
    ui.label(
        RichText::new("Left (Fig. 5): solid E ln|w_t|/t (the paper's estimator), dotted E ln|w_t/w_0|/t, dashed μ(a, λ). Right (Fig. 6): points γ = E ln|w_t/w_0|/t, lines μ(a, λ), diamonds Prop. 3's (λ*, γ*).")
            .small(),
    );
    let w = (ui.available_width() - 8.0) / 2.0;
    let h = ui.available_height() - 90.0;
    ui.horizontal(|ui| {
        Plot::new("rate_vs_step")
            .width(w)
            .height(h.max(150.0))
            .legend(
                Legend::default()
                    .follow_insertion_order(true)
                    .color_conflict_handling(ColorConflictHandling::PickFirst),
            )
            .x_axis_label("step t")
            .y_axis_label(format!(
                "γ estimate (a = {})",
                fmt_num(out.rate_vs_step_spec.a, 2)
            ))
            .show(ui, |pui| {
                let n = out.rate_vs_step.len();
                for (k, c) in out.rate_vs_step.iter().enumerate() {
                    let col = step_color(k, n.max(2));
                    let name = format!("λ = {}", fmt_num(c.lambda, 3));
                    let pts = |ys: &[f64]| -> Vec<[f64; 2]> {
                        c.steps
                            .iter()
                            .zip(ys)
                            .filter(|(_, y)| y.is_finite())
                            .map(|(t, y)| [*t as f64, *y])
                            .collect()
                    };
                    pui.line(
                        Line::new(name.clone(), PlotPoints::new(pts(&c.paper_estimate)))
                            .color(col)
                            .width(2.0),
                    );
                    pui.line(
                        Line::new(name.clone(), PlotPoints::new(pts(&c.ratio_estimate)))
                            .color(col)
                            .width(1.5)
                            .style(LineStyle::dotted_dense()),
                    );
                    if c.mu.is_finite() {
                        let t1 = *c.steps.last().unwrap_or(&1) as f64;
                        pui.line(
                            Line::new(name, PlotPoints::new(vec![[0.0, c.mu], [t1, c.mu]]))
                                .color(col.gamma_multiply(0.7))
                                .width(1.0)
                                .style(LineStyle::dashed_loose()),
                        );
                    }
                }
            });
        Plot::new("rate_vs_lambda")
            .width(w)
            .height(h.max(150.0))
            .legend(
                Legend::default()
                    .follow_insertion_order(true)
                    .color_conflict_handling(ColorConflictHandling::PickFirst),
            )
            .x_axis_label("λ")
            .y_axis_label(format!("γ at t = {}", out.rate_vs_lambda_spec.steps))
            .default_y_bounds(-1.5, 1.2)
            .show(ui, |pui| {
                let n = out.rate_vs_lambda.len();
                for (k, s) in out.rate_vs_lambda.iter().enumerate() {
                    let col = step_color(k, n.max(2));
                    let name = format!("a = {}", fmt_num(s.a, 2));
                    // μ has a −∞ spike at λ = 1 (and λ = 1/(a − 1)); draw each finite stretch.
                    let mut seg: Vec<[f64; 2]> = Vec::new();
                    let mut segs = Vec::new();
                    for (l, m) in s.theory_lambda.iter().zip(&s.theory_mu) {
                        if m.is_finite() && *m > -10.0 {
                            seg.push([*l, *m]);
                        } else if !seg.is_empty() {
                            segs.push(std::mem::take(&mut seg));
                        }
                    }
                    segs.push(seg);
                    for (j, seg) in segs.into_iter().filter(|s| s.len() > 1).enumerate() {
                        pui.line(
                            Line::new(name.clone(), PlotPoints::new(seg))
                                .color(col)
                                .width(1.5)
                                .id(("mu", k, j)),
                        );
                    }
                    let pts: Vec<[f64; 2]> = s
                        .lambda
                        .iter()
                        .zip(&s.gamma)
                        .filter(|(_, g)| g.is_finite())
                        .map(|(l, g)| [*l, *g])
                        .collect();
                    pui.points(
                        Points::new(name.clone(), pts)
                            .color(col)
                            .radius(3.0)
                            .shape(MarkerShape::Circle),
                    );
                    if let (Some(l), Some(g)) = (s.lambda_star, s.gamma_star) {
                        pui.points(
                            Points::new(name, vec![[l, g]])
                                .color(col)
                                .radius(7.0)
                                .shape(MarkerShape::Diamond)
                                .filled(false),
                        );
                    }
                }
            });
    });
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Prop. 3:").strong());
        for s in &out.rate_vs_lambda {
            if let (Some(l), Some(g)) = (s.lambda_star, s.gamma_star) {
                let best = s.lambda.iter().zip(&s.gamma).filter(|(l, g)| **l < 1.0 && g.is_finite()).map(|(_, g)| *g).fold(f64::NEG_INFINITY, f64::max);
                ui.label(format!("a = {}: λ* = {}, γ* = {} (simulation's best {})", fmt_num(s.a, 2), fmt_num(l, 3), fmt_num(g, 4), fmt_num(best, 4)));
                ui.separator();
            }
        }
        ui.label(RichText::new("γ* = ln((2−a)/(2√(1−a))) → 0 as a → 0⁻: no learning rate escapes fast from a flat maximum.").color(Color32::from_rgb(0xe0, 0x7b, 0x39)));
    });
}
