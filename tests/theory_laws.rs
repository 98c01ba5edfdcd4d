//! The theory panel's numbers for every noise law (issue: "the theory of the law that runs"),
//! held against an independent brute-force quadrature of μ(λ) = E ln|1 − λx|: a midpoint sum
//! over x on a fine grid (or the two values of the two-point law), scanned over a fine λ grid.
//! Nothing here calls the closed forms or the Simpson rule the model uses.

use saddlescope::model::NoiseLaw;
use saddlescope::model::theory;
use saddlescope::sim::ExperimentParams;
use saddlescope::sim::theory::Readout;

/// x's law as (points, weights) summing to 1: the two-point law exactly, the Gaussian
/// (truncated at ±10 sd) and the uniform law by a rule of `n` cells, each sampled at an
/// irrational fraction of its width (not the midpoint), so that no round λ puts a sample exactly
/// on the singularity x = 1/λ.
fn law(noise: &NoiseLaw, a: f64, n: usize) -> (Vec<f64>, Vec<f64>) {
    let m = a / 2.0;
    match *noise {
        NoiseLaw::TwoPoint => (vec![1.0, a - 1.0], vec![0.5, 0.5]),
        NoiseLaw::Gaussian { std } => {
            let h = 20.0 / n as f64;
            let z: Vec<f64> = (0..n).map(|i| -10.0 + (i as f64 + OFFSET) * h).collect();
            let w: Vec<f64> = z
                .iter()
                .map(|z| (-0.5 * z * z).exp() * h / (2.0 * std::f64::consts::PI).sqrt())
                .collect();
            let total: f64 = w.iter().sum();
            (
                z.iter().map(|z| m + std * z).collect(),
                w.iter().map(|w| w / total).collect(),
            )
        }
        NoiseLaw::Uniform { half_width } => (
            (0..n)
                .map(|i| m - half_width + (i as f64 + OFFSET) * 2.0 * half_width / n as f64)
                .collect(),
            vec![1.0 / n as f64; n],
        ),
        NoiseLaw::Discrete { values } => values.pairs().unzip(),
    }
}

/// Where in its cell each sample sits: 1/φ², irrational.
const OFFSET: f64 = 0.381_966_011_250_105;

fn mu_brute(x: &[f64], w: &[f64], lambda: f64) -> f64 {
    x.iter()
        .zip(w)
        .map(|(x, w)| w * (1.0 - lambda * x).abs().ln())
        .sum()
}

const LAWS: [NoiseLaw; 3] = [
    NoiseLaw::TwoPoint,
    NoiseLaw::Gaussian { std: 1.0 },
    NoiseLaw::Uniform { half_width: 1.5 },
];

#[test]
fn lambda_star_gamma_star_and_the_mu_zero_rates_are_those_of_the_law_that_runs() {
    // The rule's error near the log singularity is O(h ln h) per unit density: with 40 000
    // cells over 20 sd (h = 5e-4) it is ~1e-4 in μ and wiggles with λ as x = 1/λ moves across
    // the cells. The scan's step of 0.02 is coarse enough that a wiggle cannot fake a maximum
    // (μ's curvature ~1 changes it by ~4e-4 over a step) and fine enough for the tolerances:
    // λ* within 0.05, γ* within 2e-3 (the step's (δ/2)² plus the rule's error), roots within
    // 0.03 (a step plus δμ/|μ'|).
    let dl = 0.02;
    // A discrete law of three values with a negative mean (−0.1): μ has a first maximum, and
    // singularities at λ = 1 and 2 (x = 1, 0.5) that the scan's grid meets exactly.
    let discrete = NoiseLaw::Discrete {
        values: saddlescope::model::Discrete::parse("1:0.4, -1.5:0.4, 0.5:0.2").unwrap(),
    };
    for noise in LAWS.into_iter().chain([discrete]) {
        let mut maxima = 0;
        for a in [-3.0, -1.0, -0.5, -0.3, -0.1, 0.5] {
            let r = Readout::new(&ExperimentParams {
                noise,
                a,
                lambda: 0.3,
                ..ExperimentParams::default()
            });
            let (x, w) = law(&noise, a, 40_000);
            let grid: Vec<f64> = (1..=200).map(|k| k as f64 * dl).collect();
            let mu: Vec<f64> = grid.iter().map(|&l| mu_brute(&x, &w, l)).collect();
            // μ itself at the run's λ.
            assert!(
                (r.mu - mu_brute(&x, &w, 0.3)).abs() < 2e-3,
                "{noise:?} a={a}"
            );
            // The first interior maximum of the brute-force μ on (0, 4].
            let first = (1..grid.len() - 1).find(|&k| mu[k] > mu[k - 1] && mu[k] >= mu[k + 1]);
            match (first, r.lambda_star, r.gamma_star) {
                (Some(k), Some(l), Some(g)) => {
                    maxima += 1;
                    assert!(
                        (l - grid[k]).abs() < 0.05,
                        "{noise:?} a={a}: λ* {l} vs {}",
                        grid[k]
                    );
                    assert!(
                        (g - mu[k]).abs() < 2e-3,
                        "{noise:?} a={a}: γ* {g} vs {}",
                        mu[k]
                    );
                }
                (None, l, _) => assert!(
                    l.is_none_or(|l| l > 4.0),
                    "{noise:?} a={a}: λ* {l:?} where the scan finds no maximum"
                ),
                (Some(k), None, _) | (Some(k), _, None) => {
                    panic!(
                        "{noise:?} a={a}: no λ* where the scan finds one at {}",
                        grid[k]
                    )
                }
            }
            // Every sign change of the brute-force μ in (0, 4] is a μ = 0 rate of the readout.
            let changes: Vec<f64> = (1..grid.len())
                .filter(|&k| (mu[k - 1] < 0.0) != (mu[k] < 0.0))
                .map(|k| grid[k])
                .collect();
            let zeros: Vec<f64> = r
                .mu_zero_lambdas
                .iter()
                .copied()
                .filter(|&z| z <= 4.0 - dl)
                .collect();
            assert_eq!(
                changes.len(),
                zeros.len(),
                "{noise:?} a={a}: {changes:?} vs {zeros:?}"
            );
            for (c, z) in changes.iter().zip(&zeros) {
                assert!(
                    (c - z).abs() < 0.03,
                    "{noise:?} a={a}: μ = 0 at {z}, scan {c}"
                );
            }
            // Each μ < 0 interval holds a negative brute-force μ at its middle.
            for &(lo, hi) in &r.trapped_intervals {
                let mid = 0.5 * (lo + hi).min(8.0);
                assert!(
                    mu_brute(&x, &w, mid) < 2e-3,
                    "{noise:?} a={a}: μ({mid}) ≥ 0"
                );
            }
        }
        assert!(maxima > 0, "{noise:?}: no a with a maximum to compare");
    }
}

#[test]
fn prop_3_is_the_two_point_special_case() {
    for a in [-3.0, -1.0, -0.2] {
        let r = Readout::new(&ExperimentParams {
            a,
            ..ExperimentParams::default()
        });
        let l = a / (2.0 * (a - 1.0));
        let g = ((2.0 - a) / (2.0 * (1.0 - a).sqrt())).ln();
        assert!((r.lambda_star.unwrap() - l).abs() < 1e-8, "a={a}");
        assert!((r.gamma_star.unwrap() - g).abs() < 1e-12, "a={a}");
    }
}

#[test]
fn the_continuous_time_line_uses_the_laws_own_mean_and_variance() {
    // λ_c = −2m/σ² with m and σ² of x computed here by the same brute-force sums.
    for noise in LAWS {
        for a in [-1.0, -0.3] {
            let (x, w) = law(&noise, a, 40_000);
            let m: f64 = x.iter().zip(&w).map(|(x, w)| w * x).sum();
            let var: f64 = x.iter().zip(&w).map(|(x, w)| w * (x - m) * (x - m)).sum();
            let lc = -2.0 * m / var;
            for (lambda, escapes) in [(0.5 * lc, true), (1.5 * lc, false)] {
                let r = Readout::new(&ExperimentParams {
                    noise,
                    a,
                    lambda,
                    ..ExperimentParams::default()
                });
                let ct = r
                    .continuous_time
                    .expect("SGD on the quadratic has the picture");
                let got = ct.critical_lambda.unwrap();
                assert!(
                    (got - lc).abs() < 1e-3 * lc,
                    "{noise:?} a={a}: {got} vs {lc}"
                );
                assert_eq!(ct.escapes, escapes, "{noise:?} a={a} λ={lambda}");
            }
        }
        // E[x] ≥ 0: no λ escapes in continuous time.
        let r = Readout::new(&ExperimentParams {
            noise,
            a: 0.5,
            ..ExperimentParams::default()
        });
        let ct = r.continuous_time.unwrap();
        assert!(ct.critical_lambda.is_none() && !ct.escapes);
    }
    // The paper's λ = −a is the two-point line's limit at a → 0 (σ² → 1).
    let a = -1e-4;
    let lc = theory::continuous_time_critical_lambda_of(&NoiseLaw::TwoPoint, a, 1.0).unwrap();
    assert!((lc / -a - 1.0).abs() < 1e-3);
}
