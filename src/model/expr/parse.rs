//! Text to [`Expr`]: numbers, + − * / ^ (also **), parentheses, the names w | w1, w2, x, a, b,
//! pi and e, and sqrt exp ln log sin cos tan tanh abs sign (one argument), min max (two).
//! Precedence as in mathematics: ^ binds tightest and to the right, then unary minus
//! (−w^2 = −(w²)), then * and /, then + and −. Every refusal names its column (1-based, in
//! characters).

use std::sync::Arc;

use super::diff::{add, div, mul, neg, pow, sub};
use super::{Bin, Expr, Func, Var};

/// The longest expression accepted, in characters.
pub const MAX_LEN: usize = 400;
/// The deepest nesting accepted (parentheses, calls, powers and signs together).
pub const MAX_DEPTH: usize = 32;

/// Why a text is not an expression, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based column, in characters (0: the expression as a whole).
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.column == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(f, "column {}: {}", self.column, self.message)
        }
    }
}

impl std::error::Error for ParseError {}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Name(String),
    Op(char),
    Open,
    Close,
    Comma,
}

/// A token and its 1-based column.
type Spanned = (Tok, usize);

fn error(column: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        column,
        message: message.into(),
    }
}

fn tokens(text: &str) -> Result<Vec<Spanned>, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            // An exponent only where digits follow (2e3, 1.5e-2); "2e" stays 2 then e.
            if i < chars.len() && matches!(chars[i], 'e' | 'E') {
                let mut j = i + 1;
                if j < chars.len() && matches!(chars[j], '+' | '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    while j < chars.len() && chars[j].is_ascii_digit() {
                        j += 1;
                    }
                    i = j;
                }
            }
            let s: String = chars[start..i].iter().collect();
            let v: f64 = s
                .parse()
                .map_err(|_| error(col, format!("'{s}' is not a number")))?;
            if !v.is_finite() {
                return Err(error(col, format!("'{s}' is too large a number")));
            }
            out.push((Tok::Num(v), col));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((Tok::Name(chars[start..i].iter().collect()), col));
        } else {
            let tok = match c {
                '+' | '-' | '/' | '^' => Tok::Op(c),
                '−' => Tok::Op('-'),
                '*' if chars.get(i + 1) == Some(&'*') => {
                    i += 1;
                    Tok::Op('^')
                }
                '*' | '·' | '×' => Tok::Op('*'),
                '(' => Tok::Open,
                ')' => Tok::Close,
                ',' => Tok::Comma,
                _ => {
                    return Err(error(
                        col,
                        format!(
                            "'{c}' is not part of an expression (numbers, names, + - * / ^, parentheses)"
                        ),
                    ));
                }
            };
            out.push((tok, col));
            i += 1;
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Spanned>,
    at: usize,
    /// Column just past the text, for "ends here" messages.
    end: usize,
    depth: usize,
    /// Columns of the first 1-D name (w) and the first 2-D name (w1, w2).
    one_d: Option<usize>,
    two_d: Option<usize>,
}

const FUNCTIONS: &str = "sqrt exp ln log sin cos tan tanh abs sign min max";
const NAMES: &str = "w (1-D) or w1, w2 (2-D), x, a, b, pi, e";

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|t| &t.0)
    }

    fn column(&self) -> usize {
        self.toks.get(self.at).map_or(self.end, |t| t.1)
    }

    fn describe(&self) -> String {
        match self.peek() {
            None => "the end".into(),
            Some(Tok::Num(v)) => format!("the number {v}"),
            Some(Tok::Name(n)) => format!("'{n}'"),
            Some(Tok::Op(c)) => format!("'{c}'"),
            Some(Tok::Open) => "'('".into(),
            Some(Tok::Close) => "')'".into(),
            Some(Tok::Comma) => "','".into(),
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(error(
                self.column(),
                format!("nested more than {MAX_DEPTH} deep"),
            ));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Arc<Expr>, ParseError> {
        let mut l = self.term()?;
        while let Some(Tok::Op(c @ ('+' | '-'))) = self.peek() {
            let c = *c;
            self.at += 1;
            let r = self.term()?;
            l = if c == '+' { add(l, r) } else { sub(l, r) };
        }
        Ok(l)
    }

    fn term(&mut self) -> Result<Arc<Expr>, ParseError> {
        let mut l = self.unary()?;
        loop {
            match self.peek() {
                Some(Tok::Op(c @ ('*' | '/'))) => {
                    let c = *c;
                    self.at += 1;
                    let r = self.unary()?;
                    l = if c == '*' { mul(l, r) } else { div(l, r) };
                }
                // Two operands with nothing between them: say so rather than guess a product.
                Some(Tok::Num(_) | Tok::Name(_) | Tok::Open) => {
                    return Err(error(
                        self.column(),
                        format!(
                            "missing operator before {} (write * for a product)",
                            self.describe()
                        ),
                    ));
                }
                _ => return Ok(l),
            }
        }
    }

    fn unary(&mut self) -> Result<Arc<Expr>, ParseError> {
        match self.peek() {
            Some(Tok::Op(c @ ('-' | '+'))) => {
                let minus = *c == '-';
                self.at += 1;
                self.enter()?;
                let u = self.unary()?;
                self.depth -= 1;
                Ok(if minus { neg(u) } else { u })
            }
            _ => self.power(),
        }
    }

    fn power(&mut self) -> Result<Arc<Expr>, ParseError> {
        let base = self.atom()?;
        if let Some(Tok::Op('^')) = self.peek() {
            self.at += 1;
            self.enter()?;
            let exponent = self.unary()?;
            self.depth -= 1;
            return Ok(pow(base, exponent));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<Arc<Expr>, ParseError> {
        let col = self.column();
        let Some(tok) = self.peek().cloned() else {
            return Err(error(
                col,
                "missing operand: the expression ends where a number, a name or '(' should be",
            ));
        };
        match tok {
            Tok::Num(v) => {
                self.at += 1;
                Ok(Arc::new(Expr::Num(v)))
            }
            Tok::Open => {
                self.at += 1;
                self.enter()?;
                let e = self.expr()?;
                self.depth -= 1;
                self.close(col)?;
                Ok(e)
            }
            Tok::Name(name) => {
                self.at += 1;
                if let Some(Tok::Open) = self.peek() {
                    return self.call(&name, col);
                }
                match name.as_str() {
                    "w" => {
                        self.one_d.get_or_insert(col);
                    }
                    "w1" | "w2" => {
                        self.two_d.get_or_insert(col);
                    }
                    _ => {}
                }
                let e = match name.as_str() {
                    "w" => Expr::Var(Var::W1),
                    "w1" => Expr::Var(Var::W1),
                    "w2" => Expr::Var(Var::W2),
                    "x" => Expr::Var(Var::X),
                    "a" => Expr::Var(Var::A),
                    "b" => Expr::Var(Var::B),
                    "pi" => Expr::Num(std::f64::consts::PI),
                    "e" => Expr::Num(std::f64::consts::E),
                    n if FUNCTIONS.split(' ').any(|f| f == n) => {
                        return Err(error(col, format!("{n} is a function: write {n}(…)")));
                    }
                    n => {
                        return Err(error(
                            col,
                            format!(
                                "unknown name '{n}': the names are {NAMES}; the functions {FUNCTIONS}"
                            ),
                        ));
                    }
                };
                Ok(Arc::new(e))
            }
            Tok::Close => Err(error(col, "')' has no '(' before it")),
            Tok::Op(c) => Err(error(col, format!("missing operand before '{c}'"))),
            Tok::Comma => Err(error(col, "',' outside a function's arguments")),
        }
    }

    fn close(&mut self, open: usize) -> Result<(), ParseError> {
        match self.peek() {
            Some(Tok::Close) => {
                self.at += 1;
                Ok(())
            }
            None => Err(error(open, "'(' is never closed")),
            Some(_) => Err(error(
                self.column(),
                format!(
                    "expected ')' (for the '(' at column {open}), found {}",
                    self.describe()
                ),
            )),
        }
    }

    fn call(&mut self, name: &str, col: usize) -> Result<Arc<Expr>, ParseError> {
        let open = self.column();
        self.at += 1; // '('
        self.enter()?;
        let mut args = Vec::new();
        if !matches!(self.peek(), Some(Tok::Close)) {
            loop {
                args.push(self.expr()?);
                if let Some(Tok::Comma) = self.peek() {
                    self.at += 1;
                } else {
                    break;
                }
            }
        }
        self.depth -= 1;
        self.close(open)?;
        let want = |n: usize| -> Result<(), ParseError> {
            if args.len() == n {
                Ok(())
            } else {
                Err(error(
                    col,
                    format!(
                        "{name} takes {n} argument{}, given {}",
                        if n == 1 { "" } else { "s" },
                        args.len()
                    ),
                ))
            }
        };
        let func = match name {
            "sqrt" => Func::Sqrt,
            "exp" => Func::Exp,
            "ln" | "log" => Func::Ln,
            "sin" => Func::Sin,
            "cos" => Func::Cos,
            "tan" => Func::Tan,
            "tanh" => Func::Tanh,
            "abs" => Func::Abs,
            "sign" => Func::Sign,
            "min" | "max" => {
                want(2)?;
                let op = if name == "min" { Bin::Min } else { Bin::Max };
                return Ok(Arc::new(Expr::Bin(op, args[0].clone(), args[1].clone())));
            }
            _ => {
                return Err(error(
                    col,
                    format!("unknown function '{name}': the functions are {FUNCTIONS}"),
                ));
            }
        };
        want(1)?;
        Ok(super::diff::call(func, args[0].clone()))
    }
}

/// Parse `text` into an expression (constants folded; see the module for the grammar).
pub fn parse(text: &str) -> Result<Arc<Expr>, ParseError> {
    parse_with_names(text).map(|(e, _, _)| e)
}

/// A per-sample loss: its expression and its number of weights.
#[derive(Clone, Debug, PartialEq)]
pub struct Loss {
    pub expr: Arc<Expr>,
    /// 1 (the weight w) or 2 (w1, w2).
    pub dim: usize,
}

/// Parse a loss: an expression of w (1-D) or of w1 and w2 (2-D), not both.
pub fn parse_loss(text: &str) -> Result<Loss, ParseError> {
    let (expr, one_d, two_d) = parse_with_names(text)?;
    match (one_d, two_d) {
        (Some(a), Some(b)) => Err(error(
            a.max(b),
            "w is the 1-D weight, w1 and w2 the 2-D ones: use one kind",
        )),
        (Some(_), None) => Ok(Loss { expr, dim: 1 }),
        (None, Some(_)) => Ok(Loss { expr, dim: 2 }),
        (None, None) => Err(error(
            0,
            "no weight: the loss must depend on w (1-D) or on w1, w2 (2-D)",
        )),
    }
}

/// An expression, with the columns of its first 1-D and 2-D weight names.
type Named = (Arc<Expr>, Option<usize>, Option<usize>);

fn parse_with_names(text: &str) -> Result<Named, ParseError> {
    let len = text.chars().count();
    if len > MAX_LEN {
        return Err(error(
            0,
            format!("the expression has {len} characters; at most {MAX_LEN} are accepted"),
        ));
    }
    if text.trim().is_empty() {
        return Err(error(0, "the expression is empty"));
    }
    let toks = tokens(text)?;
    let mut p = Parser {
        toks,
        at: 0,
        end: len + 1,
        depth: 0,
        one_d: None,
        two_d: None,
    };
    let e = p.expr()?;
    match p.peek() {
        None => Ok((e, p.one_d, p.two_d)),
        Some(Tok::Close) => Err(error(p.column(), "')' has no '(' before it")),
        Some(Tok::Comma) => Err(error(p.column(), "',' outside a function's arguments")),
        Some(_) => Err(error(p.column(), format!("unexpected {}", p.describe()))),
    }
}
