// The model file: one safetensors file holding the weights as `layers.{i}.{name}` (PyTorch names),
// the optimizer's buffers as `optimizer.{i}.{k}`, the carried state of stateful layers as
// `state.{i}.h` / `state.{i}.c`, and in `__metadata__`:
//   format        'wasm-lstm/1'
//   architecture  JSON [{ kind, config }]: each layer's kind and constructor options
//   compile       JSON { loss, metrics, optimizer: { kind, options } | null, state: [{ layer, steps, buffers }],
//                 progress?: { learningRate, schedule? } } | null
//   state         JSON [{ layer, rng?, carry?: { batch } }]: dropout streams (u32) and carried states
//   user.{key}    the caller's own strings (save({ metadata }))
// Every name written here is an explicit constant (a class name would not survive minifying).
// Loading validates the whole file first (model-file-checks.ts), then builds; on any failure
// everything built is freed.
import { checkOptions, describe, LSTMError } from '../errors.js';
import { readSafetensorsWithMetadata, writeSafetensors } from '../io/safetensors.js';
import type { Layer } from '../layers/layer.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { StateDict } from '../tensor.js';
import { LAYER_KINDS } from './layer-kinds.js';
import type { LossName } from './losses.js';
import { checkModelFile, FORMAT } from './model-file-checks.js';

export { FORMAT };

/** Every layer a model file may name, by its `kind`. */
export const LAYER_CLASSES: Readonly<Record<string, (config: Record<string, unknown>) => Layer>> = Object.fromEntries(
  Object.entries(LAYER_KINDS).map(([k, v]) => [k, v.create]),
);

/** What a model is made of, as save() writes it. */
export interface ModelParts {
  layers: Layer[];
  loss: LossName | null;
  metrics: string[];
  optimizer: Optimizer | null;
}

export interface SaveOptions {
  /** Strings of your own kept in the file (`user.{key}` in `__metadata__`); Sequential.metadata() reads them. */
  metadata?: Record<string, string>;
}

function userMetadata(options: SaveOptions | undefined): Record<string, string> {
  const m = checkOptions(options).metadata;
  if (m === undefined) return {};
  if (m === null || typeof m !== 'object' || Array.isArray(m)) {
    throw new LSTMError('INVALID_ARGUMENT', 'metadata must be an object of strings', {
      argument: 'metadata',
      expected: 'Record<string, string>',
      actual: describe(m),
    });
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== 'string') {
      throw new LSTMError('INVALID_ARGUMENT', 'metadata values must be strings', {
        argument: `metadata.${k}`,
        expected: 'a string',
        actual: describe(v),
      });
    }
    out[`user.${k}`] = v;
  }
  return out;
}

export function saveModel(m: ModelParts, options?: SaveOptions): Uint8Array {
  const user = userMetadata(options);
  const tensors: StateDict = {};
  m.layers.forEach((l, i) => {
    for (const [k, t] of Object.entries(l.stateDict())) tensors[`layers.${i}.${k}`] = t;
  });
  const optState: { layer: number; steps: number; buffers: number }[] = [];
  const optimizer = m.optimizer;
  if (optimizer) {
    m.layers.forEach((l, i) => {
      const st = optimizer._exportState(l);
      if (!st) return;
      st.buffers.forEach((b, k) => {
        tensors[`optimizer.${i}.${k}`] = { shape: [b.length], data: b };
      });
      optState.push({ layer: i, steps: st.steps, buffers: st.buffers.length });
    });
  }
  const runStates: { layer: number; rng?: number; carry?: { batch: number } }[] = [];
  m.layers.forEach((l, i) => {
    const s = l._runState?.();
    if (!s) return;
    const entry: (typeof runStates)[number] = { layer: i };
    if (s.rng !== undefined) entry.rng = s.rng;
    if (s.carry) {
      entry.carry = { batch: s.carry.shape[1] };
      tensors[`state.${i}.h`] = { shape: s.carry.shape.slice(), data: s.carry.h };
      if (s.carry.c) tensors[`state.${i}.c`] = { shape: s.carry.shape.slice(), data: s.carry.c };
    }
    runStates.push(entry);
  });
  const compile = m.loss
    ? {
        loss: m.loss,
        metrics: m.metrics,
        optimizer: optimizer?.config() ?? null,
        state: optState,
        ...(optimizer ? { progress: optimizer._exportProgress() } : {}),
      }
    : null;
  const metadata: Record<string, string> = {
    format: FORMAT,
    architecture: JSON.stringify(m.layers.map((l) => ({ kind: l.kind, config: l.config() }))),
    compile: JSON.stringify(compile),
    ...(runStates.length ? { state: JSON.stringify(runStates) } : {}),
    ...user,
  };
  return writeSafetensors(tensors, metadata);
}

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

/** The `user.*` entries of a model file (what save({ metadata }) stored); no layer is checked or built. */
export function readUserMetadata(bytes: Uint8Array | ArrayBuffer): Record<string, string> {
  const { metadata } = readSafetensorsWithMetadata(bytes);
  if (metadata.format !== FORMAT) {
    throw new LSTMError('SAFETENSORS_INVALID', 'not a wasm-lstm model file', {
      argument: 'format',
      expected: `__metadata__.format = ${FORMAT}`,
      actual: describe(metadata.format),
    });
  }
  const user: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) if (k.startsWith('user.')) user[k.slice(5)] = v;
  return user;
}
