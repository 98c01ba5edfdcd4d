//! The theory readout beside the plots: μ, Eq. 5, the continuous-time line, Prop. 3, and the
//! live numbers they predict (the diverged count is always visible here).

use egui::{Color32, RichText, Ui};

use crate::model::{Landscape, NoiseLaw, Optimizer};
use crate::sim::ExperimentParams;
use crate::sim::theory::{ContinuousTime, Readout};
use crate::sim::worker::Snapshot;

pub use crate::figure::fmt_num;

pub const TRAPPED: Color32 = Color32::from_rgb(0x3b, 0x82, 0xc4);
pub const ESCAPING: Color32 = Color32::from_rgb(0xe0, 0x7b, 0x39);

/// One row: its name, then its value, wrapping onto as many lines as the panel's width needs
/// (never cut).
fn row(ui: &mut Ui, name: &str, value: impl Into<egui::WidgetText>, tip: &str) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("{name}:")).weak())
            .on_hover_text(tip);
        ui.add(egui::Label::new(value).wrap()).on_hover_text(tip);
    });
}

/// The 2-D landscapes' theory: stationary points with their Hessians, or the network's levels.
fn two_d_theory_ui(ui: &mut Ui, p: &ExperimentParams) {
    use crate::model::theory::{self, PointKind};
    ui.vertical(|ui| match p.landscape {
        Landscape::SharpMinima => {
            for s in theory::sharp_minima_points(p.a) {
                let name = match s.kind {
                    PointKind::SharpMinimum => "sharp minimum",
                    PointKind::FlatMinimum => "flat minimum",
                    PointKind::Maximum => "maximum",
                    PointKind::Saddle => "saddle",
                };
                row(
                    ui,
                    &format!("{name} ({}, {})", fmt_num(s.w[0], 3), fmt_num(s.w[1], 3)),
                    format!("L = {}, H = diag({}, {}), tr {}", fmt_num(s.loss, 3), fmt_num(s.hessian[0][0], 2), fmt_num(s.hessian[1][1], 2), fmt_num(s.trace(), 2)),
                    "Eq. 7: Hessian diagonal entries and trace (the sharpness of Def. 4). Flat minima: diag(4, 4 − 2a); sharp: diag(4 + 6a, 4 + 4a).",
                );
            }
            let ok = theory::prop4_condition(p.lambda);
            row(
                ui,
                "Prop. 4",
                RichText::new(if ok { "holds: w1 → 0, sharp minima only" } else { "does not hold at this λ" })
                    .color(if ok { TRAPPED } else { ESCAPING }),
                "With b = 1/λ − 6 and |w| ≤ 1: w1 → 0 when 16λ·max(|1−2λ|, |1−10λ|) < 1, i.e. λ < (2 − √2)/8 ≈ 0.0732.",
            );
        }
        Landscape::ToyNetwork => {
            row(ui, "minimum valley", "w2·w1² = ½, L* = 2.25", "Degenerate global minimum of L = ½(w2w1² + 1)² + ½(w2w1² − 2)².");
            row(ui, "saddle line", "w1 = 0, w2 ≥ 0, L = 2.5", "Curvature −2·w2 along w1: a saddle for w2 > 0.");
            row(ui, "Fig. 3", "λ = 0.001 → valley; λ = 0.1 → saddle", "The paper's runs at step 10⁴; divergence sets in near λ ≈ 0.108.");
        }
        _ => {}
    });
}

/// A typed landscape's theory: its stationary points in the view with their kind, whether SGD
/// can settle there, μ at λ and the verdict, coloured as the markers on the plots are.
fn typed_theory_ui(ui: &mut Ui, p: &ExperimentParams, r: &Readout) {
    let points = r.stationary_points.as_deref().unwrap_or_default();
    ui.label(
        RichText::new("Typed landscape: the paper's Prop. 2 at each stationary point w* of L = E ℓ — SGD can settle only where every sample's gradient vanishes, and is attracted there iff μ = E ln|1 − λ ℓ″(w*; x)| < 0 (2-D: the top Lyapunov exponent of I − λH).")
            .small(),
    );
    if points.is_empty() {
        let (why, tip) = if p.landscape.dim() == 2 {
            (
                "none in the map's box",
                "Roots of ∇L by Newton's method from a 24 × 24 grid of starts in the 2-D map's box.",
            )
        } else {
            (
                "none in the view",
                "Roots of L′ in the histogram's w range.",
            )
        };
        row(ui, "stationary points", why, tip);
    }
    for pt in points {
        let at = match (pt.w, pt.w1, pt.w2) {
            (Some(w), _, _) => format!("w = {}", fmt_num(w, 4)),
            (_, Some(a), Some(b)) => format!("({}, {})", fmt_num(a, 4), fmt_num(b, 4)),
            _ => String::new(),
        };
        let colour = if pt.point.attracts() {
            TRAPPED
        } else if pt.point.sgd_fixed_point {
            ESCAPING
        } else {
            ui.visuals().weak_text_color()
        };
        let mu = match (pt.point.mu, pt.point.mu_se) {
            (Some(m), Some(se)) => {
                format!(" (μ = {} ± {}, estimated)", fmt_num(m, 4), fmt_num(se, 2))
            }
            (Some(m), None) => format!(" (μ = {})", fmt_num(m, 4)),
            _ => String::new(),
        };
        let curve = if pt.point.on_curve {
            " (a curve of them)"
        } else {
            ""
        };
        row(
            ui,
            &format!("{} at {at}{curve}", pt.point.kind.label()),
            RichText::new(format!("{}{mu}", pt.verdict)).color(colour),
            "Kind: the sign of L″ (the Hessian's eigenvalues in 2-D). SGD settles only where ∇ℓ(w*; x) = 0 for every x the law draws; then μ < 0 attracts (Prop. 2 with h = ℓ″).",
        );
    }
    row(
        ui,
        "verdict",
        RichText::new(&r.verdict).strong(),
        "Which stationary points attract SGD at this λ.",
    );
}

pub fn theory_panel_ui(ui: &mut Ui, p: &ExperimentParams, r: &Readout, snap: Option<&Snapshot>) {
    ui.heading("Theory");
    if p.landscape.is_custom() {
        typed_theory_ui(ui, p, r);
        ensemble_ui(ui, r, snap);
        return;
    }
    if p.landscape.dim() == 2 {
        two_d_theory_ui(ui, p);
        ensemble_ui(ui, r, snap);
        return;
    }
    if p.landscape != Landscape::Quadratic {
        ui.label(
            RichText::new("Quadratic theory: it describes this landscape near w = 0 only; away from it the paper has no verdict.")
                .italics()
                .small(),
        );
    }
    match p.optimizer {
        Optimizer::Adam => {
            ui.label(
                RichText::new("Adam: the paper has no convergence theory for it. μ and the verdict below are SGD's at the same λ, shown for comparison only.")
                    .color(ESCAPING)
                    .small(),
            );
        }
        Optimizer::Amsgrad => {
            ui.label(
                RichText::new("AMSGrad (Prop. 5): each walker's v̂ settles at some c, after which it is SGD with the rate λ/√c. The verdict below is SGD's at λ itself; the Ensemble section shows the walkers' λ/√v̂ against Eq. 5's window.")
                    .small(),
            );
        }
        Optimizer::Gd => {
            ui.label(
                RichText::new("GD takes no noise: w_t = (1 − λa/2)^t w_0, so on a maximum (a < 0) it escapes for every λ > 0. μ below is SGD's, for comparison.")
                    .small(),
            );
        }
        Optimizer::Sgd => {}
    }
    if p.sigma_add > 0.0 {
        ui.label(
            RichText::new("Without the injected noise: with σ_add > 0 the walkers keep a finite width instead (App. B).")
                .italics()
                .small(),
        );
    }
    let law = match p.noise {
        NoiseLaw::TwoPoint => "the two-point law",
        NoiseLaw::Gaussian { .. } => "the Gaussian law",
        NoiseLaw::Uniform { .. } => "the uniform law",
        NoiseLaw::Discrete { .. } => "the discrete law",
    };
    row(
        ui,
        "μ(a, λ)",
        RichText::new(fmt_num(r.mu, 4)).strong(),
        &format!(
            "Prop. 2: μ = E ln|1 − λx| under {law}, the mean log-growth of |w| per step. w → 0 in probability iff μ < 0."
        ),
    );
    let colour = if p.optimizer != Optimizer::Sgd || p.landscape.dim() == 2 {
        ui.visuals().text_color()
    } else if r.trapped {
        TRAPPED
    } else {
        ESCAPING
    };
    row(
        ui,
        "verdict",
        RichText::new(&r.verdict).color(colour).strong(),
        "What the paper's theory says of this setting: for SGD the sign of μ decides (Prop. 2), whatever the shape of p(x).",
    );
    row(
        ui,
        "s²",
        fmt_num(r.s2, 4),
        "Lemma 1: s² = Var ln|1 − λx|; ln|w_t/w_0| ≈ N(tμ, t s²).",
    );
    if let Some((lo, hi)) = r.eq5 {
        let text = if lo > 0.0 {
            format!("{} < λ < {}", fmt_num(lo, 4), fmt_num(hi, 4))
        } else {
            // For 0 < a ≤ 1 the lower end a/(a − 1) is not positive: every small λ is inside.
            format!(
                "0 < λ < {} (its lower end a/(a−1) = {} is not positive)",
                fmt_num(hi, 4),
                fmt_num(lo, 4)
            )
        };
        row(
            ui,
            "Eq. 5 trapped for",
            text,
            "Cor. 1: for a < 1, SGD is trapped at w = 0 exactly for a/(a−1) < λ < (a − √(a²−8a+8)) / (2(a−1)) (the two-point law's closed form).",
        );
    } else if p.noise == NoiseLaw::TwoPoint {
        row(
            ui,
            "Eq. 5",
            "not defined for a > 1",
            "Cor. 1 holds for a ≤ 1.",
        );
    }
    let intervals = if r.trapped_intervals.is_empty() {
        "nowhere in (0, 10]".to_string()
    } else {
        r.trapped_intervals
            .iter()
            .map(|(lo, hi)| format!("{} < λ < {}", fmt_num(*lo, 4), fmt_num(*hi, 4)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    row(
        ui,
        "μ < 0 for",
        intervals,
        &format!(
            "Where μ(a, λ) of {law} is negative, for this a (λ up to 10): SGD on the quadratic is trapped at w = 0 there. For the two-point law these are Eq. 5's ends; for the others they are found numerically, from the same μ the phase diagram's line is traced from."
        ),
    );
    let zeros = if r.mu_zero_lambdas.is_empty() {
        "none in (0, 10]".to_string()
    } else {
        r.mu_zero_lambdas
            .iter()
            .map(|z| fmt_num(*z, 4))
            .collect::<Vec<_>>()
            .join(", ")
    };
    row(
        ui,
        "μ = 0 at λ =",
        zeros,
        &format!(
            "The orange line of the phase diagram at this a: where μ(a, λ) of {law} changes sign."
        ),
    );
    let ct_tip = "App. B.4 with the law's mean m and variance σ²: the Fokker–Planck law P(w) ∝ |w|^(−2 − 2m/(λσ²)) escapes iff λ < −2m/σ² (the paper's λ < −a is this with σ² = 1). Compare with the discrete-time verdict above.";
    let ct = match r.continuous_time {
        Some(ContinuousTime {
            critical_lambda: Some(lc),
            escapes,
        }) => format!(
            "escapes for λ < {}; at λ = {}: {}",
            fmt_num(lc, 4),
            fmt_num(p.lambda, 4),
            if escapes { "escapes" } else { "trapped" }
        ),
        Some(ContinuousTime {
            critical_lambda: None,
            ..
        }) => "trapped at every λ (E[x] ≥ 0: no escape line)".to_string(),
        None if p.optimizer != Optimizer::Sgd => "derived for SGD only".to_string(),
        None => "not defined: the law has no variance".to_string(),
    };
    row(ui, "continuous time", ct, ct_tip);
    let star_tip = &format!(
        "The first maximum of μ(λ) of {law} for λ > 0: the fastest escape from w = 0. For the two-point law and a < 0, Prop. 3's λ* = a/(2(a−1)) and γ* = ln((2−a)/(2√(1−a))) → 0 as a → 0⁻."
    );
    match (r.lambda_star, r.gamma_star) {
        (Some(l), Some(g)) if g > 0.0 => row(
            ui,
            "λ*, γ*",
            format!("{}, {}", fmt_num(l, 4), fmt_num(g, 4)),
            star_tip,
        ),
        (Some(l), Some(g)) => row(
            ui,
            "λ*, γ*",
            format!(
                "{}, {} (< 0: trapped even at μ's maximum)",
                fmt_num(l, 4),
                fmt_num(g, 4)
            ),
            star_tip,
        ),
        _ => row(ui, "λ*, γ*", "μ has no maximum for λ in (0, 10]", star_tip),
    }
    ensemble_ui(ui, r, snap);
}

fn ensemble_ui(ui: &mut Ui, r: &Readout, snap: Option<&Snapshot>) {
    let Some(s) = snap else { return };
    ui.separator();
    ui.heading("Ensemble");
    let sum = &s.current.summary;
    ui.vertical(|ui| {
        row(ui, "step t", format!("{} / {}", sum.step, s.params.steps), "Steps taken / steps of the experiment.");
        let div = RichText::new(format!("{} of {}", sum.diverged, sum.walkers));
        let div = if sum.diverged > 0 { div.color(Color32::from_rgb(0xd0, 0x30, 0x30)).strong() } else { div };
        row(ui, "diverged (±∞/NaN)", div, "Walkers that overflowed; they are left out of every histogram, mean and quantile.");
        row(ui, "exactly at 0", format!("{}", sum.at_zero), "Walkers that underflowed to w = 0 (absorbing).");
        for (th, f) in s.params.thresholds.iter().zip(&sum.fraction_below) {
            row(ui, &format!("|w| < {}", fmt_num(*th, 1)), format!("{:.4}", f), "Fraction of all walkers below the threshold θ.");
        }
        if let Some(m) = sum.mean_log_ratio
            && sum.step > 0
            && s.params.landscape.dim() == 1
        {
            row(
                ui,
                "E ln|w_t/w_0| / t",
                format!("{}  (μ = {})", fmt_num(m / sum.step as f64, 4), fmt_num(r.mu, 4)),
                "The escape-rate estimator that equals μ at every t for the quadratic (over finite, non-zero walkers).",
            );
        }
        let w = if s.params.landscape.dim() == 2 { "|w1|" } else { "|w|" };
        if let Some(q) = sum.quantiles.iter().find(|q| q.p == 0.5) {
            row(ui, &format!("median {w}"), fmt_num(q.abs_w, 3), "Median over finite walkers.");
        }
        if let Some(q) = sum.quantiles.iter().find(|q| q.p == 0.9) {
            row(ui, &format!("90% of {w} below"), fmt_num(q.abs_w, 3), "The 0.9 quantile (heavy tails: quantiles, not a variance).");
        }
        if let Some(er) = &sum.effective_rates {
            let q = |p: f64| er.quantiles.iter().find(|x| x.0 == p).map(|x| x.1);
            if let (Some(lo), Some(med), Some(hi)) = (q(0.1), q(0.5), q(0.9)) {
                row(ui, "λ/√v̂", format!("median {}, 10–90 %: {} – {}", fmt_num(med, 4), fmt_num(lo, 4), fmt_num(hi, 4)), "Prop. 5: each walker's effective SGD rate λ/√v̂ (v̂ the running maximum of the second moment), over the walkers that have moved.");
            }
            match (er.window, er.inside) {
                (Some((lo, hi)), Some(f)) => row(
                    ui,
                    "inside Eq. 5's window",
                    format!("{:.1} % of walkers in {} < λ/√v̂ < {}", 100.0 * f, fmt_num(lo, 4), fmt_num(hi, 4)),
                    "Prop. 5: a walker whose λ/√v̂ has settled inside Eq. 5's window is trapped at w = 0 like SGD at that rate.",
                ),
                _ => row(ui, "Eq. 5's window", "none here (a > 1, or not the two-point law)", "Prop. 5's reading needs Eq. 5's window: the two-point law and a ≤ 1."),
            }
        }
    });
}
