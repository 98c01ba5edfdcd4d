//! Legends in the SVG: a box in a plot's corner or beside it, rows above a plot or in the
//! figure's band under the plots, and the entries they hold.

use std::fmt::Write as _;

use super::*;

/// Legend entries drawn off the plot, on the page: their samples in colours that read there.
pub(super) fn for_page(entries: Vec<LegendEntry>) -> Vec<LegendEntry> {
    entries
        .into_iter()
        .map(|e| LegendEntry {
            color: palette::on(e.color, palette::PAGE),
            ..e
        })
        .collect()
}

/// A legend box's width for its longest label.
pub(super) fn legend_box_width(entries: &[LegendEntry]) -> f64 {
    let longest = entries
        .iter()
        .map(|e| e.label.chars().count())
        .max()
        .unwrap_or(0);
    46.0 + 12.0 * EM_ADVANCE * longest as f64
}

pub(super) fn legend_svg(
    s: &mut String,
    entries: &[LegendEntry],
    corner: Corner,
    plot: (f64, f64, f64, f64),
    italic: bool,
) {
    if entries.is_empty() {
        return;
    }
    let (px0, py0, px1, py1) = plot;
    let lw = legend_box_width(entries);
    let lh = 8.0 + 17.0 * entries.len() as f64;
    let lx = match corner {
        Corner::LeftTop | Corner::LeftBottom => px0 + 8.0,
        Corner::RightTop | Corner::RightBottom => px1 - lw - 8.0,
    };
    let ly = match corner {
        Corner::LeftTop | Corner::RightTop => py0 + 8.0,
        Corner::LeftBottom | Corner::RightBottom => py1 - lh - 8.0,
    };
    let _ = writeln!(
        s,
        r##"<g class="legend"><rect x="{lx:.2}" y="{ly:.2}" width="{lw:.2}" height="{lh:.2}" fill="white" fill-opacity="0.88" stroke="#999999" stroke-width="0.6"/>"##
    );
    // A legend in a bottom corner grows upward from it, its first entry lowest (as the
    // window's legend does).
    let bottom = matches!(corner, Corner::LeftBottom | Corner::RightBottom);
    let ordered: Vec<&LegendEntry> = if bottom {
        entries.iter().rev().collect()
    } else {
        entries.iter().collect()
    };
    for (i, e) in ordered.into_iter().enumerate() {
        legend_entry_svg(s, e, lx, ly + 13.0 + 17.0 * i as f64, italic);
    }
    s.push_str("</g>\n");
}

/// One legend entry: its swatch from `lx` + 8 and its label from `lx` + 40, centred on `cy`.
fn legend_entry_svg(s: &mut String, e: &LegendEntry, lx: f64, cy: f64, italic: bool) {
    let opaque = [e.color[0], e.color[1], e.color[2], e.color[3].max(140)];
    match e.swatch {
        Swatch::Line { width, dash } => {
            let w = width.min(4.0);
            let _ = writeln!(
                s,
                r#"<line x1="{:.2}" y1="{cy:.2}" x2="{:.2}" y2="{cy:.2}" {} stroke-width="{w}"{}/>"#,
                lx + 8.0,
                lx + 34.0,
                paint("stroke", opaque),
                dasharray(dash, w)
            );
        }
        Swatch::Point { shape, filled } => {
            let style = if filled {
                paint("fill", opaque)
            } else {
                format!(
                    r#"fill="none" {} stroke-width="1.5""#,
                    paint("stroke", opaque)
                )
            };
            let _ = writeln!(s, "<g {style}>");
            marker(s, shape, lx + 21.0, cy, 4.0, opaque);
            s.push_str("</g>\n");
        }
        Swatch::Area => {
            let _ = writeln!(
                s,
                r#"<rect x="{:.2}" y="{:.2}" width="20" height="10" {} {}/>"#,
                lx + 11.0,
                cy - 5.0,
                paint("fill", [e.color[0], e.color[1], e.color[2], 110]),
                paint("stroke", opaque)
            );
        }
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.2}" y="{:.2}" font-size="12">{}</text>"#,
        lx + 40.0,
        cy + 4.0,
        label(&e.label, italic)
    );
}

/// Where each entry of a legend laid out in rows `width` wide goes: (x offset, row), and the
/// number of rows.
fn legend_rows(entries: &[LegendEntry], width: f64) -> (Vec<(f64, usize)>, usize) {
    let mut at = Vec::with_capacity(entries.len());
    let (mut x, mut row) = (0.0, 0);
    for e in entries {
        let w = 46.0 + 12.0 * EM_ADVANCE * e.label.chars().count() as f64;
        if x > 0.0 && x + w > width {
            (x, row) = (0.0, row + 1);
        }
        at.push((x, row));
        x += w;
    }
    (at, if entries.is_empty() { 0 } else { row + 1 })
}

/// The height of a legend in rows `width` wide.
pub(super) fn legend_strip_height(entries: &[LegendEntry], width: f64) -> f64 {
    6.0 + 17.0 * legend_rows(entries, width).1 as f64
}

/// A legend in rows across `width` from (`x`, `y`), above a plot (on the page, no box).
pub(super) fn legend_strip_svg(
    s: &mut String,
    entries: &[LegendEntry],
    x: f64,
    y: f64,
    width: f64,
    italic: bool,
) {
    let (at, _) = legend_rows(entries, width);
    s.push_str("<g class=\"legend\">\n");
    for (e, (dx, row)) in entries.iter().zip(at) {
        legend_entry_svg(s, e, x + dx - 8.0, y + 9.0 + 17.0 * row as f64, italic);
    }
    s.push_str("</g>\n");
}
