//! The app's threads over its life: a burst of parameter changes leaks nothing and ends on the
//! last, and closing the window in the middle of hours of background work returns at once with
//! every thread joined.
//!
//! Threads are counted in /proc/self/task, which every test of a binary shares (and the test
//! harness's own threads come and go between tests), so both checks run in one test, in turn. How long closing takes is measured by
//! `saddlescope bench` (tests never assert on time); here, closing returning at all proves the
//! cancel reached every computation, since finishing them would take hours.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;

use saddlescope::app::{AppState, SaddlescopeApp};
use saddlescope::preset::ViewKind;

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count())
}

fn resident_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

fn harness(state: AppState, threads: usize) -> Harness<'static, SaddlescopeApp> {
    let app = SaddlescopeApp::new(state, threads, Arc::new(|| {}));
    Harness::builder()
        .with_size([1400.0, 900.0])
        .build_ui_state(|ui, app: &mut SaddlescopeApp| app.ui_root(ui), app)
}

fn run_until(h: &mut Harness<'static, SaddlescopeApp>, done: impl Fn(&SaddlescopeApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(h.state()) {
        assert!(
            Instant::now() < deadline,
            "the UI did not get there in 60 s"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Wait (briefly) for threads that are ending to be gone from /proc.
fn settle_threads_to(target: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let n = threads();
        if n <= target || Instant::now() > deadline {
            return n;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn the_apps_threads_end_when_they_should() {
    a_thousand_parameter_changes_leak_nothing_and_the_last_wins();
    closing_in_the_middle_of_hours_of_work_joins_every_thread();
}

fn a_thousand_parameter_changes_leak_nothing_and_the_last_wins() {
    let mut state = AppState::default();
    // 20 000 walkers: an ensemble and its statistics are ≈ 1 MB, so keeping even a tenth of
    // the thousand experiments would add ≈ 100 MB, far above the allocator's slack allowed
    // below.
    state.params.walkers = 20_000;
    let mut h = harness(state, 2);
    run_until(&mut h, |a| a.snapshot().is_some());
    let threads_before = threads();
    let mib_before = resident_mib();
    let mut last = 0.0;
    let mut most_queued = 0;
    for i in 0..1000 {
        // A dragged slider: a new λ every frame, frames as fast as they come.
        last = 0.3 + i as f64 * 1e-3;
        h.state_mut().state.params.lambda = last;
        h.step();
        most_queued = most_queued.max(h.state().queued_commands());
    }
    let sent = h.state().sent_generation();
    assert!(sent >= 1000, "every change was sent ({sent})");
    run_until(&mut h, |a| {
        a.snapshot()
            .is_some_and(|s| s.params.lambda == last && s.generation == sent)
    });
    // The worker drains its queue at every look: it never piles up (a frame sends at most one
    // change, and the worker looks between chunks of milliseconds).
    assert_eq!(h.state().queued_commands(), 0);
    assert!(
        most_queued < 1000,
        "the queue was never drained ({most_queued})"
    );
    let threads_after = settle_threads_to(threads_before);
    assert_eq!(threads_after, threads_before, "no thread was left behind");
    let grew = resident_mib() - mib_before;
    assert!(grew < 64.0, "resident memory grew by {grew:.0} MiB");
    eprintln!(
        "1000 changes: threads {threads_before} → {threads_after}, memory {mib_before:.0} → {:.0} MiB, most queued {most_queued}",
        resident_mib()
    );
}

fn closing_in_the_middle_of_hours_of_work_joins_every_thread() {
    let baseline = threads();
    // Each piece of background work here would take hours to finish.
    let state = saddlescope::bench::hours_of_work();
    let mut h = harness(state, 2);
    run_until(&mut h, |a| a.snapshot().is_some());
    h.state_mut()
        .run_command(saddlescope::app::commands::UiCommand::PlayPause);
    // Visit the views that start background work; each keeps running when left.
    for view in [ViewKind::EscapeRate, ViewKind::PhaseDiagram] {
        h.state_mut().state.view = view;
        for _ in 0..20 {
            h.step();
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    assert!(h.state().sweep_running(), "the sweep is under way");
    let busy = threads();
    assert!(busy > baseline, "background threads are running ({busy})");
    let start = Instant::now();
    drop(h);
    let closed_in = start.elapsed();
    let after = settle_threads_to(baseline);
    assert_eq!(after, baseline, "every thread was joined");
    eprintln!("closed with {busy} threads running in {closed_in:?}");
}
