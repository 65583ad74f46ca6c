// The loops over a data set that Sequential runs with its one-batch step: evaluation in batches,
// prediction in batches, and a truncated-BPTT step over windows of time.
import type { Layer } from '../layers/layer.js';
import type { Tensor } from '../tensor.js';
import { rows, window } from './batches.js';
import type { LossResult } from './losses.js';

/** The loss (and accuracy, for classification losses) over X, Y in batches, weighted by batch size. */
export function evaluateBatches(
  step: (x: Tensor, y: Tensor, lengths: Int32Array | undefined) => LossResult,
  X: Tensor,
  Y: Tensor,
  batchSize: number,
  lengths: Int32Array | undefined,
): { loss: number; accuracy?: number } {
  const N = X.shape[0]!,
    all = Int32Array.from({ length: N }, (_, i) => i);
  let sum = 0,
    correct = 0,
    counted = 0,
    isClass = false;
  for (let from = 0; from < N; from += batchSize) {
    const to = Math.min(N, from + batchSize);
    const r = step(rows(X, all, from, to), rows(Y, all, from, to), lengths?.subarray(from, to));
    sum += r.loss * (to - from);
    if (r.correct !== null) {
      isClass = true;
      correct += r.correct;
      counted += r.count;
    }
  }
  return isClass ? { loss: sum / N, accuracy: correct / counted } : { loss: sum / N };
}

/** The outputs for X in batches of `batchSize`, concatenated along the first axis. */
export function predictBatches(forward: (x: Tensor) => Tensor, X: Tensor, batchSize: number): Tensor {
  const N = X.shape[0]!,
    all = Int32Array.from({ length: N }, (_, i) => i),
    parts: Tensor[] = [];
  for (let from = 0; from < N; from += batchSize)
    parts.push(forward(rows(X, all, from, Math.min(N, from + batchSize))));
  const per = parts[0]!.data.length / parts[0]!.shape[0]!,
    out = new Float32Array(N * per);
  let at = 0;
  for (const p of parts) {
    out.set(p.data, at);
    at += p.data.length;
  }
  return { data: out, shape: [N, ...parts[0]!.shape.slice(1)] };
}

/**
 * Truncated BPTT on one batch: windows of k steps, one update per window, the recurrent layers'
 * state carried (detached) from window to window. With per-step targets [N, T, …] every window has a
 * loss (the result is their step-weighted mean); with one target per sequence only the last does.
 */
export function tbpttStep(
  layers: readonly Layer[],
  step: (x: Tensor, y: Tensor) => LossResult,
  forward: (x: Tensor) => void,
  x: Tensor,
  y: Tensor,
  k: number,
): LossResult {
  const T = x.shape[1]!;
  const perStep = y.shape.length >= 2 && y.shape[1] === T && layers.some((l) => l.returnSequences === true);
  const carriers = layers.filter((l) => l.setCarry);
  for (const l of carriers) l.setCarry!(true);
  try {
    let sum = 0,
      steps = 0,
      last: LossResult | null = null;
    for (let from = 0; from < T; from += k) {
      const to = Math.min(T, from + k),
        xw = window(x, from, to);
      if (perStep) {
        last = step(xw, window(y, from, to));
        sum += last.loss * (to - from);
        steps += to - from;
      } else if (to < T)
        forward(xw); // carry the state forward only
      else {
        last = step(xw, y);
        sum = last.loss;
        steps = 1;
      }
    }
    return { ...last!, loss: sum / steps };
  } finally {
    for (const l of carriers) l.setCarry!(false);
  }
}
