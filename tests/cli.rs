//! The command line, run as a user would: JSON on success, one line on stderr and a non-zero
//! exit on bad input.

use std::process::Command;

fn saddlescope(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_saddlescope"))
        .args(args)
        .output()
        .expect("run the binary")
}

#[test]
fn run_fig1_left_prints_the_documented_json() {
    let out = saddlescope(&[
        "run",
        "fig1-left",
        "--set",
        "walkers=500",
        "--set",
        "steps=100",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], "saddlescope-run");
    assert_eq!(v["format_version"], 1);
    assert_eq!(v["params"]["lambda"], 0.8);
    assert_eq!(v["params"]["walkers"], 500);
    let records = v["records"].as_array().unwrap();
    let steps: Vec<u64> = records
        .iter()
        .map(|r| r["step"].as_u64().unwrap())
        .collect();
    assert_eq!(steps, vec![0, 5, 10, 20, 50, 100]);
    for r in records {
        for key in [
            "walkers",
            "diverged",
            "fraction_below",
            "mean_log_ratio",
            "quantiles",
            "histogram",
            "log10_histogram",
            "theory",
        ] {
            assert!(
                !r[key].is_null() || key == "mean_log_ratio",
                "missing {key}"
            );
        }
        let counts: u64 = r["histogram"]["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap())
            .sum();
        assert!(counts <= 500);
    }
}

#[test]
fn same_seed_same_output() {
    let a = saddlescope(&[
        "run",
        "fig1-middle",
        "--set",
        "walkers=300",
        "--set",
        "steps=50",
        "--set",
        "record_steps=0,50",
        "--threads",
        "1",
    ]);
    let b = saddlescope(&[
        "run",
        "fig1-middle",
        "--set",
        "walkers=300",
        "--set",
        "steps=50",
        "--set",
        "record_steps=0,50",
        "--threads",
        "2",
    ]);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn bad_input_exits_non_zero_with_one_line() {
    let dir = std::env::temp_dir().join(format!("saddlescope-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{ \"format\": \"saddlescope-preset\", ").unwrap();
    let broken = broken.to_string_lossy().to_string();
    let cases: Vec<Vec<&str>> = vec![
        vec!["run", "no-such-preset"],
        vec!["run", &broken],
        vec!["run", "fig1-left", "--set", "lambda=abc"],
        vec!["run", "fig1-left", "--set", "walkers=-5"],
        vec!["run", "fig1-left", "--set", "walkers=1000000000000"],
        vec!["run", "fig1-left", "--set", "nonsense"],
        vec!["run", "fig1-left", "--set", "lambda=NaN"],
    ];
    for args in cases {
        let out = saddlescope(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("saddlescope: error: "), "{err}");
    }
    // The broken file is untouched.
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "{ \"format\": \"saddlescope-preset\", "
    );
}

#[test]
fn presets_lists_the_builtins() {
    let out = saddlescope(&["presets"]);
    let text = String::from_utf8(out.stdout).unwrap();
    for name in ["fig1-left", "fig1-middle", "fig8"] {
        assert!(text.lines().any(|l| l.starts_with(name)), "{text}");
    }
}
