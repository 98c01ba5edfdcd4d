//! A background computation with progress, partial results and cancellation: the one mechanism
//! behind every view's background work (the phase-diagram sweep, the escape-rate runs, the
//! loss-versus-λ sweep, the optimizer comparison). [`JobSlot`] keeps one view's job and its
//! newest result. Dropping a [`Job`] cancels it
//! and joins its thread; every event carries the job's generation, so a caller that started a
//! newer job can ignore an older one's stragglers.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};
use web_time::Duration;

use super::worker::Waker;
use crate::coop::{self, RunMode};

/// What a job reports.
#[derive(Debug)]
pub enum JobEvent<T> {
    /// Fraction done in [0, 1] and, optionally, the result so far.
    Progress {
        generation: u64,
        fraction: f32,
        partial: Option<Arc<T>>,
    },
    Done {
        generation: u64,
        result: Arc<T>,
    },
    Failed {
        generation: u64,
        message: String,
    },
}

/// Handed to the computation: report progress, ask whether to stop.
pub struct JobContext<T> {
    generation: u64,
    cancel: Arc<AtomicBool>,
    tx: Sender<JobEvent<T>>,
    waker: Waker,
    /// When progress alone last asked for a frame (see [`JobContext::progress`]).
    progress_woke: std::sync::Mutex<Option<web_time::Instant>>,
}

/// The most often progress with no new result asks for a frame: a progress bar moving ten
/// times a second is smooth enough, and a redraw for each of a worker's hundreds of reports a
/// second took the page's CPU from its workers (the optimizers' frame intervals, README).
const PROGRESS_FRAME: Duration = Duration::from_millis(100);

impl<T> JobContext<T> {
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// The cancel flag itself, for computations that look at it on their own.
    pub fn flag(&self) -> &AtomicBool {
        &self.cancel
    }

    /// Report `fraction` done and, optionally, the result so far. A result asks for a frame at
    /// once; a fraction alone at most every [`PROGRESS_FRAME`] (the event is sent either way,
    /// and the next frame shows the newest).
    pub fn progress(&self, fraction: f32, partial: Option<T>) {
        self.progress_at(web_time::Instant::now(), fraction, partial);
    }

    /// [`JobContext::progress`] at the time `now`.
    fn progress_at(&self, now: web_time::Instant, fraction: f32, partial: Option<T>) {
        let news = partial.is_some();
        let _ = self.tx.send(JobEvent::Progress {
            generation: self.generation,
            fraction,
            partial: partial.map(Arc::new),
        });
        let mut woke = self.progress_woke.lock().unwrap_or_else(|e| e.into_inner());
        if news || woke.is_none_or(|t| now.duration_since(t) >= PROGRESS_FRAME) {
            *woke = Some(now);
            drop(woke);
            (self.waker)();
        }
    }

    /// Send the outcome of `work`: its result, its failure, or nothing after a cancel.
    fn finish(&self, outcome: Result<Option<T>, String>) {
        let generation = self.generation;
        let ev = match outcome {
            Ok(Some(result)) => JobEvent::Done {
                generation,
                result: Arc::new(result),
            },
            Ok(None) => return,
            Err(message) => JobEvent::Failed {
                generation,
                message,
            },
        };
        let _ = self.tx.send(ev);
        (self.waker)();
    }
}

/// Where a job runs (see [`coop`]).
enum Runner {
    Thread(Option<JoinHandle<()>>),
    /// The computation, polled for a slice of each frame until it is done.
    InFrame(Option<Pin<Box<dyn Future<Output = ()>>>>),
}

/// A running job.
pub struct Job<T> {
    pub generation: u64,
    cancel: Arc<AtomicBool>,
    runner: Runner,
    waker: Waker,
    _marker: std::marker::PhantomData<T>,
}

impl<T: Send + Sync + 'static> Job<T> {
    /// Run `work` on a named thread, or in slices of frames (see [`Job::pump`]). It returns
    /// `Ok(None)` when it stopped on a cancel.
    pub fn start<F, Fut>(
        mode: RunMode,
        name: &str,
        generation: u64,
        tx: Sender<JobEvent<T>>,
        waker: Waker,
        work: F,
    ) -> Job<T>
    where
        F: FnOnce(JobContext<T>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Option<T>, String>> + 'static,
    {
        let cancel = Arc::new(AtomicBool::new(false));
        let ctx = JobContext {
            generation,
            cancel: cancel.clone(),
            tx,
            waker: waker.clone(),
            progress_woke: Default::default(),
        };
        let runner = match mode {
            RunMode::Threads => Runner::Thread(Some(
                std::thread::Builder::new()
                    .name(name.to_string())
                    .spawn(move || {
                        let finish = ctx.clone_ctx();
                        finish.finish(coop::block_on(work(ctx)));
                    })
                    .expect("spawning a job thread"),
            )),
            RunMode::InFrame => Runner::InFrame(Some(Box::pin(async move {
                let finish = ctx.clone_ctx();
                let outcome = work(ctx).await;
                finish.finish(outcome);
            }))),
        };
        Job {
            generation,
            cancel,
            runner,
            waker,
            _marker: std::marker::PhantomData,
        }
    }
}

impl<T> JobContext<T> {
    fn clone_ctx(&self) -> JobContext<T> {
        JobContext {
            generation: self.generation,
            cancel: self.cancel.clone(),
            tx: self.tx.clone(),
            waker: self.waker.clone(),
            progress_woke: Default::default(),
        }
    }
}

impl<T> Job<T> {
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn is_finished(&self) -> bool {
        match &self.runner {
            Runner::Thread(h) => h.as_ref().is_none_or(|h| h.is_finished()),
            Runner::InFrame(f) => f.is_none(),
        }
    }

    /// Work for up to `budget` when the job runs in frames (nothing on a thread), and ask for
    /// another frame while it is not done.
    pub fn pump(&mut self, budget: Duration) {
        let Runner::InFrame(slot) = &mut self.runner else {
            return;
        };
        let Some(fut) = slot.as_mut() else {
            return;
        };
        coop::take_waiting();
        if coop::poll_within(fut.as_mut(), budget).is_ready() {
            *slot = None;
        } else if !coop::take_waiting() {
            // Out of budget: go on next frame. (A job waiting for its workers is woken by
            // their answers instead, so an idle UI thread does not redraw meanwhile.)
            (self.waker)();
        }
    }
}

impl<T> Drop for Job<T> {
    fn drop(&mut self) {
        self.cancel();
        if let Runner::Thread(h) = &mut self.runner
            && let Some(h) = h.take()
        {
            let _ = h.join();
        }
    }
}

/// A channel for a job's events.
pub fn job_channel<T>() -> (Sender<JobEvent<T>>, Receiver<JobEvent<T>>) {
    crossbeam_channel::unbounded()
}

/// One view's background computation: the running job, its events, its newest result, its
/// progress and error. A new key (or a forced restart) cancels and joins the old job first, so
/// no result of an older key can arrive after a newer one started.
pub struct JobSlot<T, K> {
    job: Option<Job<T>>,
    rx: Receiver<JobEvent<T>>,
    tx: Sender<JobEvent<T>>,
    generation: u64,
    key: Option<K>,
    result: Option<Arc<T>>,
    fraction: f32,
    error: Option<String>,
}

impl<T: Send + Sync + 'static, K: PartialEq> Default for JobSlot<T, K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + Sync + 'static, K: PartialEq> JobSlot<T, K> {
    pub fn new() -> Self {
        let (tx, rx) = job_channel();
        JobSlot {
            job: None,
            rx,
            tx,
            generation: 0,
            key: None,
            result: None,
            fraction: 0.0,
            error: None,
        }
    }

    /// Whether a job is computing.
    pub fn running(&self) -> bool {
        self.job.as_ref().is_some_and(|j| !j.is_finished())
    }

    /// The newest result (partial while running).
    pub fn result(&self) -> Option<&Arc<T>> {
        self.result.as_ref()
    }

    /// Fraction done of the current job.
    pub fn fraction(&self) -> f32 {
        self.fraction
    }

    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Say what is wrong without starting anything (an invalid spec).
    pub fn set_error(&mut self, message: Option<String>) {
        self.error = message;
    }

    /// The key of the current job.
    pub fn key(&self) -> Option<&K> {
        self.key.as_ref()
    }

    /// Ask the job to stop (returns at once; what it computed stays).
    pub fn cancel(&self) {
        if let Some(j) = &self.job {
            j.cancel();
        }
    }

    /// Compute for what is left of this frame's budget (a job that runs in frames: one unit
    /// of its work once the budget is spent; a job on workers only takes their answers in),
    /// then take the events. The view on screen calls this; the others only
    /// [`JobSlot::receive`].
    pub fn compute_and_receive(&mut self) {
        self.compute_within(coop::frame_slice(coop::FRAME_BUDGET));
        self.receive();
    }

    /// A job in frames works for up to `budget` (at least one unit of its work, however small
    /// the budget); a job on a thread or on workers is not touched.
    pub fn compute_within(&mut self, budget: Duration) {
        if let Some(job) = self.job.as_mut() {
            job.pump(budget);
        }
    }

    /// Take the events of the current generation; computes nothing.
    pub fn receive(&mut self) {
        for ev in self.rx.try_iter() {
            match ev {
                JobEvent::Progress {
                    generation,
                    fraction,
                    partial,
                } if generation == self.generation => {
                    self.fraction = fraction;
                    if partial.is_some() {
                        self.result = partial;
                    }
                }
                JobEvent::Done { generation, result } if generation == self.generation => {
                    self.fraction = 1.0;
                    self.result = Some(result);
                }
                JobEvent::Failed {
                    generation,
                    message,
                } if generation == self.generation => self.error = Some(message),
                _ => {}
            }
        }
    }

    /// Restart with `work` when `key` changed (or `force`); the old job is cancelled and
    /// joined first. With `clear`, the old result goes at once (a new grid must not show a
    /// cell of the old one).
    pub fn ensure<F, Fut>(
        &mut self,
        key: K,
        force: bool,
        clear: bool,
        name: &str,
        waker: &Waker,
        work: F,
    ) where
        F: FnOnce(JobContext<T>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Option<T>, String>> + 'static,
    {
        if !force && self.key.as_ref() == Some(&key) {
            return;
        }
        self.job = None;
        self.generation += 1;
        self.key = Some(key);
        self.error = None;
        self.fraction = 0.0;
        if clear {
            self.result = None;
        }
        self.job = Some(Job::start(
            coop::run_mode(),
            name,
            self.generation,
            self.tx.clone(),
            waker.clone(),
            work,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn progress_alone_asks_for_a_frame_at_most_every_100_ms_and_a_result_at_once() {
        let wakes = Arc::new(AtomicUsize::new(0));
        let w = wakes.clone();
        let (tx, rx) = job_channel::<u32>();
        let ctx = JobContext {
            generation: 1,
            cancel: Arc::new(AtomicBool::new(false)),
            tx,
            waker: Arc::new(move || {
                w.fetch_add(1, Ordering::Relaxed);
            }),
            progress_woke: Default::default(),
        };
        let t0 = web_time::Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        // Fractions 2 ms apart for 98 ms: the first asks for a frame, the rest not.
        for k in 0..50 {
            ctx.progress_at(at(2 * k), k as f32 / 100.0, None);
        }
        assert_eq!(wakes.load(Ordering::Relaxed), 1);
        // A result so far asks at once, however soon.
        ctx.progress_at(at(99), 0.5, Some(7));
        assert_eq!(wakes.load(Ordering::Relaxed), 2);
        // A fraction asks again 100 ms after the last frame asked for, not before.
        ctx.progress_at(at(198), 0.55, None);
        assert_eq!(wakes.load(Ordering::Relaxed), 2);
        ctx.progress_at(at(199), 0.6, None);
        assert_eq!(wakes.load(Ordering::Relaxed), 3);
        // Every event was sent: only the frames were spared.
        assert_eq!(rx.try_iter().count(), 53);
        // The outcome asks at once.
        ctx.finish(Ok(Some(1)));
        assert_eq!(wakes.load(Ordering::Relaxed), 4);
    }
}
