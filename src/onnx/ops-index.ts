// Index operators that torch.onnx.export emits around pack_padded_sequence(enforce_sorted=False),
// PyTorch's default: it sorts the batch by length (TopK), runs the recurrent op on the sorted
// batch and puts the rows back (ScatterElements), with Range and ReduceProd for the index arithmetic.
import { type OpSpec, type OpInputs, type OpContext, attrInt, attrInts, need, axisOf, badValue } from './op.js';
import { type HostTensor, makeTensor, sizeOf, stridesOf, ints, INT64 } from './tensor.js';

function range(inputs: OpInputs, ctx: OpContext): HostTensor[] {
  const [start, limit, delta] = [0, 1, 2].map(
    (i) => need(inputs, i, ctx, ['start', 'limit', 'delta'][i]!).data[0]!,
  ) as [number, number, number];
  if (delta === 0) throw badValue(ctx.node, 'delta is 0', 'a non-zero delta', '0');
  const n = Math.max(Math.ceil((limit - start) / delta), 0);
  const out = makeTensor(need(inputs, 0, ctx, 'start').type, [n]);
  for (let i = 0; i < n; i++) out.data[i] = start + i * delta;
  return [out];
}

function reduceProd(inputs: OpInputs, ctx: OpContext): HostTensor[] {
  const x = need(inputs, 0, ctx, 'data'),
    r = x.shape.length;
  const given = ctx.opset < 18 ? attrInts(ctx.node, 'axes') : inputs[1] ? ints(inputs[1]) : undefined;
  const axes = (given?.length ? given : x.shape.map((_, i) => i)).map((a) => axisOf(ctx.node, a, r));
  const keep = attrInt(ctx.node, 'keepdims', 1) === 1;
  const shape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d)),
    out = makeTensor(x.type, shape);
  out.data.fill(1);
  const sIn = stridesOf(x.shape),
    sOut = stridesOf(shape);
  for (let i = 0; i < x.data.length; i++) {
    let o = 0;
    for (let d = 0; d < r; d++) if (!axes.includes(d)) o += (Math.floor(i / sIn[d]!) % x.shape[d]!) * sOut[d]!;
    out.data[o]! *= x.data[i]!;
  }
  return [keep ? out : { ...out, shape: shape.filter((_, i) => !axes.includes(i)) }];
}

/** Values and indices of the k largest (or smallest) along an axis; ties keep the lower index first. */
function topK(inputs: OpInputs, ctx: OpContext): HostTensor[] {
  const x = need(inputs, 0, ctx, 'X'),
    r = x.shape.length;
  const k = ctx.opset < 10 ? attrInt(ctx.node, 'k', 0) : need(inputs, 1, ctx, 'K').data[0]!;
  const axis = axisOf(ctx.node, attrInt(ctx.node, 'axis', -1), r),
    n = x.shape[axis]!;
  if (!(k >= 0 && k <= n)) throw badValue(ctx.node, 'k out of range', `k in [0, ${n}]`, String(k));
  const largest = attrInt(ctx.node, 'largest', 1) === 1;
  const shape = x.shape.slice();
  shape[axis] = k;
  const values = makeTensor(x.type, shape),
    indices = makeTensor(INT64, shape.slice());
  const outer = sizeOf(x.shape.slice(0, axis)),
    inner = sizeOf(x.shape.slice(axis + 1));
  for (let a = 0; a < outer; a++)
    for (let c = 0; c < inner; c++) {
      const at = (j: number): number => x.data[(a * n + j) * inner + c]!;
      const order = Array.from({ length: n }, (_, j) => j).sort(
        (p, q) => (largest ? at(q) - at(p) : at(p) - at(q)) || p - q,
      );
      for (let j = 0; j < k; j++) {
        values.data[(a * k + j) * inner + c] = at(order[j]!);
        indices.data[(a * k + j) * inner + c] = order[j]!;
      }
    }
  return [values, indices];
}

/** data with updates written at the positions `indices` names along `axis` (no reduction). */
function scatterElements(inputs: OpInputs, ctx: OpContext): HostTensor[] {
  const x = need(inputs, 0, ctx, 'data'),
    idx = need(inputs, 1, ctx, 'indices'),
    upd = need(inputs, 2, ctx, 'updates');
  const r = x.shape.length,
    axis = axisOf(ctx.node, attrInt(ctx.node, 'axis', 0), r);
  if (ctx.node.attributes.has('reduction') && ctx.node.attributes.get('reduction')?.s !== 'none')
    throw badValue(
      ctx.node,
      'only reduction "none" is supported',
      'none',
      String(ctx.node.attributes.get('reduction')?.s),
    );
  if (idx.shape.join() !== upd.shape.join() || idx.shape.length !== r)
    throw badValue(
      ctx.node,
      'indices and updates must have the same shape and rank as data',
      `rank ${r}`,
      `${idx.shape} / ${upd.shape}`,
    );
  const out = makeTensor(x.type, x.shape.slice(), x.data.slice()),
    sOut = stridesOf(x.shape),
    sIdx = stridesOf(idx.shape),
    n = x.shape[axis]!;
  for (let i = 0; i < idx.data.length; i++) {
    let o = 0;
    for (let d = 0; d < r; d++) {
      let p = Math.floor(i / sIdx[d]!) % idx.shape[d]!;
      if (d === axis) {
        const k = idx.data[i]!;
        if (!(k >= -n && k < n))
          throw badValue(ctx.node, 'index out of range', `indices in [${-n}, ${n - 1}]`, String(k));
        p = k < 0 ? k + n : k;
      } else if (p >= x.shape[d]!)
        throw badValue(ctx.node, 'indices larger than data', `dimension ${d} ≤ ${x.shape[d]}`, String(p + 1));
      o += p * sOut[d]!;
    }
    out.data[o] = upd.data[i]!;
  }
  return [out];
}

export const INDEX_OPS: Record<string, OpSpec> = {
  Range: { run: range },
  ReduceProd: { run: reduceProd },
  TopK: { run: topK },
  ScatterElements: { run: scatterElements },
  Scatter: { run: scatterElements }, // its name before opset 11
};
