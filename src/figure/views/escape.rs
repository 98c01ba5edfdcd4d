//! Fig. 5 and 6 (Def. 3, Prop. 3): the two estimators of the escape rate γ against t for
//! several λ at one a, with μ(a, λ) beside them; and γ against λ for several a, with μ(a, λ) and
//! Prop. 3's optimum (λ*, γ*).

use serde::{Deserialize, Serialize};

use crate::sim::escape_rate::EscapeRateOutput;

use super::super::format::count;
use super::super::palette::{self, with_alpha};
use super::super::{
    Arrangement, Axis, Dash, Figure, Panel, Series, Shape, StepScale, data_range, fmt_num,
};
use super::{experiment_label, extras, joined, list};

pub const NOTE: &str = "Left (Fig. 5): solid E ln|w_t|/t (the paper's estimator), dotted E ln|w_t/w_0|/t, dashed μ(a, λ). Right (Fig. 6): points γ = E ln|w_t/w_0|/t, lines μ(a, λ), diamonds (λ*, γ*), μ's first maximum (Prop. 3 for the two-point law).";

/// Which of the two panels gets the larger share of the width: Fig. 5's preset shows its
/// estimators large, Fig. 6's its γ against λ.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscapeFocus {
    #[default]
    Even,
    RateVsStep,
    RateVsLambda,
}

impl EscapeFocus {
    pub const ALL: [EscapeFocus; 3] = [
        EscapeFocus::Even,
        EscapeFocus::RateVsStep,
        EscapeFocus::RateVsLambda,
    ];

    pub fn label(self) -> &'static str {
        match self {
            EscapeFocus::Even => "both panels even",
            EscapeFocus::RateVsStep => "Fig. 5 large",
            EscapeFocus::RateVsLambda => "Fig. 6 large",
        }
    }

    /// The shares of (γ vs t, γ vs λ).
    fn shares(self) -> (f64, f64) {
        match self {
            EscapeFocus::Even => (0.5, 0.5),
            EscapeFocus::RateVsStep => (0.68, 0.32),
            EscapeFocus::RateVsLambda => (0.32, 0.68),
        }
    }
}

/// What the view shows, as a user sets it (kept in presets).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EscapeOptions {
    pub focus: EscapeFocus,
    /// The γ-against-t panel's step axis.
    pub step_scale: StepScale,
}

pub fn escape_figure(title: &str, out: &EscapeRateOutput, opts: &EscapeOptions) -> Figure {
    let (share_step, share_lambda) = opts.focus.shares();
    let mut by_step = Panel::new(
        "rate_vs_step",
        share_step,
        Axis::new("step t", "", 0.0, 1.0),
        Axis::new(
            &format!("γ estimate (a = {})", fmt_num(out.rate_vs_step_spec.a, 2)),
            "1/step",
            -1.0,
            1.0,
        ),
    );
    let mut tmax = 1.0f64;
    for (k, c) in out.rate_vs_step.iter().enumerate() {
        let col = palette::cycle(k);
        let lam = format!("λ = {}", fmt_num(c.lambda, 3));
        let pts = |ys: &[f64]| -> Vec<[f64; 2]> {
            c.steps
                .iter()
                .zip(ys)
                .map(|(t, y)| [*t as f64, *y])
                .collect()
        };
        let t1 = c.steps.last().copied().unwrap_or(1) as f64;
        tmax = tmax.max(t1);
        by_step.series.push(
            Series::line(
                &format!("E ln|w_t|/t, {lam}"),
                col,
                2.0,
                Dash::Solid,
                pts(&c.paper_estimate),
            )
            .legend(&lam),
        );
        by_step.series.push(
            Series::line(
                &format!("E ln|w_t/w_0|/t, {lam}"),
                col,
                1.5,
                Dash::Dotted,
                pts(&c.ratio_estimate),
            )
            .legend(&lam),
        );
        if c.mu.is_finite() {
            by_step.series.push(
                Series::line(
                    &format!("μ, {lam}"),
                    with_alpha(col, 180),
                    1.0,
                    Dash::Dashed,
                    vec![[1.0, c.mu], [t1, c.mu]],
                )
                .legend(&lam),
            );
        }
    }
    let series: Vec<&Series> = by_step.series.iter().collect();
    by_step.x = opts.step_scale.axis(&series, tmax, true);
    (by_step.y.min, by_step.y.max) = data_range(
        by_step
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p[1])),
        (-1.0, 1.0),
        true,
    );

    let mut by_lambda = Panel::new(
        "rate_vs_lambda",
        share_lambda,
        Axis::new("λ", "", 0.0, 1.0),
        Axis::new(
            &format!("γ at t = {}", out.rate_vs_lambda_spec.steps),
            "1/step",
            -1.5,
            1.2,
        ),
    );
    for (k, s) in out.rate_vs_lambda.iter().enumerate() {
        let col = palette::cycle(k);
        let a = format!("a = {}", fmt_num(s.a, 2));
        // μ has a −∞ spike at λ = 1 (and λ = 1/(a − 1)): each finite stretch is drawn apart.
        let mut stretches = vec![Vec::new()];
        for (l, m) in s.theory_lambda.iter().zip(&s.theory_mu) {
            if m.is_finite() && *m > -10.0 {
                stretches.last_mut().expect("one stretch").push([*l, *m]);
            } else if !stretches.last().is_some_and(|v| v.is_empty()) {
                stretches.push(Vec::new());
            }
        }
        by_lambda.series.push(
            Series::line(
                &format!("μ(a, λ), {a}"),
                col,
                1.5,
                Dash::Solid,
                joined(stretches.into_iter().filter(|v| v.len() > 1)),
            )
            .legend(&a),
        );
        by_lambda.series.push(
            Series::points(
                &format!("γ simulated, {a}"),
                col,
                3.0,
                Shape::Circle,
                s.lambda
                    .iter()
                    .zip(&s.gamma)
                    .map(|(l, g)| [*l, *g])
                    .collect(),
            )
            .legend(&a),
        );
        if let (Some(l), Some(g)) = (s.lambda_star, s.gamma_star) {
            by_lambda.series.push(
                Series::points(
                    &format!("(λ*, γ*), {a}"),
                    col,
                    7.0,
                    Shape::Diamond,
                    vec![[l, g]],
                )
                .hollow()
                .legend(&a),
            );
        }
    }
    let (l0, l1) = data_range(
        by_lambda
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p[0])),
        (0.0, 1.0),
        false,
    );
    (by_lambda.x.min, by_lambda.x.max) = (l0, l1);
    // The μ curves plunge to −∞ near λ = 1; the simulated points and μ above −1.5 set the range.
    let (y0, y1) = data_range(
        by_lambda
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p[1]))
            .filter(|y| *y > -1.5),
        (-1.5, 1.2),
        true,
    );
    (by_lambda.y.min, by_lambda.y.max) = (y0, y1);
    Figure {
        title: title.to_owned(),
        note: NOTE.into(),
        arrangement: Arrangement::Row,
        panels: vec![by_step, by_lambda],
        caption: escape_caption(out),
    }
    .with_legends_placed()
}

/// Names both experiments' a, λ, N and t, and Prop. 3's optimum beside the simulation's best.
pub fn escape_caption(out: &EscapeRateOutput) -> String {
    let p = &out.params;
    let (f5, f6) = (&out.rate_vs_step_spec, &out.rate_vs_lambda_spec);
    let extra = extras(p);
    let mut s = format!(
        "Escape rate, {}{}{}. Fig. 5: a = {}, λ ∈ {{{}}}, N = {}, t ≤ {}. Fig. 6: a ∈ {{{}}}, {} of λ in ({}, {}), γ read at t = {}, N = {}.",
        experiment_label(p),
        if extra.is_empty() { "" } else { ", " },
        extra,
        fmt_num(f5.a, 2),
        list(&f5.lambdas, 3),
        f5.walkers,
        f5.steps,
        list(&f6.a_values, 2),
        count(f6.lambda_points as f64, "value"),
        fmt_num(f6.lambda_min, 2),
        fmt_num(f6.lambda_max, 2),
        f6.steps,
        f6.walkers
    );
    // λ*, γ* are the first maximum of μ under the law that runs: Prop. 3 for the two-point law.
    let star = if p.noise == crate::model::NoiseLaw::TwoPoint {
        "Prop. 3"
    } else {
        "μ's first maximum"
    };
    for g in &out.rate_vs_lambda {
        if let (Some(l), Some(gs)) = (g.lambda_star, g.gamma_star) {
            let best = g
                .lambda
                .iter()
                .zip(&g.gamma)
                .filter(|(l, g)| **l < 1.0 && g.is_finite())
                .map(|(_, g)| *g)
                .fold(f64::NEG_INFINITY, f64::max);
            s.push_str(&format!(
                " {star} at a = {}: λ* = {}, γ* = {} (simulation's best {}).",
                fmt_num(g.a, 2),
                fmt_num(l, 3),
                fmt_num(gs, 4),
                fmt_num(best, 4)
            ));
        }
    }
    s
}
