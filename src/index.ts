// wasm-lstm: the public API.
export { init, detectFeatures, supportedBuilds } from './runtime.js';
export type { BuildName, Features, InitInfo, InitOptions, WasmSource } from './runtime.js';
export { LSTM } from './layers/lstm.js';
export type { LSTMOptions, ForwardOptions, ForwardResult, BackwardOptions, BackwardResult, LSTMState } from './layers/lstm.js';
export { LSTMError } from './errors.js';
export type { LSTMErrorCode } from './errors.js';
export type { Tensor, StateDict } from './tensor.js';
export { readSafetensors, readSafetensorsWithMetadata, writeSafetensors } from './io/safetensors.js';
export { Optimizer, SGD, Adam, AdamW, RMSprop } from './optim.js';
export type { OptimizerOptions, SGDOptions, AdamOptions, RMSpropOptions, Trainable, ParameterBlock } from './optim.js';
