//! One table of user commands: each carries its label, tooltip and keyboard shortcut, and the
//! buttons and the key handling both read from it, so nothing drifts.

use egui::{Key, KeyboardShortcut, Modifiers};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UiCommand {
    PlayPause,
    Step,
    Reset,
}

impl UiCommand {
    pub const ALL: [UiCommand; 3] = [UiCommand::PlayPause, UiCommand::Step, UiCommand::Reset];

    /// Button text; `playing` picks between ▶ and ⏸.
    pub fn label(self, playing: bool) -> &'static str {
        match self {
            UiCommand::PlayPause if playing => "⏸ Pause",
            UiCommand::PlayPause => "▶ Play",
            UiCommand::Step => "Step",
            UiCommand::Reset => "⟲ Reset",
        }
    }

    pub fn tooltip(self) -> &'static str {
        match self {
            UiCommand::PlayPause => "Run the ensemble (steps per frame at 60 frames/s) or pause it",
            UiCommand::Step => "Advance every walker by one SGD step and pause",
            UiCommand::Reset => {
                "Restart from step 0 with the same seed: the same initial walkers and the same noise"
            }
        }
    }

    pub fn shortcut(self) -> KeyboardShortcut {
        let key = match self {
            UiCommand::PlayPause => Key::Space,
            UiCommand::Step => Key::ArrowRight,
            UiCommand::Reset => Key::R,
        };
        KeyboardShortcut::new(Modifiers::NONE, key)
    }

    /// Tooltip with the shortcut appended.
    pub fn hint(self) -> String {
        let key = match self {
            UiCommand::PlayPause => "Space",
            UiCommand::Step => "→",
            UiCommand::Reset => "R",
        };
        format!("{}  [{key}]", self.tooltip())
    }
}
