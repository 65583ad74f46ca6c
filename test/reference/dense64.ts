// float64 twins of Dense and its activations, and central differences, for the Dense and loss tests.
import type { Activation } from '../../src/index.js';

export const act64: Record<Activation, (z: number[]) => number[]> = {
  linear: (z) => z,
  relu: (z) => z.map((v) => Math.max(v, 0)),
  sigmoid: (z) => z.map((v) => 1 / (1 + Math.exp(-v))),
  tanh: (z) => z.map(Math.tanh),
  softmax: (z) => {
    const m = Math.max(...z),
      e = z.map((v) => Math.exp(v - m)),
      s = e.reduce((a, b) => a + b);
    return e.map((v) => v / s);
  },
};

/** float64 Dense: x [M,K], w [O,K], b [O] -> act(x·wᵀ + b) [M,O] */
export function dense64(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  b: ArrayLike<number>,
  M: number,
  K: number,
  O: number,
  act: Activation,
): number[] {
  const out: number[] = [];
  for (let m = 0; m < M; m++) {
    const z = Array.from({ length: O }, (_, o) => {
      let s = b[o]!;
      for (let k = 0; k < K; k++) s += x[m * K + k]! * w[o * K + k]!;
      return s;
    });
    out.push(...act64[act](z));
  }
  return out;
}

/** Central-difference gradient of f at v (float64), every element (perturbed in place, restored). */
export function numericGrad(v: Float64Array, f: () => number, eps = 1e-6): Float64Array {
  const g = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const keep = v[i]!;
    v[i] = keep + eps;
    const up = f();
    v[i] = keep - eps;
    const down = f();
    v[i] = keep;
    g[i] = (up - down) / (2 * eps);
  }
  return g;
}
