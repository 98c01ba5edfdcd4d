//! The one adapter from a [`Figure`] to the window: every panel becomes an egui_plot, every
//! heat map, band, series, reference line and label an item of it, in the order the figure's
//! legend lists them, with the figure's own colours, widths, dashes, ranges and scales. Views
//! layer hover, click and drag on top of what this returns; they never draw data themselves.

use egui::{Color32, RichText, Ui, Vec2};
use egui_plot::{
    Bar, BarChart, ColorConflictHandling, FilledArea, GridInput, GridMark, HLine, Heatmap, Legend,
    Line, LineStyle, MarkerShape, Plot, PlotPoint, PlotPoints, PlotTransform, Points, Text, VLine,
};

use crate::figure::format::{decade_label, tick_label};
use crate::figure::{
    Arrangement, Axis, ColorBar, Corner, Dash, Figure, Mark, Panel, RefAt, Rgba, Scale, Shape,
    palette,
};

/// Width of a colour bar beside its plot, in points.
const COLORBAR_W: f32 = 112.0;

/// What a drawn panel reports back.
pub struct PanelResponse {
    /// The panel's `id`.
    pub id: String,
    pub response: egui::Response,
    pub transform: PlotTransform,
    /// The pointer in data units, if it is over the plot.
    pub pointer: Option<PlotPoint>,
}

pub fn color(c: Rgba) -> Color32 {
    Color32::from_rgba_unmultiplied(c[0], c[1], c[2], c[3])
}

fn style(dash: Dash) -> LineStyle {
    match dash {
        Dash::Solid => LineStyle::Solid,
        Dash::Dashed => LineStyle::dashed_dense(),
        Dash::Dotted => LineStyle::dotted_dense(),
    }
}

fn marker(shape: Shape) -> MarkerShape {
    match shape {
        Shape::Circle => MarkerShape::Circle,
        Shape::Diamond => MarkerShape::Diamond,
        Shape::Cross => MarkerShape::Cross,
        Shape::Square => MarkerShape::Square,
    }
}

fn corner(c: Corner) -> egui_plot::Corner {
    match c {
        Corner::LeftTop => egui_plot::Corner::LeftTop,
        Corner::RightTop => egui_plot::Corner::RightTop,
        Corner::LeftBottom => egui_plot::Corner::LeftBottom,
        Corner::RightBottom => egui_plot::Corner::RightBottom,
    }
}

/// Points placed on the panel's axes, split into stretches where a point has no place.
fn stretches(panel: &Panel, points: &[[f64; 2]]) -> Vec<Vec<[f64; 2]>> {
    let mut out = vec![Vec::new()];
    for p in points {
        match (panel.x.place(p[0]), panel.y.place(p[1])) {
            (Some(x), Some(y)) => out.last_mut().expect("one stretch").push([x, y]),
            _ => {
                if !out.last().is_some_and(|s| s.is_empty()) {
                    out.push(Vec::new());
                }
            }
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// How much larger than egui's default the body text is (presenter mode: 1.4).
fn text_scale(ui: &Ui) -> f32 {
    let size = |style: &egui::Style| {
        style
            .text_styles
            .get(&egui::TextStyle::Body)
            .map_or(12.5, |f| f.size)
    };
    size(ui.style()) / size(&egui::Style::default())
}

/// Grid marks at round numbers (1, 2 or 5 × 10^k), about `target` of them over the visible
/// range; on a log axis at whole decades.
fn ticks(g: GridInput, target: usize, log: bool) -> Vec<GridMark> {
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

fn log_formatter(mark: GridMark, _range: &std::ops::RangeInclusive<f64>) -> String {
    let v = mark.value;
    if (v - v.round()).abs() < 1e-9 {
        decade_label(v.round() as i64)
    } else {
        String::new()
    }
}

/// Draw a whole figure into the space left in `ui`: the note, then the panels in its
/// arrangement. Returns one response per panel, in order.
pub fn figure_ui(ui: &mut Ui, fig: &Figure) -> Vec<PanelResponse> {
    if !fig.note.is_empty() {
        // Body size: it says how to read the plots (at 720p on a projector too).
        ui.label(RichText::new(&fig.note));
    }
    let avail = ui.available_size();
    let total: f64 = fig
        .panels
        .iter()
        .map(|p| p.share.max(0.0))
        .sum::<f64>()
        .max(1e-9);
    let gap = 6.0;
    let n = fig.panels.len().max(1) as f32;
    let mut out = Vec::new();
    let draw = |ui: &mut Ui, out: &mut Vec<PanelResponse>| {
        for p in &fig.panels {
            let f = (p.share.max(0.0) / total) as f32;
            let size = match fig.arrangement {
                Arrangement::Column => {
                    Vec2::new(avail.x, ((avail.y - gap * (n - 1.0)) * f).max(80.0))
                }
                Arrangement::Row => Vec2::new(
                    ((avail.x - gap * (n - 1.0)) * f).max(120.0),
                    avail.y.max(120.0),
                ),
            };
            out.push(panel_ui(ui, p, size));
        }
    };
    match fig.arrangement {
        Arrangement::Column => {
            ui.vertical(|ui| {
                ui.spacing_mut().item_spacing.y = gap;
                draw(ui, &mut out);
            });
        }
        Arrangement::Row => {
            ui.horizontal_top(|ui| {
                ui.spacing_mut().item_spacing.x = gap;
                draw(ui, &mut out);
            });
        }
    }
    out
}

/// Draw one panel in `size` (a colour bar, if any, takes its share of the width).
pub fn panel_ui(ui: &mut Ui, panel: &Panel, size: Vec2) -> PanelResponse {
    let bar_w = if panel.colorbar.is_some() {
        COLORBAR_W * text_scale(ui)
    } else {
        0.0
    };
    let plot_size = Vec2::new((size.x - bar_w).max(100.0), size.y);
    let inner = ui.horizontal_top(|ui| {
        let r = plot_ui(ui, panel, plot_size);
        if let Some(bar) = &panel.colorbar {
            colorbar_ui(ui, bar, Vec2::new(bar_w, size.y));
        }
        r
    });
    inner.inner
}

fn bounds(a: &Axis) -> (f64, f64) {
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
fn text_size(ui: &Ui, text: &str) -> Vec2 {
    let font = egui::TextStyle::Body.resolve(ui.style());
    ui.painter()
        .layout_no_wrap(text.to_owned(), font, Color32::WHITE)
        .size()
}

/// Round ticks as many as a plot of `size` holds (a label every ~100 points across, ~45 up):
/// the same rule as the exports' ticks, so a projector at 720p still gets several.
fn tick_targets(size: Vec2) -> (usize, usize) {
    (
        ((size.x / 100.0) as usize).clamp(2, 10),
        ((size.y / 45.0) as usize).clamp(2, 8),
    )
}

/// The x axis's height: one line of tick labels and the title below it.
fn x_axis_thickness(ui: &Ui, panel: &Panel) -> f32 {
    let line = text_size(ui, "0").y;
    let title = if panel.x.title().is_empty() {
        0.0
    } else {
        line * (1.0 + AXIS_LABEL_GAP)
    };
    line + title + 1.0
}

/// The y axis's width: its widest tick label over the figure's range (widened by the margins
/// auto-bounds add) and its title turned on its side.
fn y_axis_thickness(ui: &Ui, panel: &Panel, size: Vec2) -> f32 {
    let (y0, y1) = bounds(&panel.y);
    let pad = 0.1 * (y1 - y0);
    let log = panel.y.scale == Scale::Log10;
    let marks = ticks(
        GridInput {
            bounds: (y0 - pad, y1 + pad),
            base_step_size: 0.0,
        },
        tick_targets(size).1,
        log,
    );
    let widest = marks
        .iter()
        .map(|m| {
            let text = if log {
                log_formatter(*m, &(y0..=y1))
            } else {
                tick_label(m.value, m.step_size)
            };
            text_size(ui, &text).x
        })
        .fold(0.0f32, f32::max);
    let line = text_size(ui, "0").y;
    let title = if panel.y.title().is_empty() {
        0.0
    } else {
        line * (1.0 + AXIS_LABEL_GAP)
    };
    // egui_plot's 4-point margins either side of a tick label.
    (widest + 8.0 + title + 2.0).max(44.0)
}

fn plot_ui(ui: &mut Ui, panel: &Panel, size: Vec2) -> PanelResponse {
    let (x0, x1) = bounds(&panel.x);
    let (y0, y1) = bounds(&panel.y);
    let id = ui.make_persistent_id(("saddlescope-plot", &panel.id));
    // A plot shown for the first time follows the figure's ranges until the user pans or zooms
    // (a double click hands it back to the figure).
    let first_frame = egui_plot::PlotMemory::load(ui.ctx(), id).is_none();
    let mut plot = Plot::new(&panel.id)
        .id(id)
        .width(size.x)
        .height(size.y)
        .legend(
            Legend::default()
                .follow_insertion_order(true)
                .color_conflict_handling(ColorConflictHandling::PickFirst)
                .position(corner(panel.legend)),
        )
        // Axes as thick as their labels need from the first frame on: egui_plot otherwise sizes
        // an axis from the labels it drew in the previous frame, and a frame that is not
        // followed by another (a presenter's keyboard) keeps them on top of each other.
        .custom_x_axes(vec![
            egui_plot::AxisHints::new_x().min_thickness(x_axis_thickness(ui, panel)),
        ])
        .y_axis_min_width(y_axis_thickness(ui, panel, size))
        .x_axis_label(panel.x.title())
        .y_axis_label(panel.y.title())
        .show_grid(panel.grid)
        .allow_scroll(false);
    plot = if panel.equal_aspect {
        // Follow the box in both directions and widen whichever axis the window's shape asks.
        plot.data_aspect(1.0)
            .include_x(x0)
            .include_x(x1)
            .include_y(y0)
            .include_y(y1)
            .set_margin_fraction(Vec2::ZERO)
            .auto_bounds(true)
    } else {
        plot.default_x_bounds(x0, x1).default_y_bounds(y0, y1)
    };
    // Tick labels as the exports print them.
    plot = if panel.x.scale == Scale::Log10 {
        plot.x_axis_formatter(log_formatter)
    } else {
        plot.x_axis_formatter(|m, _| tick_label(m.value, m.step_size))
    };
    plot = if panel.y.scale == Scale::Log10 {
        plot.y_axis_formatter(log_formatter)
    } else {
        plot.y_axis_formatter(|m, _| tick_label(m.value, m.step_size))
    };
    let (tx, ty) = tick_targets(size);
    let (logx, logy) = (panel.x.scale == Scale::Log10, panel.y.scale == Scale::Log10);
    plot = plot
        .x_grid_spacer(move |g| ticks(g, tx, logx))
        .y_grid_spacer(move |g| ticks(g, ty, logy));
    let page = ui.visuals().extreme_bg_color.to_srgba_unmultiplied();
    // Lines and markers grow with the text (presenter mode enlarges both).
    let k = text_scale(ui) as f64;
    let resp = plot.show(ui, |pui| {
        if first_frame {
            pui.set_auto_bounds(true);
        }
        for h in &panel.heatmaps {
            let map = h.map;
            pui.heatmap(
                Heatmap::new(h.values.clone(), h.cols)
                    .at(PlotPoint::new(h.x0, h.y0))
                    .tile_size(h.dx as f32, h.dy as f32)
                    .show_labels(false)
                    .custom_mapping(Box::new(move |v| color(map.color(v))))
                    .name(&h.legend),
            );
        }
        for b in &panel.bands {
            // Stretches where both edges have a place on the axes.
            let mut xs = Vec::new();
            let (mut lo, mut hi) = (Vec::new(), Vec::new());
            let mut flush = |xs: &mut Vec<f64>, lo: &mut Vec<f64>, hi: &mut Vec<f64>| {
                if xs.len() > 1 {
                    pui.add(
                        FilledArea::new(b.legend.clone(), xs, lo, hi)
                            .fill_color(color(b.color))
                            .allow_hover(false),
                    );
                }
                xs.clear();
                lo.clear();
                hi.clear();
            };
            for i in 0..b.xs.len() {
                match (
                    panel.x.place(b.xs[i]),
                    panel.y.place(b.lo[i]),
                    panel.y.place(b.hi[i]),
                ) {
                    (Some(x), Some(l), Some(h)) => {
                        xs.push(x);
                        lo.push(l);
                        hi.push(h);
                    }
                    _ => flush(&mut xs, &mut lo, &mut hi),
                }
            }
            flush(&mut xs, &mut lo, &mut hi);
        }
        for s in &panel.series {
            let col = color(s.color);
            match s.mark {
                Mark::Line { width, dash } => {
                    for pts in stretches(panel, &s.points) {
                        pui.line(
                            Line::new(s.legend.clone(), PlotPoints::new(pts))
                                .color(col)
                                .width((width * k) as f32)
                                .style(style(dash)),
                        );
                    }
                }
                Mark::Points {
                    radius,
                    shape,
                    filled,
                } => {
                    let pts: Vec<[f64; 2]> = stretches(panel, &s.points).concat();
                    pui.points(
                        Points::new(s.legend.clone(), pts)
                            .color(col)
                            .radius((radius * k) as f32)
                            .shape(marker(shape))
                            .filled(filled),
                    );
                }
                Mark::Bars { width } => {
                    let fill =
                        Color32::from_rgba_unmultiplied(s.color[0], s.color[1], s.color[2], 90);
                    let bars = s
                        .points
                        .iter()
                        .filter(|p| p[0].is_finite() && p[1].is_finite())
                        .map(|p| {
                            Bar::new(p[0], p[1])
                                .width(width)
                                .fill(fill)
                                .stroke(egui::Stroke::new(1.2, col))
                        })
                        .collect();
                    pui.bar_chart(BarChart::new(s.legend.clone(), bars).color(col));
                }
            }
        }
        for r in &panel.ref_lines {
            let col = color(r.color);
            match r.at {
                RefAt::Horizontal(v) => {
                    if let Some(y) = panel.y.place(v) {
                        pui.hline(
                            HLine::new(r.legend.clone(), y)
                                .color(col)
                                .width((r.width * k) as f32)
                                .style(style(r.dash)),
                        );
                    }
                }
                RefAt::Vertical(v) => {
                    if let Some(x) = panel.x.place(v) {
                        pui.vline(
                            VLine::new(r.legend.clone(), x)
                                .color(col)
                                .width((r.width * k) as f32)
                                .style(style(r.dash)),
                        );
                    }
                }
            }
        }
        for l in &panel.labels {
            let (Some(x), Some(y)) = (panel.x.place(l.at[0]), panel.y.place(l.at[1])) else {
                continue;
            };
            let anchor = egui::Align2([
                match l.anchor[0] {
                    -1 => egui::Align::Min,
                    1 => egui::Align::Max,
                    _ => egui::Align::Center,
                },
                match l.anchor[1] {
                    -1 => egui::Align::Max,
                    1 => egui::Align::Min,
                    _ => egui::Align::Center,
                },
            ]);
            pui.text(
                Text::new(
                    "",
                    PlotPoint::new(x, y),
                    // On the export's patch: readable over bars and maps, on either theme.
                    RichText::new(&l.text)
                        .size((l.size * k) as f32)
                        .color(color(l.color))
                        .background_color(color(palette::label_patch(l.color, page))),
                )
                .anchor(anchor)
                .allow_hover(false),
            );
        }
        pui.pointer_coordinate()
    });
    // egui_plot sizes a plot's axes from the labels it measured in the previous frame: a plot
    // that is new, or whose place or axes moved, is laid out again before the frame is shown.
    relayout_if_changed(
        ui.ctx(),
        id.with("layout"),
        (resp.response.rect, *resp.transform.frame()),
        "a plot's layout changed",
    );
    if !panel.heatmaps.is_empty() {
        // A map's white (escaped) cells would melt into a light theme's page: frame the data
        // area, as the paper figure is framed.
        let frame = *resp.transform.frame();
        ui.painter().rect_stroke(
            frame,
            0.0,
            egui::Stroke::new(1.0, ui.visuals().text_color()),
            egui::StrokeKind::Outside,
        );
    }
    PanelResponse {
        id: panel.id.clone(),
        transform: resp.transform,
        pointer: resp.inner,
        response: resp.response,
    }
}

/// Whether `now` differs from what was stored under `id` in the last pass; if so, store it and
/// ask egui to throw this pass away and lay it out again before anything is shown (a frame must
/// be right the first time: a presenter driving by keyboard may never move the mouse). Where
/// egui has no pass left, the next frame comes at once instead.
pub fn relayout_if_changed<T>(ctx: &egui::Context, id: egui::Id, now: T, why: &'static str) -> bool
where
    T: PartialEq + Clone + Send + Sync + 'static,
{
    let before: Option<T> = ctx.data(|d| d.get_temp(id));
    if before.as_ref() == Some(&now) {
        return false;
    }
    ctx.data_mut(|d| d.insert_temp(id, now));
    ctx.request_discard(why);
    if !ctx.will_discard() {
        ctx.request_repaint();
    }
    true
}

/// A colour bar: the map from 0 (bottom) to 1 (top) with its ticks and label.
pub fn colorbar_ui(ui: &mut Ui, bar: &ColorBar, size: Vec2) {
    let h = size.y.clamp(100.0, 600.0);
    // Text as large as the body text (presenter mode enlarges it).
    let font = ui
        .style()
        .text_styles
        .get(&egui::TextStyle::Small)
        .map_or(12.0, |f| f.size + 3.0);
    let (rect, _) = ui.allocate_exact_size(Vec2::new(size.x, h), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let strip = egui::Rect::from_min_size(
        rect.min + egui::vec2(8.0, 24.0),
        egui::vec2(16.0, (h - 40.0).max(40.0)),
    );
    let n = 64;
    for i in 0..n {
        let v = (i as f64 + 0.5) / n as f64;
        let y0 = strip.bottom() - strip.height() * (i as f32 + 1.0) / n as f32;
        let r = egui::Rect::from_min_max(
            egui::pos2(strip.left(), y0),
            egui::pos2(strip.right(), y0 + strip.height() / n as f32 + 0.5),
        );
        painter.rect_filled(r, 0.0, color(bar.map.color(v)));
    }
    let text = ui.visuals().text_color();
    painter.rect_stroke(
        strip,
        0.0,
        egui::Stroke::new(1.0, text),
        egui::StrokeKind::Outside,
    );
    for (v, label) in &bar.ticks {
        let y = strip.bottom() - strip.height() * *v as f32;
        painter.text(
            egui::pos2(strip.right() + 4.0, y),
            egui::Align2::LEFT_CENTER,
            label,
            egui::FontId::proportional(font),
            text,
        );
    }
    // The label runs down the right edge, as on paper.
    let galley = painter.layout_no_wrap(bar.label.clone(), egui::FontId::proportional(font), text);
    let at = egui::pos2(rect.right() - 2.0, strip.center().y - galley.size().x / 2.0);
    painter.add(
        egui::epaint::TextShape::new(at, galley, text).with_angle(std::f32::consts::FRAC_PI_2),
    );
}
