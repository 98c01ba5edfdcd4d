//! What a new user meets in the first minutes, driven headlessly (egui_kittest): every view
//! right on its first frame, keystrokes in a field never running shortcuts, undo and redo, and
//! the keys acting on the view shown.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use saddlescope::app::views::View;
use saddlescope::app::{AppState, SaddlescopeApp};
use saddlescope::preset::{Preset, ViewKind};

fn harness_at(state: AppState, size: [f32; 2]) -> Harness<'static, SaddlescopeApp> {
    let app = SaddlescopeApp::new(state, 1, Arc::new(|| {}));
    Harness::builder()
        .with_size(size)
        .build_ui_state(|ui, app: &mut SaddlescopeApp| app.ui_root(ui), app)
}

/// Run frames until `done` holds (the worker and the jobs answer on their own threads).
fn run_until(h: &mut Harness<'static, SaddlescopeApp>, done: impl Fn(&SaddlescopeApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(h.state()) {
        assert!(
            Instant::now() < deadline,
            "the UI did not get there in 60 s"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A built-in preset made small enough for a test, on its own view.
fn small(name: &str) -> AppState {
    let mut s = AppState::from_preset(&Preset::builtin(name).unwrap());
    s.params.walkers = s.params.walkers.min(300);
    s.sweep.a_cells = s.sweep.a_cells.min(10);
    s.sweep.lambda_cells = s.sweep.lambda_cells.min(10);
    s.sweep.walkers = s.sweep.walkers.min(50);
    s.sweep.steps = s.sweep.steps.min(50);
    s.loss_sweep.points = s.loss_sweep.points.min(4);
    s.loss_sweep.walkers = s.loss_sweep.walkers.min(20);
    s.loss_sweep.steps = s.loss_sweep.steps.min(200);
    s.optimizers.walkers = s.optimizers.walkers.min(30);
    s.optimizers.steps = s.optimizers.steps.min(300);
    s.rate_vs_step.walkers = s.rate_vs_step.walkers.min(50);
    s.rate_vs_lambda.walkers = s.rate_vs_lambda.walkers.min(50);
    s.rate_vs_lambda.lambda_points = s.rate_vs_lambda.lambda_points.min(6);
    s
}

fn ready(a: &SaddlescopeApp) -> bool {
    a.snapshot().is_some()
        && a.current_figure().is_some()
        && !View::busy(a.views().get(a.state.view))
}

#[test]
fn every_view_is_right_on_its_first_frame_with_and_without_presenter_mode() {
    // The frame in which a view's data arrives is the frame a presenter sees (a real window
    // repaints only on events): it must equal the frame after the pointer moves, pixel for pixel.
    for name in [
        "fig1-left",
        "fig1-right",
        "fig5",
        "fig7",
        "fig3-right",
        "fig2-left",
    ] {
        for presenter in [false, true] {
            let mut s = small(name);
            s.presenter = presenter;
            let mut h = harness_at(s, [1280.0, 720.0]);
            run_until(&mut h, ready);
            // The result came in after the last frame drew (a job reports at the end of a
            // frame); the waker's repaint draws it: that frame is the first one shown.
            h.step();
            let first = h.render().expect("render");
            // The pointer comes in over the window's top edge and leaves it again.
            h.hover_at(egui::pos2(1270.0, 2.0));
            h.step();
            h.event(egui::Event::PointerGone);
            h.step();
            let after = h.render().expect("render");
            let differ = first
                .pixels()
                .zip(after.pixels())
                .filter(|(a, b)| a != b)
                .count();
            if differ > 0 {
                let at: Vec<_> = first
                    .enumerate_pixels()
                    .zip(after.pixels())
                    .filter(|((_, _, a), b)| a != b)
                    .map(|((x, y, _), _)| (x, y))
                    .take(8)
                    .collect();
                eprintln!("{name} {presenter}: first differing pixels {at:?}");
            }
            assert_eq!(
                differ, 0,
                "{name}, presenter {presenter}: {differ} pixels change once the pointer moves"
            );
        }
    }
}

#[test]
fn keys_typed_into_a_field_never_run_shortcuts() {
    let mut h = harness_at(AppState::default(), [1280.0, 720.0]);
    run_until(&mut h, |a| a.snapshot().is_some());
    h.get_by_role_and_label(Role::SpinButton, "walkers N")
        .click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::SpinButton, "walkers N")
        .type_text("1200");
    h.run_steps(2);
    // Digits are figure keys, P presenter mode, Space play, R reset: none may act while typing.
    for key in [
        egui::Key::Num2,
        egui::Key::P,
        egui::Key::Space,
        egui::Key::R,
    ] {
        h.key_press(key);
        h.run_steps(2);
    }
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    let s = &h.state().state;
    assert_eq!(s.params.walkers, 1200, "the typed value was taken");
    assert_eq!(s.preset.as_deref(), Some("fig1-left"));
    assert!(!s.presenter);
    assert!(!h.state().is_playing());
}

#[test]
fn ctrl_z_undoes_edits_and_preset_switches_and_ctrl_shift_z_redoes() {
    let mut h = harness_at(AppState::default(), [1280.0, 720.0]);
    run_until(&mut h, |a| a.snapshot().is_some());
    h.get_by_role_and_label(Role::Slider, "λ")
        .set_value_accesskit(0.3);
    h.run_steps(3);
    assert_eq!(h.state().state.params.lambda, 0.3);
    // A switch away from the modified preset says so, and can be undone.
    h.key_press(egui::Key::Num2);
    h.run_steps(3);
    assert_eq!(h.state().state.preset.as_deref(), Some("fig2-left"));
    assert!(
        h.state()
            .status_texts()
            .iter()
            .any(|t| t.contains("fig1-left (modified) replaced by fig2-left")),
        "{:?}",
        h.state().status_texts()
    );
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(3);
    assert_eq!(h.state().state.preset.as_deref(), Some("fig1-left"));
    assert_eq!(h.state().state.params.lambda, 0.3);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(3);
    assert_eq!(h.state().state.params.lambda, 0.8);
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::Z,
    );
    h.run_steps(3);
    assert_eq!(h.state().state.params.lambda, 0.3);
}

#[test]
fn on_a_computing_view_space_cancels_and_restarts_it_and_the_live_run_stays_put() {
    let mut s = small("fig1-right");
    s.sweep.a_cells = 40;
    s.sweep.lambda_cells = 40;
    s.sweep.walkers = 2000;
    s.sweep.steps = 1000;
    let mut h = harness_at(s, [1280.0, 720.0]);
    run_until(&mut h, |a| a.snapshot().is_some() && a.sweep_running());
    let step = h.state().snapshot().unwrap().step();
    h.key_press(egui::Key::Space);
    h.run_steps(2);
    run_until(&mut h, |a| !a.sweep_running());
    let done = h.state().sweep_grid().map_or(0, |g| g.done);
    assert!(
        done < 1600,
        "Space cancelled the sweep ({done} of 1600 cells)"
    );
    for key in [egui::Key::ArrowRight, egui::Key::R] {
        h.key_press(key);
        h.run_steps(2);
    }
    // R ran the sweep again from the start.
    assert!(h.state().sweep_running());
    h.key_press(egui::Key::Space);
    run_until(&mut h, |a| !a.sweep_running());
    assert_eq!(
        h.state().snapshot().unwrap().step(),
        step,
        "the hidden run never moved"
    );
    assert!(!h.state().is_playing());
    assert_eq!(h.state().state.view, ViewKind::PhaseDiagram);
}

#[test]
fn fit_brings_a_collapsed_ensemble_back_onto_the_axes() {
    let mut s = AppState::default();
    s.controls.steps_per_frame = 100;
    let mut h = harness_at(s, [1280.0, 720.0]);
    run_until(&mut h, |a| a.snapshot().is_some());
    h.key_press(egui::Key::Space);
    run_until(&mut h, |a| a.snapshot().is_some_and(|s| s.step() >= 400));
    h.key_press(egui::Key::Space);
    run_until(&mut h, |a| a.snapshot().is_some_and(|s| !s.playing));
    let before = h.state().snapshot().unwrap().clone();
    let n = before.current.summary.walkers as u64;
    // At t ≥ 400 almost every walker is within 10⁻⁴⁰ of 0: the linear axis holds them all in
    // its two central bins.
    let mut counts = before.current.histogram.counts.clone();
    counts.sort_unstable();
    assert!(counts.iter().rev().take(2).sum::<u64>() > n * 9 / 10);
    h.key_press(egui::Key::A);
    let step = before.step();
    run_until(&mut h, |a| {
        a.snapshot()
            .is_some_and(|s| s.generation > before.generation && s.step() == step)
    });
    h.run_steps(3);
    let a = h.state();
    assert!(
        a.state.histogram.log_axis,
        "a collapse over decades goes on the log axis"
    );
    let after = a.snapshot().unwrap().clone();
    let lh = &after.current.log10_histogram;
    // The fitted range runs from the 1 % to the 99 % quantile of |w| and a decade beyond: at
    // most 1 % of the walkers (plus the ones exactly at 0) sit off either end.
    let at_zero = after.current.summary.at_zero as u64;
    assert!(
        lh.below.saturating_sub(at_zero) <= n / 100 + 1,
        "{} below",
        lh.below
    );
    assert!(lh.above <= n / 100 + 1, "{} above", lh.above);
    // And the plot shows the whole range it bins.
    let (_, _, t) = a
        .drawn_panels()
        .iter()
        .find(|(id, _, _)| id == "histogram")
        .expect("the histogram panel")
        .clone();
    let b = t.bounds();
    assert!(
        b.min()[0] <= lh.lo && b.max()[0] >= lh.hi,
        "{b:?} vs [{}, {}]",
        lh.lo,
        lh.hi
    );
}

#[test]
fn presenter_text_is_at_least_2_2_percent_of_the_window_height() {
    for size in [[1280.0, 720.0], [1920.0, 1080.0], [800.0, 600.0]] {
        let s = AppState {
            presenter: true,
            ..Default::default()
        };
        let mut h = harness_at(s, size);
        h.run_steps(3);
        // Tick labels, axis titles and captions are drawn in the body font.
        let body = h
            .ctx
            .global_style()
            .text_styles
            .get(&egui::TextStyle::Body)
            .map(|f| f.size)
            .unwrap();
        assert!(body >= 0.022 * size[1], "{size:?}: body text {body}");
    }
}

#[test]
fn a_small_window_keeps_every_control_and_gives_the_plots_over_40_percent() {
    // 800 × 600, and 1280 × 720 at Ctrl+Plus twice (1.2² zoom: 889 × 500 points).
    for (size, zoom) in [([800.0, 600.0], 1.0), ([1280.0 / 1.44, 720.0 / 1.44], 1.44)] {
        let mut h = harness_at(small("fig1-left"), size);
        run_until(&mut h, ready);
        h.run_steps(4);
        let window = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(size[0], size[1]));
        let area: f32 = h
            .state()
            .drawn_panels()
            .iter()
            .map(|(_, r, _)| r.intersect(window).area())
            .sum();
        assert!(
            area >= 0.4 * window.area(),
            "zoom {zoom}: the plots cover {area} of {} points²",
            window.area()
        );
        for label in ["📁 File", "Export", "Fit axes", "Presenter", "Light"] {
            let node = h.get_by_label(label);
            assert!(
                window.contains_rect(node.rect()),
                "zoom {zoom}: {label} at {:?}, off the window",
                node.rect()
            );
        }
        // The theory is still there, under the controls.
        h.get_by_label_contains("μ(a, λ)");
    }
}
