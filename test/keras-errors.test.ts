// What the Keras importer and exporter refuse, and how: UNSUPPORTED_LAYER naming the layer, its
// class and the option; malformed weights as STATE_DICT_* / INVALID_ARGUMENT; masks that are not
// trailing padding as INVALID_ARGUMENT on the input; nothing leaked when a load fails.
import { describe, it, expect, beforeAll } from 'vitest';
import {
  init,
  loadLayersModel,
  LSTMError,
  Sequential,
  LSTM,
  Dense,
  Embedding,
  Masking,
  Reverse,
  type LayersModelSource,
} from '../src/index.js';
import { currentRuntime } from '../src/runtime.js';
import { keras2Rnn, keras2Dense, modelJson, randomWeight, type Weight } from './keras/keras-files.js';

const T = 5,
  F = 3,
  H = 4;

function artifacts(layers: unknown[], weights: Weight[], extra: Record<string, unknown> = {}): LayersModelSource {
  const topology = {
    keras_version: '2.15.0',
    model_config: { class_name: 'Sequential', config: { name: 'sequential', layers, ...extra } },
  };
  const { json, files } = modelJson(topology, weights);
  const parsed = JSON.parse(json);
  return {
    modelTopology: parsed.modelTopology,
    weightSpecs: parsed.weightsManifest[0].weights,
    weightData: files[0]!.bytes,
  };
}

const input = { class_name: 'InputLayer', config: { batch_input_shape: [null, T, F], name: 'in' } };
const lstmWeights = (name = 'lstm', K = F): Weight[] => [
  randomWeight(`${name}/lstm_cell/kernel`, [K, 4 * H], 1),
  randomWeight(`${name}/lstm_cell/recurrent_kernel`, [H, 4 * H], 2),
  randomWeight(`${name}/lstm_cell/bias`, [4 * H], 3),
];

async function rejects(
  source: LayersModelSource,
  code: string,
  argument?: string,
  message?: RegExp,
): Promise<LSTMError> {
  const before = currentRuntime().arena.liveBytes;
  let error: unknown = null;
  try {
    (await loadLayersModel(source)).dispose();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(LSTMError);
  const e = error as LSTMError;
  expect(e.code).toBe(code);
  if (argument !== undefined) expect(e.argument).toBe(argument);
  if (message) expect(e.message).toMatch(message);
  expect(currentRuntime().arena.liveBytes).toBe(before); // layers built before the failure are freed
  return e;
}

describe('Keras import: what is refused', () => {
  beforeAll(async () => {
    await init();
  });

  it('an unknown layer class names the layer and its class', async () => {
    const conv = { class_name: 'Conv1D', config: { name: 'conv1d', filters: 2, kernel_size: [3] } };
    // an LSTM before it is built first, then freed (checked by rejects)
    const e = await rejects(
      artifacts([input, keras2Rnn('LSTM', 'lstm', H, { return_sequences: true }), conv], lstmWeights()),
      'UNSUPPORTED_LAYER',
      'class_name',
    );
    expect(e.message).toContain('layer "conv1d" (Conv1D)');
    expect(e.actual).toBe('Conv1D "conv1d"');
  });

  it('unsupported options name the option', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ return_state: true }, 'return_state'],
      [{ time_major: true }, 'time_major'],
      [{ activation: 'relu' }, 'activation'],
      [{ recurrent_activation: 'tanh' }, 'recurrent_activation'],
      [{ dropout: 1.5 }, 'dropout'],
    ];
    for (const [extra, option] of cases) {
      const e = await rejects(
        artifacts([input, keras2Rnn('LSTM', 'lstm', H, extra)], lstmWeights()),
        'UNSUPPORTED_LAYER',
        option,
      );
      expect(e.message).toContain('layer "lstm" (LSTM)');
    }
    const bidi = (merge: unknown) => ({
      class_name: 'Bidirectional',
      config: { name: 'bidirectional', layer: keras2Rnn('LSTM', 'lstm', H), merge_mode: merge },
    });
    await rejects(artifacts([input, bidi(null)], []), 'UNSUPPORTED_LAYER', 'merge_mode');
    const td = { class_name: 'TimeDistributed', config: { name: 'td', layer: keras2Rnn('LSTM', 'lstm', H) } };
    await rejects(artifacts([input, td], []), 'UNSUPPORTED_LAYER', 'layer', /TimeDistributed\(LSTM\)/);
    const noise = { class_name: 'Dropout', config: { name: 'dropout', rate: 0.5, noise_shape: [null, 1, F] } };
    await rejects(artifacts([input, noise], []), 'UNSUPPORTED_LAYER', 'noise_shape');
    const masking = { class_name: 'Masking', config: { name: 'masking', mask_value: 0 } };
    const backwards = keras2Rnn('LSTM', 'lstm', H, { go_backwards: true, return_sequences: true });
    await rejects(artifacts([input, masking, backwards], lstmWeights()), 'UNSUPPORTED_LAYER', 'go_backwards');
    await rejects(
      {
        modelTopology: { class_name: 'Sequential', config: { layers: [input] } },
        weightSpecs: [],
        weightData: new ArrayBuffer(0),
      },
      'UNSUPPORTED_LAYER',
      'layers',
    );
  });

  it('a functional model that is not one chain is refused', async () => {
    const layers = [
      {
        class_name: 'InputLayer',
        name: 'in',
        config: { name: 'in', batch_input_shape: [null, T, F] },
        inbound_nodes: [],
      },
      { ...keras2Dense('a', 2), name: 'a', inbound_nodes: [[['in', 0, 0, {}]]] },
      { ...keras2Dense('b', 2), name: 'b', inbound_nodes: [[['in', 0, 0, {}]]] },
      {
        class_name: 'Add',
        name: 'add',
        config: { name: 'add' },
        inbound_nodes: [
          [
            ['a', 0, 0, {}],
            ['b', 0, 0, {}],
          ],
        ],
      },
    ];
    const source = {
      modelTopology: {
        class_name: 'Functional',
        config: { name: 'm', layers, input_layers: [['in', 0, 0]], output_layers: [['add', 0, 0]] },
      },
      weightSpecs: [],
      weightData: new ArrayBuffer(0),
    };
    await rejects(source, 'UNSUPPORTED_LAYER', 'inbound_nodes', /single chain/);
  });

  it('weights that do not fit: wrong shape, missing, bytes too few or too many', async () => {
    const lstm = keras2Rnn('LSTM', 'lstm', H);
    const wrong = lstmWeights();
    wrong[1] = randomWeight('lstm/lstm_cell/recurrent_kernel', [H, 3 * H], 2);
    await rejects(artifacts([input, lstm], wrong), 'STATE_DICT_SHAPE', 'lstm/lstm_cell/recurrent_kernel');
    await rejects(artifacts([input, lstm], lstmWeights().slice(0, 2)), 'STATE_DICT_MISSING', 'lstm/bias');
    const good = artifacts([input, lstm], lstmWeights());
    const bytes = good.weightData as Uint8Array;
    await rejects({ ...good, weightData: bytes.slice(0, bytes.length - 4) }, 'INVALID_ARGUMENT', 'weightData');
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    await rejects({ ...good, weightData: longer }, 'INVALID_ARGUMENT', 'weightData');
    await rejects(
      { ...good, weightSpecs: [{ name: 'x', shape: [2], dtype: 'string' }] },
      'INVALID_ARGUMENT',
      'x.dtype',
    );
    await rejects(
      { ...good, modelTopology: { class_name: 'Sequential' } },
      'INVALID_ARGUMENT',
      'modelTopology.config.layers',
    );
    await expect(loadLayersModel(42 as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'source' });
  });

  it('a mask that is not trailing padding is an INVALID_ARGUMENT on that input (Masking and mask_zero)', async () => {
    const masked = new Sequential([new Masking(), new LSTM({ inputSize: 2, hiddenSize: 3 })]);
    const x = new Float32Array(2 * 3 * 2).fill(1);
    x.fill(0, (1 * 3 + 1) * 2, (1 * 3 + 2) * 2); // sequence 1: real, padded, real
    expect(() => masked.predict({ data: x, shape: [2, 3, 2] })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'x[1]', actual: 'a real step at 2' }),
    );
    const tokens = new Sequential([
      new Embedding({ numEmbeddings: 5, embeddingDim: 2, maskZero: true }),
      new LSTM({ inputSize: 2, hiddenSize: 3 }),
    ]);
    expect(() => tokens.predict({ data: new Float32Array([0, 3, 1, 2, 0, 0]), shape: [2, 3] })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'x[0]' }),
    );
    // trailing padding works and equals running the short sequences alone
    const ok = tokens.predict({ data: new Float32Array([3, 1, 0, 2, 0, 0]), shape: [2, 3] }).data;
    const alone = tokens.predict({ data: new Float32Array([3, 1]), shape: [1, 2] }).data;
    expect(Array.from(ok.subarray(0, 3))).toEqual(Array.from(alone));
    masked.dispose();
    tokens.dispose();
  });
});

describe('Keras export: what is refused', () => {
  beforeAll(async () => {
    await init();
  });

  it('options without a tfjs equivalent, stateful without a batch size, a lone Reverse', () => {
    const peephole = new Sequential([new LSTM({ inputSize: F, hiddenSize: H, peephole: true })]);
    expect(() => peephole.toLayersModel()).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_LAYER', argument: 'peephole' }),
    );
    const stateful = new Sequential([new LSTM({ inputSize: F, hiddenSize: H, stateful: true })]);
    expect(() => stateful.toLayersModel()).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'batchSize' }),
    );
    expect(stateful.toLayersModel({ batchSize: 2 }).modelTopology).toBeTruthy();
    const lone = new Sequential([new Dense({ inputSize: 2, outputSize: 2 }), new Reverse()]);
    expect(() => lone.toLayersModel()).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_LAYER', argument: 'Reverse' }),
    );
    for (const m of [peephole, stateful, lone]) m.dispose();
  });

  it('goBackwards with returnSequences needs the Reverse that Keras order implies', () => {
    const m = new Sequential([
      new LSTM({ inputSize: F, hiddenSize: H, goBackwards: true, returnSequences: true } as never),
    ]);
    expect(() => m.toLayersModel()).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_LAYER', argument: 'goBackwards' }),
    );
    m.dispose();
  });
});
