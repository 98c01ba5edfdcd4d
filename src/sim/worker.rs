//! The background thread that owns the running experiment.
//!
//! Commands in, events out: the UI sends [`Command`]s over an unbounded channel (they are tiny,
//! at most a few per frame, and the worker drains and coalesces them: the last parameters win)
//! and receives [`Event`]s over a bounded one. Snapshots carry everything the live view draws,
//! computed here, so the UI never touches the walkers; a snapshot the UI has not taken yet is
//! replaced by a newer one instead of queueing. The thread is named, and joined when the
//! [`Worker`] is dropped.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError, TrySendError};
use web_time::{Duration, Instant};

use super::ensemble::{Engine, Ensemble};
use super::params::{ExperimentParams, ValidParams};
use super::stats::{self, Record};
use super::theory::{FractionCurves, PointRow, fraction_curves, typed_points};
use crate::coop::{self, RunMode};

mod state;
pub mod wire;
use serde::{Deserialize, Serialize};
use state::State;

/// Target interval between snapshots while playing (60 per second).
pub const TICK: Duration = Duration::from_millis(16);
/// Quantiles in the live view use at most this many walkers (standard error ≈ 1/sqrt(cap)).
pub const LIVE_QUANTILE_CAP: usize = 20_000;
/// The trace (statistics versus step) is thinned to at most this many points.
pub const MAX_TRACE: usize = 4000;
/// Walkers drawn as a point cloud in the 2-D view.
pub const CLOUD_POINTS: usize = 3000;
/// Walkers whose trajectories are kept in the 2-D view, and the steps each keeps.
pub const TRACKED: usize = 8;
pub const TRACK_LEN: usize = 150;

/// Points of the theory curves sent with each experiment.
pub const THEORY_POINTS: usize = 300;
/// Work between two looks at the command queue, in walker-steps: keeps a tick interruptible.
const CHUNK_WALKER_STEPS: u64 = 4_000_000;

/// The wall time the walker-steps/s readout averages over.
const RATE_WINDOW: Duration = Duration::from_secs(1);

/// From the UI to the worker.
#[derive(Debug)]
pub enum Command {
    /// New parameters: the ensemble restarts from step 0. `generation` is echoed in snapshots.
    SetParams {
        generation: u64,
        params: Box<ValidParams>,
    },
    Play,
    Pause,
    /// Advance this many steps now (and pause).
    Step(u64),
    /// Restart the current experiment from step 0 (same seed, same walkers).
    Reset,
    /// Steps advanced per tick while playing.
    SetStepsPerFrame(u64),
    Shutdown,
    /// Panic inside the worker on purpose: a fault drill that proves a crash is reported and
    /// recoverable (used by the tests; nothing in the UI sends it).
    InjectFault,
}

/// One point of the statistics-versus-step trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TracePoint {
    pub step: u64,
    /// Fraction of all walkers with |w| < θ, per threshold.
    pub fraction_below: Vec<f64>,
    pub diverged: usize,
    pub mean_log_ratio: Option<f64>,
    pub mean_abs_w: Option<f64>,
    pub mean_loss: Option<f64>,
    /// 2-D landscapes: share of all walkers per basin, in `Basin::of` order.
    pub basins: Vec<f64>,
}

/// What the live view draws.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub generation: u64,
    pub params: Arc<ValidParams>,
    pub playing: bool,
    /// The experiment reached `params.steps`.
    pub finished: bool,
    pub current: Arc<Record>,
    /// Records at the `record_steps` reached so far.
    pub recorded: Vec<Arc<Record>>,
    pub trace: Arc<Vec<TracePoint>>,
    /// Measured speed of the last tick (walker-steps per second), 0 when paused.
    pub walker_steps_per_second: f64,
    /// The exact theory of the fraction below each threshold versus step, where it applies.
    pub curves: Option<Arc<FractionCurves>>,
    /// A typed landscape's stationary points with their verdicts at λ (empty otherwise).
    pub stationary: Arc<Vec<PointRow>>,
    /// 2-D landscapes: the positions of up to [`CLOUD_POINTS`] walkers (evenly strided).
    pub cloud: Arc<Vec<[f64; 2]>>,
    /// Up to [`CLOUD_POINTS`] finite walkers, evenly strided, with their numbers: (walker,
    /// (w1, w2)), w2 = 0 in 1-D (to pick a walker to follow by clicking near it).
    pub picks: Arc<Vec<(usize, [f64; 2])>>,
    /// 2-D landscapes: the recent positions of the first [`TRACKED`] walkers, oldest first.
    pub tracks: Arc<Vec<Vec<[f64; 2]>>>,
}

impl Snapshot {
    pub fn step(&self) -> u64 {
        self.current.summary.step
    }
}

/// From the worker to the UI.
#[derive(Clone, Debug)]
pub enum Event {
    Snapshot(Arc<Snapshot>),
    /// Parameters refused (the previous experiment keeps running).
    Error {
        generation: u64,
        message: String,
    },
    /// The worker thread panicked and has stopped; a new [`Worker`] is needed.
    Crashed {
        message: String,
    },
}

/// The text of a panic payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Called after each event is sent (the UI's `request_repaint`; a no-op in tests).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// Where the worker runs (see [`coop`]).
enum Runner {
    Thread(Option<JoinHandle<()>>),
    /// The worker's state, run for a slice of each frame by [`Worker::drain`]; `None` once it
    /// stopped (shut down or crashed).
    InFrame(Box<RefCell<Option<InFrame>>>),
    /// Elsewhere, behind a link (the page's Web Worker: [`wire`]).
    Remote(Box<wire::Remote>),
}

struct InFrame {
    state: State,
    next_tick: Instant,
}

/// Handle to the worker thread (or, in a browser, to the worker run in the UI's frames: the
/// same commands, events and snapshots).
pub struct Worker {
    tx: Sender<Command>,
    rx: Receiver<Event>,
    runner: Runner,
    /// `SetParams` sent and not yet taken: the worker's statistics of an ensemble about to be
    /// replaced give way to it (any other command lets them finish).
    new_params: Arc<AtomicUsize>,
}

impl Worker {
    /// Start the worker on `params` (generation 0, paused), with `threads` stepping threads.
    pub fn spawn(params: ValidParams, threads: usize, waker: Waker) -> Worker {
        Worker::spawn_at(params, 0, threads, waker)
    }

    /// Start the worker on `params` as generation `generation` (used to replace a crashed one
    /// without the UI mistaking its snapshots for stale ones).
    pub fn spawn_at(params: ValidParams, generation: u64, threads: usize, waker: Waker) -> Worker {
        let (tx, cmd_rx) = crossbeam_channel::unbounded();
        let (ev_tx, rx) = crossbeam_channel::bounded(4);
        let (crash_tx, crash_waker) = (ev_tx.clone(), waker.clone());
        let new_params = Arc::new(AtomicUsize::new(0));
        let pending = new_params.clone();
        let runner = match coop::run_mode() {
            RunMode::Threads => Runner::Thread(Some(
                std::thread::Builder::new()
                    .name("saddlescope-sim".into())
                    .spawn(move || {
                        // A panic anywhere in the simulation (the stepping threads included)
                        // ends up here; the UI is told, keeps its state, and can start a new
                        // worker.
                        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            let mut st = State::new(cmd_rx, ev_tx, waker, threads, pending);
                            st.set_params(generation, params);
                            st.run();
                        }));
                        if let Err(payload) = run {
                            let message = panic_message(payload.as_ref());
                            let _ = crash_tx
                                .send_timeout(Event::Crashed { message }, Duration::from_secs(2));
                            crash_waker();
                        }
                    })
                    .expect("spawning the simulation thread"),
            )),
            RunMode::InFrame => {
                let mut state = State::new(cmd_rx, ev_tx, waker, 1, pending);
                state.stat_threads = 1;
                state.set_params(generation, params);
                Runner::InFrame(Box::new(RefCell::new(Some(InFrame {
                    state,
                    next_tick: Instant::now(),
                }))))
            }
        };
        Worker {
            tx,
            rx,
            runner,
            new_params,
        }
    }

    /// Start the worker as [`Worker::spawn_at`] does, or, where a link is installed
    /// ([`wire::install`]: the page), elsewhere behind one; the UI uses this.
    pub fn start(params: ValidParams, generation: u64, threads: usize, waker: Waker) -> Worker {
        if let Some(factory) = wire::factory() {
            match factory(waker.clone()) {
                Ok(link) => return Worker::remote(params, generation, link),
                Err(e) => eprintln!("saddlescope: {e}; the simulation runs in the page's frames"),
            }
        }
        Worker::spawn_at(params, generation, threads, waker)
    }

    /// A worker on the far side of `link`, started on `params` as generation `generation`.
    pub fn remote(params: ValidParams, generation: u64, link: Box<dyn wire::LiveLink>) -> Worker {
        let (tx, _) = crossbeam_channel::unbounded();
        let (_, rx) = crossbeam_channel::bounded(1);
        let remote = wire::Remote::new(link);
        remote.send(Command::SetParams {
            generation,
            params: Box::new(params),
        });
        Worker {
            tx,
            rx,
            runner: Runner::Remote(Box::new(remote)),
            new_params: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Run the in-frame worker for a slice of `budget`: take the commands, step a tick when it
    /// is due, send the snapshot; ask for another frame while playing. A panic stops it as a
    /// crashed thread would (a browser aborts on a panic instead).
    fn pump(&self, budget: Duration) {
        let Runner::InFrame(cell) = &self.runner else {
            return;
        };
        let mut slot = cell.borrow_mut();
        let Some(w) = slot.as_mut() else {
            return;
        };
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            coop::with_deadline(budget, || {
                if !w.state.take_commands() {
                    return false;
                }
                w.state.catch_up();
                w.state.tick_if_due(&mut w.next_tick);
                w.state.flush();
                if w.state.playing || w.state.pending.is_some() || w.state.catch_up.is_some() {
                    (w.state.waker)();
                }
                true
            })
        }));
        match run {
            Ok(true) => {}
            Ok(false) => *slot = None,
            Err(payload) => {
                let message = panic_message(payload.as_ref());
                let (tx, waker) = (w.state.tx.clone(), w.state.waker.clone());
                *slot = None;
                let _ = tx.try_send(Event::Crashed { message });
                waker();
            }
        }
    }

    pub fn send(&self, cmd: Command) {
        if let Runner::Remote(r) = &self.runner {
            return r.send(cmd);
        }
        if matches!(cmd, Command::SetParams { .. }) {
            self.new_params.fetch_add(1, Ordering::SeqCst);
        }
        // A send fails only once the worker has exited; the UI then shows the last snapshot.
        let _ = self.tx.send(cmd);
    }

    /// Every event that arrived since the last call, oldest first; never blocks and computes
    /// nothing.
    pub fn drain(&self) -> Vec<Event> {
        if let Runner::Remote(r) = &self.runner {
            return r.drain(true);
        }
        self.rx.try_iter().collect()
    }

    /// As [`Worker::drain`], a worker that runs in frames first simulating for up to half of
    /// what is left of this frame's budget (the job of the view shown gets the rest; one unit
    /// of work once it is spent). A worker on a thread only drains.
    /// `shown`: the live ensemble is on screen (a worker elsewhere may wait for that, or for
    /// idle cores, to start: see [`wire::LiveLink::take`]).
    pub fn compute_and_drain(&self, shown: bool) -> Vec<Event> {
        if let Runner::Remote(r) = &self.runner {
            return r.drain(shown);
        }
        self.pump(coop::frame_slice(coop::FRAME_BUDGET / 2));
        self.drain()
    }

    /// Block up to `timeout` for the next event (for tests and the command line).
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Event> {
        let end = Instant::now() + timeout;
        match &self.runner {
            Runner::Thread(_) => return self.rx.recv_timeout(timeout).ok(),
            Runner::InFrame(_) => {}
            Runner::Remote(r) => loop {
                let mut evs = r.drain(true).into_iter();
                if let Some(ev) = evs.next() {
                    r.unread(evs);
                    return Some(ev);
                }
                // A page's UI thread cannot wait: it looks once.
                if cfg!(target_arch = "wasm32") || Instant::now() >= end || !r.is_alive() {
                    return None;
                }
                std::thread::sleep(Duration::from_millis(1));
            },
        }
        loop {
            if let Ok(ev) = self.rx.try_recv() {
                return Some(ev);
            }
            if Instant::now() >= end || !self.is_alive() {
                return None;
            }
            self.pump(coop::FRAME_BUDGET);
        }
    }

    /// Commands sent and not yet taken by the worker (it drains the queue at every look, so
    /// this stays near zero however fast commands come).
    pub fn queued_commands(&self) -> usize {
        self.tx.len()
    }

    /// Whether the thread is still running.
    pub fn is_alive(&self) -> bool {
        match &self.runner {
            Runner::Thread(h) => h.as_ref().is_some_and(|h| !h.is_finished()),
            Runner::InFrame(cell) => cell.borrow().is_some(),
            Runner::Remote(r) => r.is_alive(),
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.tx.send(Command::Shutdown);
        if let Runner::Thread(h) = &mut self.runner
            && let Some(h) = h.take()
        {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next_snapshot(w: &Worker, pred: impl Fn(&Snapshot) -> bool) -> Arc<Snapshot> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(Event::Snapshot(s)) = w.recv_timeout(Duration::from_millis(200))
                && pred(&s)
            {
                return s;
            }
        }
        panic!("no matching snapshot within 20 s");
    }

    #[test]
    fn protocol_start_step_change_stop() {
        let p = ExperimentParams {
            walkers: 500,
            ..ExperimentParams::default()
        };
        let w = Worker::spawn(p.valid().unwrap(), 1, Arc::new(|| {}));
        let s = next_snapshot(&w, |_| true);
        assert_eq!((s.generation, s.step()), (0, 0));
        w.send(Command::Step(7));
        let s = next_snapshot(&w, |s| s.step() == 7);
        assert_eq!(s.current.summary.walkers, 500);
        // Change λ: the next snapshot of the new generation is at step 0 with the new λ.
        let q = ExperimentParams { lambda: 0.3, ..p };
        w.send(Command::SetParams {
            generation: 1,
            params: Box::new(q.valid().unwrap()),
        });
        let s = next_snapshot(&w, |s| s.generation == 1);
        assert_eq!(s.step(), 0);
        assert_eq!(s.params.lambda, 0.3);
        // Play to the end: it stops by itself at `steps` and says so.
        w.send(Command::SetStepsPerFrame(400));
        w.send(Command::Play);
        let s = next_snapshot(&w, |s| s.finished);
        assert_eq!(s.step(), 1000);
        assert!(!s.playing);
        assert_eq!(s.recorded.len(), 6);
        drop(w); // joins
    }

    #[test]
    fn a_new_binning_replays_the_run_to_the_step_it_had_reached() {
        let p = ExperimentParams {
            walkers: 500,
            ..ExperimentParams::default()
        };
        let w = Worker::spawn(p.clone().valid().unwrap(), 1, Arc::new(|| {}));
        w.send(Command::Step(60));
        let before = next_snapshot(&w, |s| s.step() == 60);
        let mut q = p.clone();
        (q.histogram.bins, q.histogram.lo, q.histogram.hi) = (10, -0.5, 0.5);
        w.send(Command::SetParams {
            generation: 1,
            params: Box::new(q.clone().valid().unwrap()),
        });
        let s = next_snapshot(&w, |s| s.generation == 1);
        // The same walkers at the same step (seeded), binned anew.
        assert_eq!(s.step(), 60);
        assert_eq!(s.current.summary, before.current.summary);
        assert_eq!(s.current.histogram.counts.len(), 10);
        let recorded: Vec<u64> = s.recorded.iter().map(|r| r.summary.step).collect();
        assert_eq!(recorded, [0, 5, 10, 20, 50]);
        assert!(s.recorded.iter().all(|r| r.histogram.counts.len() == 10));
        // Any other change starts the experiment again.
        let r = ExperimentParams { lambda: 0.3, ..q };
        w.send(Command::SetParams {
            generation: 2,
            params: Box::new(r.valid().unwrap()),
        });
        assert_eq!(next_snapshot(&w, |s| s.generation == 2).step(), 0);
    }

    #[test]
    fn a_panic_in_the_worker_is_reported_not_lost() {
        let w = Worker::spawn(
            ExperimentParams {
                walkers: 100,
                ..ExperimentParams::default()
            }
            .valid()
            .unwrap(),
            1,
            Arc::new(|| {}),
        );
        next_snapshot(&w, |_| true);
        w.send(Command::InjectFault);
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut crashed = None;
        while Instant::now() < deadline && crashed.is_none() {
            if let Some(Event::Crashed { message }) = w.recv_timeout(Duration::from_millis(100)) {
                crashed = Some(message);
            }
        }
        assert!(crashed.expect("a Crashed event").contains("fault injected"));
        while w.is_alive() {
            std::thread::sleep(Duration::from_millis(10));
        }
        drop(w); // joining a finished thread
        let again = Worker::spawn_at(
            ExperimentParams {
                walkers: 100,
                ..ExperimentParams::default()
            }
            .valid()
            .unwrap(),
            7,
            1,
            Arc::new(|| {}),
        );
        assert_eq!(next_snapshot(&again, |_| true).generation, 7);
    }

    #[test]
    fn a_burst_of_parameter_changes_ends_on_the_last() {
        let w = Worker::spawn(
            ExperimentParams {
                walkers: 2000,
                ..ExperimentParams::default()
            }
            .valid()
            .unwrap(),
            1,
            Arc::new(|| {}),
        );
        w.send(Command::Play);
        for g in 1..=1000u64 {
            let p = ExperimentParams {
                walkers: 2000,
                lambda: 0.001 * g as f64,
                ..ExperimentParams::default()
            };
            w.send(Command::SetParams {
                generation: g,
                params: Box::new(p.valid().unwrap()),
            });
        }
        let s = next_snapshot(&w, |s| s.generation == 1000);
        assert!((s.params.lambda - 1.0).abs() < 1e-12);
        assert!(w.is_alive());
    }

    #[test]
    fn only_new_parameters_cut_the_statistics_short() {
        // Other commands arriving while it plays (here a stream of SetStepsPerFrame) leave
        // every step's statistics in the trace: no gap from 0 to the last step.
        let w = Worker::spawn(
            ExperimentParams {
                walkers: 300_000,
                steps: 1_000_000,
                ..ExperimentParams::default()
            }
            .valid()
            .unwrap(),
            1,
            Arc::new(|| {}),
        );
        next_snapshot(&w, |_| true);
        w.send(Command::Play);
        for _ in 0..200 {
            w.send(Command::SetStepsPerFrame(1));
            std::thread::sleep(Duration::from_millis(1));
        }
        w.send(Command::Pause);
        let s = next_snapshot(&w, |s| !s.playing);
        assert!(s.step() > 3, "{}", s.step());
        let steps: Vec<u64> = s.trace.iter().map(|p| p.step).collect();
        assert_eq!(steps, (0..=s.step()).collect::<Vec<_>>());
        // New parameters are taken (the counter returns to 0 after a burst).
        for g in 1..=20u64 {
            w.send(Command::SetParams {
                generation: g,
                params: Box::new(
                    ExperimentParams {
                        walkers: 1000,
                        ..ExperimentParams::default()
                    }
                    .valid()
                    .unwrap(),
                ),
            });
        }
        next_snapshot(&w, |s| s.generation == 20);
        assert_eq!(w.new_params.load(Ordering::SeqCst), 0);
    }
}
