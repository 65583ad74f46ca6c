// Host shape operators: moving and reshaping tensors around a recurrent layer (Transpose, Reshape,
// Squeeze/Unsqueeze's helpers, Slice, Gather, Concat, Expand, Constant, Cast). Like every host op they
// never mutate their inputs.
import {
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

/** Axis permutation. The trailing axes that stay in place form contiguous runs, copied whole
 *  (a [B, T, F] <-> [T, B, F] swap copies rows of F); the rest is an odometer over the others. */
export function transpose(x: HostTensor, perm: number[]): HostTensor {
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
export function axesArg(inputs: OpInputs, ctx: OpContext, inputOpset: number): number[] | undefined {
  if (ctx.opset < inputOpset) return attrInts(ctx.node, 'axes');
  const t = inputs[1];
  return t ? ints(t) : undefined;
}

export function reshaped(x: HostTensor, shape: number[]): HostTensor {
  return { type: x.type, shape, data: x.data };
}

export function sliceOp(inputs: OpInputs, ctx: OpContext): HostTensor[] {
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

export function gather(inputs: OpInputs, ctx: OpContext): HostTensor[] {
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

export function concat(inputs: OpInputs, ctx: OpContext): HostTensor[] {
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

export function reshape(inputs: OpInputs, ctx: OpContext): HostTensor[] {
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

export function expand(inputs: OpInputs, ctx: OpContext): HostTensor[] {
  const x = need(inputs, 0, ctx, 'input'),
    shape = broadcastShapes(x.shape, ints(need(inputs, 1, ctx, 'shape')), ctx);
  const out = makeTensor(x.type, shape);
  walk(shape, [broadcastStrides(x.shape, shape)], (i, [q]) => {
    out.data[i] = x.data[q!]!;
  });
  return [out];
}

export function constant(_: OpInputs, ctx: OpContext): HostTensor[] {
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

export function cast(inputs: OpInputs, ctx: OpContext): HostTensor[] {
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

export function checkCast(node: import('./model.js').NodeInfo): void {
  const to = attrInt(node, 'to', -1);
  if (to === FLOAT16 || to === BFLOAT16 || !isKnownType(to))
    throw unsupported(
      node,
      `cannot cast to ${typeName(to)}`,
      'float32, float64, an integer type or bool',
      typeName(to),
    );
}

/** numpy's multidirectional broadcast of two shapes. */
export function broadcastShapes(a: number[], b: number[], ctx: OpContext): number[] {
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
export function broadcastStrides(shape: number[], out: number[]): number[] {
  const s = stridesOf(shape),
    pad = out.length - shape.length;
  return out.map((_, i) => (i < pad || shape[i - pad] === 1 ? 0 : s[i - pad]!));
}

/** Calls visit(outIndex, offsets...) for every element of `out`, walking the inputs by their strides. */
export function walk(out: number[], strides: number[][], visit: (o: number, offs: number[]) => void): void {
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
