// What every optimizer shares: the common options, gradient clipping over all layers of a step,
// per-layer state buffers in the layer's arena, saving and restoring that state. Each update rule
// (rules.ts) is a kernel over a whole packed parameter block, one wasm call per layer.
import { checkOptionKeys, describe, LSTMError } from '../errors.js';
import type { ParameterBlock } from '../layers/layer.js';
import { Holdings, own, release } from '../owned.js';
import type { Runtime } from '../runtime.js';
import { elementwise, sumSquares } from '../threads/split.js';
import { LearningRateSchedule } from './schedules.js';

/**
 * What {@link Optimizer.step} updates: a layer of this library (LSTM, GRU, SimpleRNN, Dense, Embedding;
 * parameter-free layers are skipped). Anything else is rejected with `INVALID_ARGUMENT` at run time.
 */
export interface Trainable {
  /** @internal The packed parameter and gradient blocks (null: no parameters). */
  _blocks(): ParameterBlock | null;
  /** Layers disposed since the last step lose their optimizer state. */
  readonly disposed?: boolean;
}

/** Options every optimizer takes. */
export interface OptimizerOptions {
  /** Step size (default: SGD 0.01, Adam / AdamW 0.001, RMSprop 0.01); a finite number ≥ 0. */
  learningRate?: number;
  /** Rescale all gradients so their global L2 norm is at most this (torch clip_grad_norm_). */
  clipNorm?: number;
  /** Clamp every gradient element to [−clipValue, clipValue] (torch clip_grad_value_). */
  clipValue?: number;
  /** L2 penalty added to the gradient (decoupled for AdamW). */
  weightDecay?: number;
  /** A learning-rate schedule stepped after every epoch of fit (StepLR, ExponentialLR, …). */
  schedule?: LearningRateSchedule;
}

export function nonNegative(argument: string, value: unknown, fallback: number, allowZero = true): number {
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

export function fraction(argument: string, value: unknown, fallback: number): number {
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

/** The trainable slices of a block (the whole block unless some parameters are frozen). */
function trainableParts(b: ParameterBlock): ParameterBlock[] {
  if (!b.ranges) return [b];
  return b.ranges.map(([s, e]) => ({
    runtime: b.runtime,
    params: b.params + s * 4,
    grads: b.grads + s * 4,
    floats: e - s,
  }));
}

interface LayerState {
  /** the buffers' memory (one Holdings per layer: layers may live in different runtimes) */
  holdings: Holdings;
  buffers: number[];
  runtime: Runtime;
  steps: number;
}

/** The largest finite float32: an update step beyond it would write infinities. */
const F32_MAX = 3.4028234663852886e38;

/**
 * What every optimizer ({@link SGD}, {@link Adam}, {@link AdamW}, {@link RMSprop}) shares: PyTorch's
 * update rules, each one wasm call over a layer's whole packed parameter block; gradient clipping
 * across all layers of a step; per-layer state (momenta) kept in wasm memory beside the layer, created
 * on the first step and saved with a model. Use one with {@link Sequential.compile}, or call
 * {@link Optimizer.step} on bare layers after their backward.
 */
export abstract class Optimizer {
  /** The name saved in model files (an explicit constant: class names do not survive minifying). */
  abstract readonly kind: string;
  #learningRate: number;
  /** The rate it was created with: a schedule's starting point. */
  readonly initialLearningRate: number;
  /** The learning-rate schedule stepped after every epoch of fit, if any. */
  readonly schedule: LearningRateSchedule | undefined;
  /** Global L2 gradient norm limit, if any. */
  readonly clipNorm: number | undefined;
  /** Element-wise gradient limit, if any. */
  readonly clipValue: number | undefined;
  /** L2 penalty (decoupled for AdamW). */
  readonly weightDecay: number;
  /** The update rule's own options (momentum, betas, …): what update() reads, so what config() saves. */
  protected abstract readonly rule: Readonly<Record<string, number | boolean>>;
  /** Is the update lr·g (SGD), so that a large enough finite gradient overflows it? */
  protected readonly stepGrowsWithGradient: boolean = false;
  /** Number of state buffers (each the size of the parameter block) this rule keeps per layer. */
  protected abstract readonly stateBuffers: number;
  readonly #state = new Map<Trainable, LayerState>();
  /** Every Holdings of #state, freed together when the optimizer is collected without dispose(). */
  readonly #held = new Set<Holdings>();
  /** Global gradient norm before clipping, from the last step() (NaN before any). */
  lastGradNorm = NaN;

  /** ruleKeys: the option names of the subclass's own rule (momentum, betas, …), beside OptimizerOptions'. */
  protected constructor(options: OptimizerOptions, defaultLearningRate: number, ruleKeys: readonly string[]) {
    if (options === null || typeof options !== 'object') {
      throw new LSTMError('INVALID_ARGUMENT', 'optimizer options must be an object', {
        argument: 'options',
        expected: '{ learningRate, … }',
        actual: describe(options),
      });
    }
    checkOptionKeys(options, ['learningRate', 'clipNorm', 'clipValue', 'weightDecay', 'schedule', ...ruleKeys]);
    this.#learningRate = nonNegative('learningRate', options.learningRate, defaultLearningRate);
    this.initialLearningRate = this.#learningRate;
    if (options.schedule !== undefined && !(options.schedule instanceof LearningRateSchedule)) {
      throw new LSTMError('INVALID_ARGUMENT', 'not a learning-rate schedule', {
        argument: 'schedule',
        expected: 'new StepLR(…), new ExponentialLR(…), new CosineAnnealingLR(…), new ReduceLROnPlateau(…)',
        actual: describe(options.schedule),
      });
    }
    this.schedule = options.schedule;
    this.clipNorm = options.clipNorm === undefined ? undefined : nonNegative('clipNorm', options.clipNorm, 0, false);
    this.clipValue =
      options.clipValue === undefined ? undefined : nonNegative('clipValue', options.clipValue, 0, false);
    this.weightDecay = nonNegative('weightDecay', options.weightDecay, 0);
    const held = this.#held;
    own(this, {
      freeAll: () => {
        for (const h of held) h.freeAll();
        held.clear();
      },
    });
  }

  /** The rate the next step uses (a schedule changes it after every epoch of fit). */
  get learningRate(): number {
    return this.#learningRate;
  }

  /** Schedules and callers may change it between steps; it stays a finite number ≥ 0.
   *  @throws {@link LSTMError} `INVALID_ARGUMENT` for anything else. */
  set learningRate(value: number) {
    if (value === undefined) nonNegative('learningRate', null, 0); // throws: undefined is not a rate
    this.#learningRate = nonNegative('learningRate', value, 0);
  }

  /** @internal Buffers of state this rule keeps per layer, each the size of the packed block. */
  _stateBufferCount(): number {
    return this.stateBuffers;
  }

  /** @internal One update of a packed block (or a trainable slice of it) from its gradients. */
  protected abstract update(block: ParameterBlock, state: number[], step: number): void;

  /**
   * Clip (if configured), then update every layer from its accumulated gradients (call the layers'
   * `zeroGrad()` before their next backward). Frozen parameters are neither checked nor updated.
   *
   * @example
   * ```ts
   * const opt = new Adam({ learningRate: 1e-3, clipNorm: 1 });
   * lstm.zeroGrad();
   * lstm.forward(x, { batch });
   * lstm.backward(dOutput);
   * opt.step(lstm, head); // layers, or arrays of layers
   * ```
   * @throws {@link LSTMError} `NON_FINITE`, changing nothing, when a gradient is NaN or infinite (or the
   *   step would overflow float32): a non-finite update is never applied. `INVALID_ARGUMENT` for something
   *   that is not a layer; `NOT_TRAINABLE` for int8 layers; `DISPOSED`; `OUT_OF_MEMORY` for new state.
   */
  step(...layers: (Trainable | Trainable[])[]): void {
    const flat: Trainable[] = [],
      blocks: ParameterBlock[] = [],
      index: number[] = [];
    layers.flat().forEach((l, i) => {
      if (!l || typeof (l as Trainable)._blocks !== 'function') {
        throw new LSTMError('INVALID_ARGUMENT', 'not a trainable layer', {
          argument: 'layers',
          expected: 'layers with parameters',
          actual: describe(l),
        });
      }
      const b = l._blocks();
      if (!b || b.ranges?.length === 0) return; // no parameters, or all frozen: no update, no state
      flat.push(l);
      blocks.push(b);
      index.push(i);
    });
    // 1. state for layers seen for the first time, before anything changes (OUT_OF_MEMORY is clean)
    const fresh = new Map<Trainable, LayerState>();
    let sum = 0;
    try {
      flat.forEach((layer, i) => {
        const block = blocks[i]!,
          st = this.#state.get(layer);
        if (st && st.runtime === block.runtime) return;
        const holdings = new Holdings(block.runtime.arena),
          buffers: number[] = [];
        fresh.set(layer, { holdings, buffers, runtime: block.runtime, steps: 0 });
        for (let b = 0; b < this.stateBuffers; b++) buffers.push(holdings.alloc(block.floats * 4, 'optimizer state'));
      });
      // 2. nothing non-finite goes in
      sum = this.#checkFinite(blocks, index);
    } catch (e) {
      for (const st of fresh.values()) st.holdings.freeAll();
      throw e;
    }
    for (const [layer, st] of fresh) {
      const old = this.#state.get(layer);
      if (old) this.#forget(layer, old);
      this.#state.set(layer, st);
      this.#held.add(st.holdings);
    }
    this.#clip(blocks.flatMap(trainableParts), sum);
    flat.forEach((layer, i) => {
      const block = blocks[i]!,
        st = this.#state.get(layer)!;
      st.steps++;
      const state = st.buffers;
      // the update rules are element-wise: a range of the block is the same rule over its slice
      for (const part of trainableParts(block)) {
        const at = part.params - block.params;
        this.update(
          part,
          state.map((p) => p + at),
          st.steps,
        );
      }
    });
    // Forget layers disposed since the last step (their state memory goes back to the arena).
    for (const [layer, st] of this.#state) if (layer.disposed) this.#forget(layer, st);
  }

  #momentum(): number {
    const m = this.rule.momentum;
    return typeof m === 'number' ? m : 0;
  }

  #forget(layer: Trainable, st: LayerState): void {
    st.holdings.freeAll();
    this.#held.delete(st.holdings);
    this.#state.delete(layer);
  }

  /** Σg² over the trainable parts, NaN- and overflow-checked before clipping changes anything. */
  #checkFinite(blocks: ParameterBlock[], index: number[]): number {
    let sum = 0;
    blocks.forEach((block, i) => {
      let s = 0;
      for (const b of trainableParts(block)) s += sumSquares(b.runtime, b.grads, b.floats);
      if (!Number.isFinite(s)) {
        this.lastGradNorm = Math.sqrt(s);
        throw new LSTMError('NON_FINITE', 'a gradient is NaN or infinite; no update was applied', {
          argument: `gradients of layers[${index[i]}]`,
          expected: 'finite gradients',
          actual: `a squared norm of ${s}`,
        });
      }
      sum += s;
    });
    // SGD's step is lr·g (with momentum up to lr·g/(1 − m)): past float32's range it would write
    // infinities. Adam's and RMSprop's steps are bounded by about lr whatever g is.
    if (this.stepGrowsWithGradient && !((this.#learningRate * Math.sqrt(sum)) / (1 - this.#momentum()) < F32_MAX)) {
      throw new LSTMError('NON_FINITE', 'the update would overflow float32; no update was applied', {
        argument: 'learningRate',
        expected: `learningRate·‖g‖ below ${F32_MAX}`,
        actual: `${this.#learningRate}·${Math.sqrt(sum)}`,
      });
    }
    return sum;
  }

  /** clipValue, then clipNorm; `sum` is Σg² before clipValue. */
  #clip(blocks: ParameterBlock[], sum: number): void {
    if (this.clipValue !== undefined) {
      for (const b of blocks) elementwise(b.runtime, 'clipArray', [b.grads], b.floats, this.clipValue);
      sum = 0;
      for (const b of blocks) sum += sumSquares(b.runtime, b.grads, b.floats);
    }
    const norm = Math.sqrt(sum);
    this.lastGradNorm = norm;
    if (this.clipNorm !== undefined) {
      const coef = this.clipNorm / (norm + 1e-6);
      if (coef < 1) for (const b of blocks) elementwise(b.runtime, 'scaleArray', [b.grads], b.floats, coef);
    }
  }

  /** After an epoch of fit (which calls it): the schedule (if any) sets the rate for the next one from the
   *  epoch's metrics ({@link EpochLogs}). */
  endEpoch(metrics: Readonly<Record<string, number | undefined>>): void {
    if (this.schedule) this.learningRate = this.schedule.next(this.initialLearningRate, this.learningRate, metrics);
  }

  /** @internal What changes while training besides the per-layer buffers: the rate and the schedule's position. */
  _exportProgress(): { learningRate: number; schedule?: Record<string, number> } {
    return { learningRate: this.learningRate, ...(this.schedule ? { schedule: this.schedule.state() } : {}) };
  }

  /** @internal */
  _importProgress(p: { learningRate?: unknown; schedule?: Record<string, unknown> }): void {
    this.learningRate = nonNegative('learningRate', p.learningRate, this.learningRate);
    if (this.schedule && p.schedule) this.schedule.restore(p.schedule);
  }

  /** Kind and options, as model files save them: every option there is, from one place each. */
  config(): {
    /** The optimizer's {@link Optimizer.kind}. */
    kind: string;
    /** Its constructor options, every default filled in (the schedule as `{ kind, options }`). */
    options: Record<string, unknown>;
  } {
    const options: Record<string, unknown> = {
      learningRate: this.schedule ? this.initialLearningRate : this.learningRate,
      ...(this.schedule ? { schedule: { kind: this.schedule.kind, options: this.schedule.config() } } : {}),
      weightDecay: this.weightDecay,
      ...this.rule,
    };
    if (this.clipNorm !== undefined) options.clipNorm = this.clipNorm;
    if (this.clipValue !== undefined) options.clipValue = this.clipValue;
    return { kind: this.kind, options };
  }

  /** @internal The state of one layer (packed like its parameters), for saving. */
  _exportState(layer: Trainable): { steps: number; buffers: Float32Array[] } | null {
    const st = this.#state.get(layer),
      block = layer._blocks();
    if (!st || !block) return null;
    return { steps: st.steps, buffers: st.buffers.map((p) => st.runtime.arena.read(p, block.floats)) };
  }

  /** @internal Restore what _exportState gave (same layer architecture). */
  _importState(layer: Trainable, saved: { steps: number; buffers: Float32Array[] }): void {
    const block = layer._blocks();
    if (!block || saved.buffers.length !== this.stateBuffers || saved.buffers.some((b) => b.length !== block.floats)) {
      throw new LSTMError('STATE_DICT_SHAPE', 'optimizer state does not fit this layer', {
        argument: 'optimizer state',
        expected: `${this.stateBuffers} buffers of ${block?.floats ?? 0}`,
        actual: `${saved.buffers.length} buffers`,
      });
    }
    if (!Number.isSafeInteger(saved.steps) || saved.steps < 1) {
      throw new LSTMError('INVALID_ARGUMENT', 'optimizer steps must be an integer ≥ 1', {
        argument: 'steps',
        expected: 'an integer ≥ 1',
        actual: describe(saved.steps),
      });
    }
    const holdings = new Holdings(block.runtime.arena);
    const buffers: number[] = [];
    try {
      for (const b of saved.buffers) {
        const p = holdings.alloc(b.length * 4, 'optimizer state');
        buffers.push(p);
        block.runtime.arena.write(p, b);
      }
    } catch (e) {
      holdings.freeAll();
      throw e;
    }
    const old = this.#state.get(layer);
    if (old) this.#forget(layer, old);
    this.#state.set(layer, { holdings, buffers, runtime: block.runtime, steps: saved.steps });
    this.#held.add(holdings);
  }

  /** Steps taken for `layer` (Adam's bias corrections use it); 0 before its first. */
  stepsFor(layer: Trainable): number {
    return this.#state.get(layer)?.steps ?? 0;
  }

  /** Free all optimizer state (it starts afresh if step() is called again). */
  dispose(): void {
    for (const h of this.#held) h.freeAll();
    this.#held.clear();
    this.#state.clear();
    release(this);
  }
}
