//! Recording a live view as numbered PNG frames at a fixed simulation cadence: frame k shows
//! the ensemble at step k·K, whatever the speed of the machine, and each frame is the view's
//! figure (the one the window draws), rasterised. Used by `saddlescope record` and, one frame at
//! a time, by the app's recorder.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::figure::Figure;
use crate::files;
use crate::preset::Preset;
use crate::sim::worker::{Command, Event, Snapshot, Worker};

use super::render::{self, ViewData};

/// The file of frame `k` in `dir`: `frame-00000.png`, `frame-00001.png`, …
pub fn frame_path(dir: &Path, k: usize) -> PathBuf {
    dir.join(format!("frame-{k:05}.png"))
}

/// What a recording writes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RecordSpec {
    /// Frames at most (fewer if the run ends first).
    pub frames: usize,
    /// Simulation steps between two frames.
    pub every: u64,
    /// PNG pixels per SVG pixel.
    pub scale: f64,
    /// Replace frames already in the folder.
    pub overwrite: bool,
}

impl RecordSpec {
    pub fn validate(&self) -> Result<(), String> {
        if self.frames == 0 || self.frames > 100_000 {
            return Err(format!("frames = {}: 1 to 100 000", self.frames));
        }
        if self.every == 0 {
            return Err("every = 0: at least one step between frames".into());
        }
        if !(self.scale.is_finite() && (0.1..=16.0).contains(&self.scale)) {
            return Err(format!("scale = {}: 0.1 to 16", self.scale));
        }
        Ok(())
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

/// Record `preset` (a live view) headless: frame 0 at step 0, then one every `spec.every` steps,
/// until `spec.frames` frames or the last step. Returns the frames written.
pub fn record_headless(
    preset: &Preset,
    spec: &RecordSpec,
    dir: &Path,
    threads: usize,
) -> Result<Vec<PathBuf>, String> {
    spec.validate()?;
    if !preset.view.is_live() {
        return Err(format!(
            "{} computes to an end and has no frames to record; record a live view (histogram or 2-D landscape)",
            preset.view.label()
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
    // Refuse before any work if a frame is there and may not be replaced.
    if !spec.overwrite && frame_path(dir, 0).exists() {
        return Err(files::WriteError::Exists {
            path: frame_path(dir, 0),
        }
        .to_string());
    }
    let params = preset.params.valid().map_err(|e| e.to_string())?;
    let steps = params.steps;
    let w = Worker::spawn(params, threads.max(1), Arc::new(|| {}));
    let mut written = Vec::new();
    let mut snap = next(&w, |_| true)?;
    for k in 0..spec.frames {
        let fig = render::figure(preset, &ViewData::Live(snap.clone()));
        written.push(write_frame(&fig, dir, k, spec.scale, spec.overwrite)?);
        if snap.step() >= steps || k + 1 == spec.frames {
            break;
        }
        let target = (snap.step() + spec.every).min(steps);
        w.send(Command::Step(target - snap.step()));
        snap = next(&w, |s| s.step() >= target)?;
    }
    w.send(Command::Shutdown);
    Ok(written)
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
