//! Fig. 3-right: the toy network's stationary loss versus λ, with its 10–90 % band, the levels
//! 2.25 (minimum valley) and 2.5 (saddle), and the diverged fraction.

use egui::{Color32, RichText, Ui};
use egui_plot::{
    FilledArea, HLine, Legend, Line, LineStyle, MarkerShape, Plot, PlotPoints, Points,
};

use super::fields::NumberField;
use crate::model::theory::{TOY_NETWORK_MIN_LOSS, TOY_NETWORK_SADDLE_LOSS};
use crate::sim::loss_sweep::{LossPoint, LossSweepSpec};

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

pub fn loss_view_ui(ui: &mut Ui, points: Option<&Vec<LossPoint>>, landscape_ok: bool) {
    if !landscape_ok {
        ui.label(RichText::new("This view sweeps the toy network: choose it in the controls, or load the fig3-right preset.").italics());
    }
    let Some(points) = points else {
        ui.label("waiting for the first points…");
        return;
    };
    let done: Vec<&LossPoint> = points.iter().filter(|p| !p.diverged.is_nan()).collect();
    let h = ui.available_height();
    Plot::new("loss_plot")
        .height(h * 0.68)
        .legend(Legend::default().follow_insertion_order(true))
        .x_axis_label("λ")
        .y_axis_label("mean stationary loss L")
        .include_y(2.2)
        .include_y(2.6)
        .show(ui, |pui| {
            let finite: Vec<&&LossPoint> =
                done.iter().filter(|p| p.mean_loss.is_finite()).collect();
            let xs: Vec<f64> = finite.iter().map(|p| p.lambda).collect();
            let lo: Vec<f64> = finite.iter().map(|p| p.loss_q10).collect();
            let hi: Vec<f64> = finite.iter().map(|p| p.loss_q90).collect();
            if xs.len() > 1 {
                pui.add(
                    FilledArea::new("10–90 % of runs", &xs, &lo, &hi)
                        .fill_color(Color32::from_rgba_unmultiplied(90, 140, 220, 60)),
                );
            }
            let pts: Vec<[f64; 2]> = finite.iter().map(|p| [p.lambda, p.mean_loss]).collect();
            pui.line(
                Line::new("mean loss over finite runs", PlotPoints::new(pts.clone()))
                    .color(Color32::from_rgb(90, 140, 220))
                    .width(2.0),
            );
            pui.points(
                Points::new("mean loss over finite runs", pts)
                    .color(Color32::from_rgb(90, 140, 220))
                    .radius(3.0)
                    .shape(MarkerShape::Circle),
            );
            pui.hline(
                HLine::new("L* = 2.25 (minimum valley)", TOY_NETWORK_MIN_LOSS)
                    .color(Color32::from_rgb(0x40, 0xc0, 0x60))
                    .style(LineStyle::dashed_dense()),
            );
            pui.hline(
                HLine::new("L = 2.5 (saddle line)", TOY_NETWORK_SADDLE_LOSS)
                    .color(Color32::from_rgb(0xe0, 0x7b, 0x39))
                    .style(LineStyle::dashed_dense()),
            );
        });
    Plot::new("diverged_plot")
        .height((h * 0.28).max(80.0))
        .legend(Legend::default())
        .x_axis_label("λ")
        .y_axis_label("diverged")
        .include_y(0.0)
        .include_y(1.0)
        .show(ui, |pui| {
            let pts: Vec<[f64; 2]> = done.iter().map(|p| [p.lambda, p.diverged]).collect();
            pui.line(
                Line::new("diverged fraction", PlotPoints::new(pts))
                    .color(Color32::from_rgb(0xd0, 0x30, 0x30))
                    .width(2.0),
            );
        });
}
