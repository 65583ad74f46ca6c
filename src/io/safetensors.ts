// safetensors (huggingface) reader and writer. File layout:
//
//   bytes [0, 8)        N, the header length: unsigned 64-bit little-endian
//   bytes [8, 8+N)      UTF-8 JSON, possibly padded with trailing spaces:
//                         { "<name>": { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] }, ...,
//                           "__metadata__": { "<key>": "<string>" } }
//   bytes [8+N, end)    the data buffer; data_offsets are relative to its start, and the tensors
//                       cover it back to back with no gap, overlap or trailing byte.
//
// The whole header is validated against the file size before any tensor memory is allocated, so a
// truncated or lying file (say shape [1e9, 1e9]) costs nothing but an LSTMError.
import { LSTMError, describe } from '../errors.js';
import type { StateDict, Tensor } from '../tensor.js';

// One definition of the boundary types lives in tensor.ts; re-exported for callers of this module.
export type { StateDict, Tensor };

const MAX_HEADER_BYTES = 100 * 1024 * 1024;
const DTYPE_BYTES: Readonly<Record<string, number>> = { F32: 4, F16: 2, BF16: 2, F64: 8 };
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

function invalid(argument: string, message: string, expected: string, actual: string): LSTMError {
  return new LSTMError('SAFETENSORS_INVALID', message, { argument, expected, actual });
}

function badArgument(argument: string, message: string, expected: string, actual: string): LSTMError {
  return new LSTMError('INVALID_ARGUMENT', message, { argument, expected, actual });
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const json = (v: unknown): string => JSON.stringify(v) ?? 'undefined';

// Names come from untrusted files: plain assignment of "__proto__" would replace the prototype
// instead of adding a key, so every name becomes an own data property.
function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

function asBytes(bytes: unknown): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw badArgument('bytes', 'safetensors input must be bytes', 'Uint8Array or ArrayBuffer', describe(bytes));
}

/** Parse and validate the header against the file; allocates nothing for tensor data. */
function parseHeader(buf: Uint8Array): { entries: Entry[]; metadata: Record<string, string>; dataStart: number } {
  if (buf.length < 8)
    throw invalid('bytes', 'file too short for a safetensors header', 'at least 8 bytes', `${buf.length} bytes`);
  // N is a u64; read it as two u32 halves so no value beyond 2^32 is ever trusted or rounded.
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const lo = view.getUint32(0, true),
    hi = view.getUint32(4, true);
  if (hi !== 0 || lo > MAX_HEADER_BYTES || lo > buf.length - 8) {
    throw invalid(
      'header',
      'header length does not fit the file',
      `at most ${Math.min(MAX_HEADER_BYTES, buf.length - 8)} bytes`,
      `${hi !== 0 ? `${hi}·2^32 + ` : ''}${lo} bytes`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + lo)));
  } catch (e) {
    throw invalid('header', 'header is not valid UTF-8 JSON', 'a JSON object', (e as Error).message);
  }
  if (!isRecord(header)) throw invalid('header', 'header is not a JSON object', 'a JSON object', describe(header));

  const dataStart = 8 + lo,
    dataLength = buf.length - dataStart;
  const entries: Entry[] = [];
  const metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isRecord(info)) throw invalid(name, 'metadata must be an object', 'Record<string, string>', describe(info));
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== 'string')
          throw invalid(name, `metadata value of ${JSON.stringify(k)} is not a string`, 'a string', describe(v));
        setOwn(metadata, k, v);
      }
      continue;
    }
    if (!isRecord(info))
      throw invalid(name, 'tensor entry is not an object', '{ dtype, shape, data_offsets }', describe(info));
    const { dtype, shape, data_offsets: offsets } = info;
    if (typeof dtype !== 'string')
      throw invalid(name, 'dtype missing', 'a dtype string such as "F32"', describe(dtype));
    const size = DTYPE_BYTES[dtype];
    if (size === undefined) {
      throw new LSTMError(
        'UNSUPPORTED_DTYPE',
        `dtype ${dtype} of tensor ${JSON.stringify(name)} is not readable as float32`,
        { argument: name, expected: Object.keys(DTYPE_BYTES).join(' | '), actual: dtype },
      );
    }
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      throw invalid(name, 'shape must be a list of non-negative integers', 'e.g. [4, 3]', json(shape));
    }
    const [begin, end] = Array.isArray(offsets) && offsets.length === 2 ? offsets : [];
    if (!isCount(begin) || !isCount(end) || begin > end) {
      throw invalid(name, 'data_offsets must be [begin, end] with 0 ≤ begin ≤ end', '[begin, end]', json(offsets));
    }
    if (end > dataLength)
      throw invalid(
        name,
        'tensor data runs past the end of the file (truncated?)',
        `end ≤ ${dataLength}`,
        `end = ${end}`,
      );
    // The byte count is already bounded by the file size, so a lying shape cannot pass: a product
    // beyond 2^53 rounds to a double that is still beyond 2^53 and never equals it.
    let elements = 1;
    for (const d of shape) elements *= d;
    if (elements * size !== end - begin) {
      throw invalid(
        name,
        'shape and data_offsets disagree',
        `${end - begin} bytes of ${dtype}`,
        `shape ${json(shape)} = ${elements * size} bytes`,
      );
    }
    entries.push({ name, dtype, shape: shape.slice(), begin, end });
  }

  // The spec requires the tensors to tile the buffer exactly; this also rules out overlap.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at) {
      throw invalid(
        e.name,
        e.begin < at ? 'tensor data overlaps another tensor' : 'gap in the data buffer before tensor',
        `begin = ${at}`,
        `begin = ${e.begin}`,
      );
    }
    at = e.end;
  }
  if (at !== dataLength)
    throw invalid(
      'bytes',
      'data buffer has trailing bytes no tensor owns',
      `${at} data bytes`,
      `${dataLength} data bytes`,
    );
  return { entries, metadata, dataStart };
}

// IEEE half -> double, exact for every bit pattern (subnormals, ±0, ±inf, NaN).
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1,
    exp = (h >> 10) & 0x1f,
    frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

/** A fresh float32 copy of one validated tensor; the data may start at any byte alignment. */
function decode(buf: Uint8Array, dataStart: number, e: Entry): Float32Array {
  const off = dataStart + e.begin,
    byteLength = e.end - e.begin;
  const out = new Float32Array(byteLength / DTYPE_BYTES[e.dtype]!);
  const n = out.length;
  // DataView reads little-endian at any offset, whatever the host.
  const view = new DataView(buf.buffer, buf.byteOffset + off, byteLength);
  switch (e.dtype) {
    case 'F32':
      // Byte copy: no alignment requirement, and the result never aliases the input.
      if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(buf.subarray(off, off + byteLength));
      else for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
      break;
    case 'BF16': {
      // bfloat16 is the top half of a float32; writing bits keeps NaN payloads and signs.
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

/** Tensors of a safetensors file as float32 (fresh arrays, in header order). */
export function readSafetensors(bytes: Uint8Array | ArrayBuffer): StateDict {
  return readSafetensorsWithMetadata(bytes).tensors;
}

/** Tensors and the `__metadata__` string map of a safetensors file. */
export function readSafetensorsWithMetadata(bytes: Uint8Array | ArrayBuffer): {
  tensors: StateDict;
  metadata: Record<string, string>;
} {
  const buf = asBytes(bytes);
  const { entries, metadata, dataStart } = parseHeader(buf);
  const tensors: StateDict = {};
  for (const e of entries) setOwn(tensors, e.name, { shape: e.shape, data: decode(buf, dataStart, e) });
  return { tensors, metadata };
}

/** A safetensors file holding the tensors as F32 in the record's key order, with optional string metadata. */
export function writeSafetensors(tensors: StateDict, metadata?: Record<string, string>): Uint8Array {
  if (!isRecord(tensors))
    throw badArgument('tensors', 'tensors must be an object', 'Record<string, { shape, data }>', describe(tensors));
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (!isRecord(metadata))
      throw badArgument('metadata', 'metadata must be an object', 'Record<string, string>', describe(metadata));
    const copy: Record<string, string> = {};
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string')
        throw badArgument(`metadata.${k}`, 'metadata values must be strings', 'a string', describe(v));
      setOwn(copy, k, v);
    }
    header.__metadata__ = copy;
  }
  let dataLength = 0;
  const parts: Float32Array[] = [];
  for (const [name, t] of Object.entries(tensors as Record<string, unknown>)) {
    if (name === '' || name === '__metadata__') {
      throw badArgument(
        'tensors',
        'tensor name is empty or reserved',
        'a non-empty name other than "__metadata__"',
        JSON.stringify(name),
      );
    }
    const { data, shape } = isRecord(t) ? t : { data: undefined, shape: undefined };
    if (!(data instanceof Float32Array))
      throw badArgument(name, 'tensor data must be a Float32Array', 'Float32Array', describe(data));
    if (
      !Array.isArray(shape) ||
      !shape.every(isCount) ||
      shape.reduce((a: number, d: number) => a * d, 1) !== data.length
    ) {
      throw badArgument(
        name,
        'shape must be non-negative integers whose product is the data length',
        `a shape of ${data.length} elements`,
        json(shape),
      );
    }
    setOwn(header, name, {
      dtype: 'F32',
      shape: shape.slice(),
      data_offsets: [dataLength, dataLength + data.byteLength],
    });
    dataLength += data.byteLength;
    parts.push(data);
  }

  // Spaces after the JSON make 8 + N a multiple of 8, so the data buffer starts 8-byte aligned
  // and readers may view it in place.
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const n = headerBytes.length + ((8 - (headerBytes.length % 8)) % 8);
  const out = new Uint8Array(8 + n + dataLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, n, true); // high half stays 0
  out.set(headerBytes, 8);
  out.fill(0x20, 8 + headerBytes.length, 8 + n);
  let off = 8 + n;
  for (const data of parts) {
    if (LITTLE_ENDIAN) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), off);
    else for (let i = 0; i < data.length; i++) view.setFloat32(off + i * 4, data[i]!, true);
    off += data.byteLength;
  }
  return out;
}
