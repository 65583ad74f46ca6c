// The float64 reference checked against calculus and against its own definition, so that "agrees
// with the reference" means "agrees with PyTorch's nn.LSTM".
//
// Gradient check: loss = Σ output·R + Σ h·Rh + Σ c·Rc for fixed random R, Rh, Rc, so backward
// gets dOutput = R, dh = Rh, dc = Rc. Every element of every parameter, x, h0 and c0 is perturbed
// by ±eps (central differences, eps = 1e-6, float64): truncation error ~eps²·|f'''| and rounding
// ~1e-16·|loss|/eps, i.e. about 1e-9 at these sizes.
// Tolerance: max_i |analytic_i − numeric_i| / max(1, |numeric_i|) ≤ 1e-6 (measured ≤ ~1e-9;
// REF_VERBOSE=1 prints the per-tensor errors).
import { describe, it, expect } from 'vitest';
import {
  refForward,
  refBackward,
  refRandomParams,
  refParamNames,
  refGates,
  maxAbsDiff,
  maxRelDiff,
  type RefConfig,
  type RefParams,
} from './reference/lstm64.js';
import { mulberry32, uniform } from './reference/rng.js';

const EPS = 1e-6;
const TOL = 1e-6;
const verbose = !!process.env.REF_VERBOSE;

/** Central-difference gradient of loss() w.r.t. every element of v (perturbed in place, restored). */
function numericGrad(v: Float64Array, loss: () => number): Float64Array {
  const g = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const keep = v[i]!;
    v[i] = keep + EPS;
    const up = loss();
    v[i] = keep - EPS;
    const down = loss();
    v[i] = keep;
    g[i] = (up - down) / (2 * EPS);
  }
  return g;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

function copyParams(p: RefParams): Record<string, { shape: number[]; data: Float64Array }> {
  const out: Record<string, { shape: number[]; data: Float64Array }> = {};
  for (const [k, v] of Object.entries(p)) out[k] = { shape: [...v.shape], data: Float64Array.from(v.data) };
  return out;
}

interface Case {
  name: string;
  cfg: RefConfig;
  B: number;
  T: number;
  state?: boolean;
  outputOnly?: boolean;
}
const cfg = (numLayers: number, bidirectional: boolean): RefConfig => ({
  inputSize: 3,
  hiddenSize: 5,
  numLayers,
  bidirectional,
});
const CASES: Case[] = [
  { name: '1 layer (I=3, H=5, B=2, T=4)', cfg: cfg(1, false), B: 2, T: 4 },
  { name: '2 layers', cfg: cfg(2, false), B: 2, T: 4 },
  { name: 'bidirectional', cfg: cfg(1, true), B: 2, T: 4 },
  { name: '2 layers bidirectional', cfg: cfg(2, true), B: 2, T: 4 },
  { name: '1 layer, nonzero h0/c0', cfg: cfg(1, false), B: 2, T: 4, state: true },
  { name: '2 layers bidirectional, nonzero h0/c0', cfg: cfg(2, true), B: 2, T: 4, state: true },
  {
    name: 'bidirectional, output-only loss (dh, dc omitted)',
    cfg: cfg(1, true),
    B: 2,
    T: 4,
    state: true,
    outputOnly: true,
  },
];

describe('float64 reference LSTM: finite-difference gradient check', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { cfg, B, T } = c;
      const D = cfg.bidirectional ? 2 : 1,
        S = cfg.numLayers * D,
        H = cfg.hiddenSize;
      const rng = mulberry32(17);
      const p = copyParams(refRandomParams(cfg, 3, 0.7));
      const x = uniform(rng, B * T * cfg.inputSize, -1, 1);
      // Zero-state cases call the analytic pass with h0/c0 omitted (the defaults) and perturb explicit zeros.
      const h0 = c.state ? uniform(rng, S * B * H, -0.8, 0.8) : new Float64Array(S * B * H);
      const c0 = c.state ? uniform(rng, S * B * H, -0.8, 0.8) : new Float64Array(S * B * H);
      const R = uniform(rng, B * T * D * H, -1, 1);
      const Rh = c.outputOnly ? new Float64Array(S * B * H) : uniform(rng, S * B * H, -1, 1);
      const Rc = c.outputOnly ? new Float64Array(S * B * H) : uniform(rng, S * B * H, -1, 1);
      const loss = (): number => {
        const f = refForward(cfg, p, x, B, T, h0, c0);
        return dot(f.output, R) + dot(f.h, Rh) + dot(f.c, Rc);
      };

      const fwd = c.state ? refForward(cfg, p, x, B, T, h0, c0) : refForward(cfg, p, x, B, T);
      const back = c.outputOnly ? refBackward(cfg, p, fwd, R) : refBackward(cfg, p, fwd, R, Rh, Rc);
      expect(back.dx.length).toBe(x.length);
      expect(back.dh0.length).toBe(S * B * H);
      expect(back.dc0.length).toBe(S * B * H);

      const errors: Record<string, number> = {};
      for (const { name, shape } of refParamNames(cfg)) {
        expect(back.grads[name]!.length, name).toBe(shape.reduce((a, b) => a * b, 1));
        errors[name] = maxRelDiff(back.grads[name]!, numericGrad(p[name]!.data, loss));
      }
      errors.dx = maxRelDiff(back.dx, numericGrad(x, loss));
      errors.dh0 = maxRelDiff(back.dh0, numericGrad(h0, loss));
      errors.dc0 = maxRelDiff(back.dc0, numericGrad(c0, loss));
      if (verbose)
        console.log(
          c.name,
          Object.entries(errors)
            .map(([k, e]) => `${k} ${e.toExponential(1)}`)
            .join(', '),
        );
      for (const [name, e] of Object.entries(errors)) expect(e, name).toBeLessThanOrEqual(TOL);
      // The two biases enter only as a sum, so their gradients are identical.
      for (const { name } of refParamNames(cfg)) {
        if (name.startsWith('bias_ih'))
          expect(back.grads[name]).toEqual(back.grads[name.replace('bias_ih', 'bias_hh')]);
      }
    });
  }
});

describe('float64 reference LSTM: forward semantics', () => {
  const I = 3,
    H = 4,
    B = 2,
    T = 5;

  it('one step equals the gate equations (refGates)', () => {
    const c1: RefConfig = { inputSize: I, hiddenSize: H, numLayers: 1, bidirectional: false };
    const p = refRandomParams(c1, 11, 0.8),
      rng = mulberry32(5);
    const x = uniform(rng, B * I, -1, 1),
      h0 = uniform(rng, B * H, -1, 1),
      c0 = uniform(rng, B * H, -1, 1);
    const f = refForward(c1, p, x, B, 1, h0, c0);
    for (let b = 0; b < B; b++) {
      const { post } = refGates(c1, p, 0, 0, x.subarray(b * I, b * I + I), h0.subarray(b * H, b * H + H));
      for (let u = 0; u < H; u++) {
        const c = post.f[u]! * c0[b * H + u]! + post.i[u]! * post.g[u]!;
        expect(f.c[b * H + u]).toBe(c);
        expect(f.h[b * H + u]).toBe(post.o[u]! * Math.tanh(c));
        expect(f.output[b * H + u]).toBe(f.h[b * H + u]);
      }
    }
  });

  it('the reverse direction is a forward LSTM over the time-reversed sequence', () => {
    const bi: RefConfig = { inputSize: I, hiddenSize: H, numLayers: 1, bidirectional: true };
    const uni: RefConfig = { ...bi, bidirectional: false };
    const p = refRandomParams(bi, 21),
      rng = mulberry32(6);
    const x = uniform(rng, B * T * I, -1, 1),
      h0 = uniform(rng, 2 * B * H, -1, 1),
      c0 = uniform(rng, 2 * B * H, -1, 1);
    const f = refForward(bi, p, x, B, T, h0, c0);
    const rev: RefParams = {};
    for (const n of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']) rev[`${n}_l0`] = p[`${n}_l0_reverse`]!;
    const xr = new Float64Array(x.length);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++) xr.set(x.subarray((b * T + t) * I, (b * T + t + 1) * I), (b * T + T - 1 - t) * I);
    const fwdDir = refForward(
      uni,
      {
        weight_ih_l0: p.weight_ih_l0!,
        weight_hh_l0: p.weight_hh_l0!,
        bias_ih_l0: p.bias_ih_l0!,
        bias_hh_l0: p.bias_hh_l0!,
      },
      x,
      B,
      T,
      h0.subarray(0, B * H),
      c0.subarray(0, B * H),
    );
    const revDir = refForward(uni, rev, xr, B, T, h0.subarray(B * H), c0.subarray(B * H));
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const o = (b * T + t) * 2 * H;
        expect(
          maxAbsDiff(f.output.subarray(o, o + H), fwdDir.output.subarray((b * T + t) * H, (b * T + t + 1) * H)),
        ).toBe(0);
        expect(
          maxAbsDiff(
            f.output.subarray(o + H, o + 2 * H),
            revDir.output.subarray((b * T + T - 1 - t) * H, (b * T + T - t) * H),
          ),
        ).toBe(0);
      }
    }
    expect(maxAbsDiff(f.h, [...fwdDir.h, ...revDir.h])).toBe(0);
    expect(maxAbsDiff(f.c, [...fwdDir.c, ...revDir.c])).toBe(0);
    // the reverse direction's final state is its h after consuming t = 0
    for (let b = 0; b < B; b++)
      expect(
        maxAbsDiff(
          f.h.subarray(B * H + b * H, B * H + b * H + H),
          f.output.subarray(b * T * 2 * H + H, b * T * 2 * H + 2 * H),
        ),
      ).toBe(0);
  });

  it('layer 1 reads layer 0’s whole (concatenated) output', () => {
    const two: RefConfig = { inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true };
    const p = refRandomParams(two, 31),
      rng = mulberry32(7),
      S = B * H;
    const x = uniform(rng, B * T * I, -1, 1),
      h0 = uniform(rng, 4 * S, -1, 1),
      c0 = uniform(rng, 4 * S, -1, 1);
    const f = refForward(two, p, x, B, T, h0, c0);
    const pick = (l: number): RefParams => {
      const out: RefParams = {};
      for (const [k, v] of Object.entries(p)) if (k.includes(`_l${l}`)) out[k.replace(`_l${l}`, '_l0')] = v;
      return out;
    };
    const l0 = refForward({ ...two, numLayers: 1 }, pick(0), x, B, T, h0.subarray(0, 2 * S), c0.subarray(0, 2 * S));
    const l1 = refForward(
      { ...two, numLayers: 1, inputSize: 2 * H },
      pick(1),
      l0.output,
      B,
      T,
      h0.subarray(2 * S),
      c0.subarray(2 * S),
    );
    expect(maxAbsDiff(f.output, l1.output)).toBe(0);
    expect(maxAbsDiff(f.h, [...l0.h, ...l1.h])).toBe(0);
    expect(maxAbsDiff(f.c, [...l0.c, ...l1.c])).toBe(0);
  });

  it('refParamNames follows PyTorch’s order and shapes', () => {
    expect(refParamNames({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true })).toEqual([
      { name: 'weight_ih_l0', shape: [20, 3] },
      { name: 'weight_hh_l0', shape: [20, 5] },
      { name: 'bias_ih_l0', shape: [20] },
      { name: 'bias_hh_l0', shape: [20] },
      { name: 'weight_ih_l0_reverse', shape: [20, 3] },
      { name: 'weight_hh_l0_reverse', shape: [20, 5] },
      { name: 'bias_ih_l0_reverse', shape: [20] },
      { name: 'bias_hh_l0_reverse', shape: [20] },
      { name: 'weight_ih_l1', shape: [20, 10] },
      { name: 'weight_hh_l1', shape: [20, 5] },
      { name: 'bias_ih_l1', shape: [20] },
      { name: 'bias_hh_l1', shape: [20] },
      { name: 'weight_ih_l1_reverse', shape: [20, 10] },
      { name: 'weight_hh_l1_reverse', shape: [20, 5] },
      { name: 'bias_ih_l1_reverse', shape: [20] },
      { name: 'bias_hh_l1_reverse', shape: [20] },
    ]);
    const p = refRandomParams({ inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false }, 1);
    for (const v of Object.values(p))
      for (let i = 0; i < v.data.length; i++) expect(Math.abs(v.data[i]!)).toBeLessThan(0.5); // 1/√4
  });
});

describe('worked example', () => {
  // The lecture notes' forget gate: f_t = σ(W_f·[h_{t−1}, x_t] + b_f).
  const Wf = [
    [0, 0, 0, -0.025, 0, 0],
    [-0.03, 0.9, -0.8, -0.5, 0, 0],
    [0.07, 0.6, 0.2, 1, 1, 1],
  ];
  const bf = [0.01, 0.05, 0.01],
    hPrev = [0.1, 1.0, 0.5],
    x = [1.256, 0.2, 0.8];
  // Pre-activations: −0.0214, −0.081, 2.973 -> σ = 0.494650…, 0.479761…, 0.951339… (worked by hand;
  // the reference must reproduce them from the weights laid out as PyTorch stores them)
  const expected = [0.495, 0.48, 0.951];

  it('through the reference in PyTorch’s layout (refGates and refForward)', () => {
    // W_f's h columns are weight_hh's f rows (rows H…2H−1), its x columns weight_ih's; b_f goes in
    // bias_ih, bias_hh stays 0. The input gate is shut (bias −1000 -> i = 0 exactly), so with
    // c0 = 1 one step gives c_t = f_t·1 + 0·g = f_t: f read back from refForward as well.
    const H = 3,
      cfg: RefConfig = { inputSize: 3, hiddenSize: H, numLayers: 1, bidirectional: false };
    const wih = new Float64Array(4 * H * 3),
      whh = new Float64Array(4 * H * H),
      bih = new Float64Array(4 * H);
    for (let u = 0; u < H; u++) {
      for (let k = 0; k < 3; k++) {
        whh[(H + u) * H + k] = Wf[u]![k]!;
        wih[(H + u) * 3 + k] = Wf[u]![3 + k]!;
      }
      bih[H + u] = bf[u]!;
      bih[u] = -1000;
    }
    const params: RefParams = {
      weight_ih_l0: { shape: [4 * H, 3], data: wih },
      weight_hh_l0: { shape: [4 * H, H], data: whh },
      bias_ih_l0: { shape: [4 * H], data: bih },
      bias_hh_l0: { shape: [4 * H], data: new Float64Array(4 * H) },
    };
    const g = refGates(cfg, params, 0, 0, x, hPrev);
    expect(maxAbsDiff(g.pre.f, [-0.0214, -0.081, 2.973])).toBeLessThan(1e-12);
    expect(maxAbsDiff(g.post.f, expected)).toBeLessThanOrEqual(1e-3); // the notes' three digits
    expect(maxAbsDiff(g.post.f, [0.49465, 0.479761, 0.951339])).toBeLessThan(1e-6);
    expect(g.post.i).toEqual(new Float64Array(3));
    const fwd = refForward(cfg, params, x, 1, 1, hPrev, [1, 1, 1]);
    expect(maxAbsDiff(fwd.c, g.post.f)).toBe(0);
    expect(maxAbsDiff(fwd.c, expected)).toBeLessThanOrEqual(1e-3);
  });
});
