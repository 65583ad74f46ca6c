// nn.Embedding: token ids [N, T] -> vectors [N, T, dim]. weight [numEmbeddings, dim] (PyTorch
// name), initialised N(0, 1) as in PyTorch. The gather and the scatter-add of its gradient are
// plain copies; the parameters live in the arena so optimizers update them like any layer's.
import { checkOptionKeys, checkSeed, checkSize, describe, LSTMError, checkBool } from '../errors.js';
import { Holdings, own, release } from '../owned.js';
import { mulberry32 } from '../random.js';
import { currentRuntime, type Runtime } from '../runtime.js';
import { describeTensor, isTensor, type StateDict, type Tensor } from '../tensor.js';
import type { ForwardContext, Layer, LayerPlan, ParameterBlock, PrefixOption } from './layer.js';
import { trailingLengths } from './masking.js';
import { addPrefix, selectPrefix } from './layer.js';
import { checkTensor } from './recurrent-params.js';
import { TRAINABILITY_OPTION_KEYS, Trainability, type TrainabilityOptions } from './trainability.js';

/** Options of {@link Embedding}. */
export interface EmbeddingOptions extends TrainabilityOptions {
  /** Size of the vocabulary: ids are integers in [0, numEmbeddings); at most 2^24. */
  numEmbeddings: number;
  /** Length of each vector; an integer in [1, 65536]. */
  embeddingDim: number;
  /** Seed of PyTorch's init N(0, 1); an integer in [0, 2^32 − 1], default 1. */
  seed?: number;
  /** Keras' mask_zero: id 0 is padding. forward sets per-sequence lengths for the recurrent
   *  layers after it (ctx.lengths); padding must be trailing (a real id after a 0 is an error). */
  maskZero?: boolean;
}

/** Validated Embedding options, every default filled in (no allocation). */
/** The options Embedding's constructor takes (and a model file's Embedding config holds). */
export const EMBEDDING_OPTION_KEYS: readonly string[] = [
  'numEmbeddings',
  'embeddingDim',
  'seed',
  'maskZero',
  ...TRAINABILITY_OPTION_KEYS,
];

export function embeddingConfig(options: EmbeddingOptions): {
  numEmbeddings: number;
  embeddingDim: number;
  seed: number;
  maskZero: boolean;
} {
  if (options === null || typeof options !== 'object') {
    throw new LSTMError('INVALID_ARGUMENT', 'Embedding options must be an object', {
      argument: 'options',
      expected: '{ numEmbeddings, embeddingDim }',
      actual: describe(options),
    });
  }
  checkOptionKeys(options, EMBEDDING_OPTION_KEYS);
  checkBool('maskZero', options.maskZero, false);
  return {
    numEmbeddings: checkSize('numEmbeddings', options.numEmbeddings, 1 << 24),
    embeddingDim: checkSize('embeddingDim', options.embeddingDim, 1 << 16),
    seed: checkSeed('seed', options.seed),
    maskZero: options.maskZero === true,
  };
}

/** Checks nn.Embedding's one tensor; writes nothing. */
function checkWeight(dict: StateDict, V: number, E: number): Tensor {
  for (const k of Object.keys(dict)) {
    if (k !== 'weight')
      throw new LSTMError('STATE_DICT_UNEXPECTED', 'tensor not in this layer', {
        argument: k,
        expected: 'weight',
        actual: k,
      });
  }
  return checkTensor('weight', dict.weight, [V, E]);
}

/** The one parameter an Embedding built from `options` holds, without allocating. */
export function embeddingPlan(options: EmbeddingOptions): LayerPlan {
  const c = embeddingConfig(options),
    n = c.numEmbeddings * c.embeddingDim;
  return {
    check: (dict) => void checkWeight(dict, c.numEmbeddings, c.embeddingDim),
    ranges: new Map([['weight', [0, n]]]),
    blockFloats: n,
  };
}

/**
 * PyTorch's `nn.Embedding`: token ids `[batch, steps]` (integers held as float32) -> vectors
 * `[batch, steps, embeddingDim]`. One parameter, `weight` `[numEmbeddings, embeddingDim]`. As the
 * first layer of a {@link Sequential}, its input is token ids instead of features.
 */
export class Embedding implements Layer {
  /** 'Embedding'. */
  readonly kind = 'Embedding';
  /** Its input is token ids: true. */
  readonly inputIsTokens = true;
  /** Size of the vocabulary. */
  readonly numEmbeddings: number;
  /** Length of each vector. */
  readonly embeddingDim: number;
  /** Is id 0 padding (Keras' mask_zero)? */
  readonly maskZero: boolean;
  readonly #seed: number;
  readonly #rt: Runtime;
  readonly #holdings: Holdings;
  readonly #params: number;
  readonly #grads: number;
  readonly #trainability: Trainability;
  #ids: Int32Array = new Int32Array(0);
  #disposed = false;

  /** @throws {@link LSTMError} `NOT_INITIALIZED` before {@link init}; `INVALID_ARGUMENT` for bad options;
   *  `OUT_OF_MEMORY`. */
  constructor(options: EmbeddingOptions) {
    const c = embeddingConfig(options);
    this.numEmbeddings = c.numEmbeddings;
    this.embeddingDim = c.embeddingDim;
    this.#seed = c.seed;
    this.maskZero = c.maskZero;
    this.#rt = currentRuntime();
    this.#holdings = new Holdings(this.#rt.arena);
    const n = this.numEmbeddings * this.embeddingDim;
    this.#trainability = new Trainability(options, new Map([['weight', [0, n]]]));
    try {
      this.#params = this.#holdings.alloc(n * 4, 'Embedding parameters');
      this.#grads = this.#holdings.alloc(n * 4, 'Embedding gradients');
    } catch (e) {
      this.#holdings.freeAll();
      throw e;
    }
    own(this, this.#holdings);
    // N(0, 1) by Box–Muller from the seeded stream.
    const rng = mulberry32(this.#seed),
      w = this.#rt.arena.view(this.#params, n);
    for (let i = 0; i < n; i++) w[i] = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  }

  /** true after {@link Embedding.dispose}. */
  get disposed(): boolean {
    return this.#disposed;
  }

  config(): Record<string, unknown> {
    return {
      numEmbeddings: this.numEmbeddings,
      embeddingDim: this.embeddingDim,
      seed: this.#seed,
      ...(this.maskZero ? { maskZero: true } : {}),
      ...this.#trainability.config(),
    };
  }

  /** false: optimizers leave the embedding table alone (Keras' trainable). */
  get trainable(): boolean {
    return this.#trainability.trainable;
  }

  /** false freezes every parameter, true unfreezes (those not named in frozenParameters). */
  set trainable(value: boolean) {
    this.#trainability.trainable = value === true;
  }

  /** Freeze 'weight' (optimizers leave it alone); [] unfreezes.
   *  @throws {@link LSTMError} `INVALID_ARGUMENT` for another name. */
  freezeParameters(names: string[]): void {
    this.#trainability.freeze(names);
  }

  /** The names frozen by {@link Embedding.freezeParameters}. */
  get frozenParameters(): readonly string[] {
    return this.#trainability.frozen;
  }

  /** Token ids of any shape [...] -> [..., embeddingDim]. */
  outputShape(inputShape: readonly number[]): number[] {
    if (!Array.isArray(inputShape)) {
      throw new LSTMError('SHAPE_MISMATCH', 'Embedding input must be token ids [batch, steps]', {
        argument: 'x',
        expected: '[batch, steps] integer ids',
        actual: describe(inputShape),
      });
    }
    return [...inputShape, this.embeddingDim];
  }

  /** Token ids `[batch, steps]` -> `[batch, steps, embeddingDim]`; with maskZero, sets `ctx.lengths`.
   *  @throws {@link LSTMError} `INVALID_ARGUMENT` for an id that is not an integer in [0, numEmbeddings) or
   *  (maskZero) a 0 followed by a real id; `SHAPE_MISMATCH` for a non-tensor. */
  forwardTensor(x: Tensor, ctx?: ForwardContext): Tensor {
    this.#live();
    const V = this.numEmbeddings,
      E = this.embeddingDim;
    if (!isTensor(x)) {
      throw new LSTMError('SHAPE_MISMATCH', 'Embedding input must be token ids [batch, steps]', {
        argument: 'x',
        expected: '{ data: Float32Array of integer ids, shape: [batch, steps] }',
        actual: describeTensor(x),
      });
    }
    const shape = x.shape;
    const ids = new Int32Array(x.data.length);
    for (let i = 0; i < ids.length; i++) {
      const v = x.data[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= V) {
        throw new LSTMError('INVALID_ARGUMENT', 'token id out of range', {
          argument: `x[${i}]`,
          expected: `an integer in [0, ${V})`,
          actual: String(v),
        });
      }
      ids[i] = v;
    }
    if (this.maskZero && ctx && shape.length === 2) {
      const [N, T] = shape as [number, number];
      trailingLengths(N, T, (n, t) => ids[n * T + t] !== 0, 'Embedding(maskZero)', ctx);
    }
    this.#ids = ids;
    const w = this.#rt.arena.view(this.#params, V * E),
      out = new Float32Array(ids.length * E);
    for (let i = 0; i < ids.length; i++) out.set(w.subarray(ids[i]! * E, ids[i]! * E + E), i * E);
    return { data: out, shape: [...shape, E] };
  }

  /** Accumulates the gradient of the rows the last forward read; returns null (ids have no gradient). */
  backwardTensor(dy: Tensor): null {
    this.#live();
    const E = this.embeddingDim,
      ids = this.#ids;
    if (!(dy?.data instanceof Float32Array) || dy.data.length !== ids.length * E) {
      throw new LSTMError('SHAPE_MISMATCH', 'gradient does not match the last output', {
        argument: 'dy',
        expected: `${ids.length * E} values`,
        actual: describe(dy?.data),
      });
    }
    const g = this.#rt.arena.view(this.#grads, this.numEmbeddings * E);
    for (let i = 0; i < ids.length; i++) {
      const row = ids[i]! * E;
      for (let e = 0; e < E; e++) g[row + e] = g[row + e]! + dy.data[i * E + e]!;
    }
    return null;
  }

  #weight(block: number): StateDict {
    return {
      weight: {
        shape: [this.numEmbeddings, this.embeddingDim],
        data: this.#rt.arena.read(block, this.numEmbeddings * this.embeddingDim),
      },
    };
  }

  /** `{ weight: [numEmbeddings, embeddingDim] }` (a fresh copy). */
  stateDict(options?: PrefixOption): StateDict {
    this.#live();
    return addPrefix(this.#weight(this.#params), options?.prefix);
  }

  gradients(): StateDict {
    this.#live();
    return this.#weight(this.#grads);
  }

  /** Load nn.Embedding's weight. Validates everything before changing anything. */
  loadStateDict(dict: StateDict, options?: PrefixOption): void {
    this.#live();
    const t = checkWeight(selectPrefix(dict, options), this.numEmbeddings, this.embeddingDim);
    this.#rt.arena.write(this.#params, t.data);
  }

  zeroGrad(): void {
    this.#live();
    this.#rt.arena.fill(this.#grads, this.numEmbeddings * this.embeddingDim);
  }

  /** @internal */
  _blocks(): ParameterBlock {
    this.#live();
    return {
      runtime: this.#rt,
      params: this.#params,
      grads: this.#grads,
      floats: this.numEmbeddings * this.embeddingDim,
      ranges: this.#trainability.ranges(),
    };
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#holdings.freeAll();
    release(this);
  }

  #live(): void {
    if (this.#disposed)
      throw new LSTMError('DISPOSED', 'this Embedding layer was disposed', {
        argument: 'this',
        expected: 'a live layer',
        actual: 'disposed',
      });
  }
}
