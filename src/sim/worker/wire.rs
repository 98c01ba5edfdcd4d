//! The live worker run elsewhere: in the page, a Web Worker of its own owns the experiment
//! (the same [`State`] the native thread runs) and the UI thread only sends commands and takes
//! snapshots, as bytes.
//!
//! - [`LiveHost`] is the far side: it takes the commands' bytes, steps and computes the
//!   statistics in slices that leave room for the next message, and posts the events.
//! - [`LiveLink`] is the transport the UI side talks through (`src/web/live.rs` in the page;
//!   [`ThreadLink`] natively, for tests), and [`Remote`] is the near side a [`Worker`] holds.
//! - A snapshot goes out as the change since the one posted before it: the trace and the
//!   records grow at their ends and only their new points travel; parameters and theory only
//!   when they change. The near side rebuilds the whole snapshot, equal to the far side's
//!   (`tests` below), so nothing downstream knows where it was computed.
//! - Flow control: at most [`IN_FLIGHT`] snapshots are posted and not yet taken by the UI (it
//!   acknowledges what it drains); while the UI is behind, a newer snapshot replaces the unsent
//!   one, as the native worker's bounded channel does.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::*;
use crate::model::stationary::StationaryPoint;
use crate::sim::bins::{Histogram, Histogram2d};
use crate::sim::remote::{decode, encode};
use crate::sim::stats::Summary;

/// Snapshots posted and not yet acknowledged, at most.
pub const IN_FLIGHT: u32 = 2;

/// How long the far side computes before it looks at its messages again.
pub const SLICE: Duration = Duration::from_millis(25);

/// While playing, the far side rests at least this share of the time it last computed before
/// its next tick. A tick of a large ensemble takes longer than [`TICK`], and without a rest it
/// held a core without pause, leaving the page and the browser's compositor one core between
/// them. Measured at 10⁶ walkers on two cores: frame interval median 50 → 33 ms (p95 50–67 →
/// 50 ms) for 41 → 33 steps/s. At 10⁵ walkers a tick fits in [`TICK`] and nothing changes.
pub const REST: f64 = 0.5;

/// From the UI to the live worker: a [`Command`] in variants without field names (read with
/// less code), or an acknowledgement.
#[derive(Debug, Serialize, Deserialize)]
pub enum ToLive {
    SetParams(u64, Box<ValidParams>),
    Play,
    Pause,
    Step(u64),
    Reset,
    SetStepsPerFrame(u64),
    Shutdown,
    InjectFault,
    /// The UI took this many snapshots.
    Ack(u32),
}

impl From<Command> for ToLive {
    fn from(c: Command) -> ToLive {
        match c {
            Command::SetParams { generation, params } => ToLive::SetParams(generation, params),
            Command::Play => ToLive::Play,
            Command::Pause => ToLive::Pause,
            Command::Step(n) => ToLive::Step(n),
            Command::Reset => ToLive::Reset,
            Command::SetStepsPerFrame(n) => ToLive::SetStepsPerFrame(n),
            Command::Shutdown => ToLive::Shutdown,
            Command::InjectFault => ToLive::InjectFault,
        }
    }
}

impl ToLive {
    /// The command, or `Err` with an acknowledgement's count.
    fn command(self) -> Result<Command, u32> {
        Ok(match self {
            ToLive::SetParams(generation, params) => Command::SetParams { generation, params },
            ToLive::Play => Command::Play,
            ToLive::Pause => Command::Pause,
            ToLive::Step(n) => Command::Step(n),
            ToLive::Reset => Command::Reset,
            ToLive::SetStepsPerFrame(n) => Command::SetStepsPerFrame(n),
            ToLive::Shutdown => Command::Shutdown,
            ToLive::InjectFault => Command::InjectFault,
            ToLive::Ack(n) => return Err(n),
        })
    }
}

/// From the live worker to the UI.
#[derive(Debug, Serialize, Deserialize)]
pub enum FromLive {
    Snapshot(Box<Delta>),
    Error { generation: u64, message: String },
}

/// A snapshot as the change since the snapshot posted before it (see the module doc).
#[derive(Debug, Serialize, Deserialize)]
pub struct Delta {
    generation: u64,
    /// The parameters, where they differ from the previous snapshot's.
    params: Option<ValidParams>,
    /// The theory (curves, stationary points), where it differs from the previous snapshot's.
    theory: Option<(Option<FractionCurves>, Vec<Row>)>,
    playing: bool,
    finished: bool,
    current: Rec,
    /// The previous snapshot's first `recorded_kept` records, then `recorded`.
    recorded_kept: usize,
    recorded: Vec<Rec>,
    /// The previous snapshot's first `trace_kept` trace points, then `trace`.
    trace_kept: usize,
    trace: Vec<TracePoint>,
    rate: f64,
    /// (walker, w1, w2) after each other: flat numbers read with less code than tuples.
    picks: Vec<f64>,
    /// The cloud is the picks' positions (2-D landscapes) rather than empty.
    cloud: bool,
    /// Each track's (w1, w2) after each other.
    tracks: Vec<Vec<f64>>,
}

/// A [`Record`] without its JSON form's flattened summary: read through serde's buffering, a
/// flattened field compiled its whole subtree a second time into the page's wasm.
#[derive(Debug, Serialize, Deserialize)]
struct Rec {
    summary: Summary,
    histogram: Histogram,
    log10_histogram: Histogram,
    density: Option<Histogram2d>,
}

impl Rec {
    fn of(r: &Record) -> Rec {
        Rec {
            summary: r.summary.clone(),
            histogram: r.histogram.clone(),
            log10_histogram: r.log10_histogram.clone(),
            density: r.density.clone(),
        }
    }

    fn record(self) -> Record {
        Record {
            summary: self.summary,
            histogram: self.histogram,
            log10_histogram: self.log10_histogram,
            density: self.density,
        }
    }
}

/// A stationary point's row whole: [`PointRow`]'s JSON form leaves `w` out, and its verdict
/// follows from the point.
#[derive(Debug, Serialize, Deserialize)]
struct Row {
    w: Option<f64>,
    w1: Option<f64>,
    w2: Option<f64>,
    at: [f64; 2],
    kind: crate::model::stationary::Kind,
    sgd_fixed_point: bool,
    mu: Option<f64>,
    mu_se: Option<f64>,
    on_curve: bool,
}

impl Row {
    fn of(r: &PointRow) -> Row {
        let p = &r.point;
        Row {
            w: r.w,
            w1: r.w1,
            w2: r.w2,
            at: p.w,
            kind: p.kind,
            sgd_fixed_point: p.sgd_fixed_point,
            mu: p.mu,
            mu_se: p.mu_se,
            on_curve: p.on_curve,
        }
    }

    fn row(self) -> PointRow {
        let point = StationaryPoint {
            w: self.at,
            kind: self.kind,
            sgd_fixed_point: self.sgd_fixed_point,
            mu: self.mu,
            mu_se: self.mu_se,
            on_curve: self.on_curve,
        };
        PointRow {
            w: self.w,
            w1: self.w1,
            w2: self.w2,
            verdict: point.verdict(),
            point,
        }
    }
}

/// How many leading items two lists share.
fn shared<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Writes events for the far side's messages, each snapshot as the change since the last.
#[derive(Default)]
pub struct Encoder {
    prev: Option<Arc<Snapshot>>,
}

impl Encoder {
    pub fn encode(&mut self, ev: &Event) -> Vec<u8> {
        let msg = match ev {
            Event::Snapshot(s) => FromLive::Snapshot(Box::new(self.delta(s))),
            Event::Error {
                generation,
                message,
            } => FromLive::Error {
                generation: *generation,
                message: message.clone(),
            },
            // A panic ends the far side before anything is posted; its transport says so.
            Event::Crashed { message } => FromLive::Error {
                generation: u64::MAX,
                message: message.clone(),
            },
        };
        encode(&msg)
    }

    fn delta(&mut self, s: &Arc<Snapshot>) -> Delta {
        let prev = self.prev.replace(s.clone());
        let prev = prev.as_deref();
        let recorded_kept = prev.map_or(0, |p| {
            p.recorded
                .iter()
                .zip(&s.recorded)
                .take_while(|(a, b)| Arc::ptr_eq(a, b) || a == b)
                .count()
        });
        let trace_kept = prev.map_or(0, |p| shared(&p.trace, &s.trace));
        let theory_same =
            prev.is_some_and(|p| p.curves == s.curves && p.stationary == s.stationary);
        Delta {
            generation: s.generation,
            params: prev
                .is_none_or(|p| p.params != s.params)
                .then(|| (*s.params).clone()),
            theory: (!theory_same).then(|| {
                (
                    s.curves.as_deref().cloned(),
                    s.stationary.iter().map(Row::of).collect(),
                )
            }),
            playing: s.playing,
            finished: s.finished,
            current: Rec::of(&s.current),
            recorded_kept,
            recorded: s.recorded[recorded_kept..]
                .iter()
                .map(|r| Rec::of(r))
                .collect(),
            trace_kept,
            trace: s.trace[trace_kept..].to_vec(),
            rate: s.walker_steps_per_second,
            picks: s
                .picks
                .iter()
                .flat_map(|&(i, [x, y])| [i as f64, x, y])
                .collect(),
            cloud: !s.cloud.is_empty(),
            tracks: s.tracks.iter().map(|t| t.as_flattened().to_vec()).collect(),
        }
    }
}

/// Reads the far side's messages back into events, rebuilding each snapshot on the last.
#[derive(Default)]
pub struct Decoder {
    prev: Option<Arc<Snapshot>>,
}

impl Decoder {
    pub fn decode(&mut self, bytes: &[u8]) -> Result<Event, String> {
        match decode::<FromLive>(bytes)? {
            FromLive::Error {
                generation,
                message,
            } => Ok(Event::Error {
                generation,
                message,
            }),
            FromLive::Snapshot(d) => {
                let s = Arc::new(self.rebuild(*d)?);
                self.prev = Some(s.clone());
                Ok(Event::Snapshot(s))
            }
        }
    }

    fn rebuild(&self, d: Delta) -> Result<Snapshot, String> {
        let prev = self.prev.as_deref();
        let missing = || "a snapshot's change came before its first snapshot".to_string();
        let params = match d.params {
            Some(p) => Arc::new(p),
            None => prev.ok_or_else(missing)?.params.clone(),
        };
        let (curves, stationary) = match d.theory {
            Some((c, rows)) => (
                c.map(Arc::new),
                Arc::new(rows.into_iter().map(Row::row).collect()),
            ),
            None => {
                let p = prev.ok_or_else(missing)?;
                (p.curves.clone(), p.stationary.clone())
            }
        };
        let kept = |n: usize, len: usize| {
            (n <= len)
                .then_some(n)
                .ok_or_else(|| format!("a snapshot's change keeps {n} of {len} items"))
        };
        let recorded = {
            let old = prev.map_or(&[][..], |p| &p.recorded[..]);
            let n = kept(d.recorded_kept, old.len())?;
            old[..n]
                .iter()
                .cloned()
                .chain(d.recorded.into_iter().map(|r| Arc::new(r.record())))
                .collect()
        };
        let trace = {
            let old = prev.map_or(&[][..], |p| &p.trace[..]);
            let n = kept(d.trace_kept, old.len())?;
            let mut t = Vec::with_capacity(n + d.trace.len());
            t.extend_from_slice(&old[..n]);
            t.extend(d.trace);
            t
        };
        let picks: Vec<(usize, [f64; 2])> = d
            .picks
            .chunks_exact(3)
            .map(|p| (p[0] as usize, [p[1], p[2]]))
            .collect();
        let cloud = if d.cloud {
            picks.iter().map(|(_, w)| *w).collect()
        } else {
            Vec::new()
        };
        let pairs = |t: Vec<f64>| t.chunks_exact(2).map(|p| [p[0], p[1]]).collect();
        Ok(Snapshot {
            generation: d.generation,
            params,
            playing: d.playing,
            finished: d.finished,
            current: Arc::new(d.current.record()),
            recorded,
            trace: Arc::new(trace),
            walker_steps_per_second: d.rate,
            curves,
            stationary,
            cloud: Arc::new(cloud),
            picks: Arc::new(picks),
            tracks: Arc::new(d.tracks.into_iter().map(pairs).collect()),
        })
    }
}

/// The far side: the experiment, fed the UI's messages and pumped between them.
pub struct LiveHost {
    state: State,
    commands: Sender<Command>,
    events: Receiver<Event>,
    new_params: Arc<AtomicUsize>,
    next_tick: Instant,
    encoder: Encoder,
    in_flight: u32,
    stopped: bool,
}

impl Default for LiveHost {
    fn default() -> Self {
        LiveHost::new()
    }
}

impl LiveHost {
    /// A host with no experiment yet: the first message sets its parameters.
    pub fn new() -> LiveHost {
        let (commands, rx) = crossbeam_channel::unbounded();
        // One event waits at most: a newer snapshot replaces an unsent one in `State`.
        let (tx, events) = crossbeam_channel::bounded(1);
        let new_params = Arc::new(AtomicUsize::new(0));
        let mut state = State::new(rx, tx, Arc::new(|| {}), 1, new_params.clone());
        // The far side has one thread (a Web Worker cannot start more).
        state.stat_threads = 1;
        LiveHost {
            state,
            commands,
            events,
            new_params,
            next_tick: Instant::now(),
            encoder: Encoder::default(),
            in_flight: 0,
            stopped: false,
        }
    }

    /// A message from the UI.
    pub fn receive(&mut self, bytes: &[u8]) -> Result<(), String> {
        match decode::<ToLive>(bytes)?.command() {
            Ok(c) => {
                if matches!(c, Command::SetParams { .. }) {
                    self.new_params.fetch_add(1, Ordering::SeqCst);
                }
                let _ = self.commands.send(c);
            }
            Err(acked) => self.in_flight = self.in_flight.saturating_sub(acked),
        }
        Ok(())
    }

    /// Take the commands, step for at most about `slice` (a tick is cut short there, as in a
    /// frame), and post what is ready. Returns when to pump again: `None` when only a message
    /// can give it work (a command, or an acknowledgement it waits for).
    pub fn pump(&mut self, slice: Duration, post: &mut dyn FnMut(Vec<u8>)) -> Option<Duration> {
        if self.stopped {
            return None;
        }
        let start = Instant::now();
        let st = &mut self.state;
        let next_tick = &mut self.next_tick;
        let alive = coop::with_deadline(slice, || {
            if !st.take_commands() {
                return false;
            }
            st.catch_up();
            st.tick_if_due(next_tick);
            st.flush();
            true
        });
        if !alive {
            self.stopped = true;
            return None;
        }
        while self.in_flight < IN_FLIGHT {
            let Ok(ev) = self.events.try_recv() else {
                // The unsent one, if any, into the channel (now empty) and out.
                self.state.flush();
                match self.events.try_recv() {
                    Ok(ev) => self.post(&ev, post),
                    Err(_) => break,
                }
                continue;
            };
            // A snapshot held back while the UI was behind gives way to the newer one unsent.
            if matches!(ev, Event::Snapshot(_))
                && matches!(self.state.pending, Some(Event::Snapshot(_)))
            {
                continue;
            }
            self.post(&ev, post);
        }
        let waiting = self.state.pending.is_some() || !self.events.is_empty();
        if self.state.catch_up.is_some() {
            Some(Duration::ZERO)
        } else if self.state.playing {
            let rest = start.elapsed().mul_f64(REST);
            Some(
                self.next_tick
                    .saturating_duration_since(Instant::now())
                    .max(rest),
            )
        } else if waiting && self.in_flight < IN_FLIGHT {
            Some(Duration::ZERO)
        } else {
            None
        }
    }

    fn post(&mut self, ev: &Event, post: &mut dyn FnMut(Vec<u8>)) {
        if matches!(ev, Event::Snapshot(_)) {
            self.in_flight += 1;
        }
        post(self.encoder.encode(ev));
    }

    /// Whether a shutdown ended it.
    pub fn stopped(&self) -> bool {
        self.stopped
    }
}

/// The UI side's transport to a [`LiveHost`] elsewhere.
pub trait LiveLink {
    /// Send a message.
    fn post(&self, bytes: Vec<u8>);
    /// The messages that arrived since the last call, oldest first; an `Err` says the far side
    /// stopped, and why. `shown`: the live ensemble is on screen now (a link may wait to start
    /// its far side until it is needed).
    fn take(&self, shown: bool) -> Vec<Result<Vec<u8>, String>>;
}

/// Opens a link to a fresh live host; `waker` is called as its messages arrive.
pub type LinkFactory = Rc<dyn Fn(Waker) -> Result<Box<dyn LiveLink>, String>>;

thread_local! {
    static FACTORY: RefCell<Option<LinkFactory>> = const { RefCell::new(None) };
}

/// Run the live workers started from this thread (by [`Worker::start`]) through links from
/// `factory` (`None`: here again).
pub fn install(factory: Option<LinkFactory>) {
    FACTORY.with(|f| *f.borrow_mut() = factory);
}

pub(super) fn factory() -> Option<LinkFactory> {
    FACTORY.with(|f| f.borrow().clone())
}

/// The near side, held by a [`Worker`] whose experiment runs elsewhere.
pub(super) struct Remote {
    link: Box<dyn LiveLink>,
    decoder: RefCell<Decoder>,
    /// Events read and not yet handed on (by [`Worker::recv_timeout`]).
    unread: RefCell<VecDeque<Event>>,
    stopped: std::cell::Cell<bool>,
}

impl Remote {
    pub(super) fn new(link: Box<dyn LiveLink>) -> Remote {
        Remote {
            link,
            decoder: RefCell::new(Decoder::default()),
            unread: RefCell::new(VecDeque::new()),
            stopped: std::cell::Cell::new(false),
        }
    }

    pub(super) fn send(&self, cmd: Command) {
        if !self.stopped.get() {
            self.link.post(encode(&ToLive::from(cmd)));
        }
    }

    /// Every event that arrived, oldest first; the snapshots among them are acknowledged.
    pub(super) fn drain(&self, shown: bool) -> Vec<Event> {
        let mut out: Vec<Event> = self.unread.borrow_mut().drain(..).collect();
        let mut snapshots = 0;
        for msg in self.link.take(shown) {
            let ev = msg.and_then(|bytes| self.decoder.borrow_mut().decode(&bytes));
            match ev {
                Ok(ev) => {
                    snapshots += u32::from(matches!(ev, Event::Snapshot(_)));
                    out.push(ev);
                }
                Err(message) => {
                    self.stopped.set(true);
                    out.push(Event::Crashed { message });
                    break;
                }
            }
        }
        if snapshots > 0 && !self.stopped.get() {
            self.link.post(encode(&ToLive::Ack(snapshots)));
        }
        out
    }

    /// Put back events read ahead (oldest first).
    pub(super) fn unread(&self, events: impl IntoIterator<Item = Event>) {
        let mut u = self.unread.borrow_mut();
        for ev in events.into_iter().collect::<Vec<_>>().into_iter().rev() {
            u.push_front(ev);
        }
    }

    pub(super) fn is_alive(&self) -> bool {
        !self.stopped.get()
    }
}

/// A [`LiveHost`] on a native thread behind a [`LiveLink`]: the page's protocol, bytes both
/// ways, for tests of the near side. A panic there reaches the UI as the page's trap does.
#[cfg(not(target_arch = "wasm32"))]
pub struct ThreadLink {
    tx: Sender<Vec<u8>>,
    rx: Receiver<Result<Vec<u8>, String>>,
}

#[cfg(not(target_arch = "wasm32"))]
impl ThreadLink {
    pub fn open(waker: Waker) -> ThreadLink {
        let (tx, inbox) = crossbeam_channel::unbounded::<Vec<u8>>();
        let (outbox, rx) = crossbeam_channel::unbounded();
        std::thread::spawn(move || {
            let out = outbox.clone();
            let w = waker.clone();
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
                let mut host = LiveHost::new();
                let mut wait = Some(Duration::ZERO);
                loop {
                    let msg = match wait {
                        Some(d) => match inbox.recv_timeout(d) {
                            Ok(m) => Some(m),
                            Err(RecvTimeoutError::Timeout) => None,
                            Err(RecvTimeoutError::Disconnected) => return,
                        },
                        None => match inbox.recv() {
                            Ok(m) => Some(m),
                            Err(_) => return,
                        },
                    };
                    // Every message that waits, then a pump (as the page's event loop does).
                    for m in msg.into_iter().chain(inbox.try_iter()) {
                        if let Err(e) = host.receive(&m) {
                            let _ = out.send(Err(e));
                            return;
                        }
                    }
                    wait = host.pump(SLICE, &mut |bytes| {
                        let _ = out.send(Ok(bytes));
                        w();
                    });
                    if host.stopped() {
                        return;
                    }
                }
            }));
            if let Err(payload) = run {
                let _ = outbox.send(Err(panic_message(payload.as_ref())));
                waker();
            }
        });
        ThreadLink { tx, rx }
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl LiveLink for ThreadLink {
    fn post(&self, bytes: Vec<u8>) {
        let _ = self.tx.send(bytes);
    }

    fn take(&self, _shown: bool) -> Vec<Result<Vec<u8>, String>> {
        self.rx.try_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noop() -> Waker {
        Arc::new(|| {})
    }

    /// Everything the live view reads of a snapshot, compared field by field.
    fn assert_same(a: &Snapshot, b: &Snapshot) {
        assert_eq!(a.generation, b.generation);
        assert_eq!(a.params, b.params);
        assert_eq!((a.playing, a.finished), (b.playing, b.finished));
        assert_eq!(a.current, b.current);
        let records = |s: &Snapshot| s.recorded.iter().map(|r| (**r).clone()).collect::<Vec<_>>();
        assert_eq!(records(a), records(b));
        assert_eq!(a.trace, b.trace);
        assert_eq!(a.walker_steps_per_second, b.walker_steps_per_second);
        assert_eq!(a.curves, b.curves);
        assert_eq!(a.stationary, b.stationary);
        assert_eq!(
            (&a.cloud, &a.picks, &a.tracks),
            (&b.cloud, &b.picks, &b.tracks)
        );
    }

    fn next(w: &Worker, pred: impl Fn(&Snapshot) -> bool) -> Arc<Snapshot> {
        let end = Instant::now() + Duration::from_secs(30);
        while Instant::now() < end {
            match w.recv_timeout(Duration::from_millis(100)) {
                Some(Event::Snapshot(s)) if pred(&s) => return s,
                Some(Event::Crashed { message }) => panic!("crashed: {message}"),
                _ => {}
            }
        }
        panic!("no matching snapshot within 30 s");
    }

    fn params(preset: &str, walkers: usize) -> ExperimentParams {
        ExperimentParams {
            walkers,
            ..crate::preset::Preset::builtin(preset).unwrap().params
        }
    }

    #[test]
    fn a_worker_behind_a_link_shows_what_the_local_one_shows() {
        // The quadratic (theory curves, records) and the toy network (2-D: cloud, tracks,
        // basins), stepped, rebinned (replayed to the step reached) and changed alike.
        for preset in ["fig1-left", "fig3-left"] {
            let p = params(preset, 700);
            let local = Worker::spawn(p.clone().valid().unwrap(), 1, noop());
            let remote = Worker::remote(
                p.clone().valid().unwrap(),
                0,
                Box::new(ThreadLink::open(noop())),
            );
            let both = |pred: &dyn Fn(&Snapshot) -> bool| {
                let (a, b) = (next(&local, pred), next(&remote, pred));
                assert_same(&a, &b);
                a
            };
            let mut target = both(&|_| true).step();
            for n in [7, 1, 52, 40] {
                target += n;
                local.send(Command::Step(n));
                remote.send(Command::Step(n));
                both(&|s| s.step() == target);
            }
            let mut q = p.clone();
            q.histogram.bins = 17;
            for w in [&local, &remote] {
                w.send(Command::SetParams {
                    generation: 1,
                    params: Box::new(q.clone().valid().unwrap()),
                });
            }
            let s = both(&|s| s.generation == 1);
            assert_eq!(s.step(), 100, "{preset}: replayed to the step reached");
            let r = ExperimentParams { lambda: 0.05, ..q };
            for w in [&local, &remote] {
                w.send(Command::SetParams {
                    generation: 2,
                    params: Box::new(r.clone().valid().unwrap()),
                });
                w.send(Command::Step(30));
            }
            both(&|s| s.generation == 2 && s.step() == 30);
        }
    }

    #[test]
    fn a_worker_behind_a_link_plays_to_the_end() {
        let p = ExperimentParams {
            steps: 3000,
            ..params("fig1-left", 2000)
        };
        let w = Worker::remote(p.valid().unwrap(), 0, Box::new(ThreadLink::open(noop())));
        w.send(Command::SetStepsPerFrame(40));
        w.send(Command::Play);
        let s = next(&w, |s| s.finished);
        assert!(!s.playing);
        let steps: Vec<u64> = s.trace.iter().map(|t| t.step).collect();
        assert!(steps.windows(2).all(|w| w[0] < w[1]), "{steps:?}");
        assert_eq!(steps.last(), Some(&3000));
        let recorded: Vec<u64> = s.recorded.iter().map(|r| r.summary.step).collect();
        let expected: Vec<u64> = p
            .record_steps
            .iter()
            .copied()
            .filter(|&t| t <= 3000)
            .collect();
        assert_eq!(recorded, expected);
    }

    #[test]
    fn the_far_side_waits_for_the_ui_to_take_its_snapshots() {
        let mut host = LiveHost::new();
        let p = params("fig1-left", 500).valid().unwrap();
        for c in [
            Command::SetParams {
                generation: 0,
                params: Box::new(p),
            },
            Command::Play,
        ] {
            host.receive(&encode(&ToLive::from(c))).unwrap();
        }
        let mut posted = Vec::new();
        let end = Instant::now() + Duration::from_millis(300);
        while Instant::now() < end {
            host.pump(SLICE, &mut |b| posted.push(b));
            std::thread::sleep(Duration::from_millis(2));
        }
        // Playing for 300 ms at a tick per 16 ms, none acknowledged: two posted, no more.
        assert_eq!(posted.len(), IN_FLIGHT as usize);
        host.receive(&encode(&ToLive::Ack(2))).unwrap();
        std::thread::sleep(TICK);
        host.pump(SLICE, &mut |b| posted.push(b));
        assert_eq!(posted.len(), 3);
        // What went out reads back in order, the newest at a later step.
        let mut d = Decoder::default();
        let steps: Vec<u64> = posted
            .iter()
            .map(|b| match d.decode(b).unwrap() {
                Event::Snapshot(s) => s.step(),
                ev => panic!("{ev:?}"),
            })
            .collect();
        assert!(steps[2] > steps[1], "{steps:?}");
    }

    #[test]
    fn a_thinned_trace_and_new_theory_travel_whole() {
        let w = Worker::spawn(params("fig1-left", 300).valid().unwrap(), 1, noop());
        w.send(Command::Step(60));
        let s = next(&w, |s| s.step() == 60);
        // As the worker thins a long trace: every other point kept, then a new one.
        let mut thinned = (*s).clone();
        let mut trace: Vec<TracePoint> = s.trace.iter().step_by(2).cloned().collect();
        trace.push(TracePoint {
            step: 61,
            ..s.trace[0].clone()
        });
        thinned.trace = Arc::new(trace);
        thinned.curves = None;
        thinned.recorded.truncate(2);
        let (mut e, mut d) = (Encoder::default(), Decoder::default());
        for snap in [s.clone(), Arc::new(thinned.clone()), s] {
            let Event::Snapshot(back) =
                d.decode(&e.encode(&Event::Snapshot(snap.clone()))).unwrap()
            else {
                panic!("not a snapshot")
            };
            assert_same(&back, &snap);
        }
        // A change that would keep more than there is, is refused, not a panic.
        let mut bad = Encoder::default();
        bad.encode(&Event::Snapshot(Arc::new(thinned)));
        w.send(Command::Step(1));
        let later = bad.encode(&Event::Snapshot(next(&w, |s| s.step() == 61)));
        assert!(Decoder::default().decode(&later).is_err());
    }

    #[test]
    fn a_panic_behind_a_link_is_reported_and_ends_it() {
        let w = Worker::remote(
            params("fig1-left", 100).valid().unwrap(),
            0,
            Box::new(ThreadLink::open(noop())),
        );
        next(&w, |_| true);
        w.send(Command::InjectFault);
        let end = Instant::now() + Duration::from_secs(20);
        let mut message = None;
        while message.is_none() && Instant::now() < end {
            if let Some(Event::Crashed { message: m }) = w.recv_timeout(Duration::from_millis(50)) {
                message = Some(m);
            }
        }
        assert!(message.expect("a crash").contains("fault injected"));
        assert!(!w.is_alive());
    }
}
