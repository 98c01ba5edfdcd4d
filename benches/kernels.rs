//! Throughput of every stepping kernel (walker-steps per second: criterion's "elements") and
//! the phase-diagram sweeps. `cargo bench --bench kernels`; `saddlescope bench` prints the same
//! measurements, plus the UI frame time and peak memory, as one JSON table.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use saddlescope::bench::kernel_cases;
use saddlescope::sim::sweep::{self, SweepSpec};
use saddlescope::sim::{Ensemble, ExperimentParams};

const WALKERS: usize = 100_000;
const STEPS: u64 = 20;

fn kernels(c: &mut Criterion) {
    let mut group = c.benchmark_group("step");
    group.throughput(Throughput::Elements(WALKERS as u64 * STEPS));
    for case in kernel_cases(WALKERS) {
        for threads in [1, 2] {
            group.bench_function(format!("{}/threads={threads}", case.name), |b| {
                b.iter_batched_ref(
                    || Ensemble::with_engine(&case.params.valid().unwrap(), case.engine),
                    |e| e.advance(STEPS, threads),
                    criterion::BatchSize::LargeInput,
                )
            });
        }
    }
    group.finish();
}

fn sweeps(c: &mut Criterion) {
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    let base = ExperimentParams::default();
    let spec = SweepSpec::default();
    group.throughput(Throughput::Elements(
        (spec.cells() * spec.walkers) as u64 * spec.steps,
    ));
    group.bench_function("fig1_right_50x50x2000x1000", |b| {
        b.iter(|| {
            let cancel = AtomicBool::new(false);
            sweep::run_sweep(
                &base.valid().unwrap(),
                &spec,
                2,
                &cancel,
                Duration::MAX,
                |_| {},
            )
            .unwrap()
        })
    });
    let exact = SweepSpec {
        a_cells: 200,
        lambda_cells: 200,
        ..SweepSpec::default()
    };
    group.throughput(Throughput::Elements(exact.cells() as u64));
    group.bench_function("exact_binomial_map_200x200_T1000", |b| {
        b.iter(|| sweep::exact_escape_map(&base, &exact, &AtomicBool::new(false)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, kernels, sweeps);
criterion_main!(benches);
