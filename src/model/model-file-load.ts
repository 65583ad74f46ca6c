// Loading a model file: the whole file is validated first (model-file-checks.ts), then the layers
// are built and filled. Sequential.load imports this module when it is first called, so a bundle
// that never loads a model file does not download the checks.
import { readSafetensorsWithMetadata } from '../io/safetensors.js';
import type { Layer } from '../layers/layer.js';
import type { ModelParts } from './model-file.js';
import { checkModelFile } from './model-file-checks.js';

/** Build the model a file describes, after validating all of it; on any failure everything built
 *  so far is freed. */
export function loadModel(bytes: Uint8Array | ArrayBuffer): ModelParts & { user: Record<string, string> } {
  const { tensors, metadata } = readSafetensorsWithMetadata(bytes);
  const b = checkModelFile(tensors, metadata);
  const layers: Layer[] = [];
  try {
    b.layers.forEach((l, i) => {
      layers.push(l.kind.create(l.config));
      layers[i]!.loadStateDict(tensors, { prefix: `layers.${i}.` });
    });
    for (const s of b.optimizerState)
      b.optimizer!._importState(layers[s.layer]!, { steps: s.steps, buffers: s.buffers });
    for (const s of b.runStates) layers[s.layer]!._setRunState?.({ rng: s.rng, carry: s.carry ?? null });
  } catch (e) {
    b.optimizer?.dispose();
    for (const l of layers) l.dispose();
    throw e;
  }
  return { layers, loss: b.loss, metrics: b.metrics, optimizer: b.optimizer, user: b.user };
}
