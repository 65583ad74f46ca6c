// Combining the two directions of a bidirectional layer (Keras' merge_mode) in a Sequential model:
// x [..., 2H] (forward half, then reverse half) -> [..., H] by sum, product or mean, and the
// gradient back to both halves.
import type { Tensor } from '../tensor.js';
import type { MergeMode } from './recurrent-config.js';

export function mergeForward(x: Tensor, H: number, mode: MergeMode): Tensor {
  const rows = x.data.length / (2 * H),
    out = new Float32Array(rows * H),
    a = x.data;
  for (let r = 0; r < rows; r++) {
    for (let u = 0; u < H; u++) {
      const f = a[r * 2 * H + u]!,
        b = a[r * 2 * H + H + u]!;
      out[r * H + u] = mode === 'sum' ? f + b : mode === 'mul' ? f * b : (f + b) / 2;
    }
  }
  return { data: out, shape: [...x.shape.slice(0, -1), H] };
}

/** ∂L/∂merged [..., H] -> ∂L/∂x [..., 2H]; x is what mergeForward was given (for the product). */
export function mergeBackward(dy: Tensor, x: Tensor, H: number, mode: MergeMode): Tensor {
  const rows = x.data.length / (2 * H),
    out = new Float32Array(rows * 2 * H),
    g = dy.data,
    a = x.data;
  for (let r = 0; r < rows; r++) {
    for (let u = 0; u < H; u++) {
      const d = g[r * H + u]!,
        i = r * 2 * H + u;
      if (mode === 'mul') {
        out[i] = d * a[i + H]!;
        out[i + H] = d * a[i]!;
      } else {
        out[i] = out[i + H] = mode === 'ave' ? d / 2 : d;
      }
    }
  }
  return { data: out, shape: x.shape.slice() };
}
