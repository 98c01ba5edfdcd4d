//! The real UI driven headlessly through accessibility (egui_kittest): widgets found by role and
//! label, values set, and the window rendered to an image snapshot.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use saddlescope::app::{AppState, SaddlescopeApp};

fn harness(state: AppState) -> Harness<'static, SaddlescopeApp> {
    let app = SaddlescopeApp::new(state, 1, Arc::new(|| {}));
    Harness::builder()
        .with_size([1400.0, 900.0])
        .build_ui_state(|ui, app: &mut SaddlescopeApp| app.ui_root(ui), app)
}

/// Let panel widths and grid columns (which egui sizes from earlier frames) settle, so an
/// image snapshot does not depend on how many frames happened to run before it.
fn settle(h: &mut Harness<'static, SaddlescopeApp>) {
    for _ in 0..8 {
        h.step();
    }
    h.run();
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
    settle(&mut h);
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
    settle(&mut h);
    h.snapshot("main_window_fig1_left_log_axis_t1000");
}

fn small_phase_state(preset: &str) -> AppState {
    let p = saddlescope::preset::Preset::builtin(preset).unwrap();
    let mut s = AppState::from_preset(&p);
    s.sweep.a_cells = 8;
    s.sweep.lambda_cells = 8;
    s.sweep.walkers = 200;
    s.sweep.steps = 100;
    s
}

#[test]
fn clicking_a_phase_cell_loads_it_into_the_live_view() {
    let mut h = harness(small_phase_state("fig1-right"));
    run_until(&mut h, |a| a.sweep_grid().is_some_and(|g| g.is_complete()));
    // The cell centred at a = 0.375, λ = 0.125 (8 × 8 cells on [−1, 1] × [0, 2]).
    let pos = h
        .state()
        .phase_screen_position(0.375, 0.125)
        .expect("the map was drawn");
    common::click_at(&mut h, pos);
    h.run();
    let app = h.state();
    assert_eq!(app.state.view, saddlescope::preset::ViewKind::Histogram);
    assert!(
        (app.state.params.a - 0.375).abs() < 1e-12
            && (app.state.params.lambda - 0.125).abs() < 1e-12
    );
    run_until(&mut h, |a| {
        a.snapshot()
            .is_some_and(|s| s.params.a == 0.375 && s.params.lambda == 0.125)
    });
}

#[test]
fn a_new_sweep_after_a_parameter_change_never_shows_old_cells() {
    let mut h = harness(small_phase_state("fig1-right"));
    run_until(&mut h, |a| a.sweep_grid().is_some_and(|g| g.done > 0));
    // Switch to the quartic mid-sweep: the grid shown from then on must be the quartic's alone.
    h.state_mut().state.params.landscape = saddlescope::model::Landscape::Quartic;
    run_until(&mut h, |a| {
        a.sweep_grid().is_some_and(|g| {
            g.base.landscape == saddlescope::model::Landscape::Quartic && g.is_complete()
        })
    });
    let shown = h.state().sweep_grid().unwrap().clone();
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let fresh = saddlescope::sim::sweep::run_sweep(
        &shown.base.valid().unwrap(),
        &shown.spec,
        1,
        &cancel,
        Duration::from_secs(3600),
        |_| {},
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        shown.escape, fresh.escape,
        "every cell equals a clean quartic sweep"
    );
}

#[test]
fn phase_diagram_snapshot() {
    let mut h = harness(small_phase_state("fig9"));
    run_until(&mut h, |a| a.sweep_grid().is_some_and(|g| g.is_complete()));
    settle(&mut h);
    h.snapshot("phase_diagram_fig9_small_grid");
}

#[test]
fn landscape_view_snapshot_fig7() {
    let mut s = AppState::from_preset(&saddlescope::preset::Preset::builtin("fig7").unwrap());
    s.params.walkers = 500;
    let mut h = harness(s);
    run_until(&mut h, |a| a.snapshot().is_some());
    h.state().send(saddlescope::sim::worker::Command::Step(300));
    run_until(&mut h, |a| a.snapshot().is_some_and(|s| s.step() == 300));
    let sharp = h.state().snapshot().unwrap().current.summary.basins[0].fraction;
    assert!(
        sharp > 0.9,
        "by step 300 the walkers are in the sharp minima: {sharp}"
    );
    settle(&mut h);
    h.snapshot("landscape_fig7_t300");
}

#[test]
fn a_crashed_simulation_is_reported_and_restarts_with_the_settings_kept() {
    let mut s = AppState::default();
    s.params.lambda = 0.55;
    let mut h = harness(s);
    run_until(&mut h, |a| a.snapshot().is_some());
    h.state()
        .send(saddlescope::sim::worker::Command::InjectFault);
    run_until(&mut h, |a| a.crashed().is_some());
    assert!(
        h.query_by_label_contains("The simulation stopped")
            .is_some()
    );
    h.get_by_label("⟲ Restart simulation").click();
    h.run();
    run_until(&mut h, |a| {
        a.crashed().is_none() && a.snapshot().is_some_and(|s| s.generation > 0)
    });
    assert_eq!(h.state().state.params.lambda, 0.55);
    h.key_press(egui::Key::ArrowRight);
    run_until(&mut h, |a| {
        a.snapshot()
            .is_some_and(|s| s.step() == 1 && s.params.lambda == 0.55)
    });
}

#[test]
fn number_keys_jump_to_figures_and_p_toggles_presenter_mode() {
    use saddlescope::preset::ViewKind;
    let mut h = harness(AppState::default());
    run_until(&mut h, |a| a.snapshot().is_some());
    h.key_press(egui::Key::Num7);
    h.run();
    assert_eq!(h.state().state.preset.as_deref(), Some("fig7"));
    assert_eq!(h.state().state.view, ViewKind::Landscape2d);
    h.key_press(egui::Key::Num1);
    h.run();
    assert_eq!(h.state().state.preset.as_deref(), Some("fig1-left"));
    h.key_press(egui::Key::Num1);
    h.run();
    assert_eq!(h.state().state.preset.as_deref(), Some("fig1-middle"));
    h.key_press(egui::Key::Num0);
    h.run();
    assert_eq!(h.state().state.view, ViewKind::PhaseDiagram);
    h.key_press(egui::Key::Num1);
    h.run();
    h.key_press(egui::Key::P);
    h.run();
    assert!(h.state().state.presenter);
    // The caption describes what the view shows: the ensemble of the new preset, once it is in.
    run_until(&mut h, |a| {
        a.snapshot().is_some_and(|s| *s.params == a.state.params)
    });
    let caption = h.state().caption();
    assert!(
        caption.contains("λ = 0.8") && caption.contains("trapped"),
        "{caption}"
    );
    assert!(
        h.query_by_label_contains("SGD is trapped at w = 0")
            .is_some()
    );
    h.key_press(egui::Key::Questionmark);
    h.run();
    assert!(
        h.query_by_label_contains("Jump to Fig. 3").is_some(),
        "the ? overlay lists the shortcuts"
    );
}

#[test]
fn presets_save_and_open_through_the_app_without_losing_files_or_state() {
    let dir = std::env::temp_dir().join(format!("saddlescope-ui-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut h = harness(AppState::default());
    run_until(&mut h, |a| a.snapshot().is_some());
    h.state_mut().state.params.lambda = 0.55;
    h.run();
    let path = dir.join("mine.json");
    assert!(h.state_mut().save_preset(&path, false));
    // Saving again without consent keeps the file and says why.
    h.state_mut().state.params.lambda = 0.9;
    assert!(!h.state_mut().save_preset(&path, false));
    assert!(
        h.state()
            .file_message()
            .unwrap()
            .1
            .contains("already exists")
    );
    // Opening brings λ back.
    assert!(h.state_mut().open_preset(&path));
    assert_eq!(h.state().state.params.lambda, 0.55);
    // A corrupted file changes nothing and is not modified.
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{ \"format\": ").unwrap();
    h.state_mut().state.params.lambda = 0.7;
    assert!(!h.state_mut().open_preset(&bad));
    assert_eq!(h.state().state.params.lambda, 0.7);
    assert!(
        h.state()
            .file_message()
            .unwrap()
            .1
            .starts_with(&bad.display().to_string())
    );
    assert_eq!(std::fs::read_to_string(&bad).unwrap(), "{ \"format\": ");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Keep background work small while a random walk through the UI jumps between views.
fn shrink(s: &mut AppState) {
    s.params.walkers = s.params.walkers.min(300);
    s.sweep.a_cells = s.sweep.a_cells.min(6);
    s.sweep.lambda_cells = s.sweep.lambda_cells.min(6);
    s.sweep.walkers = s.sweep.walkers.min(50);
    s.sweep.steps = s.sweep.steps.min(50);
    s.loss_sweep.points = s.loss_sweep.points.min(3);
    s.loss_sweep.walkers = s.loss_sweep.walkers.min(20);
    s.loss_sweep.steps = s.loss_sweep.steps.min(100);
    s.optimizers.walkers = s.optimizers.walkers.min(30);
    s.optimizers.steps = s.optimizers.steps.min(200);
    s.rate_vs_step.walkers = s.rate_vs_step.walkers.min(50);
    s.rate_vs_lambda.walkers = s.rate_vs_lambda.walkers.min(50);
    s.rate_vs_lambda.lambda_points = s.rate_vs_lambda.lambda_points.min(5);
}

/// A file dropped on the window, as the windowing layer hands it over.
#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// What a random sequence can do to the window.
#[derive(Clone, Copy, Debug)]
enum Act {
    Key,
    Slider,
    Typed,
    View,
    DropFile,
    Absurd,
}

#[test]
fn thousands_of_random_sequences_never_panic_and_keep_the_state_valid() {
    use rand::{RngExt, SeedableRng};
    use saddlescope::preset::{Preset, ViewKind};
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
    let mut h = harness(AppState::default());
    shrink(&mut h.state_mut().state);
    run_until(&mut h, |a| a.snapshot().is_some());
    let keys = [
        egui::Key::Space,
        egui::Key::ArrowRight,
        egui::Key::R,
        egui::Key::P,
        egui::Key::Questionmark,
        egui::Key::Num0,
        egui::Key::Num1,
        egui::Key::Num2,
        egui::Key::Num3,
        egui::Key::Num4,
        egui::Key::Num5,
        egui::Key::Num6,
        egui::Key::Num7,
        egui::Key::Num8,
        egui::Key::Num9,
    ];
    // σ_add is drawn with "add" as a subscript: its name reads "σadd".
    let sliders = ["a", "λ", "β1", "β2", "σadd"];
    let fields = ["walkers N", "steps", "seed", "steps per frame", "ε", "r"];
    let texts = [
        "1e12", "-5", "abc", "", "NaN", "inf", "0", "250", "3.5", "1e-300", "−2",
    ];
    let views = [
        "Histogram",
        "Phase diagram",
        "Escape rate",
        "2-D landscape",
        "Loss vs λ",
        "Optimizers",
    ];
    // Files dropped on the window: a good preset, and the ways a file goes wrong.
    let dir = std::env::temp_dir().join(format!("saddlescope-ui-drop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = Preset::builtin("fig9").unwrap().to_json();
    let files = [
        ("good.json", good.clone()),
        ("truncated.json", good[..good.len() / 3].to_string()),
        ("garbage.json", "\u{0}not json at all".to_string()),
        (
            "newer.json",
            good.replace("\"format_version\": 1", "\"format_version\": 99"),
        ),
    ]
    .map(|(name, text)| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    });
    let acts = [
        Act::Key,
        Act::Slider,
        Act::Typed,
        Act::View,
        Act::DropFile,
        Act::Absurd,
    ];
    // 2000 sequences of 1 to 4 actions, each starting from a random figure's preset.
    for sequence in 0..2000 {
        let all = Preset::builtin_all();
        h.state_mut()
            .load_preset(&all[rng.random_range(0..all.len())]);
        for _ in 0..rng.random_range(1..=4) {
            let act = acts[rng.random_range(0..acts.len())];
            match act {
                Act::Key => h.key_press(keys[rng.random_range(0..keys.len())]),
                Act::Slider => {
                    let label = sliders[rng.random_range(0..sliders.len())];
                    let v = [rng.random_range(-5.0..5.0), 0.0, 1.0, 2.0, 1e9, -1e9]
                        [rng.random_range(0..6)];
                    if let Some(node) = h.query_by_role_and_label(Role::Slider, label) {
                        node.set_value_accesskit(v);
                    }
                }
                Act::Typed => {
                    let label = fields[rng.random_range(0..fields.len())];
                    let text = texts[rng.random_range(0..texts.len())];
                    // (A view's own "steps" or "walkers" can share the label: skipped.)
                    try_type_into(&mut h, label, text);
                }
                Act::View => {
                    let label = views[rng.random_range(0..views.len())];
                    if let Some(node) = h.query_by_label(label) {
                        node.click();
                    }
                }
                Act::DropFile => {
                    let path = &files[rng.random_range(0..files.len())];
                    // Compared as text: a NaN the sequence typed is not equal to itself.
                    let text = |a: &AppState| serde_json::to_string(a).unwrap();
                    let before = text(&h.state().state);
                    h.input_mut()
                        .dropped_files
                        .push(Arc::new(Dropped(path.clone())));
                    h.step();
                    let (ok, message) = h.state().file_message().unwrap().clone();
                    if path.ends_with("good.json") {
                        assert!(ok, "{message}");
                    } else {
                        // Refused with the file named, and nothing changed.
                        assert!(!ok && message.contains(path.to_str().unwrap()), "{message}");
                        assert_eq!(text(&h.state().state), before);
                    }
                }
                Act::Absurd => {
                    let st = &mut h.state_mut().state;
                    match rng.random_range(0..3) {
                        0 => st.params.walkers = rng.random_range(0..500),
                        1 => st.params.lambda = f64::NAN,
                        _ => st.view = ViewKind::ALL[rng.random_range(0..ViewKind::ALL.len())],
                    }
                }
            }
            shrink(&mut h.state_mut().state);
            h.step();
            let app = h.state();
            assert!(app.crashed().is_none(), "sequence {sequence}: {act:?}");
            assert!(!app.state.presenter || app.caption().len() > 10);
            // Whatever the drafts hold, the worker only ever received valid parameters: the
            // snapshot it shows validates.
            if let Some(s) = app.snapshot() {
                assert!(s.params.validate().is_ok());
                assert_eq!(
                    s.current.summary.finite + s.current.summary.diverged,
                    s.current.summary.walkers
                );
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ctrl_e_exports_the_view_and_ctrl_s_opens_the_preset_window() {
    let mut h = harness(AppState::default());
    run_until(&mut h, |a| a.snapshot().is_some());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run();
    assert!(
        h.query_by_label("PNG scale").is_some(),
        "Ctrl+E opens the export window"
    );
    let dir = std::env::temp_dir().join(format!("saddlescope-ui-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("view.svg");
    let _ = std::fs::remove_file(&svg);
    assert!(h.state_mut().export_figure(&svg, 2.0, false));
    let text = std::fs::read_to_string(&svg).unwrap();
    // The file is the figure the view draws (paused: the snapshot does not move), its glyphs
    // drawn as paths.
    let fig = h.state().current_figure().unwrap();
    assert_eq!(text, fig.to_svg().unwrap());
    assert!(fig.panels[1].y.label == "fraction with |w| < θ");
    assert!(!text.contains("<text"));
    // A second export to the same name without consent leaves the file as it was.
    std::fs::write(&svg, "keep me").unwrap();
    assert!(!h.state_mut().export_figure(&svg, 2.0, false));
    assert_eq!(std::fs::read_to_string(&svg).unwrap(), "keep me");
    assert!(h.state().export_message().unwrap().1.contains("exists"));
    // With consent, but a write that fails (its temporary file cannot be created): the old
    // file stays and the window says why.
    let squatter = dir.join(format!(".view.svg.tmp-{}", std::process::id()));
    std::fs::create_dir_all(&squatter).unwrap();
    assert!(!h.state_mut().export_figure(&svg, 2.0, true));
    assert_eq!(std::fs::read_to_string(&svg).unwrap(), "keep me");
    let (ok, message) = h.state().export_message().unwrap();
    assert!(!ok && message.contains("cannot write"), "{message}");
    std::fs::remove_dir_all(&squatter).unwrap();
    let png = dir.join("view.png");
    let _ = std::fs::remove_file(&png);
    assert!(h.state_mut().export_figure(&png, 1.0, false));
    // The message names the file by its full path, wherever the app started.
    let (_, message) = h.state().export_message().unwrap();
    assert!(message.contains(&png.display().to_string()), "{message}");
    // The window's file name comes from the preset and the view; Save as… is beside it.
    assert!(h.query_by_label("Save as…").is_some());
    assert!(
        h.query_all_by_value("fig1-left-histogram.svg")
            .next()
            .is_some()
    );
    // It follows the figure shown (key 0: Fig. 1-right's phase diagram) until the user types
    // another name, which then stays.
    h.key_press(egui::Key::Num0);
    h.run();
    assert!(
        h.query_all_by_value("fig1-right-phase-diagram.svg")
            .next()
            .is_some()
    );
    h.query_all_by_value("fig1-right-phase-diagram.svg")
        .next()
        .unwrap()
        .click();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.query_all_by_value("fig1-right-phase-diagram.svg")
        .next()
        .unwrap()
        .type_text("mine.svg");
    h.run();
    h.key_press(egui::Key::Escape);
    h.run();
    h.key_press(egui::Key::Num1);
    h.run();
    assert!(h.query_all_by_value("mine.svg").next().is_some());
    assert!(
        h.query_all_by_value("fig1-left-histogram.svg")
            .next()
            .is_none()
    );
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    // Both windows are open now, each with its own consent box.
    assert_eq!(
        h.query_all_by_label("replace the file if it exists")
            .count(),
        2
    );
}

#[test]
fn paper_defaults_undo_every_edit_and_the_state_survives_a_restart() {
    let mut h = harness(AppState::default());
    h.run();
    h.state_mut().state.params.lambda = 0.33;
    h.state_mut().state.params.seed = 99;
    // What eframe stores between launches is the serialized state: it must come back equal.
    let stored = serde_json::to_string(&h.state().state).unwrap();
    let back: AppState = serde_json::from_str(&stored).unwrap();
    assert_eq!(back.params, h.state().state.params);
    h.state_mut().reset_to_paper_defaults();
    let p = saddlescope::preset::Preset::builtin("fig1-left").unwrap();
    assert_eq!(h.state().state.params, p.params);
}

/// Type `text` into the number field labelled `label` and press Enter, as a user would.
fn type_into(h: &mut Harness<'static, SaddlescopeApp>, label: &str, text: &str) {
    assert!(
        try_type_into(h, label, text),
        "no field {label} to type into"
    );
}

/// [`type_into`] where the field may be missing or covered (a random sequence): false if the
/// field could not be found for any of the three steps.
fn try_type_into(h: &mut Harness<'static, SaddlescopeApp>, label: &str, text: &str) -> bool {
    let unique = |h: &Harness<'static, SaddlescopeApp>| h.query_all_by_label(label).count() == 1;
    if !unique(h) {
        return false;
    }
    h.get_by_label(label).click();
    h.run_steps(2);
    if !unique(h) {
        return false;
    }
    h.get_by_label(label).type_text(text);
    h.run_steps(2);
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    true
}

/// Type `text` into the widget of `role` named `label`, then Enter.
fn type_into_role(h: &mut Harness<'static, SaddlescopeApp>, role: Role, label: &str, text: &str) {
    h.get_by_role_and_label(role, label).click();
    h.run_steps(2);
    h.get_by_role_and_label(role, label).type_text(text);
    h.run_steps(2);
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
}

#[test]
fn a_first_launch_says_how_to_start_and_an_edited_preset_says_modified() {
    let mut h = harness(AppState::default());
    run_until(&mut h, |a| a.snapshot().is_some());
    assert!(h.query_by_label_contains("Press Space").is_some());
    let preset_box = |h: &Harness<'static, SaddlescopeApp>| {
        h.get_by_role_and_label(Role::ComboBox, "Preset")
            .accesskit_node()
            .value()
    };
    assert_eq!(preset_box(&h).as_deref(), Some("fig1-left"));
    h.key_press(egui::Key::Space);
    run_until(&mut h, |a| a.snapshot().is_some_and(|s| s.step() > 0));
    assert!(h.query_by_label_contains("Press Space").is_none());
    h.get_by_role_and_label(Role::Slider, "λ")
        .set_value_accesskit(0.3);
    h.run();
    assert!(h.state_mut().preset_modified());
    assert_eq!(preset_box(&h).as_deref(), Some("fig1-left (modified)"));
    h.state_mut().reset_to_paper_defaults();
    h.run();
    assert!(!h.state_mut().preset_modified());
    assert_eq!(preset_box(&h).as_deref(), Some("fig1-left"));
}

#[test]
fn a_typed_value_out_of_range_is_clamped_or_refused_with_the_reason_shown() {
    let mut h = harness(AppState::default());
    run_until(&mut h, |a| a.snapshot().is_some());
    let before = h.state().state.params.walkers;
    type_into(&mut h, "walkers N", "1e12");
    assert_eq!(h.state().state.params.walkers, 20_000_000);
    // The note names the field, says what was typed, the memory that would have taken and the
    // limit it was clamped to.
    let t = "\u{2009}";
    for part in [
        "⚠ walkers N: ".to_string(),
        format!("1{t}000{t}000{t}000{t}000 walkers would need about"),
        "TiB".to_string(),
        format!("above the maximum 20{t}000{t}000: set to 20{t}000{t}000"),
    ] {
        assert!(
            h.query_by_label_contains(&part).is_some(),
            "note lacks {part:?}"
        );
    }
    assert_ne!(before, 20_000_000);

    // The fields beside the sliders explain too: text, and a value below the range, typed into λ.
    let lambda = h.state().state.params.lambda;
    type_into_role(&mut h, Role::SpinButton, "λ", "abc");
    assert_eq!(h.state().state.params.lambda, lambda);
    assert!(
        h.query_by_label_contains("⚠ λ: “abc” is not a number")
            .is_some()
    );
    type_into_role(&mut h, Role::SpinButton, "λ", "-5");
    assert_eq!(h.state().state.params.lambda, 0.0);
    assert!(
        h.query_by_label_contains("⚠ λ: −5 is below the minimum 0: set to 0")
            .is_some()
    );
    type_into_role(&mut h, Role::SpinButton, "λ", "12.5");
    assert_eq!(
        h.state().state.params.lambda,
        12.5,
        "typed beyond the slider's 4"
    );
    assert!(h.query_by_label_contains("⚠ λ:").is_none());

    // Text that is not a number leaves the value as it was and says so.
    type_into(&mut h, "steps", "lots");
    let steps = h.state().state.params.steps;
    assert!(
        h.query_by_label_contains("“lots” is not a number")
            .is_some(),
        "refusal shown"
    );
    assert_eq!(h.state().state.params.steps, steps);
    type_into(&mut h, "steps", "NaN");
    assert_eq!(h.state().state.params.steps, steps);
    assert!(h.query_by_label_contains("NaN is not allowed").is_some());

    // A list that cannot be used is reported under its own field (not under the last one).
    let records = h.state().state.params.record_steps.clone();
    type_into(&mut h, "record at", ", 5, 3");
    assert_eq!(h.state().state.params.record_steps, records, "kept");
    let note = h.get_by_label_contains("⚠ record at:").rect();
    let field = h.get_by_label("record at").rect();
    let thresholds = h.get_by_label("thresholds θ").rect();
    assert!(
        note.top() >= field.bottom() && note.bottom() <= thresholds.top(),
        "the note sits between its field and the next"
    );

    // A value it takes as typed clears the note.
    type_into(&mut h, "walkers N", "2000");
    assert_eq!(h.state().state.params.walkers, 2000);
    assert!(h.query_by_label_contains("above the maximum").is_none());
}

/// Presenter mode on a 720p projector: a view with its side panels and controls folded away,
/// the plots taking at least half the window, round ticks and the caption in large type. An
/// image snapshot on deterministic data (the worker stepped to a fixed step, a batch view
/// computed from its seed).
fn presenter_at(size: [f32; 2], name: &str, sets: &[(&str, &str)], snapshot: &str) {
    use saddlescope::preset::Preset;
    let mut p = Preset::builtin(name).unwrap();
    for (k, v) in sets {
        p.set(k, v).unwrap();
    }
    let mut state = AppState::from_preset(&p);
    state.presenter = true;
    let app = SaddlescopeApp::new(state, 1, Arc::new(|| {}));
    let mut h = Harness::builder()
        .with_size(size)
        .build_ui_state(|ui, app: &mut SaddlescopeApp| app.ui_root(ui), app);
    run_until(&mut h, |a| a.snapshot().is_some());
    if p.view.is_live() {
        h.state().send(saddlescope::sim::worker::Command::Step(20));
        run_until(&mut h, |a| a.snapshot().is_some_and(|s| s.step() == 20));
    } else {
        run_until(&mut h, |a| {
            a.current_figure().is_some()
                && !a.sweep_running()
                && !saddlescope::app::views::View::busy(&a.views().escape)
        });
    }
    settle(&mut h);
    // Presenter mode enlarges text and widgets, not the zoom: the window is its size in points.
    let window = size[0] * size[1];
    let area: f32 = h
        .state()
        .drawn_panels()
        .iter()
        .map(|(_, r, _)| r.area())
        .sum();
    assert!(
        area >= 0.5 * window,
        "{name}: the plots cover {area} of {window} points²"
    );
    h.snapshot(snapshot);
}

#[test]
fn presenter_720p_histogram() {
    presenter_at(
        [1280.0, 720.0],
        "fig1-left",
        &[],
        "presenter_720p_histogram",
    );
}

#[test]
fn presenter_720p_phase_diagram() {
    presenter_at(
        [1280.0, 720.0],
        "fig1-right",
        &[
            ("sweep.a_cells", "16"),
            ("sweep.lambda_cells", "16"),
            ("sweep.walkers", "200"),
            ("sweep.steps", "200"),
        ],
        "presenter_720p_phase",
    );
}

#[test]
fn presenter_720p_escape_rate() {
    presenter_at(
        [1280.0, 720.0],
        "fig6",
        &[("rate.walkers", "300"), ("rate.lambda_points", "12")],
        "presenter_720p_escape_rate",
    );
}

#[test]
fn presenter_1080p_phase_diagram() {
    presenter_at(
        [1920.0, 1080.0],
        "fig1-right",
        &[
            ("sweep.a_cells", "16"),
            ("sweep.lambda_cells", "16"),
            ("sweep.walkers", "200"),
            ("sweep.steps", "200"),
        ],
        "presenter_1080p_phase",
    );
}
