// Inverted dropout between layers: in training each element is zeroed with probability `rate`
// and the rest scaled by 1/(1 − rate), so predict (no dropout) needs no rescaling. The mask comes
// from the layer's seeded stream: same seed, same masks, same losses; the stream's state is saved
// with the model, so training resumes with the masks it would have drawn.
import { checkOptionKeys, checkSeed, describe, LSTMError } from '../errors.js';
import { SeededStream } from '../random.js';
import { shapeSize, shapeString, type StateDict, type Tensor } from '../tensor.js';
import {
  type ForwardContext,
  type Layer,
  type LayerPlan,
  type RunState,
  type PrefixOption,
  selectPrefix,
} from './layer.js';

/** Options of {@link Dropout}. */
export interface DropoutOptions {
  /** Probability that an element is zeroed in training, in [0, 1). */
  rate: number;
  /** Seed of the masks' stream (same seed, same masks); an integer in [0, 2^32 − 1], default 1. */
  seed?: number;
}

/** Validated Dropout options (no allocation). */
/** The options Dropout's constructor takes (and a model file's Dropout config holds). */
export const DROPOUT_OPTION_KEYS: readonly string[] = ['rate', 'seed'];

export function dropoutConfig(options: DropoutOptions): { rate: number; seed: number } {
  if (options === null || typeof options !== 'object') {
    throw new LSTMError('INVALID_ARGUMENT', 'Dropout options must be an object', {
      argument: 'options',
      expected: '{ rate, seed? }',
      actual: describe(options),
    });
  }
  checkOptionKeys(options, DROPOUT_OPTION_KEYS);
  const rate = options.rate;
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
    throw new LSTMError('INVALID_ARGUMENT', 'dropout rate must be in [0, 1)', {
      argument: 'rate',
      expected: 'a number in [0, 1)',
      actual: describe(rate),
    });
  }
  return { rate, seed: checkSeed('seed', options.seed) };
}

/** Dropout has no parameters: its state dict is empty. */
export function dropoutPlan(options: DropoutOptions): LayerPlan {
  dropoutConfig(options);
  return { check: (dict) => checkEmpty(dict), ranges: new Map(), blockFloats: 0 };
}

function checkEmpty(dict: StateDict): void {
  const keys = Object.keys(dict);
  if (keys.length)
    throw new LSTMError('STATE_DICT_UNEXPECTED', 'Dropout has no parameters', {
      argument: keys[0]!,
      expected: 'nothing',
      actual: keys.join(', '),
    });
}

/**
 * Inverted dropout between layers: in training (fit, trainOnBatch) each element is zeroed with
 * probability `rate` and the rest scaled by 1/(1 − rate); in predict and evaluate it passes values
 * through. Masks come from its own seeded stream, which model files save. No parameters.
 */
export class Dropout implements Layer {
  /** 'Dropout'. */
  readonly kind = 'Dropout';
  /** The drop probability. */
  readonly rate: number;
  readonly #seed: number;
  readonly #rng: SeededStream;
  #mask: Float32Array | null = null;
  #disposed = false;

  /** @throws {@link LSTMError} `INVALID_ARGUMENT` for a rate outside [0, 1) or a bad seed. */
  constructor(options: DropoutOptions) {
    const c = dropoutConfig(options);
    this.rate = c.rate;
    this.#seed = c.seed;
    this.#rng = new SeededStream(c.seed);
  }

  /** true after {@link Dropout.dispose}. */
  get disposed(): boolean {
    return this.#disposed;
  }
  config(): Record<string, unknown> {
    return { rate: this.rate, seed: this.#seed };
  }

  /** Any shape -> the same. */
  outputShape(inputShape: readonly number[]): number[] {
    return inputShape.slice();
  }

  /** Same shape out; dropped only when `ctx.training`. */
  forwardTensor(x: Tensor, ctx: ForwardContext = { training: false }): Tensor {
    this.#live();
    const shape = x?.shape;
    if (!Array.isArray(shape) || !(x.data instanceof Float32Array) || x.data.length !== shapeSize(shape)) {
      throw new LSTMError('SHAPE_MISMATCH', 'Dropout input must be a tensor', {
        argument: 'x',
        expected: '{ data: Float32Array, shape } with data.length = the product of shape',
        actual: Array.isArray(shape) ? shapeString(shape) : describe(x),
      });
    }
    // predict: a copy, as every layer returns arrays the caller owns
    if (!ctx.training || this.rate === 0) {
      this.#mask = null;
      return { data: x.data.slice(), shape: shape.slice() };
    }
    const keep = 1 / (1 - this.rate),
      mask = new Float32Array(x.data.length),
      out = new Float32Array(x.data.length);
    for (let i = 0; i < mask.length; i++) {
      mask[i] = this.#rng.next() < this.rate ? 0 : keep;
      out[i] = x.data[i]! * mask[i]!;
    }
    this.#mask = mask;
    return { data: out, shape: shape.slice() };
  }

  backwardTensor(dy: Tensor): Tensor {
    this.#live();
    const m = this.#mask;
    if (!(dy?.data instanceof Float32Array) || !Array.isArray(dy.shape) || (m && dy.data.length !== m.length))
      throw new LSTMError('SHAPE_MISMATCH', 'gradient does not match the last output', {
        argument: 'dy',
        expected: m ? `${m.length} values` : 'a tensor',
        actual: describe(dy?.data),
      });
    if (!m) return { data: dy.data.slice(), shape: dy.shape.slice() };
    return { data: dy.data.map((v, i) => v * m[i]!), shape: dy.shape.slice() };
  }

  stateDict(): StateDict {
    this.#live();
    return {};
  }
  loadStateDict(dict: StateDict, options?: PrefixOption): void {
    this.#live();
    checkEmpty(selectPrefix(dict, options));
  }
  gradients(): StateDict {
    this.#live();
    return {};
  }
  zeroGrad(): void {
    this.#live();
  }
  dispose(): void {
    this.#disposed = true;
    this.#mask = null;
  }
  /** @internal No parameters. */
  _blocks(): null {
    return null;
  }

  /** @internal */
  _runState(): RunState {
    return { rng: this.#rng.state };
  }

  /** @internal */
  _setRunState(state: RunState): void {
    if (state.rng !== undefined) this.#rng.state = state.rng;
  }

  #live(): void {
    if (this.#disposed)
      throw new LSTMError('DISPOSED', 'this Dropout layer was disposed', {
        argument: 'this',
        expected: 'a live layer',
        actual: 'disposed',
      });
  }
}
