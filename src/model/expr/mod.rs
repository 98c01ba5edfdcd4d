//! A typed per-sample loss ℓ(w; x): parsed once ([`parse`]), differentiated symbolically
//! ([`Expr::derivative`]), printed back for the window ([`std::fmt::Display`]) and compiled into
//! a register program the lanes engine runs over whole groups of walkers ([`program`]).
//!
//! The parser is this crate's own rather than a general expression crate's: every refusal
//! names its column (for the field's message and `--set`'s), the names are exactly the
//! landscape's (w or w1, w2, the sample x, the sliders a and b), and the trees it builds are
//! what the differentiator and the program compiler take, with nothing to translate.

mod diff;
mod parse;
pub mod program;

use std::fmt;
use std::sync::Arc;

pub use parse::{Loss, MAX_DEPTH, MAX_LEN, ParseError, parse, parse_loss};

/// A name the expression may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Var {
    /// w (1-D) or w1 (2-D).
    W1,
    W2,
    /// The sample.
    X,
    /// The sliders.
    A,
    B,
}

/// A function of one argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Func {
    Sqrt,
    Exp,
    Ln,
    Sin,
    Cos,
    Tan,
    Tanh,
    Abs,
    /// −1, 0 or 1 (what |u|′ is made of).
    Sign,
}

impl Func {
    pub fn name(self) -> &'static str {
        match self {
            Func::Sqrt => "sqrt",
            Func::Exp => "exp",
            Func::Ln => "ln",
            Func::Sin => "sin",
            Func::Cos => "cos",
            Func::Tan => "tan",
            Func::Tanh => "tanh",
            Func::Abs => "abs",
            Func::Sign => "sign",
        }
    }

    pub fn apply(self, u: f64) -> f64 {
        match self {
            Func::Sqrt => u.sqrt(),
            Func::Exp => u.exp(),
            Func::Ln => u.ln(),
            Func::Sin => u.sin(),
            Func::Cos => u.cos(),
            Func::Tan => u.tan(),
            Func::Tanh => u.tanh(),
            Func::Abs => u.abs(),
            Func::Sign => {
                if u > 0.0 {
                    1.0
                } else if u < 0.0 {
                    -1.0
                } else {
                    u // 0 stays 0; NaN stays NaN
                }
            }
        }
    }
}

/// A binary operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bin {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Min,
    Max,
}

impl Bin {
    pub fn apply(self, l: f64, r: f64) -> f64 {
        match self {
            Bin::Add => l + r,
            Bin::Sub => l - r,
            Bin::Mul => l * r,
            Bin::Div => l / r,
            Bin::Pow => pow(l, r),
            Bin::Min => l.min(r),
            Bin::Max => l.max(r),
        }
    }
}

/// l^r, with whole exponents as repeated products (exact, and what the program computes).
pub fn pow(l: f64, r: f64) -> f64 {
    if r.fract() == 0.0 && r.abs() <= 64.0 {
        l.powi(r as i32)
    } else {
        l.powf(r)
    }
}

/// An expression tree; subtrees are shared (a derivative refers to its function's parts).
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Num(f64),
    Var(Var),
    Neg(Arc<Expr>),
    Call(Func, Arc<Expr>),
    Bin(Bin, Arc<Expr>, Arc<Expr>),
}

/// Values of the names.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Env {
    pub w1: f64,
    pub w2: f64,
    pub x: f64,
    pub a: f64,
    pub b: f64,
}

impl Env {
    fn get(&self, v: Var) -> f64 {
        match v {
            Var::W1 => self.w1,
            Var::W2 => self.w2,
            Var::X => self.x,
            Var::A => self.a,
            Var::B => self.b,
        }
    }
}

impl Expr {
    /// The value at `env` (IEEE arithmetic: a value outside a function's domain is NaN).
    pub fn eval(&self, env: &Env) -> f64 {
        match self {
            Expr::Num(v) => *v,
            Expr::Var(v) => env.get(*v),
            Expr::Neg(u) => -u.eval(env),
            Expr::Call(f, u) => f.apply(u.eval(env)),
            Expr::Bin(op, l, r) => op.apply(l.eval(env), r.eval(env)),
        }
    }

    /// Whether `v` occurs.
    pub fn uses(&self, v: Var) -> bool {
        match self {
            Expr::Num(_) => false,
            Expr::Var(u) => *u == v,
            Expr::Neg(u) | Expr::Call(_, u) => u.uses(v),
            Expr::Bin(_, l, r) => l.uses(v) || r.uses(v),
        }
    }

    /// Nodes in the tree, shared ones counted each time (a bound for the program's size).
    pub fn size(&self) -> usize {
        match self {
            Expr::Num(_) | Expr::Var(_) => 1,
            Expr::Neg(u) | Expr::Call(_, u) => 1 + u.size(),
            Expr::Bin(_, l, r) => 1 + l.size() + r.size(),
        }
    }

    /// Binding strength when printed: higher binds tighter.
    fn precedence(&self) -> u8 {
        match self {
            Expr::Bin(Bin::Add | Bin::Sub, ..) => 1,
            Expr::Bin(Bin::Mul | Bin::Div, ..) => 2,
            Expr::Neg(_) => 3,
            Expr::Bin(Bin::Pow, ..) => 4,
            Expr::Num(v) if *v < 0.0 => 3,
            _ => 5,
        }
    }
}

/// How a name prints: `w` for the 1-D weight, `w1`/`w2` in 2-D.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Names {
    pub two_d: bool,
}

/// An expression printed with the names of its dimension.
pub struct Shown<'a>(pub &'a Expr, pub Names);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_expr(f, self.0, self.1)
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let two_d = self.uses(Var::W2);
        write_expr(f, self, Names { two_d })
    }
}

fn write_num(f: &mut fmt::Formatter<'_>, v: f64) -> fmt::Result {
    if v == std::f64::consts::PI {
        write!(f, "pi")
    } else {
        write!(f, "{v}")
    }
}

fn write_expr(f: &mut fmt::Formatter<'_>, e: &Expr, names: Names) -> fmt::Result {
    let wrap = |f: &mut fmt::Formatter<'_>, sub: &Expr, min: u8| -> fmt::Result {
        if sub.precedence() < min {
            write!(f, "(")?;
            write_expr(f, sub, names)?;
            write!(f, ")")
        } else {
            write_expr(f, sub, names)
        }
    };
    match e {
        Expr::Num(v) => write_num(f, *v),
        Expr::Var(v) => write!(
            f,
            "{}",
            match v {
                Var::W1 if names.two_d => "w1",
                Var::W1 => "w",
                Var::W2 => "w2",
                Var::X => "x",
                Var::A => "a",
                Var::B => "b",
            }
        ),
        Expr::Neg(u) => {
            write!(f, "-")?;
            wrap(f, u, 3)
        }
        Expr::Call(func, u) => {
            write!(f, "{}(", func.name())?;
            write_expr(f, u, names)?;
            write!(f, ")")
        }
        Expr::Bin(op @ (Bin::Min | Bin::Max), l, r) => {
            write!(f, "{}(", if *op == Bin::Min { "min" } else { "max" })?;
            write_expr(f, l, names)?;
            write!(f, ", ")?;
            write_expr(f, r, names)?;
            write!(f, ")")
        }
        Expr::Bin(op, l, r) => {
            let (sym, lmin, rmin) = match op {
                Bin::Add => (" + ", 1, 2),
                Bin::Sub => (" - ", 1, 2),
                // a·(b·c) reads as a·b·c (a product in another order: the same to rounding).
                Bin::Mul => ("*", 2, 2),
                Bin::Div => ("/", 2, 4),
                // Right-associative: a^b^c is a^(b^c); a negative base needs parentheses.
                _ => ("^", 5, 4),
            };
            wrap(f, l, lmin)?;
            write!(f, "{sym}")?;
            wrap(f, r, rmin)
        }
    }
}

#[cfg(test)]
mod tests;
