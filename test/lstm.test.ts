// The LSTM layer through the public API, every build, against the float64 reference.
import { describe, it, expect, beforeAll } from 'vitest';
import { init, supportedBuilds, LSTM, type StateDict } from '../src/index.js';
import {
  refForward,
  refBackward,
  refRandomParams,
  maxAbsDiff,
  type RefConfig,
  type RefParams,
} from './reference/lstm64.js';
import { uniform, mulberry32 } from './reference/rng.js';

// float32 kernels against float64: the error grows with the number of terms summed (I+H per
// gate) and with T through the recurrence, but stays far below this on these sizes.
// Measured (simd, I=3 H=5 T=300): output 1e-7, gradients ~1e-6.
const FWD_TOL = 2e-5; // absolute, on outputs and states (all |values| ≤ 1)
const GRAD_TOL = 1e-4; // relative to max(1, max |reference gradient|)

const BUILDS = supportedBuilds();

function toF32(a: ArrayLike<number>): Float32Array {
  return Float32Array.from(a);
}

function toStateDict(p: RefParams): StateDict {
  const out: StateDict = {};
  for (const [k, v] of Object.entries(p)) out[k] = { shape: v.shape.slice(), data: toF32(v.data) };
  return out;
}

function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let scale = 1;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  return maxAbsDiff(got, want) / scale;
}

interface Case {
  name: string;
  cfg: RefConfig;
  B: number;
  T: number;
  states?: boolean;
}
const CASES: Case[] = [
  { name: 'I=3 H=5 B=2 T=4', cfg: { inputSize: 3, hiddenSize: 5, numLayers: 1, bidirectional: false }, B: 2, T: 4 },
  { name: 'B=1 T=1', cfg: { inputSize: 3, hiddenSize: 5, numLayers: 1, bidirectional: false }, B: 1, T: 1 },
  { name: 'T=300', cfg: { inputSize: 3, hiddenSize: 5, numLayers: 1, bidirectional: false }, B: 2, T: 300 },
  // T·B = 1203 rows: the big products run in several calls (CALL_ROWS 512, weight gradients 1024)
  {
    name: 'T·B past the call chunks: B=3 T=401',
    cfg: { inputSize: 3, hiddenSize: 5, numLayers: 1, bidirectional: false },
    B: 3,
    T: 401,
  },
  {
    name: 'multiples of 8: I=16 H=24 B=5 T=7',
    cfg: { inputSize: 16, hiddenSize: 24, numLayers: 1, bidirectional: false },
    B: 5,
    T: 7,
  },
  { name: '2 layers', cfg: { inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: false }, B: 3, T: 6 },
  { name: 'bidirectional', cfg: { inputSize: 3, hiddenSize: 5, numLayers: 1, bidirectional: true }, B: 2, T: 5 },
  {
    name: '2 layers bidirectional, h0/c0 and dh/dc',
    cfg: { inputSize: 7, hiddenSize: 6, numLayers: 2, bidirectional: true },
    B: 4,
    T: 9,
    states: true,
  },
];

for (const build of BUILDS) {
  describe(`LSTM, ${build} build, against the float64 reference`, () => {
    beforeAll(async () => {
      await init({ build });
    });

    for (const c of CASES) {
      it(c.name, () => {
        const { cfg, B, T } = c;
        const D = cfg.bidirectional ? 2 : 1,
          S = cfg.numLayers * D,
          H = cfg.hiddenSize;
        const params = refRandomParams(cfg, 7, 0.5);
        const rng = mulberry32(99);
        const x = uniform(rng, B * T * cfg.inputSize, -1, 1);
        const h0 = c.states ? uniform(rng, S * B * H, -0.5, 0.5) : undefined;
        const c0 = c.states ? uniform(rng, S * B * H, -0.5, 0.5) : undefined;
        const dOut = uniform(rng, B * T * D * H, -1, 1);
        const dh = c.states ? uniform(rng, S * B * H, -1, 1) : undefined;
        const dc = c.states ? uniform(rng, S * B * H, -1, 1) : undefined;

        const ref = refForward(cfg, params, x, B, T, h0, c0);
        const refB = refBackward(cfg, params, ref, dOut, dh, dc);

        const lstm = new LSTM({ ...cfg });
        lstm.loadStateDict(toStateDict(params));
        const out = lstm.forward(toF32(x), { batch: B, steps: T, h0: h0 && toF32(h0), c0: c0 && toF32(c0) });
        expect(out.output.length).toBe(B * T * D * H);
        expect(maxAbsDiff(out.output, ref.output)).toBeLessThan(FWD_TOL);
        expect(maxAbsDiff(out.h, ref.h)).toBeLessThan(FWD_TOL);
        expect(maxAbsDiff(out.c, ref.c)).toBeLessThan(FWD_TOL);

        const back = lstm.backward(toF32(dOut), { dh: dh && toF32(dh), dc: dc && toF32(dc) });
        expect(relErr(back.dx, refB.dx)).toBeLessThan(GRAD_TOL);
        expect(relErr(back.dh0, refB.dh0)).toBeLessThan(GRAD_TOL);
        expect(relErr(back.dc0, refB.dc0)).toBeLessThan(GRAD_TOL);
        const grads = lstm.gradients();
        expect(Object.keys(grads)).toEqual(Object.keys(params));
        for (const [name, g] of Object.entries(grads)) {
          expect(g.shape).toEqual(params[name]!.shape);
          expect(relErr(g.data, refB.grads[name]!), name).toBeLessThan(GRAD_TOL);
        }
        lstm.dispose();
      });
    }

    it('streaming step() equals forward() step by step, multi-layer', () => {
      const cfg = { inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: false };
      const B = 2,
        T = 6,
        H = 5,
        I = 3;
      const lstm = new LSTM({ ...cfg, seed: 4 });
      const x = toF32(uniform(mulberry32(1), B * T * I, -1, 1));
      const { output, h, c } = lstm.forward(x, { batch: B, steps: T });
      const state = lstm.createState(B);
      const xt = new Float32Array(B * I);
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) xt.set(x.subarray((b * T + t) * I, (b * T + t + 1) * I), b * I);
        const y = lstm.step(xt, state);
        expect(y).toBe(state.output); // no new array per step
        for (let b = 0; b < B; b++) {
          expect(
            maxAbsDiff(y.subarray(b * H, b * H + H), output.subarray((b * T + t) * H, (b * T + t) * H + H)),
          ).toBeLessThan(1e-6);
        }
      }
      expect(maxAbsDiff(state.h, h)).toBeLessThan(1e-6);
      expect(maxAbsDiff(state.c, c)).toBeLessThan(1e-6);
      lstm.dispose();
    });
  });
}

describe('LSTM semantics', () => {
  beforeAll(async () => {
    await init();
  });

  it('parameter gradients accumulate across backward calls until zeroGrad', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, seed: 2 });
    const x = toF32(uniform(mulberry32(5), 2 * 4 * 3, -1, 1));
    const dOut = toF32(uniform(mulberry32(6), 2 * 4 * 5, -1, 1));
    lstm.forward(x, { batch: 2, steps: 4 });
    lstm.backward(dOut);
    const once = lstm.gradients();
    lstm.backward(dOut); // same activations: twice the gradient
    const twice = lstm.gradients();
    for (const k of Object.keys(once)) {
      const doubled = once[k]!.data.map((v) => 2 * v);
      expect(maxAbsDiff(twice[k]!.data, doubled)).toBeLessThan(1e-6);
    }
    lstm.zeroGrad();
    for (const g of Object.values(lstm.gradients())) expect(g.data.every((v) => v === 0)).toBe(true);
    lstm.dispose();
  });

  it('same seed gives the same weights, within PyTorch’s U(−1/√H, 1/√H)', () => {
    const a = new LSTM({ inputSize: 4, hiddenSize: 9, seed: 42 }).stateDict();
    const b = new LSTM({ inputSize: 4, hiddenSize: 9, seed: 42 }).stateDict();
    const c = new LSTM({ inputSize: 4, hiddenSize: 9, seed: 43 }).stateDict();
    const bound = 1 / Math.sqrt(9);
    for (const k of Object.keys(a)) {
      expect(a[k]!.data).toEqual(b[k]!.data);
      expect(a[k]!.data).not.toEqual(c[k]!.data);
      expect(a[k]!.data.every((v) => Math.abs(v) <= bound)).toBe(true);
    }
    // The spread is really the whole interval, not a narrower one.
    const w = a.weight_hh_l0!.data;
    expect(Math.max(...w)).toBeGreaterThan(0.8 * bound);
    expect(Math.min(...w)).toBeLessThan(-0.8 * bound);
  });

  it('returned arrays are copies: a later call or memory growth does not change them', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 5 });
    const x = toF32(uniform(mulberry32(8), 3 * 2 * 3, -1, 1));
    const first = lstm.forward(x, { batch: 3, steps: 2 });
    const kept = first.output.slice();
    const big = new LSTM({ inputSize: 64, hiddenSize: 256 }); // grows memory
    big.forward(new Float32Array(8 * 200 * 64), { batch: 8, steps: 200 });
    lstm.forward(new Float32Array(3 * 2 * 3).fill(0.9), { batch: 3, steps: 2 });
    expect(first.output).toEqual(kept);
    expect(first.output.buffer).not.toBe(kept.buffer);
    big.dispose();
    lstm.dispose();
  });

  it('stateDict round-trips and outputs follow loaded weights', () => {
    const a = new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, seed: 1 });
    const b = new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, seed: 2 });
    const x = toF32(uniform(mulberry32(9), 2 * 3 * 3, -1, 1));
    const ya = a.forward(x, { batch: 2, steps: 3 }).output;
    expect(b.forward(x, { batch: 2, steps: 3 }).output).not.toEqual(ya);
    b.loadStateDict(a.stateDict());
    expect(b.forward(x, { batch: 2, steps: 3 }).output).toEqual(ya);
    expect(Object.keys(a.stateDict())).toEqual([
      'weight_ih_l0',
      'weight_hh_l0',
      'bias_ih_l0',
      'bias_hh_l0',
      'weight_ih_l0_reverse',
      'weight_hh_l0_reverse',
      'bias_ih_l0_reverse',
      'bias_hh_l0_reverse',
      'weight_ih_l1',
      'weight_hh_l1',
      'bias_ih_l1',
      'bias_hh_l1',
      'weight_ih_l1_reverse',
      'weight_hh_l1_reverse',
      'bias_ih_l1_reverse',
      'bias_hh_l1_reverse',
    ]);
    expect(a.stateDict().weight_ih_l1!.shape).toEqual([20, 10]);
    a.dispose();
    b.dispose();
  });

  it('the lecture notes’ forget gate: f_t ≈ [0.495, 0.480, 0.951]', () => {
    // W_f acts on [h_{t−1}, x_t]: its first three columns are PyTorch's weight_hh rows of the
    // f gate, the last three weight_ih's. With the input gate shut (bias −100, σ ≈ 4e-44) and
    // c0 = 1, c_1 = f·c0 + i·g = f, so the layer's returned cell state is f_t itself.
    const H = 3;
    const Wf = [
      [0, 0, 0, -0.025, 0, 0],
      [-0.03, 0.9, -0.8, -0.5, 0, 0],
      [0.07, 0.6, 0.2, 1, 1, 1],
    ];
    const bf = [0.01, 0.05, 0.01];
    const wih = new Float32Array(4 * H * 3),
      whh = new Float32Array(4 * H * H);
    const bih = new Float32Array(4 * H),
      bhh = new Float32Array(4 * H);
    for (let u = 0; u < H; u++) {
      bih[u] = -100; // input gate i closed
      for (let k = 0; k < 3; k++) {
        whh[(H + u) * H + k] = Wf[u]![k]!; // f rows, h part
        wih[(H + u) * 3 + k] = Wf[u]![3 + k]!; // f rows, x part
      }
      bih[H + u] = bf[u]!;
    }
    const lstm = new LSTM({ inputSize: 3, hiddenSize: H });
    lstm.loadStateDict({
      weight_ih_l0: { shape: [12, 3], data: wih },
      weight_hh_l0: { shape: [12, 3], data: whh },
      bias_ih_l0: { shape: [12], data: bih },
      bias_hh_l0: { shape: [12], data: bhh },
    });
    const { c } = lstm.forward(new Float32Array([1.256, 0.2, 0.8]), {
      batch: 1,
      steps: 1,
      h0: new Float32Array([0.1, 1.0, 0.5]),
      c0: new Float32Array([1, 1, 1]),
    });
    expect(c[0]).toBeCloseTo(0.495, 3);
    expect(c[1]).toBeCloseTo(0.48, 3);
    expect(c[2]).toBeCloseTo(0.951, 3);
    lstm.dispose();
  });
});
