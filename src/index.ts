/**
 * The fastest and smallest LSTM for JavaScript runtimes: PyTorch-compatible recurrent layers
 * ({@link LSTM}, {@link GRU}, {@link SimpleRNN}) whose kernels are WebAssembly (scalar, SIMD and
 * relaxed-SIMD builds of one source), Keras-style {@link Sequential} training, safetensors I/O and
 * Keras / TensorFlow.js import and export.
 *
 * Conventions used throughout this reference:
 * - Sequences are batch-first `[batch, steps, features]`, flat row-major `Float32Array`s.
 * - Recurrent states are `[numLayers·directions, batch, hidden]`, as in PyTorch.
 * - Parameters keep PyTorch's names, shapes and gate order (LSTM i, f, g, o; GRU r, z, n).
 * - Every failure is an {@link LSTMError} with a stable {@link LSTMErrorCode}; a call that throws
 *   changes nothing.
 * - Arrays returned to you are fresh copies you own (the one exception is {@link Recurrent.step},
 *   which returns its state's `output` array to avoid allocating per step).
 *
 * Call {@link init} once before creating layers.
 *
 * @example
 * ```ts
 * import { init, LSTM } from 'wasm-lstm';
 *
 * await init();
 * const lstm = new LSTM({ inputSize: 3, hiddenSize: 8 });
 * const x = new Float32Array(2 * 10 * 3); // [batch 2, steps 10, features 3]
 * const { output, h, c } = lstm.forward(x, { batch: 2 }); // output [2, 10, 8]; h, c [1, 2, 8]
 * lstm.dispose();
 * ```
 * @module wasm-lstm
 */
export { init, detectFeatures, supportedBuilds, terminate, threadStatus } from './runtime.js';
export type { BuildName, Features, InitInfo, InitOptions, ThreadStatus, WasmSource } from './runtime.js';
export { measurePeak } from './peak.js';
export type { PeakOptions, PeakResult } from './peak.js';
export { LSTM } from './layers/lstm.js';
export type { LSTMVariantOptions } from './layers/lstm.js';
export { GRU } from './layers/gru.js';
export type { GRUOptions } from './layers/gru.js';
export { SimpleRNN } from './layers/rnn.js';
export type { SimpleRNNOptions } from './layers/rnn.js';
export { Recurrent } from './layers/recurrent.js';
export type {
  RecurrentOptions,
  LSTMOptions,
  ForwardOptions,
  ForwardResult,
  BackwardOptions,
  BackwardResult,
  InitialState,
  LSTMState,
  MergeMode,
  RecurrentActivation,
  RecurrentForwardResult,
  RecurrentBackwardResult,
} from './layers/recurrent.js';
export { LSTMError } from './errors.js';
export type { LSTMErrorCode } from './errors.js';
export type { Tensor, StateDict } from './tensor.js';
export { readSafetensors, readSafetensorsWithMetadata, writeSafetensors } from './io/safetensors.js';
export type { SafetensorsContents, WriteOptions } from './io/safetensors.js';
export type { QuantizeOptions, WeightDtype } from './layers/quantize.js';
export type { SaveOptions } from './model/model-file.js';
export { Optimizer } from './optim/optimizer.js';
export type { OptimizerOptions, Trainable } from './optim/optimizer.js';
export { SGD, Adam, AdamW, RMSprop } from './optim/rules.js';
export {
  LearningRateSchedule,
  StepLR,
  ExponentialLR,
  CosineAnnealingLR,
  ReduceLROnPlateau,
} from './optim/schedules.js';
export type {
  EpochMetrics,
  StepLROptions,
  ExponentialLROptions,
  CosineAnnealingLROptions,
  ReduceLROnPlateauOptions,
} from './optim/schedules.js';
export { EarlyStopping, ModelCheckpoint } from './model/callbacks.js';
export type {
  Callback,
  BatchLogs,
  TrainedModel,
  EarlyStoppingOptions,
  ModelCheckpointOptions,
  MonitorMode,
} from './model/callbacks.js';
export type { TrainabilityOptions } from './layers/trainability.js';
export type { SGDOptions, AdamOptions, RMSpropOptions } from './optim/rules.js';
export { Dense } from './layers/dense.js';
export type { DenseOptions, Activation } from './layers/dense.js';
export { Embedding } from './layers/embedding.js';
export { Dropout } from './layers/dropout.js';
export type { DropoutOptions } from './layers/dropout.js';
export type { EmbeddingOptions } from './layers/embedding.js';
export { Masking } from './layers/masking.js';
export type { MaskingOptions } from './layers/masking.js';
export { ActivationLayer } from './layers/activation.js';
export type { ActivationOptions } from './layers/activation.js';
export { Reverse } from './layers/reverse.js';
export { loadLayersModel } from './io/keras-entry.js';
export type { LayersModelSource } from './io/keras-load.js';
export type { LayersModelArtifacts, ToLayersModelOptions } from './io/keras-export.js';
export type { WeightSpec } from './io/keras-weights.js';
export type { Layer, ForwardContext, LayerStream, BackwardTensorOptions, PrefixOption } from './layers/layer.js';
export { Sequential } from './model/sequential.js';
export type { FitOptions, History, EpochLogs, TensorLike } from './model/sequential.js';
export type {
  CompileOptions,
  EvaluateOptions,
  EvaluateResult,
  PredictOptions,
  PrefixesOption,
  TrainOnBatchOptions,
} from './model/model-options.js';
export type { GenerateOptions } from './model/generate.js';
export { computeLoss } from './model/losses.js';
export type { LossName, LossResult } from './model/losses.js';
export { tensor } from './tensor.js';
/**
 * Built-in generated data sets (nothing is downloaded): the adding problem, the copy task, noisy
 * sines, the Dog-scares-Cat sentences and character windows of your own text. Each returns
 * tensors ready for {@link Sequential.fit}.
 */
export * as tasks from './tasks/index.js';
export { mulberry32 } from './random.js';
/** @internal How the 'wasm-lstm/onnx' entry registers its writer for toOnnx(). */
export { _setOnnxWriter } from './io/onnx-hook.js';
export type { OnnxExportOptions } from './io/onnx-hook.js';
