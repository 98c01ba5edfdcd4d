//! The phase-diagram view (Fig. 1-right, Fig. 4, Fig. 9): the escape fraction over the (a, λ)
//! plane as a heat map (dark = absorbed at the maximum, light = escaped, as the paper draws it),
//! the theory lines on top, hover for a cell's numbers, click to watch that cell live.

use super::fields::NumberField;
use egui::{Color32, RichText, Ui};
use egui_plot::{Heatmap, Legend, Line, LineStyle, Plot, PlotPoint, PlotPoints, Points};

use crate::export::PhaseOverlays;
use crate::sim::sweep::{SweepGrid, SweepSpec};

use super::theory_panel::fmt_num;

/// Dark navy (absorbed) → blue → white (escaped), the exported figures' colour map; grey for a
/// cell not computed yet.
pub fn escape_color(v: f64) -> Color32 {
    if v.is_nan() {
        return Color32::from_gray(90);
    }
    let [r, g, b] = crate::export::figure::escape_colormap(v);
    Color32::from_rgb(r, g, b)
}

pub const MU_ZERO_COLOR: Color32 = Color32::from_rgb(0xff, 0x8c, 0x00);
pub const CONTINUOUS_COLOR: Color32 = Color32::from_rgb(0xe0, 0x20, 0x20);

/// What the user did in the view this frame.
#[derive(Default)]
pub struct PhaseAction {
    /// A cell was clicked: watch (a, λ) live.
    pub watch: Option<(f64, f64)>,
    pub cancel: bool,
    pub restart: bool,
    /// The map's plot-to-screen transform this frame.
    pub transform: Option<egui_plot::PlotTransform>,
}

fn drag_row(ui: &mut Ui, label: &str, tip: &str, v: &mut f64, speed: f64) {
    NumberField::new(label, tip, -1e6..=1e6)
        .speed(speed)
        .max_decimals(3)
        .show(ui, v);
}

/// The grid controls; edits go into `spec`.
pub fn sweep_controls_ui(ui: &mut Ui, spec: &mut SweepSpec, overlays: &mut PhaseOverlays) {
    ui.horizontal_wrapped(|ui| {
        drag_row(
            ui,
            "a from",
            "Left edge of the a axis.",
            &mut spec.a_min,
            0.01,
        );
        drag_row(ui, "to", "Right edge of the a axis.", &mut spec.a_max, 0.01);
        NumberField::new(
            "a cells",
            "Cells along a; each is simulated at its centre.",
            1..=400,
        )
        .show(ui, &mut spec.a_cells);
        ui.separator();
        drag_row(
            ui,
            "λ from",
            "Bottom edge of the λ axis.",
            &mut spec.lambda_min,
            0.01,
        );
        drag_row(
            ui,
            "to",
            "Top edge of the λ axis.",
            &mut spec.lambda_max,
            0.01,
        );
        NumberField::new(
            "λ cells",
            "Cells along λ; centres avoid the singular λ = 1 and λ = 2 on the default grid.",
            1..=400,
        )
        .show(ui, &mut spec.lambda_cells);
    });
    ui.horizontal_wrapped(|ui| {
        NumberField::new("walkers per cell", "Independent runs per cell: the escape fraction's standard error is at most 1/(2√N).", 1..=1_000_000)
            .speed(10.0)
            .show(ui, &mut spec.walkers);
        NumberField::new("steps T", "Each cell runs T steps; escaped means |w_T| > θ.", 1..=1_000_000)
            .speed(10.0)
            .show(ui, &mut spec.steps);
        egui::ComboBox::from_label("θ")
            .selected_text(fmt_num(spec.threshold, 1))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut spec.threshold, 0.1, "0.1 (two central bins of 20 on [−1, 1])");
                ui.selectable_value(&mut spec.threshold, 1e-6, "1e−6 (tiny)");
            })
            .response
            .on_hover_text("Escape threshold θ: a walker escaped when |w_T| > θ; ±∞/NaN count as escaped (and apart, as diverged).");
    });
    ui.horizontal_wrapped(|ui| {
        ui.checkbox(&mut overlays.mu_zero, RichText::new("μ = 0 (Eq. 5)").color(MU_ZERO_COLOR))
            .on_hover_text("Where μ(a, λ) = E ln|1 − λx| changes sign: the discrete-time phase boundary (Prop. 2, Eq. 5).");
        ui.checkbox(&mut overlays.continuous, RichText::new("λ = −a (continuous time)").color(CONTINUOUS_COLOR))
            .on_hover_text("App. B.4: the Fokker–Planck approximation escapes iff λ < −a.");
        ui.checkbox(&mut overlays.exact_map, "show exact binomial law")
            .on_hover_text("Colour the cells by the exact finite-T escape probability of the quadratic (binomial law) instead of the simulation.");
    });
}

/// The heat map, overlays, colour legend and status. `current` marks the live view's (a, λ).
pub fn phase_view_ui(
    ui: &mut Ui,
    grid: Option<&SweepGrid>,
    running: bool,
    error: Option<&str>,
    overlays: &PhaseOverlays,
    current: (f64, f64),
) -> PhaseAction {
    let mut action = PhaseAction::default();
    ui.horizontal(|ui| {
        if let Some(g) = grid {
            let frac = g.done as f32 / g.spec.cells().max(1) as f32;
            ui.add(
                egui::ProgressBar::new(frac)
                    .desired_width(260.0)
                    .text(format!("{}/{} cells", g.done, g.spec.cells())),
            )
            .on_hover_text(format!(
                "{} cells × {} walkers × {} steps; {:.2} s so far",
                g.done, g.spec.walkers, g.spec.steps, g.seconds
            ));
        }
        if running {
            if ui
                .button("⏹ Cancel")
                .on_hover_text("Stop the sweep; what is computed stays on the map.")
                .clicked()
            {
                action.cancel = true;
            }
        } else if ui
            .button("⟲ Run again")
            .on_hover_text("Recompute the whole map.")
            .clicked()
        {
            action.restart = true;
        }
        if let Some(e) = error {
            ui.label(RichText::new(format!("⚠ {e}")).color(Color32::from_rgb(0xd0, 0x30, 0x30)));
        }
    });
    let Some(g) = grid else {
        ui.label("waiting for the first cells…");
        return action;
    };
    let s = &g.spec;
    let exact = overlays.exact_map && g.exact_escape.is_some();
    let values = if exact {
        g.exact_escape.clone().unwrap_or_default()
    } else {
        g.filled(&g.escape)
    };
    let (da, dl) = (
        (s.a_max - s.a_min) / s.a_cells as f64,
        (s.lambda_max - s.lambda_min) / s.lambda_cells as f64,
    );
    let legend_w = 70.0;
    let plot_w = (ui.available_width() - legend_w).max(200.0);
    let plot_h = ui.available_height().max(200.0);
    let mut hovered = None;
    ui.horizontal(|ui| {
        let resp = Plot::new("phase_plot")
            .width(plot_w)
            .height(plot_h)
            .legend(
                Legend::default()
                    .follow_insertion_order(true)
                    .position(egui_plot::Corner::RightBottom),
            )
            .x_axis_label("a")
            .y_axis_label("λ")
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .allow_double_click_reset(false)
            .show_grid(false)
            .include_x(s.a_min)
            .include_x(s.a_max)
            .include_y(s.lambda_min)
            .include_y(s.lambda_max)
            .set_margin_fraction(egui::vec2(0.0, 0.0))
            .show(ui, |pui| {
                pui.heatmap(
                    Heatmap::new(values, s.a_cells)
                        .at(PlotPoint::new(s.a_min, s.lambda_min))
                        .tile_size(da as f32, dl as f32)
                        .show_labels(false)
                        .custom_mapping(Box::new(escape_color))
                        .name(if exact {
                            "exact escape probability"
                        } else {
                            "escape fraction"
                        }),
                );
                if overlays.mu_zero {
                    for (k, c) in g.mu_zero.iter().enumerate() {
                        let line = Line::new("μ = 0 (Eq. 5)", PlotPoints::new(c.clone()))
                            .color(MU_ZERO_COLOR)
                            .width(2.5);
                        pui.line(if k == 0 {
                            line
                        } else {
                            line.id(("mu_zero", k))
                        });
                    }
                }
                if overlays.continuous {
                    let a0 = s.a_min.max(-s.lambda_max);
                    let a1 = s.a_max.min(-s.lambda_min).min(0.0);
                    if a1 > a0 {
                        pui.line(
                            Line::new(
                                "λ = −a (continuous time)",
                                PlotPoints::new(vec![[a0, -a0], [a1, -a1]]),
                            )
                            .color(CONTINUOUS_COLOR)
                            .width(2.5)
                            .style(LineStyle::dashed_dense()),
                        );
                    }
                }
                pui.points(
                    Points::new("live view (a, λ)", vec![[current.0, current.1]])
                        .radius(5.0)
                        .shape(egui_plot::MarkerShape::Cross)
                        .color(Color32::from_rgb(0xff, 0x40, 0xff)),
                );
                let clicked = pui.response().clicked();
                (pui.pointer_coordinate(), clicked)
            });
        let (pointer, clicked) = resp.inner;
        action.transform = Some(resp.transform);
        if let Some(p) = pointer
            && let Some((c, r)) = g.cell_at(p.x, p.y)
        {
            hovered = Some((c, r));
            if clicked {
                action.watch = Some((g.a[c], g.lambda[r]));
            }
        }
        if let Some((c, r)) = hovered {
            let i = g.index(c, r);
            resp.response.on_hover_ui_at_pointer(|ui| {
                ui.label(format!(
                    "a = {}, λ = {}",
                    fmt_num(g.a[c], 3),
                    fmt_num(g.lambda[r], 3)
                ));
                if g.escape[i].is_nan() {
                    ui.label("escape: not computed yet");
                } else {
                    ui.label(format!("escape fraction: {:.3}", g.escape[i]));
                    ui.label(format!("diverged fraction: {:.3}", g.diverged[i]));
                }
                if let Some(e) = &g.exact_escape {
                    ui.label(format!("exact (binomial law): {:.3}", e[i]));
                }
                ui.label(format!("μ = {}", fmt_num(g.mu[i], 4)));
                ui.label(RichText::new("click: watch this cell live").italics());
            });
        }
        colour_legend_ui(ui, legend_w);
    });
    action
}

fn colour_legend_ui(ui: &mut Ui, width: f32) {
    let h = ui.available_height().clamp(100.0, 400.0);
    let (rect, _) = ui.allocate_exact_size(egui::vec2(width, h), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let bar =
        egui::Rect::from_min_size(rect.min + egui::vec2(8.0, 24.0), egui::vec2(18.0, h - 34.0));
    let n = 64;
    for i in 0..n {
        let v = i as f64 / (n - 1) as f64;
        let y0 = bar.bottom() - bar.height() * (i as f32 + 1.0) / n as f32;
        let r = egui::Rect::from_min_max(
            egui::pos2(bar.left(), y0),
            egui::pos2(bar.right(), y0 + bar.height() / n as f32 + 0.5),
        );
        painter.rect_filled(r, 0.0, escape_color(v));
    }
    let text = ui.visuals().text_color();
    for (v, label) in [(0.0, "0 absorbed"), (0.5, "0.5"), (1.0, "1 escaped")] {
        let y = bar.bottom() - bar.height() * v as f32;
        painter.text(
            egui::pos2(bar.right() + 4.0, y),
            egui::Align2::LEFT_CENTER,
            label.split(' ').next().unwrap_or(label),
            egui::FontId::proportional(12.0),
            text,
        );
    }
    painter.text(
        egui::pos2(bar.left(), bar.top() - 8.0),
        egui::Align2::LEFT_BOTTOM,
        "escape",
        egui::FontId::proportional(11.0),
        text,
    );
}

#[cfg(test)]
mod tests {
    use super::escape_color;

    #[test]
    fn colormap_runs_dark_to_white() {
        let dark = escape_color(0.0);
        let white = escape_color(1.0);
        assert!(dark.r() < 20 && dark.b() < 100);
        assert_eq!((white.r(), white.g(), white.b()), (255, 255, 255));
        assert_eq!(escape_color(f64::NAN), escape_color(f64::NAN));
    }
}
