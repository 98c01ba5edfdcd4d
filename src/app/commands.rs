//! One table of user commands: each carries its label, tooltip and keyboard shortcut, and the
//! buttons, the key handling and the `?` overlay all read from it, so nothing drifts.

use egui::{Key, KeyboardShortcut, Modifiers};

use super::Request;
use crate::preset::{Preset, ViewKind};
use crate::sim::worker::Command;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UiCommand {
    PlayPause,
    Step,
    Reset,
    /// Jump to the paper's figure `n` (1–9); pressing it again cycles through its panels.
    /// 0 jumps to the Fig. 1-right phase diagram.
    Figure(u8),
    Presenter,
    Fullscreen,
    /// Open the preset window to save the current state.
    SavePreset,
    /// Open the export window (PNG, SVG, CSV of the current view).
    Export,
    /// Start or stop recording the live view as PNG frames.
    Record,
    /// Put a link to the current state on the clipboard.
    CopyLink,
    /// Undo the last edit or preset switch.
    Undo,
    /// Redo the last undone edit.
    Redo,
    /// Fit every plot's axes to its data, and the histogram's range to where its walkers are.
    Fit,
    /// Show or hide one walker's story beside the histogram.
    Story,
    Help,
}

/// The presets each number key cycles through.
pub fn figure_presets(n: u8) -> &'static [&'static str] {
    match n {
        1 => &["fig1-left", "fig1-middle", "fig1-right"],
        2 => &["fig2-left", "fig2-right"],
        3 => &["fig3-left", "fig3-middle", "fig3-right"],
        4 => &["fig4"],
        5 => &["fig5"],
        6 => &["fig6"],
        7 => &["fig7"],
        8 => &["fig8"],
        9 => &["fig9"],
        _ => &["fig1-right"],
    }
}

const DIGITS: [Key; 10] = [
    Key::Num0,
    Key::Num1,
    Key::Num2,
    Key::Num3,
    Key::Num4,
    Key::Num5,
    Key::Num6,
    Key::Num7,
    Key::Num8,
    Key::Num9,
];

impl UiCommand {
    /// Every command, in the order the `?` overlay lists them.
    pub fn all() -> Vec<UiCommand> {
        let mut v = vec![UiCommand::PlayPause, UiCommand::Step, UiCommand::Reset];
        v.extend((1..=9).chain(0..1).map(UiCommand::Figure));
        v.extend([
            UiCommand::Presenter,
            UiCommand::Fullscreen,
            UiCommand::SavePreset,
            UiCommand::Export,
            UiCommand::Record,
            UiCommand::CopyLink,
            // Redo before undo: Ctrl+Z would also match Ctrl+Shift+Z.
            UiCommand::Redo,
            UiCommand::Undo,
            UiCommand::Fit,
            UiCommand::Story,
            UiCommand::Help,
        ]);
        v
    }

    /// Button text; `playing` picks between ▶ and ⏸.
    pub fn label(self, playing: bool) -> String {
        match self {
            UiCommand::PlayPause if playing => "⏸ Pause".into(),
            UiCommand::PlayPause => "▶ Play".into(),
            UiCommand::Step => "Step".into(),
            UiCommand::Reset => "⟲ Reset".into(),
            UiCommand::Figure(0) => "Fig. 1-right".into(),
            UiCommand::Figure(n) => format!("Fig. {n}"),
            UiCommand::Presenter => "Presenter mode".into(),
            UiCommand::Fullscreen => "Fullscreen".into(),
            UiCommand::SavePreset => "Save preset…".into(),
            UiCommand::Export => "Export figure…".into(),
            UiCommand::Record => "⏺ Record".into(),
            UiCommand::CopyLink => "🔗 Link".into(),
            UiCommand::Undo => "⟲ Undo".into(),
            UiCommand::Redo => "⟳ Redo".into(),
            UiCommand::Fit => "Fit axes".into(),
            UiCommand::Story => "One walker".into(),
            UiCommand::Help => "Shortcuts".into(),
        }
    }

    pub fn tooltip(self) -> String {
        match self {
            UiCommand::PlayPause => "Run the ensemble (steps per frame at 60 frames/s) or pause it".into(),
            UiCommand::Step => "Advance every walker by one SGD step and pause".into(),
            UiCommand::Reset => "Restart from step 0 with the same seed: the same initial walkers and the same noise".into(),
            UiCommand::Figure(0) => "Jump to the phase diagram of Fig. 1-right".into(),
            UiCommand::Figure(n) => {
                let p = figure_presets(n);
                if p.len() > 1 {
                    format!("Jump to Fig. {n}; press again for its other panels ({})", p.join(", "))
                } else {
                    format!("Jump to Fig. {n}")
                }
            }
            UiCommand::Presenter => "Larger text and lines, the controls folded away, a caption under the plot".into(),
            UiCommand::Fullscreen => "Fill the screen (press again to leave)".into(),
            UiCommand::SavePreset => "Save the current state (every parameter, the seed, the view) as a preset file".into(),
            UiCommand::Export => "Export the current view as PNG, SVG or CSV".into(),
            UiCommand::Record => "Record the live view — a GIF, an MP4 or numbered PNG frames — one frame every K simulation steps (where to, K, frames/s and a 16:9 slide size in the export window); press again to stop".into(),
            UiCommand::CopyLink => "Copy a link to this exact state (seed included) to the clipboard: in a browser the page's address, which opens this experiment; `saddlescope run LINK` gives its numbers".into(),
            UiCommand::Undo => "Undo the last edit or preset switch (parameters, grids, view options; up to 200 steps)".into(),
            UiCommand::Redo => "Redo what was undone".into(),
            UiCommand::Fit => "Fit every plot's axes to its data; on the histogram view also the histogram's range to where the walkers are (the log10|w| axis when they spread over many decades). Double-click a plot to hand it back to the figure's ranges".into(),
            UiCommand::Story => "Follow one walker of the ensemble step by step, beside the histogram or the 2-D map (click near a walker to pick it): its noise draws x_t, its factors 1 − λx_t and ln|w_t/w₀|; for Adam and AMSGrad its m_t, v̂_t and the rate λ/√v̂_t against Eq. 5's window; on the 2-D map its path".into(),
            UiCommand::Help => "Show or hide this list of shortcuts".into(),
        }
    }

    pub fn shortcut(self) -> KeyboardShortcut {
        let key = match self {
            UiCommand::PlayPause => Key::Space,
            UiCommand::Step => Key::ArrowRight,
            UiCommand::Reset => Key::R,
            UiCommand::Figure(n) => DIGITS[(n % 10) as usize],
            UiCommand::Presenter => Key::P,
            UiCommand::Fullscreen => Key::F,
            UiCommand::SavePreset => return KeyboardShortcut::new(Modifiers::COMMAND, Key::S),
            UiCommand::Export => return KeyboardShortcut::new(Modifiers::COMMAND, Key::E),
            UiCommand::Undo => return KeyboardShortcut::new(Modifiers::COMMAND, Key::Z),
            UiCommand::Redo => {
                return KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
            }
            UiCommand::Record => Key::V,
            UiCommand::CopyLink => Key::L,
            UiCommand::Fit => Key::A,
            UiCommand::Story => Key::W,
            UiCommand::Help => Key::Questionmark,
        };
        KeyboardShortcut::new(Modifiers::NONE, key)
    }

    /// The key as a person reads it.
    pub fn key_name(self) -> String {
        match self {
            UiCommand::PlayPause => "Space".into(),
            UiCommand::Step => "→".into(),
            UiCommand::Reset => "R".into(),
            UiCommand::Figure(n) => n.to_string(),
            UiCommand::Presenter => "P".into(),
            UiCommand::Fullscreen => "F".into(),
            UiCommand::SavePreset => "Ctrl+S".into(),
            UiCommand::Export => "Ctrl+E".into(),
            UiCommand::Record => "V".into(),
            UiCommand::CopyLink => "L".into(),
            UiCommand::Undo => "Ctrl+Z".into(),
            UiCommand::Redo => "Ctrl+Shift+Z".into(),
            UiCommand::Fit => "A".into(),
            UiCommand::Story => "W".into(),
            UiCommand::Help => "?".into(),
        }
    }

    /// Tooltip with the shortcut appended.
    pub fn hint(self) -> String {
        format!("{}  [{}]", self.tooltip(), self.key_name())
    }
}

/// What keys, buttons and views ask of the app: the commands of the table above, and the
/// requests queued during a frame and done at its end.
impl super::SaddlescopeApp {
    /// Ask for `r`, done at the end of this frame (or of the next, outside one).
    pub fn request(&mut self, r: Request) {
        self.requests.push(r);
    }

    /// Do what was asked this frame, in the order asked; a frame follows if anything was (a
    /// window it opened, a preset it loaded, shows at once).
    pub(super) fn do_requests(&mut self, ctx: &egui::Context) {
        if self.requests.is_empty() {
            return;
        }
        for r in std::mem::take(&mut self.requests) {
            match r {
                Request::CopyLink => {
                    self.copy_link(ctx);
                    self.file_window = true;
                }
                Request::Fullscreen(on) => {
                    ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(on));
                    self.fullscreen = on;
                }
                Request::LoadPreset(name) => match Preset::builtin(name) {
                    Ok(p) => self.load_preset(&p),
                    Err(e) => self.set_file_message(false, e.to_string()),
                },
                Request::Watch { a, lambda } => self.watch_cell(a, lambda),
            }
        }
        ctx.request_repaint();
    }

    pub fn run_command(&mut self, cmd: UiCommand) {
        match cmd {
            // On a view that computes to an end the keys act on its computation: Space starts
            // or cancels it, R runs it again, → has nothing to step. The hidden live ensemble is
            // never driven from there.
            UiCommand::PlayPause if !self.state.view.is_live() => {
                let v = self.views.get_mut(self.state.view);
                if v.busy() {
                    v.cancel();
                } else {
                    v.request_rerun();
                }
            }
            UiCommand::Reset if !self.state.view.is_live() => {
                self.views.get_mut(self.state.view).request_rerun();
            }
            UiCommand::Step if !self.state.view.is_live() => {}
            UiCommand::PlayPause => self.worker.send(if self.is_playing() {
                Command::Pause
            } else {
                Command::Play
            }),
            UiCommand::Step => self.worker.send(Command::Step(1)),
            UiCommand::Reset => self.worker.send(Command::Reset),
            UiCommand::Figure(n) => {
                let names = figure_presets(n);
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
            UiCommand::Fullscreen => self.requests.push(Request::Fullscreen(!self.fullscreen)),
            UiCommand::SavePreset => self.file_window = true,
            UiCommand::Export => self.export_window = true,
            UiCommand::Record => self.toggle_recording(),
            UiCommand::CopyLink => self.requests.push(Request::CopyLink),
            UiCommand::Undo | UiCommand::Redo => {
                let undo = cmd == UiCommand::Undo;
                let to = if undo {
                    self.history.undo(&self.state)
                } else {
                    self.history.redo(&self.state)
                };
                match to {
                    Some(s) => {
                        self.state = s;
                        let (back, fwd) = self.history.depth();
                        let what = if undo { "undone" } else { "redone" };
                        self.status
                            .push(true, format!("{what} ({back} more to undo, {fwd} to redo)"));
                    }
                    None => self.status.push(
                        false,
                        if undo {
                            "nothing to undo"
                        } else {
                            "nothing to redo"
                        },
                    ),
                }
            }
            UiCommand::Fit => self.fit(),
            UiCommand::Story => {
                // Told beside the 2-D map there, beside the live histogram elsewhere (W goes
                // there).
                if self.state.view == ViewKind::Landscape2d
                    && self.state.params.landscape.dim() == 2
                {
                    self.state.landscape.story = !self.state.landscape.story;
                } else {
                    let show =
                        !(self.state.histogram.story && self.state.view == ViewKind::Histogram);
                    self.state.histogram.story = show;
                    if show {
                        self.state.view = ViewKind::Histogram;
                    }
                }
            }
            UiCommand::Help => self.show_help = !self.show_help,
        }
    }

    /// Fit every plot to its data at the next frame; on the histogram view first the
    /// histogram's own range to where the walkers are (the same run re-binned).
    fn fit(&mut self) {
        self.fit_pending = true;
        if self.state.view != ViewKind::Histogram {
            return;
        }
        let Some(s) = self.latest.as_ref() else {
            return;
        };
        match crate::figure::views::fitted_histogram(&s.current.summary, s.params.histogram) {
            Some((spec, log)) => {
                if spec != self.state.params.histogram {
                    // The plots fit once the re-binned run is in.
                    self.fit_pending_generation = Some(self.generation + 1);
                }
                self.state.params.histogram = spec;
                self.state.histogram.log_axis = log;
            }
            None => self
                .status
                .push(false, "no finite walker to fit the histogram to"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_its_own_key_and_every_figure_preset_exists() {
        let all = UiCommand::all();
        let keys: std::collections::HashSet<_> = all
            .iter()
            .map(|c| {
                let s = c.shortcut();
                (s.logical_key, s.modifiers.command, s.modifiers.shift)
            })
            .collect();
        assert_eq!(keys.len(), all.len());
        for n in 0..=9 {
            for name in figure_presets(n) {
                crate::preset::Preset::builtin(name).unwrap();
            }
        }
    }
}
