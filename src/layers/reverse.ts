// Reverses axis 1 (time) of [N, T, …]. It exists for Keras' go_backwards with
// return_sequences: Keras emits the backward run's outputs in processing order (last input
// step first), while this library's goBackwards layers keep outputs aligned with their input
// positions. The Keras importer puts a Reverse after such a layer; the exporter folds the pair
// back into one Keras layer.
import { LSTMError, describe } from '../errors.js';
import type { Tensor, StateDict } from '../tensor.js';
import { shapeString } from '../tensor.js';
import type { Layer, PrefixOption } from './layer.js';
import { noParameters } from './masking.js';

function reverseTime(t: Tensor, argument: string): Tensor {
  const s = t?.shape;
  if (!(t?.data instanceof Float32Array) || !Array.isArray(s) || s.length < 2)
    throw new LSTMError('SHAPE_MISMATCH', 'Reverse input must be [batch, steps, …]', {
      argument,
      expected: '[batch, steps, …]',
      actual: Array.isArray(s) ? shapeString(s) : describe(t),
    });
  const [N, T] = s as [number, number],
    per = t.data.length / (N * T),
    out = new Float32Array(t.data.length);
  for (let n = 0; n < N; n++)
    for (let k = 0; k < T; k++)
      out.set(t.data.subarray((n * T + T - 1 - k) * per, (n * T + T - k) * per), (n * T + k) * per);
  return { data: out, shape: s.slice() };
}

export class Reverse implements Layer {
  readonly kind = 'Reverse';
  #disposed = false;

  get disposed(): boolean {
    return this.#disposed;
  }
  config(): Record<string, unknown> {
    return {};
  }
  /** [batch, steps, …] -> the same (Sequential checks calls with it before they run). */
  outputShape(shape: readonly number[]): number[] {
    if (!Array.isArray(shape) || shape.length < 2)
      throw new LSTMError('SHAPE_MISMATCH', 'Reverse input must be [batch, steps, …]', {
        argument: 'x',
        expected: '[batch, steps, …]',
        actual: Array.isArray(shape) ? shapeString(shape) : describe(shape),
      });
    return shape.slice();
  }
  forwardTensor(x: Tensor): Tensor {
    return reverseTime(x, 'x');
  }
  backwardTensor(dy: Tensor): Tensor {
    return reverseTime(dy, 'dy');
  }
  stateDict(_options?: PrefixOption): StateDict {
    return {};
  }
  loadStateDict(dict: StateDict, options?: PrefixOption): void {
    noParameters('Reverse', dict, options);
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
