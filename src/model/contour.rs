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

    /// Line segments of the level set {f = level}.
    pub fn contour(&self, level: f64) -> Vec<[[f64; 2]; 2]> {
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
                        let t = (level - a) / (b - a);
                        let (p, q) = (corners[k], corners[(k + 1) % 4]);
                        let x = self.x0 + (p.0 as f64 + t * (q.0 as f64 - p.0 as f64)) * self.dx;
                        let y = self.y0 + (p.1 as f64 + t * (q.1 as f64 - p.1 as f64)) * self.dy;
                        crossings.push([x, y]);
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
