// Float64 reference of the int8 arithmetic (assembly/qgemm.ts) and of one step of each recurrent
// cell built on it, for the tests that hold every build's int8 kernels to it.
//
// The integer part is exact: activations are quantized as the kernel does, with each f32 operation
// repeated through Math.fround (inv = Q / max|x|, q = round-half-even(x · inv)), and the sums of
// int8·int16 products are integers. The dequantization and the accumulation into the pre-activation
// are f32 operations in the kernel and are rounded the same way here, so the pre-activations match
// bit for bit; only the gate functions differ (float64 here, the kernel's f32 approximations), by
// well under 1e-6. A step takes h_{t−1} as the kernel produced it (teacher forcing): its
// quantization is then the kernel's exactly, and a rounding tie can never drift the two apart.
import type { CellKind, CellOptions } from './cells64.js';

const f = Math.fround;

/** assembly/qgemm.ts activationRange: the largest |q| with no i32 overflow over K inputs. */
export function activationRange(K: number): number {
  const Kp = K + (K & 1);
  return Math.max(1, Math.min(32767, Math.floor(2147483647 / (127 * Kp))));
}

function roundHalfEven(v: number): number {
  const r = Math.round(v); // half toward +∞
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** One row of f32 values as the kernel quantizes it: integers q and the row scale s (q·s ≈ x). */
export function quantizeRow64(x: ArrayLike<number>): { q: number[]; s: number } {
  const K = x.length,
    Q = activationRange(K);
  let mx = 0;
  for (let k = 0; k < K; k++) mx = Math.max(mx, Math.abs(x[k]!));
  if (!(mx < Infinity)) return { q: new Array<number>(K).fill(0), s: NaN };
  const inv = mx > 0 ? f(Q / mx) : 0;
  return { q: Array.from(x, (v) => roundHalfEven(f(v * inv))), s: f(mx / Q) };
}

/** acc[r] ← f32(acc[r] + f32(f32(Σ_k q_k·W[r,k]) · f32(s · scale[r]))) for rows [r0, r0 + n):
 *  the kernel's int8 product of x with W (integers [R, K]) added into f32 accumulators. */
export function addProduct64(
  acc: number[],
  x: ArrayLike<number>,
  W: ArrayLike<number>,
  scale: ArrayLike<number>,
  K: number,
  r0 = 0,
  n = scale.length,
): void {
  const { q, s } = quantizeRow64(x);
  for (let r = r0; r < r0 + n; r++) {
    let sum = 0;
    for (let k = 0; k < K; k++) sum += q[k]! * W[r * K + k]!;
    acc[r] = f(acc[r]! + f(f(sum) * f(s * scale[r]!)));
  }
}

type P = Record<string, { data: ArrayLike<number> }>;

/** One direction's int8 parameters (suffix '' or '_reverse') of layer 0. */
function dirParams(p: P, reverse: boolean) {
  const s = `_l0${reverse ? '_reverse' : ''}`,
    get = (n: string) => p[`${n}${s}`]?.data;
  return {
    wih: get('weight_ih')!,
    sih: p[`weight_ih${s}_scale`]!.data,
    whh: get('weight_hh')!,
    shh: p[`weight_hh${s}_scale`]!.data,
    bih: get('bias_ih')!,
    bhh: get('bias_hh')!,
    peep: get('weight_peephole'),
  };
}

/**
 * One step of an int8 cell: x [I] and hPrev [H] (f32 values, as the kernel holds them), cPrev [H]
 * (LSTM) -> h, c. The pre-activations are summed in the kernel's order: LSTM, RNN and the reset-before
 * GRU put b_ih + b_hh, then the input product, then the recurrent product(s) into one f32
 * accumulator; the PyTorch GRU keeps b_ih + input and b_hh + recurrent apart (r multiplies the latter).
 */
export function quantStep64(
  kind: CellKind,
  p: P,
  reverse: boolean,
  x: ArrayLike<number>,
  hPrev: ArrayLike<number>,
  cPrev: ArrayLike<number>,
  I: number,
  H: number,
  opts: CellOptions = {},
): { h: number[]; c: number[] } {
  const clip = (v: number) => (opts.clip === undefined ? v : Math.min(Math.max(v, -opts.clip), opts.clip));
  const sig = (v: number) =>
    opts.hard ? Math.min(Math.max(opts.hard.alpha * clip(v) + opts.hard.beta, 0), 1) : 1 / (1 + Math.exp(-clip(v)));
  const tanh = (v: number) => Math.tanh(clip(v));
  const w = dirParams(p, reverse);
  const G = w.sih.length; // stored gate rows
  const h = new Array<number>(H),
    c = new Array<number>(H);
  if (kind === 'gru' && !opts.resetBefore) {
    const xa = Array.from({ length: G }, (_, r) => w.bih[r]!),
      ha = Array.from({ length: G }, (_, r) => w.bhh[r]!);
    addProduct64(xa, x, w.wih, w.sih, I);
    addProduct64(ha, hPrev, w.whh, w.shh, H);
    for (let u = 0; u < H; u++) {
      const r = sig(xa[u]! + ha[u]!),
        z = sig(xa[H + u]! + ha[H + u]!),
        n = tanh(xa[2 * H + u]! + r * ha[2 * H + u]!);
      h[u] = (1 - z) * n + z * hPrev[u]!;
    }
    return { h, c };
  }
  const a = Array.from({ length: G }, (_, r) => f(w.bih[r]! + w.bhh[r]!));
  addProduct64(a, x, w.wih, w.sih, I);
  if (kind === 'gru') {
    // reset before the product: [r, z] rows take h, the n rows take r∘h (quantized on its own)
    const s = new Array<number>(G).fill(0);
    addProduct64(s, hPrev, w.whh, w.shh, H, 0, 2 * H);
    const r = Array.from({ length: H }, (_, u) => sig(a[u]! + s[u]!));
    addProduct64(
      s,
      r.map((rv, u) => f(rv * hPrev[u]!)),
      w.whh,
      w.shh,
      H,
      2 * H,
      H,
    );
    for (let u = 0; u < H; u++) {
      const z = sig(a[H + u]! + s[H + u]!),
        n = tanh(a[2 * H + u]! + s[2 * H + u]!);
      h[u] = (1 - z) * n + z * hPrev[u]!;
    }
    return { h, c };
  }
  addProduct64(a, hPrev, w.whh, w.shh, H);
  if (kind === 'rnn_tanh' || kind === 'rnn_relu') {
    for (let u = 0; u < H; u++) h[u] = kind === 'rnn_relu' ? Math.max(0, clip(a[u]!)) : tanh(a[u]!);
    return { h, c };
  }
  const pe = (q: number, u: number) => (w.peep ? w.peep[q * H + u]! : 0);
  for (let u = 0; u < H; u++) {
    const cifg = kind === 'lstm_cifg';
    const gate = (q: number) => a[(cifg ? q - 1 : q) * H + u]!; // stored rows: i, f, g, o (coupled: f, g, o)
    const fg = sig(gate(1) + pe(1, u) * cPrev[u]!);
    const ig = cifg ? 1 - fg : sig(gate(0) + pe(0, u) * cPrev[u]!);
    const g = tanh(gate(2));
    c[u] = fg * cPrev[u]! + ig * g;
    const o = sig(gate(3) + pe(2, u) * c[u]!);
    h[u] = o * Math.tanh(c[u]!);
  }
  return { h, c };
}

/** Dense with int8 weights: act(b + x·Wᵀ) for one row, the kernel's f32 sum and activation. */
export function quantDense64(
  x: ArrayLike<number>,
  W: ArrayLike<number>,
  scale: ArrayLike<number>,
  b: ArrayLike<number>,
  K: number,
  act: 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax',
): number[] {
  const y = Array.from(b, (v) => f(v));
  addProduct64(y, x, W, scale, K);
  if (act === 'relu') return y.map((v) => Math.max(0, v));
  if (act === 'sigmoid') return y.map((v) => 1 / (1 + Math.exp(-v)));
  if (act === 'tanh') return y.map((v) => Math.tanh(v));
  if (act === 'softmax') {
    const m = Math.max(...y),
      e = y.map((v) => Math.exp(v - m)),
      s = e.reduce((p, q) => p + q, 0);
    return e.map((v) => v / s);
  }
  return y;
}
