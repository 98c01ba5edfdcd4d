//! Figures for papers: a small plot model that every view fills from the same data it draws on
//! screen, written as SVG (vector: axes, ticks, labels, legend, theory overlays), as PNG
//! (the same SVG rasterised by resvg at a chosen scale, no display needed) and as CSV (one tidy
//! table per panel, columns named with their units).

use std::fmt::Write as _;

/// An RGB colour.
pub type Rgb = [u8; 3];

/// A figure: one or more panels stacked vertically, each a plot with its own axes.
#[derive(Clone, Debug)]
pub struct Figure {
    /// One line above the first panel (the preset or view).
    pub title: String,
    pub panels: Vec<Panel>,
    /// One line under the last panel, generated from the parameters.
    pub caption: String,
}

/// One plot.
#[derive(Clone, Debug)]
pub struct Panel {
    pub x: Axis,
    pub y: Axis,
    pub series: Vec<Series>,
    pub heatmap: Option<Heatmap>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// The quantity, e.g. "w" or "step t".
    pub label: String,
    /// Its unit for the CSV header ("" for none), e.g. "1/w" for a density.
    pub unit: String,
    pub min: f64,
    pub max: f64,
}

impl Axis {
    pub fn new(label: &str, unit: &str, min: f64, max: f64) -> Axis {
        Axis {
            label: label.to_owned(),
            unit: unit.to_owned(),
            min,
            max,
        }
    }

    fn header(&self) -> String {
        if self.unit.is_empty() {
            self.label.clone()
        } else {
            format!("{} [{}]", self.label, self.unit)
        }
    }
}

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mark {
    Line {
        width: f64,
        dash: Dash,
    },
    Points {
        radius: f64,
    },
    /// Bars from 0 to y, centred on x, of the given width in x units.
    Bars {
        width: f64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dash {
    Solid,
    Dashed,
    Dotted,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub mark: Mark,
    pub color: Rgb,
    /// (x, y); a non-finite point breaks a line and is skipped otherwise.
    pub points: Vec<[f64; 2]>,
}

impl Series {
    pub fn line(name: &str, color: Rgb, width: f64, dash: Dash, points: Vec<[f64; 2]>) -> Series {
        Series {
            name: name.to_owned(),
            mark: Mark::Line { width, dash },
            color,
            points,
        }
    }
}

/// Values on a regular grid of cells, drawn with a colour map and a colour bar.
#[derive(Clone, Debug)]
pub struct Heatmap {
    /// What the colour means (CSV column and colour-bar label).
    pub label: String,
    pub cols: usize,
    pub rows: usize,
    /// Row-major, rows along y from `y.min` upward; NaN = not computed.
    pub values: Vec<f64>,
    /// Colour of 0 … 1 (values are clamped to [0, 1]).
    pub colormap: fn(f64) -> Rgb,
}

const PANEL_W: f64 = 760.0;
const PANEL_H: f64 = 430.0;
const LEFT: f64 = 78.0;
const RIGHT_PLAIN: f64 = 24.0;
const RIGHT_BAR: f64 = 96.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 52.0;
const TITLE_H: f64 = 34.0;
const CAPTION_H: f64 = 40.0;
const FONT: &str = "Ubuntu, 'DejaVu Sans', Helvetica, Arial, sans-serif";

/// Round numbers for axis ticks: 1, 2 or 5 × 10^k, about `target` of them over [lo, hi].
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return Vec::new();
    }
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

fn tick_label(v: f64, step: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        let s = format!("{v:.1e}");
        return s.replace("e", "·10^").replace("^-", "^−").replace('-', "−");
    }
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    };
    format!("{v:.decimals$}").replace('-', "−")
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

impl Figure {
    /// Width and height of the SVG, in CSS pixels (1 px = 0.75 pt).
    pub fn size(&self) -> (f64, f64) {
        let h = TITLE_H + PANEL_H * self.panels.len() as f64 + CAPTION_H;
        (PANEL_W, h)
    }

    /// The figure as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        let (w, h) = self.size();
        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT}" font-size="13">"#
        );
        let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
        let _ = writeln!(
            s,
            r#"<text x="{LEFT}" y="22" font-size="15" fill="black">{}</text>"#,
            esc(&self.title)
        );
        for (k, p) in self.panels.iter().enumerate() {
            p.write_svg(&mut s, k, TITLE_H + PANEL_H * k as f64);
        }
        let _ = writeln!(
            s,
            r##"<text x="{LEFT}" y="{}" font-size="12" fill="#333333">{}</text>"##,
            h - CAPTION_H + 22.0,
            esc(&self.caption)
        );
        s.push_str("</svg>\n");
        s
    }

    /// The figure as PNG bytes, rasterised at `scale` × the SVG size.
    pub fn to_png(&self, scale: f64) -> Result<Vec<u8>, String> {
        svg_to_png(&self.to_svg(), scale)
    }

    /// One tidy CSV table per panel: `series,<x>,<y>` for curves, points and bars,
    /// `<x>,<y>,<value>` for a heat map (cell centres).
    pub fn to_csv(&self) -> Vec<String> {
        self.panels.iter().map(Panel::to_csv).collect()
    }
}

/// The points a table can hold: a diverged walker (±∞ or NaN) has no place on the axes, and
/// the figure's caption and legend say how many there were, as the plot does.
fn finite_points(points: &[[f64; 2]]) -> impl Iterator<Item = &[f64; 2]> {
    points
        .iter()
        .filter(|p| p[0].is_finite() && p[1].is_finite())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

impl Panel {
    fn to_csv(&self) -> String {
        let mut s = String::new();
        if self.heatmap.is_some() {
            return self.to_csv_with_overlays();
        }
        let _ = writeln!(
            s,
            "series,{},{}",
            csv_field(&self.x.header()),
            csv_field(&self.y.header())
        );
        for ser in &self.series {
            for p in finite_points(&ser.points) {
                let _ = writeln!(s, "{},{},{}", csv_field(&ser.name), p[0], p[1]);
            }
        }
        s
    }

    /// A heat map with line overlays: `series,<x>,<y>,<value>`, the map's rows named "map".
    fn to_csv_with_overlays(&self) -> String {
        let hm = self.heatmap.as_ref().expect("called with a heat map");
        let mut s = String::new();
        let _ = writeln!(
            s,
            "series,{},{},{}",
            csv_field(&self.x.header()),
            csv_field(&self.y.header()),
            csv_field(&hm.label)
        );
        let dx = (self.x.max - self.x.min) / hm.cols as f64;
        let dy = (self.y.max - self.y.min) / hm.rows as f64;
        for r in 0..hm.rows {
            for c in 0..hm.cols {
                let v = hm.values[r * hm.cols + c];
                let _ = writeln!(
                    s,
                    "map,{},{},{}",
                    self.x.min + (c as f64 + 0.5) * dx,
                    self.y.min + (r as f64 + 0.5) * dy,
                    if v.is_nan() {
                        String::new()
                    } else {
                        v.to_string()
                    }
                );
            }
        }
        for ser in &self.series {
            for p in finite_points(&ser.points) {
                let _ = writeln!(s, "{},{},{},", csv_field(&ser.name), p[0], p[1]);
            }
        }
        s
    }

    fn write_svg(&self, s: &mut String, k: usize, y0: f64) {
        let right = if self.heatmap.is_some() {
            RIGHT_BAR
        } else {
            RIGHT_PLAIN
        };
        let (px0, px1) = (LEFT, PANEL_W - right);
        let (py0, py1) = (y0 + TOP, y0 + PANEL_H - BOTTOM);
        let (x, y) = (&self.x, &self.y);
        let sx = |v: f64| px0 + (v - x.min) / (x.max - x.min) * (px1 - px0);
        let sy = |v: f64| py1 - (v - y.min) / (y.max - y.min) * (py1 - py0);
        let clip = format!("clip{k}");
        let _ = writeln!(
            s,
            r#"<defs><clipPath id="{clip}"><rect x="{px0}" y="{py0}" width="{}" height="{}"/></clipPath></defs>"#,
            px1 - px0,
            py1 - py0
        );
        // Heat map under everything.
        if let Some(hm) = &self.heatmap {
            let _ = writeln!(
                s,
                r#"<g clip-path="url(#{clip})" shape-rendering="crispEdges">"#
            );
            let dx = (x.max - x.min) / hm.cols as f64;
            let dy = (y.max - y.min) / hm.rows as f64;
            for r in 0..hm.rows {
                for c in 0..hm.cols {
                    let v = hm.values[r * hm.cols + c];
                    let col = if v.is_nan() {
                        [160, 160, 160]
                    } else {
                        (hm.colormap)(v.clamp(0.0, 1.0))
                    };
                    let (ax, bx) = (sx(x.min + c as f64 * dx), sx(x.min + (c + 1) as f64 * dx));
                    let (ay, by) = (sy(y.min + (r + 1) as f64 * dy), sy(y.min + r as f64 * dy));
                    // A hair of overlap hides the seams between cells.
                    let _ = writeln!(
                        s,
                        r#"<rect x="{ax:.2}" y="{ay:.2}" width="{:.2}" height="{:.2}" fill="{}"/>"#,
                        bx - ax + 0.3,
                        by - ay + 0.3,
                        hex(col)
                    );
                }
            }
            s.push_str("</g>\n");
            // Colour bar.
            let (bx, bw) = (px1 + 18.0, 14.0);
            let steps = 40;
            for i in 0..steps {
                let v = (i as f64 + 0.5) / steps as f64;
                let top = py1 - (i + 1) as f64 / steps as f64 * (py1 - py0);
                let _ = writeln!(
                    s,
                    r#"<rect x="{bx}" y="{top:.2}" width="{bw}" height="{:.2}" fill="{}"/>"#,
                    (py1 - py0) / steps as f64 + 0.3,
                    hex((hm.colormap)(v))
                );
            }
            let _ = writeln!(
                s,
                r#"<rect x="{bx}" y="{py0}" width="{bw}" height="{}" fill="none" stroke="black" stroke-width="0.8"/>"#,
                py1 - py0
            );
            for v in [0.0, 0.25, 0.5, 0.75, 1.0] {
                let ty = py1 - v * (py1 - py0);
                let _ = writeln!(
                    s,
                    r#"<text x="{}" y="{:.2}" font-size="11">{}</text>"#,
                    bx + bw + 4.0,
                    ty + 4.0,
                    tick_label(v, 0.25)
                );
            }
            let _ = writeln!(
                s,
                r#"<text transform="translate({} {}) rotate(90)" text-anchor="middle" font-size="12">{}</text>"#,
                bx + bw + 40.0,
                (py0 + py1) / 2.0,
                esc(&hm.label)
            );
        }
        // Grid and ticks.
        let xt = nice_ticks(x.min, x.max, 8);
        let yt = nice_ticks(y.min, y.max, 6);
        let xstep = if xt.len() > 1 { xt[1] - xt[0] } else { 1.0 };
        let ystep = if yt.len() > 1 { yt[1] - yt[0] } else { 1.0 };
        s.push_str(r##"<g stroke="#dddddd" stroke-width="0.6">"##);
        s.push('\n');
        if self.heatmap.is_none() {
            for &v in &xt {
                let _ = writeln!(
                    s,
                    r#"<line x1="{0:.2}" y1="{py0}" x2="{0:.2}" y2="{py1}"/>"#,
                    sx(v)
                );
            }
            for &v in &yt {
                let _ = writeln!(
                    s,
                    r#"<line x1="{px0}" y1="{0:.2}" x2="{px1}" y2="{0:.2}"/>"#,
                    sy(v)
                );
            }
        }
        s.push_str("</g>\n");
        for &v in &xt {
            let xx = sx(v);
            let _ = writeln!(
                s,
                r#"<line x1="{xx:.2}" y1="{py1}" x2="{xx:.2}" y2="{}" stroke="black" stroke-width="0.8"/><text x="{xx:.2}" y="{}" text-anchor="middle" font-size="12">{}</text>"#,
                py1 + 5.0,
                py1 + 19.0,
                tick_label(v, xstep)
            );
        }
        for &v in &yt {
            let yy = sy(v);
            let _ = writeln!(
                s,
                r#"<line x1="{}" y1="{yy:.2}" x2="{px0}" y2="{yy:.2}" stroke="black" stroke-width="0.8"/><text x="{}" y="{:.2}" text-anchor="end" font-size="12">{}</text>"#,
                px0 - 5.0,
                px0 - 8.0,
                yy + 4.0,
                tick_label(v, ystep)
            );
        }
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle" font-size="14">{}</text>"#,
            (px0 + px1) / 2.0,
            py1 + 40.0,
            esc(&x.label)
        );
        let _ = writeln!(
            s,
            r#"<text transform="translate({} {}) rotate(-90)" text-anchor="middle" font-size="14">{}</text>"#,
            px0 - 52.0,
            (py0 + py1) / 2.0,
            esc(&y.label)
        );
        // Series, clipped to the plot area.
        let _ = writeln!(s, r#"<g clip-path="url(#{clip})">"#);
        for ser in &self.series {
            let col = hex(ser.color);
            let name = esc(&ser.name);
            match ser.mark {
                Mark::Line { width, dash } => {
                    let dash = match dash {
                        Dash::Solid => String::new(),
                        Dash::Dashed => {
                            format!(r#" stroke-dasharray="{} {}""#, 4.0 * width, 2.5 * width)
                        }
                        Dash::Dotted => format!(r#" stroke-dasharray="{} {}""#, width, 1.8 * width),
                    };
                    let mut d = String::new();
                    let mut pen_down = false;
                    for p in &ser.points {
                        if !(p[0].is_finite() && p[1].is_finite()) {
                            pen_down = false;
                            continue;
                        }
                        // Keep far-off points finite for the SVG parser.
                        let (xx, yy) = (sx(p[0]).clamp(-1e5, 1e5), sy(p[1]).clamp(-1e5, 1e5));
                        let _ = write!(d, "{}{xx:.2},{yy:.2} ", if pen_down { "L" } else { "M" });
                        pen_down = true;
                    }
                    if !d.is_empty() {
                        let _ = writeln!(
                            s,
                            r#"<path data-series="{name}" d="{}" fill="none" stroke="{col}" stroke-width="{width}" stroke-linejoin="round"{dash}/>"#,
                            d.trim_end()
                        );
                    }
                }
                Mark::Points { radius } => {
                    let _ = writeln!(s, r#"<g data-series="{name}" fill="{col}">"#);
                    for p in ser
                        .points
                        .iter()
                        .filter(|p| p[0].is_finite() && p[1].is_finite())
                    {
                        let _ = writeln!(
                            s,
                            r#"<circle cx="{:.2}" cy="{:.2}" r="{radius}"/>"#,
                            sx(p[0]).clamp(-1e5, 1e5),
                            sy(p[1]).clamp(-1e5, 1e5)
                        );
                    }
                    s.push_str("</g>\n");
                }
                Mark::Bars { width } => {
                    let _ = writeln!(
                        s,
                        r#"<g data-series="{name}" fill="{col}" fill-opacity="0.3" stroke="{col}" stroke-width="1.2">"#
                    );
                    for p in ser
                        .points
                        .iter()
                        .filter(|p| p[0].is_finite() && p[1].is_finite())
                    {
                        let (a, b) = (sx(p[0] - width / 2.0), sx(p[0] + width / 2.0));
                        let (top, bottom) = (sy(p[1].max(0.0)), sy(0.0f64.max(y.min)));
                        let _ = writeln!(
                            s,
                            r#"<rect x="{a:.2}" y="{:.2}" width="{:.2}" height="{:.2}"/>"#,
                            top.clamp(-1e5, 1e5),
                            (b - a).max(0.0),
                            (bottom - top).clamp(0.0, 1e5)
                        );
                    }
                    s.push_str("</g>\n");
                }
            }
        }
        s.push_str("</g>\n");
        let _ = writeln!(
            s,
            r#"<rect x="{px0}" y="{py0}" width="{}" height="{}" fill="none" stroke="black" stroke-width="1"/>"#,
            px1 - px0,
            py1 - py0
        );
        // Legend, top right inside the plot.
        let named: Vec<&Series> = self.series.iter().filter(|s| !s.name.is_empty()).collect();
        if !named.is_empty() {
            let longest = named
                .iter()
                .map(|s| s.name.chars().count())
                .max()
                .unwrap_or(0);
            let lw = 44.0 + 6.6 * longest as f64;
            let lh = 8.0 + 17.0 * named.len() as f64;
            let (lx, ly) = (px1 - lw - 8.0, py0 + 8.0);
            let _ = writeln!(
                s,
                r##"<g class="legend"><rect x="{lx:.2}" y="{ly:.2}" width="{lw:.2}" height="{lh:.2}" fill="white" fill-opacity="0.88" stroke="#999999" stroke-width="0.6"/>"##
            );
            for (i, ser) in named.iter().enumerate() {
                let cy = ly + 13.0 + 17.0 * i as f64;
                let col = hex(ser.color);
                match ser.mark {
                    Mark::Line { width, dash } => {
                        let dash = match dash {
                            Dash::Solid => String::new(),
                            Dash::Dashed => r#" stroke-dasharray="6 3""#.into(),
                            Dash::Dotted => r#" stroke-dasharray="2 3""#.into(),
                        };
                        let _ = writeln!(
                            s,
                            r#"<line x1="{:.2}" y1="{cy:.2}" x2="{:.2}" y2="{cy:.2}" stroke="{col}" stroke-width="{}"{dash}/>"#,
                            lx + 8.0,
                            lx + 34.0,
                            width.min(4.0)
                        );
                    }
                    Mark::Points { .. } => {
                        let _ = writeln!(
                            s,
                            r#"<circle cx="{:.2}" cy="{cy:.2}" r="3.5" fill="{col}"/>"#,
                            lx + 21.0
                        );
                    }
                    Mark::Bars { .. } => {
                        let _ = writeln!(
                            s,
                            r#"<rect x="{:.2}" y="{:.2}" width="20" height="10" fill="{col}" fill-opacity="0.3" stroke="{col}"/>"#,
                            lx + 11.0,
                            cy - 5.0
                        );
                    }
                }
                let _ = writeln!(
                    s,
                    r#"<text x="{:.2}" y="{:.2}" font-size="12">{}</text>"#,
                    lx + 40.0,
                    cy + 4.0,
                    esc(&ser.name)
                );
            }
            s.push_str("</g>\n");
        }
    }
}

/// Rasterise an SVG document with the bundled fonts (no system fonts, no display).
pub fn svg_to_png(svg: &str, scale: f64) -> Result<Vec<u8>, String> {
    use resvg::{tiny_skia, usvg};
    if !(scale.is_finite() && (0.1..=16.0).contains(&scale)) {
        return Err(format!("PNG scale {scale} is out of range (0.1 to 16)"));
    }
    let mut opt = usvg::Options::default();
    {
        let db = opt.fontdb_mut();
        db.load_font_data(epaint_default_fonts::UBUNTU_LIGHT.to_vec());
        db.load_font_data(epaint_default_fonts::HACK_REGULAR.to_vec());
        db.set_sans_serif_family("Ubuntu");
    }
    opt.font_family = "Ubuntu".into();
    let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| format!("SVG: {e}"))?;
    let size = tree.size();
    let (w, h) = (
        (size.width() as f64 * scale).round() as u32,
        (size.height() as f64 * scale).round() as u32,
    );
    let mut pixmap =
        tiny_skia::Pixmap::new(w.max(1), h.max(1)).ok_or("PNG: image too large or empty")?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale as f32, scale as f32),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| format!("PNG: {e}"))
}

/// The phase diagram's colour map (dark navy = absorbed, white = escaped), shared with the app.
pub fn escape_colormap(v: f64) -> Rgb {
    const STOPS: [(f64, Rgb); 4] = [
        (0.0, [8, 29, 88]),
        (0.35, [37, 52, 148]),
        (0.7, [65, 182, 196]),
        (1.0, [255, 255, 255]),
    ];
    let v = v.clamp(0.0, 1.0);
    let k = STOPS
        .iter()
        .position(|(x, _)| *x >= v)
        .unwrap_or(STOPS.len() - 1)
        .max(1);
    let ((x0, c0), (x1, c1)) = (STOPS[k - 1], STOPS[k]);
    let f = if x1 > x0 { (v - x0) / (x1 - x0) } else { 0.0 };
    let mix = |i: usize| (c0[i] as f64 + (c1[i] as f64 - c0[i] as f64) * f).round() as u8;
    [mix(0), mix(1), mix(2)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_inside() {
        assert_eq!(
            nice_ticks(0.0, 1.0, 5),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        let t = nice_ticks(-1.0, 2.0, 6);
        assert_eq!(t.first(), Some(&-1.0));
        assert!(t.iter().all(|v| (-1.0..=2.0).contains(v)));
        assert!(nice_ticks(1.0, 1.0, 5).is_empty());
        assert!(nice_ticks(f64::NAN, 1.0, 5).is_empty());
        assert_eq!(tick_label(-0.5, 0.5), "−0.5");
        assert_eq!(tick_label(1e-140, 1.0), "1.0·10^−140");
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("t = 5"), "t = 5");
    }
}
