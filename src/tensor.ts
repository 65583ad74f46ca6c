// The tensor type at the API boundary: a flat row-major Float32Array and its shape.
import { LSTMError, describe } from './errors.js';
export interface Tensor {
  shape: number[];
  data: Float32Array;
  /** How files store it (writeSafetensors): 'int8' marks quantized weights, integers in [−127, 127]
   *  held as float32 here and written as I8; readSafetensors sets it on I8 tensors. 'f16' / 'f32'
   *  choose a float width per tensor. Absent: the writer's default dtype. */
  dtype?: 'f32' | 'f16' | 'int8';
}

/** Named tensors in PyTorch's names, shapes and order (nn.Module.state_dict()). */
export type StateDict = Record<string, Tensor>;

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A shape: an array of non-negative safe integers. */
export function isShape(shape: unknown): shape is number[] {
  return Array.isArray(shape) && shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0);
}

/** { data: Float32Array, shape } whose data holds exactly the shape's number of values. */
export function isTensor(t: unknown): t is Tensor {
  const v = t as Partial<Tensor> | null | undefined;
  return (
    v !== null &&
    typeof v === 'object' &&
    isShape(v.shape) &&
    v.data instanceof Float32Array &&
    v.data.length === shapeSize(v.shape)
  );
}

/** What came instead of a tensor, for error messages. */
export function describeTensor(t: unknown): string {
  const v = t as { shape?: unknown; data?: unknown } | null | undefined;
  if (v === null || typeof v !== 'object') return describe(t);
  const shape = Array.isArray(v.shape) ? `[${v.shape.map((d) => describe(d)).join(', ')}]` : describe(v.shape);
  return `shape ${shape}, data ${describe(v.data)}`;
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** A tensor from nested arrays (shape inferred) or a flat array plus its shape. */
export function tensor(values: unknown, shape?: number[]): Tensor {
  if (
    values instanceof Float32Array ||
    (ArrayBuffer.isView(values) && !(values instanceof DataView)) ||
    (Array.isArray(values) && shape)
  ) {
    const flatValues = values as ArrayLike<number>;
    const s = shape ?? [flatValues.length];
    if (!s.every((d) => Number.isInteger(d) && d >= 0) || shapeSize(s) !== flatValues.length) {
      throw new LSTMError('SHAPE_MISMATCH', 'shape does not match the number of values', {
        argument: 'shape',
        expected: `${flatValues.length} elements`,
        actual: shapeString(s),
      });
    }
    return { data: values instanceof Float32Array ? values : Float32Array.from(flatValues), shape: s.slice() };
  }
  if (!Array.isArray(values)) {
    throw new LSTMError('INVALID_ARGUMENT', 'tensor() takes nested arrays or a typed array', {
      argument: 'values',
      expected: 'number[] | number[][] | … | Float32Array',
      actual: describe(values),
    });
  }
  const dims: number[] = [];
  for (let v: unknown = values; Array.isArray(v); v = v[0]) dims.push(v.length);
  const out = new Float32Array(shapeSize(dims));
  let i = 0;
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === dims.length) {
      if (typeof v !== 'number')
        throw new LSTMError('INVALID_ARGUMENT', 'not a number', {
          argument: `values${path}`,
          expected: 'a number',
          actual: describe(v),
        });
      out[i++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== dims[depth]) {
      throw new LSTMError('SHAPE_MISMATCH', 'ragged nested array', {
        argument: `values${path}`,
        expected: `length ${dims[depth]}`,
        actual: Array.isArray(v) ? `length ${v.length}` : describe(v),
      });
    }
    for (const [j, e] of v.entries()) walk(e, depth + 1, `${path}[${j}]`);
  };
  walk(values, 0, '');
  return { data: out, shape: dims };
}
