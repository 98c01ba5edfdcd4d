//! Lecture mode: a lecture's scenes (see [`crate::lecture`]) advanced by a presentation clicker
//! (PageDown / PageUp) or the arrow keys, B to blank the screen, a discreet scene counter, and
//! the presenter's notes — the scene's notes, the next scene's title, the time elapsed — in a
//! second native window (an egui viewport) for the laptop screen, or a side panel beside the
//! figure where a second window cannot open (the browser).

use web_time::Instant;

use egui::{Color32, Key, RichText};

use crate::lecture::{LoadedLecture, SceneAction};
use crate::sim::worker::Command;

use super::SaddlescopeApp;

/// A lecture being given.
pub struct LectureRun {
    pub lecture: LoadedLecture,
    /// The scene shown.
    pub scene: usize,
    /// The screen is black (B).
    pub blank: bool,
    /// The notes window is open (N).
    pub notes: bool,
    /// When the lecture started, for the elapsed time.
    pub started: Instant,
    /// Pause the live ensemble at the first frame at or past this step (a `play_to` scene).
    play_until: Option<u64>,
}

/// The keys that act in lecture mode, as the help lists them.
pub const LECTURE_KEYS: [(&str, &str); 7] = [
    (
        "PageDown  →  ↓",
        "next scene (a presentation clicker sends PageDown)",
    ),
    ("PageUp  ←  ↑", "previous scene"),
    ("Home  End", "first, last scene"),
    ("B", "blank the screen (again to show it)"),
    (
        "N",
        "the presenter's notes: this scene's notes, the next title, the time",
    ),
    (
        ".",
        "step the simulation once (→ moves between scenes here)",
    ),
    ("Esc", "leave lecture mode"),
];

/// What a lecture key does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LectureKey {
    Next,
    Previous,
    First,
    Last,
    Blank,
    Notes,
    Step,
    Leave,
}

/// The lecture key pressed this frame, consumed (main window or notes window alike: the
/// lecturer's focus may be on either).
fn lecture_key(i: &mut egui::InputState) -> Option<LectureKey> {
    let mut pressed = |keys: &[Key]| {
        keys.iter()
            .any(|k| i.consume_key(egui::Modifiers::NONE, *k))
    };
    let table: [(&[Key], LectureKey); 8] = [
        (
            &[Key::PageDown, Key::ArrowRight, Key::ArrowDown],
            LectureKey::Next,
        ),
        (
            &[Key::PageUp, Key::ArrowLeft, Key::ArrowUp],
            LectureKey::Previous,
        ),
        (&[Key::Home], LectureKey::First),
        (&[Key::End], LectureKey::Last),
        (&[Key::B], LectureKey::Blank),
        (&[Key::N], LectureKey::Notes),
        (&[Key::Period], LectureKey::Step),
        (&[Key::Escape], LectureKey::Leave),
    ];
    table
        .into_iter()
        .find(|(keys, _)| pressed(keys))
        .map(|(_, k)| k)
}

impl SaddlescopeApp {
    /// Present `lecture` from its first scene, in presenter mode (the figure and its caption
    /// only), with the notes window open.
    pub fn start_lecture(&mut self, lecture: LoadedLecture) {
        self.state.presenter = true;
        self.lecture = Some(LectureRun {
            lecture,
            scene: 0,
            blank: false,
            notes: true,
            started: Instant::now(),
            play_until: None,
        });
        self.go_to_scene(0);
    }

    /// The lecture being given, if any.
    pub fn lecture(&self) -> Option<&LectureRun> {
        self.lecture.as_ref()
    }

    /// Show scene `k` (clamped to the lecture): its preset and view, then its action.
    pub fn go_to_scene(&mut self, k: usize) {
        let Some(run) = &mut self.lecture else {
            return;
        };
        let k = k.min(run.lecture.len() - 1);
        run.scene = k;
        run.blank = false;
        run.play_until = None;
        let preset = run.lecture.presets[k].clone();
        let action = run.lecture.lecture.scenes[k].action;
        self.load_preset(&preset);
        // The new parameters go out now, so the action applies to the scene's ensemble.
        self.send_changes();
        match action {
            None => {}
            Some(SceneAction::Play) => self.worker.send(Command::Play),
            Some(SceneAction::PlayTo(n)) => {
                self.worker.send(Command::Play);
                if let Some(run) = &mut self.lecture {
                    run.play_until = Some(n);
                }
            }
            Some(SceneAction::StepTo(n)) => self.worker.send(Command::Step(n)),
        }
    }

    /// Leave lecture mode; the scene shown stays.
    pub fn end_lecture(&mut self) {
        self.lecture = None;
    }

    /// The lecture keys pressed in the main window; `true` where one was (the rest of the
    /// shortcuts then wait).
    pub(super) fn lecture_keys(&mut self, ui: &egui::Ui) -> bool {
        if self.lecture.is_none() || ui.ctx().egui_wants_keyboard_input() {
            return false;
        }
        match ui.input_mut(lecture_key) {
            Some(k) => {
                self.lecture_act(k);
                true
            }
            None => false,
        }
    }

    fn lecture_act(&mut self, key: LectureKey) {
        let Some(run) = &mut self.lecture else {
            return;
        };
        let (scene, last) = (run.scene, run.lecture.len() - 1);
        match key {
            LectureKey::Next => self.go_to_scene((scene + 1).min(last)),
            LectureKey::Previous => self.go_to_scene(scene.saturating_sub(1)),
            LectureKey::First => self.go_to_scene(0),
            LectureKey::Last => self.go_to_scene(last),
            LectureKey::Blank => run.blank = !run.blank,
            LectureKey::Notes => run.notes = !run.notes,
            LectureKey::Step => self.worker.send(Command::Step(1)),
            LectureKey::Leave => self.end_lecture(),
        }
    }

    /// Once a frame: pause a `play_to` scene at its step.
    pub(super) fn lecture_tick(&mut self) {
        let Some(run) = &mut self.lecture else {
            return;
        };
        if let (Some(n), Some(s)) = (run.play_until, &self.latest)
            && s.generation == self.generation
            && s.step() >= n
        {
            run.play_until = None;
            self.worker.send(Command::Pause);
        }
    }

    /// The blank screen, the scene counter and the notes window.
    pub(super) fn lecture_ui(&mut self, root: &mut egui::Ui) {
        let ctx = root.ctx().clone();
        let Some(run) = &mut self.lecture else {
            return;
        };
        let screen = ctx.content_rect();
        let layer =
            egui::LayerId::new(egui::Order::Foreground, egui::Id::unique("lecture-overlay"));
        let painter = ctx.layer_painter(layer);
        if run.blank {
            painter.rect_filled(screen, 0.0, Color32::BLACK);
        } else {
            // Discreet: small and grey in the bottom right corner.
            painter.text(
                screen.right_bottom() - egui::vec2(6.0, 4.0),
                egui::Align2::RIGHT_BOTTOM,
                format!("{} / {}", run.scene + 1, run.lecture.len()),
                egui::FontId::proportional(11.0),
                Color32::from_gray(120),
            );
        }
        if !run.notes {
            return;
        }
        let scenes = &run.lecture.lecture.scenes;
        let here = &scenes[run.scene];
        let next = scenes.get(run.scene + 1).map(|s| s.title.clone());
        let elapsed = run.started.elapsed().as_secs();
        let (title, notes, counter) = (
            here.title.clone(),
            here.notes.clone(),
            format!("scene {} of {}", run.scene + 1, scenes.len()),
        );
        let lecture_title = run.lecture.lecture.title.clone();
        let mut open = true;
        let body = |ui: &mut egui::Ui| {
            ui.label(RichText::new(&lecture_title).small().weak());
            ui.horizontal(|ui| {
                ui.label(RichText::new(&counter).weak());
                ui.separator();
                ui.label(
                    RichText::new(format!("{}:{:02}", elapsed / 60, elapsed % 60))
                        .monospace()
                        .strong(),
                );
            });
            ui.heading(&title);
            egui::ScrollArea::vertical()
                .max_height(ui.available_height() - 40.0)
                .show(ui, |ui| ui.label(RichText::new(&notes).size(18.0)));
            ui.separator();
            ui.label(match &next {
                Some(t) => format!("next: {t}"),
                None => "last scene".into(),
            });
        };
        let mut key = None;
        if ctx.embed_viewports() {
            // No second window here (the browser, tests): a side panel beside the figure.
            egui::Panel::right("lecture-notes")
                .default_size(340.0)
                .resizable(true)
                .show(root, |ui| body(ui));
        } else {
            let id = egui::ViewportId::from_hash_of("saddlescope-notes");
            ctx.show_viewport_immediate(
                id,
                egui::ViewportBuilder::default()
                    .with_title("saddlescope — notes")
                    .with_inner_size([520.0, 480.0]),
                |ui, _| {
                    egui::Frame::central_panel(ui.style()).show(ui, |ui| body(ui));
                    // The clicker's keys reach whichever window has the focus.
                    key = ui.input_mut(lecture_key);
                    if ui.ctx().input(|i| i.viewport().close_requested()) {
                        open = false;
                    }
                },
            );
        }
        if !open && let Some(run) = &mut self.lecture {
            run.notes = false;
        }
        if let Some(k) = key {
            self.lecture_act(k);
        }
        // The clock moves while the notes show.
        ctx.request_repaint_after(web_time::Duration::from_millis(500));
    }
}
