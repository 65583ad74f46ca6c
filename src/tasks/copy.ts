// Copy / delayed recall: one of `symbols` tokens is shown at step 1, then `delay` distractor steps
// (random tokens from a separate distractor alphabet), then a "recall" marker; the target is the
// first token. Chance is 1/symbols; solving it needs memory across the whole delay.
import { checkSeed, checkSize } from '../errors.js';
import { mulberry32 } from '../random.js';
import type { Tensor } from '../tensor.js';

export const COPY_DISTRACTORS = 4;

/** x one-hot [N, delay + 2, symbols + distractors + 1] (symbols, distractors, recall marker);
 *  y class ids [N]. */
export function copyTask(
  samples: number,
  delay = 50,
  symbols = 4,
  seed = 1,
): { x: Tensor; y: Tensor; classes: number } {
  checkSize('samples', samples, 1 << 24, 0);
  checkSize('delay', delay, 1 << 20, 0);
  checkSize('symbols', symbols, 1 << 16);
  const rng = mulberry32(checkSeed('seed', seed)),
    T = delay + 2,
    F = symbols + COPY_DISTRACTORS + 1;
  const x = new Float32Array(samples * T * F),
    y = new Float32Array(samples);
  for (let n = 0; n < samples; n++) {
    const s = Math.floor(rng() * symbols);
    y[n] = s;
    x[n * T * F + s] = 1;
    for (let t = 1; t <= delay; t++) x[(n * T + t) * F + symbols + Math.floor(rng() * COPY_DISTRACTORS)] = 1;
    x[(n * T + T - 1) * F + F - 1] = 1;
  }
  return { x: { data: x, shape: [samples, T, F] }, y: { data: y, shape: [samples] }, classes: symbols };
}
