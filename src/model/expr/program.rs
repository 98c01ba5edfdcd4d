//! Expressions compiled into a register program: one instruction per distinct operation
//! (shared subexpressions computed once), the sliders a and b bound as constants, whole
//! powers as products. [`Program::run`] applies each instruction to a whole array of lanes —
//! one interpretation per group of walkers and instruction, not per walker — so each
//! instruction's loop is a plain vector loop.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Bin, Expr, Func, Var};

/// Registers 0, 1 and 2 hold w1, w2 and x; the caller fills them before [`Program::run`].
pub const W1: usize = 0;
pub const W2: usize = 1;
pub const X: usize = 2;
const INPUTS: usize = 3;

/// One instruction: its operation on registers, written into its own register.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    Neg(usize),
    Call(Func, usize),
    Bin(Bin, usize, usize),
    /// r op c: a constant operand as an immediate, not a register to stream through.
    BinConst(Bin, usize, f64),
    /// c op r.
    ConstBin(Bin, f64, usize),
    /// p·q + r (two roundings, as the unfused pair: the same values).
    MulAdd(usize, usize, usize),
    /// p·q − r.
    MulSub(usize, usize, usize),
    /// r − p·q.
    SubMul(usize, usize, usize),
    /// c·p + q.
    ScaleAdd(f64, usize, usize),
    /// c·p + d·q.
    LinComb(f64, usize, f64, usize),
    /// c·(p·q).
    ScaledMul(f64, usize, usize),
}

impl Op {
    /// The registers it reads.
    fn operands(&self) -> Vec<usize> {
        match *self {
            Op::Neg(u) | Op::Call(_, u) | Op::BinConst(_, u, _) | Op::ConstBin(_, _, u) => vec![u],
            Op::Bin(_, l, r)
            | Op::ScaleAdd(_, l, r)
            | Op::LinComb(_, l, _, r)
            | Op::ScaledMul(_, l, r) => vec![l, r],
            Op::MulAdd(p, q, r) | Op::MulSub(p, q, r) | Op::SubMul(r, p, q) => vec![p, q, r],
        }
    }

    /// The same operation on renamed registers.
    fn renamed(self, f: impl Fn(usize) -> usize) -> Op {
        match self {
            Op::Neg(u) => Op::Neg(f(u)),
            Op::Call(g, u) => Op::Call(g, f(u)),
            Op::Bin(b, l, r) => Op::Bin(b, f(l), f(r)),
            Op::BinConst(b, l, c) => Op::BinConst(b, f(l), c),
            Op::ConstBin(b, c, r) => Op::ConstBin(b, c, f(r)),
            Op::MulAdd(p, q, r) => Op::MulAdd(f(p), f(q), f(r)),
            Op::MulSub(p, q, r) => Op::MulSub(f(p), f(q), f(r)),
            Op::SubMul(r, p, q) => Op::SubMul(f(r), f(p), f(q)),
            Op::ScaleAdd(c, p, q) => Op::ScaleAdd(c, f(p), f(q)),
            Op::LinComb(c, p, d, q) => Op::LinComb(c, f(p), d, f(q)),
            Op::ScaledMul(c, p, q) => Op::ScaledMul(c, f(p), f(q)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Const(u64),
    Neg(usize),
    Call(Func, usize),
    Bin(Bin, usize, usize),
}

/// A compiled set of expressions.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    /// (register, value) for every constant, written once when the registers are made.
    consts: Vec<(usize, f64)>,
    /// (destination register, operation), in order.
    ops: Vec<(usize, Op)>,
    /// The registers holding each compiled expression's value.
    pub outputs: Vec<usize>,
    registers: usize,
}

struct Compiler {
    a: f64,
    b: f64,
    keys: HashMap<Key, usize>,
    /// Already compiled subtrees, by address (derivatives share their function's nodes).
    seen: HashMap<*const Expr, usize>,
    program: Program,
}

impl Compiler {
    fn register(&mut self, key: Key, op: Option<Op>, value: f64) -> usize {
        if let Some(&r) = self.keys.get(&key) {
            return r;
        }
        let r = self.program.registers;
        self.program.registers += 1;
        match op {
            Some(op) => self.program.ops.push((r, op)),
            None => self.program.consts.push((r, value)),
        }
        self.keys.insert(key, r);
        r
    }

    fn constant(&mut self, v: f64) -> usize {
        self.register(Key::Const(v.to_bits()), None, v)
    }

    /// The register of one operation on registers (made once: the same operation on the same
    /// registers is the same register).
    fn op(&mut self, key: Key) -> usize {
        let key = match key {
            // a + b and b + a are one register.
            Key::Bin(b, l, r)
                if matches!(b, Bin::Add | Bin::Mul | Bin::Min | Bin::Max) && r < l =>
            {
                Key::Bin(b, r, l)
            }
            k => k,
        };
        let constant = |r: usize| self.program.consts.iter().find(|c| c.0 == r).map(|c| c.1);
        // An operation on constants only is a constant (1 + a with a bound).
        match key {
            Key::Neg(u) if let Some(c) = constant(u) => return self.constant(-c),
            Key::Call(f, u) if let Some(c) = constant(u) => return self.constant(f.apply(c)),
            Key::Bin(b, l, r) if let (Some(p), Some(q)) = (constant(l), constant(r)) => {
                return self.constant(b.apply(p, q));
            }
            _ => {}
        }
        let op = match key {
            Key::Neg(u) => Op::Neg(u),
            Key::Call(f, u) => Op::Call(f, u),
            Key::Bin(b, l, r) => match (constant(l), constant(r)) {
                (_, Some(c)) => Op::BinConst(b, l, c),
                (Some(c), None) => Op::ConstBin(b, c, r),
                _ => Op::Bin(b, l, r),
            },
            Key::Const(bits) => return self.constant(f64::from_bits(bits)),
        };
        self.register(key, Some(op), 0.0)
    }

    /// u^n for a whole n, by squaring (n = 4: two products).
    fn power(&mut self, u: usize, n: u32) -> usize {
        match n {
            0 => self.constant(1.0),
            1 => u,
            _ => {
                let half = self.power(u, n / 2);
                let sq = self.op(Key::Bin(Bin::Mul, half, half));
                if n % 2 == 1 {
                    self.op(Key::Bin(Bin::Mul, sq, u))
                } else {
                    sq
                }
            }
        }
    }

    fn compile(&mut self, e: &Arc<Expr>) -> usize {
        let addr = Arc::as_ptr(e);
        if let Some(&r) = self.seen.get(&addr) {
            return r;
        }
        let r = match &**e {
            Expr::Num(v) => self.constant(*v),
            Expr::Var(Var::W1) => W1,
            Expr::Var(Var::W2) => W2,
            Expr::Var(Var::X) => X,
            Expr::Var(Var::A) => self.constant(self.a),
            Expr::Var(Var::B) => self.constant(self.b),
            Expr::Neg(u) => {
                let u = self.compile(u);
                self.op(Key::Neg(u))
            }
            Expr::Call(f, u) => {
                let u = self.compile(u);
                self.op(Key::Call(*f, u))
            }
            Expr::Bin(Bin::Pow, l, r) => {
                let base = self.compile(l);
                match &**r {
                    Expr::Num(n) if n.fract() == 0.0 && n.abs() <= 64.0 => {
                        let p = self.power(base, n.abs() as u32);
                        if *n < 0.0 {
                            let one = self.constant(1.0);
                            self.op(Key::Bin(Bin::Div, one, p))
                        } else {
                            p
                        }
                    }
                    _ => {
                        let exponent = self.compile(r);
                        self.op(Key::Bin(Bin::Pow, base, exponent))
                    }
                }
            }
            Expr::Bin(b, l, r) => {
                let (l, r) = (self.compile(l), self.compile(r));
                self.op(Key::Bin(*b, l, r))
            }
        };
        self.seen.insert(addr, r);
        r
    }
}

impl Program {
    /// The program computing every expression of `exprs`, with a and b bound.
    pub fn compile(exprs: &[Arc<Expr>], a: f64, b: f64) -> Program {
        let mut c = Compiler {
            a,
            b,
            keys: HashMap::new(),
            seen: HashMap::new(),
            program: Program {
                consts: Vec::new(),
                ops: Vec::new(),
                outputs: Vec::new(),
                registers: INPUTS,
            },
        };
        for e in exprs {
            let r = c.compile(e);
            c.program.outputs.push(r);
        }
        c.program.fused().compacted()
    }

    /// How many times each register is read (by an instruction or as an output).
    fn uses(&self) -> Vec<usize> {
        let mut n = vec![0; self.registers];
        for (_, op) in &self.ops {
            for u in op.operands() {
                n[u] += 1;
            }
        }
        for &o in &self.outputs {
            n[o] += 1;
        }
        n
    }

    /// Pairs of instructions merged where the first's value is read once, by the second:
    /// p·q ± r, r − p·q, c·p ± q, c·p ± d·q and c·(p·q) become one pass over the lanes instead of two
    /// (each still rounds after the product, so the values are the pair's). The merged
    /// instruction's first is left unread (see [`Program::compacted`]).
    fn fused(mut self) -> Program {
        let uses = self.uses();
        let at: HashMap<usize, usize> = self
            .ops
            .iter()
            .enumerate()
            .map(|(i, &(dst, _))| (dst, i))
            .collect();
        // The instruction writing `r`, if it is read once (by the one being fused).
        let single =
            |ops: &[(usize, Op)], r: usize| at.get(&r).filter(|_| uses[r] == 1).map(|&i| ops[i].1);
        for i in 0..self.ops.len() {
            let (dst, op) = self.ops[i];
            let product = |r: usize| match single(&self.ops, r) {
                Some(Op::Bin(Bin::Mul, p, q)) => Some((p, q)),
                _ => None,
            };
            let scaled = |r: usize| match single(&self.ops, r) {
                Some(Op::ConstBin(Bin::Mul, c, p)) | Some(Op::BinConst(Bin::Mul, p, c)) => {
                    Some((c, p))
                }
                _ => None,
            };
            let fused = match op {
                Op::Bin(Bin::Add, l, r) => match (scaled(l), scaled(r), product(l), product(r)) {
                    (Some((c, p)), Some((d, q)), _, _) => Some(Op::LinComb(c, p, d, q)),
                    (_, _, Some((p, q)), _) => Some(Op::MulAdd(p, q, r)),
                    (_, _, _, Some((p, q))) => Some(Op::MulAdd(p, q, l)),
                    (Some((c, p)), _, _, _) => Some(Op::ScaleAdd(c, p, r)),
                    (_, Some((c, p)), _, _) => Some(Op::ScaleAdd(c, p, l)),
                    _ => None,
                },
                Op::Bin(Bin::Sub, l, r) => match (scaled(l), scaled(r), product(l), product(r)) {
                    // −(d·q) is (−d)·q exactly: negation does not round.
                    (Some((c, p)), Some((d, q)), _, _) => Some(Op::LinComb(c, p, -d, q)),
                    (_, _, Some((p, q)), _) => Some(Op::MulSub(p, q, r)),
                    (_, _, _, Some((p, q))) => Some(Op::SubMul(l, p, q)),
                    (_, Some((d, q)), _, _) => Some(Op::ScaleAdd(-d, q, l)),
                    _ => None,
                },
                Op::ConstBin(Bin::Mul, c, r) | Op::BinConst(Bin::Mul, r, c) => {
                    product(r).map(|(p, q)| Op::ScaledMul(c, p, q))
                }
                _ => None,
            };
            if let Some(f) = fused {
                self.ops[i] = (dst, f);
            }
        }
        self
    }

    /// The instructions whose values are read, on registers renumbered in order (inputs,
    /// constants, then each instruction's): fewer registers for the lanes to stream through.
    /// Every operand stays below its destination.
    fn compacted(self) -> Program {
        // Unread instructions go, last to first (one may be the only reader of another).
        let mut live = vec![false; self.registers];
        for &o in &self.outputs {
            live[o] = true;
        }
        for &(dst, op) in self.ops.iter().rev() {
            if live[dst] {
                for u in op.operands() {
                    live[u] = true;
                }
            }
        }
        let mut map = vec![usize::MAX; self.registers];
        for (r, m) in map.iter_mut().enumerate().take(INPUTS) {
            *m = r;
        }
        let mut next = INPUTS;
        let mut consts = Vec::new();
        for &(r, v) in &self.consts {
            if live[r] {
                map[r] = next;
                consts.push((next, v));
                next += 1;
            }
        }
        let mut ops = Vec::new();
        for &(dst, op) in &self.ops {
            if live[dst] {
                let op = op.renamed(|u| map[u]);
                map[dst] = next;
                ops.push((next, op));
                next += 1;
            }
        }
        Program {
            consts,
            ops,
            outputs: self.outputs.iter().map(|&o| map[o]).collect(),
            registers: next,
        }
    }

    /// Instructions run per evaluation.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Registers for `N` lanes, the constants written in.
    pub fn registers<const N: usize>(&self) -> Vec<[f64; N]> {
        let mut regs = vec![[0.0; N]; self.registers];
        for &(r, v) in &self.consts {
            regs[r] = [v; N];
        }
        regs
    }

    /// Run every instruction over all `N` lanes of `regs` (from [`Program::registers`], the
    /// inputs filled in).
    /// Inlined into the engine's loop, which is compiled for the machine's widest vectors
    /// (`lanes::multiversion!`): a call would run these loops in the baseline's. In wasm,
    /// which has one instruction set, it is one function that the eight typed kernels call
    /// once a step: inlined, it was copied into each (−38 kB of the page's wasm).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline(never))]
    pub fn run<const N: usize>(&self, regs: &mut [[f64; N]]) {
        for &(dst, op) in &self.ops {
            // Every operand register is below its destination: split there to borrow both.
            let (done, rest) = regs.split_at_mut(dst);
            let out = &mut rest[0];
            match op {
                Op::Neg(u) => lanes1(out, &done[u], |v| -v),
                Op::Call(f, u) => match f {
                    Func::Abs => lanes1(out, &done[u], f64::abs),
                    Func::Sqrt => lanes1(out, &done[u], f64::sqrt),
                    _ => lanes1(out, &done[u], |v| f.apply(v)),
                },
                Op::BinConst(b, l, c) => {
                    let l = &done[l];
                    match b {
                        Bin::Add => lanes1(out, l, |p| p + c),
                        Bin::Sub => lanes1(out, l, |p| p - c),
                        Bin::Mul => lanes1(out, l, |p| p * c),
                        Bin::Div => lanes1(out, l, |p| p / c),
                        Bin::Min => lanes1(out, l, |p| p.min(c)),
                        Bin::Max => lanes1(out, l, |p| p.max(c)),
                        Bin::Pow => lanes1(out, l, |p| super::pow(p, c)),
                    }
                }
                Op::ConstBin(b, c, r) => {
                    let r = &done[r];
                    match b {
                        Bin::Add => lanes1(out, r, |q| c + q),
                        Bin::Sub => lanes1(out, r, |q| c - q),
                        Bin::Mul => lanes1(out, r, |q| c * q),
                        Bin::Div => lanes1(out, r, |q| c / q),
                        Bin::Min => lanes1(out, r, |q| c.min(q)),
                        Bin::Max => lanes1(out, r, |q| c.max(q)),
                        Bin::Pow => lanes1(out, r, |q| super::pow(c, q)),
                    }
                }
                Op::MulAdd(p, q, r) => {
                    lanes3(out, &done[p], &done[q], &done[r], |p, q, r| p * q + r)
                }
                Op::MulSub(p, q, r) => {
                    lanes3(out, &done[p], &done[q], &done[r], |p, q, r| p * q - r)
                }
                Op::SubMul(r, p, q) => {
                    lanes3(out, &done[r], &done[p], &done[q], |r, p, q| r - p * q)
                }
                Op::ScaleAdd(c, p, q) => lanes2(out, &done[p], &done[q], |p, q| c * p + q),
                Op::LinComb(c, p, d, q) => lanes2(out, &done[p], &done[q], |p, q| c * p + d * q),
                Op::ScaledMul(c, p, q) => lanes2(out, &done[p], &done[q], |p, q| c * (p * q)),
                Op::Bin(b, l, r) => {
                    let (l, r) = (&done[l], &done[r]);
                    match b {
                        Bin::Add => lanes2(out, l, r, |p, q| p + q),
                        Bin::Sub => lanes2(out, l, r, |p, q| p - q),
                        Bin::Mul => lanes2(out, l, r, |p, q| p * q),
                        Bin::Div => lanes2(out, l, r, |p, q| p / q),
                        Bin::Min => lanes2(out, l, r, f64::min),
                        Bin::Max => lanes2(out, l, r, f64::max),
                        Bin::Pow => lanes2(out, l, r, super::pow),
                    }
                }
            }
        }
    }

    /// The outputs at one point (w1, w2, x): for the theory and the tests, not the engine.
    pub fn eval(&self, w1: f64, w2: f64, x: f64) -> Vec<f64> {
        let mut regs = self.registers::<1>();
        regs[W1] = [w1];
        regs[W2] = [w2];
        regs[X] = [x];
        self.run(&mut regs);
        self.outputs.iter().map(|&r| regs[r][0]).collect()
    }
}

#[inline(always)]
fn lanes1<const N: usize>(out: &mut [f64; N], u: &[f64; N], f: impl Fn(f64) -> f64) {
    for (o, &v) in out.iter_mut().zip(u) {
        *o = f(v);
    }
}

#[inline(always)]
fn lanes2<const N: usize>(
    out: &mut [f64; N],
    l: &[f64; N],
    r: &[f64; N],
    f: impl Fn(f64, f64) -> f64,
) {
    for ((o, &p), &q) in out.iter_mut().zip(l).zip(r) {
        *o = f(p, q);
    }
}

#[inline(always)]
fn lanes3<const N: usize>(
    out: &mut [f64; N],
    a: &[f64; N],
    b: &[f64; N],
    c: &[f64; N],
    f: impl Fn(f64, f64, f64) -> f64,
) {
    for (((o, &p), &q), &r) in out.iter_mut().zip(a).zip(b).zip(c) {
        *o = f(p, q, r);
    }
}
