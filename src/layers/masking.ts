// Keras' Masking layer and the mask → lengths rule shared with Embedding({ maskZero }).
// A Keras mask marks padded steps; this library's recurrent layers take per-sequence lengths
// instead (ctx.lengths), so only trailing padding is representable: every sequence's real steps
// must come first. A mask with a real step after a padded one is rejected (INVALID_ARGUMENT on x)
// rather than silently treated as shorter.
import { LSTMError, checkOptionKeys, describe } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { shapeString } from '../tensor.js';
import type { Layer, ForwardContext } from './layer.js';
import { ParameterFreeLayer } from './parameter-free.js';

/** The options Masking's constructor takes (and a model file's config holds). */
export const MASKING_OPTION_KEYS: readonly string[] = ['maskValue'];

/** Per-sequence lengths from a step mask: `real(n, t)` for t < length, padding after. Combined
 *  with lengths already in the context by taking the smaller of the two. */
export function trailingLengths(
  N: number,
  T: number,
  real: (n: number, t: number) => boolean,
  layer: string,
  ctx: ForwardContext,
): void {
  const lengths = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    let len = 0;
    while (len < T && real(n, len)) len++;
    for (let t = len + 1; t < T; t++) {
      if (real(n, t))
        throw new LSTMError('INVALID_ARGUMENT', `${layer}: the mask is not trailing padding`, {
          argument: `x[${n}]`,
          expected: `padded steps only at the end (sequence ${n} is padded from step ${len})`,
          actual: `a real step at ${t}`,
        });
    }
    lengths[n] = ctx.lengths ? Math.min(len, ctx.lengths[n]!) : len;
  }
  ctx.lengths = lengths;
}

/** Options of {@link Masking}. */
export interface MaskingOptions {
  /** A step whose features all equal this value is padding (Keras' mask_value). Default 0. */
  maskValue?: number;
}

/**
 * Keras' Masking layer: `[batch, steps, features]` -> the same, with the steps whose features all equal
 * `maskValue` zeroed, and per-sequence lengths set for the recurrent layers after it (`ctx.lengths`),
 * which then skip those steps. Padding must be trailing: a real step after a padded one is
 * `INVALID_ARGUMENT` (this library's layers take lengths, not arbitrary masks). No parameters.
 */
export class Masking extends ParameterFreeLayer implements Layer {
  /** 'Masking'. */
  readonly kind = 'Masking';
  /** A step whose features all equal this is padding. */
  readonly maskValue: number;
  #mask: Uint8Array | null = null;

  /** @throws {@link LSTMError} `INVALID_ARGUMENT` for a maskValue that is not a number (or NaN). */
  constructor(options: MaskingOptions = {}) {
    super();
    checkOptionKeys(options, MASKING_OPTION_KEYS);
    const v = options?.maskValue ?? 0;
    if (typeof v !== 'number' || Number.isNaN(v))
      throw new LSTMError('INVALID_ARGUMENT', 'maskValue must be a number', {
        argument: 'maskValue',
        expected: 'a number (default 0)',
        actual: describe(v),
      });
    this.maskValue = v;
  }

  config(): Record<string, unknown> {
    return { maskValue: this.maskValue };
  }

  /** [batch, steps, features] -> the same (Sequential checks calls with it before they run). */
  outputShape(shape: readonly number[]): number[] {
    if (!Array.isArray(shape) || shape.length !== 3)
      throw new LSTMError('SHAPE_MISMATCH', 'Masking input must be [batch, steps, features]', {
        argument: 'x',
        expected: '[batch, steps, features]',
        actual: Array.isArray(shape) ? shapeString(shape) : describe(shape),
      });
    return shape.slice();
  }

  forwardTensor(x: Tensor, ctx: ForwardContext = { training: false }): Tensor {
    const shape = x?.shape;
    if (!Array.isArray(shape) || shape.length !== 3 || !(x.data instanceof Float32Array))
      throw new LSTMError('SHAPE_MISMATCH', 'Masking input must be [batch, steps, features]', {
        argument: 'x',
        expected: '[batch, steps, features]',
        actual: Array.isArray(shape) ? shapeString(shape) : describe(x),
      });
    const [N, T, F] = shape as [number, number, number],
      v = this.maskValue,
      mask = new Uint8Array(N * T);
    for (let r = 0; r < N * T; r++) {
      for (let f = 0; f < F; f++) {
        if (x.data[r * F + f] !== v) {
          mask[r] = 1;
          break;
        }
      }
    }
    trailingLengths(N, T, (n, t) => mask[n * T + t] === 1, 'Masking', ctx);
    this.#mask = mask;
    const out = new Float32Array(x.data.length);
    for (let r = 0; r < N * T; r++) if (mask[r]) out.set(x.data.subarray(r * F, r * F + F), r * F);
    return { data: out, shape: shape.slice() };
  }

  backwardTensor(dy: Tensor): Tensor {
    const m = this.#mask;
    if (!m)
      throw new LSTMError('NO_FORWARD', 'backward() needs a forward() first', {
        argument: 'dy',
        expected: 'a forward() call first',
        actual: 'none',
      });
    if (!(dy?.data instanceof Float32Array) || dy.data.length % m.length !== 0)
      throw new LSTMError('SHAPE_MISMATCH', 'gradient does not match the last output', {
        argument: 'dy',
        expected: `a multiple of ${m.length} values`,
        actual: describe(dy?.data),
      });
    const F = dy.data.length / m.length,
      out = new Float32Array(dy.data.length);
    for (let r = 0; r < m.length; r++) if (m[r]) out.set(dy.data.subarray(r * F, r * F + F), r * F);
    return { data: out, shape: dy.shape.slice() };
  }
}
