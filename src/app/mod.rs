//! The eframe app: a small shell around the views. It owns the shared state (the experiment,
//! the view shown, presenter mode), the live worker thread and the views (one room each, in
//! `views/`); it lays out the top bar, the control and theory panels and the caption, and hands
//! the central panel to the view shown. Numbers come from `sim` and `model`, pictures from
//! `figure`, never from a UI callback.

pub mod commands;
pub mod controls;
pub mod fields;
mod files;
pub mod plot;
pub mod theory_panel;
mod top_bar;
pub mod views;

use std::sync::Arc;

use egui::{Color32, RichText, Ui};
use serde::{Deserialize, Serialize};

use crate::figure::Figure;
use crate::figure::views::{HistogramOptions, LandscapeOptions, OptimizerOptions, PhaseOverlays};
use crate::preset::{Preset, ViewKind};
use crate::sim::escape_rate::{EscapeRateOutput, RateVsLambdaSpec, RateVsStepSpec};
use crate::sim::loss_sweep::{LossPoint, LossSweepSpec};
use crate::sim::optimizers::{OptimizerCurve, OptimizerSpec};
use crate::sim::params::{ExperimentParams, ValidParams};
use crate::sim::sweep::{SweepGrid, SweepSpec};
use crate::sim::theory::Readout;
use crate::sim::worker::{Command, Event, Snapshot, Waker, Worker};

use commands::UiCommand;
use controls::{ControlState, controls_ui};
use theory_panel::theory_panel_ui;
use views::escape::EscapeFields;
use views::{FigureCx, ViewCx, Views};

/// What a user would save: the experiment and the view options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppState {
    pub params: ExperimentParams,
    pub controls: ControlState,
    pub histogram: HistogramOptions,
    /// The preset the parameters came from, for the title bar.
    pub preset: Option<String>,
    pub view: ViewKind,
    pub sweep: SweepSpec,
    pub overlays: PhaseOverlays,
    pub rate_vs_step: RateVsStepSpec,
    pub rate_vs_lambda: RateVsLambdaSpec,
    pub escape_fields: EscapeFields,
    pub landscape: LandscapeOptions,
    pub loss_sweep: LossSweepSpec,
    pub optimizers: OptimizerSpec,
    pub optimizer_options: OptimizerOptions,
    /// Presenter mode: larger text and lines, controls folded, a caption under the plot.
    pub presenter: bool,
    /// A high-contrast light theme for projectors.
    pub light_theme: bool,
}

impl Default for AppState {
    fn default() -> Self {
        AppState::from_preset(&Preset::builtin("fig1-left").expect("fig1-left is built in"))
    }
}

impl AppState {
    pub fn from_preset(p: &Preset) -> AppState {
        let mut controls = ControlState::default();
        controls.sync_text(&p.params);
        if let Some(n) = p.steps_per_frame {
            controls.steps_per_frame = n.max(1);
        }
        let rate_vs_step = p.rate_vs_step.clone().unwrap_or_default();
        let rate_vs_lambda = p.rate_vs_lambda.clone().unwrap_or_default();
        let mut escape_fields = EscapeFields::default();
        escape_fields.sync(&rate_vs_step, &rate_vs_lambda);
        AppState {
            params: p.params.clone(),
            controls,
            histogram: p.histogram_options.unwrap_or_default(),
            preset: Some(p.name.clone()),
            view: p.view,
            sweep: p.sweep.clone().unwrap_or_default(),
            overlays: p.overlays.unwrap_or_default(),
            rate_vs_step,
            rate_vs_lambda,
            escape_fields,
            landscape: p.landscape_options.unwrap_or_default(),
            loss_sweep: p.loss_sweep.clone().unwrap_or_default(),
            optimizers: p.optimizers.clone().unwrap_or_default(),
            optimizer_options: p.optimizer_options.unwrap_or_default(),
            presenter: false,
            light_theme: false,
        }
    }
}

/// Threads the live view steps with: leave one core for the UI.
pub fn live_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .saturating_sub(1)
        .max(1)
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
    views: Views,
    /// The panels the view drew in the last frame: id, screen rectangle, plot transform.
    drawn: Vec<(String, egui::Rect, egui_plot::PlotTransform)>,
    /// Why the simulation thread stopped, if it did.
    crashed: Option<String>,
    show_help: bool,
    fullscreen: bool,
    fullscreen_requested: Option<bool>,
    /// The zoom and theme last applied (presenter mode, light theme).
    applied_look: Option<(bool, bool)>,
    /// The open/save window: whether shown, the path typed, consent to overwrite.
    file_window: bool,
    file_path: String,
    file_overwrite: bool,
    /// The outcome of the last open or save: (success, message).
    file_message: Option<(bool, String)>,
    /// The export window: shown, path, PNG scale, SVG text, consent to overwrite, outcome.
    export_window: bool,
    export_path: String,
    export_scale: f64,
    export_svg_text: bool,
    export_overwrite: bool,
    export_message: Option<(bool, String)>,
    /// Stepping threads of the live worker.
    threads: usize,
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
        let worker = Worker::spawn(sent.clone(), threads, waker.clone());
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
            waker,
            views: Views::default(),
            drawn: Vec::new(),
            crashed: None,
            threads,
            show_help: false,
            fullscreen: false,
            fullscreen_requested: None,
            applied_look: None,
            file_window: false,
            export_window: false,
            export_path: "figure.svg".into(),
            export_scale: 2.0,
            export_svg_text: false,
            export_overwrite: false,
            export_message: None,
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

    /// The panels drawn in the last frame: id, screen rectangle, plot transform.
    pub fn drawn_panels(&self) -> &[(String, egui::Rect, egui_plot::PlotTransform)] {
        &self.drawn
    }

    /// Where the point (a, λ) of the phase map was drawn on screen in the last frame.
    pub fn phase_screen_position(&self, a: f64, lambda: f64) -> Option<egui::Pos2> {
        self.drawn
            .iter()
            .find(|(id, _, _)| id == "phase")
            .map(|(_, _, t)| t.position_from_point(&egui_plot::PlotPoint::new(a, lambda)))
    }

    /// Commands waiting in the queue to the simulation thread.
    pub fn queued_commands(&self) -> usize {
        self.worker.queued_commands()
    }

    /// The generation of the parameters last sent to the simulation thread.
    pub fn sent_generation(&self) -> u64 {
        self.generation
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
    pub fn current_figure(&self) -> Option<Figure> {
        let title = self.title();
        let cx = FigureCx {
            state: &self.state,
            snapshot: self.latest.as_deref(),
            title: &title,
        };
        self.views.get(self.state.view).figure(&cx)
    }

    /// The caption under the plot: the current figure's, generated from the experiment that
    /// view shows (so it can never describe another one).
    pub fn caption(&self) -> String {
        match self.current_figure() {
            Some(f) => f.caption,
            None => format!(
                "{}: {} — computing…",
                self.state.view.label(),
                crate::figure::views::experiment_label(&self.state.params)
            ),
        }
    }

    /// Load a preset: new parameters; the view options the preset names, the others kept.
    pub fn load_preset(&mut self, p: &Preset) {
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

    /// Send a command to the worker directly (scripts and tests).
    pub fn send(&self, cmd: Command) {
        self.worker.send(cmd);
    }

    pub fn run_command(&mut self, cmd: UiCommand) {
        match cmd {
            UiCommand::PlayPause => self.worker.send(if self.is_playing() {
                Command::Pause
            } else {
                Command::Play
            }),
            UiCommand::Step => self.worker.send(Command::Step(1)),
            UiCommand::Reset => self.worker.send(Command::Reset),
            UiCommand::Figure(n) => {
                let names = commands::figure_presets(n);
                // Pressing the same figure again moves to its next panel.
                let next = match self
                    .state
                    .preset
                    .as_deref()
                    .and_then(|c| names.iter().position(|x| *x == c))
                {
                    Some(i) => names[(i + 1) % names.len()],
                    None => names[0],
                };
                if let Ok(p) = Preset::builtin(next) {
                    self.load_preset(&p);
                }
            }
            UiCommand::Presenter => self.state.presenter = !self.state.presenter,
            UiCommand::Fullscreen => self.fullscreen_requested = Some(!self.fullscreen),
            UiCommand::SavePreset => self.file_window = true,
            UiCommand::Export => self.export_window = true,
            UiCommand::Help => self.show_help = !self.show_help,
        }
    }

    /// Take what the worker sent: keep the newest snapshot of the current generation.
    fn receive(&mut self) {
        for ev in self.worker.drain() {
            match ev {
                Event::Snapshot(s) if s.generation == self.generation => {
                    self.worker_error = None;
                    self.latest = Some(s);
                }
                Event::Snapshot(_) => {}
                Event::Error {
                    generation,
                    message,
                } if generation == self.generation => self.worker_error = Some(message),
                Event::Error { .. } => {}
                Event::Crashed { message } => self.crashed = Some(message),
            }
        }
        if self.crashed.is_none() && !self.worker.is_alive() {
            self.crashed = Some("the simulation thread stopped".into());
        }
    }

    /// Whether the simulation thread has crashed (the UI offers a restart).
    pub fn crashed(&self) -> Option<&str> {
        self.crashed.as_deref()
    }

    /// Replace a crashed worker with a new one on the current parameters; nothing else of the
    /// app's state changes.
    pub fn restart_worker(&mut self) {
        self.generation += 1;
        self.worker = Worker::spawn_at(
            self.sent.clone(),
            self.generation,
            self.threads,
            self.waker.clone(),
        );
        self.worker.send(Command::SetStepsPerFrame(
            self.state.controls.steps_per_frame,
        ));
        self.sent_steps_per_frame = self.state.controls.steps_per_frame;
        self.crashed = None;
        self.worker_error = None;
    }

    fn crash_banner_ui(&mut self, ui: &mut Ui) {
        let Some(msg) = self.crashed.clone() else {
            return;
        };
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(format!(
                    "⚠ The simulation stopped: {msg}. Your settings are kept."
                ))
                .color(Color32::from_rgb(0xd0, 0x30, 0x30))
                .strong(),
            );
            if ui.button("⟲ Restart simulation").clicked() {
                self.restart_worker();
            }
        });
    }

    /// Send the edited parameters if they changed and are valid.
    fn send_changes(&mut self) {
        if self.sent != self.state.params {
            match self.state.params.valid() {
                Ok(valid) => {
                    self.generation += 1;
                    self.sent = valid;
                    self.worker.send(Command::SetParams {
                        generation: self.generation,
                        params: Box::new(self.sent.clone()),
                    });
                    self.worker_error = None;
                }
                Err(e) => self.worker_error = Some(e.to_string()),
            }
        }
        if self.readout.0 != self.state.params {
            self.readout = (self.state.params.clone(), Readout::new(&self.state.params));
        }
        if self.state.controls.steps_per_frame != self.sent_steps_per_frame {
            self.sent_steps_per_frame = self.state.controls.steps_per_frame;
            self.worker
                .send(Command::SetStepsPerFrame(self.sent_steps_per_frame));
        }
    }

    /// The whole window; also what the UI tests drive.
    pub fn ui_root(&mut self, ui: &mut Ui) {
        if !self.fonts_installed {
            install_fonts(ui.ctx());
            self.fonts_installed = true;
        }
        self.receive();
        self.shortcuts(ui);
        self.apply_look(&ui.ctx().clone());
        // Presets and edits from the previous frame go out before drawing, so this frame
        // already shows the new theory and the next one the new ensemble.
        self.send_changes();
        egui::Panel::top("top_bar").show(ui, |ui| {
            self.top_bar_ui(ui);
            self.crash_banner_ui(ui);
        });
        let ctx = ui.ctx().clone();
        self.help_ui(&ctx);
        self.file_window_ui(&ctx);
        self.export_window_ui(&ctx);
        let panels = !self.state.presenter || self.state.controls.presenter_controls;
        let caption = self.caption();
        egui::Panel::bottom("caption").show(ui, |ui| {
            ui.add_space(2.0);
            let text = RichText::new(caption);
            ui.label(if self.state.presenter {
                text.size(18.0)
            } else {
                text.small()
            });
            ui.add_space(2.0);
        });
        if panels {
            egui::Panel::left("controls")
                .default_size(290.0)
                .resizable(true)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| {
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
                    });
                });
            let readout = self.readout.1.clone();
            egui::Panel::right("theory")
                .default_size(300.0)
                .resizable(true)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        theory_panel_ui(ui, &self.state.params, &readout, self.latest.as_deref());
                    });
                });
        }
        let title = self.title();
        let view = self.state.view;
        let params = (self.sent == self.state.params).then_some(&self.sent);
        let mut cx = ViewCx {
            params,
            state: &mut self.state,
            snapshot: self.latest.as_ref(),
            title: &title,
            waker: &self.waker,
            load_preset: None,
            watch: None,
            drawn: Vec::new(),
        };
        let views = &mut self.views;
        egui::CentralPanel::default().show(ui, |ui| views.get_mut(view).ui(ui, &mut cx));
        let (load, watch, drawn) = (cx.load_preset, cx.watch, cx.drawn);
        self.drawn = drawn
            .into_iter()
            .map(|p| (p.id, p.response.rect, p.transform))
            .collect();
        if let Some(name) = load
            && let Ok(p) = Preset::builtin(name)
        {
            self.load_preset(&p);
        }
        if let Some((a, l)) = watch {
            self.watch_cell(a, l);
        }
        self.send_changes();
        let params = (self.sent == self.state.params).then_some(&self.sent);
        for v in self.views.all_mut() {
            let visible = v.kind() == self.state.view;
            v.update(&self.state, params, visible, &self.waker);
        }
    }
}

/// The default fonts, with the monospace face as a fallback of the proportional one: it has the
/// arrows and mathematical symbols (→, ≈, √) that the labels use.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    if let Some(family) = fonts.families.get_mut(&egui::FontFamily::Proportional) {
        family.insert(1, "Hack".to_owned());
    }
    ctx.set_fonts(fonts);
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

impl eframe::App for SaddlescopeApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.ui_root(ui);
    }

    /// Remember the state between launches (eframe writes it to the platform's app-data
    /// folder); "Paper defaults" in the File window goes back to the shipped preset.
    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STATE_KEY, &self.state);
    }
}

/// The key of the remembered state (versioned: a state of an older layout is not read).
const STATE_KEY: &str = "saddlescope-state-v1";

/// The remembered state, if there is one and it is valid; otherwise `None` (and a line on
/// stderr if it was there but unusable).
fn remembered_state(storage: Option<&dyn eframe::Storage>) -> Option<AppState> {
    let storage = storage?;
    storage.get_string(STATE_KEY)?;
    match eframe::get_value::<AppState>(storage, STATE_KEY) {
        Some(s) if s.params.validate().is_ok() => Some(s),
        _ => {
            eprintln!("saddlescope: the remembered state is unusable; starting from the preset");
            None
        }
    }
}

/// Open the window on `preset`, or else on the state remembered from the last launch, or else
/// on Fig. 1-left.
pub fn run_native(preset: Option<&str>) -> Result<(), String> {
    let explicit = preset.is_some();
    let preset = Preset::resolve(preset.unwrap_or("fig1-left")).map_err(|e| e.to_string())?;
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("saddlescope")
            .with_inner_size([1400.0, 900.0]),
        ..Default::default()
    };
    eframe::run_native(
        "saddlescope",
        options,
        Box::new(move |cc| {
            let ctx = cc.egui_ctx.clone();
            let waker: Waker = Arc::new(move || ctx.request_repaint());
            let state = if explicit {
                None
            } else {
                remembered_state(cc.storage)
            };
            Ok(Box::new(SaddlescopeApp::new(
                state.unwrap_or_else(|| AppState::from_preset(&preset)),
                live_threads(),
                waker,
            )))
        }),
    )
    .map_err(|e| e.to_string())
}
