// Test helpers: small ONNX graphs around one LSTM / GRU / RNN node with random weights, and a
// runner that feeds the same file to onnxruntime-node and to OnnxSession.
import ort from 'onnxruntime-node';
import { GraphBuilder, valueInfo, finish, type Attr } from '../src/onnx/export.js';
import { FLOAT, INT32 } from '../src/onnx/tensor.js';
import { mulberry32 } from './reference/rng.js';

export type Cell = 'LSTM' | 'GRU' | 'RNN';

export interface RecurrentCase {
  name: string;
  op: Cell;
  attrs?: Record<string, Attr>;
  /** sequence_lens, fed as a graph input (int32 [batch]) */
  lens?: number[];
  initialH?: boolean;
  initialC?: boolean;
  peephole?: boolean;
  noBias?: boolean;
  /** Output names in node order; '' leaves an optional output out. Default: all of them. */
  outputs?: string[];
  /** Weights U(−scale, scale) (larger makes clip and saturation matter). */
  scale?: number;
}

export const T = 5,
  B = 3,
  I = 4,
  H = 3;
const GATES: Record<Cell, number> = { LSTM: 4, GRU: 3, RNN: 1 };

export interface Built {
  bytes: Uint8Array;
  feeds: Record<string, { data: Float32Array | Int32Array; shape: number[] }>;
  outputs: string[];
}

/** The model file and its inputs. layout 1 puts batch first in X, Y, initial and final states. */
export function buildRecurrent(c: RecurrentCase, layout: 0 | 1 = 0, seed = 1): Built {
  const rng = mulberry32(seed),
    s = c.scale ?? 1;
  const rand = (n: number, scale = s): number[] => Array.from({ length: n }, () => (rng() * 2 - 1) * scale);
  const D = c.attrs?.direction === 'bidirectional' ? 2 : 1,
    G = GATES[c.op];
  const g = new GraphBuilder();
  const inputs = [
    'X',
    g.init('W', [D, G * H, I], rand(D * G * H * I)),
    g.init('R', [D, G * H, H], rand(D * G * H * H)),
    c.noBias ? '' : g.init('B', [D, 2 * G * H], rand(D * 2 * G * H)),
    c.lens ? 'sequence_lens' : '',
    c.initialH ? 'initial_h' : '',
  ];
  if (c.op === 'LSTM')
    inputs.push(c.initialC ? 'initial_c' : '', c.peephole ? g.init('P', [D, 3 * H], rand(D * 3 * H)) : '');
  while (inputs.at(-1) === '') inputs.pop();
  const outputs = c.outputs ?? (c.op === 'LSTM' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h']);
  g.node(c.op, inputs, { hidden_size: H, ...(layout ? { layout: 1 } : {}), ...c.attrs }, outputs);
  const stateDims = layout ? [B, D, H] : [D, B, H];
  // Values are drawn in layout-0 order and transposed for layout 1, so both layouts see the same data.
  const x0 = rand(T * B * I, 1);
  const feeds: Built['feeds'] = {
    X: layout ? permute(x0, [T, B, I], [1, 0, 2]) : { data: Float32Array.from(x0), shape: [T, B, I] },
  };
  const declared = [valueInfo('X', FLOAT, feeds.X!.shape)];
  if (c.lens) {
    feeds.sequence_lens = { data: Int32Array.from(c.lens), shape: [B] };
    declared.push(valueInfo('sequence_lens', INT32, [B]));
  }
  for (const [on, name] of [
    [c.initialH, 'initial_h'],
    [c.initialC, 'initial_c'],
  ] as const) {
    if (!on) continue;
    const v = rand(D * B * H, 1);
    feeds[name] = layout ? permute(v, [D, B, H], [1, 0, 2]) : { data: Float32Array.from(v), shape: stateDims };
    declared.push(valueInfo(name, FLOAT, stateDims));
  }
  const named = outputs.filter((o) => o !== '');
  return {
    bytes: finish(
      g,
      14,
      declared,
      named.map((o) => valueInfo(o, FLOAT)),
    ),
    feeds,
    outputs: named,
  };
}

/** onnxruntime-node's outputs for a file and feeds. */
export async function runOrt(
  bytes: Uint8Array,
  feeds: Built['feeds'],
): Promise<Record<string, { data: Float32Array; shape: number[] }>> {
  const session = await ort.InferenceSession.create(bytes);
  const tensors: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds))
    tensors[k] = new ort.Tensor(v.data instanceof Int32Array ? 'int32' : 'float32', v.data, v.shape);
  const out = await session.run(tensors);
  await session.release();
  return Object.fromEntries(
    Object.entries(out).map(([k, v]) => [k, { data: v.data as Float32Array, shape: v.dims.map(Number) }]),
  );
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** [d0, d1, …] row-major permutation of a flat array (for layout 0 <-> 1 comparisons). */
export function permute(
  data: ArrayLike<number>,
  shape: number[],
  perm: number[],
): { data: Float32Array; shape: number[] } {
  const out = new Float32Array(data.length),
    outShape = perm.map((p) => shape[p]!);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let rem = o,
      src = 0;
    for (let d = outShape.length - 1; d >= 0; d--) {
      idx[d] = rem % outShape[d]!;
      rem = Math.floor(rem / outShape[d]!);
    }
    for (let d = 0; d < perm.length; d++) src += idx[d]! * strides[perm[d]!]!;
    out[o] = data[src]!;
  }
  return { data: out, shape: outShape };
}
