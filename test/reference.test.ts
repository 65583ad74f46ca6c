// The float64 reference checked against finite differences, so that "agrees with the
// reference" means "agrees with calculus". Loss = Σ output·R + Σ h·Rh + Σ c·Rc for fixed random
// R, so the backward's dOutput = R, dh = Rh, dc = Rc. Central differences with eps = 1e-6 in
// float64 have truncation error ~eps² and rounding ~1e-16/eps: about 1e-9 here.
// Tolerance: max |analytic − numeric| / max(1, max |numeric|) ≤ 1e-6 (measured ≤ 3e-9).
import { describe, it, expect } from 'vitest';
import { refForward, refBackward, refRandomParams, refParamNames, refGates, type RefConfig, type RefParams } from './reference/lstm64.js';
import { mulberry32, uniform } from './reference/rng.js';

const EPS = 1e-6;
const TOL = 1e-6;

function lossOf(cfg: RefConfig, p: RefParams, x: Float64Array, B: number, T: number, h0: Float64Array, c0: Float64Array,
                R: Float64Array, Rh: Float64Array, Rc: Float64Array): number {
  const f = refForward(cfg, p, x, B, T, h0, c0);
  let s = 0;
  for (let i = 0; i < R.length; i++) s += f.output[i]! * R[i]!;
  for (let i = 0; i < Rh.length; i++) s += f.h[i]! * Rh[i]! + f.c[i]! * Rc[i]!;
  return s;
}

/** max relative error of analytic vs central-difference gradient over every element of `v`. */
function check(v: Float64Array, analytic: ArrayLike<number>, loss: () => number): number {
  let worst = 0, scale = 1;
  const numeric = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const keep = v[i]!;
    v[i] = keep + EPS; const up = loss();
    v[i] = keep - EPS; const down = loss();
    v[i] = keep;
    numeric[i] = (up - down) / (2 * EPS);
    scale = Math.max(scale, Math.abs(numeric[i]!));
  }
  for (let i = 0; i < v.length; i++) worst = Math.max(worst, Math.abs(analytic[i]! - numeric[i]!));
  return worst / scale;
}

const CASES: { name: string; cfg: RefConfig; B: number; T: number }[] = [
  { name: '1 layer I=3 H=5', cfg: { inputSize: 3, hiddenSize: 5, numLayers: 1, bidirectional: false }, B: 2, T: 4 },
  { name: '2 layers', cfg: { inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: false }, B: 2, T: 3 },
  { name: 'bidirectional', cfg: { inputSize: 2, hiddenSize: 3, numLayers: 1, bidirectional: true }, B: 2, T: 4 },
  { name: '2 layers bidirectional', cfg: { inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true }, B: 2, T: 3 },
];

describe('float64 reference LSTM: finite-difference gradient check', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { cfg, B, T } = c;
      const D = cfg.bidirectional ? 2 : 1, S = cfg.numLayers * D, H = cfg.hiddenSize;
      const rng = mulberry32(17);
      const params = refRandomParams(cfg, 3, 0.6);
      const p: RefParams = {};
      for (const [k, v] of Object.entries(params)) p[k] = { shape: v.shape, data: Float64Array.from(v.data) };
      const x = uniform(rng, B * T * cfg.inputSize, -1, 1);
      const h0 = uniform(rng, S * B * H, -0.5, 0.5), c0 = uniform(rng, S * B * H, -0.5, 0.5);
      const R = uniform(rng, B * T * D * H, -1, 1), Rh = uniform(rng, S * B * H, -1, 1), Rc = uniform(rng, S * B * H, -1, 1);
      const loss = () => lossOf(cfg, p, x, B, T, h0, c0, R, Rh, Rc);
      const back = refBackward(cfg, p, refForward(cfg, p, x, B, T, h0, c0), R, Rh, Rc);

      const errors: Record<string, number> = {};
      for (const { name } of refParamNames(cfg)) errors[name] = check(p[name]!.data as Float64Array, back.grads[name]!, loss);
      errors.dx = check(x, back.dx, loss);
      errors.dh0 = check(h0, back.dh0, loss);
      errors.dc0 = check(c0, back.dc0, loss);
      for (const [name, e] of Object.entries(errors)) expect(e, name).toBeLessThanOrEqual(TOL);
    });
  }
});

describe('worked example', () => {
  it('the lecture notes’ forget gate: f_t ≈ [0.495, 0.480, 0.951]', () => {
    // W_f acts on [h_{t−1}, x_t]; in PyTorch's layout its h columns are weight_hh's f rows and
    // its x columns weight_ih's.
    const Wf = [[0, 0, 0, -0.025, 0, 0], [-0.03, 0.9, -0.8, -0.5, 0, 0], [0.07, 0.6, 0.2, 1, 1, 1]];
    const bf = [0.01, 0.05, 0.01], hPrev = [0.1, 1.0, 0.5], x = [1.256, 0.2, 0.8];
    // Straight from the formula f = σ(W_f·[h, x] + b_f):
    const direct = Wf.map((row, u) => 1 / (1 + Math.exp(-(row.reduce((s, w, k) => s + w * [...hPrev, ...x][k]!, 0) + bf[u]!))));
    expect(direct[0]).toBeCloseTo(0.49465, 5);
    expect(direct[1]).toBeCloseTo(0.47976, 5);
    expect(direct[2]).toBeCloseTo(0.95134, 5);
    // Through the reference in PyTorch's layout:
    const H = 3, wih = new Float64Array(12 * 3), whh = new Float64Array(12 * 3), bih = new Float64Array(12);
    for (let u = 0; u < H; u++) {
      for (let k = 0; k < 3; k++) { whh[(H + u) * 3 + k] = Wf[u]![k]!; wih[(H + u) * 3 + k] = Wf[u]![3 + k]!; }
      bih[H + u] = bf[u]!;
    }
    const g = refGates(H, 3, wih, whh, bih, new Float64Array(12), x, hPrev);
    for (let u = 0; u < H; u++) expect(g.f[u]).toBeCloseTo(direct[u]!, 12);
    expect([...g.f].map((v) => Math.round(v * 1000) / 1000)).toEqual([0.495, 0.48, 0.951]);
  });
});
