//! Files from the window: the preset window (save the state, open a file, back to the paper's
//! defaults) and the export window (the current view's figure as PNG, SVG or CSV — the figure
//! the view draws).

use egui::{Color32, RichText};

use crate::export::anim::RecordOutput;
use crate::export::render::{FileOptions, Format, figure_files, write_figure};
use crate::figure::output::Renderer;
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
            escape_options: Some(s.escape_options),
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

    /// Say `message` where the outcome of a file operation shows (an error when not `ok`).
    pub fn set_file_message(&mut self, ok: bool, message: String) {
        self.file_message = Some((ok, message));
        self.file_window |= !ok;
    }

    /// Open a preset from its text (a dropped or picked file, called `name`); on any error the
    /// current state is kept and the error shown.
    pub fn open_preset_text(&mut self, name: &str, text: &str) {
        match Preset::from_json(text, std::path::Path::new(name)) {
            Ok(p) => {
                self.load_preset(&p);
                self.set_file_message(true, format!("opened {name}"));
            }
            Err(e) => self.set_file_message(false, e.to_string()),
        }
    }

    /// The current state as the fragment of a link (see [`crate::preset::link`]): the preset's
    /// name while it is as shipped, else the state as an encoded preset.
    pub fn link_fragment(&mut self) -> String {
        let as_shipped = !self.preset_modified();
        let name = self.state.preset.clone().unwrap_or_else(|| "link".into());
        let mut p = self.to_preset(&name);
        if let Ok(shipped) = Preset::builtin(&name) {
            p.title = shipped.title;
            p.figure = shipped.figure;
        }
        // The caption follows the run; a link carries the experiment, not a moment of it.
        p.description.clear();
        crate::preset::link::encode(&p, as_shipped)
    }

    /// The file name an export or a download of the current view gets.
    fn download_stem(&self) -> String {
        self.state
            .preset
            .clone()
            .unwrap_or_else(|| self.state.view.label().to_lowercase().replace(' ', "-"))
    }

    /// The browser's preset window: download the state, open a file, copy the link.
    fn web_file_window_ui(&mut self, ctx: &egui::Context) {
        let mut open = self.file_window;
        file_window("Preset file", ctx).open(&mut open).show(ctx, |ui| {
            ui.label("The address of this page always holds the current state: copy it to share exactly this experiment (seed included).");
            ui.horizontal(|ui| {
                if ui.button("🔗 Copy link").on_hover_text("Put a link to this exact state on the clipboard.").clicked() {
                    self.copy_link(ui.ctx());
                }
                let b = ui.button("💾 Download preset").on_hover_text("Save the current state (parameters, seed, view, overlays) as a .json preset file; `saddlescope run FILE` reproduces it.");
                fields::remember_rect(ui.ctx(), "💾 Download preset", b.rect);
                if b.clicked() {
                    let name = format!("{}.json", self.download_stem());
                    let text = self.to_preset(&self.download_stem()).to_json() + "\n";
                    self.web_download(&name, text.as_bytes(), "application/json");
                }
                let b = ui.button("📂 Open…").on_hover_text("Load a preset file (or drop one on the page); on error nothing changes.");
                fields::remember_rect(ui.ctx(), "📂 Open…", b.rect);
                if b.clicked()
                    && let Err(e) = self.platform.pick_preset_file(self.waker.clone())
                {
                    self.file_message = Some((false, e));
                }
                if ui.button("⟲ Paper defaults").on_hover_text("Reset every parameter to the built-in preset of the current figure, as shipped (the page otherwise remembers your last state).").clicked() {
                    self.reset_to_paper_defaults();
                    self.file_message = Some((true, "reset to the paper's defaults".into()));
                }
            });
            message_ui(ui, &self.file_message);
        });
        self.file_window = open;
    }

    /// Put a link to the current state on the clipboard.
    pub fn copy_link(&mut self, ctx: &egui::Context) {
        let link = format!("{}#{}", web_base(), self.link_fragment());
        ctx.copy_text(link.clone());
        self.file_message = Some((
            true,
            format!("copied {} characters: {link:.60}…", link.len()),
        ));
    }

    /// The options every export has: the PNG scale and how an SVG holds its text.
    fn export_options_ui(&mut self, ui: &mut egui::Ui) {
        self.export_style_ui(ui);
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
    }

    /// The export's style: a named style (page, type, furniture together), its size and type
    /// size, the furniture toggles, and a preview of the file.
    fn export_style_ui(&mut self, ui: &mut egui::Ui) {
        use crate::figure::style::{ExportStyle, StyleName};
        let st = &mut self.export_style;
        ui.horizontal(|ui| {
            let mut name = st.name;
            egui::ComboBox::from_label("style")
                .selected_text(name.label())
                .show_ui(ui, |ui| {
                    for n in StyleName::ALL {
                        ui.selectable_value(&mut name, n, n.label());
                    }
                })
                .response
                .on_hover_text("Sets the page size, the type size and the furniture together: the window's figure, a journal column or page width (no title, caption or status lines), a 16:9 slide, a poster.");
            if name != st.name {
                *st = ExportStyle::named(name);
            }
        });
        // Folded in the page (its window must fit a laptop's screen with the record settings).
        let open = egui::CollapsingHeader::new("page, type, furniture and preview")
            .default_open(!cfg!(target_arch = "wasm32"))
            .show(ui, |ui| {
                let st = &mut self.export_style;
            ui.horizontal(|ui| {
                let mut sized = st.size_pt.is_some();
                ui.checkbox(&mut sized, "size")
                    .on_hover_text("The page's width and height in inches; unticked: the figure's own size.");
                // Unticked, the fields show a full page width to start from.
                let (mut w, mut h) = st.size_pt.map_or((6.75, 3.4), |(w, h)| (w / 72.0, h / 72.0));
                ui.add_enabled(sized, egui::DragValue::new(&mut w).range(0.5..=100.0).speed(0.05).suffix(" in"));
                ui.label("×");
                ui.add_enabled(sized && !st.auto_height, egui::DragValue::new(&mut h).range(0.5..=100.0).speed(0.05).suffix(" in"));
                ui.add_enabled(sized, egui::Checkbox::new(&mut st.auto_height, "auto"))
                    .on_hover_text("The height follows the figure at that width (a journal fixes the width): 3:4 for one plot, more for stacked ones.");
                st.size_pt = sized.then_some((w * 72.0, h * 72.0));
                let mut typed = st.font_pt.is_some();
                ui.checkbox(&mut typed, "type")
                    .on_hover_text("The axis labels' size in pt (ticks and captions in proportion); unticked: the window's.");
                let mut f = st.font_pt.unwrap_or(9.75);
                ui.add_enabled(typed, egui::DragValue::new(&mut f).range(4.0..=96.0).speed(0.1).suffix(" pt"));
                st.font_pt = typed.then_some(f);
            });
            ui.horizontal_wrapped(|ui| {
                ui.checkbox(&mut st.title, "title");
                ui.checkbox(&mut st.caption, "caption")
                    .on_hover_text("The line under the plots that names the run's parameters.");
                ui.checkbox(&mut st.status, "status lines")
                    .on_hover_text("\"diverged: …\" and how to read the lines, above the plots.");
                ui.checkbox(&mut st.markers, "window's markers")
                    .on_hover_text("The live view's (a, λ) cross on a phase diagram: a mark of the window's, never in a legend or CSV.");
                ui.checkbox(&mut st.italic, "italic variables")
                    .on_hover_text("w, t, λ, μ in italics, as a journal sets mathematics (words such as SGD or ln stay upright).");
            });
                if let Err(e) = st.validate() {
                    ui.label(RichText::new(e).color(Color32::from_rgb(0xd0, 0x30, 0x30)));
                    return false;
                }
                true
            });
        if open.body_returned == Some(true) {
            self.export_preview_ui(ui);
        } else if let Err(e) = self.export_style.validate() {
            ui.label(RichText::new(e).color(Color32::from_rgb(0xd0, 0x30, 0x30)));
        }
    }

    /// A small picture of the file the export writes, redrawn when the style changes (and at
    /// most twice a second while the view runs).
    fn export_preview_ui(&mut self, ui: &mut egui::Ui) {
        if self.renderer() != Renderer::Ready {
            // The page says why beside its buttons (renderer_ui).
            return;
        }
        let now = ui.input(|i| i.time);
        let stale = self
            .export_preview
            .as_ref()
            .is_none_or(|(st, t, _)| *st != self.export_style || now - t > 0.5);
        if stale && let Some(fig) = self.current_figure() {
            let svg = fig.to_svg_text_styled(&self.export_style);
            let (w, h) = crate::figure::svg::svg_size(&svg).unwrap_or((1.0, 1.0));
            let scale = (360.0 / w).min(240.0 / h);
            if let Ok(img) = crate::figure::svg::svg_to_rgba(&svg, scale) {
                let image = egui::ColorImage::from_rgba_unmultiplied(
                    [img.width as usize, img.height as usize],
                    &img.rgba,
                );
                let tex =
                    ui.ctx()
                        .load_texture("export-preview", image, egui::TextureOptions::LINEAR);
                self.export_preview = Some((self.export_style, now, tex));
            }
        }
        if let Some((_, _, tex)) = &self.export_preview {
            let size = tex.size_vec2();
            ui.add(egui::Image::new((tex.id(), size))).on_hover_text(
                "The file as the export writes it (PNG, SVG and PDF alike), scaled to fit.",
            );
            let s = self.export_style;
            let text = match s.size_pt {
                Some((w, h)) => format!(
                    "{} × {} pt page",
                    crate::figure::fmt_num(w, 4),
                    crate::figure::fmt_num(h, 4)
                ),
                None => "the figure's own size".into(),
            };
            ui.label(RichText::new(text).small().weak());
        }
    }

    /// The browser's export window: the current view as a PNG, SVG, PDF or CSV download.
    fn web_export_window_ui(&mut self, ctx: &egui::Context) {
        let mut open = self.export_window;
        file_window("Export figure", ctx)
            .open(&mut open)
            .show(ctx, |ui| {
                // The renderer is the page's second module, loaded when this window first opens.
                let renderer = self.renderer();
                self.export_options_ui(ui);
                renderer_ui(ui, &renderer);
                let ready = renderer == Renderer::Ready;
                ui.horizontal(|ui| {
                    for (format, tip) in [
                        (Format::Png, "A raster image of the figure shown."),
                        (
                            Format::Svg,
                            "A vector image of the figure shown, for papers.",
                        ),
                        (
                            Format::Pdf,
                            "The same vector figure as a one-page PDF, every glyph a path (no font to embed): what LaTeX includes.",
                        ),
                        (
                            Format::Csv,
                            "The data behind every panel: one table per panel.",
                        ),
                    ] {
                        let label = format!("⬇ {}", format.extension().to_uppercase());
                        let needs_renderer = match format {
                            Format::Png | Format::Pdf => true,
                            Format::Svg => !self.export_svg_text,
                            Format::Csv => false,
                        };
                        let b = ui
                            .add_enabled(ready || !needs_renderer, egui::Button::new(&label))
                            .on_hover_text(tip)
                            .on_disabled_hover_text("The figure renderer has not loaded (see above).");
                        fields::remember_rect(ui.ctx(), &label, b.rect);
                        if b.clicked() {
                            self.download_figure(format);
                        }
                    }
                });
                ui.separator();
                self.web_record_ui(ui);
                message_ui(ui, &self.export_message);
            });
        self.export_window = open;
    }

    /// Download the current view's figure as `format` (a CSV of several panels: one file each).
    pub fn download_figure(&mut self, format: Format) {
        let opts = FileOptions {
            scale: self.export_scale,
            overwrite: true,
            selectable_text: self.export_svg_text,
            format: Some(format),
            style: self.export_style,
        };
        let name = format!("{}.{}", self.download_stem(), format.extension());
        let r = match self.current_figure() {
            None => Err("nothing to export yet: the view has no data".to_string()),
            Some(fig) => figure_files(&fig, std::path::Path::new(&name), &opts),
        };
        match r {
            Ok(files) => {
                let mime = match format {
                    Format::Png => "image/png",
                    Format::Svg => "image/svg+xml",
                    Format::Pdf => "application/pdf",
                    Format::Csv => "text/csv",
                };
                let mut names = Vec::new();
                for (path, bytes) in files {
                    let n = path.display().to_string();
                    self.web_download(&n, &bytes, mime);
                    names.push(n);
                }
                if !matches!(self.file_message, Some((false, _))) {
                    self.export_message = Some((true, format!("downloaded {}", names.join(", "))));
                }
            }
            Err(e) => self.export_message = Some((false, e)),
        }
    }

    /// The page's recording settings: a GIF, or a WebM the browser encodes; how many frames,
    /// how fast; and the button (V).
    fn web_record_ui(&mut self, ui: &mut egui::Ui) {
        ui.label(RichText::new("Recording the live view (V)").strong());
        let webm_ok = self.platform.records_webm();
        let d = &mut self.record_settings.dir;
        let webm = super::record::is_webm(std::path::Path::new(d.trim()));
        ui.horizontal(|ui| {
            let gif = ui
                .selectable_label(!webm, "GIF")
                .on_hover_text("An animated GIF, encoded here as the frames come: plays everywhere.");
            fields::remember_rect(ui.ctx(), "GIF", gif.rect);
            if gif.clicked() {
                *d = "recording.gif".into();
            }
            let w = ui
                .add_enabled(webm_ok, egui::Button::selectable(webm, "WebM"))
                .on_hover_text("A WebM video, encoded by the browser (MediaRecorder) from the same frames, in real time once they are taken.")
                .on_disabled_hover_text("This browser has no WebM recorder (MediaRecorder): record a GIF.");
            fields::remember_rect(ui.ctx(), "WebM", w.rect);
            if w.clicked() {
                *d = "recording.webm".into();
            }
        });
        ui.horizontal(|ui| {
            fields::NumberField::new("every", "Simulation steps between two frames.", 1..=1_000_000u64)
                .show(ui, &mut self.record_settings.every);
            fields::NumberField::new("frames", "The recording stops after this many frames (or at the last step). Each is drawn in the page: 60 take a few seconds.", 1..=2_000usize)
                .show(ui, &mut self.record_settings.frames);
            fields::NumberField::new("frames/s", "How fast the animation plays.", 1.0..=60.0)
                .show(ui, &mut self.record_settings.fps);
        });
        let label = if self.recorder.is_some() {
            "⏹ Stop"
        } else {
            "⏺ Record"
        };
        let b = ui.button(label).on_hover_text(UiCommand::Record.tooltip());
        fields::remember_rect(ui.ctx(), "⏺ Record", b.rect);
        if b.clicked() {
            self.toggle_recording();
        }
        if let Some((ok, msg)) = &self.record_message {
            let col = if *ok {
                Color32::from_rgb(0x40, 0xc0, 0x60)
            } else {
                Color32::from_rgb(0xd0, 0x30, 0x30)
            };
            ui.label(RichText::new(msg).color(col));
        }
    }

    /// Hand `bytes` to the browser as a download (natively files are written instead).
    pub(super) fn web_download(&mut self, name: &str, bytes: &[u8], mime: &str) {
        self.file_message = Some(match self.platform.download(name, bytes, mime) {
            Ok(()) => (true, format!("downloaded {name}")),
            Err(e) => (false, e),
        });
    }

    pub(super) fn file_window_ui(&mut self, ctx: &egui::Context) {
        // Files dropped on the window open as presets (a browser reads them first: they open
        // a frame later).
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        for f in dropped {
            let path = f.path().to_path_buf();
            if !self.platform.read_dropped(f, self.waker.clone()) && !path.as_os_str().is_empty() {
                self.open_preset(&path);
            }
        }
        if cfg!(target_arch = "wasm32") {
            self.web_file_window_ui(ctx);
            return;
        }
        let mut open = self.file_window;
        file_window("Preset file", ctx).open(&mut open).show(ctx, |ui| {
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
                if ui.button("🎓 Open lecture").on_hover_text("Present a lecture: the path's lecture file, or a shipped lecture by name (\"paper\"). PageDown / PageUp move between scenes, N shows the notes, Esc leaves.").clicked() {
                    let name = self.file_path.trim().to_owned();
                    self.file_message = Some(match crate::lecture::LoadedLecture::resolve(&name) {
                        Ok(l) => {
                            let n = l.len();
                            self.start_lecture(l);
                            (true, format!("lecture {name}: {n} scenes; PageDown for the next"))
                        }
                        Err(e) => (false, e),
                    });
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
            style: self.export_style,
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
                        .map(|p| std::path::absolute(p)
                            .unwrap_or(p.clone())
                            .display()
                            .to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            Err(e) => (false, e),
        });
        ok
    }

    /// A file name for the current figure: the preset and the view, e.g. `fig6-escape-rate.svg`.
    fn default_export_name(&self, ext: &str) -> String {
        let view = self.state.view.label().to_lowercase().replace(' ', "-");
        match &self.state.preset {
            Some(p) if !p.is_empty() => format!("{p}-{view}.{ext}"),
            _ => format!("{view}.{ext}"),
        }
    }

    /// Open the desktop's save dialog on its own thread (the window keeps drawing); its answer
    /// is read at the next frames.
    #[cfg(not(target_arch = "wasm32"))]
    fn open_save_dialog(&mut self, ctx: &egui::Context) {
        let current = std::path::PathBuf::from(self.export_path.trim());
        let ext = current
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("svg")
            .to_ascii_lowercase();
        let name = self.default_export_name(&ext);
        let dir = current
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map(std::path::Path::to_path_buf)
            .or_else(|| std::env::current_dir().ok());
        let (tx, rx) = crossbeam_channel::bounded(1);
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("saddlescope-save-dialog".into())
            .spawn(move || {
                let mut d = rfd::FileDialog::new()
                    .set_title("Export figure")
                    .set_file_name(&name)
                    .add_filter("figure", &["svg", "pdf", "png", "csv"]);
                if let Some(dir) = dir {
                    d = d.set_directory(dir);
                }
                let _ = tx.send(d.save_file());
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => self.save_dialog = Some(rx),
            Err(e) => self.export_message = Some((false, format!("cannot open the dialog: {e}"))),
        }
    }

    #[cfg(target_arch = "wasm32")]
    fn open_save_dialog(&mut self, _ctx: &egui::Context) {}

    /// The outcome of the last export.
    pub fn export_message(&self) -> Option<&(bool, String)> {
        self.export_message.as_ref()
    }

    pub(super) fn export_window_ui(&mut self, ctx: &egui::Context) {
        if cfg!(target_arch = "wasm32") {
            self.web_export_window_ui(ctx);
            return;
        }
        let mut open = self.export_window;
        // The file name follows the figure shown (the preset and the view) until the user types
        // or chooses another.
        if self.export_path.trim().is_empty() || self.export_path == self.export_auto_path {
            self.export_path = self.default_export_name("svg");
            self.export_auto_path = self.export_path.clone();
        }
        // The save dialog's answer: export there at once (the dialog asked about replacing).
        if let Some(rx) = &self.save_dialog
            && let Ok(chosen) = rx.try_recv()
        {
            self.save_dialog = None;
            match chosen {
                Some(path) => {
                    self.export_path = path.display().to_string();
                    self.export_figure(&path, self.export_scale, true);
                }
                None => {
                    self.export_message = Some((
                        false,
                        "no file chosen (without a desktop portal no dialog opens: type the path in the field)".into(),
                    ))
                }
            }
        }
        file_window("Export figure", ctx).open(&mut open).show(ctx, |ui| {
            ui.horizontal(|ui| {
                let l = ui.label("file");
                ui.add(egui::TextEdit::singleline(&mut self.export_path).desired_width(280.0))
                    .labelled_by(l.id)
                    .on_hover_text("The extension picks the format: .png (raster), .svg or .pdf (vector, for papers: every glyph a path) or .csv (the data, one table per panel: NAME.csv, NAME-2.csv, …). A relative path is from the folder the app started in; the message gives the full path.");
                let busy = self.save_dialog.is_some();
                if ui
                    .add_enabled(!busy, egui::Button::new("Save as…"))
                    .on_hover_text("Choose where in the desktop's file dialog (the name from the preset and the view); the figure is written there at once.")
                    .clicked()
                {
                    self.open_save_dialog(ui.ctx());
                }
            });
            self.export_options_ui(ui);
            ui.checkbox(&mut self.export_overwrite, "replace the file if it exists");
            if ui.button("Export").on_hover_text(UiCommand::Export.tooltip()).clicked() {
                let path = std::path::PathBuf::from(self.export_path.trim());
                self.export_figure(&path, self.export_scale, self.export_overwrite);
            }
            // The outcome beside the button, where it is seen at 720p.
            message_ui(ui, &self.export_message);
            ui.separator();
            ui.label(RichText::new("Recording the live view (V)").strong());
            ui.horizontal(|ui| {
                let l = ui.label("to");
                ui.add(egui::TextEdit::singleline(&mut self.record_settings.dir).desired_width(240.0))
                    .labelled_by(l.id)
                    .on_hover_text("NAME.gif or NAME.mp4 (H.264 for slides, through ffmpeg) records an animation; any other name is a folder of PNG frames, FOLDER/frame-00000.png, frame-00001.png, …");
                let d = &mut self.record_settings.dir;
                let kind = match RecordOutput::from_path(std::path::Path::new(d.trim())) {
                    RecordOutput::Frames(_) => 0,
                    RecordOutput::Gif(_) => 1,
                    RecordOutput::Mp4(_) => 2,
                };
                let mut chosen = kind;
                egui::ComboBox::from_id_salt("record-format")
                    .selected_text(["PNG frames", "GIF", "MP4"][kind])
                    .show_ui(ui, |ui| {
                        for (k, name) in ["PNG frames", "GIF", "MP4"].into_iter().enumerate() {
                            ui.selectable_value(&mut chosen, k, name);
                        }
                    })
                    .response
                    .on_hover_text("Sets the name's extension: a folder of frames, an animated GIF, or an MP4 slide software plays.");
                if chosen != kind {
                    let stem = std::path::Path::new(d.trim()).with_extension("");
                    let stem = stem.to_string_lossy();
                    *d = match chosen {
                        1 => format!("{stem}.gif"),
                        2 => format!("{stem}.mp4"),
                        _ => stem.into_owned(),
                    };
                }
            });
            ui.horizontal(|ui| {
                fields::NumberField::new("every", "Simulation steps between two frames: the cadence is the simulation's, not the screen's.", 1..=1_000_000u64)
                    .show(ui, &mut self.record_settings.every);
                fields::NumberField::new("frames at most", "The recording stops after this many frames (or at the last step).", 1..=100_000usize)
                    .show(ui, &mut self.record_settings.frames);
            });
            ui.horizontal(|ui| {
                fields::NumberField::new("frame scale", "Image pixels per figure pixel of each frame.", 0.5..=8.0)
                    .speed(0.1)
                    .show(ui, &mut self.record_settings.scale);
                fields::NumberField::new("frames/s", "How fast a GIF or MP4 plays.", 1.0..=60.0)
                    .show(ui, &mut self.record_settings.fps);
            });
            ui.checkbox(&mut self.record_settings.slide, "16:9 slide (1920 × 1080)")
                .on_hover_text("Lay each frame out for a 1920 × 1080 slide (the type as on a 720p page), not the figure's own size.");
            ui.checkbox(&mut self.record_settings.overwrite, "replace the file or the frames already there");
            if let Some((ok, msg)) = &self.record_message {
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

/// A file window, first shown centred below the top bar (not over its buttons, which wrap to
/// a second row in a narrow window).
fn file_window(title: &str, ctx: &egui::Context) -> egui::Window<'static> {
    egui::Window::new(title.to_string())
        .collapsible(false)
        .resizable(false)
        .pivot(egui::Align2::CENTER_TOP)
        .default_pos([ctx.content_rect().center().x, 90.0])
}

/// What the page's figure renderer is doing, when it is not ready: loading (its first use) or
/// failed, and why.
fn renderer_ui(ui: &mut egui::Ui, renderer: &Renderer) {
    match renderer {
        Renderer::Ready => {}
        Renderer::Loading => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("loading the figure renderer (once)…")
                    .on_hover_text("PNG, PDF and SVG outlines are drawn by a second module of the page, fetched the first time an export or a recording needs it, so that the page itself opens sooner. CSV needs none.");
            });
        }
        Renderer::Failed(e) => {
            message_ui(ui, &Some((false, e.clone())));
            let retry = ui.button("↻ Retry").on_hover_text(
                "Fetch the figure renderer again (the page keeps working meanwhile).",
            );
            fields::remember_rect(ui.ctx(), "↻ Retry", retry.rect);
            if retry.clicked() {
                crate::figure::output::retry_renderer();
                ui.ctx().request_repaint();
            }
        }
    }
}

/// The outcome of the last file operation, green or red.
fn message_ui(ui: &mut egui::Ui, message: &Option<(bool, String)>) {
    if let Some((ok, msg)) = message {
        let col = if *ok {
            Color32::from_rgb(0x40, 0xc0, 0x60)
        } else {
            Color32::from_rgb(0xd0, 0x30, 0x30)
        };
        ui.label(RichText::new(msg).color(col));
    }
}

/// The page's address without its fragment (empty off the web, where the fragment alone is
/// what `saddlescope run '#…'` reads).
fn web_base() -> String {
    #[cfg(target_arch = "wasm32")]
    if let Some(w) = web_sys::window()
        && let Ok(href) = w.location().href()
    {
        return href.split('#').next().unwrap_or_default().to_string();
    }
    String::new()
}
