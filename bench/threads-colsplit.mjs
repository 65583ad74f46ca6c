// The measurement behind "batch 1 stays on one thread" (README, Threads): what splitting a batch-1
// step's recurrent GEMV by output columns between 2 threads, with a barrier per step, would gain.
// The LSTM's W_hh product for one row (K = H inputs, N = 4H outputs), 200 steps: one thread doing all
// columns, against two threads doing half each and meeting at an Atomics spin barrier after every
// step (the best case for the split: both threads already running, no gate math, no JS call per step).
//   node bench/threads-colsplit.mjs [H ...]        (default 128 256 512 1024)
// Uses build/lstm.simd.mt.wasm (npm run build:wasm).
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const STEPS = 200;
const module = await WebAssembly.compile(readFileSync(new URL('../build/lstm.simd.mt.wasm', import.meta.url)));

async function measure(H) {
  const K = H,
    N = 4 * H,
    CTL = 1024,
    X = 4096,
    Y = X + K * 4 + 64,
    W = (Y + N * 4 + 4096 + 63) & ~63;
  const memory = new WebAssembly.Memory({
    initial: Math.ceil((W + N * K * 4) / 65536) + 1,
    maximum: 32768,
    shared: true,
  });
  /** @type {{ gemmXWt: (...a: number[]) => void }} */
  const k = /** @type {any} */ ((await WebAssembly.instantiate(module, { env: { memory } })).exports);
  new Float32Array(memory.buffer, W, N * K).fill(0.001);
  new Float32Array(memory.buffer, X, K).fill(0.5);
  const ctl = new Int32Array(memory.buffer, CTL, 16);
  const half = N / 2;
  // the worker: on go (ctl[0] = 1), the upper half of the columns each step, then the barrier
  const src = `const { parentPort } = require('node:worker_threads');
parentPort.once('message', ({ module, memory }) => {
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const ctl = new Int32Array(memory.buffer, ${CTL}, 16);
  parentPort.postMessage('ready');
  for (;;) {
    while (Atomics.load(ctl, 0) === 0) {}
    if (Atomics.load(ctl, 0) === 2) break;
    for (let s = 0; s < ${STEPS}; s++) {
      k.gemmXWt(${X}, ${K}, 1, ${K}, ${W} + ${(half / 8) * K * 32}, ${half}, ${Y} + ${half * 4}, ${N});
      Atomics.add(ctl, 1, 1);
      while (Atomics.load(ctl, 1) < 2 * (s + 1)) {}
    }
    Atomics.store(ctl, 0, 0);
    Atomics.add(ctl, 2, 1);
  }
});`;
  const w = new Worker(src, { eval: true });
  await new Promise((r) => {
    w.once('message', r);
    w.postMessage({ module, memory });
  });
  const single = () => {
    for (let s = 0; s < STEPS; s++) k.gemmXWt(X, K, 1, K, W, N, Y, N);
  };
  const split = () => {
    Atomics.store(ctl, 1, 0);
    const done = Atomics.load(ctl, 2);
    Atomics.store(ctl, 0, 1);
    for (let s = 0; s < STEPS; s++) {
      k.gemmXWt(X, K, 1, K, W, half, Y, N);
      Atomics.add(ctl, 1, 1);
      while (Atomics.load(ctl, 1) < 2 * (s + 1)) {}
    }
    while (Atomics.load(ctl, 2) === done) {}
  };
  for (let i = 0; i < 20; i++) {
    single();
    split();
  }
  const a = [],
    b = [];
  for (let i = 0; i < 31; i++) {
    let t = performance.now();
    single();
    a.push(performance.now() - t);
    t = performance.now();
    split();
    b.push(performance.now() - t);
  }
  Atomics.store(ctl, 0, 2);
  await w.terminate();
  a.sort((x, y) => x - y);
  b.sort((x, y) => x - y);
  const us = (ms) => ((ms / STEPS) * 1000).toFixed(1);
  console.log(
    `H=${H}: µs per step, one thread ${us(a[15])} (min ${us(a[0])}); 2 threads + barrier ${us(b[15])} (min ${us(b[0])}); ` +
      `speed-up ${(a[15] / b[15]).toFixed(2)}× (of the minima ${(a[0] / b[0]).toFixed(2)}×)`,
  );
}

const sizes = process.argv.slice(2).map(Number);
for (const H of sizes.length ? sizes : [128, 256, 512, 1024]) await measure(H);
