// Float64 reference of PyTorch's nn.LSTM(batch_first=True): forward and full BPTT backward.
// Plain loops, PyTorch layout throughout (gate rows i, f, g, o), nothing clever: the ground
// truth every kernel is compared with, itself checked by finite differences.
import { mulberry32, uniform } from './rng.js';

export interface RefConfig { inputSize: number; hiddenSize: number; numLayers: number; bidirectional: boolean }
export type RefParams = Record<string, { shape: number[]; data: ArrayLike<number> }>;

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export function refParamNames(cfg: RefConfig): { name: string; shape: number[] }[] {
  const H = cfg.hiddenSize, D = cfg.bidirectional ? 2 : 1, out: { name: string; shape: number[] }[] = [];
  for (let l = 0; l < cfg.numLayers; l++) {
    const K = l === 0 ? cfg.inputSize : H * D;
    for (let d = 0; d < D; d++) {
      const s = `_l${l}${d ? '_reverse' : ''}`;
      out.push({ name: `weight_ih${s}`, shape: [4 * H, K] }, { name: `weight_hh${s}`, shape: [4 * H, H] },
        { name: `bias_ih${s}`, shape: [4 * H] }, { name: `bias_hh${s}`, shape: [4 * H] });
    }
  }
  return out;
}

export function refRandomParams(cfg: RefConfig, seed: number, scale = 1 / Math.sqrt(cfg.hiddenSize)): RefParams {
  const rng = mulberry32(seed), out: RefParams = {};
  for (const p of refParamNames(cfg)) out[p.name] = { shape: p.shape, data: uniform(rng, p.shape.reduce((a, b) => a * b, 1), -scale, scale) };
  return out;
}

/** One direction of one layer over the whole sequence; what backward needs. */
interface DirCache {
  x: Float64Array;      // [B,T,K] this layer's input
  K: number;
  gates: Float64Array;  // [B,T,4H] activations i,f,g,o
  c: Float64Array;      // [B,T,H]
  h: Float64Array;      // [B,T,H]
  h0: Float64Array; c0: Float64Array; // [B,H]
}

export interface RefForward {
  output: Float64Array;  // [B,T,D·H]
  h: Float64Array;       // [L·D,B,H]
  c: Float64Array;
  B: number; T: number;
  caches: DirCache[];    // index layer·D + dir
}

function param(p: RefParams, name: string): ArrayLike<number> {
  const t = p[name];
  if (!t) throw new Error(`reference: missing ${name}`);
  return t.data;
}

// x [B,T,K], W_ih [4H,K], W_hh [4H,H], b [4H] -> h, c, gates [B,T,·]; reverse runs t = T−1 … 0.
function dirForward(x: Float64Array, K: number, H: number, B: number, T: number, wih: ArrayLike<number>, whh: ArrayLike<number>,
                    bih: ArrayLike<number>, bhh: ArrayLike<number>, h0: Float64Array, c0: Float64Array, reverse: boolean): DirCache {
  const gates = new Float64Array(B * T * 4 * H), c = new Float64Array(B * T * H), h = new Float64Array(B * T * H);
  for (let b = 0; b < B; b++) {
    let hp = h0.subarray(b * H, b * H + H), cp = c0.subarray(b * H, b * H + H);
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s, row = b * T + t;
      const z = gates.subarray(row * 4 * H, row * 4 * H + 4 * H);
      for (let r = 0; r < 4 * H; r++) {
        let v = bih[r]! + bhh[r]!;
        for (let k = 0; k < K; k++) v += wih[r * K + k]! * x[row * K + k]!;
        for (let k = 0; k < H; k++) v += whh[r * H + k]! * hp[k]!;
        z[r] = r >= 2 * H && r < 3 * H ? Math.tanh(v) : sigmoid(v);
      }
      const cn = c.subarray(row * H, row * H + H), hn = h.subarray(row * H, row * H + H);
      for (let u = 0; u < H; u++) {
        cn[u] = z[H + u]! * cp[u]! + z[u]! * z[2 * H + u]!;
        hn[u] = z[3 * H + u]! * Math.tanh(cn[u]!);
      }
      hp = hn; cp = cn;
    }
  }
  return { x, K, gates, c, h, h0, c0 };
}

export function refForward(cfg: RefConfig, params: RefParams, x: ArrayLike<number>, B: number, T: number,
                           h0?: ArrayLike<number>, c0?: ArrayLike<number>): RefForward {
  const H = cfg.hiddenSize, D = cfg.bidirectional ? 2 : 1, L = cfg.numLayers;
  const hOut = new Float64Array(L * D * B * H), cOut = new Float64Array(L * D * B * H);
  const caches: DirCache[] = [];
  let input = Float64Array.from(x), K = cfg.inputSize;
  for (let l = 0; l < L; l++) {
    const out = new Float64Array(B * T * D * H);
    for (let d = 0; d < D; d++) {
      const i = l * D + d, s = `_l${l}${d ? '_reverse' : ''}`;
      const h0d = h0 ? Float64Array.from(h0).subarray(i * B * H, (i + 1) * B * H) : new Float64Array(B * H);
      const c0d = c0 ? Float64Array.from(c0).subarray(i * B * H, (i + 1) * B * H) : new Float64Array(B * H);
      const dc = dirForward(input, K, H, B, T, param(params, `weight_ih${s}`), param(params, `weight_hh${s}`),
        param(params, `bias_ih${s}`), param(params, `bias_hh${s}`), h0d, c0d, d === 1);
      caches.push(dc);
      for (let r = 0; r < B * T; r++) for (let u = 0; u < H; u++) out[r * D * H + d * H + u] = dc.h[r * H + u]!;
      const tLast = d === 0 ? T - 1 : 0;
      for (let b = 0; b < B; b++) {
        for (let u = 0; u < H; u++) {
          hOut[(i * B + b) * H + u] = dc.h[(b * T + tLast) * H + u]!;
          cOut[(i * B + b) * H + u] = dc.c[(b * T + tLast) * H + u]!;
        }
      }
    }
    input = out; K = D * H;
  }
  return { output: input, h: hOut, c: cOut, B, T, caches };
}

// The pair of dirForward. dh [B,T,H] = ∂L/∂h_t from outside the recurrence; dhN, dcN [B,H].
// Accumulates into gwih, gwhh, gb; returns dx [B,T,K], dh0, dc0 [B,H].
function dirBackward(cache: DirCache, H: number, B: number, T: number, wih: ArrayLike<number>, whh: ArrayLike<number>,
                     dhOut: Float64Array, dhN: Float64Array, dcN: Float64Array, reverse: boolean,
                     gwih: Float64Array, gwhh: Float64Array, gb: Float64Array) {
  const K = cache.K, dx = new Float64Array(B * T * K), dh0 = new Float64Array(B * H), dc0 = new Float64Array(B * H);
  const dz = new Float64Array(4 * H);
  for (let b = 0; b < B; b++) {
    const dh = Float64Array.from(dhN.subarray(b * H, b * H + H)), dc = Float64Array.from(dcN.subarray(b * H, b * H + H));
    for (let s = T - 1; s >= 0; s--) {
      const t = reverse ? T - 1 - s : s, row = b * T + t;
      const prevRow = s === 0 ? -1 : b * T + (reverse ? t + 1 : t - 1);
      const z = cache.gates.subarray(row * 4 * H, row * 4 * H + 4 * H);
      const hp = prevRow < 0 ? cache.h0.subarray(b * H, b * H + H) : cache.h.subarray(prevRow * H, prevRow * H + H);
      const cp = prevRow < 0 ? cache.c0.subarray(b * H, b * H + H) : cache.c.subarray(prevRow * H, prevRow * H + H);
      for (let u = 0; u < H; u++) {
        const i = z[u]!, f = z[H + u]!, g = z[2 * H + u]!, o = z[3 * H + u]!;
        const tc = Math.tanh(cache.c[row * H + u]!);
        const dht = dh[u]! + dhOut[row * H + u]!;
        const dct = dc[u]! + dht * o * (1 - tc * tc);
        dz[u] = dct * g * i * (1 - i);
        dz[H + u] = dct * cp[u]! * f * (1 - f);
        dz[2 * H + u] = dct * i * (1 - g * g);
        dz[3 * H + u] = dht * tc * o * (1 - o);
        dc[u] = dct * f;
      }
      dh.fill(0);
      for (let r = 0; r < 4 * H; r++) {
        const d = dz[r]!;
        gb[r] += d;
        for (let k = 0; k < K; k++) { gwih[r * K + k] += d * cache.x[row * K + k]!; dx[row * K + k] += d * wih[r * K + k]!; }
        for (let k = 0; k < H; k++) { gwhh[r * H + k] += d * hp[k]!; dh[k] += d * whh[r * H + k]!; }
      }
    }
    dh0.set(dh, b * H); dc0.set(dc, b * H);
  }
  return { dx, dh0, dc0 };
}

export function refBackward(cfg: RefConfig, params: RefParams, fwd: RefForward, dOutput: ArrayLike<number>,
                            dh?: ArrayLike<number>, dc?: ArrayLike<number>) {
  const H = cfg.hiddenSize, D = cfg.bidirectional ? 2 : 1, L = cfg.numLayers, B = fwd.B, T = fwd.T;
  const grads: Record<string, Float64Array> = {};
  for (const p of refParamNames(cfg)) grads[p.name] = new Float64Array(p.shape.reduce((a, b) => a * b, 1));
  const dh0 = new Float64Array(L * D * B * H), dc0 = new Float64Array(L * D * B * H);
  const dhAll = dh ? Float64Array.from(dh) : new Float64Array(L * D * B * H);
  const dcAll = dc ? Float64Array.from(dc) : new Float64Array(L * D * B * H);
  let dOut = Float64Array.from(dOutput);
  let dx = new Float64Array(0);
  for (let l = L - 1; l >= 0; l--) {
    const K = l === 0 ? cfg.inputSize : D * H;
    dx = new Float64Array(B * T * K);
    for (let d = 0; d < D; d++) {
      const i = l * D + d, s = `_l${l}${d ? '_reverse' : ''}`;
      const dhDir = new Float64Array(B * T * H);
      for (let r = 0; r < B * T; r++) for (let u = 0; u < H; u++) dhDir[r * H + u] = dOut[r * D * H + d * H + u]!;
      const gb = new Float64Array(4 * H);
      const r = dirBackward(fwd.caches[i]!, H, B, T, param(params, `weight_ih${s}`), param(params, `weight_hh${s}`), dhDir,
        dhAll.subarray(i * B * H, (i + 1) * B * H), dcAll.subarray(i * B * H, (i + 1) * B * H), d === 1,
        grads[`weight_ih${s}`]!, grads[`weight_hh${s}`]!, gb);
      grads[`bias_ih${s}`]!.set(gb); grads[`bias_hh${s}`]!.set(gb);
      for (let j = 0; j < dx.length; j++) dx[j] += r.dx[j]!;
      dh0.set(r.dh0, i * B * H); dc0.set(r.dc0, i * B * H);
    }
    dOut = dx;
  }
  return { dx, dh0, dc0, grads };
}

/** One step of one layer/direction, pre- and post-activation gates (for worked examples). */
export function refGates(H: number, K: number, wih: ArrayLike<number>, whh: ArrayLike<number>, bih: ArrayLike<number>,
                         bhh: ArrayLike<number>, x: ArrayLike<number>, hPrev: ArrayLike<number>) {
  const pre = new Float64Array(4 * H);
  for (let r = 0; r < 4 * H; r++) {
    let v = bih[r]! + bhh[r]!;
    for (let k = 0; k < K; k++) v += wih[r * K + k]! * x[k]!;
    for (let k = 0; k < H; k++) v += whh[r * H + k]! * hPrev[k]!;
    pre[r] = v;
  }
  const act = pre.map((v, r) => (r >= 2 * H && r < 3 * H ? Math.tanh(v) : sigmoid(v)));
  const part = (a: Float64Array, q: number) => a.slice(q * H, q * H + H);
  return { pre: { i: part(pre, 0), f: part(pre, 1), g: part(pre, 2), o: part(pre, 3) },
           i: part(act, 0), f: part(act, 1), g: part(act, 2), o: part(act, 3) };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
