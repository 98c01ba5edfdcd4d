//! A typed landscape's steps: its gradient program over batches of lane groups (see
//! [`typed`]), each walker then moved as on the built-in landscapes.

use super::*;

/// Groups a typed landscape steps together ([`typed`]).
pub(super) const BATCH: usize = 4;
/// Lanes of a batch.
const WIDE: usize = LANES * BATCH;

/// Group `g`'s lanes of a batch's array.
#[inline(always)]
fn one(a: &mut [f64; WIDE], g: usize) -> &mut [f64; LANES] {
    (&mut a[g * LANES..(g + 1) * LANES])
        .try_into()
        .expect("a group's lanes")
}

/// A typed landscape's steps (1-D or 2-D) for a batch of up to [`BATCH`] groups: each step
/// draws every group's x from its own stream (as the built-ins do, group by group), runs the
/// gradient program once over the batch's lanes (one interpretation per instruction for
/// 512 walkers), then moves each lane as on the built-in landscapes — the same optimizer steps,
/// flush and projection, a non-finite 2-D walker NaN in both coordinates. Walkers at w = 0 are
/// not taken as settled: 0 need not be a stationary point of a typed loss.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
#[cfg_attr(target_arch = "wasm32", inline(never))]
pub(super) fn typed<const ADAPTIVE: bool, const ADD: bool, const PROJ: bool>(
    k: &LaneKernel,
    batch: &mut [Group<'_>],
    t0: u64,
    steps: u64,
    bias: &[(f64, f64)],
    c: &CustomKernel,
) {
    use crate::model::expr::program::{W1, W2, X};
    let two_d = c.grad.len() == 2;
    let (lambda, proj) = (k.lambda, k.proj);
    let ams = k.optimizer == Optimizer::Amsgrad;
    let lanes = |g: usize| g * LANES..(g + 1) * LANES;
    let mut regs = c.program.registers::<WIDE>();
    let mut m = [[0.0; WIDE]; 6];
    for (gi, g) in batch.iter().enumerate() {
        let at = gi * LANES;
        regs[W1][at..at + g.w1.len()].copy_from_slice(g.w1);
        if two_d {
            regs[W2][at..at + g.w2.len()].copy_from_slice(g.w2);
        }
        if ADAPTIVE {
            let [m1, v1, vh1, m2, v2, vh2] = &mut m;
            load_moments(one(m1, gi), one(v1, gi), one(vh1, gi), g.m1);
            if two_d {
                load_moments(one(m2, gi), one(v2, gi), one(vh2, gi), g.m2);
            }
        }
    }
    if let Draw::Constant(x) = k.draw {
        regs[X] = [x; WIDE];
    }
    let (out1, out2) = (c.program.outputs[0], c.program.outputs.get(1).copied());
    let (mut e1, mut e2) = ([0.0; WIDE], [0.0; WIDE]);
    let (mut copy1, mut copy2) = ([0.0; WIDE], [0.0; WIDE]);
    for s in 0..steps {
        for (gi, g) in batch.iter_mut().enumerate() {
            draw(k.draw, g.rng, one(&mut regs[X], gi));
            if ADD {
                draw_added(k.sigma_add, g.rng, one(&mut e1, gi));
                if two_d {
                    draw_added(k.sigma_add, g.rng, one(&mut e2, gi));
                }
            }
        }
        c.program.run(&mut regs);
        // The gradient is read where the program left it; an output that is an input
        // (ℓ = w²/2 has ∂ℓ/∂w = w) is copied out first, as w moves.
        let (inputs, computed) = regs.split_at_mut(X + 1);
        if out1 <= X {
            copy1 = inputs[out1];
        }
        if let Some(o) = out2
            && o <= X
        {
            copy2 = inputs[o];
        }
        let g1 = if out1 <= X {
            &copy1
        } else {
            &computed[out1 - X - 1]
        };
        let g2 = match out2 {
            Some(o) if o > X => &computed[o - X - 1],
            _ => &copy2,
        };
        let (c1, c2) = bias.get(s as usize).copied().unwrap_or((1.0, 1.0));
        let (w1, rest) = inputs.split_at_mut(W2);
        let (w1, w2) = (&mut w1[W1], &mut rest[0]);
        let [m1, v1, vh1, m2, v2, vh2] = &mut m;
        // One loop per dimension, each free of the other's branch (so each vectorises).
        let mut step1 = |i: usize| {
            let gr1 = if ADD { g1[i] + e1[i] } else { g1[i] };
            if ADAPTIVE {
                adam_lane(&mut m1[i], &mut v1[i], &mut vh1[i], gr1, k, ams, c1, c2)
            } else {
                -lambda * gr1
            }
        };
        if two_d {
            for i in 0..WIDE {
                let d1 = step1(i);
                let gr2 = if ADD { g2[i] + e2[i] } else { g2[i] };
                let d2 = if ADAPTIVE {
                    adam_lane(&mut m2[i], &mut v2[i], &mut vh2[i], gr2, k, ams, c1, c2)
                } else {
                    -lambda * gr2
                };
                (w1[i], w2[i]) = settle_pair::<PROJ>(w1[i] + d1, w2[i] + d2, proj);
            }
        } else {
            for (i, w) in w1.iter_mut().enumerate() {
                *w = settle::<PROJ>(*w + step1(i), proj);
            }
        }
        if (t0 + s + 1).is_multiple_of(DEAD_CHECK) {
            for (gi, g) in batch.iter_mut().enumerate() {
                let n = g.w1.len();
                *g.dead = w1[lanes(gi)][..n].iter().all(|v| v.is_nan());
            }
            if batch.iter().all(|g| *g.dead) {
                break;
            }
        }
    }
    for (gi, g) in batch.iter_mut().enumerate() {
        let n = g.w1.len();
        g.w1.copy_from_slice(&regs[W1][lanes(gi)][..n]);
        if two_d {
            g.w2.copy_from_slice(&regs[W2][lanes(gi)][..n]);
        }
        if ADAPTIVE {
            let [m1, v1, vh1, m2, v2, vh2] = &mut m;
            store_moments(one(m1, gi), one(v1, gi), one(vh1, gi), g.m1);
            if two_d {
                store_moments(one(m2, gi), one(v2, gi), one(vh2, gi), g.m2);
            }
        }
    }
}
