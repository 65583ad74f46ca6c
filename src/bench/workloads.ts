// The benchmark's fixed workloads (float32, one layer, weights U(−0.1, 0.1), inputs U(−1, 1)) and
// their FLOP counts. The same definitions serve `npx wasm-lstm bench`, `npm run bench` (which adds
// the plain-JS baseline), the browser benchmark page and the peer comparison.
import type { StateDict } from '../index.js';

export type WorkloadKind = 'stream' | 'infer' | 'train';
export type WorkloadCell = 'lstm' | 'gru' | 'rnn';

export interface Workload {
  id: string;
  name: string;
  kind: WorkloadKind;
  /** Recurrent cell (LSTM when absent). */
  cell?: WorkloadCell;
  /** Optimizer of a training workload (plain SGD when absent). */
  optimizer?: 'adam';
  /** 'int8': the f32 layer after quantize({ weights: 'int8' }) (inference workloads only). */
  weights?: 'int8';
  B: number;
  T: number;
  I: number;
  H: number;
  /** stream only: `step` calls per timed unit. */
  calls?: number;
  unit: 'µs/step' | 'ms/batch' | 'ms/step';
}

export const WORKLOADS: readonly Workload[] = [
  { id: 'W1', name: 'stream', kind: 'stream', B: 1, T: 16, I: 32, H: 128, calls: 2000, unit: 'µs/step' },
  { id: 'W2', name: 'infer', kind: 'infer', B: 32, T: 100, I: 64, H: 256, unit: 'ms/batch' },
  { id: 'W3', name: 'train', kind: 'train', B: 32, T: 50, I: 64, H: 128, unit: 'ms/step' },
  { id: 'W3a', name: 'train-adam', kind: 'train', optimizer: 'adam', B: 32, T: 50, I: 64, H: 128, unit: 'ms/step' },
  { id: 'W2g', name: 'infer GRU', kind: 'infer', cell: 'gru', B: 32, T: 100, I: 64, H: 256, unit: 'ms/batch' },
  { id: 'W2r', name: 'infer RNN', kind: 'infer', cell: 'rnn', B: 32, T: 100, I: 64, H: 256, unit: 'ms/batch' },
  { id: 'W3g', name: 'train GRU', kind: 'train', cell: 'gru', B: 32, T: 50, I: 64, H: 128, unit: 'ms/step' },
  { id: 'W3r', name: 'train RNN', kind: 'train', cell: 'rnn', B: 32, T: 50, I: 64, H: 128, unit: 'ms/step' },
  { id: 'W4', name: 'train-seq', kind: 'train', B: 16, T: 200, I: 32, H: 256, unit: 'ms/step' },
  // the inference workloads again with int8 weights (the same multiply-adds, counted the same)
  {
    id: 'W1q',
    name: 'stream int8',
    kind: 'stream',
    weights: 'int8',
    B: 1,
    T: 16,
    I: 32,
    H: 128,
    calls: 2000,
    unit: 'µs/step',
  },
  { id: 'W2q', name: 'infer int8', kind: 'infer', weights: 'int8', B: 32, T: 100, I: 64, H: 256, unit: 'ms/batch' },
  {
    id: 'W2gq',
    name: 'infer GRU int8',
    kind: 'infer',
    cell: 'gru',
    weights: 'int8',
    B: 32,
    T: 100,
    I: 64,
    H: 256,
    unit: 'ms/batch',
  },
  {
    id: 'W2rq',
    name: 'infer RNN int8',
    kind: 'infer',
    cell: 'rnn',
    weights: 'int8',
    B: 32,
    T: 100,
    I: 64,
    H: 256,
    unit: 'ms/batch',
  },
];

const gatesOf = (w: Workload): number => (w.cell === 'gru' ? 3 : w.cell === 'rnn' ? 1 : 4);

/** Matmul FLOPs of one timed unit: forward 2·G·H·(I+H)·B·T with G gates (LSTM 4, GRU 3, RNN 1);
 *  training 3× (W1: all of its `calls` steps). */
export function flops(w: Workload): number {
  const steps = w.kind === 'stream' ? (w.calls ?? 1) : w.T;
  const fwd = 2 * gatesOf(w) * w.H * (w.I + w.H) * w.B * steps;
  return w.kind === 'train' ? 3 * fwd : fwd;
}

/** Deterministic U(lo, hi) (mulberry32), so every implementation sees the same numbers. */
export function uniform(n: number, lo: number, hi: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

/** The workload's weights as a PyTorch state dict (one layer), U(−0.1, 0.1): W_ih [G, I], W_hh [G, H],
 *  b_ih, b_hh [G], G = gates·H (LSTM i, f, g, o; GRU r, z, n; RNN one). */
export function weightsFor(w: Workload): StateDict {
  const G = gatesOf(w) * w.H;
  return {
    weight_ih_l0: { shape: [G, w.I], data: uniform(G * w.I, -0.1, 0.1, 11) },
    weight_hh_l0: { shape: [G, w.H], data: uniform(G * w.H, -0.1, 0.1, 12) },
    bias_ih_l0: { shape: [G], data: uniform(G, -0.1, 0.1, 13) },
    bias_hh_l0: { shape: [G], data: uniform(G, -0.1, 0.1, 14) },
  };
}
