// Weight gradients of one layer and direction, after BPTT has filled dz (and dzh): one reduction over
// all T·B rows per weight, so a weight gradient is one GEMM call, not T outer products. Over a range
// of columns [n0, n1) (multiples of 8), so the columns can be split between threads.
import {
  SEQ_T, SEQ_B, SEQ_K, SEQ_H, SEQ_REVERSE, SEQ_X, SEQ_LDX, SEQ_H0, SEQ_Y, SEQ_LDY, SEQ_H_MASKED, SEQ_DROP_MASK,
  SEQ_GWIH, SEQ_GWHH, SEQ_GBIH, SEQ_GBHH,
} from './abi';
import { dI32, dPtr, rowPtr } from './desc';
import { gemmDyTX as gemmDyTXOnce, colSum, panelOffset, DW_ROW_BLOCK } from './gemm';

// dW += dYᵀ·X over R rows, issued as calls of at most 4 row blocks (see CALL_ROWS in sequence.ts: a
// first call runs in V8's baseline tier to its end). Whole blocks per call keep the sums bit-identical.
function gemmDyTX(dY: usize, ldy: i32, X: usize, ldx: i32, R: i32, N: i32, K: i32, dWp: usize, scratch: usize): void {
  let chunk = 4 * DW_ROW_BLOCK;
  for (let r = 0; r < R; r += chunk) {
    gemmDyTXOnce(rowPtr(dY, r, ldy), ldy, rowPtr(X, r, ldx), ldx, min(chunk, R - r), N, K, dWp, scratch);
  }
}

// gW_ih[n0, n1) += dzᵀ·x, gb_ih[n0, n1) += Σ dz.   dz [T·B, N], x [T·B, ldx]
export function inputWeightGradients(d: usize, dz: usize, N: i32, n0: i32, n1: i32, scratch: usize): void {
  let rows = dI32(d, SEQ_T) * dI32(d, SEQ_B), K = dI32(d, SEQ_K), cols = dz + (<usize>n0 << 2);
  gemmDyTX(cols, N, dPtr(d, SEQ_X), dI32(d, SEQ_LDX), rows, n1 - n0, K, dPtr(d, SEQ_GWIH) + panelOffset(n0, K), scratch);
  colSum(cols, N, rows, n1 - n0, dPtr(d, SEQ_GBIH) + (<usize>n0 << 2));
}

// gW_hh[n0, n1) += dzhᵀ·h_{t−1}, gb_hh[n0, n1) += Σ dzh. h_{t−1} of step t is the previous step's output
// (one GEMM over the shifted rows) except at the run's first step, where it is h0; under recurrent
// dropout it is the masked copy forward kept, row for row.
export function recurrentWeightGradients(d: usize, dzh: usize, N: i32, n0: i32, n1: i32, scratch: usize): void {
  let T = dI32(d, SEQ_T), B = dI32(d, SEQ_B), H = dI32(d, SEQ_H), rows = T * B, reverse = dI32(d, SEQ_REVERSE);
  let cols = dzh + (<usize>n0 << 2), gw = dPtr(d, SEQ_GWHH) + panelOffset(n0, H), n = n1 - n0;
  if (dPtr(d, SEQ_DROP_MASK) != 0) {
    gemmDyTX(cols, N, dPtr(d, SEQ_H_MASKED), H, rows, n, H, gw, scratch);
  } else {
    let y = dPtr(d, SEQ_Y), ldy = dI32(d, SEQ_LDY);
    let firstT = reverse ? T - 1 : 0;
    let shifted = reverse ? cols : rowPtr(cols, B, N), hShifted = reverse ? rowPtr(y, B, ldy) : y;
    gemmDyTX(shifted, N, hShifted, ldy, rows - B, n, H, gw, scratch);
    gemmDyTX(rowPtr(cols, firstT * B, N), N, dPtr(d, SEQ_H0), H, B, n, H, gw, scratch);
  }
  colSum(cols, N, rows, n, dPtr(d, SEQ_GBHH) + (<usize>n0 << 2));
}

// The plain case (a WeightGradients, assembly/cells.ts): both weights over the columns [n0, n1).
export function weightGradients(d: usize, dz: usize, dzh: usize, aux: usize, N: i32, n0: i32, n1: i32,
                                scratch: usize): void {
  inputWeightGradients(d, dz, N, n0, n1, scratch);
  recurrentWeightGradients(d, dzh, N, n0, n1, scratch);
}
