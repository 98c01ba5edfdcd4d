//! Files from the window: the preset window (save the state, open a file, back to the paper's
//! defaults) and the export window (the current view's figure as PNG, SVG or CSV — the figure
//! the view draws).

use egui::{Color32, RichText};

use crate::export::render::{FileOptions, write_figure};
use crate::preset::Preset;

use super::commands::UiCommand;
use super::{AppState, SaddlescopeApp, fields};

impl SaddlescopeApp {
    /// The current state as a preset file named `name`.
    pub fn to_preset(&self, name: &str) -> Preset {
        let s = &self.state;
        Preset {
            format: crate::preset::PRESET_FORMAT.into(),
            format_version: crate::preset::PRESET_FORMAT_VERSION,
            name: name.to_string(),
            title: format!("saved from saddlescope ({})", s.view.label()),
            figure: None,
            description: self.caption(),
            view: s.view,
            params: s.params.clone(),
            sweep: Some(s.sweep.clone()),
            overlays: Some(s.overlays),
            histogram_options: Some(s.histogram),
            landscape_options: Some(s.landscape),
            optimizer_options: Some(s.optimizer_options),
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

    pub(super) fn file_window_ui(&mut self, ctx: &egui::Context) {
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

    /// Export the current view to `path` (.png, .svg or .csv), atomically; an existing file only
    /// with `overwrite`. The outcome is kept for the export window.
    pub fn export_figure(&mut self, path: &std::path::Path, scale: f64, overwrite: bool) -> bool {
        let opts = FileOptions {
            scale,
            overwrite,
            selectable_text: self.export_svg_text,
            format: None,
        };
        let r = match self.current_figure() {
            None => Err("nothing to export yet: the view has no data".to_string()),
            Some(fig) => write_figure(&fig, path, &opts),
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

    pub(super) fn export_window_ui(&mut self, ctx: &egui::Context) {
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
            ui.checkbox(&mut self.export_svg_text, "SVG: text as selectable text")
                .on_hover_text("By default an SVG draws every glyph as a path in the app's own font, so it looks the same in every viewer; this keeps <text> elements instead (they then show in whatever font the viewer has).");
            ui.checkbox(&mut self.export_overwrite, "replace the file if it exists");
            if ui.button("Export").on_hover_text(UiCommand::Export.tooltip()).clicked() {
                let path = std::path::PathBuf::from(self.export_path.trim());
                self.export_figure(&path, self.export_scale, self.export_overwrite);
            }
            ui.separator();
            ui.label(RichText::new("Recording the live view (V)").strong());
            ui.horizontal(|ui| {
                let l = ui.label("folder");
                ui.add(egui::TextEdit::singleline(&mut self.record_settings.dir).desired_width(240.0))
                    .labelled_by(l.id)
                    .on_hover_text("Frames go to FOLDER/frame-00000.png, frame-00001.png, …");
            });
            ui.horizontal(|ui| {
                fields::NumberField::new("every", "Simulation steps between two frames: the cadence is the simulation's, not the screen's.", 1..=1_000_000u64)
                    .show(ui, &mut self.record_settings.every);
                fields::NumberField::new("frames at most", "The recording stops after this many frames (or at the last step).", 1..=100_000usize)
                    .show(ui, &mut self.record_settings.frames);
            });
            fields::NumberField::new("frame scale", "PNG pixels per SVG pixel of each frame.", 0.5..=8.0)
                .speed(0.1)
                .show(ui, &mut self.record_settings.scale);
            ui.checkbox(&mut self.record_settings.overwrite, "replace frames already in the folder");
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
}
