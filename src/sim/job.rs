//! A background computation with progress, partial results and cancellation: the one mechanism
//! behind every view's background work (the phase-diagram sweep, the escape-rate runs, the
//! loss-versus-λ sweep, the optimizer comparison). [`JobSlot`] keeps one view's job and its
//! newest result. Dropping a [`Job`] cancels it
//! and joins its thread; every event carries the job's generation, so a caller that started a
//! newer job can ignore an older one's stragglers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};

use super::worker::Waker;

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
pub struct JobContext<'a, T> {
    generation: u64,
    cancel: &'a AtomicBool,
    tx: &'a Sender<JobEvent<T>>,
    waker: &'a Waker,
}

impl<T> JobContext<'_, T> {
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// The cancel flag itself, for computations that look at it on their own.
    pub fn flag(&self) -> &AtomicBool {
        self.cancel
    }

    pub fn progress(&self, fraction: f32, partial: Option<T>) {
        let _ = self.tx.send(JobEvent::Progress {
            generation: self.generation,
            fraction,
            partial: partial.map(Arc::new),
        });
        (self.waker)();
    }
}

/// A running job.
pub struct Job<T> {
    pub generation: u64,
    cancel: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
    _marker: std::marker::PhantomData<T>,
}

impl<T: Send + Sync + 'static> Job<T> {
    /// Run `work` on a named thread. It returns `Ok(None)` when it stopped on a cancel.
    pub fn start<F>(
        name: &str,
        generation: u64,
        tx: Sender<JobEvent<T>>,
        waker: Waker,
        work: F,
    ) -> Job<T>
    where
        F: FnOnce(&JobContext<'_, T>) -> Result<Option<T>, String> + Send + 'static,
    {
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = cancel.clone();
        let handle = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let ctx = JobContext {
                    generation,
                    cancel: &flag,
                    tx: &tx,
                    waker: &waker,
                };
                let ev = match work(&ctx) {
                    Ok(Some(result)) => Some(JobEvent::Done {
                        generation,
                        result: Arc::new(result),
                    }),
                    Ok(None) => None,
                    Err(message) => Some(JobEvent::Failed {
                        generation,
                        message,
                    }),
                };
                if let Some(ev) = ev {
                    let _ = tx.send(ev);
                    waker();
                }
            })
            .expect("spawning a job thread");
        Job {
            generation,
            cancel,
            handle: Some(handle),
            _marker: std::marker::PhantomData,
        }
    }
}

impl<T> Job<T> {
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn is_finished(&self) -> bool {
        self.handle.as_ref().is_none_or(|h| h.is_finished())
    }
}

impl<T> Drop for Job<T> {
    fn drop(&mut self) {
        self.cancel();
        if let Some(h) = self.handle.take() {
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

    /// Take the events of the current generation.
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
    pub fn ensure<F>(
        &mut self,
        key: K,
        force: bool,
        clear: bool,
        name: &str,
        waker: &Waker,
        work: F,
    ) where
        F: FnOnce(&JobContext<'_, T>) -> Result<Option<T>, String> + Send + 'static,
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
            name,
            self.generation,
            self.tx.clone(),
            waker.clone(),
            work,
        ));
    }
}
