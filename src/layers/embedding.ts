// nn.Embedding: token ids [N, T] -> vectors [N, T, dim]. weight [numEmbeddings, dim] (PyTorch
// name), initialised N(0, 1) as in PyTorch. The gather and the scatter-add of its gradient are
// plain copies; the parameters live in the arena so optimizers update them like any layer's.
import { currentRuntime, type Runtime } from '../runtime.js';
import { LSTMError, checkSize, describe } from '../errors.js';
import { type StateDict, type Tensor, shapeSize, shapeString } from '../tensor.js';
import { mulberry32 } from '../random.js';
import type { Layer, ForwardContext, PrefixOptions } from './layer.js';
import { trailingLengths } from './masking.js';
import type { ParameterBlock } from '../optim.js';
import { addPrefix, selectPrefix, withPrefixInErrors } from '../io/prefix.js';

export interface EmbeddingOptions {
  numEmbeddings: number;
  embeddingDim: number;
  seed?: number;
  /** Keras' mask_zero: id 0 is padding. forward sets per-sequence lengths for the recurrent
   *  layers after it (ctx.lengths); padding must be trailing (a real id after a 0 is an error). */
  maskZero?: boolean;
}

export class Embedding implements Layer {
  readonly kind = 'Embedding';
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly maskZero: boolean;
  readonly #seed: number;
  readonly #rt: Runtime;
  #params: number;
  #grads: number;
  #ids: Int32Array = new Int32Array(0);
  #disposed = false;

  constructor(options: EmbeddingOptions) {
    if (options === null || typeof options !== 'object') {
      throw new LSTMError('INVALID_ARGUMENT', 'Embedding options must be an object', {
        argument: 'options',
        expected: '{ numEmbeddings, embeddingDim }',
        actual: describe(options),
      });
    }
    this.numEmbeddings = checkSize('numEmbeddings', options.numEmbeddings, 1 << 24);
    this.embeddingDim = checkSize('embeddingDim', options.embeddingDim, 1 << 16);
    this.#seed = options.seed ?? 1;
    if (options.maskZero !== undefined && typeof options.maskZero !== 'boolean')
      throw new LSTMError('INVALID_ARGUMENT', 'must be a boolean', {
        argument: 'maskZero',
        expected: 'true or false',
        actual: describe(options.maskZero),
      });
    this.maskZero = options.maskZero === true;
    this.#rt = currentRuntime();
    const n = this.numEmbeddings * this.embeddingDim;
    this.#params = this.#rt.arena.alloc(n * 4, 'Embedding parameters');
    try {
      this.#grads = this.#rt.arena.alloc(n * 4, 'Embedding gradients');
    } catch (e) {
      this.#rt.arena.free(this.#params);
      throw e;
    }
    // N(0, 1) by Box–Muller from the seeded stream.
    const rng = mulberry32(this.#seed),
      f32 = this.#rt.arena.f32,
      at = this.#params >> 2;
    for (let i = 0; i < n; i++) f32[at + i] = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  }

  get disposed(): boolean {
    return this.#disposed;
  }
  config(): Record<string, unknown> {
    return {
      numEmbeddings: this.numEmbeddings,
      embeddingDim: this.embeddingDim,
      seed: this.#seed,
      ...(this.maskZero ? { maskZero: true } : {}),
    };
  }

  forwardTensor(x: Tensor, ctx?: ForwardContext): Tensor {
    this.#live();
    const shape = x?.shape,
      V = this.numEmbeddings,
      E = this.embeddingDim;
    if (!Array.isArray(shape) || !(x.data instanceof Float32Array) || x.data.length !== shapeSize(shape)) {
      throw new LSTMError('SHAPE_MISMATCH', 'Embedding input must be token ids [batch, steps]', {
        argument: 'x',
        expected: '[batch, steps] integer ids',
        actual: Array.isArray(shape) ? shapeString(shape) : describe(x),
      });
    }
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
    const f32 = this.#rt.arena.f32,
      at = this.#params >> 2,
      out = new Float32Array(ids.length * E);
    for (let i = 0; i < ids.length; i++) out.set(f32.subarray(at + ids[i]! * E, at + ids[i]! * E + E), i * E);
    return { data: out, shape: [...shape, E] };
  }

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
    const f32 = this.#rt.arena.f32,
      at = this.#grads >> 2;
    for (let i = 0; i < ids.length; i++) {
      const row = at + ids[i]! * E;
      for (let e = 0; e < E; e++) f32[row + e] = f32[row + e]! + dy.data[i * E + e]!;
    }
    return null;
  }

  stateDict(options?: PrefixOptions): StateDict {
    if (options?.prefix !== undefined) return addPrefix(this.stateDict(), options.prefix);
    this.#live();
    return {
      weight: {
        shape: [this.numEmbeddings, this.embeddingDim],
        data: this.#rt.arena.f32.slice(this.#params >> 2, (this.#params >> 2) + this.numEmbeddings * this.embeddingDim),
      },
    };
  }
  gradients(): StateDict {
    this.#live();
    return {
      weight: {
        shape: [this.numEmbeddings, this.embeddingDim],
        data: this.#rt.arena.f32.slice(this.#grads >> 2, (this.#grads >> 2) + this.numEmbeddings * this.embeddingDim),
      },
    };
  }

  loadStateDict(dict: StateDict, options?: PrefixOptions): void {
    if (options?.prefix !== undefined) {
      withPrefixInErrors(options.prefix, () => this.loadStateDict(selectPrefix(dict, options.prefix)));
      return;
    }
    this.#live();
    const shape = [this.numEmbeddings, this.embeddingDim];
    for (const k of Object.keys(dict ?? {}))
      if (k !== 'weight')
        throw new LSTMError('STATE_DICT_UNEXPECTED', 'tensor not in this layer', {
          argument: k,
          expected: 'weight',
          actual: k,
        });
    const t = dict.weight;
    if (!t)
      throw new LSTMError('STATE_DICT_MISSING', 'tensor missing from state dict', {
        argument: 'weight',
        expected: shapeString(shape),
        actual: 'nothing',
      });
    if (
      !Array.isArray(t.shape) ||
      t.shape.join() !== shape.join() ||
      (t.data as ArrayLike<number>)?.length !== shapeSize(shape)
    ) {
      throw new LSTMError('STATE_DICT_SHAPE', 'wrong shape', {
        argument: 'weight',
        expected: shapeString(shape),
        actual: Array.isArray(t.shape) ? shapeString(t.shape) : describe(t.shape),
      });
    }
    this.#rt.arena.f32.set(t.data, this.#params >> 2);
  }

  zeroGrad(): void {
    this.#live();
    const b = this.#grads >> 2;
    this.#rt.arena.f32.fill(0, b, b + this.numEmbeddings * this.embeddingDim);
  }
  _blocks(): ParameterBlock {
    this.#live();
    return {
      runtime: this.#rt,
      params: this.#params,
      grads: this.#grads,
      floats: this.numEmbeddings * this.embeddingDim,
    };
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#rt.arena.free(this.#params);
    this.#rt.arena.free(this.#grads);
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
