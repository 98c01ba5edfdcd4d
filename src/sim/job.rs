//! A background computation with progress, partial results and cancellation: the pattern
//! behind the loss-versus-λ sweep and the optimizer comparison. Dropping a [`Job`] cancels it
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
