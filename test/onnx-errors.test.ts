// Bad ONNX files and bad calls: every one is a typed LSTMError (ONNX_INVALID for a broken file,
// checked before anything is allocated; UNSUPPORTED_OP naming the operator, the node and what is
// supported; INVALID_ARGUMENT / SHAPE_MISMATCH for inputs), never a TypeError, a hang or a crash.
import { readFileSync } from 'node:fs';
import { describe, it, expect, beforeAll } from 'vitest';
import { init, LSTMError, LSTM } from '../src/index.js';
import { OnnxSession, toOnnx } from '../src/onnx/index.js';
import { ProtoWriter } from '../src/onnx/protobuf.js';
import { GraphBuilder, valueInfo, finish } from '../src/onnx/export.js';
import { FLOAT, INT64 } from '../src/onnx/tensor.js';
import { mulberry32 } from './reference/rng.js';

const fixture = readFileSync(new URL('./fixtures/onnx/lstm_classifier_op13_dyn.onnx', import.meta.url));

function caught(f: () => unknown): LSTMError {
  try {
    f();
  } catch (e) {
    if (e instanceof LSTMError) return e;
    throw new Error(`not an LSTMError: ${String(e)}`);
  }
  throw new Error('did not throw');
}

/** A model of one node, with the given extra graph pieces. */
function oneNode(op: string, inputs: string[], attrs: Record<string, never> = {}, opset = 13, domain = ''): Uint8Array {
  const g = new GraphBuilder();
  g.node(op, inputs, attrs, ['y']);
  const bytes = finish(g, opset, [valueInfo('x', FLOAT, ['n', 4])], [valueInfo('y', FLOAT)]);
  if (!domain) return bytes;
  // rewrite: the same graph, its node in another domain
  const g2 = new GraphBuilder();
  g2.nodes.push(new ProtoWriter().string(1, 'x').string(2, 'y').string(3, 'custom').string(4, op).string(7, domain));
  return finish(g2, opset, [valueInfo('x', FLOAT, ['n', 4])], [valueInfo('y', FLOAT)]);
}

describe('malformed and truncated files are ONNX_INVALID', () => {
  beforeAll(async () => {
    await init();
  });

  it('every truncation of a real torch export', () => {
    const codes = new Set<string>();
    for (let n = 0; n < fixture.length; n += n < 64 ? 1 : 37)
      codes.add(caught(() => OnnxSession.fromBytes(fixture.subarray(0, n))).code);
    expect([...codes]).toEqual(['ONNX_INVALID']);
    expect(() => OnnxSession.fromBytes(new Uint8Array(fixture))).not.toThrow();
  });

  it('random bytes, and bit flips of a real file, end in an LSTMError or a working session', () => {
    const rng = mulberry32(5);
    for (let k = 0; k < 200; k++) {
      const junk = Uint8Array.from({ length: 1 + Math.floor(rng() * 300) }, () => Math.floor(rng() * 256));
      caught(() => OnnxSession.fromBytes(junk));
    }
    let loaded = 0;
    for (let k = 0; k < 300; k++) {
      const bytes = new Uint8Array(fixture);
      for (let f = 0; f < 3; f++) bytes[Math.floor(rng() * bytes.length)]! ^= 1 << Math.floor(rng() * 8);
      try {
        const s = OnnxSession.fromBytes(bytes);
        loaded++;
        try {
          s.run({ x: { data: new Float32Array(2 * 5 * 3), shape: [2, 5, 3] } });
        } catch (e) {
          expect(e).toBeInstanceOf(LSTMError);
        }
        s.dispose();
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(LSTMError);
      }
    }
    expect(loaded).toBeGreaterThan(0); // flips inside weights still load: the test ran models too
  });

  it('a tensor whose dims promise more than its data is refused before allocation', () => {
    const g = new GraphBuilder();
    const t = new ProtoWriter()
      .packedVarints(1, [1e9, 1e9])
      .varint(2, FLOAT)
      .string(8, 'w')
      .bytes(9, new Uint8Array(16));
    g.inits.push(t);
    g.node('Add', ['x', 'w'], {}, ['y']);
    const err = caught(() => OnnxSession.fromBytes(finish(g, 13, [valueInfo('x', FLOAT)], [valueInfo('y', FLOAT)])));
    expect(err.code).toBe('ONNX_INVALID');
    expect(err.argument).toBe('w');
    const g2 = new GraphBuilder();
    g2.inits.push(
      new ProtoWriter().packedVarints(1, [3, 2]).varint(2, FLOAT).string(8, 'w').bytes(9, new Uint8Array(20)),
    );
    g2.node('Add', ['x', 'w'], {}, ['y']);
    const short = caught(() => OnnxSession.fromBytes(finish(g2, 13, [valueInfo('x', FLOAT)], [valueInfo('y', FLOAT)])));
    expect(short.code).toBe('ONNX_INVALID');
    expect(short.expected).toMatch(/24 bytes/);
  });

  it('a length prefix that runs past the end, a 11-byte varint, a bad wire type', () => {
    expect(caught(() => OnnxSession.fromBytes(Uint8Array.of(0x3a, 0xff, 0xff, 0x03, 1, 2))).code).toBe('ONNX_INVALID');
    expect(caught(() => OnnxSession.fromBytes(Uint8Array.of(0x08, ...Array(11).fill(0xff)))).message).toMatch(/varint/);
    expect(caught(() => OnnxSession.fromBytes(Uint8Array.of(0x0b))).message).toMatch(/wire type/);
    expect(caught(() => OnnxSession.fromBytes(new Uint8Array(0))).code).toBe('ONNX_INVALID');
  });

  it('graph problems: use before definition, a value produced twice, a missing output', () => {
    const g = new GraphBuilder();
    g.node('Relu', ['later'], {}, ['y']);
    g.node('Relu', ['x'], {}, ['later']);
    expect(
      caught(() => OnnxSession.fromBytes(finish(g, 13, [valueInfo('x', FLOAT)], [valueInfo('y', FLOAT)]))).message,
    ).toMatch(/topological/);
    const twice = new GraphBuilder();
    twice.node('Relu', ['x'], {}, ['y']);
    twice.node('Tanh', ['x'], {}, ['y']);
    expect(
      caught(() => OnnxSession.fromBytes(finish(twice, 13, [valueInfo('x', FLOAT)], [valueInfo('y', FLOAT)]))).code,
    ).toBe('ONNX_INVALID');
    const none = new GraphBuilder();
    none.node('Relu', ['x'], {}, ['y']);
    expect(
      caught(() => OnnxSession.fromBytes(finish(none, 13, [valueInfo('x', FLOAT)], [valueInfo('z', FLOAT)]))).code,
    ).toBe('ONNX_INVALID');
  });
});

describe('unsupported operators and features are UNSUPPORTED_OP', () => {
  beforeAll(async () => {
    await init();
  });

  it('names the op type, the node and the supported list; lists every unsupported node', () => {
    const g = new GraphBuilder();
    g.node('Conv', ['x'], {}, ['a']);
    g.node('Relu', ['a'], {}, ['b']);
    g.node('Erf', ['b'], {}, ['y']);
    const err = caught(() => OnnxSession.fromBytes(finish(g, 13, [valueInfo('x', FLOAT)], [valueInfo('y', FLOAT)])));
    expect(err.code).toBe('UNSUPPORTED_OP');
    expect(err.actual).toBe('Conv');
    expect(err.argument).toBe('Conv node "a"');
    expect(err.message).toMatch(/Conv \(Conv node "a"\), Erf \(Erf node "y"\)/);
    expect(err.expected).toMatch(/LSTM/);
    expect(err.expected).toMatch(/Gemm/);
  });

  it('an operator from another domain, an opset outside 7..21, external data, Cast to float16', () => {
    expect(caught(() => OnnxSession.fromBytes(oneNode('Relu', ['x'], {}, 13, 'com.microsoft'))).actual).toBe(
      'com.microsoft.Relu',
    );
    expect(caught(() => OnnxSession.fromBytes(oneNode('Relu', ['x'], {}, 6))).code).toBe('UNSUPPORTED_OP');
    expect(caught(() => OnnxSession.fromBytes(oneNode('Relu', ['x'], {}, 22))).code).toBe('UNSUPPORTED_OP');
    const g = new GraphBuilder();
    g.inits.push(new ProtoWriter().packedVarints(1, [4]).varint(2, FLOAT).string(8, 'w').varint(14, 1));
    g.node('Add', ['x', 'w'], {}, ['y']);
    const ext = caught(() => OnnxSession.fromBytes(finish(g, 13, [valueInfo('x', FLOAT)], [valueInfo('y', FLOAT)])));
    expect(ext.code).toBe('UNSUPPORTED_OP');
    expect(ext.message).toMatch(/external/);
    expect(caught(() => OnnxSession.fromBytes(oneNode('Cast', ['x'], { to: 10 } as never))).message).toMatch(/float16/);
  });
});

describe('run(): inputs are checked against the model', () => {
  let session: OnnxSession;
  beforeAll(async () => {
    await init();
    session = await OnnxSession.create(fixture);
  });

  it('reports the names, runs, and refuses wrong inputs with typed errors', () => {
    expect(session.inputNames).toEqual(['x']);
    expect(session.outputNames).toEqual(['y']);
    const x = { data: new Float32Array(2 * 4 * 3), shape: [2, 4, 3] };
    expect(session.run({ x }).y!.shape).toEqual([2, 4]);
    expect(caught(() => session.run({})).argument).toBe('x');
    expect(caught(() => session.run({ x, z: x } as never)).argument).toBe('z');
    expect(caught(() => session.run({ x: { data: new Float32Array(5), shape: [2, 4, 3] } })).code).toBe(
      'SHAPE_MISMATCH',
    );
    expect(caught(() => session.run({ x: { data: new Float32Array(8), shape: [2, 4] } })).code).toBe('SHAPE_MISMATCH');
    expect(caught(() => session.run({ x: { data: new Float32Array(16), shape: [2, 4, 2] } })).expected).toMatch(/3\]/);
    expect(caught(() => session.run({ x: { data: 'no', shape: [2] } as never })).code).toBe('INVALID_ARGUMENT');
    expect(caught(() => session.run(null as never)).argument).toBe('feeds');
  });

  it('an embedding id out of range names the Gather node', async () => {
    const fx = readFileSync(new URL('./fixtures/onnx/embedding_lstm_op11_dyn.onnx', import.meta.url));
    const s = await OnnxSession.create(fx);
    const err = caught(() => s.run({ ids: { data: BigInt64Array.of(1n, 99n), shape: [1, 2] } }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.argument).toMatch(/^Gather node/);
    expect(err.actual).toMatch(/99/);
    expect(caught(() => s.run({ ids: { data: Float32Array.of(1.5, 2), shape: [1, 2] } })).code).toBe(
      'INVALID_ARGUMENT',
    );
    s.dispose();
  });

  it('dispose() frees it; run() after it is DISPOSED; dispose twice is fine', async () => {
    const s = await OnnxSession.create(fixture);
    s.dispose();
    s.dispose();
    expect(s.disposed).toBe(true);
    expect(caught(() => s.run({ x: { data: new Float32Array(3), shape: [1, 1, 3] } })).code).toBe('DISPOSED');
  });

  it('create() takes bytes, an ArrayBuffer, a file URL and a path; other things are INVALID_ARGUMENT', async () => {
    const url = new URL('./fixtures/onnx/rnn_tanh_op9.onnx', import.meta.url);
    const bytes = readFileSync(url);
    for (const src of [
      new Uint8Array(bytes),
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
      url,
      url.pathname,
    ]) {
      const s = await OnnxSession.create(src as never);
      expect(s.inputNames).toEqual(['x']);
      s.dispose();
    }
    await expect(OnnxSession.create(42 as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'source',
    });
  });
});

describe('model.toOnnx() needs the onnx entry, which registers its writer on import', () => {
  it('works once wasm-lstm/onnx is imported (this file imports it) and equals toOnnx()', async () => {
    await init();
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, seed: 4 });
    expect(lstm.toOnnx()).toEqual(toOnnx(lstm));
    lstm.dispose();
  });
});

it('int64 shape values reach the host exactly (Shape -> Gather -> Reshape)', async () => {
  await init();
  const g = new GraphBuilder();
  const shape = g.node('Shape', ['x'])[0]!;
  const n = g.node('Gather', [shape, g.init('i', [1], [0], INT64)], { axis: 0 })[0]!;
  const spec = g.node('Concat', [n, g.init('m', [1], [-1], INT64)], { axis: 0 })[0]!;
  g.node('Reshape', ['x', spec], {}, ['y']);
  const s = OnnxSession.fromBytes(finish(g, 13, [valueInfo('x', FLOAT, ['a', 'b', 'c'])], [valueInfo('y', FLOAT)]));
  const out = s.run({ x: { data: Float32Array.from({ length: 24 }, (_, i) => i), shape: [2, 3, 4] } }).y!;
  expect(out.shape).toEqual([2, 12]);
  expect(out.data[23]).toBe(23);
  s.dispose();
});
