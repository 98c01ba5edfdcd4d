//! Text in the SVG: escaping, sub- and superscripts and italic variables as tspans, the italic
//! correction from the bundled font, paint and dash attributes, and line wrapping.

use std::fmt::Write as _;

use super::super::format::{Script, script_runs, variable_runs};
use super::super::{Dash, Rgba};
use super::EM_ADVANCE;

/// Ubuntu Light Italic, for variables set in italics (its metrics: the italic correction).
use saddlescope_render::fonts::UBUNTU_LIGHT_ITALIC;

pub(super) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A label as SVG text: escaped, its subscripts and superscripts (`w_T`, `10^−140`) as
/// shifted, smaller tspans (see [`script_runs`]).
pub(super) fn text(s: &str) -> String {
    label(s, false)
}

/// [`text`], with the variables set in italics where `italic` (see [`variable_runs`]).
pub(super) fn label(s: &str, italic: bool) -> String {
    let mut out = String::new();
    for (script, t) in script_runs(s) {
        let open = match script {
            Script::Normal => "",
            Script::Sub => r#"<tspan baseline-shift="sub" font-size="75%">"#,
            Script::Super => r#"<tspan baseline-shift="super" font-size="75%">"#,
        };
        out.push_str(open);
        if italic {
            // After a leaning letter the upright text moves right by the letter's overhang
            // (TeX's italic correction), or the γ of "γ versus" touches its space.
            let mut correction = 0.0;
            for (var, run) in variable_runs(&t) {
                if var {
                    let _ = write!(out, r#"<tspan font-style="italic">{}</tspan>"#, esc(&run));
                    correction = run.chars().last().map_or(0.0, italic_overhang);
                } else if correction > 0.0 {
                    let _ = write!(
                        out,
                        r#"<tspan dx="{correction:.3}em">{}</tspan>"#,
                        esc(&run)
                    );
                } else {
                    out.push_str(&esc(&run));
                }
            }
        } else {
            out.push_str(&esc(&t));
        }
        if !open.is_empty() {
            out.push_str("</tspan>");
        }
    }
    out
}

/// How far `c` in the bundled italic reaches past its advance, in em (0 where it does not).
pub(super) fn italic_overhang(c: char) -> f64 {
    use skrifa::MetadataProvider as _;
    use skrifa::instance::{LocationRef, Size};
    let Ok(font) = skrifa::FontRef::new(UBUNTU_LIGHT_ITALIC) else {
        return 0.0;
    };
    let Some(glyph) = font.charmap().map(c) else {
        return 0.0;
    };
    let metrics = font.glyph_metrics(Size::unscaled(), LocationRef::default());
    let (Some(advance), Some(bounds)) = (metrics.advance_width(glyph), metrics.bounds(glyph))
    else {
        return 0.0;
    };
    let em = font
        .metrics(Size::unscaled(), LocationRef::default())
        .units_per_em as f32;
    ((bounds.x_max - advance) / em).max(0.0) as f64
}

pub(super) fn paint(attr: &str, c: Rgba) -> String {
    let mut s = format!(r##"{attr}="#{:02x}{:02x}{:02x}""##, c[0], c[1], c[2]);
    if c[3] < 255 {
        let _ = write!(s, r#" {attr}-opacity="{:.3}""#, c[3] as f64 / 255.0);
    }
    s
}

pub(super) fn dasharray(dash: Dash, width: f64) -> String {
    match dash {
        Dash::Solid => String::new(),
        Dash::Dashed => format!(
            r#" stroke-dasharray="{:.1} {:.1}""#,
            4.0 * width.max(1.0),
            2.5 * width.max(1.0)
        ),
        Dash::Dotted => format!(
            r#" stroke-dasharray="{:.1} {:.1}""#,
            width.max(1.0),
            1.8 * width.max(1.0)
        ),
    }
}

/// Break `text` into lines of at most `width` px at `size` px.
pub fn wrap(text: &str, width: f64, size: f64) -> Vec<String> {
    let max = ((width / (size * EM_ADVANCE)).floor() as usize).max(10);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > max {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
