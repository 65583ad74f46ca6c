// Validating a whole model file before anything is built: every metadata field, every layer config
// (with the constructors' own checks), the tensors against what each layer will hold (names, shapes,
// sizes), the optimizer state and the run state. Only a file that passes all of it is built, so a
// crafted file costs nothing but a typed error.
import { describe, LSTMError } from '../errors.js';
import type { LayerPlan } from '../layers/layer.js';
import { selectPrefix } from '../layers/layer.js';
import { checkTensor } from '../layers/recurrent-params.js';
import type { Optimizer } from '../optim/optimizer.js';
import { optimizerFromConfig } from '../optim/rules.js';
import type { StateDict } from '../tensor.js';
import { type LayerKind, layerKind, LAYER_KINDS, type RunStatePlan } from './layer-kinds.js';
import { LOSSES, type LossName } from './losses.js';

import { FORMAT } from './model-file.js';
/** Metadata keys a model file holds; user entries are `user.{key}`. */
const METADATA_KEYS = ['format', 'architecture', 'compile', 'state'];
const USER_PREFIX = 'user.';

/** What a valid model file describes, checked and ready to build. */
export interface Blueprint {
  layers: { kind: LayerKind; config: Record<string, unknown>; plan: LayerPlan & { runState: RunStatePlan } }[];
  loss: LossName | null;
  metrics: string[];
  optimizer: Optimizer | null;
  optimizerState: { layer: number; steps: number; buffers: Float32Array[] }[];
  runStates: {
    layer: number;
    rng?: number;
    carry?: { shape: [number, number, number]; h: Float32Array; c?: Float32Array };
  }[];
  /** The `user.*` entries, prefix removed. */
  user: Record<string, string>;
}

function invalid(argument: string, message: string, expected: string, actual: string): LSTMError {
  return new LSTMError('SAFETENSORS_INVALID', message, { argument, expected, actual });
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function parseJson(field: string, text: string | undefined, fallback: string): unknown {
  try {
    return JSON.parse(text ?? fallback);
  } catch {
    throw invalid(field, 'model metadata is not valid JSON', 'JSON', describe(text));
  }
}

/** Only `keys` (no others) in `record`, which must be an object. */
function onlyKeys(argument: string, record: unknown, keys: readonly string[]): Record<string, unknown> {
  if (!isRecord(record)) throw invalid(argument, 'must be an object', `{ ${keys.join(', ')} }`, describe(record));
  for (const k of Object.keys(record)) {
    if (!keys.includes(k))
      throw invalid(`${argument}.${k}`, 'unknown field', `one of ${keys.join(', ')}`, JSON.stringify(k));
  }
  return record;
}

function int(argument: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw invalid(argument, 'must be an integer in range', `an integer in [${min}, ${max}]`, describe(v));
  return v;
}

/** Runs a constructor's validation, reporting its error as a file error under `prefix`. */
function asFileError<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof LSTMError) || e.code === 'NOT_INITIALIZED') throw e;
    const arg = e.argument && e.argument !== 'options' ? `${prefix}.${e.argument}` : prefix;
    throw invalid(arg, e.reason, e.expected ?? '', e.actual ?? '');
  }
}

function checkArchitecture(metadata: Record<string, string>): Blueprint['layers'] {
  const arch = parseJson('architecture', metadata.architecture, '');
  if (!Array.isArray(arch) || arch.length === 0)
    throw invalid('architecture', 'architecture must be a list of layers', 'a non-empty array', describe(arch));
  return arch.map((a, i) => {
    const entry = onlyKeys(`architecture[${i}]`, a, ['kind', 'config']);
    const kind = layerKind(entry.kind);
    if (!kind)
      throw invalid(
        `architecture[${i}].kind`,
        'unknown layer kind',
        Object.keys(LAYER_KINDS).join(' | '),
        describe(entry.kind),
      );
    const config = onlyKeys(`architecture[${i}].config`, entry.config, kind.options);
    return { kind, config, plan: asFileError(`architecture[${i}].config`, () => kind.plan(config)) };
  });
}

/** The tensors of layer i (`layers.{i}.*`): exactly those its plan says, of the right shapes. */
function checkLayerTensors(tensors: StateDict, layers: Blueprint['layers'], claimed: Set<string>): void {
  layers.forEach((l, i) => {
    const prefix = `layers.${i}.`;
    const own = selectPrefix(tensors, { prefix });
    try {
      l.plan.check(own);
    } catch (e) {
      if (!(e instanceof LSTMError)) throw e;
      throw new LSTMError(e.code, e.reason, {
        argument: `${prefix}${e.argument}`,
        expected: e.expected,
        actual: e.actual,
      });
    }
    for (const k of Object.keys(own)) claimed.add(`${prefix}${k}`);
  });
}

function checkCompile(
  metadata: Record<string, string>,
  tensors: StateDict,
  layers: Blueprint['layers'],
  claimed: Set<string>,
): Pick<Blueprint, 'loss' | 'metrics' | 'optimizer' | 'optimizerState'> {
  const compile = parseJson('compile', metadata.compile, 'null');
  if (compile === null) return { loss: null, metrics: [], optimizer: null, optimizerState: [] };
  const c = onlyKeys('compile', compile, ['loss', 'metrics', 'optimizer', 'state', 'progress']);
  if (!LOSSES.includes(c.loss as LossName))
    throw invalid('compile.loss', 'unknown loss', LOSSES.join(' | '), describe(c.loss));
  if (!Array.isArray(c.metrics) || c.metrics.some((m) => m !== 'accuracy'))
    throw invalid('compile.metrics', 'unknown metrics', "[] or ['accuracy']", describe(c.metrics));
  let optimizer: Optimizer | null = null;
  if (c.optimizer !== null) {
    const o = onlyKeys('compile.optimizer', c.optimizer, ['kind', 'options']);
    if (!isRecord(o.options))
      throw invalid('compile.optimizer.options', 'must be an object', 'an object', describe(o.options));
    const opt = asFileError('compile.optimizer', () => optimizerFromConfig({ kind: o.kind, options: {} }));
    try {
      // the options an optimizer of this kind saves (config() lists every one) are those a file may hold
      onlyKeys('compile.optimizer.options', o.options, [
        ...Object.keys(opt.config().options),
        'clipNorm',
        'clipValue',
        'schedule',
      ]);
    } finally {
      opt.dispose();
    }
    optimizer = asFileError('compile.optimizer.options', () =>
      optimizerFromConfig({ kind: o.kind, options: o.options }),
    );
    if (c.progress !== undefined) {
      // the rate it had reached and its schedule's position (files from before schedules have none)
      const progress = onlyKeys('compile.progress', c.progress, ['learningRate', 'schedule']);
      const opt2 = optimizer;
      try {
        asFileError('compile.progress', () => opt2._importProgress(progress as never));
      } catch (e) {
        opt2.dispose();
        throw e;
      }
    }
  } else if (c.progress !== undefined) {
    throw invalid('compile.progress', 'progress of an optimizer the file does not have', 'no progress', 'progress');
  }
  try {
    if (!Array.isArray(c.state))
      throw invalid('compile.state', 'optimizer state must be a list', 'an array', describe(c.state));
    const seen = new Set<number>();
    const optimizerState = c.state.map((entry, i) => {
      const arg = `compile.state[${i}]`,
        s = onlyKeys(arg, entry, ['layer', 'steps', 'buffers']);
      const layer = int(`${arg}.layer`, s.layer, 0, layers.length - 1),
        steps = int(`${arg}.steps`, s.steps, 1, Number.MAX_SAFE_INTEGER),
        n = int(`${arg}.buffers`, s.buffers, 0, 8);
      const floats = layers[layer]!.plan.blockFloats;
      if (seen.has(layer) || floats === 0 || !optimizer || n !== optimizer._stateBufferCount()) {
        throw invalid(
          arg,
          'optimizer state does not fit the model',
          `one entry per layer with parameters, ${optimizer?._stateBufferCount() ?? 0} buffers`,
          JSON.stringify(entry),
        );
      }
      seen.add(layer);
      const buffers = Array.from({ length: n }, (_, k) => {
        const name = `optimizer.${layer}.${k}`,
          t = tensors[name];
        if (t?.shape.length !== 1 || t.shape[0] !== floats)
          throw invalid(
            name,
            'optimizer state tensor missing or of the wrong size',
            `[${floats}]`,
            t ? `[${t.shape.join(', ')}]` : 'nothing',
          );
        claimed.add(name);
        return t.data;
      });
      return { layer, steps, buffers };
    });
    return { loss: c.loss as LossName, metrics: c.metrics as string[], optimizer, optimizerState };
  } catch (e) {
    optimizer?.dispose();
    throw e;
  }
}

function checkRunStates(
  metadata: Record<string, string>,
  tensors: StateDict,
  layers: Blueprint['layers'],
  claimed: Set<string>,
): Blueprint['runStates'] {
  const state = parseJson('state', metadata.state, '[]');
  if (!Array.isArray(state)) throw invalid('state', 'run state must be a list', 'an array', describe(state));
  const seen = new Set<number>();
  return state.map((entry, i) => {
    const arg = `state[${i}]`,
      s = onlyKeys(arg, entry, ['layer', 'rng', 'carry']);
    const layer = int(`${arg}.layer`, s.layer, 0, layers.length - 1),
      plan = layers[layer]!.plan.runState;
    if (seen.has(layer)) throw invalid(`${arg}.layer`, 'two run states for one layer', 'one per layer', String(layer));
    seen.add(layer);
    const out: Blueprint['runStates'][number] = { layer };
    if (s.rng !== undefined) {
      if (!plan.rng) throw invalid(`${arg}.rng`, 'this layer has no dropout stream', 'no rng', describe(s.rng));
      out.rng = int(`${arg}.rng`, s.rng, 0, 0xffffffff);
    }
    if (s.carry !== undefined) {
      const carry = onlyKeys(`${arg}.carry`, s.carry, ['batch']),
        shape = plan.carry;
      if (!shape) throw invalid(`${arg}.carry`, 'only a stateful recurrent layer carries state', 'no carry', 'carry');
      const batch = int(`${arg}.carry.batch`, carry.batch, 1, 1 << 30),
        dims: [number, number, number] = [shape.rows, batch, shape.hidden];
      const h = checkTensor(`state.${layer}.h`, tensors[`state.${layer}.h`], dims).data;
      claimed.add(`state.${layer}.h`);
      out.carry = { shape: dims, h };
      if (shape.cell) {
        out.carry.c = checkTensor(`state.${layer}.c`, tensors[`state.${layer}.c`], dims).data;
        claimed.add(`state.${layer}.c`);
      }
    }
    return out;
  });
}

/** The blueprint of a model file, or the typed error of its first problem (nothing allocated). */
export function checkModelFile(tensors: StateDict, metadata: Record<string, string>): Blueprint {
  if (metadata.format !== FORMAT)
    throw invalid('format', 'not a wasm-lstm model file', `__metadata__.format = ${FORMAT}`, describe(metadata.format));
  const user: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (k.startsWith(USER_PREFIX)) user[k.slice(USER_PREFIX.length)] = v;
    else if (!METADATA_KEYS.includes(k))
      throw invalid(k, 'unknown metadata field', `${METADATA_KEYS.join(', ')} or ${USER_PREFIX}*`, JSON.stringify(k));
  }
  const layers = checkArchitecture(metadata),
    claimed = new Set<string>();
  checkLayerTensors(tensors, layers, claimed);
  const compile = checkCompile(metadata, tensors, layers, claimed);
  try {
    const runStates = checkRunStates(metadata, tensors, layers, claimed);
    for (const name of Object.keys(tensors)) {
      if (!claimed.has(name)) {
        throw new LSTMError('STATE_DICT_UNEXPECTED', 'tensor not in this model', {
          argument: name,
          expected: 'layers.{i}.{parameter}, optimizer.{i}.{k} or state.{i}.{h|c} of the layers the file declares',
          actual: name,
        });
      }
    }
    return { layers, ...compile, runStates, user };
  } catch (e) {
    compile.optimizer?.dispose();
    throw e;
  }
}
