// model.json files in the shapes the Keras writers produce, built in the test from seeded weights:
// tensorflowjs_converter from Keras 2 (model_config wrapper, keras_version '2.x', weight names
// 'gru/gru_cell/kernel', h5 group order: alphabetical, so backward_* before forward_*) and from
// Keras 3 (keras_version '3.x', InputLayer batch_shape, weights 'layers/lstm/cell/vars/0').
import { mulberry32 } from '../reference/rng.js';

export interface Weight {
  name: string;
  shape: number[];
  data: Float32Array;
}

export function randomWeight(name: string, shape: number[], seed: number, scale = 0.6): Weight {
  const rng = mulberry32(seed),
    n = shape.reduce((a, b) => a * b, 1);
  return { name, shape, data: Float32Array.from({ length: n }, () => scale * (2 * rng() - 1)) };
}

/** Keras 2 RNN config (what tf.keras 2.15's get_config writes). */
export function keras2Rnn(
  cls: 'LSTM' | 'GRU' | 'SimpleRNN',
  name: string,
  units: number,
  extra: Record<string, unknown> = {},
) {
  return {
    module: 'keras.layers',
    class_name: cls,
    config: {
      name,
      trainable: true,
      dtype: 'float32',
      return_sequences: false,
      return_state: false,
      go_backwards: false,
      stateful: false,
      unroll: false,
      time_major: false,
      units,
      activation: 'tanh',
      ...(cls === 'SimpleRNN' ? {} : { recurrent_activation: 'sigmoid' }),
      use_bias: true,
      kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null } },
      kernel_regularizer: null,
      dropout: 0.0,
      recurrent_dropout: 0.0,
      ...(cls === 'LSTM' ? { unit_forget_bias: true, implementation: 2 } : {}),
      ...(cls === 'GRU' ? { implementation: 2, reset_after: true } : {}),
      ...extra,
    },
    registered_name: null,
  };
}

export function keras2Dense(name: string, units: number, activation = 'linear') {
  return {
    module: 'keras.layers',
    class_name: 'Dense',
    config: { name, trainable: true, dtype: 'float32', units, activation, use_bias: true, kernel_regularizer: null },
    registered_name: null,
  };
}

/** model.json (converter layout) and its weight bytes, split into `shards` files at arbitrary byte offsets. */
export function modelJson(
  topology: Record<string, unknown>,
  weights: Weight[],
  shards = 1,
): { json: string; files: { name: string; bytes: Uint8Array }[] } {
  const total = weights.reduce((n, w) => n + w.data.length * 4, 0);
  const all = new Uint8Array(total),
    view = new DataView(all.buffer);
  let at = 0;
  for (const w of weights)
    for (const v of w.data) {
      view.setFloat32(at, v, true);
      at += 4;
    }
  const files: { name: string; bytes: Uint8Array }[] = [];
  const cut = Array.from(
    { length: shards + 1 },
    (_, i) => Math.round((i * total) / shards) + (i > 0 && i < shards ? 2 : 0),
  );
  for (let i = 0; i < shards; i++)
    files.push({ name: `group1-shard${i + 1}of${shards}.bin`, bytes: all.slice(cut[i]!, cut[i + 1]!) });
  const json = JSON.stringify({
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: topology,
    weightsManifest: [
      {
        paths: files.map((f) => f.name),
        weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })),
      },
    ],
  });
  return { json, files };
}
