// Optimizers over packed parameter blocks: each update is one wasm call per layer, whatever the
// number of tensors in it. Update rules are PyTorch's (torch.optim.*); gradient clipping is
// clip_grad_norm_ / clip_grad_value_ over every layer passed to one step().
import { LSTMError, describe } from './errors.js';
import type { Runtime } from './runtime.js';

/** A layer's parameters and gradients: two arena blocks of `floats` floats, same layout. */
export interface ParameterBlock {
  runtime: Runtime;
  params: number;
  grads: number;
  floats: number;
}

/** Anything trainable: layers expose their packed block to optimizers. */
export interface Trainable {
  _blocks(): ParameterBlock;
  readonly disposed?: boolean;
}

export interface OptimizerOptions {
  learningRate?: number;
  /** Rescale all gradients so their global L2 norm is at most this (torch clip_grad_norm_). */
  clipNorm?: number;
  /** Clamp every gradient element to [−clipValue, clipValue] (torch clip_grad_value_). */
  clipValue?: number;
  /** L2 penalty added to the gradient (decoupled for AdamW). */
  weightDecay?: number;
}

function positive(argument: string, value: unknown, fallback: number, allowZero = true): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new LSTMError('INVALID_ARGUMENT', 'must be a finite number ≥ 0', {
      argument,
      expected: allowZero ? 'a number ≥ 0' : 'a number > 0',
      actual: describe(value),
    });
  }
  return value;
}

function fraction(argument: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new LSTMError('INVALID_ARGUMENT', 'must be in [0, 1)', {
      argument,
      expected: 'a number in [0, 1)',
      actual: describe(value),
    });
  }
  return value;
}

interface SlotState {
  buffers: number[];
  runtime: Runtime;
  steps: number;
}

/** What all optimizers share: options, clipping, per-layer state in the layer's arena. */
export abstract class Optimizer {
  learningRate: number;
  readonly clipNorm: number | undefined;
  readonly clipValue: number | undefined;
  readonly weightDecay: number;
  #state = new Map<Trainable, SlotState>();
  /** Global gradient norm before clipping, from the last step() (NaN before any). */
  lastGradNorm = NaN;

  protected constructor(options: OptimizerOptions, defaultLearningRate: number) {
    if (options === null || typeof options !== 'object') {
      throw new LSTMError('INVALID_ARGUMENT', 'optimizer options must be an object', {
        argument: 'options',
        expected: '{ learningRate, … }',
        actual: describe(options),
      });
    }
    this.learningRate = positive('learningRate', options.learningRate, defaultLearningRate);
    this.clipNorm = options.clipNorm === undefined ? undefined : positive('clipNorm', options.clipNorm, 0, false);
    this.clipValue = options.clipValue === undefined ? undefined : positive('clipValue', options.clipValue, 0, false);
    this.weightDecay = positive('weightDecay', options.weightDecay, 0);
  }

  /** Number of state buffers (each the size of the parameter block) this rule keeps per layer. */
  protected abstract readonly stateBuffers: number;
  protected abstract update(block: ParameterBlock, state: number[], step: number): void;

  /** Clip (if configured), then update every layer from its accumulated gradients. */
  step(...layers: (Trainable | Trainable[])[]): void {
    const flat = layers.flat();
    const blocks = flat.map((l) => {
      if (!l || typeof (l as Trainable)._blocks !== 'function') {
        throw new LSTMError('INVALID_ARGUMENT', 'not a trainable layer', {
          argument: 'layers',
          expected: 'layers with parameters',
          actual: describe(l),
        });
      }
      return l._blocks();
    });
    this.#clip(blocks);
    flat.forEach((layer, i) => {
      const block = blocks[i]!;
      let st = this.#state.get(layer);
      if (!st || st.runtime !== block.runtime) {
        const buffers: number[] = [];
        try {
          for (let b = 0; b < this.stateBuffers; b++)
            buffers.push(block.runtime.arena.alloc(block.floats * 4, 'optimizer state'));
        } catch (e) {
          for (const p of buffers) block.runtime.arena.free(p);
          throw e;
        }
        st = { buffers, runtime: block.runtime, steps: 0 };
        this.#state.set(layer, st);
      }
      st.steps++;
      this.update(block, st.buffers, st.steps);
    });
    // Forget layers disposed since the last step (their state memory goes back to the arena).
    for (const [layer, st] of this.#state) {
      if (layer.disposed) {
        for (const p of st.buffers) st.runtime.arena.free(p);
        this.#state.delete(layer);
      }
    }
  }

  #clip(blocks: ParameterBlock[]): void {
    if (this.clipValue !== undefined) {
      for (const b of blocks) b.runtime.kernels.clipArray(b.grads, b.floats, this.clipValue);
    }
    let sum = 0;
    for (const b of blocks) sum += b.runtime.kernels.sumSquares(b.grads, b.floats);
    const norm = Math.sqrt(sum);
    this.lastGradNorm = norm;
    if (this.clipNorm !== undefined) {
      const coef = this.clipNorm / (norm + 1e-6);
      if (coef < 1) for (const b of blocks) b.runtime.kernels.scaleArray(b.grads, b.floats, coef);
    }
  }

  /** Kind and options, for saving with a model. */
  config(): { kind: string; options: Record<string, unknown> } {
    const options: Record<string, unknown> = { learningRate: this.learningRate, weightDecay: this.weightDecay };
    if (this.clipNorm !== undefined) options.clipNorm = this.clipNorm;
    if (this.clipValue !== undefined) options.clipValue = this.clipValue;
    for (const k of ['momentum', 'nesterov', 'beta1', 'beta2', 'epsilon', 'alpha'] as const) {
      const v = (this as unknown as Record<string, unknown>)[k];
      if (v !== undefined) options[k] = v;
    }
    return { kind: this.constructor.name, options };
  }

  /** @internal The state of one layer (packed like its parameters), for saving. */
  _exportState(layer: Trainable): { steps: number; buffers: Float32Array[] } | null {
    const st = this.#state.get(layer);
    if (!st) return null;
    const f32 = st.runtime.arena.f32,
      n = layer._blocks().floats;
    return { steps: st.steps, buffers: st.buffers.map((p) => f32.slice(p >> 2, (p >> 2) + n)) };
  }

  /** @internal Restore what _exportState gave (same layer architecture). */
  _importState(layer: Trainable, saved: { steps: number; buffers: Float32Array[] }): void {
    const block = layer._blocks();
    if (saved.buffers.length !== this.stateBuffers || saved.buffers.some((b) => b.length !== block.floats)) {
      throw new LSTMError('STATE_DICT_SHAPE', 'optimizer state does not fit this layer', {
        argument: 'optimizer state',
        expected: `${this.stateBuffers} buffers of ${block.floats}`,
        actual: `${saved.buffers.length} buffers`,
      });
    }
    const old = this.#state.get(layer);
    if (old) for (const p of old.buffers) old.runtime.arena.free(p);
    const buffers = saved.buffers.map((b) => {
      const p = block.runtime.arena.alloc(b.length * 4, 'optimizer state');
      block.runtime.arena.f32.set(b, p >> 2);
      return p;
    });
    this.#state.set(layer, { buffers, runtime: block.runtime, steps: saved.steps });
  }

  /** Steps taken for `layer` (bias corrections use it). */
  stepsFor(layer: Trainable): number {
    return this.#state.get(layer)?.steps ?? 0;
  }

  /** Free all optimizer state. */
  dispose(): void {
    for (const st of this.#state.values()) for (const p of st.buffers) st.runtime.arena.free(p);
    this.#state.clear();
  }
}

export interface SGDOptions extends OptimizerOptions {
  momentum?: number;
  nesterov?: boolean;
}

/** torch.optim.SGD: w ← w − lr·d, with momentum and Nesterov if asked. */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly nesterov: boolean;
  protected readonly stateBuffers: number;

  constructor(options: SGDOptions = {}) {
    super(options, 0.01);
    this.momentum = fraction('momentum', options.momentum, 0);
    this.nesterov = options.nesterov ?? false;
    if (this.nesterov && this.momentum === 0) {
      throw new LSTMError('INVALID_ARGUMENT', 'Nesterov momentum needs momentum > 0', {
        argument: 'nesterov',
        expected: 'momentum > 0',
        actual: 'momentum 0',
      });
    }
    this.stateBuffers = this.momentum > 0 ? 1 : 0;
  }

  protected update(b: ParameterBlock, state: number[], step: number): void {
    const k = b.runtime.kernels;
    if (this.momentum === 0 && this.weightDecay === 0) k.sgdStep(b.params, b.grads, b.floats, this.learningRate);
    else
      k.sgdMomentumStep(
        b.params,
        b.grads,
        state[0] ?? 0,
        b.floats,
        this.learningRate,
        this.momentum,
        this.weightDecay,
        this.nesterov ? 1 : 0,
        step === 1 || this.momentum === 0 ? 1 : 0,
      );
  }
}

export interface AdamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** torch.optim.Adam (weightDecay as an L2 term in the gradient). */
export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  protected readonly stateBuffers = 2;
  protected readonly decoupled: boolean = false;

  constructor(options: AdamOptions = {}) {
    super(options, 0.001);
    this.beta1 = fraction('beta1', options.beta1, 0.9);
    this.beta2 = fraction('beta2', options.beta2, 0.999);
    this.epsilon = positive('epsilon', options.epsilon, 1e-8);
  }

  protected update(b: ParameterBlock, state: number[], step: number): void {
    const bc1 = 1 - this.beta1 ** step,
      bc2 = 1 - this.beta2 ** step;
    b.runtime.kernels.adamStep(
      b.params,
      b.grads,
      state[0]!,
      state[1]!,
      b.floats,
      this.learningRate,
      this.beta1,
      this.beta2,
      this.epsilon,
      this.weightDecay,
      this.decoupled ? 1 : 0,
      bc1,
      bc2,
    );
  }
}

/** torch.optim.AdamW: decoupled weight decay (default 0.01, as in PyTorch). */
export class AdamW extends Adam {
  protected override readonly decoupled = true;

  constructor(options: AdamOptions = {}) {
    super({ weightDecay: 0.01, ...options });
  }
}

export interface RMSpropOptions extends OptimizerOptions {
  alpha?: number;
  epsilon?: number;
  momentum?: number;
}

/** torch.optim.RMSprop (not centered). */
export class RMSprop extends Optimizer {
  readonly alpha: number;
  readonly epsilon: number;
  readonly momentum: number;
  protected readonly stateBuffers = 2;

  constructor(options: RMSpropOptions = {}) {
    super(options, 0.01);
    this.alpha = fraction('alpha', options.alpha, 0.99);
    this.epsilon = positive('epsilon', options.epsilon, 1e-8);
    this.momentum = fraction('momentum', options.momentum, 0);
  }

  protected update(b: ParameterBlock, state: number[]): void {
    b.runtime.kernels.rmspropStep(
      b.params,
      b.grads,
      state[0]!,
      state[1]!,
      b.floats,
      this.learningRate,
      this.alpha,
      this.epsilon,
      this.weightDecay,
      this.momentum,
    );
  }
}
