// Parts of a sequence call, for the host's thread pool (src/threads/): each entry computes exactly what
// the whole-batch driver (assembly/sequence.ts) computes for its part, so splitting a call between
// threads changes no arithmetic when row parts start on multiples of 4 (the GEMM row tile; a row's sum
// order is the same in every 4-row tile, and only the last part has a tail) and column parts on
// multiples of 8 (a panel). The other parts of a split call are the drivers' own row-range entries
// (seqForwardSteps, seqBackwardSteps).
//
// The rows of the T·B-row products are time-major: row r = t·B + b.
import {
  SEQ_CELL, SEQ_T, SEQ_B, SEQ_K, SEQ_H, SEQ_WIH, SEQ_BIH, SEQ_BHH, SEQ_X, SEQ_LDX, SEQ_CACHE, SEQ_WORK, SEQ_DX, SEQ_BYTES,
  SEQ_GRAD_NORMS, REGION_PROJ, REGION_AUX, REGION_DZ, REGION_DZH, REGION_WHH_T, REGION_WIH_T,
} from './abi';
import { dI32, dPtr, rowPtr } from './desc';
import { gemmDyW, packTransposed, fillBias1, fillBias2 } from './gemm';
import { inputProduct } from './product';
import { WEIGHT_GRADIENTS, PACK_WHH_T, cellColumns, cellSplitRecurrent } from './cells';
import { seqRegion } from './layout';
import { CALL_ROWS } from './sequence';
import { sumSquares } from './optim';

@inline function region(d: usize, base: usize, which: i32): usize {
  let cell = dI32(d, SEQ_CELL);
  return base + (<usize>seqRegion(cell, dI32(d, SEQ_T), dI32(d, SEQ_B), dI32(d, SEQ_K), dI32(d, SEQ_H), which) << 2);
}

// Rows [r0, r0 + nr) of the input projection: p = bias + x·W_ihᵀ (what seqForward does first, for all
// T·B rows), in calls of at most CALL_ROWS rows as there, in the layer's weight dtype (product.ts; int8
// quantizes per row into SEQ_QSCRATCH, so parts of an int8 layer need a descriptor each).
export function seqProjectRows(d: usize, r0: i32, nr: i32): void {
  let K = dI32(d, SEQ_K), N = cellColumns(dI32(d, SEQ_CELL), dI32(d, SEQ_H)), x = dPtr(d, SEQ_X), ldx = dI32(d, SEQ_LDX);
  let bih = dPtr(d, SEQ_BIH), bhh = dPtr(d, SEQ_BHH), split = cellSplitRecurrent(dI32(d, SEQ_CELL));
  let proj = region(d, dPtr(d, SEQ_CACHE), REGION_PROJ);
  for (let r = r0; r < r0 + nr; r += CALL_ROWS) {
    let rows = min(CALL_ROWS, r0 + nr - r);
    if (split) fillBias1(rowPtr(proj, r, N), N, rows, N, bih);
    else fillBias2(rowPtr(proj, r, N), N, rows, N, bih, bhh);
    inputProduct(d, rowPtr(x, r, ldx), ldx, rows, K, 0, N, rowPtr(proj, r, N), N);
  }
}

// seqBackwardPrepare in parts: W_hh transposed for the dh products and the gradient norms zeroed,
// once (seqBackwardPackRecurrent) ...
export function seqBackwardPackRecurrent(d: usize): void {
  let cell = dI32(d, SEQ_CELL);
  unchecked(PACK_WHH_T[cell])(d, region(d, dPtr(d, SEQ_WORK), REGION_WHH_T));
  let norms = dPtr(d, SEQ_GRAD_NORMS);
  if (norms != 0) memory.fill(norms, 0, <usize>dI32(d, SEQ_T) << 2);
}

// ... and the ∂ buffers zeroed by rows of T·B (all of them before any row range's steps).
export function seqBackwardZeroRows(d: usize, r0: i32, nr: i32): void {
  let cell = dI32(d, SEQ_CELL), N = cellColumns(cell, dI32(d, SEQ_H)), work = dPtr(d, SEQ_WORK);
  memory.fill(rowPtr(region(d, work, REGION_DZ), r0, N), 0, <usize>(nr * N) << 2);
  if (cellSplitRecurrent(cell)) memory.fill(rowPtr(region(d, work, REGION_DZH), r0, N), 0, <usize>(nr * N) << 2);
}

// W_ih transposed into the workspace, once per backward, before any seqBackwardInputRows.
export function seqBackwardPackInput(d: usize): void {
  if (dPtr(d, SEQ_DX) == 0) return;
  packTransposed(dPtr(d, SEQ_WIH), cellColumns(dI32(d, SEQ_CELL), dI32(d, SEQ_H)), dI32(d, SEQ_K),
    region(d, dPtr(d, SEQ_WORK), REGION_WIH_T));
}

// ∂L/∂x rows [r0, r0 + nr) += dz·W_ih for `count` descriptors SEQ_BYTES apart from d (a layer's
// directions, which share SEQ_DX), added in that order as seqBackward adds them one after the other.
export function seqBackwardInputRows(d: usize, count: i32, r0: i32, nr: i32): void {
  for (let i = 0; i < count; i++) {
    let di = d + <usize>(i * SEQ_BYTES), dx = dPtr(di, SEQ_DX);
    if (dx == 0) continue;
    let N = cellColumns(dI32(di, SEQ_CELL), dI32(di, SEQ_H)), K = dI32(di, SEQ_K), ldx = dI32(di, SEQ_LDX);
    let work = dPtr(di, SEQ_WORK), dz = region(di, work, REGION_DZ), wihT = region(di, work, REGION_WIH_T);
    for (let r = r0; r < r0 + nr; r += CALL_ROWS) {
      gemmDyW(rowPtr(dz, r, N), N, min(CALL_ROWS, r0 + nr - r), N, wihT, K, rowPtr(dx, r, ldx), ldx);
    }
  }
}

// The weight and bias gradients of the columns [n0, n1) (multiples of 8) after every row range's
// steps. scratch: gemmDyTXScratchFloats(N, max(K, H)) floats of this part's own.
export function seqBackwardWeightColumns(d: usize, n0: i32, n1: i32, scratch: usize): void {
  let cell = dI32(d, SEQ_CELL), work = dPtr(d, SEQ_WORK);
  unchecked(WEIGHT_GRADIENTS[cell])(d, region(d, work, REGION_DZ), region(d, work, REGION_DZH),
    region(d, dPtr(d, SEQ_CACHE), REGION_AUX), cellColumns(cell, dI32(d, SEQ_H)), n0, n1, scratch);
}

// transpose3 (gemm.ts) for a ∈ [a0, a0 + na) only: dst [B, A, F] = src [A, B, F], rows of that range.
export function transpose3Range(src: usize, A: i32, B: i32, F: i32, dst: usize, a0: i32, na: i32): void {
  let row = <usize>F << 2;
  for (let a = a0; a < a0 + na; a++) {
    for (let b = 0; b < B; b++) {
      memory.copy(dst + (<usize>b * <usize>A + <usize>a) * row, src + (<usize>a * <usize>B + <usize>b) * row, row);
    }
  }
}

// Σ g² over [n] stored as an f64 at out: a part of the global gradient norm.
export function sumSquaresTo(g: usize, n: i32, out: usize): void {
  store<f64>(out, sumSquares(g, n));
}
