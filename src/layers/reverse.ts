// Reverses axis 1 (time) of [N, T, …]. It exists for Keras' go_backwards with
// return_sequences: Keras emits the backward run's outputs in processing order (last input
// step first), while this library's goBackwards layers keep outputs aligned with their input
// positions. The Keras importer puts a Reverse after such a layer; the exporter folds the pair
// back into one Keras layer.
import { LSTMError, describe } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { shapeString } from '../tensor.js';
import type { Layer } from './layer.js';
import { ParameterFreeLayer } from './parameter-free.js';

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

/**
 * Reverses the time axis: `[batch, steps, …]` -> the same with step t at steps − 1 − t. The Keras
 * importer puts one after a `go_backwards` layer with `return_sequences`, since Keras emits that layer's
 * outputs in processing order while this library's {@link RecurrentOptions.goBackwards} layers keep them
 * aligned with their inputs. No parameters.
 */
export class Reverse extends ParameterFreeLayer implements Layer {
  /** 'Reverse'. */
  readonly kind = 'Reverse';

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
}
