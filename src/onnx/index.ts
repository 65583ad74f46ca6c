// wasm-lstm/onnx: run ONNX recurrent models (torch.onnx.export, tf2onnx) on this library's
// kernels, and write Sequential models and recurrent layers as ONNX for onnxruntime.
// Its own entry (dist/onnx.js), so the core's download stays as it is; it imports the core
// ('wasm-lstm') rather than bundling a second copy, so layers, errors and init() are shared.
/**
 * Run ONNX recurrent models (torch.onnx.export, tf2onnx) on this library's kernels with an
 * onnxruntime-web-like {@link OnnxSession}, and write Sequential models and recurrent layers as ONNX
 * ({@link toOnnx}; importing this entry also enables `model.toOnnx()` and `layer.toOnnx()`). Its own
 * entry, so the core's download stays as it is; it shares the core's `init()`, layers and
 * {@link wasm-lstm!LSTMError}.
 *
 * @example
 * ```ts
 * import { OnnxSession } from 'wasm-lstm/onnx';
 *
 * const session = await OnnxSession.create('model.onnx'); // bytes, a URL, or a path in Node
 * const { output } = session.run({ input: { data: x, shape: [batch, steps, features] } });
 * session.dispose();
 * ```
 * @module wasm-lstm/onnx
 */
export { OnnxSession, SUPPORTED_OPS, MIN_OPSET, MAX_OPSET } from './session.js';
export type { OnnxSource, OnnxFeed, OnnxTensor } from './session.js';
export { toOnnx } from './export.js';
export type { OnnxExportOptions } from '../index.js';

import { _setOnnxWriter } from '../index.js';
import { toOnnx } from './export.js';
// Importing this entry gives model.toOnnx() and layer.toOnnx() their writer.
_setOnnxWriter(toOnnx as (target: object, options?: object) => Uint8Array);
