// The update rules, PyTorch's (torch.optim.*), each one wasm kernel over a whole packed block
// (assembly/optim.ts), and the registry model files are read through. Adding an optimizer = its
// kernel (assembly/optim.ts, exported in assembly/index.ts), a class here, one line in OPTIMIZERS,
// and its test against a float64 transcription of PyTorch's rule (test/optim.test.ts).
import { describe, LSTMError, checkBool } from '../errors.js';
import { elementwise } from '../threads/split.js';
import type { ParameterBlock } from '../layers/layer.js';
import { fraction, nonNegative, Optimizer, type OptimizerOptions } from './optimizer.js';
import { scheduleFromConfig } from './schedules.js';

/** Options of {@link SGD} (learningRate default 0.01). */
export interface SGDOptions extends OptimizerOptions {
  /** Momentum factor, in [0, 1); default 0 (plain SGD, no state kept). */
  momentum?: number;
  /** Nesterov momentum (needs momentum > 0). Default false. */
  nesterov?: boolean;
}

/**
 * torch.optim.SGD: w ← w − lr·d, d = g + weightDecay·w, with momentum and Nesterov if asked.
 * @example
 * ```ts
 * model.compile({ loss: 'mse', optimizer: new SGD({ learningRate: 0.1, momentum: 0.9 }) });
 * ```
 */
export class SGD extends Optimizer {
  /** 'SGD'. */
  readonly kind = 'SGD';
  protected override readonly stepGrowsWithGradient = true;
  protected readonly rule: { momentum: number; nesterov: boolean };
  protected readonly stateBuffers: number;

  /** @throws {@link LSTMError} `INVALID_ARGUMENT` for an option out of range, or nesterov without momentum. */
  constructor(options: SGDOptions = {}) {
    super(options, 0.01, ['momentum', 'nesterov']);
    const momentum = fraction('momentum', options.momentum, 0),
      nesterov = checkBool('nesterov', options.nesterov, false);
    if (nesterov && momentum === 0) {
      throw new LSTMError('INVALID_ARGUMENT', 'Nesterov momentum needs momentum > 0', {
        argument: 'nesterov',
        expected: 'momentum > 0',
        actual: 'momentum 0',
      });
    }
    this.rule = { momentum, nesterov };
    this.stateBuffers = momentum > 0 ? 1 : 0;
  }

  /** The momentum factor. */
  get momentum(): number {
    return this.rule.momentum;
  }
  /** Is the momentum Nesterov's? */
  get nesterov(): boolean {
    return this.rule.nesterov;
  }

  /** @internal */
  protected update(b: ParameterBlock, state: number[], step: number): void {
    const rt = b.runtime,
      { momentum, nesterov } = this.rule;
    if (momentum === 0 && this.weightDecay === 0)
      elementwise(rt, 'sgdStep', [b.params, b.grads], b.floats, this.learningRate);
    else {
      elementwise(
        rt,
        'sgdMomentumStep',
        [b.params, b.grads, state[0] ?? 0],
        b.floats,
        this.learningRate,
        momentum,
        this.weightDecay,
        nesterov ? 1 : 0,
        step === 1 || momentum === 0 ? 1 : 0,
      );
    }
  }
}

/** Options of {@link Adam} and {@link AdamW} (learningRate default 0.001). */
export interface AdamOptions extends OptimizerOptions {
  /** Decay of the first moment, in [0, 1); default 0.9. */
  beta1?: number;
  /** Decay of the second moment, in [0, 1); default 0.999. */
  beta2?: number;
  /** Added to the denominator's square root; ≥ 0, default 1e-8. */
  epsilon?: number;
}

/**
 * torch.optim.Adam (weightDecay as an L2 term in the gradient). Keeps two state buffers per layer.
 * @example
 * ```ts
 * const adam = new Adam({ learningRate: 1e-3, clipNorm: 1, schedule: new StepLR({ stepSize: 10 }) });
 * ```
 */
export class Adam extends Optimizer {
  /** 'Adam' ('AdamW' for the subclass). */
  readonly kind: string = 'Adam';
  protected readonly rule: { beta1: number; beta2: number; epsilon: number };
  protected readonly stateBuffers = 2;
  protected readonly decoupled: boolean = false;

  /** @throws {@link LSTMError} `INVALID_ARGUMENT` for an option out of range. */
  constructor(options: AdamOptions = {}) {
    super(options, 0.001, ['beta1', 'beta2', 'epsilon']);
    this.rule = {
      beta1: fraction('beta1', options.beta1, 0.9),
      beta2: fraction('beta2', options.beta2, 0.999),
      epsilon: nonNegative('epsilon', options.epsilon, 1e-8),
    };
  }

  /** First-moment decay. */
  get beta1(): number {
    return this.rule.beta1;
  }
  /** Second-moment decay. */
  get beta2(): number {
    return this.rule.beta2;
  }
  /** Denominator term. */
  get epsilon(): number {
    return this.rule.epsilon;
  }

  /** @internal */
  protected update(b: ParameterBlock, state: number[], step: number): void {
    const { beta1, beta2, epsilon } = this.rule,
      bc1 = 1 - beta1 ** step,
      bc2 = 1 - beta2 ** step;
    elementwise(
      b.runtime,
      'adamStep',
      [b.params, b.grads, state[0]!, state[1]!],
      b.floats,
      this.learningRate,
      beta1,
      beta2,
      epsilon,
      this.weightDecay,
      this.decoupled ? 1 : 0,
      bc1,
      bc2,
    );
  }
}

/** torch.optim.AdamW: decoupled weight decay (default 0.01, as in PyTorch). */
export class AdamW extends Adam {
  /** 'AdamW'. */
  override readonly kind: string = 'AdamW';
  protected override readonly decoupled = true;

  /** @throws {@link LSTMError} `INVALID_ARGUMENT` for an option out of range. */
  constructor(options: AdamOptions = {}) {
    super({ weightDecay: 0.01, ...options });
  }
}

/** Options of {@link RMSprop} (learningRate default 0.01). */
export interface RMSpropOptions extends OptimizerOptions {
  /** Smoothing of the squared-gradient average, in [0, 1); default 0.99. */
  alpha?: number;
  /** Added to the denominator; ≥ 0, default 1e-8. */
  epsilon?: number;
  /** Momentum factor, in [0, 1); default 0. */
  momentum?: number;
}

/** torch.optim.RMSprop (not centered). Keeps two state buffers per layer. */
export class RMSprop extends Optimizer {
  /** 'RMSprop'. */
  readonly kind = 'RMSprop';
  protected readonly rule: { alpha: number; epsilon: number; momentum: number };
  protected readonly stateBuffers = 2;

  /** @throws {@link LSTMError} `INVALID_ARGUMENT` for an option out of range. */
  constructor(options: RMSpropOptions = {}) {
    super(options, 0.01, ['alpha', 'epsilon', 'momentum']);
    this.rule = {
      alpha: fraction('alpha', options.alpha, 0.99),
      epsilon: nonNegative('epsilon', options.epsilon, 1e-8),
      momentum: fraction('momentum', options.momentum, 0),
    };
  }

  /** Squared-gradient smoothing. */
  get alpha(): number {
    return this.rule.alpha;
  }
  /** Denominator term. */
  get epsilon(): number {
    return this.rule.epsilon;
  }
  /** The momentum factor. */
  get momentum(): number {
    return this.rule.momentum;
  }

  /** @internal */
  protected update(b: ParameterBlock, state: number[]): void {
    const { alpha, epsilon, momentum } = this.rule;
    elementwise(
      b.runtime,
      'rmspropStep',
      [b.params, b.grads, state[0]!, state[1]!],
      b.floats,
      this.learningRate,
      alpha,
      epsilon,
      this.weightDecay,
      momentum,
    );
  }
}

/** Every optimizer by the kind its model files name. */
export const OPTIMIZERS: Readonly<Record<string, new (options: never) => Optimizer>> = {
  SGD: SGD as never,
  Adam: Adam as never,
  AdamW: AdamW as never,
  RMSprop: RMSprop as never,
};

/** The optimizer a saved config() describes. */
export function optimizerFromConfig(config: { kind?: unknown; options?: unknown }): Optimizer {
  const kind = config?.kind;
  const Cls = typeof kind === 'string' && Object.hasOwn(OPTIMIZERS, kind) ? OPTIMIZERS[kind] : undefined;
  if (!Cls) {
    throw new LSTMError('INVALID_ARGUMENT', 'unknown optimizer', {
      argument: 'kind',
      expected: Object.keys(OPTIMIZERS).join(' | '),
      actual: describe(kind),
    });
  }
  const options = { ...((config.options ?? {}) as Record<string, unknown>) };
  if (options.schedule !== undefined) options.schedule = scheduleFromConfig(options.schedule);
  return new Cls(options as never);
}
