//! Fig. 2: GD, SGD, Adam and AMSGrad on the quadratic side by side, on the same noise stream:
//! the ensemble mean of |w| (or of w) versus step with a shaded band, linear or log axes.

use super::fields::NumberField;
use egui::{Color32, RichText, Ui};
use egui_plot::{ColorConflictHandling, FilledArea, GridMark, Legend, Line, Plot, PlotPoints};

use crate::model::Optimizer;
use crate::sim::optimizers::{OptimizerCurve, OptimizerSpec};

use super::theory_panel::fmt_num;

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct OptimizerOptions {
    pub log_x: bool,
    pub log_y: bool,
    /// Plot the mean of w instead of the mean of |w|.
    pub signed: bool,
    /// Band: 10–90 % quantiles of |w| instead of ±2 standard errors of the mean.
    pub quantile_band: bool,
}

impl Default for OptimizerOptions {
    fn default() -> Self {
        OptimizerOptions {
            log_x: true,
            log_y: false,
            signed: false,
            quantile_band: false,
        }
    }
}

pub fn optimizer_color(o: Optimizer) -> Color32 {
    match o {
        Optimizer::Gd => Color32::from_rgb(0x9a, 0x9a, 0x9a),
        Optimizer::Sgd => Color32::from_rgb(0x2c, 0xa0, 0x2c),
        Optimizer::Adam => Color32::from_rgb(0x1f, 0x77, 0xb4),
        Optimizer::Amsgrad => Color32::from_rgb(0xd6, 0x27, 0x28),
    }
}

/// Per-optimizer switches and learning rates, and the run length; edits go into `spec`.
pub fn optimizer_controls_ui(ui: &mut Ui, spec: &mut OptimizerSpec, opts: &mut OptimizerOptions) {
    ui.horizontal_wrapped(|ui| {
        for e in &mut spec.entries {
            ui.checkbox(
                &mut e.enabled,
                RichText::new(e.optimizer.label()).color(optimizer_color(e.optimizer)),
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

fn tx(v: f64, log: bool) -> Option<f64> {
    if !log {
        return v.is_finite().then_some(v);
    }
    (v > 0.0 && v.is_finite()).then(|| v.log10())
}

fn log_axis_formatter(mark: GridMark, _range: &std::ops::RangeInclusive<f64>) -> String {
    let v = mark.value;
    if (v - v.round()).abs() < 1e-9 {
        format!("1e{}", v.round() as i64)
    } else {
        String::new()
    }
}

pub fn optimizers_view_ui(
    ui: &mut Ui,
    curves: Option<&Vec<OptimizerCurve>>,
    opts: &OptimizerOptions,
) {
    let Some(curves) = curves else {
        ui.label("computing…");
        return;
    };
    let what = if opts.signed {
        "mean of w"
    } else {
        "mean of |w|"
    };
    let mut plot = Plot::new("optimizers_plot")
        .legend(
            Legend::default()
                .follow_insertion_order(true)
                .color_conflict_handling(ColorConflictHandling::PickFirst),
        )
        .x_axis_label(if opts.log_x { "step t (log)" } else { "step t" })
        .y_axis_label(if opts.log_y {
            format!("{what} (log)")
        } else {
            what.to_string()
        });
    if opts.log_x {
        plot = plot.x_axis_formatter(log_axis_formatter);
    }
    if opts.log_y {
        plot = plot.y_axis_formatter(log_axis_formatter);
    }
    plot.show(ui, |pui| {
        for c in curves {
            let col = optimizer_color(c.optimizer);
            let name = format!("{} (λ = {})", c.optimizer.label(), fmt_num(c.lambda, 3));
            let mut xs = Vec::new();
            let (mut ys, mut lo, mut hi) = (Vec::new(), Vec::new(), Vec::new());
            for k in 0..c.steps.len() {
                // Step 0 has no place on a log axis.
                let x = tx(c.steps[k] as f64, opts.log_x);
                let m = if opts.signed {
                    c.mean_w[k]
                } else {
                    c.mean_abs[k]
                };
                let (b0, b1) = if opts.quantile_band && !opts.signed {
                    (c.q10_abs[k], c.q90_abs[k])
                } else {
                    (m - 2.0 * c.sem_abs[k], m + 2.0 * c.sem_abs[k])
                };
                if let (Some(x), Some(y)) = (x, tx(m, opts.log_y)) {
                    xs.push(x);
                    ys.push(y);
                    lo.push(tx(b0, opts.log_y).unwrap_or(y));
                    hi.push(tx(b1, opts.log_y).unwrap_or(y));
                }
            }
            if xs.len() > 1 {
                pui.add(
                    FilledArea::new(name.clone(), &xs, &lo, &hi)
                        .fill_color(col.gamma_multiply(0.25)),
                );
            }
            let pts: Vec<[f64; 2]> = xs.iter().zip(&ys).map(|(x, y)| [*x, *y]).collect();
            pui.line(Line::new(name, PlotPoints::new(pts)).color(col).width(2.0));
        }
    });
}
