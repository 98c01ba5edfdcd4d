//! Recording the live view from the window: numbered PNG frames, a GIF or an MP4 (see
//! [`crate::export::anim`]) at a fixed simulation cadence. While it records, the app drives the
//! simulation itself — one `Step(K)` after each frame is handed over — so frame k shows step
//! s₀ + k·K whatever the machine's speed, and each frame is the view's figure (what the window
//! draws), rasterised and encoded on a writer thread so the window never waits for it.

use std::path::PathBuf;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};

use crate::export::anim::{FrameFormat, FrameSink, RecordOutput};
use crate::figure::Figure;
use crate::figure::output::Renderer;
use crate::sim::worker::Command;

/// Where and how often to record (the export window's settings).
#[derive(Clone, Debug, PartialEq)]
pub struct RecordSettings {
    /// A folder for PNG frames, or a NAME.gif / NAME.mp4 file.
    pub dir: String,
    /// Simulation steps between frames.
    pub every: u64,
    /// Frames at most.
    pub frames: usize,
    /// Image pixels per figure pixel.
    pub scale: f64,
    /// Lay each frame out for a 1920 × 1080 slide (else the figure's own size).
    pub slide: bool,
    /// Frames per second of a GIF or MP4.
    pub fps: f64,
    /// Replace what is there.
    pub overwrite: bool,
}

impl Default for RecordSettings {
    fn default() -> Self {
        RecordSettings {
            // The page records a GIF it downloads (frames encoded in the frame: fewer).
            dir: if cfg!(target_arch = "wasm32") {
                "recording.gif".into()
            } else {
                "frames".into()
            },
            every: 1,
            frames: if cfg!(target_arch = "wasm32") {
                60
            } else {
                1000
            },
            scale: 1.0,
            slide: false,
            fps: 25.0,
            overwrite: false,
        }
    }
}

/// Whether the page is asked for a WebM (NAME.webm).
pub fn is_webm(name: &std::path::Path) -> bool {
    name.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("webm"))
}

/// A 16:9 slide's frame, in pixels.
pub const SLIDE: (u32, u32) = (1920, 1080);

/// What the writer thread reports.
enum Written {
    /// One frame taken (or why not).
    Frame(Result<(), String>),
    /// The file complete, or the folder's last frame written (or why not).
    Finished(Result<PathBuf, String>),
}

/// A recording under way.
pub struct Recorder {
    pub dir: PathBuf,
    pub every: u64,
    pub frames: usize,
    /// Frames handed to the writer.
    pub handed: usize,
    /// Frames on disk.
    pub written: usize,
    /// The step the next frame is due at.
    pub next_step: u64,
    /// The simulation generation it records (a change of parameters ends it).
    pub generation: u64,
    /// The file or folder complete.
    finished: bool,
    /// The page: frames encoded in the frame into a GIF kept in memory (no thread there), and
    /// the bytes to download once complete.
    in_page: Option<FrameSink>,
    pub download: Option<(String, Vec<u8>)>,
    /// The page's encoder failed.
    failed: Option<String>,
    tx: Option<Sender<Figure>>,
    done: Receiver<Written>,
    handle: Option<JoinHandle<()>>,
}

/// Frames handed over but not yet written, at most: the simulation waits beyond this.
const IN_FLIGHT: usize = 3;

impl Recorder {
    /// Start recording into `s.dir`, the first frame at `step`; refuses a folder that cannot be
    /// made or whose first frame is there without consent to replace it.
    pub fn start(s: &RecordSettings, step: u64, generation: u64) -> Result<Recorder, String> {
        let dir = PathBuf::from(s.dir.trim());
        if s.every == 0 || s.frames == 0 {
            return Err("record every ≥ 1 step, at least 1 frame".into());
        }
        let size = s.slide.then_some(SLIDE);
        let format = FrameFormat {
            // A slide's type as large as on a 720-pixel-high page, times the scale asked.
            scale: s.scale * FrameFormat::scale_for(size),
            size,
            fps: s.fps,
            overwrite: s.overwrite,
        };
        let (done_tx, done) = crossbeam_channel::unbounded();
        let mut rec = Recorder {
            dir: dir.clone(),
            every: s.every,
            frames: s.frames,
            handed: 0,
            written: 0,
            next_step: step,
            generation,
            finished: false,
            in_page: None,
            download: None,
            failed: None,
            tx: None,
            done,
            handle: None,
        };
        if cfg!(target_arch = "wasm32") {
            // A page has no folders and no threads: a GIF encoded frame by frame, downloaded
            // (NAME.webm: the GIF re-encoded by the browser, see `Platform::webm_from_gif`).
            let ext = if is_webm(&dir) { "webm" } else { "gif" };
            let name = dir
                .with_extension(ext)
                .file_name()
                .map_or(format!("recording.{ext}"), |n| {
                    n.to_string_lossy().into_owned()
                });
            rec.in_page = Some(FrameSink::gif_in_memory(&name, format)?);
            rec.dir = PathBuf::from(name);
            return Ok(rec);
        }
        let mut sink = FrameSink::new(RecordOutput::from_path(&dir), format)?;
        let (tx, rx) = crossbeam_channel::bounded::<Figure>(IN_FLIGHT);
        let handle = std::thread::Builder::new()
            .name("saddlescope-record".into())
            .spawn(move || {
                for fig in rx {
                    let r = sink.push(&fig).map(|_| ());
                    let failed = r.is_err();
                    let _ = done_tx.send(Written::Frame(r));
                    if failed {
                        return;
                    }
                }
                let _ = done_tx.send(Written::Finished(sink.finish()));
            })
            .map_err(|e| format!("cannot start the frame writer: {e}"))?;
        rec.tx = Some(tx);
        rec.handle = Some(handle);
        Ok(rec)
    }

    /// Take what the writer finished; an error ends the recording.
    pub fn collect(&mut self) -> Result<(), String> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        for w in self.done.try_iter() {
            match w {
                Written::Frame(r) => {
                    r?;
                    self.written += 1;
                }
                Written::Finished(r) => {
                    self.dir = r?;
                    self.finished = true;
                }
            }
        }
        Ok(())
    }

    /// Whether another frame may be handed over now.
    pub fn ready(&self) -> bool {
        (self.tx.is_some() || self.in_page.is_some())
            && self.handed < self.frames
            && self.handed - self.written < IN_FLIGHT
    }

    /// Hand over the frame due now; `false` if the recording is complete afterwards.
    pub fn hand(&mut self, fig: Figure) -> bool {
        if let Some(sink) = &mut self.in_page {
            // Encoded here, in the frame (a page has no thread for it).
            if let Err(e) = sink.push(&fig) {
                self.failed = Some(e);
                return false;
            }
            self.handed += 1;
            self.written += 1;
            self.next_step += self.every;
        } else if let Some(tx) = &self.tx {
            let _ = tx.send(fig);
            self.handed += 1;
            self.next_step += self.every;
        }
        self.handed < self.frames
    }

    /// No more frames: the writer finishes what it has.
    pub fn finish(&mut self) {
        self.tx = None;
        if let Some(sink) = self.in_page.take() {
            match sink.finish_bytes() {
                Ok(Some(bytes)) => {
                    self.download = Some((self.dir.display().to_string(), bytes));
                    self.finished = true;
                }
                Ok(None) => self.finished = true,
                Err(e) => self.failed = Some(e),
            }
        }
    }

    /// Whether everything handed over is on disk and no more will come.
    pub fn is_done(&self) -> bool {
        self.tx.is_none() && self.finished
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// The app's side of a recording: starting and stopping it, driving it frame by frame, and
/// saying how it ended.
impl super::SaddlescopeApp {
    /// Whether a recording is under way, and its frames on disk.
    pub fn recording(&self) -> Option<usize> {
        self.recorder.as_ref().map(|r| r.written)
    }

    /// The outcome of the last recording: (success, message).
    pub fn record_message(&self) -> Option<&(bool, String)> {
        self.record_message.as_ref()
    }

    /// Start recording the live view with the current settings, or stop the recording.
    pub fn toggle_recording(&mut self) {
        if let Some(r) = &mut self.recorder {
            r.finish();
            return;
        }
        if std::mem::take(&mut self.record_after_renderer) {
            self.set_record_message(false, "recording called off".into());
            return;
        }
        let Some(s) = self.latest.clone() else {
            self.set_record_message(false, "nothing to record yet".into());
            return;
        };
        if !self.state.view.is_live() {
            self.set_record_message(
                false,
                format!(
                    "{} computes to an end: record the histogram or the 2-D view",
                    self.state.view.label()
                ),
            );
            return;
        }
        // Asking again after a failed load fetches the renderer again.
        if matches!(self.renderer(), Renderer::Failed(_)) {
            crate::figure::output::retry_renderer();
        }
        match self.renderer() {
            Renderer::Ready => {}
            Renderer::Loading => {
                self.record_after_renderer = true;
                self.set_record_message(
                    true,
                    "loading the figure renderer (once): the recording starts when it is here"
                        .into(),
                );
                return;
            }
            Renderer::Failed(e) => {
                self.set_record_message(false, e);
                return;
            }
        }
        self.worker.send(Command::Pause);
        match Recorder::start(&self.record_settings, s.step(), self.generation) {
            Ok(r) => {
                self.record_message = None;
                self.recorder = Some(r);
            }
            Err(e) => self.set_record_message(false, e),
        }
    }

    /// Whether the figure renderer (PNG, PDF, SVG outlines, animation frames) can run now: in
    /// the page its first use starts loading it, and the frame after it arrives is asked for.
    pub(super) fn renderer(&self) -> Renderer {
        let waker = self.waker.clone();
        crate::figure::output::renderer(move || waker())
    }

    /// Hand a recording's GIF to the browser to re-encode as WebM and download (the page only).
    fn web_webm(&mut self, name: String, gif: Vec<u8>) -> Result<String, String> {
        let fps = self.record_settings.fps;
        self.platform
            .webm_from_gif(&name, gif, fps, self.waker.clone())?;
        Ok(format!("recorded; encoding {name} in real time…"))
    }

    /// The page's WebM encoder finished: say so.
    fn poll_webm(&mut self) {
        if let Some(outcome) = self.platform.take_webm_outcome() {
            match outcome {
                Ok(name) => self.set_record_message(true, format!("downloaded {name}")),
                Err(e) => self.set_record_message(false, e),
            }
        }
    }

    /// The outcome of a recording: kept (scripts read it) and shown in the status area.
    fn set_record_message(&mut self, ok: bool, msg: String) {
        self.status.push(ok, msg.clone());
        self.record_message = Some((ok, msg));
    }

    /// Drive a recording: when the frame's step is in, hand the figure drawn to the writer and
    /// ask the simulation for the next K steps.
    pub(super) fn record_tick(&mut self, ctx: &egui::Context) {
        self.poll_webm();
        if self.record_after_renderer && self.renderer() != Renderer::Loading {
            self.record_after_renderer = false;
            // A failed load is said, not retried: only a press of V or ⏺ Record asks again.
            match self.renderer() {
                Renderer::Failed(e) => self.set_record_message(false, e),
                _ => self.toggle_recording(),
            }
        }
        let Some(rec) = &mut self.recorder else {
            return;
        };
        ctx.request_repaint_after(std::time::Duration::from_millis(30));
        let outcome = match rec.collect() {
            Err(e) => Some((false, e)),
            Ok(()) if rec.is_done() => Some((
                true,
                format!(
                    "recorded {} in {}",
                    crate::figure::format::count(rec.written as f64, "frame"),
                    rec.dir.display()
                ),
            )),
            Ok(()) => None,
        };
        if let Some((ok, msg)) = outcome {
            // The page's recording: the GIF goes to the browser's downloads, or to the
            // browser's WebM encoder first.
            let mut msg = msg;
            if let Some((name, bytes)) = self.recorder.as_mut().and_then(|r| r.download.take()) {
                if is_webm(std::path::Path::new(&name)) {
                    msg = match self.web_webm(name, bytes) {
                        Ok(m) => m,
                        Err(e) => {
                            self.set_record_message(false, e);
                            self.recorder = None;
                            return;
                        }
                    };
                } else {
                    self.web_download(&name, &bytes, "image/gif");
                }
            }
            self.set_record_message(ok, msg);
            self.recorder = None;
            return;
        }
        let Some(s) = self.latest.clone() else {
            return;
        };
        if s.generation != rec.generation {
            rec.finish();
            self.set_record_message(false, "stopped: the parameters changed".into());
            return;
        }
        if s.playing {
            self.worker.send(Command::Pause);
        }
        if s.step() > rec.next_step {
            rec.finish();
            return;
        }
        if rec.ready() && s.step() == rec.next_step {
            let Some(fig) = self.current_figure() else {
                return;
            };
            let Some(rec) = &mut self.recorder else {
                return;
            };
            let more = rec.hand(fig);
            if more && s.step() < s.params.steps {
                self.worker.send(Command::Step(rec.every));
            } else {
                rec.finish();
            }
        }
    }
}
