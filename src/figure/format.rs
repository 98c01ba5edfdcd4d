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

/// How a stretch of a label sits on its line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Script {
    Normal,
    Sub,
    Super,
}

/// A label split into stretches on the line, below it and above it: `w_T`, `λ_GD`, `w_{t+1}`
/// put T, GD and t+1 below; `10^−140` puts −140 above. A `_` or `^` starts a script only after
/// a character that is not a space and before a word (or a `{…}` group; `^` also before a sign);
/// anything else stays as typed. Window, SVG, PNG and PDF draw labels from these stretches.
pub fn script_runs(s: &str) -> Vec<(Script, String)> {
    let chars: Vec<char> = s.chars().collect();
    let mut out: Vec<(Script, String)> = Vec::new();
    let mut push = |script: Script, text: &str| {
        if text.is_empty() {
            return;
        }
        match out.last_mut() {
            Some((sc, t)) if *sc == script => t.push_str(text),
            _ => out.push((script, text.to_owned())),
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let script = match c {
            '_' => Script::Sub,
            '^' => Script::Super,
            _ => Script::Normal,
        };
        let after_word = i > 0 && !chars[i - 1].is_whitespace();
        if script != Script::Normal && after_word && i + 1 < chars.len() {
            if chars[i + 1] == '{'
                && let Some(len) = chars[i + 2..].iter().position(|&c| c == '}')
            {
                let inner: String = chars[i + 2..i + 2 + len].iter().collect();
                push(script, &inner);
                i += len + 3;
                continue;
            }
            let mut j = i + 1;
            if script == Script::Super && matches!(chars[j], '−' | '-' | '+') {
                j += 1;
            }
            let start = j;
            while j < chars.len() && chars[j].is_alphanumeric() {
                j += 1;
            }
            if j > start {
                let word: String = chars[i + 1..j].iter().collect();
                push(script, &word);
                i = j;
                continue;
            }
        }
        let mut buf = [0u8; 4];
        push(Script::Normal, c.encode_utf8(&mut buf));
        i += 1;
    }
    out
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
    fn scripts_are_split_where_a_word_follows() {
        use Script::*;
        let r = |s: &str| script_runs(s);
        assert_eq!(
            r("|w_T| > θ"),
            [
                (Normal, "|w".into()),
                (Sub, "T".into()),
                (Normal, "| > θ".into())
            ]
        );
        assert_eq!(r("λ_GD"), [(Normal, "λ".into()), (Sub, "GD".into())]);
        assert_eq!(
            r("E ln|w_t/w_0|/t"),
            [
                (Normal, "E ln|w".into()),
                (Sub, "t".into()),
                (Normal, "/w".into()),
                (Sub, "0".into()),
                (Normal, "|/t".into())
            ]
        );
        assert_eq!(
            r("10^−140"),
            [(Normal, "10".into()), (Super, "−140".into())]
        );
        assert_eq!(r("w_{t+1}"), [(Normal, "w".into()), (Sub, "t+1".into())]);
        // No word after, or a space before: as typed.
        assert_eq!(r("a _b c_ d_"), [(Normal, "a _b c_ d_".into())]);
        assert_eq!(r(""), []);
    }

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
