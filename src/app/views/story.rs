//! One walker's story beside the histogram: its noise draws x_t, its factors w_t/w_{t−1}
//! (1 − λx_t on the quadratic under SGD) and the running ln|w_t/w_0| against tμ; for Adam and
//! AMSGrad its m_t, v̂_t (the running maximum of v, shown as "max v") and the effective rate
//! λ/√v̂_t against Eq. 5's window — the
//! mechanism the ensemble only shows in aggregate. The walker is one of the ensemble's own
//! ([`Story`] replays it), picked by number or by a click near it, and follows the live step.

use egui::{Color32, RichText, Ui};
use egui_plot::{HLine, Line, Plot, PlotPoints};

use crate::model::Optimizer;
use crate::model::theory::{log_factor_moments, trapped_intervals_of};
use crate::sim::story::Story;
use crate::sim::worker::Snapshot;

/// The story's runtime: the walker followed and what the user picked. One for the app: the
/// histogram view and the 2-D view tell the same story.
#[derive(Default)]
pub struct StoryPane {
    story: Option<Story>,
    /// The walker's number in the ensemble (0-based).
    pub walker: usize,
    /// The step the table ends at, when scrubbed back (`None`: the newest, following the run).
    pub at: Option<u64>,
    error: Option<String>,
}

/// Rows of the table: the last steps.
const ROWS: usize = 8;

/// Steps the story catches up per frame: one lane group stepped alone runs ~10⁷ steps/s, so a
/// jump of 10⁵ steps is told within a few frames without holding one up.
const STEPS_PER_FRAME: u64 = 20_000;

impl StoryPane {
    /// The window, following `snap`'s step; `open` is the option the user toggles.
    pub fn window(&mut self, ctx: &egui::Context, open: &mut bool, snap: &Snapshot) {
        self.follow(snap);
        if self.story.as_ref().is_some_and(|s| s.t() < snap.step()) {
            ctx.request_repaint();
        }
        egui::Window::new("One walker")
            .open(open)
            .default_width(560.0)
            .show(ctx, |ui| self.ui(ui, snap));
    }

    /// Keep the story in step with `snap`: a new experiment, a reset or another walker tells it
    /// again from step 0.
    pub fn follow(&mut self, snap: &Snapshot) {
        let stale = self.story.as_ref().is_none_or(|s| {
            s.walker != self.walker || s.t() > snap.step() || !same_experiment(s, snap)
        });
        if stale {
            self.walker = self.walker.min(snap.params.walkers.saturating_sub(1));
            match Story::new(&snap.params, self.walker) {
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
            s.advance_to(snap.step(), STEPS_PER_FRAME);
        }
    }

    /// The story told now, if any.
    pub fn story(&self) -> Option<&Story> {
        self.story.as_ref()
    }

    /// Follow the walker of `snap`'s picks nearest to `target` under `distance`.
    pub fn pick(&mut self, snap: &Snapshot, distance: impl Fn([f64; 2]) -> f64) {
        let best = snap
            .picks
            .iter()
            .map(|(i, w)| (*i, distance(*w)))
            .filter(|(_, d)| d.is_finite())
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((i, _)) = best {
            self.walker = i;
            self.at = None;
        }
    }

    fn ui(&mut self, ui: &mut Ui, snap: &Snapshot) {
        let n = snap.params.walkers;
        ui.horizontal_wrapped(|ui| {
            ui.label("walker");
            ui.add(egui::DragValue::new(&mut self.walker).range(0..=n.saturating_sub(1)))
                .on_hover_text("Its number in the ensemble (0-based). Or click in the histogram (on the 2-D map) to follow the walker nearest to the click.");
            if ui.button("another walker").clicked() {
                self.walker = (self.walker + 1) % n.max(1);
            }
            ui.label(
                RichText::new(format!("of {n} — click in the plot to pick one"))
                    .small()
                    .weak(),
            );
        });
        if let Some(e) = &self.error {
            ui.label(RichText::new(format!("⚠ {e}")).color(Color32::from_rgb(0xe0, 0x7b, 0x39)));
            return;
        }
        let Some(s) = &self.story else {
            return;
        };
        let p = &snap.params;
        let adaptive = p.optimizer.is_adaptive();
        let two_d = p.landscape.dim() == 2;
        let start = if two_d {
            format!("({}, {})", num(s.w0[0]), num(s.w0[1]))
        } else {
            num(s.w0[0])
        };
        ui.label(
            RichText::new(format!(
                "The ensemble's own walker {}, replayed step by step with its own noise draws (the same w as in the histogram at every step); it started at w₀ = {start}.",
                s.walker
            ))
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
        let x_name = if p.landscape == crate::model::Landscape::ToyNetwork {
            "y_t"
        } else {
            "x_t"
        };
        egui::Grid::new("story-table").striped(true).show(ui, |ui| {
            let heads: Vec<&str> = if two_d {
                vec!["t", x_name, "g1_t", "g2_t", "w1_t", "w2_t"]
            } else if adaptive {
                vec!["t", x_name, "g_t", "m_t", "max v", "λ/√(max v)", "w_t"]
            } else {
                vec!["t", x_name, "g_t", "w_t/w_t−1", "w_t", "ln|w_t/w₀|"]
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
                if two_d {
                    ui.label(num(st.g[0]));
                    ui.label(num(st.g[1]));
                    ui.label(num(st.w[0]));
                    ui.label(num(st.w[1]));
                } else if let (true, Some(m)) = (adaptive, st.moments) {
                    ui.label(num(st.g[0]));
                    ui.label(num(m.m));
                    ui.label(num(m.v_hat));
                    ui.label(num(st.rate));
                    ui.label(num(st.w[0]));
                } else {
                    ui.label(num(st.g[0]));
                    ui.label(num(st.factor));
                    ui.label(num(st.w[0]));
                    ui.label(num(st.log_ratio));
                }
                ui.end_row();
            }
        });
        if s.steps.is_empty() {
            ui.label("Step or play to watch it move (. or → steps once).");
            return;
        }
        if p.sigma_add > 0.0 {
            ui.label(RichText::new(format!("{x_name} is not shown: with added noise (σ = {}) the sample and the noise enter the gradient together.", num(p.sigma_add))).small().weak());
        }
        if s.steps
            .iter()
            .skip(first)
            .take(end - first)
            .any(|st| st.clipped)
            && !adaptive
        {
            ui.label(RichText::new("— where the projection clipped a step: its gradient and sample cannot be read back from the clipped update.").small().weak());
        }
        let last = *s.steps.back().expect("not empty");
        if two_d {
            ui.label(format!(
                "ln|w1_t/w1₀| = {} after {} steps. Its path is drawn on the map of the 2-D view.",
                num(last.log_ratio),
                last.t
            ));
            story_plot(ui, s, |st| st.log_ratio, &[], None, self.at, "ln|w1_t/w1₀|");
        } else if adaptive {
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
    if v.is_nan() {
        return "—".into();
    }
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
