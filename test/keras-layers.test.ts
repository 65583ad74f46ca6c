// The small layers the Keras import needs (ActivationLayer, Masking, Reverse, Embedding maskZero):
// forward against direct formulas, backward against central differences, and their place in a
// model: masks become lengths for the loss too, saved models keep them, imported models train.
import { describe, it, expect, beforeAll } from 'vitest';
import {
  init,
  ActivationLayer,
  Masking,
  Reverse,
  Sequential,
  LSTM,
  Dense,
  Embedding,
  Adam,
  loadLayersModel,
  type Activation,
  type Tensor,
} from '../src/index.js';
import { maxAbsDiff } from './reference/lstm64.js';
import { mulberry32 } from './reference/rng.js';
import { tf, tfReady, saveArtifacts, makeInput } from './keras/tfjs.js';

const rand = (seed: number, n: number) => {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => 2 * r() - 1);
};

/** ∂(Σ w·f(x))/∂x by central differences in float64 through the layer's forward. */
function numericGrad(f: (x: Float32Array) => Float32Array, x: Float32Array, w: Float32Array, eps = 1e-3): Float64Array {
  const g = new Float64Array(x.length);
  const loss = (v: Float32Array) => f(v).reduce((s, y, i) => s + y * w[i]!, 0);
  for (let i = 0; i < x.length; i++) {
    const up = x.slice(),
      down = x.slice();
    up[i] = x[i]! + eps;
    down[i] = x[i]! - eps;
    g[i] = (loss(up) - loss(down)) / (2 * eps);
  }
  return g;
}

describe('layers for Keras models', () => {
  beforeAll(async () => {
    await init();
    await tfReady();
  });

  for (const act of ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'] as Activation[]) {
    it(`ActivationLayer ${act}: forward and backward (finite differences)`, () => {
      const shape = [2, 3, 4],
        x = rand(1, 24),
        w = rand(2, 24);
      const layer = new ActivationLayer({ activation: act });
      const y = layer.forwardTensor({ data: x, shape }).data;
      const ref = Array.from(x, (v, i) => {
        if (act === 'relu') return Math.max(v, 0);
        if (act === 'sigmoid') return 1 / (1 + Math.exp(-v));
        if (act === 'tanh') return Math.tanh(v);
        if (act === 'softmax') {
          const row = Array.from(x.subarray(i - (i % 4), i - (i % 4) + 4));
          return Math.exp(v) / row.reduce((s, u) => s + Math.exp(u), 0);
        }
        return v;
      });
      expect(maxAbsDiff(y, ref)).toBeLessThan(1e-6);
      const dx = layer.backwardTensor({ data: w, shape }).data;
      const num = numericGrad(
        (v) => new ActivationLayer({ activation: act }).forwardTensor({ data: v, shape }).data,
        x,
        w,
      );
      expect(maxAbsDiff(dx, num)).toBeLessThan(2e-3);
    });
  }

  it('Masking zeroes padded steps, sets lengths, and passes gradients only through real steps', () => {
    const x = rand(3, 2 * 4 * 3);
    x.fill(0, (0 * 4 + 2) * 3, (0 * 4 + 4) * 3); // sequence 0: length 2
    const ctx = { training: false } as { training: boolean; lengths?: Int32Array };
    const m = new Masking();
    const y = m.forwardTensor({ data: x, shape: [2, 4, 3] }, ctx);
    expect(Array.from(ctx.lengths!)).toEqual([2, 4]);
    expect(maxAbsDiff(y.data, x)).toBe(0);
    const dy = rand(4, 24);
    const dx = m.backwardTensor({ data: dy, shape: [2, 4, 3] }).data;
    expect(Array.from(dx.subarray(6, 12))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(dx.subarray(0, 6))).toEqual(Array.from(dy.subarray(0, 6)));
    // a mask value other than 0: those steps are padding, and are zeroed on output
    const nines = new Float32Array([1, 2, 9, 9, 9, 9]);
    const c2 = { training: false } as { training: boolean; lengths?: Int32Array };
    expect(Array.from(new Masking({ maskValue: 9 }).forwardTensor({ data: nines, shape: [1, 3, 2] }, c2).data)).toEqual(
      [1, 2, 0, 0, 0, 0],
    );
    expect(Array.from(c2.lengths!)).toEqual([1]);
  });

  it('Reverse flips time, forward and backward', () => {
    const t: Tensor = { data: Float32Array.from({ length: 12 }, (_, i) => i), shape: [2, 3, 2] };
    const r = new Reverse();
    expect(Array.from(r.forwardTensor(t).data)).toEqual([4, 5, 2, 3, 0, 1, 10, 11, 8, 9, 6, 7]);
    expect(Array.from(r.backwardTensor(r.forwardTensor(t)).data)).toEqual(Array.from(t.data));
  });

  it('a mask layer’s lengths also weight the per-step loss, exactly as fit’s { lengths }', () => {
    const lengths = [3, 5, 1];
    const x = makeInput(5, [3, 5, 2], { lengths });
    const y = rand(6, 3 * 5 * 2);
    const make = (masked: boolean) => {
      const lstm = new LSTM({ inputSize: 2, hiddenSize: 4, returnSequences: true, seed: 3 });
      const dense = new Dense({ inputSize: 4, outputSize: 2, seed: 4 });
      const m = new Sequential(masked ? [new Masking(), lstm, dense] : [lstm, dense]);
      m.compile({ loss: 'mse', optimizer: new Adam({ learningRate: 0.01 }) });
      return m;
    };
    const a = make(true),
      b = make(false);
    const la = a.trainOnBatch({ data: x, shape: [3, 5, 2] }, { data: y, shape: [3, 5, 2] });
    const lb = b.trainOnBatch({ data: x, shape: [3, 5, 2] }, { data: y, shape: [3, 5, 2] }, { lengths });
    expect(la).toBeCloseTo(lb, 6);
    expect(
      maxAbsDiff(a.layers[1]!.stateDict().weight_hh_l0!.data, b.layers[0]!.stateDict().weight_hh_l0!.data),
    ).toBeLessThan(1e-6);
    a.dispose();
    b.dispose();
  });

  it('save() / Sequential.load keep Masking, ActivationLayer, Reverse and Embedding({ maskZero })', async () => {
    const m = new Sequential([
      new Embedding({ numEmbeddings: 6, embeddingDim: 3, maskZero: true, seed: 2 }),
      new LSTM({ inputSize: 3, hiddenSize: 4, returnSequences: true, seed: 3 }),
      new Reverse(),
      new Masking({ maskValue: 5 }),
      new Dense({ inputSize: 4, outputSize: 3, seed: 4 }),
      new ActivationLayer({ activation: 'softmax' }),
    ]);
    const x = { data: makeInput(7, [2, 4], { vocab: 6, lengths: [4, 2] }), shape: [2, 4] };
    const again = await Sequential.load(m.save());
    expect(again.layers.map((l) => l.config())).toEqual(m.layers.map((l) => l.config()));
    expect(maxAbsDiff(again.predict(x).data, m.predict(x).data)).toBe(0);
    m.dispose();
    again.dispose();
  });

  it('an imported tfjs model trains here (compile + fit lower the loss)', async () => {
    const t = tf.sequential({
      layers: [tf.layers.simpleRNN({ units: 6, inputShape: [5, 2] }), tf.layers.dense({ units: 1 })],
    });
    const model = await loadLayersModel((await saveArtifacts(t)) as never);
    t.dispose();
    const x = makeInput(8, [32, 5, 2]);
    const y = Float32Array.from({ length: 32 }, (_, n) => x[n * 10 + 8]! - x[n * 10]!); // last − first feature 0
    model.compile({ loss: 'mse', optimizer: new Adam({ learningRate: 0.02 }) });
    const h = await model.fit(
      { data: x, shape: [32, 5, 2] },
      { data: y, shape: [32, 1] },
      { epochs: 30, batchSize: 8 },
    );
    expect(h.history.loss[29]!).toBeLessThan(0.5 * h.history.loss[0]!);
    model.dispose();
  });
});
