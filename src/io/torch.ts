// PyTorch layout <-> packed kernel layout. The only place that knows both.
//
// PyTorch stores a gated recurrent weight as [G·H, K]: gate q's rows are q·H … q·H+H−1.
// The kernels want columns gate-interleaved by blocks of four units (assembly/lstm.ts):
//   column(q, u) = (u >> 2)·(4·G) + q·4 + (u & 3)
// and the weight packed in panels of 8 columns, [N/8][K][8] (assembly/gemm.ts).

export const PANEL = 8;

/** Units rounded up to the SIMD width. */
export function padUnits(hidden: number): number {
  return (hidden + 3) & ~3;
}

/** Packed column of gate q, unit u, for `gates` gates per unit. */
export function gateColumn(q: number, u: number, gates: number): number {
  return (u >> 2) * (4 * gates) + q * 4 + (u & 3);
}

/** Floats in a packed weight of `gates`·H rows (padded) by K. */
export function packedWeightFloats(gates: number, hidden: number, K: number): number {
  return gates * padUnits(hidden) * K;
}

/** src [G·H, K] row-major -> dst[at …] packed panels. Padding columns are left as they are (zero). */
export function packGateWeight(src: ArrayLike<number>, gates: number, hidden: number, K: number,
                               dst: Float32Array, at: number): void {
  for (let q = 0; q < gates; q++) {
    for (let u = 0; u < hidden; u++) {
      const p = gateColumn(q, u, gates);
      const base = at + (p >> 3) * K * PANEL + (p & 7);
      const row = (q * hidden + u) * K;
      for (let k = 0; k < K; k++) dst[base + k * PANEL] = src[row + k]!;
    }
  }
}

/** The inverse of packGateWeight: a fresh [G·H, K] array. */
export function unpackGateWeight(src: Float32Array, at: number, gates: number, hidden: number, K: number): Float32Array {
  const out = new Float32Array(gates * hidden * K);
  for (let q = 0; q < gates; q++) {
    for (let u = 0; u < hidden; u++) {
      const p = gateColumn(q, u, gates);
      const base = at + (p >> 3) * K * PANEL + (p & 7);
      const row = (q * hidden + u) * K;
      for (let k = 0; k < K; k++) out[row + k] = src[base + k * PANEL]!;
    }
  }
  return out;
}

/** src [G·H] -> dst[at …] in gate-interleaved column order. */
export function packGateBias(src: ArrayLike<number>, gates: number, hidden: number, dst: Float32Array, at: number): void {
  for (let q = 0; q < gates; q++) {
    for (let u = 0; u < hidden; u++) dst[at + gateColumn(q, u, gates)] = src[q * hidden + u]!;
  }
}

export function unpackGateBias(src: Float32Array, at: number, gates: number, hidden: number): Float32Array {
  const out = new Float32Array(gates * hidden);
  for (let q = 0; q < gates; q++) {
    for (let u = 0; u < hidden; u++) out[q * hidden + u] = src[at + gateColumn(q, u, gates)]!;
  }
  return out;
}

/** PyTorch's parameter names for layer k of an nn.LSTM/GRU/RNN, in state_dict order. */
export function recurrentParamNames(layer: number, reverse: boolean): [string, string, string, string] {
  const s = `_l${layer}${reverse ? '_reverse' : ''}`;
  return [`weight_ih${s}`, `weight_hh${s}`, `bias_ih${s}`, `bias_hh${s}`];
}
