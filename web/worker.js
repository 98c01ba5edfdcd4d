// A Web Worker of the page's pool (src/web/workers.rs): an instance of the same wasm module,
// compiled once by the page and handed over in the first message, that answers tasks. A task is
// {id, task: Uint8Array}; the worker posts {id, fraction} as it goes and then {id, reply:
// Uint8Array, ms} (transferred; ms: the time it took) or {id, error}. Tasks that arrive while the module instantiates wait
// for it, in order.
import init, { workerRun } from './saddlescope.js';

let ready = null;
self.onmessage = (e) => {
  const m = e.data;
  if (m.module) {
    ready = init({ module_or_path: m.module });
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
