// Tensors as the graph executor holds them. Floating types (float, float16, bfloat16, double)
// compute in float32; every integer type and bool is held in a Float64Array, exact up to 2^53
// (INT64_MAX, the usual "to the end" in Slice, arrives as 2^63: still larger than any dimension).
import { LSTMError } from '../index.js';
import type { TensorProtoInfo } from './model.js';
import { ProtoReader, invalid } from './protobuf.js';

// TensorProto.DataType
export const FLOAT = 1,
  UINT8 = 2,
  INT8 = 3,
  UINT16 = 4,
  INT16 = 5,
  INT32 = 6,
  INT64 = 7,
  BOOL = 9,
  FLOAT16 = 10,
  DOUBLE = 11,
  UINT32 = 12,
  UINT64 = 13,
  BFLOAT16 = 16;

export const TYPE_NAMES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
};
const BYTES: Record<number, number> = {
  1: 4,
  2: 1,
  3: 1,
  4: 2,
  5: 2,
  6: 4,
  7: 8,
  9: 1,
  10: 2,
  11: 8,
  12: 4,
  13: 8,
  16: 2,
};

export const typeName = (t: number): string => TYPE_NAMES[t] ?? `type ${t}`;
export const isFloatType = (t: number): boolean => t === FLOAT || t === DOUBLE || t === FLOAT16 || t === BFLOAT16;
export const isKnownType = (t: number): boolean => BYTES[t] !== undefined;

export interface HostTensor {
  /** TensorProto.DataType */
  type: number;
  shape: number[];
  data: Float32Array | Float64Array;
}

/** Elements of a shape; the caller has already bounded every dimension. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let n = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = n;
    n *= shape[i]!;
  }
  return s;
}

export const shapeText = (shape: readonly unknown[]): string => `[${shape.join(', ')}]`;

/** Largest tensor the executor allocates on the host (2^28 elements = 1 GiB of float32). */
const MAX_ELEMENTS = 2 ** 28;

export function makeTensor(type: number, shape: number[], data?: Float32Array | Float64Array): HostTensor {
  const n = sizeOf(shape);
  if (!data && !(n <= MAX_ELEMENTS))
    throw new LSTMError('OUT_OF_MEMORY', 'tensor too large for the host', {
      argument: 'shape',
      expected: `at most ${MAX_ELEMENTS} elements`,
      actual: shapeText(shape),
    });
  return { type, shape, data: data ?? (isFloatType(type) ? new Float32Array(n) : new Float64Array(n)) };
}

export function scalar(type: number, value: number): HostTensor {
  const t = makeTensor(type, []);
  t.data[0] = value;
  return t;
}

/** Integer values of a small tensor (shapes, axes, indices) as plain numbers. */
export function ints(t: HostTensor): number[] {
  return Array.from(t.data, (v) => Math.trunc(v));
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const half = new DataView(new ArrayBuffer(4));
/** IEEE half (bits) -> number. */
function fromHalf(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1,
    e = (bits >> 10) & 0x1f,
    m = bits & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
function fromBfloat(bits: number): number {
  half.setUint32(0, bits << 16);
  return half.getFloat32(0);
}

/**
 * A TensorProto's values. Dimensions and the payload's length are checked against each other
 * before the output array is allocated, so a lying dims list cannot cost memory.
 */
export function tensorFromProto(p: TensorProtoInfo, argument = p.name || p.path): HostTensor {
  const type = p.dataType;
  if (p.external)
    throw new LSTMError('UNSUPPORTED_OP', 'tensors stored in external data files are not supported', {
      argument,
      expected: 'the weights inside the .onnx file (torch.onnx.export does this below 2 GB)',
      actual: 'data_location = EXTERNAL',
    });
  if (!isKnownType(type))
    throw new LSTMError('UNSUPPORTED_OP', `tensor type ${typeName(type)} is not supported`, {
      argument,
      expected: 'float32, float16, bfloat16, float64, an integer type or bool',
      actual: typeName(type),
    });
  let n = 1;
  for (const d of p.dims) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw invalid(argument, 'tensor dimension is negative or too large', 'dims ≥ 0', shapeText(p.dims));
    n *= d;
    if (n > 2 ** 31)
      throw invalid(
        argument,
        'tensor is larger than any file could hold',
        'fewer than 2^31 elements',
        shapeText(p.dims),
      );
  }
  const shape = p.dims.slice(),
    size = BYTES[type]!;
  if (p.raw) {
    if (p.raw.length !== n * size)
      throw invalid(
        argument,
        'raw_data length does not match the tensor shape',
        `${n * size} bytes for ${typeName(type)} ${shapeText(shape)}`,
        `${p.raw.length} bytes`,
      );
    if (type === FLOAT && LITTLE_ENDIAN) return makeTensor(type, shape, new Float32Array(p.raw.slice().buffer));
    const out = makeTensor(type, shape),
      v = new DataView(p.raw.buffer, p.raw.byteOffset, p.raw.byteLength),
      d = out.data;
    for (let i = 0; i < n; i++) d[i] = readRaw(v, i * size, type);
    return out;
  }
  // Typed fields: packed runs first (the usual encoding), then unpacked values.
  const values: number[] = [];
  for (const run of p.packed) {
    const v = new DataView(run.bytes.buffer, run.bytes.byteOffset, run.bytes.byteLength);
    if (run.field === 4 || run.field === 10) {
      const w = run.field === 4 ? 4 : 8;
      if (run.bytes.length % w !== 0 || values.length + run.bytes.length / w > n)
        throw invalid(
          argument,
          'packed tensor data does not match the shape',
          `${n} values`,
          `${run.bytes.length} bytes`,
        );
      for (let at = 0; at < run.bytes.length; at += w)
        values.push(w === 4 ? v.getFloat32(at, true) : v.getFloat64(at, true));
    } else {
      // varints (int64 two's complement, int32 sign-extended): the reader bounds each one
      const r = new ProtoReader(run.bytes, argument);
      while (r.more()) {
        values.push(r.varint());
        if (values.length > n)
          throw invalid(argument, 'tensor data does not match the shape', `${n} values`, `more than ${n}`);
      }
    }
  }
  values.push(...p.unpacked.slice(0, n + 1 - values.length));
  if (values.length !== n)
    throw invalid(
      argument,
      'tensor data does not match the shape',
      `${n} values for ${typeName(type)} ${shapeText(shape)}`,
      `${values.length} values`,
    );
  const out = makeTensor(type, shape);
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    out.data[i] = type === FLOAT16 ? fromHalf(x) : type === BFLOAT16 ? fromBfloat(x) : type === BOOL ? (x ? 1 : 0) : x;
  }
  return out;
}

function readRaw(v: DataView, at: number, type: number): number {
  switch (type) {
    case FLOAT:
      return v.getFloat32(at, true);
    case DOUBLE:
      return v.getFloat64(at, true);
    case FLOAT16:
      return fromHalf(v.getUint16(at, true));
    case BFLOAT16:
      return fromBfloat(v.getUint16(at, true));
    case INT64:
      return Number(v.getBigInt64(at, true));
    case UINT64:
      return Number(v.getBigUint64(at, true));
    case INT32:
      return v.getInt32(at, true);
    case UINT32:
      return v.getUint32(at, true);
    case INT16:
      return v.getInt16(at, true);
    case UINT16:
      return v.getUint16(at, true);
    case INT8:
      return v.getInt8(at);
    case BOOL:
      return v.getUint8(at) ? 1 : 0;
    default:
      return v.getUint8(at);
  }
}
