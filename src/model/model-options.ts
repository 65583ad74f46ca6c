// The option and result types of Sequential's methods (fit's are in fit.ts, generate's in
// generate.ts, save's in model-file.ts), named so users can type their own code with them.
import type { Optimizer } from '../optim/optimizer.js';
import type { LossName } from './losses.js';

/** Options of {@link Sequential.compile}. */
export interface CompileOptions {
  /** The loss fit, trainOnBatch and evaluate minimise or report ({@link LossName}). */
  loss: LossName;
  /** Needed by fit and trainOnBatch; evaluate needs only the loss (an int8 model has no optimizer). */
  optimizer?: Optimizer;
  /** `['accuracy']` adds accuracy to fit's epoch logs (classification losses; evaluate() reports it for
   *  those anyway). */
  metrics?: 'accuracy'[];
}

/** Options of {@link Sequential.predict}. */
export interface PredictOptions {
  /** Samples per forward (bounds the memory a large predict takes); an integer ≥ 1, default all at once. */
  batchSize?: number;
  /** Per-sequence lengths `[samples]` of a padded x (integers in [0, steps]); given, all samples run in one
   *  forward. */
  lengths?: ArrayLike<number>;
}

/** Options of {@link Sequential.evaluate}. */
export interface EvaluateOptions {
  /** Samples per forward; an integer ≥ 1, default 256. */
  batchSize?: number;
  /** Per-sequence lengths `[samples]` of a padded x: padded steps do not count in the loss. */
  lengths?: ArrayLike<number>;
}

/** What {@link Sequential.evaluate} returns: the mean loss over the samples, and the accuracy for
 *  classification losses. */
export interface EvaluateResult {
  /** Mean loss per sample (as compiled). */
  loss: number;
  /** Fraction correct, in [0, 1] (classification losses only). */
  accuracy?: number;
}

/** Options of {@link Sequential.trainOnBatch}. */
export interface TrainOnBatchOptions {
  /** Per-sequence lengths `[samples]` of a padded x: padded steps neither update state nor count. */
  lengths?: ArrayLike<number>;
}

/** The `prefixes` option of {@link Sequential.stateDict} / {@link Sequential.loadStateDict}. */
export interface PrefixesOption {
  /** One name prefix per layer (default `layers.{i}.`), or one per layer with parameters (for a PyTorch
   *  module's state_dict, e.g. `['rnn.', 'fc.']`). */
  prefixes?: string[];
}
