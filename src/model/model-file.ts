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
import { ActivationLayer } from '../layers/activation.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { Embedding } from '../layers/embedding.js';
import { GRU } from '../layers/gru.js';
import { LSTM } from '../layers/lstm.js';
import { Masking } from '../layers/masking.js';
import { Reverse } from '../layers/reverse.js';
import { SimpleRNN } from '../layers/rnn.js';
import type { LossName } from './losses.js';
/** The model file format this version writes and reads (`__metadata__.format`). */
export const FORMAT = 'wasm-lstm/1';

/** Every layer a model file may name, by its `kind` (their plans and checks: layer-kinds.ts). */
export const LAYER_CLASSES: Readonly<Record<string, new (options: never) => Layer>> = {
  LSTM: LSTM as never,
  GRU: GRU as never,
  SimpleRNN: SimpleRNN as never,
  Dense: Dense as never,
  Embedding: Embedding as never,
  Dropout: Dropout as never,
  Masking: Masking as never,
  Activation: ActivationLayer as never,
  Reverse: Reverse as never,
};

/** What a model is made of, as save() writes it. */
export interface ModelParts {
  layers: Layer[];
  loss: LossName | null;
  metrics: string[];
  optimizer: Optimizer | null;
}

/** save() options. */
export interface SaveOptions {
  /** 'f32' (default) or 'f16': half the bytes, widened back to f32 on load (int8 weights stay I8).
   *  The optimizer's state and carried states stay f32 (Adam's second moments would underflow in f16). */
  dtype?: 'f32' | 'f16';
  /** Strings of your own kept in the file (`user.{key}` in `__metadata__`); Sequential.metadata() reads them. */
  metadata?: Record<string, string>;
}

function userMetadata(m: unknown): Record<string, string> {
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
  const o = checkOptions(options, 'options', ['dtype', 'metadata']),
    user = userMetadata(o.metadata),
    dtype = o.dtype ?? 'f32';
  if (dtype !== 'f32' && dtype !== 'f16') {
    throw new LSTMError('INVALID_ARGUMENT', 'unsupported file dtype', {
      argument: 'dtype',
      expected: "'f32' | 'f16'",
      actual: describe(dtype),
    });
  }
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
        tensors[`optimizer.${i}.${k}`] = { shape: [b.length], data: b, dtype: 'f32' };
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
      tensors[`state.${i}.h`] = { shape: s.carry.shape.slice(), data: s.carry.h, dtype: 'f32' };
      if (s.carry.c) tensors[`state.${i}.c`] = { shape: s.carry.shape.slice(), data: s.carry.c, dtype: 'f32' };
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
  return writeSafetensors(tensors, metadata, { dtype: dtype === 'f16' ? 'F16' : 'F32' });
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
