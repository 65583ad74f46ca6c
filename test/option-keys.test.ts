// Options objects take only the keys they document: a misspelt option is INVALID_ARGUMENT naming it,
// never a silent default (`bidirectonal: true` used to build a one-direction layer). Model files have
// refused unknown config keys since the reliability work; the constructors and calls now do the same.
// Keys whose value is undefined pass (a spread of optional fields).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ActivationLayer,
  Adam,
  AdamW,
  CosineAnnealingLR,
  Dense,
  Dropout,
  EarlyStopping,
  Embedding,
  ExponentialLR,
  GRU,
  init,
  LSTM,
  LSTMError,
  Masking,
  ModelCheckpoint,
  ReduceLROnPlateau,
  RMSprop,
  SGD,
  Sequential,
  SimpleRNN,
  StepLR,
} from '../src/index.js';

/** The error `f` throws, as { code, argument }, or 'no error'. */
function codeOf(f: () => unknown): { code: string; argument?: string } | string {
  try {
    f();
  } catch (e) {
    if (e instanceof LSTMError) return { code: e.code, argument: e.argument };
    throw e;
  }
  return 'no error';
}

async function rejection(p: () => Promise<unknown>): Promise<{ code: string; argument?: string } | string> {
  try {
    await p();
  } catch (e) {
    if (e instanceof LSTMError) return { code: e.code, argument: e.argument };
    throw e;
  }
  return 'no error';
}

const unknown = (argument: string) => ({ code: 'INVALID_ARGUMENT', argument });

describe('unknown option keys are INVALID_ARGUMENT naming the key', () => {
  beforeAll(async () => {
    await init();
  });

  it('layer constructors', () => {
    const cases: [() => unknown, string][] = [
      [() => new LSTM({ inputSize: 2, hiddenSize: 3, bidirectonal: true } as never), 'bidirectonal'],
      [() => new LSTM({ inputSize: 2, hiddenSize: 3, resetAfter: false } as never), 'resetAfter'], // a GRU option
      [() => new GRU({ inputSize: 2, hiddenSize: 3, peephole: true } as never), 'peephole'],
      [() => new SimpleRNN({ inputSize: 2, hiddenSize: 3, units: 4 } as never), 'units'],
      [() => new Dense({ inputSize: 2, outputSize: 3, activaton: 'relu' } as never), 'activaton'],
      [() => new Embedding({ numEmbeddings: 5, embeddingDim: 3, mask_zero: true } as never), 'mask_zero'],
      [() => new Dropout({ rate: 0.1, training: true } as never), 'training'],
      [() => new Masking({ mask_value: 0 } as never), 'mask_value'],
      [() => new ActivationLayer({ activation: 'relu', alpha: 1 } as never), 'alpha'],
    ];
    for (const [f, key] of cases) expect(codeOf(f), key).toEqual(unknown(key));
  });

  it('optimizers, schedules and callbacks', () => {
    const cases: [() => unknown, string][] = [
      [() => new SGD({ learningRate: 0.1, momentun: 0.9 } as never), 'momentun'],
      [() => new SGD({ lr: 0.1 } as never), 'lr'],
      [() => new Adam({ beta_1: 0.9 } as never), 'beta_1'],
      [() => new AdamW({ nesterov: true } as never), 'nesterov'], // an SGD option
      [() => new RMSprop({ rho: 0.9 } as never), 'rho'],
      [() => new StepLR({ stepSize: 2, gama: 0.5 } as never), 'gama'],
      [() => new ExponentialLR({ gamma: 0.9, stepSize: 1 } as never), 'stepSize'],
      [() => new CosineAnnealingLR({ tMax: 5, T_max: 5 } as never), 'T_max'],
      [() => new ReduceLROnPlateau({ min_lr: 0 } as never), 'min_lr'],
      [() => new EarlyStopping({ patience: 2, restore_best_weights: true } as never), 'restore_best_weights'],
      [() => new ModelCheckpoint({ save: () => {}, save_best_only: true } as never), 'save_best_only'],
    ];
    for (const [f, key] of cases) expect(codeOf(f), key).toEqual(unknown(key));
  });

  it('calls: forward, backward, quantize, compile, fit, predict, evaluate, trainOnBatch, save, generate, init', async () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, returnSequences: true });
    const x = new Float32Array(2 * 4 * 2);
    expect(codeOf(() => lstm.forward(x, { batch: 2, step: 4 } as never))).toEqual(unknown('step'));
    lstm.forward(x, { batch: 2, steps: 4 });
    expect(codeOf(() => lstm.backward(new Float32Array(2 * 4 * 3), { dh0: null } as never))).toEqual(unknown('dh0'));
    expect(codeOf(() => lstm.quantize({ weights: 'int8', bits: 8 } as never))).toEqual(unknown('bits'));
    lstm.dispose();

    const m = new Sequential([
      new Embedding({ numEmbeddings: 5, embeddingDim: 3 }),
      new LSTM({ inputSize: 3, hiddenSize: 4 }),
      new Dense({ inputSize: 4, outputSize: 5, activation: 'softmax' }),
    ]);
    expect(codeOf(() => m.compile({ loss: 'sparseCategoricalCrossentropy', optimiser: new SGD() } as never))).toEqual(
      unknown('optimiser'),
    );
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: new SGD() });
    const xs = { data: new Float32Array([1, 2, 3, 4, 0, 1, 2, 3]), shape: [2, 4] },
      ys = { data: new Float32Array([1, 2]), shape: [2] };
    expect(await rejection(() => m.fit(xs, ys, { epochs: 1, batch_size: 2 } as never))).toEqual(unknown('batch_size'));
    expect(codeOf(() => m.predict(xs, { batch: 2 } as never))).toEqual(unknown('batch'));
    expect(codeOf(() => m.evaluate(xs, ys, { verbose: 0 } as never))).toEqual(unknown('verbose'));
    expect(codeOf(() => m.trainOnBatch(xs, ys, { batchSize: 2 } as never))).toEqual(unknown('batchSize'));
    expect(codeOf(() => m.save({ dtype: 'f16', compress: true } as never))).toEqual(unknown('compress'));
    expect(codeOf(() => m.generate({ prompt: [1], steps: 2, temp: 1 } as never))).toEqual(unknown('temp'));
    expect(await rejection(() => init({ thread: 2 } as never))).toEqual(unknown('thread'));
    // nothing above changed the model: it still trains and predicts
    const history = await m.fit(xs, ys, { epochs: 1, batchSize: 2 });
    expect(history.history.loss).toHaveLength(1);
    m.dispose();
  });

  it('keys set to undefined pass, and every config() builds its layer again', () => {
    const dense = new Dense({ inputSize: 2, outputSize: 3, extra: undefined } as never);
    const layers = [
      new LSTM({ inputSize: 2, hiddenSize: 3, peephole: true, bidirectional: true, cellClip: 3 }),
      new GRU({ inputSize: 2, hiddenSize: 3, resetAfter: false, recurrentActivation: 'hardSigmoid' }),
      new SimpleRNN({ inputSize: 2, hiddenSize: 3, nonlinearity: 'relu', goBackwards: true }),
      dense,
      new Embedding({ numEmbeddings: 5, embeddingDim: 3, maskZero: true }),
      new Dropout({ rate: 0.2 }),
      new Masking({ maskValue: -1 }),
      new ActivationLayer({ activation: 'tanh' }),
    ];
    const ctors: Record<string, new (o: never) => { config(): Record<string, unknown>; dispose(): void }> = {
      LSTM,
      GRU,
      SimpleRNN,
      Dense,
      Embedding,
      Dropout,
      Masking,
      Activation: ActivationLayer,
    } as never;
    for (const l of layers) {
      const kind = (l as unknown as { kind: string }).kind;
      const again = new ctors[kind]!(l.config() as never);
      expect(again.config(), kind).toEqual(l.config());
      again.dispose();
      l.dispose();
    }
    for (const o of [new SGD({ momentum: 0.9 }), new Adam({ beta1: 0.8 }), new RMSprop({ alpha: 0.9 })]) {
      const { kind, options } = o.config() as { kind: string; options: Record<string, unknown> };
      const Ctor = { SGD, Adam, RMSprop }[kind as 'SGD'] as new (o: never) => { config(): unknown };
      expect(new Ctor(options as never).config()).toEqual(o.config());
    }
  });
});
