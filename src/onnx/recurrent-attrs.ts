// ONNX's recurrent operators (LSTM, GRU, RNN) read into this library's terms: their attributes
// checked and normalised, and their W, R, B, P tensors converted to PyTorch's layout and names
// (ONNX gate order i, o, f, c for LSTM and z, r, h for GRU; ours i, f, g, o and r, z, n).
import type { StateDict } from '../index.js';
import type { NodeInfo } from './model.js';
import {
  attrInt,
  attrFloat,
  attrString,
  attrStrings,
  attrFloats,
  badNode,
  unsupported,
  requireFloat,
  describeShape,
} from './op.js';
import { type HostTensor, shapeText } from './tensor.js';

export type Cell = 'LSTM' | 'GRU' | 'RNN';

export const GATES: Record<Cell, number> = { LSTM: 4, GRU: 3, RNN: 1 };
/** ours[k] = onnx[PERM[k]] (gate blocks of H rows). */
export const PERM: Record<Cell, number[]> = { LSTM: [0, 2, 3, 1], GRU: [1, 0, 2], RNN: [0] };
export const ACTIVATION_COUNT: Record<Cell, number> = { LSTM: 3, GRU: 2, RNN: 1 };
export const DEFAULT_ACTIVATIONS: Record<Cell, string[]> = {
  LSTM: ['sigmoid', 'tanh', 'tanh'],
  GRU: ['sigmoid', 'tanh'],
  RNN: ['tanh'],
};

export interface RecurrentAttrs {
  D: number;
  reverse: boolean;
  layout: number;
  hidden: number | undefined;
  clip: number | undefined;
  /** LSTM and GRU gate activation */
  gate: { alpha: number; beta: number } | 'sigmoid';
  /** RNN */
  relu: boolean;
  linearBeforeReset: boolean;
  inputForget: boolean;
}

/** Reads and checks every attribute; anything we cannot run is UNSUPPORTED_OP naming it. */
export function recurrentAttrs(cell: Cell, node: NodeInfo): RecurrentAttrs {
  const direction = attrString(node, 'direction', 'forward');
  if (!['forward', 'reverse', 'bidirectional'].includes(direction))
    throw badNode(node, 'unknown direction', 'forward | reverse | bidirectional', JSON.stringify(direction));
  const D = direction === 'bidirectional' ? 2 : 1;
  const layout = attrInt(node, 'layout', 0);
  if (layout !== 0 && layout !== 1) throw badNode(node, 'unknown layout', '0 or 1', String(layout));
  const hiddenAttr = node.attributes.has('hidden_size') ? attrInt(node, 'hidden_size', 0) : undefined;
  if (hiddenAttr !== undefined && !(hiddenAttr >= 1))
    throw badNode(node, 'hidden_size must be positive', 'hidden_size ≥ 1', String(hiddenAttr));
  const clipAttr = node.attributes.has('clip') ? attrFloat(node, 'clip', 0) : undefined;
  if (clipAttr !== undefined && !(clipAttr > 0))
    throw badNode(node, 'clip must be positive', 'clip > 0', String(clipAttr));
  const count = ACTIVATION_COUNT[cell];
  const names = (
    attrStrings(node, 'activations') ?? [...DEFAULT_ACTIVATIONS[cell], ...DEFAULT_ACTIVATIONS[cell]].slice(0, count * D)
  ).map((a) => a.toLowerCase());
  if (names.length !== count * D)
    throw badNode(
      node,
      `${cell} with ${D} direction(s) takes ${count * D} activations`,
      `${count * D} names`,
      names.join(', '),
    );
  // alpha/beta are consumed in order by the activations that take them (as onnxruntime reads them).
  const alphas = attrFloats(node, 'activation_alpha') ?? [],
    betas = attrFloats(node, 'activation_beta') ?? [];
  let ai = 0,
    bi = 0;
  const perDirection: string[] = [];
  let gate: RecurrentAttrs['gate'] = 'sigmoid',
    relu = false;
  for (let d = 0; d < D; d++) {
    const [f, ...rest] = names.slice(d * count, (d + 1) * count);
    let key: string;
    if (cell === 'RNN') {
      if (f !== 'tanh' && f !== 'relu')
        throw unsupported(node, `RNN activation ${f} is not supported`, 'Tanh or Relu', String(f));
      relu = f === 'relu';
      key = f;
    } else {
      if (rest.some((a) => a !== 'tanh'))
        throw unsupported(
          node,
          'only Tanh is supported for the cell and hidden activations (g, h)',
          'Tanh',
          rest.join(', '),
        );
      if (f === 'hardsigmoid') {
        gate = { alpha: alphas[ai++] ?? 0.2, beta: betas[bi++] ?? 0.5 };
        key = `hs ${gate.alpha} ${gate.beta}`;
      } else if (f === 'sigmoid') {
        gate = 'sigmoid';
        key = f;
      } else throw unsupported(node, `gate activation ${f} is not supported`, 'Sigmoid or HardSigmoid', String(f));
    }
    perDirection.push(key);
  }
  if (D === 2 && perDirection[0] !== perDirection[1])
    throw unsupported(
      node,
      'the two directions use different activations',
      'the same activations in both directions',
      perDirection.join(' / '),
    );
  const inputForget = cell === 'LSTM' && attrInt(node, 'input_forget', 0) === 1;
  // f = 1 − i (onnxruntime's coupling) runs as a plain LSTM whose f weights are −(i weights):
  // σ(−z) = 1 − σ(z), and for HardSigmoid only when beta = 0.5.
  if (inputForget && gate !== 'sigmoid' && gate.beta !== 0.5)
    throw unsupported(
      node,
      'input_forget with a HardSigmoid whose beta is not 0.5',
      'Sigmoid, or beta 0.5',
      `beta ${gate.beta}`,
    );
  return {
    D,
    reverse: direction === 'reverse',
    layout,
    hidden: hiddenAttr,
    clip: clipAttr,
    gate,
    relu,
    linearBeforeReset: cell === 'GRU' && attrInt(node, 'linear_before_reset', 0) === 1,
    inputForget,
  };
}

/** Rows of gate blocks [G·H, cols] from `src` at `offset`, reordered to ours, optionally with the
 *  LSTM's f block replaced by −i (input_forget). */
export function gateBlocks(
  src: Float32Array,
  offset: number,
  cell: Cell,
  H: number,
  cols: number,
  coupled: boolean,
): Float32Array {
  const G = GATES[cell],
    block = H * cols,
    out = new Float32Array(G * block);
  for (const [k, from] of PERM[cell].entries())
    out.set(src.subarray(offset + from * block, offset + (from + 1) * block), k * block);
  if (coupled) for (let j = 0; j < block; j++) out[block + j] = -out[j]!; // ours f = −(ONNX i)
  return out;
}

export function stateDict(
  cell: Cell,
  a: RecurrentAttrs,
  H: number,
  I: number,
  W: HostTensor,
  R: HostTensor,
  B?: HostTensor,
  P?: HostTensor,
): StateDict {
  const G = GATES[cell],
    dict: StateDict = {};
  for (let d = 0; d < a.D; d++) {
    const sfx = d === 1 ? '_reverse' : '';
    dict[`weight_ih_l0${sfx}`] = {
      shape: [G * H, I],
      data: gateBlocks(W.data as Float32Array, d * G * H * I, cell, H, I, a.inputForget),
    };
    dict[`weight_hh_l0${sfx}`] = {
      shape: [G * H, H],
      data: gateBlocks(R.data as Float32Array, d * G * H * H, cell, H, H, a.inputForget),
    };
    const bias = (B?.data as Float32Array | undefined) ?? new Float32Array(a.D * 2 * G * H);
    dict[`bias_ih_l0${sfx}`] = { shape: [G * H], data: gateBlocks(bias, d * 2 * G * H, cell, H, 1, a.inputForget) };
    dict[`bias_hh_l0${sfx}`] = {
      shape: [G * H],
      data: gateBlocks(bias, (d * 2 + 1) * G * H, cell, H, 1, a.inputForget),
    };
    if (P) {
      const p = (P.data as Float32Array).subarray(d * 3 * H, (d + 1) * 3 * H),
        ours = new Float32Array(3 * H);
      ours.set(p.subarray(0, H), 0); // i
      ours.set(a.inputForget ? p.subarray(0, H).map((v) => -v) : p.subarray(2 * H, 3 * H), H); // f
      ours.set(p.subarray(H, 2 * H), 2 * H); // o
      dict[`weight_peephole_l0${sfx}`] = { shape: [3 * H], data: ours };
    }
  }
  return dict;
}

export function expectShape(node: NodeInfo, t: HostTensor, shape: number[], what: string): void {
  requireFloat(node, t, what);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
    throw badNode(node, `${what} has the wrong shape`, shapeText(shape), describeShape(t));
}

export function layerOptions(
  cell: Cell,
  a: RecurrentAttrs,
  I: number,
  H: number,
  peephole: boolean,
): Record<string, unknown> {
  const o: Record<string, unknown> = { inputSize: I, hiddenSize: H, bidirectional: a.D === 2 };
  if (a.reverse) o.goBackwards = true;
  if (a.clip !== undefined) o.cellClip = a.clip;
  if (cell !== 'RNN' && a.gate !== 'sigmoid') o.recurrentActivation = { name: 'hardSigmoid', ...a.gate };
  if (cell === 'GRU') o.resetAfter = a.linearBeforeReset;
  if (cell === 'RNN') o.nonlinearity = a.relu ? 'relu' : 'tanh';
  if (peephole) o.peephole = true;
  return o;
}
