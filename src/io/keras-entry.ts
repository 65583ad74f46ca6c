// loadLayersModel as the core exports it: the Keras / TensorFlow.js reader (keras-load.ts and what it
// uses, about a fifth of the library's JavaScript) is imported on the first call, so a bundle that
// never reads a Keras model does not download it. The call is asynchronous anyway.
import type { Sequential } from '../model/sequential.js';
import type { LayersModelSource } from './keras-load.js';

/**
 * A Keras / TensorFlow.js layers model as a Sequential: from a URL of model.json (the weight shards it
 * names are fetched next to it), a Node path, or tfjs ModelArtifacts { modelTopology, weightSpecs,
 * weightData }. Calls {@link init} first if no build is loaded. The reader is loaded on the first call,
 * so bundles that never call this do not download it.
 *
 * @example
 * ```ts
 * const model = await loadLayersModel('https://example.com/model/model.json'); // or a path in Node
 * const y = model.predict(x);
 * ```
 * @throws {@link LSTMError} (the promise rejects) `UNSUPPORTED_LAYER` naming the layer, its class and the
 *   option it cannot run; `INVALID_ARGUMENT` for a source it cannot read (unreachable URL, HTTP error,
 *   unparseable JSON, missing file) or malformed weights; `STATE_DICT_*` for weights that do not fit.
 */
export async function loadLayersModel(source: string | URL | LayersModelSource): Promise<Sequential> {
  const { loadLayersModel: load } = await import('./keras-load.js');
  return load(source);
}
