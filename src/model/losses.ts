// Losses over a batch of predictions: the mean value and ∂loss/∂prediction in one pass.
// When the last layer ends in softmax (categorical) or sigmoid (binary) the gradient is taken
// with respect to its pre-activation instead, p − y, which is exact and never divides by p.
import { LSTMError, describe } from '../errors.js';

/**
 * A loss, Keras' names: `'mse'`, `'mae'` (regression, targets shaped as the output),
 * `'binaryCrossentropy'` (targets in [0, 1]), `'categoricalCrossentropy'` (one-hot targets) and
 * `'sparseCategoricalCrossentropy'` (class ids, one per output row). After a softmax (categorical) or
 * sigmoid (binary) last layer, the gradient is taken through the activation as p − y.
 */
export type LossName =
  | 'mse'
  | 'mae'
  | 'binaryCrossentropy'
  | 'categoricalCrossentropy'
  | 'sparseCategoricalCrossentropy';
export const LOSSES: LossName[] = [
  'mse',
  'mae',
  'binaryCrossentropy',
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
];

const EPS = 1e-7; // Keras' epsilon: log(p) is taken of p clipped to [ε, 1 − ε]

/** What {@link computeLoss} returns. */
export interface LossResult {
  /** The mean loss (over the rows with weight, and for mse / mae / binary over their values). */
  loss: number;
  /** ∂loss/∂pred, or ∂loss/∂(pre-activation) when `fused`. */
  grad: Float32Array;
  /** Classification: correct predictions; null for regression. */
  correct: number | null;
  /** How many predictions `correct` counts (rows, or values for binaryCrossentropy); for regression the
   *  weighted rows. */
  count: number;
}

/**
 * A loss and its gradient over a batch, as Sequential computes them (Keras' definitions; log(p) of p
 * clipped to [1e-7, 1 − 1e-7]).
 * @param name - The loss.
 * @param pred - Predictions, `[rows, classes]` flat (classes = 1 for one-output heads).
 * @param target - Same shape as pred, or `[rows]` class ids for sparseCategoricalCrossentropy.
 * @param classes - The last axis of pred.
 * @param fused - pred is the output of a softmax (categorical) or sigmoid (binary) that the gradient folds
 *   in: `grad` is then ∂loss/∂(pre-activation), p − y scaled as the loss is averaged.
 * @param weights - Per-row weights `[rows]` (0: a masked row that counts in neither loss nor gradient).
 * @throws {@link LSTMError} `SHAPE_MISMATCH` for a target of the wrong length; `INVALID_ARGUMENT` for a
 *   class id out of range or an unknown loss.
 */
export function computeLoss(
  name: LossName,
  pred: Float32Array,
  target: Float32Array,
  classes: number,
  fused: boolean,
  weights?: Float32Array,
): LossResult {
  const rows = pred.length / classes;
  const sparse = name === 'sparseCategoricalCrossentropy';
  const wantTarget = sparse ? rows : pred.length;
  if (target.length !== wantTarget) {
    throw new LSTMError('SHAPE_MISMATCH', 'targets do not match the predictions', {
      argument: 'y',
      expected: `${wantTarget} values${sparse ? ' (class ids)' : ''}`,
      actual: `${target.length}`,
    });
  }
  const grad = new Float32Array(pred.length);
  // rows masked out (weight 0) contribute neither loss nor gradient
  let active = 0;
  for (let r = 0; r < rows; r++) active += weights ? weights[r]! : 1;
  const denomRows = Math.max(active, 1e-12);
  let loss = 0,
    correct = 0;
  switch (name) {
    case 'mse':
    case 'mae': {
      const n = denomRows * classes;
      for (let i = 0; i < pred.length; i++) {
        const w = weights ? weights[Math.floor(i / classes)]! : 1;
        const d = pred[i]! - target[i]!;
        loss += w * (name === 'mse' ? d * d : Math.abs(d));
        grad[i] = (w * (name === 'mse' ? 2 * d : Math.sign(d))) / n;
      }
      return { loss: loss / n, grad, correct: null, count: active };
    }
    case 'binaryCrossentropy': {
      const n = denomRows * classes;
      for (let i = 0; i < pred.length; i++) {
        const w = weights ? weights[Math.floor(i / classes)]! : 1;
        const p = Math.min(Math.max(pred[i]!, EPS), 1 - EPS),
          y = target[i]!;
        loss -= w * (y * Math.log(p) + (1 - y) * Math.log(1 - p));
        grad[i] = (w * (fused ? pred[i]! - y : (p - y) / (p * (1 - p)))) / n;
        if (w > 0 && pred[i]! > 0.5 === y > 0.5) correct++;
      }
      return { loss: loss / n, grad, correct, count: active * classes };
    }
    case 'categoricalCrossentropy':
    case 'sparseCategoricalCrossentropy': {
      for (let r = 0; r < rows; r++) {
        const w = weights ? weights[r]! : 1,
          o = r * classes;
        let best = 0;
        for (let c = 1; c < classes; c++) if (pred[o + c]! > pred[o + best]!) best = c;
        let truth = 0;
        if (sparse) {
          const id = target[r]!;
          if (!Number.isInteger(id) || id < 0 || id >= classes) {
            throw new LSTMError('INVALID_ARGUMENT', 'class id out of range', {
              argument: `y[${r}]`,
              expected: `an integer in [0, ${classes})`,
              actual: String(id),
            });
          }
          truth = id;
          loss -= w * Math.log(Math.max(pred[o + id]!, EPS));
          for (let c = 0; c < classes; c++) {
            const y = c === id ? 1 : 0;
            grad[o + c] = (w * (fused ? pred[o + c]! - y : -y / Math.max(pred[o + c]!, EPS))) / denomRows;
          }
        } else {
          for (let c = 0; c < classes; c++) {
            const y = target[o + c]!;
            if (y > target[o + truth]!) truth = c;
            loss -= w * y * Math.log(Math.min(Math.max(pred[o + c]!, EPS), 1));
            grad[o + c] = (w * (fused ? pred[o + c]! - y : -y / Math.max(pred[o + c]!, EPS))) / denomRows;
          }
        }
        if (w > 0 && best === truth) correct++;
      }
      return { loss: loss / denomRows, grad, correct, count: active };
    }
    default:
      throw new LSTMError('INVALID_ARGUMENT', 'unknown loss', {
        argument: 'loss',
        expected: LOSSES.join(' | '),
        actual: describe(name),
      });
  }
}
