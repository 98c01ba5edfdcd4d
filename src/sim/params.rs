//! The parameters of one experiment, and their validation: a value that passed
//! [`ExperimentParams::validate`] can be handed to the engine without further checks.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::expr::parse_loss;
use crate::model::{AdamConfig, Discrete, Landscape, NoiseLaw, Optimizer};

/// The most walkers one ensemble may have. At ≈ 80 bytes a walker in the worst case (two
/// coordinates with Adam state) this is ≈ 1.6 GB; the estimate is part of the error message.
pub const MAX_WALKERS: usize = 20_000_000;
/// The longest run accepted.
pub const MAX_STEPS: u64 = 1_000_000_000;
/// Beyond this learning rate every landscape here diverges in one step; refusing it keeps
/// sliders and `--set` honest.
pub const MAX_LAMBDA: f64 = 100.0;
/// Most recorded steps and thresholds in one experiment.
pub const MAX_RECORDS: usize = 64;

/// A parameter the engine refuses, with what is allowed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ParamError {
    #[error("{name} = {value} is not allowed: {allowed}")]
    OutOfRange {
        name: &'static str,
        value: String,
        allowed: String,
    },
    #[error("{walkers} walkers would need about {mib} MiB; at most {max} walkers are allowed")]
    TooManyWalkers {
        walkers: usize,
        mib: u64,
        max: usize,
    },
    #[error("unknown parameter '{0}'; known: {known}", known = KNOWN_KEYS.join(", "))]
    UnknownKey(String),
    #[error("cannot read {key} = '{value}': {expected}")]
    Parse {
        key: String,
        value: String,
        expected: &'static str,
    },
    /// A unit of work sent to a worker (the page's Web Workers) came back failed: what it said.
    #[error("{0}")]
    Worker(String),
}

/// How the walkers start.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "law", rename_all = "snake_case")]
pub enum InitLaw {
    /// Every coordinate uniform on [−r, r] (the paper's U[−1, 1]).
    Uniform { half_width: f64 },
    /// Every walker at (w1, w2).
    Point { w1: f64, w2: f64 },
    /// The toy network's: w1 ~ U[−1, 1], w2 ~ U[0, 1].
    Network,
    /// Eq. 6: a uniform disc of this radius around each flat minimum (±1/√2, 0), half the
    /// walkers on each.
    FlatMinima { radius: f64 },
}

impl Default for InitLaw {
    fn default() -> Self {
        InitLaw::Uniform { half_width: 1.0 }
    }
}

impl InitLaw {
    pub fn label(&self) -> &'static str {
        match self {
            InitLaw::Uniform { .. } => "Uniform box",
            InitLaw::Point { .. } => "Point",
            InitLaw::Network => "Network (w1~U[−1,1], w2~U[0,1])",
            InitLaw::FlatMinima { .. } => "Cloud on the flat minima",
        }
    }
}

/// Histogram layout for w (linear) and log10|w|.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HistogramSpec {
    pub bins: usize,
    pub lo: f64,
    pub hi: f64,
    pub log10_lo: f64,
    pub log10_hi: f64,
    /// 2-D landscapes: the w2 range of the density map (w1 uses lo..hi) and its cells per side.
    pub lo2: f64,
    pub hi2: f64,
    pub bins2d: usize,
}

impl Default for HistogramSpec {
    fn default() -> Self {
        HistogramSpec {
            bins: 40,
            lo: -1.0,
            hi: 1.0,
            log10_lo: -160.0,
            log10_hi: 2.0,
            lo2: -1.0,
            hi2: 1.0,
            bins2d: 60,
        }
    }
}

/// Everything that determines an experiment's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExperimentParams {
    pub landscape: Landscape,
    pub optimizer: Optimizer,
    pub noise: NoiseLaw,
    /// The paper's a: E[x] = a/2 for the 1-D landscapes; the sharp minima's depth for Eq. 6.
    pub a: f64,
    /// Eq. 6's noise scale b (unused elsewhere).
    pub b: f64,
    /// Learning rate λ.
    pub lambda: f64,
    pub adam: AdamConfig,
    /// Standard deviation of injected Gaussian gradient noise (App. B, Fig. 8); 0 = off.
    pub sigma_add: f64,
    /// Project every coordinate onto [−r, r] after each step; `None` = no projection.
    pub projection: Option<f64>,
    pub init: InitLaw,
    /// Number of independent runs N.
    pub walkers: usize,
    pub seed: u64,
    /// Steps the experiment runs in total.
    pub steps: u64,
    /// Steps at which the distribution is recorded (sorted, ≤ `steps`).
    pub record_steps: Vec<u64>,
    /// Thresholds θ for the fraction of walkers with |w| < θ; the first is the primary one.
    pub thresholds: Vec<f64>,
    pub histogram: HistogramSpec,
    /// A typed landscape's ℓ(w; x) (`landscape = custom` or `custom_2d`): w, or w1 and w2, the
    /// sample x and the sliders a and b (see `model::expr`). Unused by the built-in landscapes.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub loss: String,
}

impl Default for ExperimentParams {
    /// Fig. 1-left: quadratic, a = −1, λ = 0.8, 2000 walkers, w0 ~ U[−1, 1].
    fn default() -> Self {
        ExperimentParams {
            landscape: Landscape::Quadratic,
            optimizer: Optimizer::Sgd,
            noise: NoiseLaw::TwoPoint,
            a: -1.0,
            b: 0.0,
            lambda: 0.8,
            adam: AdamConfig::default(),
            sigma_add: 0.0,
            projection: None,
            init: InitLaw::default(),
            walkers: 2000,
            seed: 1,
            steps: 1000,
            record_steps: vec![0, 5, 10, 20, 50, 100],
            thresholds: vec![0.1, 1e-6],
            histogram: HistogramSpec::default(),
            loss: String::new(),
        }
    }
}

/// Parse a finite number for `key`, or say what was expected.
pub fn parse_number(key: &str, value: &str, expected: &'static str) -> Result<f64, ParamError> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| ParamError::Parse {
            key: key.to_string(),
            value: value.to_string(),
            expected,
        })
}

/// Parse a whole non-negative number (also written like 1e6) for `key`.
pub fn parse_whole(key: &str, value: &str, expected: &'static str) -> Result<u64, ParamError> {
    let v = value.trim();
    v.parse::<u64>()
        .ok()
        .or_else(|| {
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0 && x.fract() == 0.0 && *x < 1.8e19)
                .map(|x| x as u64)
        })
        .ok_or_else(|| ParamError::Parse {
            key: key.to_string(),
            value: value.to_string(),
            expected,
        })
}

/// Parse a comma-separated list of finite numbers for `key`.
pub fn parse_list(key: &str, value: &str, expected: &'static str) -> Result<Vec<f64>, ParamError> {
    value
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect::<Option<Vec<f64>>>()
        .ok_or_else(|| ParamError::Parse {
            key: key.to_string(),
            value: value.to_string(),
            expected,
        })
}

/// Keys accepted by [`ExperimentParams::set`] (and `--set` on the command line).
pub const KNOWN_KEYS: &[&str] = &[
    "landscape",
    "optimizer",
    "noise",
    "noise_spread",
    "noise_values",
    "a",
    "b",
    "lambda",
    "beta1",
    "beta2",
    "eps",
    "bias_correction",
    "sigma_add",
    "projection",
    "init",
    "init_value",
    "walkers",
    "seed",
    "steps",
    "record_steps",
    "thresholds",
    "bins",
    "loss",
];

/// The error for `name = value`, saying what is allowed.
pub fn out_of_range(
    name: &'static str,
    value: impl std::fmt::Display,
    allowed: &str,
) -> ParamError {
    ParamError::OutOfRange {
        name,
        value: value.to_string(),
        allowed: allowed.to_string(),
    }
}

fn finite(name: &'static str, v: f64) -> Result<(), ParamError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(out_of_range(name, v, "a finite number"))
    }
}

fn in_range(name: &'static str, v: f64, lo: f64, hi: f64, allowed: &str) -> Result<(), ParamError> {
    if v.is_finite() && v >= lo && v <= hi {
        Ok(())
    } else {
        Err(out_of_range(name, v, allowed))
    }
}

fn positive(name: &'static str, v: f64) -> Result<(), ParamError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(out_of_range(name, v, "a finite number > 0"))
    }
}

/// Parameters that passed [`ExperimentParams::validate`]. The only way to build one is
/// [`ValidParams::new`] (the pattern of rand_distr's `Normal::new(..) -> Result`), and it gives
/// no way to change a field, so the ensembles, the worker and the batch experiments that take
/// one never check again. Reads as the parameters it holds.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(try_from = "ExperimentParams")]
pub struct ValidParams(ExperimentParams);

/// As the parameters it holds (read back through [`ValidParams::new`], so bytes from elsewhere
/// are validated again).
impl Serialize for ValidParams {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl ValidParams {
    /// `params` if every field is usable, else what is wrong with the first that is not.
    pub fn new(params: ExperimentParams) -> Result<ValidParams, ParamError> {
        params.validate()?;
        Ok(ValidParams(params))
    }

    /// The parameters, to edit into new ones (which must be validated again).
    pub fn into_inner(self) -> ExperimentParams {
        self.0
    }
}

impl std::ops::Deref for ValidParams {
    type Target = ExperimentParams;

    fn deref(&self) -> &ExperimentParams {
        &self.0
    }
}

impl PartialEq<ExperimentParams> for ValidParams {
    fn eq(&self, other: &ExperimentParams) -> bool {
        self.0 == *other
    }
}

impl TryFrom<ExperimentParams> for ValidParams {
    type Error = ParamError;

    fn try_from(params: ExperimentParams) -> Result<ValidParams, ParamError> {
        ValidParams::new(params)
    }
}

impl ExperimentParams {
    /// A validated copy: see [`ValidParams`].
    pub fn valid(&self) -> Result<ValidParams, ParamError> {
        ValidParams::new(self.clone())
    }

    /// Estimated memory of one walker in bytes: each coordinate keeps w (plus m, v, v̂ for
    /// Adam/AMSGrad) and a scratch sample, and ln|w0| is kept once.
    pub fn bytes_per_walker(&self) -> u64 {
        let per_coord = if self.optimizer.is_adaptive() { 4 } else { 1 };
        let words = self.landscape.dim() * per_coord + 2 + self.landscape.dim();
        words as u64 * 8
    }

    /// E[x]: the landscape's mean (a/2 in 1-D) for the paper's laws, the values' mean for a
    /// discrete law. GD steps with this x.
    pub fn noise_mean(&self) -> f64 {
        match self.noise {
            NoiseLaw::Discrete { values } => values.mean(),
            _ => self.landscape.noise_mean(self.a),
        }
    }

    /// Estimated memory of the ensemble in bytes.
    pub fn memory_estimate(&self) -> u64 {
        (self.walkers as u64).saturating_mul(self.bytes_per_walker())
    }

    /// Check every field; `Ok` means the engine can run this without further checks.
    pub fn validate(&self) -> Result<(), ParamError> {
        finite("a", self.a)?;
        finite("b", self.b)?;
        in_range("lambda", self.lambda, 0.0, MAX_LAMBDA, "0 ≤ λ ≤ 100")?;
        in_range("beta1", self.adam.beta1, 0.0, 1.0 - 1e-12, "0 ≤ β1 < 1")?;
        in_range("beta2", self.adam.beta2, 0.0, 1.0 - 1e-12, "0 ≤ β2 < 1")?;
        in_range("eps", self.adam.eps, 0.0, 1.0, "0 ≤ ε ≤ 1")?;
        in_range("sigma_add", self.sigma_add, 0.0, 1e6, "0 ≤ σ_add ≤ 1e6")?;
        if let Some(r) = self.projection {
            positive("projection", r)?;
        }
        if let Some(s) = self.noise.spread() {
            in_range("noise_spread", s, 1e-12, 1e6, "0 < spread ≤ 1e6")?;
        }
        if self.landscape.is_custom() {
            let loss = parse_loss(&self.loss).map_err(|e| ParamError::OutOfRange {
                name: "loss",
                value: self.loss.clone(),
                allowed: format!("not an expression — {e}"),
            })?;
            if loss.dim != self.landscape.dim() {
                return Err(out_of_range(
                    "loss",
                    &self.loss,
                    if loss.dim == 2 {
                        "a 2-D expression (w1, w2) in a 1-D view: write it in w, or choose the 2-D typed landscape"
                    } else {
                        "a 1-D expression (w) in a 2-D view: write it in w1 and w2, or choose the 1-D typed landscape"
                    },
                ));
            }
        }
        match self.init {
            InitLaw::Uniform { half_width } => positive("init half_width", half_width)?,
            InitLaw::Point { w1, w2 } => {
                finite("init w1", w1)?;
                finite("init w2", w2)?;
            }
            InitLaw::Network => {}
            InitLaw::FlatMinima { radius } => {
                in_range("init radius", radius, 0.0, 10.0, "0 ≤ r ≤ 10")?
            }
        }
        if self.walkers == 0 {
            return Err(out_of_range("walkers", 0, "at least 1"));
        }
        if self.walkers > MAX_WALKERS {
            let mib = self.memory_estimate() / (1 << 20);
            return Err(ParamError::TooManyWalkers {
                walkers: self.walkers,
                mib,
                max: MAX_WALKERS,
            });
        }
        if self.steps > MAX_STEPS {
            return Err(out_of_range("steps", self.steps, "at most 10⁹"));
        }
        if self.record_steps.len() > MAX_RECORDS {
            return Err(out_of_range(
                "record_steps",
                self.record_steps.len(),
                "at most 64 entries",
            ));
        }
        if let Some(&s) = self.record_steps.iter().find(|&&s| s > self.steps) {
            return Err(out_of_range(
                "record_steps",
                s,
                "steps no later than `steps`",
            ));
        }
        if !self.record_steps.windows(2).all(|w| w[0] < w[1]) {
            return Err(out_of_range(
                "record_steps",
                format!("{:?}", self.record_steps),
                "strictly increasing steps",
            ));
        }
        if self.thresholds.is_empty() || self.thresholds.len() > MAX_RECORDS {
            return Err(out_of_range(
                "thresholds",
                self.thresholds.len(),
                "1 to 64 thresholds",
            ));
        }
        for &th in &self.thresholds {
            positive("threshold", th)?;
        }
        let h = &self.histogram;
        if h.bins == 0 || h.bins > 2000 {
            return Err(out_of_range("bins", h.bins, "1 to 2000"));
        }
        if !(h.lo.is_finite() && h.hi.is_finite() && h.lo < h.hi) {
            return Err(out_of_range(
                "histogram range",
                format!("[{}, {}]", h.lo, h.hi),
                "finite lo < hi",
            ));
        }
        if !(h.lo2.is_finite() && h.hi2.is_finite() && h.lo2 < h.hi2) {
            return Err(out_of_range(
                "w2 range",
                format!("[{}, {}]", h.lo2, h.hi2),
                "finite lo2 < hi2",
            ));
        }
        if h.bins2d == 0 || h.bins2d > 400 {
            return Err(out_of_range("bins2d", h.bins2d, "1 to 400"));
        }
        if !(h.log10_lo.is_finite() && h.log10_hi.is_finite() && h.log10_lo < h.log10_hi) {
            return Err(out_of_range(
                "log histogram range",
                format!("[{}, {}]", h.log10_lo, h.log10_hi),
                "finite lo < hi",
            ));
        }
        Ok(())
    }

    /// The primary threshold θ.
    pub fn theta(&self) -> f64 {
        self.thresholds.first().copied().unwrap_or(0.1)
    }

    /// Choose a landscape with its domain defaults, the same experiment whether it is chosen in
    /// the app or with `--set landscape=…`: Eq. 6 on the box [−1, 1]², clipped to it (the paper
    /// assumes |w| ≤ 1) with a > 0; the toy network on [−1.5, 1.5] × [−0.5, 2.5] from its own
    /// initial law, unclipped. The 1-D landscapes keep the rest as it is.
    pub fn choose_landscape(&mut self, landscape: Landscape) {
        let previous = self.landscape;
        self.landscape = landscape;
        let h = &mut self.histogram;
        match landscape {
            Landscape::SharpMinima => {
                (h.lo, h.hi, h.lo2, h.hi2) = (-1.0, 1.0, -1.0, 1.0);
                self.projection = Some(1.0);
                if self.a <= 0.0 {
                    self.a = 0.5;
                }
            }
            Landscape::ToyNetwork => {
                (h.lo, h.hi, h.lo2, h.hi2) = (-1.5, 1.5, -0.5, 2.5);
                self.init = InitLaw::Network;
                self.projection = None;
            }
            Landscape::Quadratic | Landscape::Quartic => {}
            Landscape::Custom | Landscape::Custom2d => {
                // Keep a typed loss of this dimension; else start from the landscape left (its
                // own typed form and law, so the run is the same) or the simplest one.
                let dim = landscape.dim();
                let from = if previous.dim() == dim && !previous.is_custom() {
                    previous
                } else if dim == 1 {
                    Landscape::Quadratic
                } else {
                    Landscape::ToyNetwork
                };
                // Into 2-D from 1-D: the toy network's box and initial law.
                if dim == 2 && previous.dim() != 2 {
                    self.choose_landscape(from);
                    self.landscape = landscape;
                }
                if parse_loss(&self.loss).is_ok_and(|l| l.dim == dim) {
                    return;
                }
                if let Some((text, law)) = from.typed() {
                    self.loss = text.to_string();
                    if let Some(law) = law {
                        self.noise = NoiseLaw::Discrete {
                            values: Discrete::parse(law).expect("a valid law"),
                        };
                    }
                }
            }
        }
    }

    /// Set one parameter from text, as `--set key=value` does. The result is not validated
    /// here; call [`validate`](Self::validate) after the last change.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ParamError> {
        let value = value.trim();
        let num = |expected: &'static str| parse_number(key, value, expected);
        let int = |expected: &'static str| parse_whole(key, value, expected);
        let list = |expected: &'static str| parse_list(key, value, expected);
        let bad = |expected: &'static str| ParamError::Parse {
            key: key.to_string(),
            value: value.to_string(),
            expected,
        };
        match key {
            "landscape" => self.choose_landscape(match value {
                "quadratic" => Landscape::Quadratic,
                "quartic" => Landscape::Quartic,
                "sharp_minima" => Landscape::SharpMinima,
                "toy_network" => Landscape::ToyNetwork,
                // The typed loss decides 1-D or 2-D where there is one.
                "custom" => match parse_loss(&self.loss) {
                    Ok(l) if l.dim == 2 => Landscape::Custom2d,
                    _ => Landscape::Custom,
                },
                "custom_2d" => Landscape::Custom2d,
                _ => {
                    return Err(bad(
                        "quadratic, quartic, sharp_minima, toy_network, custom or custom_2d",
                    ));
                }
            }),
            "loss" => {
                let loss = parse_loss(value).map_err(|e| ParamError::OutOfRange {
                    name: "loss",
                    value: value.to_string(),
                    allowed: format!("not an expression — {e}"),
                })?;
                self.loss = value.to_string();
                let typed = if loss.dim == 2 {
                    Landscape::Custom2d
                } else {
                    Landscape::Custom
                };
                if self.landscape != typed {
                    self.choose_landscape(typed);
                }
            }
            "optimizer" => {
                self.optimizer = match value {
                    "gd" => Optimizer::Gd,
                    "sgd" => Optimizer::Sgd,
                    "adam" => Optimizer::Adam,
                    "amsgrad" => Optimizer::Amsgrad,
                    _ => return Err(bad("gd, sgd, adam or amsgrad")),
                }
            }
            "noise" => {
                let spread = self.noise.spread().unwrap_or(1.0);
                self.noise = match value {
                    "two_point" => NoiseLaw::TwoPoint,
                    "gaussian" => NoiseLaw::Gaussian { std: spread },
                    "uniform" => NoiseLaw::Uniform { half_width: spread },
                    "discrete" => match self.noise {
                        NoiseLaw::Discrete { .. } => self.noise,
                        _ => NoiseLaw::Discrete {
                            values: Discrete::default(),
                        },
                    },
                    _ => return Err(bad("two_point, gaussian, uniform or discrete")),
                }
            }
            "noise_spread" => {
                let v = num("a number (std or half-width)")?;
                match &mut self.noise {
                    NoiseLaw::TwoPoint | NoiseLaw::Discrete { .. } => {
                        return Err(bad(
                            "a noise law with a spread (set noise=gaussian or uniform first)",
                        ));
                    }
                    NoiseLaw::Gaussian { std } => *std = v,
                    NoiseLaw::Uniform { half_width } => *half_width = v,
                }
            }
            "noise_values" => {
                let values = Discrete::parse(value).map_err(|e| ParamError::OutOfRange {
                    name: "noise_values",
                    value: value.to_string(),
                    allowed: format!(
                        "{e} (write v1,v2,… for equal weights or v1:p1,v2:p2,… with probabilities summing to 1)"
                    ),
                })?;
                self.noise = NoiseLaw::Discrete { values };
            }
            "a" => self.a = num("a number")?,
            "b" => self.b = num("a number")?,
            "lambda" => self.lambda = num("a number, 0 ≤ λ ≤ 100")?,
            "beta1" => self.adam.beta1 = num("a number in [0, 1)")?,
            "beta2" => self.adam.beta2 = num("a number in [0, 1)")?,
            "eps" => self.adam.eps = num("a number ≥ 0")?,
            "bias_correction" => {
                self.adam.bias_correction = match value {
                    "true" | "on" | "1" => true,
                    "false" | "off" | "0" => false,
                    _ => return Err(bad("true or false")),
                }
            }
            "sigma_add" => self.sigma_add = num("a number ≥ 0")?,
            "projection" => {
                self.projection = match value {
                    "off" | "none" | "false" => None,
                    _ => Some(num("a half-width > 0, or off")?),
                }
            }
            "init" => {
                self.init = match value {
                    "uniform" => InitLaw::Uniform { half_width: 1.0 },
                    "point" => InitLaw::Point { w1: 1.0, w2: 0.0 },
                    "network" => InitLaw::Network,
                    "flat_minima" => InitLaw::FlatMinima { radius: 0.1 },
                    _ => return Err(bad("uniform, point, network or flat_minima")),
                }
            }
            "init_value" => {
                let v = num("a number")?;
                match &mut self.init {
                    InitLaw::Uniform { half_width } => *half_width = v,
                    InitLaw::Point { w1, .. } => *w1 = v,
                    InitLaw::FlatMinima { radius } => *radius = v,
                    InitLaw::Network => return Err(bad("an init law with a parameter")),
                }
            }
            "walkers" => {
                self.walkers = usize::try_from(int("a whole number ≥ 1")?).unwrap_or(usize::MAX);
            }
            "seed" => self.seed = int("a whole number ≥ 0")?,
            "steps" => self.steps = int("a whole number ≥ 0")?,
            "record_steps" => {
                let v = list("comma-separated whole steps")?;
                if v.iter().any(|s| *s < 0.0 || s.fract() != 0.0) {
                    return Err(bad("comma-separated whole steps"));
                }
                self.record_steps = v.into_iter().map(|s| s as u64).collect();
            }
            "thresholds" => self.thresholds = list("comma-separated thresholds > 0")?,
            "bins" => {
                self.histogram.bins = usize::try_from(int("a whole number")?).unwrap_or(usize::MAX)
            }
            _ => return Err(ParamError::UnknownKey(key.to_string())),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_fig1_left_and_valid() {
        let p = ExperimentParams::default();
        p.validate().unwrap();
        assert_eq!((p.a, p.lambda, p.walkers), (-1.0, 0.8, 2000));
    }

    #[test]
    fn bad_values_are_refused_with_a_message() {
        let mut p = ExperimentParams::default();
        let e = p.set("lambda", "abc").unwrap_err();
        assert!(e.to_string().contains("lambda"), "{e}");
        assert!(p.set("lambda", "NaN").is_err());
        assert!(p.set("lambda", "inf").is_err());
        assert!(p.set("walkers", "-5").is_err());
        assert!(
            p.set("frobnicate", "1")
                .unwrap_err()
                .to_string()
                .contains("known")
        );
        p.set("walkers", "1e12").unwrap();
        let e = p.validate().unwrap_err();
        assert!(matches!(e, ParamError::TooManyWalkers { .. }), "{e}");
        assert!(e.to_string().contains("MiB"));
        let mut p = ExperimentParams::default();
        p.set("lambda", "-0.1").unwrap();
        assert!(p.validate().is_err());
        let mut p = ExperimentParams::default();
        p.set("record_steps", "0, 5, 2000").unwrap();
        assert!(p.validate().is_err());
        let mut p = ExperimentParams::default();
        p.set("walkers", "0").unwrap();
        assert!(p.validate().is_err());
    }

    #[test]
    fn valid_params_exist_only_valid() {
        let good = ExperimentParams::default();
        let v = ValidParams::new(good.clone()).unwrap();
        assert_eq!(v, good);
        assert_eq!(v.lambda, good.lambda);
        for bad in [
            ExperimentParams {
                lambda: f64::NAN,
                ..good.clone()
            },
            ExperimentParams {
                walkers: 0,
                ..good.clone()
            },
            ExperimentParams {
                a: f64::INFINITY,
                ..good.clone()
            },
        ] {
            let e = ValidParams::new(bad.clone()).unwrap_err();
            assert_eq!(e.to_string(), bad.validate().unwrap_err().to_string());
            assert!(ValidParams::try_from(bad).is_err());
        }
    }

    #[test]
    fn set_accepts_every_known_key() {
        let samples = [
            ("landscape", "quartic"),
            ("optimizer", "amsgrad"),
            ("noise", "gaussian"),
            ("noise_spread", "1.5"),
            ("a", "-0.5"),
            ("b", "14"),
            ("lambda", "0.5"),
            ("beta1", "0.9"),
            ("beta2", "0.99"),
            ("eps", "1e-8"),
            ("bias_correction", "true"),
            ("sigma_add", "0.1"),
            ("projection", "1"),
            ("init", "point"),
            ("init_value", "0.5"),
            ("walkers", "100"),
            ("seed", "7"),
            ("steps", "500"),
            ("record_steps", "0,10,100"),
            ("thresholds", "0.1"),
            ("bins", "50"),
            ("noise_values", "1, -1"),
            ("loss", "x*w^2/2 + w^4/4"),
        ];
        let mut p = ExperimentParams::default();
        for (k, v) in samples {
            p.set(k, v).unwrap_or_else(|e| panic!("{k}={v}: {e}"));
        }
        assert_eq!(samples.len(), KNOWN_KEYS.len());
        p.validate().unwrap();
        assert_eq!(p.landscape, Landscape::Custom);
    }

    #[test]
    fn a_typed_loss_is_checked_where_it_is_set_and_where_it_is_run() {
        let mut p = ExperimentParams::default();
        let e = p.set("loss", "x*w^2/2 + foo").unwrap_err().to_string();
        assert!(
            e.contains("column 11") && e.contains("unknown name 'foo'"),
            "{e}"
        );
        assert!(
            p.set("loss", "x*(w + 1")
                .unwrap_err()
                .to_string()
                .contains("never closed")
        );
        assert!(p.set("loss", "").unwrap_err().to_string().contains("empty"));
        assert!(
            p.set("loss", "x^2")
                .unwrap_err()
                .to_string()
                .contains("no weight")
        );
        assert_eq!(
            p.landscape,
            Landscape::Quadratic,
            "a refused loss changes nothing"
        );
        // A 2-D loss chooses the 2-D typed landscape (with the toy network's box) …
        p.set("loss", "(w2*w1^2 - x)^2").unwrap();
        assert_eq!(p.landscape, Landscape::Custom2d);
        assert_eq!((p.histogram.lo2, p.histogram.hi2), (-0.5, 2.5));
        p.validate().unwrap();
        // … and a preset that puts it in a 1-D view is refused with a reason.
        p.landscape = Landscape::Custom;
        let e = p.validate().unwrap_err().to_string();
        assert!(
            e.contains("2-D expression") && e.contains("1-D view"),
            "{e}"
        );
        // Starting from a built-in takes its typed form and its law: the same experiment.
        let mut s = ExperimentParams::default();
        s.choose_landscape(Landscape::SharpMinima);
        s.set("landscape", "custom_2d").unwrap();
        assert_eq!(s.loss, Landscape::SharpMinima.typed().unwrap().0);
        assert_eq!(
            s.noise,
            NoiseLaw::Discrete {
                values: Discrete::parse("-1, 1").unwrap()
            }
        );
        assert_eq!(s.projection, Some(1.0));
    }
}
