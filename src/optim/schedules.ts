// Learning-rate schedules, PyTorch's (torch.optim.lr_scheduler), stepped once per epoch by fit: the
// optimizer's learningRate is set from the schedule after every epoch. A schedule belongs to its
// optimizer (`new Adam({ learningRate, schedule: new StepLR({ stepSize: 10 }) })`), so a saved model
// keeps it, its position and the current rate, and training resumes bit-identically.
import { describe, LSTMError } from '../errors.js';

/** What a schedule sees at the end of an epoch (fit's epoch logs). */
export type EpochMetrics = Readonly<Record<string, number | undefined>>;

export abstract class LearningRateSchedule {
  /** The name saved in model files. */
  abstract readonly kind: string;
  /** Epochs stepped so far (PyTorch's last_epoch + 1). */
  epoch = 0;
  /** The options that rebuild this schedule. */
  abstract config(): Record<string, number | string>;
  /** The learning rate after one more epoch, from the optimizer's initial rate and its current one. */
  abstract next(initial: number, current: number, metrics: EpochMetrics): number;
  /** What changes as it steps (beyond `epoch`), for saving. */
  state(): Record<string, number> {
    return { epoch: this.epoch };
  }
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

/** StepLR: rate = initial · gamma^⌊epoch / stepSize⌋. */
export class StepLR extends LearningRateSchedule {
  readonly kind = 'StepLR';
  readonly stepSize: number;
  readonly gamma: number;

  constructor(options: { stepSize: number; gamma?: number }) {
    super();
    this.stepSize = positive('stepSize', options?.stepSize);
    if (!Number.isInteger(this.stepSize)) positive('stepSize', Number.NaN);
    this.gamma = positive('gamma', options.gamma, 0.1);
  }

  config() {
    return { stepSize: this.stepSize, gamma: this.gamma };
  }

  next(initial: number): number {
    this.epoch++;
    return initial * this.gamma ** Math.floor(this.epoch / this.stepSize);
  }
}

/** ExponentialLR: rate = initial · gamma^epoch. */
export class ExponentialLR extends LearningRateSchedule {
  readonly kind = 'ExponentialLR';
  readonly gamma: number;

  constructor(options: { gamma: number }) {
    super();
    this.gamma = positive('gamma', options?.gamma);
  }

  config() {
    return { gamma: this.gamma };
  }

  next(initial: number): number {
    this.epoch++;
    return initial * this.gamma ** this.epoch;
  }
}

/** CosineAnnealingLR: rate = etaMin + (initial − etaMin)·(1 + cos(π·epoch / tMax)) / 2. */
export class CosineAnnealingLR extends LearningRateSchedule {
  readonly kind = 'CosineAnnealingLR';
  readonly tMax: number;
  readonly etaMin: number;

  constructor(options: { tMax: number; etaMin?: number }) {
    super();
    this.tMax = positive('tMax', options?.tMax);
    this.etaMin = nonNegative('etaMin', options.etaMin, 0);
  }

  config() {
    return { tMax: this.tMax, etaMin: this.etaMin };
  }

  next(initial: number): number {
    this.epoch++;
    return this.etaMin + ((initial - this.etaMin) * (1 + Math.cos((Math.PI * this.epoch) / this.tMax))) / 2;
  }
}

/** ReduceLROnPlateau: multiply the rate by `factor` once `monitor` has not improved (relative
 *  threshold, PyTorch's default 'rel' mode) for more than `patience` epochs; then wait `cooldown`. */
export class ReduceLROnPlateau extends LearningRateSchedule {
  readonly kind = 'ReduceLROnPlateau';
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly cooldown: number;
  readonly minLr: number;
  best = Number.NaN;
  badEpochs = 0;
  cooldownLeft = 0;

  constructor(
    options: {
      monitor?: string;
      mode?: 'min' | 'max';
      factor?: number;
      patience?: number;
      threshold?: number;
      cooldown?: number;
      minLr?: number;
    } = {},
  ) {
    super();
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

  config() {
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
