//! Noise laws p(x) (SPEC.md §2). Every law has the landscape's mean E[x] (a/2 for the 1-D
//! landscapes), so that only the shape changes between them: Prop. 2 says only
//! μ = E ln|1 − λx| decides convergence.

use serde::{Deserialize, Serialize};

/// The distribution of the per-step sample x.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "law", rename_all = "snake_case")]
pub enum NoiseLaw {
    /// The paper's: one of two values with probability ½ each (x ∈ {1, a − 1} for Q and Q4).
    #[default]
    TwoPoint,
    /// Gaussian with the landscape's mean and standard deviation `std`.
    Gaussian { std: f64 },
    /// Uniform on [mean − half_width, mean + half_width].
    Uniform { half_width: f64 },
}

impl NoiseLaw {
    pub fn label(&self) -> &'static str {
        match self {
            NoiseLaw::TwoPoint => "Two-point (paper)",
            NoiseLaw::Gaussian { .. } => "Gaussian",
            NoiseLaw::Uniform { .. } => "Uniform",
        }
    }

    /// The law's spread parameter (std or half-width), or `None` for the two-point law.
    pub fn spread(&self) -> Option<f64> {
        match *self {
            NoiseLaw::TwoPoint => None,
            NoiseLaw::Gaussian { std } => Some(std),
            NoiseLaw::Uniform { half_width } => Some(half_width),
        }
    }
}
