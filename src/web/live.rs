//! The live ensemble in a Web Worker of its own (`web/worker.js`, a fresh instance of this
//! module): the page's side of [`crate::sim::worker::wire`]. Commands go out and snapshots
//! come back as transferred buffers; the UI thread decodes and draws them, and computes
//! nothing of the experiment.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::sim::worker::Waker;
use crate::sim::worker::wire::{self, LiveHost, LiveLink};

type Inbox = Rc<RefCell<Vec<Result<Vec<u8>, String>>>>;

thread_local! {
    /// Live workers started since the page opened.
    static STARTED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Live workers started since the page opened (for `window.saddlescopeState`).
pub fn started() -> u32 {
    STARTED.with(std::cell::Cell::get)
}

/// A link to the live worker; dropping it stops the worker.
struct WebLink {
    worker: web_sys::Worker,
    inbox: Inbox,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl LiveLink for WebLink {
    fn post(&self, bytes: Vec<u8>) {
        let bytes = js_sys::Uint8Array::from(bytes.as_slice());
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &"live".into(), &bytes);
        let transfer = js_sys::Array::of1(&bytes.buffer());
        if let Err(e) = self.worker.post_message_with_transfer(&msg, &transfer) {
            let why = format!("a command could not be sent to the simulation's Web Worker: {e:?}");
            self.inbox.borrow_mut().push(Err(why));
        }
    }

    fn take(&self, _shown: bool) -> Vec<Result<Vec<u8>, String>> {
        std::mem::take(&mut *self.inbox.borrow_mut())
    }
}

/// Messages held back, at most, before the worker starts anyway.
const HELD: usize = 64;

/// How long the pool must have been idle before the worker starts: a view's job is handed
/// out in its first frames, and a job that hands out its tasks a few at a time leaves the pool
/// idle for a frame between them.
const SETTLE: web_time::Duration = web_time::Duration::from_millis(250);

/// A link whose worker starts when it is needed: when the live ensemble is shown, or once the
/// pool of job workers is idle. A Web Worker's start (an isolate, the module instantiated)
/// takes a core for a while, and on two cores beside a starting job it cost the page frames
/// (Fig. 2-left's frame interval p95 16.8 → 66.7 ms, web/test/browser.mjs). Until then the
/// commands wait here, in order.
struct LazyLink {
    link: RefCell<Option<WebLink>>,
    held: RefCell<Vec<Vec<u8>>>,
    failed: RefCell<Option<String>>,
    /// Since when the looks have found the pool idle.
    idle_since: std::cell::Cell<Option<web_time::Instant>>,
    waker: Waker,
    /// Asks for a frame a little later: a look once the pool has settled.
    later: Waker,
}

impl LazyLink {
    fn open_if(&self, now: bool) {
        if self.link.borrow().is_some() || self.failed.borrow().is_some() || !now {
            return;
        }
        match open(self.waker.clone()) {
            Ok(link) => {
                STARTED.with(|n| n.set(n.get() + 1));
                for bytes in self.held.borrow_mut().drain(..) {
                    link.post(bytes);
                }
                *self.link.borrow_mut() = Some(link);
            }
            Err(e) => *self.failed.borrow_mut() = Some(e),
        }
    }
}

impl LiveLink for LazyLink {
    fn post(&self, bytes: Vec<u8>) {
        if let Some(link) = self.link.borrow().as_ref() {
            return link.post(bytes);
        }
        self.held.borrow_mut().push(bytes);
        self.open_if(self.held.borrow().len() > HELD);
    }

    fn take(&self, shown: bool) -> Vec<Result<Vec<u8>, String>> {
        let now = web_time::Instant::now();
        let since = super::workers::idle().then(|| self.idle_since.get().unwrap_or(now));
        self.idle_since.set(since);
        self.open_if(shown || since.is_some_and(|t| now.duration_since(t) >= SETTLE));
        if self.link.borrow().is_none() && self.failed.borrow().is_none() {
            (self.later)();
        }
        if let Some(why) = self.failed.borrow_mut().take() {
            return vec![Err(why)];
        }
        self.link
            .borrow()
            .as_ref()
            .map_or_else(Vec::new, |l| l.take(shown))
    }
}

impl Drop for WebLink {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// A link to a fresh live worker; `waker` is called as its messages arrive.
fn open(waker: Waker) -> Result<WebLink, String> {
    let worker = super::workers::start_worker()
        .map_err(|e| format!("the simulation's Web Worker did not start: {e:?}"))?;
    let inbox: Inbox = Rc::default();
    let (into, wake) = (inbox.clone(), waker.clone());
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let data = e.data();
            let get = |k: &str| js_sys::Reflect::get(&data, &k.into()).ok();
            if let Some(bytes) = get("live").and_then(|v| v.dyn_into::<js_sys::Uint8Array>().ok()) {
                into.borrow_mut().push(Ok(bytes.to_vec()));
            } else if let Some(why) = get("live_error").and_then(|v| v.as_string()) {
                into.borrow_mut().push(Err(why));
            }
            wake();
        });
    let into = inbox.clone();
    let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
        e.prevent_default();
        into.borrow_mut().push(Err(format!(
            "the simulation's Web Worker failed: {}",
            e.message()
        )));
        waker();
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(WebLink {
        worker,
        inbox,
        _on_message: on_message,
        _on_error: on_error,
    })
}

/// Run the app's live ensemble in a Web Worker from now on (started when needed); `later`
/// asks for a frame a little later.
pub fn install(later: Waker) {
    wire::install(Some(Rc::new(move |waker| {
        Ok(Box::new(LazyLink {
            link: RefCell::new(None),
            held: RefCell::new(Vec::new()),
            failed: RefCell::new(None),
            idle_since: std::cell::Cell::new(None),
            waker,
            later: later.clone(),
        }) as Box<dyn LiveLink>)
    })));
}

thread_local! {
    /// The message of the panic that stopped this instance's live host, if one did.
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The far side, as `web/worker.js` holds it.
#[wasm_bindgen]
pub struct LiveWorker(LiveHost);

#[wasm_bindgen]
impl LiveWorker {
    #[wasm_bindgen(constructor)]
    pub fn new() -> LiveWorker {
        // A panic traps the instance; its message is kept for `livePanic` to tell the UI.
        std::panic::set_hook(Box::new(|info| {
            let msg = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| info.to_string());
            PANIC.with(|p| *p.borrow_mut() = Some(msg));
        }));
        LiveWorker(LiveHost::new())
    }

    /// A message from the UI (the bytes of a command or an acknowledgement).
    pub fn receive(&mut self, bytes: &[u8]) -> Result<(), JsValue> {
        self.0.receive(bytes).map_err(|e| e.into())
    }

    /// Compute for a slice and `post(bytes)` each event ready; the milliseconds until it
    /// wants to run again, or -1 when it waits for a message.
    pub fn pump(&mut self, post: &js_sys::Function) -> f64 {
        let wait = self.0.pump(wire::SLICE, &mut |bytes| {
            let _ = post.call1(
                &JsValue::NULL,
                &js_sys::Uint8Array::from(bytes.as_slice()).into(),
            );
        });
        wait.map_or(-1.0, |d| d.as_secs_f64() * 1e3)
    }
}

impl Default for LiveWorker {
    fn default() -> Self {
        LiveWorker::new()
    }
}

/// Why the live host of this instance stopped, after a panic trapped it.
#[wasm_bindgen(js_name = livePanic)]
pub fn live_panic() -> Option<String> {
    PANIC.with(|p| p.borrow().clone())
}
