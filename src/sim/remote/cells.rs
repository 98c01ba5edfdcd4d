//! A phase diagram's cells on a pool of workers: the scheduler behind
//! [`crate::sim::sweep::run_sweep_async`] where a pool is installed (the page).

use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{Batch, Event, Pool, Task, answer};
use crate::sim::params::{ExperimentParams, ParamError, ValidParams};
use crate::sim::sweep::{SweepSpec, TheoryLayers};

/// What a task of [`cells_on_pool`] carries.
enum Carried {
    /// Cells of the visiting order from this place on.
    Cells(usize),
    /// The theory layers (without the μ = 0 line where it is sampled in rows).
    Theory,
    /// Rows of the μ = 0 line's sampling (handed out in row order).
    MuZero,
}

/// Run the cells of `order` on a pool of workers (see [`super`]), a few per task, giving each
/// result to `on_cell(k, result)` with k its place in `order`. The theory layers go out once
/// the coarse level is handed out, so the coarse image comes first: one task, and where the
/// μ = 0 line is sampled (a Gaussian law's ~2.6·10⁴ quadratures, seconds) its rows in tasks of
/// their own, spread over the workers and joined here. They are returned (`None` after a
/// cancel).
pub(crate) async fn cells_on_pool(
    pool: Rc<dyn Pool>,
    base: &ValidParams,
    spec: &SweepSpec,
    order: &[(usize, usize)],
    coarse: usize,
    cancel: &AtomicBool,
    mut on_cell: impl FnMut(usize, (f64, f64)),
) -> Result<Option<TheoryLayers>, ParamError> {
    let worker = |e: String| ParamError::Worker(e);
    // About 10⁷ walker-steps a task (a few ms to tens of ms in a page), up to 8 cells: a
    // message per cell would cost more than a small cell, and big tasks would make the coarse
    // image late.
    let per = (10_000_000 / (spec.walkers as u64 * spec.steps).max(1)).clamp(1, 8) as usize;
    let coarse = coarse.min(order.len());
    let mut tasks: Vec<(Task, Carried)> = Vec::new();
    let base_params = || ExperimentParams::clone(base);
    let cells =
        |from: usize, to: usize| (from..to).step_by(per).map(move |k| (k, (k + per).min(to)));
    for (from, to) in cells(0, coarse) {
        let task = Task::SweepCells {
            base: base_params(),
            spec: spec.clone(),
            cells: order[from..to].to_vec(),
        };
        tasks.push((task, Carried::Cells(from)));
    }
    let mut mu_zero = crate::sim::sweep::mu_zero_frame(base, spec);
    match &mu_zero {
        None => tasks.push((
            Task::SweepTheory {
                base: base_params(),
                spec: spec.clone(),
            },
            Carried::Theory,
        )),
        Some(frame) => {
            tasks.push((
                Task::SweepTheoryButMuZero {
                    base: base_params(),
                    spec: spec.clone(),
                },
                Carried::Theory,
            ));
            // Four tasks a worker: the last ones finish close together.
            let rows = frame.rows.div_ceil(4 * pool.workers().max(1)).max(1);
            for r in (0..frame.rows).step_by(rows) {
                let to = (r + rows).min(frame.rows);
                let task = Task::MuZeroRows {
                    base: base_params(),
                    spec: spec.clone(),
                    rows: (r, to),
                };
                tasks.push((task, Carried::MuZero));
            }
        }
    }
    for (from, to) in cells(coarse, order.len()) {
        let task = Task::SweepCells {
            base: base_params(),
            spec: spec.clone(),
            cells: order[from..to].to_vec(),
        };
        tasks.push((task, Carried::Cells(from)));
    }
    // Enough handed out that the workers never wait for the UI's next look (a page's frame
    // can be long while it draws, and answers wake it 200 ms later), but not a large grid's
    // thousands of tasks encoded in one frame: each task's bytes are small, and a cancel
    // withdraws the queued ones at once. Tags are places in `tasks`.
    let window = 512 * pool.workers().max(1);
    let mut batch = Batch::new(pool);
    let mut theory: Option<TheoryLayers> = None;
    let mut mu_rows: Vec<Option<Vec<f64>>> = vec![None; tasks.len()];
    let mut next = 0;
    loop {
        while batch.in_flight() < window && next < tasks.len() {
            batch.submit(&tasks[next].0);
            next += 1;
        }
        let Some((tag, ev)) = batch.next().await else {
            break;
        };
        if cancel.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let Event::Done(bytes) = ev else { continue };
        match tasks[tag].1 {
            Carried::Cells(from) => {
                let cells = answer::<Vec<(f64, f64)>>(bytes)
                    .map_err(worker)?
                    .unwrap_or_default();
                for (i, r) in cells.into_iter().enumerate() {
                    on_cell(from + i, r);
                }
            }
            Carried::Theory => theory = answer::<TheoryLayers>(bytes).map_err(worker)?,
            Carried::MuZero => mu_rows[tag] = answer::<Vec<f64>>(bytes).map_err(worker)?,
        }
    }
    if cancel.load(Ordering::Relaxed) {
        return Ok(None);
    }
    if let (Some(t), Some(frame)) = (theory.as_mut(), mu_zero.as_mut()) {
        // The rows in order: the tasks were handed out in row order.
        let mut values = Vec::with_capacity(frame.rows * frame.cols);
        for ((_, c), rows) in tasks.iter().zip(mu_rows) {
            if let Carried::MuZero = c {
                values.extend(rows.ok_or_else(|| worker("a μ = 0 row went missing".into()))?);
            }
        }
        frame.values = values;
        t.join_mu_zero(frame);
    }
    Ok(theory)
}
