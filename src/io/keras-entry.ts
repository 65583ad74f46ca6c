// loadLayersModel as the core exports it: the Keras / TensorFlow.js reader (keras-load.ts and what it
// uses, about a fifth of the library's JavaScript) is imported on the first call, so a bundle that
// never reads a Keras model does not download it. The call is asynchronous anyway.
import type { Sequential } from '../model/sequential.js';
import type { LayersModelSource } from './keras-load.js';

/**
 * A Keras / TensorFlow.js layers model as a Sequential: from a URL of model.json (the weight shards it
 * names are fetched next to it), a Node path, or tfjs ModelArtifacts { modelTopology, weightSpecs,
 * weightData }. Throws LSTMError UNSUPPORTED_LAYER for layers and options it cannot run.
 */
export async function loadLayersModel(source: string | URL | LayersModelSource): Promise<Sequential> {
  const { loadLayersModel: load } = await import('./keras-load.js');
  return load(source);
}
