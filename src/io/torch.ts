// PyTorch layout <-> packed kernel layout. The only place that knows both.
//
// PyTorch stores a gated recurrent weight as [G·H, K]: gate j's rows are j·H … j·H+H−1.
// The kernels want columns gate-interleaved by blocks of four units (assembly/recurrent.ts):
//   column(slot q, unit u) = (u >> 2)·blockColumns + q·4 + (u & 3)
// where slot q is the kernel's gate position for stored gate j (layout.slots[j]; the coupled
// LSTM stores f, g, o into slots 1, 2, 3 and leaves i's slot zero), and the weight is packed in
// panels of 8 columns, [N/8][K][8] (assembly/gemm.ts).

export const PANEL = 8;

export interface GateLayout {
  /** Kernel gate slot of each stored (PyTorch) gate, in stored order. */
  slots: number[];
  /** Columns per block of four units: 4 × the kernel's gate count. */
  blockColumns: number;
}

function column(layout: GateLayout, j: number, u: number): number {
  return (u >> 2) * layout.blockColumns + layout.slots[j]! * 4 + (u & 3);
}

/** src [G·H, K] row-major -> dst[at …] packed panels. Padding columns are left as they are (zero). */
export function packGateWeight(
  src: ArrayLike<number>,
  layout: GateLayout,
  hidden: number,
  K: number,
  dst: Float32Array,
  at: number,
): void {
  for (let j = 0; j < layout.slots.length; j++) {
    for (let u = 0; u < hidden; u++) {
      const p = column(layout, j, u);
      const base = at + (p >> 3) * K * PANEL + (p & 7);
      const row = (j * hidden + u) * K;
      for (let k = 0; k < K; k++) dst[base + k * PANEL] = src[row + k]!;
    }
  }
}

/** The inverse of packGateWeight: a fresh [G·H, K] array. */
export function unpackGateWeight(
  src: Float32Array,
  at: number,
  layout: GateLayout,
  hidden: number,
  K: number,
): Float32Array {
  const out = new Float32Array(layout.slots.length * hidden * K);
  for (let j = 0; j < layout.slots.length; j++) {
    for (let u = 0; u < hidden; u++) {
      const p = column(layout, j, u);
      const base = at + (p >> 3) * K * PANEL + (p & 7);
      const row = (j * hidden + u) * K;
      for (let k = 0; k < K; k++) out[row + k] = src[base + k * PANEL]!;
    }
  }
  return out;
}

/** src [G·H] -> dst[at …] in gate-interleaved column order. */
export function packGateBias(
  src: ArrayLike<number>,
  layout: GateLayout,
  hidden: number,
  dst: Float32Array,
  at: number,
): void {
  for (let j = 0; j < layout.slots.length; j++) {
    for (let u = 0; u < hidden; u++) dst[at + column(layout, j, u)] = src[j * hidden + u]!;
  }
}

export function unpackGateBias(src: Float32Array, at: number, layout: GateLayout, hidden: number): Float32Array {
  const out = new Float32Array(layout.slots.length * hidden);
  for (let j = 0; j < layout.slots.length; j++) {
    for (let u = 0; u < hidden; u++) out[j * hidden + u] = src[at + column(layout, j, u)]!;
  }
  return out;
}

/** PyTorch's parameter names for layer k of an nn.LSTM/GRU/RNN, in state_dict order. */
export function recurrentParamNames(layer: number, reverse: boolean): [string, string, string, string] {
  const s = `_l${layer}${reverse ? '_reverse' : ''}`;
  return [`weight_ih${s}`, `weight_hh${s}`, `bias_ih${s}`, `bias_hh${s}`];
}
