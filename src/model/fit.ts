// The training loop of Sequential.fit: epochs of shuffled batches, truncated BPTT, a validation
// split, the epoch logs and history. The model supplies the steps (a Trainer); this file only
// schedules them.
import { checkSeed, describe, LSTMError, checkBool } from '../errors.js';
import { checkLengths } from '../layers/recurrent-checks.js';
import { mulberry32 } from '../random.js';
import { shapeString, type Tensor } from '../tensor.js';
import { rows } from './batches.js';
import type { Callback, TrainedModel } from './callbacks.js';
import type { LossResult } from './losses.js';

/** What fit reports after each epoch (to onEpochEnd, callbacks and schedules). */
export interface EpochLogs {
  /** Mean training loss over the epoch's samples (each batch's loss before its update). */
  loss: number;
  /** Training accuracy (with `metrics: ['accuracy']` and a classification loss). */
  accuracy?: number;
  /** Loss on the validation split (with `validationSplit`), after the epoch's updates. */
  valLoss?: number;
  /** Accuracy on the validation split. */
  valAccuracy?: number;
  /** Wall time of the epoch, seconds. */
  seconds: number;
  /** Keras' name for valLoss (the same value). */
  val_loss?: number;
  /** Keras' name for valAccuracy (the same value). */
  val_accuracy?: number;
  /** onNonFinite 'skipBatch': batches of this epoch that were skipped (their loss is left out). */
  skippedBatches?: number;
}

/** The keys of {@link FitOptions}. */
export const FIT_OPTION_KEYS: readonly string[] = [
  'epochs',
  'batchSize',
  'shuffle',
  'validationSplit',
  'seed',
  'lengths',
  'tbptt',
  'onNonFinite',
  'callbacks',
  'onEpochEnd',
  'onBatchEnd',
];

/** Options of {@link Sequential.fit}. */
export interface FitOptions {
  /** Passes over the training samples; an integer ≥ 1, default 1. */
  epochs?: number;
  /** Samples per update; an integer ≥ 1, default 32 (capped at the number of samples). */
  batchSize?: number;
  /** Shuffle the training samples before every epoch (seeded by `seed`). Default true. */
  shuffle?: boolean;
  /** Fraction of samples, taken from the end as in Keras, held out for validation. */
  validationSplit?: number;
  /** Seed of the shuffling (same seed, same data -> bit-identical losses); an integer in [0, 2^32 − 1],
   *  default 1. */
  seed?: number;
  /** Per-sequence lengths [N] of a padded x: padded steps neither update state nor count in the loss. */
  lengths?: ArrayLike<number>;
  /** Truncated BPTT: each batch runs in windows of k steps, one update per window, with the
   *  LSTM state carried (detached) from window to window. With per-step targets [N, T, …] every
   *  window has a loss; with one target per sequence only the last window does. */
  tbptt?: {
    /** Steps per window; an integer ≥ 1. */
    k: number;
  };
  /** A batch whose loss or gradients are NaN or infinite never updates the weights. Then:
   *  'throw' (default) rejects with NON_FINITE naming the epoch and batch (PyTorch's
   *  error_if_nonfinite); 'stop' ends training and resolves, with `history.stopped` set (Keras'
   *  TerminateOnNaN); 'skipBatch' goes on with the next batch (counted in `logs.skippedBatches`). */
  onNonFinite?: 'throw' | 'stop' | 'skipBatch';
  /** Keras-style callbacks (EarlyStopping, ModelCheckpoint, or your own hooks), called in order. */
  callbacks?: Callback[];
  /** Called after each epoch (from 0) with its logs, before the callbacks; awaited. */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
  /** Called after each batch (from 0 within the epoch) with its loss and the batches per epoch. */
  onBatchEnd?: (batch: number, logs: { loss: number; batches: number }) => void;
}

/** What {@link Sequential.fit} resolves to. */
export interface History {
  /** Per epoch, in order: training loss and, when measured, accuracy and the validation metrics. */
  history: {
    /** Training loss per epoch. */
    loss: number[];
    /** Training accuracy per epoch (empty unless measured). */
    accuracy: number[];
    /** Validation loss per epoch (empty without validationSplit). */
    valLoss: number[];
    /** Validation accuracy per epoch (empty unless measured). */
    valAccuracy: number[];
  };
  /** Epochs run (fewer than asked when training was stopped). */
  epochs: number;
  /** onNonFinite 'stop': where training stopped (0-based), and why. */
  stopped?: {
    /** The epoch of the non-finite batch (from 0); it has no logs. */
    epoch: number;
    /** The batch within it (from 0). */
    batch: number;
    /** The NON_FINITE error's message. */
    reason: string;
  };
}

const ON_NON_FINITE = ['throw', 'stop', 'skipBatch'] as const;

/** What fit needs from the model. */
export interface Trainer {
  step(x: Tensor, y: Tensor, lengths: Int32Array | undefined): LossResult;
  stepTbptt(x: Tensor, y: Tensor, k: number): LossResult;
  evaluate(
    x: Tensor,
    y: Tensor,
    batchSize: number,
    lengths: Int32Array | undefined,
  ): { loss: number; accuracy?: number };
  /** After every epoch (the optimizer's learning-rate schedule). */
  endEpoch(logs: EpochLogs): void;
  readonly metrics: readonly string[];
  /** The model, for callbacks (and stopTraining). */
  readonly model: TrainedModel;
}

function checkCallbacks(callbacks: unknown): Callback[] {
  if (callbacks === undefined) return [];
  if (!Array.isArray(callbacks) || callbacks.some((c) => c === null || typeof c !== 'object')) {
    throw new LSTMError('INVALID_ARGUMENT', 'callbacks must be a list of objects', {
      argument: 'callbacks',
      expected: 'Callback[]',
      actual: describe(callbacks),
    });
  }
  return callbacks as Callback[];
}

export function positiveInt(argument: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new LSTMError('INVALID_ARGUMENT', 'must be a positive integer', {
      argument,
      expected: 'an integer ≥ 1',
      actual: describe(v),
    });
  }
  return v;
}

export async function fitLoop(trainer: Trainer, X: Tensor, Y: Tensor, options: FitOptions): Promise<History> {
  const N = X.shape[0]!;
  if (Y.shape[0] !== N) {
    throw new LSTMError('SHAPE_MISMATCH', 'x and y have different numbers of samples', {
      argument: 'y',
      expected: `${N} samples`,
      actual: `${Y.shape[0]}`,
    });
  }
  const epochs = positiveInt('epochs', options.epochs ?? 1);
  const batchSize = Math.min(positiveInt('batchSize', options.batchSize ?? 32), N);
  const split = options.validationSplit ?? 0;
  if (typeof split !== 'number' || !(split >= 0 && split < 1)) {
    throw new LSTMError('INVALID_ARGUMENT', 'must be in [0, 1)', {
      argument: 'validationSplit',
      expected: 'a fraction in [0, 1)',
      actual: describe(split),
    });
  }
  const nVal = Math.floor(N * split),
    nTrain = N - nVal;
  if (nTrain < 1) {
    throw new LSTMError('INVALID_ARGUMENT', 'no training samples left after the validation split', {
      argument: 'validationSplit',
      expected: `fewer than ${N} validation samples`,
      actual: `${nVal}`,
    });
  }
  const lengths = options.lengths === undefined ? undefined : checkLengths(options.lengths, N, X.shape[1] ?? 0);
  if (options.tbptt !== undefined) {
    positiveInt('tbptt.k', options.tbptt?.k);
    if (X.shape.length < 2 || lengths !== undefined) {
      throw new LSTMError('INVALID_ARGUMENT', 'truncated BPTT needs unpadded sequences [N, T, …]', {
        argument: 'tbptt',
        expected: 'x of rank ≥ 2, no lengths',
        actual: shapeString(X.shape),
      });
    }
  }
  const onNonFinite = options.onNonFinite ?? 'throw';
  if (!ON_NON_FINITE.includes(onNonFinite)) {
    throw new LSTMError('INVALID_ARGUMENT', 'unknown onNonFinite', {
      argument: 'onNonFinite',
      expected: ON_NON_FINITE.map((m) => `'${m}'`).join(' | '),
      actual: describe(onNonFinite),
    });
  }
  for (const f of ['onEpochEnd', 'onBatchEnd'] as const) {
    if (options[f] !== undefined && typeof options[f] !== 'function') {
      throw new LSTMError('INVALID_ARGUMENT', 'must be a function', {
        argument: f,
        expected: 'a function',
        actual: describe(options[f]),
      });
    }
  }
  checkBool('shuffle', options.shuffle, true);
  const rng = mulberry32(checkSeed('seed', options.seed));
  const order = Int32Array.from({ length: nTrain }, (_, i) => i);
  const valIndex = Int32Array.from({ length: nVal }, (_, i) => nTrain + i);
  const history: History['history'] = { loss: [], accuracy: [], valLoss: [], valAccuracy: [] };
  const pick = (idx: Int32Array, from: number, to: number) =>
    lengths ? Int32Array.from(idx.subarray(from, to), (i) => lengths[i]!) : undefined;
  const wantAcc = trainer.metrics.includes('accuracy');
  const callbacks = checkCallbacks(options.callbacks);
  const model = trainer.model;
  model.stopTraining = false;
  for (const c of callbacks) c.setModel?.(model);
  for (const c of callbacks) await c.onTrainBegin?.({});
  let last: EpochLogs | Record<string, never> = {};
  let epochsRun = 0;
  let stopped: History['stopped'];
  for (let epoch = 0; epoch < epochs && !model.stopTraining; epoch++) {
    for (const c of callbacks) await c.onEpochBegin?.(epoch);
    const t0 = performance.now();
    if (options.shuffle ?? true) {
      for (let i = nTrain - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
    }
    let sum = 0,
      seen = 0,
      correct = 0,
      counted = 0,
      skipped = 0;
    const batches = Math.ceil(nTrain / batchSize);
    for (let b = 0; b < batches && !model.stopTraining; b++) {
      for (const c of callbacks) c.onBatchBegin?.(b);
      const from = b * batchSize,
        to = Math.min(nTrain, from + batchSize);
      const xb = rows(X, order, from, to),
        yb = rows(Y, order, from, to);
      let r: LossResult;
      try {
        r = options.tbptt ? trainer.stepTbptt(xb, yb, options.tbptt.k) : trainer.step(xb, yb, pick(order, from, to));
      } catch (e) {
        if (!(e instanceof LSTMError) || e.code !== 'NON_FINITE') throw e;
        if (onNonFinite === 'skipBatch') {
          skipped++;
          continue;
        }
        if (onNonFinite === 'stop') {
          stopped = { epoch, batch: b, reason: e.message };
          break;
        }
        throw new LSTMError('NON_FINITE', `training stopped at epoch ${epoch}, batch ${b}: ${e.message}`, {
          argument: `epoch ${epoch}, batch ${b}`,
          expected: e.expected,
          actual: `${e.argument}: ${e.actual}`,
        });
      }
      sum += r.loss * (to - from);
      seen += to - from;
      if (r.correct !== null) {
        correct += r.correct;
        counted += r.count;
      }
      options.onBatchEnd?.(b, { loss: r.loss, batches });
      for (const c of callbacks) c.onBatchEnd?.(b, { loss: r.loss, batches });
    }
    if (stopped) break; // the unfinished epoch has no logs
    const logs: EpochLogs = { loss: seen ? sum / seen : Number.NaN, seconds: 0 };
    if (skipped) logs.skippedBatches = skipped;
    if (wantAcc && counted) logs.accuracy = correct / counted;
    if (nVal) {
      const v = trainer.evaluate(
        rows(X, valIndex, 0, nVal),
        rows(Y, valIndex, 0, nVal),
        batchSize,
        pick(valIndex, 0, nVal),
      );
      logs.valLoss = logs.val_loss = v.loss;
      if (wantAcc && v.accuracy !== undefined) logs.valAccuracy = logs.val_accuracy = v.accuracy;
    }
    logs.seconds = (performance.now() - t0) / 1000;
    history.loss.push(logs.loss);
    if (logs.accuracy !== undefined) history.accuracy.push(logs.accuracy);
    if (logs.valLoss !== undefined) history.valLoss.push(logs.valLoss);
    if (logs.valAccuracy !== undefined) history.valAccuracy.push(logs.valAccuracy);
    trainer.endEpoch(logs);
    await options.onEpochEnd?.(epoch, logs);
    for (const c of callbacks) await c.onEpochEnd?.(epoch, logs);
    last = logs;
    epochsRun++;
    await new Promise((resolve) => setTimeout(resolve, 0)); // let a UI or a signal in between epochs
  }
  for (const c of callbacks) await c.onTrainEnd?.(last);
  return stopped ? { history, epochs: epochsRun, stopped } : { history, epochs: epochsRun };
}
