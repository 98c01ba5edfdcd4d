//! The native window: eframe's entry point, the state remembered between launches (the
//! browser's entry point, `crate::web`, remembers the same way).

use egui::Ui;

use super::{AppState, SaddlescopeApp};

impl eframe::App for SaddlescopeApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.ui_root(ui);
    }

    fn clear_color(&self, visuals: &egui::Visuals) -> [f32; 4] {
        super::window_clear_color(visuals)
    }

    /// Remember the state between launches (eframe writes it to the platform's app-data
    /// folder, or a browser's local storage); "Paper defaults" in the File window goes back to
    /// the shipped preset.
    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        remember_state(storage, &self.state);
        remember_export_style(storage, &self.export_style);
    }
}

/// The key of the remembered state (versioned: a state of an older layout is not read; v1 was
/// RON, which the page no longer carries).
const STATE_KEY: &str = "saddlescope-state-v2";

/// Keep `value` under `key` as JSON: the format the presets already use, so the page does not
/// carry RON (eframe's own format, ~0.5 MB of its code) for two values.
fn set_json<T: serde::Serialize>(storage: &mut dyn eframe::Storage, key: &str, value: &T) {
    match serde_json::to_string(value) {
        Ok(s) => storage.set_string(key, s),
        Err(e) => eprintln!("saddlescope: {key} not kept: {e}"),
    }
}

/// The value under `key`, if there is one and it reads as a `T`.
fn get_json<T: serde::de::DeserializeOwned>(storage: &dyn eframe::Storage, key: &str) -> Option<T> {
    serde_json::from_str(&storage.get_string(key)?).ok()
}

/// Keep `state` for the next launch.
pub fn remember_state(storage: &mut dyn eframe::Storage, state: &AppState) {
    set_json(storage, STATE_KEY, state);
}

/// The key of the export window's remembered style (kept apart from the state: loading a
/// preset does not change how figures are exported).
const EXPORT_KEY: &str = "saddlescope-export-v2";

/// Keep the export window's choices for the next launch.
pub fn remember_export_style(
    storage: &mut dyn eframe::Storage,
    style: &crate::figure::style::ExportStyle,
) {
    set_json(storage, EXPORT_KEY, style);
}

/// The export window's remembered choices, if any are and they are valid.
pub fn remembered_export_style(
    storage: Option<&dyn eframe::Storage>,
) -> Option<crate::figure::style::ExportStyle> {
    let s: crate::figure::style::ExportStyle = get_json(storage?, EXPORT_KEY)?;
    s.validate().is_ok().then_some(s)
}

/// The remembered state: `Ok(None)` if none is kept, `Err` (why, to show) if one is kept but
/// does not read or its parameters are invalid (a hand-edited or damaged store).
pub fn remembered_state(storage: Option<&dyn eframe::Storage>) -> Result<Option<AppState>, String> {
    let Some(text) = storage.and_then(|s| s.get_string(STATE_KEY)) else {
        return Ok(None);
    };
    let unusable = |why: String| {
        format!("the state kept from the last visit is unusable ({why}): opened the preset instead")
    };
    let state: AppState = serde_json::from_str(&text).map_err(|e| unusable(e.to_string()))?;
    state
        .params
        .validate()
        .map_err(|e| unusable(e.to_string()))?;
    Ok(Some(state))
}

/// Open the window on `preset`, or else on the state remembered from the last launch, or else
/// on Fig. 1-left.
#[cfg(not(target_arch = "wasm32"))]
pub fn run_native(
    preset: Option<&str>,
    lecture: Option<crate::lecture::LoadedLecture>,
) -> Result<(), String> {
    use crate::preset::Preset;
    use crate::sim::worker::Waker;
    use std::sync::Arc;
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
            // The faces before the first frame: eframe starts with none (src/fonts.rs).
            super::install_fonts(&cc.egui_ctx);
            let ctx = cc.egui_ctx.clone();
            let waker: Waker = Arc::new(move || ctx.request_repaint());
            let (state, unusable) = if explicit {
                (None, None)
            } else {
                match remembered_state(cc.storage) {
                    Ok(s) => (s, None),
                    Err(e) => {
                        eprintln!("saddlescope: {e}");
                        (None, Some(e))
                    }
                }
            };
            let mut app = SaddlescopeApp::new(
                state.unwrap_or_else(|| AppState::from_preset(&preset)),
                super::live_threads(),
                waker,
            );
            if let Some(st) = remembered_export_style(cc.storage) {
                app.export_style = st;
            }
            if let Some(e) = unusable {
                app.set_file_message(false, e);
            }
            if let Some(l) = lecture {
                app.start_lecture(l);
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figure::style::{ExportStyle, StyleName};

    /// eframe's storage in memory.
    #[derive(Default)]
    struct Memory(std::collections::HashMap<String, String>);

    impl eframe::Storage for Memory {
        fn get_string(&self, key: &str) -> Option<String> {
            self.0.get(key).cloned()
        }
        fn set_string(&mut self, key: &str, value: String) {
            self.0.insert(key.to_owned(), value);
        }
        fn remove_string(&mut self, key: &str) {
            self.0.remove(key);
        }
        fn flush(&mut self) {}
    }

    #[test]
    fn the_export_windows_choices_come_back_and_a_broken_one_does_not() {
        let mut m = Memory::default();
        assert_eq!(remembered_export_style(Some(&m)), None);
        let st = ExportStyle {
            font_pt: Some(7.0),
            title: true,
            ..ExportStyle::named(StyleName::Column)
        };
        remember_export_style(&mut m, &st);
        assert_eq!(remembered_export_style(Some(&m)), Some(st));
        // An impossible page (stored by hand) is not taken back.
        let bad = ExportStyle {
            size_pt: Some((1.0, 1.0)),
            ..st
        };
        remember_export_style(&mut m, &bad);
        assert_eq!(remembered_export_style(Some(&m)), None);
        eframe::Storage::set_string(&mut m, EXPORT_KEY, "not a style".into());
        assert_eq!(remembered_export_style(Some(&m)), None);
    }

    #[test]
    fn a_kept_state_comes_back_and_a_damaged_one_says_why() {
        use crate::preset::Preset;
        let mut m = Memory::default();
        assert_eq!(remembered_state(Some(&m)), Ok(None));
        assert_eq!(remembered_state(None), Ok(None));
        let mut st = AppState::from_preset(&Preset::builtin("fig4").unwrap());
        st.params.lambda = 1.25;
        remember_state(&mut m, &st);
        let back = remembered_state(Some(&m)).unwrap().unwrap();
        assert_eq!(back.params.lambda, 1.25);
        assert_eq!(back.preset.as_deref(), Some("fig4"));
        // Cut short, as a store filled to its quota or edited by hand can be.
        let text = eframe::Storage::get_string(&m, STATE_KEY).unwrap();
        eframe::Storage::set_string(&mut m, STATE_KEY, text[..text.len() / 2].into());
        let e = remembered_state(Some(&m)).unwrap_err();
        assert!(e.contains("unusable") && e.contains("EOF"), "{e}");
        // Reads, but with a walker count no run can hold.
        st.params.walkers = 0;
        remember_state(&mut m, &st);
        let e = remembered_state(Some(&m)).unwrap_err();
        assert!(e.contains("unusable") && e.contains("walkers"), "{e}");
    }
}
