// Time-series forecasting: noisy sums of sines with random frequencies and phases per series.
// Many-to-many: predict x_{t+1} at every step; many-to-one: predict the value after the window.
// The baseline is the naive forecast x̂_{t+1} = x_t.
import { checkSeed, checkSize } from '../errors.js';
import { mulberry32 } from '../random.js';
import type { Tensor } from '../tensor.js';

function series(rng: () => number, length: number, noise: number): Float32Array {
  const k = 2,
    f = Array.from({ length: k }, () => 0.05 + 0.15 * rng()),
    ph = Array.from({ length: k }, () => 2 * Math.PI * rng());
  const s = new Float32Array(length);
  for (let t = 0; t < length; t++) {
    let v = 0;
    for (let j = 0; j < k; j++) v += Math.sin(2 * Math.PI * f[j]! * t + ph[j]!) / k;
    s[t] = v + noise * (rng() * 2 - 1);
  }
  return s;
}

/** x [N, T, 1], y [N, T, 1] (next values) for many-to-many, or y [N, 1] for many-to-one. */
export function sineTask(
  samples: number,
  steps = 50,
  { manyToOne = false, noise = 0.02, seed = 1 } = {},
): { x: Tensor; y: Tensor; naiveRmse: number } {
  checkSize('samples', samples, 1 << 24, 0);
  checkSize('steps', steps, 1 << 20);
  const rng = mulberry32(checkSeed('seed', seed)),
    x = new Float32Array(samples * steps),
    y = new Float32Array(samples * (manyToOne ? 1 : steps));
  let se = 0,
    count = 0;
  for (let n = 0; n < samples; n++) {
    const s = series(rng, steps + 1, noise);
    x.set(s.subarray(0, steps), n * steps);
    if (manyToOne) {
      y[n] = s[steps]!;
      se += (s[steps]! - s[steps - 1]!) ** 2;
      count++;
    } else {
      y.set(s.subarray(1, steps + 1), n * steps);
      for (let t = 0; t < steps; t++) {
        se += (s[t + 1]! - s[t]!) ** 2;
        count++;
      }
    }
  }
  return {
    x: { data: x, shape: [samples, steps, 1] },
    y: { data: y, shape: manyToOne ? [samples, 1] : [samples, steps, 1] },
    naiveRmse: Math.sqrt(se / count),
  };
}
