//! One status area for transient messages (a recording started, refused or finished; a field's
//! typed text clamped or refused): a stack in the bottom-right corner of the plots, drawn over
//! them, so that a message never grows the top bar or moves a control. A result fades after
//! [`LIFETIME`] or closes with ×; a field's note stays while the field holds the value it
//! concerns (see [`super::fields`]) and goes with it.

use egui::{Color32, RichText};
use web_time::{Duration, Instant};

/// How long a transient result stays.
pub const LIFETIME: Duration = Duration::from_secs(6);

/// The last second of a message's life fades it out.
const FADE: Duration = Duration::from_secs(1);

/// A message of the status area.
#[derive(Clone, Debug)]
struct Message {
    ok: bool,
    text: String,
    /// When it goes; `None` for a field's note (it goes with the field's value).
    until: Option<Instant>,
}

/// The transient results and this frame's field notes.
#[derive(Default)]
pub struct StatusArea {
    results: Vec<Message>,
}

impl StatusArea {
    /// Show a result for [`LIFETIME`]: `ok` in green, otherwise in red.
    pub fn push(&mut self, ok: bool, text: impl Into<String>) {
        let text = text.into();
        // The same message again restarts its life instead of stacking.
        self.results.retain(|m| m.text != text);
        self.results.push(Message {
            ok,
            text,
            until: Some(Instant::now() + LIFETIME),
        });
    }

    /// The results shown now (tests and scripts).
    pub fn texts(&self) -> Vec<&str> {
        self.results.iter().map(|m| m.text.as_str()).collect()
    }

    /// Draw the stack over the bottom-right corner of `rect` (the central panel): the results,
    /// then the field notes of this frame. Expired results are dropped; a fading one asks for
    /// the frames it needs.
    pub fn ui(&mut self, ctx: &egui::Context, rect: egui::Rect, notes: &[(String, String)]) {
        let now = Instant::now();
        self.results.retain(|m| m.until.is_none_or(|u| u > now));
        if self.results.is_empty() && notes.is_empty() {
            return;
        }
        let warn = ctx.global_style().visuals.warn_fg_color;
        let mut close = None;
        egui::Area::new(egui::Id::unique("saddlescope-status"))
            .order(egui::Order::Foreground)
            .pivot(egui::Align2::RIGHT_BOTTOM)
            .fixed_pos(rect.right_bottom() - egui::vec2(12.0, 12.0))
            .interactable(true)
            .show(ctx, |ui| {
                ui.set_max_width((0.6 * rect.width()).max(200.0));
                for (i, m) in self.results.iter().enumerate() {
                    let left = m
                        .until
                        .map_or(LIFETIME, |u| u.saturating_duration_since(now));
                    let alpha = (left.as_secs_f32() / FADE.as_secs_f32()).clamp(0.0, 1.0);
                    if alpha < 1.0 {
                        ctx.request_repaint_after(Duration::from_millis(50));
                    } else {
                        ctx.request_repaint_after(left - FADE);
                    }
                    let col = if m.ok {
                        Color32::from_rgb(0x40, 0xc0, 0x60)
                    } else {
                        Color32::from_rgb(0xe0, 0x50, 0x50)
                    };
                    if message_ui(ui, &m.text, col.gamma_multiply(alpha), true) {
                        close = Some(i);
                    }
                }
                for (field, note) in notes {
                    message_ui(ui, &format!("⚠ {field}: {note}"), warn, false);
                }
            });
        if let Some(i) = close {
            self.results.remove(i);
        }
    }
}

/// One framed message, with a × button if `closable`; returns whether × was clicked.
fn message_ui(ui: &mut egui::Ui, text: &str, color: Color32, closable: bool) -> bool {
    egui::Frame::popup(ui.style())
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                let closed = closable
                    && ui
                        .small_button("×")
                        .on_hover_text("Close this message")
                        .clicked();
                ui.add(egui::Label::new(RichText::new(text).color(color)).wrap());
                closed
            })
            .inner
        })
        .inner
}
