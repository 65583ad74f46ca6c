// Keras / TensorFlow.js import and export against @tensorflow/tfjs itself (CPU backend): each model
// is built with tfjs' defaults (LSTM/GRU recurrentActivation hard_sigmoid, GRU reset_after false),
// trained a few Adam steps, saved with tf.io.withSaveHandler and loaded here; predictions must
// agree to 1e-5. Then our toLayersModel() goes back into tf.loadLayersModel and must agree again.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { init, loadLayersModel, SGD, type Sequential } from '../src/index.js';
import { tf, tfReady, saveArtifacts, makeInput, trainFew, tfPredict, maxDiff } from './keras/tfjs.js';

const N = 5,
  T = 6,
  F = 3,
  TOL = 1e-5;
const LENGTHS = [6, 3, 1, 6, 4]; // trailing padding, including a length-1 and full sequences
const measured: Record<string, number> = {};

interface Case {
  name: string;
  build: () => tf.LayersModel;
  vocab?: number; // token ids input [N, T]
  lengths?: number[]; // trailing padding in the input
  stateful?: boolean;
}

const shape3 = { inputShape: [T, F] };
const seq = (...layers: tf.layers.Layer[]) => tf.sequential({ layers });
const L = tf.layers;

const CASES: Case[] = [
  {
    name: 'LSTM (hard_sigmoid default) → Dense',
    build: () => seq(L.lstm({ units: 4, ...shape3 }), L.dense({ units: 2 })),
  },
  {
    name: 'LSTM recurrent_activation sigmoid, return_sequences → TimeDistributed(Dense)',
    build: () =>
      seq(
        L.lstm({ units: 4, recurrentActivation: 'sigmoid', returnSequences: true, ...shape3 }),
        L.timeDistributed({ layer: L.dense({ units: 2 }) }),
      ),
  },
  {
    name: 'GRU (reset_after false default) → Dense',
    build: () => seq(L.gru({ units: 4, ...shape3 }), L.dense({ units: 2 })),
  },
  {
    name: 'GRU return_sequences, use_bias false → Dense on [N, T, H]',
    build: () => seq(L.gru({ units: 4, useBias: false, returnSequences: true, ...shape3 }), L.dense({ units: 3 })),
  },
  { name: 'SimpleRNN tanh → Dense', build: () => seq(L.simpleRNN({ units: 4, ...shape3 }), L.dense({ units: 2 })) },
  {
    name: 'SimpleRNN relu, return_sequences → SimpleRNN',
    build: () =>
      seq(L.simpleRNN({ units: 4, activation: 'relu', returnSequences: true, ...shape3 }), L.simpleRNN({ units: 3 })),
  },
  {
    name: 'stacked LSTM → LSTM → Dense',
    build: () =>
      seq(L.lstm({ units: 5, returnSequences: true, ...shape3 }), L.lstm({ units: 4 }), L.dense({ units: 2 })),
  },
  ...(['concat', 'sum', 'mul', 'ave'] as const).map(
    (mergeMode): Case => ({
      name: `Bidirectional(LSTM) merge_mode ${mergeMode} → Dense`,
      build: () =>
        seq(L.bidirectional({ layer: L.lstm({ units: 4 }) as never, mergeMode, ...shape3 }), L.dense({ units: 2 })),
    }),
  ),
  {
    name: 'Bidirectional(GRU, return_sequences) merge_mode ave → TimeDistributed(Dense)',
    build: () =>
      seq(
        L.bidirectional({ layer: L.gru({ units: 4, returnSequences: true }) as never, mergeMode: 'ave', ...shape3 }),
        L.timeDistributed({ layer: L.dense({ units: 2 }) }),
      ),
  },
  {
    name: 'Bidirectional(SimpleRNN) concat, return_sequences → LSTM',
    build: () =>
      seq(
        L.bidirectional({ layer: L.simpleRNN({ units: 3, returnSequences: true }) as never, ...shape3 }),
        L.lstm({ units: 2 }),
      ),
  },
  {
    name: 'LSTM go_backwards → Dense',
    build: () => seq(L.lstm({ units: 4, goBackwards: true, ...shape3 }), L.dense({ units: 2 })),
  },
  {
    name: 'GRU go_backwards, return_sequences → TimeDistributed(Dense) (outputs in Keras’ reversed order)',
    build: () =>
      seq(
        L.gru({ units: 4, goBackwards: true, returnSequences: true, ...shape3 }),
        L.timeDistributed({ layer: L.dense({ units: 2 }) }),
      ),
  },
  {
    name: 'SimpleRNN go_backwards, return_sequences → LSTM',
    build: () =>
      seq(L.simpleRNN({ units: 4, goBackwards: true, returnSequences: true, ...shape3 }), L.lstm({ units: 3 })),
  },
  {
    name: 'LSTM and Dense with use_bias false',
    build: () => seq(L.lstm({ units: 4, useBias: false, ...shape3 }), L.dense({ units: 2, useBias: false })),
  },
  {
    name: 'Embedding(mask_zero) → LSTM → Dense(softmax), trailing padding',
    vocab: 9,
    lengths: LENGTHS,
    build: () =>
      seq(
        L.embedding({ inputDim: 9, outputDim: 3, maskZero: true, inputLength: T }),
        L.lstm({ units: 4 }),
        L.dense({ units: 3, activation: 'softmax' }),
      ),
  },
  {
    name: 'Embedding → GRU → Dense',
    vocab: 9,
    build: () =>
      seq(L.embedding({ inputDim: 9, outputDim: 3, inputLength: T }), L.gru({ units: 4 }), L.dense({ units: 2 })),
  },
  {
    name: 'Masking → LSTM(return_sequences) → LSTM → Dense, trailing padding',
    lengths: LENGTHS,
    build: () =>
      seq(
        L.masking({ maskValue: 0, ...shape3 }),
        L.lstm({ units: 4, returnSequences: true }),
        L.lstm({ units: 3 }),
        L.dense({ units: 2 }),
      ),
  },
  {
    name: 'Masking → LSTM(return_sequences) → TimeDistributed(Dense): every step, padded ones too',
    lengths: LENGTHS,
    build: () =>
      seq(
        L.masking({ maskValue: 0, ...shape3 }),
        L.lstm({ units: 4, returnSequences: true }),
        L.timeDistributed({ layer: L.dense({ units: 2 }) }),
      ),
  },
  {
    name: 'Masking → Bidirectional(LSTM, return_sequences) → TimeDistributed(Dense): every step',
    lengths: LENGTHS,
    build: () =>
      seq(
        L.masking({ maskValue: 0, ...shape3 }),
        L.bidirectional({ layer: L.lstm({ units: 4, returnSequences: true }) as never }),
        L.timeDistributed({ layer: L.dense({ units: 2 }) }),
      ),
  },
  {
    name: 'Masking → Bidirectional(GRU) → Dense, trailing padding',
    lengths: LENGTHS,
    build: () =>
      seq(
        L.masking({ maskValue: 0, ...shape3 }),
        L.bidirectional({ layer: L.gru({ units: 4 }) as never }),
        L.dense({ units: 2 }),
      ),
  },
  {
    name: 'Masking → LSTM go_backwards → Dense, trailing padding',
    lengths: LENGTHS,
    build: () =>
      seq(L.masking({ maskValue: 0, ...shape3 }), L.lstm({ units: 4, goBackwards: true }), L.dense({ units: 2 })),
  },
  {
    name: 'LSTM → Dropout → Dense → Activation(tanh) → Dense → Activation(softmax)',
    build: () =>
      seq(
        L.lstm({ units: 4, ...shape3 }),
        L.dropout({ rate: 0.3 }),
        L.dense({ units: 4 }),
        L.activation({ activation: 'tanh' }),
        L.dense({ units: 3 }),
        L.activation({ activation: 'softmax' }),
      ),
  },
  {
    name: 'LSTM with dropout and recurrent_dropout (inference: off)',
    build: () => seq(L.lstm({ units: 4, dropout: 0.2, recurrentDropout: 0.2, ...shape3 }), L.dense({ units: 2 })),
  },
  {
    name: 'functional chain: Input → LSTM → Dense',
    build: () => {
      const input = tf.input({ shape: [T, F] });
      const h = L.lstm({ units: 4, returnSequences: true }).apply(input) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: L.dense({ units: 2 }).apply(h) as tf.SymbolicTensor });
    },
  },
  {
    name: 'stateful LSTM (state carried between predict calls)',
    stateful: true,
    build: () => seq(L.lstm({ units: 4, stateful: true, batchInputShape: [N, T, F] }), L.dense({ units: 2 })),
  },
];

afterAll(() => {
  const worst = Math.max(...Object.values(measured));
  console.log(`max |ours − tfjs| over ${Object.keys(measured).length} comparisons: ${worst.toExponential(2)}`);
});

describe('Keras / tfjs layers models against TensorFlow.js', () => {
  beforeAll(async () => {
    await init();
    await tfReady();
  });

  CASES.forEach((c, k) => {
    it(c.name, async () => {
      const seed = 100 + k;
      const xShape = c.vocab ? [N, T] : [N, T, F];
      const input = (s: number) =>
        makeInput(s, xShape as [number, number], {
          ...(c.vocab ? { vocab: c.vocab } : {}),
          ...(c.lengths ? { lengths: c.lengths } : {}),
        });
      const x = input(seed);
      const tfModel = c.build();
      await trainFew(tfModel, x, xShape, seed);
      if (c.stateful) tfModel.resetStates();
      const artifacts = await saveArtifacts(tfModel);
      let ours: Sequential | null = null,
        back: tf.LayersModel | null = null;
      try {
        ours = await loadLayersModel(artifacts as never);
        // two calls: the second shows the state carried by stateful layers (same input for the rest)
        const x2 = c.stateful ? input(seed + 7) : x;
        const want = [tfPredict(tfModel, x, xShape), tfPredict(tfModel, x2, xShape)];
        const got = [ours.predict({ data: x, shape: xShape }).data, ours.predict({ data: x2, shape: xShape }).data];
        const dImport = Math.max(maxDiff(got[0]!, want[0]!), maxDiff(got[1]!, want[1]!));
        measured[`import ${c.name}`] = dImport;
        expect(dImport).toBeLessThanOrEqual(TOL);

        // export: ours -> tfjs, same predictions (fresh state on both sides)
        const exported = ours.toLayersModel(c.stateful ? { batchSize: N } : {});
        back = await tf.loadLayersModel(tf.io.fromMemory(exported as never));
        if (c.stateful) {
          (ours.layers[0] as unknown as { resetStates(): void }).resetStates();
        }
        const again = [tfPredict(back, x, xShape), tfPredict(back, x2, xShape)];
        const mine = [ours.predict({ data: x, shape: xShape }).data, ours.predict({ data: x2, shape: xShape }).data];
        const dExport = Math.max(maxDiff(again[0]!, mine[0]!), maxDiff(again[1]!, mine[1]!));
        measured[`export ${c.name}`] = dExport;
        expect(dExport).toBeLessThanOrEqual(TOL);
        expect(dExport).toBeLessThanOrEqual(TOL);
      } finally {
        ours?.dispose();
        tfModel.dispose();
        back?.dispose();
      }
    });
  });
});

// Training an imported model here takes the same step tfjs takes: Keras' single bias maps to bias_ih
// with bias_hh frozen at 0 (use_bias false: both frozen), so one SGD step on the same batch must
// leave both models with the same predictions (hard-sigmoid gates, reset-before GRU and masks included).
describe('one training step here equals one in tfjs', () => {
  beforeAll(async () => {
    await init();
    await tfReady();
  });

  const steps: Case[] = [
    {
      name: 'LSTM(return_sequences) → TimeDistributed(Dense), per-step targets',
      build: () =>
        seq(
          L.lstm({ units: 4, returnSequences: true, ...shape3 }),
          L.timeDistributed({ layer: L.dense({ units: 2 }) }),
        ),
    },
    {
      name: 'GRU and Dense with use_bias false',
      build: () => seq(L.gru({ units: 4, useBias: false, ...shape3 }), L.dense({ units: 2, useBias: false })),
    },
    {
      name: 'Bidirectional(SimpleRNN) merge_mode mul → Dense',
      build: () =>
        seq(
          L.bidirectional({ layer: L.simpleRNN({ units: 3 }) as never, mergeMode: 'mul', ...shape3 }),
          L.dense({ units: 2 }),
        ),
    },
    {
      name: 'Embedding(mask_zero) → LSTM → Dense, trailing padding',
      vocab: 9,
      lengths: LENGTHS,
      build: () =>
        seq(
          L.embedding({ inputDim: 9, outputDim: 3, maskZero: true, inputLength: T }),
          L.lstm({ units: 4 }),
          L.dense({ units: 2 }),
        ),
    },
  ];

  steps.forEach((c, k) => {
    it(c.name, async () => {
      const xShape = c.vocab ? [N, T] : [N, T, F];
      const x = makeInput(300 + k, xShape as [number, number], {
        ...(c.vocab ? { vocab: c.vocab } : {}),
        ...(c.lengths ? { lengths: c.lengths } : {}),
      });
      const theirs = c.build();
      await trainFew(theirs, x, xShape, 300 + k); // moves every weight off its initial value
      const ours = await loadLayersModel((await saveArtifacts(theirs)) as never);
      try {
        const outShape = theirs.outputs[0]!.shape.map((d, i) => (i === 0 ? N : (d ?? xShape[i]!)));
        const y = makeInput(400 + k, [N, outShape.slice(1).reduce((a, b) => a * b, 1)]);
        theirs.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
        const xt = tf.tensor(x, xShape),
          yt = tf.tensor(y, outShape);
        const theirLoss = (await theirs.trainOnBatch(xt, yt)) as number;
        xt.dispose();
        yt.dispose();
        const start = ours.predict({ data: x, shape: xShape }).data;
        ours.compile({ loss: 'mse', optimizer: new SGD({ learningRate: 0.5 }) });
        const ourLoss = ours.trainOnBatch({ data: x, shape: xShape }, { data: y, shape: outShape });
        expect(Math.abs(ourLoss - theirLoss)).toBeLessThanOrEqual(1e-6);
        const d = maxDiff(ours.predict({ data: x, shape: xShape }).data, tfPredict(theirs, x, xShape));
        measured[`train step ${c.name}`] = d;
        expect(d).toBeLessThanOrEqual(TOL);
        // and the step did move the predictions (the comparison is not of two untouched models)
        expect(maxDiff(ours.predict({ data: x, shape: xShape }).data, start)).toBeGreaterThan(1e-3);
      } finally {
        ours.dispose();
        theirs.dispose();
      }
    });
  });
});
