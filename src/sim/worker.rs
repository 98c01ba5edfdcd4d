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
#[derive(Clone, Debug, PartialEq)]
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
        if matches!(cmd, Command::SetParams { .. }) {
            self.new_params.fetch_add(1, Ordering::SeqCst);
        }
        // A send fails only once the worker has exited; the UI then shows the last snapshot.
        let _ = self.tx.send(cmd);
    }

    /// Every event that arrived since the last call, oldest first; never blocks and computes
    /// nothing.
    pub fn drain(&self) -> Vec<Event> {
        self.rx.try_iter().collect()
    }

    /// As [`Worker::drain`], a worker that runs in frames first simulating for up to half of
    /// what is left of this frame's budget (the job of the view shown gets the rest; one unit
    /// of work once it is spent). A worker on a thread only drains.
    pub fn compute_and_drain(&self) -> Vec<Event> {
        self.pump(coop::frame_slice(coop::FRAME_BUDGET / 2));
        self.drain()
    }

    /// Block up to `timeout` for the next event (for tests and the command line).
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Event> {
        let Runner::InFrame(_) = &self.runner else {
            return self.rx.recv_timeout(timeout).ok();
        };
        let end = Instant::now() + timeout;
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

struct State {
    rx: Receiver<Command>,
    /// See [`Worker::new_params`]; decremented as each `SetParams` is taken.
    new_params: Arc<AtomicUsize>,
    tx: Sender<Event>,
    waker: Waker,
    threads: usize,
    /// Threads for a snapshot's statistics: every core. A burst of a few milliseconds per
    /// snapshot, short beside the UI's frame; the stepping keeps to `threads`.
    stat_threads: usize,
    generation: u64,
    params: Arc<ValidParams>,
    ensemble: Option<Ensemble>,
    playing: bool,
    steps_per_frame: u64,
    recorded: Vec<Arc<Record>>,
    trace: Vec<TracePoint>,
    pending: Option<Event>,
    rate: f64,
    /// (time, step) of the ticks of the last [`RATE_WINDOW`], for the rate.
    window: std::collections::VecDeque<(Instant, u64)>,
    /// The record computed by the last `observe`.
    current: Option<Arc<Record>>,
    curves: Option<Arc<FractionCurves>>,
    stationary: Arc<Vec<PointRow>>,
    /// The step a rebinned run is being replayed to.
    catch_up: Option<u64>,
}

impl State {
    fn new(
        rx: Receiver<Command>,
        tx: Sender<Event>,
        waker: Waker,
        threads: usize,
        new_params: Arc<AtomicUsize>,
    ) -> State {
        State {
            rx,
            new_params,
            tx,
            waker,
            threads,
            stat_threads: coop::available_threads().max(threads),
            generation: 0,
            params: Arc::new(
                ExperimentParams::default()
                    .valid()
                    .expect("the default parameters are valid"),
            ),
            ensemble: None,
            playing: false,
            steps_per_frame: 1,
            recorded: Vec::new(),
            trace: Vec::new(),
            pending: None,
            rate: 0.0,
            window: std::collections::VecDeque::new(),
            current: None,
            curves: None,
            stationary: Arc::new(Vec::new()),
            catch_up: None,
        }
    }

    fn run(&mut self) {
        let mut next_tick = Instant::now();
        loop {
            if !self.take_commands() {
                return;
            }
            self.catch_up();
            self.tick_if_due(&mut next_tick);
            self.flush();
            // Sleep until the next tick, a command, or a retry of an unsent snapshot.
            let wait = if self.catch_up.is_some() {
                Some(Duration::ZERO)
            } else if self.playing {
                Some(next_tick.saturating_duration_since(Instant::now()))
            } else if self.pending.is_some() {
                Some(Duration::from_millis(10))
            } else {
                None
            };
            let cmd = match wait {
                Some(d) => match self.rx.recv_timeout(d) {
                    Ok(c) => Some(c),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                },
                None => match self.rx.recv() {
                    Ok(c) => Some(c),
                    Err(_) => return,
                },
            };
            match cmd {
                Some(Command::Shutdown) => return,
                Some(Command::SetParams { generation, params }) => {
                    self.took_params();
                    self.set_params(generation, *params)
                }
                Some(c) => self.handle(c),
                None => {}
            }
        }
    }

    /// Everything queued, coalesced: only the last SetParams builds an ensemble. `false` on a
    /// shutdown (or when the UI is gone).
    fn take_commands(&mut self) -> bool {
        let mut latest_params = None;
        loop {
            match self.rx.try_recv() {
                Ok(Command::SetParams { generation, params }) => {
                    self.took_params();
                    latest_params = Some((generation, params))
                }
                Ok(Command::Shutdown) | Err(TryRecvError::Disconnected) => return false,
                Ok(cmd) => {
                    if let Some((g, p)) = latest_params.take() {
                        self.set_params(g, *p);
                    }
                    self.handle(cmd);
                }
                Err(TryRecvError::Empty) => break,
            }
        }
        if let Some((g, p)) = latest_params {
            self.set_params(g, *p);
        }
        true
    }

    /// A tick of simulation when one is due.
    fn tick_if_due(&mut self, next_tick: &mut Instant) {
        if self.playing && Instant::now() >= *next_tick {
            *next_tick = Instant::now() + TICK;
            self.tick();
        }
    }

    fn took_params(&self) {
        let _ = self
            .new_params
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    }

    fn handle(&mut self, cmd: Command) {
        match cmd {
            Command::SetParams { generation, params } => self.set_params(generation, *params),
            Command::Play => {
                if self.at_end() {
                    self.restart();
                }
                self.playing = true;
                self.snapshot();
            }
            Command::Pause => {
                self.playing = false;
                self.rate = 0.0;
                self.window.clear();
                self.snapshot();
            }
            Command::Step(n) => {
                self.playing = false;
                self.rate = 0.0;
                self.window.clear();
                self.advance(n);
                self.snapshot();
            }
            Command::Reset => {
                self.restart();
                self.snapshot();
            }
            Command::SetStepsPerFrame(n) => self.steps_per_frame = n.max(1),
            Command::Shutdown => {}
            Command::InjectFault => panic!("fault injected into the simulation thread"),
        }
    }

    fn at_end(&self) -> bool {
        self.ensemble
            .as_ref()
            .is_some_and(|e| e.step() >= self.params.steps)
    }

    fn set_params(&mut self, generation: u64, params: ValidParams) {
        // The theory curves (about 10 ms of exact binomial laws at the default thresholds) are
        // computed beside the new ensemble, not after it: the first snapshot has both.
        let curves = || {
            (
                fraction_curves(&params, THEORY_POINTS).map(Arc::new),
                Arc::new(typed_points(&params).unwrap_or_default()),
            )
        };
        let ensemble = || Ensemble::with_threads(&params, Engine::Auto, self.stat_threads);
        let (e, curves) = if self.stat_threads == 1 {
            (ensemble(), curves())
        } else {
            let (e, curves) = std::thread::scope(|s| {
                let curves = s.spawn(curves);
                (ensemble(), curves.join())
            });
            match curves {
                Ok(c) => (e, c),
                Err(payload) => std::panic::resume_unwind(payload),
            }
        };
        // A new binning of the same experiment (histogram ranges, bins): the seeded run is
        // replayed to the step it had reached, so its histograms come back at that step.
        let reached = self
            .ensemble
            .as_ref()
            .map_or(0, |e| e.step())
            .max(self.catch_up.unwrap_or(0));
        let rebinned = {
            let mut old = (**self.params).clone();
            old.histogram = params.histogram;
            old == *params
        };
        self.generation = generation;
        (self.curves, self.stationary) = curves;
        self.params = Arc::new(params);
        self.install(e);
        self.catch_up = (rebinned && reached > 0).then_some(reached.min(self.params.steps));
        if self.catch_up.is_none() {
            self.snapshot();
            // Out now, before a due tick would step the new ensemble and compute its
            // statistics again: the change shows a frame sooner.
            self.flush();
        }
    }

    /// Step toward the step a rebinned run is replayed to (see `set_params`); a snapshot once
    /// it is there. Gives way to waiting commands like any other stepping.
    fn catch_up(&mut self) {
        let Some(target) = self.catch_up else {
            return;
        };
        let step = self.ensemble.as_ref().map_or(target, |e| e.step());
        if step < target {
            self.advance(target - step);
        }
        if self.ensemble.as_ref().is_none_or(|e| e.step() >= target) {
            self.catch_up = None;
            self.snapshot();
            self.flush();
        }
    }

    fn restart(&mut self) {
        let e = Ensemble::with_threads(&self.params, Engine::Auto, self.stat_threads);
        self.install(e);
    }

    fn install(&mut self, mut e: Ensemble) {
        if !e.w2().is_empty() {
            e.set_tracking(TRACKED, TRACK_LEN);
        }
        self.recorded.clear();
        self.trace.clear();
        self.current = None;
        self.rate = 0.0;
        self.window.clear();
        self.ensemble = Some(e);
        self.observe();
    }

    /// Advance up to `n` steps, stopping at record steps (to record them) and at the end;
    /// return early when a command is waiting, so that no command (Shutdown included) waits
    /// for more than one chunk of work.
    fn advance(&mut self, n: u64) {
        let Some(e) = self.ensemble.as_mut() else {
            return;
        };
        let target = (e.step() + n).min(self.params.steps);
        let chunk = (CHUNK_WALKER_STEPS / e.len().max(1) as u64).max(1);
        while self.ensemble.as_ref().is_some_and(|e| e.step() < target) {
            let e = self.ensemble.as_mut().expect("checked above");
            let next_record = self
                .params
                .record_steps
                .iter()
                .copied()
                .find(|&s| s > e.step())
                .unwrap_or(u64::MAX);
            let stop = target.min(next_record).min(e.step() + chunk);
            e.advance(stop - e.step(), self.threads);
            if stop == next_record || stop == target {
                self.observe();
            }
            // In a frame: the frame's slice is used up (the rest of the tick is dropped).
            if !self.rx.is_empty() || coop::out_of_time() {
                break;
            }
        }
    }

    /// Record the current step if it is a record step, and add a trace point.
    fn observe(&mut self) {
        let Some(e) = self.ensemble.as_ref() else {
            return;
        };
        let t = e.step();
        // New parameters waiting (a λ drag) make these statistics moot: give up, and let their
        // ensemble show — except at a record step, kept for good.
        let is_record = self.params.record_steps.contains(&t);
        let new_params = &self.new_params;
        let stop = || !is_record && new_params.load(Ordering::SeqCst) > 0;
        let Some(rec) = stats::record_unless(e, Some(LIVE_QUANTILE_CAP), self.stat_threads, &stop)
        else {
            return;
        };
        let rec = Arc::new(rec);
        if is_record && self.recorded.last().is_none_or(|r| r.summary.step < t) {
            self.recorded.push(rec.clone());
        }
        let s = &rec.summary;
        self.current = Some(rec.clone());
        if self.trace.last().is_none_or(|p| p.step < t) {
            self.trace.push(TracePoint {
                step: t,
                fraction_below: s.fraction_below.clone(),
                diverged: s.diverged,
                mean_log_ratio: s.mean_log_ratio,
                mean_abs_w: s.mean_abs_w,
                mean_loss: s.mean_loss,
                basins: s.basins.iter().map(|b| b.fraction).collect(),
            });
            if self.trace.len() > MAX_TRACE {
                let last = self.trace.pop();
                let mut k = 0;
                self.trace.retain(|_| {
                    k += 1;
                    k % 2 == 1
                });
                self.trace.extend(last);
            }
        }
    }

    fn tick(&mut self) {
        self.advance(self.steps_per_frame);
        // Walker-steps actually simulated per second of wall time, over the last second of
        // ticks (not the speed of one burst: at 2000 walkers a step takes microseconds, but
        // only one step a frame is played).
        let now = Instant::now();
        let step = self.ensemble.as_ref().map_or(0, |e| e.step());
        self.window.push_back((now, step));
        while self
            .window
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) > RATE_WINDOW)
        {
            self.window.pop_front();
        }
        if let (Some((t0, s0)), Some((t1, s1))) = (self.window.front(), self.window.back()) {
            let secs = t1.duration_since(*t0).as_secs_f64();
            if secs > 0.0 {
                self.rate = (s1 - s0) as f64 * self.params.walkers as f64 / secs;
            }
        }
        if self.at_end() {
            self.playing = false;
        }
        let stale = self.current.as_ref().map(|r| r.summary.step)
            != self.ensemble.as_ref().map(|e| e.step());
        if stale && self.new_params.load(Ordering::SeqCst) > 0 {
            // The statistics gave way to new parameters: their ensemble is what shows next.
            return;
        }
        self.snapshot();
    }

    fn snapshot(&mut self) {
        let Some(e) = self.ensemble.as_ref() else {
            return;
        };
        let current = match &self.current {
            Some(r) if r.summary.step == e.step() => r.clone(),
            _ => Arc::new(stats::record_parallel(
                e,
                Some(LIVE_QUANTILE_CAP),
                self.stat_threads,
            )),
        };
        let picks = picks(e);
        let snap = Snapshot {
            generation: self.generation,
            params: self.params.clone(),
            playing: self.playing,
            finished: e.step() >= self.params.steps,
            current,
            recorded: self.recorded.clone(),
            trace: Arc::new(self.trace.clone()),
            walker_steps_per_second: self.rate,
            curves: self.curves.clone(),
            stationary: self.stationary.clone(),
            cloud: Arc::new(if e.w2().is_empty() {
                Vec::new()
            } else {
                picks.iter().map(|(_, w)| *w).collect()
            }),
            picks: Arc::new(picks),
            tracks: Arc::new(
                e.tracks()
                    .iter()
                    .map(|t| t.iter().copied().collect())
                    .collect(),
            ),
        };
        // An unsent snapshot is superseded; an unsent error gets one more chance to go out
        // first (the UI drains every frame, so the channel is rarely full).
        if matches!(self.pending, Some(Event::Error { .. })) {
            self.flush();
        }
        self.pending = Some(Event::Snapshot(Arc::new(snap)));
    }

    fn flush(&mut self) {
        if let Some(ev) = self.pending.take() {
            match self.tx.try_send(ev) {
                Ok(()) => (self.waker)(),
                Err(TrySendError::Full(ev)) => self.pending = Some(ev),
                Err(TrySendError::Disconnected(_)) => {}
            }
        }
    }
}

/// Up to [`CLOUD_POINTS`] finite walkers with their numbers, evenly strided.
fn picks(e: &Ensemble) -> Vec<(usize, [f64; 2])> {
    let stride = e.len().div_ceil(CLOUD_POINTS).max(1);
    (0..e.len())
        .step_by(stride)
        .map(|i| (i, [e.w1()[i], e.w2().get(i).copied().unwrap_or(0.0)]))
        .filter(|(_, p)| p[0].is_finite() && p[1].is_finite())
        .collect()
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
