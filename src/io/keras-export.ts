// A model -> TensorFlow.js layers format { modelTopology, weightSpecs, weightData }, as
// tf.io.withSaveHandler hands it over and tf.loadLayersModel(tf.io.fromMemory(…)) reads it.
// Weights come from each layer's stateDict() (PyTorch layout) and are converted to Keras':
// kernels transposed, GRU gates reordered r,z,n -> z,r,h, the two recurrent biases summed into
// Keras' one (exact: both are added to the same pre-activation), except GRU resetAfter, whose
// recurrent bias sits inside r∘(…) and is kept as row 1 of a [2, 3H] bias (Keras reset_after=True;
// tfjs 4 itself cannot run that, Keras can). A stacked layer (numLayers > 1) becomes one Keras
// layer per level.
import { LSTMError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import type { StateDict } from '../tensor.js';
import { Recurrent } from '../layers/recurrent.js';
import { Dense } from '../layers/dense.js';
import { Embedding } from '../layers/embedding.js';
import { Dropout } from '../layers/dropout.js';
import { Masking } from '../layers/masking.js';
import { ActivationLayer } from '../layers/activation.js';
import { Reverse } from '../layers/reverse.js';
import { transpose, swapGruGates, unsupported } from './keras-layout.js';
import { encodeWeights, type NamedWeight, type WeightSpec } from './keras-weights.js';

export interface ToLayersModelOptions {
  /** Fixed batch size written into the input shape; required when a layer is stateful (Keras
   *  and tfjs need it for stateful RNNs). */
  batchSize?: number;
  /** Fixed sequence length written into the input shape (default: any). */
  steps?: number;
  /** The model's name in the topology (default 'sequential'). */
  name?: string;
}

export interface LayersModelArtifacts {
  modelTopology: Record<string, unknown>;
  weightSpecs: WeightSpec[];
  weightData: ArrayBuffer;
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
}

type Config = Record<string, unknown>;
interface KerasOut {
  class_name: string;
  config: Config;
}

const WRITER = 'wasm-lstm';

/** Maps this library's recurrentActivation to Keras' name (tfjs's hard_sigmoid is 0.2·x + 0.5). */
function recurrentActivation(layer: Recurrent, value: unknown): string {
  if (value === undefined || value === 'sigmoid') return 'sigmoid';
  if (value === 'hardSigmoid') return 'hard_sigmoid';
  const v = value as { name?: string; alpha?: number; beta?: number };
  if (v?.name === 'sigmoid') return 'sigmoid';
  const near = (x: number | undefined, want: number) => x === undefined || Math.abs(x - want) < 1e-6;
  if (v?.name === 'hardSigmoid' && near(v.alpha ?? 0.2, 0.2) && near(v.beta, 0.5)) return 'hard_sigmoid';
  throw unsupported(
    `layer ${layer.kind}`,
    'recurrentActivation',
    `recurrentActivation ${JSON.stringify(value)} has no tfjs equivalent`,
    "'sigmoid' | 'hardSigmoid' (alpha 0.2, beta 0.5)",
  );
}

/** Biases that are frozen at zero are Keras' use_bias: false (what the importer makes of it). */
function biasless(frozen: readonly string[], sd: StateDict, names: string[]): boolean {
  return names.every((n) => frozen.includes(n) && sd[n]!.data.every((v) => v === 0));
}

export function toLayersModel(layers: readonly Layer[], options: ToLayersModelOptions = {}): LayersModelArtifacts {
  const names = new Map<string, number>();
  const unique = (base: string): string => {
    const n = names.get(base) ?? 0;
    names.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  };
  const out: KerasOut[] = [],
    weights: NamedWeight[] = [];
  const w = (name: string, shape: number[], data: Float32Array): void => {
    weights.push({ name, shape, data });
  };
  const common = (name: string, trainable = true): Config => ({ name, trainable, dtype: 'float32' });
  for (const b of [options.batchSize, options.steps])
    if (b !== undefined && !(Number.isInteger(b) && b > 0))
      throw new LSTMError('INVALID_ARGUMENT', 'must be a positive integer', {
        argument: b === options.batchSize ? 'batchSize' : 'steps',
        expected: 'an integer ≥ 1',
        actual: String(b),
      });

  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!;
    if (l.inferenceOnly) {
      throw unsupported(
        `layer ${l.kind}`,
        'weights',
        'int8 weights have no tfjs layers-model form',
        'f32 weights (export the model before quantize())',
      );
    }
    if (l instanceof Embedding) {
      const name = unique('embedding');
      const V = l.numEmbeddings,
        E = l.embeddingDim;
      out.push({
        class_name: 'Embedding',
        config: { ...common(name, l.trainable), input_dim: V, output_dim: E, mask_zero: l.maskZero },
      });
      w(`${name}/embeddings`, [V, E], l.stateDict().weight!.data);
    } else if (l instanceof Masking) {
      out.push({ class_name: 'Masking', config: { ...common(unique('masking')), mask_value: l.maskValue } });
    } else if (l instanceof Dropout) {
      out.push({ class_name: 'Dropout', config: { ...common(unique('dropout')), rate: l.rate } });
    } else if (l instanceof ActivationLayer) {
      out.push({ class_name: 'Activation', config: { ...common(unique('activation')), activation: l.activation } });
    } else if (l instanceof Dense) {
      const name = unique('dense');
      const K = l.inputSize,
        O = l.outputSize,
        sd = l.stateDict();
      const useBias = !biasless(l.frozenParameters, sd, ['bias']);
      out.push({
        class_name: 'Dense',
        config: { ...common(name, l.trainable), units: O, activation: l.activation, use_bias: useBias },
      });
      w(`${name}/kernel`, [K, O], transpose(sd.weight!.data, O, K));
      if (useBias) w(`${name}/bias`, [O], sd.bias!.data);
    } else if (l instanceof Recurrent) {
      const reversed = layers[i + 1] instanceof Reverse;
      out.push(...recurrentLayers(l, reversed, unique, w, common, options));
      if (reversed) i++;
    } else if (l instanceof Reverse) {
      throw unsupported(
        'layer Reverse',
        'Reverse',
        'Reverse only exports right after a goBackwards layer with returnSequences',
        'LSTM/GRU/SimpleRNN({ goBackwards, returnSequences }) before it',
      );
    } else {
      throw unsupported(
        `layer ${l.kind}`,
        'kind',
        `layer ${l.kind} has no tfjs equivalent`,
        'LSTM, GRU, SimpleRNN, Dense, Embedding, Dropout, Masking, Activation',
      );
    }
  }
  // the first layer carries the input shape: [batch, steps, features], or [batch, steps] of token
  // ids; the feature size comes from the first layer that has one (Masking and Dropout do not)
  const sized = layers.find((l) => l instanceof Embedding || l instanceof Dense || l instanceof Recurrent);
  if (!sized)
    throw unsupported('model', 'layers', 'no layer fixes the input size', 'an Embedding, Dense or recurrent layer');
  const features = sized instanceof Embedding ? [] : [(sized as Dense | Recurrent).inputSize];
  const first = out[0]!.config;
  first.batch_input_shape = [options.batchSize ?? null, options.steps ?? null, ...features];
  if (out[0]!.class_name === 'Bidirectional')
    (first.layer as KerasOut).config.batch_input_shape = first.batch_input_shape;
  const { weightSpecs, weightData } = encodeWeights(weights);
  return {
    modelTopology: {
      class_name: 'Sequential',
      config: { name: options.name ?? 'sequential', layers: out },
      keras_version: WRITER,
      backend: WRITER,
    },
    weightSpecs,
    weightData,
    format: 'layers-model',
    generatedBy: WRITER,
    convertedBy: null,
  };
}

function recurrentLayers(
  l: Recurrent,
  reversed: boolean,
  unique: (base: string) => string,
  w: (name: string, shape: number[], data: Float32Array) => void,
  common: (name: string, trainable?: boolean) => Config,
  options: ToLayersModelOptions,
): KerasOut[] {
  const c = l.config() as Config,
    kind = l.kind,
    H = l.hiddenSize,
    G = kind === 'LSTM' ? 4 : kind === 'GRU' ? 3 : 1;
  for (const key of ['peephole', 'coupledInputForget', 'cellClip'])
    if (c[key] !== undefined && c[key] !== false)
      throw unsupported(`layer ${kind}`, key, `${key} has no tfjs equivalent`, 'not set');
  const goBackwards = c.goBackwards === true;
  if (goBackwards && l.returnSequences && !reversed)
    throw unsupported(
      `layer ${kind}`,
      'goBackwards',
      'goBackwards with returnSequences exports only when a Reverse layer follows (Keras emits the outputs in reverse order)',
      'a Reverse layer after it',
    );
  if (goBackwards && l.numLayers > 1)
    throw unsupported(`layer ${kind}`, 'numLayers', 'stacked goBackwards layers', 'numLayers 1');
  if (l.stateful && options.batchSize === undefined)
    throw new LSTMError('INVALID_ARGUMENT', 'a stateful layer needs a fixed batch size in the input shape', {
      argument: 'batchSize',
      expected: 'toLayersModel({ batchSize })',
      actual: 'undefined',
    });
  const resetAfter = kind === 'GRU' && c.resetAfter !== false;
  const gates = (rows: Float32Array, K: number): Float32Array => (kind === 'GRU' ? swapGruGates(rows, H, K) : rows);
  const sd = l.stateDict();
  const result: KerasOut[] = [];
  const base = kind === 'SimpleRNN' ? 'simple_rnn' : kind.toLowerCase();
  for (let k = 0; k < l.numLayers; k++) {
    const top = k === l.numLayers - 1;
    const dirs = l.bidirectional ? ['', '_reverse'] : [''];
    const useBias = !biasless(
      l.frozenParameters,
      sd,
      dirs.flatMap((d) => [`bias_ih_l${k}${d}`, `bias_hh_l${k}${d}`]),
    );
    const cfg: Config = {
      units: H,
      activation: kind === 'SimpleRNN' ? ((c.nonlinearity as string) ?? 'tanh') : 'tanh',
      use_bias: useBias,
      return_sequences: top ? l.returnSequences : true,
      return_state: false,
      go_backwards: goBackwards,
      stateful: l.stateful,
      unroll: false,
      dropout: 0,
      recurrent_dropout: l.recurrentDropout,
    };
    if (kind !== 'SimpleRNN') cfg.recurrent_activation = recurrentActivation(l, c.recurrentActivation);
    if (kind === 'GRU') cfg.reset_after = resetAfter;
    const emit = (prefix: string, suffix: string): void => {
      const K = k === 0 ? l.inputSize : H * l.directions;
      const s = `_l${k}${suffix}`;
      const bih = gates(sd[`bias_ih${s}`]!.data, 1),
        bhh = gates(sd[`bias_hh${s}`]!.data, 1);
      w(`${prefix}/kernel`, [K, G * H], transpose(gates(sd[`weight_ih${s}`]!.data, K), G * H, K));
      w(`${prefix}/recurrent_kernel`, [H, G * H], transpose(gates(sd[`weight_hh${s}`]!.data, H), G * H, H));
      if (!useBias) return;
      if (resetAfter) {
        const both = new Float32Array(2 * G * H);
        both.set(bih);
        both.set(bhh, G * H);
        w(`${prefix}/bias`, [2, G * H], both);
      } else
        w(
          `${prefix}/bias`,
          [G * H],
          bih.map((v, j) => v + bhh[j]!),
        );
    };
    const inner = unique(base);
    if (l.bidirectional) {
      const name = unique('bidirectional');
      const merge = top ? ((c.mergeMode as string) ?? 'concat') : 'concat';
      result.push({
        class_name: 'Bidirectional',
        config: {
          ...common(name, l.trainable),
          merge_mode: merge,
          layer: { class_name: kind, config: { ...common(inner, l.trainable), ...cfg } },
        },
      });
      emit(`${name}/forward_${inner}`, '');
      emit(`${name}/backward_${inner}`, '_reverse');
    } else {
      result.push({ class_name: kind, config: { ...common(inner, l.trainable), ...cfg } });
      emit(inner, '');
    }
  }
  return result;
}
