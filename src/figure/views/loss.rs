//! Fig. 3-right: the toy network's averaged loss at the end against λ, its 10–90 % band, the
//! levels 2.25 (minimum valley) and 2.5 (saddle line), and the diverged fraction.

use crate::model::theory::{TOY_NETWORK_MIN_LOSS, TOY_NETWORK_SADDLE_LOSS};
use crate::sim::loss_sweep::LossSweepOutput;

use super::super::format::count;
use super::super::palette::{self, rgb};
use super::super::{
    Arrangement, Axis, Band, Dash, Figure, Panel, RefAt, RefLine, Series, Shape, data_range,
    fmt_num,
};
use super::{experiment_label, extras};

pub const MEAN_LABEL: &str = "mean loss over finite runs";
pub const BAND_LABEL: &str = "10–90 % of runs";
pub const VALLEY_LABEL: &str = "L* = 2.25 (minimum valley)";
pub const SADDLE_LABEL: &str = "L = 2.5 (saddle line)";

const LOSS_BLUE: [u8; 4] = rgb(90, 140, 220);

pub fn loss_figure(title: &str, out: &LossSweepOutput) -> Figure {
    // Points not computed yet have a NaN diverged share.
    let done: Vec<_> = out.points.iter().filter(|p| !p.diverged.is_nan()).collect();
    let finite: Vec<_> = done.iter().filter(|p| p.mean_loss.is_finite()).collect();
    let spec = &out.loss_sweep;
    let mut top = Panel::new(
        "loss",
        0.7,
        Axis::new("λ", "", spec.lambda_min, spec.lambda_max),
        Axis::new("mean stationary loss L", "", 2.2, 2.6),
    );
    top.bands.push(Band {
        name: BAND_LABEL.into(),
        legend: BAND_LABEL.into(),
        color: [90, 140, 220, 60],
        xs: finite.iter().map(|p| p.lambda).collect(),
        lo: finite.iter().map(|p| p.loss_q10).collect(),
        hi: finite.iter().map(|p| p.loss_q90).collect(),
    });
    let pts: Vec<[f64; 2]> = finite.iter().map(|p| [p.lambda, p.mean_loss]).collect();
    top.series.push(Series::line(
        MEAN_LABEL,
        LOSS_BLUE,
        2.0,
        Dash::Solid,
        pts.clone(),
    ));
    top.series.push(
        Series::points("mean loss (points)", LOSS_BLUE, 3.0, Shape::Circle, pts).legend(MEAN_LABEL),
    );
    top.ref_lines.push(RefLine {
        legend: VALLEY_LABEL.into(),
        color: palette::VALLEY,
        width: 1.5,
        dash: Dash::Dashed,
        at: RefAt::Horizontal(TOY_NETWORK_MIN_LOSS),
    });
    top.ref_lines.push(RefLine {
        legend: SADDLE_LABEL.into(),
        color: palette::SADDLE,
        width: 1.5,
        dash: Dash::Dashed,
        at: RefAt::Horizontal(TOY_NETWORK_SADDLE_LOSS),
    });
    let (y0, y1) = data_range(
        finite
            .iter()
            .flat_map(|p| [p.loss_q10, p.loss_q90])
            .chain([2.2, 2.6]),
        (2.2, 2.6),
        false,
    );
    (top.y.min, top.y.max) = (y0, y1);
    let mut bottom = Panel::new(
        "diverged",
        0.3,
        Axis::new("λ", "", spec.lambda_min, spec.lambda_max),
        Axis::new("diverged", "", 0.0, 1.0),
    );
    bottom.series.push(Series::line(
        "diverged fraction",
        palette::DIVERGED,
        2.0,
        Dash::Solid,
        done.iter().map(|p| [p.lambda, p.diverged]).collect(),
    ));
    let p = &out.params;
    let extra = extras(p);
    Figure {
        title: title.to_owned(),
        note: String::new(),
        arrangement: Arrangement::Column,
        panels: vec![top, bottom],
        caption: format!(
            "Loss versus λ, {}{}{}: λ from {} to {} at {} ({} computed), N = {} of {} each; the loss is averaged over x and read at the end",
            experiment_label(p),
            if extra.is_empty() { "" } else { ", " },
            extra,
            fmt_num(spec.lambda_min, 4),
            fmt_num(spec.lambda_max, 4),
            count(spec.points as f64, "point"),
            done.len(),
            count(spec.walkers as f64, "run"),
            count(spec.steps as f64, "step")
        ),
    }
    .with_legends_placed()
}
