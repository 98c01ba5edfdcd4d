//! One walker's story beside the histogram: its noise draws x_t, its factors w_t/w_{t−1}
//! (1 − λx_t on the quadratic under SGD) and the running ln|w_t/w_0| against tμ; for Adam and
//! AMSGrad its m_t, v̂_t (the running maximum of v, shown as "max v") and the effective rate
//! λ/√v̂_t against Eq. 5's window — the
//! mechanism the ensemble only shows in aggregate. The walker follows the live step.

use egui::{Color32, RichText, Ui};
use egui_plot::{HLine, Line, Plot, PlotPoints};

use crate::model::Optimizer;
use crate::model::theory::{log_factor_moments, trapped_intervals_of};
use crate::sim::story::Story;
use crate::sim::worker::Snapshot;

/// The story's runtime: the walker followed and what the user picked.
pub struct StoryPane {
    story: Option<Story>,
    /// The walker's number (its noise stream).
    pub walker: u64,
    pub w0: f64,
    /// The step the table ends at, when scrubbed back (`None`: the newest, following the run).
    pub at: Option<u64>,
    error: Option<String>,
}

impl Default for StoryPane {
    fn default() -> Self {
        StoryPane {
            story: None,
            walker: 1,
            w0: 0.5,
            at: None,
            error: None,
        }
    }
}

/// Rows of the table: the last steps.
const ROWS: usize = 8;

impl StoryPane {
    /// The window, following `snap`'s step; `open` is the option the user toggles.
    pub fn window(&mut self, ctx: &egui::Context, open: &mut bool, snap: &Snapshot) {
        // A new experiment, a reset, or another walker or start: tell the story again.
        let stale = self.story.as_ref().is_none_or(|s| {
            s.walker != self.walker
                || s.w0 != self.w0
                || s.t() > snap.step()
                || !same_experiment(s, snap)
        });
        if stale {
            match Story::new(&snap.params, self.walker, self.w0) {
                Ok(s) => {
                    self.story = Some(s);
                    self.error = None;
                }
                Err(e) => {
                    self.story = None;
                    self.error = Some(e);
                }
            }
        }
        if let Some(s) = &mut self.story {
            // A long jump is caught up over frames (a single walker: ~10⁷ steps/s).
            s.advance_to(snap.step(), 200_000);
            if s.t() < snap.step() {
                ctx.request_repaint();
            }
        }
        egui::Window::new("One walker")
            .open(open)
            .default_width(560.0)
            .show(ctx, |ui| self.ui(ui, snap));
    }

    fn ui(&mut self, ui: &mut Ui, snap: &Snapshot) {
        ui.horizontal_wrapped(|ui| {
            ui.label("walker");
            ui.add(egui::DragValue::new(&mut self.walker).range(1..=1_000_000))
                .on_hover_text("Its number picks its own noise stream (from the experiment's seed): the same number tells the same story.");
            if ui.button("another walker").clicked() {
                self.walker += 1;
            }
            ui.label("w₀");
            ui.add(egui::DragValue::new(&mut self.w0).speed(0.01).range(-10.0..=10.0));
        });
        if let Some(e) = &self.error {
            ui.label(RichText::new(format!("⚠ {e}")).color(Color32::from_rgb(0xe0, 0x7b, 0x39)));
            return;
        }
        let Some(s) = &self.story else {
            return;
        };
        let p = &snap.params;
        let adaptive = matches!(p.optimizer, Optimizer::Adam | Optimizer::Amsgrad);
        ui.label(
            RichText::new(
                "One run with a noise stream of its own (not one of the histogram's walkers), under the same law and parameters.",
            )
            .small()
            .weak(),
        );
        // The timeline: scrub back over the steps kept, or follow the run.
        let (t0, t1) = (
            s.steps.front().map_or(0, |st| st.t),
            s.steps.back().map_or(0, |st| st.t),
        );
        ui.horizontal(|ui| {
            let mut follow = self.at.is_none();
            ui.checkbox(&mut follow, "follow").on_hover_text(
                "The table ends at the newest step; untick to scrub back along the timeline.",
            );
            let mut at = self.at.unwrap_or(t1).clamp(t0, t1.max(t0));
            let slider = ui.add_enabled(
                t1 > t0,
                egui::Slider::new(&mut at, t0..=t1.max(t0)).text("step"),
            );
            self.at = if follow && !slider.changed() {
                None
            } else {
                Some(at)
            };
        });
        // The table: the steps up to the one scrubbed to (or the newest).
        let end = self
            .at
            .and_then(|at| s.steps.iter().position(|st| st.t == at))
            .map_or(s.steps.len(), |k| k + 1);
        let first = end.saturating_sub(ROWS);
        egui::Grid::new("story-table").striped(true).show(ui, |ui| {
            let heads: &[&str] = if adaptive {
                &["t", "x_t", "g_t", "m_t", "max v", "λ/√(max v)", "w_t"]
            } else {
                &["t", "x_t", "w_t/w_t−1", "w_t", "ln|w_t/w₀|"]
            };
            for h in heads {
                ui.label(crate::app::plot::scripted(
                    ui,
                    h,
                    None,
                    None,
                    Color32::TRANSPARENT,
                ));
            }
            ui.end_row();
            for st in s.steps.iter().skip(first).take(end - first) {
                ui.label(st.t.to_string());
                ui.label(num(st.x));
                if let (true, Some(m)) = (adaptive, st.moments) {
                    ui.label(num(st.g));
                    ui.label(num(m.m));
                    ui.label(num(m.v_hat));
                    ui.label(num(st.rate));
                    ui.label(num(st.w));
                } else {
                    ui.label(num(st.factor));
                    ui.label(num(st.w));
                    ui.label(num(st.log_ratio));
                }
                ui.end_row();
            }
        });
        if s.steps.is_empty() {
            ui.label("Step or play to watch it move (. or → steps once).");
            return;
        }
        let last = *s.steps.back().expect("not empty");
        if adaptive {
            // Prop. 5: with β1 = 0 and v̂ settled, AMSGrad is SGD at the rate λ/√v̂.
            let windows = trapped_intervals_of(&p.noise, p.a, 50.0);
            let inside = windows
                .iter()
                .any(|(lo, hi)| (*lo..*hi).contains(&last.rate));
            let w = windows
                .iter()
                .map(|(lo, hi)| format!("{} < rate < {}", num(*lo), num(*hi)))
                .collect::<Vec<_>>()
                .join(" or ");
            ui.label(format!(
                "effective rate λ/√(max v) = {}: {} the window where SGD at that rate is trapped at 0 (μ < 0: {})",
                num(last.rate),
                if inside { "inside" } else { "outside" },
                if w.is_empty() { "none".into() } else { w }
            ));
            if p.optimizer == Optimizer::Adam {
                ui.label(RichText::new("Adam's v_t forgets (no running maximum): its rate does not settle, and the paper gives no trapping condition for it.").small().weak());
            }
            let edges: Vec<f64> = windows.iter().flat_map(|(a, b)| [*a, *b]).collect();
            story_plot(ui, s, |st| st.rate, &edges, None, self.at, "λ/√(max v)");
        } else {
            let (mu, _) = log_factor_moments(&p.noise, p.a, p.lambda);
            ui.label(format!(
                "ln|w_t/w₀| = {} after {} steps; the law's μ = E ln|1 − λx| = {} per step predicts tμ = {}",
                num(last.log_ratio),
                last.t,
                num(mu),
                num(mu * last.t as f64)
            ));
            story_plot(
                ui,
                s,
                |st| st.log_ratio,
                &[],
                Some(mu),
                self.at,
                "ln|w_t/w₀|",
            );
        }
        if s.diverged() {
            ui.label(
                RichText::new("this walker diverged (w is no longer finite)")
                    .color(Color32::from_rgb(0xd0, 0x30, 0x30)),
            );
        }
    }
}

/// Whether the story was told for the snapshot's experiment.
fn same_experiment(s: &Story, snap: &Snapshot) -> bool {
    s.params() == &**snap.params
}

/// A number for the table: 4 significant digits, scientific where small or large.
fn num(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e5).contains(&a) {
        format!("{v:.3e}")
    } else {
        format!("{v:.4}")
    }
}

/// The story's quantity against t, with horizontal reference lines.
fn story_plot(
    ui: &mut Ui,
    s: &Story,
    y: impl Fn(&crate::sim::story::StoryStep) -> f64,
    refs: &[f64],
    slope: Option<f64>,
    at: Option<u64>,
    name: &str,
) {
    let pts: PlotPoints = s
        .steps
        .iter()
        .filter(|st| y(st).is_finite())
        .map(|st| [st.t as f64, y(st)])
        .collect();
    Plot::new("story-plot")
        .height(160.0)
        .x_axis_label("step t")
        .y_axis_label(name)
        .allow_scroll(false)
        .show(ui, |pui| {
            pui.line(Line::new(name, pts).color(Color32::from_rgb(0x4c, 0x9b, 0xe8)));
            for r in refs {
                pui.hline(HLine::new("window edge", *r).color(Color32::from_rgb(0xf0, 0x8a, 0x24)));
            }
            if let Some(t) = at {
                pui.vline(egui_plot::VLine::new("scrubbed to", t as f64).color(Color32::GRAY));
            }
            if let (Some(mu), Some(last)) = (slope, s.steps.back()) {
                pui.line(
                    Line::new("tμ", vec![[0.0, 0.0], [last.t as f64, mu * last.t as f64]])
                        .color(Color32::from_rgb(0xf0, 0x8a, 0x24))
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
        });
}
