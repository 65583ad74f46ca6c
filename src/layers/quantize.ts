// Weight quantization for inference: symmetric int8 with one f32 scale per output row (for a gated
// recurrent weight [G·H, K], one per gate unit). A quantized state dict keeps PyTorch's names; each
// weight holds integers in [−127, 127] (tensor dtype 'int8': float32 in memory, I8 in files) and
// gains `{name}_scale` [rows]: weight ≈ q · scale.
import { checkOptionKeys, describe, LSTMError } from '../errors.js';
import type { StateDict, Tensor } from '../tensor.js';
import { checkTensor } from './recurrent-params.js';

/** The dtype of a layer's weights: `'f32'`, or `'int8'` (symmetric, one f32 scale per output row;
 *  inference only). */
export type WeightDtype = 'f32' | 'int8';

/** Options of `quantize()` ({@link Sequential.quantize}, {@link Recurrent.quantize}, {@link Dense.quantize}). */
export interface QuantizeOptions {
  /** The weights' dtype: 'int8' (symmetric, one f32 scale per output row). */
  weights: 'int8';
}

/** The one option of quantize(), checked. */
export function checkQuantizeOptions(options: unknown): QuantizeOptions {
  checkOptionKeys(options, ['weights']);
  const weights = (options as { weights?: unknown } | null)?.weights;
  if (weights !== 'int8') {
    throw new LSTMError('INVALID_ARGUMENT', 'unsupported weight dtype', {
      argument: 'weights',
      expected: "{ weights: 'int8' }",
      actual: describe(weights),
    });
  }
  return { weights };
}

/** A layer option `weights`: 'f32' (default) or 'int8'. */
export function checkWeightDtype(value: unknown): WeightDtype {
  if (value === undefined || value === 'f32' || value === 'int8') return value ?? 'f32';
  throw new LSTMError('INVALID_ARGUMENT', 'unknown weight dtype', {
    argument: 'weights',
    expected: "'f32' | 'int8'",
    actual: describe(value),
  });
}

export const scaleName = (weight: string): string => `${weight}_scale`;

/** w [R, K] -> q [R, K] integers in [−127, 127] and scale [R] = max|row| / 127 (f32), q·scale ≈ w. */
export function quantizeRows(name: string, w: ArrayLike<number>, R: number, K: number): { q: Tensor; scale: Tensor } {
  const q = new Float32Array(R * K),
    scale = new Float32Array(R);
  for (let r = 0; r < R; r++) {
    let mx = 0;
    for (let k = 0; k < K; k++) {
      const v = w[r * K + k]!;
      if (!Number.isFinite(v)) {
        throw new LSTMError('INVALID_ARGUMENT', 'cannot quantize a weight that is not finite', {
          argument: `${name}[${r}, ${k}]`,
          expected: 'a finite number',
          actual: String(v),
        });
      }
      mx = Math.max(mx, Math.abs(v));
    }
    const s = Math.fround(mx / 127);
    scale[r] = s;
    if (s === 0) continue; // an all-zero row (or one below the smallest f32 scale) stays zero
    for (let k = 0; k < K; k++) {
      const v = w[r * K + k]! / s; // rounded half away from zero: symmetric about 0
      q[r * K + k] = Math.sign(v) * Math.min(127, Math.round(Math.abs(v))) + 0; // + 0: no −0
    }
  }
  return { q: { shape: [R, K], data: q, dtype: 'int8' }, scale: { shape: [R], data: scale } };
}

/** An f32 state dict with the named 2-D weights replaced by int8 + `_scale` (other tensors copied). */
export function quantizeDict(dict: StateDict, weights: readonly string[]): StateDict {
  const out: StateDict = {};
  for (const [name, t] of Object.entries(dict)) {
    if (!weights.includes(name)) {
      out[name] = { shape: t.shape.slice(), data: Float32Array.from(t.data) };
      continue;
    }
    const [R, K] = t.shape as [number, number];
    const { q, scale } = quantizeRows(name, t.data, R, K);
    out[name] = q;
    out[scaleName(name)] = scale;
  }
  return out;
}

/** A quantized weight: the shape, and integers in [−127, 127]. */
export function checkInt8Tensor(name: string, t: unknown, shape: number[]): Tensor {
  const checked = checkTensor(name, t, shape),
    d = checked.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!(Number.isInteger(v) && v >= -127 && v <= 127)) {
      throw new LSTMError('STATE_DICT_SHAPE', 'an int8 weight must hold integers in [−127, 127]', {
        argument: name,
        expected: 'integers in [−127, 127]',
        actual: `${v} at index ${i}`,
      });
    }
  }
  return { shape: checked.shape, data: checked.data, dtype: 'int8' };
}

/** A weight's scales: the shape, finite and ≥ 0. */
export function checkScaleTensor(name: string, t: unknown, shape: number[]): Tensor {
  const checked = checkTensor(name, t, shape),
    d = checked.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!(Number.isFinite(v) && v >= 0)) {
      throw new LSTMError('STATE_DICT_SHAPE', 'a scale must be finite and ≥ 0', {
        argument: name,
        expected: 'finite numbers ≥ 0',
        actual: `${v} at index ${i}`,
      });
    }
  }
  return checked;
}

/** The error every training entry point of an int8 layer raises. */
export function notTrainable(kind: string, what: string): LSTMError {
  return new LSTMError('NOT_TRAINABLE', `this ${kind} has int8 weights and is for inference only`, {
    argument: what,
    expected: 'a layer with f32 weights (train it, then quantize())',
    actual: "weights: 'int8'",
  });
}

/** What quantizeLayer uses of a layer: rebuilding itself from its config, its weights by name. */
interface Quantizable {
  readonly inferenceOnly: boolean;
  config(): Record<string, unknown>;
  stateDict(): StateDict;
  loadStateDict(dict: StateDict): void;
  dispose(): void;
}

/** A new inference-only layer of the same class and options as `layer`, with int8 copies of the
 *  weights named by `isWeight` (its other tensors stay f32); the layer itself is unchanged. */
export function quantizeLayer<T extends Quantizable>(
  layer: T,
  options: unknown,
  isWeight: (name: string) => boolean,
): T {
  checkQuantizeOptions(options);
  const Kind = layer.constructor as new (o: Record<string, unknown>) => T;
  const { trainable: _t, frozenParameters: _f, ...config } = layer.config(); // an int8 layer has nothing to freeze
  const q = new Kind({ ...config, weights: 'int8' });
  try {
    const dict = layer.stateDict();
    q.loadStateDict(layer.inferenceOnly ? dict : quantizeDict(dict, Object.keys(dict).filter(isWeight)));
  } catch (e) {
    q.dispose();
    throw e;
  }
  return q;
}
