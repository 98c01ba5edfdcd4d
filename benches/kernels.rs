//! Throughput of the stepping kernels, in walker-steps per second (criterion's "elements").
//! `cargo bench --bench kernels`; `saddlescope bench` prints the headline number as JSON.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use saddlescope::model::{Landscape, NoiseLaw, Optimizer};
use saddlescope::sim::{Ensemble, ExperimentParams};

const WALKERS: usize = 100_000;
const STEPS: u64 = 20;

fn kernels(c: &mut Criterion) {
    let base = ExperimentParams {
        walkers: WALKERS,
        record_steps: vec![],
        ..ExperimentParams::default()
    };
    let cases = [
        ("quadratic_sgd_two_point", base.clone()),
        (
            "quartic_sgd_two_point",
            ExperimentParams {
                landscape: Landscape::Quartic,
                ..base.clone()
            },
        ),
        (
            "quadratic_sgd_gaussian",
            ExperimentParams {
                noise: NoiseLaw::Gaussian { std: 1.5 },
                ..base.clone()
            },
        ),
        (
            "quadratic_amsgrad",
            ExperimentParams {
                optimizer: Optimizer::Amsgrad,
                a: -0.1,
                lambda: 0.2,
                projection: Some(1.0),
                ..base.clone()
            },
        ),
        (
            "quadratic_sgd_additive",
            ExperimentParams {
                sigma_add: 0.1,
                ..base.clone()
            },
        ),
    ];
    let mut group = c.benchmark_group("step");
    group.throughput(Throughput::Elements(WALKERS as u64 * STEPS));
    for (name, p) in cases {
        for threads in [1, 2] {
            group.bench_function(format!("{name}/threads={threads}"), |b| {
                b.iter_batched_ref(
                    || Ensemble::new(&p).unwrap(),
                    |e| e.advance(STEPS, threads),
                    criterion::BatchSize::LargeInput,
                )
            });
        }
    }
    group.finish();
}

criterion_group!(benches, kernels);
criterion_main!(benches);
