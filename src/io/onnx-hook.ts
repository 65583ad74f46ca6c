// model.toOnnx() / layer.toOnnx() without the ONNX writer in the core bundle: the writer
// (about 4 kB gzipped) lives in the 'wasm-lstm/onnx' entry, which registers itself here when it
// is imported. Until then the methods say so.
import { LSTMError } from '../errors.js';

export interface OnnxExportOptions {
  /** ai.onnx opset to declare, 9 to 21 (default 17). */
  opset?: number;
  /** Bare recurrent layer only: add graph inputs "h0" (and "c0") [numLayers·D, batch, hidden]. */
  initialState?: boolean;
}

type Writer = (target: object, options?: OnnxExportOptions) => Uint8Array;
let writer: Writer | null = null;

/** @internal Called by the 'wasm-lstm/onnx' entry when it loads. */
export function _setOnnxWriter(w: Writer): void {
  writer = w;
}

export function writeOnnx(target: object, options?: OnnxExportOptions): Uint8Array {
  if (!writer)
    throw new LSTMError('NOT_INITIALIZED', "the ONNX writer is in the 'wasm-lstm/onnx' entry", {
      argument: 'toOnnx',
      expected: "import 'wasm-lstm/onnx' (or its toOnnx) before calling toOnnx()",
      actual: 'not imported',
    });
  return writer(target, options);
}
