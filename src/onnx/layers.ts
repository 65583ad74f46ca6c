// The operators that run on this library's kernels: LSTM, GRU and RNN on the recurrent layers,
// Gemm and MatMul (with a weight operand) on Dense. Weights go in through the layers' public
// loadStateDict in PyTorch's layout, converted here from ONNX's:
//   LSTM gates  ONNX i, o, f, c   -> ours i, f, g, o        peepholes P  ONNX i, o, f -> ours i, f, o
//   GRU gates   ONNX z, r, h      -> ours r, z, n
//   W [D, G·H, I], R [D, G·H, H], B [D, 2·G·H] = (Wb | Rb) -> weight_ih, weight_hh, bias_ih, bias_hh
// A layer is built once per node and reloaded only when its weight tensors change (constants
// never do), so a session's runs reuse the packed weights.
import { LSTM, GRU, SimpleRNN, Dense, type Recurrent, type StateDict } from '../index.js';
import type { NodeInfo } from './model.js';
import {
  type OpSpec,
  type OpInputs,
  type OpContext,
  attrInt,
  attrFloat,
  need,
  badNode,
  badValue,
  unsupported,
  requireFloat,
  describeShape,
} from './op.js';
import { type HostTensor, makeTensor, ints, shapeText, sizeOf, FLOAT, isFloatType } from './tensor.js';
import { transposeTensor, matMulHost, HOST_OPS } from './ops.js';

import {
  type Cell,
  expectShape,
  GATES,
  layerOptions,
  type RecurrentAttrs,
  recurrentAttrs,
  stateDict,
} from './recurrent-attrs.js';
function makeLayer(cell: Cell, node: NodeInfo, options: Record<string, unknown>): Recurrent {
  const layer =
    cell === 'LSTM'
      ? new LSTM(options as never)
      : cell === 'GRU'
        ? new GRU(options as never)
        : new SimpleRNN(options as never);
  // An option this version of the layers does not know would be ignored silently: refuse instead.
  const cfg = layer.config();
  for (const key of ['goBackwards', 'cellClip', 'recurrentActivation', 'resetAfter']) {
    const asked = options[key];
    if (asked === undefined || (key === 'resetAfter' && asked === true) || cfg[key] !== undefined) continue;
    layer.dispose();
    throw unsupported(
      node,
      `this version's ${cell} layer has no ${key} option`,
      `${key}: ${JSON.stringify(asked)}`,
      'not available',
    );
  }
  return layer;
}

interface Prepared {
  layer: Recurrent;
  a: RecurrentAttrs;
  H: number;
  I: number;
}

/** Checks the weights and makes sure the node's layer exists and holds them. X is not needed. */
function prepareRecurrent(cell: Cell, inputs: OpInputs, ctx: OpContext): Prepared {
  const node = ctx.node,
    a = recurrentAttrs(cell, node),
    G = GATES[cell];
  const W = need(inputs, 1, ctx, 'W'),
    R = need(inputs, 2, ctx, 'R');
  const B = inputs[3],
    P = cell === 'LSTM' ? inputs[7] : undefined;
  if (W.shape.length !== 3 || W.shape[0] !== a.D || W.shape[1]! % G !== 0)
    throw badNode(node, 'W has the wrong shape', `[${a.D}, ${G}·hidden, input]`, describeShape(W));
  const H = a.hidden ?? W.shape[1]! / G,
    I = W.shape[2]!;
  expectShape(node, W, [a.D, G * H, I], 'W');
  expectShape(node, R, [a.D, G * H, H], 'R');
  if (B) expectShape(node, B, [a.D, 2 * G * H], 'B');
  if (P) expectShape(node, P, [a.D, 3 * H], 'P');
  // The layer: built once, reloaded when the weights are other tensors than last time.
  const st = ctx.state as { layer?: Recurrent; key?: string; weights?: unknown[]; dispose?: () => void };
  const options = layerOptions(cell, a, I, H, P !== undefined),
    key = JSON.stringify(options);
  if (st.key !== key) {
    st.layer?.dispose();
    st.layer = undefined;
    st.layer = makeLayer(cell, node, options);
    st.key = key;
    st.weights = undefined;
    st.dispose = () => st.layer?.dispose();
  }
  const weights = [W, R, B, P];
  if (!st.weights || st.weights.some((w, i) => w !== weights[i])) {
    st.layer!.loadStateDict(stateDict(cell, a, H, I, W, R, B, P));
    st.weights = weights;
  }
  return { layer: st.layer!, a, H, I };
}

function runRecurrent(cell: Cell, inputs: OpInputs, ctx: OpContext): (HostTensor | undefined)[] {
  const node = ctx.node,
    { layer, a, H, I } = prepareRecurrent(cell, inputs, ctx);
  const X = need(inputs, 0, ctx, 'X'),
    lens = inputs[4],
    h0 = inputs[5],
    c0 = cell === 'LSTM' ? inputs[6] : undefined;

  requireFloat(node, X, 'X');
  if (X.shape.length !== 3 || X.shape[2] !== I)
    throw badValue(
      node,
      'X has the wrong shape',
      a.layout ? `[batch, steps, ${I}]` : `[steps, batch, ${I}]`,
      describeShape(X),
    );
  const [T, N] = a.layout ? [X.shape[1]!, X.shape[0]!] : [X.shape[0]!, X.shape[1]!];
  const stateShape = a.layout ? [N, a.D, H] : [a.D, N, H];
  const asState = (t: HostTensor | undefined, what: string): Float32Array | undefined => {
    if (!t) return undefined;
    requireFloat(node, t, what);
    if (t.shape.join() !== stateShape.join())
      throw badValue(node, `${what} has the wrong shape`, shapeText(stateShape), describeShape(t));
    return (a.layout ? transposeTensor(t, [1, 0, 2]) : t).data as Float32Array;
  };
  const h0d = asState(h0, 'initial_h'),
    c0d = asState(c0, 'initial_c');
  let lengths: number[] | undefined;
  if (lens) {
    lengths = ints(lens);
    if (isFloatType(lens.type) || lens.shape.join() !== String(N))
      throw badValue(node, 'sequence_lens must be int32 [batch]', `int32 [${N}]`, describeShape(lens));
    const bad = lengths.findIndex((l) => !(l >= 0 && l <= T));
    if (bad >= 0)
      throw badValue(node, 'sequence length out of range', `lengths in [0, ${T}]`, `${lengths[bad]} at batch ${bad}`);
  }

  const DH = a.D * H;
  let y: Float32Array, h: Float32Array, c: Float32Array | undefined;
  if (N === 0 || T === 0) {
    y = new Float32Array(0);
    h = h0d ? h0d.slice() : new Float32Array(a.D * N * H);
    c = c0d ? c0d.slice() : new Float32Array(a.D * N * H);
  } else {
    const x = (a.layout ? X : transposeTensor(X, [1, 0, 2])).data as Float32Array;
    const r = layer.forward(x, {
      batch: N,
      steps: T,
      ...(h0d ? { h0: h0d } : {}),
      ...(c0d ? { c0: c0d } : {}),
      ...(lengths ? { lengths } : {}),
    });
    ({ output: y, h } = r);
    c = r.c;
    // onnxruntime's Y is zero past each sequence's length (our layers repeat the last h there).
    if (lengths)
      for (const [b, l] of lengths.entries()) {
        y.fill(0, (b * T + l) * DH, (b + 1) * T * DH);
        // and a sequence of length 0 ends in zero states, not in initial_h (as onnxruntime does)
        if (l === 0)
          for (const s of c ? [h, c] : [h])
            for (let d = 0; d < a.D; d++) s.fill(0, (d * N + b) * H, (d * N + b + 1) * H);
      }
  }
  const out: (HostTensor | undefined)[] = [];
  const Y = makeTensor(FLOAT, [N, T, a.D, H], y);
  out.push(a.layout ? Y : transposeTensor(Y, [1, 2, 0, 3]));
  for (const s of [h, c]) {
    const t = makeTensor(FLOAT, [a.D, N, H], s ?? new Float32Array(a.D * N * H));
    out.push(a.layout ? transposeTensor(t, [1, 0, 2]) : t);
  }
  return cell === 'LSTM' ? out : out.slice(0, 2);
}

function recurrentOp(cell: Cell): OpSpec {
  return {
    run: (inputs, ctx) => runRecurrent(cell, inputs, ctx),
    check: (node) => void recurrentAttrs(cell, node),
    prepare: (inputs, ctx) => void prepareRecurrent(cell, inputs, ctx),
  };
}

/** A Dense (K -> N, linear) for this node with the given weight, reloaded when the source tensors change. */
function denseFor(ctx: OpContext, K: number, N: number, sources: unknown[], weights: () => StateDict): Dense {
  const st = ctx.state as { dense?: Dense; K?: number; N?: number; sources?: unknown[]; dispose?: () => void };
  if (!st.dense || st.K !== K || st.N !== N) {
    st.dense?.dispose();
    st.dense = undefined;
    st.dense = new Dense({ inputSize: K, outputSize: N });
    st.K = K;
    st.N = N;
    st.sources = undefined;
    st.dispose = () => st.dense?.dispose();
  }
  if (!st.sources || st.sources.some((s, i) => s !== sources[i])) {
    st.dense.loadStateDict(weights());
    st.sources = sources;
  }
  return st.dense;
}

function dense(
  ctx: OpContext,
  x: HostTensor,
  K: number,
  N: number,
  sources: unknown[],
  weights: () => StateDict,
): HostTensor {
  const rows = sizeOf(x.shape) / K;
  if (rows === 0) return makeTensor(FLOAT, [...x.shape.slice(0, -1), N]);
  const y = denseFor(ctx, K, N, sources, weights).forwardTensor({ data: x.data as Float32Array, shape: x.shape });
  return makeTensor(FLOAT, y.shape, y.data);
}

function gemm(inputs: OpInputs, ctx: OpContext): HostTensor[] {
  const node = ctx.node;
  let A = need(inputs, 0, ctx, 'A');
  const Bm = need(inputs, 1, ctx, 'B'),
    C = inputs[2];
  requireFloat(node, A, 'A');
  requireFloat(node, Bm, 'B');
  if (A.shape.length !== 2 || Bm.shape.length !== 2)
    throw badValue(node, 'Gemm takes two matrices', '2-D A and B', `${describeShape(A)} and ${describeShape(Bm)}`);
  const alpha = attrFloat(node, 'alpha', 1),
    beta = attrFloat(node, 'beta', 1),
    transB = attrInt(node, 'transB', 0) === 1;
  if (attrInt(node, 'transA', 0) === 1) A = transposeTensor(A, [1, 0]);
  const K = A.shape[1]!,
    [Kb, N] = transB ? [Bm.shape[1]!, Bm.shape[0]!] : [Bm.shape[0]!, Bm.shape[1]!];
  if (Kb !== K)
    throw badValue(node, 'inner dimensions differ', `B with ${K} ${transB ? 'columns' : 'rows'}`, describeShape(Bm));
  // C folds into the Dense bias when it is one row ([], [1], [N], [1, N]); otherwise it is added after.
  const rowBias =
    C &&
    sizeOf(C.shape) <= N &&
    (C.shape.length === 0 || ((C.shape.at(-1) === N || sizeOf(C.shape) === 1) && sizeOf(C.shape.slice(0, -1)) === 1));
  const y = dense(ctx, A, K, N, [Bm, C, alpha, beta], () => {
    const w = new Float32Array(N * K),
      b = Bm.data;
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) w[n * K + k] = alpha * b[transB ? n * K + k : k * N + n]!;
    const bias = new Float32Array(N);
    if (C && rowBias) for (let n = 0; n < N; n++) bias[n] = beta * C.data[C.data.length === 1 ? 0 : n]!;
    return { weight: { shape: [N, K], data: w }, bias: { shape: [N], data: bias } };
  });
  if (!C || rowBias) return [y];
  const scaled = makeTensor(
    C.type,
    C.shape.slice(),
    (C.data as Float32Array).map((v) => beta * v),
  );
  return [HOST_OPS.Add!.run([y, scaled], ctx)[0]!];
}

function matMul(inputs: OpInputs, ctx: OpContext): HostTensor[] {
  const A = need(inputs, 0, ctx, 'A'),
    Bm = need(inputs, 1, ctx, 'B');
  requireFloat(ctx.node, A, 'A');
  requireFloat(ctx.node, Bm, 'B');
  if (Bm.shape.length > 2 || A.shape.length === 0 || Bm.shape.length === 0)
    return matMulHost(inputs, ctx) as HostTensor[]; // batched weights: on the host
  const K = A.shape.at(-1)!,
    vec = Bm.shape.length === 1,
    N = vec ? 1 : Bm.shape[1]!;
  if (Bm.shape[0] !== K) throw badValue(ctx.node, 'inner dimensions differ', `B with ${K} rows`, describeShape(Bm));
  const x = A.shape.length === 1 ? { ...A, shape: [1, K] } : A;
  const y = dense(ctx, x, K, N, [Bm], () => {
    const w = new Float32Array(N * K);
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) w[n * K + k] = Bm.data[k * N + n]!;
    return { weight: { shape: [N, K], data: w }, bias: { shape: [N], data: new Float32Array(N) } };
  });
  let shape = y.shape;
  if (vec) shape = shape.slice(0, -1);
  if (A.shape.length === 1) shape = vec ? [] : [N];
  return [{ ...y, shape }];
}

export const LAYER_OPS: Record<string, OpSpec> = {
  LSTM: recurrentOp('LSTM'),
  GRU: recurrentOp('GRU'),
  RNN: recurrentOp('RNN'),
  Gemm: { run: gemm },
  MatMul: { run: matMul },
};
