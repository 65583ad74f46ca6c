// Float64 forward references written from Keras' own formulas and weight layout (kernel
// [in, G·H], recurrent_kernel [H, G·H], gate column blocks LSTM i,f,c,o and GRU z,r,h), with no
// PyTorch layout in between: they check the Keras -> PyTorch conversion from the other side.
// Semantics follow Keras/tfjs: go_backwards emits outputs in processing order (last input step
// first); a masked step keeps the state and repeats the previous output.
export type KerasCell = 'LSTM' | 'GRU' | 'SimpleRNN';

export interface KerasRnn64 {
  cell: KerasCell;
  units: number;
  kernel: ArrayLike<number>; // [in, G·H]
  recurrentKernel: ArrayLike<number>; // [H, G·H]
  bias?: ArrayLike<number>; // [G·H], or [2, 3H] for GRU resetAfter
  /** hard_sigmoid slope (0.2 tfjs/Keras 2, 1/6 Keras 3), or 'sigmoid'. */
  recurrentActivation: 'sigmoid' | number;
  activation?: 'tanh' | 'relu';
  resetAfter?: boolean;
  goBackwards?: boolean;
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** x [B, T, I] -> { sequences [B, T, H], last [B, H] }; `lengths` masks trailing steps. */
export function kerasRnn64(
  p: KerasRnn64,
  x: ArrayLike<number>,
  B: number,
  T: number,
  I: number,
  lengths?: ArrayLike<number>,
): { sequences: Float64Array; last: Float64Array } {
  const H = p.units,
    G = p.cell === 'LSTM' ? 4 : p.cell === 'GRU' ? 3 : 1,
    N = G * H;
  const ra =
    p.recurrentActivation === 'sigmoid'
      ? sigmoid
      : (v: number) => Math.min(1, Math.max(0, (p.recurrentActivation as number) * v + 0.5));
  const act = p.activation === 'relu' ? (v: number) => Math.max(0, v) : Math.tanh;
  const bias = (row: number, j: number): number => (p.bias ? p.bias[row * N + j]! : 0);
  const sequences = new Float64Array(B * T * H),
    last = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    let h = new Float64Array(H),
      c = new Float64Array(H),
      out = new Float64Array(H);
    for (let k = 0; k < T; k++) {
      const t = p.goBackwards ? T - 1 - k : k;
      const real = lengths === undefined || t < lengths[b]!;
      if (real) {
        // xz = x·kernel (+ input bias), hz = h·recurrent_kernel (+ recurrent bias for resetAfter)
        const xz = new Float64Array(N),
          hz = new Float64Array(N);
        for (let j = 0; j < N; j++) {
          let s = bias(0, j);
          for (let i = 0; i < I; i++) s += x[(b * T + t) * I + i]! * p.kernel[i * N + j]!;
          xz[j] = s;
          let r = p.resetAfter ? bias(1, j) : 0;
          for (let u = 0; u < H; u++) r += h[u]! * p.recurrentKernel[u * N + j]!;
          hz[j] = r;
        }
        const hNew = new Float64Array(H),
          cNew = new Float64Array(H);
        for (let u = 0; u < H; u++) {
          if (p.cell === 'SimpleRNN') hNew[u] = act(xz[u]! + hz[u]!);
          else if (p.cell === 'LSTM') {
            const i = ra(xz[u]! + hz[u]!),
              f = ra(xz[H + u]! + hz[H + u]!),
              g = Math.tanh(xz[2 * H + u]! + hz[2 * H + u]!),
              o = ra(xz[3 * H + u]! + hz[3 * H + u]!);
            cNew[u] = f * c[u]! + i * g;
            hNew[u] = o * Math.tanh(cNew[u]!);
          } else {
            const z = ra(xz[u]! + hz[u]!),
              r = ra(xz[H + u]! + hz[H + u]!);
            let cand: number;
            if (p.resetAfter) cand = Math.tanh(xz[2 * H + u]! + r * hz[2 * H + u]!);
            else {
              // reset before the recurrent product: (r∘h)·U_h, r of every unit v
              let s = xz[2 * H + u]!;
              for (let v = 0; v < H; v++)
                s += ra(xz[H + v]! + hz[H + v]!) * h[v]! * p.recurrentKernel[v * N + 2 * H + u]!;
              cand = Math.tanh(s);
            }
            hNew[u] = z * h[u]! + (1 - z) * cand;
          }
        }
        h = hNew;
        c = cNew;
        out = hNew;
      }
      sequences.set(out, (b * T + k) * H);
    }
    last.set(out, b * H);
  }
  return { sequences, last };
}

/** x [M, K] · kernel [K, O] + bias, then the activation. */
export function kerasDense64(
  x: ArrayLike<number>,
  kernel: ArrayLike<number>,
  bias: ArrayLike<number> | undefined,
  M: number,
  K: number,
  O: number,
  activation: 'linear' | 'softmax' | 'tanh' = 'linear',
): Float64Array {
  const y = new Float64Array(M * O);
  for (let m = 0; m < M; m++) {
    for (let o = 0; o < O; o++) {
      let s = bias ? bias[o]! : 0;
      for (let k = 0; k < K; k++) s += x[m * K + k]! * kernel[k * O + o]!;
      y[m * O + o] = activation === 'tanh' ? Math.tanh(s) : s;
    }
    if (activation === 'softmax') {
      let mx = Number.NEGATIVE_INFINITY,
        sum = 0;
      for (let o = 0; o < O; o++) mx = Math.max(mx, y[m * O + o]!);
      for (let o = 0; o < O; o++) sum += Math.exp(y[m * O + o]! - mx);
      for (let o = 0; o < O; o++) y[m * O + o] = Math.exp(y[m * O + o]! - mx) / sum;
    }
  }
  return y;
}
