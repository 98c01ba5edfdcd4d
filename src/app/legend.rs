//! Legends as the plot draws its items — each entry's dash, marker or patch beside its label,
//! a click hiding or showing the items under it — in a corner of the plot, beside a map or in
//! a strip above it; and the colours series take on the plot's background.

use egui::{Color32, Pos2, Rect, Stroke, Ui, Vec2, pos2, vec2};

use crate::figure::{Corner, Dash, LegendEntry, Panel, Rgba, Shape, Swatch, palette};

use super::plot::{color, scripted, text_scale};

/// Where a legend goes: in a corner of the plot, or beside it (a map keeps its legend off the
/// data).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LegendPlace {
    Inside(Corner),
    /// To the right of the plot's frame, level with its top.
    Beside,
    /// In a strip above the plot, drawn by the panel.
    Above,
    /// In a strip of this height above the whole row of panels, drawn by the figure (a map
    /// short of width: the strip wraps in fewer rows across the row than across the map).
    AboveRow(f32),
}

/// A legend's measures in points for the ui's text size: (width, height, row height).
pub(super) fn legend_size(
    ui: &Ui,
    entries: &[LegendEntry],
) -> (Vec<std::sync::Arc<egui::Galley>>, Vec2, f32) {
    let k = text_scale(ui);
    let galleys: Vec<_> = entries
        .iter()
        .map(|e| {
            ui.painter()
                .layout_job(scripted(ui, &e.label, None, None, Color32::TRANSPARENT))
        })
        .collect();
    let font = egui::TextStyle::Body.resolve(ui.style()).size;
    let row = galleys.iter().map(|g| g.size().y).fold(font, f32::max) + 3.0 * k;
    let pad = 6.0 * k;
    let widest = galleys.iter().map(|g| g.size().x).fold(0.0, f32::max);
    let size = vec2(
        pad + LEGEND_SWATCH * k + pad + widest + pad,
        2.0 * pad + row * entries.len() as f32,
    );
    (galleys, size, row)
}

/// Width of a legend entry's sample (line, marker or patch), in points at text scale 1.
pub(super) const LEGEND_SWATCH: f32 = 30.0;

/// The width a legend drawn beside a plot takes, gap included; 0 with no entries.
pub(super) fn legend_width(ui: &Ui, panel: &Panel) -> f32 {
    let entries = panel.legend_entries();
    if entries.is_empty() {
        0.0
    } else {
        legend_size(ui, &entries).1.x + 8.0
    }
}

/// The panel's legend as the exports draw it: each entry's line in its dash, its marker or its
/// patch, beside its label; in the corner of `frame` the figure chose, or beside it.
pub(super) fn legend_ui(
    ui: &Ui,
    panel_id: &str,
    entries: &[LegendEntry],
    place: LegendPlace,
    frame: Rect,
) {
    if entries.is_empty() {
        return;
    }
    let k = text_scale(ui);
    let (galleys, size, row) = legend_size(ui, entries);
    let pad = 6.0 * k;
    let margin = 8.0;
    let min = match place {
        LegendPlace::Beside | LegendPlace::Above | LegendPlace::AboveRow(_) => {
            pos2(frame.right() + margin, frame.top())
        }
        LegendPlace::Inside(c) => pos2(
            match c {
                Corner::LeftTop | Corner::LeftBottom => frame.left() + margin,
                Corner::RightTop | Corner::RightBottom => frame.right() - margin - size.x,
            },
            match c {
                Corner::LeftTop | Corner::RightTop => frame.top() + margin,
                Corner::LeftBottom | Corner::RightBottom => frame.bottom() - margin - size.y,
            },
        ),
    };
    let rect = Rect::from_min_size(min, size);
    let painter = ui.painter();
    let v = ui.visuals();
    painter.rect(
        rect,
        4.0,
        v.extreme_bg_color.gamma_multiply(0.9),
        v.widgets.noninteractive.bg_stroke,
        egui::StrokeKind::Inside,
    );
    // A legend in a bottom corner grows upward from it, its first entry lowest (the exports
    // do the same).
    let bottom = matches!(
        place,
        LegendPlace::Inside(Corner::LeftBottom | Corner::RightBottom)
    );
    for (i, (e, g)) in entries.iter().zip(galleys).enumerate() {
        let slot = if bottom { entries.len() - 1 - i } else { i };
        let at = pos2(rect.left() + pad, rect.top() + pad + row * slot as f32);
        legend_entry_ui(ui, panel_id, e, g, at, row);
    }
}

/// `c` as the plot draws it on this theme's plot background (see [`palette::on`]); over a
/// heat map as given.
pub(super) fn ink(ui: &Ui, panel: &Panel, c: Rgba) -> Rgba {
    if panel.heatmaps.is_empty() {
        palette::on(c, ui.visuals().extreme_bg_color.to_srgba_unmultiplied())
    } else {
        c
    }
}

/// The panel's legend entries in the colours the plot draws them in; a map's legend, which
/// sits beside or above the map on the page, in colours that read on the page.
pub(super) fn legend_entries(ui: &Ui, panel: &Panel) -> Vec<LegendEntry> {
    let page = ui.visuals().extreme_bg_color.to_srgba_unmultiplied();
    panel
        .legend_entries()
        .into_iter()
        .map(|e| LegendEntry {
            color: if panel.equal_aspect {
                palette::on(e.color, page)
            } else {
                ink(ui, panel, e.color)
            },
            ..e
        })
        .collect()
}

/// The legend labels of `panel` the user has hidden with a click (kept for the session).
pub(super) fn hidden_id(panel_id: &str) -> egui::Id {
    egui::Id::unique(("saddlescope-hidden", panel_id))
}

pub(super) fn hidden(ctx: &egui::Context, panel_id: &str) -> Vec<String> {
    ctx.data(|d| d.get_temp(hidden_id(panel_id)))
        .unwrap_or_default()
}

/// One legend entry whose line starts at `at` (swatch then label, centred on the row): drawn
/// dimmed when its items are hidden, and a checkbox to a screen reader and the pointer: a click
/// hides or shows the items under its label.
pub(super) fn legend_entry_ui(
    ui: &Ui,
    panel_id: &str,
    e: &LegendEntry,
    g: std::sync::Arc<egui::Galley>,
    at: Pos2,
    row: f32,
) {
    let k = text_scale(ui);
    let pad = 6.0 * k;
    let cy = at.y + row / 2.0;
    let (x0, x1) = (at.x, at.x + LEGEND_SWATCH * k);
    let mut off = hidden(ui.ctx(), panel_id);
    let shown = !off.contains(&e.label);
    let rect = Rect::from_min_max(
        pos2(x0 - 2.0, at.y),
        pos2(x1 + pad + g.size().x + 2.0, at.y + row),
    );
    let r = ui
        .interact(
            rect,
            egui::Id::unique(("saddlescope-legend", panel_id, &e.label)),
            egui::Sense::click(),
        )
        .on_hover_text("Click to hide or show these items.");
    r.widget_info(|| {
        egui::WidgetInfo::selected(egui::Role::CheckBox, true, shown, e.label.clone())
    });
    if r.clicked() {
        if shown {
            off.push(e.label.clone());
        } else {
            off.retain(|l| *l != e.label);
        }
        ui.ctx()
            .data_mut(|d| d.insert_temp(hidden_id(panel_id), off));
        ui.ctx().request_repaint();
    }
    let fade = |c: Color32| if shown { c } else { c.gamma_multiply(0.35) };
    let painter = ui.painter();
    if r.hovered() {
        painter.rect_filled(rect, 2.0, ui.visuals().widgets.hovered.weak_bg_fill);
    }
    let col = fade(color([
        e.color[0],
        e.color[1],
        e.color[2],
        e.color[3].max(140),
    ]));
    swatch_ui(painter, e.swatch, col, e.color, [x0, x1], cy, k);
    painter.galley(
        pos2(x1 + pad, cy - g.size().y / 2.0),
        g,
        fade(ui.visuals().text_color()),
    );
}

/// One legend sample between x0 and x1 on the line at height `cy`.
pub(super) fn swatch_ui(
    painter: &egui::Painter,
    swatch: Swatch,
    col: Color32,
    rgba: Rgba,
    [x0, x1]: [f32; 2],
    cy: f32,
    k: f32,
) {
    let (a, b) = (pos2(x0, cy), pos2(x1, cy));
    let mid = pos2((x0 + x1) / 2.0, cy);
    match swatch {
        Swatch::Line { width, dash } => {
            let w = (width as f32 * k).min(4.0 * k);
            let stroke = Stroke::new(w, col);
            match dash {
                Dash::Solid => {
                    painter.line_segment([a, b], stroke);
                }
                // The plot's own patterns (egui_plot's dense dashes and dots).
                Dash::Dashed => {
                    painter.extend(egui::Shape::dashed_line(&[a, b], stroke, 5.0 * k, 3.5 * k));
                }
                Dash::Dotted => {
                    painter.extend(egui::Shape::dotted_line(
                        &[a, b],
                        col,
                        2.5 * w.max(1.5),
                        (w / 2.0).max(0.9),
                    ));
                }
            }
        }
        Swatch::Point { shape, filled } => {
            let r = 4.0 * k;
            let stroke = Stroke::new(1.5 * k, col);
            let fill = if filled { col } else { Color32::TRANSPARENT };
            match shape {
                Shape::Circle => {
                    painter.circle(mid, r, fill, stroke);
                }
                Shape::Square => {
                    painter.rect(
                        Rect::from_center_size(mid, vec2(2.0 * r, 2.0 * r)),
                        0.0,
                        fill,
                        stroke,
                        egui::StrokeKind::Middle,
                    );
                }
                Shape::Diamond => {
                    let pts: Vec<Pos2> = [(0.0, -r), (r, 0.0), (0.0, r), (-r, 0.0)]
                        .iter()
                        .map(|(dx, dy)| mid + vec2(*dx, *dy))
                        .collect();
                    painter.add(egui::Shape::convex_polygon(pts, fill, stroke));
                }
                Shape::Cross => {
                    painter.line_segment([mid + vec2(-r, -r), mid + vec2(r, r)], stroke);
                    painter.line_segment([mid + vec2(-r, r), mid + vec2(r, -r)], stroke);
                }
            }
        }
        Swatch::Area => {
            let fill = Color32::from_rgba_unmultiplied(rgba[0], rgba[1], rgba[2], 110);
            painter.rect(
                Rect::from_center_size(mid, vec2(20.0 * k, 10.0 * k)),
                0.0,
                fill,
                Stroke::new(1.0, col),
                egui::StrokeKind::Middle,
            );
        }
    }
}

/// The entries of a legend laid out in rows across `width`: (each entry's galley and place
/// relative to the strip's top left, the strip's size, the row height).
#[allow(clippy::type_complexity)]
pub(super) fn legend_strip(
    ui: &Ui,
    entries: &[LegendEntry],
    width: f32,
) -> (Vec<(std::sync::Arc<egui::Galley>, Pos2)>, Vec2, f32) {
    let k = text_scale(ui);
    let (galleys, _, row) = legend_size(ui, entries);
    let pad = 6.0 * k;
    let mut at = pos2(pad, pad);
    let mut placed = Vec::new();
    for g in galleys {
        let w = LEGEND_SWATCH * k + pad + g.size().x + 2.0 * pad;
        if at.x > pad && at.x + w > width {
            at = pos2(pad, at.y + row);
        }
        placed.push((g, at));
        at.x += w;
    }
    (placed, vec2(width, at.y + row + pad), row)
}

/// A legend strip across the top of a panel (see [`legend_strip`]).
pub(super) fn legend_strip_ui(
    ui: &mut Ui,
    panel_id: &str,
    entries: &[LegendEntry],
    width: f32,
) -> Rect {
    let (placed, size, row) = legend_strip(ui, entries, width);
    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    for (e, (g, at)) in entries.iter().zip(placed) {
        legend_entry_ui(ui, panel_id, e, g, rect.min + at.to_vec2(), row);
    }
    rect
}
