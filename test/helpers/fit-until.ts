// Training for convergence tests that stops as soon as the test's criterion holds. fit() has no
// way to stop early short of throwing, so this runs it one epoch at a time, replaying fit's own
// shuffle (mulberry32(seed), one Fisher–Yates pass per epoch over a persistent order) on the data
// and passing it unshuffled: the batches, and so every update, are those of one
// fit({ epochs, seed }) call, and the trajectories measured with fit hold.
import type { Sequential, Tensor } from '../../src/index.js';
import { mulberry32 } from '../reference/rng.js';

export interface FitUntilOptions {
  /** The most epochs to run (the test's budget). */
  epochs: number;
  batchSize: number;
  /** fit's shuffle seed (fit's default is 1). */
  seed?: number;
}

/** The rows of t in `order`. */
function gather(t: Tensor, order: Int32Array): Tensor {
  const per = t.data.length / t.shape[0]!,
    out = new Float32Array(t.data.length);
  for (let i = 0; i < order.length; i++) out.set(t.data.subarray(order[i]! * per, (order[i]! + 1) * per), i * per);
  return { data: out, shape: t.shape };
}

/**
 * Trains until `done(epoch)` (1-based, called after each epoch) returns true or the budget is
 * spent; resolves the training loss of each epoch run.
 */
export async function fitUntil(
  model: Sequential,
  x: Tensor,
  y: Tensor,
  options: FitUntilOptions,
  done: (epoch: number) => boolean,
): Promise<number[]> {
  const N = x.shape[0]!,
    rng = mulberry32(options.seed ?? 1),
    order = Int32Array.from({ length: N }, (_, i) => i),
    losses: number[] = [];
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    for (let i = N - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    const h = await model.fit(gather(x, order), gather(y, order), {
      epochs: 1,
      batchSize: options.batchSize,
      shuffle: false,
    });
    losses.push(h.history.loss[0]!);
    if (done(epoch)) break;
  }
  return losses;
}
