//! The browser's way of running, on native: the live simulation and the jobs in slices of the
//! UI's frames instead of threads of their own (`saddlescope::coop`). The same commands and
//! events, the same numbers as on threads, a frame never held for a whole computation, and
//! cancel and restart as on threads.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use saddlescope::app::{AppState, SaddlescopeApp};
use saddlescope::coop::{self, RunMode};
use saddlescope::preset::Preset;
use saddlescope::sim::job::JobSlot;
use saddlescope::sim::sweep::{SweepGrid, run_sweep, run_sweep_async};
use saddlescope::sim::worker::{Command, Event, Worker};
use saddlescope::sim::{Ensemble, ExperimentParams, stats};

fn params(walkers: usize, steps: u64) -> saddlescope::sim::ValidParams {
    ExperimentParams {
        walkers,
        steps,
        record_steps: vec![0, 10, steps],
        ..ExperimentParams::default()
    }
    .valid()
    .unwrap()
}

#[test]
fn the_in_frame_worker_answers_the_same_commands_with_the_same_numbers() {
    coop::set_run_mode(RunMode::InFrame);
    let p = params(20_000, 300);
    let w = Worker::spawn(p.clone(), 1, Arc::new(|| {}));
    w.send(Command::SetStepsPerFrame(7));
    w.send(Command::Play);
    // Frames: each drain runs a slice of simulation and returns at once with what it made.
    let mut last = None;
    let mut frames = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    while last
        .as_ref()
        .is_none_or(|s: &Arc<saddlescope::sim::worker::Snapshot>| !s.finished)
    {
        assert!(
            Instant::now() < deadline,
            "the in-frame worker did not finish"
        );
        for ev in w.compute_and_drain(true) {
            match ev {
                Event::Snapshot(s) => last = Some(s),
                other => panic!("unexpected {other:?}"),
            }
        }
        frames += 1;
        std::thread::sleep(Duration::from_millis(2));
    }
    let s = last.unwrap();
    // 300 steps at 7 a tick: at least 43 frames went by, the simulation advancing in each.
    assert!(frames >= 43, "{frames} frames");
    assert_eq!(s.step(), 300);
    assert!(!s.playing);
    // The same ensemble stepped straight through on a thread gives the same statistics.
    let mut e = Ensemble::new(&p);
    e.advance(300, 2);
    let reference = stats::record(&e, Some(saddlescope::sim::worker::LIVE_QUANTILE_CAP));
    assert_eq!(s.current.summary, reference.summary);
    // Record steps were recorded on the way, as on a thread.
    let steps: Vec<u64> = s.recorded.iter().map(|r| r.summary.step).collect();
    assert_eq!(steps, vec![0, 10, 300]);
    // Reset and Step behave as on a thread; a shutdown stops it.
    w.send(Command::Reset);
    w.send(Command::Step(5));
    let s = loop {
        match w.recv_timeout(Duration::from_secs(10)) {
            Some(Event::Snapshot(s)) if s.step() == 5 => break s,
            Some(_) => {}
            None => panic!("no snapshot after Step"),
        }
    };
    assert!(!s.playing);
    assert!(w.is_alive());
    w.send(Command::Shutdown);
    let _ = w.compute_and_drain(true);
    assert!(!w.is_alive());
}

#[test]
fn an_in_frame_crash_is_reported_like_a_thread_crash() {
    coop::set_run_mode(RunMode::InFrame);
    let w = Worker::spawn(params(100, 100), 1, Arc::new(|| {}));
    w.send(Command::InjectFault);
    let crashed = w
        .compute_and_drain(true)
        .into_iter()
        .any(|e| matches!(e, Event::Crashed { .. }));
    assert!(crashed);
    assert!(!w.is_alive());
}

fn small_sweep() -> (
    saddlescope::sim::ValidParams,
    saddlescope::sim::sweep::SweepSpec,
) {
    let p = Preset::builtin("fig1-right").unwrap();
    let mut spec = p.sweep.unwrap();
    spec.a_cells = 12;
    spec.lambda_cells = 10;
    spec.walkers = 500;
    (p.params.valid().unwrap(), spec)
}

#[test]
fn an_in_frame_sweep_comes_in_slices_and_matches_the_threaded_one() {
    coop::set_run_mode(RunMode::InFrame);
    let (p, spec) = small_sweep();
    let never = AtomicBool::new(false);
    let threaded = run_sweep(&p, &spec, 2, &never, Duration::from_secs(1), |_| {})
        .unwrap()
        .unwrap();
    let mut slot: JobSlot<SweepGrid, u32> = JobSlot::new();
    let (p2, s2) = (p.clone(), spec.clone());
    slot.ensure(
        1,
        false,
        true,
        "sweep",
        &(Arc::new(|| {}) as _),
        |ctx| async move {
            run_sweep_async(&p2, &s2, 1, ctx.flag(), Duration::ZERO, |g| {
                ctx.progress(g.done as f32 / 120.0, Some(g.clone()))
            })
            .await
            .map_err(|e| e.to_string())
        },
    );
    // Nothing ran yet: the job waits for frames.
    assert!(slot.result().is_none() && slot.running());
    // A zero budget: one unit of work (a chunk of a cell, a row of theory) a frame.
    let mut frames = 0;
    let mut partial_done = Vec::new();
    while slot.running() {
        slot.compute_within(Duration::ZERO);
        slot.receive();
        if let Some(g) = slot.result() {
            partial_done.push(g.done);
        }
        frames += 1;
        assert!(frames < 100_000);
    }
    slot.receive();
    let grid = slot.result().unwrap();
    // It came in slices, at least one a cell, the coarse image first, the grid filling up.
    assert!(frames > 120, "{frames} frames");
    assert!(partial_done.windows(2).all(|w| w[0] <= w[1]));
    assert!(partial_done.iter().any(|&d| d > 0 && d < 120));
    // The very same cells, theory layers and μ = 0 line as on threads.
    assert!(grid.is_complete());
    assert_eq!(grid.escape, threaded.escape);
    assert_eq!(grid.diverged, threaded.diverged);
    assert_eq!(grid.mu, threaded.mu);
    assert_eq!(grid.exact_escape, threaded.exact_escape);
    assert_eq!(grid.mu_zero, threaded.mu_zero);
}

#[test]
fn an_in_frame_job_cancels_and_restarts_like_a_thread() {
    coop::set_run_mode(RunMode::InFrame);
    let (p, spec) = small_sweep();
    let mut slot: JobSlot<SweepGrid, u32> = JobSlot::new();
    let waker: saddlescope::sim::worker::Waker = Arc::new(|| {});
    let start = |slot: &mut JobSlot<SweepGrid, u32>, key: u32| {
        let (p, spec) = (p.clone(), spec.clone());
        slot.ensure(key, false, true, "sweep", &waker, |ctx| async move {
            run_sweep_async(&p, &spec, 1, ctx.flag(), Duration::ZERO, |g| {
                ctx.progress(0.5, Some(g.clone()))
            })
            .await
            .map_err(|e| e.to_string())
        })
    };
    start(&mut slot, 1);
    slot.compute_and_receive();
    slot.cancel();
    // A cancelled job stops at its next look at the flag, within a frame or two.
    for _ in 0..3 {
        slot.compute_and_receive();
    }
    assert!(!slot.running());
    // A new key starts afresh and runs to the end.
    start(&mut slot, 2);
    let mut frames = 0;
    while slot.running() {
        slot.compute_and_receive();
        frames += 1;
        assert!(frames < 100_000);
    }
    slot.receive();
    assert!(slot.result().unwrap().is_complete());
}

#[test]
fn only_the_view_shown_computes_and_a_frame_has_one_budget() {
    coop::set_run_mode(RunMode::InFrame);
    let (p, spec) = small_sweep();
    let mut slot: JobSlot<SweepGrid, u32> = JobSlot::new();
    let waker: saddlescope::sim::worker::Waker = Arc::new(|| {});
    slot.ensure(1, false, true, "sweep", &waker, |ctx| async move {
        run_sweep_async(&p, &spec, 1, ctx.flag(), Duration::ZERO, |g| {
            ctx.progress(0.5, Some(g.clone()))
        })
        .await
        .map_err(|e| e.to_string())
    });
    // A hidden view only takes events: its job does not move.
    for _ in 0..50 {
        slot.receive();
    }
    assert!(slot.result().is_none() && slot.running());
    // A frame whose budget the live view (or an earlier pass) spent: what is left is zero,
    // and the view shown does one unit of its work (it never stalls).
    coop::begin_frame();
    std::thread::sleep(coop::FRAME_BUDGET + Duration::from_millis(1));
    assert!(coop::frame_slice(coop::FRAME_BUDGET).is_zero());
    let mut frames = 0;
    while slot.result().is_none() {
        slot.compute_and_receive();
        frames += 1;
        assert!(frames < 100_000);
    }
    assert!(
        frames > 1,
        "one unit a frame: the first cell took {frames} frames"
    );
}

#[test]
fn the_app_runs_in_frames_a_phase_diagram_fills_while_frames_go_on() {
    coop::set_run_mode(RunMode::InFrame);
    // Gaussian noise: no fast path, and its μ = 0 line is ~3·10⁴ quadratures — seconds of
    // work on one thread, which must not hold a frame.
    let mut state = AppState::from_preset(&Preset::builtin("fig1-right").unwrap());
    state.params.noise = saddlescope::model::NoiseLaw::Gaussian { std: 1.0 };
    state.sweep.a_cells = 16;
    state.sweep.lambda_cells = 16;
    let app = SaddlescopeApp::new(state, 1, Arc::new(|| {}));
    let mut h = Harness::builder()
        .with_size([1280.0, 720.0])
        .build_ui_state(|ui, app: &mut SaddlescopeApp| app.ui_root(ui), app);
    let mut frames = 0;
    let mut seen_partial = false;
    let deadline = Instant::now() + Duration::from_secs(120);
    while !h.state().sweep_grid().is_some_and(|g| g.is_complete()) {
        assert!(
            Instant::now() < deadline,
            "the sweep did not finish in frames"
        );
        h.step();
        frames += 1;
        seen_partial |= h
            .state()
            .sweep_grid()
            .is_some_and(|g| g.done > 0 && !g.is_complete());
    }
    assert!(seen_partial, "no partial grid was shown in {frames} frames");
    assert!(frames > 20, "{frames} frames");
    // The grid is the one `saddlescope run` computes on threads.
    let s = &h.state().state;
    let never = AtomicBool::new(false);
    let threaded = run_sweep(
        &s.params.valid().unwrap(),
        &s.sweep,
        2,
        &never,
        Duration::from_secs(1),
        |_| {},
    )
    .unwrap()
    .unwrap();
    assert_eq!(h.state().sweep_grid().unwrap().escape, threaded.escape);
    // And the live view plays in frames too.
    h.key_press(egui::Key::Num1);
    h.key_press(egui::Key::Space);
    let deadline = Instant::now() + Duration::from_secs(60);
    while h.state().snapshot().is_none_or(|s| s.step() < 20) {
        assert!(
            Instant::now() < deadline,
            "the live view did not play in frames"
        );
        h.step();
    }
    assert_eq!(h.state().state.preset.as_deref(), Some("fig1-left"));
}

#[test]
fn a_slice_of_a_frame_does_units_of_bounded_work() {
    // 20 000 walkers: a unit is IN_FRAME_CHUNK / 20 000 = 10 steps. A zero budget does one
    // unit per poll, so 100 steps take exactly 10 polls, each advancing 10 steps, and the
    // walkers end where one straight `advance` puts them.
    use saddlescope::sim::ensemble::IN_FRAME_CHUNK;
    let p = params(20_000, 100);
    let per = IN_FRAME_CHUNK / 20_000;
    assert_eq!(per, 10);
    let mut sliced = Ensemble::new(&p);
    let never = AtomicBool::new(false);
    let mut steps = Vec::new();
    {
        let mut fut = std::pin::pin!(sliced.advance_to_async(100, 1, &never));
        while coop::poll_within(fut.as_mut(), Duration::ZERO).is_pending() {
            steps.push(());
        }
    }
    // Each unit ends at a yield: pending after each of the 10 units, ready at the next poll.
    // (Units of CANCEL_CHUNK would make it 1.)
    assert_eq!(steps.len() as u64, 100 / per);
    let mut straight = Ensemble::new(&p);
    straight.advance(100, 1);
    assert_eq!(sliced.step(), 100);
    assert!(
        sliced
            .w1()
            .iter()
            .zip(straight.w1())
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
}
