//! The page's memory between visits: the browser's `localStorage` behind eframe's `Storage`
//! trait, so the app remembers its state and export style the same way natively and here
//! (`crate::app::remember_state`). The page does not build eframe's own persistence, which
//! carries RON and egui's memory for ~0.5 MB of download.

/// `window.localStorage`, or nothing where the browser refuses it (private modes, a sandboxed
/// frame): then nothing is remembered, and nothing fails.
pub struct LocalStorage(Option<web_sys::Storage>);

impl LocalStorage {
    pub fn open() -> LocalStorage {
        LocalStorage(web_sys::window().and_then(|w| w.local_storage().ok().flatten()))
    }
}

impl eframe::Storage for LocalStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.as_ref()?.get_item(key).ok().flatten()
    }

    fn set_string(&mut self, key: &str, value: String) {
        if let Some(s) = &self.0
            && s.set_item(key, &value).is_err()
        {
            // A full quota: the state is still in the address and on the screen.
            web_sys::console::warn_1(
                &format!("saddlescope: {key} not kept (storage full?)").into(),
            );
        }
    }

    fn remove_string(&mut self, key: &str) {
        if let Some(s) = &self.0 {
            let _ = s.remove_item(key);
        }
    }

    /// `localStorage` writes at once.
    fn flush(&mut self) {}
}
