// Every layer a model file may name, by its `kind`: the constructor options it takes, what a layer
// built from a config will hold (a pure function next to each class: nothing is allocated), and how
// to build it. Model files are checked against the plans before any layer is built.
import { Dense, type DenseOptions, densePlan } from '../layers/dense.js';
import { DENSE_OPTION_KEYS } from '../layers/dense-config.js';
import { DROPOUT_OPTION_KEYS, Dropout, type DropoutOptions, dropoutPlan } from '../layers/dropout.js';
import { EMBEDDING_OPTION_KEYS, Embedding, type EmbeddingOptions, embeddingPlan } from '../layers/embedding.js';
import { GRU, type GRUOptions, gruSpec } from '../layers/gru.js';
import { ACTIVATION_OPTION_KEYS, ActivationLayer, type ActivationOptions } from '../layers/activation.js';
import type { Layer, LayerPlan } from '../layers/layer.js';
import { MASKING_OPTION_KEYS, Masking, type MaskingOptions } from '../layers/masking.js';
import { Reverse } from '../layers/reverse.js';
import { Trainability } from '../layers/trainability.js';
import { LSTM, type LSTMVariantOptions, lstmSpec } from '../layers/lstm.js';
import type { CellSpec, RecurrentOptions } from '../layers/recurrent-config.js';
import { RECURRENT_OPTION_KEYS, recurrentConfig } from '../layers/recurrent-config.js';
import { recurrentBlock } from '../layers/quantized-params.js';
import { rnnSpec, SimpleRNN, type SimpleRNNOptions } from '../layers/rnn.js';
import { currentRuntime } from '../runtime.js';

/** What a layer carries between calls (RunState), as a model file may hold it. */
export interface RunStatePlan {
  /** It has a dropout stream (Dropout, recurrent layers). */
  rng: boolean;
  /** A stateful layer's carried state: h (and c when `cell`) of shape [rows, batch, hidden]. */
  carry: { rows: number; hidden: number; cell: boolean } | null;
}

export interface LayerKind {
  /** The constructor options a saved config may hold. */
  readonly options: readonly string[];
  /** Validates a config (the constructor's checks) and lists what the layer will hold. */
  plan(config: Record<string, unknown>): LayerPlan & { runState: RunStatePlan };
  create(config: Record<string, unknown>): Layer;
}

/** The plan, after the trainability options are checked against its parameter names. */
function withTrainability(config: Record<string, unknown>, plan: LayerPlan): LayerPlan {
  new Trainability(config, plan.ranges);
  return plan;
}

/** A layer without parameters or run state: its constructor (which allocates nothing) checks the config. */
function stateless(options: readonly string[], create: (config: Record<string, unknown>) => Layer): LayerKind {
  return {
    options,
    plan(config) {
      const l = create(config);
      l.dispose();
      return { check: (dict) => l.loadStateDict(dict), ranges: new Map(), blockFloats: 0, runState: NO_RUN_STATE };
    },
    create,
  };
}

function recurrent(
  kind: keyof typeof RECURRENT_OPTION_KEYS,
  spec: (o: RecurrentOptions) => CellSpec,
  create: (o: RecurrentOptions) => Layer,
): LayerKind {
  return {
    options: RECURRENT_OPTION_KEYS[kind],
    plan(config) {
      const o = config as unknown as RecurrentOptions,
        s = spec(o),
        c = recurrentConfig(o, s),
        block = recurrentBlock(c, s, currentRuntime().kernels);
      const plan: LayerPlan = {
        check: (dict) => void block.check(dict),
        ranges: block.ranges(),
        blockFloats: block.inferenceOnly ? 0 : block.floats,
      };
      return {
        ...withTrainability(config, plan),
        runState: {
          rng: true,
          carry: c.stateful ? { rows: c.numLayers * c.directions, hidden: c.hiddenSize, cell: s.hasCell } : null,
        },
      };
    },
    create: (config) => create(config as unknown as RecurrentOptions),
  };
}

const NO_RUN_STATE: RunStatePlan = { rng: false, carry: null };

export const LAYER_KINDS: Readonly<Record<string, LayerKind>> = {
  LSTM: recurrent(
    'LSTM',
    (o) => lstmSpec(o as LSTMVariantOptions),
    (o) => new LSTM(o as LSTMVariantOptions),
  ),
  GRU: recurrent(
    'GRU',
    (o) => gruSpec(o as GRUOptions),
    (o) => new GRU(o as GRUOptions),
  ),
  SimpleRNN: recurrent(
    'SimpleRNN',
    (o) => rnnSpec(o as SimpleRNNOptions),
    (o) => new SimpleRNN(o as SimpleRNNOptions),
  ),
  Dense: {
    options: DENSE_OPTION_KEYS,
    plan: (config) => ({
      ...withTrainability(config, densePlan(config as unknown as DenseOptions, currentRuntime().kernels)),
      runState: NO_RUN_STATE,
    }),
    create: (config) => new Dense(config as unknown as DenseOptions),
  },
  Embedding: {
    options: EMBEDDING_OPTION_KEYS,
    plan: (config) => ({
      ...withTrainability(config, embeddingPlan(config as unknown as EmbeddingOptions)),
      runState: NO_RUN_STATE,
    }),
    create: (config) => new Embedding(config as unknown as EmbeddingOptions),
  },
  Dropout: {
    options: DROPOUT_OPTION_KEYS,
    plan: (config) => ({ ...dropoutPlan(config as unknown as DropoutOptions), runState: { rng: true, carry: null } }),
    create: (config) => new Dropout(config as unknown as DropoutOptions),
  },
  Masking: stateless(MASKING_OPTION_KEYS, (config) => new Masking(config as MaskingOptions)),
  Activation: stateless(
    ACTIVATION_OPTION_KEYS,
    (config) => new ActivationLayer(config as unknown as ActivationOptions),
  ),
  Reverse: stateless([], () => new Reverse()),
};

/** The kind's entry, for a name read from a file (only the registry's own names: not `toString`). */
export function layerKind(name: unknown): LayerKind | undefined {
  return typeof name === 'string' && Object.hasOwn(LAYER_KINDS, name) ? LAYER_KINDS[name] : undefined;
}
