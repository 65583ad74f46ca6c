// Files of quantized and half-precision models: safetensors I8 and F16 writing (every half code
// round trips, ties round to even, out-of-range values are errors, data laid out widest dtype
// first), I8 reading, and model files: an int8 model saves I8 weights + F32 scales and loads back
// bit for bit; save({ dtype: 'f16' }) halves an f32 model and keeps the optimizer state in F32.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Adam,
  Dense,
  Embedding,
  GRU,
  init,
  LSTM,
  readSafetensors,
  readSafetensorsWithMetadata,
  Sequential,
  type Tensor,
  tasks,
  writeSafetensors,
} from '../src/index.js';
import { maxAbsDiff } from './reference/lstm64.js';

/** The header of a safetensors file. */
function header(bytes: Uint8Array): Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
}

describe('safetensors I8 and F16', () => {
  it('F16: every half code survives read -> write, and ties round to even', () => {
    const raw = new Uint8Array(0x20000);
    for (let i = 0; i < 0x10000; i++) new DataView(raw.buffer).setUint16(i * 2, i, true);
    const json = new TextEncoder().encode(
      JSON.stringify({ h: { dtype: 'F16', shape: [0x10000], data_offsets: [0, 0x20000] } }),
    );
    const file = new Uint8Array(8 + json.length + raw.length);
    new DataView(file.buffer).setUint32(0, json.length, true);
    file.set(json, 8);
    file.set(raw, 8 + json.length);
    const values = readSafetensors(file).h!.data;
    const back = writeSafetensors({ h: { shape: [0x10000], data: values } }, undefined, { dtype: 'F16' });
    const n = new DataView(back.buffer).getUint32(0, true),
      out = new DataView(back.buffer, 8 + n);
    for (let i = 0; i < 0x10000; i++) {
      const nan = (i & 0x7c00) === 0x7c00 && (i & 0x3ff) !== 0;
      if (nan) expect(Number.isNaN(values[i]!)).toBe(true);
      else expect(out.getUint16(i * 2, true), `code ${i}`).toBe(i);
    }
    // between two halves: nearest, ties to the even code
    const cases: [number, number][] = [
      [1 + 2 ** -11, 0x3c00], // tie: 1 (even) rather than 1 + 2^-10
      [1 + 3 * 2 ** -11, 0x3c02], // tie: up to the even code
      [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above the tie
      [2 ** -25, 0x0000], // half the smallest subnormal: ties to 0
      [3 * 2 ** -25, 0x0002], // 1.5 subnormal units: to 2
      [-65519, 0xfbff], // rounds down to -65504
      [2 ** -14 - 2 ** -25, 0x0400], // the largest subnormal plus half a unit: to the smallest normal
    ];
    const t = writeSafetensors(
      { c: { shape: [cases.length], data: Float32Array.from(cases, ([v]) => v) } },
      undefined,
      { dtype: 'F16' },
    );
    const m = new DataView(t.buffer).getUint32(0, true),
      d = new DataView(t.buffer, 8 + m);
    for (const [i, [v, code]] of cases.entries()) expect(d.getUint16(i * 2, true), `${v}`).toBe(code);
  });

  it('refuses values a narrow dtype cannot hold, naming the tensor', () => {
    const f16 = { w: { shape: [2], data: new Float32Array([1, 65520]) } };
    expect(() => writeSafetensors(f16, undefined, { dtype: 'F16' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'w' }),
    );
    for (const v of [128, -129, 0.5, Number.NaN]) {
      const i8 = { q: { shape: [1], data: new Float32Array([v]), dtype: 'int8' as const } };
      expect(() => writeSafetensors(i8)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'q' }));
    }
    expect(() => writeSafetensors({}, undefined, { dtype: 'F64' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'dtype' }),
    );
    expect(() => writeSafetensors({ w: { shape: [1], data: new Float32Array(1), dtype: 'bf16' as never } })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'w.dtype' }),
    );
  });

  it('I8 round trips tagged int8; data is laid out widest first, the header keeps its order', () => {
    const tensors = {
      q: { shape: [3], data: new Float32Array([-128, 0, 127]), dtype: 'int8' as const },
      w: { shape: [2], data: new Float32Array([1.5, -2]) },
      h: { shape: [3], data: new Float32Array([0.5, 2, -4]), dtype: 'f16' as const },
      q2: { shape: [1, 1], data: new Float32Array([-7]), dtype: 'int8' as const },
    };
    const bytes = writeSafetensors(tensors);
    const hd = header(bytes);
    expect(Object.keys(hd)).toEqual(['q', 'w', 'h', 'q2']);
    expect(hd.w).toEqual({ dtype: 'F32', shape: [2], data_offsets: [0, 8] });
    expect(hd.h).toEqual({ dtype: 'F16', shape: [3], data_offsets: [8, 14] });
    expect(hd.q).toEqual({ dtype: 'I8', shape: [3], data_offsets: [14, 17] });
    expect(hd.q2).toEqual({ dtype: 'I8', shape: [1, 1], data_offsets: [17, 18] });
    const back = readSafetensors(bytes);
    expect(back.q).toEqual(tensors.q);
    expect(back.q2).toEqual(tensors.q2);
    expect(back.w).toEqual(tensors.w); // no dtype tag on floats
    expect(back.h).toEqual({ shape: [3], data: tensors.h.data });
    const again = header(writeSafetensors(back)); // written again: I8 stays I8, the widened F16 is F32 now
    expect([again.q!.dtype, again.q2!.dtype, again.h!.dtype]).toEqual(['I8', 'I8', 'F32']);
    // a lying I8 entry is caught before anything is allocated
    const bad = header(bytes);
    bad.q!.shape = [4];
    const json = new TextEncoder().encode(JSON.stringify(bad));
    const n = new DataView(bytes.buffer).getUint32(0, true);
    const file = new Uint8Array(8 + json.length + bytes.length - 8 - n);
    new DataView(file.buffer).setUint32(0, json.length, true);
    file.set(json, 8);
    file.set(bytes.subarray(8 + n), 8 + json.length);
    expect(() => readSafetensors(file)).toThrow(
      expect.objectContaining({ code: 'SAFETENSORS_INVALID', argument: 'q' }),
    );
  });
});

describe('model files', () => {
  beforeAll(async () => {
    await init();
  });

  function model() {
    const m = new Sequential([
      new Embedding({ numEmbeddings: 11, embeddingDim: 6, seed: 1 }),
      new LSTM({ inputSize: 6, hiddenSize: 40, returnSequences: true, seed: 2 }),
      new GRU({ inputSize: 40, hiddenSize: 24, bidirectional: true, resetAfter: false, seed: 3 }),
      new Dense({ inputSize: 48, outputSize: 11, activation: 'softmax', seed: 4 }),
    ]);
    m.compile({
      loss: 'sparseCategoricalCrossentropy',
      optimizer: new Adam({ learningRate: 1e-2 }),
      metrics: ['accuracy'],
    });
    return m;
  }
  const x = { data: Float32Array.from({ length: 4 * 9 }, (_, i) => (i * 7) % 11), shape: [4, 9] };
  const y = { data: Float32Array.from({ length: 4 }, (_, i) => (i * 3) % 11), shape: [4] };

  it('an int8 model saves I8 weights + F32 scales and loads back bit for bit, still inference-only', async () => {
    const f32 = model();
    await f32.fit(x, y, { epochs: 2, batchSize: 2 });
    const q = f32.quantize({ weights: 'int8' });
    const bytes = q.save();
    const hd = header(bytes);
    expect(hd['layers.0.weight']!.dtype).toBe('F32'); // Embedding stays f32
    for (const name of [
      'layers.1.weight_ih_l0',
      'layers.1.weight_hh_l0',
      'layers.2.weight_hh_l0_reverse',
      'layers.3.weight',
    ])
      expect(hd[name]!.dtype, name).toBe('I8');
    for (const name of ['layers.1.weight_ih_l0_scale', 'layers.1.bias_hh_l0', 'layers.3.weight_scale', 'layers.3.bias'])
      expect(hd[name]!.dtype, name).toBe('F32');
    expect(Object.keys(hd).some((k) => k.startsWith('optimizer.'))).toBe(false);
    const { metadata } = readSafetensorsWithMetadata(bytes);
    expect(JSON.parse(metadata.architecture!)[1].config.weights).toBe('int8');
    const again = await Sequential.load(bytes);
    expect(again.predict(x).data).toEqual(q.predict(x).data);
    expect(again.evaluate(x, y)).toEqual(q.evaluate(x, y)); // the loss and metric came along
    expect(again.save()).toEqual(bytes);
    await expect(again.fit(x, y)).rejects.toMatchObject({ code: 'NOT_TRAINABLE' });
    const f32Bytes = f32.save().length;
    expect(bytes.length).toBeLessThan(f32Bytes / 2);
    // save({ dtype: 'f16' }) halves the biases but not the scales: an f16 scale (11 bits) would move
    // every output of its row by up to 2^-12 relative, so the scales come back bit for bit
    const half = q.save({ dtype: 'f16' }),
      hh = header(half);
    for (const name of ['layers.1.weight_ih_l0_scale', 'layers.2.weight_hh_l0_reverse_scale', 'layers.3.weight_scale'])
      expect(hh[name]!.dtype, name).toBe('F32');
    expect(hh['layers.1.bias_hh_l0']!.dtype).toBe('F16');
    const halfBack = await Sequential.load(half);
    const scales = (m: Sequential) => m.stateDict()['layers.1.weight_hh_l0_scale']!.data;
    expect(scales(halfBack)).toEqual(scales(q));
    for (const m of [f32, q, again, halfBack]) m.dispose();
  });

  it("save({ dtype: 'f16' }) halves the weights, keeps the optimizer state f32, and reloads close", async () => {
    const m = model();
    await m.fit(x, y, { epochs: 2, batchSize: 2 });
    const full = m.save(),
      half = m.save({ dtype: 'f16' });
    const hd = header(half);
    expect(hd['layers.1.weight_ih_l0']!.dtype).toBe('F16');
    expect(hd['optimizer.1.0']!.dtype).toBe('F32');
    const weightBytes = (h: ReturnType<typeof header>) =>
      Object.entries(h)
        .filter(([k]) => k.startsWith('layers.'))
        .reduce((s, [, e]) => s + e.data_offsets[1] - e.data_offsets[0], 0);
    expect(weightBytes(hd)).toBe(weightBytes(header(full)) / 2);
    const back = await Sequential.load(half);
    expect(maxAbsDiff(back.predict(x).data, m.predict(x).data)).toBeLessThan(2e-3);
    await back.fit(x, y, { epochs: 1, batchSize: 2 }); // it still trains (optimizer restored)
    expect(() => m.save({ dtype: 'int8' as never })).toThrow(expect.objectContaining({ argument: 'dtype' }));
    for (const l of [m, back]) l.dispose();
  });

  it('generate() and streaming run on an int8 character model', async () => {
    const text = 'abcabcabd '.repeat(30);
    const data = tasks.charData(text, 12, 4);
    const V = data.vocab.length;
    const m = new Sequential([
      new Embedding({ numEmbeddings: V, embeddingDim: 4, seed: 1 }),
      new LSTM({ inputSize: 4, hiddenSize: 16, returnSequences: true, seed: 2 }),
      new Dense({ inputSize: 16, outputSize: V, activation: 'softmax', seed: 3 }),
    ]);
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: new Adam({ learningRate: 2e-2 }) });
    await m.fit(data.x, data.y, { epochs: 8, batchSize: 8 });
    const q = m.quantize({ weights: 'int8' });
    const out = q.generate({ prompt: data.encode('abcab'), steps: 12, temperature: 0.5, seed: 3 });
    expect(out).toHaveLength(12);
    expect(out.every((t) => t >= 0 && t < V)).toBe(true);
    // the last step of a streamed prompt = the sequence forward's last step
    const seq = q.predict({ data: Float32Array.from(data.encode('abcab')), shape: [1, 5] }).data;
    const streamed = q.layers.map((l) => l.stream?.(1));
    let last: Float32Array = new Float32Array(0);
    for (const tok of data.encode('abcab')) {
      let v: Tensor = { data: Float32Array.of(tok), shape: [1, 1] };
      for (const [i, l] of q.layers.entries())
        v = streamed[i] ? streamed[i]!.step(v) : l.forwardTensor(v, { training: false });
      last = v.data;
    }
    expect(maxAbsDiff(last, seq.subarray(4 * V, 5 * V))).toBeLessThan(1e-6);
    for (const s of streamed) s?.dispose();
    m.dispose();
    q.dispose();
  });
});
