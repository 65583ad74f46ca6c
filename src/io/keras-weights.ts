// The tfjs weights format: a list of weight specs { name, shape, dtype, quantization? } and one
// byte stream (model.json's weightsManifest: groups of shard files, concatenated in order) that
// holds them back to back, little-endian. float32 and int32 are read as they are; the converter's
// quantized weights (uint8 / uint16 with scale and min, or float16) are widened to float32.
import { LSTMError, describe } from '../errors.js';
import { shapeSize, shapeString } from '../tensor.js';
import { halfToFloat } from './safetensors.js';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

export interface WeightsManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

export interface NamedWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

function bad(argument: string, expected: string, actual: string): LSTMError {
  return new LSTMError('INVALID_ARGUMENT', 'weights do not match their specs', { argument, expected, actual });
}

/** One contiguous byte view of tfjs WeightData (an ArrayBuffer, or a list of them as tfjs 4 writes). */
export function concatWeightData(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data) && data.every((d) => d instanceof ArrayBuffer || ArrayBuffer.isView(d))) {
    const parts = data.map((d) => concatWeightData(d));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
  throw bad('weightData', 'an ArrayBuffer or an array of ArrayBuffers', describe(data));
}

/** Decodes every spec from the bytes, in order; the bytes must be exactly as long as the specs say. */
export function decodeWeights(specs: unknown, data: unknown): NamedWeight[] {
  if (!Array.isArray(specs)) throw bad('weightSpecs', 'an array of { name, shape, dtype }', describe(specs));
  const bytes = concatWeightData(data);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: NamedWeight[] = [];
  let at = 0;
  specs.forEach((s: WeightSpec, i) => {
    const where = `weightSpecs[${i}]`;
    if (
      !s ||
      typeof s.name !== 'string' ||
      !Array.isArray(s.shape) ||
      !s.shape.every((d) => Number.isInteger(d) && d >= 0)
    )
      throw bad(where, '{ name, shape: integers ≥ 0, dtype }', describe(s));
    const n = shapeSize(s.shape),
      q = s.quantization,
      stored = q ? q.dtype : s.dtype;
    const size = BYTES[stored];
    if (size === undefined || (!q && stored !== 'float32' && stored !== 'int32') || (q && stored === 'float32'))
      throw bad(`${s.name}.dtype`, 'float32 or int32 (quantized: uint8, uint16, float16)', String(stored));
    if (at + n * size > bytes.length)
      throw bad(
        'weightData',
        `at least ${at + n * size} bytes for ${s.name} ${shapeString(s.shape)}`,
        `${bytes.length}`,
      );
    const w = new Float32Array(n);
    if (stored === 'float32') for (let k = 0; k < n; k++) w[k] = view.getFloat32(at + 4 * k, true);
    else if (stored === 'int32') for (let k = 0; k < n; k++) w[k] = view.getInt32(at + 4 * k, true);
    else if (stored === 'float16') for (let k = 0; k < n; k++) w[k] = halfToFloat(view.getUint16(at + 2 * k, true));
    else {
      const scale = q?.scale ?? 1,
        min = q?.min ?? 0;
      for (let k = 0; k < n; k++)
        w[k] = (size === 1 ? view.getUint8(at + k) : view.getUint16(at + 2 * k, true)) * scale + min;
    }
    at += n * size;
    out.push({ name: s.name, shape: s.shape.slice(), data: w });
  });
  if (at !== bytes.length)
    throw bad('weightData', `${at} bytes (the sum of the weight specs)`, `${bytes.length} bytes`);
  return out;
}

/** float32 specs and one ArrayBuffer holding the weights back to back. */
export function encodeWeights(weights: NamedWeight[]): { weightSpecs: WeightSpec[]; weightData: ArrayBuffer } {
  const total = weights.reduce((n, w) => n + w.data.length, 0);
  const buf = new ArrayBuffer(total * 4),
    view = new DataView(buf);
  let at = 0;
  for (const w of weights) {
    for (let k = 0; k < w.data.length; k++) view.setFloat32(at + 4 * k, w.data[k]!, true);
    at += w.data.length * 4;
  }
  return {
    weightSpecs: weights.map((w) => ({ name: w.name, shape: w.shape.slice(), dtype: 'float32' })),
    weightData: buf,
  };
}

/** model.json's weightsManifest -> the specs in order and the shard paths to fetch, in order. */
export function readManifest(manifest: unknown): { specs: WeightSpec[]; paths: string[] } {
  if (!Array.isArray(manifest)) throw bad('weightsManifest', 'an array of { paths, weights }', describe(manifest));
  const specs: WeightSpec[] = [],
    paths: string[] = [];
  manifest.forEach((g: WeightsManifestGroup, i) => {
    if (!g || !Array.isArray(g.paths) || !Array.isArray(g.weights) || !g.paths.every((p) => typeof p === 'string'))
      throw bad(`weightsManifest[${i}]`, '{ paths: string[], weights: specs[] }', describe(g));
    paths.push(...g.paths);
    specs.push(...g.weights);
  });
  return { specs, paths };
}
