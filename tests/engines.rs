//! The vectorised f64 kernels (the engine's default outside the quadratic fast path) against the
//! scalar reference engine: the same experiments, other random streams, so every outcome must
//! agree within sampling error — over a grid of landscapes, optimizers, noise laws and added
//! noise that includes trapped walkers, escaping ones, diverging ones and walkers flushed to 0.
//! And the kernels' results depend only on the seed: never on threads, splits or tracking.

use saddlescope::model::{AdamConfig, Landscape, NoiseLaw, Optimizer};
use saddlescope::sim::{Engine, Ensemble, ExperimentParams, InitLaw};

const N: usize = 20_000;

/// The outcomes compared: shares of walkers exactly at 0, diverged, with |w1| < 0.1, with
/// w1 > 0, and (2-D) with |w2| > 0.5.
fn outcomes(e: &Ensemble) -> [f64; 5] {
    let n = e.len() as f64;
    let share = |f: &dyn Fn(usize) -> bool| (0..e.len()).filter(|&i| f(i)).count() as f64 / n;
    let w1 = e.w1();
    let w2 = e.w2();
    [
        share(&|i| w1[i] == 0.0),
        share(&|i| !w1[i].is_finite()),
        share(&|i| w1[i].abs() < 0.1),
        share(&|i| w1[i] > 0.0),
        share(&|i| w2.get(i).is_some_and(|v| v.abs() > 0.5)),
    ]
}

fn case(name: &str, steps: u64, p: ExperimentParams) -> (String, u64, ExperimentParams) {
    (
        name.to_owned(),
        steps,
        ExperimentParams {
            walkers: N,
            record_steps: vec![],
            ..p
        },
    )
}

fn grid() -> Vec<(String, u64, ExperimentParams)> {
    let d = ExperimentParams::default(); // quadratic, SGD, two-point, a = −1, λ = 0.8
    let adam = ExperimentParams {
        optimizer: Optimizer::Adam,
        a: -0.1,
        lambda: 0.2,
        projection: Some(1.0),
        ..d.clone()
    };
    let sharp = ExperimentParams {
        landscape: Landscape::SharpMinima,
        a: 0.5,
        b: 14.0,
        lambda: 0.05,
        init: InitLaw::FlatMinima { radius: 0.25 },
        projection: Some(1.0),
        ..d.clone()
    };
    let toy = ExperimentParams {
        landscape: Landscape::ToyNetwork,
        lambda: 0.1,
        init: InitLaw::Network,
        ..d.clone()
    };
    vec![
        // Trapped, and flushed to exactly 0 within 3000 steps (μ ≈ −0.33 per step).
        case(
            "quadratic sgd two-point, trapped",
            3000,
            ExperimentParams { ..d.clone() },
        ),
        // Escaping, then beyond f64's range: diverged.
        case(
            "quadratic sgd two-point, diverging",
            2500,
            ExperimentParams {
                lambda: 1.8,
                ..d.clone()
            },
        ),
        case(
            "quadratic sgd gaussian",
            400,
            ExperimentParams {
                noise: NoiseLaw::Gaussian { std: 1.5 },
                ..d.clone()
            },
        ),
        case(
            "quadratic sgd uniform",
            400,
            ExperimentParams {
                noise: NoiseLaw::Uniform { half_width: 1.5 },
                ..d.clone()
            },
        ),
        case(
            "quadratic gd",
            300,
            ExperimentParams {
                optimizer: Optimizer::Gd,
                a: 0.5,
                lambda: 0.1,
                ..d.clone()
            },
        ),
        case(
            "quadratic sgd + added noise",
            300,
            ExperimentParams {
                sigma_add: 0.05,
                ..d.clone()
            },
        ),
        case(
            "quartic sgd two-point",
            1000,
            ExperimentParams {
                landscape: Landscape::Quartic,
                ..d.clone()
            },
        ),
        case(
            "quartic sgd, diverging",
            200,
            ExperimentParams {
                landscape: Landscape::Quartic,
                lambda: 3.0,
                init: InitLaw::Uniform { half_width: 2.0 },
                ..d.clone()
            },
        ),
        case("quadratic adam, projected", 2000, adam.clone()),
        case(
            "quadratic amsgrad, projected",
            2000,
            ExperimentParams {
                optimizer: Optimizer::Amsgrad,
                ..adam.clone()
            },
        ),
        case(
            "quadratic amsgrad, momentum, bias correction, gaussian",
            1000,
            ExperimentParams {
                optimizer: Optimizer::Amsgrad,
                adam: AdamConfig {
                    beta1: 0.9,
                    beta2: 0.999,
                    eps: 1e-8,
                    bias_correction: true,
                },
                noise: NoiseLaw::Gaussian { std: 1.0 },
                ..adam.clone()
            },
        ),
        case("2-D sharp minima sgd, clipped", 2000, sharp.clone()),
        case(
            "2-D sharp minima amsgrad + added noise",
            500,
            ExperimentParams {
                optimizer: Optimizer::Amsgrad,
                lambda: 0.01,
                sigma_add: 0.1,
                ..sharp
            },
        ),
        case("toy network sgd (saddle)", 2000, toy.clone()),
        case(
            "toy network sgd, small λ, uniform",
            2000,
            ExperimentParams {
                lambda: 0.001,
                noise: NoiseLaw::Uniform { half_width: 2.0 },
                ..toy.clone()
            },
        ),
        case(
            "toy network adam",
            1000,
            ExperimentParams {
                optimizer: Optimizer::Adam,
                lambda: 0.01,
                ..toy
            },
        ),
    ]
}

#[test]
fn the_f64_kernels_agree_with_the_reference_engine_within_sampling_error() {
    for (name, steps, p) in grid() {
        let v = p.valid().unwrap();
        let mut fast = Ensemble::with_engine(&v, Engine::Lanes);
        assert!(fast.uses_lanes(), "{name}: not on the f64 kernels");
        let mut reference = Ensemble::with_engine(&v, Engine::Reference);
        fast.advance(steps, 2);
        reference.advance(steps, 2);
        let (a, b) = (outcomes(&fast), outcomes(&reference));
        for (k, (x, y)) in a.iter().zip(&b).enumerate() {
            // Two independent samples of N walkers: the difference of the shares has standard
            // error √(2 p(1 − p)/N); allow five of them, plus 2/N for shares near 0 or 1
            // (16 cases × 5 outcomes: a false alarm at 5σ has odds below 10⁻⁴).
            let p = 0.5 * (x + y);
            let tol = 5.0 * (2.0 * p * (1.0 - p) / N as f64).sqrt() + 2.0 / N as f64;
            assert!(
                (x - y).abs() <= tol,
                "{name}, outcome {k}: kernels {x}, reference {y} (tolerance {tol})"
            );
        }
    }
}

#[test]
fn the_grid_covers_trapped_escaping_diverging_and_flushed_walkers() {
    // The grid above is only a check if these outcomes occur in it.
    let g = grid();
    let run = |name: &str| {
        let (_, steps, p) = g.iter().find(|c| c.0 == name).unwrap();
        let mut e = Ensemble::with_engine(&p.valid().unwrap(), Engine::Lanes);
        e.advance(*steps, 2);
        outcomes(&e)
    };
    assert!(run("quadratic sgd two-point, trapped")[0] > 0.9); // flushed to exactly 0
    assert!(run("quadratic sgd two-point, diverging")[1] > 0.9);
    assert!(run("quartic sgd, diverging")[1] > 0.5);
    // The quartic at λ = 0.8: some walkers trapped at 0, the others diverged.
    let mixed = run("quartic sgd two-point");
    assert!(mixed[2] > 0.2 && mixed[1] > 0.2, "{mixed:?}");
}

#[test]
fn the_kernels_depend_only_on_the_seed() {
    // Threads, the split of the steps among calls, and tracking (which steps the first groups
    // one step at a time) change nothing; a 2-D adaptive case with bias correction and added
    // noise exercises every path.
    let p = ExperimentParams {
        landscape: Landscape::ToyNetwork,
        optimizer: Optimizer::Amsgrad,
        lambda: 0.01,
        sigma_add: 0.05,
        adam: AdamConfig {
            beta1: 0.9,
            beta2: 0.99,
            eps: 1e-8,
            bias_correction: true,
        },
        noise: NoiseLaw::Gaussian { std: 1.0 },
        init: InitLaw::Network,
        walkers: 1000,
        ..ExperimentParams::default()
    };
    let v = p.valid().unwrap();
    let mut a = Ensemble::new(&v);
    a.advance(77, 1);
    let mut b = Ensemble::new(&v);
    b.set_tracking(100, 20);
    b.advance(5, 2);
    b.advance(50, 3);
    b.advance(22, 2);
    assert_eq!(a.w1(), b.w1());
    assert_eq!(a.w2(), b.w2());
    assert_eq!(a.moments(), b.moments());
    assert_eq!(*b.tracks()[99].back().unwrap(), [b.w1()[99], b.w2()[99]]);
    let mut c = Ensemble::new(&ExperimentParams { seed: 2, ..p }.valid().unwrap());
    c.advance(77, 1);
    assert_ne!(a.w1(), c.w1());
}

#[test]
fn the_statistics_do_not_depend_on_the_thread_count() {
    // Chunks of fixed size, added in chunk order: 1 and 3 threads give the same record, to the
    // bit, for a 1-D and a 2-D ensemble larger than one chunk.
    use saddlescope::sim::stats::record_parallel;
    for p in [
        ExperimentParams {
            walkers: 200_000,
            ..ExperimentParams::default()
        },
        ExperimentParams {
            landscape: Landscape::SharpMinima,
            a: 0.5,
            b: 14.0,
            lambda: 0.05,
            init: InitLaw::FlatMinima { radius: 0.25 },
            projection: Some(1.0),
            walkers: 150_000,
            ..ExperimentParams::default()
        },
    ] {
        let mut e = Ensemble::new(&p.valid().unwrap());
        e.advance(30, 2);
        assert_eq!(record_parallel(&e, None, 1), record_parallel(&e, None, 3));
    }
}

#[test]
fn the_initial_walkers_do_not_depend_on_the_drawing_threads() {
    // Blocks draw from streams of their own, split over threads at whole blocks.
    let p = ExperimentParams {
        landscape: Landscape::SharpMinima,
        a: 0.5,
        b: 14.0,
        lambda: 0.05,
        init: InitLaw::FlatMinima { radius: 0.25 },
        walkers: 100_003,
        ..ExperimentParams::default()
    };
    let v = p.valid().unwrap();
    let one = Ensemble::with_threads(&v, Engine::Auto, 1);
    let three = Ensemble::with_threads(&v, Engine::Auto, 3);
    assert_eq!(one.w1(), three.w1());
    assert_eq!(one.w2(), three.w2());
    // Every other walker starts on the other flat minimum (the index's parity survives the split).
    assert!(three.w1()[50_000] > 0.0 && three.w1()[50_001] < 0.0);
}
