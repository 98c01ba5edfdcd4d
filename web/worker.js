// A Web Worker of the page (src/web/workers.rs, src/web/live.rs): an instance of the same wasm
// module, compiled once by the page and handed over in the first message. Messages that arrive
// while the module instantiates wait for it, in order.
//
// - A pool worker answers tasks: {id, task: Uint8Array}; it posts {id, fraction} as it goes
//   and then {id, reply: Uint8Array, ms} (transferred; ms: the time it took) or {id, error}.
// - The live worker owns the live ensemble: {live: Uint8Array} is a command or an
//   acknowledgement; it pumps the experiment on a timer between messages and posts {live:
//   Uint8Array} (a snapshot or an error, transferred), or {live_error} once a panic stopped it.
import init, { workerRun, LiveWorker, livePanic } from './saddlescope.js';

let ready = null;
let live = null;
let dead = false;
let timer = null;

const postLive = (bytes) => self.postMessage({ live: bytes }, [bytes.buffer]);

function pumpLive() {
  timer = null;
  let wait;
  try {
    wait = live.pump(postLive);
  } catch (err) {
    stopLive(err);
    return;
  }
  if (wait >= 0) timer = setTimeout(pumpLive, wait);
}

// A panic traps the instance: nothing more runs here, and the UI is told why.
function stopLive(err) {
  dead = true;
  let why = null;
  try { why = livePanic(); } catch { /* the instance is gone */ }
  self.postMessage({ live_error: why || `the simulation stopped in its Web Worker: ${err}` });
}

function onLive(bytes) {
  if (dead) return;
  try {
    live ??= new LiveWorker();
    live.receive(bytes);
  } catch (err) {
    stopLive(err);
    return;
  }
  // Every message waiting is taken before the next pump (a timer runs after them).
  if (timer !== null) clearTimeout(timer);
  timer = setTimeout(pumpLive, 0);
}

self.onmessage = (e) => {
  const m = e.data;
  if (m.module) {
    ready = init({ module_or_path: m.module });
    return;
  }
  if (m.live) {
    ready.then(() => onLive(m.live), (err) => self.postMessage({ live_error: `the simulation's Web Worker could not start: ${err}` }));
    return;
  }
  // Errors are posted back, never thrown: a throw in a handler would leave the task unanswered.
  ready.then(() => {
    let reply;
    const t0 = performance.now();
    try {
      reply = workerRun(m.task, (fraction) => self.postMessage({ id: m.id, fraction }));
    } catch (err) {
      self.postMessage({ id: m.id, error: `the task failed in a Web Worker: ${err}` });
      return;
    }
    self.postMessage({ id: m.id, reply, ms: performance.now() - t0 }, [reply.buffer]);
  }, (err) => self.postMessage({ id: m.id, error: `a Web Worker could not start: ${err}` }));
};
