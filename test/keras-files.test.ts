// loadLayersModel from files: model.json + shards on disk (path and file:// URL) and over HTTP
// (a local server), in the layouts tensorflowjs_converter writes for Keras 2 and Keras 3, checked
// against float64 references written from Keras' formulas (test/reference/keras64.ts).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createServer, type Server } from 'node:http';
import { init, loadLayersModel } from '../src/index.js';
import { kerasRnn64, kerasDense64 } from './reference/keras64.js';
import { keras2Rnn, keras2Dense, modelJson, randomWeight, type Weight } from './keras/keras-files.js';
import { makeInput, maxDiff } from './keras/tfjs.js';

const N = 4,
  T = 6,
  F = 3,
  H = 4;
let dir = '';
let server: Server;
let base = '';
const served = new Map<string, Uint8Array>();

function concatOut(a: Float64Array, b: Float64Array, rows: number, width: number): Float64Array {
  const out = new Float64Array(rows * 2 * width);
  for (let r = 0; r < rows; r++) {
    out.set(a.subarray(r * width, (r + 1) * width), r * 2 * width);
    out.set(b.subarray(r * width, (r + 1) * width), r * 2 * width + width);
  }
  return out;
}

/** Keras 2 (tensorflowjs_converter): Bidirectional(GRU reset_after=True) concat → Dense(softmax). */
function keras2BidirectionalGru() {
  const back = (w: string) => `bidirectional/backward_gru/gru_cell/${w}`,
    fwd = (w: string) => `bidirectional/forward_gru/gru_cell/${w}`;
  // h5 group order is alphabetical: backward before forward, and dense before both would be too
  // (here dense comes last to show order does not matter either way)
  const weights: Weight[] = [
    randomWeight(back('kernel'), [F, 3 * H], 11),
    randomWeight(back('recurrent_kernel'), [H, 3 * H], 12),
    randomWeight(back('bias'), [2, 3 * H], 13),
    randomWeight(fwd('kernel'), [F, 3 * H], 14),
    randomWeight(fwd('recurrent_kernel'), [H, 3 * H], 15),
    randomWeight(fwd('bias'), [2, 3 * H], 16),
    randomWeight('dense/kernel', [2 * H, 3], 17),
    randomWeight('dense/bias', [3], 18),
  ];
  const topology = {
    keras_version: '2.15.0',
    backend: 'tensorflow',
    model_config: {
      class_name: 'Sequential',
      config: {
        name: 'sequential',
        layers: [
          {
            class_name: 'InputLayer',
            config: { batch_input_shape: [null, T, F], dtype: 'float32', sparse: false, ragged: false, name: 'in' },
          },
          {
            module: 'keras.layers',
            class_name: 'Bidirectional',
            config: {
              name: 'bidirectional',
              trainable: true,
              dtype: 'float32',
              layer: keras2Rnn('GRU', 'gru', H),
              merge_mode: 'concat',
              backward_layer: keras2Rnn('GRU', 'gru', H, { go_backwards: true }),
            },
            registered_name: null,
          },
          keras2Dense('dense', 3, 'softmax'),
        ],
      },
    },
    training_config: { loss: 'categorical_crossentropy' },
  };
  const x = makeInput(5, [N, T, F]);
  const w = (name: string) => weights.find((v) => v.name === name)!.data;
  const dir = (name: (s: string) => string, goBackwards: boolean) =>
    kerasRnn64(
      {
        cell: 'GRU',
        units: H,
        kernel: w(name('kernel')),
        recurrentKernel: w(name('recurrent_kernel')),
        bias: w(name('bias')),
        recurrentActivation: 'sigmoid',
        resetAfter: true,
        goBackwards,
      },
      x,
      N,
      T,
      F,
    ).last;
  const want = kerasDense64(
    concatOut(dir(fwd, false), dir(back, true), N, H),
    w('dense/kernel'),
    w('dense/bias'),
    N,
    2 * H,
    3,
    'softmax',
  );
  return { files: modelJson(topology, weights, 2), x, want };
}

describe('loadLayersModel: files, URLs and the Keras writers', () => {
  const fixture = keras2BidirectionalGru();
  beforeAll(async () => {
    await init();
    dir = await mkdtemp(join(tmpdir(), 'wasm-lstm-keras-'));
    await writeFile(join(dir, 'model.json'), fixture.files.json);
    for (const f of fixture.files.files) {
      await writeFile(join(dir, f.name), f.bytes);
      served.set(`/m/${f.name}`, f.bytes);
    }
    served.set('/m/model.json', new TextEncoder().encode(fixture.files.json));
    server = createServer((req, res) => {
      const body = served.get(req.url ?? '');
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/octet-stream' });
      res.end(body ?? 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address() as { port: number };
    base = `http://127.0.0.1:${addr.port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const check = async (source: string) => {
    const model = await loadLayersModel(source);
    try {
      const d = maxDiff(model.predict({ data: fixture.x, shape: [N, T, F] }).data, fixture.want);
      expect(d).toBeLessThanOrEqual(1e-5);
      return d;
    } finally {
      model.dispose();
    }
  };

  it('Keras 2 converter layout (Bidirectional GRU reset_after=True, two shards) from a path', async () => {
    expect(fixture.files.files).toHaveLength(2);
    console.log(`Keras 2 file vs float64 Keras reference: ${(await check(join(dir, 'model.json'))).toExponential(2)}`);
  });
  it('… from a file:// URL', async () => {
    await check(pathToFileURL(join(dir, 'model.json')).href);
  });
  it('… from an http:// URL (shards fetched relative to model.json)', async () => {
    await check(`${base}/m/model.json`);
  });
  it('a missing shard or file is a typed error naming it', async () => {
    await expect(loadLayersModel(`${base}/nothing/model.json`)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      actual: 'HTTP 404 Not Found',
    });
    await expect(loadLayersModel(join(dir, 'absent.json'))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      actual: 'ENOENT',
    });
    served.delete('/m/group1-shard2of2.bin');
    try {
      await expect(loadLayersModel(`${base}/m/model.json`)).rejects.toMatchObject({
        argument: `${base}/m/group1-shard2of2.bin`,
      });
    } finally {
      served.set('/m/group1-shard2of2.bin', fixture.files.files[1]!.bytes);
    }
  });

  it('Keras 3 layout (keras_keras): LSTM and GRU with hard_sigmoid = clip(x/6 + 1/2)', async () => {
    const weights: Weight[] = [
      randomWeight('layers/lstm/cell/vars/0', [F, 4 * H], 21, 2),
      randomWeight('layers/lstm/cell/vars/1', [H, 4 * H], 22, 2),
      randomWeight('layers/lstm/cell/vars/2', [4 * H], 23, 2),
      randomWeight('layers/gru/cell/vars/0', [H, 3 * 3], 24, 2),
      randomWeight('layers/gru/cell/vars/1', [3, 3 * 3], 25, 2),
      randomWeight('layers/gru/cell/vars/2', [2, 3 * 3], 26, 2),
      randomWeight('layers/dense/vars/0', [3, 2], 27),
      randomWeight('layers/dense/vars/1', [2], 28),
    ];
    const rnn = (cls: 'LSTM' | 'GRU', name: string, units: number, extra: Record<string, unknown>) => {
      const c = keras2Rnn(cls, name, units, { recurrent_activation: 'hard_sigmoid', seed: null, ...extra });
      return {
        class_name: c.class_name,
        config: { ...c.config, dtype: { class_name: 'DTypePolicy', config: { name: 'float32' } } },
      };
    };
    const topology = {
      keras_version: '3.3.3',
      backend: 'tensorflow',
      model_config: {
        class_name: 'Sequential',
        config: {
          name: 'sequential',
          trainable: true,
          layers: [
            {
              class_name: 'InputLayer',
              config: { batch_shape: [null, T, F], dtype: 'float32', sparse: false, name: 'input_layer' },
            },
            rnn('LSTM', 'lstm', H, { return_sequences: true }),
            rnn('GRU', 'gru', 3, {}),
            { class_name: 'Dense', config: { name: 'dense', units: 2, activation: 'linear', use_bias: true } },
          ],
          build_input_shape: [null, T, F],
        },
      },
    };
    const x = makeInput(9, [N, T, F]);
    const w = (k: number) => weights[k]!.data;
    // inputs scaled so pre-activations reach the clipped region (|x| > 3) of hard_sigmoid
    for (let i = 0; i < x.length; i++) x[i] = 3 * x[i]!;
    const seq = kerasRnn64(
      { cell: 'LSTM', units: H, kernel: w(0), recurrentKernel: w(1), bias: w(2), recurrentActivation: 1 / 6 },
      x,
      N,
      T,
      F,
    ).sequences;
    const last = kerasRnn64(
      {
        cell: 'GRU',
        units: 3,
        kernel: w(3),
        recurrentKernel: w(4),
        bias: w(5),
        recurrentActivation: 1 / 6,
        resetAfter: true,
      },
      seq,
      N,
      T,
      H,
    ).last;
    const want = kerasDense64(last, w(6), w(7), N, 3, 2);
    const { json, files } = modelJson(topology, weights);
    const parsed = JSON.parse(json);
    const model = await loadLayersModel({
      modelTopology: parsed.modelTopology,
      weightSpecs: parsed.weightsManifest[0].weights,
      weightData: files[0]!.bytes,
    });
    try {
      const d = maxDiff(model.predict({ data: x, shape: [N, T, F] }).data, want);
      console.log(`Keras 3 file vs float64 Keras reference: ${d.toExponential(2)}`);
      expect(d).toBeLessThanOrEqual(1e-5);
    } finally {
      model.dispose();
    }
  });

  it('functional models: Keras 3 keras-tensor nodes and Keras 2 "Functional" lists', async () => {
    const weights = [
      randomWeight('simple_rnn/simple_rnn_cell/kernel', [F, H], 31),
      randomWeight('simple_rnn/simple_rnn_cell/recurrent_kernel', [H, H], 32),
      randomWeight('simple_rnn/simple_rnn_cell/bias', [H], 33),
      randomWeight('dense/kernel', [H, 2], 34),
      randomWeight('dense/bias', [2], 35),
    ];
    const x = makeInput(12, [N, T, F]);
    const h = kerasRnn64(
      {
        cell: 'SimpleRNN',
        units: H,
        kernel: weights[0]!.data,
        recurrentKernel: weights[1]!.data,
        bias: weights[2]!.data,
        recurrentActivation: 'sigmoid',
      },
      x,
      N,
      T,
      F,
    ).last;
    const want = kerasDense64(h, weights[3]!.data, weights[4]!.data, N, H, 2);
    const tensor = (from: string) => ({
      class_name: '__keras_tensor__',
      config: { shape: [null, T, F], dtype: 'float32', keras_history: [from, 0, 0] },
    });
    const rnn = keras2Rnn('SimpleRNN', 'simple_rnn', H);
    const dense = keras2Dense('dense', 2);
    const keras3 = {
      keras_version: '3.3.3',
      model_config: {
        class_name: 'Functional',
        config: {
          name: 'functional',
          layers: [
            // listed out of order on purpose: the chain is rebuilt from the nodes
            { ...dense, name: 'dense', inbound_nodes: [{ args: [tensor('simple_rnn')], kwargs: {} }] },
            {
              class_name: 'InputLayer',
              name: 'input_layer',
              config: { batch_shape: [null, T, F], name: 'input_layer' },
              inbound_nodes: [],
            },
            {
              ...rnn,
              name: 'simple_rnn',
              inbound_nodes: [{ args: [tensor('input_layer')], kwargs: { mask: null, training: false } }],
            },
          ],
          input_layers: ['input_layer', 0, 0],
          output_layers: ['dense', 0, 0],
        },
      },
    };
    const keras2 = {
      keras_version: '2.15.0',
      model_config: {
        class_name: 'Functional',
        config: {
          name: 'model',
          layers: [
            {
              class_name: 'InputLayer',
              name: 'input_1',
              config: { batch_input_shape: [null, T, F], name: 'input_1' },
              inbound_nodes: [],
            },
            { ...rnn, name: 'simple_rnn', inbound_nodes: [[['input_1', 0, 0, {}]]] },
            { ...dense, name: 'dense', inbound_nodes: [[['simple_rnn', 0, 0, {}]]] },
          ],
          input_layers: [['input_1', 0, 0]],
          output_layers: [['dense', 0, 0]],
        },
      },
    };
    for (const topology of [keras3, keras2]) {
      const { json, files } = modelJson(topology, weights);
      const parsed = JSON.parse(json);
      const model = await loadLayersModel({
        modelTopology: parsed.modelTopology,
        weightSpecs: parsed.weightsManifest[0].weights,
        weightData: [files[0]!.bytes.buffer],
      });
      try {
        expect(maxDiff(model.predict({ data: x, shape: [N, T, F] }).data, want)).toBeLessThanOrEqual(1e-5);
      } finally {
        model.dispose();
      }
    }
  });
});
