//! A figure as SVG and PNG. The SVG is laid out in the bundled font (Ubuntu, egui's own) and,
//! by default, written with every glyph as a path, so a paper's figure looks the same in every
//! viewer whatever fonts it has (what matplotlib's SVG backend does); [`Figure::to_svg_text`]
//! keeps the text as selectable `<text>`. The PNG is that SVG rasterised by resvg: no display.

use std::fmt::Write as _;

use super::format::{decade_label, tick_label};
use super::{
    Arrangement, Axis, Corner, Figure, LegendEntry, Mark, Panel, RefAt, Rgba, Scale, Shape, Swatch,
    nice_ticks, palette,
};

/// Width of a figure of one column, in CSS pixels (1 px = 0.75 pt).
const COLUMN_W: f64 = 760.0;
/// Height of one panel's share in a column.
const PANEL_H: f64 = 430.0;
/// Width of a figure of panels side by side, and their height.
const ROW_W: f64 = 1240.0;
const ROW_H: f64 = 500.0;
const LEFT: f64 = 78.0;
const RIGHT_PLAIN: f64 = 24.0;
const RIGHT_BAR: f64 = 96.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 52.0;
const TITLE_H: f64 = 34.0;
const LINE_H: f64 = 17.0;
const FONT: &str = "Ubuntu";
/// Heat-map cells beyond which a map is written as one image instead of a rectangle each.
const MAX_TILES: usize = 1024;
/// Points of one circle series beyond which they are written as one path.
const MERGE_POINTS: usize = 64;
/// The most of a plot's area a legend inside it may cover; a larger one goes beside the plot.
const MAX_LEGEND_COVER: f64 = 0.12;
/// A conservative average advance of the bundled font, in em, for wrapping and legend boxes.
const EM_ADVANCE: f64 = 0.56;

/// A point in SVG pixels.
type Xy = (f64, f64);

/// A rectangle in SVG pixels.
#[derive(Clone, Copy, Debug)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// A figure's page: its width and the height its plots get, in CSS pixels.
#[derive(Clone, Copy, Debug)]
struct Page {
    w: f64,
    plots_h: f64,
}

/// The smallest page a figure is laid out on, in CSS pixels: below it panels have no room for
/// their axes.
pub const MIN_PAGE: (f64, f64) = (240.0, 180.0);

impl Figure {
    /// The page: the default size of its arrangement, or laid out to fill `size` (width ×
    /// height, CSS pixels) — the plots get what the title, note and caption leave.
    fn page(&self, size: Option<(f64, f64)>) -> Page {
        match size {
            None => Page {
                w: match self.arrangement {
                    Arrangement::Column => COLUMN_W,
                    Arrangement::Row => ROW_W,
                },
                plots_h: match self.arrangement {
                    Arrangement::Column => PANEL_H * self.panels.len() as f64,
                    Arrangement::Row => ROW_H,
                },
            },
            Some((w, h)) => {
                let w = w.max(MIN_PAGE.0);
                let furniture = self.furniture_height(w);
                Page {
                    w,
                    plots_h: (h.max(MIN_PAGE.1) - furniture).max(100.0),
                }
            }
        }
    }

    /// What the title, note and caption take of a page `w` wide.
    fn furniture_height(&self, w: f64) -> f64 {
        self.title_height()
            + LINE_H * self.note_lines(w).len() as f64
            + 10.0
            + LINE_H * self.caption_lines(w).len() as f64
            + 8.0
    }

    /// The title's band (a small margin where there is none).
    fn title_height(&self) -> f64 {
        if self.title.is_empty() { 6.0 } else { TITLE_H }
    }

    fn note_lines(&self, w: f64) -> Vec<String> {
        wrap(&self.note, w - 2.0 * LEFT.min(40.0), 12.0)
    }

    fn caption_lines(&self, w: f64) -> Vec<String> {
        wrap(&self.caption, w - 2.0 * 20.0, 12.0)
    }

    /// Width and height of the SVG, in CSS pixels, at the default size.
    pub fn size(&self) -> (f64, f64) {
        self.page_size(self.page(None))
    }

    fn page_size(&self, page: Page) -> (f64, f64) {
        (page.w, self.furniture_height(page.w) + page.plots_h)
    }

    /// The panels' rectangles.
    fn panel_rects(&self, page: Page) -> Vec<Rect> {
        let top = self.title_height() + LINE_H * self.note_lines(page.w).len() as f64;
        let total: f64 = self
            .panels
            .iter()
            .map(|p| p.share.max(0.0))
            .sum::<f64>()
            .max(1e-9);
        let mut at = 0.0;
        self.panels
            .iter()
            .map(|p| {
                let f = p.share.max(0.0) / total;
                let r = match self.arrangement {
                    Arrangement::Column => Rect {
                        x: 0.0,
                        y: top + at,
                        w: page.w,
                        h: f * page.plots_h,
                    },
                    Arrangement::Row => Rect {
                        x: at,
                        y: top,
                        w: f * page.w,
                        h: page.plots_h,
                    },
                };
                at += match self.arrangement {
                    Arrangement::Column => r.h,
                    Arrangement::Row => r.w,
                };
                r
            })
            .collect()
    }

    /// The figure as an SVG document with its text as `<text>` elements in the Ubuntu font
    /// (selectable, but drawn in whatever font a viewer substitutes if it lacks Ubuntu).
    pub fn to_svg_text(&self) -> String {
        self.to_svg_text_sized(None)
    }

    /// [`Figure::to_svg_text`] laid out on a page of `size` (CSS pixels; `None`: the default
    /// size): the panels take the room the page leaves — more or fewer ticks, wrapped
    /// captions —, not a stretched copy.
    pub fn to_svg_text_sized(&self, size: Option<(f64, f64)>) -> String {
        self.to_svg_document(size, None, false)
    }

    /// The SVG laid out on a page of `size` CSS pixels (`None`: the default), drawn at
    /// `physical` (width and height in pt; `None`: one pt per 0.75 CSS pixel of the page) —
    /// the layout's page is the `viewBox`, so text, lines and margins scale together.
    pub(super) fn to_svg_document(
        &self,
        size: Option<(f64, f64)>,
        physical: Option<(f64, f64)>,
        italic: bool,
    ) -> String {
        let mut page = self.page(size);
        let (w, h) = self.page_size(page);
        // On a page sized for a document, a legend with no room off its plot's data goes into
        // a band under the plots (the plots give up its height), not over the data.
        let mut band: Vec<LegendEntry> = Vec::new();
        if physical.is_some() {
            let full = page.plots_h;
            for _ in 0..3 {
                let mut entries = Vec::new();
                for (p, r) in self.panels.iter().zip(self.panel_rects(page)) {
                    if p.layout(r).crowded {
                        for e in p.legend_entries() {
                            if !entries.iter().any(|x: &LegendEntry| x.label == e.label) {
                                entries.push(e);
                            }
                        }
                    }
                }
                let height = if entries.is_empty() {
                    0.0
                } else {
                    legend_strip_height(&entries, w - 40.0) + 6.0
                };
                if height > 0.4 * full {
                    // The plots would keep under 60 % of their height: the legends stay in
                    // their corners.
                    band.clear();
                    page.plots_h = full;
                    break;
                }
                let settled = entries.len() == band.len();
                band = entries;
                page.plots_h = full - height;
                if settled {
                    break;
                }
            }
        }
        let mut s = String::new();
        let (width, height) = match physical {
            Some((pw, ph)) => (format!("{pw}pt"), format!("{ph}pt")),
            None => (w.to_string(), h.to_string()),
        };
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{width}" height="{height}" viewBox="0 0 {w} {h}" font-family="{FONT}" font-size="13">"#
        );
        let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
        if !self.title.is_empty() {
            let _ = writeln!(
                s,
                r#"<text x="20" y="22" font-size="15" fill="black">{}</text>"#,
                label(&self.title, italic)
            );
        }
        for (i, line) in self.note_lines(w).iter().enumerate() {
            let _ = writeln!(
                s,
                r##"<text x="20" y="{:.1}" font-size="12" fill="#333333">{}</text>"##,
                self.title_height() + 12.0 + LINE_H * i as f64,
                label(line, italic)
            );
        }
        let rects = self.panel_rects(page);
        for (k, (p, r)) in self.panels.iter().zip(&rects).enumerate() {
            p.write_svg(&mut s, k, *r, !band.is_empty(), italic);
        }
        if let Some(last) = rects.last() {
            let entries = for_page(band);
            legend_strip_svg(&mut s, &entries, 28.0, last.y + last.h, w - 40.0, italic);
        }
        let captions = self.caption_lines(w);
        let cap_top = h - 8.0 - LINE_H * captions.len() as f64;
        for (i, line) in captions.iter().enumerate() {
            let _ = writeln!(
                s,
                r##"<text x="20" y="{:.1}" font-size="12" fill="#333333">{}</text>"##,
                cap_top + 12.0 + LINE_H * i as f64,
                label(line, italic)
            );
        }
        s.push_str("</svg>\n");
        s
    }
}

/// A label as SVG text (escaped, sub- and superscripts as tspans).
pub fn svg_text(s: &str) -> String {
    text(s)
}

mod legend;
mod marks;
mod text;
use legend::{for_page, legend_box_width, legend_strip_height, legend_strip_svg, legend_svg};
pub(crate) use marks::base64;
use marks::{colorbar_svg, heatmap_png, marker};
pub use text::wrap;
use text::{dasharray, esc, label, paint, text};

pub use super::output::{
    Rgba8Image, glyphs_as_paths, svg_size, svg_to_pdf, svg_to_png, svg_to_rgba,
};

/// Ticks of an axis in drawn units, with their labels.
fn axis_ticks(a: &Axis, target: usize) -> Vec<(f64, String)> {
    let (lo, hi) = a.placed_range();
    match a.scale {
        Scale::Log10 if hi - lo >= 1.0 => {
            let span = (hi.floor() - lo.ceil()) as i64;
            let every = (span / target.max(1) as i64 + 1).max(1);
            (lo.ceil() as i64..=hi.floor() as i64)
                .filter(|k| k.rem_euclid(every) == 0)
                .map(|k| (k as f64, decade_label(k)))
                .collect()
        }
        Scale::Log10 => nice_ticks(lo, hi, target)
            .into_iter()
            .map(|v| (v, super::fmt_num(10f64.powf(v), 2)))
            .collect(),
        Scale::Linear => {
            let t = nice_ticks(lo, hi, target);
            let step = if t.len() > 1 { t[1] - t[0] } else { 1.0 };
            t.into_iter().map(|v| (v, tick_label(v, step))).collect()
        }
    }
}

/// Where a panel's plot and legend go in its rectangle.
struct Layout {
    px0: f64,
    px1: f64,
    py0: f64,
    py1: f64,
    /// The panel's top edge for a legend strip above a plot.
    top_of_panel: f64,
    legend_beside: bool,
    /// A legend in rows above the plot, this tall.
    legend_above: Option<f64>,
    /// The legend found no room off the data: drawn in its corner over the data, or left to
    /// the figure's legend band.
    crowded: bool,
}

impl Panel {
    fn layout(&self, r: Rect) -> Layout {
        let right = if self.colorbar.is_some() {
            RIGHT_BAR
        } else {
            RIGHT_PLAIN
        };
        let (mut px0, mut px1) = (r.x + LEFT, r.x + r.w - right);
        let (mut py0, mut py1) = (r.y + TOP, r.y + r.h - BOTTOM);
        let (x0, x1) = self.x.placed_range();
        let (y0, y1) = self.y.placed_range();
        // Where the legend goes: in its corner, where it covers little of the plot; else
        // beside the plot, if the plot keeps enough of its width; else in rows above it, if
        // the plot keeps enough of its height; else back in its corner. A map drawn to scale
        // takes the room from the map (down to 60 % of its size); a plot, down to half its
        // width or height (the window's rule).
        let entries_n = self.legend_entries().len();
        let lw = legend_box_width(&self.legend_entries()) + 12.0;
        let lh = 8.0 + 17.0 * entries_n as f64;
        let mut legend_beside = false;
        let mut legend_above: Option<f64> = None;
        let top_of_panel = py0;
        let mut crowded = false;
        if self.equal_aspect && x1 > x0 && y1 > y0 {
            let fit = |w: f64, h: f64| (w / (x1 - x0)).min(h / (y1 - y0));
            let full = fit(px1 - px0, py1 - py0);
            let beside = fit(px1 - px0 - lw, py1 - py0);
            let strip = legend_strip_height(&self.legend_entries(), px1 - px0);
            let above = fit(px1 - px0, py1 - py0 - strip);
            let scale = if entries_n == 0 {
                full
            } else if beside >= 0.6 * full {
                legend_beside = true;
                beside
            } else if above >= 0.6 * full {
                legend_above = Some(strip);
                py0 += strip;
                above
            } else {
                crowded = true;
                full
            };
            let (w, h) = (scale * (x1 - x0), scale * (y1 - y0));
            let (cx, cy) = ((px0 + px1) / 2.0, (py0 + py1) / 2.0);
            // Box and legend centred together.
            let cx = if legend_beside { cx - lw / 2.0 } else { cx };
            (px0, px1, py0, py1) = (cx - w / 2.0, cx + w / 2.0, cy - h / 2.0, cy + h / 2.0);
        } else if entries_n > 0 {
            let (pw, ph) = (px1 - px0, py1 - py0);
            let inside =
                lw * lh <= MAX_LEGEND_COVER * pw * ph && lw + 16.0 <= pw && lh + 16.0 <= ph;
            let strip = legend_strip_height(&self.legend_entries(), pw);
            if !inside {
                // Beside the plot is the colour bar's place.
                if self.colorbar.is_none() && pw - lw >= 0.5 * pw && lh <= r.y + r.h - py0 {
                    legend_beside = true;
                    px1 -= lw;
                } else if ph - strip >= 0.5 * ph {
                    legend_above = Some(strip);
                    py0 += strip;
                } else {
                    crowded = true;
                }
            }
        }
        Layout {
            px0,
            px1,
            py0,
            py1,
            top_of_panel,
            legend_beside,
            legend_above,
            crowded,
        }
    }

    /// Draw the panel in `r`; with `band`, a crowded legend is left out (the figure draws it
    /// in its legend band).
    fn write_svg(&self, s: &mut String, k: usize, r: Rect, band: bool, italic: bool) {
        let Layout {
            px0,
            px1,
            py0,
            py1,
            top_of_panel,
            legend_beside,
            legend_above,
            crowded,
        } = self.layout(r);
        let (x0, x1) = self.x.placed_range();
        let (y0, y1) = self.y.placed_range();
        let sx = |v: f64| (px0 + (v - x0) / (x1 - x0) * (px1 - px0)).clamp(-1e5, 1e5);
        let sy = |v: f64| (py1 - (v - y0) / (y1 - y0) * (py1 - py0)).clamp(-1e5, 1e5);
        let place = |p: &[f64; 2]| Some((sx(self.x.place(p[0])?), sy(self.y.place(p[1])?)));
        let clip = format!("clip{k}");
        let _ = writeln!(
            s,
            r#"<defs><clipPath id="{clip}"><rect x="{px0:.2}" y="{py0:.2}" width="{:.2}" height="{:.2}"/></clipPath></defs>"#,
            px1 - px0,
            py1 - py0
        );
        // Heat maps first, then the grid over them only where there is none.
        for h in &self.heatmaps {
            let _ = writeln!(
                s,
                r#"<g clip-path="url(#{clip})" shape-rendering="crispEdges" data-heatmap="{}">"#,
                esc(&h.name)
            );
            if h.rows * h.cols > MAX_TILES {
                // A fine map as one image of its cells (drawn without smoothing), as
                // matplotlib writes pcolormesh: a file of kilobytes, not of 10⁴ rectangles.
                let (left, right) = (sx(h.x0), sx(h.x0 + h.cols as f64 * h.dx));
                let (top, bottom) = (sy(h.y0 + h.rows as f64 * h.dy), sy(h.y0));
                if let Some(png) = heatmap_png(h) {
                    let _ = writeln!(
                        s,
                        r#"<image x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" preserveAspectRatio="none" image-rendering="optimizeSpeed" xlink:href="data:image/png;base64,{}"/>"#,
                        left.min(right),
                        top.min(bottom),
                        (right - left).abs(),
                        (bottom - top).abs(),
                        base64(&png)
                    );
                }
                s.push_str("</g>\n");
                continue;
            }
            for row in 0..h.rows {
                for col in 0..h.cols {
                    let c = h.map.color(h.values[row * h.cols + col]);
                    if c[3] == 0 {
                        continue;
                    }
                    let (ax, bx) = (
                        sx(h.x0 + col as f64 * h.dx),
                        sx(h.x0 + (col + 1) as f64 * h.dx),
                    );
                    let (ay, by) = (
                        sy(h.y0 + (row + 1) as f64 * h.dy),
                        sy(h.y0 + row as f64 * h.dy),
                    );
                    // A hair of overlap hides the seams between tiles.
                    let _ = writeln!(
                        s,
                        r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" {}/>"#,
                        ax.min(bx),
                        ay.min(by),
                        (bx - ax).abs() + 0.3,
                        (by - ay).abs() + 0.3,
                        paint("fill", c)
                    );
                }
            }
            s.push_str("</g>\n");
        }
        // As many ticks as the plot has room for: one per ~60 px across, ~40 px up (8 and 6
        // at most, 2 at least).
        let xt = axis_ticks(&self.x, ((px1 - px0) / 60.0).clamp(2.0, 8.0) as usize);
        let yt = axis_ticks(&self.y, ((py1 - py0) / 40.0).clamp(2.0, 6.0) as usize);
        if self.grid {
            s.push_str(r##"<g stroke="#dddddd" stroke-width="0.6">"##);
            s.push('\n');
            for (v, _) in &xt {
                let _ = writeln!(
                    s,
                    r#"<line x1="{0:.2}" y1="{py0:.2}" x2="{0:.2}" y2="{py1:.2}"/>"#,
                    sx(*v)
                );
            }
            for (v, _) in &yt {
                let _ = writeln!(
                    s,
                    r#"<line x1="{px0:.2}" y1="{0:.2}" x2="{px1:.2}" y2="{0:.2}"/>"#,
                    sy(*v)
                );
            }
            s.push_str("</g>\n");
        }
        for (v, label) in &xt {
            let xx = sx(*v);
            let _ = writeln!(
                s,
                r#"<line x1="{xx:.2}" y1="{py1:.2}" x2="{xx:.2}" y2="{:.2}" stroke="black" stroke-width="0.8"/><text x="{xx:.2}" y="{:.2}" text-anchor="middle" font-size="12">{}</text>"#,
                py1 + 5.0,
                py1 + 19.0,
                esc(label)
            );
        }
        for (v, label) in &yt {
            let yy = sy(*v);
            let _ = writeln!(
                s,
                r#"<line x1="{:.2}" y1="{yy:.2}" x2="{px0:.2}" y2="{yy:.2}" stroke="black" stroke-width="0.8"/><text x="{:.2}" y="{:.2}" text-anchor="end" font-size="12">{}</text>"#,
                px0 - 5.0,
                px0 - 8.0,
                yy + 4.0,
                esc(label)
            );
        }
        let _ = writeln!(
            s,
            r#"<text x="{:.2}" y="{:.2}" text-anchor="middle" font-size="14">{}</text>"#,
            (px0 + px1) / 2.0,
            py1 + 40.0,
            label(&self.x.title(), italic)
        );
        // The y title fits the panel's height: smaller type where it is long and the panel
        // short (a stacked panel on a small page), down to 7.5 px.
        let y_title = self.y.title();
        let mid = (py0 + py1) / 2.0;
        let room = 2.0 * (mid - r.y).min(r.y + r.h - mid) - 6.0;
        let want = 14.0 * EM_ADVANCE * y_title.chars().count() as f64;
        let y_size = if want > room {
            (14.0 * room / want).max(7.5)
        } else {
            14.0
        };
        let _ = writeln!(
            s,
            r#"<text transform="translate({:.2} {:.2}) rotate(-90)" text-anchor="middle" font-size="{y_size:.1}">{}</text>"#,
            px0 - 56.0,
            (py0 + py1) / 2.0,
            label(&y_title, italic)
        );
        let _ = writeln!(s, r#"<g clip-path="url(#{clip})">"#);
        for b in &self.bands {
            // One polygon per stretch where both edges have a place.
            let mut stretch: Vec<(Xy, Xy)> = Vec::new();
            let mut flush = |stretch: &mut Vec<(Xy, Xy)>| {
                if stretch.len() > 1 {
                    let mut d = String::new();
                    for (i, (lo, _)) in stretch.iter().enumerate() {
                        let _ = write!(
                            d,
                            "{}{:.2},{:.2} ",
                            if i == 0 { "M" } else { "L" },
                            lo.0,
                            lo.1
                        );
                    }
                    for (_, hi) in stretch.iter().rev() {
                        let _ = write!(d, "L{:.2},{:.2} ", hi.0, hi.1);
                    }
                    let _ = writeln!(
                        s,
                        r#"<path data-band="{}" d="{}Z" {} stroke="none"/>"#,
                        esc(&b.name),
                        d,
                        paint("fill", b.color)
                    );
                }
                stretch.clear();
            };
            for i in 0..b.xs.len() {
                match (place(&[b.xs[i], b.lo[i]]), place(&[b.xs[i], b.hi[i]])) {
                    (Some(lo), Some(hi)) => stretch.push((lo, hi)),
                    _ => flush(&mut stretch),
                }
            }
            flush(&mut stretch);
        }
        // Every series, line and legend sample in a colour that reads on the white page
        // (over a heat map the map is the background: colours as given).
        let on_page = self.heatmaps.is_empty();
        let ink = |c: Rgba| {
            if on_page {
                palette::on(c, palette::PAGE)
            } else {
                c
            }
        };
        for ser in &self.series {
            let name = esc(&ser.name);
            match ser.mark {
                Mark::Line { width, dash } => {
                    let mut d = String::new();
                    let mut pen_down = false;
                    for p in &ser.points {
                        match place(p) {
                            Some((xx, yy)) => {
                                let _ = write!(
                                    d,
                                    "{}{xx:.2},{yy:.2} ",
                                    if pen_down { "L" } else { "M" }
                                );
                                pen_down = true;
                            }
                            None => pen_down = false,
                        }
                    }
                    if !d.is_empty() {
                        let _ = writeln!(
                            s,
                            r#"<path data-series="{name}" d="{}" fill="none" {} stroke-width="{width}" stroke-linejoin="round"{}/>"#,
                            d.trim_end(),
                            paint("stroke", ink(ser.color)),
                            dasharray(dash, width)
                        );
                    }
                }
                Mark::Points {
                    radius,
                    shape,
                    filled,
                } => {
                    let style = if filled {
                        paint("fill", ink(ser.color))
                    } else {
                        format!(
                            r#"fill="none" {} stroke-width="1.5""#,
                            paint("stroke", ink(ser.color))
                        )
                    };
                    let _ = writeln!(s, r#"<g data-series="{name}" {style}>"#);
                    if shape == Shape::Circle && ser.points.len() > MERGE_POINTS {
                        // A cloud of walkers as one path of circles (two arcs each): a
                        // tenth of the bytes of a <circle> apiece, the same picture.
                        let mut d = String::new();
                        for (xx, yy) in ser.points.iter().filter_map(place) {
                            let _ = write!(
                                d,
                                "M{:.1} {yy:.1}a{radius} {radius} 0 1 0 {:.1} 0a{radius} {radius} 0 1 0 {:.1} 0",
                                xx - radius,
                                2.0 * radius,
                                -2.0 * radius
                            );
                        }
                        let _ = writeln!(s, r#"<path d="{d}"/>"#);
                    } else {
                        for (xx, yy) in ser.points.iter().filter_map(place) {
                            marker(s, shape, xx, yy, radius, ink(ser.color));
                        }
                    }
                    s.push_str("</g>\n");
                }
                Mark::Bars { width } => {
                    let fill = palette::with_alpha(ink(ser.color), 90);
                    let _ = writeln!(
                        s,
                        r#"<g data-series="{name}" {} {} stroke-width="1.2">"#,
                        paint("fill", fill),
                        paint("stroke", ink(ser.color))
                    );
                    let base = sy(self.y.place(0.0).unwrap_or(y0).max(y0));
                    for p in ser
                        .points
                        .iter()
                        .filter(|p| p[0].is_finite() && p[1].is_finite())
                    {
                        let (a, b) = (sx(p[0] - width / 2.0), sx(p[0] + width / 2.0));
                        let top = sy(p[1].max(0.0));
                        let _ = writeln!(
                            s,
                            r#"<rect x="{a:.2}" y="{top:.2}" width="{:.2}" height="{:.2}"/>"#,
                            (b - a).max(0.0),
                            (base - top).clamp(0.0, 1e5)
                        );
                    }
                    s.push_str("</g>\n");
                }
            }
        }
        for line in &self.ref_lines {
            let (a, b) = match line.at {
                RefAt::Horizontal(v) => match self.y.place(v) {
                    Some(v) => ((px0, sy(v)), (px1, sy(v))),
                    None => continue,
                },
                RefAt::Vertical(v) => match self.x.place(v) {
                    Some(v) => ((sx(v), py0), (sx(v), py1)),
                    None => continue,
                },
            };
            let _ = writeln!(
                s,
                r#"<line data-series="{}" x1="{:.2}" y1="{:.2}" x2="{:.2}" y2="{:.2}" {} stroke-width="{}"{}/>"#,
                esc(&line.legend),
                a.0,
                a.1,
                b.0,
                b.1,
                paint("stroke", ink(line.color)),
                line.width,
                dasharray(line.dash, line.width)
            );
        }
        for l in &self.labels {
            let Some((xx, yy)) = place(&l.at) else {
                continue;
            };
            let anchor = match l.anchor[0] {
                -1 => "start",
                1 => "end",
                _ => "middle",
            };
            let dy = match l.anchor[1] {
                -1 => 0.0,
                1 => 0.8 * l.size,
                _ => 0.35 * l.size,
            };
            // A patch behind keeps a label readable over bars and maps (see `label_patch`).
            let w = EM_ADVANCE * l.size * l.text.chars().count() as f64 + 4.0;
            let left = match l.anchor[0] {
                -1 => xx - 2.0,
                1 => xx - w + 2.0,
                _ => xx - w / 2.0,
            };
            let _ = writeln!(
                s,
                r#"<rect x="{left:.2}" y="{:.2}" width="{w:.2}" height="{:.2}" {}/>"#,
                yy + dy - 0.95 * l.size,
                1.25 * l.size,
                paint("fill", palette::label_patch(l.color, palette::PAGE))
            );
            let _ = writeln!(
                s,
                r#"<text x="{xx:.2}" y="{:.2}" text-anchor="{anchor}" font-size="{}" {}>{}</text>"#,
                yy + dy,
                l.size,
                paint("fill", l.color),
                label(&l.text, italic)
            );
        }
        s.push_str("</g>\n");
        let _ = writeln!(
            s,
            r#"<rect x="{px0:.2}" y="{py0:.2}" width="{:.2}" height="{:.2}" fill="none" stroke="black" stroke-width="1"/>"#,
            px1 - px0,
            py1 - py0
        );
        if let Some(bar) = &self.colorbar {
            colorbar_svg(s, bar, px1 + 18.0, py0, py1, italic);
        }
        let entries: Vec<LegendEntry> = self
            .legend_entries()
            .into_iter()
            .map(|e| LegendEntry {
                color: ink(e.color),
                ..e
            })
            .collect();
        if legend_above.is_some() {
            let entries = for_page(entries);
            let top = if self.equal_aspect {
                py0 - legend_above.unwrap_or(0.0)
            } else {
                top_of_panel
            };
            legend_strip_svg(s, &entries, px0, top, px1 - px0, italic);
        } else if legend_beside {
            // Off the map, on the page: its samples read on the page (the map's white
            // contours would not).
            let entries = for_page(entries);
            // The legend's left edge 12 past the box (legend_svg puts a right-corner legend
            // 8 inside the right edge it is given).
            let lw = legend_box_width(&entries);
            legend_svg(
                s,
                &entries,
                Corner::RightTop,
                (px1, py0 - 8.0, px1 + 12.0 + lw + 8.0, py1),
                italic,
            );
        } else if !(band && crowded) {
            legend_svg(s, &entries, self.legend, (px0, py0, px1, py1), italic);
        }
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::figure::{Dash, Series};

    #[test]
    fn wrapping_keeps_every_word_and_stays_within_the_width() {
        let text = "Quadratic ℓ = x w²/2, SGD, two-point noise; a = −1.000, λ = 0.8000, N = 2000 (t = 61): μ = −0.327 < 0, SGD is trapped at w = 0";
        let lines = wrap(text, 300.0, 12.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.join(" "), text);
        let max = (300.0 / (12.0 * EM_ADVANCE)) as usize;
        assert!(lines.iter().all(|l| l.chars().count() <= max));
    }

    #[test]
    fn log_axes_tick_at_decades() {
        let a = Axis::new("t", "", 1.0, 1e4).log10();
        let t = axis_ticks(&a, 8);
        assert_eq!(t.first().map(|t| t.1.as_str()), Some("10⁰"));
        assert_eq!(t.last().map(|t| t.1.as_str()), Some("10⁴"));
    }

    #[test]
    fn a_map_short_of_width_makes_room_for_its_legend_beside_it() {
        // A square map in a square panel: no width left over, so the map gives some up.
        let mut p = Panel::new(
            "map",
            1.0,
            Axis::new("w1", "", -1.0, 1.0),
            Axis::new("w2", "", -1.0, 1.0),
        );
        p.equal_aspect = true;
        p.series.push(Series::line(
            "contours of L",
            [0, 0, 0, 255],
            1.0,
            Dash::Solid,
            vec![[-1.0, 0.0], [1.0, 0.0]],
        ));
        let mut s = String::new();
        p.write_svg(
            &mut s,
            0,
            Rect {
                x: 0.0,
                y: 0.0,
                w: 500.0,
                h: 500.0,
            },
            false,
            false,
        );
        // An attribute of the first tag at `at`.
        let attr = |at: usize, name: &str| -> f64 {
            let rest = &s[at..];
            let v = &rest[rest.find(&format!(" {name}=\"")).expect(name) + name.len() + 3..];
            v[..v.find('"').unwrap()].parse().unwrap()
        };
        let frame = s.find(r#"fill="none" stroke="black""#).unwrap();
        let frame = s[..frame].rfind("<rect").unwrap();
        let (fx, fw, fh) = (
            attr(frame, "x"),
            attr(frame, "width"),
            attr(frame, "height"),
        );
        let lx = attr(s.find(r#"<g class="legend">"#).unwrap(), "x");
        assert!(
            lx >= fx + fw,
            "legend at x = {lx}, map frame ends at {}",
            fx + fw
        );
        // The map stays square and keeps most of the panel.
        assert!(
            (fw - fh).abs() < 0.01 && fw > 0.6 * (500.0 - LEFT - RIGHT_PLAIN),
            "{fw} × {fh}"
        );
    }
}
