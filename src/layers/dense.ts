// nn.Linear (Keras Dense): y = act(x·Wᵀ + b). On [N, T, in] it acts on every step.
// Parameters: weight [out, in], bias [out] (PyTorch names), packed for the GEMM microkernel.
import { ACT_LINEAR, PANEL } from '../../assembly/abi.js';
import { describe, LSTMError } from '../errors.js';
import { Holdings, own, release } from '../owned.js';
import { mulberry32, uniformArray } from '../random.js';
import { currentRuntime, type Runtime } from '../runtime.js';
import { denseBackward } from '../threads/split.js';
import { describeTensor, isTensor, type StateDict, shapeString, type Tensor } from '../tensor.js';
import type { BackwardTensorOptions, Layer, ParameterBlock, PrefixOption } from './layer.js';
import { addPrefix, selectPrefix } from './layer.js';
import { type DenseBlock, denseBlock } from './dense-blocks.js';
import {
  ACTIVATION_IDS,
  type Activation,
  type DenseOptions,
  denseConfig,
  denseRanges,
  paddedOutputs,
} from './dense-config.js';
import { notTrainable, type QuantizeOptions, quantizeDict, quantizeLayer, type WeightDtype } from './quantize.js';
import { Trainability } from './trainability.js';

export { densePlan } from './dense-config.js';
export type { Activation, DenseOptions } from './dense-config.js';

/**
 * PyTorch's `nn.Linear` (Keras' Dense): y = activation(x·Wᵀ + b) over the last axis, so on
 * `[batch, steps, in]` it acts on every step. Parameters `weight` `[out, in]`, `bias` `[out]`.
 *
 * @example
 * ```ts
 * const head = new Dense({ inputSize: 32, outputSize: 10, activation: 'softmax' });
 * const y = head.forwardTensor(tensor(features, [batch, 32]), { training: false }); // [batch, 10]
 * ```
 */
export class Dense implements Layer {
  /** 'Dense'. */
  readonly kind = 'Dense';
  /** Features in. */
  readonly inputSize: number;
  /** Features out. */
  readonly outputSize: number;
  /** The output activation. */
  readonly activation: Activation;
  readonly #seed: number;
  readonly #rt: Runtime;
  readonly #holdings: Holdings;
  readonly #NP: number; // outputs padded to whole GEMM panels
  /** The weights' dtype: 'f32', or 'int8' (inference only). */
  readonly weights: WeightDtype;
  readonly #block: DenseBlock; // the packing and forward kernel of the weights' dtype (dense-blocks.ts)
  readonly #wFloats: number; // float offset of the bias in the block
  readonly #params: number;
  readonly #grads: number; // 0 for an inference-only block
  readonly #trainability: Trainability;
  #ws = 0;
  #wsRows = 0; // [x rows·in | y rows·NP | dy rows·NP | dx rows·in | wT | dW scratch]
  #rows = 0;
  #xShape: number[] = [];
  #hasForward = false;
  #disposed = false;

  /**
   * @throws {@link LSTMError} `NOT_INITIALIZED` before {@link init} resolved; `INVALID_ARGUMENT` for an
   *   option of the wrong kind or range (named); `OUT_OF_MEMORY`.
   */
  constructor(options: DenseOptions) {
    const c = denseConfig(options);
    this.inputSize = c.inputSize;
    this.outputSize = c.outputSize;
    this.activation = c.activation;
    const seed = c.seed;
    this.#seed = seed;
    this.weights = c.weights;
    this.#rt = currentRuntime();
    this.#NP = paddedOutputs(this.outputSize);
    this.#block = denseBlock(this.weights, this.outputSize, this.inputSize, this.#NP, this.#rt.kernels);
    this.#wFloats = this.#block.biasAt;
    this.#trainability = new Trainability(options, denseRanges(this.#block));
    this.#holdings = new Holdings(this.#rt.arena);
    const floats = this.#block.floats;
    try {
      this.#params = this.#holdings.alloc(floats * 4, 'Dense parameters');
      this.#grads = this.#block.inferenceOnly ? 0 : this.#holdings.alloc(floats * 4, 'Dense gradients');
    } catch (e) {
      this.#holdings.freeAll();
      throw e;
    }
    own(this, this.#holdings);
    // nn.Linear's reset_parameters: U(−1/√in, 1/√in) for weight and bias.
    const rng = mulberry32(seed),
      bound = 1 / Math.sqrt(this.inputSize);
    const weight = uniformArray(rng, this.outputSize * this.inputSize, -bound, bound);
    const bias = uniformArray(rng, this.outputSize, -bound, bound);
    const init: StateDict = {
      weight: { shape: [this.outputSize, this.inputSize], data: weight },
      bias: { shape: [this.outputSize], data: bias },
    };
    this.#write(this.#block.inferenceOnly ? quantizeDict(init, ['weight']) : init, this.#params);
  }

  /** true after {@link Dense.dispose}. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** softmax and sigmoid fold into the cross-entropy losses' gradients. */
  get outputActivation(): string {
    return this.activation;
  }

  /** true for int8 weights: backward, gradients and fit raise NOT_TRAINABLE. */
  get inferenceOnly(): boolean {
    return this.#block.inferenceOnly;
  }

  config(): Record<string, unknown> {
    return {
      inputSize: this.inputSize,
      outputSize: this.outputSize,
      activation: this.activation,
      seed: this.#seed,
      ...(this.weights !== 'f32' ? { weights: this.weights } : {}),
      ...this.#trainability.config(),
    };
  }

  /** false: optimizers leave this layer's parameters alone (Keras' trainable). */
  get trainable(): boolean {
    return this.#trainability.trainable;
  }

  /** false freezes every parameter, true unfreezes (those not named in frozenParameters). */
  set trainable(value: boolean) {
    this.#trainability.trainable = value === true;
  }

  /** Freeze 'weight' and/or 'bias' (optimizers leave them alone); replaces the previous list, [] unfreezes.
   *  @throws {@link LSTMError} `INVALID_ARGUMENT` for another name. */
  freezeParameters(names: string[]): void {
    this.#trainability.freeze(names);
  }

  /** The names frozen by {@link Dense.freezeParameters}. */
  get frozenParameters(): readonly string[] {
    return this.#trainability.frozen;
  }

  /** A new inference-only Dense with int8 weights (one f32 scale per output; bias f32); this one is
   *  unchanged. @throws {@link LSTMError} `INVALID_ARGUMENT` for options other than `{ weights: 'int8' }`. */
  quantize(options: QuantizeOptions): Dense {
    this.#live();
    return quantizeLayer(this, options, (name) => name === 'weight');
  }

  #requireGradients(what: string): void {
    if (this.#block.inferenceOnly) throw notTrainable('Dense', what);
  }

  #write(d: StateDict, block: number): void {
    this.#block.write(this.#rt.arena, d, block);
  }

  #read(block: number): StateDict {
    return this.#block.read(this.#rt.arena, block);
  }

  /** `weight` `[out, in]` and `bias` `[out]` (fresh copies; an int8 layer adds `weight_scale` `[out]`). */
  stateDict(options?: PrefixOption): StateDict {
    this.#live();
    return addPrefix(this.#read(this.#params), options?.prefix);
  }

  gradients(): StateDict {
    this.#live();
    this.#requireGradients('gradients');
    return this.#read(this.#grads);
  }

  /** Load nn.Linear parameters. Validates everything before changing anything. */
  loadStateDict(dict: StateDict, options?: PrefixOption): void {
    this.#live();
    this.#write(this.#block.check(selectPrefix(dict, options)), this.#params);
  }

  zeroGrad(): void {
    this.#live();
    this.#requireGradients('zeroGrad');
    this.#rt.arena.fill(this.#grads, this.#block.floats);
  }

  /** @internal */
  _blocks(): ParameterBlock {
    this.#live();
    this.#requireGradients('optimizer');
    return {
      runtime: this.#rt,
      params: this.#params,
      grads: this.#grads,
      floats: this.#block.floats,
      ranges: this.#trainability.ranges(),
    };
  }

  #workspace(rows: number): void {
    if (rows <= this.#wsRows) return;
    const K = this.inputSize,
      NP = this.#NP,
      k = this.#rt.kernels;
    const floats =
      rows * K * 2 +
      rows * NP * 2 +
      Math.ceil(K / PANEL) * PANEL * NP +
      Math.max(k.gemmDyTXScratchFloats(NP, K), this.#block.scratchFloats) + // the forward's scratch too
      64;
    const ptr = this.#holdings.alloc(floats * 4, `Dense workspace for ${rows} rows`);
    if (this.#ws) this.#holdings.free(this.#ws);
    this.#ws = ptr;
    this.#wsRows = rows;
    this.#hasForward = false;
  }

  #offsets() {
    const K = this.inputSize,
      NP = this.#NP,
      R = this.#wsRows,
      at = (f: number) => this.#ws + f * 4;
    const x = 0,
      y = R * K,
      dy = y + R * NP,
      dx = dy + R * NP,
      wT = dx + R * K,
      scratch = wT + Math.ceil(K / PANEL) * PANEL * NP;
    return { x: at(x), y: at(y), dy: at(dy), dx: at(dx), wT: at(wT), scratch: at(Math.ceil(scratch / 16) * 16) };
  }

  /** `[..., inputSize]` -> `[..., outputSize]`. */
  outputShape(inputShape: readonly number[]): number[] {
    const K = this.inputSize;
    if (!Array.isArray(inputShape) || inputShape.length < 1 || inputShape[inputShape.length - 1] !== K) {
      throw new LSTMError('SHAPE_MISMATCH', 'Dense input must be [..., inputSize]', {
        argument: 'x',
        expected: `[..., ${K}]`,
        actual: Array.isArray(inputShape) ? shapeString(inputShape) : describe(inputShape),
      });
    }
    return [...inputShape.slice(0, -1), this.outputSize];
  }

  /** `x` `[..., inputSize]` -> `[..., outputSize]` (a fresh tensor). */
  forwardTensor(x: Tensor): Tensor {
    this.#live();
    const K = this.inputSize,
      O = this.outputSize,
      NP = this.#NP;
    if (!isTensor(x)) {
      throw new LSTMError('SHAPE_MISMATCH', 'Dense input must be a tensor [..., inputSize]', {
        argument: 'x',
        expected: `{ data: Float32Array, shape: [..., ${K}] }`,
        actual: describeTensor(x),
      });
    }
    const shape = x.shape;
    this.outputShape(shape);
    const rows = x.data.length / K,
      arena = this.#rt.arena;
    this.#workspace(Math.max(rows, 1));
    const o = this.#offsets();
    arena.write(o.x, x.data);
    this.#block.forward(this.#rt, o.x, rows, this.#params, o.y, ACTIVATION_IDS[this.activation], o.scratch);
    this.#rows = rows;
    this.#xShape = shape.slice();
    this.#hasForward = true;
    const out = new Float32Array(rows * O);
    if (O === NP) out.set(arena.view(o.y, rows * O));
    else for (let r = 0; r < rows; r++) out.set(arena.view(o.y + r * NP * 4, O), r * O);
    return { data: out, shape: [...shape.slice(0, -1), O] };
  }

  /** The pre-activation outputs of the last forward are not kept; losses that fuse softmax or
   *  sigmoid pass ∂L/∂z with `preActivation` set, skipping the activation's derivative. */
  backwardTensor(dy: Tensor, options: BackwardTensorOptions = {}): Tensor {
    this.#live();
    this.#requireGradients('backward');
    if (!this.#hasForward)
      throw new LSTMError('NO_FORWARD', 'backward() needs a forward() first', {
        argument: 'dy',
        expected: 'a forward() call first',
        actual: 'none',
      });
    const O = this.outputSize,
      NP = this.#NP,
      K = this.inputSize,
      rows = this.#rows,
      arena = this.#rt.arena;
    if (!(dy?.data instanceof Float32Array) || dy.data.length !== rows * O) {
      throw new LSTMError('SHAPE_MISMATCH', 'gradient does not match the last output', {
        argument: 'dy',
        expected: `${rows * O} values`,
        actual: describe(dy?.data),
      });
    }
    const o = this.#offsets();
    if (O === NP) arena.write(o.dy, dy.data);
    else {
      arena.fill(o.dy, rows * NP);
      for (let r = 0; r < rows; r++) arena.write(o.dy + r * NP * 4, dy.data.subarray(r * O, r * O + O));
    }
    const g = this.#grads,
      act = options.preActivation ? ACT_LINEAR : ACTIVATION_IDS[this.activation];
    denseBackward(
      this.#rt,
      o.x,
      rows,
      K,
      this.#params,
      O,
      NP,
      o.y,
      o.dy,
      act,
      g,
      g + this.#wFloats * 4,
      o.dx,
      o.wT,
      o.scratch,
    );
    return { data: arena.read(o.dx, rows * K), shape: this.#xShape.slice() };
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#holdings.freeAll();
    release(this);
  }

  #live(): void {
    if (this.#disposed)
      throw new LSTMError('DISPOSED', 'this Dense layer was disposed', {
        argument: 'this',
        expected: 'a live layer',
        actual: 'disposed',
      });
  }
}
