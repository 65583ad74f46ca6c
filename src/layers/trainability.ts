// Freezing for fine-tuning, the same for every layer with parameters: `layer.trainable = false` (as in
// Keras) freezes all of them; `layer.freezeParameters(['bias_hh_l0'])` freezes some by name (e.g. the
// bias a one-bias framework never trained). Frozen parameters get no update and no optimizer state;
// optimizers see only the trainable float ranges of the packed block (ParameterBlock.ranges).
import { describe, LSTMError, checkBool } from '../errors.js';

/** The keys of {@link TrainabilityOptions}, which every layer with parameters takes. */
export const TRAINABILITY_OPTION_KEYS = ['trainable', 'frozenParameters'] as const;

/** Freezing options every layer with parameters takes (saved with the model). */
export interface TrainabilityOptions {
  /** false: no parameter of this layer is updated by optimizers (default true). */
  trainable?: boolean;
  /** Names (PyTorch's, as in stateDict()) of parameters optimizers leave alone (default none); a name the
   *  layer does not have is `INVALID_ARGUMENT`. */
  frozenParameters?: string[];
}

export class Trainability {
  trainable: boolean;
  #frozen: string[] = [];
  /** every parameter name -> its [start, end) float range in the packed block */
  readonly #ranges: ReadonlyMap<string, readonly [number, number]>;

  constructor(options: TrainabilityOptions, ranges: ReadonlyMap<string, readonly [number, number]>) {
    this.#ranges = ranges;
    this.trainable = checkBool('trainable', options.trainable, true);
    if (options.frozenParameters !== undefined) this.freeze(options.frozenParameters);
  }

  get frozen(): readonly string[] {
    return this.#frozen;
  }

  freeze(names: unknown): void {
    if (!Array.isArray(names)) {
      throw new LSTMError('INVALID_ARGUMENT', 'must be a list of parameter names', {
        argument: 'frozenParameters',
        expected: 'string[]',
        actual: describe(names),
      });
    }
    for (const n of names) {
      if (typeof n !== 'string' || !this.#ranges.has(n)) {
        throw new LSTMError('INVALID_ARGUMENT', 'not a parameter of this layer', {
          argument: 'frozenParameters',
          expected: [...this.#ranges.keys()].join(', '),
          actual: describe(n),
        });
      }
    }
    this.#frozen = [...new Set(names as string[])];
  }

  /** The float ranges optimizers update: null for the whole block, [] for none. */
  ranges(): [number, number][] | null {
    if (!this.trainable) return [];
    if (this.#frozen.length === 0) return null;
    const frozen = new Set(this.#frozen);
    const out: [number, number][] = [];
    for (const [name, [s, e]] of this.#ranges) if (!frozen.has(name)) out.push([s, e]);
    return out.sort((a, b) => a[0] - b[0]);
  }

  /** What config() adds so a saved model comes back with the same freezing. */
  config(): TrainabilityOptions {
    return {
      ...(this.trainable ? {} : { trainable: false }),
      ...(this.#frozen.length ? { frozenParameters: this.#frozen.slice() } : {}),
    };
  }
}
