// Training ergonomics: Keras-style callbacks (hook order, stopTraining, EarlyStopping,
// ModelCheckpoint), PyTorch's learning-rate schedules (against transcriptions of
// torch.optim.lr_scheduler) saved with the optimizer so resuming stays bit-identical, and freezing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Adam,
  CosineAnnealingLR,
  Dense,
  EarlyStopping,
  ExponentialLR,
  init,
  LSTM,
  ModelCheckpoint,
  type Optimizer,
  ReduceLROnPlateau,
  SGD,
  Sequential,
  StepLR,
  tasks,
} from '../src/index.js';

beforeAll(async () => {
  await init();
});

function model(optimizer: Optimizer = new Adam({ learningRate: 1e-2 }), seed = 1) {
  const m = new Sequential([
    new LSTM({ inputSize: 2, hiddenSize: 8, seed }),
    new Dense({ inputSize: 8, outputSize: 1, seed }),
  ]);
  m.compile({ loss: 'mse', optimizer });
  return m;
}
const data = tasks.addingProblem(96, 10, 3);

describe('callbacks', () => {
  it('hooks run in order: train, epoch, batch; stopTraining ends fit cleanly with the history so far', async () => {
    const m = model(),
      calls: string[] = [];
    const h = await m.fit(data.x, data.y, {
      epochs: 3,
      batchSize: 32,
      callbacks: [
        {
          onTrainBegin: () => void calls.push('train+'),
          onEpochBegin: (e) => void calls.push(`epoch+${e}`),
          onBatchBegin: (b) => void calls.push(`b+${b}`),
          onBatchEnd: (b, logs) => {
            calls.push(`b-${b}`);
            expect(Number.isFinite(logs.loss)).toBe(true);
            if (calls.includes('epoch+1') && b === 1) m.stopTraining = true;
          },
          onEpochEnd: (e) => void calls.push(`epoch-${e}`),
          onTrainEnd: () => void calls.push('train-'),
        },
      ],
    });
    expect(calls).toEqual([
      'train+',
      'epoch+0',
      'b+0',
      'b-0',
      'b+1',
      'b-1',
      'b+2',
      'b-2',
      'epoch-0',
      'epoch+1',
      'b+0',
      'b-0',
      'b+1',
      'b-1',
      'epoch-1',
      'train-',
    ]);
    expect(h.epochs).toBe(2);
    expect(h.history.loss.length).toBe(2);
    m.dispose();
  });

  it('EarlyStopping stops after `patience` epochs without improvement and restores the best weights', async () => {
    // monitoring the training loss with mode 'max' makes epoch 0 the best one (the loss falls)
    const m = model(new Adam({ learningRate: 5e-2 })),
      snapshots: ReturnType<Sequential['stateDict']>[] = [];
    const early = new EarlyStopping({ monitor: 'loss', mode: 'max', patience: 2, restoreBestWeights: true });
    const h = await m.fit(data.x, data.y, {
      epochs: 10,
      batchSize: 32,
      callbacks: [early, { onEpochEnd: () => void snapshots.push(m.stateDict()) }],
    });
    expect(h.history.loss[1]!).toBeLessThan(h.history.loss[0]!);
    expect(h.epochs).toBe(3);
    expect(early.stoppedEpoch).toBe(2);
    expect(early.bestEpoch).toBe(0);
    const now = m.stateDict();
    for (const k of Object.keys(now)) expect(now[k]!.data).toEqual(snapshots[0]![k]!.data);
    expect(now['layers.0.weight_ih_l0']!.data).not.toEqual(snapshots[2]!['layers.0.weight_ih_l0']!.data);
    m.dispose();
  });

  it('EarlyStopping on val_loss with SGD at rate 0: no epoch improves on the first', async () => {
    const m = model(new SGD({ learningRate: 0 }));
    const h = await m.fit(data.x, data.y, {
      epochs: 9,
      validationSplit: 0.25,
      callbacks: [new EarlyStopping({ patience: 1 })],
    });
    expect(h.epochs).toBe(2);
    m.dispose();
  });

  it('ModelCheckpoint saves every epoch (a function) or only improvements; the bytes load back to the same model', async () => {
    const m = model(),
      saved: { epoch: number; bytes: Uint8Array; predict: Float32Array }[] = [];
    const probe = { data: data.x.data.subarray(0, 4 * 10 * 2), shape: [4, 10, 2] };
    const best: number[] = [];
    await m.fit(data.x, data.y, {
      epochs: 3,
      batchSize: 32,
      callbacks: [
        new ModelCheckpoint({
          save: (bytes, epoch) => void saved.push({ epoch, bytes, predict: m.predict(probe).data }),
        }),
        new ModelCheckpoint({
          save: (_b, epoch) => void best.push(epoch),
          saveBestOnly: true,
          monitor: 'loss',
          mode: 'max',
        }),
      ],
    });
    expect(saved.map((s) => s.epoch)).toEqual([0, 1, 2]);
    expect(best).toEqual([0]);
    const back = await Sequential.load(saved[1]!.bytes);
    expect(back.predict(probe).data).toEqual(saved[1]!.predict);
    back.dispose();
    m.dispose();
  });

  it('ModelCheckpoint writes files in Node ({epoch} in the path)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-')),
      m = model();
    try {
      await m.fit(data.x, data.y, {
        epochs: 2,
        batchSize: 48,
        callbacks: [new ModelCheckpoint({ path: join(dir, 'm-{epoch}.safetensors') })],
      });
      const back = await Sequential.load(readFileSync(join(dir, 'm-2.safetensors')));
      expect(back.predict(data.x).data).toEqual(m.predict(data.x).data);
      back.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      m.dispose();
    }
  });

  it('bad callbacks and options are typed errors', async () => {
    const m = model();
    await expect(m.fit(data.x, data.y, { callbacks: 'x' as never })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'callbacks',
    });
    expect(() => new EarlyStopping({ patience: -1 })).toThrow(expect.objectContaining({ argument: 'patience' }));
    expect(() => new ModelCheckpoint({} as never)).toThrow(expect.objectContaining({ argument: 'options' }));
    await expect(
      m.fit(data.x, data.y, { callbacks: [new EarlyStopping({ monitor: 'val_loss' })] }),
    ).rejects.toMatchObject({ argument: 'monitor' });
    m.dispose();
  });
});

// torch.optim.lr_scheduler transcribed (float64), stepped once per epoch.
function torchLrs(kind: string, base: number, epochs: number, metrics: number[] = []): number[] {
  const out: number[] = [];
  let lr = base,
    best = Number.NaN,
    bad = 0,
    cool = 0;
  for (let e = 1; e <= epochs; e++) {
    if (kind === 'step') lr = base * 0.5 ** Math.floor(e / 2);
    else if (kind === 'exp') lr = base * 0.9 ** e;
    else if (kind === 'cos') lr = 1e-4 + ((base - 1e-4) * (1 + Math.cos((Math.PI * e) / 5))) / 2;
    else {
      const m = metrics[e - 1]!;
      if (Number.isNaN(best) || m < best * (1 - 1e-4)) {
        best = m;
        bad = 0;
      } else bad++;
      if (cool > 0) {
        cool--;
        bad = 0;
      }
      if (bad > 1) {
        const n = Math.max(lr * 0.5, 0);
        if (lr - n > 1e-8) lr = n;
        cool = 1;
        bad = 0;
      }
    }
    out.push(lr);
  }
  return out;
}

describe('learning-rate schedules', () => {
  it.each([
    ['step', () => new StepLR({ stepSize: 2, gamma: 0.5 })],
    ['exp', () => new ExponentialLR({ gamma: 0.9 })],
    ['cos', () => new CosineAnnealingLR({ tMax: 5, etaMin: 1e-4 })],
  ] as const)('%s: the rate after each epoch of fit equals PyTorch’s', async (kind, make) => {
    const m = model(new Adam({ learningRate: 0.01, schedule: make() })),
      seen: number[] = [];
    await m.fit(data.x, data.y, {
      epochs: 6,
      batchSize: 48,
      callbacks: [{ onEpochEnd: () => void seen.push(m.optimizer!.learningRate) }],
    });
    const want = torchLrs(kind, 0.01, 6);
    for (const [i, v] of seen.entries()) expect(v).toBeCloseTo(want[i]!, 15);
    m.dispose();
  });

  it('ReduceLROnPlateau follows the monitored metric as PyTorch does (patience, threshold, cooldown)', () => {
    const s = new ReduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 1, cooldown: 1 });
    const metrics = [1, 1, 1, 0.9, 0.9, 0.9, 0.9, 0.5, 0.50001, 0.6, 0.6, 0.6];
    let lr = 0.1;
    const got = metrics.map((v) => (lr = s.next(0.1, lr, { loss: v })));
    expect(got).toEqual(torchLrs('plateau', 0.1, metrics.length, metrics));
    expect(new Set(got).size).toBeGreaterThan(2); // it did reduce, more than once
  });

  it('the schedule, its position and the current rate are saved: training resumes bit-identically', async () => {
    const make = () =>
      model(
        new Adam({
          learningRate: 0.02,
          schedule: new ReduceLROnPlateau({ monitor: 'loss', patience: 0, factor: 0.5 }),
        }),
        5,
      );
    const a = make();
    const all = await a.fit(data.x, data.y, { epochs: 5, batchSize: 32, shuffle: false });
    const b = make();
    const first = await b.fit(data.x, data.y, { epochs: 3, batchSize: 32, shuffle: false });
    const c = await Sequential.load(b.save());
    expect(c.optimizer!.learningRate).toBe(b.optimizer!.learningRate);
    const rest = await c.fit(data.x, data.y, { epochs: 2, batchSize: 32, shuffle: false });
    expect([...first.history.loss, ...rest.history.loss]).toEqual(all.history.loss);
    expect(c.optimizer!.learningRate).toBe(a.optimizer!.learningRate);
    for (const m of [a, b, c]) m.dispose();
  });

  it('bad schedule options are typed errors', () => {
    expect(() => new StepLR({ stepSize: 0 })).toThrow(expect.objectContaining({ argument: 'stepSize' }));
    expect(() => new ReduceLROnPlateau({ factor: 2 })).toThrow(expect.objectContaining({ argument: 'factor' }));
    expect(() => new Adam({ schedule: {} as never })).toThrow(expect.objectContaining({ argument: 'schedule' }));
  });
});

describe('freezing', () => {
  it('trainable = false: no update and no optimizer state; the setting is saved', async () => {
    const m = model(),
      lstm = m.layers[0] as LSTM,
      before = lstm.stateDict();
    lstm.trainable = false;
    await m.fit(data.x, data.y, { epochs: 1, batchSize: 32 });
    const after = lstm.stateDict();
    for (const k of Object.keys(before)) expect(after[k]!.data).toEqual(before[k]!.data);
    expect(m.optimizer!.stepsFor(lstm)).toBe(0);
    expect(m.optimizer!.stepsFor(m.layers[1]!)).toBe(3);
    const back = await Sequential.load(m.save());
    expect((back.layers[0] as LSTM).trainable).toBe(false);
    back.dispose();
    m.dispose();
  });

  it('a frozen Embedding (e.g. pretrained vectors) stays as it is while the rest trains', async () => {
    const { Embedding } = await import('../src/index.js');
    const emb = new Embedding({ numEmbeddings: 5, embeddingDim: 3, trainable: false });
    const m = new Sequential([
      emb,
      new LSTM({ inputSize: 3, hiddenSize: 4 }),
      new Dense({ inputSize: 4, outputSize: 5, activation: 'softmax' }),
    ]);
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: new Adam({ learningRate: 0.05 }) });
    const before = emb.stateDict().weight!.data.slice(),
      lstmBefore = m.layers[1]!.stateDict().weight_ih_l0!.data.slice();
    await m.fit(
      { data: new Float32Array([1, 2, 3, 4, 0, 1, 2, 3]), shape: [2, 4] },
      { data: new Float32Array([4, 0]), shape: [2] },
      { epochs: 2 },
    );
    expect(emb.stateDict().weight!.data).toEqual(before);
    expect(m.layers[1]!.stateDict().weight_ih_l0!.data).not.toEqual(lstmBefore);
    expect(m.optimizer!.stepsFor(emb)).toBe(0);
    m.dispose();
  });

  it('freezing single parameters by name: they stay, the rest train, clipping sees only the trainable ones', async () => {
    const opt = new SGD({ learningRate: 0.1, clipNorm: 1e9 }),
      m = model(opt),
      lstm = m.layers[0] as LSTM;
    lstm.freezeParameters(['bias_hh_l0', 'weight_hh_l0']);
    const before = lstm.stateDict();
    let norm = 0;
    m.trainOnBatch(
      { data: data.x.data.subarray(0, 8 * 20), shape: [8, 10, 2] },
      { data: data.y.data.subarray(0, 8), shape: [8, 1] },
    );
    for (const l of m.layers)
      for (const [k, t] of Object.entries(l.gradients()))
        if (!k.endsWith('hh_l0')) for (const v of t.data) norm += v * v;
    expect(opt.lastGradNorm).toBeCloseTo(Math.sqrt(norm), 5);
    const after = lstm.stateDict();
    expect(after.bias_hh_l0!.data).toEqual(before.bias_hh_l0!.data);
    expect(after.weight_hh_l0!.data).toEqual(before.weight_hh_l0!.data);
    expect(after.weight_ih_l0!.data).not.toEqual(before.weight_ih_l0!.data);
    expect(after.bias_ih_l0!.data).not.toEqual(before.bias_ih_l0!.data);
    const back = await Sequential.load(m.save());
    expect((back.layers[0] as LSTM).frozenParameters).toEqual(['bias_hh_l0', 'weight_hh_l0']);
    back.dispose();
    expect(() => lstm.freezeParameters(['bias_hh_l9'])).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'frozenParameters' }),
    );
    const d = new Dense({ inputSize: 2, outputSize: 2, frozenParameters: ['bias'] });
    expect(d.config()).toMatchObject({ frozenParameters: ['bias'] });
    d.dispose();
    m.dispose();
  });
});
