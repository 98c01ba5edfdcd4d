//! The eframe app: its state, the panels, and the bridge to the worker thread. Views live one
//! per file; numbers come from `sim` and `model`, never from a UI callback.

pub mod commands;
pub mod controls;
pub mod escape_view;
pub mod fields;
pub mod histogram_view;
pub mod landscape_view;
pub mod loss_view;
pub mod optimizers_view;
pub mod phase_view;
pub mod theory_panel;

use std::sync::Arc;

use egui::{Color32, RichText, Ui};
use serde::{Deserialize, Serialize};

use crate::export::{PhaseOverlays, Preset, ViewKind};
use crate::sim::escape_rate::{self, EscapeRateOutput, RateVsLambdaSpec, RateVsStepSpec};
use crate::sim::job::{Job, JobEvent, job_channel};
use crate::sim::loss_sweep::{LossPoint, LossSweepSpec, run_loss_sweep};
use crate::sim::optimizers::{OptimizerCurve, OptimizerSpec, run_optimizers};
use crate::sim::params::ExperimentParams;
use crate::sim::sweep::{SweepEvent, SweepGrid, SweepHandle, SweepSpec};
use crate::sim::theory::Readout;
use crate::sim::worker::{Command, Event, Snapshot, Waker, Worker};

use commands::UiCommand;
use controls::{ControlState, controls_ui};
use escape_view::{EscapeFields, escape_controls_ui, escape_view_ui};
use histogram_view::{HistogramOptions, histogram_view_ui};
use landscape_view::{LandscapeMap, LandscapeOptions, landscape_controls_ui, landscape_view_ui};
use loss_view::{loss_controls_ui, loss_view_ui};
use optimizers_view::{OptimizerOptions, optimizer_controls_ui, optimizers_view_ui};
use phase_view::{phase_view_ui, sweep_controls_ui};
use theory_panel::theory_panel_ui;

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
            histogram: HistogramOptions::default(),
            preset: Some(p.name.clone()),
            view: p.view,
            sweep: p.sweep.clone().unwrap_or_default(),
            overlays: p.overlays.unwrap_or_default(),
            rate_vs_step,
            rate_vs_lambda,
            escape_fields,
            landscape: LandscapeOptions::default(),
            loss_sweep: p.loss_sweep.clone().unwrap_or_default(),
            optimizers: p.optimizers.clone().unwrap_or_default(),
            optimizer_options: OptimizerOptions::default(),
            presenter: false,
            light_theme: false,
        }
    }
}

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

/// Threads for background sweeps: every core.
pub fn sweep_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The application: state plus runtime handles (worker, newest snapshot).
pub struct SaddlescopeApp {
    pub state: AppState,
    worker: Worker,
    /// The newest snapshot of the newest generation.
    latest: Option<Arc<Snapshot>>,
    /// Parameters and generation last sent to the worker.
    sent: ExperimentParams,
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
    sweep: Option<SweepHandle>,
    sweep_rx: crossbeam_channel::Receiver<SweepEvent>,
    sweep_tx: crossbeam_channel::Sender<SweepEvent>,
    sweep_generation: u64,
    sweep_key: Option<(ExperimentParams, SweepSpec)>,
    sweep_grid: Option<Arc<SweepGrid>>,
    sweep_error: Option<String>,
    escape: JobSlot<EscapeRateOutput, (ExperimentParams, RateVsStepSpec, RateVsLambdaSpec)>,
    escape_field_errors: Vec<String>,
    /// The phase map's plot transform of the last frame it was drawn.
    phase_transform: Option<egui_plot::PlotTransform>,
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
    /// The export window: shown, path, PNG scale, consent to overwrite, last outcome.
    export_window: bool,
    export_path: String,
    export_scale: f64,
    export_overwrite: bool,
    export_message: Option<(bool, String)>,
    /// Stepping threads of the live worker.
    threads: usize,
    landscape_map: Option<LandscapeMap>,
    loss: JobSlot<Vec<LossPoint>, (ExperimentParams, LossSweepSpec)>,
    optim: JobSlot<Vec<OptimizerCurve>, (ExperimentParams, OptimizerSpec)>,
}

/// A background job of one view: the running job, its events, and the newest result.
struct JobSlot<T, K> {
    job: Option<Job<T>>,
    rx: crossbeam_channel::Receiver<JobEvent<T>>,
    tx: crossbeam_channel::Sender<JobEvent<T>>,
    generation: u64,
    key: Option<K>,
    result: Option<Arc<T>>,
    fraction: f32,
    error: Option<String>,
}

impl<T: Send + Sync + 'static, K: PartialEq> JobSlot<T, K> {
    fn new() -> Self {
        let (tx, rx) = job_channel();
        JobSlot {
            job: None,
            rx,
            tx,
            generation: 0,
            key: None,
            result: None,
            fraction: 0.0,
            error: None,
        }
    }

    fn running(&self) -> bool {
        self.job.as_ref().is_some_and(|j| !j.is_finished())
    }

    /// Take the events of the current generation.
    fn receive(&mut self) {
        for ev in self.rx.try_iter() {
            match ev {
                JobEvent::Progress {
                    generation,
                    fraction,
                    partial,
                } if generation == self.generation => {
                    self.fraction = fraction;
                    if partial.is_some() {
                        self.result = partial;
                    }
                }
                JobEvent::Done { generation, result } if generation == self.generation => {
                    self.fraction = 1.0;
                    self.result = Some(result);
                }
                JobEvent::Failed {
                    generation,
                    message,
                } if generation == self.generation => self.error = Some(message),
                _ => {}
            }
        }
    }

    /// Restart with `work` when `key` changed (or `force`); the old job is cancelled and joined.
    fn ensure<F>(&mut self, key: K, force: bool, name: &str, waker: &Waker, work: F)
    where
        F: FnOnce(&crate::sim::job::JobContext<'_, T>) -> Result<Option<T>, String>
            + Send
            + 'static,
    {
        if !force && self.key.as_ref() == Some(&key) {
            return;
        }
        self.job = None;
        self.generation += 1;
        self.key = Some(key);
        self.error = None;
        self.fraction = 0.0;
        self.job = Some(Job::start(
            name,
            self.generation,
            self.tx.clone(),
            waker.clone(),
            work,
        ));
    }
}

/// A progress bar with Cancel / Run again; returns (cancel, restart).
fn job_bar_ui(ui: &mut Ui, fraction: f32, running: bool, error: Option<&str>) -> (bool, bool) {
    let mut out = (false, false);
    ui.horizontal(|ui| {
        ui.add(
            egui::ProgressBar::new(fraction)
                .desired_width(260.0)
                .show_percentage(),
        );
        if running {
            out.0 = ui.button("⏹ Cancel").clicked();
        } else {
            out.1 = ui.button("⟲ Run again").clicked();
        }
        if let Some(e) = error {
            ui.label(RichText::new(format!("⚠ {e}")).color(Color32::from_rgb(0xd0, 0x30, 0x30)));
        }
    });
    out
}

/// Threads the live view steps with: leave one core for the UI.
pub fn live_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .saturating_sub(1)
        .max(1)
}

impl SaddlescopeApp {
    /// An app on `state`, with a worker stepping on `threads` threads that calls `waker` after
    /// each snapshot.
    pub fn new(state: AppState, threads: usize, waker: Waker) -> SaddlescopeApp {
        let worker = Worker::spawn(state.params.clone(), threads, waker.clone());
        let (sweep_tx, sweep_rx) = crossbeam_channel::unbounded();
        worker.send(Command::SetStepsPerFrame(state.controls.steps_per_frame));
        let readout = (state.params.clone(), Readout::new(&state.params));
        SaddlescopeApp {
            sent: state.params.clone(),
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
            sweep: None,
            sweep_rx,
            sweep_tx,
            sweep_generation: 0,
            sweep_key: None,
            sweep_grid: None,
            sweep_error: None,
            escape: JobSlot::new(),
            escape_field_errors: Vec::new(),
            phase_transform: None,
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
            export_overwrite: false,
            export_message: None,
            file_path: "my-figure.json".into(),
            file_overwrite: false,
            file_message: None,
            landscape_map: None,
            loss: JobSlot::new(),
            optim: JobSlot::new(),
        }
    }

    /// The newest loss-versus-λ points.
    pub fn loss_points(&self) -> Option<&Arc<Vec<LossPoint>>> {
        self.loss.result.as_ref()
    }

    /// The newest optimizer curves.
    pub fn optimizer_curves(&self) -> Option<&Arc<Vec<OptimizerCurve>>> {
        self.optim.result.as_ref()
    }

    fn update_loss(&mut self, force: bool) {
        self.loss.receive();
        let valid =
            self.state.params.validate().is_ok() && self.state.loss_sweep.validate().is_ok();
        if (self.state.view != ViewKind::LossSweep && !force) || !valid {
            if let Err(e) = self.state.loss_sweep.validate() {
                self.loss.error = Some(e.to_string());
            }
            return;
        }
        let key = (self.state.params.clone(), self.state.loss_sweep.clone());
        let (p, spec) = key.clone();
        self.loss
            .ensure(key, force, "saddlescope-loss", &self.waker, move |ctx| {
                let cancel = std::sync::atomic::AtomicBool::new(false);
                let r = run_loss_sweep(&p, &spec, sweep_threads(), &cancel, |f, pts| {
                    ctx.progress(f, Some(pts.to_vec()));
                    if ctx.cancelled() {
                        cancel.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                });
                r.map_err(|e| e.to_string())
            });
    }

    fn update_optim(&mut self, force: bool) {
        self.optim.receive();
        let valid =
            self.state.params.validate().is_ok() && self.state.optimizers.validate().is_ok();
        if (self.state.view != ViewKind::Optimizers && !force) || !valid {
            if let Err(e) = self.state.optimizers.validate() {
                self.optim.error = Some(e.to_string());
            }
            return;
        }
        // The optimizer, λ, walkers and steps of the base parameters are set per curve.
        let base = ExperimentParams {
            lambda: 0.0,
            walkers: 1,
            steps: 0,
            record_steps: Vec::new(),
            ..self.state.params.clone()
        };
        let key = (base, self.state.optimizers.clone());
        let (p, spec) = (self.state.params.clone(), self.state.optimizers.clone());
        self.optim.ensure(
            key,
            force,
            "saddlescope-optimizers",
            &self.waker,
            move |ctx| {
                let cancel = std::sync::atomic::AtomicBool::new(false);
                let r = run_optimizers(&p, &spec, sweep_threads(), &cancel, |f| {
                    ctx.progress(f, None);
                    if ctx.cancelled() {
                        cancel.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                });
                r.map_err(|e| e.to_string())
            },
        );
    }

    /// Where the point (a, λ) of the phase map was drawn on screen in the last frame.
    pub fn phase_screen_position(&self, a: f64, lambda: f64) -> Option<egui::Pos2> {
        self.phase_transform
            .as_ref()
            .map(|t| t.position_from_point(&egui_plot::PlotPoint::new(a, lambda)))
    }

    /// The newest phase-diagram grid of the current sweep.
    pub fn sweep_grid(&self) -> Option<&Arc<SweepGrid>> {
        self.sweep_grid.as_ref()
    }

    /// Whether a sweep is computing.
    pub fn sweep_running(&self) -> bool {
        self.sweep.as_ref().is_some_and(|h| !h.is_finished())
    }

    pub fn escape_result(&self) -> Option<&Arc<EscapeRateOutput>> {
        self.escape.result.as_ref()
    }

    /// Start (or restart) the phase-diagram sweep for the current parameters.
    fn restart_sweep(&mut self) {
        self.sweep = None; // cancels and joins the previous sweep: no cell of it can arrive later
        self.sweep_generation += 1;
        self.sweep_error = None;
        self.sweep_key = Some(sweep_key(&self.state.params, &self.state.sweep));
        let spec = self.state.sweep.clone();
        if let Err(e) = spec.validate() {
            self.sweep_error = Some(e.to_string());
            return;
        }
        self.sweep = Some(SweepHandle::start(
            self.sweep_generation,
            self.state.params.clone(),
            spec,
            sweep_threads(),
            self.sweep_tx.clone(),
            self.waker.clone(),
        ));
    }

    /// Keep the sweep in step with the parameters while the phase diagram is shown.
    fn update_sweep(&mut self) {
        for ev in self.sweep_rx.try_iter() {
            match ev {
                SweepEvent::Grid { generation, grid } if generation == self.sweep_generation => {
                    self.sweep_grid = Some(grid)
                }
                SweepEvent::Failed {
                    generation,
                    message,
                } if generation == self.sweep_generation => self.sweep_error = Some(message),
                _ => {}
            }
        }
        if self.state.view == ViewKind::PhaseDiagram
            && self.state.params.validate().is_ok()
            && self.sweep_key.as_ref() != Some(&sweep_key(&self.state.params, &self.state.sweep))
        {
            self.restart_sweep();
        }
    }

    /// Keep the escape-rate curves in step with the parameters while that view is shown; a
    /// change cancels the running computation and starts a new one.
    fn update_escape(&mut self) {
        self.escape.receive();
        if self.state.view != ViewKind::EscapeRate || self.state.params.validate().is_err() {
            return;
        }
        let key = (
            self.state.params.clone(),
            self.state.rate_vs_step.clone(),
            self.state.rate_vs_lambda.clone(),
        );
        let (p, by_step, by_lambda) = key.clone();
        self.escape
            .ensure(key, false, "saddlescope-escape", &self.waker, move |ctx| {
                escape_rate::run_escape_rate(&p, &by_step, &by_lambda, sweep_threads(), ctx.flag())
                    .map_err(|e| e.to_string())
            });
    }

    /// The newest snapshot shown.
    /// Commands waiting in the queue to the simulation thread.
    pub fn queued_commands(&self) -> usize {
        self.worker.queued_commands()
    }

    /// The generation of the parameters last sent to the simulation thread.
    pub fn sent_generation(&self) -> u64 {
        self.generation
    }

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

    /// Load a preset: new parameters, view options kept.
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
            histogram,
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
    }

    /// Apply presenter mode's zoom and the theme when they change, and fullscreen requests.
    fn apply_look(&mut self, ctx: &egui::Context) {
        let look = (self.state.presenter, self.state.light_theme);
        if self.applied_look != Some(look) {
            ctx.set_zoom_factor(if self.state.presenter { 1.4 } else { 1.0 });
            ctx.set_theme(if self.state.light_theme {
                egui::Theme::Light
            } else {
                egui::Theme::Dark
            });
            self.applied_look = Some(look);
        }
        if let Some(full) = self.fullscreen_requested.take() {
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(full));
            self.fullscreen = full;
        }
    }

    /// The current state as a preset file named `name`.
    pub fn to_preset(&self, name: &str) -> Preset {
        let s = &self.state;
        Preset {
            format: crate::export::preset::PRESET_FORMAT.into(),
            format_version: crate::export::preset::PRESET_FORMAT_VERSION,
            name: name.to_string(),
            title: format!("saved from saddlescope ({})", s.view.label()),
            figure: None,
            description: self.caption(),
            view: s.view,
            params: s.params.clone(),
            sweep: Some(s.sweep.clone()),
            overlays: Some(s.overlays),
            rate_vs_step: Some(s.rate_vs_step.clone()),
            rate_vs_lambda: Some(s.rate_vs_lambda.clone()),
            loss_sweep: Some(s.loss_sweep.clone()),
            optimizers: Some(s.optimizers.clone()),
            steps_per_frame: Some(s.controls.steps_per_frame),
        }
    }

    /// Save the current state to `path` (atomically; an existing file only with `overwrite`).
    pub fn save_preset(&mut self, path: &std::path::Path, overwrite: bool) -> bool {
        let name = path
            .file_stem()
            .map_or("preset".into(), |s| s.to_string_lossy().into_owned());
        let r = self.to_preset(&name).save(path, overwrite);
        let ok = r.is_ok();
        self.file_message = Some(match r {
            Ok(()) => (true, format!("saved {}", path.display())),
            Err(e) => (false, e.to_string()),
        });
        ok
    }

    /// Open a preset file; on any error the current state is kept and the error shown.
    pub fn open_preset(&mut self, path: &std::path::Path) -> bool {
        match Preset::load(path) {
            Ok(p) => {
                self.load_preset(&p);
                self.file_message = Some((true, format!("opened {}", path.display())));
                true
            }
            Err(e) => {
                self.file_message = Some((false, e.to_string()));
                false
            }
        }
    }

    /// The outcome of the last open or save.
    pub fn file_message(&self) -> Option<&(bool, String)> {
        self.file_message.as_ref()
    }

    fn file_window_ui(&mut self, ctx: &egui::Context) {
        // Files dropped on the window open as presets.
        let dropped: Vec<std::path::PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        for path in dropped {
            self.open_preset(&path);
        }
        let mut open = self.file_window;
        egui::Window::new("Preset file").open(&mut open).collapsible(false).resizable(false).show(ctx, |ui| {
            ui.horizontal(|ui| {
                let l = ui.label("path");
                ui.add(egui::TextEdit::singleline(&mut self.file_path).desired_width(320.0))
                    .labelled_by(l.id)
                    .on_hover_text("A .json preset file. You can also drop a file on the window to open it.");
            });
            ui.checkbox(&mut self.file_overwrite, "replace the file if it exists");
            ui.horizontal(|ui| {
                if ui.button("⟲ Paper defaults").on_hover_text("Reset every parameter to the built-in preset of the current figure, as shipped (the app otherwise remembers your last state between launches).").clicked() {
                    self.reset_to_paper_defaults();
                    self.file_message = Some((true, "reset to the paper's defaults".into()));
                }
                let path = std::path::PathBuf::from(self.file_path.trim());
                if ui.button("💾 Save").on_hover_text("Write the current state (parameters, seed, view, overlays) as a preset.").clicked() {
                    self.save_preset(&path, self.file_overwrite);
                }
                if ui.button("📂 Open").on_hover_text("Load a preset file; on error nothing changes.").clicked() {
                    self.open_preset(&path);
                }
            });
            if let Some((ok, msg)) = &self.file_message {
                let col = if *ok { Color32::from_rgb(0x40, 0xc0, 0x60) } else { Color32::from_rgb(0xd0, 0x30, 0x30) };
                ui.label(RichText::new(msg).color(col));
            }
        });
        self.file_window = open;
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

    /// The current view as a figure (what the export writes), if it has data yet.
    pub fn current_figure(&self) -> Option<crate::export::figure::Figure> {
        use crate::export::views;
        let s = &self.state;
        let title = match &s.preset {
            Some(name) => Preset::builtin(name).map_or(name.clone(), |p| p.title),
            None => format!("saddlescope: {}", s.view.label()),
        };
        let caption = self.caption();
        Some(match s.view {
            ViewKind::Histogram => views::histogram_figure(
                &title,
                &caption,
                self.latest.as_ref()?,
                s.histogram.log_axis,
                s.histogram.show_theory,
            ),
            ViewKind::Landscape2d => {
                views::landscape_figure(&title, &caption, self.latest.as_ref()?)
            }
            ViewKind::PhaseDiagram => {
                let g = self.sweep_grid.as_ref()?;
                let cap = format!(
                    "{}, {}: {} × {} cells × {} walkers × {} steps, θ = {}",
                    g.base.landscape.label(),
                    g.base.optimizer.label(),
                    g.spec.a_cells,
                    g.spec.lambda_cells,
                    g.spec.walkers,
                    g.spec.steps,
                    g.spec.threshold
                );
                views::phase_figure(&title, &cap, g, &s.overlays)
            }
            ViewKind::EscapeRate => {
                views::escape_rate_figure(&title, &caption, self.escape.result.as_ref()?)
            }
            ViewKind::LossSweep => {
                let points = self.loss.result.as_ref()?;
                let out = crate::sim::loss_sweep::LossSweepOutput {
                    format: crate::sim::loss_sweep::LOSS_SWEEP_FORMAT.into(),
                    format_version: 1,
                    params: s.params.clone(),
                    loss_sweep: s.loss_sweep.clone(),
                    points: points.to_vec(),
                };
                views::loss_sweep_figure(&title, &caption, &out)
            }
            ViewKind::Optimizers => {
                let curves = self.optim.result.as_ref()?;
                let out = crate::sim::optimizers::OptimizerOutput {
                    format: crate::sim::optimizers::OPTIMIZER_FORMAT.into(),
                    format_version: 1,
                    params: s.params.clone(),
                    optimizers: s.optimizers.clone(),
                    curves: curves.to_vec(),
                };
                views::optimizers_figure(&title, &caption, &out)
            }
        })
    }

    /// Export the current view to `path` (.png, .svg or .csv), atomically; an existing file only
    /// with `overwrite`. The outcome is kept for the export window.
    pub fn export_figure(&mut self, path: &std::path::Path, scale: f64, overwrite: bool) -> bool {
        let r = match self.current_figure() {
            None => Err("nothing to export yet: the view has no data".to_string()),
            Some(fig) => crate::export::render::write_figure(&fig, path, scale, overwrite),
        };
        let ok = r.is_ok();
        self.export_message = Some(match r {
            Ok(paths) => (
                true,
                format!(
                    "wrote {}",
                    paths
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            Err(e) => (false, e),
        });
        ok
    }

    /// The outcome of the last export.
    pub fn export_message(&self) -> Option<&(bool, String)> {
        self.export_message.as_ref()
    }

    fn export_window_ui(&mut self, ctx: &egui::Context) {
        let mut open = self.export_window;
        egui::Window::new("Export figure").open(&mut open).collapsible(false).resizable(false).show(ctx, |ui| {
            ui.horizontal(|ui| {
                let l = ui.label("file");
                ui.add(egui::TextEdit::singleline(&mut self.export_path).desired_width(320.0))
                    .labelled_by(l.id)
                    .on_hover_text("The extension picks the format: .png (raster), .svg (vector, for papers) or .csv (the data, one table per panel: NAME.csv, NAME-2.csv, …).");
            });
            fields::NumberField::new(
                "PNG scale",
                "Pixels per SVG pixel; 2× suits slides and papers (0.5–8×).",
                0.5..=8.0,
            )
            .speed(0.1)
            .suffix(" ×")
            .show(ui, &mut self.export_scale);
            ui.checkbox(&mut self.export_overwrite, "replace the file if it exists");
            if ui.button("Export").on_hover_text(UiCommand::Export.tooltip()).clicked() {
                let path = std::path::PathBuf::from(self.export_path.trim());
                self.export_figure(&path, self.export_scale, self.export_overwrite);
            }
            if let Some((ok, msg)) = &self.export_message {
                let col = if *ok { Color32::from_rgb(0x40, 0xc0, 0x60) } else { Color32::from_rgb(0xd0, 0x30, 0x30) };
                ui.label(RichText::new(msg).color(col));
            }
        });
        self.export_window = open;
    }

    /// Back to the built-in preset the state came from (or Fig. 1-left), as shipped.
    pub fn reset_to_paper_defaults(&mut self) {
        let name = self
            .state
            .preset
            .clone()
            .unwrap_or_else(|| "fig1-left".into());
        let p = Preset::builtin(&name)
            .or_else(|_| Preset::builtin("fig1-left"))
            .expect("fig1-left is built in");
        let (presenter, light) = (self.state.presenter, self.state.light_theme);
        self.state = AppState::from_preset(&p);
        self.state.presenter = presenter;
        self.state.light_theme = light;
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
        self.sent = self.state.params.clone();
        self.worker = Worker::spawn_at(
            self.state.params.clone(),
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
        if self.state.params != self.sent {
            match self.state.params.validate() {
                Ok(()) => {
                    self.generation += 1;
                    self.sent = self.state.params.clone();
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

    fn shortcuts(&mut self, ui: &Ui) {
        if ui.ctx().egui_wants_keyboard_input() {
            return;
        }
        for cmd in UiCommand::all() {
            if ui.input_mut(|i| i.consume_shortcut(&cmd.shortcut())) {
                self.run_command(cmd);
            }
        }
    }

    /// The caption under the plot in presenter mode, generated from the parameters and the
    /// theory readout, so it can never disagree with what is shown.
    pub fn caption(&self) -> String {
        crate::export::views::caption_with(
            &self.state.params,
            &self.readout.1,
            self.latest.as_ref().map(|s| s.step()),
        )
    }

    fn help_ui(&mut self, ctx: &egui::Context) {
        let mut open = self.show_help;
        egui::Window::new("Keyboard shortcuts")
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .show(ctx, |ui| {
                egui::Grid::new("shortcut_grid")
                    .num_columns(2)
                    .striped(true)
                    .show(ui, |ui| {
                        for cmd in UiCommand::all() {
                            ui.label(RichText::new(cmd.key_name()).strong().monospace());
                            ui.label(cmd.tooltip());
                            ui.end_row();
                        }
                    });
            });
        self.show_help = open;
    }

    fn top_bar_ui(&mut self, ui: &mut Ui) {
        // Wraps onto a second line when presenter mode's zoom makes it too wide.
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("saddlescope").strong().size(18.0));
            ui.separator();
            let current = self.state.preset.clone().unwrap_or_else(|| "custom".into());
            egui::ComboBox::from_label("Preset")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    for p in Preset::builtin_all() {
                        if ui
                            .selectable_label(
                                self.state.preset.as_deref() == Some(&p.name),
                                &p.title,
                            )
                            .clicked()
                        {
                            self.load_preset(&p);
                        }
                    }
                })
                .response
                .on_hover_text(
                    "Load the exact setting of one of the paper's figures (seed included).",
                );
            ui.separator();
            for v in ViewKind::ALL {
                ui.selectable_value(&mut self.state.view, v, v.label());
            }
            ui.separator();
            let playing = self.is_playing();
            for cmd in [UiCommand::PlayPause, UiCommand::Step, UiCommand::Reset] {
                if ui
                    .button(cmd.label(playing))
                    .on_hover_text(cmd.hint())
                    .clicked()
                {
                    self.run_command(cmd);
                }
            }
            ui.separator();
            ui.checkbox(&mut self.state.presenter, "Presenter")
                .on_hover_text(UiCommand::Presenter.hint());
            if self.state.presenter {
                ui.checkbox(&mut self.state.controls.presenter_controls, "controls")
                    .on_hover_text("Show the control and theory panels in presenter mode.");
            }
            if ui
                .button("📁 File")
                .on_hover_text("Save the current state as a preset file, or open one.")
                .clicked()
            {
                self.file_window = !self.file_window;
            }
            if ui
                .button("Export")
                .on_hover_text(UiCommand::Export.hint())
                .clicked()
            {
                self.run_command(UiCommand::Export);
            }
            ui.checkbox(&mut self.state.light_theme, "Light")
                .on_hover_text("High-contrast light theme for projectors.");
            if ui
                .button("?")
                .on_hover_text(UiCommand::Help.hint())
                .clicked()
            {
                self.run_command(UiCommand::Help);
            }
            ui.separator();
            if let Some(s) = &self.latest {
                // One piece: where it does not fit, it moves to the next row whole.
                ui.add(egui::Label::new(format!("t = {} / {}", s.step(), s.params.steps)).extend());
                if s.playing && s.walker_steps_per_second > 0.0 {
                    ui.label(format!("{:.2e} walker-steps/s", s.walker_steps_per_second))
                        .on_hover_text("Measured speed of the engine in the last frame.");
                } else if s.finished {
                    ui.label("finished");
                }
            }
        });
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
        if self.state.presenter {
            let caption = self.caption();
            egui::Panel::bottom("caption").show(ui, |ui| {
                ui.add_space(4.0);
                ui.label(RichText::new(caption).size(18.0));
                ui.add_space(4.0);
            });
        }
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
        let view = self.state.view;
        egui::CentralPanel::default().show(ui, |ui| match view {
            ViewKind::Histogram => match &self.latest {
                Some(s) => histogram_view_ui(ui, s, &mut self.state.histogram),
                None => {
                    ui.centered_and_justified(|ui| ui.label("starting the ensemble…"));
                }
            },
            ViewKind::PhaseDiagram => {
                sweep_controls_ui(ui, &mut self.state.sweep, &mut self.state.overlays);
                let running = self.sweep_running();
                let current = (self.state.params.a, self.state.params.lambda);
                let action = phase_view_ui(
                    ui,
                    self.sweep_grid.as_deref(),
                    running,
                    self.sweep_error.as_deref(),
                    &self.state.overlays,
                    current,
                );
                if action.cancel
                    && let Some(h) = &self.sweep
                {
                    h.cancel();
                }
                if action.restart {
                    self.restart_sweep();
                }
                self.phase_transform = action.transform;
                if let Some((a, l)) = action.watch {
                    self.watch_cell(a, l);
                }
            }
            ViewKind::Landscape2d => {
                if self.state.params.landscape.dim() != 2 {
                    ui.label("The 2-D view shows the sharp-minima landscape (Eq. 6) and the toy network. Load one:");
                    ui.horizontal(|ui| {
                        for name in ["fig7", "fig3-left", "fig3-middle"] {
                            if ui.button(name).clicked()
                                && let Ok(p) = Preset::builtin(name)
                            {
                                self.load_preset(&p);
                            }
                        }
                    });
                    return;
                }
                let recorded: Vec<u64> = self.latest.as_ref().map_or(Vec::new(), |s| s.recorded.iter().map(|r| r.summary.step).collect());
                landscape_controls_ui(ui, &mut self.state.params, &mut self.state.landscape, &recorded);
                if !self.landscape_map.as_ref().is_some_and(|m| m.is_for(&self.state.params)) {
                    self.landscape_map = Some(LandscapeMap::new(&self.state.params));
                }
                match (&self.latest, &self.landscape_map) {
                    (Some(s), Some(m)) if s.params.landscape.dim() == 2 => landscape_view_ui(ui, s, m, &self.state.landscape),
                    _ => {
                        ui.label("starting the ensemble…");
                    }
                }
            }
            ViewKind::LossSweep => {
                loss_controls_ui(ui, &mut self.state.loss_sweep);
                let (cancel, restart) =
                    job_bar_ui(ui, self.loss.fraction, self.loss.running(), self.loss.error.as_deref());
                if cancel && let Some(j) = &self.loss.job {
                    j.cancel();
                }
                if restart {
                    self.update_loss(true);
                }
                let ok = self.state.params.landscape.dim() == 2;
                loss_view_ui(ui, self.loss.result.as_deref(), ok);
            }
            ViewKind::Optimizers => {
                optimizer_controls_ui(ui, &mut self.state.optimizers, &mut self.state.optimizer_options);
                let (cancel, restart) =
                    job_bar_ui(ui, self.optim.fraction, self.optim.running(), self.optim.error.as_deref());
                if cancel && let Some(j) = &self.optim.job {
                    j.cancel();
                }
                if restart {
                    self.update_optim(true);
                }
                optimizers_view_ui(ui, self.optim.result.as_deref(), &self.state.optimizer_options);
            }
            ViewKind::EscapeRate => {
                self.escape_field_errors = escape_controls_ui(
                    ui,
                    &mut self.state.rate_vs_step,
                    &mut self.state.rate_vs_lambda,
                    &mut self.state.escape_fields,
                );
                for e in self
                    .escape_field_errors
                    .iter()
                    .chain(self.escape.error.iter())
                {
                    ui.label(
                        RichText::new(format!("⚠ {e}")).color(Color32::from_rgb(0xd0, 0x30, 0x30)),
                    );
                }
                escape_view_ui(ui, self.escape.result.as_deref(), self.escape.running());
            }
        });
        self.send_changes();
        self.update_sweep();
        self.update_escape();
        self.update_loss(false);
        self.update_optim(false);
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
    /// own drops (the worker, the sweep, the jobs) wait for them together, not one after another.
    fn drop(&mut self) {
        self.worker.send(Command::Shutdown);
        if let Some(s) = &self.sweep {
            s.cancel();
        }
        if let Some(j) = &self.escape.job {
            j.cancel();
        }
        if let Some(j) = &self.loss.job {
            j.cancel();
        }
        if let Some(j) = &self.optim.job {
            j.cancel();
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
