//! The live histogram view (Fig. 1-left, 1-middle, 8): the distribution of w at the recorded
//! steps, on a linear w or a log10|w| axis, and the fraction of walkers with |w| < θ against
//! step with the exact binomial law over it. The worker bins everything; the picture is
//! [`histogram_figure`].

use egui::Ui;

use crate::figure::Figure;
use crate::figure::views::histogram_figure;
use crate::preset::ViewKind;

use super::{FigureCx, View, ViewCx, clicked_at};

#[derive(Default)]
pub struct HistogramView;

impl View for HistogramView {
    fn kind(&self) -> ViewKind {
        ViewKind::Histogram
    }

    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewCx<'_>) {
        let opts = &mut cx.state.histogram;
        if cx.controls {
            ui.horizontal_wrapped(|ui| {
            ui.checkbox(&mut opts.log_axis, "log10 |w| axis")
                .on_hover_text("Trapped walkers reach |w| ~ 1e-140 within a thousand steps: a linear axis alone hides the story.");
            ui.checkbox(&mut opts.show_theory, "theory curves")
                .on_hover_text("The exact binomial law (dashed) for the quadratic under SGD with two-point noise; Lemma 1's normal approximation (dotted) for the other laws.");
            super::step_scale_ui(ui, &mut opts.step_scale);
            ui.checkbox(&mut opts.story, "one walker (W)")
                .on_hover_text("Follow one walker step by step: its noise draws, its factors 1 − λx_t and ln|w_t/w₀|; for Adam and AMSGrad its moments and the rate λ/√v̂_t against Eq. 5's window.");
        });
        }
        match cx.snapshot {
            Some(s) => {
                super::start_hint_ui(ui, s, cx.lecture);
                let fig = histogram_figure(cx.title, s, &cx.state.histogram);
                cx.show(ui, fig);
                if cx.state.histogram.story {
                    // A click in the histogram follows the walker nearest to it.
                    let log = cx.state.histogram.log_axis;
                    if let Some(at) = clicked_at(cx, "histogram") {
                        cx.story.pick(s, |w| {
                            let v = if log { w[0].abs().log10() } else { w[0] };
                            (v - at[0]).abs()
                        });
                    }
                    let mut open = true;
                    cx.story.window(ui.ctx(), &mut open, s);
                    cx.state.histogram.story = open;
                }
            }
            None => {
                ui.centered_and_justified(|ui| ui.label("starting the ensemble…"));
            }
        }
    }

    fn figure(&self, cx: &FigureCx<'_>) -> Option<Figure> {
        Some(histogram_figure(
            cx.title,
            cx.snapshot?,
            &cx.state.histogram,
        ))
    }
}
