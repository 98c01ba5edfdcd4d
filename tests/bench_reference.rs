//! The benchmark's reference loops compute the engine's update: every kernel case measured
//! against a loop (`saddlescope bench`), run a few steps from the same walkers with the same
//! random streams in both, ends at the same walkers. A ratio engine / reference then compares
//! the cost of one computation, not of two.

use saddlescope::bench::reference::walkers_after;
use saddlescope::bench::{Reference, kernel_cases};
use saddlescope::sim::{Engine, Ensemble};

#[test]
fn every_reference_loop_computes_its_kernels_update() {
    let mut checked = 0;
    for case in kernel_cases(200) {
        if !matches!(case.reference, Reference::F64) {
            continue;
        }
        let steps = 6;
        let mut e = Ensemble::with_engine(&case.params.valid().unwrap(), Engine::Lanes);
        e.advance(steps, 1);
        let (r1, r2) = walkers_after(&case.params, steps);
        assert_eq!(r1.len(), e.w1().len(), "{}", case.name);
        assert_eq!(r2.len(), e.w2().len(), "{}", case.name);
        let mut moved = 0;
        for (i, (engine, reference)) in e
            .w1()
            .iter()
            .chain(e.w2())
            .zip(r1.iter().chain(&r2))
            .enumerate()
        {
            // The same operations up to their order: equal to a few roundings of the values.
            assert!(
                (engine - reference).abs() <= 1e-12 * (1.0 + engine.abs()),
                "{}: walker {i}: engine {engine}, reference {reference}",
                case.name
            );
            moved += usize::from(engine.is_finite() && *engine != 0.0);
        }
        // Not a vacuous comparison: the walkers are there and finite.
        assert!(
            moved > r1.len() / 2,
            "{}: {moved} finite walkers",
            case.name
        );
        checked += 1;
    }
    assert!(checked >= 30, "{checked} cases");
}
