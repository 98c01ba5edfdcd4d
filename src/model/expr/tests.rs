use super::program::Program;
use super::*;
use proptest::prelude::*;

fn env(w1: f64, w2: f64, x: f64) -> Env {
    Env {
        w1,
        w2,
        x,
        a: -0.7,
        b: 3.0,
    }
}

#[test]
fn the_grammar_is_the_one_of_mathematics() {
    let at = |s: &str, w: f64, x: f64| parse(s).unwrap().eval(&env(w, 0.0, x));
    assert_eq!(at("-w^2", 3.0, 0.0), -9.0);
    assert_eq!(at("2^3^2", 0.0, 0.0), 512.0);
    assert_eq!(at("x*w^2/2 + w^4/4", 2.0, -1.0), -2.0 + 4.0);
    assert_eq!(at("w**2 − 1", 3.0, 0.0), 8.0);
    assert_eq!(at("min(w, x) + max(w, x)", 1.0, 5.0), 6.0);
    assert_eq!(at("log(e) + ln(1) + sqrt(4) + abs(-3)", 0.0, 0.0), 6.0);
    assert_eq!(at("1.5e-1 * 2E1", 0.0, 0.0), 3.0);
    assert_eq!(at("a + b", 0.0, 0.0), -0.7 + 3.0);
    assert!((at("sin(pi/2) + cos(0) + tanh(0) + tan(0) + exp(0)", 0.0, 0.0) - 3.0).abs() < 1e-15);
    // Outside a function's domain: NaN, for the run to count as diverged.
    assert!(at("ln(w)", -1.0, 0.0).is_nan());
}

#[test]
fn refusals_name_the_column_and_what_is_wrong() {
    let err = |s: &str| parse(s).unwrap_err();
    let e = err("x*w^2/2 + foo");
    assert_eq!(e.column, 11);
    assert!(e.message.contains("unknown name 'foo'"), "{e}");
    let e = err("x*(w + 1");
    assert_eq!((e.column, e.message.as_str()), (3, "'(' is never closed"));
    let e = err("x*w)");
    assert_eq!(e.column, 4);
    assert!(e.message.contains("no '('"), "{e}");
    let e = err("x*w +");
    assert_eq!(e.column, 6);
    assert!(e.message.contains("missing operand"), "{e}");
    let e = err("2 w");
    assert_eq!(e.column, 3);
    assert!(e.message.contains("missing operator"), "{e}");
    assert!(
        err("min(w)")
            .message
            .contains("min takes 2 arguments, given 1")
    );
    assert!(err("sqrt").message.contains("sqrt is a function"));
    assert!(err("gamma(w)").message.contains("unknown function 'gamma'"));
    assert!(err("w $ 2").message.contains("'$'"));
    assert_eq!(err("   ").message, "the expression is empty");
    let long = "w+".repeat(MAX_LEN);
    assert!(err(&long).message.contains("characters"));
    let deep = format!(
        "{}w{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert!(err(&deep).message.contains("nested"), "{}", err(&deep));
}

#[test]
fn printed_expressions_read_back_as_the_same_function() {
    for s in [
        "x*w^2/2 + w^4/4",
        "-(w - 1)^2 + a*w",
        "(w2*w1^2 - x)^2",
        "w1^2 - w2^2 + x*b*w1^2/2",
        "2^(-w)",
        "(-2)^w",
        "a - (b - w)",
        "w/(x*w)",
        "min(w, -x)^2",
        "-w^2",
        "(-w)^2",
        "exp(-w^2/2)*sin(3*w + x)",
    ] {
        let e = parse(s).unwrap();
        let printed = e.to_string();
        let back = parse(&printed).unwrap_or_else(|err| panic!("{s} → {printed}: {err}"));
        for (w1, w2, x) in [(0.3, -0.8, 1.0), (-1.7, 0.4, -2.0), (2.5, 1.5, 0.5)] {
            let (p, q) = (e.eval(&env(w1, w2, x)), back.eval(&env(w1, w2, x)));
            assert!(
                p == q || (p - q).abs() <= 1e-12 * p.abs() || (p.is_nan() && q.is_nan()),
                "{s} → {printed}: {p} vs {q}"
            );
        }
    }
}

#[test]
fn the_quartic_gradient_is_what_the_paper_writes() {
    let l = parse("x*w^2/2 + w^4/4").unwrap();
    let g = l.derivative(Var::W1);
    let h = g.derivative(Var::W1);
    for (w, x) in [(0.3, 1.0), (-1.2, -2.0), (0.0, 0.5)] {
        let e = env(w, 0.0, x);
        assert!((g.eval(&e) - (x * w + w * w * w)).abs() < 1e-15, "{g}");
        assert!((h.eval(&e) - (x + 3.0 * w * w)).abs() < 1e-14, "{h}");
    }
    assert!(!g.uses(Var::W2) && !g.uses(Var::A));
    // Constant factors meet and cancel: the derivatives read as one writes them.
    assert_eq!(g.to_string(), "x*w + w^3");
    assert_eq!(
        parse("x*w^2/2").unwrap().derivative(Var::W1).to_string(),
        "x*w"
    );
    let s = parse("x*sin(w)^2/2").unwrap().derivative(Var::W1);
    assert_eq!(s.to_string(), "x*sin(w)*cos(w)");
}

/// A random expression over every operation, as text.
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("w1".to_string()),
        Just("w2".to_string()),
        Just("x".to_string()),
        Just("a".to_string()),
        (1u32..9).prop_map(|n| format!("{}", n as f64 / 4.0)),
    ];
    leaf.prop_recursive(5, 40, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(l, r)| format!("({l} + {r})")),
            (inner.clone(), inner.clone()).prop_map(|(l, r)| format!("({l} - {r})")),
            (inner.clone(), inner.clone()).prop_map(|(l, r)| format!("({l} * {r})")),
            (inner.clone(), inner.clone()).prop_map(|(l, r)| format!("({l} / (2 + ({r})^2))")),
            (inner.clone(), 0u32..5).prop_map(|(l, n)| format!("({l})^{n}")),
            inner.clone().prop_map(|u| format!("-({u})")),
            inner.clone().prop_map(|u| format!("sin({u})")),
            inner.clone().prop_map(|u| format!("tanh({u})")),
            inner.clone().prop_map(|u| format!("exp(({u})/4)")),
            inner.clone().prop_map(|u| format!("sqrt(1 + ({u})^2)")),
            inner.clone().prop_map(|u| format!("ln(2 + cos({u}))")),
        ]
    })
}

/// The same number to rounding, an infinity of the same sign, or NaN in both.
fn agree(want: f64, got: f64) -> bool {
    want == got
        || (want.is_nan() && got.is_nan())
        || (want - got).abs() <= 1e-12 * (1.0 + want.abs())
}

proptest! {
    #![proptest_config(crate::model::proptest_config())]

    /// Central differences with h = 1e-6 err by O(h² f‴) + O(ε f/h) ≈ 1e-10 relative for these
    /// smooth functions on |w| ≤ 1.5; 1e-5 of the derivative's scale (1 + |f'| + |f|) leaves
    /// orders of magnitude of room and still fails on any wrong rule.
    #[test]
    fn derivatives_match_finite_differences(
        s in expression(), w1 in -1.5f64..1.5, w2 in -1.5f64..1.5, x in -2.0f64..2.0,
    ) {
        let e = parse(&s).unwrap();
        for (v, k) in [(Var::W1, 0), (Var::W2, 1)] {
            let d = e.derivative(v);
            let h = 1e-6;
            let at = |dw: f64| {
                let (p, q) = if k == 0 { (w1 + dw, w2) } else { (w1, w2 + dw) };
                e.eval(&env(p, q, x))
            };
            // Where the function overflows (exp of a large constant) there is no difference
            // to take; the program test below checks those values.
            prop_assume!(at(h).is_finite() && at(-h).is_finite());
            let fd = (at(h) - at(-h)) / (2.0 * h);
            let an = d.eval(&env(w1, w2, x));
            let scale = 1.0 + an.abs() + at(0.0).abs();
            prop_assert!((an - fd).abs() < 1e-5 * scale, "d/d{v:?} {s} = {d}: {an} vs {fd}");
        }
    }

    /// The program computes what the tree computes (to rounding: powers as products).
    #[test]
    fn the_program_computes_the_expression(
        s in expression(), w1 in -1.5f64..1.5, w2 in -1.5f64..1.5, x in -2.0f64..2.0,
    ) {
        let e = parse(&s).unwrap();
        let d = e.derivative(Var::W1);
        let p = Program::compile(&[e.clone(), d.clone()], -0.7, 3.0);
        let got = p.eval(w1, w2, x);
        for (want, got) in [(e.eval(&env(w1, w2, x)), got[0]), (d.eval(&env(w1, w2, x)), got[1])] {
            prop_assert!(agree(want, got), "{s}: {want} vs {got}");
        }
    }
}

#[test]
fn shared_work_is_done_once() {
    // (w2 w1² − x)² and its gradient: w1², w2·w1² and the residual are each one instruction.
    let l = parse("(w2*w1^2 - x)^2").unwrap();
    let g = [l.derivative(Var::W1), l.derivative(Var::W2)];
    let p = Program::compile(&g, 0.0, 0.0);
    assert!(
        p.len() <= 9,
        "{} instructions for {} and {}",
        p.len(),
        g[0],
        g[1]
    );
}

/// 10⁵ texts — random strings over the expression alphabet and single-character mutations of
/// valid expressions — each parse or are refused with a column inside the text; none panics,
/// and every one that parses prints, reads back and differentiates.
#[test]
fn any_text_parses_or_is_refused_and_none_panics() {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(21);
    let alphabet: Vec<char> = "w12xab+-*/^(),. e3pisqrtlnmaxcoh$é−·".chars().collect();
    let valid = [
        "x*w^2/2 + w^4/4",
        "(w2*w1^2 - x)^2",
        "0.5*(-(w1-w2)^2 - (w1+w2)^2 + (w1-w2)^4 + (w1+w2)^4 - 2*a*w2^2 + x*b*w1^2)",
        "min(w, x)^2 + sqrt(abs(w)) - ln(1 + exp(-w))",
    ];
    let (mut parsed, mut refused) = (0, 0);
    for k in 0..100_000 {
        let text: String = if k % 2 == 0 {
            let n = rng.random_range(0..40);
            (0..n)
                .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                .collect()
        } else {
            let mut chars: Vec<char> = valid[k % valid.len()].chars().collect();
            for _ in 0..rng.random_range(1..4) {
                let at = rng.random_range(0..chars.len());
                match rng.random_range(0..3) {
                    0 => {
                        chars.remove(at);
                    }
                    1 => chars.insert(at, alphabet[rng.random_range(0..alphabet.len())]),
                    _ => chars[at] = alphabet[rng.random_range(0..alphabet.len())],
                }
                if chars.is_empty() {
                    break;
                }
            }
            chars.into_iter().collect()
        };
        match parse(&text) {
            Ok(e) => {
                parsed += 1;
                let back = parse(&e.to_string());
                assert!(back.is_ok(), "{text:?} printed as {e}: {back:?}");
                let _ = e
                    .derivative(Var::W1)
                    .derivative(Var::W1)
                    .eval(&env(0.3, 0.2, 1.0));
            }
            Err(err) => {
                refused += 1;
                assert!(
                    err.column <= text.chars().count() + 1,
                    "{text:?}: column {} past the end",
                    err.column
                );
                assert!(!err.message.is_empty());
            }
        }
    }
    // Both kinds occur in numbers, or the test would not test them.
    assert!(
        parsed > 1000 && refused > 1000,
        "{parsed} parsed, {refused} refused"
    );
}

#[test]
fn fused_instructions_compute_what_the_pairs_did() {
    // The toy network's and Eq. 6's gradients fuse (p·q − r, c·(p·q), c·p + d·q, c·p + q,
    // p·q + r) and fold 2·(1 + a) at a = 0.5 into 3: fewer instructions, the tree's values.
    use crate::model::Landscape;
    for (l, most) in [(Landscape::ToyNetwork, 5), (Landscape::SharpMinima, 13)] {
        let c = crate::model::custom::Custom::new(l.typed().unwrap().0).unwrap();
        let k = c.kernel(0.5, 14.0);
        assert!(
            k.program.len() <= most,
            "{l:?}: {} instructions",
            k.program.len()
        );
        for &(w1, w2, x) in &[(0.3, -0.7, 1.0), (-1.1, 0.2, -1.0), (2.0, 0.5, 2.0)] {
            let got = k.program.eval(w1, w2, x);
            let want = k.grad_at(w1, w2, x);
            for (g, w) in got.iter().zip(want) {
                assert!(
                    (g - w).abs() <= 1e-12 * (1.0 + w.abs()),
                    "{l:?}: {g} against {w}"
                );
            }
        }
    }
}

/// exp(1024) overflows in the tree and in the program alike; both say ∞, and ∞ agrees with ∞.
#[test]
fn an_overflow_is_the_same_infinity_in_the_program() {
    let e = parse("exp((((2)^4)^3)/4)").unwrap();
    let p = Program::compile(std::slice::from_ref(&e), -0.7, 3.0);
    let (want, got) = (e.eval(&env(0.0, 0.0, 0.0)), p.eval(0.0, 0.0, 0.0)[0]);
    assert_eq!(want, f64::INFINITY);
    assert!(agree(want, got), "{want} vs {got}");
}
