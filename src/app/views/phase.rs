//! The phase-diagram view (Fig. 1-right, Fig. 4, Fig. 9): the escape fraction over the (a, λ)
//! plane, computed by a background sweep, coarse to fine; hover a cell for its numbers, click
//! it to watch it live. The picture is [`phase_figure`].

use std::time::Duration;

use egui::{RichText, Ui};

use crate::figure::views::phase::CONTINUOUS_LABEL;
use crate::figure::views::{PhaseOverlays, phase_figure};
use crate::figure::{Figure, fmt_num, palette};
use crate::preset::ViewKind;
use crate::sim::params::{ExperimentParams, ValidParams};
use crate::sim::sweep::{PickedPoint, SweepGrid, SweepSpec, run_sweep_async};
use crate::sim::theory::PointRow;
use crate::sim::worker::Waker;

use super::super::AppState;
use super::super::fields::NumberField;
use super::super::plot::color;
use super::{FigureCx, JobControl, JobState, View, ViewCx, job_bar, sweep_threads};

/// The parts of the parameters that a phase diagram depends on (a, λ, walkers and steps are
/// set per cell, records and thresholds are not used).
fn sweep_key(p: &ExperimentParams, spec: &SweepSpec) -> (ExperimentParams, SweepSpec) {
    let base = ExperimentParams {
        a: 0.0,
        lambda: 0.0,
        walkers: 1,
        steps: 0,
        record_steps: Vec::new(),
        thresholds: Vec::new(),
        histogram: Default::default(),
        ..p.clone()
    };
    (base, spec.clone())
}

#[derive(Default)]
pub struct PhaseView {
    job: JobState<SweepGrid, (ExperimentParams, SweepSpec)>,
}

impl PhaseView {
    /// The newest grid of the current sweep (partial while it runs).
    pub fn grid(&self) -> Option<&std::sync::Arc<SweepGrid>> {
        self.job.result()
    }

    fn start(&mut self, state: &AppState, params: &ValidParams, force: bool, waker: &Waker) {
        let key = sweep_key(params, &state.sweep);
        let (p, spec) = (params.clone(), state.sweep.clone());
        self.job.ensure(
            key,
            force,
            true,
            "saddlescope-sweep",
            waker,
            |ctx| async move {
                let cells = spec.cells().max(1) as f32;
                // A partial grid redraws the page: on workers (the page) four times a second,
                // as a redraw under software rendering costs the workers a core's ~70 ms.
                let every = if crate::sim::remote::pool().is_some() {
                    250
                } else {
                    50
                };
                run_sweep_async(
                    &p,
                    &spec,
                    sweep_threads(),
                    ctx.flag(),
                    Duration::from_millis(every),
                    |g| ctx.progress(g.done as f32 / cells, Some(g.clone())),
                )
                .await
                .map_err(|e| e.to_string())
            },
        );
    }
}

fn drag_row(ui: &mut Ui, label: &str, tip: &str, v: &mut f64, speed: f64) {
    NumberField::new(label, tip, -1e6..=1e6)
        .speed(speed)
        .max_decimals(3)
        .show(ui, v);
}

/// The grid controls; edits go into `spec`. `typed`: a typed landscape's stationary points at
/// the live a, to pick the one whose μ = 0 line the map draws.
pub fn sweep_controls_ui(
    ui: &mut Ui,
    spec: &mut SweepSpec,
    overlays: &mut PhaseOverlays,
    typed: Option<(&[PointRow], f64)>,
) {
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
    if let Some((points, a)) = typed {
        point_picker_ui(ui, spec, points, a);
    }
    ui.horizontal_wrapped(|ui| {
        ui.checkbox(&mut overlays.mu_zero, RichText::new("μ = 0 line").color(color(palette::MU_ZERO)))
            .on_hover_text("Where μ(a, λ) = E ln|1 − λx| of the noise law that runs changes sign: the discrete-time phase boundary of SGD on the quadratic (Prop. 2). Eq. 5 is its closed form for the two-point law; for the Gaussian and uniform laws it is traced numerically. For the quartic, Adam, AMSGrad, injected noise or a projection the paper has no boundary: the quadratic SGD line is drawn for comparison, and labelled so. For a typed landscape: where the exponent of the stationary point picked changes sign.");
        ui.checkbox(&mut overlays.continuous, RichText::new(CONTINUOUS_LABEL).color(color(palette::CONTINUOUS)))
            .on_hover_text("App. B.4: the Fokker–Planck approximation escapes iff λ < −a.");
        ui.checkbox(&mut overlays.exact_map, "show exact binomial law")
            .on_hover_text("Colour the cells by the exact finite-T escape probability of the quadratic (binomial law) instead of the simulation.");
    });
}

/// "maximum at w = 0" or "saddle at (0, 0.5)".
fn point_name(p: &PointRow) -> String {
    let at = match (p.w, p.w1, p.w2) {
        (Some(w), _, _) => format!("w = {}", fmt_num(w, 3)),
        (_, Some(a), Some(b)) => format!("({}, {})", fmt_num(a, 3), fmt_num(b, 3)),
        _ => String::new(),
    };
    format!("{} at {at}", p.point.kind.label())
}

/// Which stationary point of a typed landscape the μ = 0 line is of: one of the SGD fixed
/// points the theory panel lists at the live a, or the one nearest the origin.
fn point_picker_ui(ui: &mut Ui, spec: &mut SweepSpec, points: &[PointRow], a: f64) {
    let fixed: Vec<&PointRow> = points.iter().filter(|p| p.point.sgd_fixed_point).collect();
    let picked = spec.point;
    let selected = match picked {
        None => "the SGD fixed point nearest 0".to_string(),
        Some(pp) => {
            let (w, at) = (
                pp.w,
                pp.a.map_or(String::new(), |a| format!(" (a = {})", fmt_num(a, 3))),
            );
            match fixed.iter().find(|p| p.point.w == w) {
                Some(p) => format!("{}{at}", point_name(p)),
                None => format!("({}, {}){at}", fmt_num(w[0], 3), fmt_num(w[1], 3)),
            }
        }
    };
    ui.horizontal_wrapped(|ui| {
        egui::ComboBox::from_label("μ = 0 of")
            .selected_text(selected)
            .show_ui(ui, |ui| {
                if ui.selectable_label(picked.is_none(), "the SGD fixed point nearest 0").clicked() {
                    spec.point = None;
                }
                for p in &fixed {
                    let this = Some(PickedPoint { w: p.point.w, a: Some(a) });
                    if ui.selectable_label(picked == this, point_name(p)).clicked() {
                        spec.point = this;
                    }
                }
            })
            .response
            .on_hover_text("The stationary point whose stability exponent the map's μ = 0 line is: the theory panel's SGD fixed points at the live a, each followed over the map's a range (Newton's method from its place at the a before). Prop. 2: SGD is attracted to it where the exponent is negative.");
    });
}

impl View for PhaseView {
    fn kind(&self) -> ViewKind {
        ViewKind::PhaseDiagram
    }

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
        if cx.controls {
            let typed = cx.state.params.landscape.is_custom().then(|| {
                let points = cx.snapshot.map_or(&[][..], |s| s.stationary.as_slice());
                (points, cx.state.params.a)
            });
            sweep_controls_ui(ui, &mut cx.state.sweep, &mut cx.state.overlays, typed);
        }
        let grid = self.job.result().cloned();
        let text = grid
            .as_ref()
            .map(|g| format!("{}/{} cells", g.done, g.spec.cells()));
        if job_bar(ui, cx.controls, &self.job, text)
            && let Some(p) = cx.params
        {
            self.start(cx.state, p, true, cx.waker);
        }
        let Some(g) = grid else {
            ui.label("waiting for the first cells…");
            return;
        };
        let live = [cx.state.params.a, cx.state.params.lambda];
        let fig = phase_figure(cx.title, &g, &cx.state.overlays, Some(live));
        cx.show(ui, fig);
        let map = cx.drawn.first().map(|p| (p.pointer, p.response.clone()));
        if let Some((Some(pt), response)) = map
            && let Some((c, r)) = g.cell_at(pt.x, pt.y)
        {
            if response.clicked() {
                cx.requests.push(crate::app::Request::Watch {
                    a: g.a[c],
                    lambda: g.lambda[r],
                });
            }
            let i = g.index(c, r);
            response.on_hover_ui_at_pointer(|ui| {
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
    }

    fn figure(&self, cx: &FigureCx<'_>) -> Option<Figure> {
        let g = self.job.result()?;
        let live = [cx.state.params.a, cx.state.params.lambda];
        Some(phase_figure(cx.title, g, &cx.state.overlays, Some(live)))
    }
}
