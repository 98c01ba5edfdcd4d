//! The jobs handed out to a pool of workers (the page's Web Workers) compute what they compute
//! in process, to the bit: every task and answer goes through the page's protocol (CBOR bytes
//! in, CBOR bytes out, events in any order) on a pool of native threads, `remote::ThreadPool`.

use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use saddlescope::coop;
use saddlescope::preset::Preset;
use saddlescope::sim::escape_rate::run_escape_rate_async;
use saddlescope::sim::loss_sweep::run_loss_sweep_async;
use saddlescope::sim::optimizers::run_optimizers_async;
use saddlescope::sim::remote::{self, ThreadPool};
use saddlescope::sim::sweep::{SweepGrid, SweepSpec, run_sweep_async};
use saddlescope::sim::{ExperimentParams, ValidParams};

/// `f` run twice on this thread: in process, then with a pool of 3 workers installed.
fn here_and_on_pool<T>(f: impl Fn() -> T) -> (T, T) {
    remote::install(None);
    let here = f();
    remote::install(Some(Rc::new(ThreadPool { threads: 3 })));
    let pooled = f();
    remote::install(None);
    (here, pooled)
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn sweep(p: &ValidParams, spec: &SweepSpec) -> SweepGrid {
    let never = AtomicBool::new(false);
    let mut partials = 0;
    let g = coop::block_on(run_sweep_async(p, spec, 1, &never, Duration::ZERO, |_| {
        partials += 1
    }))
    .unwrap()
    .unwrap();
    assert!(partials >= 2, "partial grids went out ({partials})");
    g
}

#[test]
fn a_phase_diagram_on_the_pool_is_the_one_computed_here() {
    // Fig. 4's experiment on a coarser grid; Gaussian noise too (its μ = 0 line is traced, its
    // exact map is none), and a typed landscape (its layers follow a stationary point).
    let mut cases = Vec::new();
    let fig4 = Preset::builtin("fig4").unwrap();
    cases.push((fig4.params.clone(), "two-point"));
    let mut gauss = fig4.params.clone();
    gauss.set("noise", "gaussian").unwrap();
    cases.push((gauss, "gaussian"));
    let mut typed = fig4.params.clone();
    typed.set("landscape", "custom").unwrap();
    cases.push((typed, "typed"));
    for (params, name) in cases {
        let spec = SweepSpec {
            a_cells: 9,
            lambda_cells: 7,
            walkers: 300,
            steps: 200,
            ..fig4.sweep.clone().unwrap()
        };
        let p = params.valid().unwrap();
        let (here, pooled) = here_and_on_pool(|| sweep(&p, &spec));
        assert!(pooled.is_complete(), "{name}");
        assert_eq!(bits(&here.escape), bits(&pooled.escape), "{name}: escape");
        assert_eq!(bits(&here.diverged), bits(&pooled.diverged), "{name}");
        assert_eq!(bits(&here.mu), bits(&pooled.mu), "{name}: μ");
        assert_eq!(
            here.exact_escape.as_deref().map(bits),
            pooled.exact_escape.as_deref().map(bits),
            "{name}: the exact map"
        );
        assert_eq!(here.mu_zero, pooled.mu_zero, "{name}: the μ = 0 lines");
        assert_eq!(here.mu_zero_of, pooled.mu_zero_of, "{name}");
        assert!(!here.mu_zero.is_empty(), "{name} has a μ = 0 line");
    }
}

#[test]
fn the_loss_sweep_the_optimizers_and_the_escape_rates_on_the_pool_are_those_computed_here() {
    let never = AtomicBool::new(false);
    let fig3 = Preset::builtin("fig3-right").unwrap();
    let p = fig3.params.valid().unwrap();
    let mut spec = fig3.loss_sweep.clone().unwrap();
    spec.walkers = 500;
    let (here, pooled) = here_and_on_pool(|| {
        coop::block_on(run_loss_sweep_async(&p, &spec, 1, &never, |_, _| {}))
            .unwrap()
            .unwrap()
    });
    assert_eq!(here, pooled, "the loss sweep");

    let fig2 = Preset::builtin("fig2-right").unwrap();
    let p = fig2.params.valid().unwrap();
    let mut spec = fig2.optimizers.clone().unwrap();
    spec.steps = spec.steps.min(400);
    let (here, pooled) = here_and_on_pool(|| {
        coop::block_on(run_optimizers_async(&p, &spec, 1, &never, |_| {}))
            .unwrap()
            .unwrap()
    });
    assert_eq!(
        serde_json::to_string(&here).unwrap(),
        serde_json::to_string(&pooled).unwrap(),
        "the optimizer curves"
    );

    let fig5 = Preset::builtin("fig5").unwrap();
    let p = fig5.params.valid().unwrap();
    let (mut by_step, mut by_lambda) = (
        fig5.rate_vs_step.clone().unwrap(),
        fig5.rate_vs_lambda.clone().unwrap(),
    );
    by_step.walkers = 200;
    by_step.steps = 50;
    by_lambda.walkers = 200;
    by_lambda.steps = 50;
    let (here, pooled) = here_and_on_pool(|| {
        coop::block_on(run_escape_rate_async(&p, &by_step, &by_lambda, 1, &never))
            .unwrap()
            .unwrap()
    });
    assert_eq!(
        serde_json::to_string(&here).unwrap(),
        serde_json::to_string(&pooled).unwrap(),
        "the escape rates"
    );
}

#[test]
fn a_task_and_its_answer_survive_the_bytes_and_bad_bytes_fail_with_a_message() {
    // Every f64 exact through CBOR, NaN and ∞ included; the parameters' defaults honoured.
    let p = ExperimentParams {
        lambda: 0.1 + 0.2,
        ..ExperimentParams::default()
    };
    let v = (
        p.clone(),
        vec![f64::NAN, f64::INFINITY, -0.0, 1e-310, 0.1 + 0.2],
    );
    let back: (ExperimentParams, Vec<f64>) = remote::decode(&remote::encode(&v)).unwrap();
    assert_eq!(back.0, p);
    assert_eq!(bits(&back.1), bits(&v.1));
    let err = remote::execute(b"\xff\x00 not a task", &mut |_| {}).unwrap_err();
    assert!(err.contains("could not be read"), "{err}");
    // A task whose parameters are not valid answers why, in words.
    let bad = remote::Task::EscapeRate {
        base: ExperimentParams {
            walkers: 0,
            ..ExperimentParams::default()
        },
        by_step: Default::default(),
        by_lambda: Default::default(),
    };
    let answer: remote::Answer<()> =
        remote::decode(&remote::execute(&remote::encode(&bad), &mut |_| {}).unwrap()).unwrap();
    assert!(answer.unwrap_err().contains("walkers"));
}
