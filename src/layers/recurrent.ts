import { LSTMError } from '../errors.js';
import { Holdings, own, release } from '../owned.js';
import { SeededStream } from '../random.js';
import { currentRuntime, type Runtime } from '../runtime.js';
import type { StateDict, Tensor } from '../tensor.js';
import type { ForwardContext, Layer, LayerStream, ParameterBlock, PrefixOption, RunState } from './layer.js';
import { addPrefix, selectPrefix } from './layer.js';
import { SequentialAdapter } from './recurrent-adapter.js';
import {
  type BackwardOptions,
  type CellSpec,
  type ForwardOptions,
  type InitialState,
  type RecurrentBackwardResult,
  type RecurrentForwardResult,
  configOptions,
  type RecurrentConfig,
  type RecurrentOptions,
  recurrentConfig,
} from './recurrent-config.js';
import { type QuantizeOptions, notTrainable, quantizeLayer } from './quantize.js';
import { recurrentBlock } from './quantized-params.js';
import type { RecurrentBlock } from './recurrent-params.js';
import { SequenceRun } from './recurrent-run.js';
import { type LSTMState, StreamState, StreamStates } from './recurrent-stream.js';
import { Trainability } from './trainability.js';
import { writeOnnx, type OnnxExportOptions } from '../io/onnx-hook.js';

export type { LSTMState } from './recurrent-stream.js';
export type {
  BackwardOptions,
  BackwardResult,
  CellSpec,
  ForwardOptions,
  ForwardResult,
  InitialState,
  MergeMode,
  RecurrentActivation,
  RecurrentBackwardResult,
  RecurrentForwardResult,
  RecurrentOptions,
} from './recurrent-config.js';
/** The options every recurrent layer takes (an alias of {@link RecurrentOptions}; the LSTM's own
 *  variants are {@link LSTMVariantOptions}). */
export type LSTMOptions = RecurrentOptions;

/**
 * What every recurrent layer ({@link LSTM}, {@link GRU}, {@link SimpleRNN}) shares: a whole-sequence
 * forward and backward (one wasm call per layer and direction), streaming one step at a time,
 * PyTorch-layout parameters, masking by lengths, recurrent dropout, stateful carry, freezing,
 * int8 quantization, and use as a layer of a {@link Sequential} model.
 *
 * Shapes: `x` is `[batch, steps, inputSize]`; outputs are `[batch, steps, hidden·directions]`; states
 * are `[numLayers·directions, batch, hidden]`. Constructors throw `NOT_INITIALIZED` before {@link init}
 * has resolved, `INVALID_ARGUMENT` for bad options and `OUT_OF_MEMORY` when the parameters do not fit.
 */
export abstract class Recurrent implements Layer {
  /** The class name saved in model files: 'LSTM', 'GRU' or 'SimpleRNN'. */
  abstract readonly kind: string;
  readonly #spec: CellSpec;
  readonly #config: RecurrentConfig;
  readonly #rt: Runtime;
  readonly #holdings: Holdings;
  readonly #p: RecurrentBlock;
  readonly #params: number; // byte offset of the packed parameter block
  readonly #grads: number; // same layout, gradients (0 for an inference-only block)
  readonly #dropRng: SeededStream; // recurrent dropout masks
  readonly #run: SequenceRun;
  readonly #streams: StreamStates;
  #disposed = false;
  readonly #adapter: SequentialAdapter;
  readonly #trainability: Trainability;

  protected constructor(options: RecurrentOptions, spec: CellSpec) {
    this.#spec = spec;
    const c = recurrentConfig(options, spec);
    this.#config = c;
    this.#rt = currentRuntime();
    this.#dropRng = new SeededStream((c.seed ^ 0x5bd1e995) >>> 0);
    this.#adapter = new SequentialAdapter(this, c.mergeMode);
    this.#p = recurrentBlock(c, spec, this.#rt.kernels);
    this.#trainability = new Trainability(options, this.#p.ranges());
    this.#holdings = new Holdings(this.#rt.arena);
    try {
      this.#params = this.#holdings.alloc(this.#p.floats * 4, 'parameters');
      this.#grads = this.#p.inferenceOnly ? 0 : this.#holdings.alloc(this.#p.floats * 4, 'gradients');
    } catch (e) {
      this.#holdings.freeAll();
      throw e;
    }
    own(this, this.#holdings);
    this.#p.write(this.#rt.arena, this.#p.initial(c.seed, c.forgetBias), this.#params);
    const parts = {
      config: c,
      spec,
      block: this.#p,
      params: this.#params,
      grads: this.#grads,
      rt: this.#rt,
      holdings: this.#holdings,
    };
    this.#run = new SequenceRun({ ...parts, dropRng: this.#dropRng });
    this.#streams = new StreamStates(
      c,
      spec,
      (B, onDispose) => new StreamState(c, spec, this.#p, this.#params, this.#rt, this.#holdings, B, onDispose),
    );
  }

  /** Features per time step. */
  get inputSize(): number {
    return this.#config.inputSize;
  }
  /** Units of the hidden state. */
  get hiddenSize(): number {
    return this.#config.hiddenSize;
  }
  /** Stacked layers. */
  get numLayers(): number {
    return this.#config.numLayers;
  }
  /** Does it run both directions? */
  get bidirectional(): boolean {
    return this.#config.bidirectional;
  }
  /** 2 when bidirectional, else 1. */
  get directions(): number {
    return this.#config.directions;
  }
  /** In a Sequential: every step's output (true) or the final hidden state only (false). */
  get returnSequences(): boolean {
    return this.#config.returnSequences;
  }
  /** In a Sequential: does each call start from the previous call's final state? */
  get stateful(): boolean {
    return this.#config.stateful;
  }
  /** The recurrent dropout rate, in [0, 1). */
  get recurrentDropout(): number {
    return this.#config.recurrentDropout;
  }
  /** Does it read sequences from the last step to the first? */
  get goBackwards(): boolean {
    return this.#config.goBackwards;
  }
  /** How a bidirectional layer in a Sequential combines its directions ({@link MergeMode}). */
  get mergeMode(): string {
    return this.#config.mergeMode;
  }
  /** Number of parameters (PyTorch's count, frozen ones included; no padding). */
  get parameterCount(): number {
    return this.#p.count;
  }
  /** true after {@link Recurrent.dispose}. */
  get disposed(): boolean {
    return this.#disposed;
  }
  /** The weights' dtype: 'f32', or 'int8' (inference only). */
  get weights(): 'f32' | 'int8' {
    return this.#config.weights;
  }
  /** true for int8 weights: backward, gradients and fit raise NOT_TRAINABLE. */
  get inferenceOnly(): boolean {
    return this.#p.inferenceOnly;
  }

  /** The constructor options that rebuild this layer (without its weights), as model files save them. */
  config(): Record<string, unknown> {
    return { ...configOptions(this.#config), ...this.#trainability.config() };
  }

  /** false: optimizers leave every parameter of this layer alone (Keras' trainable); gradients are still
   *  computed, so layers before it keep training. Saved with the model. Setting anything but `true`
   *  freezes. */
  get trainable(): boolean {
    return this.#trainability.trainable;
  }

  /** false freezes every parameter, true unfreezes (those not named in frozenParameters). */
  set trainable(value: boolean) {
    this.#trainability.trainable = value === true;
  }

  /**
   * Freeze these parameters by name ({@link Recurrent.stateDict} names, e.g. `'bias_hh_l0'` for a model
   * imported from a one-bias framework): optimizers neither update them nor keep state for them.
   * Replaces the previous list; `[]` unfreezes. Saved with the model.
   * @throws {@link LSTMError} `INVALID_ARGUMENT` for a name this layer does not have.
   */
  freezeParameters(names: string[]): void {
    this.#trainability.freeze(names);
  }

  /** The names frozen by {@link Recurrent.freezeParameters} (or the `frozenParameters` option). */
  get frozenParameters(): readonly string[] {
    return this.#trainability.frozen;
  }

  /**
   * A new inference-only layer of the same kind and options with int8 weights (symmetric, one f32
   * scale per gate unit; biases and states stay f32). This layer is unchanged.
   *
   * @example
   * ```ts
   * const int8 = lstm.quantize({ weights: 'int8' });
   * const { output } = int8.forward(x, { batch }); // about a quarter of the weight memory
   * ```
   * @throws {@link LSTMError} `INVALID_ARGUMENT` for options other than `{ weights: 'int8' }` or weights
   *   that are not finite; `DISPOSED`; `OUT_OF_MEMORY`.
   */
  quantize(options: QuantizeOptions): this {
    this.#live();
    return quantizeLayer(this, options, (name) => /^weight_(ih|hh)_l/.test(name));
  }

  #requireGradients(what: string): void {
    if (this.#p.inferenceOnly) throw notTrainable(this.#spec.kind, what);
  }

  // ---- parameters ----

  /**
   * The parameters in PyTorch's names, shapes and gate order (fresh copies): for layer k,
   * `weight_ih_l{k}` `[G·hidden, in]`, `weight_hh_l{k}` `[G·hidden, hidden]`, `bias_ih_l{k}` and
   * `bias_hh_l{k}` `[G·hidden]`, with G = 4 (LSTM), 3 (GRU, coupled LSTM) or 1 (SimpleRNN), and
   * `_reverse` names for the backward direction. An int8 layer also has `{weight}_scale` `[rows]`.
   */
  stateDict(options?: PrefixOption): StateDict {
    this.#live();
    return addPrefix(this.#p.read(this.#rt.arena, this.#params), options?.prefix);
  }

  /** The accumulated gradients, same names and shapes as stateDict() (fresh copies).
   *  @throws {@link LSTMError} `NOT_TRAINABLE` for int8 weights. */
  gradients(): StateDict {
    this.#live();
    this.#requireGradients('gradients');
    return this.#p.read(this.#rt.arena, this.#grads);
  }

  /**
   * Load PyTorch-layout parameters (e.g. `model.state_dict()` saved with safetensors). Validates
   * everything before changing anything.
   *
   * @example
   * ```ts
   * lstm.loadStateDict(readSafetensors(bytes), { prefix: 'rnn.' }); // a module's `self.rnn`
   * ```
   * @throws {@link LSTMError} `STATE_DICT_MISSING`, `STATE_DICT_UNEXPECTED` or `STATE_DICT_SHAPE` naming the
   *   tensor; `INVALID_ARGUMENT` for a dict that is not an object or a prefix that is not a string.
   */
  loadStateDict(dict: StateDict, options?: PrefixOption): void {
    this.#live();
    this.#p.write(this.#rt.arena, this.#p.check(selectPrefix(dict, options)), this.#params);
  }

  /** Set the accumulated gradients to zero (they accumulate over backward calls, as in PyTorch).
   *  @throws {@link LSTMError} `NOT_TRAINABLE` for int8 weights. */
  zeroGrad(): void {
    this.#live();
    this.#requireGradients('zeroGrad');
    this.#rt.arena.fill(this.#grads, this.#p.floats);
  }

  /** @internal The packed parameter and gradient blocks, for optimizers. */
  _blocks(): ParameterBlock {
    this.#live();
    this.#requireGradients('optimizer');
    return {
      runtime: this.#rt,
      params: this.#params,
      grads: this.#grads,
      floats: this.#p.floats,
      ranges: this.#trainability.ranges(),
    };
  }

  // ---- sequence forward / backward ----

  /**
   * Run whole sequences: one wasm call per layer and direction.
   * @param x - Inputs, `[batch, steps, inputSize]` flat.
   * @returns `output` `[batch, steps, hidden·directions]` and the final states `h` (and `c` for an
   *   LSTM) `[numLayers·directions, batch, hidden]`, fresh arrays. The activations are kept for
   *   {@link Recurrent.backward}.
   * @throws {@link LSTMError} `INVALID_ARGUMENT` (x not a Float32Array, bad batch / steps / lengths, c0 on
   *   a cell without one); `SHAPE_MISMATCH` (x, h0 or c0 of the wrong length); `OUT_OF_MEMORY`;
   *   `DISPOSED`.
   */
  forward(x: Float32Array, options: ForwardOptions = {}): RecurrentForwardResult {
    this.#live();
    return this.#run.forward(x, options);
  }

  /**
   * Backpropagation through time over the last forward: gradients of the parameters accumulate (read
   * them with {@link Recurrent.gradients}); the gradients of the inputs are returned.
   * @param dOutput - ∂L/∂output, `[batch, steps, hidden·directions]` (the last forward's output shape).
   * @returns `dx` `[batch, steps, inputSize]`, `dh0` (and `dc0` for an LSTM)
   *   `[numLayers·directions, batch, hidden]`.
   * @throws {@link LSTMError} `NO_FORWARD` before any forward; `SHAPE_MISMATCH` for dOutput, dh or dc of
   *   the wrong length; `NOT_TRAINABLE` for int8 weights; `DISPOSED`.
   */
  backward(dOutput: Float32Array, options: BackwardOptions = {}): RecurrentBackwardResult {
    this.#live();
    this.#requireGradients('backward');
    return this.#run.backward(dOutput, options);
  }

  /** ‖∂L/∂h_t‖ for t = 0 … T−1 (mean over the batch; top layer, forward direction) from the last
   *  backward({ recordGradNorms: true }): how much gradient reaches each step. A fresh array `[steps]`.
   *  @throws {@link LSTMError} `NO_FORWARD` when no backward recorded them. */
  gradNorms(): Float32Array {
    this.#live();
    return this.#run.gradNorms();
  }

  // ---- as a layer of a Sequential model ----

  /** `[batch, steps, inputSize]` -> `[batch, steps, F]` (returnSequences) or `[batch, F]`, F =
   *  hidden·directions (hidden when a bidirectional layer merges by sum, mul or ave). */
  outputShape(inputShape: readonly number[]): number[] {
    return this.#adapter.outputShape(inputShape);
  }

  /** As a layer of a Sequential: `x` `[batch, steps, inputSize]` -> see {@link Recurrent.outputShape}
   *  (the top layer's final h of each direction when not returnSequences). */
  forwardTensor(x: Tensor, ctx: ForwardContext = { training: false }): Tensor {
    this.#live();
    return this.#adapter.forward(x, ctx);
  }

  /** This layer as ONNX bytes (input "input", outputs "output", "h", "c"), for onnxruntime.
   *  @throws {@link LSTMError} `NOT_INITIALIZED` unless 'wasm-lstm/onnx' was imported; `UNSUPPORTED_OP`
   *  for an int8 layer or an option ONNX cannot express. */
  toOnnx(options?: OnnxExportOptions): Uint8Array {
    this.#live();
    return writeOnnx(this, options);
  }

  /** As a layer of a Sequential: ∂L/∂(forwardTensor's output) -> ∂L/∂x `[batch, steps, inputSize]`. */
  backwardTensor(dy: Tensor): Tensor {
    this.#live();
    return this.#adapter.backward(dy);
  }

  /** Forget the state a stateful layer carries between calls (the next call starts from zeros). */
  resetStates(): void {
    this.#adapter.reset();
  }

  /** @internal The recurrent-dropout stream and the carried state. */
  _runState(): RunState {
    return { rng: this.#dropRng.state, carry: this.#adapter.carry };
  }

  /** @internal */
  _setRunState(state: RunState): void {
    if (state.rng !== undefined) this.#dropRng.state = state.rng;
    if (state.carry !== undefined) this.#adapter.carry = state.carry;
  }

  /** @internal Truncated BPTT: carry state between windows (detached: no gradient flows back). */
  setCarry(on: boolean): void {
    this.#adapter.setCarry(on);
  }

  // ---- streaming: one time step per call ----

  /**
   * A streaming state for {@link Recurrent.step}: `batch` sequences read one time step per call.
   * Unidirectional layers only. Free it with `state.dispose()` (or with the layer).
   * @param batch - Sequences stepped together (default 1).
   * @param initial - Initial `h0` / `c0`, `[numLayers, batch, hidden]` each (zeros when absent).
   * @throws {@link LSTMError} `INVALID_ARGUMENT` for a bidirectional or goBackwards layer, a bad batch or a
   *   c0 on a cell without one; `SHAPE_MISMATCH` for h0 / c0 of the wrong length; `OUT_OF_MEMORY`.
   */
  createState(batch = 1, initial: InitialState = {}): LSTMState {
    this.#live();
    return this.#streams.create(batch, initial);
  }

  /**
   * One time step: one wasm call, no allocation. Returns `state.output`, the top layer's h_t
   * `[batch, hidden]`, which the next step overwrites (copy it to keep it).
   *
   * @example
   * ```ts
   * const state = lstm.createState(1);
   * for (const xt of samples) {
   *   const h = lstm.step(xt, state); // xt [1, inputSize] -> h [1, hidden]
   * }
   * state.dispose();
   * ```
   * @param xt - This step's inputs, `[batch, inputSize]`.
   * @param state - A live state from this layer's {@link Recurrent.createState}.
   * @throws {@link LSTMError} `INVALID_ARGUMENT` for a state that is not this layer's; `SHAPE_MISMATCH` for
   *   xt of the wrong length; `DISPOSED` (layer or state).
   */
  step(xt: Float32Array, state: LSTMState): Float32Array {
    this.#live();
    return this.#streams.step(xt, state);
  }

  /** Streaming through this layer inside a Sequential ({@link Sequential.generate}). */
  stream(batch: number): LayerStream {
    const state = this.createState(batch);
    return {
      step: (x: Tensor) => ({ data: this.step(x.data, state).slice(), shape: [batch, this.hiddenSize] }),
      dispose: () => state.dispose(),
    };
  }

  /** Frees the layer's wasm memory. Any later call throws DISPOSED. Safe to call twice. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#streams.markAllDisposed();
    this.#holdings.freeAll();
    this.#run.forget();
    release(this);
  }

  #live(): void {
    if (this.#disposed) {
      throw new LSTMError('DISPOSED', `this ${this.#spec.kind} was disposed`, {
        argument: 'this',
        expected: 'a live layer',
        actual: 'disposed',
      });
    }
  }
}
