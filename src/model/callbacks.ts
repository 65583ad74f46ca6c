// Training callbacks as Keras users know them: hooks around training, epochs and batches, plus
// EarlyStopping and ModelCheckpoint. fit calls setModel(model) on each before training starts.
import { describe, LSTMError } from '../errors.js';
import type { StateDict } from '../tensor.js';
import type { EpochLogs } from './fit.js';

/** What callbacks may use of the model being trained. */
export interface TrainedModel {
  /** Set to true (from any hook) to end fit cleanly after the current batch; fit returns the history so far. */
  stopTraining: boolean;
  stateDict(): StateDict;
  loadStateDict(dict: StateDict): void;
  save(): Uint8Array;
  saveFile(path: string): Promise<void>;
}

export interface BatchLogs {
  loss: number;
  batches: number;
}

export interface Callback {
  setModel?(model: TrainedModel): void;
  onTrainBegin?(logs: Record<string, never>): void | Promise<void>;
  onTrainEnd?(logs: EpochLogs | Record<string, never>): void | Promise<void>;
  onEpochBegin?(epoch: number): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: EpochLogs): void | Promise<void>;
  onBatchBegin?(batch: number): void;
  onBatchEnd?(batch: number, logs: BatchLogs): void;
}

/** A metric from the epoch logs by its Keras or camelCase name ('val_loss' = 'valLoss'). */
export function metricOf(logs: EpochLogs, name: string): number | undefined {
  const l = logs as unknown as Record<string, number | undefined>;
  const camel = name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
  return l[name] ?? l[camel];
}

type Mode = 'min' | 'max' | 'auto';

function direction(monitor: string, mode: Mode): 'min' | 'max' {
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

export interface EarlyStoppingOptions {
  /** Default 'val_loss'. */
  monitor?: string;
  /** An improvement must be larger than this. Default 0. */
  minDelta?: number;
  /** Epochs without improvement before stopping (Keras: it stops once `patience` epochs in a row did
   *  not improve; 0 stops at the first). Default 0. */
  patience?: number;
  mode?: Mode;
  /** At the end of training, put back the weights of the best epoch. Default false. */
  restoreBestWeights?: boolean;
}

/** Stops training once `monitor` has not improved for `patience` epochs (Keras' EarlyStopping). */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: 'min' | 'max';
  readonly restoreBestWeights: boolean;
  /** The epoch training stopped at (−1: it did not stop early). */
  stoppedEpoch = -1;
  bestEpoch = -1;
  best = Number.NaN;
  #wait = 0;
  #bestWeights: StateDict | null = null;
  #model: TrainedModel | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
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

  setModel(model: TrainedModel): void {
    this.#model = model;
  }

  onTrainBegin(): void {
    this.#wait = 0;
    this.stoppedEpoch = -1;
    this.bestEpoch = -1;
    this.best = Number.NaN;
    this.#bestWeights = null;
  }

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

  onTrainEnd(): void {
    if (this.restoreBestWeights && this.#bestWeights && this.#model) this.#model.loadStateDict(this.#bestWeights);
  }
}

export interface ModelCheckpointOptions {
  /** Node: the file to write (`{epoch}` is replaced by the epoch number, from 1). */
  path?: string;
  /** Anywhere: called with the saved model's bytes. */
  save?: (bytes: Uint8Array, epoch: number, logs: EpochLogs) => void | Promise<void>;
  /** Only when `monitor` improves. Default false (every epoch). */
  saveBestOnly?: boolean;
  /** Default 'val_loss'. */
  monitor?: string;
  mode?: Mode;
}

/** Saves the model after every epoch, or only when it improves (Keras' ModelCheckpoint). */
export class ModelCheckpoint implements Callback {
  readonly path: string | undefined;
  readonly saveBestOnly: boolean;
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  best = Number.NaN;
  readonly #save: ModelCheckpointOptions['save'];
  #model: TrainedModel | null = null;

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

  setModel(model: TrainedModel): void {
    this.#model = model;
  }

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
