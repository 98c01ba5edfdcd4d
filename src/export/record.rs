//! Recording a live view at a fixed simulation cadence — numbered PNG frames, a GIF or an MP4
//! (see [`super::anim`]): frame k shows the ensemble at step k·K, whatever the speed of the
//! machine, and each frame is the view's figure (the one the window draws), rasterised. Used by
//! `saddlescope record` and, one frame at a time, by the app's recorder.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::figure::Figure;
use crate::files;
use crate::preset::Preset;
use crate::sim::worker::{Command, Event, Snapshot, Worker};

use super::render::{self, ViewData};

pub use super::anim::frame_path;
use super::anim::{FrameFormat, FrameSink, RecordOutput};

/// What a recording writes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RecordSpec {
    /// Frames at most (fewer if the run ends first).
    pub frames: usize,
    /// Simulation steps between two frames.
    pub every: u64,
    /// Size, scale, frame rate, and whether to replace what is there.
    pub format: FrameFormat,
}

impl RecordSpec {
    pub fn validate(&self) -> Result<(), String> {
        if self.frames == 0 || self.frames > 100_000 {
            return Err(format!("frames = {}: 1 to 100 000", self.frames));
        }
        if self.every == 0 {
            return Err("every = 0: at least one step between frames".into());
        }
        self.format.validate()
    }
}

/// Write one frame: `fig` as PNG at `scale` to frame `k` of `dir`.
pub fn write_frame(
    fig: &Figure,
    dir: &Path,
    k: usize,
    scale: f64,
    overwrite: bool,
) -> Result<PathBuf, String> {
    let path = frame_path(dir, k);
    let png = fig.to_png(scale)?;
    files::write_bytes(&path, &png, overwrite).map_err(|e| e.to_string())?;
    Ok(path)
}

/// Record `preset` (a live view) headless into `out`: frame 0 at step 0, then one every
/// `spec.every` steps, until `spec.frames` frames or the last step. Returns the frames taken.
pub fn record_headless(
    preset: &Preset,
    spec: &RecordSpec,
    out: RecordOutput,
    threads: usize,
) -> Result<usize, String> {
    spec.validate()?;
    if !preset.view.is_live() {
        return Err(format!(
            "{} computes to an end and has no frames to record; record a live view (histogram or 2-D landscape)",
            preset.view.label()
        ));
    }
    // Refuse before any work what cannot be written.
    let mut sink = FrameSink::new(out, spec.format)?;
    let params = preset.params.valid().map_err(|e| e.to_string())?;
    let steps = params.steps;
    let w = Worker::spawn(params, threads.max(1), Arc::new(|| {}));
    let mut snap = next(&w, |_| true)?;
    for k in 0..spec.frames {
        let fig = render::figure(preset, &ViewData::Live(snap.clone()));
        sink.push(&fig)?;
        if snap.step() >= steps || k + 1 == spec.frames {
            break;
        }
        let target = (snap.step() + spec.every).min(steps);
        w.send(Command::Step(target - snap.step()));
        snap = next(&w, |s| s.step() >= target)?;
    }
    w.send(Command::Shutdown);
    let n = sink.frames();
    sink.finish()?;
    Ok(n)
}

/// The next snapshot satisfying `pred`.
fn next(w: &Worker, pred: impl Fn(&Snapshot) -> bool) -> Result<Arc<Snapshot>, String> {
    loop {
        match w.recv_timeout(Duration::from_secs(600)) {
            Some(Event::Snapshot(s)) if pred(&s) => return Ok(s),
            Some(Event::Snapshot(_)) => {}
            Some(Event::Error { message, .. }) => return Err(message),
            Some(Event::Crashed { message }) => {
                return Err(format!("the simulation crashed: {message}"));
            }
            None => return Err("no snapshot from the simulation in 10 minutes".into()),
        }
    }
}
