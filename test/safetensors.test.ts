// safetensors: round trips, hand-written bytes, dtype widening, and every way a file can lie.
import { describe, it, expect, beforeAll } from 'vitest';
import { init, LSTM, LSTMError, readSafetensors, readSafetensorsWithMetadata, writeSafetensors } from '../src/index.js';

/** A safetensors file from a header object and raw data bytes, exactly as given (no fixing up). */
function rawFile(header: unknown, data: Uint8Array, headerLength?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, headerLength ?? json.length, true);
  out.set(json, 8); out.set(data, 8 + json.length);
  return out;
}

const f32bytes = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);
const u16bytes = (...v: number[]) => new Uint8Array(new Uint16Array(v).buffer);

function code(fn: () => unknown): string {
  try { fn(); } catch (e) { expect(e).toBeInstanceOf(LSTMError); return (e as LSTMError).code; }
  return 'no error';
}

describe('safetensors', () => {
  it('round trip with metadata, a scalar and an empty tensor, order kept', () => {
    const tensors = {
      b: { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6.5]) },
      a: { shape: [], data: new Float32Array([-7.25]) },
      empty: { shape: [0, 4], data: new Float32Array(0) },
    };
    const bytes = writeSafetensors(tensors, { format: 'pt', note: 'héllo' });
    expect((8 + new DataView(bytes.buffer).getUint32(0, true)) % 8).toBe(0);   // data 8-byte aligned
    const { tensors: back, metadata } = readSafetensorsWithMetadata(bytes);
    expect(Object.keys(back)).toEqual(['b', 'a', 'empty']);
    expect(back).toEqual(tensors);
    expect(metadata).toEqual({ format: 'pt', note: 'héllo' });
    expect(back.b!.data.buffer).not.toBe(bytes.buffer);                       // a copy, not a view
  });

  it('hand-written F32 file decodes to the known values, from an unaligned start', () => {
    const header = '{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}';   // 55 bytes: data starts at 63
    const file = rawFile(header, f32bytes(0.5, -2, 3.25));
    expect((8 + header.length) % 4).not.toBe(0);
    const t = readSafetensors(file.buffer as ArrayBuffer);
    expect(t.w!.shape).toEqual([3]);
    expect([...t.w!.data]).toEqual([0.5, -2, 3.25]);
  });

  it('F16, BF16 and F64 are widened/narrowed to float32 exactly', () => {
    const f16 = u16bytes(0x3c00, 0xc000, 0x7c00, 0x0001, 0x3555, 0x8000, 0xfc00);
    const bf16 = u16bytes(0x3f80, 0x4049, 0xbf00);
    const f64 = new Uint8Array(new Float64Array([0.1, -1e40]).buffer);
    const data = new Uint8Array(f16.length + bf16.length + f64.length);
    data.set(f16); data.set(bf16, f16.length); data.set(f64, f16.length + bf16.length);
    const file = rawFile({
      h: { dtype: 'F16', shape: [7], data_offsets: [0, 14] },
      b: { dtype: 'BF16', shape: [3], data_offsets: [14, 20] },
      d: { dtype: 'F64', shape: [2], data_offsets: [20, 36] },
    }, data);
    const t = readSafetensors(file);
    expect([...t.h!.data]).toEqual([1, -2, Infinity, 2 ** -24, Math.fround(0.333251953125), -0, -Infinity]);
    expect([...t.b!.data]).toEqual([1, 3.140625, -0.5]);
    expect([...t.d!.data]).toEqual([Math.fround(0.1), -Infinity]);
  });

  it('rejects truncated, corrupt and lying files with typed errors', () => {
    const ok = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
    const data = f32bytes(1, 2);
    expect(code(() => readSafetensors(rawFile(ok, data)))).toBe('no error');
    expect(code(() => readSafetensors(new Uint8Array(5)))).toBe('SAFETENSORS_INVALID');                   // too short
    expect(code(() => readSafetensors(rawFile(ok, data, 10_000)))).toBe('SAFETENSORS_INVALID');           // header past the end
    const huge = rawFile(ok, data); new DataView(huge.buffer).setUint32(4, 1, true);
    expect(code(() => readSafetensors(huge))).toBe('SAFETENSORS_INVALID');                                 // N ≥ 2^32
    expect(code(() => readSafetensors(rawFile('{"w": [', data)))).toBe('SAFETENSORS_INVALID');            // bad JSON
    expect(code(() => readSafetensors(rawFile('[1,2]', data)))).toBe('SAFETENSORS_INVALID');              // not an object
    expect(code(() => readSafetensors(rawFile({ w: { shape: [2], data_offsets: [0, 8] } }, data)))).toBe('SAFETENSORS_INVALID');
    expect(code(() => readSafetensors(rawFile({ w: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, data)))).toBe('UNSUPPORTED_DTYPE');
    expect(code(() => readSafetensors(rawFile({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, data)))).toBe('SAFETENSORS_INVALID');
    expect(code(() => readSafetensors(rawFile(ok, data.subarray(0, 6))))).toBe('SAFETENSORS_INVALID');    // truncated data
    expect(code(() => readSafetensors(rawFile({ w: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, data)))).toBe('SAFETENSORS_INVALID');
    expect(code(() => readSafetensors(rawFile({ w: { dtype: 'F32', shape: [1.5], data_offsets: [0, 8] } }, data)))).toBe('SAFETENSORS_INVALID');
    expect(code(() => readSafetensors(rawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, data)))).toBe('SAFETENSORS_INVALID');
    const two = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } };
    expect(code(() => readSafetensors(rawFile(two, data)))).toBe('SAFETENSORS_INVALID');                  // overlap
    const gap = { a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } };
    expect(code(() => readSafetensors(rawFile(gap, data)))).toBe('SAFETENSORS_INVALID');                  // gap
    expect(code(() => readSafetensors(rawFile(ok, f32bytes(1, 2, 3))))).toBe('SAFETENSORS_INVALID');      // trailing bytes
    expect(code(() => readSafetensors(rawFile({ ...ok, __metadata__: { a: 1 } }, data)))).toBe('SAFETENSORS_INVALID');
    expect(code(() => readSafetensors('nope' as unknown as Uint8Array))).toBe('INVALID_ARGUMENT');
  });

  it('a lying shape is rejected before any allocation', () => {
    const file = rawFile({ w: { dtype: 'F32', shape: [1e9, 1e9], data_offsets: [0, 8] } }, f32bytes(1, 2));
    const t0 = performance.now();
    let err: LSTMError | undefined;
    try { readSafetensors(file); } catch (e) { err = e as LSTMError; }
    expect(err?.code).toBe('SAFETENSORS_INVALID');
    expect(err?.argument).toBe('w');
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('writeSafetensors validates its input', () => {
    expect(code(() => writeSafetensors({ w: { shape: [3], data: new Float32Array(2) } }))).toBe('INVALID_ARGUMENT');
    expect(code(() => writeSafetensors({ w: { shape: [2], data: [1, 2] as unknown as Float32Array } }))).toBe('INVALID_ARGUMENT');
    expect(code(() => writeSafetensors({ __metadata__: { shape: [0], data: new Float32Array(0) } }))).toBe('INVALID_ARGUMENT');
    expect(code(() => writeSafetensors({}, { a: 5 as unknown as string }))).toBe('INVALID_ARGUMENT');
  });
});

describe('PyTorch-layout fixture', () => {
  beforeAll(async () => { await init(); });

  // A model as PyTorch would save it: nn.LSTM(2, 2, batch_first=True), gate rows i, f, g, o.
  // The expected values were computed by hand-written float64 code from the LSTM equations
  // (python3 math, not this library): h after steps 1 and 2, and c after step 2.
  const weights = {
    weight_ih_l0: { shape: [8, 2], data: new Float32Array([0.1, -0.2, 0.3, 0.4, 0.5, -0.6, -0.7, 0.8, 0.9, 1.0, -1.1, 1.2, 0.05, -0.15, 0.25, 0.35]) },
    weight_hh_l0: { shape: [8, 2], data: new Float32Array([0.2, 0.1, -0.3, 0.2, 0.4, -0.1, 0.1, 0.1, -0.5, 0.6, 0.7, -0.2, 0.3, 0.3, -0.4, 0.5]) },
    bias_ih_l0: { shape: [8], data: new Float32Array([0.1, -0.1, 0.2, -0.2, 0.0, 0.05, 0.3, -0.3]) },
    bias_hh_l0: { shape: [8], data: new Float32Array([0.0, 0.1, 0.0, 0.1, -0.05, 0.0, 0.0, 0.1]) },
  };
  const expectedOutput = [-0.055336830, -0.184611906, 0.182897746, 0.205028430];
  const expectedC = [0.393756271, 0.334713537];

  it('loads from safetensors bytes and gives the known output', () => {
    const bytes = writeSafetensors(weights, { format: 'pt' });
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 2 });
    lstm.loadStateDict(readSafetensors(bytes));
    const { output, h, c } = lstm.forward(new Float32Array([1.0, -1.0, 0.5, 2.0]), { batch: 1, steps: 2 });
    output.forEach((v, i) => expect(v).toBeCloseTo(expectedOutput[i]!, 6));
    h.forEach((v, i) => expect(v).toBeCloseTo(expectedOutput[2 + i]!, 6));
    c.forEach((v, i) => expect(v).toBeCloseTo(expectedC[i]!, 6));
    // and the model saved back is the file it came from
    expect(readSafetensors(writeSafetensors(lstm.stateDict()))).toEqual(readSafetensors(bytes));
    lstm.dispose();
  });
});
