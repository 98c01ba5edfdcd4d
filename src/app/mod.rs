//! The eframe app: its state, the panels, and the bridge to the worker thread. Views live one
//! per file; numbers come from `sim` and `model`, never from a UI callback.

pub mod commands;
pub mod controls;
pub mod histogram_view;
pub mod theory_panel;

use std::sync::Arc;

use egui::{Color32, RichText, Ui};
use serde::{Deserialize, Serialize};

use crate::export::Preset;
use crate::sim::params::ExperimentParams;
use crate::sim::theory::Readout;
use crate::sim::worker::{Command, Event, Snapshot, Waker, Worker};

use commands::UiCommand;
use controls::{ControlState, controls_ui};
use histogram_view::{HistogramOptions, histogram_view_ui};
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
        AppState {
            params: p.params.clone(),
            controls,
            histogram: HistogramOptions::default(),
            preset: Some(p.name.clone()),
        }
    }
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
        let worker = Worker::spawn(state.params.clone(), threads, waker);
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
        }
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

    /// Load a preset: new parameters, view options kept.
    pub fn load_preset(&mut self, p: &Preset) {
        self.state.params = p.params.clone();
        self.state.controls.sync_text(&p.params);
        self.state.preset = Some(p.name.clone());
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
            }
        }
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
        for cmd in UiCommand::ALL {
            if ui.input_mut(|i| i.consume_shortcut(&cmd.shortcut())) {
                self.run_command(cmd);
            }
        }
    }

    fn top_bar_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
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
            let playing = self.is_playing();
            for cmd in UiCommand::ALL {
                if ui
                    .button(cmd.label(playing))
                    .on_hover_text(cmd.hint())
                    .clicked()
                {
                    self.run_command(cmd);
                }
            }
            ui.separator();
            if let Some(s) = &self.latest {
                ui.label(format!("t = {} / {}", s.step(), s.params.steps));
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
        // Presets and edits from the previous frame go out before drawing, so this frame
        // already shows the new theory and the next one the new ensemble.
        self.send_changes();
        egui::Panel::top("top_bar").show(ui, |ui| self.top_bar_ui(ui));
        egui::Panel::left("controls")
            .default_size(290.0)
            .resizable(true)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    self.field_errors =
                        controls_ui(ui, &mut self.state.params, &mut self.state.controls);
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
        egui::CentralPanel::default().show(ui, |ui| match &self.latest {
            Some(s) => histogram_view_ui(ui, s, &mut self.state.histogram),
            None => {
                ui.centered_and_justified(|ui| ui.label("starting the ensemble…"));
            }
        });
        self.send_changes();
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

impl eframe::App for SaddlescopeApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.ui_root(ui);
    }
}

/// Open the window on `preset` (default fig1-left).
pub fn run_native(preset: Option<&str>) -> Result<(), String> {
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
            Ok(Box::new(SaddlescopeApp::new(
                AppState::from_preset(&preset),
                live_threads(),
                waker,
            )))
        }),
    )
    .map_err(|e| e.to_string())
}
