//! Typed landscapes against the built-ins they mirror: the typed quadratic, quartic, 2-D sharp
//! minima and toy network (each the built-in's `Landscape::typed` form and law) give the
//! built-in's statistics within sampling error at N = 20 000, and the typed quadratic's theory
//! (its stationary point's μ, the λ where μ < 0) is Eq. 5's to 10⁻⁹.

use saddlescope::model::custom::Custom;
use saddlescope::model::stationary::{self, Kind};
use saddlescope::model::{Landscape, NoiseLaw, theory};
use saddlescope::preset::Preset;
use saddlescope::sim::sweep::{PickedPoint, SweepGrid, SweepSpec, run_sweep};
use saddlescope::sim::theory::{Readout, x_law};
use saddlescope::sim::{Ensemble, ExperimentParams};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

const N: usize = 20_000;

/// Whether a walker at (w1, w2) ended in an outcome.
type Outcome = fn(f64, f64) -> bool;

/// Four binomial standard deviations of a difference of two shares of N (both near `p`).
fn tolerance(p: f64) -> f64 {
    4.0 * (2.0 * (p * (1.0 - p) + 1.0 / N as f64) / N as f64).sqrt()
}

/// The preset's parameters at N walkers, and the same experiment on the typed landscape.
fn pair(preset: &str) -> (ExperimentParams, ExperimentParams) {
    let mut p = Preset::builtin(preset).unwrap().params;
    p.walkers = N;
    let mut typed = p.clone();
    typed
        .set(
            "landscape",
            if p.landscape.dim() == 2 {
                "custom_2d"
            } else {
                "custom"
            },
        )
        .unwrap();
    assert_eq!(typed.loss, p.landscape.typed().unwrap().0);
    (p, typed)
}

fn run(p: &ExperimentParams, steps: u64) -> Ensemble {
    let mut e = Ensemble::new(&p.valid().unwrap());
    e.advance(steps, 2);
    e
}

fn share(e: &Ensemble, f: impl Fn(f64, f64) -> bool) -> f64 {
    let w2 = e.w2();
    let hits = (0..e.len())
        .filter(|&i| f(e.w1()[i], w2.get(i).copied().unwrap_or(0.0)))
        .count();
    hits as f64 / e.len() as f64
}

#[test]
fn the_typed_quadratic_and_quartic_trap_as_the_built_ins_do() {
    for preset in ["fig1-left", "fig1-middle"] {
        let (p, typed) = pair(preset);
        for steps in [10, 20, 50] {
            let (b, t) = (run(&p, steps), run(&typed, steps));
            for theta in [0.1, 1e-3] {
                let below = |e: &Ensemble| share(e, |w, _| w.abs() < theta);
                let (sb, st) = (below(&b), below(&t));
                assert!(
                    (sb - st).abs() <= tolerance(0.5 * (sb + st)),
                    "{preset} t={steps} θ={theta}: built-in {sb}, typed {st}"
                );
            }
        }
    }
}

#[test]
fn the_typed_quadratic_is_the_built_in_run_bit_for_bit_on_the_same_kernels() {
    // Its derived gradient is x·w exactly (0.5·(x·(2w)) gathered), and the lanes draw x in the
    // same order: the same walkers, bit for bit, as the built-in on the f64 kernels.
    use saddlescope::sim::Engine;
    let (mut p, mut typed) = pair("fig1-left");
    p.walkers = 1000;
    typed.walkers = 1000;
    let go = |q: &ExperimentParams| {
        let mut e = Ensemble::with_engine(&q.valid().unwrap(), Engine::Lanes);
        e.advance(300, 2);
        e.w1().to_vec()
    };
    let (b, t) = (go(&p), go(&typed));
    assert!(b.iter().zip(&t).all(|(x, y)| x.to_bits() == y.to_bits()));
}

#[test]
fn the_typed_sharp_minima_and_toy_network_end_where_the_built_ins_do() {
    // Fig. 7: every walker in a sharp minimum (w1 = 0); Fig. 3: the valley or the saddle line.
    for (preset, steps) in [("fig7", 3000), ("fig3-left", 3000), ("fig3-middle", 3000)] {
        let (p, typed) = pair(preset);
        assert!(typed.validate().is_ok());
        let (b, t) = (run(&p, steps), run(&typed, steps));
        let outcomes: [(&str, Outcome); 3] = [
            ("|w1| < 0.01", |w1, _| w1.abs() < 0.01),
            ("w2 w1² near ½", |w1, w2| {
                (w2 * w1 * w1 - 0.5).abs() < 0.05
            }),
            ("diverged", |w1, _| !w1.is_finite()),
        ];
        for (name, f) in outcomes {
            let (sb, st) = (share(&b, f), share(&t, f));
            assert!(
                (sb - st).abs() <= tolerance(0.5 * (sb + st)),
                "{preset} {name}: built-in {sb}, typed {st}"
            );
        }
        if preset == "fig7" {
            assert_eq!(
                share(&t, |w1, _| w1.abs() < 0.01),
                1.0,
                "Fig. 7: 100 % sharp"
            );
        }
    }
}

#[test]
fn the_typed_quadratics_theory_is_eq_5s_to_1e_9() {
    for a in [-1.0, -0.5, 0.5] {
        for lambda in [0.3, 0.8, 1.5] {
            let mut p = ExperimentParams {
                a,
                lambda,
                ..ExperimentParams::default()
            };
            p.set("landscape", "custom").unwrap();
            let r = Readout::new(&p);
            let points = r.stationary_points.unwrap();
            assert_eq!(points.len(), 1, "a={a}: the one stationary point w = 0");
            let w0 = &points[0];
            assert_eq!(w0.w, Some(0.0));
            assert_eq!(
                w0.point.kind,
                if a < 0.0 {
                    Kind::Maximum
                } else {
                    Kind::Minimum
                }
            );
            assert!(w0.point.sgd_fixed_point);
            let mu = w0.point.mu.unwrap();
            let want = theory::mu_two_point(a, lambda);
            assert!(
                (mu - want).abs() < 1e-9,
                "a={a} λ={lambda}: μ {mu} vs {want}"
            );
            assert_eq!(w0.point.attracts(), want < 0.0);
        }
        // The λ where μ < 0 are Eq. 5's interval (its positive part).
        let mut p = ExperimentParams {
            a,
            ..ExperimentParams::default()
        };
        p.set("landscape", "custom").unwrap();
        let c = Custom::new(&p.loss).unwrap();
        let got = stationary::negative_intervals_1d(&c, &x_law(&p), (a, 0.0), 0.0, 10.0);
        let (lo, hi) = theory::eq5_interval(a).unwrap();
        assert_eq!(got.len(), 1, "a={a}: {got:?}");
        assert!(
            (got[0].0 - lo.max(0.0)).abs() < 1e-9,
            "a={a}: {got:?} vs {lo}"
        );
        assert!((got[0].1 - hi).abs() < 1e-9, "a={a}: {got:?} vs {hi}");
    }
}

#[test]
fn the_typed_quartic_has_its_maximum_and_two_minima() {
    let (p, typed) = pair("fig1-middle");
    let r = Readout::new(&typed);
    let points = r.stationary_points.unwrap();
    let m = (-p.a / 2.0).sqrt();
    let kinds: Vec<(f64, Kind)> = points
        .iter()
        .map(|r| (r.w.unwrap(), r.point.kind))
        .collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    for (want, kind) in [
        (-m, Kind::Minimum),
        (0.0, Kind::Maximum),
        (m, Kind::Minimum),
    ] {
        assert!(
            kinds
                .iter()
                .any(|&(w, k)| (w - want).abs() < 1e-9 && k == kind),
            "{want} {kind:?} in {kinds:?}"
        );
    }
    // SGD cannot settle at the minima (x w + w³ ≠ 0 for both x); it can at the maximum, with
    // the quadratic's μ there.
    for r in &points {
        assert_eq!(r.point.sgd_fixed_point, r.w == Some(0.0));
    }
    let at0 = points.iter().find(|r| r.w == Some(0.0)).unwrap();
    assert!((at0.point.mu.unwrap() - theory::mu_two_point(p.a, p.lambda)).abs() < 1e-9);
    assert_eq!(Landscape::Custom, typed.landscape);
}

#[test]
fn a_typed_2d_landscape_gets_the_papers_points_and_exponents() {
    // Eq. 6 typed (Fig. 7's a = 0.5, b = 14, λ = 0.05): the flat minima (±1/√2, 0) cannot hold
    // SGD (the sample gradient x b w1 does not vanish there); the sharp minima (0, ±√((1+a)/2))
    // attract, with the Hessians diagonal (they commute) and the top exponent
    // max(½ ln|(1 − λ(4 + 6a + b))(1 − λ(4 + 6a − b))|, ln|1 − λ(4 + 4a)|) exactly.
    let (_, typed) = pair("fig7");
    let points = Readout::new(&typed).stationary_points.unwrap();
    let (a, b, l) = (typed.a, typed.b, typed.lambda);
    let at = |w1: f64, w2: f64| {
        points
            .iter()
            .find(|r| (r.w1.unwrap() - w1).abs() < 1e-6 && (r.w2.unwrap() - w2).abs() < 1e-6)
            .unwrap_or_else(|| panic!("no point at ({w1}, {w2})"))
    };
    let s = ((1.0 + a) / 2.0).sqrt();
    let across = 0.5
        * ((1.0 - l * (4.0 + 6.0 * a + b)).abs().ln() + (1.0 - l * (4.0 + 6.0 * a - b)).abs().ln());
    let along = (1.0 - l * (4.0 + 4.0 * a)).abs().ln();
    for sign in [-1.0, 1.0] {
        let flat = at(sign * std::f64::consts::FRAC_1_SQRT_2, 0.0);
        assert_eq!(
            (flat.point.kind, flat.point.sgd_fixed_point),
            (Kind::Minimum, false)
        );
        let sharp = at(0.0, sign * s);
        assert_eq!(
            (sharp.point.kind, sharp.point.sgd_fixed_point),
            (Kind::Minimum, true)
        );
        let mu = sharp.point.mu.unwrap();
        assert!(
            (mu - across.max(along)).abs() < 1e-9,
            "{mu} vs {}",
            across.max(along)
        );
        assert!(sharp.point.attracts() && sharp.point.mu_se.is_none());
    }
    assert_eq!(at(0.0, 0.0).point.kind, Kind::Maximum);
    // The toy network typed (Fig. 3-middle, λ = 0.1): the line w1 = 0 is found as a curve, each
    // point with the exponent across it, E ln|1 + 4λ w2 y| over y ∈ {−1, 2}; the valley
    // w2 w1² = ½ is a curve where SGD cannot settle (the residual w2 w1² − y is never 0).
    let (_, toy) = pair("fig3-middle");
    let points = Readout::new(&toy).stationary_points.unwrap();
    let line: Vec<_> = points
        .iter()
        .filter(|r| r.w1.unwrap().abs() < 1e-9 && r.w2.unwrap().abs() > 0.1)
        .collect();
    assert!(line.len() >= 4, "points of the line w1 = 0: {}", line.len());
    for r in &line {
        let w2 = r.w2.unwrap();
        let want = 0.5
            * ((1.0 - 4.0 * toy.lambda * w2).abs().ln() + (1.0 + 8.0 * toy.lambda * w2).abs().ln());
        assert!(r.point.on_curve && r.point.sgd_fixed_point);
        assert!((r.point.mu.unwrap() - want).abs() < 1e-9, "w2 = {w2}");
    }
    let valley: Vec<_> = points
        .iter()
        .filter(|r| (r.w2.unwrap() * r.w1.unwrap().powi(2) - 0.5).abs() < 1e-6)
        .collect();
    assert!(
        valley.len() >= 4
            && valley
                .iter()
                .all(|r| r.point.on_curve && !r.point.sgd_fixed_point)
    );
}

#[test]
fn walkers_that_leave_a_functions_domain_count_as_diverged() {
    // ℓ = x √w: the gradient x/(2√w) is NaN once a walker crosses below 0 — it is counted as
    // diverged, as on the built-ins, and every other walker stays finite.
    let mut p = ExperimentParams {
        walkers: 1000,
        ..ExperimentParams::default()
    };
    p.set("loss", "x*sqrt(w)").unwrap();
    let e = run(&p, 100);
    let diverged = e.w1().iter().filter(|w| !w.is_finite()).count();
    assert!(
        diverged > 0 && diverged < e.len(),
        "{diverged} of {}",
        e.len()
    );
    assert!(e.w1().iter().all(|w| w.is_finite() || w.is_nan()));
}

/// A sweep's theory layers (one walker, one step per cell: the cells are not what is tested).
fn theory_grid(p: &ExperimentParams, spec: SweepSpec) -> SweepGrid {
    let spec = SweepSpec {
        walkers: 1,
        steps: 1,
        ..spec
    };
    run_sweep(
        &p.valid().unwrap(),
        &spec,
        1,
        &AtomicBool::new(false),
        Duration::from_secs(1000),
        |_| {},
    )
    .unwrap()
    .unwrap()
}

#[test]
fn the_typed_quadratics_phase_line_is_eq_5s_to_1e_9() {
    // Fig. 1-right typed: the map's line is that of w = 0 (the SGD fixed point nearest the
    // origin at the run's a), whose μ is the built-in's at every (a, λ).
    let (p, typed) = pair("fig1-right");
    let spec = SweepSpec {
        a_cells: 10,
        lambda_cells: 10,
        ..SweepSpec::default()
    };
    let (built_in, g) = (theory_grid(&p, spec.clone()), theory_grid(&typed, spec));
    assert_eq!(g.mu_zero_of.as_deref(), Some("the maximum w = 0 at a = −1"));
    for (m, t) in built_in.mu.iter().zip(&g.mu) {
        assert!((m - t).abs() <= 1e-12, "cell μ {t} against {m}");
    }
    let vertices: Vec<[f64; 2]> = g.mu_zero.iter().flatten().copied().collect();
    assert!(vertices.len() > 200, "{} vertices", vertices.len());
    for [a, l] in vertices {
        let mu = theory::log_factor_moments(&NoiseLaw::TwoPoint, a, l).0;
        assert!(mu.abs() <= 1e-9, "μ({a}, {l}) = {mu}");
    }
    // The quartic's w = 0 has the same curvatures x: the same line.
    let (_, quartic) = pair("fig1-middle");
    let q = theory_grid(
        &ExperimentParams { a: -1.0, ..quartic },
        SweepSpec {
            a_cells: 10,
            lambda_cells: 10,
            ..SweepSpec::default()
        },
    );
    assert_eq!(q.mu_zero, g.mu_zero);
}

#[test]
fn a_picked_point_on_the_toy_networks_saddle_line_gets_its_transverse_line() {
    // On w1 = 0 the factor across the line is 1 + 4λ x w2 (ℓ = (w2 w1² − x)², x ∈ {−1, 2}):
    // at w2 = ½, μ = ½ ln|1 − 2λ| + ½ ln|1 + 4λ| is 0 at λ = ¼ and at λ = (1 + √17)/8, for
    // every a (the loss has no a). The picked point is followed from a = 0.3.
    let (_, typed) = pair("fig3-middle");
    let spec = SweepSpec {
        a_cells: 6,
        lambda_cells: 6,
        lambda_min: 0.0,
        lambda_max: 1.0,
        point: Some(PickedPoint {
            w: [0.0, 0.5],
            a: Some(0.3),
        }),
        ..SweepSpec::default()
    };
    let g = theory_grid(&typed, spec);
    assert_eq!(
        g.mu_zero_of.as_deref(),
        Some("the saddle (w1, w2) = (0, 0.5) at a = 0.3")
    );
    let roots = [0.25, (1.0 + 17f64.sqrt()) / 8.0];
    let vertices: Vec<[f64; 2]> = g.mu_zero.iter().flatten().copied().collect();
    assert!(vertices.len() > 100, "{} vertices", vertices.len());
    for [a, l] in &vertices {
        assert!(
            roots.iter().any(|r| (l - r).abs() <= 1e-9),
            "a vertex at ({a}, {l})"
        );
    }
    for r in roots {
        assert!(vertices.iter().any(|v| (v[1] - r).abs() <= 1e-9), "{r}");
    }
}

#[test]
fn a_typed_landscapes_mean_loss_is_the_built_ins() {
    use saddlescope::model::LandscapeParams;
    // L = E ℓ by the law's nodes, at the built-in's own walkers: the quartic (two-point and
    // Gaussian x: the nodes are exact for ℓ polynomial in x), Eq. 6 and the toy network.
    let mut cases: Vec<(ExperimentParams, ExperimentParams)> =
        ["fig1-middle", "fig3-middle", "fig7"].map(pair).into();
    let (mut q, mut tq) = pair("fig1-middle");
    for p in [&mut q, &mut tq] {
        p.set("noise", "gaussian").unwrap();
        p.set("noise_spread", "0.7").unwrap();
    }
    cases.push((q, tq));
    for (p, typed) in cases {
        let e = run(
            &ExperimentParams {
                walkers: 2000,
                ..p.clone()
            },
            20,
        );
        let lp = LandscapeParams {
            landscape: p.landscape,
            a: p.a,
            b: p.b,
        };
        let c = Custom::new(&typed.loss).unwrap();
        let got = c.mean_losses((p.a, p.b), &x_law(&typed), e.w1(), e.w2());
        for (i, l) in got.iter().enumerate() {
            let w = [e.w1()[i], e.w2().get(i).copied().unwrap_or(0.0)];
            let want = lp.averaged_loss(w);
            if !want.is_finite() {
                // A diverged walker: no loss on either side.
                assert!(!l.is_finite(), "{w:?}: {l}");
                continue;
            }
            assert!(
                (l - want).abs() <= 1e-12 * (1.0 + want.abs()),
                "{:?} at {w:?}: {l} against {want}",
                p.landscape
            );
        }
    }
    // The run's summary: the typed quadratic's walkers are the built-in's, and so is its L.
    let (mut p, mut typed) = pair("fig1-left");
    p.walkers = 1000;
    typed.walkers = 1000;
    let mean = |q: &ExperimentParams| {
        use saddlescope::sim::Engine;
        let mut e = Ensemble::with_engine(&q.valid().unwrap(), Engine::Lanes);
        e.advance(5, 1);
        saddlescope::sim::stats::record(&e, None)
            .summary
            .mean_loss
            .unwrap()
    };
    let (b, t) = (mean(&p), mean(&typed));
    assert!((b - t).abs() <= 1e-12 * b.abs(), "{t} against {b}");
}
