//! The eframe app: a small shell around the views. It owns the shared state (the experiment,
//! the view shown, presenter mode), the live worker thread and the views (one room each, in
//! `views/`); it lays out the top bar, the control and theory panels and the caption, and hands
//! the central panel to the view shown. Numbers come from `sim` and `model`, pictures from
//! `figure`, never from a UI callback.

pub mod commands;
pub mod controls;
pub mod fields;
mod files;
pub mod history;
pub mod lecture;
mod legend;
mod live;
mod native;
pub mod platform;
pub mod plot;
pub mod record;
mod state;
pub mod status;
pub mod theory_panel;
mod top_bar;
pub mod views;

use std::sync::Arc;

use egui::{Color32, RichText, Ui};

use crate::figure::Figure;
use crate::preset::{Preset, ViewKind};
use crate::sim::escape_rate::EscapeRateOutput;
use crate::sim::loss_sweep::LossPoint;
use crate::sim::optimizers::OptimizerCurve;
use crate::sim::params::{ExperimentParams, ValidParams};
use crate::sim::sweep::SweepGrid;
use crate::sim::theory::Readout;
use crate::sim::worker::{Command, Snapshot, Waker, Worker};

use controls::controls_ui;
#[cfg(not(target_arch = "wasm32"))]
pub use native::run_native;
pub use native::{
    remember_export_style, remember_state, remembered_export_style, remembered_state,
};
pub use state::AppState;
use theory_panel::theory_panel_ui;
use views::{FigureCx, ViewCx, Views};

/// Threads the live view steps with: leave one core for the UI.
pub fn live_threads() -> usize {
    crate::coop::available_threads().saturating_sub(1).max(1)
}

/// The application: state plus runtime handles (worker, newest snapshot, the views).
pub struct SaddlescopeApp {
    pub state: AppState,
    worker: Worker,
    /// The newest snapshot of the newest generation.
    latest: Option<Arc<Snapshot>>,
    /// Parameters (validated) and generation last sent to the worker.
    sent: ValidParams,
    generation: u64,
    /// The worker's complaint about the last parameters, if any.
    worker_error: Option<String>,
    /// Complaints of the control panel's text fields.
    field_errors: Vec<String>,
    readout: (ExperimentParams, Readout),
    /// Steps per frame last sent.
    sent_steps_per_frame: u64,
    fonts_installed: bool,
    waker: Waker,
    /// What the views' background jobs call as their events come (the same as `waker` unless
    /// the entry point gives another: the page's asks for a frame soon, not at once).
    job_waker: Waker,
    views: Views,
    /// One walker's story, told beside the histogram or the 2-D map.
    story: views::story::StoryPane,
    /// The panels the view drew in the last frame: id, screen rectangle, plot transform.
    drawn: Vec<(String, egui::Rect, egui_plot::PlotTransform)>,
    /// A map's legend drawn above its row of panels in the last frame: (panel id, rectangle).
    row_legend: Option<(String, egui::Rect)>,
    /// The lecture being given, if any.
    lecture: Option<lecture::LectureRun>,
    /// The figure the view drew in the last frame, and which view it was.
    shown: Option<(ViewKind, Figure)>,
    /// The state the current preset gives, to tell whether it was modified.
    preset_cache: Option<(String, Box<AppState>)>,
    /// Why the simulation thread stopped, if it did.
    crashed: Option<String>,
    show_help: bool,
    fullscreen: bool,
    /// The look last applied: presenter mode, light theme, presenter text scale in hundredths.
    applied_look: Option<(bool, bool, u32)>,
    /// Fit was asked for: the plots fit their data in this frame, or once the snapshot of
    /// the generation given is in (a re-binned histogram).
    fit_pending: bool,
    fit_pending_generation: Option<u64>,
    /// The open/save window: whether shown, the path typed, consent to overwrite.
    file_window: bool,
    file_path: String,
    file_overwrite: bool,
    /// The outcome of the last open or save: (success, message).
    file_message: Option<(bool, String)>,
    /// The export window: shown, path, PNG scale, SVG text, consent to overwrite, outcome.
    export_window: bool,
    export_path: String,
    /// The name the export window last gave `export_path` itself: while the path is still that
    /// name, it follows the preset and the view shown.
    export_auto_path: String,
    export_scale: f64,
    export_svg_text: bool,
    /// A save dialog open on its own thread: the file chosen (or none) arrives here.
    save_dialog: Option<crossbeam_channel::Receiver<Option<std::path::PathBuf>>>,
    /// The export's page, type and furniture (remembered between launches).
    pub export_style: crate::figure::style::ExportStyle,
    /// The export window's preview: the style it was drawn for, when, and the image.
    export_preview: Option<(crate::figure::style::ExportStyle, f64, egui::TextureHandle)>,
    export_overwrite: bool,
    export_message: Option<(bool, String)>,
    /// Recording the live view: its settings, the recording under way, its last outcome.
    pub record_settings: record::RecordSettings,
    recorder: Option<record::Recorder>,
    /// A recording asked for while the page loads the figure renderer: it starts when that is
    /// here (see [`SaddlescopeApp::record_tick`]).
    record_after_renderer: bool,
    record_message: Option<(bool, String)>,
    /// Transient results and field notes, over the plots' bottom-right corner.
    status: status::StatusArea,
    /// Undo and redo of edits and preset switches.
    history: history::History,
    /// Stepping threads of the live worker.
    threads: usize,
    /// What keys, buttons and views asked of the app this frame, done once at its end
    /// ([`SaddlescopeApp::do_requests`]).
    requests: Vec<Request>,
    /// Downloads, the file picker, WebM: the browser's in the page, none natively.
    platform: Box<dyn platform::Platform>,
}

/// Something asked of the app while a frame is drawn, done once at the frame's end, where the
/// context and the whole app are at hand.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// Put a link to the current state on the clipboard, and show it in the file window.
    CopyLink,
    /// Enter (true) or leave full screen.
    Fullscreen(bool),
    /// Load a built-in preset.
    LoadPreset(&'static str),
    /// Watch a cell of the phase diagram live: its (a, λ).
    Watch { a: f64, lambda: f64 },
}

impl SaddlescopeApp {
    /// An app on `state`, with a worker stepping on `threads` threads that calls `waker` after
    /// each snapshot.
    pub fn new(state: AppState, threads: usize, waker: Waker) -> SaddlescopeApp {
        // A state whose parameters do not validate starts the worker on the defaults, and the
        // first frame says what is wrong.
        let sent = state.params.valid().unwrap_or_else(|_| {
            ExperimentParams::default()
                .valid()
                .expect("the default parameters are valid")
        });
        let worker = Worker::start(sent.clone(), 0, threads, waker.clone());
        worker.send(Command::SetStepsPerFrame(state.controls.steps_per_frame));
        let readout = (state.params.clone(), Readout::new(&state.params));
        SaddlescopeApp {
            sent,
            sent_steps_per_frame: state.controls.steps_per_frame,
            state,
            worker,
            latest: None,
            generation: 0,
            worker_error: None,
            field_errors: Vec::new(),
            readout,
            fonts_installed: false,
            job_waker: waker.clone(),
            waker,
            views: Views::default(),
            story: Default::default(),
            drawn: Vec::new(),
            row_legend: None,
            lecture: None,
            shown: None,
            preset_cache: None,
            crashed: None,
            threads,
            show_help: false,
            fullscreen: false,
            applied_look: None,
            fit_pending: false,
            fit_pending_generation: None,
            file_window: false,
            export_window: false,
            export_path: String::new(),
            export_auto_path: String::new(),
            export_scale: 2.0,
            export_svg_text: false,
            save_dialog: None,
            export_style: Default::default(),
            export_preview: None,
            export_overwrite: false,
            export_message: None,
            record_settings: record::RecordSettings::default(),
            recorder: None,
            record_after_renderer: false,
            record_message: None,
            status: status::StatusArea::default(),
            history: history::History::default(),
            requests: Vec::new(),
            platform: Box::new(platform::Desktop),
            file_path: "my-figure.json".into(),
            file_overwrite: false,
            file_message: None,
        }
    }

    /// The views (their jobs' results, for scripts and tests).
    pub fn views(&self) -> &Views {
        &self.views
    }

    /// The newest loss-versus-λ points.
    pub fn loss_points(&self) -> Option<&Arc<Vec<LossPoint>>> {
        self.views.loss.points()
    }

    /// The newest optimizer curves.
    pub fn optimizer_curves(&self) -> Option<&Arc<Vec<OptimizerCurve>>> {
        self.views.optimizers.curves()
    }

    /// The newest phase-diagram grid of the current sweep.
    pub fn sweep_grid(&self) -> Option<&Arc<SweepGrid>> {
        self.views.phase.grid()
    }

    /// Whether a sweep is computing.
    pub fn sweep_running(&self) -> bool {
        views::View::busy(&self.views.phase)
    }

    pub fn escape_result(&self) -> Option<&Arc<EscapeRateOutput>> {
        self.views.escape.result()
    }

    /// The panels drawn in the last frame: id, screen rectangle (legend and colour bar
    /// included), plot transform.
    pub fn drawn_panels(&self) -> &[(String, egui::Rect, egui_plot::PlotTransform)] {
        &self.drawn
    }

    /// A map's legend drawn in a strip above its row (outside the panel's rectangle) in the last
    /// frame: (panel id, rectangle).
    pub fn drawn_row_legend(&self) -> Option<&(String, egui::Rect)> {
        self.row_legend.as_ref()
    }

    /// Where the point (a, λ) of the phase map was drawn on screen in the last frame.
    pub fn phase_screen_position(&self, a: f64, lambda: f64) -> Option<egui::Pos2> {
        self.screen_position("phase", a, lambda)
    }

    /// Where the data point (x, y) of the panel `id` was drawn on screen in the last frame.
    pub fn screen_position(&self, id: &str, x: f64, y: f64) -> Option<egui::Pos2> {
        self.drawn
            .iter()
            .find(|(i, _, _)| i == id)
            .map(|(_, _, t)| t.position_from_point(&egui_plot::PlotPoint::new(x, y)))
    }

    /// One walker's story, as told now (while its window is or was open).
    pub fn story(&self) -> Option<&crate::sim::story::Story> {
        self.story.story()
    }

    /// Commands waiting in the queue to the simulation thread.
    pub fn queued_commands(&self) -> usize {
        self.worker.queued_commands()
    }

    /// The generation of the parameters last sent to the simulation thread.
    pub fn sent_generation(&self) -> u64 {
        self.generation
    }

    /// What the app shows in a few numbers, as JSON: the preset, the view, the live run's step
    /// and statistics, the sweep's progress, the figure drawn. What scripts read (the browser
    /// test reads it from the page).
    pub fn test_summary(&self) -> serde_json::Value {
        let snap = self.latest.as_ref();
        let figure = self.shown.as_ref().filter(|(v, _)| *v == self.state.view);
        let grid = self.sweep_grid();
        serde_json::json!({
            "preset": self.state.preset,
            "view": self.state.view.label(),
            "presenter": self.state.presenter,
            "lambda": self.state.params.lambda,
            "a": self.state.params.a,
            "seed": self.state.params.seed,
            "walkers": self.state.params.walkers,
            "generation": snap.map(|s| s.generation),
            "step": snap.map(|s| s.step()),
            "playing": snap.is_some_and(|s| s.playing),
            "summary": snap.map(|s| &s.current.summary),
            "busy": views::View::busy(self.views.get(self.state.view)),
            "job_error": views::View::job_error(self.views.get(self.state.view)),
            "sweep_done": grid.map(|g| g.done),
            "sweep_cells": grid.map(|g| g.spec.cells()),
            // The escape fractions summed in cell order (row by row, as `run` lists them): the
            // page's grid against the native one, to the bit.
            "sweep_escape_sum": grid.filter(|g| g.is_complete()).map(|g| g.escape.iter().sum::<f64>()),
            "figure_title": figure.map(|(_, f)| &f.title),
            "figure_panels": figure.map(|(_, f)| f.panels.iter().map(|p| &p.id).collect::<Vec<_>>()),
            "figure_series": figure.map(|(_, f)| f.panels.iter().map(|p| p.series.len()).sum::<usize>()),
            "caption": figure.map(|(_, f)| &f.caption),
            "file_message": self.file_message.as_ref().map(|m| &m.1),
            "record_message": self.record_message.as_ref().map(|m| &m.1),
            "record_dir": self.record_settings.dir,
            "file_window": self.file_window,
            "export_window": self.export_window,
            "renderer": crate::figure::output::renderer_status(),
            "crashed": self.crashed,
            "lecture": self.lecture.as_ref().map(|l| serde_json::json!({
                "scene": l.scene + 1,
                "scenes": l.lecture.len(),
                "title": &l.lecture.lecture.scenes[l.scene].title,
                "blank": l.blank,
                "notes": l.notes,
            })),
        })
    }

    /// The newest snapshot shown.
    pub fn snapshot(&self) -> Option<&Arc<Snapshot>> {
        self.latest.as_ref()
    }

    /// The theory readout for the current parameters.
    pub fn readout(&self) -> &Readout {
        &self.readout.1
    }

    pub fn is_playing(&self) -> bool {
        self.latest.as_ref().is_some_and(|s| s.playing)
    }

    /// The title of the current figure: the preset's, or the view's name.
    pub fn title(&self) -> String {
        match &self.state.preset {
            Some(name) => Preset::builtin(name).map_or(name.clone(), |p| p.title),
            None => format!("saddlescope: {}", self.state.view.label()),
        }
    }

    /// The figure the current view shows (what it draws and what an export writes), if it has
    /// data yet.
    /// The followed walker's number and path, while its story is shown on the 2-D map.
    fn walker_path(&self) -> Option<(usize, Vec<[f64; 2]>)> {
        let on = self.state.view == ViewKind::Landscape2d && self.state.landscape.story;
        let s = self.story.story().filter(|_| on)?;
        Some((s.walker, s.path(2000)))
    }

    pub fn current_figure(&self) -> Option<Figure> {
        let title = self.title();
        let cx = FigureCx {
            state: &self.state,
            snapshot: self.latest.as_deref(),
            title: &title,
            walker_path: self.walker_path(),
        };
        self.views.get(self.state.view).figure(&cx)
    }

    /// The caption under the plot: the current figure's, generated from the experiment that
    /// view shows (so it can never describe another one).
    pub fn caption(&self) -> String {
        if let Some((view, f)) = &self.shown
            && *view == self.state.view
        {
            return f.caption.clone();
        }
        match self.current_figure() {
            Some(f) => f.caption,
            None => format!(
                "{}: {} — computing…",
                self.state.view.label(),
                crate::figure::views::experiment_label(&self.state.params)
            ),
        }
    }

    /// Load a preset: new parameters; the view options the preset names, the others kept. A
    /// modified state it replaces is said so (Ctrl+Z brings it back).
    pub fn load_preset(&mut self, p: &Preset) {
        if self.preset_modified() {
            let name = self.state.preset.clone().unwrap_or_default();
            self.status.push(
                true,
                format!(
                    "{name} (modified) replaced by {}: Ctrl+Z brings it back",
                    p.name
                ),
            );
        }
        let AppState {
            histogram,
            controls,
            presenter,
            light_theme,
            ..
        } = self.state.clone();
        let fresh = AppState::from_preset(p);
        let steps_per_frame = fresh.controls.steps_per_frame;
        self.state = AppState {
            controls,
            presenter,
            light_theme,
            ..fresh
        };
        self.state.controls.steps_per_frame = if p.steps_per_frame.is_some() {
            steps_per_frame
        } else {
            1
        };
        self.state.controls.sync_text(&p.params);
        if p.histogram_options.is_none() {
            self.state.histogram = histogram;
        }
        if let Some(o) = p.landscape_options {
            self.state.landscape = o;
        }
        if let Some(o) = p.optimizer_options {
            self.state.optimizer_options = o;
        }
    }

    /// Watch the cell (a, λ) of the phase diagram live in the histogram view.
    pub fn watch_cell(&mut self, a: f64, lambda: f64) {
        self.state.params.a = a;
        self.state.params.lambda = lambda;
        self.state.preset = None;
        self.state.view = ViewKind::Histogram;
    }

    /// What the views' background jobs call as their events come, instead of the app's waker.
    pub fn set_job_waker(&mut self, waker: Waker) {
        self.job_waker = waker;
    }

    /// The platform the app runs on (the page's entry point gives the browser's).
    pub fn set_platform(&mut self, p: Box<dyn platform::Platform>) {
        self.platform = p;
    }

    /// Send a command to the worker directly (scripts and tests).
    pub fn send(&self, cmd: Command) {
        self.worker.send(cmd);
    }

    /// The transient messages shown now.
    pub fn status_texts(&self) -> Vec<&str> {
        self.status.texts()
    }

    /// The theory of the parameters being edited, with the live ensemble's readout.
    fn theory_ui(&self, ui: &mut Ui, readout: &Readout) {
        theory_panel_ui(ui, &self.state.params, readout, self.latest.as_deref());
    }

    /// The whole window; also what the UI tests drive.
    pub fn ui_root(&mut self, ui: &mut Ui) {
        if !self.fonts_installed {
            install_fonts(ui.ctx());
            // A view switch can take two extra passes: the new plots measure their axes, then
            // the caption and the plots settle around each other (see plot::relayout_if_changed).
            ui.ctx().options_mut(|o| {
                o.max_passes = std::num::NonZeroUsize::new(3).expect("3 is not zero");
            });
            self.fonts_installed = true;
        }
        if ui.ctx().current_pass_index() == 0 {
            // One budget for whatever computes in this frame's passes (the page without
            // workers; nothing on native, where it all has threads).
            crate::coop::begin_frame();
        }
        self.receive();
        self.lecture_tick();
        if !self.lecture_keys(ui) {
            self.shortcuts(ui);
        }
        let rebinned = self
            .fit_pending_generation
            .is_none_or(|g| self.latest.as_ref().is_some_and(|s| s.generation >= g));
        if self.fit_pending && rebinned {
            self.fit_pending = false;
            self.fit_pending_generation = None;
            plot::request_fit(ui.ctx());
        }
        self.apply_look(&ui.ctx().clone());
        // Presets and edits from the previous frame go out before drawing, so this frame
        // already shows the new theory and the next one the new ensemble.
        self.send_changes();
        // A lecture's projector window shows the figure only: no top bar (its keys still act;
        // Esc leaves the lecture and brings the bar back).
        let top = unfilled(egui::Panel::top("top_bar"), ui.style()).show(ui, |ui| {
            if self.lecture.is_none() {
                self.top_bar_ui(ui);
            }
            self.crash_banner_ui(ui);
        });
        let ctx = ui.ctx().clone();
        self.help_ui(&ctx);
        self.lecture_ui(ui);
        self.file_window_ui(&ctx);
        self.export_window_ui(&ctx);
        let panels = !self.state.presenter || self.state.controls.presenter_controls;
        let caption = self.caption();
        let bottom = unfilled(egui::Panel::bottom("caption"), ui.style()).show(ui, |ui| {
            ui.add_space(2.0);
            if self.state.presenter {
                // Large type, wrapped onto the lines it needs: read whole from the back of the
                // room.
                let body = ui
                    .style()
                    .text_styles
                    .get(&egui::TextStyle::Body)
                    .map_or(17.5, |f| f.size);
                let job = egui::text::LayoutJob::simple(
                    caption.clone(),
                    egui::FontId::proportional(body),
                    ui.visuals().text_color(),
                    ui.available_width(),
                );
                ui.label(job);
            } else {
                // One line that never pushes the plots; the whole caption on hover.
                ui.add(egui::Label::new(RichText::new(&caption).small()).truncate())
                    .on_hover_text(&caption);
            }
            ui.add_space(2.0);
        });
        if panels {
            let width = ui.ctx().content_rect().width();
            // A narrow window (800 px, or Ctrl+Plus twice at 1280) keeps one side panel: the
            // theory goes under the controls, and the plots keep over half the window.
            let narrow = width < NARROW_WINDOW;
            let readout = self.readout.1.clone();
            side_panel(egui::Panel::left("controls"), 290.0, width, ui.style()).show(ui, |ui| {
                // Not shrunk to the content: a panel sized by its content would settle on a
                // width that depends on which rows earlier frames had (two runs of the same
                // session could differ); it keeps its own width instead.
                egui::ScrollArea::vertical()
                    .auto_shrink(false)
                    .show(ui, |ui| {
                        self.field_errors = controls_ui(
                            ui,
                            &mut self.state.params,
                            &mut self.state.controls,
                            self.state.view,
                        );
                        if let Some(e) = &self.worker_error {
                            ui.label(
                                RichText::new(format!("⚠ {e}"))
                                    .color(Color32::from_rgb(0xd0, 0x30, 0x30)),
                            );
                        }
                        if narrow {
                            ui.separator();
                            self.theory_ui(ui, &readout);
                        }
                    });
            });
            // Bounded widths: a view with wide rows (the 2-D stationary points) must not leave
            // the panel wide for the next view, covering its plot.
            if !narrow {
                side_panel(egui::Panel::right("theory"), 300.0, width, ui.style()).show(ui, |ui| {
                    // Vertical only: the rows wrap to the panel's width instead of running off it.
                    egui::ScrollArea::vertical()
                        .auto_shrink(false)
                        .show(ui, |ui| self.theory_ui(ui, &readout));
                });
            }
        }
        let title = self.title();
        let view = self.state.view;
        let params = (self.sent == self.state.params).then_some(&self.sent);
        let mut cx = ViewCx {
            controls: panels,
            params,
            state: &mut self.state,
            snapshot: self.latest.as_ref(),
            title: &title,
            waker: &self.job_waker,
            requests: &mut self.requests,
            drawn: Vec::new(),
            shown: None,
            lecture: self.lecture.is_some(),
            story: &mut self.story,
        };
        let views = &mut self.views;
        let central = egui::CentralPanel::default()
            .frame(egui::Frame::central_panel(ui.style()).fill(Color32::TRANSPARENT))
            .show(ui, |ui| views.get_mut(view).ui(ui, &mut cx))
            .response
            .rect;
        let notes = fields::take_notes(ui.ctx());
        self.status.ui(ui.ctx(), central, &notes);
        let drawn = cx.drawn;
        self.shown = cx.shown.map(|f| (view, f));
        // The caption panel went up before the view drew; if the figure's caption changed, the
        // pass is laid out again with the new one before it is shown.
        plot::relayout_if_changed(
            ui.ctx(),
            egui::Id::unique("saddlescope-caption"),
            self.caption(),
            "the caption changed",
        );
        // A panel that grew or shrank (egui sizes a panel from its last frame's content) moves
        // everything between them: lay out again.
        plot::relayout_if_changed(
            ui.ctx(),
            egui::Id::unique("saddlescope-bars"),
            (top.response.rect, bottom.response.rect),
            "the top bar or the caption changed size",
        );
        self.row_legend = drawn
            .iter()
            .find_map(|p| Some((p.id.clone(), p.row_legend?)));
        self.drawn = drawn
            .into_iter()
            .map(|p| (p.id, p.area, p.transform))
            .collect();
        self.do_requests(ui.ctx());
        self.send_changes();
        // An edit counts once it has settled: no button held, no field being typed in.
        let idle =
            !ui.ctx().input(|i| i.pointer.any_down()) && !ui.ctx().egui_wants_keyboard_input();
        self.history.observe(&self.state, idle);
        self.record_tick(ui.ctx());
        let params = (self.sent == self.state.params).then_some(&self.sent);
        let (state, waker) = (&self.state, &self.job_waker);
        self.views.for_each_mut(|v| {
            let visible = v.kind() == state.view;
            v.update(state, params, visible, waker);
        });
    }
}

/// Below this width in points a window keeps one side panel (controls, then theory).
pub const NARROW_WINDOW: f32 = 1000.0;

/// The app's faces ([`crate::fonts::definitions`]).
pub fn install_fonts(ctx: &egui::Context) {
    ctx.set_fonts(crate::fonts::definitions());
}

impl Drop for SaddlescopeApp {
    /// Closing the window: ask every thread to stop first, so that the joins done by the fields'
    /// own drops (the worker, the views' jobs) wait for them together, not one after another.
    fn drop(&mut self) {
        self.worker.send(Command::Shutdown);
        for v in self.views.all() {
            v.cancel();
        }
    }
}

/// A side panel of `size` points, resizable between 200 points and 30 % of a window `width`
/// wide: a view with wide rows must not leave it wide for the next view, covering its plot.
/// A panel without its fill (the central panel likewise). The window is cleared to the panels'
/// colour instead ([`window_clear_color`]), so the panels, which tile it, need not paint it
/// again: on a software rasteriser (the page on a machine without a GPU) their fill was a whole
/// screen of the 1.6 screens of pixels a frame shaded, and a frame costs the browser about half
/// as much to draw without it (`web/test/raster-cost.mjs`, the README).
fn unfilled(panel: egui::Panel, style: &egui::Style) -> egui::Panel {
    panel.frame(egui::Frame::side_top_panel(style).fill(Color32::TRANSPARENT))
}

/// What the window is cleared to before a frame: the panels' colour (see [`unfilled`]).
pub fn window_clear_color(visuals: &egui::Visuals) -> [f32; 4] {
    visuals.panel_fill.to_normalized_gamma_f32()
}

fn side_panel(panel: egui::Panel, size: f32, width: f32, style: &egui::Style) -> egui::Panel {
    unfilled(panel, style)
        .default_size(size)
        .size_range(200.0..=(0.3 * width).max(240.0))
        .resizable(true)
}
