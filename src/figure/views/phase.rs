//! Fig. 1-right, 4, 9: the escape fraction over the (a, λ) plane (dark = absorbed at the
//! maximum, white = escaped, as the paper draws it), the μ = 0 line and the continuous-time line
//! over it, and the live view's (a, λ).

use crate::model::theory::continuous_time_critical_lambda_of;
use serde::{Deserialize, Serialize};

use crate::sim::sweep::SweepGrid;

use super::super::format::count;
use super::super::palette;
use super::super::{
    Arrangement, Axis, ColorBar, ColorMap, Corner, Dash, Figure, Heatmap, Panel, Series, Shape,
    fmt_num,
};
use super::{experiment_label, extras, joined};

/// Which overlays the phase diagram shows, and what its heat map is.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PhaseOverlays {
    /// The μ = 0 contour (Eq. 5), orange.
    pub mu_zero: bool,
    /// The continuous-time line λ = −a (App. B.4), red dashed.
    pub continuous: bool,
    /// Show the exact finite-T escape probability (binomial law) instead of the simulation.
    pub exact_map: bool,
}

impl Default for PhaseOverlays {
    fn default() -> Self {
        PhaseOverlays {
            mu_zero: true,
            continuous: false,
            exact_map: false,
        }
    }
}

pub const MU_ZERO_LABEL: &str = "μ = 0 (Eq. 5)";

/// What the grid's μ = 0 line is for the experiment it runs: for a typed landscape, that of the
/// stationary point picked; Eq. 5 for SGD on the quadratic with two-point noise, the same μ
/// traced for the Gaussian or uniform law, and otherwise (the quartic, Adam, AMSGrad, GD,
/// injected noise, a projection) the quadratic SGD line drawn as a comparison — the paper has
/// no phase boundary for those.
pub fn mu_zero_label(g: &SweepGrid) -> String {
    use crate::model::{Landscape, NoiseLaw, Optimizer};
    let base = &g.base;
    if base.landscape.is_custom() {
        // The picked stationary point's exponent (its μ in 1-D, its top Lyapunov exponent in
        // 2-D), followed over a.
        return if base.optimizer.is_adaptive() {
            "no μ = 0 line: Prop. 2 is SGD's and GD's".to_string()
        } else {
            match &g.mu_zero_of {
                Some(of) => format!("μ = 0 of {of}"),
                None => "no μ = 0 line: no SGD fixed point found".to_string(),
            }
        };
    }
    let law = match base.noise {
        NoiseLaw::TwoPoint => MU_ZERO_LABEL.to_string(),
        NoiseLaw::Gaussian { .. } => "μ = 0 of the Gaussian law".to_string(),
        NoiseLaw::Uniform { .. } => "μ = 0 of the uniform law".to_string(),
        NoiseLaw::Discrete { .. } => "μ = 0 of the discrete law".to_string(),
    };
    let sgd_quadratic = base.landscape == Landscape::Quadratic
        && base.optimizer == Optimizer::Sgd
        && base.sigma_add == 0.0
        && base.projection.is_none();
    if sgd_quadratic {
        law
    } else {
        format!("{law}, quadratic SGD (comparison)")
    }
}
/// The continuous-time line of the law that runs: λ_c(a) = −2m/σ² (App. B.4 with the law's
/// mean m = a/2 and variance σ²; the paper's λ = −a takes σ² = 1).
pub const CONTINUOUS_LABEL: &str = "continuous time λ = −2m/σ² (App. B.4)";
pub const LIVE_LABEL: &str = "live view (a, λ)";

/// The figure of a (possibly partial) sweep; `live` marks the live view's (a, λ).
pub fn phase_figure(
    title: &str,
    g: &SweepGrid,
    overlays: &PhaseOverlays,
    live: Option<[f64; 2]>,
) -> Figure {
    let s = &g.spec;
    let exact = overlays.exact_map && g.exact_escape.is_some();
    let values = match (&g.exact_escape, exact) {
        (Some(e), true) => e.clone(),
        _ => g.filled(&g.escape),
    };
    let map_name = if exact {
        "exact escape probability"
    } else {
        "escape fraction |w_T| > θ"
    };
    let mut p = Panel::new(
        "phase",
        1.0,
        Axis::new("a", "", s.a_min, s.a_max),
        Axis::new("λ", "", s.lambda_min, s.lambda_max),
    );
    p.grid = false;
    p.legend = Corner::RightBottom;
    p.heatmaps.push(Heatmap {
        name: map_name.into(),
        legend: String::new(),
        cols: s.a_cells,
        rows: s.lambda_cells,
        x0: s.a_min,
        y0: s.lambda_min,
        dx: (s.a_max - s.a_min) / s.a_cells as f64,
        dy: (s.lambda_max - s.lambda_min) / s.lambda_cells as f64,
        values,
        map: ColorMap::Escape,
    });
    p.colorbar = Some(ColorBar {
        label: map_name.into(),
        map: ColorMap::Escape,
        ticks: vec![
            (0.0, "0 absorbed".into()),
            (0.5, "0.5".into()),
            (1.0, "1 escaped".into()),
        ],
    });
    if overlays.mu_zero && !g.mu_zero.is_empty() {
        p.series.push(Series::line(
            &mu_zero_label(g),
            palette::MU_ZERO,
            2.5,
            Dash::Solid,
            joined(g.mu_zero.iter().cloned()),
        ));
    }
    if overlays.continuous {
        // Sampled over the map's a (defined for m = a/2 < 0 only), cut where it leaves the
        // λ range.
        let n = 200;
        let pts: Vec<[f64; 2]> = (0..=n)
            .map(|i| s.a_min + (s.a_max - s.a_min) * i as f64 / n as f64)
            .filter_map(|a| {
                let l = continuous_time_critical_lambda_of(&g.base.noise, a, 1.0)?;
                (s.lambda_min..=s.lambda_max).contains(&l).then_some([a, l])
            })
            .collect();
        if pts.len() > 1 {
            p.series.push(Series::line(
                CONTINUOUS_LABEL,
                palette::CONTINUOUS,
                2.5,
                Dash::Dashed,
                pts,
            ));
        }
    }
    if let Some(at) = live {
        // A cross on the map's edge (a = −1 is one) would be half cut off: widen that side by
        // the cross's size, so the whole mark and the edge it sits on show.
        for (axis, v) in [(&mut p.x, at[0]), (&mut p.y, at[1])] {
            let pad = 0.025 * (axis.max - axis.min);
            if v - axis.min < pad {
                axis.min = v - pad;
            }
            if axis.max - v < pad {
                axis.max = v + pad;
            }
        }
        p.series.push(
            Series::points(LIVE_LABEL, palette::LIVE_MARK, 6.0, Shape::Cross, vec![at])
                .window_marker(),
        );
    }
    Figure {
        title: title.to_owned(),
        note: String::new(),
        arrangement: Arrangement::Row,
        panels: vec![p],
        caption: phase_caption(g, overlays),
    }
    .with_legends_placed()
}

/// Names the grid, N, T, θ, the law, the overlays and how well the map follows μ = 0.
pub fn phase_caption(g: &SweepGrid, overlays: &PhaseOverlays) -> String {
    let s = &g.spec;
    let base = &g.base;
    let extra = extras(base);
    let mut shown = Vec::new();
    if overlays.mu_zero {
        shown.push(mu_zero_label(g));
    }
    if overlays.continuous {
        shown.push(CONTINUOUS_LABEL.to_string());
    }
    let (agree, of) = g.sign_agreement();
    // Escape is measured from w = 0: it says nothing of a typed landscape's point elsewhere.
    let elsewhere = base.landscape.is_custom() && !g.mu_zero_at_origin;
    let agreement = if elsewhere {
        "; escape is measured from 0, not from the point".to_string()
    } else if of > 0 {
        format!(
            "; escape > ½ exactly where μ > 0 on {agree} of {} ({}%)",
            count(of as f64, "cell"),
            fmt_num(100.0 * agree as f64 / of as f64, 1)
        )
    } else {
        String::new()
    };
    format!(
        "Phase diagram of {}{}{}: a ∈ [{}, {}] × λ ∈ [{}, {}] on {} × {}, N = {} per cell, T = {}, θ = {}{}; {}{}{}",
        experiment_label(base),
        if extra.is_empty() { "" } else { ", " },
        extra,
        fmt_num(s.a_min, 2),
        fmt_num(s.a_max, 2),
        fmt_num(s.lambda_min, 2),
        fmt_num(s.lambda_max, 2),
        s.a_cells,
        count(s.lambda_cells as f64, "cell"),
        count(s.walkers as f64, "walker"),
        count(s.steps as f64, "step"),
        fmt_num(s.threshold, 1),
        if g.is_complete() {
            String::new()
        } else {
            format!(
                " ({} of {} computed)",
                g.done,
                count(s.cells() as f64, "cell")
            )
        },
        if overlays.exact_map && g.exact_escape.is_some() {
            "colour: the exact binomial law"
        } else {
            "colour: the simulation"
        },
        if shown.is_empty() {
            String::new()
        } else {
            format!("; overlays: {}", shown.join(", "))
        },
        agreement
    )
}
