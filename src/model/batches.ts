// Moving samples around: inputs as tensors, rows of a batch, windows of time steps.
import { describe, LSTMError } from '../errors.js';
import { describeTensor, isShape, tensor as makeTensor, shapeSize, type Tensor } from '../tensor.js';

/** What the model methods accept for x and y: a tensor, nested arrays, or a flat Float32Array. */
export type TensorLike = Tensor | unknown[] | Float32Array;

/** A tensor with a sample axis whose data holds exactly its shape's values; typed errors name `argument`. */
export function asTensor(v: TensorLike, argument: string): Tensor {
  let t: Tensor;
  if (v && typeof v === 'object' && 'data' in v && 'shape' in v) {
    t = v as Tensor;
    if (!(t.data instanceof Float32Array)) {
      throw new LSTMError('INVALID_ARGUMENT', 'tensor data must be a Float32Array', {
        argument,
        expected: 'Float32Array',
        actual: describe(t.data),
      });
    }
    if (!isShape(t.shape) || t.data.length !== shapeSize(t.shape)) {
      throw new LSTMError('SHAPE_MISMATCH', 'tensor data does not match its shape', {
        argument,
        expected: 'a shape of non-negative integers whose product is data.length',
        actual: describeTensor(t),
      });
    }
  } else {
    try {
      t = makeTensor(v);
    } catch (e) {
      if (e instanceof LSTMError)
        throw new LSTMError(e.code, e.message, { argument, expected: e.expected, actual: e.actual });
      throw e;
    }
  }
  if (t.shape.length === 0) {
    throw new LSTMError('SHAPE_MISMATCH', 'a tensor of samples needs a sample axis', {
      argument,
      expected: '[samples, …]',
      actual: '[]',
    });
  }
  return t;
}

/** Rows index[from .. to) of a tensor along its first axis (a copy). */
export function rows(t: Tensor, index: Int32Array | number[], from: number, to: number): Tensor {
  const per = t.data.length / t.shape[0]!,
    out = new Float32Array((to - from) * per);
  for (let i = from; i < to; i++) out.set(t.data.subarray(index[i]! * per, (index[i]! + 1) * per), (i - from) * per);
  return { data: out, shape: [to - from, ...t.shape.slice(1)] };
}

/** Steps [from, to) of axis 1 (time) of a [N, T, …] tensor (a copy). */
export function window(t: Tensor, from: number, to: number): Tensor {
  const [N, T] = t.shape as [number, number],
    per = t.data.length / (N * T),
    out = new Float32Array(N * (to - from) * per);
  for (let n = 0; n < N; n++) out.set(t.data.subarray((n * T + from) * per, (n * T + to) * per), n * (to - from) * per);
  return { data: out, shape: [N, to - from, ...t.shape.slice(2)] };
}

/** Loss weights for a padded batch: for per-step outputs [N, T, F], 0 past each length. */
export function stepWeights(out: Tensor, lengths: Int32Array | undefined): Float32Array | undefined {
  if (!lengths || out.shape.length !== 3) return undefined;
  const [N, T] = out.shape as [number, number, number],
    w = new Float32Array(N * T);
  for (let n = 0; n < N; n++) for (let t = 0; t < T; t++) w[n * T + t] = t < lengths[n]! ? 1 : 0;
  return w;
}
