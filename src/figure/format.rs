//! Numbers as figures and panels print them.

/// A number for display: ±∞ spelled out, NaN as "undefined", no "-0", a true minus sign,
/// scientific notation below 10⁻³ and from 10⁵.
pub fn fmt_num(v: f64, digits: usize) -> String {
    if v.is_nan() {
        "undefined".into()
    } else if v == f64::INFINITY {
        "+∞".into()
    } else if v == f64::NEG_INFINITY {
        "−∞".into()
    } else if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e5) {
        format!("{v:.digits$e}").replace('-', "−")
    } else {
        let s = format!("{v:.digits$}");
        let s = if s
            .trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            s.trim_start_matches('-').to_string()
        } else {
            s
        };
        s.replace('-', "−")
    }
}

/// A number for a message or a label: integers in full with thin-space groups (10 000 000),
/// the rest to 4 digits.
pub fn show_number(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        let digits = format!("{}", v.abs() as u64);
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push('\u{2009}');
            }
            out.push(c);
        }
        if v < 0.0 { format!("−{out}") } else { out }
    } else {
        fmt_num(v, 4)
    }
}

/// A count and its noun, singular for exactly one ("1 walker", "2 000 walkers"); `noun` is
/// the singular and takes an "s".
pub fn count(n: impl Into<f64>, noun: &str) -> String {
    let n = n.into();
    if n == 1.0 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", show_number(n))
    }
}

/// A tick label: as short as the tick spacing allows; powers of ten as 10^k on log axes.
pub fn tick_label(v: f64, step: f64) -> String {
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
        (-step.log10().floor()).max(0.0) as usize
    };
    format!("{v:.decimals$}").replace('-', "−")
}

/// The label of a decade on a log axis: 10^k written with a superscript exponent.
pub fn decade_label(k: i64) -> String {
    const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let digits: String = k
        .unsigned_abs()
        .to_string()
        .chars()
        .map(|c| SUP[c.to_digit(10).unwrap_or(0) as usize])
        .collect();
    format!("10{}{digits}", if k < 0 { "⁻" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_plural_they_need() {
        assert_eq!(count(1.0, "walker"), "1 walker");
        assert_eq!(count(0.0, "walker"), "0 walkers");
        assert_eq!(count(2000.0, "walker"), "2\u{2009}000 walkers");
        assert_eq!(count(1u32, "frame"), "1 frame");
    }

    #[test]
    fn numbers_print_as_a_reader_expects() {
        assert_eq!(fmt_num(f64::NEG_INFINITY, 3), "−∞");
        assert_eq!(fmt_num(f64::NAN, 3), "undefined");
        assert_eq!(fmt_num(-0.00001, 1), "−1.0e−5");
        assert_eq!(fmt_num(-0.0, 2), "0.00");
        assert_eq!(fmt_num(-0.3270, 4), "−0.3270");
        assert_eq!(tick_label(-0.5, 0.5), "−0.5");
        assert_eq!(tick_label(1e-140, 1.0), "1.0·10^−140");
        assert_eq!(decade_label(3), "10³");
        assert_eq!(decade_label(-12), "10⁻¹²");
        assert_eq!(decade_label(0), "10⁰");
    }
}
