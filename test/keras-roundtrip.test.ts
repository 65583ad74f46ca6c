// Weights and round trips of the Keras import/export: the converter's quantized weights against
// tfjs' own dequantization, and our toLayersModel() read back by our loadLayersModel().
import { describe, it, expect, beforeAll } from 'vitest';
import { init, loadLayersModel, Sequential, LSTM, GRU, Dense, Embedding, Masking } from '../src/index.js';
import { tf, tfReady, saveArtifacts, makeInput, trainFew, tfPredict, maxDiff } from './keras/tfjs.js';

const N = 4,
  T = 6,
  F = 3,
  H = 4;

describe('Keras weights and round trips', () => {
  beforeAll(async () => {
    await init();
    await tfReady();
  });

  it('quantized weights (uint8, uint16 with scale/min; float16) read as tfjs reads them', async () => {
    const m = tf.sequential({
      layers: [
        tf.layers.simpleRNN({ units: H, inputShape: [T, F], returnSequences: true }),
        tf.layers.dense({ units: 2 }),
      ],
    });
    const x = makeInput(3, [N, T, F]);
    await trainFew(m, x, [N, T, F], 3);
    const art = await saveArtifacts(m);
    const specs = art.weightSpecs!;
    const src = new DataView(art.weightData as ArrayBuffer);
    for (const q of ['uint8', 'uint16', 'float16'] as const) {
      const parts: Uint8Array[] = [];
      let at = 0;
      const qspecs = specs.map((s) => {
        const n = s.shape.reduce((a, b) => a * b, 1);
        const v = Array.from({ length: n }, (_, k) => src.getFloat32(at + 4 * k, true));
        at += 4 * n;
        if (q === 'float16') {
          const half = new Uint16Array(n);
          // to half precision by truncating the IEEE bits (normal range; tiny values flush to ±0)
          const f = new Float32Array(v),
            bits = new Uint32Array(f.buffer);
          for (let k = 0; k < n; k++) {
            const b = bits[k]!,
              sign = (b >>> 16) & 0x8000,
              e = ((b >>> 23) & 0xff) - 127 + 15,
              mant = (b >>> 13) & 0x3ff;
            half[k] = e <= 0 ? sign : sign | (e << 10) | mant;
          }
          parts.push(new Uint8Array(half.buffer));
          return { ...s, quantization: { dtype: 'float16' as const } };
        }
        const min = Math.min(...v),
          max = Math.max(...v),
          levels = q === 'uint8' ? 255 : 65535,
          scale = (max - min) / levels || 1;
        const arr = q === 'uint8' ? new Uint8Array(n) : new Uint16Array(n);
        for (let k = 0; k < n; k++) arr[k] = Math.round((v[k]! - min) / scale);
        parts.push(new Uint8Array(arr.buffer));
        return { ...s, quantization: { dtype: q, scale, min } };
      });
      const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        data.set(p, o);
        o += p.length;
      }
      const quantized = { modelTopology: art.modelTopology, weightSpecs: qspecs, weightData: data.buffer };
      const theirs = await tf.loadLayersModel(tf.io.fromMemory(quantized as never));
      const ours = await loadLayersModel(quantized);
      try {
        const d = maxDiff(ours.predict({ data: x, shape: [N, T, F] }).data, tfPredict(theirs, x, [N, T, F]));
        expect(d).toBeLessThanOrEqual(1e-5);
        // and quantization really changed the weights (the comparison is not trivially the float32 model)
        expect(maxDiff(tfPredict(theirs, x, [N, T, F]), tfPredict(m, x, [N, T, F]))).toBeGreaterThan(0);
      } finally {
        ours.dispose();
        theirs.dispose();
      }
    }
    m.dispose();
  });

  it('export → import round trip: stacked bidirectional LSTM, GRU (PyTorch reset_after), Embedding(maskZero), Masking', async () => {
    const models = [
      new Sequential([
        new LSTM({ inputSize: F, hiddenSize: 5, numLayers: 2, bidirectional: true, returnSequences: true, seed: 4 }),
        new GRU({ inputSize: 10, hiddenSize: 4, seed: 5 }),
        new Dense({ inputSize: 4, outputSize: 2, activation: 'tanh', seed: 6 }),
      ]),
      new Sequential([
        new Embedding({ numEmbeddings: 7, embeddingDim: 3, maskZero: true, seed: 2 }),
        new LSTM({ inputSize: 3, hiddenSize: 4, seed: 3 }),
        new Dense({ inputSize: 4, outputSize: 2, seed: 6 }),
      ]),
      new Sequential([new Masking(), new GRU({ inputSize: F, hiddenSize: 4, returnSequences: true, seed: 7 })]),
    ];
    const inputs = [
      { data: makeInput(1, [N, T, F]), shape: [N, T, F] },
      { data: makeInput(2, [N, T], { vocab: 7, lengths: [6, 2, 5, 1] }), shape: [N, T] },
      { data: makeInput(3, [N, T, F], { lengths: [3, 6, 1, 4] }), shape: [N, T, F] },
    ];
    for (const [i, m] of models.entries()) {
      const again = await loadLayersModel(m.toLayersModel());
      try {
        expect(again.layers.map((l) => l.kind)).toEqual(
          m.layers.map((l) => l.kind).flatMap((k) => (k === 'LSTM' && i === 0 ? ['LSTM', 'LSTM'] : [k])),
        );
        expect(maxDiff(again.predict(inputs[i]!).data, m.predict(inputs[i]!).data)).toBeLessThanOrEqual(1e-6);
      } finally {
        again.dispose();
        m.dispose();
      }
    }
  });
  it('frozen zero biases export as use_bias: false, trainable: false as trainable, and come back the same', async () => {
    const lstm = new LSTM({ inputSize: F, hiddenSize: H, bidirectional: true, seed: 2 });
    const sd = lstm.stateDict();
    for (const k of Object.keys(sd)) if (k.startsWith('bias')) sd[k]!.data.fill(0);
    lstm.loadStateDict(sd);
    lstm.freezeParameters(Object.keys(sd).filter((k) => k.startsWith('bias')));
    const dense = new Dense({ inputSize: 2 * H, outputSize: 2, seed: 3, trainable: false });
    const m = new Sequential([lstm, dense]);
    const art = m.toLayersModel();
    const layers = (art.modelTopology.config as { layers: { class_name: string; config: Record<string, unknown> }[] })
      .layers;
    const inner = layers[0]!.config.layer as { config: Record<string, unknown> };
    expect(inner.config.use_bias).toBe(false);
    expect(layers[1]!.config.use_bias).toBe(true);
    expect(layers[1]!.config.trainable).toBe(false);
    expect(art.weightSpecs.map((w) => w.name).filter((n) => n.endsWith('/bias'))).toEqual(['dense/bias']);
    const again = await loadLayersModel(art);
    try {
      const [l0, l1] = again.layers as [LSTM, Dense];
      expect([...l0.frozenParameters].sort()).toEqual(
        Object.keys(sd)
          .filter((k) => k.startsWith('bias'))
          .sort(),
      );
      expect(l1.trainable).toBe(false);
      const x = { data: makeInput(4, [N, T, F]), shape: [N, T, F] };
      expect(maxDiff(again.predict(x).data, m.predict(x).data)).toBeLessThanOrEqual(1e-6);
    } finally {
      again.dispose();
      m.dispose();
    }
  });
});
