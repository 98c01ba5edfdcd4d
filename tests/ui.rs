//! The real UI driven headlessly through accessibility (egui_kittest): widgets found by role and
//! label, values set, and the window rendered to an image snapshot.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use saddlescope::app::{AppState, SaddlescopeApp};

fn harness(state: AppState) -> Harness<'static, SaddlescopeApp> {
    let app = SaddlescopeApp::new(state, 1, Arc::new(|| {}));
    Harness::builder()
        .with_size([1400.0, 900.0])
        .build_ui_state(|ui, app: &mut SaddlescopeApp| app.ui_root(ui), app)
}

/// Run frames until `done` holds (the worker answers on its own thread).
fn run_until(h: &mut Harness<'static, SaddlescopeApp>, done: impl Fn(&SaddlescopeApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(h.state()) {
        assert!(
            Instant::now() < deadline,
            "the UI did not reach the expected state in 30 s"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    h.run();
}

#[test]
fn moving_the_lambda_slider_changes_the_theory_readout() {
    let mut h = harness(AppState::default());
    run_until(&mut h, |a| a.snapshot().is_some());
    assert!(
        h.query_by_label_contains("trapped: w → 0, the maximum")
            .is_some()
    );
    let mu_before = h.state().readout().mu;
    h.get_by_role_and_label(Role::Slider, "λ")
        .set_value_accesskit(0.3);
    h.run();
    assert_eq!(h.state().state.params.lambda, 0.3);
    let mu_after = h.state().readout().mu;
    assert!(
        mu_before < 0.0 && mu_after > 0.0,
        "{mu_before} → {mu_after}"
    );
    assert!(h.query_by_label_contains("escaping").is_some());
    // The worker restarts the ensemble with the new λ: the next snapshot carries it.
    run_until(&mut h, |a| {
        a.snapshot().is_some_and(|s| s.params.lambda == 0.3)
    });
}

#[test]
fn keys_step_and_reset_the_ensemble() {
    let mut h = harness(AppState::default());
    run_until(&mut h, |a| a.snapshot().is_some());
    for _ in 0..3 {
        h.key_press(egui::Key::ArrowRight);
        h.run();
    }
    run_until(&mut h, |a| a.snapshot().is_some_and(|s| s.step() == 3));
    h.key_press(egui::Key::R);
    run_until(&mut h, |a| a.snapshot().is_some_and(|s| s.step() == 0));
}

#[test]
fn main_window_snapshot() {
    let mut h = harness(AppState::default());
    run_until(&mut h, |a| a.snapshot().is_some());
    for _ in 0..10 {
        h.key_press(egui::Key::ArrowRight);
        h.run();
    }
    run_until(&mut h, |a| a.snapshot().is_some_and(|s| s.step() == 10));
    h.snapshot("main_window_fig1_left_t10");
}

#[test]
fn log_axis_snapshot_shows_the_collapse_to_1e_minus_140() {
    let mut h = harness(AppState::default());
    run_until(&mut h, |a| a.snapshot().is_some());
    h.state()
        .send(saddlescope::sim::worker::Command::Step(1000));
    run_until(&mut h, |a| a.snapshot().is_some_and(|s| s.step() == 1000));
    h.get_by_label("log10 |w| axis").click();
    h.run();
    assert!(h.state().state.histogram.log_axis);
    h.snapshot("main_window_fig1_left_log_axis_t1000");
}
