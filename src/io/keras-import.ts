// Keras layers -> this library's layers, built through their public constructors and loaded
// through loadStateDict in PyTorch's layout (never a layer's packed layout).
//
// Keras recurrent weights: kernel [in, G·H] and recurrent_kernel [H, G·H], gates in column
// blocks: LSTM i, f, c, o (PyTorch's i, f, g, o: the same order, transposed); GRU z, r, h
// (PyTorch r, z, n: the first two blocks swap). One bias [G·H] goes to bias_ih (bias_hh = 0, frozen),
// except GRU reset_after=True whose bias is [2, 3H]: input and recurrent biases, as PyTorch.
import { LSTMError } from '../errors.js';
import type { StateDict } from '../tensor.js';
import { shapeString } from '../tensor.js';
import type { Layer } from '../layers/layer.js';
import { LSTM } from '../layers/lstm.js';
import { GRU } from '../layers/gru.js';
import { SimpleRNN } from '../layers/rnn.js';
import { Dense, type Activation as ActivationName } from '../layers/dense.js';
import { Embedding } from '../layers/embedding.js';
import { Dropout } from '../layers/dropout.js';
import { Masking } from '../layers/masking.js';
import { ActivationLayer } from '../layers/activation.js';
import { Reverse } from '../layers/reverse.js';
import { type KerasLayer, type KerasModel, activationName, readLayer } from './keras-topology.js';
import { transpose, swapGruGates, unsupported } from './keras-layout.js';
import type { NamedWeight } from './keras-weights.js';

const RNN_CLASSES = ['LSTM', 'GRU', 'SimpleRNN'];
const DENSE_ACTIVATIONS: ActivationName[] = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'];
const MERGE_MODES = ['concat', 'sum', 'mul', 'ave'];

/** Weights of one Keras layer, found by name: `{layer}/…/{role}` (tfjs: 'lstm_LSTM1/kernel';
 *  Keras 2 via the converter: 'lstm/lstm_cell/kernel'), `{model}/{layer}/…/{role}`, or Keras 3's
 *  `layers/{layer}/…/vars/{i}` where i counts the layer's weights in `roles` order. Removed from
 *  `pool` as they are taken. */
class LayerWeights {
  readonly list: NamedWeight[];
  constructor(
    readonly layer: KerasLayer,
    pool: NamedWeight[],
    modelName: string,
    readonly roles: string[],
  ) {
    const mine = (w: NamedWeight): boolean => {
      const parts = w.name.split('/');
      return (
        parts[0] === layer.name ||
        (parts.length > 2 && (parts[0] === modelName || parts[0] === 'layers') && parts[1] === layer.name)
      );
    };
    this.list = pool.filter(mine);
    for (const w of this.list) pool.splice(pool.indexOf(w), 1);
  }

  role(w: NamedWeight): string {
    const parts = w.name.split('/'),
      last = parts[parts.length - 1]!.replace(/:\d+$/, '');
    if (/^\d+$/.test(last) && parts[parts.length - 2] === 'vars') return this.roles[Number(last)] ?? last;
    return last;
  }

  /** The weight whose name ends in `role` (within `direction`, for Bidirectional), checked against `shape`. */
  take(role: string, shape: number[] | null, direction?: 'forward' | 'backward'): NamedWeight | null {
    const w = this.list.find(
      (x) =>
        this.role(x) === role &&
        (direction === undefined || x.name.split('/').some((p) => p.startsWith(`${direction}_`))),
    );
    if (!w) return null;
    if (shape && (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])))
      throw new LSTMError('STATE_DICT_SHAPE', `weight of layer "${this.layer.name}" has the wrong shape`, {
        argument: w.name,
        expected: shapeString(shape),
        actual: shapeString(w.shape),
      });
    return w;
  }

  need(role: string, shape: number[] | null, direction?: 'forward' | 'backward'): NamedWeight {
    const w = this.take(role, shape, direction);
    if (!w)
      throw new LSTMError(
        'STATE_DICT_MISSING',
        `weight missing for layer "${this.layer.name}" (${this.layer.className})`,
        {
          argument: `${this.layer.name}/${direction ? `${direction}_…/` : ''}${role}`,
          expected: shape ? `a weight of shape ${shapeString(shape)}` : 'a weight',
          actual: `weights ${this.list.map((x) => x.name).join(', ') || 'none'}`,
        },
      );
    return w;
  }
}

const get = (l: KerasLayer, key: string, fallback: unknown): unknown => l.config[key] ?? fallback;

/** Keras' `trainable: false` (a frozen layer) carries over. */
const trainable = (l: KerasLayer): boolean => l.config.trainable !== false;

function flag(l: KerasLayer, key: string, fallback = false): boolean {
  const v = get(l, key, fallback);
  if (typeof v !== 'boolean') throw unsupported(l, key, `${key} must be true or false`, 'a boolean');
  return v;
}

function rate(l: KerasLayer, key: string): number {
  const v = get(l, key, 0);
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw unsupported(l, key, `${key} out of range`, 'a rate in [0, 1)');
  return v;
}

interface RnnOptions {
  kind: string;
  units: number;
  returnSequences: boolean;
  stateful: boolean;
  goBackwards: boolean;
  useBias: boolean;
  resetAfter: boolean;
  dropout: number;
  options: Record<string, unknown>; // constructor options shared by both directions
}

/** Validates a Keras LSTM/GRU/SimpleRNN config and maps its options onto ours. */
function rnnOptions(l: KerasLayer, hardSigmoidAlpha: number): RnnOptions {
  const kind = l.className;
  const units = get(l, 'units', null);
  if (!Number.isInteger(units) || (units as number) < 1)
    throw unsupported(l, 'units', 'units must be a positive integer', 'an integer ≥ 1');
  for (const key of ['return_state', 'time_major'])
    if (flag(l, key)) throw unsupported(l, key, `${key}: true is not supported`, 'false');
  const act = activationName(get(l, 'activation', 'tanh'));
  const options: Record<string, unknown> = { hiddenSize: units };
  if (kind === 'SimpleRNN') {
    if (act !== 'tanh' && act !== 'relu') throw unsupported(l, 'activation', `activation '${act}'`, "'tanh' | 'relu'");
    options.nonlinearity = act;
  } else {
    if (act !== 'tanh') throw unsupported(l, 'activation', `activation '${act}'`, "'tanh'");
    // Keras 2 and 3 default to sigmoid; tfjs writes its hard_sigmoid default explicitly
    const ra = activationName(get(l, 'recurrent_activation', 'sigmoid'));
    if (ra === 'sigmoid') options.recurrentActivation = 'sigmoid';
    else if (ra === 'hard_sigmoid')
      options.recurrentActivation =
        hardSigmoidAlpha === 0.2 ? 'hardSigmoid' : { name: 'hardSigmoid', alpha: hardSigmoidAlpha, beta: 0.5 };
    else throw unsupported(l, 'recurrent_activation', `recurrent_activation '${ra}'`, "'sigmoid' | 'hard_sigmoid'");
  }
  // Keras 2 and 3 default reset_after to True; tfjs writes false (it cannot run true)
  const resetAfter = kind === 'GRU' ? flag(l, 'reset_after', true) : false;
  if (kind === 'GRU') options.resetAfter = resetAfter;
  const recurrentDropout = rate(l, 'recurrent_dropout');
  if (recurrentDropout > 0) options.recurrentDropout = recurrentDropout;
  const stateful = flag(l, 'stateful');
  if (stateful) options.stateful = true;
  return {
    kind,
    units: units as number,
    returnSequences: flag(l, 'return_sequences'),
    stateful,
    goBackwards: flag(l, 'go_backwards'),
    useBias: flag(l, 'use_bias', true),
    resetAfter,
    dropout: rate(l, 'dropout'),
    options,
  };
}

/** One direction's Keras weights -> PyTorch names with `suffix` ('' or '_reverse'). */
function rnnStateDict(
  w: LayerWeights,
  o: RnnOptions,
  K: number,
  suffix: string,
  dir?: 'forward' | 'backward',
): StateDict {
  const H = o.units,
    G = o.kind === 'LSTM' ? 4 : o.kind === 'GRU' ? 3 : 1;
  const gates = (rows: Float32Array, cols: number): Float32Array =>
    o.kind === 'GRU' ? swapGruGates(rows, H, cols) : rows;
  const kernel = w.need('kernel', [K, G * H], dir),
    recurrent = w.need('recurrent_kernel', [H, G * H], dir);
  const biasIH = new Float32Array(G * H),
    biasHH = new Float32Array(G * H);
  if (o.useBias) {
    const bias = w.need('bias', o.resetAfter ? [2, G * H] : [G * H], dir);
    biasIH.set(gates(bias.data.subarray(0, G * H), 1));
    if (o.resetAfter) biasHH.set(gates(bias.data.subarray(G * H), 1));
  }
  return {
    [`weight_ih_l0${suffix}`]: { shape: [G * H, K], data: gates(transpose(kernel.data, K, G * H), K) },
    [`weight_hh_l0${suffix}`]: { shape: [G * H, H], data: gates(transpose(recurrent.data, H, G * H), H) },
    [`bias_ih_l0${suffix}`]: { shape: [G * H], data: biasIH },
    [`bias_hh_l0${suffix}`]: { shape: [G * H], data: biasHH },
  };
}

function makeRnn(kind: string, options: Record<string, unknown>): Layer {
  if (kind === 'LSTM') return new LSTM(options as never);
  if (kind === 'GRU') return new GRU(options as never);
  return new SimpleRNN(options as never);
}

/** Builds the layers of a Keras model (weights loaded). On any error, what was built is disposed. */
export function layersFromKeras(model: KerasModel, weights: NamedWeight[]): Layer[] {
  const pool = weights.slice(),
    out: Layer[] = [];
  let features: number | null = null, // feature size of the current [N, T, F] / [N, F] tensor
    masked = false; // a Keras mask is live (Masking / Embedding mask_zero, through sequence layers)
  const shape = model.inputShape;
  if (shape && typeof shape[shape.length - 1] === 'number') features = shape[shape.length - 1] as number;
  const add = (l: Layer): void => {
    out.push(l);
  };
  const inputSize = (l: KerasLayer, kernelRows: number): number => {
    if (features !== null && features !== kernelRows)
      throw new LSTMError('STATE_DICT_SHAPE', `layer "${l.name}": kernel does not match its input`, {
        argument: `${l.name}/kernel`,
        expected: `${features} rows (the features reaching this layer)`,
        actual: `${kernelRows}`,
      });
    return kernelRows;
  };
  try {
    for (const layer of model.layers) {
      const w = new LayerWeights(layer, pool, model.name, usedRoles(layer.className));
      const cls = layer.className;
      if (cls === 'InputLayer') {
        for (const key of ['sparse', 'ragged'])
          if (flag(layer, key)) throw unsupported(layer, key, `${key} inputs`, 'false');
        continue;
      }
      if (cls === 'Embedding') {
        const V = get(layer, 'input_dim', null) as number,
          E = get(layer, 'output_dim', null) as number;
        const emb = w.need('embeddings', [V, E]);
        const maskZero = flag(layer, 'mask_zero');
        const e = new Embedding({ numEmbeddings: V, embeddingDim: E, maskZero, trainable: trainable(layer) });
        add(e);
        e.loadStateDict({ weight: { shape: [V, E], data: emb.data } });
        features = E;
        masked ||= maskZero;
      } else if (cls === 'Masking') {
        const v = get(layer, 'mask_value', 0);
        if (typeof v !== 'number') throw unsupported(layer, 'mask_value', 'mask_value must be a number', 'a number');
        add(new Masking({ maskValue: v }));
        masked = true;
      } else if (cls === 'Dropout' || cls === 'SpatialDropout1D') {
        if (cls !== 'Dropout' || get(layer, 'noise_shape', null) !== null)
          throw unsupported(
            layer,
            cls === 'Dropout' ? 'noise_shape' : 'class_name',
            'dropout with a noise shape',
            'Dropout without noise_shape',
          );
        add(new Dropout({ rate: rate(layer, 'rate') }));
      } else if (cls === 'Activation') {
        const a = activationName(get(layer, 'activation', null));
        if (!DENSE_ACTIVATIONS.includes(a as ActivationName))
          throw unsupported(layer, 'activation', `activation '${a}'`, DENSE_ACTIVATIONS.join(' | '));
        add(new ActivationLayer({ activation: a as ActivationName }));
      } else if (cls === 'Dense' || cls === 'TimeDistributed') {
        let dense = layer;
        if (cls === 'TimeDistributed') {
          dense = readLayer(layer.config.layer, `${layer.name}.layer`);
          if (dense.className !== 'Dense')
            throw unsupported(layer, 'layer', `TimeDistributed(${dense.className})`, 'TimeDistributed(Dense)');
        }
        const units = get(dense, 'units', null) as number;
        const kernel = w.need('kernel', null);
        if (kernel.shape.length !== 2 || kernel.shape[1] !== units)
          throw new LSTMError('STATE_DICT_SHAPE', `layer "${layer.name}": kernel shape`, {
            argument: kernel.name,
            expected: `[inputs, ${units}]`,
            actual: shapeString(kernel.shape),
          });
        const K = inputSize(layer, kernel.shape[0]!);
        const a = activationName(get(dense, 'activation', 'linear'));
        if (!DENSE_ACTIVATIONS.includes(a as ActivationName))
          throw unsupported(layer, 'activation', `activation '${a}'`, DENSE_ACTIVATIONS.join(' | '));
        const useBias = flag(dense, 'use_bias', true);
        const bias = useBias ? w.need('bias', [units]).data : new Float32Array(units);
        const d = new Dense({
          inputSize: K,
          outputSize: units,
          activation: a as ActivationName,
          trainable: trainable(layer) && trainable(dense),
          ...(useBias ? {} : { frozenParameters: ['bias'] }), // Keras has no bias here: it stays 0
        });
        add(d);
        d.loadStateDict({
          weight: { shape: [units, K], data: transpose(kernel.data, K, units) },
          bias: { shape: [units], data: bias },
        });
        features = units;
      } else if (RNN_CLASSES.includes(cls) || cls === 'Bidirectional') {
        const bidi = cls === 'Bidirectional';
        const inner = bidi ? readLayer(layer.config.layer, `${layer.name}.layer`) : layer;
        if (!RNN_CLASSES.includes(inner.className))
          throw unsupported(layer, 'layer', `Bidirectional(${inner.className})`, 'LSTM | GRU | SimpleRNN');
        const o = rnnOptions(inner, model.hardSigmoidAlpha);
        const options = { ...o.options, returnSequences: o.returnSequences } as Record<string, unknown>;
        let merge = 'concat';
        if (bidi) {
          // merge_mode None (a list of both outputs) is written as null
          merge = ('merge_mode' in layer.config ? layer.config.merge_mode : 'concat') as string;
          if (!MERGE_MODES.includes(merge))
            throw unsupported(layer, 'merge_mode', `merge_mode ${JSON.stringify(merge)}`, MERGE_MODES.join(' | '));
          if (o.goBackwards) throw unsupported(layer, 'layer.go_backwards', 'a backwards forward layer', 'false');
          if (layer.config.backward_layer != null) {
            const back = rnnOptions(
              readLayer(layer.config.backward_layer, `${layer.name}.backward_layer`),
              model.hardSigmoidAlpha,
            );
            const same = (v: RnnOptions) =>
              JSON.stringify([v.kind, v.units, v.options, v.returnSequences, v.useBias, v.dropout]);
            if (same(back) !== same(o))
              throw unsupported(
                layer,
                'backward_layer',
                'a backward layer configured unlike the forward one',
                'the same options',
              );
          }
          options.bidirectional = true;
          if (merge !== 'concat') options.mergeMode = merge;
        } else if (o.goBackwards) {
          if (o.returnSequences && masked)
            throw unsupported(
              layer,
              'go_backwards',
              'go_backwards with return_sequences after a mask',
              'no Masking / mask_zero before it',
            );
          options.goBackwards = true;
        }
        const kernel = w.need('kernel', null, bidi ? 'forward' : undefined);
        const K = inputSize(layer, kernel.shape[0]!);
        if (o.dropout > 0) add(new Dropout({ rate: o.dropout })); // Keras' input dropout (see README)
        // Keras trains one bias (none without use_bias): bias_hh (both, without a bias) stays frozen at 0,
        // so training here updates what Keras would. GRU reset_after=True has both, as PyTorch.
        const dirs = bidi ? ['', '_reverse'] : [''];
        const frozen = o.useBias
          ? o.resetAfter
            ? []
            : dirs.map((d) => `bias_hh_l0${d}`)
          : dirs.flatMap((d) => [`bias_ih_l0${d}`, `bias_hh_l0${d}`]);
        const r = makeRnn(o.kind, {
          ...options,
          inputSize: K,
          trainable: trainable(layer) && trainable(inner),
          ...(frozen.length ? { frozenParameters: frozen } : {}),
        });
        add(r);
        const dict = bidi
          ? { ...rnnStateDict(w, o, K, '', 'forward'), ...rnnStateDict(w, o, K, '_reverse', 'backward') }
          : rnnStateDict(w, o, K, '');
        r.loadStateDict(dict);
        if (!bidi && o.goBackwards && o.returnSequences) add(new Reverse());
        features = bidi && merge === 'concat' ? 2 * o.units : o.units;
        if (!o.returnSequences) masked = false;
      } else {
        throw unsupported(
          layer,
          'class_name',
          `layer class ${cls}`,
          'InputLayer, Embedding, Masking, LSTM, GRU, SimpleRNN, Bidirectional, Dense, TimeDistributed(Dense), Dropout, Activation',
        );
      }
      const left = w.list.filter((x) => !usedRoles(cls).includes(w.role(x)));
      if (left.length)
        throw unsupported(layer, left[0]!.name, 'a weight this layer does not use', usedRoles(cls).join(', '));
    }
    if (out.length === 0)
      throw unsupported(`model "${model.name}"`, 'layers', 'a model without computing layers', 'at least one layer');
    return out;
  } catch (e) {
    for (const l of out) l.dispose();
    throw e;
  }
}

function usedRoles(cls: string): string[] {
  if (cls === 'Embedding') return ['embeddings'];
  if (cls === 'Dense' || cls === 'TimeDistributed') return ['kernel', 'bias'];
  if (RNN_CLASSES.includes(cls) || cls === 'Bidirectional') return ['kernel', 'recurrent_kernel', 'bias'];
  return [];
}
