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

/// The app on the small preset, recording `frames` frames every 5 steps to `to` (a folder or
/// an animation; `slide`: 1920 × 1080) until its message comes.
fn record_in_app(
    to: &std::path::Path,
    frames: usize,
    slide: bool,
) -> Harness<'static, SaddlescopeApp> {
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
        s.dir = to.display().to_string();
        s.every = 5;
        s.frames = frames;
        s.slide = slide;
    }
    h.state_mut().run_command(UiCommand::Record);
    while h.state().record_message().is_none() {
        assert!(Instant::now() < deadline, "the recording did not end");
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    h
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
    let mut h = record_in_app(&app_dir, 4, false);
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
    assert!(String::from_utf8_lossy(&again.stderr).contains("frames are there already"));
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

/// `saddlescope record` with the small preset's overrides and `args`.
fn record_cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_saddlescope"))
        .args(["record", "fig1-left", "--frames", "4", "--every", "5"])
        .args(["--set", "walkers=500", "--set", "steps=40"])
        .args(["--set", "record_steps=0,10,40"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_gif_holds_the_frames_the_png_folder_holds_at_the_size_asked() {
    let d = dir("gif");
    std::fs::create_dir_all(&d).unwrap();
    let gif_path = d.join("anim.gif");
    let (g, f) = (gif_path.to_str().unwrap(), d.join("frames"));
    let out = record_cli(&["--out", g, "--size", "640x360", "--fps", "20"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = record_cli(&["--out-dir", f.to_str().unwrap(), "--size", "640x360"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut opts = gif::DecodeOptions::new();
    opts.set_color_output(gif::ColorOutput::RGBA);
    let mut dec = opts
        .read_info(std::fs::File::open(&gif_path).unwrap())
        .unwrap();
    assert_eq!((dec.width(), dec.height()), (640, 360));
    let mut k = 0;
    let mut buffers = Vec::new();
    while let Some(frame) = dec.read_next_frame().unwrap() {
        buffers.push(frame.buffer.to_vec());
        assert_eq!((frame.width, frame.height), (640, 360));
        assert_eq!(
            frame.delay, 5,
            "20 frames/s is 5 hundredths of a second each"
        );
        // The same picture as the PNG frame of that step, up to the GIF's 256 colours: a
        // frame of another step or layout differs by far more than quantisation's few levels.
        let png = image_rgba(&frame_path(&f, k));
        let diff: f64 = frame
            .buffer
            .iter()
            .zip(&png)
            .map(|(a, b)| (*a as f64 - *b as f64).abs())
            .sum::<f64>()
            / png.len() as f64;
        assert!(diff < 3.0, "frame {k}: mean difference {diff:.2} levels");
        k += 1;
    }
    assert_eq!(k, 4);
    // The page re-encodes a GIF as WebM frame by frame: the frames it reads back are the GIF's.
    let mut frames =
        saddlescope::export::anim::GifFrames::new(std::fs::read(&gif_path).unwrap()).unwrap();
    assert_eq!((frames.width, frames.height), (640, 360));
    for b in &buffers {
        assert_eq!(frames.next_frame().unwrap().unwrap(), &b[..]);
    }
    assert!(frames.next_frame().unwrap().is_none());
    // Not replaced without --force.
    let before = std::fs::read(&gif_path).unwrap();
    let again = record_cli(&["--out", g]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(std::fs::read(&gif_path).unwrap(), before);
    // --out is an animation: a folder's name is pointed to --out-dir, and nothing is written.
    let folder = record_cli(&["--out", d.to_str().unwrap()]);
    assert!(!folder.status.success());
    assert!(String::from_utf8_lossy(&folder.stderr).contains("--out takes NAME.gif or NAME.mp4"));
    assert!(!frame_path(&d, 0).exists());
    std::fs::remove_dir_all(d).unwrap();
}

/// A PNG file's pixels as RGBA.
fn image_rgba(path: &std::path::Path) -> Vec<u8> {
    let px = tiny_skia::Pixmap::decode_png(&std::fs::read(path).unwrap()).unwrap();
    // The frames are opaque (a white page): premultiplied and straight RGBA agree.
    px.data().to_vec()
}

#[test]
fn an_mp4_is_h264_yuv420p_at_even_size_or_the_message_names_ffmpeg() {
    let d = dir("mp4");
    std::fs::create_dir_all(&d).unwrap();
    let path = d.join("talk.mp4");
    // An odd size: H.264's yuv420p needs even sides, so the frame grows by a pixel each way.
    let out = record_cli(&["--out", path.to_str().unwrap(), "--size", "641x361"]);
    let ffmpeg = Command::new("ffmpeg").arg("-version").output().is_ok();
    if !ffmpeg {
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("apt install ffmpeg"), "{err}");
        assert!(!path.exists());
        return;
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args([
            "-show_entries",
            "stream=codec_name,pix_fmt,width,height,nb_read_frames",
        ])
        .args(["-of", "default=nw=1"])
        .arg(&path)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&probe.stdout);
    for want in [
        "codec_name=h264",
        "pix_fmt=yuv420p",
        "width=642",
        "height=362",
        "nb_read_frames=4",
    ] {
        assert!(info.contains(want), "{want} not in:\n{info}");
    }
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn the_app_records_a_slide_sized_gif() {
    let d = dir("app-gif");
    std::fs::create_dir_all(&d).unwrap();
    let path = d.join("talk.gif");
    let h = record_in_app(&path, 3, true);
    let (ok, msg) = h.state().record_message().unwrap().clone();
    assert!(ok && msg.contains("recorded 3 frames"), "{msg}");
    let mut dec = gif::DecodeOptions::new()
        .read_info(std::fs::File::open(&path).unwrap())
        .unwrap();
    assert_eq!((dec.width(), dec.height()), (1920, 1080));
    let mut n = 0;
    while dec.read_next_frame().unwrap().is_some() {
        n += 1;
    }
    assert_eq!(n, 3);
    std::fs::remove_dir_all(d).unwrap();
}
