//! One figure per view: a plot description built once from a view's own experiment and drawn by
//! every surface — the window (through the egui adapter in `app::plot`), SVG, PNG and CSV. No
//! colour, style, label or range is decided anywhere else. Pure data and pure functions: no
//! egui, no threads, no I/O.
//!
//! A [`Figure`] is panels in a column or a row; a [`Panel`] is a plot with two axes (linear or
//! log10), heat maps with their colour map, shaded bands, series (lines, points, bars),
//! reference lines and text labels, a legend corner and an optional colour bar.

pub mod csv;
pub mod format;
pub mod output;
pub mod palette;
pub mod style;
pub mod svg;
pub mod views;

pub use format::fmt_num;
pub use palette::{ColorMap, Rgba};

/// A figure: what a view shows, with a title, an explanatory note and a caption generated
/// from the view's own experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// One line above the plots (the preset or the view).
    pub title: String,
    /// A short line on how to read the plots ("solid: …, dotted: …"); empty for none.
    pub note: String,
    pub arrangement: Arrangement,
    pub panels: Vec<Panel>,
    /// Generated from the parameters of the experiment shown, never typed.
    pub caption: String,
}

/// How the panels are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrangement {
    /// Stacked top to bottom.
    Column,
    /// Side by side, left to right.
    Row,
}

/// One plot.
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    /// A stable name: the window's plot id and the CSV file's suffix.
    pub id: String,
    /// Share of the figure along its arrangement (the shares of a figure add up to 1).
    pub share: f64,
    pub x: Axis,
    pub y: Axis,
    /// Drawn first, in order.
    pub heatmaps: Vec<Heatmap>,
    pub bands: Vec<Band>,
    pub series: Vec<Series>,
    pub ref_lines: Vec<RefLine>,
    pub labels: Vec<Label>,
    pub legend: Corner,
    pub grid: bool,
    /// One unit of x is as long as one unit of y on screen and on paper.
    pub equal_aspect: bool,
    /// A colour bar beside the plot, for one of the heat maps.
    pub colorbar: Option<ColorBar>,
}

impl Panel {
    /// An empty panel with the given axes: grid on, legend top right, no colour bar.
    pub fn new(id: &str, share: f64, x: Axis, y: Axis) -> Panel {
        Panel {
            id: id.to_owned(),
            share,
            x,
            y,
            heatmaps: Vec::new(),
            bands: Vec::new(),
            series: Vec::new(),
            ref_lines: Vec::new(),
            labels: Vec::new(),
            legend: Corner::RightTop,
            grid: true,
            equal_aspect: false,
            colorbar: None,
        }
    }

    /// The legend as drawn: (label, colour, swatch) in insertion order, one entry per label
    /// (items sharing a label share an entry, the first one's colour), bands first, then series,
    /// then reference lines, as the window's legend lists them.
    pub fn legend_entries(&self) -> Vec<LegendEntry> {
        let mut out: Vec<LegendEntry> = Vec::new();
        let mut push = |label: &str, color: Rgba, swatch: Swatch| {
            if !label.is_empty() && !out.iter().any(|e| e.label == label) {
                out.push(LegendEntry {
                    label: label.to_owned(),
                    color,
                    swatch,
                });
            }
        };
        for h in &self.heatmaps {
            push(&h.legend, [128, 128, 128, 255], Swatch::Area);
        }
        for b in &self.bands {
            push(&b.legend, b.color, Swatch::Area);
        }
        for s in &self.series {
            let swatch = match s.mark {
                Mark::Line { width, dash } => Swatch::Line { width, dash },
                Mark::Points { shape, filled, .. } => Swatch::Point { shape, filled },
                Mark::Bars { .. } => Swatch::Area,
            };
            push(&s.legend, s.color, swatch);
        }
        for r in &self.ref_lines {
            push(
                &r.legend,
                r.color,
                Swatch::Line {
                    width: r.width,
                    dash: r.dash,
                },
            );
        }
        out
    }
}

impl Panel {
    /// Put the legend in the corner where it covers the least of what is drawn: points, line
    /// segments (sampled), bars (from 0 to their top), band edges and labels, in the box a
    /// legend of this many entries takes (about 42 % of the width, 6.5 % of the height per
    /// entry). Ties keep the corner already set. Heat maps fill the plot and do not count.
    pub fn place_legend(&mut self) {
        let n = self.legend_entries().len();
        if n == 0 {
            return;
        }
        let (x0, x1) = self.x.placed_range();
        let (y0, y1) = self.y.placed_range();
        if !(x1 > x0 && y1 > y0) {
            return;
        }
        let (bw, bh) = (0.42, (0.06 + 0.065 * n as f64).min(0.9));
        let norm = |p: &[f64; 2]| -> Option<(f64, f64)> {
            Some((
                (self.x.place(p[0])? - x0) / (x1 - x0),
                (self.y.place(p[1])? - y0) / (y1 - y0),
            ))
        };
        let boxes = |c: Corner| -> (f64, f64, f64, f64) {
            let (l, r) = match c {
                Corner::LeftTop | Corner::LeftBottom => (0.0, bw),
                Corner::RightTop | Corner::RightBottom => (1.0 - bw, 1.0),
            };
            let (b, t) = match c {
                Corner::LeftBottom | Corner::RightBottom => (0.0, bh),
                Corner::LeftTop | Corner::RightTop => (1.0 - bh, 1.0),
            };
            (l, r, b, t)
        };
        let order = [
            self.legend,
            Corner::RightTop,
            Corner::LeftTop,
            Corner::RightBottom,
            Corner::LeftBottom,
        ];
        let mut best = (f64::INFINITY, self.legend);
        for c in order {
            let (l, r, b, t) = boxes(c);
            let inside = |u: f64, v: f64| (l..=r).contains(&u) && (b..=t).contains(&v);
            let mut ink = 0.0;
            for s in &self.series {
                match s.mark {
                    Mark::Bars { .. } => {
                        for p in &s.points {
                            if let Some((u, v)) = norm(p) {
                                let base = self.y.place(0.0).map_or(0.0, |z| (z - y0) / (y1 - y0));
                                let (lo, hi) = (base.min(v), base.max(v));
                                if (l..=r).contains(&u) && hi >= b && lo <= t {
                                    ink += 1.0;
                                }
                            }
                        }
                    }
                    Mark::Points { .. } => {
                        ink += s
                            .points
                            .iter()
                            .filter_map(norm)
                            .filter(|&(u, v)| inside(u, v))
                            .count() as f64;
                    }
                    Mark::Line { .. } => {
                        for w in s.points.windows(2) {
                            if let (Some(a), Some(z)) = (norm(&w[0]), norm(&w[1])) {
                                ink += (0..8)
                                    .map(|k| k as f64 / 8.0)
                                    .filter(|f| {
                                        inside(a.0 + f * (z.0 - a.0), a.1 + f * (z.1 - a.1))
                                    })
                                    .count() as f64;
                            }
                        }
                    }
                }
            }
            for band in &self.bands {
                for k in 0..band.xs.len() {
                    for y in [band.lo[k], band.hi[k]] {
                        if norm(&[band.xs[k], y]).is_some_and(|(u, v)| inside(u, v)) {
                            ink += 1.0;
                        }
                    }
                }
            }
            for label in &self.labels {
                if norm(&label.at).is_some_and(|(u, v)| inside(u, v)) {
                    ink += 50.0;
                }
            }
            if ink < best.0 {
                best = (ink, c);
            }
        }
        self.legend = best.1;
    }
}

impl Figure {
    /// Every panel's legend in its emptiest corner ([`Panel::place_legend`]).
    pub fn with_legends_placed(mut self) -> Figure {
        for p in &mut self.panels {
            p.place_legend();
        }
        self
    }
}

/// One entry of a legend.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendEntry {
    pub label: String,
    pub color: Rgba,
    pub swatch: Swatch,
}

/// What a legend entry shows beside its label.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Swatch {
    Line { width: f64, dash: Dash },
    Point { shape: Shape, filled: bool },
    Area,
}

/// Where a legend sits inside its plot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Corner {
    LeftTop,
    RightTop,
    LeftBottom,
    RightBottom,
}

/// How values map onto an axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    Linear,
    /// Decades: a value v is drawn at log10 v; v ≤ 0 has no place on the axis.
    Log10,
}

/// An axis: the quantity, its unit, its scale and its range (in data units).
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// The quantity, e.g. "w" or "step t".
    pub label: String,
    /// Its unit ("" for none), e.g. "1/decade" for a density over log10|w|; in the CSV
    /// header.
    pub unit: String,
    pub scale: Scale,
    pub min: f64,
    pub max: f64,
}

impl Axis {
    pub fn new(label: &str, unit: &str, min: f64, max: f64) -> Axis {
        Axis {
            label: label.to_owned(),
            unit: unit.to_owned(),
            scale: Scale::Linear,
            min,
            max,
        }
    }

    pub fn log10(mut self) -> Axis {
        self.scale = Scale::Log10;
        self
    }

    /// Where a value is drawn along the axis (log10 of it on a log axis), if it has a place.
    pub fn place(&self, v: f64) -> Option<f64> {
        match self.scale {
            Scale::Linear => v.is_finite().then_some(v),
            Scale::Log10 => (v > 0.0 && v.is_finite()).then(|| v.log10()),
        }
    }

    /// The drawn range (log10 of the ends on a log axis).
    pub fn placed_range(&self) -> (f64, f64) {
        match self.scale {
            Scale::Linear => (self.min, self.max),
            Scale::Log10 => (
                self.min.max(f64::MIN_POSITIVE).log10(),
                self.max.max(f64::MIN_POSITIVE).log10(),
            ),
        }
    }

    /// The CSV column header: "label [unit]".
    pub fn header(&self) -> String {
        if self.unit.is_empty() {
            self.label.clone()
        } else {
            format!("{} [{}]", self.label, self.unit)
        }
    }

    /// The label drawn beside the axis: with its unit, and "(log)" on a log axis.
    pub fn title(&self) -> String {
        let mut s = self.header();
        if self.scale == Scale::Log10 {
            s.push_str(" (log)");
        }
        s
    }
}

/// How a line is stroked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dash {
    Solid,
    Dashed,
    Dotted,
}

/// Marker shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Circle,
    Diamond,
    Cross,
    Square,
}

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mark {
    /// Width in points (1/72 in at scale 1).
    Line { width: f64, dash: Dash },
    Points {
        radius: f64,
        shape: Shape,
        filled: bool,
    },
    /// Bars from 0 to y, centred on x, `width` in x units, translucent fill with a solid edge.
    Bars { width: f64 },
}

/// A set of points drawn one way.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// What the data is: the CSV's series column (unique within a panel).
    pub name: String,
    /// The legend label ("" for none); series sharing a label share one legend entry.
    pub legend: String,
    pub color: Rgba,
    pub mark: Mark,
    /// (x, y) in data units; a non-finite point lifts the pen of a line and is skipped
    /// otherwise.
    pub points: Vec<[f64; 2]>,
    /// A mark of the window's (the live view's (a, λ) on a phase diagram), not data: never in
    /// a legend or a CSV, and off in an export unless asked for.
    pub marker: bool,
}

impl Series {
    /// A line whose legend label is its name.
    pub fn line(name: &str, color: Rgba, width: f64, dash: Dash, points: Vec<[f64; 2]>) -> Series {
        Series {
            name: name.to_owned(),
            legend: name.to_owned(),
            color,
            mark: Mark::Line { width, dash },
            points,
            marker: false,
        }
    }

    /// Points whose legend label is their name.
    pub fn points(
        name: &str,
        color: Rgba,
        radius: f64,
        shape: Shape,
        points: Vec<[f64; 2]>,
    ) -> Series {
        Series {
            name: name.to_owned(),
            legend: name.to_owned(),
            color,
            mark: Mark::Points {
                radius,
                shape,
                filled: true,
            },
            points,
            marker: false,
        }
    }

    /// The same series under another legend label ("" to leave it out of the legend).
    pub fn legend(mut self, label: &str) -> Series {
        self.legend = label.to_owned();
        self
    }

    /// A mark of the window's, not data (see [`Series::marker`]).
    pub fn window_marker(mut self) -> Series {
        self.marker = true;
        self.legend.clear();
        self
    }

    /// Points drawn as outlines.
    pub fn hollow(mut self) -> Series {
        if let Mark::Points { filled, .. } = &mut self.mark {
            *filled = false;
        }
        self
    }
}

/// A shaded region between two curves over the same x.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    pub name: String,
    pub legend: String,
    /// Fill colour, alpha included.
    pub color: Rgba,
    pub xs: Vec<f64>,
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
}

/// Which way a reference line runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RefAt {
    /// y = value across the whole plot.
    Horizontal(f64),
    /// x = value across the whole plot.
    Vertical(f64),
}

/// A horizontal or vertical reference line across the plot.
#[derive(Clone, Debug, PartialEq)]
pub struct RefLine {
    pub legend: String,
    pub color: Rgba,
    pub width: f64,
    pub dash: Dash,
    pub at: RefAt,
}

/// A text label placed in data coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub text: String,
    pub at: [f64; 2],
    pub color: Rgba,
    /// Font size in points at scale 1.
    pub size: f64,
    /// Which point of the text sits at `at`: x in {−1 left, 0 centre, 1 right}, y in
    /// {−1 bottom, 0 centre, 1 top}.
    pub anchor: [i8; 2],
}

/// Values on a regular grid of tiles: `values[row * cols + col]` is the tile whose lower left
/// corner is (x0 + col·dx, y0 + row·dy); NaN is "not computed".
#[derive(Clone, Debug, PartialEq)]
pub struct Heatmap {
    /// What the colour means (the CSV's value column and the colour bar's label).
    pub name: String,
    pub legend: String,
    pub cols: usize,
    pub rows: usize,
    pub x0: f64,
    pub y0: f64,
    pub dx: f64,
    pub dy: f64,
    pub values: Vec<f64>,
    pub map: ColorMap,
}

impl Heatmap {
    /// The centre of tile (col, row).
    pub fn centre(&self, col: usize, row: usize) -> [f64; 2] {
        [
            self.x0 + (col as f64 + 0.5) * self.dx,
            self.y0 + (row as f64 + 0.5) * self.dy,
        ]
    }
}

/// A colour bar: the colour map of one heat map with labelled ticks.
#[derive(Clone, Debug, PartialEq)]
pub struct ColorBar {
    pub label: String,
    pub map: ColorMap,
    /// (value in the map's domain, label).
    pub ticks: Vec<(f64, String)>,
}

/// How a panel's step axis is scaled, as the user sets it (kept in presets): by where the
/// action is, or fixed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepScale {
    /// Log where a finished run's action fills the first 1 % of its steps (see
    /// [`StepScale::axis`]), linear otherwise.
    #[default]
    Auto,
    Linear,
    Log,
}

impl StepScale {
    pub const ALL: [StepScale; 3] = [StepScale::Auto, StepScale::Linear, StepScale::Log];

    pub fn label(self) -> &'static str {
        match self {
            StepScale::Auto => "auto",
            StepScale::Linear => "linear",
            StepScale::Log => "log",
        }
    }

    /// The step axis of a panel whose series run over steps 0 … `tmax`. Linear, or log10 from
    /// step 1. `Auto` turns log for a `finished` run whose series' action — 99 % of their total
    /// variation — is over within the first 1 % of the steps (Fig. 7's shares settle in ~100 of
    /// 10⁴ steps: on a linear axis all their motion would sit in one pixel column); a run still
    /// going keeps a linear axis, so the axis does not flip under the viewer. Window and
    /// exports read the same axis.
    pub fn axis(self, series: &[&Series], tmax: f64, finished: bool) -> Axis {
        let linear = Axis::new("step t", "", 0.0, tmax);
        let log = || Axis::new("step t", "", 1.0, tmax.max(10.0)).log10();
        match self {
            StepScale::Linear => linear,
            StepScale::Log => log(),
            StepScale::Auto if finished && action_is_early(series, tmax) => log(),
            StepScale::Auto => linear,
        }
    }
}

/// Whether 99 % of the series' total variation happens within the first 1 % of 0 … `tmax`
/// (never for runs under 1000 steps, where 1 % is a handful of points).
fn action_is_early(series: &[&Series], tmax: f64) -> bool {
    if tmax < 1000.0 {
        return false;
    }
    let (mut total, mut late) = (0.0, 0.0);
    for s in series {
        for w in s.points.windows(2) {
            let d = (w[1][1] - w[0][1]).abs();
            if d.is_finite() {
                total += d;
                if w[1][0] > 0.01 * tmax {
                    late += d;
                }
            }
        }
    }
    total > 0.0 && late <= 0.01 * total
}

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
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// Finite range of `values` with a 5 % margin, `default` when there is none; with
/// `include_zero` the range reaches 0 (and stops there without a margin).
pub fn data_range(
    values: impl Iterator<Item = f64>,
    default: (f64, f64),
    include_zero: bool,
) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if !(lo.is_finite() && hi.is_finite()) {
        return default;
    }
    if hi - lo < 1e-12 {
        return (lo - 0.5, hi + 0.5);
    }
    let m = 0.05 * (hi - lo);
    (
        if include_zero && lo == 0.0 {
            0.0
        } else {
            lo - m
        },
        if include_zero && hi == 0.0 {
            0.0
        } else {
            hi + m
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_inside() {
        let t = nice_ticks(0.0, 1.0, 5);
        assert_eq!(t.len(), 6);
        assert!((t[3] - 0.6).abs() < 1e-12);
        let t = nice_ticks(-1.0, 2.0, 6);
        assert_eq!(t.first(), Some(&-1.0));
        assert_eq!(t.last(), Some(&2.0));
        assert!(nice_ticks(1.0, 1.0, 5).is_empty());
        assert!(nice_ticks(f64::NAN, 1.0, 5).is_empty());
    }

    #[test]
    fn a_log_axis_places_only_positive_values() {
        let a = Axis::new("t", "steps", 1.0, 1e4).log10();
        assert_eq!(a.place(100.0), Some(2.0));
        assert_eq!(a.place(0.0), None);
        assert_eq!(a.place(f64::INFINITY), None);
        assert_eq!(a.placed_range(), (0.0, 4.0));
        assert_eq!(a.title(), "t [steps] (log)");
    }

    #[test]
    fn the_step_axis_turns_log_where_the_action_fills_its_first_percent() {
        let line = |pts: Vec<[f64; 2]>| Series::line("s", [0, 0, 0, 255], 1.0, Dash::Solid, pts);
        // Settles by step 80 of 10⁴ (Fig. 7's shares): log, from step 1.
        let fast = line(
            (0..=10_000)
                .step_by(10)
                .map(|t| {
                    let t = t as f64;
                    [t, (1.0 - (-t / 15.0).exp()).min(1.0)]
                })
                .collect(),
        );
        let auto = |s: &Series, tmax: f64| StepScale::Auto.axis(&[s], tmax, true).scale;
        let a = StepScale::Auto.axis(&[&fast], 10_000.0, true);
        assert_eq!((a.scale, a.min, a.max), (Scale::Log10, 1.0, 10_000.0));
        // Not while the run goes on; always or never when the user says so.
        assert_eq!(
            StepScale::Auto.axis(&[&fast], 1e4, false).scale,
            Scale::Linear
        );
        assert_eq!(
            StepScale::Linear.axis(&[&fast], 1e4, true).scale,
            Scale::Linear
        );
        assert_eq!(
            StepScale::Log.axis(&[&fast], 500.0, false).scale,
            Scale::Log10
        );
        // Moves all along: linear.
        let slow = line(
            (0..=10_000)
                .step_by(10)
                .map(|t| [t as f64, t as f64 / 1e4])
                .collect(),
        );
        assert_eq!(auto(&slow, 10_000.0), Scale::Linear);
        // A short run keeps a linear axis whatever its series.
        assert_eq!(auto(&fast, 500.0), Scale::Linear);
    }

    #[test]
    fn legend_entries_merge_by_label_in_order() {
        let mut p = Panel::new(
            "p",
            1.0,
            Axis::new("x", "", 0.0, 1.0),
            Axis::new("y", "", 0.0, 1.0),
        );
        p.series
            .push(Series::line("a", [1, 2, 3, 255], 1.0, Dash::Solid, vec![]));
        p.series
            .push(Series::line("a dotted", [1, 2, 3, 255], 1.0, Dash::Dotted, vec![]).legend("a"));
        p.series
            .push(Series::line("hidden", [9, 9, 9, 255], 1.0, Dash::Solid, vec![]).legend(""));
        p.ref_lines.push(RefLine {
            legend: "ref".into(),
            color: [0, 0, 0, 255],
            width: 1.0,
            dash: Dash::Dashed,
            at: RefAt::Horizontal(0.5),
        });
        let labels: Vec<String> = p.legend_entries().into_iter().map(|e| e.label).collect();
        assert_eq!(labels, ["a", "ref"]);
    }

    #[test]
    fn the_legend_goes_where_nothing_is_drawn() {
        let mut p = Panel::new(
            "p",
            1.0,
            Axis::new("x", "", 0.0, 1.0),
            Axis::new("y", "", 0.0, 1.0),
        );
        // A curve rising along the diagonal leaves the top-left and bottom-right corners empty;
        // one along the top covers both top corners.
        p.series.push(Series::line(
            "d",
            [0, 0, 0, 255],
            1.0,
            Dash::Solid,
            vec![[0.0, 0.0], [1.0, 1.0]],
        ));
        p.series.push(Series::line(
            "top",
            [0, 0, 0, 255],
            1.0,
            Dash::Solid,
            vec![[0.0, 0.97], [1.0, 0.97]],
        ));
        p.place_legend();
        assert_eq!(p.legend, Corner::RightBottom);
        // Nothing drawn: the corner set stays.
        let mut q = Panel::new(
            "q",
            1.0,
            Axis::new("x", "", 0.0, 1.0),
            Axis::new("y", "", 0.0, 1.0),
        );
        q.series.push(Series::line(
            "empty",
            [0, 0, 0, 255],
            1.0,
            Dash::Solid,
            vec![],
        ));
        q.legend = Corner::LeftTop;
        q.place_legend();
        assert_eq!(q.legend, Corner::LeftTop);
    }
}
