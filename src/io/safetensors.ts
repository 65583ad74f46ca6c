// safetensors (huggingface): 8-byte little-endian header length N, N bytes of JSON header
//   { "<name>": { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] }, "__metadata__": {..} }
// then the data buffer; offsets are relative to its start (byte 8 + N).
// Every field is validated against the file size before any tensor memory is allocated, so a
// truncated or lying file costs nothing but an LSTMError.
import { LSTMError, describe } from '../errors.js';
import type { StateDict, Tensor } from '../tensor.js';

export type { StateDict, Tensor };

const MAX_HEADER_BYTES = 100 * 1024 * 1024;
const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function invalid(argument: string, message: string, expected: string, actual: string): LSTMError {
  return new LSTMError('SAFETENSORS_INVALID', message, { argument, expected, actual });
}

function asBytes(bytes: unknown): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new LSTMError('INVALID_ARGUMENT', 'safetensors input must be bytes',
    { argument: 'bytes', expected: 'Uint8Array or ArrayBuffer', actual: describe(bytes) });
}

interface Entry { name: string; dtype: string; shape: number[]; begin: number; end: number }

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Parse and validate the header; nothing is allocated for tensor data here. */
function parseHeader(buf: Uint8Array): { entries: Entry[]; metadata: Record<string, string>; dataStart: number } {
  if (buf.length < 8) throw invalid('bytes', 'file too short for a safetensors header', 'at least 8 bytes', `${buf.length} bytes`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const lo = view.getUint32(0, true), hi = view.getUint32(4, true);
  if (hi !== 0 || lo > MAX_HEADER_BYTES || lo > buf.length - 8) {
    throw invalid('header', 'header length does not fit the file', `at most ${Math.min(MAX_HEADER_BYTES, buf.length - 8)} bytes`,
      `${hi !== 0 ? `${hi}·2^32 + ` : ''}${lo} bytes`);
  }
  let header: unknown;
  try { header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + lo))); }
  catch (e) { throw invalid('header', 'header is not valid UTF-8 JSON', 'a JSON object', (e as Error).message); }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw invalid('header', 'header is not a JSON object', 'a JSON object', describe(header));
  }
  const dataStart = 8 + lo, dataLength = buf.length - dataStart;
  const entries: Entry[] = [];
  const metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalid(name, 'metadata must be an object', 'Record<string, string>', describe(raw));
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') throw invalid(name, `metadata value of ${JSON.stringify(k)} is not a string`, 'string', describe(v));
        metadata[k] = v;
      }
      continue;
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (info === null || typeof info !== 'object') throw invalid(name, 'tensor entry is not an object', '{ dtype, shape, data_offsets }', describe(raw));
    const { dtype, shape, data_offsets: offsets } = info;
    if (typeof dtype !== 'string') throw invalid(name, 'dtype missing', 'a dtype string such as "F32"', describe(dtype));
    const size = DTYPE_BYTES[dtype];
    if (size === undefined) {
      throw new LSTMError('UNSUPPORTED_DTYPE', 'dtype not readable as float32',
        { argument: name, expected: Object.keys(DTYPE_BYTES).join(' | '), actual: dtype });
    }
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      throw invalid(name, 'shape must be a list of non-negative integers', 'e.g. [4, 3]', JSON.stringify(shape) ?? 'undefined');
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || (offsets[0] as number) > (offsets[1] as number)) {
      throw invalid(name, 'data_offsets must be [begin, end] with 0 ≤ begin ≤ end', '[begin, end]', JSON.stringify(offsets) ?? 'undefined');
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataLength) throw invalid(name, 'tensor data runs past the end of the file (truncated?)', `end ≤ ${dataLength}`, `end = ${end}`);
    // Products of lying shapes overflow doubles' integers long before memory is touched: compare
    // against the (small, already bounded) byte count instead of trusting the product.
    let elements = 1;
    for (const d of shape as number[]) elements *= d;
    if (elements * size !== end - begin) {
      throw invalid(name, 'shape and data_offsets disagree', `${end - begin} bytes for ${dtype}`,
        `shape [${(shape as number[]).join(', ')}] = ${elements} elements = ${elements * size} bytes`);
    }
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }
  // The spec: the buffer is covered exactly, tensors back to back with no gap or overlap.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at) {
      throw invalid(e.name, e.begin < at ? 'tensor overlaps the previous one' : 'gap before tensor data', `begin = ${at}`, `begin = ${e.begin}`);
    }
    at = e.end;
  }
  if (at !== dataLength) throw invalid('bytes', 'data buffer has bytes no tensor owns', `${at} data bytes`, `${dataLength} data bytes`);
  return { entries, metadata, dataStart };
}

function decode(buf: Uint8Array, start: number, e: Entry): Float32Array {
  const n = (e.end - e.begin) / DTYPE_BYTES[e.dtype]!;
  const out = new Float32Array(n);
  const off = start + e.begin;
  const view = new DataView(buf.buffer, buf.byteOffset + off, e.end - e.begin);
  switch (e.dtype) {
    case 'F32':
      if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(buf.subarray(off, off + n * 4));  // copy handles any alignment
      else for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
      break;
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      break;
    }
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      break;
  }
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;                 // zero and subnormals
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Tensors of a safetensors file, widened to float32 (fresh arrays, in header order). */
export function readSafetensors(bytes: Uint8Array | ArrayBuffer): StateDict {
  return readSafetensorsWithMetadata(bytes).tensors;
}

/** Tensors and the `__metadata__` string map of a safetensors file. */
export function readSafetensorsWithMetadata(bytes: Uint8Array | ArrayBuffer): { tensors: StateDict; metadata: Record<string, string> } {
  const buf = asBytes(bytes);
  const { entries, metadata, dataStart } = parseHeader(buf);
  const tensors: StateDict = {};
  for (const e of entries) tensors[e.name] = { shape: e.shape.slice(), data: decode(buf, dataStart, e) };
  return { tensors, metadata };
}

/** A safetensors file (F32) of the tensors in the record's order, with optional string metadata. */
export function writeSafetensors(tensors: StateDict, metadata?: Record<string, string>): Uint8Array {
  if (tensors === null || typeof tensors !== 'object') {
    throw new LSTMError('INVALID_ARGUMENT', 'tensors must be an object', { argument: 'tensors', expected: 'Record<string, { shape, data }>', actual: describe(tensors) });
  }
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object') throw new LSTMError('INVALID_ARGUMENT', 'metadata must be an object', { argument: 'metadata', expected: 'Record<string, string>', actual: describe(metadata) });
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new LSTMError('INVALID_ARGUMENT', 'metadata values must be strings', { argument: `metadata.${k}`, expected: 'string', actual: describe(v) });
    }
    header.__metadata__ = metadata;
  }
  let at = 0;
  const parts: Float32Array[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    if (name === '' || name === '__metadata__') throw new LSTMError('INVALID_ARGUMENT', 'reserved or empty tensor name', { argument: 'tensors', expected: 'a non-empty name other than __metadata__', actual: JSON.stringify(name) });
    const data = (t as Partial<Tensor> | null)?.data, shape = (t as Partial<Tensor> | null)?.shape;
    if (!(data instanceof Float32Array)) throw new LSTMError('INVALID_ARGUMENT', 'tensor data must be a Float32Array', { argument: name, expected: 'Float32Array', actual: describe(data) });
    if (!Array.isArray(shape) || !shape.every(isCount) || shape.reduce((a, b) => a * b, 1) !== data.length) {
      throw new LSTMError('INVALID_ARGUMENT', 'shape does not match data length', { argument: name, expected: `a shape of ${data.length} elements`, actual: JSON.stringify(shape) ?? 'undefined' });
    }
    header[name] = { dtype: 'F32', shape, data_offsets: [at, at + data.length * 4] };
    at += data.length * 4;
    parts.push(data);
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  // Pad with spaces so the data buffer starts 8-byte aligned (readers can then view it in place).
  let headerBytes = enc.encode(json);
  const pad = (8 - ((8 + headerBytes.length) % 8)) % 8;
  if (pad) { json += ' '.repeat(pad); headerBytes = enc.encode(json); }
  const out = new Uint8Array(8 + headerBytes.length + at);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes.length, true);
  view.setUint32(4, 0, true);
  out.set(headerBytes, 8);
  let off = 8 + headerBytes.length;
  for (const data of parts) {
    if (LITTLE_ENDIAN) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), off);
    else for (let i = 0; i < data.length; i++) view.setFloat32(off + i * 4, data[i]!, true);
    off += data.byteLength;
  }
  return out;
}
