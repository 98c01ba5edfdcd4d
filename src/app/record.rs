//! Recording the live view from the window: numbered PNG frames at a fixed simulation cadence.
//! While it records, the app drives the simulation itself — one `Step(K)` after each frame is
//! handed over — so frame k shows step s₀ + k·K whatever the machine's speed, and each frame is
//! the view's figure (what the window draws), rasterised on a writer thread so the window
//! never waits for PNG encoding.

use std::path::PathBuf;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};

use crate::export::record::{frame_path, write_frame};
use crate::figure::Figure;

/// Where and how often to record (the export window's settings).
#[derive(Clone, Debug, PartialEq)]
pub struct RecordSettings {
    pub dir: String,
    /// Simulation steps between frames.
    pub every: u64,
    /// Frames at most.
    pub frames: usize,
    /// PNG pixels per SVG pixel.
    pub scale: f64,
    /// Replace frames already in the folder.
    pub overwrite: bool,
}

impl Default for RecordSettings {
    fn default() -> Self {
        RecordSettings {
            dir: "frames".into(),
            every: 1,
            frames: 1000,
            scale: 1.0,
            overwrite: false,
        }
    }
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
    tx: Option<Sender<(usize, Figure)>>,
    done: Receiver<Result<PathBuf, String>>,
    handle: Option<JoinHandle<()>>,
}

/// Frames handed over but not yet written, at most: the simulation waits beyond this.
const IN_FLIGHT: usize = 3;

impl Recorder {
    /// Start recording into `s.dir`, the first frame at `step`; refuses a folder that cannot be
    /// made or whose first frame is there without consent to replace it.
    pub fn start(s: &RecordSettings, step: u64, generation: u64) -> Result<Recorder, String> {
        let dir = PathBuf::from(s.dir.trim());
        if cfg!(target_arch = "wasm32") {
            return Err(
                "recording frames to a folder needs the desktop app; export a frame with Ctrl+E"
                    .into(),
            );
        }
        if s.every == 0 || s.frames == 0 {
            return Err("record every ≥ 1 step, at least 1 frame".into());
        }
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
        if !s.overwrite && frame_path(&dir, 0).exists() {
            return Err(format!(
                "{}: frames are there already; choose another folder or allow replacing them",
                dir.display()
            ));
        }
        let (tx, rx) = crossbeam_channel::bounded::<(usize, Figure)>(IN_FLIGHT);
        let (done_tx, done) = crossbeam_channel::unbounded();
        let (wdir, scale, overwrite) = (dir.clone(), s.scale, s.overwrite);
        let handle = std::thread::Builder::new()
            .name("saddlescope-record".into())
            .spawn(move || {
                for (k, fig) in rx {
                    let r = write_frame(&fig, &wdir, k, scale, overwrite);
                    let failed = r.is_err();
                    let _ = done_tx.send(r);
                    if failed {
                        return;
                    }
                }
            })
            .map_err(|e| format!("cannot start the frame writer: {e}"))?;
        Ok(Recorder {
            dir,
            every: s.every,
            frames: s.frames,
            handed: 0,
            written: 0,
            next_step: step,
            generation,
            tx: Some(tx),
            done,
            handle: Some(handle),
        })
    }

    /// Take what the writer finished; an error ends the recording.
    pub fn collect(&mut self) -> Result<(), String> {
        for r in self.done.try_iter() {
            r?;
            self.written += 1;
        }
        Ok(())
    }

    /// Whether another frame may be handed over now.
    pub fn ready(&self) -> bool {
        self.tx.is_some() && self.handed < self.frames && self.handed - self.written < IN_FLIGHT
    }

    /// Hand over the frame due now; `false` if the recording is complete afterwards.
    pub fn hand(&mut self, fig: Figure) -> bool {
        if let Some(tx) = &self.tx {
            let _ = tx.send((self.handed, fig));
            self.handed += 1;
            self.next_step += self.every;
        }
        self.handed < self.frames
    }

    /// No more frames: the writer finishes what it has.
    pub fn finish(&mut self) {
        self.tx = None;
    }

    /// Whether everything handed over is on disk and no more will come.
    pub fn is_done(&self) -> bool {
        self.tx.is_none() && self.written == self.handed
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
