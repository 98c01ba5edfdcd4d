//! Marks drawn inside a plot: point markers, the colour bar, and a heat map as one PNG image.

use std::fmt::Write as _;

use super::super::{ColorBar, Heatmap, Rgba, Shape};
use super::text::{esc, label, paint};

pub(super) fn marker(s: &mut String, shape: Shape, x: f64, y: f64, r: f64, c: Rgba) {
    match shape {
        Shape::Circle => {
            let _ = writeln!(s, r#"<circle cx="{x:.2}" cy="{y:.2}" r="{r}"/>"#);
        }
        Shape::Square => {
            let _ = writeln!(
                s,
                r#"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}"/>"#,
                x - r,
                y - r,
                2.0 * r,
                2.0 * r
            );
        }
        Shape::Diamond => {
            let _ = writeln!(
                s,
                r#"<path d="M{x:.2},{:.2} L{:.2},{y:.2} L{x:.2},{:.2} L{:.2},{y:.2} Z"/>"#,
                y - r,
                x + r,
                y + r,
                x - r
            );
        }
        Shape::Cross => {
            let _ = writeln!(
                s,
                r#"<path d="M{:.2},{:.2} L{:.2},{:.2} M{:.2},{:.2} L{:.2},{:.2}" fill="none" {} stroke-width="2"/>"#,
                x - r,
                y - r,
                x + r,
                y + r,
                x - r,
                y + r,
                x + r,
                y - r,
                paint("stroke", c)
            );
        }
    }
}

pub(super) fn colorbar_svg(
    s: &mut String,
    bar: &ColorBar,
    bx: f64,
    py0: f64,
    py1: f64,
    italic: bool,
) {
    let bw = 14.0;
    let steps = 48;
    for i in 0..steps {
        let v = (i as f64 + 0.5) / steps as f64;
        let top = py1 - (i + 1) as f64 / steps as f64 * (py1 - py0);
        let _ = writeln!(
            s,
            r#"<rect x="{bx:.2}" y="{top:.2}" width="{bw}" height="{:.2}" {}/>"#,
            (py1 - py0) / steps as f64 + 0.3,
            paint("fill", bar.map.color(v))
        );
    }
    let _ = writeln!(
        s,
        r#"<rect x="{bx:.2}" y="{py0:.2}" width="{bw}" height="{:.2}" fill="none" stroke="black" stroke-width="0.8"/>"#,
        py1 - py0
    );
    for (v, label) in &bar.ticks {
        let ty = py1 - v * (py1 - py0);
        let _ = writeln!(
            s,
            r#"<text x="{:.2}" y="{:.2}" font-size="11">{}</text>"#,
            bx + bw + 4.0,
            ty + 4.0,
            esc(label)
        );
    }
    let _ = writeln!(
        s,
        r#"<text transform="translate({:.2} {:.2}) rotate(90)" text-anchor="middle" font-size="12">{}</text>"#,
        bx + bw + 48.0,
        (py0 + py1) / 2.0,
        label(&bar.label, italic)
    );
}

/// A heat map's cells as a PNG, one pixel per cell, its top row the map's last.
pub(super) fn heatmap_png(h: &Heatmap) -> Option<Vec<u8>> {
    use tiny_skia::{ColorU8, Pixmap};
    let mut pm = Pixmap::new(h.cols as u32, h.rows as u32)?;
    let pixels = pm.pixels_mut();
    for row in 0..h.rows {
        for col in 0..h.cols {
            let c = h.map.color(h.values[row * h.cols + col]);
            pixels[(h.rows - 1 - row) * h.cols + col] =
                ColorU8::from_rgba(c[0], c[1], c[2], c[3]).premultiply();
        }
    }
    pm.encode_png().ok()
}

/// Standard base64 (RFC 4648, padded), for a data URL.
pub(crate) fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
