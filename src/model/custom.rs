//! A typed landscape: ℓ(w; x) as the user writes it, with its gradient and Hessian derived
//! once, and the register program the engine runs its gradient with.

use std::sync::Arc;

use super::expr::program::{Program, W1, W2, X};
use super::stationary::XLaw;

/// Nodes of the law the mean loss L = E ℓ is summed over ([`Custom::mean_losses`]).
pub const LOSS_NODES: usize = 12;
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

    /// L(w) = E_x ℓ(w; x) at each walker ([`mean_losses`]).
    pub fn mean_losses(&self, ab: (f64, f64), law: &XLaw, w1: &[f64], w2: &[f64]) -> Vec<f64> {
        mean_losses(&self.loss, ab, law, w1, w2)
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

/// L(w) = E_x ℓ(w; x) at each walker (w1[i], w2[i]) (`w2` empty in 1-D): the loss compiled
/// once (a and b bound) and run over 64 walkers at a time at each of the law's
/// [`LOSS_NODES`] nodes — exact for a discrete law, and for the Gaussian and uniform laws
/// wherever ℓ is a polynomial in x of degree below 2·[`LOSS_NODES`] (every landscape of the
/// paper). A walker where ℓ is not finite gets a non-finite L. Needs the loss only, not its
/// derivatives (the statistics call it at every snapshot).
pub fn mean_losses(
    loss: &Loss,
    (a, b): (f64, f64),
    law: &XLaw,
    w1: &[f64],
    w2: &[f64],
) -> Vec<f64> {
    const N: usize = 64;
    let program = Program::compile(std::slice::from_ref(&loss.expr), a, b);
    let out_reg = program.outputs[0];
    let nodes = law.nodes(LOSS_NODES);
    let mut regs = program.registers::<N>();
    let mut out = vec![0.0; w1.len()];
    for (k, chunk) in out.chunks_mut(N).enumerate() {
        let at = k * N;
        let n = chunk.len();
        regs[W1][..n].copy_from_slice(&w1[at..at + n]);
        if !w2.is_empty() {
            regs[W2][..n].copy_from_slice(&w2[at..at + n]);
        }
        for &(x, weight) in &nodes {
            regs[X] = [x; N];
            program.run(&mut regs);
            for (o, l) in chunk.iter_mut().zip(&regs[out_reg]) {
                *o += weight * l;
            }
        }
    }
    out
}
