//! The 2-D landscape view (Fig. 7, Fig. 3 left/middle): the averaged loss over the (w1, w2)
//! plane as a shaded height map with contour lines, the walkers as a point cloud or a density
//! map, a few trajectories with fading tails, the stationary points labelled, and the share of
//! walkers per basin versus step.

use egui::{Color32, RichText, Ui};
use egui_plot::{
    ColorConflictHandling, Heatmap, Legend, Line, LineStyle, MarkerShape, Plot, PlotPoint,
    PlotPoints, Points, Text,
};

use crate::model::basins::Basin;
use crate::model::contour::{Grid, LossLevels};
use crate::model::theory::{self, PointKind};
use crate::model::{Landscape, LandscapeParams};
use crate::sim::params::{ExperimentParams, InitLaw};
use crate::sim::worker::Snapshot;

use super::theory_panel::fmt_num;

/// What the view draws.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct LandscapeOptions {
    /// Colour by the walkers' density instead of the loss.
    pub density: bool,
    pub contours: bool,
    pub cloud: bool,
    pub trajectories: bool,
    /// Show the density recorded at this step (one of the record steps) instead of now.
    pub recorded_step: Option<u64>,
}

impl Default for LandscapeOptions {
    fn default() -> Self {
        LandscapeOptions {
            density: false,
            contours: true,
            cloud: true,
            trajectories: true,
            recorded_step: None,
        }
    }
}

/// The loss over the view box, sampled once per change of landscape, a, b or box.
#[derive(Clone, Debug)]
pub struct LandscapeMap {
    pub key: (Landscape, u64, u64, [u64; 4]),
    pub grid: Grid,
    /// Contour segments, one list per level.
    pub contours: Vec<Vec<[[f64; 2]; 2]>>,
    pub lo: f64,
    pub hi: f64,
}

fn map_key(p: &ExperimentParams) -> (Landscape, u64, u64, [u64; 4]) {
    let h = &p.histogram;
    (
        p.landscape,
        p.a.to_bits(),
        p.b.to_bits(),
        [
            h.lo.to_bits(),
            h.hi.to_bits(),
            h.lo2.to_bits(),
            h.hi2.to_bits(),
        ],
    )
}

impl LandscapeMap {
    pub fn new(p: &ExperimentParams) -> LandscapeMap {
        let lp = LandscapeParams {
            landscape: p.landscape,
            a: p.a,
            b: p.b,
        };
        let h = &p.histogram;
        let LossLevels {
            grid,
            contours,
            lo,
            hi,
        } = LossLevels::new(&lp, (h.lo, h.hi), (h.lo2, h.hi2));
        LandscapeMap {
            key: map_key(p),
            grid,
            contours,
            lo,
            hi,
        }
    }

    pub fn is_for(&self, p: &ExperimentParams) -> bool {
        self.key == map_key(p)
    }
}

fn loss_color(v: f64, lo: f64, hi: f64) -> Color32 {
    if !v.is_finite() {
        return Color32::from_gray(200);
    }
    let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0).sqrt();
    let g = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    Color32::from_rgb(g(18.0, 150.0), g(28.0, 150.0), g(48.0, 160.0))
}

fn density_color(v: f64) -> Color32 {
    if v.is_nan() || v <= 0.0 {
        return Color32::TRANSPARENT;
    }
    let t = v.clamp(0.0, 1.0).powf(0.4);
    let g = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    Color32::from_rgba_unmultiplied(g(120.0, 255.0), g(20.0, 240.0), g(90.0, 60.0), 230)
}

pub const CLOUD_COLOR: Color32 = Color32::from_rgb(0xff, 0xc8, 0x20);
pub const TRACK_COLOR: Color32 = Color32::from_rgb(0x40, 0xe0, 0xff);

/// Controls of the landscape; edits go into `p`.
pub fn landscape_controls_ui(
    ui: &mut Ui,
    p: &mut ExperimentParams,
    opts: &mut LandscapeOptions,
    recorded: &[u64],
) {
    ui.horizontal_wrapped(|ui| {
        if p.landscape == Landscape::SharpMinima {
            ui.add(egui::Slider::new(&mut p.b, 0.0..=50.0).text("b"))
                .on_hover_text("Eq. 6's noise scale: the sample loss has x b w1²/2 with x = ±1 (rank-one noise on w1).");
            // Prop. 4's b only makes sense on the slider's range: 1/56 ≤ λ ≤ 1/6.
            let b = theory::prop4_b(p.lambda);
            let fits = (0.0..=50.0).contains(&b);
            if ui
                .add_enabled(fits, egui::Button::new("b = 1/λ − 6"))
                .on_hover_text("Prop. 4's choice of b for the current λ.")
                .on_disabled_hover_text(format!(
                    "At λ = {} this gives b = {}, outside 0 ≤ b ≤ 50 (it needs 1/56 ≤ λ ≤ 1/6).",
                    fmt_num(p.lambda, 4),
                    fmt_num(b, 3)
                ))
                .clicked()
            {
                p.b = b;
            }
            let mut clip = p.projection.is_some();
            ui.checkbox(&mut clip, "clip to [−1, 1]²")
                .on_hover_text("The paper assumes the weights bounded, |w1|, |w2| ≤ 1 (Prop. 4): on by default for this landscape.");
            p.projection = clip.then_some(p.projection.unwrap_or(1.0));
        }
        egui::ComboBox::from_label("initial cloud")
            .selected_text(p.init.label())
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut p.init, InitLaw::Uniform { half_width: 1.0 }, "Uniform box U[−1, 1]²");
                ui.selectable_value(&mut p.init, InitLaw::FlatMinima { radius: 0.25 }, "Discs on the flat minima (±1/√2, 0)");
                ui.selectable_value(&mut p.init, InitLaw::Network, "Network: w1 ~ U[−1, 1], w2 ~ U[0, 1]");
            })
            .response
            .on_hover_text("Where the walkers start. Fig. 7: overlapping the flat minima; Fig. 3: the network's law.");
    });
    if p.landscape == Landscape::SharpMinima {
        let l = p.lambda;
        let value = 16.0 * l * (1.0 - 2.0 * l).abs().max((1.0 - 10.0 * l).abs());
        let ok = theory::prop4_condition(l);
        let text = format!(
            "Prop. 4: 16λ·max(|1−2λ|, |1−10λ|) = {} {} 1 — {} (holds for λ < {})",
            fmt_num(value, 3),
            if ok { "<" } else { "≥" },
            if ok {
                "w1 → 0: only the sharp minima can be reached"
            } else {
                "not guaranteed"
            },
            fmt_num(theory::prop4_lambda_max(), 4)
        );
        let col = if ok {
            Color32::from_rgb(0x40, 0xc0, 0x60)
        } else {
            Color32::from_rgb(0xe0, 0x7b, 0x39)
        };
        ui.label(RichText::new(text).color(col))
            .on_hover_text("With b = 1/λ − 6 and |w| ≤ 1 (Eq. 80–83). The paper's Eq. 84 bound (1 + √6)/20 is a slip; (2 − √2)/8 is the correct one.");
    }
    ui.horizontal_wrapped(|ui| {
        ui.checkbox(&mut opts.density, "density of walkers")
            .on_hover_text("Colour the plane by the walkers' density instead of the loss.");
        ui.checkbox(&mut opts.contours, "contour lines")
            .on_hover_text("Level sets of the averaged loss L.");
        ui.checkbox(&mut opts.cloud, "walkers")
            .on_hover_text("Up to 3000 walkers as points.");
                ui.checkbox(&mut opts.trajectories, "trajectories").on_hover_text("The last 150 steps of 8 walkers, fading with age.");
        ui.separator();
        let label = |s: Option<u64>| s.map_or("now".to_string(), |t| format!("t = {t}"));
        egui::ComboBox::from_label("density at")
            .selected_text(label(opts.recorded_step))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut opts.recorded_step, None, "now");
                for &t in recorded {
                    ui.selectable_value(&mut opts.recorded_step, Some(t), format!("t = {t}"));
                }
            })
            .response
            .on_hover_text("The walkers' density at one of the recorded steps (Fig. 7 shows steps 0, 2 and 10⁴).");
    });
}

/// The stationary points to mark, with labels.
fn marks(p: &ExperimentParams) -> Vec<([f64; 2], String, PointKind)> {
    match p.landscape {
        Landscape::SharpMinima => theory::sharp_minima_points(p.a)
            .into_iter()
            .map(|s| {
                let label = match s.kind {
                    PointKind::FlatMinimum | PointKind::SharpMinimum => format!(
                        "{}, tr H = {}",
                        if s.kind == PointKind::SharpMinimum {
                            "sharp"
                        } else {
                            "flat"
                        },
                        fmt_num(s.trace(), 2)
                    ),
                    _ => "maximum".to_string(),
                };
                (s.w, label, s.kind)
            })
            .collect(),
        Landscape::ToyNetwork => vec![(
            [0.0, 0.0],
            "saddle (0, 0), L = 2.5".to_string(),
            PointKind::Saddle,
        )],
        _ => Vec::new(),
    }
}

pub fn landscape_view_ui(
    ui: &mut Ui,
    snap: &Snapshot,
    map: &LandscapeMap,
    opts: &LandscapeOptions,
) {
    let p = &snap.params;
    let h = &p.histogram;
    let plot_w = (ui.available_width() * 0.62).max(300.0);
    let plot_h = ui.available_height().max(250.0);
    ui.horizontal(|ui| {
        Plot::new("landscape_plot")
            .width(plot_w)
            .height(plot_h)
            .data_aspect(1.0)
            .legend(
                Legend::default()
                    .follow_insertion_order(true)
                    .color_conflict_handling(ColorConflictHandling::PickFirst)
                    .position(egui_plot::Corner::LeftTop),
            )
            .x_axis_label("w1")
            .y_axis_label("w2")
            .include_x(h.lo)
            .include_x(h.hi)
            .include_y(h.lo2)
            .include_y(h.hi2)
            .show_grid(false)
            .show(ui, |pui| {
                let g = &map.grid;
                let (lo, hi) = (map.lo, map.hi);
                pui.heatmap(
                    Heatmap::new(g.values.clone(), g.cols)
                        .at(PlotPoint::new(g.x0 - g.dx / 2.0, g.y0 - g.dy / 2.0))
                        .tile_size(g.dx as f32, g.dy as f32)
                        .show_labels(false)
                        .custom_mapping(Box::new(move |v| loss_color(v, lo, hi)))
                        .name("loss L"),
                );
                // A recorded step shows its density; "now" shows the live one when asked for.
                let recorded = opts
                    .recorded_step
                    .and_then(|t| snap.recorded.iter().find(|r| r.summary.step == t))
                    .and_then(|r| r.density.as_ref());
                let density = recorded.or(if opts.density {
                    snap.current.density.as_ref()
                } else {
                    None
                });
                if let Some(d) = density {
                    let max = d.counts.iter().copied().max().unwrap_or(1).max(1) as f64;
                    let vals: Vec<f64> = d.counts.iter().map(|c| *c as f64 / max).collect();
                    pui.heatmap(
                        Heatmap::new(vals, d.cols)
                            .at(PlotPoint::new(d.x0, d.y0))
                            .tile_size(
                                ((d.x1 - d.x0) / d.cols as f64) as f32,
                                ((d.y1 - d.y0) / d.rows as f64) as f32,
                            )
                            .show_labels(false)
                            .custom_mapping(Box::new(density_color))
                            .name("walker density"),
                    );
                }
                if opts.contours {
                    for (k, segs) in map.contours.iter().enumerate() {
                        for (j, s) in segs.iter().enumerate() {
                            pui.line(
                                Line::new("contours of L", PlotPoints::new(s.to_vec()))
                                    .color(Color32::from_white_alpha(70))
                                    .width(1.0)
                                    .allow_hover(false)
                                    .id(("contour", k, j)),
                            );
                        }
                    }
                }
                if p.landscape == Landscape::ToyNetwork {
                    // The minimum valley w2 = 1/(2 w1²) and the saddle line {w1 = 0, w2 ≥ 0}.
                    for (side, sign) in [(0, 1.0), (1, -1.0)] {
                        let pts: Vec<[f64; 2]> = (0..200)
                            .map(|i| {
                                let w1 =
                                    sign * (0.3 + (h.hi.abs().max(0.31) - 0.3) * i as f64 / 199.0);
                                [w1, 0.5 / (w1 * w1)]
                            })
                            .filter(|q| q[1] <= h.hi2)
                            .collect();
                        pui.line(
                            Line::new("minimum valley w2·w1² = ½ (L = 2.25)", PlotPoints::new(pts))
                                .color(Color32::from_rgb(0x40, 0xc0, 0x60))
                                .width(2.0)
                                .id(("valley", side)),
                        );
                    }
                    pui.line(
                        Line::new(
                            "saddle line w1 = 0, w2 ≥ 0 (L = 2.5)",
                            PlotPoints::new(vec![[0.0, 0.0], [0.0, h.hi2]]),
                        )
                        .color(Color32::from_rgb(0xe0, 0x40, 0x40))
                        .width(2.0)
                        .style(LineStyle::dashed_dense()),
                    );
                }
                if opts.cloud && recorded.is_none() {
                    pui.points(
                        Points::new("walkers", snap.cloud.to_vec())
                            .color(CLOUD_COLOR)
                            .radius(1.5),
                    );
                }
                if opts.trajectories && recorded.is_none() {
                    for (k, tr) in snap.tracks.iter().enumerate() {
                        // Four age bands, older ones fainter.
                        let n = tr.len();
                        for band in 0..4 {
                            let (a, b) = (band * n / 4, ((band + 1) * n / 4 + 1).min(n));
                            if b <= a + 1 {
                                continue;
                            }
                            let alpha = 60 + 60 * band as u8;
                            pui.line(
                                Line::new("trajectories", PlotPoints::new(tr[a..b].to_vec()))
                                    .color(Color32::from_rgba_unmultiplied(
                                        TRACK_COLOR.r(),
                                        TRACK_COLOR.g(),
                                        TRACK_COLOR.b(),
                                        alpha,
                                    ))
                                    .width(1.5)
                                    .id(("track", k, band)),
                            );
                        }
                        if let Some(last) = tr.last() {
                            pui.points(
                                Points::new("trajectories", vec![*last])
                                    .color(TRACK_COLOR)
                                    .radius(3.0)
                                    .id(("head", k)),
                            );
                        }
                    }
                }
                for (k, (w, label, kind)) in marks(p).into_iter().enumerate() {
                    let (shape, col) = match kind {
                        PointKind::SharpMinimum => {
                            (MarkerShape::Diamond, Color32::from_rgb(0xff, 0x50, 0x50))
                        }
                        PointKind::FlatMinimum => {
                            (MarkerShape::Circle, Color32::from_rgb(0x40, 0xc0, 0x60))
                        }
                        _ => (MarkerShape::Cross, Color32::WHITE),
                    };
                    pui.points(
                        Points::new("stationary points", vec![w])
                            .shape(shape)
                            .radius(6.0)
                            .filled(false)
                            .color(col)
                            .id(("mark", k)),
                    );
                    // Labels sit outside the point, away from the centre of the plane.
                    let (dy, anchor) = if w[1] > 0.0 {
                        (0.1, egui::Align2::CENTER_BOTTOM)
                    } else {
                        (-0.1, egui::Align2::CENTER_TOP)
                    };
                    pui.text(
                        Text::new(
                            "stationary point labels",
                            PlotPoint::new(w[0], w[1] + dy),
                            RichText::new(label).size(11.0).color(col),
                        )
                        .anchor(anchor)
                        .id(("label", k)),
                    );
                }
            });
        ui.vertical(|ui| basin_panel_ui(ui, snap));
    });
}

fn basin_color(b: Basin) -> Color32 {
    match b {
        Basin::SharpMinimum => Color32::from_rgb(0xff, 0x50, 0x50),
        Basin::FlatMinimum | Basin::Valley => Color32::from_rgb(0x40, 0xc0, 0x60),
        Basin::Saddle => Color32::from_rgb(0xe0, 0x7b, 0x39),
        Basin::Other => Color32::GRAY,
    }
}

fn basin_panel_ui(ui: &mut Ui, snap: &Snapshot) {
    let p = &snap.params;
    let basins = Basin::of(p.landscape);
    let sum = &snap.current.summary;
    ui.label(RichText::new("Share of walkers per basin").strong());
    egui::Grid::new("basin_grid").num_columns(2).show(ui, |ui| {
        for s in &sum.basins {
            ui.label(RichText::new(s.basin.label()).color(basin_color(s.basin)));
            ui.label(format!("{:.3}", s.fraction));
            ui.end_row();
        }
        ui.label(RichText::new("diverged").color(Color32::from_rgb(0xd0, 0x30, 0x30)));
        ui.label(format!(
            "{:.3}",
            sum.diverged as f64 / sum.walkers.max(1) as f64
        ));
        ui.end_row();
        if let Some(l) = sum.mean_loss {
            ui.label("mean loss L");
            ui.label(fmt_num(l, 4));
            ui.end_row();
        }
    });
    let h = (ui.available_height() - 20.0).max(120.0);
    Plot::new("basin_plot")
        .height(h)
        .legend(Legend::default().follow_insertion_order(true))
        .x_axis_label("step t")
        .y_axis_label("share")
        .include_y(0.0)
        .include_y(1.0)
        .include_x(0.0)
        .include_x(sum.step.max(10) as f64)
        .show(ui, |pui| {
            for (k, b) in basins.iter().enumerate() {
                let pts: Vec<[f64; 2]> = snap
                    .trace
                    .iter()
                    .filter_map(|t| t.basins.get(k).map(|f| [t.step as f64, *f]))
                    .collect();
                pui.line(
                    Line::new(b.label(), PlotPoints::new(pts))
                        .color(basin_color(*b))
                        .width(2.0),
                );
            }
            if snap.trace.iter().any(|t| t.diverged > 0) {
                let n = sum.walkers.max(1) as f64;
                let pts: Vec<[f64; 2]> = snap
                    .trace
                    .iter()
                    .map(|t| [t.step as f64, t.diverged as f64 / n])
                    .collect();
                pui.line(
                    Line::new("diverged", PlotPoints::new(pts))
                        .color(Color32::from_rgb(0xd0, 0x30, 0x30))
                        .width(1.5),
                );
            }
        });
}
