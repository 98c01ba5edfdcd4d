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

#[test]
fn run_writes_phase_diagram_and_escape_rate_json() {
    let out = saddlescope(&[
        "run",
        "fig1-right",
        "--set",
        "sweep.a_cells=4",
        "--set",
        "sweep.lambda_cells=4",
        "--set",
        "sweep.walkers=100",
        "--set",
        "sweep.steps=50",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], "saddlescope-sweep");
    assert_eq!(v["a"].as_array().unwrap().len(), 4);
    assert_eq!(v["lambda"].as_array().unwrap().len(), 4);
    let cells = v["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 16);
    for c in cells {
        for key in ["a", "lambda", "escape", "diverged", "mu", "exact_escape"] {
            assert!(c[key].is_number(), "cell lacks {key}: {c}");
        }
    }
    let out = saddlescope(&[
        "run",
        "fig6",
        "--set",
        "rate.walkers=100",
        "--set",
        "rate.lambda_points=5",
        "--set",
        "rate.a_values=-1,0.5",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], "saddlescope-escape-rate");
    let series = v["rate_vs_lambda"].as_array().unwrap();
    assert_eq!(series.len(), 2);
    assert_eq!(series[0]["gamma"].as_array().unwrap().len(), 5);
    assert!(series[0]["lambda_star"].is_number() && series[1]["lambda_star"].is_null());
    assert_eq!(v["rate_vs_step"].as_array().unwrap().len(), 4);
    let bad = saddlescope(&["run", "fig1-right", "--set", "sweep.a_cells=0"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn run_writes_basins_loss_sweep_and_optimizer_json() {
    let out = saddlescope(&[
        "run",
        "fig7",
        "--set",
        "walkers=200",
        "--set",
        "steps=200",
        "--set",
        "record_steps=0,2,200",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let last = v["records"].as_array().unwrap().last().unwrap();
    let basins = last["basins"].as_array().unwrap();
    assert_eq!(basins.len(), 3);
    assert_eq!(basins[0]["basin"], "sharp_minimum");
    assert!(last["mean_loss"].is_number() && last["density"]["counts"].is_array());

    let out = saddlescope(&[
        "run",
        "fig3-right",
        "--set",
        "loss.points=3",
        "--set",
        "loss.walkers=50",
        "--set",
        "loss.steps=500",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], "saddlescope-loss-sweep");
    let pts = v["points"].as_array().unwrap();
    assert_eq!(pts.len(), 3);
    for p in pts {
        for key in ["lambda", "mean_loss", "loss_q10", "loss_q90", "diverged"] {
            assert!(p[key].is_number(), "{key}: {p}");
        }
    }

    let out = saddlescope(&[
        "run",
        "fig2-left",
        "--set",
        "opt.walkers=50",
        "--set",
        "opt.steps=300",
        "--set",
        "opt.adam_lambda=0.1",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], "saddlescope-optimizers");
    let curves = v["curves"].as_array().unwrap();
    assert_eq!(curves.len(), 4);
    let adam = curves.iter().find(|c| c["optimizer"] == "adam").unwrap();
    assert_eq!(adam["lambda"], 0.1);
    assert_eq!(adam["steps"].as_array().unwrap().last().unwrap(), 300);
    let bad = saddlescope(&["run", "fig2-left", "--set", "opt.nadam_lambda=0.1"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn out_never_replaces_a_file_without_force() {
    let dir = std::env::temp_dir().join(format!("saddlescope-cli-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("run.json");
    std::fs::write(&out, "keep me").unwrap();
    let path = out.to_string_lossy().to_string();
    let r = saddlescope(&[
        "run",
        "fig1-left",
        "--set",
        "walkers=50",
        "--set",
        "steps=10",
        "--set",
        "record_steps=0,10",
        "--out",
        &path,
    ]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("already exists"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    let r = saddlescope(&[
        "run",
        "fig1-left",
        "--set",
        "walkers=50",
        "--set",
        "steps=10",
        "--set",
        "record_steps=0,10",
        "--out",
        &path,
        "--force",
    ]);
    assert!(r.status.success());
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("saddlescope-run")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_run_json_carries_the_theory_of_the_law_that_runs() {
    // The top-level `theory` holds the panel's rows at the run's parameters; under Gaussian
    // noise λ*, γ* and the continuous-time line are the Gaussian law's, not Prop. 3's
    // two-point closed forms.
    let run = |noise: &str| {
        let out = saddlescope(&[
            "run",
            "fig1-left",
            "--set",
            "walkers=100",
            "--set",
            "steps=100",
            "--set",
            noise,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["theory"].clone()
    };
    let two = run("noise=two_point");
    let gauss = run("noise=gaussian");
    for key in [
        "mu",
        "s2",
        "trapped_intervals",
        "mu_zero_lambdas",
        "lambda_star",
        "gamma_star",
        "continuous_time",
        "verdict",
    ] {
        assert!(gauss.get(key).is_some(), "theory.{key} missing: {gauss}");
    }
    // Prop. 3 at a = −1: λ* = 1/4, γ* = ln(3/(2√2)).
    assert!((two["lambda_star"].as_f64().unwrap() - 0.25).abs() < 1e-9);
    let g2 = (3.0 / (2.0 * 2f64.sqrt())).ln();
    assert!((two["gamma_star"].as_f64().unwrap() - g2).abs() < 1e-9);
    let (lg, gg) = (
        gauss["lambda_star"].as_f64().unwrap(),
        gauss["gamma_star"].as_f64().unwrap(),
    );
    assert!(
        (lg - 0.25).abs() > 0.05 && (gg - g2).abs() > 0.01,
        "{gauss}"
    );
    // App. B.4: λ_c = −2m/σ² = 1 for m = −½, σ² = 1; 4/9 for the two-point law's σ² = 9/4.
    let lc = |t: &serde_json::Value| t["continuous_time"]["critical_lambda"].as_f64().unwrap();
    assert!((lc(&gauss) - 1.0).abs() < 1e-12 && (lc(&two) - 4.0 / 9.0).abs() < 1e-12);
    assert_eq!(two["verdict"], "trapped: w → 0, the maximum");
    assert_eq!(gauss["verdict"], "escaping: |w| grows");
}
