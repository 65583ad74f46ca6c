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
  attrFloats,
  attrTensor,
  need,
  axisOf,
  badNode,
  badValue,
  unsupported,
  requireFloat,
  describeShape,
} from './op.js';
import {
  type HostTensor,
  makeTensor,
  sizeOf,
  stridesOf,
  ints,
  shapeText,
  isFloatType,
  isKnownType,
  typeName,
  FLOAT,
  INT64,
  BOOL,
  FLOAT16,
  BFLOAT16,
} from './tensor.js';

/** numpy's multidirectional broadcast of two shapes. */
function broadcastShapes(a: number[], b: number[], ctx: OpContext): number[] {
  const rank = Math.max(a.length, b.length),
    out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1,
      y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1)
      throw badValue(
        ctx.node,
        'shapes do not broadcast',
        'equal dimensions or 1',
        `${shapeText(a)} and ${shapeText(b)}`,
      );
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Strides of `shape` laid over a broadcast result of rank `rank` (0 where broadcast). */
function broadcastStrides(shape: number[], out: number[]): number[] {
  const s = stridesOf(shape),
    pad = out.length - shape.length;
  return out.map((_, i) => (i < pad || shape[i - pad] === 1 ? 0 : s[i - pad]!));
}

/** Calls visit(outIndex, offsets...) for every element of `out`, walking the inputs by their strides. */
function walk(out: number[], strides: number[][], visit: (o: number, offs: number[]) => void): void {
  const n = sizeOf(out),
    rank = out.length,
    idx = new Array<number>(rank).fill(0),
    offs = strides.map(() => 0);
  for (let o = 0; o < n; o++) {
    visit(o, offs);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      for (let k = 0; k < offs.length; k++) offs[k]! += strides[k]![d]!;
      if (idx[d]! < out[d]!) break;
      for (let k = 0; k < offs.length; k++) offs[k]! -= strides[k]![d]! * out[d]!;
      idx[d] = 0;
    }
  }
}

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

/** Axis permutation. The trailing axes that stay in place form contiguous runs, copied whole
 *  (a [B, T, F] <-> [T, B, F] swap copies rows of F); the rest is an odometer over the others. */
function transpose(x: HostTensor, perm: number[]): HostTensor {
  const shape = perm.map((p) => x.shape[p]!),
    s = stridesOf(x.shape),
    out = makeTensor(x.type, shape),
    d = x.data,
    o = out.data;
  let r = perm.length,
    run = 1;
  while (r > 0 && perm[r - 1] === r - 1) run *= shape[--r]!;
  if (o.length === 0) return out;
  const dims = shape.slice(0, r),
    steps = perm.slice(0, r).map((p) => s[p]!),
    idx = new Array<number>(r).fill(0);
  const n = o.length / run;
  let src = 0;
  for (let k = 0, at = 0; k < n; k++, at += run) {
    if (run >= 16) o.set(d.subarray(src, src + run), at);
    else for (let j = 0; j < run; j++) o[at + j] = d[src + j]!;
    for (let a = r - 1; a >= 0; a--) {
      src += steps[a]!;
      if (++idx[a]! < dims[a]!) break;
      src -= steps[a]! * dims[a]!;
      idx[a] = 0;
    }
  }
  return out;
}

export function transposeTensor(x: HostTensor, perm: number[]): HostTensor {
  return transpose(x, perm);
}

/** Axes from the attribute (before `inputOpset`) or from input 1 (from it on). */
function axesArg(inputs: OpInputs, ctx: OpContext, inputOpset: number): number[] | undefined {
  if (ctx.opset < inputOpset) return attrInts(ctx.node, 'axes');
  const t = inputs[1];
  return t ? ints(t) : undefined;
}

function reshaped(x: HostTensor, shape: number[]): HostTensor {
  return { type: x.type, shape, data: x.data };
}

function sliceOp(inputs: OpInputs, ctx: OpContext): HostTensor[] {
  const x = need(inputs, 0, ctx, 'data'),
    rank = x.shape.length,
    node = ctx.node;
  let starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined;
  if (ctx.opset < 10) {
    starts = attrInts(node, 'starts') ?? [];
    ends = attrInts(node, 'ends') ?? [];
    axes = attrInts(node, 'axes');
  } else {
    starts = ints(need(inputs, 1, ctx, 'starts'));
    ends = ints(need(inputs, 2, ctx, 'ends'));
    axes = inputs[3] ? ints(inputs[3]) : undefined;
    steps = inputs[4] ? ints(inputs[4]) : undefined;
  }
  axes ??= starts.map((_, i) => i);
  if (ends.length !== starts.length || axes.length !== starts.length || (steps && steps.length !== starts.length))
    throw badNode(
      node,
      'starts, ends, axes and steps differ in length',
      'equal lengths',
      `${starts.length}, ${ends.length}, ${axes.length}`,
    );
  const begin = x.shape.map(() => 0),
    step = x.shape.map(() => 1),
    shape = x.shape.slice();
  axes.forEach((a, i) => {
    const ax = axisOf(node, a, rank),
      dim = x.shape[ax]!,
      st = steps?.[i] ?? 1;
    if (st === 0) throw badNode(node, 'slice step is 0', 'a non-zero step', '0');
    let s = starts[i]!,
      e = ends[i]!;
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    if (st > 0) {
      s = Math.min(Math.max(s, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
      shape[ax] = Math.max(0, Math.ceil((e - s) / st));
    } else {
      s = Math.min(Math.max(s, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
      shape[ax] = Math.max(0, Math.ceil((s - e) / -st));
    }
    begin[ax] = s;
    step[ax] = st;
  });
  const s = stridesOf(x.shape),
    out = makeTensor(x.type, shape),
    base = begin.reduce((acc, b, i) => acc + b * s[i]!, 0);
  if (out.data.length === 0) return [out];
  walk(shape, [step.map((st, i) => st * s[i]!)], (i, [q]) => {
    out.data[i] = x.data[base + q!]!;
  });
  return [out];
}

function gather(inputs: OpInputs, ctx: OpContext): HostTensor[] {
  const x = need(inputs, 0, ctx, 'data'),
    idx = need(inputs, 1, ctx, 'indices');
  if (isFloatType(idx.type)) throw badNode(ctx.node, 'indices must be integers', 'int32 or int64', typeName(idx.type));
  const axis = axisOf(ctx.node, attrInt(ctx.node, 'axis', 0), x.shape.length),
    dim = x.shape[axis]!;
  const outer = sizeOf(x.shape.slice(0, axis)),
    inner = sizeOf(x.shape.slice(axis + 1));
  const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)],
    out = makeTensor(x.type, shape),
    n = idx.data.length;
  for (let j = 0; j < n; j++) {
    const k = idx.data[j]!;
    if (!(k >= -dim && k < dim))
      throw badValue(ctx.node, 'index out of range', `indices in [${-dim}, ${dim - 1}]`, `${k} at position ${j}`);
    const row = k < 0 ? k + dim : k;
    for (let a = 0; a < outer; a++) {
      const from = (a * dim + row) * inner;
      out.data.set(x.data.subarray(from, from + inner), (a * n + j) * inner);
    }
  }
  return [out];
}

function concat(inputs: OpInputs, ctx: OpContext): HostTensor[] {
  const xs = inputs.filter((t): t is HostTensor => t !== undefined);
  if (xs.length === 0) throw badNode(ctx.node, 'no inputs', 'at least one tensor', 'none');
  const first = xs[0]!,
    rank = first.shape.length,
    axis = axisOf(ctx.node, attrInt(ctx.node, 'axis', 0), rank);
  for (const t of xs)
    if (t.shape.length !== rank || t.shape.some((d, i) => i !== axis && d !== first.shape[i]))
      throw badValue(ctx.node, 'inputs differ outside the concatenation axis', describeShape(first), describeShape(t));
  const shape = first.shape.slice();
  shape[axis] = xs.reduce((n, t) => n + t.shape[axis]!, 0);
  const out = makeTensor(first.type, shape),
    outer = sizeOf(shape.slice(0, axis)),
    inner = sizeOf(shape.slice(axis + 1)),
    rowOut = shape[axis]! * inner;
  let at = 0;
  for (const t of xs) {
    const row = t.shape[axis]! * inner;
    for (let a = 0; a < outer; a++) out.data.set(t.data.subarray(a * row, (a + 1) * row), a * rowOut + at);
    at += row;
  }
  return [out];
}

function reshape(inputs: OpInputs, ctx: OpContext): HostTensor[] {
  const x = need(inputs, 0, ctx, 'data');
  const spec = ctx.opset < 5 ? (attrInts(ctx.node, 'shape') ?? []) : ints(need(inputs, 1, ctx, 'shape'));
  const allowZero = attrInt(ctx.node, 'allowzero', 0) === 1;
  let infer = -1,
    known = 1;
  const shape = spec.map((d, i) => {
    if (d === 0 && !allowZero) d = x.shape[i] ?? 0;
    if (d === -1) {
      if (infer >= 0) throw badNode(ctx.node, 'more than one -1 in the shape', 'at most one -1', shapeText(spec));
      infer = i;
      return -1;
    }
    if (d < 0) throw badNode(ctx.node, 'negative dimension in the shape', 'dimensions ≥ -1', shapeText(spec));
    known *= d;
    return d;
  });
  const n = x.data.length;
  if (infer >= 0) shape[infer] = known === 0 ? 0 : n / known;
  if (sizeOf(shape) !== n || !Number.isInteger(shape[infer] ?? 0))
    throw badValue(ctx.node, 'the new shape has a different number of elements', `${n} elements`, shapeText(spec));
  return [reshaped(x, shape)];
}

function expand(inputs: OpInputs, ctx: OpContext): HostTensor[] {
  const x = need(inputs, 0, ctx, 'input'),
    shape = broadcastShapes(x.shape, ints(need(inputs, 1, ctx, 'shape')), ctx);
  const out = makeTensor(x.type, shape);
  walk(shape, [broadcastStrides(x.shape, shape)], (i, [q]) => {
    out.data[i] = x.data[q!]!;
  });
  return [out];
}

function constant(_: OpInputs, ctx: OpContext): HostTensor[] {
  const n = ctx.node,
    t = attrTensor(n, 'value');
  if (t) return [t];
  const f = n.attributes.get('value_float'),
    fs = attrFloats(n, 'value_floats'),
    i = n.attributes.get('value_int'),
    is = attrInts(n, 'value_ints');
  if (f?.f !== undefined) return [makeTensor(FLOAT, [], Float32Array.of(f.f))];
  if (fs) return [makeTensor(FLOAT, [fs.length], Float32Array.from(fs))];
  if (i?.i !== undefined) return [makeTensor(INT64, [], Float64Array.of(i.i))];
  if (is) return [makeTensor(INT64, [is.length], Float64Array.from(is))];
  throw unsupported(
    n,
    'only numeric constants are supported',
    'value, value_float(s) or value_int(s)',
    [...n.attributes.keys()].join(', ') || 'no value',
  );
}

function cast(inputs: OpInputs, ctx: OpContext): HostTensor[] {
  const x = need(inputs, 0, ctx, 'input'),
    to = attrInt(ctx.node, 'to', FLOAT);
  const out = makeTensor(to, x.shape.slice()),
    d = x.data,
    o = out.data;
  const fromFloat = isFloatType(x.type);
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    o[i] = to === BOOL ? (v !== 0 ? 1 : 0) : isFloatType(to) || !fromFloat ? v : Math.trunc(v);
  }
  return [out];
}

function checkCast(node: import('./model.js').NodeInfo): void {
  const to = attrInt(node, 'to', -1);
  if (to === FLOAT16 || to === BFLOAT16 || !isKnownType(to))
    throw unsupported(
      node,
      `cannot cast to ${typeName(to)}`,
      'float32, float64, an integer type or bool',
      typeName(to),
    );
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
