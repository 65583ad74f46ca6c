// What every layer without parameters answers alike (Masking, Activation, Reverse): an empty state
// dict that refuses tensors, no gradients, a disposed flag. Subclasses give the forward/backward math.
import { LSTMError } from '../errors.js';
import type { StateDict } from '../tensor.js';
import type { PrefixOption } from './layer.js';
import { selectPrefix } from './layer.js';

/** loadStateDict of a parameter-free layer: any tensor (under the prefix) is unexpected. */
export function noParameters(kind: string, dict: StateDict, options?: PrefixOption): void {
  const keys = Object.keys(selectPrefix(dict, options));
  if (keys.length)
    throw new LSTMError('STATE_DICT_UNEXPECTED', `${kind} has no parameters`, {
      argument: keys[0]!,
      expected: 'nothing',
      actual: keys.join(', '),
    });
}

/** The base of the layers without parameters ({@link Masking}, {@link ActivationLayer}, {@link Reverse}). */
export abstract class ParameterFreeLayer {
  /** The layer's kind, as saved in model files. */
  abstract readonly kind: string;
  #disposed = false;

  /** true after {@link ParameterFreeLayer.dispose}. */
  get disposed(): boolean {
    return this.#disposed;
  }
  /** Always `{}`. */
  stateDict(_options?: PrefixOption): StateDict {
    return {};
  }
  /** @throws {@link LSTMError} `STATE_DICT_UNEXPECTED` for any tensor (under the prefix). */
  loadStateDict(dict: StateDict, options?: PrefixOption): void {
    noParameters(this.kind, dict, options);
  }
  /** Always `{}`. */
  gradients(): StateDict {
    return {};
  }
  /** Nothing to zero. */
  zeroGrad(): void {}
  /** Marks the layer disposed (it holds no memory). */
  dispose(): void {
    this.#disposed = true;
  }
  /** @internal No parameters. */
  _blocks(): null {
    return null;
  }
}
