// Float64 forward references of the recurrent variants, one layer, in PyTorch's layout:
// GRU (nn.GRU), plain RNN (nn.RNN, tanh/relu), LSTM with peephole (ONNX P: i, f see c_{t−1}; o sees
// c_t) and the coupled input-forget LSTM (stored gates f, g, o; i = 1 − f). Gradients of these are
// taken by central finite differences in the tests, so only the forward is written out.
// Options (CellOptions) as other frameworks define them: hard-sigmoid gates (Keras/tfjs, ONNX
// HardSigmoid), a clip of every gate pre-activation (ONNX `clip`), the GRU with the reset applied
// before the recurrent product (Keras reset_after=False, ONNX linear_before_reset=0), and a single
// direction run backwards (ONNX direction=reverse, outputs aligned with the input steps).
export type CellKind = 'lstm' | 'lstm_peephole' | 'lstm_cifg' | 'gru' | 'rnn_tanh' | 'rnn_relu';
type P = Record<string, { data: ArrayLike<number> }>;

export interface CellOptions {
  hard?: { alpha: number; beta: number };
  clip?: number;
  resetBefore?: boolean;
  goBackwards?: boolean;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** x [B,T,I] -> output [B,T,D·H], h [D,B,H], c [D,B,H] (LSTM kinds). Bidirectional when `reverse`
 *  params (suffix _reverse) exist in p. */
export function cellForward64(
  kind: CellKind,
  p: P,
  x: ArrayLike<number>,
  B: number,
  T: number,
  I: number,
  H: number,
  h0?: ArrayLike<number>,
  c0?: ArrayLike<number>,
  opts: CellOptions = {},
) {
  const clip = (v: number) => (opts.clip === undefined ? v : Math.min(Math.max(v, -opts.clip), opts.clip));
  const sig = (v: number) =>
    opts.hard ? Math.min(Math.max(opts.hard.alpha * clip(v) + opts.hard.beta, 0), 1) : sigmoid(clip(v));
  const tanh = (v: number) => Math.tanh(clip(v));
  const D = p.weight_ih_l0_reverse ? 2 : 1;
  const out = new Float64Array(B * T * D * H),
    hN = new Float64Array(D * B * H),
    cN = new Float64Array(D * B * H);
  for (let d = 0; d < D; d++) {
    const s = `_l0${d ? '_reverse' : ''}`;
    const wih = p[`weight_ih${s}`]!.data,
      whh = p[`weight_hh${s}`]!.data,
      bih = p[`bias_ih${s}`]!.data,
      bhh = p[`bias_hh${s}`]!.data;
    const peep = p[`weight_peephole${s}`]?.data;
    const G = kind === 'gru' || kind === 'lstm_cifg' ? 3 : kind.startsWith('rnn') ? 1 : 4;
    for (let b = 0; b < B; b++) {
      let h = Array.from({ length: H }, (_, u) => (h0 ? h0[(d * B + b) * H + u]! : 0));
      let c = Array.from({ length: H }, (_, u) => (c0 ? c0[(d * B + b) * H + u]! : 0));
      for (let st = 0; st < T; st++) {
        const t = d || opts.goBackwards ? T - 1 - st : st;
        const xi = (r: number) => {
          let v = bih[r]!;
          for (let k = 0; k < I; k++) v += wih[r * I + k]! * x[(b * T + t) * I + k]!;
          return v;
        };
        const hh = (r: number) => {
          let v = bhh[r]!;
          for (let k = 0; k < H; k++) v += whh[r * H + k]! * h[k]!;
          return v;
        };
        const nh = new Array<number>(H),
          nc = new Array<number>(H);
        for (let u = 0; u < H; u++) {
          const a = (q: number) => xi(q * H + u) + hh(q * H + u);
          if (kind === 'gru' && opts.resetBefore) {
            const r = (q: number) => sig(xi(q) + hh(q));
            // W_hn·(r∘h) + b_hn, with r of every unit
            let rh = bhh[2 * H + u]!;
            for (let k = 0; k < H; k++) rh += whh[(2 * H + u) * H + k]! * r(k) * h[k]!;
            const z = sig(a(1)),
              n = tanh(xi(2 * H + u) + rh);
            nh[u] = (1 - z) * n + z * h[u]!;
          } else if (kind === 'gru') {
            const r = sig(a(0)),
              z = sig(a(1)),
              n = tanh(xi(2 * H + u) + r * hh(2 * H + u));
            nh[u] = (1 - z) * n + z * h[u]!;
          } else if (kind === 'rnn_tanh' || kind === 'rnn_relu') {
            nh[u] = kind === 'rnn_tanh' ? tanh(a(0)) : Math.max(0, clip(a(0)));
          } else {
            const pi = peep ? peep[u]! : 0,
              pf = peep ? peep[H + u]! : 0,
              po = peep ? peep[2 * H + u]! : 0;
            let i: number, f: number, g: number, oPre: number;
            if (kind === 'lstm_cifg') {
              f = sig(a(0));
              i = 1 - f;
              g = tanh(a(1));
              oPre = a(2);
            } else {
              i = sig(a(0) + pi * c[u]!);
              f = sig(a(1) + pf * c[u]!);
              g = tanh(a(2));
              oPre = a(3);
            }
            nc[u] = f * c[u]! + i * g;
            const o = sig(oPre + po * nc[u]!);
            nh[u] = o * Math.tanh(nc[u]!);
          }
          void G;
        }
        h = nh;
        if (!kind.startsWith('rnn') && kind !== 'gru') c = nc;
        for (let u = 0; u < H; u++) out[(b * T + t) * D * H + d * H + u] = h[u]!;
      }
      for (let u = 0; u < H; u++) {
        hN[(d * B + b) * H + u] = h[u]!;
        cN[(d * B + b) * H + u] = c[u]!;
      }
    }
  }
  return { output: out, h: hN, c: cN };
}
