// Protocol-buffers wire format: the reader and writer for the handful of ONNX messages we need.
// Why not a library: protobufjs/minimal alone is 11 kB gzipped before any message code (light:
// 26 kB) and looks up `require` through eval, which CSP-restricted pages forbid; the wire format
// is five cases and ONNX uses three of them, so this file is the whole dependency.
//
// Wire types: 0 varint, 1 fixed64, 2 length-delimited (bytes, strings, messages, packed arrays),
// 5 fixed32. Every length is checked against the bytes that remain before anything is sliced or
// allocated, so a truncated or lying file costs an ONNX_INVALID error, never a huge allocation.
import { LSTMError } from '../index.js';

export const WIRE_VARINT = 0,
  WIRE_FIXED64 = 1,
  WIRE_BYTES = 2,
  WIRE_FIXED32 = 5;

export function invalid(argument: string, message: string, expected: string, actual: string): LSTMError {
  return new LSTMError('ONNX_INVALID', message, { argument, expected, actual });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads one message: the bytes [start, end) of `buf`. `path` names it in errors. */
export class ProtoReader {
  pos: number;
  readonly buf: Uint8Array;
  readonly end: number;
  readonly path: string;
  readonly #view: DataView;

  constructor(buf: Uint8Array, path: string, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.path = path;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  more(): boolean {
    return this.pos < this.end;
  }

  #truncated(what: string, need: number): LSTMError {
    return invalid(
      this.path,
      `${what} runs past the end of its message (truncated file?)`,
      `${need} more bytes`,
      `${this.end - this.pos} bytes left`,
    );
  }

  /** A varint as a JS number: exact up to 2^53; int64 negatives (ten bytes, two's complement)
   *  come back negative. */
  varint(): number {
    let lo = 0,
      hi = 0,
      shift = 0,
      byte = 0x80;
    for (let i = 0; byte & 0x80; i++) {
      if (i === 10) throw invalid(this.path, 'varint longer than 10 bytes', 'at most 10 bytes', 'more');
      if (this.pos >= this.end) throw this.#truncated('a varint', 1);
      byte = this.buf[this.pos++]!;
      if (shift < 28) lo |= (byte & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (byte & 0x0f) << 28;
        hi |= (byte & 0x7f) >> 4;
      } else hi |= (byte & 0x7f) << (shift - 32);
      shift += 7;
    }
    lo >>>= 0;
    if (hi & 0x80000000) return -((~hi >>> 0) * 2 ** 32 + (~lo >>> 0) + 1);
    return (hi >>> 0) * 2 ** 32 + lo;
  }

  /** The next field's number and wire type; the field number is never 0. */
  tag(): [field: number, wire: number] {
    const t = this.varint();
    const field = Math.floor(t / 8),
      wire = t % 8;
    if (field < 1 || t < 0)
      throw invalid(this.path, 'bad field tag', 'a field number ≥ 1', `tag ${t} at byte ${this.pos}`);
    return [field, wire];
  }

  /** A length-delimited field: the byte range it covers (no copy). */
  span(): [start: number, end: number] {
    const n = this.varint();
    if (n < 0 || n > this.end - this.pos) throw this.#truncated('a length-delimited field', n);
    const start = this.pos;
    this.pos += n;
    return [start, this.pos];
  }

  bytes(): Uint8Array {
    const [s, e] = this.span();
    return this.buf.subarray(s, e);
  }

  string(): string {
    try {
      return utf8.decode(this.bytes());
    } catch {
      throw invalid(this.path, 'a string field is not valid UTF-8', 'UTF-8 text', 'invalid bytes');
    }
  }

  /** A nested message as its own reader. */
  message(path: string): ProtoReader {
    const [s, e] = this.span();
    return new ProtoReader(this.buf, path, s, e);
  }

  fixed32Float(): number {
    if (this.end - this.pos < 4) throw this.#truncated('a float', 4);
    const v = this.#view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  fixed64Double(): number {
    if (this.end - this.pos < 8) throw this.#truncated('a double', 8);
    const v = this.#view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Repeated varints, packed (wire 2) or one per field occurrence (wire 0), appended to `out`. */
  varints(wire: number, out: number[]): void {
    if (wire === WIRE_VARINT) out.push(this.varint());
    else if (wire === WIRE_BYTES) {
      const [start, end] = this.span();
      const packed = new ProtoReader(this.buf, this.path, start, end);
      while (packed.more()) out.push(packed.varint());
    } else throw this.#wrongWire(wire, 'varint');
  }

  /** Repeated float32 or float64, packed or not, appended to `out`. */
  floats(wire: number, out: number[], double: boolean): void {
    const one = double ? WIRE_FIXED64 : WIRE_FIXED32,
      size = double ? 8 : 4;
    if (wire === one) out.push(double ? this.fixed64Double() : this.fixed32Float());
    else if (wire === WIRE_BYTES) {
      const [s, e] = this.span();
      if ((e - s) % size !== 0)
        throw invalid(
          this.path,
          'packed floats are not a whole number of values',
          `a multiple of ${size} bytes`,
          `${e - s}`,
        );
      for (let at = s; at < e; at += size)
        out.push(double ? this.#view.getFloat64(at, true) : this.#view.getFloat32(at, true));
    } else throw this.#wrongWire(wire, double ? 'double' : 'float');
  }

  #wrongWire(wire: number, what: string): LSTMError {
    return invalid(
      this.path,
      `field has the wrong wire type for a ${what}`,
      'a matching wire type',
      `wire type ${wire}`,
    );
  }

  /** Skips a field this reader does not use. Groups (wire types 3 and 4) are not in proto3 files. */
  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_BYTES) this.span();
    else if (wire === WIRE_FIXED32 || wire === WIRE_FIXED64) {
      const n = wire === WIRE_FIXED32 ? 4 : 8;
      if (this.end - this.pos < n) throw this.#truncated('a fixed-size field', n);
      this.pos += n;
    } else throw invalid(this.path, 'unknown wire type', 'wire type 0, 1, 2 or 5', `${wire}`);
  }

  expect(wire: number, want: number, field: string): void {
    if (wire !== want)
      throw invalid(`${this.path}.${field}`, 'field has the wrong wire type', `wire type ${want}`, `wire type ${wire}`);
  }
}

/** Builds one message. Nested messages are written into their own writer, then copied in with
 *  their length; ONNX files nest four levels, so the copies are cheap. */
export class ProtoWriter {
  #parts: Uint8Array[] = [];
  #scratch: number[] = [];
  #length = 0;

  #flush(): void {
    if (this.#scratch.length === 0) return;
    this.#parts.push(Uint8Array.from(this.#scratch));
    this.#length += this.#scratch.length;
    this.#scratch = [];
  }

  #raw(v: number): void {
    // Non-negative numbers up to 2^53; negatives as 64-bit two's complement (ten bytes).
    if (v < 0) {
      let x = BigInt.asUintN(64, BigInt(v));
      for (; x >= 0x80n; x >>= 7n) this.#scratch.push(Number(x & 0x7fn) | 0x80);
      this.#scratch.push(Number(x));
      return;
    }
    while (v >= 0x80) {
      this.#scratch.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    this.#scratch.push(v);
  }

  #tag(field: number, wire: number): void {
    this.#raw(field * 8 + wire);
  }

  varint(field: number, v: number): this {
    this.#tag(field, WIRE_VARINT);
    this.#raw(v);
    return this;
  }

  float(field: number, v: number): this {
    this.#tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.#scratch.push(...b);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.#tag(field, WIRE_BYTES);
    this.#raw(data.length);
    this.#flush();
    this.#parts.push(data);
    this.#length += data.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  /** Packed repeated varints (int64 lists). */
  packedVarints(field: number, values: readonly number[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.#raw(v);
    return this.bytes(field, inner.finish());
  }

  /** Packed repeated float32. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const b = new Uint8Array(values.length * 4),
      v = new DataView(b.buffer);
    for (let i = 0; i < values.length; i++) v.setFloat32(i * 4, values[i]!, true);
    return this.bytes(field, b);
  }

  finish(): Uint8Array {
    this.#flush();
    if (this.#parts.length === 1) return this.#parts[0]!;
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
