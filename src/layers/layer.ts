// What a layer in a Sequential model provides. Tensors flow as { data, shape }; a layer keeps
// what its backward needs from its last forward. Parameter-free layers return null blocks.
import type { Tensor, StateDict } from '../tensor.js';
import type { ParameterBlock } from '../optim.js';

export interface ForwardContext {
  /** true in fit/trainOnBatch (dropout active), false in predict/evaluate. */
  training: boolean;
  /** Per-sequence lengths [batch] when the batch is padded (recurrent layers mask past them). */
  lengths?: Int32Array;
}

export interface PrefixOptions {
  prefix?: string;
}

export interface Layer {
  /** The class name used in saved architectures ('LSTM', 'Dense', …). */
  readonly kind: string;
  readonly disposed: boolean;
  /** Constructor options that rebuild this layer (without weights). */
  config(): Record<string, unknown>;
  forwardTensor(x: Tensor, ctx: ForwardContext): Tensor;
  /** ∂L/∂output -> ∂L/∂input (null when the input is not differentiable, e.g. token ids);
   *  parameter gradients accumulate. */
  backwardTensor(dy: Tensor): Tensor | null;
  /** With `prefix`, every name gets it (a PyTorch submodule's keys, e.g. 'rnn.'). */
  stateDict(options?: PrefixOptions): StateDict;
  /** With `prefix`, only the keys under it are read (the prefix stripped); others are ignored. */
  loadStateDict(dict: StateDict, options?: PrefixOptions): void;
  gradients(): StateDict;
  zeroGrad(): void;
  dispose(): void;
  /** The packed parameter block for optimizers; null for layers without parameters. */
  _blocks(): ParameterBlock | null;
}
