// int8 layers in every build, held to the float64 reference of the same quantized arithmetic
// (test/reference/quant64.ts), step by step with the kernel's own h_{t−1} (teacher forcing): the
// integer sums are exact and the pre-activations are rounded as the kernel rounds them, so the only
// difference left is the gate functions' f32 approximations. Tolerance 1e-6 absolute on every h and
// c, except the reset-before GRU (see TOLERANCE). Also: quantize() itself, stacking, streaming and
// masking against the int8 sequence (bit-identical), Dense, the NOT_TRAINABLE errors, and state
// dicts of int8 layers.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Adam,
  Dense,
  GRU,
  init,
  LSTM,
  type LSTMError,
  type Recurrent,
  Sequential,
  SimpleRNN,
  type StateDict,
  supportedBuilds,
} from '../src/index.js';
import type { CellKind, CellOptions } from './reference/cells64.js';
import { maxAbsDiff } from './reference/lstm64.js';
import { activationRange, quantDense64, quantStep64 } from './reference/quant64.js';
import { mulberry32, uniform } from './reference/rng.js';

interface Case {
  name: string;
  kind: CellKind;
  opts?: CellOptions;
  bidirectional?: boolean;
}

const HARD = { alpha: 0.2, beta: 0.5 };
const CASES: Case[] = [
  { name: 'LSTM', kind: 'lstm' },
  { name: 'LSTM bidirectional', kind: 'lstm', bidirectional: true },
  { name: 'LSTM, hard gates and clip', kind: 'lstm', opts: { hard: HARD, clip: 0.7 } },
  { name: 'LSTM, goBackwards', kind: 'lstm', opts: { goBackwards: true } },
  { name: 'peephole LSTM', kind: 'lstm_peephole', opts: { hard: { alpha: 1 / 6, beta: 0.5 } } },
  { name: 'coupled LSTM', kind: 'lstm_cifg' },
  { name: 'GRU', kind: 'gru' },
  { name: 'GRU bidirectional, hard gates, clip', kind: 'gru', bidirectional: true, opts: { hard: HARD, clip: 0.5 } },
  { name: 'GRU reset before', kind: 'gru', opts: { resetBefore: true } },
  {
    name: 'GRU reset before, goBackwards, hard',
    kind: 'gru',
    opts: { resetBefore: true, goBackwards: true, hard: HARD },
  },
  { name: 'RNN tanh, bidirectional', kind: 'rnn_tanh', bidirectional: true },
  { name: 'RNN relu, clip', kind: 'rnn_relu', opts: { clip: 0.4 } },
];

function make(c: Case, I: number, H: number, numLayers = 1): Recurrent {
  const o = c.opts ?? {};
  const options = {
    inputSize: I,
    hiddenSize: H,
    numLayers,
    bidirectional: c.bidirectional ?? false,
    seed: 9,
    ...(o.hard ? { recurrentActivation: { name: 'hardSigmoid' as const, ...o.hard } } : {}),
    ...(o.clip !== undefined ? { cellClip: o.clip } : {}),
    ...(o.goBackwards ? { goBackwards: true } : {}),
  };
  if (c.kind === 'gru') return new GRU({ ...options, resetAfter: !o.resetBefore });
  if (c.kind === 'rnn_tanh') return new SimpleRNN(options);
  if (c.kind === 'rnn_relu') return new SimpleRNN({ ...options, nonlinearity: 'relu' });
  return new LSTM({ ...options, peephole: c.kind === 'lstm_peephole', coupledInputForget: c.kind === 'lstm_cifg' });
}

/** An f32 layer with weights U(−0.8, 0.8) (larger than the init, so gates saturate and clip bites). */
function randomized(c: Case, I: number, H: number, rng: () => number, numLayers = 1): Recurrent {
  const layer = make(c, I, H, numLayers),
    sd = layer.stateDict();
  for (const t of Object.values(sd)) t.data.set(uniform(rng, t.data.length, -0.8, 0.8));
  layer.loadStateDict(sd);
  return layer;
}

const row = (a: ArrayLike<number>, at: number, n: number) => Array.from({ length: n }, (_, i) => a[at + i]!);

// The reset-before GRU quantizes r∘h inside the step, and r comes from the kernel's f32 sigmoid,
// which the reference cannot reproduce bit for bit: a product r·h lying within ~1e-7 of a rounding
// boundary can round the other way. Each such flip moves a pre-activation by one unit, 127·s_x·s_w
// ≤ max|W_hn|/Q; allow four of them on top of 1e-6.
function tolerance(c: Case, sd: StateDict, H: number): number {
  if (!(c.kind === 'gru' && c.opts?.resetBefore)) return 1e-6;
  const s = sd.weight_hh_l0_scale!.data;
  let unit = 0;
  for (let u = 2 * H; u < 3 * H; u++) unit = Math.max(unit, (127 * s[u]!) / activationRange(H));
  return 1e-6 + 4 * unit;
}

for (const build of supportedBuilds()) {
  describe(`int8 layers, ${build} build`, () => {
    beforeAll(async () => {
      await init({ build });
    });

    for (const c of CASES) {
      // (3, 6, 2, 5): partial groups of units and odd sizes; (33, 20, 5, 9): 45 input rows (a QROWS
      // block and a tail, 4-row tiles and single rows), K odd (padded pair), 1×32 and 1×8 column tiles.
      for (const [I, H, B, T] of [
        [3, 6, 2, 5],
        [33, 20, 5, 9],
      ] as const) {
        it(`${c.name} (I=${I}, H=${H}, B=${B}, T=${T}): every step against the reference`, () => {
          const rng = mulberry32(7 + I),
            D = c.bidirectional ? 2 : 1,
            hasC = c.kind.startsWith('lstm');
          const f32 = randomized(c, I, H, rng);
          const q = f32.quantize({ weights: 'int8' });
          expect(q.weights).toBe('int8');
          expect(q.inferenceOnly).toBe(true);
          expect(f32.inferenceOnly).toBe(false);
          expect(f32.weights).toBe('f32');
          const sd = q.stateDict();
          // quantize(): q·scale within half a step of every f32 weight
          const w = f32.stateDict();
          for (const name of Object.keys(w).filter((k) => k.startsWith('weight_ih') || k.startsWith('weight_hh'))) {
            const [R, K] = w[name]!.shape as [number, number];
            const s = sd[`${name}_scale`]!.data;
            expect(sd[name]!.dtype).toBe('int8');
            for (let r = 0; r < R; r++)
              for (let k = 0; k < K; k++) {
                const err = Math.abs(sd[name]!.data[r * K + k]! * s[r]! - w[name]!.data[r * K + k]!);
                expect(err).toBeLessThanOrEqual(s[r]! / 2 + 1e-7);
              }
          }
          const x = Float32Array.from(uniform(rng, B * T * I, -1.2, 1.2));
          const h0 = Float32Array.from(uniform(rng, D * B * H, -0.5, 0.5));
          const c0 = Float32Array.from(uniform(rng, D * B * H, -0.5, 0.5));
          const out = q.forward(x, { batch: B, steps: T, h0, ...(hasC ? { c0 } : {}) });
          let worst = 0;
          for (let d = 0; d < D; d++) {
            const reverse = d === 1 || c.opts?.goBackwards === true;
            for (let b = 0; b < B; b++) {
              let hPrev = row(h0, (d * B + b) * H, H),
                cPrev = row(c0, (d * B + b) * H, H);
              for (let s = 0; s < T; s++) {
                const t = reverse ? T - 1 - s : s;
                const ref = quantStep64(c.kind, sd, d === 1, row(x, (b * T + t) * I, I), hPrev, cPrev, I, H, c.opts);
                const got = row(out.output, (b * T + t) * D * H + d * H, H);
                worst = Math.max(worst, maxAbsDiff(got, ref.h));
                hPrev = got; // the kernel's h_{t−1} for the next step
                cPrev = ref.c;
              }
              worst = Math.max(worst, maxAbsDiff(row(out.h, (d * B + b) * H, H), hPrev));
              if (hasC) worst = Math.max(worst, maxAbsDiff(row(out.c!, (d * B + b) * H, H), cPrev));
            }
          }
          expect(worst).toBeLessThan(tolerance(c, sd, H));
          // and it is a quantization of the f32 layer: close to its output (not a test of accuracy)
          const ref32 = f32.forward(x, { batch: B, steps: T, h0, ...(hasC ? { c0 } : {}) });
          expect(maxAbsDiff(out.output, ref32.output)).toBeLessThan(0.05);
          f32.dispose();
          q.dispose();
        });
      }
    }

    it('two stacked int8 layers = two single int8 layers, one feeding the other (bit for bit)', () => {
      for (const c of [CASES[1]!, CASES[7]!, CASES[8]!, CASES[10]!]) {
        const I = 5,
          H = 7,
          B = 3,
          T = 6,
          D = c.bidirectional ? 2 : 1,
          rng = mulberry32(3);
        const q = randomized(c, I, H, rng, 2).quantize({ weights: 'int8' });
        const sd = q.stateDict();
        const one = (layer: number, inputSize: number) => {
          const l = make(c, inputSize, H);
          const q1 = new (l.constructor as new (o: object) => Recurrent)({ ...l.config(), weights: 'int8' });
          l.dispose();
          const part: StateDict = {};
          for (const [k, t] of Object.entries(sd))
            if (k.includes(`_l${layer}`)) part[k.replace(`_l${layer}`, '_l0')] = t;
          q1.loadStateDict(part);
          return q1;
        };
        const x = Float32Array.from(uniform(rng, B * T * I, -1, 1));
        const a = one(0, I),
          b = one(1, D * H);
        const y0 = a.forward(x, { batch: B, steps: T }).output;
        expect(q.forward(x, { batch: B, steps: T }).output).toEqual(b.forward(y0, { batch: B, steps: T }).output);
        for (const l of [q, a, b]) l.dispose();
      }
    });

    it('streaming (step) and masking (lengths) give the int8 sequence bit for bit', () => {
      for (const c of [CASES[0]!, CASES[6]!, CASES[8]!, CASES[11]!]) {
        const I = 4,
          H = 9,
          B = 3,
          T = 7,
          L = 2,
          rng = mulberry32(11);
        const q = randomized(c, I, H, rng, L).quantize({ weights: 'int8' });
        const x = Float32Array.from(uniform(rng, B * T * I, -1, 1));
        const seq = q.forward(x, { batch: B, steps: T }).output;
        const st = q.createState(B),
          xt = new Float32Array(B * I);
        for (let t = 0; t < T; t++) {
          for (let b = 0; b < B; b++) xt.set(x.subarray((b * T + t) * I, (b * T + t + 1) * I), b * I);
          const y = q.step(xt, st);
          for (let b = 0; b < B; b++)
            expect(y.subarray(b * H, b * H + H)).toEqual(seq.subarray((b * T + t) * H, (b * T + t + 1) * H));
        }
        st.dispose();
        const lengths = [T, 3, 0];
        const masked = q.forward(x, { batch: B, steps: T, lengths });
        for (let b = 0; b < B; b++) {
          if (lengths[b] === 0) continue;
          const alone = q.forward(x.slice(b * T * I, (b * T + lengths[b]!) * I), { batch: 1, steps: lengths[b]! });
          expect(masked.output.subarray(b * T * H, (b * T + lengths[b]!) * H)).toEqual(alone.output);
          expect(masked.h.subarray((L - 1) * B * H + b * H, (L - 1) * B * H + (b + 1) * H)).toEqual(
            alone.h.subarray((L - 1) * H, L * H),
          );
        }
        q.dispose();
      }
    });

    it('Dense int8 against the reference, every activation, on [N, T, in]', () => {
      const rng = mulberry32(5),
        K = 33,
        O = 13,
        rows = 37;
      for (const activation of ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'] as const) {
        const d = new Dense({ inputSize: K, outputSize: O, activation, seed: 4 });
        const q = d.quantize({ weights: 'int8' });
        expect(q.config()).toMatchObject({ weights: 'int8', activation });
        const sd = q.stateDict();
        expect(Object.keys(sd)).toEqual(['weight', 'weight_scale', 'bias']);
        const x = Float32Array.from(uniform(rng, rows * K, -2, 2));
        const y = q.forwardTensor({ data: x, shape: [1, rows, K] });
        expect(y.shape).toEqual([1, rows, O]);
        let worst = 0;
        for (let r = 0; r < rows; r++) {
          const ref = quantDense64(
            row(x, r * K, K),
            sd.weight!.data,
            sd.weight_scale!.data,
            sd.bias!.data,
            K,
            activation,
          );
          worst = Math.max(worst, maxAbsDiff(row(y.data, r * O, O), ref));
        }
        expect(worst).toBeLessThan(1e-6);
        const y32 = d.forwardTensor({ data: x, shape: [1, rows, K] });
        expect(maxAbsDiff(y.data, y32.data)).toBeLessThan(0.05);
        d.dispose();
        q.dispose();
      }
    });
  });
}

describe('int8 layers: the API around them', () => {
  beforeAll(async () => {
    await init();
  });

  const codeOf = (f: () => unknown): { code?: string; argument?: string } => {
    try {
      f();
    } catch (e) {
      return { code: (e as LSTMError).code, argument: (e as LSTMError).argument };
    }
    return {};
  };

  it('backward, gradients, zeroGrad, optimizers, fit and trainOnBatch raise NOT_TRAINABLE', async () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 4, returnSequences: true }).quantize({ weights: 'int8' });
    const dense = new Dense({ inputSize: 4, outputSize: 1 }).quantize({ weights: 'int8' });
    const x = new Float32Array(2 * 3 * 2).fill(0.5);
    lstm.forward(x, { batch: 2, steps: 3 });
    expect(codeOf(() => lstm.backward(new Float32Array(2 * 3 * 4)))).toEqual({
      code: 'NOT_TRAINABLE',
      argument: 'backward',
    });
    expect(codeOf(() => lstm.gradients())).toMatchObject({ code: 'NOT_TRAINABLE' });
    expect(codeOf(() => lstm.zeroGrad())).toMatchObject({ code: 'NOT_TRAINABLE' });
    expect(codeOf(() => new Adam({ learningRate: 1e-3 }).step(lstm))).toMatchObject({ code: 'NOT_TRAINABLE' });
    dense.forwardTensor({ data: new Float32Array(4), shape: [1, 4] });
    expect(codeOf(() => dense.backwardTensor({ data: new Float32Array(1), shape: [1, 1] }))).toMatchObject({
      code: 'NOT_TRAINABLE',
    });
    expect(codeOf(() => dense.gradients())).toMatchObject({ code: 'NOT_TRAINABLE' });
    const m = new Sequential([lstm, dense]);
    m.compile({ loss: 'mse', optimizer: new Adam({ learningRate: 1e-3 }) });
    const xs = { data: x, shape: [2, 3, 2] },
      ys = { data: new Float32Array(6), shape: [2, 3, 1] };
    await expect(m.fit(xs, ys, { epochs: 1 })).rejects.toMatchObject({ code: 'NOT_TRAINABLE', argument: 'layers[0]' });
    expect(codeOf(() => m.trainOnBatch(xs, ys))).toMatchObject({ code: 'NOT_TRAINABLE' });
    expect(m.evaluate(xs, ys).loss).toBeGreaterThanOrEqual(0); // inference still works
    m.dispose();
    // a frozen f32 layer (Keras' trainable = false) is not inference-only: its model still fits
    const frozen = new LSTM({ inputSize: 2, hiddenSize: 4, returnSequences: true, trainable: false });
    const f = new Sequential([frozen, new Dense({ inputSize: 4, outputSize: 1 })]);
    f.compile({ loss: 'mse', optimizer: new Adam({ learningRate: 1e-3 }) });
    await f.fit(xs, ys, { epochs: 1 });
    const qf = frozen.quantize({ weights: 'int8' });
    expect(qf.config()).not.toHaveProperty('trainable'); // nothing to freeze in an int8 layer
    qf.dispose();
    f.dispose();
  });

  it('an int8 model is not exported as if its integers were weights: toOnnx and toLayersModel refuse it', async () => {
    const { toOnnx } = await import('../src/onnx/index.js');
    const f32 = new Sequential([
      new LSTM({ inputSize: 2, hiddenSize: 3, returnSequences: true }),
      new Dense({ inputSize: 3, outputSize: 1 }),
    ]);
    const q = f32.quantize({ weights: 'int8' });
    expect(toOnnx(f32).length).toBeGreaterThan(0);
    expect(codeOf(() => toOnnx(q))).toEqual({ code: 'UNSUPPORTED_OP', argument: 'LSTM layer' });
    expect(codeOf(() => toOnnx(q.layers[0]!))).toMatchObject({ code: 'UNSUPPORTED_OP' });
    expect(codeOf(() => q.toLayersModel())).toEqual({ code: 'UNSUPPORTED_LAYER', argument: 'weights' });
    f32.toLayersModel(); // the f32 model still exports
    f32.dispose();
    q.dispose();
  });

  it('quantize() checks its option, leaves the original trainable, and copies an int8 layer', () => {
    const l = new GRU({ inputSize: 3, hiddenSize: 5, seed: 2 });
    expect(codeOf(() => l.quantize({ weights: 'int4' } as never))).toEqual({
      code: 'INVALID_ARGUMENT',
      argument: 'weights',
    });
    expect(codeOf(() => l.quantize(undefined as never))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(codeOf(() => new LSTM({ inputSize: 1, hiddenSize: 1, weights: 'f16' as never }))).toEqual({
      code: 'INVALID_ARGUMENT',
      argument: 'weights',
    });
    const q = l.quantize({ weights: 'int8' });
    const again = q.quantize({ weights: 'int8' });
    expect(again.stateDict()).toEqual(q.stateDict());
    expect(l.inferenceOnly).toBe(false);
    l.forward(new Float32Array(3), { batch: 1, steps: 1 });
    l.backward(new Float32Array(5)); // the f32 layer still trains
    l.dispose();
    expect(codeOf(() => l.quantize({ weights: 'int8' }))).toMatchObject({ code: 'DISPOSED' });
    for (const m of [q, again]) m.dispose();
  });

  it('loadStateDict of an int8 layer validates everything before writing', () => {
    const q = new LSTM({ inputSize: 2, hiddenSize: 3, weights: 'int8', seed: 4 });
    const good = q.stateDict();
    const bad = (edit: (d: StateDict) => void) => {
      const d = structuredClone(good);
      edit(d);
      return codeOf(() => q.loadStateDict(d));
    };
    expect(bad((d) => (d.weight_ih_l0!.data[3] = 0.5))).toEqual({ code: 'STATE_DICT_SHAPE', argument: 'weight_ih_l0' });
    expect(bad((d) => (d.weight_hh_l0!.data[0] = 128))).toEqual({ code: 'STATE_DICT_SHAPE', argument: 'weight_hh_l0' });
    expect(bad((d) => (d.weight_hh_l0_scale!.data[1] = -1))).toEqual({
      code: 'STATE_DICT_SHAPE',
      argument: 'weight_hh_l0_scale',
    });
    expect(bad((d) => (d.weight_ih_l0_scale!.data[1] = Number.NaN))).toMatchObject({ code: 'STATE_DICT_SHAPE' });
    expect(bad((d) => delete d.weight_ih_l0_scale)).toEqual({
      code: 'STATE_DICT_MISSING',
      argument: 'weight_ih_l0_scale',
    });
    expect(bad((d) => (d.extra = { shape: [1], data: new Float32Array(1) }))).toEqual({
      code: 'STATE_DICT_UNEXPECTED',
      argument: 'extra',
    });
    // an f32 state dict is not an int8 one (quantize() converts)
    const f32 = new LSTM({ inputSize: 2, hiddenSize: 3, seed: 4 });
    expect(codeOf(() => q.loadStateDict(f32.stateDict()))).toEqual({
      code: 'STATE_DICT_SHAPE',
      argument: 'weight_ih_l0',
    });
    expect(q.stateDict()).toEqual(good); // nothing changed
    f32.dispose();
    q.dispose();
  });

  it('an int8 layer frees all its memory on dispose, and holds about a quarter of the f32 bytes', async () => {
    const { currentRuntime } = await import('../src/runtime.js');
    const arena = currentRuntime().arena,
      before = arena.liveBytes;
    const f32 = new LSTM({ inputSize: 64, hiddenSize: 256 });
    const f32Bytes = arena.liveBytes - before;
    const q = f32.quantize({ weights: 'int8' });
    const qBytes = arena.liveBytes - before - f32Bytes;
    // f32 holds parameters and gradients; int8 only its parameters: 4H·(I+H) bytes plus f32 scales and biases
    expect(qBytes).toBeLessThan(0.15 * f32Bytes);
    q.forward(new Float32Array(2 * 3 * 64), { batch: 2, steps: 3 });
    q.createState(2);
    q.dispose();
    f32.dispose();
    expect(arena.liveBytes).toBe(before);
  });
});
