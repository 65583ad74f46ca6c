// Shared by peers.mjs and the peer adapters: the benchmark's data (bench/workloads.mjs, so every
// peer sees bit-identical weights and inputs), the timing method, and the layout conversions
// from PyTorch's nn.LSTM layout to the peers' layouts.
import { readFileSync } from 'node:fs';
import { WORKLOADS, flops, uniform, weightsFor } from '../workloads.mjs';

export { WORKLOADS, flops, uniform, weightsFor };

/** Inputs exactly as bench.mjs builds them: x [B, T, I] batch-first (seed 21), dOut [B, T, H] (seed 22),
 *  and for the stream workload the 16 per-step inputs xs[s] [1, I] that call s uses as xs[s & 15]. */
export function dataFor(w) {
  const x = uniform(w.B * w.T * w.I, -1, 1, 21);
  const data = { weights: weightsFor(w), x };
  if (w.kind === 'stream')
    data.xs = Array.from({ length: 16 }, (_, i) => x.subarray((i % w.T) * w.I, ((i % w.T) + 1) * w.I));
  if (w.kind === 'train') data.dOut = uniform(w.B * w.T * w.H, -1, 1, 22);
  return data;
}

/** How many steps the stream workload's output check runs from a zero state (two passes over xs). */
export const STREAM_CHECK_STEPS = 32;

/** The learning rate of the training workloads (as in bench.mjs). */
export const LEARNING_RATE = 1e-3;

/** The optimizer a training workload names (bench.mjs: SGD unless `optimizer: 'adam'`), refusing
 *  one this file does not know rather than silently timing SGD instead. */
export function optimizerOf(w) {
  const name = w.optimizer ?? 'sgd';
  if (name !== 'sgd' && name !== 'adam') throw new Error(`optimizer '${name}' not supported by bench/peers`);
  return name;
}

// ---------------------------------------------------------------------------------------------
// Timing: the method of bench.mjs (warm-up calls, then median and min over repeats), but async so
// that peers whose API returns promises (onnxruntime's session.run) are timed the same way.

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Time `fn` (which does `units` units of work) `repeats` times after `warmup` calls: per-unit ms. */
export async function time(fn, { repeats, warmup, units = 1 }) {
  for (let i = 0; i < warmup; i++) await fn();
  const samples = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    samples.push((performance.now() - t0) / units);
  }
  return { median: median(samples), min: Math.min(...samples), samples: samples.length };
}

// ---------------------------------------------------------------------------------------------
// Comparisons.

/** max |a − b| and max |b| (to judge sums such as the loss and dW_hh relative to their size). */
export function maxAbsDiff(a, b) {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let d = 0,
    m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return { diff: d, scale: m };
}

// ---------------------------------------------------------------------------------------------
// Layout conversions. PyTorch stores the four gates as row blocks of [4H, K] in order i, f, g, o.

/** Row-major [rows, cols] → [cols, rows]. */
export function transpose(a, rows, cols) {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

/** Reorder the four H-row gate blocks of a row-major [4H, K] matrix (or a [4H] vector, K = 1):
 *  block q of the result is block order[q] of the input (order lists PyTorch gate indices i=0 f=1 g=2 o=3). */
export function reorderGates(a, H, K, order) {
  const out = new Float32Array(a.length);
  const block = H * K;
  for (const [q, src] of order.entries()) out.set(a.subarray(src * block, (src + 1) * block), q * block);
  return out;
}

export function addArrays(a, b) {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

/** [B, T, F] → [T, B, F]; swapBatchTime(y, T, B, F) goes back from time-major to batch-first. */
export function swapBatchTime(a, B, T, F) {
  const out = new Float32Array(a.length);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) out.set(a.subarray((b * T + t) * F, (b * T + t + 1) * F), (t * B + b) * F);
  return out;
}

// ---------------------------------------------------------------------------------------------

/** The installed version of a peer package (from bench/peers/node_modules; some packages' export
 *  maps hide their package.json from require.resolve). */
export function pkgVersion(name) {
  const file = new URL(`./node_modules/${name}/package.json`, import.meta.url);
  return JSON.parse(readFileSync(file, 'utf8')).version;
}
