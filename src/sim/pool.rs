//! The one work queue behind every sweep: items handed out to scoped threads one at a time
//! through an atomic counter (so a slow item never holds up the others), results streamed back
//! to the calling thread as they finish. On one thread (a browser tab) the items run in order
//! on the calling thread, the computation giving the frame back between items.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::coop;

/// Run `work(i, &items[i])` for every item on up to `threads` threads and give each result to
/// `on_result(i, result)` on the calling thread, in the order they finish. A thread stops taking
/// items once its `work` returns `None` (a cancel); `on_result` may stop the rest through the
/// same cancel flag `work` looks at.
pub fn for_each_parallel<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    work: impl Fn(usize, &T) -> Option<R> + Sync,
    on_result: impl FnMut(usize, R),
) {
    coop::block_on(for_each(
        items,
        threads,
        |i, t| std::future::ready(work(i, t)),
        on_result,
    ));
}

/// As [`for_each_parallel`], with a `work` that may give the frame back (see [`coop`]). With
/// one thread the items run here in order: the same results, the same order of `on_result`.
pub async fn for_each<T: Sync, R: Send, Fut: Future<Output = Option<R>>>(
    items: &[T],
    threads: usize,
    work: impl Fn(usize, &T) -> Fut + Sync,
    mut on_result: impl FnMut(usize, R),
) {
    if threads <= 1 || items.len() <= 1 {
        for (i, item) in items.iter().enumerate() {
            match work(i, item).await {
                Some(r) => on_result(i, r),
                None => break,
            }
            coop::yield_now().await;
        }
        return;
    }
    let next = AtomicUsize::new(0);
    let (tx, rx) = crossbeam_channel::unbounded::<(usize, R)>();
    std::thread::scope(|s| {
        for _ in 0..threads.clamp(1, items.len().max(1)) {
            let (tx, next, work) = (tx.clone(), &next, &work);
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    match coop::block_on(work(i, item)) {
                        Some(r) => {
                            if tx.send((i, r)).is_err() {
                                break;
                            }
                        }
                        None => break,
                    }
                }
            });
        }
        drop(tx);
        for (i, r) in rx.iter() {
            on_result(i, r);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_once_and_a_cancel_stops_the_rest() {
        let items: Vec<u64> = (0..1000).collect();
        let mut seen = vec![0; items.len()];
        for_each_parallel(
            &items,
            4,
            |i, &x| Some((i as u64, x * x)),
            |i, (j, sq)| {
                assert_eq!(i as u64, j);
                assert_eq!(sq, items[i] * items[i]);
                seen[i] += 1;
            },
        );
        assert!(seen.iter().all(|&n| n == 1));
        // A work that says stop (a cancel seen) at item 100: the counter hands items out in
        // order, so every item before it ran and none after it did.
        let mut got = Vec::new();
        for_each_parallel(&items, 4, |i, _| (i < 100).then_some(i), |_, i| got.push(i));
        got.sort_unstable();
        assert_eq!(got, (0..100).collect::<Vec<_>>());
        // No items: nothing runs, nothing hangs.
        for_each_parallel(&[] as &[u8], 3, |_, _| Some(()), |_, ()| panic!("no items"));
    }
}
