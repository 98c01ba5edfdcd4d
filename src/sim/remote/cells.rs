//! A phase diagram's cells on a pool of workers: the scheduler behind
//! [`crate::sim::sweep::run_sweep_async`] where a pool is installed (the page).

use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{Batch, Event, Pool, Task, answer};
use crate::sim::params::{ExperimentParams, ParamError, ValidParams};
use crate::sim::sweep::{SweepSpec, TheoryLayers};

/// Run the cells of `order` on a pool of workers (see [`super`]), a few per task and
/// at most two tasks per worker in flight, giving each result to `on_cell(k, result)` with k
/// its place in `order`. The theory layers go out as one task once the coarse level is handed
/// out, so the coarse image comes first; they are returned (`None` after a cancel).
#[allow(clippy::too_many_arguments)]
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
    let chunks: Vec<(usize, usize)> = [(0, coarse), (coarse, order.len())]
        .into_iter()
        .flat_map(|(from, to)| (from..to).step_by(per).map(move |k| (k, (k + per).min(to))))
        .collect();
    // Enough handed out that the workers never wait for the UI's next look (a page's frame
    // can be long while it draws, and answers wake it 200 ms later): each task's bytes are
    // small, and a cancel withdraws the queued ones at once.
    let window = 512 * pool.workers().max(1);
    let mut batch = Batch::new(pool);
    // Task tag → the chunk it carries (none: the theory task).
    let mut carried: Vec<Option<(usize, usize)>> = Vec::new();
    let mut next = 0;
    let mut theory = None;
    let mut theory_sent = false;
    loop {
        while batch.in_flight() < window && (next < chunks.len() || !theory_sent) {
            if next >= chunks.len() || (chunks[next].0 >= coarse && !theory_sent) {
                batch.submit(&Task::SweepTheory {
                    base: ExperimentParams::clone(base),
                    spec: spec.clone(),
                });
                carried.push(None);
                theory_sent = true;
                continue;
            }
            let (from, to) = chunks[next];
            batch.submit(&Task::SweepCells {
                base: ExperimentParams::clone(base),
                spec: spec.clone(),
                cells: order[from..to].to_vec(),
            });
            carried.push(Some((from, to)));
            next += 1;
        }
        if cancel.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let Some((tag, Event::Done(bytes))) = batch.next().await else {
            if batch.in_flight() == 0 {
                break;
            }
            continue;
        };
        match carried[tag] {
            Some((from, _)) => {
                let cells = answer::<Vec<(f64, f64)>>(bytes)
                    .map_err(worker)?
                    .unwrap_or_default();
                for (i, r) in cells.into_iter().enumerate() {
                    on_cell(from + i, r);
                }
            }
            None => {
                theory = answer::<TheoryLayers>(bytes).map_err(worker)?;
            }
        }
    }
    Ok(theory)
}
