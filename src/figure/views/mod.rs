//! Each view's figure, built once from that view's own experiment (a worker snapshot, a sweep
//! grid, a job's output) and the view's options. The window draws what these return, and the
//! exports write it: nothing here knows which surface will show it.

pub mod escape;
pub mod histogram;
pub mod landscape;
pub mod loss;
pub mod optimizers;
pub mod phase;

pub use escape::{EscapeFocus, EscapeOptions, escape_figure};
pub use histogram::{HistogramOptions, fitted_histogram, histogram_figure};
pub use landscape::{LandscapeOptions, landscape_figure};
pub use loss::loss_figure;
pub use optimizers::{OptimizerOptions, optimizers_figure};
pub use phase::{PhaseOverlays, phase_figure};

use crate::model::{NoiseLaw, Optimizer};
use crate::sim::ExperimentParams;

use super::fmt_num;

/// "Quadratic ℓ = x w²/2, SGD, two-point noise": what runs.
pub fn experiment_label(p: &ExperimentParams) -> String {
    let landscape = match p.landscape {
        crate::model::Landscape::Custom => format!("ℓ(w; x) = {}", p.loss),
        crate::model::Landscape::Custom2d => format!("ℓ(w1, w2; x) = {}", p.loss),
        l => l.label().to_string(),
    };
    format!(
        "{landscape}, {}, {}",
        p.optimizer.label(),
        noise_label(p.noise)
    )
}

pub fn noise_label(n: NoiseLaw) -> String {
    match n {
        NoiseLaw::TwoPoint => "two-point noise".to_string(),
        NoiseLaw::Discrete { values } => format!("discrete noise x ∈ {{{}}}", values.to_text()),
        n => format!("{} noise", n.label().to_lowercase()),
    }
}

/// The settings beside the learning rate that change what runs: the adaptive optimizers'
/// β1, β2, ε and bias correction, injected noise, the projection. Empty when none applies.
pub fn extras(p: &ExperimentParams) -> String {
    let mut parts = Vec::new();
    if matches!(p.optimizer, Optimizer::Adam | Optimizer::Amsgrad) {
        parts.push(adam_label(p));
    }
    if p.sigma_add > 0.0 {
        parts.push(format!("σ_add = {}", fmt_num(p.sigma_add, 3)));
    }
    if let Some(r) = p.projection {
        parts.push(format!("projected onto [−{0}, {0}]", fmt_num(r, 2)));
    }
    parts.join(", ")
}

/// "β1 = 0.9, β2 = 0.99, ε = 0, no bias correction".
pub fn adam_label(p: &ExperimentParams) -> String {
    format!(
        "β1 = {}, β2 = {}, ε = {}, {}",
        fmt_num(p.adam.beta1, 3),
        fmt_num(p.adam.beta2, 4),
        fmt_num(p.adam.eps, 2),
        if p.adam.bias_correction {
            "bias-corrected"
        } else {
            "no bias correction"
        }
    )
}

/// Comma-separated numbers, as typed.
pub fn list(values: &[f64], digits: usize) -> String {
    values
        .iter()
        .map(|v| fmt_num(*v, digits))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A line broken into stretches: points joined by NaN (a NaN point lifts the pen).
pub fn joined(parts: impl IntoIterator<Item = Vec<[f64; 2]>>) -> Vec<[f64; 2]> {
    let mut out = Vec::new();
    for part in parts {
        if !out.is_empty() {
            out.push([f64::NAN, f64::NAN]);
        }
        out.extend(part);
    }
    out
}
