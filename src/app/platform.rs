//! What the app asks of the platform it runs on, behind one trait: the entry point hands the app
//! its platform ([`SaddlescopeApp::set_platform`](super::SaddlescopeApp::set_platform); the
//! page's `crate::web` gives the browser's), so the app never imports an entry point and a
//! test can stand in for a browser. Natively the app writes files itself: [`Desktop`] has no
//! downloads, picker or WebM encoder, and says so.

use egui::DroppedFileHandle;

use crate::sim::worker::Waker;

pub trait Platform {
    /// Offer `bytes` as a download called `name` (a browser's downloads).
    fn download(&self, name: &str, bytes: &[u8], mime: &str) -> Result<(), String>;

    /// Open a file picker for a preset; the file read arrives at the entry point, which opens
    /// it, and `waker` asks for that frame.
    fn pick_preset_file(&self, waker: Waker) -> Result<(), String>;

    /// Read a file dropped on the window as a preset, as [`Platform::pick_preset_file`] does;
    /// false where the platform leaves it to the app (natively it has a path to open).
    fn read_dropped(&self, file: DroppedFileHandle, waker: Waker) -> bool;

    /// Whether recordings may be WebM (a browser's MediaRecorder encodes them).
    fn records_webm(&self) -> bool;

    /// Re-encode a recorded GIF as WebM and download it as `name`; the outcome arrives through
    /// [`Platform::take_webm_outcome`], and `waker` asks for the frame that reads it.
    fn webm_from_gif(&self, name: &str, gif: Vec<u8>, fps: f64, waker: Waker)
    -> Result<(), String>;

    /// How the last [`Platform::webm_from_gif`] ended (the file downloaded, or why not), once.
    fn take_webm_outcome(&self) -> Option<Result<String, String>>;
}

/// The native window's platform: files are written where the user says, so nothing here.
pub struct Desktop;

impl Platform for Desktop {
    fn download(&self, name: &str, _: &[u8], _: &str) -> Result<(), String> {
        Err(format!(
            "{name}: there is no browser to download to; save to a path instead"
        ))
    }

    fn pick_preset_file(&self, _: Waker) -> Result<(), String> {
        Err("there is no browser file picker here; type the preset's path".into())
    }

    fn read_dropped(&self, _: DroppedFileHandle, _: Waker) -> bool {
        false
    }

    fn records_webm(&self) -> bool {
        false
    }

    fn webm_from_gif(&self, name: &str, _: Vec<u8>, _: f64, _: Waker) -> Result<(), String> {
        Err(format!(
            "{name}: WebM is recorded in the browser (here: NAME.gif or NAME.mp4)"
        ))
    }

    fn take_webm_outcome(&self) -> Option<Result<String, String>> {
        None
    }
}
