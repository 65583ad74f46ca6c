// How a threaded runtime splits a kernel call between its threads (loaded with the pool, as a chunk
// of its own: split.ts, which layers and optimizers call, hands calls here when the runtime has a
// pool, and makes the one-thread call otherwise). Each function falls back to that one-thread call
// too when the work is too small to share.
//
// Splits (for the workloads; `npx wasm-lstm bench --threads 2` measures them, src/bench/threads.ts):
//   sequence forward: the input projection by rows of T·B, then the recurrence by batch rows (each
//     thread runs whole sequences for its rows, no per-step synchronisation) for batches of 2 row
//     tiles (8) or more, and a bidirectional layer's two directions side by side;
//   sequence backward: prepare per direction, BPTT by batch rows, then the weight gradients by output
//     columns and ∂L/∂x by rows of T·B in one job;
//   Dense: forward by rows; backward: activation gradient by rows, weight gradient by columns, ∂L/∂x
//     by rows;
//   optimizer updates, clipping and the global norm: by parameter range.
// Row parts start on multiples of 4 (the GEMM row tile) and column parts on multiples of 8 (a
// panel), so every output is computed with the same arithmetic as in one call (int8 products sum
// exactly in i32 and quantize per row, so a row split keeps them too): forward outputs and
// the weight, bias and input gradients are bit-identical to one thread. Not bit-identical (the
// reduction order changes; within 1e-6 relative): the peephole weights' gradient and the recorded
// gradient norms (summed per part, then added) and the global gradient norm (summed per parameter
// range in float64).
import * as abi from '../../assembly/abi.js';
import type { Descriptor } from '../kernel/descriptor.js';
import type { Runtime } from '../runtime.js';
import type { Pool } from './pool.js';

export const splitPolicy = {
  /** Least work (matmul FLOPs) worth a thread's share: a fork/join costs about 5–20 µs, and this is
   *  about 10 µs of work. Tests set it to 0 to split the smallest shapes. */
  minWorkPerThread: 200_000,
  /** Least floats per thread for element-wise updates (Adam: about 1.4 ns a float, so 32 K floats are
   *  about 45 µs, where a fork/join of about 30 µs starts to pay). */
  minFloatsPerThread: 32_768,
  /** Least floats per thread for the cheap streaming passes (the global norm's Σg², a transpose: about
   *  0.3 ns a float): W3's 100 K-float norm and 200 K-float transposes ran slower split. */
  minCopyFloatsPerThread: 262_144,
  /** Batches below this run each sequence's recurrence on one thread (2 row tiles of 4). */
  minBatchToSplit: 8,
};

const ROW_TILE = 4;
const PANEL = abi.PANEL;

/** The pool of a threaded runtime that can take `work`, and how many parts to cut it into. */
function share(rt: Runtime, work: number, unit: number): { pool: Pool; n: number } | null {
  const pool = rt.pool;
  // (no worker could start, e.g. a CSP without worker-src blob: and no workerUrl: plain calls)
  if (!pool || pool.terminated || pool.threads < 2 || pool.failures.length >= pool.threads - 1) return null;
  const n = Math.min(pool.threads, Math.floor(work / Math.max(unit, 1e-9)));
  return n >= 2 ? { pool, n } : null;
}

/** [start, length] parts of [0, n): at most `count`, each a whole number of `align` blocks except the
 *  last, none empty; earlier parts take the extra blocks. */
export function parts(n: number, count: number, align: number): [number, number][] {
  const blocks = Math.ceil(n / align),
    c = Math.max(1, Math.min(count, blocks)),
    out: [number, number][] = [];
  let b = 0;
  for (let i = 0; i < c; i++) {
    const nb = Math.floor(blocks / c) + (i < blocks % c ? 1 : 0),
      start = b * align,
      end = Math.min(n, (b + nb) * align);
    if (end > start) out.push([start, end - start]);
    b += nb;
  }
  return out;
}

const round16 = (floats: number): number => Math.ceil(floats / 16) * 16;

interface Shape {
  cell: number;
  K: number;
  H: number;
  N: number;
  U: number;
}
function shapeOf(rt: Runtime, d: Descriptor): Shape {
  const cell = d.get(abi.SEQ_CELL),
    H = d.get(abi.SEQ_H);
  return { cell, K: d.get(abi.SEQ_K), H, N: rt.kernels.cellColumns(cell, H), U: rt.kernels.cellUnits(cell, H) };
}

/** seqForward of one layer's directions (`descs`, consecutive slots), batch B, T steps. */
export function forwardLayer(rt: Runtime, descs: readonly Descriptor[], B: number, T: number): void {
  const k = rt.kernels,
    { K, H, N } = shapeOf(rt, descs[0]!),
    D = descs.length;
  const s = share(rt, 2 * N * (K + H) * B * T * D, splitPolicy.minWorkPerThread);
  if (!s) {
    for (const d of descs) k.seqForward(d.ptr, 0, B);
    return;
  }
  const { pool, n } = s,
    per = Math.ceil(n / D);
  const projection = parts(T * B, per, ROW_TILE);
  const rows = B >= splitPolicy.minBatchToSplit ? parts(B, per, ROW_TILE) : [[0, B] as [number, number]];
  // int8 weights quantize the activations into the descriptor's scratch (SEQ_QSCRATCH): every part
  // of a job gets a copy of its descriptor with a scratch of its own
  const int8 = descs[0]!.get(abi.SEQ_DTYPE) !== abi.DTYPE_F32;
  const qBytes = int8 ? k.qgemmScratchBytes(Math.max(K, H)) : 0;
  const base = int8 ? pool.scratch(D * Math.max(projection.length, rows.length) * (abi.SEQ_BYTES + qBytes)) : 0;
  let at = base;
  const own = (d: Descriptor): number => {
    if (!int8) return d.ptr;
    const copy = at;
    at += abi.SEQ_BYTES + qBytes;
    rt.arena.i32.copyWithin(copy >>> 2, d.ptr >>> 2, (d.ptr + abi.SEQ_BYTES) >>> 2);
    rt.arena.i32[(copy + abi.SEQ_QSCRATCH) >>> 2] = copy + abi.SEQ_BYTES;
    return copy;
  };
  for (const d of descs) for (const [r0, nr] of projection) pool.task('seqProjectRows', own(d), r0, nr);
  pool.run();
  if (D === 1 && rows.length === 1) {
    k.seqForwardSteps(descs[0]!.ptr, 0, B);
    return;
  }
  at = base;
  for (const d of descs) for (const [b0, nb] of rows) pool.task('seqForwardSteps', own(d), b0, nb);
  pool.run();
}

/** seqBackward of one layer's directions (consecutive slots; they share SEQ_DX, which each adds to). */
export function backwardLayer(rt: Runtime, descs: readonly Descriptor[], B: number, T: number): void {
  const k = rt.kernels,
    { K, H, N, U } = shapeOf(rt, descs[0]!),
    D = descs.length;
  const s = share(rt, 4 * N * (K + H) * B * T * D, splitPolicy.minWorkPerThread);
  if (!s) {
    for (const d of descs) k.seqBackward(d.ptr);
    return;
  }
  const { pool, n } = s,
    per = Math.ceil(n / D),
    arena = rt.arena;
  const rows = B >= splitPolicy.minBatchToSplit ? parts(B, per, ROW_TILE) : [[0, B] as [number, number]];
  const cols = parts(N, per, PANEL);
  // Scratch, sized before anything is written: per row part of a direction that accumulates across
  // rows (peephole gradient, gradient norms), a descriptor copy pointing at its own partial sums;
  // per column part, gemmDyTX's packing space.
  const partial = descs.map((d) => rows.length > 1 && (d.get(abi.SEQ_GPEEP) !== 0 || d.get(abi.SEQ_GRAD_NORMS) !== 0));
  const copies = partial.filter(Boolean).length * rows.length;
  const peepFloats = round16(3 * U),
    normFloats = round16(T),
    copyBytes = abi.SEQ_BYTES + 4 * (peepFloats + normFloats);
  const dwFloats = round16(k.gemmDyTXScratchFloats(N, Math.max(K, H)));
  const base = pool.scratch(copies * copyBytes + D * cols.length * dwFloats * 4);
  // 1. seqBackwardPrepare in parts: W_hhᵀ (and W_ihᵀ) per direction, the ∂ buffers zeroed by rows
  for (const d of descs) {
    pool.task('seqBackwardPackRecurrent', d.ptr);
    pool.task('seqBackwardPackInput', d.ptr);
    for (const [r0, nr] of parts(T * B, per, ROW_TILE)) pool.task('seqBackwardZeroRows', d.ptr, r0, nr);
  }
  pool.run();
  // 2. BPTT by batch rows
  const i32 = arena.i32;
  let at = base;
  const reduce: { d: Descriptor; copy: number }[] = [];
  descs.forEach((d, i) => {
    for (const [b0, nb] of rows) {
      if (!partial[i]) {
        pool.task('seqBackwardSteps', d.ptr, b0, nb);
        continue;
      }
      const copy = at;
      at += copyBytes;
      i32.copyWithin(copy >>> 2, d.ptr >>> 2, (d.ptr + abi.SEQ_BYTES) >>> 2);
      const peep = copy + abi.SEQ_BYTES,
        norms = peep + 4 * peepFloats;
      arena.fill(peep, peepFloats + normFloats);
      if (d.get(abi.SEQ_GPEEP) !== 0) i32[(copy + abi.SEQ_GPEEP) >>> 2] = peep;
      if (d.get(abi.SEQ_GRAD_NORMS) !== 0) i32[(copy + abi.SEQ_GRAD_NORMS) >>> 2] = norms;
      reduce.push({ d, copy });
      pool.task('seqBackwardSteps', copy, b0, nb);
    }
  });
  pool.run();
  // the parts' sums, added in part order (float32, as the kernel accumulates)
  const f32 = arena.f32;
  for (const { d, copy } of reduce) {
    const gpeep = d.get(abi.SEQ_GPEEP),
      norms = d.get(abi.SEQ_GRAD_NORMS);
    if (gpeep !== 0) addInto(f32, gpeep, copy + abi.SEQ_BYTES, 3 * U);
    if (norms !== 0) addInto(f32, norms, copy + abi.SEQ_BYTES + 4 * peepFloats, T);
  }
  // 3. weight gradients by columns, ∂L/∂x by rows of T·B (both directions per row part, in order)
  for (const d of descs) {
    for (const [n0, nn] of cols) {
      pool.task('seqBackwardWeightColumns', d.ptr, n0, n0 + nn, at);
      at += dwFloats * 4;
    }
  }
  if (descs[0]!.get(abi.SEQ_DX) !== 0) {
    for (let i = 1; i < D; i++) {
      if (descs[i]!.ptr !== descs[0]!.ptr + i * abi.SEQ_BYTES)
        throw new Error('direction descriptors must be consecutive');
    }
    for (const [r0, nr] of parts(T * B, n, ROW_TILE)) pool.task('seqBackwardInputRows', descs[0]!.ptr, D, r0, nr);
  }
  pool.run();
}

/** transpose3: dst [B, A, F] = src [A, B, F] (batch-first ↔ time-major), by ranges of A (a copy: the
 *  bits are the same however it is split). */
export function transpose3(rt: Runtime, src: number, A: number, B: number, F: number, dst: number): void {
  const s = share(rt, A * B * F, splitPolicy.minCopyFloatsPerThread);
  if (!s) {
    rt.kernels.transpose3(src, A, B, F, dst);
    return;
  }
  for (const [a0, na] of parts(A, s.n, 1)) s.pool.task('transpose3Range', src, A, B, F, dst, a0, na);
  s.pool.run();
}

/** f32[dst…] += f32[src…] over n floats (byte offsets), rounding to float32 at every add. */
function addInto(f32: Float32Array, dst: number, src: number, n: number): void {
  const d = dst >>> 2,
    s = src >>> 2;
  for (let i = 0; i < n; i++) f32[d + i] = f32[d + i]! + f32[s + i]!;
}

/** denseForward: x [M, K] → y [M, NP], by rows. */
export function denseForward(
  rt: Runtime,
  x: number,
  M: number,
  K: number,
  w: number,
  b: number,
  N: number,
  NP: number,
  y: number,
  act: number,
): void {
  const s = share(rt, 2 * M * K * NP, splitPolicy.minWorkPerThread);
  if (!s) {
    rt.kernels.denseForward(x, M, K, w, b, N, NP, y, act);
    return;
  }
  for (const [r0, nr] of parts(M, s.n, ROW_TILE)) {
    s.pool.task('denseForward', x + r0 * K * 4, nr, K, w, b, N, NP, y + r0 * NP * 4, act);
  }
  s.pool.run();
}

/** denseForwardInt8 (Dense with int8 weights; x quantized per row into `scratch`): by rows, each
 *  part with its own scratch. Same arguments as the kernel. */
export function denseForwardInt8(
  rt: Runtime,
  x: number,
  M: number,
  K: number,
  wq: number,
  sw: number,
  b: number,
  N: number,
  NP: number,
  y: number,
  act: number,
  scratch: number,
): void {
  const k = rt.kernels;
  const s = share(rt, 2 * M * K * NP, splitPolicy.minWorkPerThread);
  if (!s) {
    k.denseForwardInt8(x, M, K, wq, sw, b, N, NP, y, act, scratch);
    return;
  }
  const rows = parts(M, s.n, ROW_TILE),
    qBytes = k.qgemmScratchBytes(K);
  let at = s.pool.scratch(rows.length * qBytes);
  for (const [r0, nr] of rows) {
    s.pool.task('denseForwardInt8', x + r0 * K * 4, nr, K, wq, sw, b, N, NP, y + r0 * NP * 4, act, at);
    at += qBytes;
  }
  s.pool.run();
}

/** denseBackward, split: the activation gradient by rows, then the weight and bias gradients by
 *  columns and ∂L/∂x by rows. Same arguments as the kernel (dwScratch serves the one-thread call). */
export function denseBackward(
  rt: Runtime,
  x: number,
  M: number,
  K: number,
  w: number,
  N: number,
  NP: number,
  y: number,
  dy: number,
  act: number,
  gw: number,
  gb: number,
  dx: number,
  wT: number,
  dwScratch: number,
): void {
  const k = rt.kernels;
  const s = share(rt, 4 * M * K * NP, splitPolicy.minWorkPerThread);
  if (!s) {
    k.denseBackward(x, M, K, w, N, NP, y, dy, act, gw, gb, dx, wT, dwScratch);
    return;
  }
  const { pool, n } = s,
    rows = parts(M, n, ROW_TILE),
    cols = parts(NP, n, PANEL);
  const dwFloats = round16(k.gemmDyTXScratchFloats(NP, K));
  let at = pool.scratch(cols.length * dwFloats * 4);
  for (const [r0, nr] of rows) pool.task('activationBackward', y + r0 * NP * 4, dy + r0 * NP * 4, nr, NP, N, act);
  if (dx !== 0) pool.task('packTransposed', w, NP, K, wT);
  pool.run();
  for (const [c0, nc] of cols) {
    pool.task('gemmDyTX', dy + c0 * 4, NP, x, K, M, nc, K, gw + (c0 / PANEL) * K * PANEL * 4, at);
    pool.task('colSum', dy + c0 * 4, NP, M, nc, gb + c0 * 4);
    at += dwFloats * 4;
  }
  if (dx !== 0) {
    rt.arena.fill(dx, M * K);
    for (const [r0, nr] of rows) pool.task('gemmDyW', dy + r0 * NP * 4, NP, nr, NP, wT, K, dx + r0 * K * 4, K);
  }
  pool.run();
}

type Elementwise = import('./split.js').Elementwise;

/** An update over n floats of the blocks `ptrs` (kernel(…ptrs, n, …scalars)), by parameter range. */
export function elementwise(rt: Runtime, kernel: Elementwise, ptrs: number[], n: number, ...scalars: number[]): void {
  const s = share(rt, n, splitPolicy.minFloatsPerThread);
  if (!s) {
    (rt.kernels[kernel] as unknown as (...a: number[]) => void)(...ptrs, n, ...scalars);
    return;
  }
  // (a 0 pointer is an absent buffer and stays 0)
  for (const [i0, ni] of parts(n, s.n, ROW_TILE)) {
    s.pool.task(kernel, ...ptrs.map((p) => (p === 0 ? 0 : p + i0 * 4)), ni, ...scalars);
  }
  s.pool.run();
}

/** Σ g² over n floats (float64), by parameter range. */
export function sumSquares(rt: Runtime, g: number, n: number): number {
  const s = share(rt, n, splitPolicy.minCopyFloatsPerThread);
  if (!s) return rt.kernels.sumSquares(g, n);
  const ranges = parts(n, s.n, ROW_TILE),
    out = s.pool.scratch(ranges.length * 8);
  ranges.forEach(([i0, ni], i) => {
    s.pool.task('sumSquaresTo', g + i0 * 4, ni, out + i * 8);
  });
  s.pool.run();
  const sums = new Float64Array(rt.arena.memory.buffer, out, ranges.length);
  let total = 0;
  for (const v of sums) total += v;
  return total;
}
