// ONNX export: every model toOnnx() writes runs in onnxruntime-node and gives this library's own
// outputs within 1e-5, at two batch/length sizes (dynamic axes) and opsets 9, 13 and 17; the same
// bytes also load back into OnnxSession. Weights are scaled up from PyTorch's small default init
// so that saturation, clipping and the hard sigmoid's flat parts are all exercised.
import ort from 'onnxruntime-node';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  init,
  Sequential,
  LSTM,
  GRU,
  SimpleRNN,
  Dense,
  Embedding,
  Dropout,
  LSTMError,
  type Layer,
} from '../src/index.js';
import { OnnxSession, toOnnx } from '../src/onnx/index.js';
import { maxAbsDiff } from './onnx-graphs.js';
import { mulberry32 } from './reference/rng.js';

const TOLERANCE = 1e-5;
const SIZES = [
  [2, 5],
  [3, 8],
] as const;

/** Replaces every parameter by U(−scale, scale) (distinct per gate and direction). */
function randomize<L extends Layer>(layer: L, scale: number, seed: number): L {
  const rng = mulberry32(seed),
    dict = layer.stateDict();
  for (const t of Object.values(dict)) for (let i = 0; i < t.data.length; i++) t.data[i] = (rng() * 2 - 1) * scale;
  layer.loadStateDict(dict);
  return layer;
}

interface ModelCase {
  name: string;
  make: () => Sequential;
  /** 'ids' feeds int64 token ids [B, T] (Embedding first); 'flat' feeds [B, features] (Dense first). */
  input?: 'ids' | 'flat';
  /** Options the model's layers must report in config() (guards against an option being ignored). */
  needs?: (m: Sequential) => void;
}

const I = 3;
const MODELS: ModelCase[] = [
  {
    name: 'stacked bidirectional LSTM -> GRU -> Dense softmax',
    make: () =>
      new Sequential([
        randomize(
          new LSTM({ inputSize: I, hiddenSize: 5, numLayers: 2, bidirectional: true, returnSequences: true }),
          0.8,
          1,
        ),
        randomize(new GRU({ inputSize: 10, hiddenSize: 4 }), 0.8, 2),
        randomize(new Dense({ inputSize: 4, outputSize: 3, activation: 'softmax' }), 1, 3),
      ]),
  },
  {
    name: 'peephole LSTM -> Dense sigmoid',
    make: () =>
      new Sequential([
        randomize(new LSTM({ inputSize: I, hiddenSize: 6, peephole: true }), 1, 4),
        randomize(new Dense({ inputSize: 6, outputSize: 2, activation: 'sigmoid' }), 1, 5),
      ]),
  },
  {
    name: 'coupled input-forget LSTM with peepholes, bidirectional -> Dense tanh',
    make: () =>
      new Sequential([
        randomize(
          new LSTM({ inputSize: I, hiddenSize: 5, coupledInputForget: true, peephole: true, bidirectional: true }),
          1,
          6,
        ),
        randomize(new Dense({ inputSize: 10, outputSize: 2, activation: 'tanh' }), 1, 7),
      ]),
  },
  {
    name: 'GRU sequences -> Dense relu per step -> Dense linear per step',
    make: () =>
      new Sequential([
        randomize(new GRU({ inputSize: I, hiddenSize: 7, returnSequences: true }), 0.8, 8),
        randomize(new Dense({ inputSize: 7, outputSize: 4, activation: 'relu' }), 1, 9),
        randomize(new Dense({ inputSize: 4, outputSize: 2, activation: 'linear' }), 1, 10),
      ]),
  },
  {
    name: 'SimpleRNN relu, two bidirectional layers -> Dense linear',
    make: () =>
      new Sequential([
        randomize(
          new SimpleRNN({ inputSize: I, hiddenSize: 4, numLayers: 2, bidirectional: true, nonlinearity: 'relu' }),
          0.6,
          11,
        ),
        randomize(new Dense({ inputSize: 8, outputSize: 1 }), 1, 12),
      ]),
  },
  {
    name: 'Embedding -> LSTM -> Dropout -> Dense softmax per step',
    input: 'ids',
    make: () =>
      new Sequential([
        new Embedding({ numEmbeddings: 11, embeddingDim: 4, seed: 13 }),
        randomize(new LSTM({ inputSize: 4, hiddenSize: 5, returnSequences: true }), 0.8, 14),
        new Dropout({ rate: 0.5 }),
        randomize(new Dense({ inputSize: 5, outputSize: 11, activation: 'softmax' }), 1, 15),
      ]),
  },
  {
    name: 'Dense relu -> Dropout -> Dense sigmoid',
    input: 'flat',
    make: () =>
      new Sequential([
        randomize(new Dense({ inputSize: I, outputSize: 6, activation: 'relu' }), 1, 16),
        new Dropout({ rate: 0.3 }),
        randomize(new Dense({ inputSize: 6, outputSize: 2, activation: 'sigmoid' }), 1, 17),
      ]),
  },
  {
    name: 'LSTM with hard-sigmoid gates and cellClip, stacked',
    make: () =>
      new Sequential([
        randomize(
          new LSTM({
            inputSize: I,
            hiddenSize: 5,
            numLayers: 2,
            returnSequences: true,
            recurrentActivation: { name: 'hardSigmoid', alpha: 1 / 6, beta: 0.5 },
            cellClip: 0.9,
          } as never),
          2,
          18,
        ),
        randomize(new Dense({ inputSize: 5, outputSize: 2 }), 1, 19),
      ]),
    needs: (m) =>
      expect(m.layers[0]!.config()).toMatchObject({ cellClip: 0.9, recurrentActivation: { name: 'hardSigmoid' } }),
  },
  {
    name: 'GRU resetAfter=false with hardSigmoid (tfjs/Keras 2), bidirectional',
    make: () =>
      new Sequential([
        randomize(
          new GRU({
            inputSize: I,
            hiddenSize: 5,
            bidirectional: true,
            resetAfter: false,
            recurrentActivation: 'hardSigmoid',
          } as never),
          1.5,
          20,
        ),
        randomize(new Dense({ inputSize: 10, outputSize: 2 }), 1, 21),
      ]),
    needs: (m) =>
      expect(m.layers[0]!.config()).toMatchObject({ resetAfter: false, recurrentActivation: { name: 'hardSigmoid' } }),
  },
  {
    name: 'goBackwards LSTM and SimpleRNN with cellClip',
    make: () =>
      new Sequential([
        randomize(new LSTM({ inputSize: I, hiddenSize: 4, goBackwards: true, returnSequences: true } as never), 1, 22),
        randomize(new SimpleRNN({ inputSize: 4, hiddenSize: 3, goBackwards: true, cellClip: 0.5 } as never), 2, 23),
      ]),
    needs: (m) => {
      expect(m.layers[0]!.config()).toMatchObject({ goBackwards: true });
      expect(m.layers[1]!.config()).toMatchObject({ goBackwards: true, cellClip: 0.5 });
    },
  },
  ...(['sum', 'mul', 'ave'] as const).map((mergeMode, k) => ({
    name: `bidirectional LSTM, mergeMode ${mergeMode}${k === 1 ? ' (sequences)' : ''}`,
    make: () =>
      new Sequential([
        randomize(
          new LSTM({ inputSize: I, hiddenSize: 4, bidirectional: true, mergeMode, returnSequences: k === 1 } as never),
          1,
          24 + k,
        ),
        randomize(new Dense({ inputSize: 4, outputSize: 2 }), 1, 27 + k),
      ]),
    needs: (m: Sequential) => expect(m.layers[0]!.config()).toMatchObject({ mergeMode }),
  })),
];

function inputFor(c: ModelCase, B: number, T: number, seed: number) {
  const rng = mulberry32(seed);
  if (c.input === 'ids') {
    const ids = Array.from({ length: B * T }, () => Math.floor(rng() * 11));
    return {
      ours: { data: Float32Array.from(ids), shape: [B, T] },
      ort: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [B, T]),
    };
  }
  const shape = c.input === 'flat' ? [B, I] : [B, T, I];
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng() * 2 - 1);
  return { ours: { data, shape }, ort: new ort.Tensor('float32', data, shape) };
}

let worstOrt = 0,
  worstSession = 0;
afterAll(() => {
  console.log(
    `ONNX export: max |onnxruntime − ours| = ${worstOrt.toExponential(2)}, max |OnnxSession − ours| = ${worstSession.toExponential(2)}`,
  );
});

describe('toOnnx(model) runs in onnxruntime-node with our outputs', () => {
  beforeAll(async () => {
    await init();
  });

  it.each(MODELS.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const model = c.make();
    c.needs?.(model);
    for (const opset of [9, 13, 17]) {
      const bytes = opset === 17 ? model.toOnnx() : toOnnx(model, { opset });
      const session = await ort.InferenceSession.create(bytes);
      expect(session.inputNames).toEqual(['input']);
      expect(session.outputNames).toEqual(['output']);
      const ours = await OnnxSession.create(bytes);
      for (const [k, [B, T]] of SIZES.entries()) {
        const x = inputFor(c, B, T, 100 + k);
        const want = model.predict(x.ours);
        const got = (await session.run({ input: x.ort })).output!;
        expect(got.dims.map(Number), `opset ${opset}`).toEqual(want.shape);
        const d = maxAbsDiff(got.data as Float32Array, want.data);
        worstOrt = Math.max(worstOrt, d);
        expect(d, `onnxruntime, opset ${opset}, batch ${B}, steps ${T}`).toBeLessThanOrEqual(TOLERANCE);
        const back = ours.run({ input: x.ours }).output!;
        expect(back.shape).toEqual(want.shape);
        const e = maxAbsDiff(back.data, want.data);
        worstSession = Math.max(worstSession, e);
        expect(e, `OnnxSession, opset ${opset}`).toBeLessThanOrEqual(TOLERANCE);
      }
      await session.release();
      ours.dispose();
    }
    model.dispose();
  });
});

describe('layer.toOnnx() for a bare recurrent layer', () => {
  beforeAll(async () => {
    await init();
  });
  const layers: [string, () => LSTM | GRU | SimpleRNN, boolean][] = [
    [
      '2-layer bidirectional peephole LSTM with initial states',
      () => new LSTM({ inputSize: I, hiddenSize: 5, numLayers: 2, bidirectional: true, peephole: true }),
      true,
    ],
    ['LSTM without initial states', () => new LSTM({ inputSize: I, hiddenSize: 3 }), false],
    ['3-layer GRU with initial state', () => new GRU({ inputSize: I, hiddenSize: 4, numLayers: 3 }), true],
    ['bidirectional SimpleRNN', () => new SimpleRNN({ inputSize: I, hiddenSize: 6, bidirectional: true }), false],
  ];
  it.each(layers)('%s: output, h (and c) as forward() gives them', async (_, make, initialState) => {
    const layer = randomize(make(), 1, 40);
    const bytes = layer.toOnnx({ initialState });
    const session = await ort.InferenceSession.create(bytes);
    const lstm = layer instanceof LSTM;
    expect(session.outputNames).toEqual(lstm ? ['output', 'h', 'c'] : ['output', 'h']);
    expect(session.inputNames).toEqual(initialState ? (lstm ? ['input', 'h0', 'c0'] : ['input', 'h0']) : ['input']);
    const S = layer.numLayers * layer.directions,
      H = layer.hiddenSize;
    for (const [B, T] of SIZES) {
      const rng = mulberry32(B * 10 + T);
      const rand = (n: number) => Float32Array.from({ length: n }, () => rng() * 2 - 1);
      const x = rand(B * T * I),
        h0 = rand(S * B * H),
        c0 = rand(S * B * H);
      const want = layer.forward(x, { batch: B, steps: T, ...(initialState ? { h0, ...(lstm ? { c0 } : {}) } : {}) });
      const feeds: Record<string, ort.Tensor> = { input: new ort.Tensor('float32', x, [B, T, I]) };
      if (initialState) {
        feeds.h0 = new ort.Tensor('float32', h0, [S, B, H]);
        if (lstm) feeds.c0 = new ort.Tensor('float32', c0, [S, B, H]);
      }
      const got = await session.run(feeds);
      expect(got.output!.dims.map(Number)).toEqual([B, T, layer.directions * H]);
      for (const [name, ref] of [
        ['output', want.output],
        ['h', want.h],
        ...(lstm ? [['c', (want as { c: Float32Array }).c] as const] : []),
      ] as const) {
        const d = maxAbsDiff(got[name]!.data as Float32Array, ref);
        worstOrt = Math.max(worstOrt, d);
        expect(d, name).toBeLessThanOrEqual(TOLERANCE);
      }
    }
    await session.release();
    layer.dispose();
  });
});

describe('what the writer refuses', () => {
  beforeAll(async () => {
    await init();
  });
  it('an opset outside 9..21 and a non-model are INVALID_ARGUMENT', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 2 });
    for (const opset of [8, 22, 1.5])
      expect(() => toOnnx(lstm, { opset })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'opset' }),
      );
    expect(() => toOnnx({} as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'target' }),
    );
    lstm.dispose();
    expect(() => lstm.toOnnx()).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
  });
  it('a recurrent layer after one that returns only its last state is refused with the reason', () => {
    const m = new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3 }), new GRU({ inputSize: 3, hiddenSize: 2 })]);
    const err = (() => {
      try {
        m.toOnnx();
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(LSTMError);
    expect((err as LSTMError).code).toBe('UNSUPPORTED_OP');
    expect((err as LSTMError).argument).toBe('layers[1] (GRU)');
    m.dispose();
  });
  it('a coupled input-forget gate with a hard sigmoid whose beta is not 0.5 has no ONNX form', () => {
    const lstm = new LSTM({
      inputSize: 2,
      hiddenSize: 2,
      coupledInputForget: true,
      recurrentActivation: { name: 'hardSigmoid', alpha: 0.2, beta: 0.4 },
    } as never);
    expect(lstm.config()).toMatchObject({ recurrentActivation: { beta: 0.4 } });
    expect(() => lstm.toOnnx()).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_OP' }));
    lstm.dispose();
  });
});
