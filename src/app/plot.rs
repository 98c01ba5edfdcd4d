//! The one adapter from a [`Figure`] to the window: every panel becomes an egui_plot, every
//! heat map, band, series, reference line and label an item of it, in the order the figure's
//! legend lists them, with the figure's own colours, widths, dashes, ranges and scales. Views
//! layer hover, click and drag on top of what this returns; they never draw data themselves.

use egui::{Color32, Rect, Ui, Vec2};
use egui_plot::{
    Bar, BarChart, FilledArea, HLine, Heatmap, Line, LineStyle, MarkerShape, Plot, PlotPoint,
    PlotPoints, PlotTransform, Points, Text, VLine,
};

use super::legend::{
    LegendPlace, hidden, legend_entries, legend_size, legend_strip, legend_strip_ui, legend_ui,
    legend_width,
};
use crate::figure::format::{Script, script_runs, tick_label};
use crate::figure::{
    Arrangement, ColorBar, Dash, Figure, Mark, Panel, RefAt, Rgba, Scale, Shape, palette,
};

mod axes;
use axes::{
    bounds, log_formatter, tick_targets, ticks, widest_tick_label, x_axis_thickness,
    x_label_if_it_fits, y_axis_thickness,
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
    /// All the panel took: the plot, its legend and its colour bar.
    pub area: Rect,
    /// Where its legend is when the figure drew it in a strip above the row (outside `area`).
    pub row_legend: Option<Rect>,
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

/// `text` laid out with its subscripts and superscripts (`w_T`, `λ_GD`, `10^−140`) smaller
/// and shifted, as the exports draw them ([`script_runs`]). `None` for the font: the body font.
pub fn scripted(
    ui: &Ui,
    text: &str,
    font: Option<egui::FontId>,
    color: Option<Color32>,
    background: Color32,
) -> egui::text::LayoutJob {
    let font = font.unwrap_or_else(|| egui::TextStyle::Body.resolve(ui.style()));
    let color = color.unwrap_or_else(|| ui.visuals().text_color());
    let mut job = egui::text::LayoutJob::default();
    for (script, t) in script_runs(text) {
        let mut f = egui::TextFormat {
            font_id: font.clone(),
            color,
            background,
            ..Default::default()
        };
        match script {
            Script::Normal => {}
            Script::Sub => {
                f.font_id.size *= 0.75;
                f.valign = egui::Align::BOTTOM;
            }
            Script::Super => {
                f.font_id.size *= 0.75;
                f.valign = egui::Align::TOP;
            }
        }
        job.append(&t, 0.0, f);
    }
    job
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
pub(super) fn text_scale(ui: &Ui) -> f32 {
    let size = |style: &egui::Style| {
        style
            .text_styles
            .get(&egui::TextStyle::Body)
            .map_or(12.5, |f| f.size)
    };
    size(ui.style()) / size(&egui::Style::default())
}

/// Draw a whole figure into the space left in `ui`: the note, then the panels in its
/// arrangement. Returns one response per panel, in order.
pub fn figure_ui(ui: &mut Ui, fig: &Figure) -> Vec<PanelResponse> {
    if !fig.note.is_empty() {
        // Body size: it says how to read the plots (at 720p on a projector too).
        ui.label(scripted(ui, &fig.note, None, None, Color32::TRANSPARENT));
    }
    let avail = ui.available_size();
    let gap = 6.0;
    let n = fig.panels.len().max(1) as f32;
    let mut places = vec![None; fig.panels.len()];
    let sizes: Vec<Vec2> = match fig.arrangement {
        Arrangement::Column => {
            let total = total_share(fig);
            fig.panels
                .iter()
                .map(|p| {
                    let f = (p.share.max(0.0) / total) as f32;
                    Vec2::new(avail.x, ((avail.y - gap * (n - 1.0)) * f).max(80.0))
                })
                .collect()
        }
        Arrangement::Row => {
            let row = row_widths(
                ui,
                fig,
                avail.x - gap * (n - 1.0),
                avail.y.max(120.0),
                avail.x,
            );
            places = row.iter().map(|(_, p)| *p).collect();
            row.into_iter()
                .map(|(w, _)| Vec2::new(w.max(120.0), avail.y.max(120.0)))
                .collect()
        }
    };
    // A map's legend above the whole row: drawn first, the panels that much shorter.
    let lifted = fig
        .panels
        .iter()
        .zip(&mut places)
        .find(|(_, p)| **p == Some(LegendPlace::Above));
    let mut sizes = sizes;
    let mut row_legend = None;
    if let Some((p, place)) = lifted {
        let entries = legend_entries(ui, p);
        let strip = legend_strip_ui(ui, &p.id, &entries, avail.x);
        *place = Some(LegendPlace::AboveRow(strip.height()));
        for s in &mut sizes {
            s.y = (s.y - strip.height()).max(80.0);
        }
        row_legend = Some((p.id.clone(), strip));
    }
    let mut out = Vec::new();
    let draw = |ui: &mut Ui, out: &mut Vec<PanelResponse>| {
        for ((p, size), place) in fig.panels.iter().zip(&sizes).zip(&places) {
            out.push(panel_ui_placed(ui, p, *size, *place));
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
    if let Some((id, strip)) = row_legend {
        for r in out.iter_mut().filter(|r| r.id == id) {
            r.row_legend = Some(strip);
        }
    }
    out
}

fn total_share(fig: &Figure) -> f64 {
    fig.panels
        .iter()
        .map(|p| p.share.max(0.0))
        .sum::<f64>()
        .max(1e-9)
}

/// The most of a row's width a map drawn to scale takes beyond its share.
const MAP_MAX_SHARE: f32 = 0.6;

/// The widths of a row of panels sharing `width` at `height`: each its share, except that a
/// map drawn to scale (equal aspect) takes only the width its box needs at that height, legend
/// beside it included (up to [`MAP_MAX_SHARE`] of the row if its share is less), and the width
/// it leaves or takes is the other panels'. A map given more
/// width than its box would otherwise stretch its axis past the data (black bands either side).
fn row_widths(
    ui: &Ui,
    fig: &Figure,
    width: f32,
    height: f32,
    strip_width: f32,
) -> Vec<(f32, Option<LegendPlace>)> {
    let total = total_share(fig);
    let mut widths: Vec<f32> = fig
        .panels
        .iter()
        .map(|p| width * (p.share.max(0.0) / total) as f32)
        .collect();
    let flexible: f64 = fig
        .panels
        .iter()
        .filter(|p| !p.equal_aspect)
        .map(|p| p.share.max(0.0))
        .sum();
    let mut places = vec![None; widths.len()];
    if flexible <= 0.0 {
        return widths.into_iter().zip(places).collect();
    }
    let mut spare = 0.0;
    for ((p, w), place) in fig
        .panels
        .iter()
        .zip(widths.iter_mut())
        .zip(places.iter_mut())
    {
        if p.equal_aspect {
            // Up to 60 % of the row where its share is less: the map is the picture.
            let size = Vec2::new(*w, height);
            let cap = w.max(MAP_MAX_SHARE * width);
            let beside = to_scale_width(ui, p, size);
            let given = if beside <= cap {
                *place = Some(LegendPlace::Beside);
                beside
            } else {
                // The legend goes in a strip above the row (see `figure_ui`): the map is that
                // much shorter.
                let bare = beside - legend_width(ui, p);
                let aspect = {
                    let ((x0, x1), (y0, y1)) = (bounds(&p.x), bounds(&p.y));
                    ((x1 - x0) / (y1 - y0)) as f32
                };
                let strip = legend_strip(ui, &p.legend_entries(), strip_width).1.y;
                let above = (bare - strip * aspect).min(cap);
                // Whichever leaves the map larger: the legend beside a map narrowed to the cap,
                // or above a map as wide as the strip leaves it tall.
                if cap - legend_width(ui, p) >= above {
                    *place = Some(LegendPlace::Beside);
                    cap
                } else {
                    *place = Some(LegendPlace::Above);
                    above
                }
            };
            spare += *w - given;
            *w = given;
        }
    }
    for (p, w) in fig.panels.iter().zip(widths.iter_mut()) {
        if !p.equal_aspect {
            *w += spare * (p.share.max(0.0) / flexible) as f32;
        }
    }
    widths.into_iter().zip(places).collect()
}

/// The width an equal-aspect panel needs to show its box whole at `size.y`: the data area as
/// wide as its height times the box's aspect, its y axis, the room right of it, its colour bar
/// and its legend.
fn to_scale_width(ui: &Ui, panel: &Panel, size: Vec2) -> f32 {
    let (x0, x1) = bounds(&panel.x);
    let (y0, y1) = bounds(&panel.y);
    // The data area's height and what the plot took beside it (axis, room) in the last pass,
    // else estimates: a pass whose plot moved is laid out again, so the first frame shown has
    // the measured ones.
    let measured: Option<[f32; 2]> = ui.ctx().data(|d| d.get_temp(frame_h_id(panel)));
    let [frame_h, beside] = measured
        .filter(|[h, _]| *h > 0.0 && *h <= size.y)
        .unwrap_or_else(|| {
            let (tx, _) = tick_targets(ui, panel, size);
            let room = 0.5 * widest_tick_label(ui, &panel.x, tx) + 2.0;
            [
                (size.y - x_axis_thickness(ui, panel)).max(1.0),
                y_axis_thickness(ui, panel, size) + room,
            ]
        });
    let frame_w = frame_h * ((x1 - x0) / (y1 - y0)) as f32;
    let bar_w = if panel.colorbar.is_some() {
        COLORBAR_W * text_scale(ui)
    } else {
        0.0
    };
    frame_w + beside + bar_w + legend_width(ui, panel) + 1.0
}

/// Draw one panel in `size` (a colour bar, if any, takes its share of the width).
pub fn panel_ui(ui: &mut Ui, panel: &Panel, size: Vec2) -> PanelResponse {
    panel_ui_placed(ui, panel, size, None)
}

/// [`panel_ui`] with a map's legend placed as its row decided (`None`: as it fits).
fn panel_ui_placed(
    ui: &mut Ui,
    panel: &Panel,
    size: Vec2,
    legend: Option<LegendPlace>,
) -> PanelResponse {
    let bar_w = if panel.colorbar.is_some() {
        COLORBAR_W * text_scale(ui)
    } else {
        0.0
    };
    // A map keeps its legend off the data: beside it where the row left it the width, else in
    // a strip above it (a map short of width has height to spare).
    let entries = legend_entries(ui, panel);
    let place = if entries.is_empty() {
        LegendPlace::Inside(panel.legend)
    } else if !panel.equal_aspect {
        crowded_legend(ui, panel, &entries, Vec2::new(size.x - bar_w, size.y))
    } else if let Some(place) = legend {
        place
    } else if size.x + 0.5 >= to_scale_width(ui, panel, size) {
        LegendPlace::Beside
    } else {
        LegendPlace::Above
    };
    let legend_w = if place == LegendPlace::Beside {
        legend_width(ui, panel)
    } else {
        0.0
    };
    let strip_h = if place == LegendPlace::Above {
        legend_strip(ui, &entries, size.x).1.y
    } else {
        0.0
    };
    // The height of a strip above the panel, its own or the row's.
    let lifted = match place {
        LegendPlace::AboveRow(h) => h,
        _ => strip_h,
    };
    let plot_size = Vec2::new((size.x - bar_w - legend_w).max(100.0), size.y - strip_h);
    let inner = ui.vertical(|ui| {
        ui.spacing_mut().item_spacing.y = 0.0;
        if place == LegendPlace::Above {
            legend_strip_ui(ui, &panel.id, &entries, size.x);
        }
        ui.horizontal_top(|ui| {
            // The parts of a panel abut: its size is theirs summed.
            ui.spacing_mut().item_spacing.x = 0.0;
            let r = plot_ui(ui, panel, plot_size, place);
            ui.add_space(legend_w);
            if let Some(bar) = &panel.colorbar {
                colorbar_ui(ui, bar, Vec2::new(bar_w, plot_size.y));
            }
            r
        })
        .inner
    });
    let mut r = inner.inner;
    r.area = inner.response.rect;
    if panel.equal_aspect {
        // What the next pass sizes the map by: its data area's height with no strip above it,
        // and what the plot took beside the data area.
        let frame = *r.transform.frame();
        ui.ctx().data_mut(|d| {
            d.insert_temp(
                frame_h_id(panel),
                [frame.height() + lifted, plot_size.x - frame.width()],
            )
        });
    }
    r
}

/// Where a plot's legend goes: in its corner, unless it would cover more than
/// [`MAX_LEGEND_COVER`] of the data area (a narrow or short panel: Fig. 5 at 800 × 600, the
/// histogram's fraction in presenter mode) — then beside the plot or in a strip above it,
/// whichever leaves the data area larger, if that is at least half of it.
fn crowded_legend(
    ui: &Ui,
    panel: &Panel,
    entries: &[crate::figure::LegendEntry],
    size: Vec2,
) -> LegendPlace {
    let fw = (size.x - y_axis_thickness(ui, panel, size)).max(1.0);
    let fh = (size.y - x_axis_thickness(ui, panel)).max(1.0);
    let legend = legend_size(ui, entries).1;
    if legend.x * legend.y <= MAX_LEGEND_COVER * fw * fh {
        return LegendPlace::Inside(panel.legend);
    }
    let beside = (fw - legend.x - 8.0).max(0.0) * fh;
    let above = fw * (fh - legend_strip(ui, entries, size.x).1.y).max(0.0);
    // Neither leaving half the area (a sliver of a panel): the corner still shows more data.
    if beside.max(above) < 0.5 * fw * fh {
        LegendPlace::Inside(panel.legend)
    } else if beside >= above {
        LegendPlace::Beside
    } else {
        LegendPlace::Above
    }
}

/// The most of a plot's data area a legend in its corner may cover.
const MAX_LEGEND_COVER: f32 = 0.12;

/// Where the height of an equal-aspect panel's data area is kept between passes.
fn frame_h_id(panel: &Panel) -> egui::Id {
    egui::Id::unique(("saddlescope-frame-height", &panel.id))
}

fn plot_ui(ui: &mut Ui, panel: &Panel, size: Vec2, legend: LegendPlace) -> PanelResponse {
    let (x0, x1) = bounds(&panel.x);
    let (y0, y1) = bounds(&panel.y);
    let id = ui.make_persistent_id(("saddlescope-plot", &panel.id));
    // A plot shown for the first time follows the figure's ranges until the user pans or zooms
    // (a double click hands it back to the figure).
    let first_frame = egui_plot::PlotMemory::load(ui.ctx(), id).is_none();
    // Room right of the plot for half its last x tick label: a label at the right end is
    // shown whole, not cut by the next panel or the window.
    let (tx, ty) = tick_targets(ui, panel, size);
    let room = 0.5 * widest_tick_label(ui, &panel.x, tx) + 2.0;
    let y_thickness = y_axis_thickness(ui, panel, size);
    let frame_w = (size.x - room - y_thickness).max(1.0);
    let mut plot = Plot::new(&panel.id)
        .id(id)
        .width((size.x - room).max(1.0))
        .height(size.y)
        // Axes as thick as their labels need from the first frame on: egui_plot otherwise sizes
        // an axis from the labels it drew in the previous frame, and a frame that is not
        // followed by another (a presenter's keyboard) keeps them on top of each other.
        .custom_x_axes(vec![
            egui_plot::AxisHints::new_x().min_thickness(x_axis_thickness(ui, panel)),
        ])
        .y_axis_min_width(y_thickness)
        .x_axis_label(scripted(
            ui,
            &panel.x.title(),
            None,
            None,
            Color32::TRANSPARENT,
        ))
        .y_axis_label(scripted(
            ui,
            &panel.y.title(),
            None,
            None,
            Color32::TRANSPARENT,
        ))
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
    // Tick labels as the exports print them, none sticking out of the plot.
    let (ctx, font) = (ui.ctx().clone(), egui::TextStyle::Body.resolve(ui.style()));
    let logx = panel.x.scale == Scale::Log10;
    plot = plot.x_axis_formatter(move |m, range| {
        let text = if logx {
            log_formatter(m, range)
        } else {
            tick_label(m.value, m.step_size)
        };
        x_label_if_it_fits(&ctx, &font, [frame_w, room], text, m.value, range)
    });
    plot = if panel.y.scale == Scale::Log10 {
        plot.y_axis_formatter(log_formatter)
    } else {
        plot.y_axis_formatter(|m, _| tick_label(m.value, m.step_size))
    };
    let logy = panel.y.scale == Scale::Log10;
    plot = plot
        .x_grid_spacer(move |g| ticks(g, tx, logx))
        .y_grid_spacer(move |g| ticks(g, ty, logy));
    let page = ui.visuals().extreme_bg_color.to_srgba_unmultiplied();
    // Lines and markers grow with the text (presenter mode enlarges both).
    let k = text_scale(ui) as f64;
    let label_jobs: Vec<egui::text::LayoutJob> = panel
        .labels
        .iter()
        .map(|l| {
            scripted(
                ui,
                &l.text,
                Some(egui::FontId::proportional((l.size * k) as f32)),
                Some(color(l.color)),
                color(palette::label_patch(l.color, page)),
            )
        })
        .collect();
    // Items whose legend entry the user clicked off.
    let off = hidden(ui.ctx(), &panel.id);
    let plot_bg = ui.visuals().extreme_bg_color.to_srgba_unmultiplied();
    let inked = |c: Rgba| {
        if panel.heatmaps.is_empty() {
            palette::on(c, plot_bg)
        } else {
            c
        }
    };
    // Fit: the plot's bounds to its data (a map keeps its aspect, which auto-bounds keeps).
    let fit = fit_due(ui.ctx(), id)
        .then(|| {
            if panel.equal_aspect {
                None
            } else {
                data_box(panel)
            }
        })
        .flatten();
    let resp = plot.show(ui, |pui| {
        if first_frame {
            pui.set_auto_bounds(true);
        }
        if let Some(b) = fit {
            pui.set_plot_bounds(b);
        }
        for h in panel.heatmaps.iter().filter(|h| !off.contains(&h.legend)) {
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
        for b in panel.bands.iter().filter(|b| !off.contains(&b.legend)) {
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
        for s in panel.series.iter().filter(|s| !off.contains(&s.legend)) {
            let inked = inked(s.color);
            let col = color(inked);
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
                    let fill = Color32::from_rgba_unmultiplied(inked[0], inked[1], inked[2], 90);
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
        for r in panel.ref_lines.iter().filter(|r| !off.contains(&r.legend)) {
            let col = color(inked(r.color));
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
        for (l, job) in panel.labels.iter().zip(&label_jobs) {
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
                    job.clone(),
                )
                .anchor(anchor)
                .allow_hover(false),
            );
        }
        pui.pointer_coordinate()
    });
    ui.add_space(room);
    // egui_plot sizes a plot's axes from the labels it measured in the previous frame: a plot
    // that is new, or whose place or axes moved, is laid out again before the frame is shown.
    relayout_if_changed(
        ui.ctx(),
        id.with("layout"),
        (resp.response.rect, *resp.transform.frame()),
        "a plot's layout changed",
    );
    let frame = *resp.transform.frame();
    match legend {
        LegendPlace::Above | LegendPlace::AboveRow(_) => {}
        // Right of the room kept for the last x tick label.
        LegendPlace::Beside => legend_ui(
            ui,
            &panel.id,
            &legend_entries(ui, panel),
            legend,
            frame.with_max_x(resp.response.rect.right() + room),
        ),
        LegendPlace::Inside(_) => {
            legend_ui(ui, &panel.id, &legend_entries(ui, panel), legend, frame)
        }
    }
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
        area: resp.response.rect,
        row_legend: None,
        id: panel.id.clone(),
        transform: resp.transform,
        pointer: resp.inner,
        response: resp.response,
    }
}

fn fit_id() -> egui::Id {
    egui::Id::unique("saddlescope-fit")
}

/// Ask every plot drawn from now on to fit its data once (the Fit command).
pub fn request_fit(ctx: &egui::Context) {
    ctx.data_mut(|d| {
        let n: u64 = d.get_temp(fit_id()).unwrap_or(0);
        d.insert_temp(fit_id(), n + 1);
    });
    ctx.request_repaint();
}

/// Whether the plot `id` has a fit to do: a Fit it has not done yet.
fn fit_due(ctx: &egui::Context, id: egui::Id) -> bool {
    let asked: u64 = ctx.data(|d| d.get_temp(fit_id())).unwrap_or(0);
    let done: u64 = ctx.data(|d| d.get_temp(id.with("fitted"))).unwrap_or(0);
    if asked != done {
        ctx.data_mut(|d| d.insert_temp(id.with("fitted"), asked));
    }
    asked != done
}

/// The box around everything a panel draws (series, bars with their widths, bands, maps), a
/// twentieth wider either side; `None` with nothing finite to draw.
fn data_box(panel: &Panel) -> Option<egui_plot::PlotBounds> {
    let mut b = egui_plot::PlotBounds::NOTHING;
    let mut add = |x: f64, y: f64| {
        if let (Some(x), Some(y)) = (panel.x.place(x), panel.y.place(y)) {
            b.extend_with(&PlotPoint::new(x, y));
        }
    };
    for s in &panel.series {
        let half = match s.mark {
            Mark::Bars { width } => width / 2.0,
            _ => 0.0,
        };
        for p in &s.points {
            add(p[0] - half, p[1]);
            add(p[0] + half, p[1]);
            if half > 0.0 {
                add(p[0], 0.0);
            }
        }
    }
    for band in &panel.bands {
        for i in 0..band.xs.len() {
            add(band.xs[i], band.lo[i]);
            add(band.xs[i], band.hi[i]);
        }
    }
    for h in &panel.heatmaps {
        let rows = h.values.len() / h.cols.max(1);
        b.extend_with(&PlotPoint::new(h.x0, h.y0));
        b.extend_with(&PlotPoint::new(
            h.x0 + h.dx * h.cols as f64,
            h.y0 + h.dy * rows as f64,
        ));
    }
    if !b.is_valid() {
        return None;
    }
    let (w, h) = (b.width().max(1e-12), b.height().max(1e-12));
    let [x0, y0] = b.min();
    let [x1, y1] = b.max();
    Some(egui_plot::PlotBounds::from_min_max(
        [x0 - 0.05 * w, y0 - 0.05 * h],
        [x1 + 0.05 * w, y1 + 0.05 * h],
    ))
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
    let galley = painter.layout_job(scripted(
        ui,
        &bar.label,
        Some(egui::FontId::proportional(font)),
        Some(text),
        Color32::TRANSPARENT,
    ));
    let at = egui::pos2(rect.right() - 2.0, strip.center().y - galley.size().x / 2.0);
    painter.add(
        egui::epaint::TextShape::new(at, galley, text).with_angle(std::f32::consts::FRAC_PI_2),
    );
}
