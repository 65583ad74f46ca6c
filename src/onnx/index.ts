// wasm-lstm/onnx: run ONNX recurrent models (torch.onnx.export, tf2onnx) on this library's
// kernels, and write Sequential models and recurrent layers as ONNX for onnxruntime.
// Its own entry (dist/onnx.js), so the core's download stays as it is; it imports the core
// ('wasm-lstm') rather than bundling a second copy, so layers, errors and init() are shared.
export { OnnxSession, SUPPORTED_OPS, MIN_OPSET, MAX_OPSET } from './session.js';
export type { OnnxSource, OnnxFeed, OnnxTensor } from './session.js';
export { toOnnx } from './export.js';
export type { OnnxExportOptions } from '../index.js';

import { _setOnnxWriter } from '../index.js';
import { toOnnx } from './export.js';
// Importing this entry gives model.toOnnx() and layer.toOnnx() their writer.
_setOnnxWriter(toOnnx as (target: object, options?: object) => Uint8Array);
