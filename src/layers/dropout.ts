// Inverted dropout between layers: in training each element is zeroed with probability `rate`
// and the rest scaled by 1/(1 − rate), so predict (no dropout) needs no rescaling. The mask comes
// from the layer's seeded stream: same seed, same masks, same losses.
import { LSTMError, describe } from '../errors.js';
import type { Tensor, StateDict } from '../tensor.js';
import { mulberry32 } from '../random.js';
import { type ForwardContext, type Layer, type PrefixOption, selectPrefix } from './layer.js';

export interface DropoutOptions {
  rate: number;
  seed?: number;
}

export class Dropout implements Layer {
  readonly kind = 'Dropout';
  readonly rate: number;
  readonly #seed: number;
  readonly #rng: () => number;
  #mask: Float32Array | null = null;
  #disposed = false;

  constructor(options: DropoutOptions) {
    const rate = options?.rate;
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
      throw new LSTMError('INVALID_ARGUMENT', 'dropout rate must be in [0, 1)', {
        argument: 'rate',
        expected: 'a number in [0, 1)',
        actual: describe(rate),
      });
    }
    this.rate = rate;
    this.#seed = options.seed ?? 1;
    this.#rng = mulberry32(this.#seed);
  }

  get disposed(): boolean {
    return this.#disposed;
  }
  config(): Record<string, unknown> {
    return { rate: this.rate, seed: this.#seed };
  }

  forwardTensor(x: Tensor, ctx: ForwardContext = { training: false }): Tensor {
    if (!ctx.training || this.rate === 0) {
      this.#mask = null;
      return x;
    }
    const keep = 1 / (1 - this.rate),
      mask = new Float32Array(x.data.length),
      out = new Float32Array(x.data.length);
    for (let i = 0; i < mask.length; i++) {
      mask[i] = this.#rng() < this.rate ? 0 : keep;
      out[i] = x.data[i]! * mask[i]!;
    }
    this.#mask = mask;
    return { data: out, shape: x.shape.slice() };
  }

  backwardTensor(dy: Tensor): Tensor {
    const m = this.#mask;
    if (!m) return dy;
    if (dy.data.length !== m.length)
      throw new LSTMError('SHAPE_MISMATCH', 'gradient does not match the last output', {
        argument: 'dy',
        expected: `${m.length} values`,
        actual: `${dy.data.length}`,
      });
    return { data: dy.data.map((v, i) => v * m[i]!), shape: dy.shape.slice() };
  }

  stateDict(): StateDict {
    return {};
  }
  loadStateDict(dict: StateDict, options?: PrefixOption): void {
    const keys = Object.keys(selectPrefix(dict, options));
    if (keys.length)
      throw new LSTMError('STATE_DICT_UNEXPECTED', 'Dropout has no parameters', {
        argument: keys[0]!,
        expected: 'nothing',
        actual: keys.join(', '),
      });
  }
  gradients(): StateDict {
    return {};
  }
  zeroGrad(): void {}
  dispose(): void {
    this.#disposed = true;
  }
  _blocks(): null {
    return null;
  }
}
