// Dense's options, validated without allocating (model files check a whole architecture before
// building it), the activations' kernel ids and the padding of its packed block.
import { ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_SOFTMAX, ACT_TANH, PANEL } from '../../assembly/abi.js';
import { checkOptionKeys, checkSeed, checkSize, describe, LSTMError } from '../errors.js';
import type { Kernels } from '../runtime.js';
import type { LayerPlan } from './layer.js';
import { type DenseBlock, denseBlock } from './dense-blocks.js';
import { checkWeightDtype, type WeightDtype } from './quantize.js';
import { TRAINABILITY_OPTION_KEYS, type TrainabilityOptions } from './trainability.js';

/** An element-wise output activation (softmax: over the last axis). */
export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';
/** The kernel's id of each activation (assembly/abi.ts ACT_*). */
export const ACTIVATION_IDS: Record<Activation, number> = {
  linear: ACT_LINEAR,
  relu: ACT_RELU,
  sigmoid: ACT_SIGMOID,
  tanh: ACT_TANH,
  softmax: ACT_SOFTMAX,
};
const ACTIVATIONS = Object.keys(ACTIVATION_IDS) as Activation[];

// Outputs are padded to 16 columns (two GEMM panels). The kernels need only whole panels (8), but model
// files keep the optimizer's state as the packed block, and every file written so far has 16.
const OUTPUT_COLUMNS = 2 * PANEL;
export const paddedOutputs = (outputSize: number): number => Math.ceil(outputSize / OUTPUT_COLUMNS) * OUTPUT_COLUMNS;

/** Options of {@link Dense}. */
export interface DenseOptions extends TrainabilityOptions {
  /** Features in (the last axis of the input; nn.Linear's in_features); an integer in [1, 2^24]. */
  inputSize: number;
  /** Features out (out_features); an integer in [1, 2^24]. */
  outputSize: number;
  /** Applied to x·Wᵀ + b. Default 'linear'. softmax and sigmoid fold into the cross-entropy losses'
   *  gradient when this layer ends a model. */
  activation?: Activation;
  /** Seed of nn.Linear's init U(−1/√in, 1/√in); an integer in [0, 2^32 − 1], default 1. */
  seed?: number;
  /** 'f32' (default), or 'int8': inference only, one f32 scale per output (what quantize() returns). */
  weights?: WeightDtype;
}

/** Validated Dense options, every default filled in (no allocation). */
/** The options Dense's constructor takes (and a model file's Dense config holds). */
export const DENSE_OPTION_KEYS: readonly string[] = [
  'inputSize',
  'outputSize',
  'activation',
  'seed',
  'weights',
  ...TRAINABILITY_OPTION_KEYS,
];

export function denseConfig(options: DenseOptions): {
  inputSize: number;
  outputSize: number;
  activation: Activation;
  seed: number;
  weights: WeightDtype;
} {
  if (options === null || typeof options !== 'object') {
    throw new LSTMError('INVALID_ARGUMENT', 'Dense options must be an object', {
      argument: 'options',
      expected: '{ inputSize, outputSize }',
      actual: describe(options),
    });
  }
  checkOptionKeys(options, DENSE_OPTION_KEYS);
  const activation = options.activation ?? 'linear';
  if (!ACTIVATIONS.includes(activation)) {
    throw new LSTMError('INVALID_ARGUMENT', 'unknown activation', {
      argument: 'activation',
      expected: ACTIVATIONS.join(' | '),
      actual: describe(activation),
    });
  }
  return {
    inputSize: checkSize('inputSize', options.inputSize, 1 << 24),
    outputSize: checkSize('outputSize', options.outputSize, 1 << 24),
    activation,
    seed: checkSeed('seed', options.seed),
    weights: checkWeightDtype(options.weights),
  };
}

/** Trainability's map: each parameter's float range in the block. */
export const denseRanges = (block: DenseBlock): Map<string, readonly [number, number]> =>
  new Map([
    ['weight', [0, block.biasAt]],
    ['bias', [block.biasAt, block.floats]],
  ]);

/** What a Dense built from `options` holds (its block in the weights' dtype, outputs padded to
 *  OUTPUT_COLUMNS), without allocating. */
export function densePlan(options: DenseOptions, kernels: Kernels): LayerPlan {
  const c = denseConfig(options),
    block = denseBlock(c.weights, c.outputSize, c.inputSize, paddedOutputs(c.outputSize), kernels);
  return {
    check: (dict) => void block.check(dict),
    ranges: denseRanges(block),
    blockFloats: block.inferenceOnly ? 0 : block.floats,
  };
}
