// Float64 reference of PyTorch's nn.LSTM(batch_first=True): forward and full BPTT backward.
// Plain loops, PyTorch layout throughout (gate rows i, f, g, o), nothing clever: the ground
// truth every kernel is compared with, itself checked by finite differences (reference.test.ts).
//
//   i = σ(W_ii x + b_ii + W_hi h + b_hi)   f = σ(…)   g = tanh(…)   o = σ(…)
//   c' = f·c + i·g                          h' = o·tanh(c')
//
// Shapes: x [B,T,I]; output [B,T,D·H] (per step: forward h, then reverse h); h0, c0, h, c
// [L·D,B,H] indexed layer·D + dir. Layer k > 0 reads layer k−1's whole output (K = D·H).
import { mulberry32, uniform } from './rng.js';

export interface RefConfig {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
}
export type RefParams = Record<string, { shape: number[]; data: ArrayLike<number> }>;

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
const suffix = (layer: number, dir: number): string => `_l${layer}${dir ? '_reverse' : ''}`;

export function refParamNames(cfg: RefConfig): { name: string; shape: number[] }[] {
  // weight_ih [4H,K], weight_hh [4H,H], bias_ih [4H], bias_hh [4H] per (layer, dir), PyTorch order
  const H = cfg.hiddenSize,
    D = cfg.bidirectional ? 2 : 1,
    out: { name: string; shape: number[] }[] = [];
  for (let l = 0; l < cfg.numLayers; l++) {
    const K = l === 0 ? cfg.inputSize : H * D;
    for (let d = 0; d < D; d++) {
      const s = suffix(l, d);
      out.push(
        { name: `weight_ih${s}`, shape: [4 * H, K] },
        { name: `weight_hh${s}`, shape: [4 * H, H] },
        { name: `bias_ih${s}`, shape: [4 * H] },
        { name: `bias_hh${s}`, shape: [4 * H] },
      );
    }
  }
  return out;
}

export function refRandomParams(cfg: RefConfig, seed: number, scale = 1 / Math.sqrt(cfg.hiddenSize)): RefParams {
  // every tensor U(−scale, scale), drawn in refParamNames order from one mulberry32(seed) stream
  const rng = mulberry32(seed),
    out: RefParams = {};
  for (const p of refParamNames(cfg))
    out[p.name] = { shape: p.shape, data: uniform(rng, size(p.shape), -scale, scale) };
  return out;
}

function param(p: RefParams, name: string): ArrayLike<number> {
  const t = p[name];
  if (!t) throw new Error(`reference: missing ${name}`);
  return t.data;
}

/** The weights of one (layer, dir). */
interface DirWeights {
  K: number;
  wih: ArrayLike<number>;
  whh: ArrayLike<number>;
  bih: ArrayLike<number>;
  bhh: ArrayLike<number>;
}

function dirWeights(cfg: RefConfig, params: RefParams, layer: number, dir: number): DirWeights {
  // wih [4H,K], whh [4H,H], bih [4H], bhh [4H]
  const s = suffix(layer, dir),
    K = layer === 0 ? cfg.inputSize : cfg.hiddenSize * (cfg.bidirectional ? 2 : 1);
  return {
    K,
    wih: param(params, `weight_ih${s}`),
    whh: param(params, `weight_hh${s}`),
    bih: param(params, `bias_ih${s}`),
    bhh: param(params, `bias_hh${s}`),
  };
}

// One step's gates. x [K] at x[xo…], hp [H] -> pre [4H] and act [4H] (rows i, f, g, o).
function gateStep(
  H: number,
  w: DirWeights,
  x: ArrayLike<number>,
  xo: number,
  hp: ArrayLike<number>,
  pre: Float64Array,
  act: Float64Array,
): void {
  const K = w.K;
  for (let r = 0; r < 4 * H; r++) {
    let v = w.bih[r]! + w.bhh[r]!;
    for (let k = 0; k < K; k++) v += w.wih[r * K + k]! * x[xo + k]!;
    for (let k = 0; k < H; k++) v += w.whh[r * H + k]! * hp[k]!;
    pre[r] = v;
    act[r] = r >= 2 * H && r < 3 * H ? Math.tanh(v) : sigmoid(v);
  }
}

export interface RefGates {
  i: Float64Array;
  f: Float64Array;
  g: Float64Array;
  o: Float64Array;
}

/** One step of one (layer, dir): x_t [K], h_prev [H] -> gates pre- and post-activation, each [H]. */
export function refGates(
  cfg: RefConfig,
  params: RefParams,
  layer: number,
  dir: number,
  x_t: ArrayLike<number>,
  h_prev: ArrayLike<number>,
): { pre: RefGates; post: RefGates } {
  // x_t [K], h_prev [H] -> {pre, post}: {i, f, g, o} each [H]
  const H = cfg.hiddenSize,
    pre = new Float64Array(4 * H),
    act = new Float64Array(4 * H);
  gateStep(H, dirWeights(cfg, params, layer, dir), x_t, 0, h_prev, pre, act);
  const split = (a: Float64Array): RefGates => ({
    i: a.slice(0, H),
    f: a.slice(H, 2 * H),
    g: a.slice(2 * H, 3 * H),
    o: a.slice(3 * H, 4 * H),
  });
  return { pre: split(pre), post: split(act) };
}

/** One direction of one layer over the whole sequence: everything backward needs. */
interface DirCache {
  x: Float64Array; // [B,T,K] this layer's input
  K: number;
  gates: Float64Array; // [B,T,4H] activations i, f, g, o
  c: Float64Array; // [B,T,H] cell after consuming x_t
  h: Float64Array; // [B,T,H] hidden after consuming x_t
  h0: Float64Array;
  c0: Float64Array; // [B,H]
}

export interface RefForward {
  output: Float64Array; // [B,T,D·H]
  h: Float64Array; // [L·D,B,H] final states
  c: Float64Array; // [L·D,B,H]
  B: number;
  T: number;
  caches: DirCache[]; // index layer·D + dir
}

function dirForward(
  x: Float64Array,
  H: number,
  B: number,
  T: number,
  w: DirWeights,
  h0: Float64Array,
  c0: Float64Array,
  reverse: boolean,
): DirCache {
  // x [B,T,K], h0 c0 [B,H] -> gates [B,T,4H], c h [B,T,H]; reverse runs t = T−1 … 0
  const K = w.K,
    gates = new Float64Array(B * T * 4 * H),
    c = new Float64Array(B * T * H),
    h = new Float64Array(B * T * H);
  const pre = new Float64Array(4 * H);
  for (let b = 0; b < B; b++) {
    let hp = h0.subarray(b * H, b * H + H),
      cp = c0.subarray(b * H, b * H + H);
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s,
        row = b * T + t;
      const z = gates.subarray(row * 4 * H, row * 4 * H + 4 * H);
      gateStep(H, w, x, row * K, hp, pre, z);
      const cn = c.subarray(row * H, row * H + H),
        hn = h.subarray(row * H, row * H + H);
      for (let u = 0; u < H; u++) {
        const i = z[u]!,
          f = z[H + u]!,
          g = z[2 * H + u]!,
          o = z[3 * H + u]!;
        cn[u] = f * cp[u]! + i * g;
        hn[u] = o * Math.tanh(cn[u]!);
      }
      hp = hn;
      cp = cn;
    }
  }
  return { x, K, gates, c, h, h0, c0 };
}

export function refForward(
  cfg: RefConfig,
  params: RefParams,
  x: ArrayLike<number>,
  batch: number,
  steps: number,
  h0?: ArrayLike<number>,
  c0?: ArrayLike<number>,
): RefForward {
  // x [B,T,I], h0 c0 [L·D,B,H] (default 0) -> output [B,T,D·H], h c [L·D,B,H]
  const H = cfg.hiddenSize,
    D = cfg.bidirectional ? 2 : 1,
    L = cfg.numLayers,
    B = batch,
    T = steps,
    S = B * H;
  if (x.length !== B * T * cfg.inputSize) throw new Error('reference: x must be [batch, steps, inputSize]');
  const h0All = h0 ? Float64Array.from(h0) : new Float64Array(L * D * S);
  const c0All = c0 ? Float64Array.from(c0) : new Float64Array(L * D * S);
  const hOut = new Float64Array(L * D * S),
    cOut = new Float64Array(L * D * S);
  const caches: DirCache[] = [];
  let input = Float64Array.from(x);
  for (let l = 0; l < L; l++) {
    const out = new Float64Array(B * T * D * H);
    for (let d = 0; d < D; d++) {
      const j = l * D + d;
      const dc = dirForward(
        input,
        H,
        B,
        T,
        dirWeights(cfg, params, l, d),
        h0All.subarray(j * S, (j + 1) * S),
        c0All.subarray(j * S, (j + 1) * S),
        d === 1,
      );
      caches.push(dc);
      for (let r = 0; r < B * T; r++) for (let u = 0; u < H; u++) out[r * D * H + d * H + u] = dc.h[r * H + u]!;
      const tLast = d === 0 ? T - 1 : 0; // the last step this direction consumed
      for (let b = 0; b < B; b++) {
        for (let u = 0; u < H; u++) {
          hOut[j * S + b * H + u] = dc.h[(b * T + tLast) * H + u]!;
          cOut[j * S + b * H + u] = dc.c[(b * T + tLast) * H + u]!;
        }
      }
    }
    input = out;
  }
  return { output: input, h: hOut, c: cOut, B, T, caches };
}

// The pair of dirForward. Accumulates into gwih [4H,K], gwhh [4H,H], gb [4H].
function dirBackward(
  cache: DirCache,
  H: number,
  B: number,
  T: number,
  w: DirWeights,
  dhOut: Float64Array,
  dhN: Float64Array,
  dcN: Float64Array,
  reverse: boolean,
  gwih: Float64Array,
  gwhh: Float64Array,
  gb: Float64Array,
) {
  // dhOut [B,T,H] = ∂L/∂h_t from above, dhN dcN [B,H] = ∂L/∂(final h, c) -> dx [B,T,K], dh0 dc0 [B,H]
  const K = cache.K,
    dx = new Float64Array(B * T * K),
    dh0 = new Float64Array(B * H),
    dc0 = new Float64Array(B * H);
  const dz = new Float64Array(4 * H);
  for (let b = 0; b < B; b++) {
    const dh = Float64Array.from(dhN.subarray(b * H, b * H + H)),
      dc = Float64Array.from(dcN.subarray(b * H, b * H + H));
    for (let s = T - 1; s >= 0; s--) {
      const t = reverse ? T - 1 - s : s,
        row = b * T + t;
      const prevRow = s === 0 ? -1 : b * T + (reverse ? t + 1 : t - 1); // the step consumed just before t
      const z = cache.gates.subarray(row * 4 * H, row * 4 * H + 4 * H);
      const hp = prevRow < 0 ? cache.h0.subarray(b * H, b * H + H) : cache.h.subarray(prevRow * H, prevRow * H + H);
      const cp = prevRow < 0 ? cache.c0.subarray(b * H, b * H + H) : cache.c.subarray(prevRow * H, prevRow * H + H);
      for (let u = 0; u < H; u++) {
        const i = z[u]!,
          f = z[H + u]!,
          g = z[2 * H + u]!,
          o = z[3 * H + u]!;
        const tc = Math.tanh(cache.c[row * H + u]!);
        const dht = dh[u]! + dhOut[row * H + u]!; // ∂L/∂h_t
        const dct = dc[u]! + dht * o * (1 - tc * tc); // ∂L/∂c_t
        dz[u] = dct * g * i * (1 - i); // pre-activation grads
        dz[H + u] = dct * cp[u]! * f * (1 - f);
        dz[2 * H + u] = dct * i * (1 - g * g);
        dz[3 * H + u] = dht * tc * o * (1 - o);
        dc[u] = dct * f; // ∂L/∂c_{t−1}
      }
      dh.fill(0); // ∂L/∂h_{t−1} = W_hhᵀ dz
      for (let r = 0; r < 4 * H; r++) {
        const d = dz[r]!;
        gb[r] = gb[r]! + d;
        for (let k = 0; k < K; k++) {
          gwih[r * K + k] = gwih[r * K + k]! + d * cache.x[row * K + k]!;
          dx[row * K + k] = dx[row * K + k]! + d * w.wih[r * K + k]!;
        }
        for (let k = 0; k < H; k++) {
          gwhh[r * H + k] = gwhh[r * H + k]! + d * hp[k]!;
          dh[k] = dh[k]! + d * w.whh[r * H + k]!;
        }
      }
    }
    dh0.set(dh, b * H);
    dc0.set(dc, b * H);
  }
  return { dx, dh0, dc0 };
}

export function refBackward(
  cfg: RefConfig,
  params: RefParams,
  fwd: RefForward,
  dOutput: ArrayLike<number>,
  dh?: ArrayLike<number>,
  dc?: ArrayLike<number>,
) {
  // dOutput [B,T,D·H], dh dc [L·D,B,H] (default 0) -> dx [B,T,I], dh0 dc0 [L·D,B,H], grads per parameter name
  const H = cfg.hiddenSize,
    D = cfg.bidirectional ? 2 : 1,
    L = cfg.numLayers,
    B = fwd.B,
    T = fwd.T,
    S = B * H;
  if (dOutput.length !== fwd.output.length) throw new Error('reference: dOutput must have the shape of output');
  const grads: Record<string, Float64Array> = {};
  for (const p of refParamNames(cfg)) grads[p.name] = new Float64Array(size(p.shape));
  const dh0 = new Float64Array(L * D * S),
    dc0 = new Float64Array(L * D * S);
  const dhAll = dh ? Float64Array.from(dh) : new Float64Array(L * D * S);
  const dcAll = dc ? Float64Array.from(dc) : new Float64Array(L * D * S);
  let dOut = Float64Array.from(dOutput); // ∂L/∂(this layer's output) [B,T,D·H]
  let dx = new Float64Array(0);
  for (let l = L - 1; l >= 0; l--) {
    const K = l === 0 ? cfg.inputSize : D * H;
    dx = new Float64Array(B * T * K); // ∂L/∂(this layer's input), summed over directions
    for (let d = 0; d < D; d++) {
      const j = l * D + d,
        s = suffix(l, d);
      const dhDir = new Float64Array(B * T * H);
      for (let r = 0; r < B * T; r++) for (let u = 0; u < H; u++) dhDir[r * H + u] = dOut[r * D * H + d * H + u]!;
      const gb = new Float64Array(4 * H);
      const r = dirBackward(
        fwd.caches[j]!,
        H,
        B,
        T,
        dirWeights(cfg, params, l, d),
        dhDir,
        dhAll.subarray(j * S, (j + 1) * S),
        dcAll.subarray(j * S, (j + 1) * S),
        d === 1,
        grads[`weight_ih${s}`]!,
        grads[`weight_hh${s}`]!,
        gb,
      );
      grads[`bias_ih${s}`]!.set(gb);
      grads[`bias_hh${s}`]!.set(gb); // both biases enter as a sum
      for (let k = 0; k < dx.length; k++) dx[k] = dx[k]! + r.dx[k]!;
      dh0.set(r.dh0, j * S);
      dc0.set(r.dc0, j * S);
    }
    dOut = dx;
  }
  return { dx, dh0, dc0, grads };
}

/** max_i |a_i − b_i|; Infinity if the lengths differ. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** max_i |a_i − b_i| / max(1, |b_i|), with b the reference; Infinity if the lengths differ. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}
