//! Moments of ln|u| for the noise laws: E ln|1 − λx| and E ln²|1 − λx| (Prop. 2, Lemma 1).
//! Closed forms for the two-point and uniform laws, a singularity-aware Simpson rule for the
//! Gaussian. Pure numerics, no state.

/// (E ln|U|, E ln²|U|) for U uniform on [lo, hi] (lo ≤ hi); U = 0 has probability zero.
pub fn log_moments_uniform(lo: f64, hi: f64) -> (f64, f64) {
    let width = hi - lo;
    if width <= 1e-12 * (1.0 + lo.abs().max(hi.abs())) {
        let l = (0.5 * (lo + hi)).abs().ln();
        return (l, l * l);
    }
    // ∫ ln|u| du = u ln|u| − u;  ∫ ln²|u| du = u ln²|u| − 2u ln|u| + 2u; both vanish at u = 0.
    let f1 = |u: f64| if u == 0.0 { 0.0 } else { u * u.abs().ln() - u };
    let f2 = |u: f64| {
        if u == 0.0 {
            0.0
        } else {
            let l = u.abs().ln();
            u * l * l - 2.0 * u * l + 2.0 * u
        }
    };
    ((f1(hi) - f1(lo)) / width, (f2(hi) - f2(lo)) / width)
}

/// (E ln|U|, E ln²|U|) for U ~ N(mean, sd²).
///
/// Integrates over z ∈ [−12, 12] standard deviations, split at the zero of U; each piece is
/// mapped by t = t0 ± D s³ so that the logarithmic singularity becomes s² ln s, which Simpson's
/// rule handles to ~1e-9 with 4000 intervals.
pub fn log_moments_gaussian(mean: f64, sd: f64) -> (f64, f64) {
    if sd <= 0.0 {
        let l = mean.abs().ln();
        return (l, l * l);
    }
    const Z: f64 = 12.0;
    let phi = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let z0 = -mean / sd;
    let integrand = |z: f64| {
        let l = (mean + sd * z).abs().ln();
        (l, l * l)
    };
    let mut m1 = 0.0;
    let mut m2 = 0.0;
    // Pieces [z0 − D, z0] and [z0, z0 + D] clipped to [−Z, Z], plus the far piece if z0 is outside.
    let mut piece = |from: f64, to: f64| {
        // ∫ over the interval between `from` (the singular end) and `to`, via z = from + (to − from) s³.
        let n = 4000;
        let d = to - from;
        let h = 1.0 / n as f64;
        let mut acc1 = 0.0;
        let mut acc2 = 0.0;
        for i in 0..=n {
            let s = i as f64 * h;
            let w = if i == 0 || i == n {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            };
            if s == 0.0 {
                continue; // s² ln s → 0
            }
            let z = from + d * s * s * s;
            let jac = 3.0 * d.abs() * s * s * phi(z); // |d|: both pieces run away from z0
            let (l1, l2) = integrand(z);
            acc1 += w * l1 * jac;
            acc2 += w * l2 * jac;
        }
        m1 += acc1 * h / 3.0;
        m2 += acc2 * h / 3.0;
    };
    if z0 > -Z && z0 < Z {
        piece(z0, -Z);
        piece(z0, Z);
    } else {
        piece(-Z, Z);
    }
    (m1, m2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_moments_match_simpson() {
        for &(lo, hi) in &[(0.5, 2.0), (-1.0, 3.0), (-2.0, -0.1)] {
            let (m1, m2) = log_moments_uniform(lo, hi);
            // Midpoint rule with 2·10⁶ points: error ≲ 1e-5 even across the log singularity.
            let n = 2_000_000;
            let h = (hi - lo) / n as f64;
            let (mut a1, mut a2) = (0.0, 0.0);
            for i in 0..n {
                let l = (lo + (i as f64 + 0.5) * h).abs().ln();
                a1 += l;
                a2 += l * l;
            }
            assert!(
                (m1 - a1 / n as f64).abs() < 1e-5,
                "{lo}..{hi}: {m1} vs {}",
                a1 / n as f64
            );
            assert!((m2 - a2 / n as f64).abs() < 1e-4);
        }
    }

    #[test]
    fn gaussian_moments_known_values() {
        // E ln|Z| for Z ~ N(0, 1) is −(γ_E + ln 2)/2.
        let euler = 0.577_215_664_901_532_9;
        let (m1, _) = log_moments_gaussian(0.0, 1.0);
        assert!((m1 + 0.5 * (euler + 2f64.ln())).abs() < 1e-7, "{m1}");
        // Far from zero, E ln|U| ≈ ln m − σ²/(2m²) (second-order delta method; next term O(σ⁴/m⁴)).
        let (m1, m2) = log_moments_gaussian(10.0, 0.1);
        let expect = 10f64.ln() - 0.01 / 200.0;
        assert!((m1 - expect).abs() < 1e-8, "{m1} vs {expect}");
        assert!((m2 - m1 * m1 - 1e-4).abs() < 1e-6);
    }
}
