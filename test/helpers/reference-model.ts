// Float64 references of whole layers and of the small models the property tests generate, built
// from the one-layer references in test/reference/ (cells64.ts): stacked layers, per-sequence
// lengths (a padded batch equals each sequence run at its own length), Dense, and the losses.
import type { Layer, StateDict, Tensor } from '../../src/index.js';
import { type CellKind, type CellOptions, cellForward64 } from '../reference/cells64.js';

export interface RecurrentShape {
  kind: CellKind;
  I: number;
  H: number;
  L: number;
  D: number;
  opts?: CellOptions;
}

const hasCell = (kind: CellKind) => kind.startsWith('lstm');

/** One sequence batch through L layers (both directions when D = 2): output [B,T,D·H], h/c [L·D,B,H]. */
function stacked(
  s: RecurrentShape,
  dict: StateDict,
  x: ArrayLike<number>,
  B: number,
  T: number,
  h0?: ArrayLike<number>,
  c0?: ArrayLike<number>,
): { output: Float64Array; h: Float64Array; c: Float64Array } {
  const { kind, I, H, L, D } = s,
    S = B * H;
  const h = new Float64Array(L * D * S),
    c = new Float64Array(L * D * S);
  let input: ArrayLike<number> = x;
  for (let l = 0; l < L; l++) {
    // layer l's parameters under the names cellForward64 reads (layer 0)
    const p: Record<string, { data: ArrayLike<number> }> = {};
    for (const [k, t] of Object.entries(dict)) {
      const m = /^(.*)_l(\d+)(_reverse)?$/.exec(k);
      if (m && Number(m[2]) === l) p[`${m[1]}_l0${m[3] ?? ''}`] = t;
    }
    const rows = (a: ArrayLike<number> | undefined) =>
      a ? Array.from({ length: D * S }, (_, i) => a[l * D * S + i]!) : undefined;
    const r = cellForward64(kind, p, input, B, T, l === 0 ? I : D * H, H, rows(h0), rows(c0), s.opts);
    h.set(r.h, l * D * S);
    c.set(r.c, l * D * S);
    input = r.output;
  }
  return { output: Float64Array.from(input), h, c };
}

/** A recurrent layer's forward with optional lengths: rows of sequence b past lengths[b] are
 *  excluded (`valid` is 0 there); h/c are each sequence's state after its own last step. */
export function recurrentRef(
  s: RecurrentShape,
  dict: StateDict,
  x: ArrayLike<number>,
  B: number,
  T: number,
  h0?: ArrayLike<number>,
  c0?: ArrayLike<number>,
  lengths?: ArrayLike<number>,
): { output: Float64Array; h: Float64Array; c: Float64Array | null; valid: Uint8Array } {
  const { I, H, L, D } = s,
    DH = D * H,
    S = L * D;
  const valid = new Uint8Array(B * T).fill(1);
  if (!lengths) {
    const r = stacked(s, dict, x, B, T, h0, c0);
    return { ...r, c: hasCell(s.kind) ? r.c : null, valid };
  }
  const output = new Float64Array(B * T * DH),
    h = new Float64Array(S * B * H),
    c = new Float64Array(S * B * H);
  for (let b = 0; b < B; b++) {
    const len = lengths[b]!;
    const row = (a: ArrayLike<number> | undefined) =>
      a ? Array.from({ length: S * H }, (_, i) => a[(Math.floor(i / H) * B + b) * H + (i % H)]!) : undefined;
    for (let t = len; t < T; t++) valid[b * T + t] = 0;
    let hb: ArrayLike<number> = row(h0) ?? new Float64Array(S * H),
      cb: ArrayLike<number> = row(c0) ?? new Float64Array(S * H);
    if (len > 0) {
      const xb = Array.from({ length: len * I }, (_, i) => x[b * T * I + i]!);
      const r = stacked(s, dict, xb, 1, len, row(h0), row(c0));
      output.set(r.output, b * T * DH);
      hb = r.h;
      cb = r.c;
    }
    for (let i = 0; i < S * H; i++) {
      h[(Math.floor(i / H) * B + b) * H + (i % H)] = hb[i]!;
      c[(Math.floor(i / H) * B + b) * H + (i % H)] = cb[i]!;
    }
  }
  return { output, h, c: hasCell(s.kind) ? c : null, valid };
}

export type ActivationName = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';

/** nn.Linear then the activation: x [rows, in] -> [rows, out]. */
export function denseRef(dict: StateDict, x: ArrayLike<number>, rows: number, act: ActivationName): Float64Array {
  const [O, K] = dict.weight!.shape as [number, number],
    w = dict.weight!.data,
    bias = dict.bias!.data,
    y = new Float64Array(rows * O);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < O; o++) {
      let v = bias[o]!;
      for (let k = 0; k < K; k++) v += w[o * K + k]! * x[r * K + k]!;
      y[r * O + o] =
        act === 'relu'
          ? Math.max(0, v)
          : act === 'sigmoid'
            ? 1 / (1 + Math.exp(-v))
            : act === 'tanh'
              ? Math.tanh(v)
              : v;
    }
    if (act === 'softmax') {
      const row = y.subarray(r * O, r * O + O),
        m = Math.max(...row);
      let sum = 0;
      for (let o = 0; o < O; o++) sum += row[o] = Math.exp(row[o]! - m);
      for (let o = 0; o < O; o++) row[o] = row[o]! / sum;
    }
  }
  return y;
}

/** Mean loss over the rows whose weight is 1 (Keras' clipping of p for the cross-entropies). */
export function lossRef(
  name: 'mse' | 'sparseCategoricalCrossentropy',
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  classes: number,
  weights?: ArrayLike<number>,
): number {
  const rows = pred.length / classes;
  let sum = 0,
    n = 0;
  for (let r = 0; r < rows; r++) {
    const w = weights ? weights[r]! : 1;
    n += w;
    if (name === 'mse')
      for (let c = 0; c < classes; c++) sum += w * (pred[r * classes + c]! - target[r * classes + c]!) ** 2;
    else sum -= w * Math.log(Math.max(pred[r * classes + target[r]!]!, 1e-7));
  }
  return name === 'mse' ? sum / (Math.max(n, 1e-12) * classes) : sum / Math.max(n, 1e-12);
}

/** The cell and options of a recurrent layer, from its saved config. */
function recurrentShape(kind: string, c: Record<string, unknown>): RecurrentShape {
  const cell: CellKind =
    kind === 'GRU'
      ? 'gru'
      : kind === 'SimpleRNN'
        ? c.nonlinearity === 'relu'
          ? 'rnn_relu'
          : 'rnn_tanh'
        : c.peephole
          ? 'lstm_peephole'
          : c.coupledInputForget
            ? 'lstm_cifg'
            : 'lstm';
  const act = c.recurrentActivation as { alpha: number; beta: number } | undefined;
  const opts: CellOptions = {};
  if (act) opts.hard = { alpha: act.alpha, beta: act.beta };
  if (c.cellClip !== undefined) opts.clip = c.cellClip as number;
  if (c.resetAfter === false) opts.resetBefore = true;
  if (c.goBackwards) opts.goBackwards = true;
  return {
    kind: cell,
    I: c.inputSize as number,
    H: c.hiddenSize as number,
    L: c.numLayers as number,
    D: c.bidirectional ? 2 : 1,
    opts,
  };
}

/** A Sequential model's predict(x) in float64, layer by layer from each layer's config and weights
 *  (recurrent layers start from the state they carry, as a stateful layer does). */
export function sequentialRef(layers: readonly Layer[], x: Tensor): { data: Float64Array; shape: number[] } {
  let data: Float64Array = Float64Array.from(x.data),
    shape = x.shape.slice();
  for (const l of layers) {
    const c = l.config(),
      dict = l.stateDict();
    if (l.kind === 'Dropout') continue;
    if (l.kind === 'Embedding') {
      const E = c.embeddingDim as number,
        w = dict.weight!.data,
        out = new Float64Array(data.length * E);
      data.forEach((id, i) => {
        for (let e = 0; e < E; e++) out[i * E + e] = w[id * E + e]!;
      });
      data = out;
      shape = [...shape, E];
    } else if (l.kind === 'Dense') {
      const O = c.outputSize as number,
        rows = data.length / shape[shape.length - 1]!;
      data = denseRef(dict, data, rows, c.activation as ActivationName);
      shape = [...shape.slice(0, -1), O];
    } else {
      const s = recurrentShape(l.kind, c),
        [B, T] = shape as [number, number];
      const carry = (
        l as { _runState?(): { carry?: { shape: number[]; h: Float32Array; c?: Float32Array } | null } }
      )._runState?.().carry;
      const start = carry && carry.shape[1] === B ? carry : undefined;
      const r = recurrentRef(s, dict, data, B, T, start?.h, start?.c);
      const D = s.D,
        H = s.H,
        DH = D * H;
      let out: Float64Array;
      if (c.returnSequences) {
        out = r.output;
        shape = [B, T, DH];
      } else {
        out = new Float64Array(B * DH);
        const top = (s.L - 1) * D;
        for (let d = 0; d < D; d++)
          for (let b = 0; b < B; b++)
            for (let u = 0; u < H; u++) out[b * DH + d * H + u] = r.h[((top + d) * B + b) * H + u]!;
        shape = [B, DH];
      }
      const merge = (c.mergeMode as string | undefined) ?? 'concat';
      if (D === 2 && merge !== 'concat') {
        const rows = out.length / DH,
          merged = new Float64Array(rows * H);
        for (let r2 = 0; r2 < rows; r2++)
          for (let u = 0; u < H; u++) {
            const a = out[r2 * DH + u]!,
              b = out[r2 * DH + H + u]!;
            merged[r2 * H + u] = merge === 'sum' ? a + b : merge === 'mul' ? a * b : (a + b) / 2;
          }
        out = merged;
        shape = [...shape.slice(0, -1), H];
      }
      data = out;
    }
  }
  return { data, shape };
}
