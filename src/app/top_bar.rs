//! The top bar (presets, views, play/pause/step/reset, presenter mode, files, theme), the
//! keyboard shortcuts and the help overlay, all read from the one command table.

use egui::{RichText, Ui};

use crate::preset::{Preset, ViewKind};

use super::SaddlescopeApp;
use super::commands::UiCommand;

/// How much larger presenter mode makes text and widgets, at least.
const PRESENTER_SCALE: f32 = 1.4;

/// The least share of the window's height that presenter mode's body text (tick labels, axis
/// titles, captions) takes.
pub const PRESENTER_TEXT_SHARE: f32 = 0.0225;

/// Presenter mode's text scale in a window `height` points tall.
pub fn presenter_scale(height: f32) -> f32 {
    let body = egui::Style::default()
        .text_styles
        .get(&egui::TextStyle::Body)
        .map_or(12.5, |f| f.size);
    if height.is_finite() && height > 0.0 {
        PRESENTER_SCALE.max(PRESENTER_TEXT_SHARE * height / body)
    } else {
        PRESENTER_SCALE
    }
}

impl SaddlescopeApp {
    /// Whether the experiment differs from the preset it was loaded from (the preset box then
    /// says "modified"). The preset is parsed once per name.
    pub fn preset_modified(&mut self) -> bool {
        let Some(name) = self.state.preset.clone() else {
            return false;
        };
        if self.preset_cache.as_ref().is_none_or(|(n, _)| *n != name) {
            let Ok(p) = Preset::builtin(&name) else {
                return false;
            };
            self.preset_cache = Some((name, Box::new(super::AppState::from_preset(&p))));
        }
        let Some((_, shipped)) = &self.preset_cache else {
            return false;
        };
        let s = &self.state;
        s.params != shipped.params
            || s.view != shipped.view
            || s.sweep != shipped.sweep
            || s.rate_vs_step != shipped.rate_vs_step
            || s.rate_vs_lambda != shipped.rate_vs_lambda
            || s.loss_sweep != shipped.loss_sweep
            || s.optimizers != shipped.optimizers
            || s.escape_options != shipped.escape_options
    }

    /// Apply presenter mode's text size and the theme when they change, and fullscreen
    /// requests. Presenter text grows with the window: a tick label is at least
    /// [`PRESENTER_TEXT_SHARE`] of the window's height (readable from the back of a room at
    /// 720p and at 1080p alike), and never smaller than [`PRESENTER_SCALE`] × the default.
    pub(super) fn apply_look(&mut self, ctx: &egui::Context) {
        // The window's height at zoom 1: Ctrl+Plus still enlarges presenter text.
        let height = ctx.content_rect().height() * ctx.zoom_factor();
        let scale = if self.state.presenter {
            presenter_scale(height)
        } else {
            1.0
        };
        // In hundredths: a window dragged a pixel taller does not restyle everything.
        let look = (
            self.state.presenter,
            self.state.light_theme,
            (scale * 100.0).round() as u32,
        );
        if self.applied_look != Some(look) {
            // Presenter mode enlarges the text and the widgets' spacing, not the zoom: a zoom
            // would make the window's size in points 1/1.4 of its pixels, and the window
            // eframe restores at the next launch (at zoom 1) would come back that much smaller.
            ctx.all_styles_mut(|style| {
                let base = egui::Style::default();
                for (name, font) in style.text_styles.iter_mut() {
                    if let Some(b) = base.text_styles.get(name) {
                        font.size = b.size * scale;
                    }
                }
                style.spacing.interact_size = base.spacing.interact_size * scale;
                style.spacing.item_spacing = base.spacing.item_spacing * scale;
                style.spacing.button_padding = base.spacing.button_padding * scale;
                style.spacing.icon_width = base.spacing.icon_width * scale;
                style.spacing.icon_width_inner = base.spacing.icon_width_inner * scale;
            });
            ctx.set_theme(if self.state.light_theme {
                egui::Theme::Light
            } else {
                egui::Theme::Dark
            });
            self.applied_look = Some(look);
        }
    }

    pub(super) fn shortcuts(&mut self, ui: &Ui) {
        if ui.ctx().egui_wants_keyboard_input() {
            return;
        }
        for cmd in UiCommand::all() {
            if ui.input_mut(|i| i.consume_shortcut(&cmd.shortcut())) {
                self.run_command(cmd);
            }
        }
    }

    pub(super) fn help_ui(&mut self, ctx: &egui::Context) {
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
                ui.add_space(6.0);
                ui.label(
                    RichText::new(
                        "In a lecture (saddlescope lecture NAME, or File → Open lecture)",
                    )
                    .strong(),
                );
                egui::Grid::new("lecture_key_grid")
                    .num_columns(2)
                    .striped(true)
                    .show(ui, |ui| {
                        for (key, what) in super::lecture::LECTURE_KEYS {
                            ui.label(RichText::new(key).strong().monospace());
                            ui.label(what);
                            ui.end_row();
                        }
                    });
            });
        self.show_help = open;
    }

    pub(super) fn top_bar_ui(&mut self, ui: &mut Ui) {
        // Wraps onto a second line when presenter mode's zoom makes it too wide.
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("saddlescope").strong().size(18.0));
            ui.separator();
            let modified = self.preset_modified();
            let current = match &self.state.preset {
                Some(name) if modified => format!("{name} (modified)"),
                Some(name) => name.clone(),
                None => "custom".into(),
            };
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
            let live = self.state.view.is_live();
            if live {
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
            } else {
                // A view that computes to an end: the keys drive its computation.
                let busy = super::views::View::busy(self.views.get(self.state.view));
                let (text, tip) = if busy {
                    ("⏹ Cancel", "Stop the computation; what is computed stays.  [Space]")
                } else {
                    ("⟲ Run again", "Compute this view again from the start.  [Space or R]")
                };
                if ui.button(text).on_hover_text(tip).clicked() {
                    self.run_command(UiCommand::PlayPause);
                }
            }
            if ui
                .button(UiCommand::Fit.label(false))
                .on_hover_text(UiCommand::Fit.hint())
                .clicked()
            {
                self.run_command(UiCommand::Fit);
            }
            ui.separator();
            ui.checkbox(&mut self.state.presenter, "Presenter")
                .on_hover_text(UiCommand::Presenter.hint());
            if self.state.presenter {
                ui.checkbox(&mut self.state.controls.presenter_controls, "controls")
                    .on_hover_text("Show the control and theory panels in presenter mode.");
            }
            let b = ui
                .button("📁 File")
                .on_hover_text("Save the current state as a preset file, or open one.");
            super::fields::remember_rect(ui.ctx(), "📁 File", b.rect);
            if b.clicked() {
                self.file_window = !self.file_window;
            }
            let b = ui.button("Export").on_hover_text(UiCommand::Export.hint());
            super::fields::remember_rect(ui.ctx(), "Export", b.rect);
            if b.clicked() {
                self.export_window = !self.export_window;
            }
            if ui
                .button(UiCommand::CopyLink.label(false))
                .on_hover_text(UiCommand::CopyLink.hint())
                .clicked()
            {
                self.run_command(UiCommand::CopyLink);
            }
            let record = match self.recording() {
                Some(n) => format!(
                    "⏹ Stop recording ({})",
                    crate::figure::format::count(n as f64, "frame")
                ),
                None => UiCommand::Record.label(false),
            };
            // Frames go to a folder: the desktop app's (a page says so in its export window).
            if !cfg!(target_arch = "wasm32")
                && ui
                    .button(record)
                    .on_hover_text(UiCommand::Record.hint())
                    .clicked()
            {
                self.run_command(UiCommand::Record);
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
            if let Some(s) = self.latest.as_ref().filter(|_| live) {
                // One piece: where it does not fit, it moves to the next row whole.
                ui.add(egui::Label::new(format!("t = {} / {}", s.step(), s.params.steps)).extend());
                // Not in presenter mode: a projector has no use for it, and it would wrap the
                // bar onto another row.
                if s.playing && s.walker_steps_per_second > 0.0 && !self.state.presenter {
                    ui.label(format!("{:.2e} walker-steps/s", s.walker_steps_per_second))
                        .on_hover_text("Walker-steps simulated per second of wall time over the last second: walkers × steps played. Raise steps per frame to play faster; the engine's own speed is in `saddlescope bench`.");
                } else if s.finished {
                    ui.label("finished");
                }
            }
        });
    }
}
