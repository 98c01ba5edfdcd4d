//! Theory for one experiment: the readout the app shows (μ, s², Eq. 5, λ*, γ*, …) and the exact
//! curves drawn over the simulation, built from `model::theory` once per parameter change.

use serde::{Deserialize, Serialize};

use crate::model::custom::Custom;
use crate::model::stationary::{self, StationaryPoint, XLaw};
use crate::model::theory::{self, InitMagnitude};
use crate::model::{Landscape, NoiseLaw, Optimizer};

use super::params::{ExperimentParams, InitLaw};

/// Theory at one step for the quadratic under SGD (SPEC.md §4).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StepTheory {
    /// t·μ: the exact value of E ln|w_t/w_0|.
    pub mean_log_ratio: f64,
    /// Exact P(|w_t| < θ) per threshold, from the binomial law (two-point noise only).
    pub fraction_below_exact: Option<Vec<f64>>,
    /// Lemma 1's normal approximation of P(|w_t| < θ), per threshold.
    pub fraction_below_normal: Vec<f64>,
}

/// The law of |w_0| that the 1-D theory needs, if the initial law has one.
pub fn init_magnitude(init: &InitLaw) -> Option<InitMagnitude> {
    match *init {
        InitLaw::Uniform { half_width } => Some(InitMagnitude::Uniform { radius: half_width }),
        InitLaw::Point { w1, .. } => Some(InitMagnitude::Point { radius: w1.abs() }),
        InitLaw::Network | InitLaw::FlatMinima { .. } => None,
    }
}

/// Whether the quadratic theory of SPEC.md §4 describes this experiment exactly: SGD on Q with
/// no injected noise and no projection.
pub fn quadratic_theory_applies(p: &ExperimentParams) -> bool {
    p.landscape == Landscape::Quadratic
        && p.optimizer == Optimizer::Sgd
        && p.sigma_add == 0.0
        && p.projection.is_none()
        && init_magnitude(&p.init).is_some()
}

/// Theory for experiment `p` at step `t`, when [`quadratic_theory_applies`].
pub fn step_theory(p: &ExperimentParams, t: u64) -> Option<StepTheory> {
    if !quadratic_theory_applies(p) {
        return None;
    }
    let init = init_magnitude(&p.init)?;
    let (mu, s2) = theory::log_factor_moments(&p.noise, p.a, p.lambda);
    let exact = (p.noise == NoiseLaw::TwoPoint).then(|| {
        p.thresholds
            .iter()
            .map(|&th| theory::fraction_below_exact(p.a, p.lambda, t, th, init))
            .collect()
    });
    Some(StepTheory {
        mean_log_ratio: if t == 0 { 0.0 } else { t as f64 * mu },
        fraction_below_exact: exact,
        fraction_below_normal: p
            .thresholds
            .iter()
            .map(|&th| theory::fraction_below_normal(mu, s2, t, th, init))
            .collect(),
    })
}

/// A theory curve of the fraction below each threshold versus step.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FractionCurves {
    /// Steps at which the curves are evaluated.
    pub steps: Vec<u64>,
    /// Exact binomial law, per threshold (empty unless two-point noise).
    pub exact: Vec<Vec<f64>>,
    /// Lemma 1's normal approximation, per threshold.
    pub normal: Vec<Vec<f64>>,
}

/// Every step up to `points / 2`, then `points / 2` log-spaced steps up to `t_max`: the early
/// steps, where the curves move, at full resolution.
pub fn theory_steps(t_max: u64, points: usize) -> Vec<u64> {
    let dense = (points / 2).max(1) as u64;
    let mut steps: Vec<u64> = (0..=t_max.min(dense)).collect();
    if t_max > dense {
        let n = points - points / 2;
        let (l0, l1) = ((dense as f64).ln(), (t_max as f64).ln());
        for i in 1..=n {
            let t = (l0 + (l1 - l0) * i as f64 / n as f64).exp().round() as u64;
            if t > *steps.last().expect("non-empty") {
                steps.push(t.min(t_max));
            }
        }
        if steps.last() != Some(&t_max) {
            steps.push(t_max);
        }
    }
    steps
}

/// The curves over 0..=`p.steps` at about `points` steps (see [`theory_steps`]), or `None` when
/// the quadratic theory does not apply. O(points · steps).
pub fn fraction_curves(p: &ExperimentParams, points: usize) -> Option<FractionCurves> {
    if !quadratic_theory_applies(p) {
        return None;
    }
    // Beyond a few thousand steps the curves are flat at their limits; cap the work.
    let t_max = p.steps.min(5000);
    let steps = theory_steps(t_max, points);
    let th = &p.thresholds;
    let mut exact = vec![
        Vec::new();
        if p.noise == NoiseLaw::TwoPoint {
            th.len()
        } else {
            0
        }
    ];
    let mut normal = vec![Vec::new(); th.len()];
    for &t in &steps {
        let st = step_theory(p, t)?;
        if let Some(e) = st.fraction_below_exact {
            for (k, v) in e.into_iter().enumerate() {
                exact[k].push(v);
            }
        }
        for (k, v) in st.fraction_below_normal.into_iter().enumerate() {
            normal[k].push(v);
        }
    }
    Some(FractionCurves {
        steps,
        exact,
        normal,
    })
}

/// The learning rates the readout looks for μ = 0 and μ < 0 in: (0, 10].
pub const READOUT_LAMBDA_MAX: f64 = 10.0;

/// The continuous-time (Fokker–Planck) picture of App. B.4 for the law that runs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ContinuousTime {
    /// λ_c = −2 S m/σ² (S = 1) with the law's mean m and variance σ²: escape iff λ < λ_c.
    /// `None` when m ≥ 0: the stationary law concentrates at 0 for every λ.
    pub critical_lambda: Option<f64>,
    /// Whether the picture escapes at the current λ.
    pub escapes: bool,
}

/// What the theory says about the current parameters (quadratic picture, SPEC.md §4), computed
/// for the noise law that runs; for the quartic the same numbers describe the dynamics near
/// w = 0. The theory panel shows exactly these rows, and the run JSON writes them as `theory`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Readout {
    /// μ = E ln|1 − λx| under the chosen noise law (Prop. 2).
    pub mu: f64,
    /// s² = Var ln|1 − λx| (Lemma 1).
    pub s2: f64,
    /// μ < 0: w → 0 in probability.
    #[serde(skip)]
    pub trapped: bool,
    /// Eq. 5's interval for the current a, as the paper writes it: the two-point law only.
    #[serde(rename = "eq5_interval")]
    pub eq5: Option<(f64, f64)>,
    /// The λ-intervals in (0, [`READOUT_LAMBDA_MAX`]) where μ < 0 under the law that runs.
    pub trapped_intervals: Vec<(f64, f64)>,
    /// The learning rates in (0, [`READOUT_LAMBDA_MAX`]] where μ = 0 for the current a, under
    /// the law that runs (closed form for the two-point law, numerical for the others).
    pub mu_zero_lambdas: Vec<f64>,
    /// The first local maximum of μ(λ) for λ > 0 under the law that runs, and μ there (Prop. 3
    /// for the two-point law and a < 0; found numerically for every law).
    pub lambda_star: Option<f64>,
    pub gamma_star: Option<f64>,
    /// App. B.4 with the law's own mean and variance; `None` where it is not derived: another
    /// optimizer than SGD, a 2-D landscape, or a law without variance.
    pub continuous_time: Option<ContinuousTime>,
    /// What the paper's theory says of this setting, in one sentence.
    pub verdict: String,
    /// A typed landscape's stationary points in the view box, at the run's λ (the rows above
    /// are the quadratic picture's and are empty or undefined for a typed landscape).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stationary_points: Option<Vec<PointRow>>,
}

/// A stationary point as the run JSON writes it: `w` in 1-D, `w1` and `w2` in 2-D.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PointRow {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub w: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub w1: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub w2: Option<f64>,
    #[serde(flatten)]
    pub point: StationaryPoint,
    pub verdict: &'static str,
}

/// The law of x the theory averages over for `p`: the law that runs (GD's one x = E[x]).
pub fn x_law(p: &ExperimentParams) -> XLaw {
    let mean = p.noise_mean();
    if !p.optimizer.is_stochastic() {
        return XLaw::Points(vec![(mean, 1.0)]);
    }
    match p.noise {
        NoiseLaw::TwoPoint => {
            let (lo, hi) = p.landscape.two_point_values(p.a);
            XLaw::Points(vec![(lo, 0.5), (hi, 0.5)])
        }
        NoiseLaw::Discrete { values } => XLaw::Points(values.pairs().collect()),
        NoiseLaw::Gaussian { std } => XLaw::Gaussian { mean, sd: std },
        NoiseLaw::Uniform { half_width } => XLaw::Uniform {
            lo: mean - half_width,
            hi: mean + half_width,
        },
    }
}

/// A typed landscape's stationary points in the view box at the run's λ, or `None` for a
/// built-in landscape.
pub fn typed_points(p: &ExperimentParams) -> Option<Vec<PointRow>> {
    if !p.landscape.is_custom() {
        return None;
    }
    let c = Custom::new(&p.loss).ok()?;
    let law = x_law(p);
    let points = if c.dim() == 1 {
        stationary::points_1d(
            &c,
            &law,
            (p.a, p.b, p.lambda),
            (p.histogram.lo, p.histogram.hi),
        )
    } else {
        let h = &p.histogram;
        stationary::points_2d(
            &c,
            &law,
            (p.a, p.b, p.lambda),
            ((h.lo, h.hi), (h.lo2, h.hi2)),
        )
    };
    let adaptive = p.optimizer.is_adaptive();
    Some(
        points
            .into_iter()
            .map(|mut point| {
                // Prop. 2 is SGD's (and GD's, with its one x); Adam and AMSGrad have none here.
                if adaptive {
                    point.mu = None;
                }
                point
            })
            .map(|point| PointRow {
                w: (c.dim() == 1).then_some(point.w[0]),
                w1: (c.dim() == 2).then_some(point.w[0]),
                w2: (c.dim() == 2).then_some(point.w[1]),
                verdict: point.verdict(),
                point,
            })
            .collect(),
    )
}

impl Readout {
    pub fn new(p: &ExperimentParams) -> Readout {
        if let Some(points) = typed_points(p) {
            return Readout::typed(p, points);
        }
        let (mu, s2) = theory::log_factor_moments(&p.noise, p.a, p.lambda);
        let profile = theory::mu_profile(&p.noise, p.a, READOUT_LAMBDA_MAX);
        let one_d_sgd = p.landscape.dim() == 1 && p.optimizer == Optimizer::Sgd;
        let (_, var) = theory::noise_moments(&p.noise, p.a);
        let continuous_time = (one_d_sgd && var > 0.0).then(|| {
            let critical_lambda = theory::continuous_time_critical_lambda_of(&p.noise, p.a, 1.0);
            ContinuousTime {
                critical_lambda,
                escapes: critical_lambda.is_some_and(|l| p.lambda < l),
            }
        });
        Readout {
            mu,
            s2,
            trapped: mu < 0.0,
            eq5: (p.noise == NoiseLaw::TwoPoint)
                .then(|| theory::eq5_interval(p.a))
                .flatten(),
            trapped_intervals: profile.negative,
            mu_zero_lambdas: profile.zeros,
            lambda_star: profile.first_max.map(|m| m.0),
            gamma_star: profile.first_max.map(|m| m.1),
            continuous_time,
            verdict: verdict(p, mu),
            stationary_points: None,
        }
    }
}

impl Readout {
    /// A typed landscape's readout: its stationary points, the quadratic picture's rows empty
    /// (μ and s² undefined) — they are not this landscape's theory.
    fn typed(p: &ExperimentParams, points: Vec<PointRow>) -> Readout {
        let attracting: Vec<String> = points
            .iter()
            .filter(|r| r.point.attracts())
            .map(|r| {
                let at = if p.landscape.dim() == 1 {
                    format!("w = {}", theory_num(r.point.w[0]))
                } else {
                    format!(
                        "({}, {})",
                        theory_num(r.point.w[0]),
                        theory_num(r.point.w[1])
                    )
                };
                format!("the {} at {at}", r.point.kind.label())
            })
            .collect();
        let verdict = if points.is_empty() {
            "no stationary point of L in the view".to_string()
        } else if attracting.is_empty() {
            "no stationary point in the view attracts SGD at this λ".to_string()
        } else {
            format!("SGD is attracted at this λ to {}", attracting.join(" and "))
        };
        Readout {
            mu: f64::NAN,
            s2: f64::NAN,
            trapped: false,
            eq5: None,
            trapped_intervals: Vec::new(),
            mu_zero_lambdas: Vec::new(),
            lambda_star: None,
            gamma_star: None,
            continuous_time: None,
            verdict,
            stationary_points: Some(points),
        }
    }
}

fn theory_num(v: f64) -> String {
    crate::figure::fmt_num(v, 4)
}

/// The paper's verdict on experiment `p` whose SGD log-growth is `mu`, in words that read true
/// at every λ and a.
pub fn verdict(p: &ExperimentParams, mu: f64) -> String {
    match p.landscape {
        Landscape::Custom | Landscape::Custom2d => {
            return "a typed landscape: see its stationary points".into();
        }
        Landscape::SharpMinima => {
            return if theory::prop4_condition(p.lambda) {
                "Prop. 4 holds: w1 → 0, only the sharp minima can be reached".into()
            } else {
                "Prop. 4 does not hold at this λ: no verdict".into()
            };
        }
        Landscape::ToyNetwork => return "no closed-form verdict (Fig. 3 is read from runs)".into(),
        Landscape::Quadratic | Landscape::Quartic => {}
    }
    let near = if p.landscape == Landscape::Quartic {
        " (near w = 0)"
    } else {
        ""
    };
    match p.optimizer {
        Optimizer::Adam => "no verdict: the paper has no theory for Adam".into(),
        Optimizer::Gd => {
            // GD: w_t = (1 − λa/2)^t w_0 near 0.
            let f = (1.0 - 0.5 * p.lambda * p.a).abs();
            if f < 1.0 {
                format!("GD: w → 0{near}")
            } else if f > 1.0 {
                format!("GD: |w| grows{near}, no noise to trap it")
            } else {
                format!("GD: |w| stays{near}")
            }
        }
        Optimizer::Amsgrad => {
            "Prop. 5: a walker is trapped iff its λ/√v̂ settles inside Eq. 5's window".into()
        }
        Optimizer::Sgd if p.sigma_add > 0.0 => {
            "with injected noise (σ_add > 0) the walkers keep a finite width (App. B)".into()
        }
        Optimizer::Sgd if mu < 0.0 && p.a < 0.0 => format!("trapped: w → 0, the maximum{near}"),
        Optimizer::Sgd if mu < 0.0 => format!("w → 0{near}"),
        Optimizer::Sgd => format!("escaping: |w| grows{near}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readout_at_singular_points_is_finite_or_infinite_never_nan() {
        for (a, l) in [
            (-1.0, 1.0),
            (-1.0, 2.0),
            (1.0, 0.5),
            (0.0, 0.8),
            (-1.0, 0.0),
            (1.0, 2.0),
        ] {
            let p = ExperimentParams {
                a,
                lambda: l,
                ..ExperimentParams::default()
            };
            let r = Readout::new(&p);
            assert!(!r.mu.is_nan() && !r.s2.is_nan(), "a={a} λ={l}: {r:?}");
            assert!(r.mu_zero_lambdas.iter().all(|x| x.is_finite()));
        }
        let r = Readout::new(&ExperimentParams {
            a: -1.0,
            lambda: 1.0,
            ..ExperimentParams::default()
        });
        assert_eq!(r.mu, f64::NEG_INFINITY);
        assert!(r.trapped);
    }

    #[test]
    fn curves_start_at_the_initial_law() {
        let p = ExperimentParams::default();
        let c = fraction_curves(&p, 200).unwrap();
        assert_eq!(c.steps[0], 0);
        assert!((c.exact[0][0] - 0.1).abs() < 1e-12); // P(|w0| < 0.1) for U[−1, 1]
        assert_eq!(*c.steps.last().unwrap(), p.steps);
        assert!(
            fraction_curves(
                &ExperimentParams {
                    sigma_add: 0.1,
                    ..p
                },
                200
            )
            .is_none()
        );
    }
}
