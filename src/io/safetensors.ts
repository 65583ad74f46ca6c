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
//
// Every tensor comes back as float32 (exact for I8, F16, BF16; F64 narrowed). I8 tensors (quantized
// weights) are tagged dtype 'int8', so writing them again keeps I8. The writer stores F32 by
// default, F16 on request, and a tensor's own dtype ('int8', 'f16', 'f32') when it has one; data is
// laid out widest dtype first so every tensor starts aligned to its element size.
import { LSTMError, describe } from '../errors.js';
import type { StateDict, Tensor } from '../tensor.js';

// One definition of the boundary types lives in tensor.ts; re-exported for callers of this module.
export type { StateDict, Tensor };

const MAX_HEADER_BYTES = 100 * 1024 * 1024;
const DTYPE_BYTES: Readonly<Record<string, number>> = { F32: 4, F16: 2, BF16: 2, F64: 8, I8: 1 };
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
    case 'I8':
      for (let i = 0; i < n; i++) out[i] = view.getInt8(i);
      break;
  }
  return out;
}

const F32_BITS = new Float32Array(1);
const U32_BITS = new Uint32Array(F32_BITS.buffer);

/** float32 -> IEEE half bits, rounded to nearest even (subnormals, ±0, ±inf; NaN stays NaN). */
export function floatToHalf(value: number): number {
  F32_BITS[0] = value;
  const x = U32_BITS[0]!,
    sign = (x >>> 16) & 0x8000,
    exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 112; // rebias 127 -> 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal: ±0
    mant |= 0x800000;
    const shift = 14 - e,
      rem = mant & ((1 << shift) - 1),
      mid = 1 << (shift - 1);
    let h = mant >>> shift;
    if (rem > mid || (rem === mid && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++; // a carry into the exponent is still right
  return sign | h;
}

/** The largest magnitude that rounds to a finite half (65504 + half an ulp, exclusive). */
const HALF_LIMIT = 65520;

/**
 * Tensors of a safetensors file as float32 (fresh arrays, in header order): F32, F16, BF16 exactly, F64
 * narrowed, I8 as integers tagged `dtype: 'int8'`. Header, offsets and shapes are checked against the file
 * size before anything is allocated. PyTorch's `save_file(model.state_dict(), …)` loads with
 * `lstm.loadStateDict(readSafetensors(bytes))`.
 * @throws {@link LSTMError} `SAFETENSORS_INVALID` for a truncated, corrupt or inconsistent file (naming the
 *   field or tensor); `UNSUPPORTED_DTYPE`; `INVALID_ARGUMENT` for something that is not bytes.
 */
export function readSafetensors(bytes: Uint8Array | ArrayBuffer): StateDict {
  return readSafetensorsWithMetadata(bytes).tensors;
}

/** What {@link readSafetensorsWithMetadata} returns. */
export interface SafetensorsContents {
  /** The tensors, as {@link readSafetensors} returns them. */
  tensors: StateDict;
  /** The header's `__metadata__` (`{}` when absent). */
  metadata: Record<string, string>;
}

/** Tensors and the `__metadata__` string map of a safetensors file.
 *  @throws {@link LSTMError} as {@link readSafetensors}. */
export function readSafetensorsWithMetadata(bytes: Uint8Array | ArrayBuffer): SafetensorsContents {
  const buf = asBytes(bytes);
  const { entries, metadata, dataStart } = parseHeader(buf);
  const tensors: StateDict = {};
  for (const e of entries) {
    const t: Tensor = { shape: e.shape, data: decode(buf, dataStart, e) };
    if (e.dtype === 'I8') t.dtype = 'int8';
    setOwn(tensors, e.name, t);
  }
  return { tensors, metadata };
}

/** Options of {@link writeSafetensors}. */
export interface WriteOptions {
  /** How float tensors without a dtype of their own are stored: 'F32' (default) or 'F16' (half the
   *  bytes; values must lie within ±65504). */
  dtype?: 'F32' | 'F16';
}

const FILE_DTYPE = { f32: 'F32', f16: 'F16', int8: 'I8' } as const;

/**
 * A safetensors file of the tensors (header in the record's key order) and string metadata, for
 * `safetensors.torch.load_file`. A tensor with a `dtype` is stored in it (`'int8'` as I8), others in
 * `options.dtype`; data is laid out widest dtype first, so every tensor is aligned.
 * E.g. `writeSafetensors(lstm.stateDict(), { note: 'v2' }, { dtype: 'F16' })`.
 * @throws {@link LSTMError} `INVALID_ARGUMENT` for a tensor that is not `{ shape, data: Float32Array }`, an
 *   empty or reserved name, a non-string metadata value, an unknown dtype, or a value the dtype cannot hold
 *   (I8: integers in [−128, 127]; F16: within ±65504): never a silent clamp.
 */
export function writeSafetensors(
  tensors: StateDict,
  metadata?: Record<string, string>,
  options: WriteOptions = {},
): Uint8Array {
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
  const fallback = options?.dtype ?? 'F32';
  if (fallback !== 'F32' && fallback !== 'F16')
    throw badArgument('dtype', 'unsupported file dtype', "'F32' | 'F16'", describe(fallback));
  const parts: { name: string; data: Float32Array; dtype: 'F32' | 'F16' | 'I8'; entry: { data_offsets: number[] } }[] =
    [];
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
    const own = (t as Tensor).dtype;
    if (own !== undefined && !Object.hasOwn(FILE_DTYPE, own))
      throw badArgument(`${name}.dtype`, 'unknown tensor dtype', "'f32' | 'f16' | 'int8'", describe(own));
    const dtype = own === undefined ? fallback : FILE_DTYPE[own];
    checkRange(name, data, dtype);
    const entry = { dtype, shape: shape.slice(), data_offsets: [0, 0] };
    setOwn(header, name, entry);
    parts.push({ name, data, dtype, entry });
  }
  // Widest elements first (a stable sort), so each tensor starts aligned to its element size.
  const order = parts
    .map((p, i) => ({ p, i }))
    .sort((a, b) => DTYPE_BYTES[b.p.dtype]! - DTYPE_BYTES[a.p.dtype]! || a.i - b.i);
  let dataLength = 0;
  for (const { p } of order) {
    const bytes = p.data.length * DTYPE_BYTES[p.dtype]!;
    p.entry.data_offsets = [dataLength, dataLength + bytes];
    dataLength += bytes;
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
  for (const { p } of order) {
    const data = p.data,
      off = 8 + n + p.entry.data_offsets[0]!;
    if (p.dtype === 'I8') for (let i = 0; i < data.length; i++) view.setInt8(off + i, data[i]!);
    else if (p.dtype === 'F16')
      for (let i = 0; i < data.length; i++) view.setUint16(off + i * 2, floatToHalf(data[i]!), true);
    else if (LITTLE_ENDIAN) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), off);
    else for (let i = 0; i < data.length; i++) view.setFloat32(off + i * 4, data[i]!, true);
  }
  return out;
}

/** Values a narrow dtype cannot hold are an error, not a silent clamp: I8 takes integers in
 *  [−128, 127]; F16 finite values within ±65504 (±inf and NaN pass through as themselves). */
function checkRange(name: string, data: Float32Array, dtype: string): void {
  if (dtype === 'I8') {
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (!(Number.isInteger(v) && v >= -128 && v <= 127))
        throw badArgument(
          name,
          'an I8 tensor must hold integers in [−128, 127]',
          'integers in [−128, 127]',
          `${v} at index ${i}`,
        );
    }
  } else if (dtype === 'F16') {
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (Number.isFinite(v) && Math.abs(v) >= HALF_LIMIT)
        throw badArgument(name, 'value out of F16 range', 'finite values within ±65504', `${v} at index ${i}`);
    }
  }
}
