//! The page's pool of Web Workers: `navigator.hardwareConcurrency` module workers
//! (`web/worker.js`), each an instance of this same wasm module, compiled once and handed to
//! them. They run the jobs' tasks ([`crate::sim::remote`]): a task goes out as a transferred
//! buffer of CBOR, its progress and answer come back the same way, and the UI thread only hands
//! tasks out and takes answers in. A worker whose task failed (a panic traps its instance), or
//! whose long task was withdrawn, is replaced by a fresh one.
//!
//! Message passing rather than shared memory (wasm-bindgen-rayon): it needs neither nightly
//! Rust nor the COOP/COEP headers that many static hosts cannot send, and a sweep's cells are
//! independent, so nothing is lost by copying their few bytes.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use crossbeam_channel::Sender;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::sim::remote::{self, Event, Pool, Ticket};
use crate::sim::worker::Waker;

/// The script each worker runs (`web/worker.js`, beside the page).
const SCRIPT: &str = "./worker.js";

/// Most workers a page starts, whatever the machine says.
const MAX_WORKERS: usize = 16;

type Reply = Sender<(usize, Event)>;

struct Queued {
    id: u64,
    task: Vec<u8>,
    long: bool,
    tag: usize,
    tx: Reply,
}

struct Running {
    id: u64,
    long: bool,
    tag: usize,
    tx: Reply,
}

struct Slot {
    worker: web_sys::Worker,
    running: Option<Running>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

struct Inner {
    slots: Vec<Slot>,
    queue: VecDeque<Queued>,
    next_id: u64,
    waker: Waker,
}

thread_local! {
    /// The page's pool, for [`idle`].
    static POOL: RefCell<Weak<RefCell<Inner>>> = const { RefCell::new(Weak::new()) };
    /// Tasks answered by the page's workers since it opened, and the ms they computed (for
    /// `window.saddlescopeState`).
    static ANSWERED: Cell<(u64, f64)> = const { Cell::new((0, 0.0)) };
}

/// Whether the page's pool has no task running or waiting (true when it has no pool).
pub(super) fn idle() -> bool {
    POOL.with(|p| {
        p.borrow().upgrade().is_none_or(|inner| {
            inner
                .try_borrow()
                .is_ok_and(|i| i.queue.is_empty() && i.slots.iter().all(|s| s.running.is_none()))
        })
    })
}

/// Tasks the page's workers have answered so far, and the milliseconds they computed.
pub fn answered() -> (u64, f64) {
    ANSWERED.with(Cell::get)
}

/// The pool; cheap to clone into the tasks' tickets.
pub struct WorkerPool(Rc<RefCell<Inner>>);

impl WorkerPool {
    /// `n` workers, each starting to instantiate the module at once. `waker` asks for a
    /// frame when an answer comes.
    pub fn new(n: usize, waker: Waker) -> Result<WorkerPool, String> {
        let inner = Rc::new(RefCell::new(Inner {
            slots: Vec::new(),
            queue: VecDeque::new(),
            next_id: 0,
            waker,
        }));
        for i in 0..n.clamp(1, MAX_WORKERS) {
            let slot =
                spawn(&inner, i).map_err(|e| format!("a Web Worker did not start: {e:?}"))?;
            inner.borrow_mut().slots.push(slot);
        }
        POOL.with(|p| *p.borrow_mut() = Rc::downgrade(&inner));
        Ok(WorkerPool(inner))
    }
}

/// A module worker running `web/worker.js`, sent the compiled module.
pub(super) fn start_worker() -> Result<web_sys::Worker, JsValue> {
    let opts = web_sys::WorkerOptions::new();
    opts.set_type(web_sys::WorkerType::Module);
    let worker = web_sys::Worker::new_with_options(SCRIPT, &opts)?;
    let hello = js_sys::Object::new();
    js_sys::Reflect::set(&hello, &"module".into(), &wasm_bindgen::module())?;
    worker.post_message(&hello)?;
    Ok(worker)
}

/// A worker for place `i`.
fn spawn(inner: &Rc<RefCell<Inner>>, i: usize) -> Result<Slot, JsValue> {
    let worker = start_worker()?;
    let weak = Rc::downgrade(inner);
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            message(&weak, i, &e.data());
        });
    let weak = Rc::downgrade(inner);
    let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
        // A script that failed to load or a throw outside a task: the task running there (if
        // any) fails with it, and the place gets a fresh worker.
        e.prevent_default();
        failed(&weak, i, format!("a Web Worker failed: {}", e.message()));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Slot {
        worker,
        running: None,
        _on_message: on_message,
        _on_error: on_error,
    })
}

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// A worker's message: `{id, fraction}`, `{id, reply}` (a Uint8Array) or `{id, error}`.
fn message(weak: &Weak<RefCell<Inner>>, i: usize, data: &JsValue) {
    let Some(rc) = weak.upgrade() else { return };
    let id = get(data, "id").as_f64().unwrap_or(-1.0);
    let waker = {
        let mut inner = rc.borrow_mut();
        let Some(run) = inner.slots[i]
            .running
            .as_ref()
            .filter(|r| r.id as f64 == id)
        else {
            return;
        };
        if let Some(f) = get(data, "fraction").as_f64() {
            let _ = run.tx.send((run.tag, Event::Progress(f as f32)));
            return;
        }
        let reply = get(data, "reply");
        let done = match reply.dyn_ref::<js_sys::Uint8Array>() {
            Some(bytes) => Ok(bytes.to_vec()),
            None => Err(get(data, "error")
                .as_string()
                .unwrap_or_else(|| "a Web Worker answered nothing".into())),
        };
        let failed = done.is_err();
        let run = inner.slots[i].running.take().expect("checked above");
        let _ = run.tx.send((run.tag, Event::Done(done)));
        let ms = get(data, "ms").as_f64().unwrap_or(0.0);
        ANSWERED.with(|n| n.set((n.get().0 + 1, n.get().1 + ms)));
        if failed {
            // A trap leaves the instance unusable: a fresh worker takes the place.
            replace(&rc, &mut inner, i);
        }
        dispatch(&mut inner);
        inner.waker.clone()
    };
    waker();
}

/// The worker at `i` failed outside a task's answer.
fn failed(weak: &Weak<RefCell<Inner>>, i: usize, why: String) {
    let Some(rc) = weak.upgrade() else { return };
    let waker = {
        let mut inner = rc.borrow_mut();
        if let Some(run) = inner.slots[i].running.take() {
            let _ = run.tx.send((run.tag, Event::Done(Err(why.clone()))));
        }
        web_sys::console::warn_1(&why.into());
        replace(&rc, &mut inner, i);
        dispatch(&mut inner);
        inner.waker.clone()
    };
    waker();
}

/// Stop the worker at `i` and start a fresh one there (its task, if any, is dropped).
fn replace(rc: &Rc<RefCell<Inner>>, inner: &mut Inner, i: usize) {
    inner.slots[i].worker.terminate();
    inner.slots[i].running = None;
    match spawn(rc, i) {
        Ok(slot) => inner.slots[i] = slot,
        Err(e) => web_sys::console::error_1(&format!("a Web Worker did not restart: {e:?}").into()),
    }
}

/// Hand queued tasks to idle workers, the first that may run first: long tasks run on all
/// workers but one (at least one), so a job made of them leaves a core to the page's drawing.
/// A long task (a λ of the loss sweep, an optimizer's curve, the escape runs) computes for tens
/// of ms to seconds without a pause, and two of them on a two-core machine starved the page
/// and the browser's compositor (loss sweep: frame interval p95 50–67 ms; with one worker 33 ms,
/// 1.15 s instead of 0.8 s, web/test/browser.mjs). A phase diagram's cells are short tasks
/// whose answers pass through this thread before the next is handed out; they use every
/// worker (Fig. 4 needs both to stay within 10× native).
fn dispatch(inner: &mut Inner) {
    let long_cap = inner.slots.len().saturating_sub(1).max(1);
    for i in 0..inner.slots.len() {
        if inner.slots[i].running.is_some() {
            continue;
        }
        let long_running = inner
            .slots
            .iter()
            .filter(|s| s.running.as_ref().is_some_and(|r| r.long))
            .count();
        let Some(k) = inner
            .queue
            .iter()
            .position(|q| !q.long || long_running < long_cap)
        else {
            return;
        };
        let Some(q) = inner.queue.remove(k) else {
            return;
        };
        let bytes = js_sys::Uint8Array::from(q.task.as_slice());
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &"id".into(), &(q.id as f64).into());
        let _ = js_sys::Reflect::set(&msg, &"task".into(), &bytes);
        let transfer = js_sys::Array::of1(&bytes.buffer());
        if let Err(e) = inner.slots[i]
            .worker
            .post_message_with_transfer(&msg, &transfer)
        {
            let why = format!("a task could not be sent to a Web Worker: {e:?}");
            let _ = q.tx.send((q.tag, Event::Done(Err(why))));
            continue;
        }
        inner.slots[i].running = Some(Running {
            id: q.id,
            long: q.long,
            tag: q.tag,
            tx: q.tx,
        });
    }
}

/// Withdraw task `id`: out of the queue, or, a long one that runs, its worker replaced.
fn withdraw(weak: &Weak<RefCell<Inner>>, id: u64) {
    let Some(rc) = weak.upgrade() else { return };
    let mut inner = rc.borrow_mut();
    inner.queue.retain(|q| q.id != id);
    let running = inner
        .slots
        .iter()
        .position(|s| s.running.as_ref().is_some_and(|r| r.id == id));
    // A short task that runs finishes soon; its answer goes to a receiver that is gone.
    if let Some(i) = running
        && inner.slots[i].running.as_ref().is_some_and(|r| r.long)
    {
        replace(&rc, &mut inner, i);
        dispatch(&mut inner);
    }
}

impl Pool for WorkerPool {
    fn workers(&self) -> usize {
        self.0.borrow().slots.len()
    }

    fn submit(&self, task: Vec<u8>, long: bool, tag: usize, tx: Reply) -> Ticket {
        let id = {
            let mut inner = self.0.borrow_mut();
            let id = inner.next_id;
            inner.next_id += 1;
            inner.queue.push_back(Queued {
                id,
                task,
                long,
                tag,
                tx,
            });
            dispatch(&mut inner);
            id
        };
        let weak = Rc::downgrade(&self.0);
        Ticket::new(move || withdraw(&weak, id))
    }
}

/// Start the page's pool and send the jobs' work to it, and run the live ensemble in a worker
/// of its own ([`super::live`]); where workers cannot start, both run in slices of the frames
/// as before (and the console says why). `waker` is called as
/// answers come (a redraw soon, not at once: answers come faster than a page can redraw).
pub fn install(waker: Waker) {
    let Some(window) = web_sys::window() else {
        return;
    };
    // `?workers=N` in the address: N workers (0: none, the frames compute), else one a core.
    let asked = window.location().search().ok().and_then(|q| {
        q.trim_start_matches('?')
            .split('&')
            .find_map(|kv| kv.strip_prefix("workers=")?.parse::<usize>().ok())
    });
    let n = asked.unwrap_or(window.navigator().hardware_concurrency() as usize);
    if n == 0 {
        return;
    }
    match WorkerPool::new(n, waker.clone()) {
        Ok(pool) => {
            remote::install(Some(Rc::new(pool)));
            super::live::install(waker);
        }
        Err(e) => web_sys::console::warn_1(&format!("{e}; computing in the page's frames").into()),
    }
}

/// What a worker runs for a task (`web/worker.js` calls it): the task's bytes in, its answer's
/// bytes out; `progress(fraction)` is called as it goes.
#[wasm_bindgen(js_name = workerRun)]
pub fn worker_run(task: &[u8], progress: &js_sys::Function) -> Result<Vec<u8>, JsValue> {
    remote::execute(task, &mut |f| {
        let _ = progress.call1(&JsValue::NULL, &f.into());
    })
    .map_err(|e| e.into())
}
