//! The views, one room each: a struct holding the view's runtime (its background job, caches),
//! with its controls, its `ui` and its `figure`. The view's settings are serde fields of
//! [`AppState`] (persisted, and saved in presets); its picture is the value that
//! [`crate::figure::views`] builds from the view's own experiment, drawn by [`super::plot`] and
//! written by every export. Adding a view: its file, its [`ViewKind`], and [`Views`] below (the
//! compiler names every match that lacks it).

pub mod escape;
pub mod histogram;
pub mod landscape;
pub mod loss;
pub mod optimizers;
pub mod phase;
pub mod story;

use std::sync::Arc;

use egui::{Color32, RichText, Ui};

use crate::figure::Figure;
use crate::preset::ViewKind;
use crate::sim::job::JobSlot;
use crate::sim::params::ValidParams;
use crate::sim::worker::{Snapshot, Waker};

use super::AppState;
use super::plot::{PanelResponse, figure_ui};

/// What a view reads and may change while it draws.
pub struct ViewCx<'a> {
    pub state: &'a mut AppState,
    /// The state's parameters, validated; `None` while they are not valid (nothing starts).
    pub params: Option<&'a ValidParams>,
    /// The live ensemble's newest snapshot (the live views draw it).
    pub snapshot: Option<&'a Arc<Snapshot>>,
    /// The figure's title.
    pub title: &'a str,
    /// Wakes the window when background work reports.
    pub waker: &'a Waker,
    /// Show the view's own controls (presenter mode folds them away with the side panels).
    pub controls: bool,
    /// What the view asks of the app (a preset to load, a cell to watch), done at the frame's
    /// end.
    pub requests: &'a mut Vec<super::Request>,
    /// The panels drawn this frame, for the app's tests and clicks.
    pub drawn: Vec<PanelResponse>,
    /// The figure drawn this frame (its caption goes under the plots).
    pub shown: Option<Figure>,
    /// A lecture is being given: the projector shows the figure only (no hints for the user).
    pub lecture: bool,
    /// One walker's story (the histogram and the 2-D view show it).
    pub story: &'a mut story::StoryPane,
}

impl ViewCx<'_> {
    /// Draw `fig` in the space left in `ui` and keep it as what this frame shows.
    pub fn show(&mut self, ui: &mut Ui, fig: Figure) {
        self.drawn = figure_ui(ui, &fig);
        self.shown = Some(fig);
    }
}

/// What a view's figure is built from.
pub struct FigureCx<'a> {
    pub state: &'a AppState,
    pub snapshot: Option<&'a Snapshot>,
    pub title: &'a str,
    /// The followed walker's number and path, when its story is shown on the 2-D map.
    pub walker_path: Option<(usize, Vec<[f64; 2]>)>,
}

/// One view.
pub trait View {
    fn kind(&self) -> ViewKind;

    /// Keep background work in step with the state; called every frame, `visible` when the
    /// view is shown (views compute only while shown), with the state's parameters validated
    /// (`None` while they are not valid).
    fn update(
        &mut self,
        _state: &AppState,
        _params: Option<&ValidParams>,
        _visible: bool,
        _waker: &Waker,
    ) {
    }

    /// The view's controls and plots.
    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewCx<'_>);

    /// The figure the view shows now, built from its own experiment; `None` before it has data.
    fn figure(&self, cx: &FigureCx<'_>) -> Option<Figure>;

    /// Compute the view's result again from the start, at the next update (R, and Space when
    /// nothing is computing). Live views have nothing to re-run: the live keys drive them.
    fn request_rerun(&mut self) {
        if let Some(j) = self.job_mut() {
            j.request_rerun();
        }
    }

    /// Take what background work sent since the last frame, before the view draws: a result
    /// that came in after the last update (a job thread finishing while a frame was drawn,
    /// whose waker asked for this frame) is drawn in this frame, not the next one, which
    /// nothing might ask for. Computes nothing.
    fn receive(&mut self) {
        if let Some(j) = self.job_mut() {
            j.receive();
        }
    }

    /// Ask background work to stop (closing the app; Space while it computes).
    fn cancel(&self) {
        if let Some(j) = self.job() {
            j.cancel();
        }
    }

    /// Whether background work is computing.
    fn busy(&self) -> bool {
        self.job().is_some_and(|j| j.busy())
    }

    /// Why the background work failed, if it did.
    fn job_error(&self) -> Option<&str> {
        self.job().and_then(|j| j.error())
    }

    /// The view's background job, if it has one ([`JobState`]).
    fn job(&self) -> Option<&dyn JobControl> {
        None
    }

    fn job_mut(&mut self) -> Option<&mut dyn JobControl> {
        None
    }
}

/// What the app asks of a view's background job.
pub trait JobControl {
    fn busy(&self) -> bool;
    fn cancel(&self);
    fn error(&self) -> Option<&str>;
    /// Compute again from the start at the next update.
    fn request_rerun(&mut self);
    /// Take the job's events; computes nothing.
    fn receive(&mut self);
}

/// A view's background job and its rerun request: what the phase-diagram, escape-rate,
/// loss-sweep and optimizer views share. It derefs to its [`JobSlot`].
pub struct JobState<T, K> {
    slot: JobSlot<T, K>,
    /// R or Space asked to compute again from the start (done in the next update).
    rerun: bool,
}

impl<T: Send + Sync + 'static, K: PartialEq> Default for JobState<T, K> {
    fn default() -> Self {
        JobState {
            slot: JobSlot::new(),
            rerun: false,
        }
    }
}

impl<T: Send + Sync + 'static, K: PartialEq> JobState<T, K> {
    /// Take the job's events (the view shown also computes its slice of the frame, where jobs
    /// run in frames). Shown, with valid parameters: those parameters and whether a rerun was
    /// asked; the view then starts its job (which does nothing when its key is unchanged and
    /// no rerun was asked).
    pub fn update<'p>(
        &mut self,
        visible: bool,
        params: Option<&'p ValidParams>,
    ) -> Option<(&'p ValidParams, bool)> {
        if visible {
            self.slot.compute_and_receive();
        } else {
            self.slot.receive();
        }
        let p = params.filter(|_| visible)?;
        Some((p, std::mem::take(&mut self.rerun)))
    }
}

impl<T: Send + Sync + 'static, K: PartialEq> JobControl for JobState<T, K> {
    fn busy(&self) -> bool {
        self.slot.running()
    }
    fn cancel(&self) {
        self.slot.cancel();
    }
    fn error(&self) -> Option<&str> {
        self.slot.error()
    }
    fn request_rerun(&mut self) {
        self.rerun = true;
    }
    fn receive(&mut self) {
        self.slot.receive();
    }
}

impl<T, K> std::ops::Deref for JobState<T, K> {
    type Target = JobSlot<T, K>;
    fn deref(&self) -> &JobSlot<T, K> {
        &self.slot
    }
}

impl<T, K> std::ops::DerefMut for JobState<T, K> {
    fn deref_mut(&mut self) -> &mut JobSlot<T, K> {
        &mut self.slot
    }
}

/// Every view, in the order of the top bar.
#[derive(Default)]
pub struct Views {
    pub histogram: histogram::HistogramView,
    pub phase: phase::PhaseView,
    pub escape: escape::EscapeView,
    pub landscape: landscape::LandscapeView,
    pub loss: loss::LossView,
    pub optimizers: optimizers::OptimizersView,
}

impl Views {
    /// The view of `kind`: the one registry of views. A new [`ViewKind`] does not compile
    /// until it has its view here (and a field above).
    pub fn get(&self, kind: ViewKind) -> &dyn View {
        match kind {
            ViewKind::Histogram => &self.histogram,
            ViewKind::PhaseDiagram => &self.phase,
            ViewKind::EscapeRate => &self.escape,
            ViewKind::Landscape2d => &self.landscape,
            ViewKind::LossSweep => &self.loss,
            ViewKind::Optimizers => &self.optimizers,
        }
    }

    pub fn get_mut(&mut self, kind: ViewKind) -> &mut dyn View {
        match kind {
            ViewKind::Histogram => &mut self.histogram,
            ViewKind::PhaseDiagram => &mut self.phase,
            ViewKind::EscapeRate => &mut self.escape,
            ViewKind::Landscape2d => &mut self.landscape,
            ViewKind::LossSweep => &mut self.loss,
            ViewKind::Optimizers => &mut self.optimizers,
        }
    }

    /// Every view, in [`ViewKind::ALL`]'s order.
    pub fn all(&self) -> [&dyn View; ViewKind::ALL.len()] {
        ViewKind::ALL.map(|k| self.get(k))
    }

    /// Call `f` on every view, in [`ViewKind::ALL`]'s order.
    pub fn for_each_mut(&mut self, mut f: impl FnMut(&mut dyn View)) {
        for k in ViewKind::ALL {
            f(self.get_mut(k));
        }
    }
}

/// Threads for background sweeps: every core (one when the jobs run in frames).
pub fn sweep_threads() -> usize {
    match crate::coop::run_mode() {
        crate::coop::RunMode::Threads => crate::coop::available_threads(),
        crate::coop::RunMode::InFrame => 1,
    }
}

pub const ERROR_RED: Color32 = Color32::from_rgb(0xd0, 0x30, 0x30);

/// The bar of a view's background job: shown with the view's controls, or while it works
/// (presenter mode); Cancel stops the job at once. Returns whether "Run again" was clicked.
pub fn job_bar<T: Send + Sync + 'static, K: PartialEq>(
    ui: &mut Ui,
    controls: bool,
    slot: &JobSlot<T, K>,
    text: Option<String>,
) -> bool {
    if !(controls || slot.running()) {
        return false;
    }
    let (cancel, restart) = job_bar_ui(ui, slot.fraction(), text, slot.running(), slot.error());
    if cancel {
        slot.cancel();
    }
    restart
}

/// A progress bar with Cancel / Run again; returns (cancel, restart).
fn job_bar_ui(
    ui: &mut Ui,
    fraction: f32,
    text: Option<String>,
    running: bool,
    error: Option<&str>,
) -> (bool, bool) {
    let mut out = (false, false);
    ui.horizontal(|ui| {
        let mut bar = egui::ProgressBar::new(fraction).desired_width(260.0);
        bar = match text {
            Some(t) => bar.text(t),
            None => bar.show_percentage(),
        };
        ui.add(bar);
        if running {
            out.0 = ui
                .button("⏹ Cancel")
                .on_hover_text("Stop; what is computed stays.")
                .clicked();
        } else {
            out.1 = ui
                .button("⟲ Run again")
                .on_hover_text("Compute it all again.")
                .clicked();
        }
        if let Some(e) = error {
            ui.label(RichText::new(format!("⚠ {e}")).color(ERROR_RED));
        }
    });
    out
}

/// Before the first step, say how to start (a first launch shows a still ensemble).
pub fn start_hint_ui(ui: &mut Ui, s: &Snapshot, lecture: bool) {
    if s.step() == 0 && !s.playing && !lecture {
        ui.label(
            RichText::new("Press Space or ▶ Play to run the ensemble (→ steps once).")
                .color(ui.visuals().warn_fg_color),
        );
    }
}

/// The step axis's choice (auto, linear, log) of a view with a step axis.
/// Where, in data units, the user clicked in the panel `id` drawn this frame.
pub fn clicked_at(cx: &ViewCx<'_>, id: &str) -> Option<[f64; 2]> {
    let p = cx.drawn.iter().find(|p| p.id == id)?;
    if !p.response.clicked() {
        return None;
    }
    p.pointer.map(|at| [at.x, at.y])
}

pub fn step_scale_ui(ui: &mut Ui, scale: &mut crate::figure::StepScale) {
    egui::ComboBox::from_label("step axis")
        .selected_text(scale.label())
        .show_ui(ui, |ui| {
            for s in crate::figure::StepScale::ALL {
                ui.selectable_value(scale, s, s.label());
            }
        })
        .response
        .on_hover_text("auto: log10 from step 1 once a finished run's action fills only the first 1 % of its steps (Fig. 7's shares), linear otherwise. The exports follow.");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The registry gives each kind its own view, once, in the menu's order.
    #[test]
    fn the_registry_has_each_kind_s_view() {
        let views = Views::default();
        for (i, v) in views.all().into_iter().enumerate() {
            assert_eq!(v.kind(), ViewKind::ALL[i]);
            assert_eq!(v.kind().index(), i);
        }
        let mut seen = Vec::new();
        let mut views = views;
        views.for_each_mut(|v| seen.push(v.kind()));
        assert_eq!(seen, ViewKind::ALL);
    }
}
