//! Statistical tests of the engine against exact theory (SPEC.md §4). Every test uses a fixed
//! seed, so it is deterministic; the tolerances are what the sample size allows, so that a
//! wrong figure fails.

use saddlescope::model::theory::{self, InitMagnitude};
use saddlescope::model::{Landscape, NoiseLaw};
use saddlescope::sim::{ExperimentParams, run_headless};

/// Four binomial standard errors, sqrt(p(1 − p)/N), plus 1/N inside the root so that p = 0 or 1
/// still allows the one-walker granularity. A fair comparison fails with probability ≈ 6e-5.
fn tolerance(p: f64, n: usize) -> f64 {
    4.0 * ((p * (1.0 - p) + 1.0 / n as f64) / n as f64).sqrt()
}

#[test]
fn fraction_below_theta_follows_the_exact_binomial_law() {
    let n = 20_000;
    // Trapped (Fig. 1-left), escaping (λ < 0.5), trapped near the upper edge, and a > 0.
    for (a, lambda) in [(-1.0, 0.8), (-1.0, 0.3), (-1.0, 1.2), (0.5, 1.5)] {
        let p = ExperimentParams {
            a,
            lambda,
            walkers: n,
            seed: 11,
            steps: 60,
            record_steps: vec![0, 1, 2, 5, 10, 20, 40, 60],
            thresholds: vec![0.1, 1e-3],
            ..ExperimentParams::default()
        };
        let out = run_headless(&p.valid().unwrap(), 2, |_| {}).unwrap();
        for r in &out.records {
            let t = r.record.summary.step;
            for (k, &th) in p.thresholds.iter().enumerate() {
                let exact = theory::fraction_below_exact(
                    a,
                    lambda,
                    t,
                    th,
                    InitMagnitude::Uniform { radius: 1.0 },
                );
                let sim = r.record.summary.fraction_below[k];
                assert!(
                    (sim - exact).abs() <= tolerance(exact, n),
                    "a={a} λ={lambda} t={t} θ={th}: simulated {sim}, exact {exact}, tolerance {}",
                    tolerance(exact, n)
                );
            }
        }
    }
}

#[test]
fn mean_log_ratio_is_t_mu() {
    // E ln|w_t/w_0| = tμ exactly; the sample mean has standard error sqrt(t s²/N).
    let n = 20_000;
    let (a, lambda) = (-1.0, 0.8);
    let (mu, s2) = theory::log_factor_moments(&NoiseLaw::TwoPoint, a, lambda);
    let p = ExperimentParams {
        walkers: n,
        steps: 40,
        record_steps: vec![10, 20, 40],
        seed: 3,
        ..ExperimentParams::default()
    };
    let out = run_headless(&p.valid().unwrap(), 2, |_| {}).unwrap();
    for r in &out.records {
        let s = &r.record.summary;
        let t = s.step as f64;
        assert_eq!(s.log_count, n, "no walker underflows in 40 steps");
        let tol = 4.0 * (t * s2 / n as f64).sqrt();
        let m = s.mean_log_ratio.unwrap();
        assert!((m - t * mu).abs() < tol, "t={t}: {m} vs {} ± {tol}", t * mu);
    }
}

#[test]
fn only_the_sign_of_mu_matters_not_the_shape_of_the_noise() {
    // Prop. 2 for Gaussian and uniform noise (mean a/2 = −0.5): at each (law, λ) with
    // |μ| ≥ 0.05, 600 steps move ln|w| by ≥ 30 while its spread is a few s·√600, so the ensemble
    // must have collapsed (μ < 0) or escaped (μ > 0). Both outcomes must occur for each law.
    let n = 4000;
    let cases = [
        (NoiseLaw::Gaussian { std: 3.0 }, [0.2, 0.3, 0.8]),
        (
            NoiseLaw::Uniform {
                half_width: 1.5 * 3f64.sqrt(),
            },
            [0.5, 1.2, 2.0],
        ),
    ];
    for (noise, lambdas) in cases {
        let (mut trapped, mut escaped) = (0, 0);
        for lambda in lambdas {
            let (mu, _) = theory::log_factor_moments(&noise, -1.0, lambda);
            assert!(
                mu.abs() >= 0.05,
                "{noise:?} λ={lambda}: μ={mu} too close to 0 for this test"
            );
            let p = ExperimentParams {
                noise,
                lambda,
                walkers: n,
                steps: 600,
                record_steps: vec![],
                thresholds: vec![1e-3],
                ..ExperimentParams::default()
            };
            let out = run_headless(&p.valid().unwrap(), 2, |_| {}).unwrap();
            let below = out.records.last().unwrap().record.summary.fraction_below[0];
            if mu < 0.0 {
                trapped += 1;
                assert!(
                    below > 0.95,
                    "{noise:?} λ={lambda} μ={mu}: only {below} trapped"
                );
            } else {
                escaped += 1;
                assert!(below < 0.05, "{noise:?} λ={lambda} μ={mu}: {below} trapped");
            }
        }
        assert!(
            trapped > 0 && escaped > 0,
            "{noise:?}: both phases must be exercised"
        );
    }
}

#[test]
fn quartic_fig1_middle_collapses_onto_the_maximum_and_counts_divergence() {
    let mut p = saddlescope::preset::Preset::builtin("fig1-middle")
        .unwrap()
        .params;
    p.walkers = 4000;
    let out = run_headless(&p.valid().unwrap(), 2, |_| {}).unwrap();
    let last = &out.records.last().unwrap().record.summary;
    assert_eq!(p.landscape, Landscape::Quartic);
    // SPEC.md §1: a sizeable share diverges at this setting, and it is counted, not hidden.
    assert!(last.diverged > p.walkers / 10, "diverged {}", last.diverged);
    assert_eq!(last.finite + last.diverged, last.walkers);
    // Every finite walker ends at the maximum, none near the minima ±0.707.
    let finite_below = last.fraction_below[0] * last.walkers as f64 / last.finite as f64;
    assert!(finite_below > 0.999, "{finite_below}");
}

#[test]
fn additive_noise_keeps_a_finite_width() {
    let mut p = saddlescope::preset::Preset::builtin("fig8").unwrap().params;
    p.walkers = 4000;
    let out = run_headless(&p.valid().unwrap(), 2, |_| {}).unwrap();
    let last = &out.records.last().unwrap().record.summary;
    let median = last.quantiles.iter().find(|q| q.p == 0.5).unwrap().abs_w;
    // Neither collapsed (median |w| ≫ σ_add λ) nor escaped (most walkers within O(1)).
    assert!(median > 0.05 && median < 1.0, "median |w| = {median}");
    assert!(
        last.fraction_below[1] < 0.01,
        "collapsed: {}",
        last.fraction_below[1]
    );
    assert_eq!(last.diverged, 0);
}

#[test]
fn the_f32_fast_path_escapes_like_the_f64_engine() {
    // The fast path (f32 mantissa, own random streams) and the f64 reference engine are two
    // independent samples of the same law, so their escape fractions at T = 1000 differ by a
    // normal variable of variance 2p(1 − p)/N: allow 4 of its standard deviations (plus the
    // 1/N granularity). Each is also held to the exact binomial law. The cells cover the
    // trapped region, the escaping region, both sides of the μ = 0 line near λ = 1.9 and a
    // collapse deep enough to reach the flush to 0 (μ ≈ −1.4 at a = 0.5, λ = 0.9).
    use saddlescope::sim::{Engine, Ensemble};
    let n = 20_000;
    let (steps, theta) = (1000, 0.1);
    for (a, lambda) in [
        (-1.0, 0.8),
        (-1.0, 0.3),
        (0.5, 1.5),
        (-0.5, 1.9),
        (0.9, 1.9),
        (0.5, 0.9),
    ] {
        let p = ExperimentParams {
            a,
            lambda,
            walkers: n,
            seed: 5,
            steps,
            ..ExperimentParams::default()
        };
        let escaped = |engine: Engine| {
            let mut e = Ensemble::with_engine(&p.valid().unwrap(), engine);
            assert_eq!(e.uses_fast_path(), engine == Engine::Auto);
            e.advance(steps, 2);
            let k = e
                .w1()
                .iter()
                .filter(|w| !w.is_finite() || w.abs() > theta)
                .count();
            k as f64 / n as f64
        };
        let (fast, reference) = (escaped(Engine::Auto), escaped(Engine::Reference));
        let exact = 1.0
            - theory::fraction_below_exact(
                a,
                lambda,
                steps,
                theta,
                InitMagnitude::Uniform { radius: 1.0 },
            );
        let pooled = (fast + reference) / 2.0;
        let tol = 2f64.sqrt() * tolerance(pooled, n);
        assert!(
            (fast - reference).abs() <= tol,
            "a={a} λ={lambda}: f32 {fast} vs f64 {reference} (tolerance {tol})"
        );
        for (name, v) in [("f32", fast), ("f64", reference)] {
            assert!(
                (v - exact).abs() <= tolerance(exact, n),
                "a={a} λ={lambda}: {name} {v} vs exact {exact}"
            );
        }
    }
}

#[test]
fn the_collapse_histogram_is_symmetric_about_zero_at_every_recorded_step() {
    // Fig. 1-left: w_t = w_0 ∏(1 − λx) with w_0 ~ U[−1, 1] symmetric and independent of the
    // noise, so w_t is symmetric at every t. Given the n walkers in the two central bins, each
    // is on the left with probability ½: left − right has variance n, and 4√n (plus one walker
    // of granularity) bounds it at four standard deviations. Walkers underflowed to ±0 keep the
    // sign of their product, so they too split evenly.
    let p = ExperimentParams {
        walkers: 20_000,
        seed: 7,
        steps: 1000,
        record_steps: vec![0, 5, 10, 20, 100, 1000],
        ..ExperimentParams::default()
    };
    let out = run_headless(&p.valid().unwrap(), 2, |_| {}).unwrap();
    for r in &out.records {
        let h = &r.record.histogram;
        assert_eq!(h.counts.len() % 2, 0);
        let c = h.counts.len() / 2;
        let (left, right) = (h.counts[c - 1] as f64, h.counts[c] as f64);
        let n = left + right;
        let t = r.record.summary.step;
        assert!(
            (left - right).abs() <= 4.0 * n.sqrt() + 1.0,
            "t={t}: central bins {left} and {right}"
        );
        assert!(n > 0.0, "t={t}: the central bins are empty");
    }
}

#[test]
fn a_discrete_law_draws_each_value_with_its_probability_in_every_engine() {
    use saddlescope::sim::ensemble::{Engine, Ensemble};
    use saddlescope::sim::params::InitLaw;
    // One SGD step of the quadratic from w = 1 at λ = 1 gives w = 1 − x: the walkers' new
    // positions are the draws. Each value's share is within `tolerance` (4 binomial standard
    // deviations at N = 20 000) of its probability.
    let n = 20_000;
    let law = "1.5:0.4, -1:0.4, 0.25:0.2";
    let mut p = ExperimentParams {
        lambda: 1.0,
        walkers: n,
        seed: 9,
        init: InitLaw::Point { w1: 1.0, w2: 0.0 },
        ..ExperimentParams::default()
    };
    p.set("noise", "discrete").unwrap();
    p.set("noise_values", law).unwrap();
    for engine in [Engine::Auto, Engine::Reference] {
        let mut e = Ensemble::with_engine(&p.valid().unwrap(), engine);
        e.advance(1, 2);
        for (v, prob) in [(1.5, 0.4), (-1.0, 0.4), (0.25, 0.2)] {
            let share = e.w1().iter().filter(|&&w| w == 1.0 - v).count() as f64 / n as f64;
            assert!(
                (share - prob).abs() <= tolerance(prob, n),
                "{engine:?}: x = {v} drawn {share} of the time, not {prob}"
            );
        }
    }
    // Two values of equal weight are the paper's two-point draw, bit for bit: the same run as
    // the quadratic's x ∈ {1, a − 1}.
    let mut two = ExperimentParams {
        walkers: 1000,
        steps: 100,
        ..ExperimentParams::default()
    };
    let paper = {
        let mut e = Ensemble::new(&two.valid().unwrap());
        e.advance(50, 2);
        e.w1().to_vec()
    };
    two.set("noise_values", "1, -2").unwrap();
    let mut e = Ensemble::new(&two.valid().unwrap());
    e.advance(50, 2);
    assert_eq!(e.w1(), paper.as_slice());
}
