// wasm-lstm: the public API.
export { init, detectFeatures, supportedBuilds, terminate, threadStatus } from './runtime.js';
export type { BuildName, Features, InitInfo, InitOptions, ThreadStatus, WasmSource } from './runtime.js';
export { measurePeak } from './peak.js';
export type { PeakResult } from './peak.js';
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
  LSTMState,
  RecurrentForwardResult,
  RecurrentBackwardResult,
} from './layers/recurrent.js';
export { LSTMError } from './errors.js';
export type { LSTMErrorCode } from './errors.js';
export type { Tensor, StateDict } from './tensor.js';
export { readSafetensors, readSafetensorsWithMetadata, writeSafetensors } from './io/safetensors.js';
export type { WriteOptions } from './io/safetensors.js';
export type { QuantizeOptions, WeightDtype } from './layers/quantize.js';
export type { SaveOptions } from './model/model-file.js';
export { Optimizer } from './optim/optimizer.js';
export type { OptimizerOptions, Trainable, ParameterBlock } from './optim/optimizer.js';
export { SGD, Adam, AdamW, RMSprop } from './optim/rules.js';
export {
  LearningRateSchedule,
  StepLR,
  ExponentialLR,
  CosineAnnealingLR,
  ReduceLROnPlateau,
} from './optim/schedules.js';
export { EarlyStopping, ModelCheckpoint } from './model/callbacks.js';
export type {
  Callback,
  BatchLogs,
  TrainedModel,
  EarlyStoppingOptions,
  ModelCheckpointOptions,
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
export type { Layer, ForwardContext, LayerStream, BackwardTensorOptions, PrefixOption } from './layers/layer.js';
export { Sequential } from './model/sequential.js';
export type { CompileOptions, FitOptions, History, EpochLogs, TensorLike } from './model/sequential.js';
export type { GenerateOptions } from './model/generate.js';
export { computeLoss } from './model/losses.js';
export type { LossName } from './model/losses.js';
export { tensor } from './tensor.js';
export * as tasks from './tasks/index.js';
export { mulberry32 } from './random.js';
export { _setOnnxWriter } from './io/onnx-hook.js';
export type { OnnxExportOptions } from './io/onnx-hook.js';
