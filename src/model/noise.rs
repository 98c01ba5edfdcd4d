//! Noise laws p(x) (SPEC.md §2). The paper's laws have the landscape's mean E[x] (a/2 for the
//! 1-D landscapes), so that only the shape changes between them: Prop. 2 says only
//! μ = E ln|1 − λx| decides convergence. A discrete law is the values it is given.

use serde::{Deserialize, Serialize};

/// The most values a discrete law may have.
pub const MAX_VALUES: usize = 8;

/// The distribution of the per-step sample x.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "law", rename_all = "snake_case")]
pub enum NoiseLaw {
    /// The paper's: one of two values with probability ½ each (x ∈ {1, a − 1} for Q and Q4).
    #[default]
    TwoPoint,
    /// Gaussian with the landscape's mean and standard deviation `std`.
    Gaussian { std: f64 },
    /// Uniform on [mean − half_width, mean + half_width].
    Uniform { half_width: f64 },
    /// x = vᵢ with probability pᵢ: the values as given, whatever the landscape's mean.
    Discrete { values: Discrete },
}

impl NoiseLaw {
    pub fn label(&self) -> &'static str {
        match self {
            NoiseLaw::TwoPoint => "Two-point (paper)",
            NoiseLaw::Gaussian { .. } => "Gaussian",
            NoiseLaw::Uniform { .. } => "Uniform",
            NoiseLaw::Discrete { .. } => "Discrete",
        }
    }

    /// The law's spread parameter (std or half-width), or `None` for the two-point and
    /// discrete laws.
    pub fn spread(&self) -> Option<f64> {
        match *self {
            NoiseLaw::TwoPoint | NoiseLaw::Discrete { .. } => None,
            NoiseLaw::Gaussian { std } => Some(std),
            NoiseLaw::Uniform { half_width } => Some(half_width),
        }
    }
}

/// A discrete law: up to [`MAX_VALUES`] values with their probabilities (a fixed array, so
/// that laws stay `Copy` like the others). Written `1,-1` (equal weights) or `1:0.25,-1:0.75`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<[f64; 2]>", into = "Vec<[f64; 2]>")]
pub struct Discrete {
    len: usize,
    values: [f64; MAX_VALUES],
    weights: [f64; MAX_VALUES],
}

impl Default for Discrete {
    /// x = ±1 with probability ½ each.
    fn default() -> Self {
        Discrete::new(&[(1.0, 0.5), (-1.0, 0.5)]).expect("a valid law")
    }
}

impl Discrete {
    /// The law of `pairs` (value, probability): 1 to [`MAX_VALUES`] finite values, positive
    /// probabilities summing to 1 (within 10⁻⁹, then made exact).
    pub fn new(pairs: &[(f64, f64)]) -> Result<Discrete, String> {
        if pairs.is_empty() || pairs.len() > MAX_VALUES {
            return Err(format!(
                "{} values: a discrete law has 1 to {MAX_VALUES}",
                pairs.len()
            ));
        }
        let mut d = Discrete {
            len: pairs.len(),
            values: [0.0; MAX_VALUES],
            weights: [0.0; MAX_VALUES],
        };
        let mut total = 0.0;
        for (i, &(v, p)) in pairs.iter().enumerate() {
            if !v.is_finite() {
                return Err(format!("value {v}: each value must be a finite number"));
            }
            if !(p.is_finite() && p > 0.0) {
                return Err(format!("probability {p} of {v}: each must be > 0"));
            }
            d.values[i] = v;
            d.weights[i] = p;
            total += p;
        }
        if (total - 1.0).abs() > 1e-9 {
            return Err(format!("the probabilities sum to {total}, not 1"));
        }
        for w in &mut d.weights[..d.len] {
            *w /= total;
        }
        Ok(d)
    }

    /// `1,-1` (equal weights) or `1:0.25,-1:0.75` (value:probability).
    pub fn parse(text: &str) -> Result<Discrete, String> {
        let items: Vec<&str> = text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let weighted = items.iter().filter(|s| s.contains(':')).count();
        if weighted != 0 && weighted != items.len() {
            return Err("give a probability to every value (v:p) or to none".into());
        }
        let number = |s: &str| -> Result<f64, String> {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("'{}' is not a finite number", s.trim()))
        };
        let n = items.len().max(1) as f64;
        let pairs = items
            .iter()
            .map(|s| match s.split_once(':') {
                Some((v, p)) => Ok((number(v)?, number(p)?)),
                None => Ok((number(s)?, 1.0 / n)),
            })
            .collect::<Result<Vec<_>, String>>()?;
        Discrete::new(&pairs)
    }

    /// (value, probability) pairs.
    pub fn pairs(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.values[..self.len]
            .iter()
            .copied()
            .zip(self.weights[..self.len].iter().copied())
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// E[f(x)].
    pub fn expect(&self, f: impl Fn(f64) -> f64) -> f64 {
        self.pairs().map(|(v, p)| p * f(v)).sum()
    }

    pub fn mean(&self) -> f64 {
        self.expect(|v| v)
    }

    pub fn variance(&self) -> f64 {
        let m = self.mean();
        self.expect(|v| (v - m) * (v - m))
    }

    /// Two values of probability ½ each, as (first, second): drawn by one random bit, as the
    /// paper's two-point law is, so that the same values give the same runs.
    pub fn as_two_point(&self) -> Option<(f64, f64)> {
        (self.len == 2 && self.weights[0] == 0.5 && self.weights[1] == 0.5)
            .then(|| (self.values[0], self.values[1]))
    }

    /// The value a uniform u ∈ [0, 1) picks (cumulative probabilities in order).
    #[inline(always)]
    pub fn pick(&self, u: f64) -> f64 {
        let mut acc = 0.0;
        for i in 0..self.len - 1 {
            acc += self.weights[i];
            if u < acc {
                return self.values[i];
            }
        }
        self.values[self.len - 1]
    }

    /// As typed: `1, -1` for equal weights, else `v:p` pairs.
    pub fn to_text(&self) -> String {
        let equal = self.weights[..self.len]
            .iter()
            .all(|&w| (w - 1.0 / self.len as f64).abs() < 1e-15);
        self.pairs()
            .map(|(v, p)| {
                if equal {
                    format!("{v}")
                } else {
                    format!("{v}:{p}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl TryFrom<Vec<[f64; 2]>> for Discrete {
    type Error = String;

    fn try_from(pairs: Vec<[f64; 2]>) -> Result<Discrete, String> {
        Discrete::new(&pairs.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>())
    }
}

impl From<Discrete> for Vec<[f64; 2]> {
    fn from(d: Discrete) -> Vec<[f64; 2]> {
        d.pairs().map(|(v, p)| [v, p]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discrete_laws_read_as_typed_and_refuse_what_is_not_a_law() {
        let d = Discrete::parse("1, -1").unwrap();
        assert_eq!(d.as_two_point(), Some((1.0, -1.0)));
        assert_eq!(d.mean(), 0.0);
        assert_eq!(d.to_text(), "1, -1");
        let w = Discrete::parse("2:0.25, -1:0.75").unwrap();
        assert_eq!(w.as_two_point(), None);
        assert!((w.mean() - (0.5 - 0.75)).abs() < 1e-15);
        assert_eq!(w.pick(0.2), 2.0);
        assert_eq!(w.pick(0.3), -1.0);
        assert_eq!(Discrete::parse(&w.to_text()).unwrap(), w);
        for bad in ["", "1:0.5, 2", "1:0.5,2:0.6", "x", "1:-1", "inf"] {
            assert!(Discrete::parse(bad).is_err(), "{bad:?}");
        }
        let many = ["1"; MAX_VALUES + 1].join(",");
        assert!(Discrete::parse(&many).unwrap_err().contains("1 to 8"));
        // A preset stores the pairs, and reads them back checked.
        let json = serde_json::to_string(&NoiseLaw::Discrete { values: w }).unwrap();
        assert_eq!(
            json,
            r#"{"law":"discrete","values":[[2.0,0.25],[-1.0,0.75]]}"#
        );
        let back: NoiseLaw = serde_json::from_str(&json).unwrap();
        assert_eq!(back, NoiseLaw::Discrete { values: w });
        assert!(
            serde_json::from_str::<NoiseLaw>(r#"{"law":"discrete","values":[[1,0.3]]}"#).is_err()
        );
    }
}
