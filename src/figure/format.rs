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
/// put T, GD and t+1 below; `10^−140` puts −140 above; a one-letter name's digits are its
/// index (`w1`, `β2` put 1 and 2 below). A `_` or `^` starts a script only after
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
        // A one-letter name with digits after it is indexed: w1, β2 print as w₁, β₂.
        let alone = i == 0 || !chars[i - 1].is_alphanumeric();
        let digits = chars[i + 1..]
            .iter()
            .take_while(|d| d.is_ascii_digit())
            .count();
        let ends = chars
            .get(i + 1 + digits)
            .is_none_or(|e| !(e.is_ascii_alphanumeric() || e.is_alphabetic()));
        if c.is_alphabetic() && alone && digits > 0 && ends {
            let index: String = chars[i + 1..i + 1 + digits].iter().collect();
            let mut buf = [0u8; 4];
            push(Script::Normal, c.encode_utf8(&mut buf));
            push(Script::Sub, &index);
            i += 1 + digits;
            continue;
        }
        let mut buf = [0u8; 4];
        push(Script::Normal, c.encode_utf8(&mut buf));
        i += 1;
    }
    out
}

/// A run of text split into its variables, to be set in italics as mathematics is (`true`),
/// and the rest (`false`). A variable is a word of one letter, Greek or Latin: the w, t, a, λ,
/// μ, θ of the labels. Not a variable: a one-letter word inside a number (the e of 1.0e−6),
/// before a full stop (App. B.4), after an apostrophe (μ's), a dimension (2-D), or an a, A, I
/// or E before a space and a word — an article (a walker) or the expectation (E ln|w|). Words
/// of several letters (tr, ln, GD, SGD) stay upright.
pub fn variable_runs(s: &str) -> Vec<(bool, String)> {
    let chars: Vec<char> = s.chars().collect();
    let mut out: Vec<(bool, String)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let italic = chars[i].is_alphabetic()
            && (i == 0 || !chars[i - 1].is_alphabetic())
            && chars.get(i + 1).is_none_or(|c| !c.is_alphabetic())
            && is_variable(&chars, i);
        match out.last_mut() {
            Some((it, t)) if *it == italic => t.push(chars[i]),
            _ => out.push((italic, chars[i].to_string())),
        }
        i += 1;
    }
    out
}

/// Whether the one-letter word at `i` is a variable (see [`variable_runs`]).
fn is_variable(chars: &[char], i: usize) -> bool {
    let c = chars[i];
    let greek = matches!(c, '\u{3b1}'..='\u{3c9}' | '\u{391}'..='\u{3a9}');
    if !(greek || c.is_ascii_alphabetic()) {
        return false;
    }
    let before = i.checked_sub(1).map(|j| chars[j]);
    let after = chars.get(i + 1).copied();
    let in_number = before.is_some_and(|b| b.is_ascii_digit() || b == '.')
        && !greek
        && after.is_some_and(|a| a.is_ascii_digit() || matches!(a, '−' | '-' | '+'));
    let abbreviation = !greek && after == Some('.');
    let possessive = matches!(before, Some('\'' | '’'));
    let prose = matches!(c, 'a' | 'A' | 'I' | 'E')
        && after == Some(' ')
        && chars.get(i + 2).is_some_and(|c| c.is_alphabetic());
    let dimension = before == Some('-') && i >= 2 && chars[i - 2].is_ascii_digit();
    !(in_number || abbreviation || possessive || prose || dimension)
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
        // A one-letter name's digits are its index; a number's or a word's are not.
        assert_eq!(
            r("w2·w1² = ½"),
            [
                (Normal, "w".into()),
                (Sub, "2".into()),
                (Normal, "·w".into()),
                (Sub, "1".into()),
                (Normal, "² = ½".into())
            ]
        );
        assert_eq!(
            r("β1 = 0.9"),
            [
                (Normal, "β".into()),
                (Sub, "1".into()),
                (Normal, " = 0.9".into())
            ]
        );
        for as_typed in ["1.0e10", "Fig. 1", "Adam2", "x2b", "2-D"] {
            assert_eq!(r(as_typed), [(Normal, as_typed.into())], "{as_typed}");
        }
    }

    #[test]
    fn variables_are_the_one_letter_words_of_mathematics() {
        let italic = |s: &str| -> Vec<String> {
            variable_runs(s)
                .into_iter()
                .filter(|(v, _)| *v)
                .map(|(_, t)| t)
                .collect()
        };
        assert_eq!(italic("γ at t = 50 [1/step]"), ["γ", "t"]);
        assert_eq!(
            italic("escape probability over the (a, λ) plane"),
            ["a", "λ"]
        );
        assert_eq!(italic("ℓ = x w²/2, SGD, two-point noise"), ["x", "w"]);
        assert_eq!(italic("flat, tr H = 7.00"), ["H"]);
        // Not variables: an article, the expectation, an exponent, a section, a possessive, a
        // dimension, and words.
        assert!(italic("a walker at E ln|w|").len() == 1);
        for upright in [
            "θ = 1.0e−6",
            "App. B.4",
            "μ's first",
            "Sharp minima (2-D)",
            "SGD, GD, Adam",
        ] {
            assert!(
                italic(upright).iter().all(|v| v != "e"
                    && v != "B"
                    && v != "s"
                    && v != "D"
                    && v.chars().count() == 1),
                "{upright}: {:?}",
                italic(upright)
            );
        }
        assert_eq!(italic("SGD, GD, Adam"), Vec::<String>::new());
        let joined: String = variable_runs("θ = 1.0e−6")
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        assert_eq!(joined, "θ = 1.0e−6", "the runs are the label, in order");
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
