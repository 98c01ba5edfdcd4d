//! Files are never clobbered: a device or a FIFO is written in place, never replaced (the
//! write that once turned /dev/null into a regular file, as root); a symbolic link is followed
//! and its target replaced atomically, the link kept; `-` is standard output; a directory is
//! refused with a message. These run as whoever runs the tests — root on CI, where the old bug
//! bit.

use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use saddlescope::files::{WriteError, write_bytes};

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("saddlescope-files-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn is_char_device(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.file_type().is_char_device())
}

#[test]
fn dev_null_is_written_not_replaced_by_the_library_and_the_command_line() {
    assert!(is_char_device(Path::new("/dev/null")));
    for overwrite in [false, true] {
        write_bytes(Path::new("/dev/null"), b"into the void", overwrite).unwrap();
        assert!(is_char_device(Path::new("/dev/null")));
    }
    let bin = env!("CARGO_BIN_EXE_saddlescope");
    for force in [false, true] {
        let mut c = Command::new(bin);
        c.args([
            "run",
            "fig1-right",
            "--set",
            "sweep.a_cells=4",
            "--set",
            "sweep.lambda_cells=4",
        ])
        .args([
            "--set",
            "sweep.walkers=50",
            "--set",
            "sweep.steps=50",
            "--out",
            "/dev/null",
        ]);
        if force {
            c.arg("--force");
        }
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            is_char_device(Path::new("/dev/null")),
            "run --out /dev/null (force {force})"
        );
    }
    let out = Command::new(bin)
        .args([
            "figure",
            "fig1-left",
            "--set",
            "walkers=100",
            "--set",
            "steps=20",
        ])
        .args([
            "--set",
            "record_steps=0,20",
            "--out",
            "/dev/null",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(is_char_device(Path::new("/dev/null")));
}

#[test]
fn a_fifo_receives_the_bytes_and_stays_a_fifo() {
    let d = dir("fifo");
    let fifo = d.join("pipe");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(&fifo).unwrap())
    };
    write_bytes(&fifo, b"through the pipe", false).unwrap();
    assert_eq!(reader.join().unwrap(), b"through the pipe");
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_symbolic_link_is_followed_and_kept() {
    let d = dir("link");
    let target = d.join("figure.svg");
    let link = d.join("latest.svg");
    std::fs::write(&target, "old").unwrap();
    std::os::unix::fs::symlink("figure.svg", &link).unwrap();
    // Its target exists: consent is needed, as for the file itself.
    assert!(matches!(
        write_bytes(&link, b"new", false),
        Err(WriteError::Exists { .. })
    ));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
    write_bytes(&link, b"new", true).unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // A dangling link creates its target.
    let dangling = d.join("next.svg");
    std::os::unix::fs::symlink("made-by-link.svg", &dangling).unwrap();
    write_bytes(&dangling, b"fresh", false).unwrap();
    assert_eq!(
        std::fs::read_to_string(d.join("made-by-link.svg")).unwrap(),
        "fresh"
    );
    assert!(
        std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // No temporary file stays behind.
    assert!(
        std::fs::read_dir(&d).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains(".tmp-"))
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_directory_is_refused_with_a_message() {
    let d = dir("folder");
    let e = write_bytes(&d, b"x", true).unwrap_err().to_string();
    assert!(e.contains("is a directory") && !e.contains('\n'), "{e}");
    assert!(d.is_dir());
    let bin = env!("CARGO_BIN_EXE_saddlescope");
    let out = Command::new(bin)
        .args([
            "run",
            "fig1-left",
            "--set",
            "walkers=10",
            "--set",
            "steps=5",
            "--set",
            "record_steps=0,5",
            "--out",
        ])
        .arg(&d)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a directory"));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_dash_is_standard_output() {
    let bin = env!("CARGO_BIN_EXE_saddlescope");
    let out = Command::new(bin)
        .args([
            "figure",
            "fig1-left",
            "--set",
            "walkers=100",
            "--set",
            "steps=20",
        ])
        .args([
            "--set",
            "record_steps=0,20",
            "--out",
            "-",
            "--format",
            "svg",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("<svg"));
    // Two panels, one stream: both CSV tables, a blank line apart.
    let out = Command::new(bin)
        .args([
            "figure",
            "fig1-left",
            "--set",
            "walkers=100",
            "--set",
            "steps=20",
        ])
        .args([
            "--set",
            "record_steps=0,20",
            "--out",
            "-",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("series,").count(), 2, "{text}");
    let out = Command::new(bin)
        .args([
            "run",
            "fig1-left",
            "--set",
            "walkers=10",
            "--set",
            "steps=5",
            "--set",
            "record_steps=0,5",
            "--out",
            "-",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"format\": \"saddlescope-run\""));
    // Without a format, `-` says what it needs.
    let out = Command::new(bin)
        .args(["figure", "fig1-left", "--out", "-"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format"));
}
