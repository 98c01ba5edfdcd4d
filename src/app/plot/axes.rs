//! A plot's axes sized before egui_plot draws them: round ticks (decades on a log axis), as
//! many as fit, the widest label, each axis's thickness, and x labels that would stick out.

use egui::{Color32, Ui, Vec2};
use egui_plot::{GridInput, GridMark};

use crate::figure::format::{decade_label, tick_label};
use crate::figure::{Axis, Panel, Scale};

/// Grid marks at round numbers (1, 2 or 5 × 10^k), about `target` of them over the visible
/// range; on a log axis at whole decades.
pub(super) fn ticks(g: GridInput, target: usize, log: bool) -> Vec<GridMark> {
    let (lo, hi) = g.bounds;
    let values = if log && hi - lo >= 1.0 {
        let every = (((hi - lo) / target.max(1) as f64).ceil()).max(1.0);
        let first = (lo / every).ceil() as i64;
        let last = (hi / every).floor() as i64;
        (first..=last).map(|k| k as f64 * every).collect::<Vec<_>>()
    } else {
        crate::figure::nice_ticks(lo, hi, target)
    };
    let step = if values.len() > 1 {
        values[1] - values[0]
    } else {
        (hi - lo).abs().max(f64::MIN_POSITIVE)
    };
    values
        .into_iter()
        .map(|value| GridMark {
            value,
            step_size: step,
        })
        .collect()
}

pub(super) fn log_formatter(mark: GridMark, _range: &std::ops::RangeInclusive<f64>) -> String {
    let v = mark.value;
    if (v - v.round()).abs() < 1e-9 {
        decade_label(v.round() as i64)
    } else {
        String::new()
    }
}

pub(super) fn bounds(a: &Axis) -> (f64, f64) {
    let (lo, hi) = a.placed_range();
    if lo.is_finite() && hi.is_finite() && hi > lo {
        (lo, hi)
    } else {
        (lo.min(0.0), lo.max(0.0) + 1.0)
    }
}

/// egui_plot's gap between tick labels and the axis title, in title heights.
const AXIS_LABEL_GAP: f32 = 0.25;

/// The size of `text` in the body font egui_plot draws tick labels and titles in.
pub(super) fn text_size(ui: &Ui, text: &str) -> Vec2 {
    let font = egui::TextStyle::Body.resolve(ui.style());
    ui.painter()
        .layout_no_wrap(text.to_owned(), font, Color32::WHITE)
        .size()
}

/// Round ticks as many as a plot of `size` holds without their labels touching: a label every
/// ~100 points across (or 2.5 × the widest label, if wider), one every ~45 up (or 2.2 lines);
/// the same rule as the exports' ticks, so a projector at 720p still gets several.
pub(super) fn tick_targets(ui: &Ui, panel: &Panel, size: Vec2) -> (usize, usize) {
    let line = text_size(ui, "0").y;
    let widest = widest_tick_label(ui, &panel.x, (size.x / 100.0) as usize);
    (
        ((size.x / (2.5 * widest).max(100.0)) as usize).clamp(2, 10),
        ((size.y / (2.2 * line).max(45.0)) as usize).clamp(2, 8),
    )
}

/// The widest tick label of `axis` over its range (widened by the margins auto-bounds add)
/// with about `target` ticks.
pub(super) fn widest_tick_label(ui: &Ui, axis: &Axis, target: usize) -> f32 {
    let (v0, v1) = bounds(axis);
    let pad = 0.1 * (v1 - v0);
    let log = axis.scale == Scale::Log10;
    ticks(
        GridInput {
            bounds: (v0 - pad, v1 + pad),
            base_step_size: 0.0,
        },
        target.clamp(2, 10),
        log,
    )
    .iter()
    .map(|m| {
        let text = if log {
            log_formatter(*m, &(v0..=v1))
        } else {
            tick_label(m.value, m.step_size)
        };
        text_size(ui, &text).x
    })
    .fold(0.0f32, f32::max)
}

/// The x axis's height: one line of tick labels and the title below it.
pub(super) fn x_axis_thickness(ui: &Ui, panel: &Panel) -> f32 {
    let line = text_size(ui, "0").y;
    let title = if panel.x.title().is_empty() {
        0.0
    } else {
        line * (1.0 + AXIS_LABEL_GAP)
    };
    line + title + 1.0
}

/// The y axis's width: its widest tick label over the figure's range and its title turned on
/// its side.
pub(super) fn y_axis_thickness(ui: &Ui, panel: &Panel, size: Vec2) -> f32 {
    let widest = widest_tick_label(ui, &panel.y, tick_targets(ui, panel, size).1);
    let line = text_size(ui, "0").y;
    let title = if panel.y.title().is_empty() {
        0.0
    } else {
        line * (1.0 + AXIS_LABEL_GAP)
    };
    // egui_plot's 4-point margins either side of a tick label.
    (widest + 8.0 + title + 2.0).max(44.0)
}

/// An x tick label, or nothing where it would stick out past the plot's left edge into the
/// y axis's labels (the "0" and "−1.0" of a corner would run together) or past its right end.
/// `frame_w` is the data area's width and `room` the space right of it, in points.
pub(super) fn x_label_if_it_fits(
    ctx: &egui::Context,
    font: &egui::FontId,
    [frame_w, room]: [f32; 2],
    text: String,
    v: f64,
    range: &std::ops::RangeInclusive<f64>,
) -> String {
    let (lo, hi) = (*range.start(), *range.end());
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) || text.is_empty() {
        return text;
    }
    let half = ctx
        .fonts_mut(|f| f.layout_no_wrap(text.clone(), font.clone(), Color32::WHITE))
        .size()
        .x
        / 2.0;
    let left = ((v - lo) / (hi - lo)) as f32 * frame_w;
    // egui_plot's 4-point gap right of a y tick label, and 3 points a glyph's side bearings
    // leave blank.
    if left + 7.0 < half || frame_w - left + room < half {
        String::new()
    } else {
        text
    }
}
