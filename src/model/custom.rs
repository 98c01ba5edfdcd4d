//! A typed landscape: ℓ(w; x) as the user writes it, with its gradient and Hessian derived
//! once, and the register program the engine runs its gradient with.

use std::sync::Arc;

use super::expr::program::Program;
use super::expr::{Env, Expr, Loss, ParseError, Shown, Var, parse_loss};

/// A typed per-sample loss and its derivatives.
#[derive(Clone, Debug, PartialEq)]
pub struct Custom {
    pub loss: Loss,
    /// ∂ℓ/∂w (1-D) or (∂ℓ/∂w1, ∂ℓ/∂w2).
    pub grad: Vec<Arc<Expr>>,
    /// The Hessian's rows (1 × 1 or 2 × 2).
    pub hess: Vec<Vec<Arc<Expr>>>,
}

/// What the engines need of a typed landscape: its gradient as a program, a and b bound, and as
/// expressions (the scalar reference engine evaluates those).
#[derive(Clone, Debug, PartialEq)]
pub struct CustomKernel {
    pub program: Program,
    pub grad: Vec<Arc<Expr>>,
    pub a: f64,
    pub b: f64,
}

impl CustomKernel {
    /// ∇ℓ at (w1, w2; x), from the expressions.
    #[inline]
    pub fn grad_at(&self, w1: f64, w2: f64, x: f64) -> [f64; 2] {
        let env = Env {
            w1,
            w2,
            x,
            a: self.a,
            b: self.b,
        };
        [
            self.grad[0].eval(&env),
            self.grad.get(1).map_or(0.0, |g| g.eval(&env)),
        ]
    }
}

impl Custom {
    pub fn new(text: &str) -> Result<Custom, ParseError> {
        let loss = parse_loss(text)?;
        let vars: &[Var] = if loss.dim == 1 {
            &[Var::W1]
        } else {
            &[Var::W1, Var::W2]
        };
        let grad: Vec<Arc<Expr>> = vars.iter().map(|&v| loss.expr.derivative(v)).collect();
        let hess = grad
            .iter()
            .map(|g| vars.iter().map(|&v| g.derivative(v)).collect())
            .collect();
        Ok(Custom { loss, grad, hess })
    }

    pub fn dim(&self) -> usize {
        self.loss.dim
    }

    /// The engine's view, a and b bound.
    pub fn kernel(&self, a: f64, b: f64) -> CustomKernel {
        CustomKernel {
            program: Program::compile(&self.grad, a, b),
            grad: self.grad.clone(),
            a,
            b,
        }
    }

    /// An expression printed with this landscape's names (w, or w1 and w2).
    pub fn show<'a>(&self, e: &'a Expr) -> Shown<'a> {
        Shown(
            e,
            super::expr::Names {
                two_d: self.dim() == 2,
            },
        )
    }

    fn env(w: [f64; 2], x: f64, a: f64, b: f64) -> Env {
        Env {
            w1: w[0],
            w2: w[1],
            x,
            a,
            b,
        }
    }

    pub fn loss_at(&self, w: [f64; 2], x: f64, a: f64, b: f64) -> f64 {
        self.loss.expr.eval(&Self::env(w, x, a, b))
    }

    pub fn grad_at(&self, w: [f64; 2], x: f64, a: f64, b: f64) -> [f64; 2] {
        let env = Self::env(w, x, a, b);
        [
            self.grad[0].eval(&env),
            self.grad.get(1).map_or(0.0, |g| g.eval(&env)),
        ]
    }

    pub fn hess_at(&self, w: [f64; 2], x: f64, a: f64, b: f64) -> [[f64; 2]; 2] {
        let env = Self::env(w, x, a, b);
        let mut h = [[0.0; 2]; 2];
        for (i, row) in self.hess.iter().enumerate() {
            for (j, e) in row.iter().enumerate() {
                h[i][j] = e.eval(&env);
            }
        }
        h
    }
}
