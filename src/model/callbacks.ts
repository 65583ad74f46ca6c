// Training callbacks as Keras users know them: hooks around training, epochs and batches, plus
// EarlyStopping and ModelCheckpoint. fit calls setModel(model) on each before training starts.
import { checkOptionKeys, describe, LSTMError } from '../errors.js';
import type { StateDict } from '../tensor.js';
import type { EpochLogs } from './fit.js';

/** What callbacks may use of the model being trained (the {@link Sequential} itself). */
export interface TrainedModel {
  /** Set to true (from any hook) to end fit cleanly after the current batch; fit returns the history so far. */
  stopTraining: boolean;
  /** Every layer's parameters ({@link Sequential.stateDict}). */
  stateDict(): StateDict;
  /** Load every layer's parameters ({@link Sequential.loadStateDict}). */
  loadStateDict(dict: StateDict): void;
  /** The model file's bytes ({@link Sequential.save}). */
  save(): Uint8Array;
  /** Node: write the model file ({@link Sequential.saveFile}). */
  saveFile(path: string): Promise<void>;
}

/** What a batch hook sees. */
export interface BatchLogs {
  /** The batch's loss (before its update). */
  loss: number;
  /** Batches per epoch. */
  batches: number;
}

/**
 * Hooks fit calls, Keras' callbacks: each is optional; fit awaits the ones that return a promise
 * (batch hooks run synchronously). Epochs and batches count from 0. A hook that throws rejects fit;
 * to end training cleanly, set `model.stopTraining = true` instead.
 *
 * @example
 * ```ts
 * const logger: Callback = { onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss, logs.val_loss) };
 * await model.fit(x, y, { epochs: 50, validationSplit: 0.1, callbacks: [logger, new EarlyStopping({ patience: 5 })] });
 * ```
 */
export interface Callback {
  /** Called by fit before training with the model being trained. */
  setModel?(model: TrainedModel): void;
  /** Before the first epoch. */
  onTrainBegin?(logs: Record<string, never>): void | Promise<void>;
  /** After the last epoch (also when stopped), with the last finished epoch's logs (`{}` if none). */
  onTrainEnd?(logs: EpochLogs | Record<string, never>): void | Promise<void>;
  /** Before each epoch. */
  onEpochBegin?(epoch: number): void | Promise<void>;
  /** After each epoch, with its logs (validation included). */
  onEpochEnd?(epoch: number, logs: EpochLogs): void | Promise<void>;
  /** Before each batch. */
  onBatchBegin?(batch: number): void;
  /** After each batch's update. */
  onBatchEnd?(batch: number, logs: BatchLogs): void;
}

/** A metric from the epoch logs by its Keras or camelCase name ('val_loss' = 'valLoss'). */
export function metricOf(logs: EpochLogs, name: string): number | undefined {
  const l = logs as unknown as Record<string, number | undefined>;
  const camel = name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
  return l[name] ?? l[camel];
}

/** Whether the monitored metric improves downwards ('min') or upwards ('max'); 'auto': 'max' for
 *  names containing 'acc' (any case), else 'min'. */
export type MonitorMode = 'min' | 'max' | 'auto';

function direction(monitor: string, mode: MonitorMode): 'min' | 'max' {
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max') {
    throw new LSTMError('INVALID_ARGUMENT', 'unknown mode', {
      argument: 'mode',
      expected: "'auto' | 'min' | 'max'",
      actual: describe(mode),
    });
  }
  return mode === 'auto' ? (/acc/i.test(monitor) ? 'max' : 'min') : mode;
}

function monitored(logs: EpochLogs, monitor: string): number {
  const v = metricOf(logs, monitor);
  if (v === undefined) {
    throw new LSTMError('INVALID_ARGUMENT', 'the monitored metric is not in the epoch logs', {
      argument: 'monitor',
      expected: Object.keys(logs).join(', '),
      actual: monitor,
    });
  }
  return v;
}

/** Options of {@link EarlyStopping}. */
export interface EarlyStoppingOptions {
  /** The metric of the epoch logs to watch, by Keras or camelCase name. Default 'val_loss' (fit needs a
   *  validationSplit for it); a name missing from the logs is `INVALID_ARGUMENT` at the epoch's end. */
  monitor?: string;
  /** An improvement must be larger than this. Default 0. */
  minDelta?: number;
  /** Epochs without improvement before stopping (Keras: it stops once `patience` epochs in a row did
   *  not improve; 0 stops at the first). Default 0. */
  patience?: number;
  /** Default 'auto'. */
  mode?: MonitorMode;
  /** At the end of training, put back the weights of the best epoch. Default false. */
  restoreBestWeights?: boolean;
}

/**
 * Stops training once `monitor` has not improved for `patience` epochs (Keras' EarlyStopping).
 * @example
 * ```ts
 * const stop = new EarlyStopping({ monitor: 'val_loss', patience: 5, restoreBestWeights: true });
 * const history = await model.fit(x, y, { epochs: 200, validationSplit: 0.2, callbacks: [stop] });
 * console.log(history.epochs, stop.bestEpoch, stop.best);
 * ```
 */
export class EarlyStopping implements Callback {
  /** The watched metric. */
  readonly monitor: string;
  /** Improvement that counts (absolute). */
  readonly minDelta: number;
  /** Epochs without improvement before stopping. */
  readonly patience: number;
  /** The resolved direction ('auto' decided). */
  readonly mode: 'min' | 'max';
  /** Put back the best epoch's weights at the end? */
  readonly restoreBestWeights: boolean;
  /** The epoch training stopped at (−1: it did not stop early). */
  stoppedEpoch = -1;
  /** The epoch of the best value (−1 before the first). */
  bestEpoch = -1;
  /** The best value seen (NaN before the first epoch). */
  best = Number.NaN;
  #wait = 0;
  #bestWeights: StateDict | null = null;
  #model: TrainedModel | null = null;

  /** @throws {@link LSTMError} `INVALID_ARGUMENT` for a patience that is not an integer ≥ 0, a minDelta
   *  that is not finite, or an unknown mode. */
  constructor(options: EarlyStoppingOptions = {}) {
    checkOptionKeys(options, ['monitor', 'minDelta', 'patience', 'mode', 'restoreBestWeights']);
    this.monitor = options.monitor ?? 'val_loss';
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.patience = options.patience ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0) {
      throw new LSTMError('INVALID_ARGUMENT', 'must be an integer ≥ 0', {
        argument: 'patience',
        expected: 'an integer ≥ 0',
        actual: describe(this.patience),
      });
    }
    if (!Number.isFinite(this.minDelta)) {
      throw new LSTMError('INVALID_ARGUMENT', 'must be a finite number', {
        argument: 'minDelta',
        expected: 'a number ≥ 0',
        actual: describe(options.minDelta),
      });
    }
    this.mode = direction(this.monitor, options.mode ?? 'auto');
    this.restoreBestWeights = options.restoreBestWeights === true;
  }

  /** Called by fit. */
  setModel(model: TrainedModel): void {
    this.#model = model;
  }

  /** Resets the count, so one instance can serve several fits. */
  onTrainBegin(): void {
    this.#wait = 0;
    this.stoppedEpoch = -1;
    this.bestEpoch = -1;
    this.best = Number.NaN;
    this.#bestWeights = null;
  }

  /** Compares the monitored value with the best so far; stops the model after `patience` epochs without
   *  improvement. */
  onEpochEnd(epoch: number, logs: EpochLogs): void {
    const v = monitored(logs, this.monitor);
    const improved =
      Number.isNaN(this.best) || (this.mode === 'min' ? v < this.best - this.minDelta : v > this.best + this.minDelta);
    if (improved) {
      this.best = v;
      this.bestEpoch = epoch;
      this.#wait = 0;
      if (this.restoreBestWeights && this.#model) this.#bestWeights = this.#model.stateDict();
      return;
    }
    this.#wait++;
    if (this.#wait >= this.patience && this.#model) {
      this.stoppedEpoch = epoch;
      this.#model.stopTraining = true;
    }
  }

  /** Restores the best weights when asked to. */
  onTrainEnd(): void {
    if (this.restoreBestWeights && this.#bestWeights && this.#model) this.#model.loadStateDict(this.#bestWeights);
  }
}

/** Options of {@link ModelCheckpoint}: exactly one of `path` and `save`. */
export interface ModelCheckpointOptions {
  /** Node: the file to write (`{epoch}` is replaced by the epoch number, from 1), atomically. */
  path?: string;
  /** Anywhere: called with the saved model's bytes ({@link Sequential.save}), the epoch (from 0) and its logs. */
  save?: (bytes: Uint8Array, epoch: number, logs: EpochLogs) => void | Promise<void>;
  /** Only when `monitor` improves. Default false (every epoch). */
  saveBestOnly?: boolean;
  /** The metric saveBestOnly watches. Default 'val_loss'. */
  monitor?: string;
  /** Default 'auto'. */
  mode?: MonitorMode;
}

/**
 * Saves the model after every epoch, or only when it improves (Keras' ModelCheckpoint).
 * @example
 * ```ts
 * new ModelCheckpoint({ path: 'ckpt-{epoch}.safetensors', saveBestOnly: true }); // Node
 * new ModelCheckpoint({ save: async (bytes, epoch) => void (await fetch(`/ckpt/${epoch}`, { method: 'PUT', body: bytes })) });
 * ```
 */
export class ModelCheckpoint implements Callback {
  /** The file pattern, if saving to files. */
  readonly path: string | undefined;
  /** Only when the metric improves? */
  readonly saveBestOnly: boolean;
  /** The metric saveBestOnly watches. */
  readonly monitor: string;
  /** The resolved direction. */
  readonly mode: 'min' | 'max';
  /** The best value seen (saveBestOnly; NaN before the first save). */
  best = Number.NaN;
  readonly #save: ModelCheckpointOptions['save'];
  #model: TrainedModel | null = null;

  /** @throws {@link LSTMError} `INVALID_ARGUMENT` unless exactly one of path (a string) and save (a
   *  function) is given; for an unknown mode. */
  constructor(options: ModelCheckpointOptions) {
    if (
      options === null ||
      typeof options !== 'object' ||
      (options.path === undefined) === (options.save === undefined)
    ) {
      throw new LSTMError('INVALID_ARGUMENT', 'give a path or a save function', {
        argument: 'options',
        expected: '{ path } or { save }',
        actual: describe(options),
      });
    }
    checkOptionKeys(options, ['path', 'save', 'saveBestOnly', 'monitor', 'mode']);
    if (options.path !== undefined && typeof options.path !== 'string') {
      throw new LSTMError('INVALID_ARGUMENT', 'must be a string', {
        argument: 'path',
        expected: 'a file path',
        actual: describe(options.path),
      });
    }
    if (options.save !== undefined && typeof options.save !== 'function') {
      throw new LSTMError('INVALID_ARGUMENT', 'must be a function', {
        argument: 'save',
        expected: '(bytes, epoch, logs) => void',
        actual: describe(options.save),
      });
    }
    this.path = options.path;
    this.#save = options.save;
    this.saveBestOnly = options.saveBestOnly === true;
    this.monitor = options.monitor ?? 'val_loss';
    this.mode = direction(this.monitor, options.mode ?? 'auto');
  }

  /** Called by fit. */
  setModel(model: TrainedModel): void {
    this.#model = model;
  }

  /** Saves the model (when it improved, with saveBestOnly). */
  async onEpochEnd(epoch: number, logs: EpochLogs): Promise<void> {
    const model = this.#model;
    if (!model) return;
    if (this.saveBestOnly) {
      const v = monitored(logs, this.monitor);
      if (!Number.isNaN(this.best) && !(this.mode === 'min' ? v < this.best : v > this.best)) return;
      this.best = v;
    }
    if (this.path !== undefined) await model.saveFile(this.path.replaceAll('{epoch}', String(epoch + 1)));
    else await this.#save!(model.save(), epoch, logs);
  }
}
