//! Contour lines of a function sampled on a regular grid (marching squares), for drawing the
//! landscapes' level sets. Pure geometry.

/// A grid of samples: `values[row * cols + col]` at (x0 + col·dx, y0 + row·dy).
#[derive(Clone, Debug)]
pub struct Grid {
    pub cols: usize,
    pub rows: usize,
    pub x0: f64,
    pub y0: f64,
    pub dx: f64,
    pub dy: f64,
    pub values: Vec<f64>,
}

impl Grid {
    /// Sample `f` on `cols × rows` points spanning [x0, x1] × [y0, y1].
    pub fn sample(
        f: impl Fn(f64, f64) -> f64,
        x: (f64, f64),
        y: (f64, f64),
        cols: usize,
        rows: usize,
    ) -> Grid {
        crate::coop::block_on(Grid::sample_async(f, x, y, cols, rows))
    }

    /// As [`Grid::sample`], giving the frame back between rows (see [`crate::coop`]).
    pub async fn sample_async(
        f: impl Fn(f64, f64) -> f64,
        (x0, x1): (f64, f64),
        (y0, y1): (f64, f64),
        cols: usize,
        rows: usize,
    ) -> Grid {
        let (cols, rows) = (cols.max(2), rows.max(2));
        let dx = (x1 - x0) / (cols - 1) as f64;
        let dy = (y1 - y0) / (rows - 1) as f64;
        let mut values = Vec::with_capacity(cols * rows);
        for r in 0..rows {
            for c in 0..cols {
                values.push(f(x0 + c as f64 * dx, y0 + r as f64 * dy));
                // A sample a unit: it may be a quadrature or a Lyapunov estimate.
                crate::coop::yield_now().await;
            }
        }
        Grid {
            cols,
            rows,
            x0,
            y0,
            dx,
            dy,
            values,
        }
    }

    fn at(&self, c: usize, r: usize) -> f64 {
        self.values[r * self.cols + c]
    }

    /// Line segments of the level set {f = level}, each crossing linearly interpolated along
    /// its cell edge.
    pub fn contour(&self, level: f64) -> Vec<[[f64; 2]; 2]> {
        self.contour_with(level, None::<fn(f64, f64) -> f64>)
    }

    /// As [`Grid::contour`], each crossing bisected along its cell edge on `f` (the function
    /// the grid samples) to rounding: 60 halvings, or until `f` is no longer finite.
    pub fn contour_refined(&self, level: f64, f: impl Fn(f64, f64) -> f64) -> Vec<[[f64; 2]; 2]> {
        self.contour_with(level, Some(f))
    }

    fn contour_with(
        &self,
        level: f64,
        refine: Option<impl Fn(f64, f64) -> f64>,
    ) -> Vec<[[f64; 2]; 2]> {
        let point = |p: (usize, usize), q: (usize, usize), t: f64| {
            [
                self.x0 + (p.0 as f64 + t * (q.0 as f64 - p.0 as f64)) * self.dx,
                self.y0 + (p.1 as f64 + t * (q.1 as f64 - p.1 as f64)) * self.dy,
            ]
        };
        let mut segs = Vec::new();
        for r in 0..self.rows - 1 {
            for c in 0..self.cols - 1 {
                // Corners counter-clockwise from bottom-left.
                let corners = [(c, r), (c + 1, r), (c + 1, r + 1), (c, r + 1)];
                let v: Vec<f64> = corners.iter().map(|&(c, r)| self.at(c, r)).collect();
                if v.iter().any(|x| !x.is_finite()) {
                    continue;
                }
                let mut crossings = Vec::with_capacity(4);
                for k in 0..4 {
                    let (a, b) = (v[k], v[(k + 1) % 4]);
                    if (a < level) != (b < level) {
                        let mut t = (level - a) / (b - a);
                        let (p, q) = (corners[k], corners[(k + 1) % 4]);
                        if let Some(f) = &refine {
                            let (mut lo, mut hi) = (0.0, 1.0);
                            for _ in 0..60 {
                                let mid = 0.5 * (lo + hi);
                                let [x, y] = point(p, q, mid);
                                let v = f(x, y);
                                if !v.is_finite() {
                                    break;
                                }
                                if (v < level) == (a < level) {
                                    lo = mid;
                                } else {
                                    hi = mid;
                                }
                            }
                            t = 0.5 * (lo + hi);
                        }
                        crossings.push(point(p, q, t));
                    }
                }
                match crossings.len() {
                    2 => segs.push([crossings[0], crossings[1]]),
                    4 => {
                        // Saddle cell: pair by the centre value.
                        let centre = v.iter().sum::<f64>() / 4.0;
                        if (centre < level) == (v[0] < level) {
                            segs.push([crossings[0], crossings[3]]);
                            segs.push([crossings[1], crossings[2]]);
                        } else {
                            segs.push([crossings[0], crossings[1]]);
                            segs.push([crossings[2], crossings[3]]);
                        }
                    }
                    _ => {}
                }
            }
        }
        segs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loss_levels_of_the_sharp_minima_break_between_segments() {
        use crate::model::{Landscape, LandscapeParams};
        let lp = LandscapeParams {
            landscape: Landscape::SharpMinima,
            a: 0.5,
            b: 0.0,
        };
        let levels = LossLevels::new(&lp, (-1.0, 1.0), (-1.0, 1.0));
        assert_eq!(levels.contours.len(), 12);
        assert!(levels.lo < levels.hi);
        let segments: usize = levels.contours.iter().map(Vec::len).sum();
        let line = levels.polyline();
        // Two points and a pen-up per segment; every point lies in the box.
        assert_eq!(line.len(), 3 * segments);
        for chunk in line.chunks(3) {
            assert!(chunk[2][0].is_nan());
            for p in &chunk[..2] {
                assert!(p.iter().all(|v| (-1.0..=1.0).contains(v)), "{p:?}");
            }
        }
    }

    #[test]
    fn circle_contour_lies_on_the_circle() {
        let g = Grid::sample(|x, y| x * x + y * y, (-1.0, 1.0), (-1.0, 1.0), 81, 81);
        let segs = g.contour(0.25);
        assert!(segs.len() > 40);
        for s in &segs {
            for p in s {
                // Linear interpolation of a quadratic: error ≤ h²/8·f'' ≈ 2.5e-4 per unit.
                assert!(
                    ((p[0] * p[0] + p[1] * p[1]).sqrt() - 0.5).abs() < 2e-3,
                    "{p:?}"
                );
            }
        }
    }
}

/// A landscape's averaged loss L over a box, with the contour levels both the app and the
/// exported figure draw.
#[derive(Clone, Debug)]
pub struct LossLevels {
    pub grid: Grid,
    /// Contour segments, one list per level.
    pub contours: Vec<Vec<[[f64; 2]; 2]>>,
    /// The colour range: the lowest loss and the 80th percentile (the walls grow as w⁴ and
    /// would flatten the rest).
    pub lo: f64,
    pub hi: f64,
}

impl LossLevels {
    /// L sampled on 121 × 121 points of [x0, x1] × [y0, y1]; 12 levels, denser near the bottom.
    pub fn new(lp: &crate::model::LandscapeParams, x: (f64, f64), y: (f64, f64)) -> LossLevels {
        LossLevels::of(|a, b| lp.averaged_loss([a, b]), x, y)
    }

    /// The levels of any L(w1, w2) (a typed landscape's E_x ℓ).
    pub fn of(l: impl Fn(f64, f64) -> f64, x: (f64, f64), y: (f64, f64)) -> LossLevels {
        let grid = Grid::sample(l, x, y, 121, 121);
        let mut sorted: Vec<f64> = grid
            .values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        sorted.sort_by(f64::total_cmp);
        let lo = sorted.first().copied().unwrap_or(0.0);
        let hi = sorted
            .get(sorted.len() * 4 / 5)
            .copied()
            .unwrap_or(lo + 1.0)
            .max(lo + 1e-9);
        let contours = (1..=12)
            .map(|k| grid.contour(lo + (hi - lo) * (k as f64 / 12.0).powi(2)))
            .collect();
        LossLevels {
            grid,
            contours,
            lo,
            hi,
        }
    }

    /// Every contour segment as one polyline broken by NaN points (a break lifts the pen).
    pub fn polyline(&self) -> Vec<[f64; 2]> {
        let mut out = Vec::new();
        for seg in self.contours.iter().flatten() {
            out.extend_from_slice(seg);
            out.push([f64::NAN, f64::NAN]);
        }
        out
    }
}
