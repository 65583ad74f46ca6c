// Issue 10, defects found by attacking the API: each test reproduces one defect through the public
// API (the number is the issue's) and fails on the code before its fix.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Adam,
  Dense,
  Dropout,
  Embedding,
  GRU,
  init,
  LSTM,
  Sequential,
  SimpleRNN,
  SGD,
  type StateDict,
  tasks,
} from '../src/index.js';
import { expectError, liveBytes } from './helpers/lstm-error.js';
import { mulberry32, uniform } from './reference/rng.js';

const rand = (n: number, seed: number) => Float32Array.from(uniform(mulberry32(seed), n, -1, 1));

function regression(seed = 1): Sequential {
  const m = new Sequential([
    new LSTM({ inputSize: 2, hiddenSize: 4, seed }),
    new Dense({ inputSize: 4, outputSize: 1, seed: seed + 1 }),
  ]);
  m.compile({ loss: 'mse', optimizer: new SGD({ learningRate: 0.1 }) });
  return m;
}

describe('issue 10: API defects', () => {
  beforeAll(async () => {
    await init();
  });

  it('#4 the same layer twice in one Sequential is rejected at construction', () => {
    const d = new Dense({ inputSize: 3, outputSize: 3 });
    const e = expectError(() => new Sequential([d, new Dense({ inputSize: 3, outputSize: 3 }), d]), 'INVALID_ARGUMENT');
    expect(e.argument).toBe('layers[2]');
    expect(e.actual).toContain('layers[0]');
    d.dispose();
  });

  it('#5 fit, evaluate and trainOnBatch check the number of targets', async () => {
    const m = regression();
    const x = { data: rand(4 * 3 * 2, 1), shape: [4, 3, 2] };
    const fewerRows = { data: rand(2, 2), shape: [2, 1] };
    const shortData = { data: rand(2, 3), shape: [4, 1] }; // the shape claims 4 targets, the data holds 2
    const wideRows = { data: rand(8, 4), shape: [4, 2] }; // the model predicts 1 value per sample
    for (const y of [fewerRows, shortData, wideRows]) {
      const before = m.layers.map((l) => l.stateDict());
      expectError(() => m.evaluate(x, y), 'SHAPE_MISMATCH', 'y');
      expectError(() => m.trainOnBatch(x, y), 'SHAPE_MISMATCH', 'y');
      await expect(m.fit(x, y, { epochs: 1, batchSize: 2 })).rejects.toMatchObject({
        code: 'SHAPE_MISMATCH',
        argument: 'y',
      });
      expect(m.layers.map((l) => l.stateDict())).toEqual(before);
    }
    // sparse class ids: one id per prediction row, integers in range, before anything runs
    const c = new Sequential([
      new LSTM({ inputSize: 2, hiddenSize: 4 }),
      new Dense({ inputSize: 4, outputSize: 3, activation: 'softmax' }),
    ]);
    c.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: new SGD() });
    expectError(() => c.trainOnBatch(x, { data: new Float32Array([0, 1]), shape: [2] }), 'SHAPE_MISMATCH', 'y');
    expectError(() => c.evaluate(x, { data: new Float32Array([0, 1, 2, 3]), shape: [4] }), 'INVALID_ARGUMENT', 'y[3]');
    m.dispose();
    c.dispose();
  });

  it('#8 loadStateDict takes only numeric data and integer shapes', () => {
    const e = new Embedding({ numEmbeddings: 4, embeddingDim: 2 });
    const before = e.stateDict();
    expectError(
      () => e.loadStateDict({ weight: { shape: ['4', '2'] as unknown as number[], data: new Float32Array(8) } }),
      'STATE_DICT_SHAPE',
      'weight',
    );
    expectError(
      () => e.loadStateDict({ weight: { shape: [4, 2], data: Array(8).fill('1') as unknown as Float32Array } }),
      'STATE_DICT_SHAPE',
      'weight',
    );
    expectError(
      () => e.loadStateDict({ weight: { shape: [4, 2], data: [1, 2, 3, 4, 5, 6, 7, NaN] as unknown as Float32Array } }),
      'STATE_DICT_SHAPE',
      'weight',
    );
    expect(e.stateDict()).toEqual(before);
    // an array of finite numbers and other numeric typed arrays are fine
    e.loadStateDict({ weight: { shape: [4, 2], data: [1, 2, 3, 4, 5, 6, 7, 8] as unknown as Float32Array } });
    expect(Array.from(e.stateDict().weight!.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    e.loadStateDict({ weight: { shape: [4, 2], data: new Float64Array(8).fill(0.5) as unknown as Float32Array } });
    expect(e.stateDict().weight!.data.every((v) => v === 0.5)).toBe(true);
    e.dispose();
  });

  it('#9 lengths are checked by one validator in forward, fit, predict, trainOnBatch and evaluate', async () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3 });
    const m = regression();
    const x = { data: rand(4 * 3 * 2, 5), shape: [4, 3, 2] },
      y = { data: rand(4, 6), shape: [4, 1] };
    for (const [i, bad] of [1.5, NaN, 2 ** 32 + 1, 'x', -1, 4].entries()) {
      const lengths = [3, 3, 3, 3] as unknown[];
      lengths[i % 4] = bad;
      const arg = `lengths[${i % 4}]`,
        L = lengths as number[];
      expectError(() => lstm.forward(x.data, { batch: 4, steps: 3, lengths: L }), 'INVALID_ARGUMENT', arg);
      expectError(() => m.predict(x, { lengths: L }), 'INVALID_ARGUMENT', arg);
      expectError(() => m.trainOnBatch(x, y, { lengths: L }), 'INVALID_ARGUMENT', arg);
      expectError(() => m.evaluate(x, y, { lengths: L }), 'INVALID_ARGUMENT', arg);
      await expect(m.fit(x, y, { lengths: L })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: arg });
    }
    expectError(() => m.predict(x, { lengths: [3, 3] }), 'SHAPE_MISMATCH', 'lengths');
    lstm.dispose();
    m.dispose();
  });

  it('#12 generate: temperature → 0 picks the most likely token (not token 0); 0 means argmax', () => {
    const V = 6;
    const m = new Sequential([
      new Embedding({ numEmbeddings: V, embeddingDim: 4, seed: 3 }),
      new LSTM({ inputSize: 4, hiddenSize: 8, returnSequences: true, seed: 4 }),
      new Dense({ inputSize: 8, outputSize: V, activation: 'softmax', seed: 5 }),
    ]);
    // greedy decoding computed with predict over the whole prefix
    const prompt = [1, 2],
      steps = 8,
      greedy: number[] = [];
    const seq = prompt.slice();
    for (let s = 0; s < steps; s++) {
      const p = m.predict({ data: Float32Array.from(seq), shape: [1, seq.length] }).data;
      const last = Array.from(p.subarray((seq.length - 1) * V));
      const best = last.indexOf(Math.max(...last));
      greedy.push(best);
      seq.push(best);
    }
    expect(greedy.some((t) => t !== 0)).toBe(true); // the test means something
    for (const temperature of [1e-3, 1e-30, 1e-300, 5e-324, 0])
      expect(m.generate({ prompt, steps, temperature, seed: 9 }), `temperature ${temperature}`).toEqual(greedy);
    expectError(() => m.generate({ prompt, steps, temperature: -1 }), 'INVALID_ARGUMENT', 'temperature');
    expectError(() => m.generate({ prompt, steps, seed: 2 ** 32 }), 'INVALID_ARGUMENT', 'seed');
    m.dispose();
  });

  it('#14 errors are LSTMErrors: predict with N = 0, loadStateDict(null) on Dense and Embedding', () => {
    const m = regression();
    const empty = m.predict({ data: new Float32Array(0), shape: [0, 5, 2] });
    expect(empty.shape).toEqual([0, 1]);
    expect(empty.data.length).toBe(0);
    expectError(() => m.predict([]), 'SHAPE_MISMATCH', 'x');
    expectError(
      () => m.evaluate({ data: new Float32Array(0), shape: [0, 5, 2] }, { data: new Float32Array(0), shape: [0, 1] }),
      'INVALID_ARGUMENT',
      'x',
    );
    const d = new Dense({ inputSize: 2, outputSize: 2 }),
      e = new Embedding({ numEmbeddings: 3, embeddingDim: 2 });
    for (const l of [d, e]) {
      for (const bad of [null, undefined, 5, 'w']) expectError(() => l.loadStateDict(bad as never), 'INVALID_ARGUMENT');
    }
    d.dispose();
    e.dispose();
    m.dispose();
  });

  it('#15 seeds are integers in [0, 2^32): others are rejected, not wrapped', async () => {
    const make = [
      (seed: unknown) => new LSTM({ inputSize: 2, hiddenSize: 3, seed: seed as number }),
      (seed: unknown) => new GRU({ inputSize: 2, hiddenSize: 3, seed: seed as number }),
      (seed: unknown) => new SimpleRNN({ inputSize: 2, hiddenSize: 3, seed: seed as number }),
      (seed: unknown) => new Dense({ inputSize: 2, outputSize: 3, seed: seed as number }),
      (seed: unknown) => new Embedding({ numEmbeddings: 4, embeddingDim: 3, seed: seed as number }),
      (seed: unknown) => new Dropout({ rate: 0.5, seed: seed as number }),
    ];
    const before = liveBytes();
    for (const f of make) {
      for (const bad of [2 ** 40, 2 ** 32, -1, 1.5, 'abc', NaN, null])
        expectError(() => f(bad), 'INVALID_ARGUMENT', 'seed');
    }
    expect(liveBytes()).toBe(before);
    // the whole range is usable, and distinct seeds give distinct weights
    const a = new Dense({ inputSize: 2, outputSize: 3, seed: 0 }),
      b = new Dense({ inputSize: 2, outputSize: 3, seed: 2 ** 32 - 1 });
    expect(a.stateDict().weight!.data).not.toEqual(b.stateDict().weight!.data);
    a.dispose();
    b.dispose();
    const m = regression();
    const x = { data: rand(4 * 3 * 2, 1), shape: [4, 3, 2] },
      y = { data: rand(4, 2), shape: [4, 1] };
    expectError(() => tasks.addingProblem(4, 10, 2 ** 40), 'INVALID_ARGUMENT', 'seed');
    expectError(() => tasks.copyTask(4, 10, 4, -1), 'INVALID_ARGUMENT', 'seed');
    expectError(() => tasks.sineTask(4, 10, { seed: 0.5 }), 'INVALID_ARGUMENT', 'seed');
    await expect(m.fit(x, y, { seed: 2 ** 40 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'seed' });
    m.dispose();
  });

  it('#16 Dropout honours dispose, and in eval mode returns a copy', () => {
    const d = new Dropout({ rate: 0.5 });
    const x = { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] };
    const y = d.forwardTensor(x, { training: false });
    expect(y).not.toBe(x);
    expect(y.data).not.toBe(x.data);
    expect(y.shape).not.toBe(x.shape);
    expect(Array.from(y.data)).toEqual([1, 2, 3, 4]);
    y.data[0] = 99;
    expect(x.data[0]).toBe(1);
    d.dispose();
    expect(d.disposed).toBe(true);
    expectError(() => d.forwardTensor(x, { training: true }), 'DISPOSED');
    expectError(() => d.backwardTensor(x), 'DISPOSED');
    expectError(() => d.stateDict(), 'DISPOSED');
  });

  it('#6 createState with a bad h0 / c0 allocates nothing', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 64, numLayers: 2 });
    const before = liveBytes();
    for (let i = 0; i < 100; i++) {
      expectError(() => lstm.createState(4, { h0: new Float32Array(3) }), 'SHAPE_MISMATCH', 'h0');
      expectError(() => lstm.createState(4, { c0: 'x' as unknown as Float32Array }), 'INVALID_ARGUMENT', 'c0');
    }
    expect(liveBytes()).toBe(before);
    lstm.dispose();
  });

  it('#6 a loadStateDict that fails part-way writes nothing (Dense, Embedding, LSTM, Sequential)', () => {
    const d = new Dense({ inputSize: 2, outputSize: 3 });
    const dBefore = d.stateDict();
    const nines = { shape: [3, 2], data: new Float32Array(6).fill(9) };
    for (const bias of [
      { shape: [3], data: new BigInt64Array(3) },
      { shape: [3], data: ['1', '2', '3'] },
      { shape: ['3'], data: new Float32Array(3) },
      { shape: [3], data: new Float32Array(2) },
      null,
    ]) {
      expectError(() => d.loadStateDict({ weight: nines, bias: bias as never }), 'STATE_DICT_SHAPE', 'bias');
      expect(d.stateDict()).toEqual(dBefore);
    }
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3 });
    const lBefore = lstm.stateDict();
    const bad: StateDict = { ...lBefore, weight_ih_l0: { shape: [12, 2], data: new Float32Array(24).fill(9) } };
    bad.bias_hh_l0 = { shape: [12], data: new BigUint64Array(12) as never };
    expectError(() => lstm.loadStateDict(bad), 'STATE_DICT_SHAPE', 'bias_hh_l0');
    expect(lstm.stateDict()).toEqual(lBefore);
    const m = new Sequential([lstm, new Dense({ inputSize: 3, outputSize: 1 })]);
    const mBefore = m.stateDict();
    const dict: StateDict = {
      ...mBefore,
      'layers.0.weight_ih_l0': { shape: [12, 2], data: new Float32Array(24).fill(9) },
    };
    dict['layers.1.bias'] = { shape: [1], data: ['x'] as never };
    expectError(() => m.loadStateDict(dict), 'STATE_DICT_SHAPE', 'layers.1.bias');
    expect(m.stateDict()).toEqual(mBefore);
    m.dispose();
    d.dispose();
  });

  it('#6 a trainOnBatch that fails on bad y changes nothing: gradients, stateful state, later losses', () => {
    const build = () => {
      const m = new Sequential([
        new LSTM({ inputSize: 2, hiddenSize: 4, stateful: true, seed: 2 }),
        new Dense({ inputSize: 4, outputSize: 1, seed: 3 }),
      ]);
      m.compile({ loss: 'mse', optimizer: new Adam({ learningRate: 0.01 }) });
      return m;
    };
    const a = build(),
      b = build();
    const x1 = { data: rand(3 * 4 * 2, 10), shape: [3, 4, 2] },
      y1 = { data: rand(3, 11), shape: [3, 1] },
      x2 = { data: rand(3 * 4 * 2, 12), shape: [3, 4, 2] },
      y2 = { data: rand(3, 13), shape: [3, 1] };
    expect(a.trainOnBatch(x1, y1)).toBe(b.trainOnBatch(x1, y1));
    const grads = a.layers.map((l) => l.gradients());
    for (const badY of [
      { data: rand(6, 1), shape: [3, 2] },
      { data: rand(2, 1), shape: [2, 1] },
      { data: rand(6, 2), shape: [3, 1, 2] },
    ]) {
      expectError(() => a.trainOnBatch(x2, badY), 'SHAPE_MISMATCH', 'y');
      expect(a.layers.map((l) => l.gradients())).toEqual(grads);
    }
    // the stateful LSTM did not advance, and the optimizer did not step
    for (let i = 0; i < 3; i++) expect(a.trainOnBatch(x2, y2)).toBe(b.trainOnBatch(x2, y2));
    expect(a.stateDict()).toEqual(b.stateDict());
    a.dispose();
    b.dispose();
  });
});
