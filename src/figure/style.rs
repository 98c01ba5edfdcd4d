//! How a figure is exported: its page size in physical units, its type size, and which of the
//! window's furniture it keeps (title, caption, status lines, the window's markers) — one
//! value, the named styles of a journal column, a full page width, a 16:9 slide and a poster
//! among them.
//!
//! A size and a type size are met by laying the figure out on a page of (size ÷ k) CSS pixels,
//! k = type size ÷ the layout's own (13 px axis labels = 9.75 pt), and writing the SVG at the
//! physical size with that page as its `viewBox`: every text, line and margin scales by k
//! together, and the panels take the room the page leaves — more or fewer ticks, wrapped
//! captions, side-by-side panels stacked on a narrow page — never a stretched copy.

use serde::{Deserialize, Serialize};

use super::{Arrangement, Figure};

/// The layout's axis-label size in pt (13 CSS px).
pub const LAYOUT_FONT_PT: f64 = 9.75;

/// Points per unit.
const PT_PER_IN: f64 = 72.0;
const PT_PER_PX: f64 = 0.75;

/// A named export style.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum StyleName {
    /// The window's figure at its own size, with its title, caption and status lines.
    #[default]
    Screen,
    /// One column of a two-column journal: 3.25 in wide, 8 pt type, no furniture.
    Column,
    /// A full page width: 6.75 in wide, 9 pt type, no furniture.
    Page,
    /// A 16:9 slide (13.33 × 7.5 in), 20 pt type, with its title.
    Slide,
    /// A poster panel: 16 × 10 in, 28 pt type, with its title and caption.
    Poster,
}

impl StyleName {
    pub const ALL: [StyleName; 5] = [
        StyleName::Screen,
        StyleName::Column,
        StyleName::Page,
        StyleName::Slide,
        StyleName::Poster,
    ];

    pub fn label(self) -> &'static str {
        match self {
            StyleName::Screen => "screen (the window's figure)",
            StyleName::Column => "journal column (3.25 in, 8 pt)",
            StyleName::Page => "full page width (6.75 in, 9 pt)",
            StyleName::Slide => "16:9 slide (13.33 × 7.5 in, 20 pt)",
            StyleName::Poster => "poster (16 × 10 in, 28 pt)",
        }
    }
}

/// How to export a figure.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportStyle {
    pub name: StyleName,
    /// Width × height in pt; `None`: the figure's own size.
    pub size_pt: Option<(f64, f64)>,
    /// The height follows the figure (its panels' number and arrangement at that width)
    /// instead of `size_pt`'s: what the named styles do, since a journal fixes the width.
    pub auto_height: bool,
    /// Axis-label type size in pt; `None`: the layout's own (9.75 pt at the figure's size).
    pub font_pt: Option<f64>,
    pub title: bool,
    /// The caption under the plots (the parameters of the run).
    pub caption: bool,
    /// Status lines above the plots ("diverged: …", how to read the lines).
    pub status: bool,
    /// The window's markers (the live view's (a, λ) on a phase diagram).
    pub markers: bool,
    /// Variables in italics (w, t, λ), as a journal sets mathematics; upright on screen.
    pub italic: bool,
}

impl Default for ExportStyle {
    fn default() -> Self {
        ExportStyle::named(StyleName::Screen)
    }
}

impl ExportStyle {
    pub fn named(name: StyleName) -> ExportStyle {
        let (size, font, title, caption) = match name {
            StyleName::Screen => (None, None, true, true),
            StyleName::Column => (Some((3.25, 2.4)), Some(8.0), false, false),
            StyleName::Page => (Some((6.75, 3.4)), Some(9.0), false, false),
            StyleName::Slide => (Some((40.0 / 3.0, 7.5)), Some(20.0), true, false),
            StyleName::Poster => (Some((16.0, 10.0)), Some(28.0), true, true),
        };
        ExportStyle {
            name,
            size_pt: size.map(|(w, h)| (w * PT_PER_IN, h * PT_PER_IN)),
            auto_height: matches!(name, StyleName::Column | StyleName::Page),
            font_pt: font,
            title,
            caption,
            status: name == StyleName::Screen,
            markers: name == StyleName::Screen,
            italic: name != StyleName::Screen,
        }
    }

    /// Whether this is the window's own figure, unchanged.
    pub fn is_screen(&self) -> bool {
        *self == ExportStyle::named(StyleName::Screen)
    }

    /// Check the numbers: a size and a type size a page can hold.
    pub fn validate(&self) -> Result<(), String> {
        if let Some((w, h)) = self.size_pt
            && !(w.is_finite()
                && h.is_finite()
                && (36.0..=7200.0).contains(&w)
                && (36.0..=7200.0).contains(&h))
        {
            return Err(format!(
                "size {} × {} pt: each side from 0.5 in to 100 in (36 to 7200 pt)",
                crate::figure::fmt_num(w, 4),
                crate::figure::fmt_num(h, 4)
            ));
        }
        if let Some(f) = self.font_pt
            && !(f.is_finite() && (4.0..=96.0).contains(&f))
        {
            return Err(format!("font size {f} pt: from 4 to 96 pt"));
        }
        Ok(())
    }

    /// The scale k from the layout's CSS pixels to the page's: type at `font_pt`.
    pub fn type_scale(&self) -> f64 {
        self.font_pt.map_or(1.0, |f| f / LAYOUT_FONT_PT)
    }
}

/// Parse a size `WxH[unit]`, unit one of in, cm, mm, pt, px (default px): width and height
/// in pt.
pub fn parse_size_pt(s: &str) -> Result<(f64, f64), String> {
    let t = s.trim().to_ascii_lowercase();
    // The unit: the letters at the end (none: px).
    let split = t.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len();
    let (num, unit) = match t[split..].trim() {
        "" => (t.as_str(), "px"),
        u => (&t[..split], u),
    };
    let per = match unit {
        "in" => PT_PER_IN,
        "cm" => PT_PER_IN / 2.54,
        "mm" => PT_PER_IN / 25.4,
        "pt" => 1.0,
        "px" => PT_PER_PX,
        other => {
            return Err(format!(
                "size '{s}': unknown unit '{other}' (in, cm, mm, pt or px)"
            ));
        }
    };
    let (w, h) = num
        .split_once('x')
        .ok_or_else(|| format!("size '{s}': WIDTHxHEIGHT with a unit, e.g. 3.25x2.4in"))?;
    let side = |v: &str| -> Result<f64, String> {
        let v: f64 = v
            .trim()
            .parse()
            .map_err(|_| format!("size '{s}': '{v}' is not a number"))?;
        if v.is_finite() && v > 0.0 {
            Ok(v * per)
        } else {
            Err(format!("size '{s}': each side must be positive"))
        }
    };
    Ok((side(w)?, side(h)?))
}

impl Figure {
    /// This figure with the furniture `style` leaves out taken away (title, caption, status
    /// lines, the window's markers).
    pub fn styled(&self, style: &ExportStyle) -> Figure {
        let mut f = self.clone();
        if !style.title {
            f.title.clear();
        }
        if !style.caption {
            f.caption.clear();
        }
        if !style.status {
            f.note.clear();
        }
        if !style.markers {
            for p in &mut f.panels {
                p.series.retain(|s| !s.marker);
            }
        }
        f
    }

    /// The SVG (text as `<text>`) of this figure in `style`: the furniture it keeps, laid out
    /// for its size and type (see the module).
    pub fn to_svg_text_styled(&self, style: &ExportStyle) -> String {
        let f = self.styled(style);
        let k = style.type_scale();
        match style.size_pt {
            None if k == 1.0 => f.to_svg_document(None, None, style.italic),
            None => {
                // The figure's own layout, its type at the size asked: the page grows with it.
                let (w, h) = f.size();
                f.to_svg_document(
                    Some((w, h)),
                    Some((w * k * PT_PER_PX, h * k * PT_PER_PX)),
                    style.italic,
                )
            }
            Some((w_pt, h_pt)) => {
                let lw = w_pt / PT_PER_PX / k;
                let f = f.arranged_for(lw);
                let h_pt = if style.auto_height {
                    w_pt * f.aspect()
                } else {
                    h_pt
                };
                let layout = (lw, h_pt / PT_PER_PX / k);
                f.to_svg_document(Some(layout), Some((w_pt, h_pt)), style.italic)
            }
        }
    }

    /// Height over width of a page sized for this figure's panels: one plot 3:4, plots side
    /// by side 0.45, stacked plots 0.62 each (up to 1.4).
    pub fn aspect(&self) -> f64 {
        let n = self.panels.len().max(1) as f64;
        match self.arrangement {
            Arrangement::Row if n == 1.0 => 0.75,
            Arrangement::Row => 0.45,
            Arrangement::Column => (0.62 * n).min(1.4),
        }
    }

    /// Panels side by side that a page `width` CSS pixels wide cannot hold (under 300 px each)
    /// stacked instead.
    pub fn arranged_for(mut self, width: f64) -> Figure {
        let n = self.panels.len() as f64;
        if self.arrangement == Arrangement::Row && n > 1.0 && width / n < 300.0 {
            self.arrangement = Arrangement::Column;
            // Stacked, each gets an equal height (the row's shares were widths).
            for p in &mut self.panels {
                p.share = 1.0 / n;
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_every_unit_and_bad_ones_say_why() {
        let close =
            |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9;
        assert!(close(parse_size_pt("3.25x2.4in").unwrap(), (234.0, 172.8)));
        assert!(close(parse_size_pt("2.54x5.08cm").unwrap(), (72.0, 144.0)));
        assert!(close(parse_size_pt("25.4X50.8mm").unwrap(), (72.0, 144.0)));
        assert!(close(parse_size_pt("234x172.8pt").unwrap(), (234.0, 172.8)));
        assert!(close(parse_size_pt("1280x720").unwrap(), (960.0, 540.0)));
        assert!(close(parse_size_pt("1280x720px").unwrap(), (960.0, 540.0)));
        assert!(
            parse_size_pt("3x2ft")
                .unwrap_err()
                .contains("unknown unit 'ft'")
        );
        assert!(parse_size_pt("3in").unwrap_err().contains("WIDTHxHEIGHT"));
        assert!(parse_size_pt("0x2in").unwrap_err().contains("positive"));
        assert!(parse_size_pt("NaNx2in").unwrap_err().contains("positive"));
        assert!(parse_size_pt("ax2in").unwrap_err().contains("not a number"));
    }

    #[test]
    fn the_journal_styles_leave_the_furniture_out_and_check_their_numbers() {
        let col = ExportStyle::named(StyleName::Column);
        let (w, h) = col.size_pt.unwrap();
        assert!((w - 234.0).abs() < 1e-9 && (h - 172.8).abs() < 1e-9);
        assert!(!col.title && !col.caption && !col.status && !col.markers);
        assert!(ExportStyle::named(StyleName::Screen).is_screen());
        assert!(col.validate().is_ok());
        let tiny = ExportStyle {
            size_pt: Some((10.0, 10.0)),
            ..col
        };
        assert!(tiny.validate().unwrap_err().contains("0.5 in"));
        let font = ExportStyle {
            font_pt: Some(f64::NAN),
            ..col
        };
        assert!(font.validate().unwrap_err().contains("font size"));
    }
}
