// safetensors: round trips, hand-written bytes, dtype widening, and every way a file can lie.
import { describe, it, expect, beforeAll } from 'vitest';
import { LSTMError } from '../src/errors.js';
import { readSafetensors, readSafetensorsWithMetadata, writeSafetensors } from '../src/io/safetensors.js';

const enc = new TextEncoder();

/** A file from a header (object or literal JSON text) and raw data bytes, exactly as given. */
function rawFile(header: unknown, data: Uint8Array, headerLength?: number): Uint8Array {
  const json = enc.encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, headerLength ?? json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Little-endian bytes, written through DataView so the test does not depend on host order. */
function leBytes(kind: 'f32' | 'f64' | 'u16', ...values: number[]): Uint8Array {
  const size = kind === 'f64' ? 8 : kind === 'f32' ? 4 : 2;
  const out = new Uint8Array(values.length * size),
    v = new DataView(out.buffer);
  for (const [i, x] of values.entries()) {
    if (kind === 'f64') v.setFloat64(i * 8, x, true);
    else if (kind === 'f32') v.setFloat32(i * 4, x, true);
    else v.setUint16(i * 2, x, true);
  }
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** fn must throw an LSTMError with this code (and argument, if given). */
function expectError(fn: () => unknown, code: string, argument?: string): LSTMError {
  expect(fn).toThrow(LSTMError);
  try {
    fn();
  } catch (e) {
    const err = e as LSTMError;
    expect(err.code).toBe(code);
    if (argument !== undefined) expect(err.argument).toBe(argument);
    return err;
  }
  throw new Error('unreachable');
}

describe('readSafetensors / writeSafetensors', () => {
  it('round trips several tensors, a scalar, an empty tensor and metadata, in order', () => {
    const tensors = {
      'layer.b': { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6.5]) },
      a: { shape: [], data: new Float32Array([-7.25]) },
      empty: { shape: [0], data: new Float32Array(0) },
      tail: { shape: [2, 0, 4], data: new Float32Array(0) },
      odd: { shape: [3], data: new Float32Array([NaN, -Infinity, 1e-45]) },
    };
    const metadata = { format: 'pt', note: 'héllo ✓' };
    const bytes = writeSafetensors(tensors, metadata);
    expect(bytes).toBeInstanceOf(Uint8Array);
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(4, true)).toBe(0);
    expect((8 + view.getUint32(0, true)) % 8).toBe(0);

    const back = readSafetensorsWithMetadata(bytes);
    expect(Object.keys(back.tensors)).toEqual(['layer.b', 'a', 'empty', 'tail', 'odd']);
    expect(back.tensors).toEqual(tensors);
    expect(back.metadata).toEqual(metadata);
    expect(readSafetensors(bytes)).toEqual(tensors);
    expect('__metadata__' in readSafetensors(bytes)).toBe(false);
  });

  it('writes a spec-conforming layout: F32, contiguous offsets, space padding', () => {
    const bytes = writeSafetensors({
      x: { shape: [1], data: new Float32Array([2]) },
      y: { shape: [2], data: new Float32Array([3, 4]) },
    });
    const n = new DataView(bytes.buffer).getUint32(0, true);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text).toMatch(/^\{.*\} *$/);
    expect(JSON.parse(text)).toEqual({
      x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
      y: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    });
    expect([...bytes.subarray(8 + n)]).toEqual([...leBytes('f32', 2, 3, 4)]);
    expect(writeSafetensors({}).length).toBe(16); // "{}" padded to 8 bytes
    expect(readSafetensors(writeSafetensors({}))).toEqual({});
  });

  it('decodes a hand-written F32 file of known bytes', () => {
    // 0x3F000000 = 0.5, 0xC0000000 = -2, 0x40500000 = 3.25, little-endian.
    const data = new Uint8Array([0, 0, 0, 0x3f, 0, 0, 0, 0xc0, 0, 0, 0x50, 0x40]);
    const header = '{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"__metadata__":{"k":"v"}}  ';
    const { tensors, metadata } = readSafetensorsWithMetadata(rawFile(header, data).buffer as ArrayBuffer);
    expect(tensors.w!.shape).toEqual([3]);
    expect([...tensors.w!.data]).toEqual([0.5, -2, 3.25]);
    expect(metadata).toEqual({ k: 'v' });
  });

  it('accepts an empty tensor list with an empty buffer', () => {
    expect(readSafetensorsWithMetadata(rawFile('{}', new Uint8Array(0)))).toEqual({ tensors: {}, metadata: {} });
    expect(readSafetensors(rawFile({ __metadata__: { a: 'b' } }, new Uint8Array(0)))).toEqual({});
  });

  it('handles a data start that is not 4-byte aligned, and input that is a subarray', () => {
    const header = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F64', shape: [1], data_offsets: [8, 16] },
    };
    const file = rawFile(`${JSON.stringify(header)} `, concat(leBytes('f32', 1.5, -0.25), leBytes('f64', 6)));
    expect((file.length - 16) % 4).not.toBe(0);
    // Also offset the whole file by 3 bytes inside a larger buffer.
    const host = new Uint8Array(file.length + 5);
    host.set(file, 3);
    const t = readSafetensors(host.subarray(3, 3 + file.length));
    expect([...t.a!.data]).toEqual([1.5, -0.25]);
    expect([...t.b!.data]).toEqual([6]);
  });

  it('returns fresh Float32Arrays, not views of the input', () => {
    const bytes = writeSafetensors({ w: { shape: [2], data: new Float32Array([1, 2]) } });
    const t = readSafetensors(bytes);
    expect(t.w!.data.buffer).not.toBe(bytes.buffer);
    bytes.fill(0, bytes.length - 8);
    expect([...t.w!.data]).toEqual([1, 2]);
  });

  it('widens F16 exactly: normals, subnormals, ±0, ±inf, NaN', () => {
    const codes = [0x3c00, 0xc000, 0x7c00, 0xfc00, 0x0001, 0x03ff, 0x0400, 0x7bff, 0x8000, 0x3555, 0x7e00];
    const t = readSafetensors(
      rawFile(
        { h: { dtype: 'F16', shape: [codes.length], data_offsets: [0, codes.length * 2] } },
        leBytes('u16', ...codes),
      ),
    );
    expect([...t.h!.data]).toEqual([
      1,
      -2,
      Infinity,
      -Infinity,
      2 ** -24,
      1023 * 2 ** -24,
      2 ** -14,
      65504,
      -0,
      0.333251953125,
      NaN,
    ]);
    expect(Object.is(t.h!.data[8], -0)).toBe(true);
  });

  it('F16: every positive finite code decodes strictly increasing, then inf, then NaNs', () => {
    const codes = Array.from({ length: 0x8000 }, (_, i) => i);
    const t = readSafetensors(
      rawFile({ h: { dtype: 'F16', shape: [0x8000], data_offsets: [0, 0x10000] } }, leBytes('u16', ...codes)),
    );
    const d = t.h!.data;
    for (let i = 1; i < 0x7c00; i++) if (!(d[i]! > d[i - 1]!)) throw new Error(`not increasing at 0x${i.toString(16)}`);
    expect(d[0x7c00]).toBe(Infinity);
    for (let i = 0x7c01; i < 0x8000; i++) expect(Number.isNaN(d[i])).toBe(true);
  });

  it('widens BF16 exactly', () => {
    const codes = [0x3f80, 0x4049, 0xbf00, 0x7f80, 0xff80, 0x0001, 0x8000, 0x7fc0];
    const t = readSafetensors(
      rawFile({ b: { dtype: 'BF16', shape: [2, 4], data_offsets: [0, 16] } }, leBytes('u16', ...codes)),
    );
    expect(t.b!.shape).toEqual([2, 4]);
    expect([...t.b!.data]).toEqual([1, 3.140625, -0.5, Infinity, -Infinity, 2 ** -133, -0, NaN]);
  });

  it('narrows F64 to the nearest float32', () => {
    const t = readSafetensors(
      rawFile({ d: { dtype: 'F64', shape: [4], data_offsets: [0, 32] } }, leBytes('f64', 0.1, -1e40, 1e-50, 2 ** 100)),
    );
    expect([...t.d!.data]).toEqual([Math.fround(0.1), -Infinity, 0, 2 ** 100]);
  });

  it('keeps tensors in header order even when offsets are in another order', () => {
    const header = {
      z: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
      a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
    };
    const t = readSafetensors(rawFile(header, leBytes('f32', 10, 20)));
    expect(Object.keys(t)).toEqual(['z', 'a']);
    expect(t.z!.data[0]).toBe(20);
    expect(t.a!.data[0]).toBe(10);
  });

  it('reads a tensor named __proto__ as an ordinary key', () => {
    const t = readSafetensors(
      rawFile('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', leBytes('f32', 3)),
    );
    expect(Object.keys(t)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(t)).toBe(Object.prototype);
  });
});

describe('readSafetensors rejects truncated, corrupt and lying files', () => {
  const ok = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const data = leBytes('f32', 1, 2);
  const entry = (w: Record<string, unknown>) => ({ w });

  it('reads the valid baseline', () => {
    expect([...readSafetensors(rawFile(ok, data)).w!.data]).toEqual([1, 2]);
  });

  const withHigh = () => {
    const f = rawFile(ok, data);
    new DataView(f.buffer).setUint32(4, 1, true);
    return f;
  };
  const cases: [string, () => Uint8Array, string, string?][] = [
    ['too short', () => new Uint8Array(5), 'SAFETENSORS_INVALID', 'bytes'],
    ['header length beyond the file', () => rawFile(ok, data, 10_000), 'SAFETENSORS_INVALID', 'header'],
    ['header length with the high u32 set', withHigh, 'SAFETENSORS_INVALID', 'header'],
    [
      'header length all ones',
      () => {
        const f = rawFile(ok, data);
        f.fill(0xff, 0, 8);
        return f;
      },
      'SAFETENSORS_INVALID',
      'header',
    ],
    ['invalid JSON', () => rawFile('{"w": [', data), 'SAFETENSORS_INVALID', 'header'],
    [
      'invalid UTF-8',
      () => {
        const f = rawFile('{"\u00e9":1}', data);
        f[10] = 0xff;
        return f;
      },
      'SAFETENSORS_INVALID',
      'header',
    ],
    ['header an array', () => rawFile('[1,2]', data), 'SAFETENSORS_INVALID', 'header'],
    ['header null', () => rawFile('null', new Uint8Array(0)), 'SAFETENSORS_INVALID', 'header'],
    ['entry not an object', () => rawFile({ w: 3 }, data), 'SAFETENSORS_INVALID', 'w'],
    ['missing dtype', () => rawFile(entry({ shape: [2], data_offsets: [0, 8] }), data), 'SAFETENSORS_INVALID', 'w'],
    [
      'unsupported dtype I64',
      () => rawFile(entry({ dtype: 'I64', shape: [1], data_offsets: [0, 8] }), data),
      'UNSUPPORTED_DTYPE',
      'w',
    ],
    ['missing shape', () => rawFile(entry({ dtype: 'F32', data_offsets: [0, 8] }), data), 'SAFETENSORS_INVALID', 'w'],
    [
      'negative shape',
      () => rawFile(entry({ dtype: 'F32', shape: [-2], data_offsets: [0, 8] }), data),
      'SAFETENSORS_INVALID',
      'w',
    ],
    [
      'non-integer shape',
      () => rawFile(entry({ dtype: 'F32', shape: [1.5], data_offsets: [0, 8] }), data),
      'SAFETENSORS_INVALID',
      'w',
    ],
    [
      'string in shape',
      () => rawFile(entry({ dtype: 'F32', shape: ['2'], data_offsets: [0, 8] }), data),
      'SAFETENSORS_INVALID',
      'w',
    ],
    [
      'shape disagrees with offsets',
      () => rawFile(entry({ dtype: 'F32', shape: [3], data_offsets: [0, 8] }), data),
      'SAFETENSORS_INVALID',
      'w',
    ],
    ['missing data_offsets', () => rawFile(entry({ dtype: 'F32', shape: [2] }), data), 'SAFETENSORS_INVALID', 'w'],
    [
      'begin after end',
      () => rawFile(entry({ dtype: 'F32', shape: [2], data_offsets: [8, 0] }), data),
      'SAFETENSORS_INVALID',
      'w',
    ],
    [
      'negative offset',
      () => rawFile(entry({ dtype: 'F32', shape: [2], data_offsets: [-8, 0] }), data),
      'SAFETENSORS_INVALID',
      'w',
    ],
    [
      'three offsets',
      () => rawFile(entry({ dtype: 'F32', shape: [2], data_offsets: [0, 8, 8] }), data),
      'SAFETENSORS_INVALID',
      'w',
    ],
    ['offsets beyond the file (truncated)', () => rawFile(ok, data.subarray(0, 6)), 'SAFETENSORS_INVALID', 'w'],
    [
      'overlapping offsets',
      () =>
        rawFile(
          {
            a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
          },
          data,
        ),
      'SAFETENSORS_INVALID',
      'b',
    ],
    [
      'gap before a tensor',
      () => rawFile(entry({ dtype: 'F32', shape: [1], data_offsets: [4, 8] }), data),
      'SAFETENSORS_INVALID',
      'w',
    ],
    ['trailing bytes', () => rawFile(ok, leBytes('f32', 1, 2, 3)), 'SAFETENSORS_INVALID', 'bytes'],
    ['data with no tensors', () => rawFile('{}', data), 'SAFETENSORS_INVALID', 'bytes'],
    [
      'metadata not an object',
      () => rawFile({ ...ok, __metadata__: 'x' }, data),
      'SAFETENSORS_INVALID',
      '__metadata__',
    ],
    [
      'metadata value not a string',
      () => rawFile({ ...ok, __metadata__: { a: 1 } }, data),
      'SAFETENSORS_INVALID',
      '__metadata__',
    ],
  ];
  it.each(cases)('%s', (_name, file, code, argument) => {
    const bytes = file();
    expectError(() => readSafetensors(bytes), code, argument);
  });

  it('names the tensor and the dtype for an unsupported dtype', () => {
    const err = expectError(
      () => readSafetensors(rawFile({ 'enc.w': { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, data)),
      'UNSUPPORTED_DTYPE',
      'enc.w',
    );
    expect(err.actual).toBe('I64');
    expect(err.message).toContain('enc.w');
    expect(err.message).toContain('I64');
  });

  it('rejects a huge lying shape before allocating anything', () => {
    // Allocating would throw a RangeError, not an LSTMError; so would a product that overflowed.
    for (const shape of [[1e9, 1e9], [2 ** 53, 2 ** 53, 2 ** 53], [4e15]]) {
      const t0 = performance.now();
      expectError(
        () => readSafetensors(rawFile(entry({ dtype: 'F32', shape, data_offsets: [0, 8] }), data)),
        'SAFETENSORS_INVALID',
        'w',
      );
      expect(performance.now() - t0).toBeLessThan(100);
    }
    // A lie in the offsets instead of the shape is caught by the file size.
    expectError(
      () => readSafetensors(rawFile(entry({ dtype: 'F32', shape: [1e15], data_offsets: [0, 4e15] }), data)),
      'SAFETENSORS_INVALID',
      'w',
    );
  });

  it('rejects input that is not bytes', () => {
    expectError(() => readSafetensors('nope' as unknown as Uint8Array), 'INVALID_ARGUMENT', 'bytes');
  });
});

describe('writeSafetensors validates its arguments', () => {
  const f = (...v: number[]) => new Float32Array(v);
  const cases: [string, () => unknown, string][] = [
    ['tensors not an object', () => writeSafetensors(null as unknown as Record<string, never>), 'tensors'],
    ['shape product differs from length', () => writeSafetensors({ w: { shape: [3], data: f(1, 2) } }), 'w'],
    ['negative shape', () => writeSafetensors({ w: { shape: [-1, -2], data: f(1, 2) } }), 'w'],
    ['non-integer shape', () => writeSafetensors({ w: { shape: [0.5, 4], data: f(1, 2) } }), 'w'],
    ['shape missing', () => writeSafetensors({ w: { data: f(1) } as never }), 'w'],
    ['data a plain array', () => writeSafetensors({ w: { shape: [2], data: [1, 2] as unknown as Float32Array } }), 'w'],
    [
      'data a Float64Array',
      () => writeSafetensors({ w: { shape: [2], data: new Float64Array(2) as unknown as Float32Array } }),
      'w',
    ],
    ['tensor not an object', () => writeSafetensors({ w: 5 as never }), 'w'],
    ['empty name', () => writeSafetensors({ '': { shape: [0], data: f() } }), 'tensors'],
    ['name __metadata__', () => writeSafetensors({ __metadata__: { shape: [0], data: f() } }), 'tensors'],
    ['metadata value not a string', () => writeSafetensors({}, { a: 5 as unknown as string }), 'metadata.a'],
    ['metadata not an object', () => writeSafetensors({}, 'x' as unknown as Record<string, string>), 'metadata'],
  ];
  it.each(cases)('%s', (_name, fn, argument) => {
    expectError(fn, 'INVALID_ARGUMENT', argument);
  });
});

describe('PyTorch-layout fixture', () => {
  // Imported lazily so the format tests above run even when the layer or runtime is mid-change.
  let lib: typeof import('../src/index.js');
  beforeAll(async () => {
    lib = await import('../src/index.js');
    await lib.init();
  });

  // A model as PyTorch would save it: nn.LSTM(2, 2, batch_first=True), gate rows i, f, g, o.
  // The expected values were computed by hand-written float64 code from the LSTM equations
  // (python3 math, not this library): h after steps 1 and 2, and c after step 2.
  const weights = {
    weight_ih_l0: {
      shape: [8, 2],
      data: new Float32Array([0.1, -0.2, 0.3, 0.4, 0.5, -0.6, -0.7, 0.8, 0.9, 1.0, -1.1, 1.2, 0.05, -0.15, 0.25, 0.35]),
    },
    weight_hh_l0: {
      shape: [8, 2],
      data: new Float32Array([0.2, 0.1, -0.3, 0.2, 0.4, -0.1, 0.1, 0.1, -0.5, 0.6, 0.7, -0.2, 0.3, 0.3, -0.4, 0.5]),
    },
    bias_ih_l0: { shape: [8], data: new Float32Array([0.1, -0.1, 0.2, -0.2, 0.0, 0.05, 0.3, -0.3]) },
    bias_hh_l0: { shape: [8], data: new Float32Array([0.0, 0.1, 0.0, 0.1, -0.05, 0.0, 0.0, 0.1]) },
  };
  const expectedOutput = [-0.05533683, -0.184611906, 0.182897746, 0.20502843];
  const expectedC = [0.393756271, 0.334713537];

  it('loads from safetensors bytes and gives the known output', () => {
    const bytes = writeSafetensors(weights, { format: 'pt' });
    const lstm = new lib.LSTM({ inputSize: 2, hiddenSize: 2 });
    lstm.loadStateDict(readSafetensors(bytes));
    const { output, h, c } = lstm.forward(new Float32Array([1.0, -1.0, 0.5, 2.0]), { batch: 1, steps: 2 });
    for (const [i, v] of output.entries()) expect(v).toBeCloseTo(expectedOutput[i]!, 6);
    for (const [i, v] of h.entries()) expect(v).toBeCloseTo(expectedOutput[2 + i]!, 6);
    for (const [i, v] of c.entries()) expect(v).toBeCloseTo(expectedC[i]!, 6);
    // and the model saved back is the file it came from
    expect(readSafetensors(writeSafetensors(lstm.stateDict()))).toEqual(readSafetensors(bytes));
    lstm.dispose();
  });
});
