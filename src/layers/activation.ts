// Keras' Activation layer (ActivationLayer here: `Activation` is already the type of activation names): an elementwise function (softmax: over the last axis), no parameters.
// Plain JavaScript: one pass over the tensor, which is small next to the recurrent layers' work.
import { LSTMError, checkOptionKeys, describe } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { Layer } from './layer.js';
import type { Activation as ActivationName } from './dense.js';
import { ParameterFreeLayer } from './parameter-free.js';

/** The options ActivationLayer's constructor takes (and a model file's config holds). */
export const ACTIVATION_OPTION_KEYS: readonly string[] = ['activation'];

const NAMES: ActivationName[] = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'];

/** Options of {@link ActivationLayer}. */
export interface ActivationOptions {
  /** The function to apply. */
  activation: ActivationName;
}

/**
 * Keras' Activation layer (named ActivationLayer here: {@link Activation} is the type of the names):
 * an element-wise function of any tensor (softmax: over the last axis). No parameters.
 */
export class ActivationLayer extends ParameterFreeLayer implements Layer {
  /** 'Activation' (Keras' class name, as saved in model files). */
  readonly kind = 'Activation';
  /** The function it applies. */
  readonly activation: ActivationName;
  #y: Float32Array | null = null; // the last output: every derivative here is a function of it
  #last = 1; // size of the last axis (softmax)

  /** @throws {@link LSTMError} `INVALID_ARGUMENT` for an unknown activation. */
  constructor(options: ActivationOptions) {
    super();
    checkOptionKeys(options, ACTIVATION_OPTION_KEYS);
    const a = options?.activation;
    if (!NAMES.includes(a))
      throw new LSTMError('INVALID_ARGUMENT', 'unknown activation', {
        argument: 'activation',
        expected: NAMES.join(' | '),
        actual: describe(a),
      });
    this.activation = a;
  }

  config(): Record<string, unknown> {
    return { activation: this.activation };
  }

  /** Any tensor -> the same shape (Sequential checks calls with it before they run). */
  outputShape(shape: readonly number[]): number[] {
    if (!Array.isArray(shape) || shape.length === 0)
      throw new LSTMError('INVALID_ARGUMENT', 'Activation input must be a tensor', {
        argument: 'x',
        expected: 'a shape of rank ≥ 1',
        actual: describe(shape),
      });
    return shape.slice();
  }

  forwardTensor(x: Tensor): Tensor {
    if (!(x?.data instanceof Float32Array) || !Array.isArray(x.shape) || x.shape.length === 0)
      throw new LSTMError('INVALID_ARGUMENT', 'Activation input must be a tensor', {
        argument: 'x',
        expected: '{ data: Float32Array, shape }',
        actual: describe(x),
      });
    const v = x.data,
      y = new Float32Array(v.length),
      L = x.shape[x.shape.length - 1]!;
    switch (this.activation) {
      case 'linear':
        y.set(v);
        break;
      case 'relu':
        for (let i = 0; i < v.length; i++) y[i] = Math.max(v[i]!, 0);
        break;
      case 'sigmoid':
        for (let i = 0; i < v.length; i++) y[i] = 1 / (1 + Math.exp(-v[i]!));
        break;
      case 'tanh':
        for (let i = 0; i < v.length; i++) y[i] = Math.tanh(v[i]!);
        break;
      case 'softmax':
        for (let r = 0; r < v.length; r += L) {
          let m = Number.NEGATIVE_INFINITY,
            s = 0;
          for (let j = r; j < r + L; j++) m = Math.max(m, v[j]!);
          for (let j = r; j < r + L; j++) s += Math.exp(v[j]! - m);
          for (let j = r; j < r + L; j++) y[j] = Math.exp(v[j]! - m) / s;
        }
    }
    this.#y = y;
    this.#last = L;
    return { data: y.slice(), shape: x.shape.slice() };
  }

  backwardTensor(dy: Tensor): Tensor {
    const y = this.#y;
    if (!y)
      throw new LSTMError('NO_FORWARD', 'backward() needs a forward() first', {
        argument: 'dy',
        expected: 'a forward() call first',
        actual: 'none',
      });
    const g = dy?.data;
    if (!(g instanceof Float32Array) || g.length !== y.length)
      throw new LSTMError('SHAPE_MISMATCH', 'gradient does not match the last output', {
        argument: 'dy',
        expected: `${y.length} values`,
        actual: describe(g),
      });
    const dx = new Float32Array(g.length),
      L = this.#last;
    switch (this.activation) {
      case 'linear':
        dx.set(g);
        break;
      case 'relu':
        for (let i = 0; i < g.length; i++) dx[i] = y[i]! > 0 ? g[i]! : 0;
        break;
      case 'sigmoid':
        for (let i = 0; i < g.length; i++) dx[i] = g[i]! * y[i]! * (1 - y[i]!);
        break;
      case 'tanh':
        for (let i = 0; i < g.length; i++) dx[i] = g[i]! * (1 - y[i]! * y[i]!);
        break;
      case 'softmax':
        // ∂y_j/∂z_k = y_j (δ_jk − y_k)  ->  dz_k = y_k (dy_k − Σ_j dy_j y_j)
        for (let r = 0; r < g.length; r += L) {
          let dot = 0;
          for (let j = r; j < r + L; j++) dot += g[j]! * y[j]!;
          for (let j = r; j < r + L; j++) dx[j] = y[j]! * (g[j]! - dot);
        }
    }
    return { data: dx, shape: dy.shape.slice() };
  }
}
