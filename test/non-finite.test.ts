// Issue 10, the guard for non-finite values: the optimizer never applies an update computed from a
// NaN or infinite gradient (nor an SGD step that overflows float32) and says so with NON_FINITE;
// fit stops with NON_FINITE naming the epoch and batch, or stops quietly, or skips the batch
// (onNonFinite); inference keeps IEEE propagation, as PyTorch does.
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam, AdamW, Dense, init, LSTM, type Optimizer, RMSprop, Sequential, SGD, type Tensor } from '../src/index.js';
import { expectError, expectRejection, liveBytes } from './helpers/lstm-error.js';
import { mulberry32, uniform } from './reference/rng.js';

const rand = (n: number, seed: number) => Float32Array.from(uniform(mulberry32(seed), n, -1, 1));
const B = 2,
  T = 3,
  I = 2,
  H = 4;

const optimizers: Record<string, () => Optimizer> = {
  sgd: () => new SGD({ learningRate: 0.1 }),
  momentum: () => new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true }),
  adam: () => new Adam({ learningRate: 0.01 }),
  'adam + clipNorm': () => new Adam({ learningRate: 0.01, clipNorm: 1 }),
  'adamw + clipValue': () => new AdamW({ learningRate: 0.01, clipValue: 0.5 }),
  rmsprop: () => new RMSprop({ learningRate: 0.01, momentum: 0.5 }),
};

function model(seed: number): Sequential {
  const m = new Sequential([
    new LSTM({ inputSize: I, hiddenSize: H, seed, stateful: true }),
    new Dense({ inputSize: H, outputSize: 1, seed: seed + 1 }),
  ]);
  m.compile({ loss: 'mse', optimizer: new Adam({ learningRate: 0.01 }) });
  return m;
}

describe('issue 10: non-finite values', () => {
  beforeAll(async () => {
    await init();
  });

  for (const [name, make] of Object.entries(optimizers)) {
    it(`${name}: a NaN or infinite gradient throws NON_FINITE and changes neither weights nor optimizer state`, () => {
      const a = new LSTM({ inputSize: I, hiddenSize: H, seed: 5 }),
        b = new LSTM({ inputSize: I, hiddenSize: H, seed: 5 });
      const oa = make(),
        ob = make();
      const x = rand(B * T * I, 1),
        good = rand(B * T * H, 2);
      const train = (l: LSTM, o: Optimizer, dOut: Float32Array) => {
        l.zeroGrad();
        l.forward(x, { batch: B, steps: T });
        l.backward(dOut);
        o.step(l);
      };
      // a first step that fails allocates no optimizer state (the layer's workspaces exist already)
      a.forward(x, { batch: B, steps: T });
      a.backward(good);
      const live = liveBytes();
      for (const bad of [NaN, Infinity, -Infinity]) {
        const dOut = good.slice();
        dOut[5] = bad;
        expectError(() => train(a, oa, dOut), 'NON_FINITE', 'gradients of layers[0]');
        expect(liveBytes()).toBe(live);
        expect(a.stateDict()).toEqual(b.stateDict());
      }
      train(a, oa, good);
      train(b, ob, good);
      for (const bad of [NaN, Infinity]) {
        const dOut = good.slice();
        dOut[0] = bad;
        expectError(() => train(a, oa, dOut), 'NON_FINITE');
      }
      expect(oa.lastGradNorm).toBeNaN();
      // the failed steps did not count: the next ones match a twin that never saw them
      for (let i = 0; i < 3; i++) {
        const dOut = rand(B * T * H, 10 + i);
        train(a, oa, dOut);
        train(b, ob, dOut);
      }
      expect(a.stateDict()).toEqual(b.stateDict());
      expect(a.stateDict().weight_hh_l0!.data.every(Number.isFinite)).toBe(true);
      for (const l of [a, b]) l.dispose();
      for (const o of [oa, ob]) o.dispose();
    });
  }

  it('SGD refuses a step that would overflow float32; learningRate stays a finite number ≥ 0', () => {
    const d = new Dense({ inputSize: 2, outputSize: 1 });
    const before = d.stateDict();
    const sgd = new SGD({ learningRate: 1e30 });
    d.forwardTensor({ data: new Float32Array([1e15, 1e15]), shape: [1, 2] });
    d.backwardTensor({ data: new Float32Array([1e15]), shape: [1, 1] });
    expectError(() => sgd.step(d), 'NON_FINITE', 'learningRate');
    expect(d.stateDict()).toEqual(before);
    for (const bad of [NaN, -1, Infinity, '0.1', undefined]) {
      expectError(() => {
        sgd.learningRate = bad as number;
      }, 'INVALID_ARGUMENT');
    }
    expect(sgd.learningRate).toBe(1e30);
    sgd.learningRate = 0.5;
    expect(sgd.learningRate).toBe(0.5);
    d.dispose();
  });

  it('trainOnBatch: a NaN loss throws NON_FINITE; weights, optimizer state and the carried state stay', () => {
    const a = model(3),
      b = model(3);
    const x = { data: rand(B * T * I, 4), shape: [B, T, I] },
      y = { data: rand(B, 5), shape: [B, 1] };
    expect(a.trainOnBatch(x, y)).toBe(b.trainOnBatch(x, y));
    const nanX = { data: x.data.slice(), shape: x.shape };
    nanX.data[3] = NaN;
    const nanY = { data: new Float32Array([0, NaN]), shape: [B, 1] };
    for (const [xx, yy] of [
      [nanX, y],
      [x, nanY],
    ] as const) {
      expectError(() => a.trainOnBatch(xx, yy), 'NON_FINITE', 'loss');
      expect(a.stateDict()).toEqual(b.stateDict());
    }
    for (let i = 0; i < 3; i++) expect(a.trainOnBatch(x, y)).toBe(b.trainOnBatch(x, y));
    a.dispose();
    b.dispose();
  });

  describe('fit onNonFinite', () => {
    const N = 12,
      bs = 4;
    const data = () => {
      const x = { data: rand(N * T * I, 20), shape: [N, T, I] },
        y = { data: rand(N, 21), shape: [N, 1] };
      x.data[(5 * T + 1) * I] = NaN; // sample 5: batch 1 of every epoch
      return { x, y };
    };
    const slice = (t: Tensor, from: number, to: number): Tensor => {
      const per = t.data.length / t.shape[0]!;
      return { data: t.data.slice(from * per, to * per), shape: [to - from, ...t.shape.slice(1)] };
    };

    it("'throw' (the default) rejects with NON_FINITE naming the epoch and batch; the good batches before it count", async () => {
      const { x, y } = data();
      const a = model(7),
        b = model(7);
      const e = await expectRejection(a.fit(x, y, { epochs: 3, batchSize: bs, shuffle: false }), 'NON_FINITE');
      expect(e.message).toContain('epoch 0, batch 1');
      expect(e.argument).toBe('epoch 0, batch 1');
      b.trainOnBatch(slice(x, 0, 4), slice(y, 0, 4));
      expect(a.stateDict()).toEqual(b.stateDict());
      a.dispose();
      b.dispose();
    });

    it("'stop' resolves with the epochs done and where it stopped", async () => {
      const { x, y } = data();
      const a = model(7),
        b = model(7);
      const h = await a.fit(x, y, { epochs: 3, batchSize: bs, shuffle: false, onNonFinite: 'stop' });
      expect(h.epochs).toBe(0);
      expect(h.stopped).toMatchObject({ epoch: 0, batch: 1 });
      b.trainOnBatch(slice(x, 0, 4), slice(y, 0, 4));
      expect(a.stateDict()).toEqual(b.stateDict());
      a.dispose();
      b.dispose();
    });

    it("'skipBatch' trains on every other batch; the epoch logs count what was skipped", async () => {
      const { x, y } = data();
      const a = model(7),
        b = model(7);
      const skipped: number[] = [];
      const h = await a.fit(x, y, {
        epochs: 2,
        batchSize: bs,
        shuffle: false,
        onNonFinite: 'skipBatch',
        onEpochEnd: (_, logs) => {
          skipped.push(logs.skippedBatches ?? 0);
        },
      });
      expect(h.epochs).toBe(2);
      expect(skipped).toEqual([1, 1]);
      expect(h.history.loss.every(Number.isFinite)).toBe(true);
      for (let e = 0; e < 2; e++)
        for (const from of [0, 8]) b.trainOnBatch(slice(x, from, from + 4), slice(y, from, from + 4));
      expect(a.stateDict()).toEqual(b.stateDict());
      await expectRejection(a.fit(x, y, { onNonFinite: 'ignore' as 'stop' }), 'INVALID_ARGUMENT', 'onNonFinite');
      a.dispose();
      b.dispose();
    });
  });

  it('inference keeps IEEE propagation: NaN in, NaN out, no error', () => {
    const m = model(9);
    const x = { data: rand(B * T * I, 30), shape: [B, T, I] };
    x.data[0] = NaN;
    const p = m.predict(x).data;
    expect(Number.isNaN(p[0])).toBe(true);
    expect(Number.isFinite(p[1])).toBe(true); // the other sequence is untouched
    expect(m.evaluate(x, { data: new Float32Array(B), shape: [B, 1] }).loss).toBeNaN();
    const lstm = new LSTM({ inputSize: I, hiddenSize: H });
    const out = lstm.forward(x.data, { batch: B, steps: T });
    expect(Number.isNaN(out.output[0])).toBe(true);
    m.dispose();
    lstm.dispose();
  });
});
