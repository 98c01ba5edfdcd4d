//! The bridge to the live simulation thread: what the app receives from the worker, what it
//! sends (an edit, validated once), and a restart after a crash.

use egui::{Color32, RichText, Ui};

use crate::sim::theory::Readout;
use crate::sim::worker::{Command, Event, Worker};

use super::SaddlescopeApp;

impl SaddlescopeApp {
    /// Take what the worker sent: keep the newest snapshot of the current generation. The
    /// view shown takes its job's events too, before anything draws (see `View::receive`).
    pub(super) fn receive(&mut self) {
        self.views.get_mut(self.state.view).receive();
        for ev in self.worker.compute_and_drain(self.state.view.is_live()) {
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
        self.worker = Worker::start(
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

    pub(super) fn crash_banner_ui(&mut self, ui: &mut Ui) {
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
    pub(super) fn send_changes(&mut self) {
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
}
