//! Work run elsewhere: units of the background jobs (a few cells of a phase diagram, a grid's
//! theory layers, one λ of the loss sweep, one optimizer's curve, the escape-rate runs) as
//! self-contained [`Task`]s, sent as bytes to a pool of workers and answered as bytes.
//!
//! In the page the pool is Web Workers, each an instance of the same wasm module
//! (`src/web/workers.rs`); the UI thread only hands tasks out and takes the answers in. Where
//! no pool is installed (the native app and command line, which have threads; a page whose
//! workers did not start) the jobs run as before. Tasks and answers are CBOR (self-describing
//! binary: every f64 exact, NaN and ∞ kept, the parameters' serde defaults honoured), and the
//! answers come back as transferred buffers.
//!
//! A worker computes exactly what the same unit computes in process, so results do not depend
//! on where they ran (`tests/remote.rs`).

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::task::{Context, Poll};

use crossbeam_channel::{Receiver, Sender};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::escape_rate::{EscapeRateOutput, RateVsLambdaSpec, RateVsStepSpec};
use super::loss_sweep::{LossPoint, LossSweepSpec};
use super::optimizers::{OptimizerCurve, OptimizerEntry, OptimizerSpec};
use super::params::ExperimentParams;
use super::sweep::SweepSpec;

pub mod cells;

/// A unit of work a worker runs from its bytes alone.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(from = "Wire", into = "Wire")]
pub enum Task {
    /// Cells (column, row) of a phase diagram → (escape fraction, diverged fraction) each.
    SweepCells {
        base: ExperimentParams,
        spec: SweepSpec,
        cells: Vec<(usize, usize)>,
    },
    /// A phase diagram's theory layers (μ per cell, the exact map, the μ = 0 lines).
    SweepTheory {
        base: ExperimentParams,
        spec: SweepSpec,
    },
    /// A phase diagram's theory layers without the μ = 0 line where it is sampled
    /// ([`super::sweep::mu_zero_frame`]): its rows go out as [`Task::MuZeroRows`].
    SweepTheoryButMuZero {
        base: ExperimentParams,
        spec: SweepSpec,
    },
    /// The μ samples of rows `rows.0..rows.1` of a phase diagram's μ = 0 sampling.
    MuZeroRows {
        base: ExperimentParams,
        spec: SweepSpec,
        rows: (usize, usize),
    },
    /// One λ (the `index`-th) of the loss-versus-λ sweep.
    LossPoint {
        base: ExperimentParams,
        spec: LossSweepSpec,
        lambda: f64,
        index: usize,
    },
    /// One optimizer's curve; progress is the fraction of its steps done.
    Optimizer {
        base: ExperimentParams,
        spec: OptimizerSpec,
        entry: OptimizerEntry,
    },
    /// Fig. 5 and Fig. 6's runs.
    EscapeRate {
        base: ExperimentParams,
        by_step: RateVsStepSpec,
        by_lambda: RateVsLambdaSpec,
    },
}

/// [`Task`] as it travels: variants without field names, whose reading compiles to less code
/// (no field names to match; the page's wasm: −22 kB).
#[derive(Serialize, Deserialize)]
enum Wire {
    SweepCells(ExperimentParams, SweepSpec, Vec<(usize, usize)>),
    SweepTheory(ExperimentParams, SweepSpec),
    SweepTheoryButMuZero(ExperimentParams, SweepSpec),
    MuZeroRows(ExperimentParams, SweepSpec, (usize, usize)),
    LossPoint(ExperimentParams, LossSweepSpec, f64, usize),
    Optimizer(ExperimentParams, OptimizerSpec, OptimizerEntry),
    EscapeRate(ExperimentParams, RateVsStepSpec, RateVsLambdaSpec),
}

impl From<Task> for Wire {
    fn from(t: Task) -> Wire {
        match t {
            Task::SweepCells { base, spec, cells } => Wire::SweepCells(base, spec, cells),
            Task::SweepTheory { base, spec } => Wire::SweepTheory(base, spec),
            Task::SweepTheoryButMuZero { base, spec } => Wire::SweepTheoryButMuZero(base, spec),
            Task::MuZeroRows { base, spec, rows } => Wire::MuZeroRows(base, spec, rows),
            Task::LossPoint {
                base,
                spec,
                lambda,
                index,
            } => Wire::LossPoint(base, spec, lambda, index),
            Task::Optimizer { base, spec, entry } => Wire::Optimizer(base, spec, entry),
            Task::EscapeRate {
                base,
                by_step,
                by_lambda,
            } => Wire::EscapeRate(base, by_step, by_lambda),
        }
    }
}

impl From<Wire> for Task {
    fn from(w: Wire) -> Task {
        match w {
            Wire::SweepCells(base, spec, cells) => Task::SweepCells { base, spec, cells },
            Wire::SweepTheory(base, spec) => Task::SweepTheory { base, spec },
            Wire::SweepTheoryButMuZero(base, spec) => Task::SweepTheoryButMuZero { base, spec },
            Wire::MuZeroRows(base, spec, rows) => Task::MuZeroRows { base, spec, rows },
            Wire::LossPoint(base, spec, lambda, index) => Task::LossPoint {
                base,
                spec,
                lambda,
                index,
            },
            Wire::Optimizer(base, spec, entry) => Task::Optimizer { base, spec, entry },
            Wire::EscapeRate(base, by_step, by_lambda) => Task::EscapeRate {
                base,
                by_step,
                by_lambda,
            },
        }
    }
}

impl Task {
    /// Whether the task may run for long (seconds): cancelling it while it runs stops its
    /// worker rather than waiting for it.
    pub fn is_long(&self) -> bool {
        !matches!(self, Task::SweepCells { .. })
    }
}

/// What a task's computation answers: its value, `None` after a cancel, or why it failed.
pub type Answer<T> = Result<Option<T>, String>;

/// What comes back from a worker about one task.
#[derive(Debug)]
pub enum Event {
    /// Fraction of the task done.
    Progress(f32),
    /// The task's answer, encoded; `Err` when the worker itself failed (a panic, bad bytes).
    Done(Result<Vec<u8>, String>),
}

/// Encode a value as CBOR.
pub fn encode<T: Serialize + ?Sized>(v: &T) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec fails only on a value serde cannot represent (none here).
    ciborium::into_writer(v, &mut out).expect("a task or answer is serialisable");
    out
}

/// Decode a value encoded by [`encode`].
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    ciborium::from_reader(bytes).map_err(|e| format!("a worker's message could not be read: {e}"))
}

/// Run an encoded task here and encode its answer: what a worker does with a message.
/// `progress` gets the fraction done, at most every few tens of ms.
pub fn execute(task: &[u8], progress: &mut dyn FnMut(f32)) -> Result<Vec<u8>, String> {
    let task: Task = decode(task)?;
    let never = AtomicBool::new(false);
    let err = |e: super::params::ParamError| e.to_string();
    Ok(match task {
        Task::SweepCells { base, spec, cells } => {
            let mut out = Vec::with_capacity(cells.len());
            for (i, &(c, r)) in cells.iter().enumerate() {
                let p = super::sweep::cell_params(&base, &spec, c, r).valid();
                let cell = match p {
                    Ok(p) => {
                        crate::coop::block_on(super::sweep::run_cell(&p, spec.threshold, &never))
                    }
                    Err(e) => return Ok(encode(&Answer::<()>::Err(e.to_string()))),
                };
                out.push(cell.unwrap_or((f64::NAN, f64::NAN)));
                progress((i + 1) as f32 / cells.len() as f32);
            }
            encode(&Answer::Ok(Some(out)))
        }
        Task::SweepTheory { base, spec } => {
            // One thread: a Web Worker cannot start threads of its own.
            let layers = super::sweep::theory_layers(&base, &spec, 1, &never);
            encode(&Answer::Ok(Some(layers)))
        }
        Task::SweepTheoryButMuZero { base, spec } => {
            let layers = super::sweep::theory_layers_but_mu_zero(&base, &spec);
            encode(&Answer::Ok(Some(layers)))
        }
        Task::MuZeroRows { base, spec, rows } => match super::sweep::mu_zero_frame(&base, &spec) {
            Some(frame) if rows.0 <= rows.1 && rows.1 <= frame.rows => {
                let values = crate::coop::block_on(crate::model::theory::mu_zero_rows(
                    &base.noise,
                    &frame,
                    rows.0..rows.1,
                ));
                encode(&Answer::Ok(Some(values)))
            }
            _ => encode(&Answer::<()>::Err(format!(
                "no μ = 0 sampling has rows {}..{} here",
                rows.0, rows.1
            ))),
        },
        Task::LossPoint {
            base,
            spec,
            lambda,
            index,
        } => {
            let r: Answer<LossPoint> = crate::coop::block_on(super::loss_sweep::run_point(
                &base, &spec, lambda, index, &never,
            ))
            .map_err(err);
            encode(&r)
        }
        Task::Optimizer { base, spec, entry } => {
            let mut last = web_time::Instant::now();
            let steps = spec.steps.max(1) as f32;
            let r: Answer<OptimizerCurve> = crate::coop::block_on(super::optimizers::run_one(
                &base,
                &spec,
                &entry,
                &never,
                |t| {
                    if last.elapsed().as_millis() >= 30 {
                        progress(t as f32 / steps);
                        last = web_time::Instant::now();
                    }
                },
            ))
            .map_err(err);
            encode(&r)
        }
        Task::EscapeRate {
            base,
            by_step,
            by_lambda,
        } => {
            let r: Answer<EscapeRateOutput> = base.valid().map_err(err).and_then(|p| {
                super::escape_rate::run_escape_rate(&p, &by_step, &by_lambda, 1, &never)
                    .map_err(err)
            });
            encode(&r)
        }
    })
}

/// A task handed to a pool; dropping it before its answer came withdraws it (a queued task
/// never starts; a long one that runs is stopped).
pub struct Ticket(Option<Box<dyn FnOnce()>>);

impl Ticket {
    pub fn new(withdraw: impl FnOnce() + 'static) -> Ticket {
        Ticket(Some(Box::new(withdraw)))
    }

    /// The answer came: nothing to withdraw.
    fn settle(&mut self) {
        self.0 = None;
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            f();
        }
    }
}

/// A pool of workers that run encoded tasks.
pub trait Pool {
    /// How many tasks run at once.
    fn workers(&self) -> usize;
    /// Queue `task`; its events go to `tx`, tagged with `tag`.
    fn submit(&self, task: Vec<u8>, long: bool, tag: usize, tx: Sender<(usize, Event)>) -> Ticket;
}

thread_local! {
    /// The pool the jobs started from this thread use, if any.
    static POOL: RefCell<Option<Rc<dyn Pool>>> = const { RefCell::new(None) };
}

/// Send the work of jobs started from this thread to `pool` (`None`: run it here again).
pub fn install(pool: Option<Rc<dyn Pool>>) {
    POOL.with(|p| *p.borrow_mut() = pool);
}

/// The pool of this thread, if one is installed.
pub fn pool() -> Option<Rc<dyn Pool>> {
    POOL.with(|p| p.borrow().clone())
}

/// Tasks in flight on a pool, their events arriving in any order.
pub struct Batch {
    pool: Rc<dyn Pool>,
    tx: Sender<(usize, Event)>,
    rx: Receiver<(usize, Event)>,
    tickets: Vec<Option<Ticket>>,
    in_flight: usize,
}

impl Batch {
    pub fn new(pool: Rc<dyn Pool>) -> Batch {
        let (tx, rx) = crossbeam_channel::unbounded();
        Batch {
            pool,
            tx,
            rx,
            tickets: Vec::new(),
            in_flight: 0,
        }
    }

    /// Hand `task` out; its events carry the index it returns.
    pub fn submit(&mut self, task: &Task) -> usize {
        let tag = self.tickets.len();
        let ticket = self
            .pool
            .submit(encode(task), task.is_long(), tag, self.tx.clone());
        self.tickets.push(Some(ticket));
        self.in_flight += 1;
        tag
    }

    /// Tasks handed out and not answered.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// The next event of any task in flight (`None` when none is). An answer settles its
    /// task.
    pub async fn next(&mut self) -> Option<(usize, Event)> {
        if self.in_flight == 0 {
            return None;
        }
        let ev = NextEvent(&self.rx).await;
        if let Event::Done(_) = ev.1 {
            if let Some(t) = self.tickets.get_mut(ev.0).and_then(Option::take) {
                let mut t = t;
                t.settle();
            }
            self.in_flight -= 1;
        }
        Some(ev)
    }
}

/// Ready with the next message of a channel; pending while it has none (the caller is polled
/// again at the next frame, or at once by [`crate::coop::block_on`]).
struct NextEvent<'a, T>(&'a Receiver<T>);

impl<T> Future for NextEvent<'_, T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<T> {
        match self.0.try_recv() {
            Ok(v) => Poll::Ready(v),
            Err(_) => {
                crate::coop::note_waiting();
                Poll::Pending
            }
        }
    }
}

/// A task's answer from what its worker sent (the bytes, or why there are none), decoded as a
/// `T`.
pub fn answer<T: DeserializeOwned>(bytes: Result<Vec<u8>, String>) -> Answer<T> {
    decode::<Answer<T>>(&bytes?)?
}

/// Run one task on `pool` and decode its answer; `progress` gets its fraction done.
pub async fn run<T: DeserializeOwned>(
    pool: Rc<dyn Pool>,
    task: &Task,
    mut progress: impl FnMut(f32),
) -> Answer<T> {
    let mut batch = Batch::new(pool);
    batch.submit(task);
    while let Some((_, ev)) = batch.next().await {
        match ev {
            Event::Progress(f) => progress(f),
            Event::Done(bytes) => return answer(bytes),
        }
    }
    Err("a worker went away".into())
}

/// A pool of native threads, a thread per task: the page's protocol (bytes in, bytes out) on
/// native, for tests of the code that hands work out.
#[cfg(not(target_arch = "wasm32"))]
pub struct ThreadPool {
    pub threads: usize,
}

#[cfg(not(target_arch = "wasm32"))]
impl Pool for ThreadPool {
    fn workers(&self) -> usize {
        self.threads
    }

    fn submit(&self, task: Vec<u8>, _long: bool, tag: usize, tx: Sender<(usize, Event)>) -> Ticket {
        std::thread::spawn(move || {
            let done = execute(&task, &mut |f| {
                let _ = tx.send((tag, Event::Progress(f)));
            });
            let _ = tx.send((tag, Event::Done(done)));
        });
        Ticket::new(|| {})
    }
}
