//! `saddlescope report`: every built-in preset run once into one folder — its figures, the
//! run outputs exactly as `saddlescope run` writes them, and a self-contained page whose
//! numbers are those runs'.

use std::process::Command;

use serde_json::Value;

#[test]
fn the_report_covers_every_preset_with_the_runs_own_numbers() {
    let bin = env!("CARGO_BIN_EXE_saddlescope");
    let dir = std::env::temp_dir().join(format!("saddlescope-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(bin)
        .args(["report", "--out-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A line per preset on stderr when it is not a terminal (the progress).
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("13/14 fig8"), "{err}");

    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["format"], "saddlescope-report");
    let presets = report["presets"].as_object().unwrap();
    let names: Vec<String> = Command::new(bin)
        .arg("presets")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
                .collect()
        })
        .unwrap();
    assert_eq!(names.len(), 14);
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    for name in &names {
        let e = &presets[name];
        assert!(e.is_object(), "{name} missing from report.json");
        for ext in ["svg", "pdf", "png"] {
            let f = dir.join(format!("{name}.{ext}"));
            assert!(
                std::fs::metadata(&f).unwrap().len() > 1000,
                "{}",
                f.display()
            );
        }
        assert!(html.contains(&format!(r#"<section id="{name}">"#)));
        // Every check either agrees or says the paper has no number for it.
        for c in e["checks"].as_array().unwrap() {
            assert_ne!(c["verdict"], "differs", "{name}: {c}");
        }
    }
    // The page stands alone: its pictures are inside it.
    assert_eq!(html.matches("data:image/png;base64,").count(), 14);

    // Fig. 1-left's run in the report is `saddlescope run fig1-left`'s, field for field, and
    // the page quotes its numbers.
    let run = Command::new(bin)
        .args(["run", "fig1-left"])
        .output()
        .unwrap();
    assert!(run.status.success());
    let run: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(presets["fig1-left"]["run"], run);
    let checks = presets["fig1-left"]["checks"].as_array().unwrap();
    assert!(checks.len() >= 3);
    for c in checks {
        let sim = c["simulation"].as_str().unwrap();
        assert!(html.contains(sim), "the page lacks {sim}");
    }
    // E ln|w_t/w₀| at the last record: the run's own value, to the digits shown.
    let last = run["records"].as_array().unwrap().last().unwrap();
    let mean = last["mean_log_ratio"].as_f64().unwrap();
    assert!(checks.iter().any(|c| {
        c["simulation"]
            .as_str()
            .unwrap()
            .starts_with(&saddlescope::figure::fmt_num(mean, 4))
    }));

    // A second report into the same folder is refused without --force; nothing is touched.
    let before = std::fs::metadata(dir.join("index.html"))
        .unwrap()
        .modified()
        .unwrap();
    let again = Command::new(bin)
        .args(["report", "--out-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(
        std::fs::metadata(dir.join("index.html"))
            .unwrap()
            .modified()
            .unwrap(),
        before
    );
    std::fs::remove_dir_all(dir).unwrap();
}
