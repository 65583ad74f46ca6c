// The adding problem (Hochreiter & Schmidhuber 1997): T steps of (value, marker); value
// U(0, 1), exactly two markers set, one in each half; the target is the sum of the two marked
// values. Predicting the mean (1) scores MSE ≈ 1/6 ≈ 0.167; solving it needs memory across T.
import { checkSeed, checkSize } from '../errors.js';
import { mulberry32 } from '../random.js';
import type { Tensor } from '../tensor.js';

export function addingProblem(samples: number, steps = 100, seed = 1): { x: Tensor; y: Tensor } {
  checkSize('samples', samples, 1 << 24, 0);
  checkSize('steps', steps, 1 << 20);
  const rng = mulberry32(checkSeed('seed', seed)),
    x = new Float32Array(samples * steps * 2),
    y = new Float32Array(samples);
  const half = Math.max(1, Math.floor(steps / 2));
  for (let n = 0; n < samples; n++) {
    const a = Math.floor(rng() * half),
      b = half + Math.floor(rng() * (steps - half));
    for (let t = 0; t < steps; t++) x[(n * steps + t) * 2] = rng();
    x[(n * steps + a) * 2 + 1] = 1;
    x[(n * steps + b) * 2 + 1] = 1;
    y[n] = x[(n * steps + a) * 2]! + x[(n * steps + b) * 2]!;
  }
  return { x: { data: x, shape: [samples, steps, 2] }, y: { data: y, shape: [samples, 1] } };
}
