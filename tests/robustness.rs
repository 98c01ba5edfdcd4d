//! Property tests of the inputs a user or a file can throw at the program: the preset parser and
//! parameter validation never panic, every refusal has a one-line message, and whatever
//! validates runs without poisoning a statistic.

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::RngSeed;

/// Fixed seeds, so CI is deterministic; set PROPTEST_RNG_SEED (and raise the case counts) to
/// explore further offline.
fn seed() -> RngSeed {
    RngSeed::Fixed(
        std::env::var("PROPTEST_RNG_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(2022),
    )
}

use saddlescope::preset::Preset;
use saddlescope::sim::params::KNOWN_KEYS;
use saddlescope::sim::{Ensemble, ExperimentParams, stats};

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
        Just(1.0),
        Just(2.0),
        -1e3f64..1e3,
        -5.0f64..5.0,
        any::<f64>(),
    ]
}

fn mutate(text: &str, how: u8, at: usize, byte: u8) -> String {
    let mut b = text.as_bytes().to_vec();
    if b.is_empty() {
        return String::from_utf8_lossy(&[byte]).into_owned();
    }
    let at = at % b.len();
    match how % 4 {
        0 => b.truncate(at),
        1 => {
            b[at] = byte;
        }
        2 => {
            b.insert(at, byte);
        }
        _ => {
            b.remove(at);
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

proptest! {
    // 10⁵ mutated preset files per run (each parse is microseconds).
    #![proptest_config(ProptestConfig { cases: 100_000, rng_seed: seed(), ..ProptestConfig::default() })]
    #[test]
    fn the_preset_parser_never_panics_and_always_explains(
        which in 0usize..14, how in any::<u8>(), at in any::<usize>(), byte in any::<u8>(), times in 1usize..4,
    ) {
        let all = Preset::builtin_all();
        let mut text = all[which % all.len()].to_json();
        for k in 0..times {
            text = mutate(&text, how.wrapping_add(k as u8), at.wrapping_mul(k + 1), byte);
        }
        match Preset::from_json(&text, Path::new("fuzzed.json")) {
            Ok(p) => prop_assert!(p.validate().is_ok()),
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.starts_with("fuzzed.json: "), "{}", msg);
                prop_assert!(!msg.contains('\n'), "{}", msg);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, rng_seed: seed(), ..ProptestConfig::default() })]
    #[test]
    fn whatever_validates_runs_and_stays_finite(
        a in any_f64(), b in any_f64(), lambda in any_f64(), sigma in any_f64(), beta1 in any_f64(),
        beta2 in any_f64(), landscape in 0usize..4, optimizer in 0usize..4, noise in 0usize..3,
        spread in any_f64(), walkers in 0usize..300, proj in proptest::option::of(any_f64()),
    ) {
        let mut p = ExperimentParams::default();
        let set = |p: &mut ExperimentParams, k: &str, v: String| { let _ = p.set(k, &v); };
        set(&mut p, "landscape", ["quadratic", "quartic", "sharp_minima", "toy_network"][landscape].into());
        set(&mut p, "optimizer", ["gd", "sgd", "adam", "amsgrad"][optimizer].into());
        set(&mut p, "noise", ["two_point", "gaussian", "uniform"][noise].into());
        set(&mut p, "noise_spread", spread.to_string());
        p.a = a;
        p.b = b;
        p.lambda = lambda;
        p.sigma_add = sigma;
        p.adam.beta1 = beta1;
        p.adam.beta2 = beta2;
        p.walkers = walkers;
        p.projection = proj;
        p.steps = 20;
        p.record_steps = vec![0, 20];
        match p.validate() {
            Err(e) => prop_assert!(!e.to_string().is_empty() && !e.to_string().contains('\n')),
            Ok(()) => {
                let mut e = Ensemble::new(&p.valid().unwrap());
                e.advance(20, 1);
                let r = stats::record(&e, None);
                let s = &r.summary;
                prop_assert_eq!(s.finite + s.diverged, s.walkers);
                prop_assert_eq!(r.histogram.total() as usize, s.finite);
                for v in [s.mean_w, s.mean_abs_w, s.mean_log_ratio, s.mean_log_abs].into_iter().flatten() {
                    prop_assert!(v.is_finite(), "{:?}", s);
                }
                for f in &s.fraction_below {
                    prop_assert!((0.0..=1.0).contains(f));
                }
                for q in &s.quantiles {
                    prop_assert!(q.w.is_finite() && q.abs_w.is_finite());
                }
            }
        }
    }

}

proptest! {
    // 10⁵ parameter sets per run (a validation is microseconds): absurd sizes, every special
    // float in every field, every landscape × optimizer × noise × initial law.
    #![proptest_config(ProptestConfig { cases: 100_000, rng_seed: seed(), ..ProptestConfig::default() })]
    #[test]
    fn validation_never_panics_and_what_passes_is_sane(
        a in any_f64(), b in any_f64(), lambda in any_f64(), sigma in any_f64(),
        beta1 in any_f64(), beta2 in any_f64(), eps in any_f64(), spread in any_f64(),
        init_x in any_f64(), init_y in any_f64(), which in any::<[u8; 4]>(),
        walkers in prop_oneof![0usize..100, any::<usize>(), Just(1_000_000_000_000usize)],
        steps in prop_oneof![0u64..100, any::<u64>(), Just(1_000_000_000_000_000u64)],
        records in proptest::collection::vec(any::<u64>(), 0..40),
        thresholds in proptest::collection::vec(any_f64(), 0..12),
        proj in proptest::option::of(any_f64()),
    ) {
        use saddlescope::model::{Landscape, NoiseLaw, Optimizer};
        use saddlescope::sim::InitLaw;
        use saddlescope::sim::params::{MAX_STEPS, MAX_WALKERS};
        let mut p = ExperimentParams {
            landscape: Landscape::ALL[which[0] as usize % Landscape::ALL.len()],
            optimizer: Optimizer::ALL[which[1] as usize % Optimizer::ALL.len()],
            noise: [
                NoiseLaw::TwoPoint,
                NoiseLaw::Gaussian { std: spread },
                NoiseLaw::Uniform { half_width: spread },
            ][which[2] as usize % 3],
            init: [
                InitLaw::Uniform { half_width: init_x },
                InitLaw::Point { w1: init_x, w2: init_y },
                InitLaw::Network,
                InitLaw::FlatMinima { radius: init_x },
            ][which[3] as usize % 4],
            a,
            b,
            lambda,
            sigma_add: sigma,
            walkers,
            steps,
            record_steps: records,
            thresholds,
            projection: proj,
            ..ExperimentParams::default()
        };
        (p.adam.beta1, p.adam.beta2, p.adam.eps) = (beta1, beta2, eps);
        match p.validate() {
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(!msg.is_empty() && !msg.contains('\n'), "{:?}", msg);
            }
            Ok(()) => {
                prop_assert!(p.walkers >= 1 && p.walkers <= MAX_WALKERS);
                prop_assert!(p.steps <= MAX_STEPS);
                prop_assert!(p.a.is_finite() && p.b.is_finite() && p.lambda.is_finite());
                prop_assert!(p.memory_estimate() < 4 << 30, "{} bytes", p.memory_estimate());
                // The theory readout of anything valid: never NaN.
                let r = saddlescope::sim::theory::Readout::new(&p);
                prop_assert!(!r.mu.is_nan() && !r.s2.is_nan(), "{:?}", r);
                prop_assert!(r.mu_zero_lambdas.iter().all(|l| l.is_finite()));
            }
        }
    }

    #[test]
    fn set_with_arbitrary_text_never_panics(key in 0usize..KNOWN_KEYS.len(), value in ".{0,24}") {
        let mut p = ExperimentParams::default();
        if let Err(e) = p.set(KNOWN_KEYS[key], &value) {
            prop_assert!(e.to_string().contains(KNOWN_KEYS[key]) || e.to_string().contains("allowed"), "{}", e);
        }
        let _ = p.validate();
    }
}

/// Runs where every walker blows up, and the singular parameters of the theory: every statistic
/// stays finite, the diverged are counted, and the exported figure has no NaN or ∞ in it.
#[test]
fn divergence_storms_and_singular_points_stay_finite_in_stats_and_exports() {
    use saddlescope::export::render;
    use saddlescope::model::{Landscape, Optimizer};
    use saddlescope::sim::run_headless;

    let storm = |name: &str, edit: &dyn Fn(&mut ExperimentParams)| {
        let mut preset = Preset::builtin(name).unwrap();
        preset.params.walkers = 2000;
        preset.params.steps = 200;
        preset.params.record_steps = vec![0, 10, 200];
        edit(&mut preset.params);
        preset.params.validate().unwrap();
        preset
    };
    let cases = [
        // The quartic at λ = 3: |w| grows like a cube every step, all gone in a few steps.
        storm("fig1-middle", &|p| p.lambda = 3.0),
        // The toy network far above its divergence λ ≈ 0.108.
        storm("fig3-right", &|p| p.lambda = 1.0),
        // Adam without projection on the quartic, ε = 0 (0/0 possible at w = 0). Its steps are
        // bounded by λ(1 − β1)/√(1 − β2), so it wanders far rather than diverging.
        storm("fig1-middle", &|p| {
            p.optimizer = Optimizer::Adam;
            p.lambda = 5.0;
            p.projection = None;
            p.adam.eps = 0.0;
        }),
        // The sharp-minima landscape at its singular b = 0 and a = 0, unclipped, large λ.
        storm("fig7", &|p| {
            p.landscape = Landscape::SharpMinima;
            p.a = 0.0;
            p.b = 0.0;
            p.lambda = 2.0;
            p.projection = None;
        }),
    ];
    let mut diverged_somewhere = 0;
    for preset in &cases {
        let p = &preset.params;
        let out = run_headless(&p.valid().unwrap(), 2, |_| {}).unwrap();
        for r in &out.records {
            let s = &r.record.summary;
            assert_eq!(s.finite + s.diverged, s.walkers, "{p:?}");
            for v in [
                s.mean_w,
                s.mean_abs_w,
                s.sem_abs_w,
                s.mean_loss,
                s.mean_log_ratio,
            ]
            .into_iter()
            .flatten()
            {
                assert!(v.is_finite(), "{s:?}");
            }
            assert!(
                s.quantiles
                    .iter()
                    .all(|q| q.w.is_finite() && q.abs_w.is_finite())
            );
            assert!(s.fraction_below.iter().all(|f| (0.0..=1.0).contains(f)));
            assert!(s.basins.iter().all(|b| (0.0..=1.0).contains(&b.fraction)));
        }
        let last = &out.records.last().unwrap().record.summary;
        diverged_somewhere += usize::from(last.diverged > 0);
        // The live view's export of the same run.
        let mut headless = preset.clone();
        headless.view = saddlescope::preset::ViewKind::Histogram;
        if p.landscape.dim() == 2 {
            headless.view = saddlescope::preset::ViewKind::Landscape2d;
        }
        let data = render::compute(&headless, 2).unwrap();
        let fig = render::figure(&headless, &data);
        let svg = fig.to_svg_text();
        for bad in ["NaN", "inf"] {
            assert!(
                !svg.contains(bad),
                "{bad} in the SVG of {}: {}",
                preset.name,
                svg.find(bad)
                    .map_or("", |i| &svg[i.saturating_sub(300)..(i + 50).min(svg.len())])
            );
        }
        let paths = fig.to_svg().unwrap();
        assert!(!paths.contains("NaN") && !paths.contains("inf"));
        for table in fig.to_csv() {
            assert!(!table.contains("NaN") && !table.contains("inf"), "{table}");
        }
        if last.diverged > 0 {
            assert!(
                svg.contains("diverged"),
                "the figure of {} ({:?}, {} diverged) does not say so",
                preset.name,
                p.landscape,
                last.diverged
            );
        }
    }
    assert!(
        diverged_somewhere >= 3,
        "the storms did diverge ({diverged_somewhere} of 4)"
    );
    // The sharp-minima theory at its singular a: stationary points, losses and Hessians finite.
    for a in [0.0, -0.0, 1.0, 0.5, -0.5, 1e-12] {
        for pt in saddlescope::model::theory::sharp_minima_points(a) {
            assert!(
                pt.w.iter()
                    .chain(pt.hessian.iter().flatten())
                    .all(|v| v.is_finite())
            );
            assert!(
                pt.loss.is_finite() && pt.trace().is_finite(),
                "a = {a}: {pt:?}"
            );
        }
    }
}
