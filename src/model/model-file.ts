// The model file: one safetensors file holding the weights as `layers.{i}.{name}` (PyTorch names),
// the architecture, compile settings and optimizer state in `__metadata__`, and the optimizer's
// buffers as `optimizer.{i}.{k}` tensors. Every name written here is an explicit constant (a class
// name would not survive minifying).
import { describe, LSTMError } from '../errors.js';
import { readSafetensorsWithMetadata, writeSafetensors } from '../io/safetensors.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { Masking } from '../layers/masking.js';
import { ActivationLayer } from '../layers/activation.js';
import { Reverse } from '../layers/reverse.js';
import { Embedding } from '../layers/embedding.js';
import { GRU } from '../layers/gru.js';
import type { Layer } from '../layers/layer.js';
import { LSTM } from '../layers/lstm.js';
import { SimpleRNN } from '../layers/rnn.js';
import type { Optimizer } from '../optim/optimizer.js';
import { optimizerFromConfig } from '../optim/rules.js';
import type { StateDict } from '../tensor.js';
import { LOSSES, type LossName } from './losses.js';

export const FORMAT = 'wasm-lstm/1';

/** Every layer a model file may name, by its `kind`. */
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

export interface CompileState {
  loss: LossName;
  metrics: 'accuracy'[];
  optimizer: { kind: string; options: Record<string, unknown> } | null;
  state: { layer: number; steps: number; buffers: number }[];
  /** the optimizer's current rate and its schedule's position (absent in files before schedules) */
  progress?: { learningRate?: number; schedule?: Record<string, number> };
}

/** What a model is made of, as save() writes it. */
export interface ModelParts {
  layers: Layer[];
  loss: LossName | null;
  metrics: string[];
  optimizer: Optimizer | null;
}

/** save() options: the float width of the weights (int8 weights stay I8). */
export interface SaveOptions {
  /** 'f32' (default) or 'f16': half the bytes, widened back to f32 on load. The optimizer's state
   *  stays f32 (Adam's second moments would underflow in f16). */
  dtype?: 'f32' | 'f16';
}

export function saveModel(m: ModelParts, options: SaveOptions = {}): Uint8Array {
  const dtype = options?.dtype ?? 'f32';
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
  const optState: CompileState['state'] = [];
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
  const compile = m.loss
    ? {
        loss: m.loss,
        metrics: m.metrics,
        optimizer: optimizer?.config() ?? null,
        state: optState,
        ...(optimizer ? { progress: optimizer._exportProgress() } : {}),
      }
    : null;
  const metadata = {
    format: FORMAT,
    architecture: JSON.stringify(m.layers.map((l) => ({ kind: l.kind, config: l.config() }))),
    compile: JSON.stringify(compile),
  };
  return writeSafetensors(tensors, metadata, { dtype: dtype === 'f16' ? 'F16' : 'F32' });
}

function invalid(argument: string, message: string, expected: string, actual: string): LSTMError {
  return new LSTMError('SAFETENSORS_INVALID', message, { argument, expected, actual });
}

function parseJson(field: string, text: string | undefined, fallback: string): unknown {
  try {
    return JSON.parse(text ?? fallback);
  } catch {
    throw invalid(field, 'model metadata is not valid JSON', 'JSON', 'unparseable');
  }
}

/** The architecture and compile settings of a model file, checked field by field (nothing built yet). */
function readMetadata(metadata: Record<string, string>): {
  arch: { kind: string; config: object }[];
  compile: CompileState | null;
} {
  if (metadata.format !== FORMAT)
    throw invalid('bytes', 'not a wasm-lstm model file', `__metadata__.format = ${FORMAT}`, describe(metadata.format));
  const arch = parseJson('architecture', metadata.architecture, '');
  if (!Array.isArray(arch) || arch.length === 0)
    throw invalid('architecture', 'architecture must be a list of layers', 'a non-empty array', describe(arch));
  arch.forEach((a, i) => {
    const kind = (a as { kind?: unknown })?.kind,
      config = (a as { config?: unknown })?.config;
    if (typeof kind !== 'string' || !Object.hasOwn(LAYER_CLASSES, kind)) {
      throw invalid(`architecture[${i}]`, 'unknown layer kind', Object.keys(LAYER_CLASSES).join(' | '), describe(kind));
    }
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      throw invalid(`architecture[${i}].config`, 'layer config must be an object', 'an object', describe(config));
    }
  });
  const compile = parseJson('compile', metadata.compile, 'null') as CompileState | null;
  if (compile !== null) {
    if (typeof compile !== 'object' || !LOSSES.includes(compile.loss))
      throw invalid('compile.loss', 'unknown loss', LOSSES.join(' | '), describe(compile?.loss));
    if (!Array.isArray(compile.metrics) || compile.metrics.some((m) => m !== 'accuracy')) {
      throw invalid('compile.metrics', 'unknown metrics', "[] or ['accuracy']", describe(compile.metrics));
    }
    if (!Array.isArray(compile.state))
      throw invalid('compile.state', 'optimizer state must be a list', 'an array', describe(compile.state));
    compile.state.forEach((s, i) => {
      const ok =
        s !== null &&
        typeof s === 'object' &&
        Number.isInteger(s.layer) &&
        s.layer >= 0 &&
        s.layer < arch.length &&
        Number.isInteger(s.steps) &&
        s.steps >= 1 &&
        s.steps < 2 ** 40 &&
        Number.isInteger(s.buffers) &&
        s.buffers >= 0 &&
        s.buffers <= 8;
      if (!ok)
        throw invalid(
          `compile.state[${i}]`,
          'malformed optimizer state',
          '{ layer, steps ≥ 1, buffers } integers',
          JSON.stringify(s),
        );
    });
  }
  return { arch: arch as { kind: string; config: object }[], compile };
}

/** Build the model a file describes; on any failure everything built so far is freed. */
export function loadModel(bytes: Uint8Array | ArrayBuffer): ModelParts {
  const { tensors, metadata } = readSafetensorsWithMetadata(bytes);
  const { arch, compile } = readMetadata(metadata);
  const layers: Layer[] = [];
  let optimizer: Optimizer | null = null;
  try {
    arch.forEach((a, i) => {
      const l = new LAYER_CLASSES[a.kind]!(a.config as never);
      layers.push(l);
      l.loadStateDict(tensors, { prefix: `layers.${i}.` });
    });
    for (const k of Object.keys(tensors)) {
      const m = /^layers\.(\d+)\./.exec(k);
      if (!k.startsWith('optimizer.') && (!m || Number(m[1]) >= layers.length)) {
        throw new LSTMError('STATE_DICT_UNEXPECTED', 'tensor not in this model', {
          argument: k,
          expected: 'layers.{i}.* or optimizer.*',
          actual: k,
        });
      }
    }
    if (compile?.optimizer) {
      try {
        optimizer = optimizerFromConfig(compile.optimizer);
      } catch (e) {
        if (e instanceof LSTMError) throw invalid('compile.optimizer', e.message, e.expected ?? '', e.actual ?? '');
        throw e;
      }
      if (compile.progress !== undefined) {
        if (compile.progress === null || typeof compile.progress !== 'object')
          throw invalid(
            'compile.progress',
            'malformed optimizer progress',
            '{ learningRate, schedule? }',
            describe(compile.progress),
          );
        try {
          optimizer._importProgress(compile.progress);
        } catch (e) {
          if (e instanceof LSTMError) throw invalid('compile.progress', e.message, e.expected ?? '', e.actual ?? '');
          throw e;
        }
      }
      for (const s of compile.state) {
        const buffers = Array.from({ length: s.buffers }, (_, k) => {
          const t = tensors[`optimizer.${s.layer}.${k}`];
          if (!t) throw invalid(`optimizer.${s.layer}.${k}`, 'optimizer state tensor missing', 'a tensor', 'nothing');
          return t.data;
        });
        optimizer._importState(layers[s.layer]!, { steps: s.steps, buffers });
      }
    }
  } catch (e) {
    optimizer?.dispose();
    for (const l of layers) l.dispose();
    throw e;
  }
  return { layers, loss: compile?.loss ?? null, metrics: compile?.metrics ?? [], optimizer };
}
