//! The 2-D landscape view (Fig. 7, Fig. 3 left/middle): the walkers on the averaged loss with
//! contours, density and trajectories, and the share of walkers per basin; the picture is
//! [`landscape_figure`]. The loss over the view box is sampled once per landscape, a, b and box.

use egui::{Color32, RichText, Ui};

use crate::figure::views::landscape::loss_levels;
use crate::figure::views::{LandscapeOptions, landscape_figure};
use crate::figure::{Figure, fmt_num};
use crate::model::Landscape;
use crate::model::contour::LossLevels;
use crate::model::theory;
use crate::preset::ViewKind;
use crate::sim::params::{ExperimentParams, InitLaw};

use super::{FigureCx, View, ViewCx};

/// The loss levels of one landscape, a, b and view box.
struct Levels {
    key: (Landscape, u64, u64, [u64; 4]),
    levels: LossLevels,
}

fn levels_key(p: &ExperimentParams) -> (Landscape, u64, u64, [u64; 4]) {
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

#[derive(Default)]
pub struct LandscapeView {
    levels: Option<Levels>,
}

impl LandscapeView {
    /// The cached levels for `p`, computed when it changed.
    fn levels_for(&mut self, p: &ExperimentParams) -> &LossLevels {
        let key = levels_key(p);
        if self.levels.as_ref().is_none_or(|l| l.key != key) {
            self.levels = Some(Levels {
                key,
                levels: loss_levels(p),
            });
        }
        &self.levels.as_ref().expect("just set").levels
    }
}

impl View for LandscapeView {
    fn kind(&self) -> ViewKind {
        ViewKind::Landscape2d
    }

    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewCx<'_>) {
        if cx.state.params.landscape.dim() != 2 {
            ui.label("The 2-D view shows the sharp-minima landscape (Eq. 6) and the toy network. Load one:");
            ui.horizontal(|ui| {
                for name in ["fig7", "fig3-left", "fig3-middle"] {
                    if ui.button(name).clicked() {
                        cx.requests.push(crate::app::Request::LoadPreset(name));
                    }
                }
            });
            return;
        }
        let recorded: Vec<u64> = cx.snapshot.map_or(Vec::new(), |s| {
            s.recorded.iter().map(|r| r.summary.step).collect()
        });
        if cx.controls {
            landscape_controls_ui(ui, &mut cx.state.params, &mut cx.state.landscape, &recorded);
        }
        match cx.snapshot {
            Some(s) if s.params.landscape.dim() == 2 => {
                super::start_hint_ui(ui, s, cx.lecture);
                let opts = cx.state.landscape;
                let levels = self.levels_for(&s.params);
                if opts.story {
                    cx.story.follow(s);
                }
                let path = opts
                    .story
                    .then(|| cx.story.story().map(|st| (st.walker, st.path(2000))))
                    .flatten();
                let fig = landscape_figure(cx.title, s, levels, &opts, path.as_ref());
                cx.show(ui, fig);
                if opts.story {
                    // A click on the map follows the walker nearest to it.
                    if let Some(at) = super::clicked_at(cx, "landscape") {
                        cx.story.pick(s, |w| (w[0] - at[0]).hypot(w[1] - at[1]));
                    }
                    let mut open = true;
                    cx.story.window(ui.ctx(), &mut open, s);
                    cx.state.landscape.story = open;
                }
            }
            _ => {
                ui.label("starting the ensemble…");
            }
        }
    }

    fn figure(&self, cx: &FigureCx<'_>) -> Option<Figure> {
        let s = cx.snapshot.filter(|s| s.params.landscape.dim() == 2)?;
        let fresh;
        let levels = match &self.levels {
            Some(l) if l.key == levels_key(&s.params) => &l.levels,
            _ => {
                fresh = loss_levels(&s.params);
                &fresh
            }
        };
        Some(landscape_figure(
            cx.title,
            s,
            levels,
            &cx.state.landscape,
            cx.walker_path.as_ref(),
        ))
    }
}

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
        super::step_scale_ui(ui, &mut opts.step_scale);
        ui.checkbox(&mut opts.story, "one walker (W)")
            .on_hover_text("Follow one walker of the ensemble: its path on the map, its gradients step by step beside it. Click on the map to pick the walker nearest to the click.");
    });
}
