//! Which basin a point of a 2-D landscape is in (Fig. 7, Fig. 3): near a sharp or a flat
//! minimum of Eq. 6, on the toy network's minimum valley or its saddle line, or elsewhere.

use serde::{Deserialize, Serialize};

use super::landscape::Landscape;
use super::theory::{PointKind, sharp_minima_points};

/// A walker's basin. Diverged walkers are counted apart by the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basin {
    /// Eq. 6: within [`MINIMUM_RADIUS`] of (0, ±√((1+a)/2)).
    SharpMinimum,
    /// Eq. 6: within [`MINIMUM_RADIUS`] of (±1/√2, 0).
    FlatMinimum,
    /// Toy network: |w2 w1² − ½| < [`VALLEY_TOLERANCE`]. Since L = (w2 w1² − ½)² + 2.25, that is
    /// L < 2.25 + 0.0225: within a tenth of the gap to the saddle's 2.5.
    Valley,
    /// Toy network: |w1| < [`SADDLE_TOLERANCE`]: the stationary line w1 = 0 where L = 2.5. It is
    /// the paper's saddle line for w2 ≥ 0; for w2 < 0 the same line is a degenerate local
    /// minimum with the same loss, where runs pushed past w2 = 0 also stop.
    Saddle,
    Other,
}

/// Distance to a minimum of Eq. 6 within which a walker counts as in it.
pub const MINIMUM_RADIUS: f64 = 0.2;
pub const VALLEY_TOLERANCE: f64 = 0.15;
pub const SADDLE_TOLERANCE: f64 = 0.05;

impl Basin {
    pub fn label(self) -> &'static str {
        match self {
            Basin::SharpMinimum => "sharp minima",
            Basin::FlatMinimum => "flat minima",
            Basin::Valley => "minimum valley (L = 2.25)",
            Basin::Saddle => "line w1 = 0 (L = 2.5)",
            Basin::Other => "elsewhere",
        }
    }

    /// The basins a landscape distinguishes (Other last).
    pub fn of(landscape: Landscape) -> &'static [Basin] {
        match landscape {
            Landscape::SharpMinima => &[Basin::SharpMinimum, Basin::FlatMinimum, Basin::Other],
            Landscape::ToyNetwork => &[Basin::Valley, Basin::Saddle, Basin::Other],
            _ => &[Basin::Other],
        }
    }
}

/// Precomputed minima for classifying many points of one landscape.
#[derive(Clone, Debug)]
pub struct Classifier {
    landscape: Landscape,
    minima: Vec<([f64; 2], Basin)>,
    /// The first four minima as (point, 1 sharp / 2 flat), padded with NaN points.
    table: [([f64; 2], u8); 4],
}

impl Classifier {
    pub fn new(landscape: Landscape, a: f64) -> Classifier {
        let minima = match landscape {
            Landscape::SharpMinima => sharp_minima_points(a)
                .into_iter()
                .filter_map(|p| match p.kind {
                    PointKind::SharpMinimum => Some((p.w, Basin::SharpMinimum)),
                    PointKind::FlatMinimum => Some((p.w, Basin::FlatMinimum)),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut table = [([f64::NAN; 2], 0u8); 4];
        for (t, (w, b)) in table.iter_mut().zip(&minima) {
            *t = (*w, if *b == Basin::SharpMinimum { 1 } else { 2 });
        }
        Classifier {
            landscape,
            minima,
            table,
        }
    }

    /// The position in [`Basin::of`]`(landscape)` of the basin of a finite point, without a
    /// branch (so that a loop over many points vectorises): the same answer as [`classify`]
    /// (Eq. 6's sharp and flat minima are at least 0.7 apart, so a point is within
    /// [`MINIMUM_RADIUS`] of minima of one kind at most).
    ///
    /// [`classify`]: Classifier::classify
    #[inline(always)]
    pub fn index(&self, w1: f64, w2: f64) -> usize {
        match self.landscape {
            Landscape::SharpMinima => {
                let r2 = MINIMUM_RADIUS * MINIMUM_RADIUS;
                let (mut sharp, mut flat) = (false, false);
                // A fixed-size table (unused entries at NaN, never within reach), so that the
                // loop unrolls and a loop over points vectorises.
                for k in 0..4 {
                    let ([mx, my], kind) = self.table[k];
                    let inside = (w1 - mx) * (w1 - mx) + (w2 - my) * (w2 - my) < r2;
                    sharp |= inside && kind == 1;
                    flat |= inside && kind == 2;
                }
                // [SharpMinimum, FlatMinimum, Other]
                if sharp {
                    0
                } else if flat {
                    1
                } else {
                    2
                }
            }
            Landscape::ToyNetwork => {
                // [Valley, Saddle, Other]
                let saddle = w1.abs() < SADDLE_TOLERANCE;
                let valley = (w2 * w1 * w1 - 0.5).abs() < VALLEY_TOLERANCE;
                if saddle {
                    1
                } else if valley {
                    0
                } else {
                    2
                }
            }
            _ => 0,
        }
    }

    /// The basin of a finite point.
    pub fn classify(&self, w: [f64; 2]) -> Basin {
        match self.landscape {
            Landscape::SharpMinima => self
                .minima
                .iter()
                // Squared distances: no library call per walker and minimum.
                .map(|(m, b)| ((w[0] - m[0]).powi(2) + (w[1] - m[1]).powi(2), *b))
                .filter(|(d2, _)| *d2 < MINIMUM_RADIUS * MINIMUM_RADIUS)
                .min_by(|x, y| x.0.total_cmp(&y.0))
                .map_or(Basin::Other, |(_, b)| b),
            Landscape::ToyNetwork => {
                if w[0].abs() < SADDLE_TOLERANCE {
                    Basin::Saddle
                } else if (w[1] * w[0] * w[0] - 0.5).abs() < VALLEY_TOLERANCE {
                    Basin::Valley
                } else {
                    Basin::Other
                }
            }
            _ => Basin::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_branch_free_index_agrees_with_classify() {
        // A grid over the plane, finer than the radii, for both landscapes and three a.
        for (landscape, a) in [
            (Landscape::SharpMinima, 0.5),
            (Landscape::SharpMinima, -0.95),
            (Landscape::ToyNetwork, 0.0),
        ] {
            let c = Classifier::new(landscape, a);
            for i in 0..=400 {
                for j in 0..=400 {
                    let w = [-2.0 + 0.01 * i as f64, -2.0 + 0.01 * j as f64];
                    let want = c.classify(w);
                    assert_eq!(Basin::of(landscape)[c.index(w[0], w[1])], want, "{w:?}");
                }
            }
        }
    }

    #[test]
    fn known_points_classify() {
        let c = Classifier::new(Landscape::SharpMinima, 0.5);
        let y = (0.75f64).sqrt();
        assert_eq!(c.classify([0.0, y]), Basin::SharpMinimum);
        assert_eq!(c.classify([0.05, -y + 0.1]), Basin::SharpMinimum);
        assert_eq!(
            c.classify([std::f64::consts::FRAC_1_SQRT_2, 0.0]),
            Basin::FlatMinimum
        );
        assert_eq!(c.classify([-0.6, 0.1]), Basin::FlatMinimum);
        assert_eq!(c.classify([0.0, 0.0]), Basin::Other);
        let n = Classifier::new(Landscape::ToyNetwork, 0.0);
        assert_eq!(n.classify([1.0, 0.5]), Basin::Valley);
        assert_eq!(n.classify([-0.5, 2.0]), Basin::Valley);
        assert_eq!(n.classify([0.0, 0.3]), Basin::Saddle);
        assert_eq!(n.classify([0.01, 0.0]), Basin::Saddle);
        assert_eq!(n.classify([0.0, -1.0]), Basin::Saddle);
        assert_eq!(n.classify([0.2, -1.0]), Basin::Other);
        assert_eq!(n.classify([1.0, 1.0]), Basin::Other);
        assert_eq!(n.classify([1.0, 0.6]), Basin::Valley); // L = 2.26
        assert_eq!(n.classify([1.0, 0.7]), Basin::Other); // L = 2.29
    }
}
