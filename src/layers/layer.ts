// What a layer in a Sequential model provides. Tensors flow as { data, shape }; a layer keeps what
// its backward needs from its last forward. Sequential works only through this interface.
import { LSTMError, describe } from '../errors.js';
import type { Runtime } from '../runtime.js';
import type { StateDict, Tensor } from '../tensor.js';

/** A layer's parameters and gradients: two arena blocks of `floats` floats, same layout. */
export interface ParameterBlock {
  runtime: Runtime;
  params: number;
  grads: number;
  floats: number;
  /** The [start, end) float ranges optimizers update (frozen parameters left out); absent or null:
   *  the whole block; empty: nothing (a frozen layer). */
  ranges?: [number, number][] | null;
}

export interface ForwardContext {
  /** true in fit/trainOnBatch (dropout active), false in predict/evaluate. */
  training: boolean;
  /** Per-sequence lengths [batch] when the batch is padded (recurrent layers mask past them). One
   *  context object flows through all layers of a forward, so a layer may set it for those after it. */
  lengths?: Int32Array | undefined;
}

export interface BackwardTensorOptions {
  /** dy is ∂L/∂(pre-activation): the loss folded the layer's output activation in (outputActivation). */
  preActivation?: boolean;
}

export interface PrefixOption {
  /** A PyTorch module's attribute path, e.g. 'rnn.': names carry it (stateDict) or are taken from
   *  those that carry it, with it removed (loadStateDict; other names are ignored). */
  prefix?: string;
}

/** One step at a time through a layer (Sequential.generate): tensors of one time step. */
export interface LayerStream {
  step(x: Tensor): Tensor;
  dispose(): void;
}

/** What a layer carries from one call to the next besides its parameters: the state of its dropout
 *  stream and the state a stateful layer carries. Model files save it (training resumes identically),
 *  and Sequential puts it back when a call fails (a failed call changes nothing). */
export interface RunState {
  /** The u32 state of the layer's dropout stream (random.ts SeededStream). */
  rng?: number;
  /** The final state a stateful layer carries into its next call: h and (LSTM) c, each of `shape`
   *  [numLayers·directions, batch, hidden]; null when nothing is carried. */
  carry?: { shape: [number, number, number]; h: Float32Array; c?: Float32Array | undefined } | null;
}

/** What a layer built from a config will hold, known without allocating anything. */
export interface LayerPlan {
  /** Checks a state dict of exactly this layer's tensors (names, shapes, values) as loadStateDict
   *  would, writing nothing; throws its STATE_DICT_* errors. */
  check(dict: StateDict): void;
  /** Its parameters by name, with their float ranges in the packed block (what freezing names). */
  ranges: ReadonlyMap<string, readonly [number, number]>;
  /** Floats of the packed parameter block, the size of each optimizer state buffer; 0 when
   *  optimizers keep no state for it (no parameters, or inference-only int8 weights). */
  blockFloats: number;
}

export interface Layer {
  /** The class name used in saved architectures ('LSTM', 'Dense', …). */
  readonly kind: string;
  readonly disposed: boolean;
  /** The activation its output ends in, when a loss can fold it into its gradient ('softmax', 'sigmoid'). */
  readonly outputActivation?: string;
  /** Its input is token ids rather than feature vectors. */
  readonly inputIsTokens?: boolean;
  /** It outputs one vector per time step [N, T, F]. */
  readonly returnSequences?: boolean;
  /** Constructor options that rebuild this layer (without weights). */
  config(): Record<string, unknown>;
  forwardTensor(x: Tensor, ctx: ForwardContext): Tensor;
  /** ∂L/∂output -> ∂L/∂input (null when the input is not differentiable, e.g. token ids);
   *  parameter gradients accumulate. */
  backwardTensor(dy: Tensor, options?: BackwardTensorOptions): Tensor | null;
  stateDict(options?: PrefixOption): StateDict;
  loadStateDict(dict: StateDict, options?: PrefixOption): void;
  gradients(): StateDict;
  zeroGrad(): void;
  dispose(): void;
  /** Streaming through this layer for `batch` sequences (absent: a stateless layer, stepped by forwardTensor). */
  stream?(batch: number): LayerStream;
  /** Truncated BPTT: carry the final state into the next forward (detached). */
  setCarry?(on: boolean): void;
  /** true: inference only (int8 weights); backward and fit raise NOT_TRAINABLE. Absent: false. */
  readonly inferenceOnly?: boolean;
  /** A new inference-only copy with quantized weights (layers with a weight matrix). */
  quantize?(options: { weights: 'int8' }): Layer;
  /** @internal The packed parameter block for optimizers; null for layers without parameters. */
  _blocks(): ParameterBlock | null;
  /** The output shape for an input shape, or the error forwardTensor would throw for it (nothing
   *  runs). Sequential checks a whole call with it before any layer changes. */
  outputShape?(inputShape: readonly number[]): number[];
  /** @internal See RunState. */
  _runState?(): RunState;
  /** @internal Restore what _runState() returned (validated by the caller). */
  _setRunState?(state: RunState): void;
}

// Names can come from files and callers: assigning "__proto__" would replace the prototype instead
// of adding a key, so every name becomes an own data property.
function setOwn(dict: StateDict, key: string, t: StateDict[string]): void {
  Object.defineProperty(dict, key, { value: t, enumerable: true, writable: true, configurable: true });
}

/** `dict` with every name prefixed. */
export function addPrefix(dict: StateDict, prefix: string | undefined): StateDict {
  if (!prefix) return dict;
  const out: StateDict = {};
  for (const [k, t] of Object.entries(dict)) setOwn(out, `${prefix}${k}`, t);
  return out;
}

/** The entries of `dict` whose names start with `prefix`, the prefix removed (all of them without one). */
export function selectPrefix(dict: StateDict, options: PrefixOption | undefined): StateDict {
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict) || ArrayBuffer.isView(dict)) {
    throw new LSTMError('INVALID_ARGUMENT', 'state dict must be an object', {
      argument: 'stateDict',
      expected: 'Record<string, { shape, data }>',
      actual: describe(dict),
    });
  }
  const prefix = options?.prefix;
  if (prefix === undefined) return dict;
  if (typeof prefix !== 'string') {
    throw new LSTMError('INVALID_ARGUMENT', 'prefix must be a string', {
      argument: 'prefix',
      expected: "a string such as 'rnn.'",
      actual: describe(prefix),
    });
  }
  const out: StateDict = {};
  for (const [k, t] of Object.entries(dict)) if (k.startsWith(prefix)) setOwn(out, k.slice(prefix.length), t);
  return out;
}
