//! The data behind a figure as CSV: one tidy table per panel, columns named with their units.
//! Curves, points and bars are `series,<x>,<y>` rows; bands are two rows per x (`NAME (low)`,
//! `NAME (high)`); a panel with heat maps adds a value column, the tiles' rows named by the map.

use std::fmt::Write as _;

use super::{Figure, Panel};

/// Quote a field that holds a comma, a quote or a line break.
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The points a table can hold: a diverged walker (±∞ or NaN) has no place on the axes, and
/// the figure's caption and legend say how many there were, as the plot does.
fn finite(points: &[[f64; 2]]) -> impl Iterator<Item = &[f64; 2]> {
    points
        .iter()
        .filter(|p| p[0].is_finite() && p[1].is_finite())
}

impl Figure {
    /// One table per panel, in panel order.
    pub fn to_csv(&self) -> Vec<String> {
        self.panels.iter().map(Panel::to_csv).collect()
    }
}

impl Panel {
    pub fn to_csv(&self) -> String {
        let mut s = String::new();
        let maps = !self.heatmaps.is_empty();
        let _ = write!(
            s,
            "series,{},{}",
            field(&self.x.header()),
            field(&self.y.header())
        );
        if maps {
            let names: Vec<&str> = self.heatmaps.iter().map(|h| h.name.as_str()).collect();
            let _ = write!(s, ",{}", field(&names.join(" | ")));
        }
        s.push('\n');
        let empty = if maps { "," } else { "" };
        for h in &self.heatmaps {
            for r in 0..h.rows {
                for c in 0..h.cols {
                    let v = h.values[r * h.cols + c];
                    let [x, y] = h.centre(c, r);
                    let v = if v.is_nan() {
                        String::new()
                    } else {
                        v.to_string()
                    };
                    let _ = writeln!(s, "{},{x},{y},{v}", field(&h.name));
                }
            }
        }
        for b in &self.bands {
            for (k, x) in b.xs.iter().enumerate() {
                for (which, y) in [("low", b.lo[k]), ("high", b.hi[k])] {
                    if x.is_finite() && y.is_finite() {
                        let name = field(&format!("{} ({which})", b.name));
                        let _ = writeln!(s, "{name},{x},{y}{empty}");
                    }
                }
            }
        }
        for ser in self.series.iter().filter(|s| !s.marker) {
            let name = field(&ser.name);
            for p in finite(&ser.points) {
                let _ = writeln!(s, "{name},{},{}{empty}", p[0], p[1]);
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figure::{Axis, Dash, Series};

    #[test]
    fn quotes_what_needs_quoting_and_skips_points_off_the_axes() {
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("t = 5"), "t = 5");
        let mut p = Panel::new(
            "p",
            1.0,
            Axis::new("t", "steps", 0.0, 1.0),
            Axis::new("y", "", 0.0, 1.0),
        );
        p.series.push(Series::line(
            "s, 1",
            [0, 0, 0, 255],
            1.0,
            Dash::Solid,
            vec![[0.0, 1.0], [1.0, f64::INFINITY], [2.0, 3.0]],
        ));
        assert_eq!(
            p.to_csv(),
            "series,t [steps],y\n\"s, 1\",0,1\n\"s, 1\",2,3\n"
        );
    }
}
