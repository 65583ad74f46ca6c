// Host operators: shape arithmetic, element-wise math and the small tensor moves that surround a
// recurrent layer in exported graphs (Transpose, Reshape, Slice, Gather, Concat, …). They run in
// JavaScript on tensors of at most [batch, steps, features] and never mutate their inputs, so a
// result may share its data array with an input (Reshape, Squeeze, Identity).
import {
  type OpSpec,
  type OpInputs,
  type OpContext,
  attrInt,
  attrInts,
  attrTensor,
  need,
  axisOf,
  badNode,
  badValue,
  requireFloat,
  describeShape,
} from './op.js';
import { type HostTensor, makeTensor, sizeOf, ints, shapeText, isFloatType, FLOAT, INT64, BOOL } from './tensor.js';

import {
  axesArg,
  broadcastShapes,
  broadcastStrides,
  cast,
  checkCast,
  concat,
  constant,
  expand,
  gather,
  reshape,
  reshaped,
  sliceOp,
  transpose,
  walk,
} from './ops-shape.js';

export { transposeTensor } from './ops-shape.js';

function binary(fn: (x: number, y: number) => number, intFn?: (x: number, y: number) => number): OpSpec {
  return {
    run(inputs, ctx) {
      const a = need(inputs, 0, ctx, 'A'),
        b = need(inputs, 1, ctx, 'B');
      const f = !isFloatType(a.type) && intFn ? intFn : fn;
      const shape = broadcastShapes(a.shape, b.shape, ctx),
        out = makeTensor(a.type, shape),
        o = out.data,
        x = a.data,
        y = b.data;
      if (x.length === o.length && y.length === o.length) for (let i = 0; i < o.length; i++) o[i] = f(x[i]!, y[i]!);
      else if (y.length === 1) for (let i = 0; i < o.length; i++) o[i] = f(x[i]!, y[0]!);
      else {
        const sa = broadcastStrides(a.shape, shape),
          sb = broadcastStrides(b.shape, shape);
        walk(shape, [sa, sb], (i, [p, q]) => {
          o[i] = f(x[p!]!, y[q!]!);
        });
      }
      return [out];
    },
  };
}

function unary(fn: (x: number) => number): OpSpec {
  return {
    run(inputs, ctx) {
      const x = need(inputs, 0, ctx, 'X');
      requireFloat(ctx.node, x, 'X');
      const out = makeTensor(x.type, x.shape.slice());
      for (let i = 0; i < x.data.length; i++) out.data[i] = fn(x.data[i]!);
      return [out];
    },
  };
}

const passThrough: OpSpec = { run: (inputs, ctx) => [need(inputs, 0, ctx, 'input')] };

/** Softmax / LogSoftmax: before opset 13 over the input flattened to 2-D at `axis` (default 1),
 *  from 13 on along one axis (default −1). */
function softmax(log: boolean): OpSpec {
  return {
    run(inputs, ctx) {
      const x = need(inputs, 0, ctx, 'input');
      requireFloat(ctx.node, x, 'input');
      const rank = x.shape.length,
        old = ctx.opset < 13;
      const axis = axisOf(ctx.node, attrInt(ctx.node, 'axis', old ? 1 : -1), Math.max(rank, 1));
      const outer = sizeOf(x.shape.slice(0, axis));
      const n = old ? sizeOf(x.shape.slice(axis)) : (x.shape[axis] ?? 1);
      const inner = old ? 1 : sizeOf(x.shape.slice(axis + 1));
      const out = makeTensor(x.type, x.shape.slice()),
        d = x.data,
        o = out.data;
      for (let a = 0; a < outer; a++) {
        for (let c = 0; c < inner; c++) {
          const base = a * n * inner + c;
          let max = Number.NEGATIVE_INFINITY,
            sum = 0;
          for (let k = 0; k < n; k++) max = Math.max(max, d[base + k * inner]!);
          for (let k = 0; k < n; k++) sum += Math.exp(d[base + k * inner]! - max);
          const logSum = Math.log(sum);
          for (let k = 0; k < n; k++) {
            const z = d[base + k * inner]! - max;
            o[base + k * inner] = log ? z - logSum : Math.exp(z) / sum;
          }
        }
      }
      return [out];
    },
  };
}

function matMulHost(inputs: OpInputs, ctx: OpContext): HostTensor[] {
  // Host fallback for a MatMul of two runtime tensors with batch dimensions ([..., M, K] · [..., K, N]).
  const a0 = need(inputs, 0, ctx, 'A'),
    b0 = need(inputs, 1, ctx, 'B');
  requireFloat(ctx.node, a0, 'A');
  const a = a0.shape.length === 1 ? reshaped(a0, [1, a0.shape[0]!]) : a0;
  const b = b0.shape.length === 1 ? reshaped(b0, [b0.shape[0]!, 1]) : b0;
  const M = a.shape[a.shape.length - 2]!,
    K = a.shape[a.shape.length - 1]!,
    N = b.shape[b.shape.length - 1]!;
  if (b.shape[b.shape.length - 2] !== K)
    throw badValue(ctx.node, 'inner dimensions differ', `B with ${K} rows`, describeShape(b0));
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), ctx);
  const out = makeTensor(a.type, [...batch, M, N]);
  const sa = broadcastStrides(a.shape.slice(0, -2), batch),
    sb = broadcastStrides(b.shape.slice(0, -2), batch);
  walk(batch, [sa, sb], (i, [p, q]) => {
    const ao = p! * M * K,
      bo = q! * K * N,
      oo = i * M * N;
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a.data[ao + m * K + k]! * b.data[bo + k * N + n]!;
        out.data[oo + m * N + n] = s;
      }
  });
  let shape = out.shape;
  if (a0.shape.length === 1) shape = shape.filter((_, i) => i !== shape.length - 2);
  if (b0.shape.length === 1) shape = shape.slice(0, -1);
  return [reshaped(out, shape)];
}

export { matMulHost };

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

export const HOST_OPS: Record<string, OpSpec> = {
  Add: binary((x, y) => x + y),
  Sub: binary((x, y) => x - y),
  Mul: binary((x, y) => x * y),
  Div: binary(
    (x, y) => x / y,
    (x, y) => Math.trunc(x / y),
  ),
  Relu: unary((x) => Math.max(x, 0)),
  Tanh: unary(Math.tanh),
  Sigmoid: unary(sigmoid),
  Softmax: softmax(false),
  LogSoftmax: softmax(true),
  Identity: passThrough,
  Dropout: {
    // Inference: the identity; the optional mask output is all true.
    run(inputs, ctx) {
      const x = need(inputs, 0, ctx, 'data');
      return [x, makeTensor(BOOL, x.shape.slice(), new Float64Array(x.data.length).fill(1))];
    },
  },
  Flatten: {
    run(inputs, ctx) {
      const x = need(inputs, 0, ctx, 'input'),
        axis = attrInt(ctx.node, 'axis', 1),
        r = x.shape.length;
      const a = axis === r ? r : axisOf(ctx.node, axis, r);
      return [reshaped(x, [sizeOf(x.shape.slice(0, a)), sizeOf(x.shape.slice(a))])];
    },
  },
  Transpose: {
    run(inputs, ctx) {
      const x = need(inputs, 0, ctx, 'data'),
        r = x.shape.length;
      const perm = attrInts(ctx.node, 'perm') ?? x.shape.map((_, i) => r - 1 - i);
      if (perm.length !== r || [...perm].sort((p, q) => p - q).some((p, i) => p !== i))
        throw badNode(
          ctx.node,
          'perm is not a permutation of the axes',
          `a permutation of 0..${r - 1}`,
          shapeText(perm),
        );
      return [transpose(x, perm)];
    },
  },
  Reshape: { run: reshape },
  Squeeze: {
    run(inputs, ctx) {
      const x = need(inputs, 0, ctx, 'data'),
        r = x.shape.length;
      const axes = axesArg(inputs, ctx, 13)?.map((a) => axisOf(ctx.node, a, r));
      for (const a of axes ?? [])
        if (x.shape[a] !== 1)
          throw badValue(
            ctx.node,
            'cannot squeeze a dimension that is not 1',
            'size 1',
            `size ${x.shape[a]} at axis ${a}`,
          );
      return [
        reshaped(
          x,
          x.shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)),
        ),
      ];
    },
  },
  Unsqueeze: {
    run(inputs, ctx) {
      const x = need(inputs, 0, ctx, 'data'),
        axes = axesArg(inputs, ctx, 13) ?? [],
        r = x.shape.length + axes.length;
      const at = axes.map((a) => axisOf(ctx.node, a, r));
      const shape: number[] = [];
      let k = 0;
      for (let i = 0; i < r; i++) shape.push(at.includes(i) ? 1 : x.shape[k++]!);
      return [reshaped(x, shape)];
    },
  },
  Slice: { run: sliceOp },
  Gather: { run: gather },
  Concat: { run: concat },
  Shape: {
    run(inputs, ctx) {
      const x = need(inputs, 0, ctx, 'data'),
        r = x.shape.length;
      const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
      const dims = x.shape.slice(clamp(attrInt(ctx.node, 'start', 0)), clamp(attrInt(ctx.node, 'end', r)));
      return [makeTensor(INT64, [dims.length], Float64Array.from(dims))];
    },
  },
  Expand: { run: expand },
  Constant: { run: constant },
  ConstantOfShape: {
    run(inputs, ctx) {
      const shape = ints(need(inputs, 0, ctx, 'input'));
      if (shape.some((d) => d < 0)) throw badValue(ctx.node, 'negative dimension', 'dimensions ≥ 0', shapeText(shape));
      const v = attrTensor(ctx.node, 'value') ?? makeTensor(FLOAT, [1]);
      const out = makeTensor(v.type, shape);
      out.data.fill(v.data[0] ?? 0);
      return [out];
    },
  },
  Cast: { run: cast, check: checkCast },
};
