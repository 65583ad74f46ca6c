// What OnnxSession takes and gives at its edge: loading a model's bytes from wherever they are, the
// caller's named inputs checked and converted to the graph's element types, outputs as fresh float32.
import { LSTMError } from '../index.js';
import type { ValueInfo } from './model.js';
import { type HostTensor, makeTensor, sizeOf, shapeText, isFloatType, typeName, FLOAT } from './tensor.js';

/** Where a model comes from: its bytes, a URL (http, https, file, data, blob), or a file path (Node). */
export type OnnxSource = Uint8Array | ArrayBuffer | URL | string;

/** A tensor given to run(): float inputs as Float32Array; integer inputs (token ids) as
 *  BigInt64Array, Int32Array, Float32Array or numbers. */
export interface OnnxFeed {
  /** The values, row-major; converted to the input's element type. */
  data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | readonly number[];
  /** Its shape; must match the input's declared fixed dimensions. */
  shape: readonly number[];
}

/** A result of run(); integer outputs (rare: a Shape) come back as float32 values too. */
export interface OnnxTensor {
  /** The values, row-major (a fresh array). */
  data: Float32Array;
  /** Its shape. */
  shape: number[];
}

export const describe = (v: unknown): string =>
  v === null
    ? 'null'
    : ArrayBuffer.isView(v)
      ? `${v.constructor.name}(${(v as unknown as { length: number }).length})`
      : Array.isArray(v)
        ? `Array(${v.length})`
        : typeof v;

export function argumentError(argument: string, message: string, expected: string, actual: string): LSTMError {
  return new LSTMError('INVALID_ARGUMENT', message, { argument, expected, actual });
}

export async function loadBytes(source: OnnxSource): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  let url: URL | null = null;
  if (source instanceof URL) url = source;
  else if (typeof source === 'string') {
    if (/^(https?|file|data|blob):/i.test(source)) url = new URL(source);
    else if (!isNode) url = new URL(source, globalThis.location?.href);
  } else
    throw argumentError(
      'source',
      'cannot load a model from this',
      'Uint8Array | ArrayBuffer | URL | path string',
      describe(source),
    );
  if (!url || url.protocol === 'file:') {
    const fsName = 'node:fs/promises'; // a variable, so browser bundlers leave it alone
    const fs = (await import(/* @vite-ignore */ /* webpackIgnore: true */ fsName)) as typeof import('node:fs/promises');
    return new Uint8Array(await fs.readFile(url ?? (source as string)));
  }
  const response = await fetch(url);
  if (!response.ok)
    throw argumentError('source', 'could not fetch the model', 'HTTP 200', `HTTP ${response.status} for ${url.href}`);
  return new Uint8Array(await response.arrayBuffer());
}

export function feedTensor(info: ValueInfo, feed: OnnxFeed | undefined): HostTensor {
  const name = info.name,
    type = info.elemType || FLOAT;
  if (feed === undefined || feed === null || typeof feed !== 'object')
    throw argumentError(
      name,
      'input missing',
      `{ data, shape } for ${typeName(type)} ${shapeText(info.shape ?? ['…'])}`,
      describe(feed),
    );
  const { data, shape } = feed;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw argumentError(
      `${name}.shape`,
      'shape must be a list of non-negative integers',
      'e.g. [1, 20, 8]',
      describe(shape),
    );
  const isList = Array.isArray(data) || (ArrayBuffer.isView(data) && !(data instanceof DataView));
  if (!isList)
    throw argumentError(
      `${name}.data`,
      'data must be a typed array or a number list',
      'Float32Array, …',
      describe(data),
    );
  const n = (data as ArrayLike<unknown>).length;
  if (sizeOf(shape) !== n)
    throw new LSTMError('SHAPE_MISMATCH', 'data length does not match the shape', {
      argument: name,
      expected: `${sizeOf(shape)} values for ${shapeText(shape)}`,
      actual: `${n} values`,
    });
  const declared = info.shape;
  if (
    declared &&
    (declared.length !== shape.length || declared.some((d, i) => typeof d === 'number' && d !== shape[i]))
  )
    throw new LSTMError('SHAPE_MISMATCH', 'input shape does not match the model', {
      argument: name,
      expected: shapeText(declared.map((d) => d ?? '?')),
      actual: shapeText(shape),
    });
  if (isFloatType(type)) {
    if (data instanceof BigInt64Array)
      throw argumentError(`${name}.data`, 'a float input cannot take int64 data', 'Float32Array', describe(data));
    return makeTensor(
      type,
      shape.slice(),
      data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>),
    );
  }
  const out = makeTensor(type, shape.slice());
  for (let i = 0; i < n; i++) {
    const v = Number((data as ArrayLike<number | bigint>)[i]);
    if (!Number.isInteger(v))
      throw argumentError(`${name}.data[${i}]`, `${typeName(type)} input takes integers`, 'an integer', String(v));
    out.data[i] = v;
  }
  return out;
}

export function outputTensor(name: string, t: HostTensor): OnnxTensor {
  if (t.data instanceof Float32Array) return { data: t.data.slice(), shape: t.shape.slice() };
  const bad = t.data.findIndex((v) => Math.abs(v) > 2 ** 24);
  if (bad >= 0)
    throw new LSTMError('UNSUPPORTED_OP', `${typeName(t.type)} output has a value float32 cannot hold exactly`, {
      argument: name,
      expected: `|values| ≤ 2^24`,
      actual: String(t.data[bad]),
    });
  return { data: Float32Array.from(t.data), shape: t.shape.slice() };
}
