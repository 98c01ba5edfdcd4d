//! Recording: `saddlescope record` and the app's recorder write the same numbered frames, one
//! every K simulation steps, each the view's figure; a folder with frames is not overwritten
//! without consent; a batch view has no frames to record.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;

use saddlescope::app::{AppState, SaddlescopeApp, commands::UiCommand};
use saddlescope::export::record::frame_path;
use saddlescope::preset::Preset;

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("saddlescope-rec-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn small() -> Preset {
    let mut p = Preset::builtin("fig1-left").unwrap();
    for (k, v) in [
        ("walkers", "500"),
        ("steps", "40"),
        ("record_steps", "0,10,40"),
    ] {
        p.set(k, v).unwrap();
    }
    p
}

#[test]
fn the_app_and_the_command_line_record_the_same_frames() {
    let bin = env!("CARGO_BIN_EXE_saddlescope");
    let cli = dir("cli");
    let out = Command::new(bin)
        .args(["record", "fig1-left", "--frames", "4", "--every", "5"])
        .args([
            "--set",
            "walkers=500",
            "--set",
            "steps=40",
            "--set",
            "record_steps=0,10,40",
        ])
        .arg("--out-dir")
        .arg(&cli)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(frame_path(&cli, 3).exists() && !frame_path(&cli, 4).exists());

    let app_dir = dir("app");
    let app = SaddlescopeApp::new(AppState::from_preset(&small()), 1, Arc::new(|| {}));
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .build_ui_state(|ui, app: &mut SaddlescopeApp| app.ui_root(ui), app);
    let deadline = Instant::now() + Duration::from_secs(60);
    while h.state().snapshot().is_none() {
        assert!(Instant::now() < deadline);
        h.step();
    }
    {
        let s = &mut h.state_mut().record_settings;
        s.dir = app_dir.display().to_string();
        s.every = 5;
        s.frames = 4;
    }
    h.state_mut().run_command(UiCommand::Record);
    while h.state().record_message().is_none() {
        assert!(Instant::now() < deadline, "the recording did not end");
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    let (ok, msg) = h.state().record_message().unwrap().clone();
    assert!(ok, "{msg}");
    assert!(msg.contains("recorded 4 frames"), "{msg}");
    for k in 0..4 {
        let a = std::fs::read(frame_path(&app_dir, k)).unwrap();
        let b = std::fs::read(frame_path(&cli, k)).unwrap();
        assert!(
            a == b,
            "frame {k} differs between the app and the command line"
        );
    }
    assert!(!frame_path(&app_dir, 4).exists());
    // The folder has frames now: a second recording there is refused without consent.
    h.state_mut().run_command(UiCommand::Record);
    let (ok, msg) = h.state().record_message().unwrap().clone();
    assert!(!ok && msg.contains("frames are there already"), "{msg}");
    let again = Command::new(bin)
        .args(["record", "fig1-left", "--frames", "2", "--out-dir"])
        .arg(&cli)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists"));
    // A batch view has no frames.
    let batch = Command::new(bin)
        .args(["record", "fig1-right", "--out-dir"])
        .arg(dir("batch"))
        .output()
        .unwrap();
    assert!(!batch.status.success());
    assert!(String::from_utf8_lossy(&batch.stderr).contains("no frames to record"));
    for d in [cli, app_dir] {
        std::fs::remove_dir_all(d).unwrap();
    }
}
