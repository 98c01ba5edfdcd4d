//! Lecture mode, driven headlessly: a lecture file's scenes (a shipped preset, a preset file
//! beside the lecture, a view override) advanced by the clicker's keys, each scene's action
//! (play to a step, jump to a step), Home/End, B to blank, Esc to leave; and `saddlescope
//! lecture` refusing a broken file with the scene named.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::Key;
use egui_kittest::Harness;

use saddlescope::app::{AppState, SaddlescopeApp};
use saddlescope::lecture::LoadedLecture;
use saddlescope::preset::{Preset, ViewKind};

fn run_until(
    h: &mut Harness<'static, SaddlescopeApp>,
    what: &str,
    done: impl Fn(&SaddlescopeApp) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(h.state()) {
        assert!(Instant::now() < deadline, "{what}: not reached in 60 s");
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A lecture in a fresh folder, its second scene a preset file beside it.
fn lecture_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("saddlescope-lecture-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    common::small("fig1-middle", 40)
        .save(&d.join("quartic.json"), false)
        .unwrap();
    std::fs::write(
        d.join("talk.json"),
        r#"{
  "format": "saddlescope-lecture", "format_version": 1, "title": "test talk",
  "scenes": [
    { "title": "collapse", "preset": "fig1-left", "notes": "watch it fall", "action": { "play_to": 30 } },
    { "title": "quartic", "preset": "quartic.json", "action": { "step_to": 40 } },
    { "title": "as a phase map", "preset": "fig8", "view": "phase_diagram" }
  ]
}"#,
    )
    .unwrap();
    d
}

#[test]
fn the_clicker_walks_the_scenes_and_each_scene_does_its_action() {
    let d = lecture_dir("keys");
    let lecture = LoadedLecture::resolve(d.join("talk.json").to_str().unwrap()).unwrap();
    let mut state = AppState::from_preset(&Preset::builtin("fig1-left").unwrap());
    state.params.walkers = 300;
    let mut app = SaddlescopeApp::new(state, 1, Arc::new(|| {}));
    app.start_lecture(lecture);
    let mut h = Harness::builder()
        .with_size([1280.0, 720.0])
        .build_ui_state(|ui, app: &mut SaddlescopeApp| app.ui_root(ui), app);

    // Scene 1 plays and pauses at the first frame at or past step 30 (steps per frame 1: at 30).
    run_until(&mut h, "scene 1 paused at 30", |a| {
        a.snapshot().is_some_and(|s| s.step() >= 30 && !s.playing)
    });
    assert_eq!(h.state().snapshot().unwrap().step(), 30);
    assert!(h.state().state.presenter, "a lecture shows the figure only");
    assert_eq!(h.state().lecture().unwrap().scene, 0);

    // PageDown: the preset file beside the lecture, jumped to its step 40 (its last).
    h.key_press(Key::PageDown);
    run_until(&mut h, "scene 2 at 40", |a| {
        a.snapshot()
            .is_some_and(|s| s.params.walkers == 300 && s.step() == 40)
    });
    assert_eq!(h.state().state.preset.as_deref(), Some("fig1-middle"));
    assert_eq!(h.state().lecture().unwrap().scene, 1);

    // → is "next" in a lecture (not a simulation step); the last scene's view is overridden.
    h.key_press(Key::ArrowRight);
    h.step();
    assert_eq!(h.state().lecture().unwrap().scene, 2);
    assert_eq!(h.state().state.view, ViewKind::PhaseDiagram);
    assert_eq!(h.state().state.preset.as_deref(), Some("fig8"));
    // Past the end stays on the last scene; Home goes back to the first.
    h.key_press(Key::PageDown);
    h.step();
    assert_eq!(h.state().lecture().unwrap().scene, 2);
    h.key_press(Key::Home);
    h.step();
    assert_eq!(h.state().lecture().unwrap().scene, 0);
    assert_eq!(h.state().state.view, ViewKind::Histogram);

    // B blanks and unblanks; Esc leaves lecture mode and the scene stays.
    h.key_press(Key::B);
    h.step();
    assert!(h.state().lecture().unwrap().blank);
    h.key_press(Key::B);
    h.step();
    assert!(!h.state().lecture().unwrap().blank);
    h.key_press(Key::Escape);
    h.step();
    assert!(h.state().lecture().is_none());
    assert_eq!(h.state().state.preset.as_deref(), Some("fig1-left"));
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn the_command_line_refuses_a_broken_lecture_naming_the_scene() {
    let d = lecture_dir("broken");
    let bad = d.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"format":"saddlescope-lecture","format_version":1,"title":"t",
            "scenes":[{"title":"ok","preset":"fig1-left"},{"title":"typo","preset":"fig99"}]}"#,
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_saddlescope"))
        .arg("lecture")
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("scene 2 (typo)"), "{err}");
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn w_tells_one_walkers_story_beside_the_histogram() {
    use egui_kittest::kittest::Queryable;
    let mut state = AppState::from_preset(&Preset::builtin("fig1-left").unwrap());
    state.params.walkers = 300;
    state.view = ViewKind::PhaseDiagram;
    let app = SaddlescopeApp::new(state, 1, Arc::new(|| {}));
    let mut h = Harness::builder()
        .with_size([1280.0, 720.0])
        .build_ui_state(|ui, app: &mut SaddlescopeApp| app.ui_root(ui), app);
    h.step();
    // W from another view goes to the histogram and opens the story.
    h.key_press(Key::W);
    h.step();
    assert_eq!(h.state().state.view, ViewKind::Histogram);
    assert!(h.state().state.histogram.story);
    h.state().send(saddlescope::sim::worker::Command::Step(40));
    run_until(&mut h, "step 40", |a| {
        a.snapshot().is_some_and(|s| s.step() == 40)
    });
    h.step();
    h.step();
    // The summary under the table: 40 steps of ln|w_t/w₀| against tμ, μ from the law.
    h.get_by_label_contains("after 40 steps; the law's μ = E ln|1 − λx| = -0.3270 per step");
    // A click in the histogram follows the walker nearest to it: aim at the walker furthest
    // out (largest |w|) among those the snapshot samples that the histogram's axis shows.
    let snap = h.state().snapshot().unwrap().clone();
    let log = h.state().state.histogram.log_axis;
    let rect = h.state().drawn_panels()[0].1.shrink(30.0);
    let at = |w: f64| {
        h.state()
            .screen_position("histogram", if log { w.abs().log10() } else { w }, 0.0)
            .expect("the histogram was drawn")
            - egui::vec2(0.0, 20.0)
    };
    let (target, w) = snap
        .picks
        .iter()
        .filter(|(_, w)| w[0] != 0.0 && rect.x_range().contains(at(w[0]).x))
        .max_by(|a, b| a.1[0].abs().total_cmp(&b.1[0].abs()))
        .map(|(i, w)| (*i, w[0]))
        .expect("a walker inside the histogram");
    let pos = at(w);
    common::click_at(&mut h, pos);
    h.step();
    let story = h.state().story().expect("a story is told");
    // The nearest on screen: the same walker or one exactly as far out (ties of |w|).
    let told = story.walker;
    let w_told = snap.picks.iter().find(|(i, _)| *i == told).map(|p| p.1[0]);
    assert!(
        told == target || w_told.is_some_and(|v| v == w || (log && v.abs() == w.abs())),
        "clicked at walker {target}, following {told}"
    );
    // Its numbers are the ensemble's own: at step 40 its w is the snapshot's w of that walker,
    // to the bit, and ln|w_t/w₀| is the running sum of the logs of its factors.
    let last = story.steps.back().unwrap();
    assert_eq!(last.t, 40);
    assert_eq!(last.w[0].to_bits(), w_told.unwrap().to_bits());
    let sum: f64 = story.steps.iter().map(|s| s.factor.abs().ln()).sum();
    assert!((sum - last.log_ratio).abs() < 1e-9 * (1.0 + sum.abs()));
    h.get_by_label_contains(&format!("The ensemble's own walker {told},"));
    // W again hides it.
    h.key_press(Key::W);
    h.step();
    assert!(!h.state().state.histogram.story);
}

#[test]
fn a_handout_has_one_a4_page_per_scene_with_no_font_and_is_not_written_over() {
    let d = lecture_dir("handout");
    common::small("fig1-right", 40)
        .save(&d.join("phase.json"), false)
        .unwrap();
    std::fs::write(
        d.join("two.json"),
        r#"{"format":"saddlescope-lecture","format_version":1,"title":"two",
            "scenes":[{"title":"quartic","preset":"quartic.json","notes":"n","action":{"play_to":20}},
                      {"title":"phase","preset":"phase.json","notes":"the map"}]}"#,
    )
    .unwrap();
    let out = d.join("h.pdf");
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_saddlescope"))
            .arg("lecture")
            .arg(d.join("two.json"))
            .arg("--handout")
            .arg(&out)
            .output()
            .unwrap()
    };
    let r = run();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let pdf = std::fs::read(&out).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert!(pdf.starts_with(b"%PDF-"));
    // Two pages, A4 landscape; every glyph a path.
    assert_eq!(text.matches("/Type /Page\n").count(), 2, "pages");
    assert!(text.contains("/Count 2"));
    assert_eq!(text.matches("/MediaBox [0 0 842 595]").count(), 2);
    assert!(!text.contains("/Font"));
    // Not over the first without --force.
    let again = run();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(std::fs::read(&out).unwrap(), pdf);
    std::fs::remove_dir_all(d).unwrap();
}
