// Learning-rate schedules, PyTorch's (torch.optim.lr_scheduler), stepped once per epoch by fit: the
// optimizer's learningRate is set from the schedule after every epoch. A schedule belongs to its
// optimizer (`new Adam({ learningRate, schedule: new StepLR({ stepSize: 10 }) })`), so a saved model
// keeps it, its position and the current rate, and training resumes bit-identically.
import { checkOptionKeys, describe, LSTMError } from '../errors.js';

/** What a schedule sees at the end of an epoch: fit's {@link EpochLogs} by name (`loss`, `val_loss`,
 *  `valLoss`, `accuracy`, …). */
export type EpochMetrics = Readonly<Record<string, number | undefined>>;

/**
 * A learning-rate schedule, PyTorch's (torch.optim.lr_scheduler), stepped once per epoch by fit: give
 * one to an optimizer (`schedule` option) and the optimizer's `learningRate` is set from it after every
 * epoch. It is saved with the model (kind, options, position), so training resumes bit-identically.
 * The four schedules here are the ones model files can name: {@link StepLR}, {@link ExponentialLR},
 * {@link CosineAnnealingLR}, {@link ReduceLROnPlateau}.
 */
export abstract class LearningRateSchedule {
  /** The name saved in model files. */
  abstract readonly kind: string;
  /** Epochs stepped so far (PyTorch's last_epoch + 1). */
  epoch = 0;
  /** The options that rebuild this schedule. */
  abstract config(): Record<string, number | string>;
  /** The learning rate after one more epoch, from the optimizer's initial rate and its current one
   *  (advances {@link LearningRateSchedule.epoch}). */
  abstract next(initial: number, current: number, metrics: EpochMetrics): number;
  /** What changes as it steps (beyond `epoch`), for saving. */
  state(): Record<string, number> {
    return { epoch: this.epoch };
  }
  /** Put back what {@link LearningRateSchedule.state} returned.
   *  @throws {@link LSTMError} `INVALID_ARGUMENT` for a malformed state. */
  restore(state: Record<string, unknown>): void {
    this.epoch = nonNegativeInt('schedule.epoch', state.epoch);
  }
}

function positive(argument: string, v: unknown, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new LSTMError('INVALID_ARGUMENT', 'must be a finite number > 0', {
      argument,
      expected: 'a number > 0',
      actual: describe(v),
    });
  }
  return v;
}

function nonNegative(argument: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new LSTMError('INVALID_ARGUMENT', 'must be a finite number ≥ 0', {
      argument,
      expected: 'a number ≥ 0',
      actual: describe(v),
    });
  }
  return v;
}

function nonNegativeInt(argument: string, v: unknown, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new LSTMError('INVALID_ARGUMENT', 'must be an integer ≥ 0', {
      argument,
      expected: 'an integer ≥ 0',
      actual: describe(v),
    });
  }
  return v;
}

/** Options of {@link StepLR}. */
export interface StepLROptions {
  /** Epochs between decays; an integer > 0. */
  stepSize: number;
  /** Factor per decay; > 0, default 0.1. */
  gamma?: number;
}

/**
 * StepLR: rate = initial · gamma^⌊epoch / stepSize⌋.
 * @example
 * ```ts
 * new SGD({ learningRate: 0.1, schedule: new StepLR({ stepSize: 10, gamma: 0.5 }) }); // halves every 10 epochs
 * ```
 */
export class StepLR extends LearningRateSchedule {
  /** 'StepLR'. */
  readonly kind = 'StepLR';
  /** Epochs between decays. */
  readonly stepSize: number;
  /** Factor per decay. */
  readonly gamma: number;

  /** @throws {@link LSTMError} `INVALID_ARGUMENT` for a stepSize that is not a positive integer or gamma ≤ 0. */
  constructor(options: StepLROptions) {
    super();
    checkOptionKeys(options, ['stepSize', 'gamma']);
    this.stepSize = positive('stepSize', options?.stepSize);
    if (!Number.isInteger(this.stepSize)) positive('stepSize', Number.NaN);
    this.gamma = positive('gamma', options.gamma, 0.1);
  }

  config(): Record<string, number | string> {
    return { stepSize: this.stepSize, gamma: this.gamma };
  }

  next(initial: number): number {
    this.epoch++;
    return initial * this.gamma ** Math.floor(this.epoch / this.stepSize);
  }
}

/** Options of {@link ExponentialLR}. */
export interface ExponentialLROptions {
  /** Factor per epoch; > 0. */
  gamma: number;
}

/** ExponentialLR: rate = initial · gamma^epoch. */
export class ExponentialLR extends LearningRateSchedule {
  /** 'ExponentialLR'. */
  readonly kind = 'ExponentialLR';
  /** Factor per epoch. */
  readonly gamma: number;

  /** @throws {@link LSTMError} `INVALID_ARGUMENT` for gamma ≤ 0 or not finite. */
  constructor(options: ExponentialLROptions) {
    super();
    checkOptionKeys(options, ['gamma']);
    this.gamma = positive('gamma', options?.gamma);
  }

  config(): Record<string, number | string> {
    return { gamma: this.gamma };
  }

  next(initial: number): number {
    this.epoch++;
    return initial * this.gamma ** this.epoch;
  }
}

/** Options of {@link CosineAnnealingLR}. */
export interface CosineAnnealingLROptions {
  /** Epochs of a half cosine period; > 0. */
  tMax: number;
  /** The lowest rate; ≥ 0, default 0. */
  etaMin?: number;
}

/** CosineAnnealingLR: rate = etaMin + (initial − etaMin)·(1 + cos(π·epoch / tMax)) / 2. */
export class CosineAnnealingLR extends LearningRateSchedule {
  /** 'CosineAnnealingLR'. */
  readonly kind = 'CosineAnnealingLR';
  /** Epochs of a half period. */
  readonly tMax: number;
  /** The lowest rate. */
  readonly etaMin: number;

  /** @throws {@link LSTMError} `INVALID_ARGUMENT` for tMax ≤ 0 or etaMin < 0. */
  constructor(options: CosineAnnealingLROptions) {
    super();
    checkOptionKeys(options, ['tMax', 'etaMin']);
    this.tMax = positive('tMax', options?.tMax);
    this.etaMin = nonNegative('etaMin', options.etaMin, 0);
  }

  config(): Record<string, number | string> {
    return { tMax: this.tMax, etaMin: this.etaMin };
  }

  next(initial: number): number {
    this.epoch++;
    return this.etaMin + ((initial - this.etaMin) * (1 + Math.cos((Math.PI * this.epoch) / this.tMax))) / 2;
  }
}

/** Options of {@link ReduceLROnPlateau} (PyTorch's defaults). */
export interface ReduceLROnPlateauOptions {
  /** The metric of the epoch logs to watch (default 'val_loss'; fit needs a validationSplit for it). */
  monitor?: string;
  /** 'min': lower is better; 'max': higher is. Default 'max' for names containing 'acc', else 'min'. */
  mode?: 'min' | 'max';
  /** Multiplier of the rate on a plateau, in (0, 1); default 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated before reducing; an integer ≥ 0, default 10. */
  patience?: number;
  /** Relative improvement that counts (PyTorch's 'rel' mode); ≥ 0, default 1e-4. */
  threshold?: number;
  /** Epochs to wait after a reduction before counting again; an integer ≥ 0, default 0. */
  cooldown?: number;
  /** The rate never goes below this; ≥ 0, default 0. */
  minLr?: number;
}

/** ReduceLROnPlateau: multiply the rate by `factor` once `monitor` has not improved (relative
 *  threshold, PyTorch's default 'rel' mode) for more than `patience` epochs; then wait `cooldown`.
 *  Its `next` throws `INVALID_ARGUMENT` when the monitored metric is not in the epoch's logs. */
export class ReduceLROnPlateau extends LearningRateSchedule {
  /** 'ReduceLROnPlateau'. */
  readonly kind = 'ReduceLROnPlateau';
  /** The watched metric. */
  readonly monitor: string;
  /** Whether lower ('min') or higher ('max') is better. */
  readonly mode: 'min' | 'max';
  /** Multiplier on a plateau. */
  readonly factor: number;
  /** Epochs without improvement tolerated. */
  readonly patience: number;
  /** Relative improvement that counts. */
  readonly threshold: number;
  /** Epochs to wait after a reduction. */
  readonly cooldown: number;
  /** The lowest rate. */
  readonly minLr: number;
  /** The best value seen (NaN before the first epoch). */
  best = Number.NaN;
  /** Epochs since the last improvement. */
  badEpochs = 0;
  /** Cooldown epochs left. */
  cooldownLeft = 0;

  /** @throws {@link LSTMError} `INVALID_ARGUMENT` for an option out of range. */
  constructor(options: ReduceLROnPlateauOptions = {}) {
    super();
    checkOptionKeys(options, ['monitor', 'mode', 'factor', 'patience', 'threshold', 'cooldown', 'minLr']);
    this.monitor = options.monitor ?? 'val_loss';
    if (typeof this.monitor !== 'string')
      throw new LSTMError('INVALID_ARGUMENT', 'must be a metric name', {
        argument: 'monitor',
        expected: "'val_loss', 'loss', …",
        actual: describe(this.monitor),
      });
    this.mode = options.mode ?? (/acc/.test(this.monitor) ? 'max' : 'min');
    if (this.mode !== 'min' && this.mode !== 'max')
      throw new LSTMError('INVALID_ARGUMENT', 'unknown mode', {
        argument: 'mode',
        expected: "'min' | 'max'",
        actual: describe(this.mode),
      });
    this.factor = positive('factor', options.factor, 0.1);
    if (this.factor >= 1) positive('factor', Number.NaN);
    this.patience = nonNegativeInt('patience', options.patience, 10);
    this.threshold = nonNegative('threshold', options.threshold, 1e-4);
    this.cooldown = nonNegativeInt('cooldown', options.cooldown, 0);
    this.minLr = nonNegative('minLr', options.minLr, 0);
  }

  config(): Record<string, number | string> {
    return {
      monitor: this.monitor,
      mode: this.mode,
      factor: this.factor,
      patience: this.patience,
      threshold: this.threshold,
      cooldown: this.cooldown,
      minLr: this.minLr,
    };
  }

  next(_initial: number, current: number, metrics: EpochMetrics): number {
    this.epoch++;
    const value = metrics[this.monitor];
    if (value === undefined) {
      throw new LSTMError('INVALID_ARGUMENT', 'the monitored metric is not in the epoch logs', {
        argument: 'monitor',
        expected: Object.keys(metrics).join(', '),
        actual: this.monitor,
      });
    }
    const better =
      Number.isNaN(this.best) ||
      (this.mode === 'min' ? value < this.best * (1 - this.threshold) : value > this.best * (1 + this.threshold));
    if (better) {
      this.best = value;
      this.badEpochs = 0;
    } else this.badEpochs++;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.badEpochs = 0;
    }
    if (this.badEpochs > this.patience) {
      const reduced = Math.max(current * this.factor, this.minLr);
      this.cooldownLeft = this.cooldown;
      this.badEpochs = 0;
      if (current - reduced > 1e-8) return reduced;
    }
    return current;
  }

  override state(): Record<string, number> {
    return { epoch: this.epoch, best: this.best, badEpochs: this.badEpochs, cooldownLeft: this.cooldownLeft };
  }

  override restore(state: Record<string, unknown>): void {
    super.restore(state);
    const best = state.best;
    this.best = best === null || best === undefined ? Number.NaN : typeof best === 'number' ? best : Number.NaN;
    this.badEpochs = nonNegativeInt('schedule.badEpochs', state.badEpochs);
    this.cooldownLeft = nonNegativeInt('schedule.cooldownLeft', state.cooldownLeft);
  }
}

/** Every schedule by the kind its model files name. */
export const SCHEDULES: Readonly<Record<string, new (options: never) => LearningRateSchedule>> = {
  StepLR: StepLR as never,
  ExponentialLR: ExponentialLR as never,
  CosineAnnealingLR: CosineAnnealingLR as never,
  ReduceLROnPlateau: ReduceLROnPlateau as never,
};

export function scheduleFromConfig(config: unknown): LearningRateSchedule {
  const c = config as { kind?: unknown; options?: unknown } | null;
  const kind = c?.kind;
  const Cls = typeof kind === 'string' && Object.hasOwn(SCHEDULES, kind) ? SCHEDULES[kind] : undefined;
  if (!Cls)
    throw new LSTMError('INVALID_ARGUMENT', 'unknown schedule', {
      argument: 'schedule.kind',
      expected: Object.keys(SCHEDULES).join(' | '),
      actual: describe(kind),
    });
  return new Cls(c!.options as never);
}
