// The script every pool worker runs, as source text: Node, Deno and Bun start it with
// worker_threads' `eval: true`, browsers as a module Web Worker from a blob: URL, so there is no
// worker file for a bundler to find or lose (tfjs-wasm's blob: worker does not start in Node; this
// one does). scripts/build-js.mjs also writes it to dist/thread-worker.js for pages whose CSP forbids
// blob: workers (init({ threads, workerUrl })). It imports nothing and must stay plain ES2020.
//
// The worker gets the kernels' WebAssembly.Module and the one shared Memory, instantiates them, says
// `{ ready: true }` once, then loops: claim tasks of the current job (control block, pool.ts) until
// none are left, spin on the generation word for a while, then sleep in Atomics.wait on it.
export const WORKER_SOURCE = `'use strict';
(() => {
  const wt = typeof require === 'function' ? require('node:worker_threads') : null;
  const port = wt ? wt.parentPort : null;
  const post = (m) => (port ? port.postMessage(m) : self.postMessage(m));
  const start = (m) => {
    let fns, ctl, tasks;
    try {
      const ex = new WebAssembly.Instance(m.module, { env: { memory: m.memory } }).exports;
      fns = m.names.map((n) => ex[n]);
      ctl = new Int32Array(m.memory.buffer, m.ctl, m.ctlInts);
      tasks = new Float64Array(m.memory.buffer, m.table, m.capacity * m.slots);
    } catch (e) {
      post({ error: String((e && e.message) || e) });
      return;
    }
    post({ ready: true });
    const GEN = m.layout.GEN, JOB = m.layout.JOB, DONE = m.layout.DONE, STOP = m.layout.STOP;
    const ERROR = m.layout.ERROR, SPIN = m.layout.SPIN, TAKEN = m.layout.TAKEN, SLOTS = m.slots;
    Atomics.add(ctl, m.layout.READY, 1);
    let seen = Atomics.load(ctl, GEN);
    while (Atomics.load(ctl, STOP) === 0) {
      for (;;) {
        const v = Atomics.load(ctl, JOB), next = v & 0xffff;
        if (next >= v >>> 16) break;
        if (Atomics.compareExchange(ctl, JOB, v, v + 1) !== v) continue;
        Atomics.add(ctl, TAKEN, 1);
        const o = next * SLOTS, t = tasks;
        try {
          fns[t[o]](t[o + 1], t[o + 2], t[o + 3], t[o + 4], t[o + 5], t[o + 6], t[o + 7], t[o + 8], t[o + 9],
            t[o + 10], t[o + 11], t[o + 12], t[o + 13], t[o + 14]);
        } catch (e) {
          Atomics.compareExchange(ctl, ERROR, 0, next + 1);
        }
        // the last task of the job wakes a caller sleeping on DONE
        if (Atomics.add(ctl, DONE, 1) + 1 === v >>> 16) Atomics.notify(ctl, DONE);
      }
      let g = Atomics.load(ctl, GEN);
      for (let i = Atomics.load(ctl, SPIN); g === seen && i > 0; i--) g = Atomics.load(ctl, GEN);
      if (g === seen) {
        Atomics.wait(ctl, GEN, seen);
        g = Atomics.load(ctl, GEN);
      }
      seen = g;
    }
  };
  if (port) port.once('message', start);
  else self.onmessage = (e) => {
    self.onmessage = null;
    start(e.data);
  };
})();
`;
