// PyTorch layout <-> packed kernel layout. The only place that knows both.
//
// PyTorch stores a weight as [R, K] row-major (a gated recurrent weight as [G·H, K]: gate j's rows
// are j·H … j·H+H−1). The kernels want each row as a column of a panel-packed matrix
// [N/PANEL][K][PANEL] (assembly/gemm.ts), at the column the kernel chooses for it: for a recurrent
// cell, where its gate kernel reads that gate of that unit (the kernel's cellGateColumn); for Dense,
// column r itself. `cols[r]` is that column.
import { PANEL } from '../../assembly/abi.js';

export { PANEL };

/** src [R, K] row-major -> dst[at …] packed panels, row r into column cols[r]. Other columns are left as they are. */
export function packRows(
  src: ArrayLike<number>,
  K: number,
  cols: ArrayLike<number>,
  dst: Float32Array,
  at: number,
): void {
  for (let r = 0; r < cols.length; r++) {
    const p = cols[r]!;
    const base = at + Math.floor(p / PANEL) * K * PANEL + (p % PANEL);
    const row = r * K;
    for (let k = 0; k < K; k++) dst[base + k * PANEL] = src[row + k]!;
  }
}

/** The inverse of packRows: a fresh [R, K] array. */
export function unpackRows(src: Float32Array, at: number, K: number, cols: ArrayLike<number>): Float32Array {
  const out = new Float32Array(cols.length * K);
  for (let r = 0; r < cols.length; r++) {
    const p = cols[r]!;
    const base = at + Math.floor(p / PANEL) * K * PANEL + (p % PANEL);
    const row = r * K;
    for (let k = 0; k < K; k++) out[row + k] = src[base + k * PANEL]!;
  }
  return out;
}

/** src [R] -> dst[at + cols[r]] (a bias, in the same column order as its weight). */
export function packVector(src: ArrayLike<number>, cols: ArrayLike<number>, dst: Float32Array, at: number): void {
  for (let r = 0; r < cols.length; r++) dst[at + cols[r]!] = src[r]!;
}

export function unpackVector(src: Float32Array, at: number, cols: ArrayLike<number>): Float32Array {
  const out = new Float32Array(cols.length);
  for (let r = 0; r < cols.length; r++) out[r] = src[at + cols[r]!]!;
  return out;
}

/** PyTorch's parameter names for layer k of an nn.LSTM/GRU/RNN, in state_dict order. */
export function recurrentParamNames(layer: number, reverse: boolean): [string, string, string, string] {
  const s = `_l${layer}${reverse ? '_reverse' : ''}`;
  return [`weight_ih${s}`, `weight_hh${s}`, `bias_ih${s}`, `bias_hh${s}`];
}

// ---- int8 weights (DTYPE_I8, assembly/abi.ts) ----
// Panels of PANEL columns interleaved by pairs of k: [N/PANEL][Kp/2][PANEL][2] bytes, Kp = K rounded
// up to even (the pad k is zero). Byte of (column p, k): panel·Kp·PANEL + (k >> 1)·2·PANEL + (p % PANEL)·2 + (k & 1).

/** Bytes of an int8 weight of N columns (a multiple of PANEL) over K inputs. */
export function int8PanelBytes(N: number, K: number): number {
  return N * (K + (K & 1));
}

/** src [R, K] integers -> dst (bytes) at byte `at`, row r into column cols[r]. Other columns are left as they are. */
export function packRowsInt8(
  src: ArrayLike<number>,
  K: number,
  cols: ArrayLike<number>,
  dst: Int8Array,
  at: number,
): void {
  const Kp = K + (K & 1);
  for (let r = 0; r < cols.length; r++) {
    const p = cols[r]!,
      base = at + Math.floor(p / PANEL) * Kp * PANEL + (p % PANEL) * 2,
      row = r * K;
    for (let k = 0; k < K; k++) dst[base + (k >> 1) * 2 * PANEL + (k & 1)] = src[row + k]!;
  }
}

/** The inverse of packRowsInt8: a fresh [R, K] array of the integers. */
export function unpackRowsInt8(src: Int8Array, at: number, K: number, cols: ArrayLike<number>): Float32Array {
  const Kp = K + (K & 1),
    out = new Float32Array(cols.length * K);
  for (let r = 0; r < cols.length; r++) {
    const p = cols[r]!,
      base = at + Math.floor(p / PANEL) * Kp * PANEL + (p % PANEL) * 2,
      row = r * K;
    for (let k = 0; k < K; k++) out[row + k] = src[base + (k >> 1) * 2 * PANEL + (k & 1)]!;
  }
  return out;
}
