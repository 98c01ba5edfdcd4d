//! Cooperative running: the same computation on a thread of its own (native) or in slices of a
//! frame (a browser tab has one thread).
//!
//! A long computation is an `async` function that calls [`yield_now`] between units of work
//! (a sweep cell, a chunk of steps). On a thread it is driven by [`block_on`] and never waits:
//! [`yield_now`] is ready at once unless a frame deadline is set. In a frame, [`poll_within`]
//! sets the deadline, polls once, and the computation returns at its first [`yield_now`] past
//! the deadline — resuming there at the next frame's poll. Each poll does at least one unit of
//! work, so nothing starves however small the budget.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use web_time::{Duration, Instant};

thread_local! {
    /// The deadline of the poll under way on this thread, if any.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    /// Where work started from this thread runs, when not the platform's way.
    static MODE: Cell<Option<RunMode>> = const { Cell::new(None) };
}

/// Where the live simulation and jobs started from this thread run: the platform's way
/// ([`RunMode::platform`]) unless [`set_run_mode`] said otherwise.
pub fn run_mode() -> RunMode {
    MODE.with(|m| m.get()).unwrap_or_else(RunMode::platform)
}

/// Run what this thread starts from now on in frames or on threads (tests of the browser's way
/// on native; a thread of its own keeps its own setting).
pub fn set_run_mode(mode: RunMode) {
    MODE.with(|m| m.set(Some(mode)));
}

thread_local! {
    /// A computation polled here is pending on work done elsewhere (Web Workers), not on the
    /// frame's budget: whoever does that work asks for the next frame when it answers.
    static WAITING: Cell<bool> = const { Cell::new(false) };
}

/// Say that the computation being polled waits for an answer from elsewhere.
pub fn note_waiting() {
    WAITING.with(|w| w.set(true));
}

/// Whether a computation polled since the last call said it waits (and forget it).
pub fn take_waiting() -> bool {
    WAITING.with(|w| w.replace(false))
}

/// Whether a frame's poll is under way (work should come in small units).
pub fn in_frame_slice() -> bool {
    DEADLINE.with(|d| d.get().is_some())
}

/// Whether the poll under way has used up its slice (never, outside [`poll_within`]).
pub fn out_of_time() -> bool {
    DEADLINE.with(|d| d.get().is_some_and(|t| Instant::now() >= t))
}

/// A point where a computation may give the frame back.
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// See [`yield_now`].
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.yielded || !out_of_time() {
            Poll::Ready(())
        } else {
            self.yielded = true;
            Poll::Pending
        }
    }
}

/// Run a future to its end on this thread. Outside a frame's poll nothing it awaits here ever
/// waits, so this is a loop of one iteration.
pub fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// Poll `fut` once with a deadline `budget` from now: it runs until done or until its first
/// [`yield_now`] after the deadline.
pub fn poll_within<F: Future + ?Sized>(fut: Pin<&mut F>, budget: Duration) -> Poll<F::Output> {
    with_deadline(budget, || fut.poll(&mut Context::from_waker(Waker::noop())))
}

/// Run `f` with a deadline `budget` from now: [`out_of_time`] says when it is past.
pub fn with_deadline<R>(budget: Duration, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Instant>);
    impl Drop for Restore {
        fn drop(&mut self) {
            DEADLINE.with(|d| d.set(self.0));
        }
    }
    let _restore = Restore(DEADLINE.with(|d| d.replace(Some(Instant::now() + budget))));
    f()
}

/// The slice of a frame that background work run in the frame (the live simulation and the
/// job of the view shown, together) may take: a 60 Hz frame keeps most of its 16.7 ms for
/// drawing. A unit of work is never split, so a slice can end past it by up to one unit.
pub const FRAME_BUDGET: Duration = Duration::from_millis(6);

thread_local! {
    /// When this frame's budget for background work runs out (see [`begin_frame`]).
    static FRAME_END: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// A frame starts: the background work run in it from now on shares one [`FRAME_BUDGET`].
pub fn begin_frame() {
    FRAME_END.with(|f| f.set(Some(Instant::now() + FRAME_BUDGET)));
}

/// What is left of this frame's budget for background work, at most `cap`: zero once it is
/// spent; `cap` outside a frame (tests, the command line).
pub fn frame_slice(cap: Duration) -> Duration {
    FRAME_END.with(|f| f.get()).map_or(cap, |end| {
        end.saturating_duration_since(Instant::now()).min(cap)
    })
}

/// Where background work runs: a thread of its own each (the native app, the command line)
/// or slices of the UI's frames (the browser; tests of that mode on native).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunMode {
    Threads,
    InFrame,
}

impl RunMode {
    /// Threads where the platform has them.
    pub fn platform() -> RunMode {
        if cfg!(target_arch = "wasm32") {
            RunMode::InFrame
        } else {
            RunMode::Threads
        }
    }
}

/// Threads this machine offers (1 in a browser, where asking fails).
pub fn available_threads() -> usize {
    if cfg!(target_arch = "wasm32") {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn count_to(n: u32, log: &Cell<u32>) -> u32 {
        for _ in 0..n {
            log.set(log.get() + 1);
            yield_now().await;
        }
        n
    }

    #[test]
    fn a_thread_runs_to_the_end_and_a_frame_slice_resumes_where_it_stopped() {
        let log = Cell::new(0);
        assert_eq!(block_on(count_to(1000, &log)), 1000);
        assert_eq!(log.get(), 1000);
        // A zero budget: every poll does exactly one unit, and the next poll goes on from it.
        let log = Cell::new(0);
        let mut fut = std::pin::pin!(count_to(5, &log));
        for k in 1..=5 {
            assert!(poll_within(fut.as_mut(), Duration::ZERO).is_pending());
            assert_eq!(log.get(), k);
        }
        assert_eq!(poll_within(fut.as_mut(), Duration::ZERO), Poll::Ready(5));
        // No deadline stays behind after a poll.
        assert!(!out_of_time());
    }
}
