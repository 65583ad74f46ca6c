// A stack of layers trained end to end: compile, trainOnBatch, fit, predict, evaluate, generate,
// save/load. Every layer's forward/backward is one or a few wasm calls over the whole batch and
// sequence; this file only moves tensors between layers, through the Layer interface alone.
import { checkOptionKeys, checkOptions, describe, LSTMError } from '../errors.js';
import type { ForwardContext, Layer } from '../layers/layer.js';
import { toLayersModel, type LayersModelArtifacts, type ToLayersModelOptions } from '../io/keras-export.js';
import { checkLengths } from '../layers/recurrent-checks.js';
import type { Optimizer } from '../optim/optimizer.js';
import { writeFileAtomic } from '../platform.js';
import { hasRuntime, init } from '../runtime.js';
import type { StateDict, Tensor } from '../tensor.js';
import { asTensor, stepWeights, type TensorLike } from './batches.js';
import { evaluateBatches, predictBatches, tbpttStep } from './batch-runs.js';
import { loadModelStateDict, modelStateDict } from './prefixes.js';
import { FIT_OPTION_KEYS, type FitOptions, type History, fitLoop, positiveInt, type Trainer } from './fit.js';
import { type GenerateOptions, generate } from './generate.js';
import {
  atomically,
  checkLayers,
  checkSamples,
  checkTargets,
  generationVocabulary,
  inferOutputShape,
  notTrainableModel,
} from './checks.js';
import { computeLoss, LOSSES, type LossName, type LossResult } from './losses.js';
import { readUserMetadata, type SaveOptions, saveModel } from './model-file.js';
import type {
  CompileOptions,
  EvaluateOptions,
  EvaluateResult,
  PredictOptions,
  PrefixesOption,
  TrainOnBatchOptions,
} from './model-options.js';
import { quantizeLayers } from './quantize.js';
import type { QuantizeOptions } from '../layers/quantize.js';

export type { EpochLogs, FitOptions, History } from './fit.js';
export type { TensorLike } from './batches.js';
export type { SaveOptions } from './model-file.js';
export type { CompileOptions } from './model-options.js';
import { writeOnnx, type OnnxExportOptions } from '../io/onnx-hook.js';

// the option keys of compile, trainOnBatch, predict and evaluate (errors.ts checkOptionKeys)
const COMPILE_KEYS: readonly string[] = ['loss', 'optimizer', 'metrics'];
const TRAIN_ON_BATCH_KEYS: readonly string[] = ['lengths'];
const PREDICT_KEYS: readonly string[] = ['batchSize', 'lengths'];

/** Losses whose gradient folds the last layer's activation in (p − y, exact, never divides by p). */
const FUSED: Record<string, LossName[]> = {
  softmax: ['categoricalCrossentropy', 'sparseCategoricalCrossentropy'],
  sigmoid: ['binaryCrossentropy'],
};

/**
 * A stack of layers trained end to end, Keras-style: compile, fit, predict, evaluate, generate,
 * save / load. x is `[samples, …]` with the sample axis first (`[samples, steps, features]` for a
 * recurrent first layer, token ids `[samples, steps]` before an Embedding). Every call is checked as a
 * whole before any layer runs, and a call that throws changes nothing.
 *
 * @example
 * ```ts
 * await init();
 * const model = new Sequential([
 *   new LSTM({ inputSize: 2, hiddenSize: 32 }), // many-to-one: the last hidden state [N, 32]
 *   new Dense({ inputSize: 32, outputSize: 1 }),
 * ]);
 * model.compile({ loss: 'mse', optimizer: new Adam({ learningRate: 1e-2 }) });
 * const { x, y } = tasks.addingProblem(4096, 100); // x [4096, 100, 2], y [4096, 1]
 * const history = await model.fit(x, y, { epochs: 20, batchSize: 64, validationSplit: 0.1 });
 * const yhat = model.predict(x); // { data, shape: [4096, 1] }
 * const again = await Sequential.load(model.save());
 * ```
 */
export class Sequential {
  /** The layers, in order (a copy of the array given; the same layer objects). */
  readonly layers: Layer[];
  /** Set to true during fit (e.g. from a callback) to end it cleanly after the current batch. */
  stopTraining = false;
  #loss: LossName | null = null;
  #optimizer: Optimizer | null = null;
  #metrics: string[] = [];
  #disposed = false;
  #maskLengths: Int32Array | undefined; // the lengths the last forward ended with (they weight the per-step loss)

  /** @throws {@link LSTMError} `INVALID_ARGUMENT` for an empty list, something that is not a layer, or the
   *  same layer twice. */
  constructor(layers: Layer[]) {
    this.layers = checkLayers(layers);
  }

  /** Set the loss, optimizer and metrics (again at any time; the optimizer's state stays with it).
   *  @throws {@link LSTMError} `INVALID_ARGUMENT` for an unknown loss or something that is not an
   *  optimizer; `DISPOSED`. */
  compile(options: CompileOptions): void {
    this.#live();
    checkOptionKeys(options, COMPILE_KEYS);
    if (!options || !LOSSES.includes(options.loss)) {
      throw new LSTMError('INVALID_ARGUMENT', 'unknown loss', {
        argument: 'loss',
        expected: LOSSES.join(' | '),
        actual: describe(options?.loss),
      });
    }
    if (options.optimizer !== undefined && (!options.optimizer || typeof options.optimizer.step !== 'function')) {
      throw new LSTMError('INVALID_ARGUMENT', 'an optimizer is required', {
        argument: 'optimizer',
        expected: 'new Adam(…), new SGD(…), …',
        actual: describe(options.optimizer),
      });
    }
    this.#loss = options.loss;
    this.#optimizer = options.optimizer ?? null;
    this.#metrics = options.metrics ?? [];
  }

  /** The optimizer compile() set (null: none). */
  get optimizer(): Optimizer | null {
    return this.#optimizer;
  }

  /** The loss compile() set (null: not compiled). */
  get loss(): LossName | null {
    return this.#loss;
  }

  /** Does the last layer's activation fold into the loss gradient (softmax/sigmoid + cross-entropy)? */
  #fused(): boolean {
    const act = this.layers[this.layers.length - 1]!.outputActivation;
    return act !== undefined && this.#loss !== null && (FUSED[act]?.includes(this.#loss) ?? false);
  }

  #forward(x: Tensor, training: boolean, lengths?: Int32Array): Tensor {
    const ctx: ForwardContext = { training, lengths };
    let t = x;
    for (const l of this.layers) t = l.forwardTensor(t, ctx);
    this.#maskLengths = ctx.lengths; // as given, or as a Masking / Embedding({ maskZero }) layer set them
    return t;
  }

  /** The loss (and, to train, the optimizer) compile() set. */
  #compiled(train: boolean): { loss: LossName; optimizer: Optimizer | null } {
    const loss = this.#loss,
      optimizer = this.#optimizer;
    if (!loss || (train && !optimizer)) {
      throw new LSTMError('INVALID_ARGUMENT', 'compile() the model first', {
        argument: 'model',
        expected: train ? 'compile({ loss, optimizer })' : 'compile({ loss })',
        actual: loss ? 'compiled without an optimizer' : 'not compiled',
      });
    }
    return { loss, optimizer };
  }

  /** Everything about a (x, y) call that can be known before it runs: the samples, every layer's
   *  input shape, and the targets against the output and the loss. */
  #check(x: Tensor, y: Tensor, train: boolean): void {
    const { loss } = this.#compiled(train);
    checkSamples(x, y);
    const out = inferOutputShape(this.layers, x.shape);
    if (out) checkTargets(loss, out, y);
  }

  /** One batch: loss (and, in training, backward and an optimizer step). Run state is put back if
   *  anything throws; nothing before the gradients are zeroed can fail on memory (workspaces for
   *  training are allocated by the forward), and the optimizer applies no update that is not finite. */
  #step(x: Tensor, y: Tensor, train: boolean, lengths?: Int32Array): LossResult {
    const { loss, optimizer } = this.#compiled(train);
    return atomically(this.layers, () => {
      const out = this.#forward(x, train, lengths);
      const fused = this.#fused();
      const r = computeLoss(
        loss,
        out.data,
        y.data,
        out.shape[out.shape.length - 1]!,
        fused,
        stepWeights(out, this.#maskLengths),
      );
      if (!train) return r;
      if (!Number.isFinite(r.loss)) {
        throw new LSTMError('NON_FINITE', 'the loss is not finite; no update was applied', {
          argument: 'loss',
          expected: 'a finite loss',
          actual: String(r.loss),
        });
      }
      for (const l of this.layers) l.zeroGrad();
      let g: Tensor | null = { data: r.grad, shape: out.shape };
      for (let i = this.layers.length - 1; i >= 0 && g; i--) {
        g = this.layers[i]!.backwardTensor(g, { preActivation: i === this.layers.length - 1 && fused });
      }
      optimizer!.step(this.layers);
      return r;
    });
  }

  #stepTbptt(x: Tensor, y: Tensor, k: number): LossResult {
    this.#check(x, y, true);
    return tbpttStep(
      this.layers,
      (xw, yw) => this.#step(xw, yw, true),
      (xw) => this.#forward(xw, true),
      x,
      y,
      k,
    );
  }

  #lengths(lengths: ArrayLike<number> | undefined, X: Tensor): Int32Array | undefined {
    return lengths === undefined ? undefined : checkLengths(lengths, X.shape[0]!, X.shape[1] ?? 0);
  }

  /** The first layer that cannot train (int8 weights), as the error fit and trainOnBatch raise. */
  #notTrainable(): LSTMError | null {
    return notTrainableModel(this.layers);
  }

  /** A new inference-only model with int8 weights: LSTM, GRU, SimpleRNN and Dense layers quantized
   *  (symmetric, one f32 scale per output row), Embedding and Dropout copied in f32. It keeps the
   *  loss and metrics (evaluate works) but no optimizer; this model is unchanged.
   *
   *  @example
   *  ```ts
   *  const q = model.quantize({ weights: 'int8' });
   *  q.predict(x); // fit / trainOnBatch on q throw NOT_TRAINABLE
   *  const bytes = q.save(); // I8 weights + f32 scales: about a quarter of the f32 file
   *  ```
   *  @throws {@link LSTMError} `INVALID_ARGUMENT` for options other than `{ weights: 'int8' }`; `DISPOSED`. */
  quantize(options: QuantizeOptions): Sequential {
    this.#live();
    const q = new Sequential(quantizeLayers(this.layers, options));
    q.#loss = this.#loss;
    q.#metrics = this.#metrics.slice();
    return q;
  }

  /** One optimizer step on one batch; returns the batch loss (before the update). Everything is
   *  checked before any state changes; a call that throws changes no weight, optimizer state, dropout
   *  stream or carried state (after NON_FINITE, gradients() holds the failed batch's gradients).
   *  @throws {@link LSTMError} `INVALID_ARGUMENT` (not compiled with an optimizer, bad lengths);
   *  `SHAPE_MISMATCH` (x or y does not fit the model or the loss); `NON_FINITE`; `NOT_TRAINABLE` (int8);
   *  `DISPOSED`. */
  trainOnBatch(x: TensorLike, y: TensorLike, options: TrainOnBatchOptions = {}): number {
    this.#live();
    const frozen = this.#notTrainable();
    if (frozen) throw frozen;
    options = checkOptions(options, 'options', TRAIN_ON_BATCH_KEYS);
    const X = asTensor(x, 'x'),
      Y = asTensor(y, 'y'),
      lengths = this.#lengths(options.lengths, X);
    this.#check(X, Y, true);
    return this.#step(X, Y, true, lengths).loss;
  }

  /**
   * Sample a continuation of `prompt` (token ids), one step at a time through each recurrent layer's
   * streaming state (no recomputation of the prefix). The model must map tokens to a distribution
   * over the same tokens: [Embedding →] LSTM… → Dense(softmax); without an Embedding, tokens are one-hot.
   * Returns the `steps` sampled token ids (the prompt not included).
   *
   * @example
   * ```ts
   * const data = tasks.charData(text, 64);
   * const ids = model.generate({ prompt: data.encode('The '), steps: 200, temperature: 0.8, seed: 7 });
   * console.log(data.decode(ids));
   * ```
   * @throws {@link LSTMError} `INVALID_ARGUMENT` for a model not ending in Dense(softmax), an empty prompt,
   *   a token id out of range, a negative steps or temperature, or a bidirectional / goBackwards layer.
   */
  generate(options: GenerateOptions): number[] {
    this.#live();
    return generate(this.layers, generationVocabulary(this.layers), options);
  }

  /**
   * Train for `epochs` passes over shuffled batches (one optimizer step per batch), with an optional
   * validation split, truncated BPTT, masking by lengths and callbacks. Yields to the event loop between
   * epochs. Everything about x and y is checked before the first batch.
   *
   * @example
   * ```ts
   * model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: new Adam(), metrics: ['accuracy'] });
   * const history = await model.fit(x, y, {
   *   epochs: 30,
   *   batchSize: 32,
   *   validationSplit: 0.2,
   *   callbacks: [new EarlyStopping({ monitor: 'val_loss', patience: 3, restoreBestWeights: true })],
   * });
   * console.log(history.history.valAccuracy);
   * ```
   * @param x - Inputs `[samples, …]` (nested arrays, a tensor, or a flat Float32Array of samples).
   * @param y - Targets `[samples, …]` (class ids `[samples]` for sparseCategoricalCrossentropy).
   * @returns The per-epoch history; fewer epochs than asked when training was stopped.
   * @throws {@link LSTMError} (the promise rejects) `INVALID_ARGUMENT` for an option out of range or a model
   *   not compiled with an optimizer; `SHAPE_MISMATCH` when x or y does not fit; `NON_FINITE` naming the
   *   epoch and batch (unless `onNonFinite` says otherwise); `NOT_TRAINABLE`; `DISPOSED`.
   */
  async fit(x: TensorLike, y: TensorLike, options: FitOptions = {}): Promise<History> {
    this.#live();
    const frozen = this.#notTrainable();
    if (frozen) throw frozen;
    options = checkOptions(options, 'options', FIT_OPTION_KEYS);
    const X = asTensor(x, 'x'),
      Y = asTensor(y, 'y');
    this.#check(X, Y, true);
    const trainer: Trainer = {
      step: (xb, yb, lengths) => this.#step(xb, yb, true, lengths),
      stepTbptt: (xb, yb, k) => this.#stepTbptt(xb, yb, k),
      evaluate: (xv, yv, batchSize, lengths) => this.#evaluate(xv, yv, batchSize, lengths),
      endEpoch: (logs) => this.#optimizer?.endEpoch(logs as unknown as Record<string, number | undefined>),
      metrics: this.#metrics,
      model: this,
    };
    return fitLoop(trainer, X, Y, options);
  }

  /** Outputs for x (no dropout), `[samples, …]` as the last layer gives them. N = 0 samples give an
   *  empty tensor of the output's shape.
   *  @example
   *  ```ts
   *  const { data, shape } = model.predict([[[0.1], [0.5], [0.2]]]); // one sequence of 3 steps
   *  ```
   *  @throws {@link LSTMError} `SHAPE_MISMATCH` or `INVALID_ARGUMENT` when x does not fit the model or an
   *  option is out of range; `DISPOSED`. */
  predict(x: TensorLike, options: PredictOptions = {}): Tensor {
    this.#live();
    options = checkOptions(options, 'options', PREDICT_KEYS);
    const X = asTensor(x, 'x'),
      N = X.shape[0]!;
    const lengths = this.#lengths(options.lengths, X);
    const bs = positiveInt('batchSize', options.batchSize ?? Math.max(N, 1));
    if (N === 0) {
      const out = inferOutputShape(this.layers, [1, ...X.shape.slice(1)]);
      if (out) return { data: new Float32Array(0), shape: [0, ...out.slice(1)] };
    }
    inferOutputShape(this.layers, X.shape);
    if (lengths || N === 0) return atomically(this.layers, () => this.#forward(X, false, lengths));
    return atomically(this.layers, () => predictBatches((xb) => this.#forward(xb, false), X, bs));
  }

  /** The compiled loss (and accuracy, for classification losses) over x and y, without dropout or updates.
   *  @throws {@link LSTMError} `INVALID_ARGUMENT` (not compiled, no samples, an option out of range);
   *  `SHAPE_MISMATCH`; `DISPOSED`. */
  evaluate(x: TensorLike, y: TensorLike, options: EvaluateOptions = {}): EvaluateResult {
    this.#live();
    options = checkOptions(options, 'options', PREDICT_KEYS);
    const X = asTensor(x, 'x'),
      Y = asTensor(y, 'y');
    const lengths = this.#lengths(options.lengths, X);
    const bs = positiveInt('batchSize', options.batchSize ?? 256);
    if (X.shape[0] === 0) {
      throw new LSTMError('INVALID_ARGUMENT', 'nothing to evaluate', {
        argument: 'x',
        expected: 'at least one sample',
        actual: '0 samples',
      });
    }
    this.#check(X, Y, false);
    return atomically(this.layers, () => this.#evaluate(X, Y, bs, lengths));
  }

  #evaluate(X: Tensor, Y: Tensor, batchSize: number, lengths?: Int32Array): { loss: number; accuracy?: number } {
    return evaluateBatches((x, y, l) => this.#step(x, y, false, l), X, Y, batchSize, lengths);
  }

  /** Every layer's parameters, named `{prefix}{name}` with one prefix per layer (default `layers.{i}.`),
   *  or one per layer that has parameters (parameter-free layers such as Dropout skipped, as a
   *  PyTorch module's state_dict() has nothing for them): e.g. ['rnn.', 'fc.']. Fresh copies.
   *  @throws {@link LSTMError} `INVALID_ARGUMENT` for prefixes of the wrong count; `DISPOSED`. */
  stateDict(options: PrefixesOption = {}): StateDict {
    this.#live();
    return modelStateDict(this.layers, options.prefixes);
  }

  /** Load every layer from one state dict (a PyTorch module's: one prefix per layer, e.g. ['rnn.', 'fc.']).
   *  Layers without parameters take a prefix like the others; names under no prefix are an error.
   *  Checks every layer before any changes.
   *  @example
   *  ```ts
   *  model.loadStateDict(readSafetensors(bytes), { prefixes: ['rnn.', 'fc.'] }); // PyTorch's self.rnn, self.fc
   *  ```
   *  @throws {@link LSTMError} `STATE_DICT_UNEXPECTED` (a name under no prefix, or one a layer lacks),
   *  `STATE_DICT_MISSING`, `STATE_DICT_SHAPE` naming the tensor as in `dict`; `INVALID_ARGUMENT` for
   *  prefixes of the wrong count. */
  loadStateDict(dict: StateDict, options: PrefixesOption = {}): void {
    this.#live();
    loadModelStateDict(this.layers, dict, options.prefixes);
  }

  /** The model in TensorFlow.js' layers format { modelTopology, weightSpecs, weightData }, which
   *  tf.loadLayersModel(tf.io.fromMemory(…)) and loadLayersModel() read.
   *  @throws {@link LSTMError} `UNSUPPORTED_LAYER` for a layer or option Keras cannot express (int8 weights,
   *  …); `INVALID_ARGUMENT` for a stateful layer without `batchSize`; `DISPOSED`. */
  toLayersModel(options: ToLayersModelOptions = {}): LayersModelArtifacts {
    this.#live();
    return toLayersModel(this.layers, options);
  }

  /** One safetensors file: weights as `layers.{i}.{name}` (PyTorch names), the architecture,
   *  compile settings and optimizer state in `__metadata__` and `optimizer.*` tensors, so
   *  {@link Sequential.load} resumes training with the same next loss.
   *  @example
   *  ```ts
   *  const bytes = model.save({ metadata: { vocab: JSON.stringify(vocab) } });
   *  const again = await Sequential.load(bytes);
   *  ```
   *  @throws {@link LSTMError} `INVALID_ARGUMENT` for a bad dtype or metadata, or a value f16 cannot hold;
   *  `DISPOSED`. */
  save(options?: SaveOptions): Uint8Array {
    this.#live();
    return saveModel(
      { layers: this.layers, loss: this.#loss, metrics: this.#metrics, optimizer: this.#optimizer },
      options,
    );
  }

  /** The model as ONNX for onnxruntime (input "input", output "output"; dynamic batch and
   *  steps). The writer is in the 'wasm-lstm/onnx' entry: import it first.
   *  @throws {@link LSTMError} `NOT_INITIALIZED` when 'wasm-lstm/onnx' is not imported; `UNSUPPORTED_OP` for
   *  a layer or option ONNX cannot express (int8 weights, …); `INVALID_ARGUMENT` for an opset outside
   *  [9, 21]. */
  toOnnx(options?: OnnxExportOptions): Uint8Array {
    this.#live();
    return writeOnnx(this, options);
  }

  /** Node: write {@link Sequential.save}'s bytes to `path` atomically (a temporary file, then rename). */
  async saveFile(path: string, options?: SaveOptions): Promise<void> {
    await writeFileAtomic(path, this.save(options));
  }

  /** The strings stored with save({ metadata }) in a model file (only its format is checked).
   *  @throws {@link LSTMError} `SAFETENSORS_INVALID` for bytes that are not a safetensors file. */
  static metadata(bytes: Uint8Array | ArrayBuffer): Record<string, string> {
    return readUserMetadata(bytes);
  }

  /**
   * A model from {@link Sequential.save}'s bytes: layers, weights, compile settings, optimizer state,
   * dropout streams and carried states, so training resumes where it stopped. Calls {@link init} first
   * if no build is loaded (keeping one you chose). The whole file is checked before the first layer is
   * built.
   *
   * @example
   * ```ts
   * const model = await Sequential.load(await readFile('model.safetensors'));
   * ```
   * @throws {@link LSTMError} (the promise rejects) `SAFETENSORS_INVALID` for a corrupt file, metadata or
   *   layer config (the argument names the field); `STATE_DICT_*` for tensors that do not fit the declared
   *   layers; `INVALID_ARGUMENT` for something that is not bytes; `OUT_OF_MEMORY`.
   */
  static async load(bytes: Uint8Array | ArrayBuffer): Promise<Sequential> {
    if (!hasRuntime()) await init(); // keep a build the caller chose (or a host-loaded module)
    const { loadModel } = await import('./model-file-load.js');
    const parts = loadModel(bytes);
    const model = new Sequential(parts.layers);
    if (parts.loss) {
      const compile = { loss: parts.loss, metrics: parts.metrics as 'accuracy'[] };
      model.compile(parts.optimizer ? { ...compile, optimizer: parts.optimizer } : compile);
    }
    return model;
  }

  /** Frees every layer (and the optimizer's state). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#optimizer?.dispose();
    for (const l of this.layers) l.dispose();
  }

  #live(): void {
    if (this.#disposed)
      throw new LSTMError('DISPOSED', 'this model was disposed', {
        argument: 'this',
        expected: 'a live model',
        actual: 'disposed',
      });
  }
}
