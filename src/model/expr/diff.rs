//! Building expressions with the obvious simplifications (constants folded, 0 and 1 dropped),
//! and their derivatives by the rules of calculus.

use std::sync::Arc;

use super::{Bin, Expr, Func, Var};

fn num(v: f64) -> Arc<Expr> {
    Arc::new(Expr::Num(v))
}

fn value(e: &Expr) -> Option<f64> {
    match e {
        Expr::Num(v) => Some(*v),
        _ => None,
    }
}

/// A folded constant, unless folding would change what a run computes (a NaN or ∞ is left
/// to the run, where a walker that meets it counts as diverged).
fn folded(v: f64) -> Option<Arc<Expr>> {
    v.is_finite().then(|| num(v))
}

pub fn neg(u: Arc<Expr>) -> Arc<Expr> {
    match &*u {
        Expr::Num(v) => num(-v),
        Expr::Neg(inner) => inner.clone(),
        Expr::Bin(Bin::Mul, l, r) if value(l).is_some() => {
            scaled(-value(l).unwrap_or(1.0), r.clone())
        }
        _ => Arc::new(Expr::Neg(u)),
    }
}

pub fn add(l: Arc<Expr>, r: Arc<Expr>) -> Arc<Expr> {
    match (value(&l), value(&r)) {
        (Some(a), Some(b)) => folded(a + b).unwrap_or_else(|| bin(Bin::Add, l, r)),
        (Some(0.0), None) => r,
        (None, Some(0.0)) => l,
        _ => match &*r {
            Expr::Neg(u) => sub(l, u.clone()),
            _ => bin(Bin::Add, l, r),
        },
    }
}

pub fn sub(l: Arc<Expr>, r: Arc<Expr>) -> Arc<Expr> {
    match (value(&l), value(&r)) {
        (Some(a), Some(b)) => folded(a - b).unwrap_or_else(|| bin(Bin::Sub, l, r)),
        (Some(0.0), None) => neg(r),
        (None, Some(0.0)) => l,
        _ => match &*r {
            Expr::Neg(u) => add(l, u.clone()),
            _ => bin(Bin::Sub, l, r),
        },
    }
}

/// A product's constant factor and the rest: c·u as (c, u), −u as (−1, u), a constant as
/// (c, none).
fn factor(e: &Arc<Expr>) -> (f64, Option<Arc<Expr>>) {
    match &**e {
        Expr::Num(v) => (*v, None),
        Expr::Neg(u) => {
            let (c, rest) = factor(u);
            (-c, rest)
        }
        Expr::Bin(Bin::Mul, l, r) if value(l).is_some() => {
            let (c, rest) = factor(r);
            (value(l).unwrap_or(1.0) * c, rest)
        }
        _ => (1.0, Some(e.clone())),
    }
}

/// c·u written plainly: u, −u, or the constant first.
fn scaled(c: f64, u: Arc<Expr>) -> Arc<Expr> {
    if c == 1.0 {
        u
    } else if c == -1.0 {
        Arc::new(Expr::Neg(u))
    } else {
        bin(Bin::Mul, num(c), u)
    }
}

/// A product with its constant factors gathered in front (0.5·(x·(2·w)) is x·w) and u·u as u².
pub fn mul(l: Arc<Expr>, r: Arc<Expr>) -> Arc<Expr> {
    let ((cl, ul), (cr, ur)) = (factor(&l), factor(&r));
    let c = cl * cr;
    if !c.is_finite() {
        return bin(Bin::Mul, l, r);
    }
    // 0·u is 0 for every finite u; where u is not finite the walker has diverged anyway.
    if c == 0.0 {
        return num(0.0);
    }
    let core = match (ul, ur) {
        (None, None) => return num(c),
        (Some(u), None) | (None, Some(u)) => u,
        (Some(a), Some(b)) if a == b => pow(a, num(2.0)),
        (Some(a), Some(b)) => bin(Bin::Mul, a, b),
    };
    scaled(c, core)
}

pub fn div(l: Arc<Expr>, r: Arc<Expr>) -> Arc<Expr> {
    match (value(&l), value(&r)) {
        (Some(a), Some(b)) => folded(a / b).unwrap_or_else(|| bin(Bin::Div, l, r)),
        (Some(0.0), None) => num(0.0),
        (None, Some(1.0)) => l,
        // u/c as (1/c)·u where 1/c is exact (a power of two): the program multiplies.
        (None, Some(b)) if b != 0.0 && (1.0 / b) * b == 1.0 && (b.abs().log2()).fract() == 0.0 => {
            mul(num(1.0 / b), l)
        }
        _ => bin(Bin::Div, l, r),
    }
}

pub fn pow(l: Arc<Expr>, r: Arc<Expr>) -> Arc<Expr> {
    match (value(&l), value(&r)) {
        (Some(a), Some(b)) => folded(super::pow(a, b)).unwrap_or_else(|| bin(Bin::Pow, l, r)),
        (_, Some(1.0)) => l,
        (_, Some(0.0)) => num(1.0),
        _ => bin(Bin::Pow, l, r),
    }
}

pub fn call(f: Func, u: Arc<Expr>) -> Arc<Expr> {
    match value(&u).and_then(|v| folded(f.apply(v))) {
        Some(c) => c,
        None => Arc::new(Expr::Call(f, u)),
    }
}

fn bin(op: Bin, l: Arc<Expr>, r: Arc<Expr>) -> Arc<Expr> {
    match (op, value(&l), value(&r)) {
        (Bin::Min | Bin::Max, Some(a), Some(b)) => {
            folded(op.apply(a, b)).unwrap_or_else(|| Arc::new(Expr::Bin(op, l, r)))
        }
        _ => Arc::new(Expr::Bin(op, l, r)),
    }
}

impl Expr {
    /// ∂/∂`v` of this expression. Where the derivative jumps (abs, sign, min, max at a tie) it
    /// takes the value of one side, as a program computing the gradient at that point would.
    pub fn derivative(self: &Arc<Self>, v: Var) -> Arc<Expr> {
        if !self.uses(v) {
            return num(0.0);
        }
        match &**self {
            Expr::Num(_) => num(0.0),
            Expr::Var(u) => num(if *u == v { 1.0 } else { 0.0 }),
            Expr::Neg(u) => neg(u.derivative(v)),
            Expr::Call(f, u) => {
                let du = u.derivative(v);
                let outer = match f {
                    Func::Sqrt => div(num(0.5), self.clone()),
                    Func::Exp => self.clone(),
                    Func::Ln => div(num(1.0), u.clone()),
                    Func::Sin => call(Func::Cos, u.clone()),
                    Func::Cos => neg(call(Func::Sin, u.clone())),
                    Func::Tan => add(num(1.0), pow(self.clone(), num(2.0))),
                    Func::Tanh => sub(num(1.0), pow(self.clone(), num(2.0))),
                    Func::Abs => call(Func::Sign, u.clone()),
                    Func::Sign => num(0.0),
                };
                mul(outer, du)
            }
            Expr::Bin(op, l, r) => {
                let (dl, dr) = (l.derivative(v), r.derivative(v));
                match op {
                    Bin::Add => add(dl, dr),
                    Bin::Sub => sub(dl, dr),
                    Bin::Mul => add(mul(dl, r.clone()), mul(l.clone(), dr)),
                    Bin::Div => sub(
                        div(dl, r.clone()),
                        div(mul(l.clone(), dr), pow(r.clone(), num(2.0))),
                    ),
                    Bin::Pow => match value(r) {
                        // c·u^(c−1)·u′ for a constant exponent.
                        Some(c) => mul(mul(num(c), pow(l.clone(), num(c - 1.0))), dl),
                        // u^w (w′ ln u + w u′/u).
                        None => mul(
                            self.clone(),
                            add(
                                mul(dr, call(Func::Ln, l.clone())),
                                div(mul(r.clone(), dl), l.clone()),
                            ),
                        ),
                    },
                    // max(l, r)′ = (l′ + r′ + sign(l − r)(l′ − r′))/2; min with the sign turned.
                    Bin::Min | Bin::Max => {
                        let s = call(Func::Sign, sub(l.clone(), r.clone()));
                        let s = if *op == Bin::Min { neg(s) } else { s };
                        mul(
                            num(0.5),
                            add(add(dl.clone(), dr.clone()), mul(s, sub(dl, dr))),
                        )
                    }
                }
            }
        }
    }
}
