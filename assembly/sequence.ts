// The sequence drivers shared by every recurrent cell, for one layer in one direction, described by a
// descriptor d (assembly/abi.ts SEQ_*):
//   seqForward   the input projection of every step as one GEMM, then per step the cell's
//                ForwardStep (its recurrent product and gates; assembly/cells.ts), with masking and
//                recurrent dropout handled here;
//   seqBackward  BPTT in one call: per step the cell's BackwardStep, then the weight gradients as
//                one GEMM each over all T·B rows, then ∂L/∂x.
//   seqStep      one time step for a stack of layers (streaming inference).
// Rows: the batch rows [b0, b0 + nb) of every step, so a caller may split a batch across threads
// (seqForward, seqBackwardSteps and seqBackwardInput take a row range; seqBackwardPrepare and
// seqBackwardWeights cover all rows and run once, before and after the row ranges).
// Buffers are time-major [T, B, ·]; the layout of the cache and workspace is assembly/layout.ts.
import {
  SEQ_CELL, SEQ_T, SEQ_B, SEQ_K, SEQ_H, SEQ_REVERSE, SEQ_WIH, SEQ_BIH, SEQ_BHH, SEQ_X, SEQ_LDX, SEQ_H0, SEQ_C0,
  SEQ_Y, SEQ_LDY, SEQ_CACHE, SEQ_SCRATCH, SEQ_LENGTHS, SEQ_DROP_MASK, SEQ_H_MASKED, SEQ_HN, SEQ_CN, SEQ_DY, SEQ_DH,
  SEQ_DC, SEQ_WORK, SEQ_DX, SEQ_GRAD_NORMS, SEQ_BYTES, REGION_PROJ, REGION_STATE, REGION_AUX, REGION_DZ,
  REGION_DZH, REGION_WHH_T, REGION_WIH_T, REGION_DW_SCRATCH, REGION_ROWS,
} from './abi';
import { dI32, dPtr, rowPtr, roundFloats } from './desc';
import { gemmDyW, packTransposed, fillBias1, fillBias2 } from './gemm';
import { inputProduct } from './product';
import { FORWARD_STEP, BACKWARD_STEP, PACK_WHH_T, WEIGHT_GRADIENTS, cellUnits, cellColumns, cellStateWidth, cellAuxWidth,
  cellSplitRecurrent } from './cells';
import { seqRegion } from './layout';

// The step before t in run order (−1 for the first step).
@inline function prevStep(t: i32, T: i32, reverse: i32): i32 {
  return reverse ? (t + 1 < T ? t + 1 : -1) : t - 1;
}

// Products over all T·B rows are issued in calls of at most CALL_ROWS rows. V8 runs a wasm function's
// first call in its baseline tier (Liftoff, about 3× slower) to the end, since it has no on-stack
// replacement, and uses the optimizing tier's code only from the next call on. As one 3200-row call,
// a fresh process's first W2 forward ran its whole input projection in baseline code; in pieces,
// the later pieces run optimized code as soon as the background compile is done. The GEMMs block
// rows by ≤ 64 internally, so pieces of 512 cost nothing in the steady state.
export const CALL_ROWS: i32 = 512;

// p rows [t·B + b0, +nb) of every step = bias + x·W_ihᵀ. Split cells keep b_hh for their recurrent
// projection. The whole batch is a run of GEMMs over T·B rows; a row range is one GEMM per step.
function projectInput(d: usize, proj: usize, N: i32, b0: i32, nb: i32): void {
  let T = dI32(d, SEQ_T), B = dI32(d, SEQ_B), K = dI32(d, SEQ_K), x = dPtr(d, SEQ_X), ldx = dI32(d, SEQ_LDX);
  let bih = dPtr(d, SEQ_BIH), bhh = dPtr(d, SEQ_BHH), split = cellSplitRecurrent(dI32(d, SEQ_CELL));
  let whole = b0 == 0 && nb == B, total = whole ? T * B : T;
  for (let i = 0; i < total; ) {
    let r = whole ? i : i * B + b0, rows = whole ? min(CALL_ROWS, total - i) : nb;
    if (split) fillBias1(rowPtr(proj, r, N), N, rows, N, bih);
    else fillBias2(rowPtr(proj, r, N), N, rows, N, bih, bhh);
    inputProduct(d, rowPtr(x, r, ldx), ldx, rows, K, 0, N, rowPtr(proj, r, N), N);
    i += whole ? rows : 1;
  }
}

export function seqForward(d: usize, b0: i32, nb: i32): void {
  let cell = dI32(d, SEQ_CELL), T = dI32(d, SEQ_T), B = dI32(d, SEQ_B), H = dI32(d, SEQ_H), K = dI32(d, SEQ_K);
  let proj = dPtr(d, SEQ_CACHE) + (<usize>seqRegion(cell, T, B, K, H, REGION_PROJ) << 2);
  projectInput(d, proj, cellColumns(cell, H), b0, nb);
  seqForwardSteps(d, b0, nb);
}

// The recurrence of seqForward for rows [b0, b0 + nb), once the input projection of those rows is in
// the cache (seqForward's, or assembly/ranges.ts seqProjectRows over any split of the T·B rows).
export function seqForwardSteps(d: usize, b0: i32, nb: i32): void {
  let cell = dI32(d, SEQ_CELL), T = dI32(d, SEQ_T), B = dI32(d, SEQ_B), H = dI32(d, SEQ_H), K = dI32(d, SEQ_K);
  let reverse = dI32(d, SEQ_REVERSE), N = cellColumns(cell, H), S = cellStateWidth(cell, H), A = cellAuxWidth(cell, H);
  let cache = dPtr(d, SEQ_CACHE), proj = cache + (<usize>seqRegion(cell, T, B, K, H, REGION_PROJ) << 2);
  let state = cache + (<usize>seqRegion(cell, T, B, K, H, REGION_STATE) << 2);
  let aux = cache + (<usize>seqRegion(cell, T, B, K, H, REGION_AUX) << 2);
  let y = dPtr(d, SEQ_Y), ldy = dI32(d, SEQ_LDY), h0 = dPtr(d, SEQ_H0), c0 = dPtr(d, SEQ_C0);
  let lengths = dPtr(d, SEQ_LENGTHS), mask = dPtr(d, SEQ_DROP_MASK), hMasked = dPtr(d, SEQ_H_MASKED);
  let scratch = rowPtr(dPtr(d, SEQ_SCRATCH), b0, N), step = unchecked(FORWARD_STEP[cell]);
  for (let s = 0; s < T; s++) {
    let t = reverse ? T - 1 - s : s, tp = prevStep(t, T, reverse), r = t * B + b0;
    let hPrev = tp < 0 ? rowPtr(h0, b0, H) : rowPtr(y, tp * B + b0, ldy), ldh = tp < 0 ? H : ldy;
    let sPrev: usize = S == 0 ? 0 : tp < 0 ? rowPtr(c0, b0, S) : rowPtr(state, tp * B + b0, S);
    let rec = hPrev, ldr = ldh;
    if (mask != 0) {
      // variational recurrent dropout: the same mask on h_{t−1} at every step, kept for backward
      rec = rowPtr(hMasked, r, H); ldr = H;
      for (let b = 0; b < nb; b++) {
        let src = rowPtr(hPrev, b, ldh), m = rowPtr(mask, b0 + b, H), dst = rowPtr(rec, b, H);
        for (let u = 0; u < H; u++) {
          let o = <usize>u << 2;
          store<f32>(dst + o, load<f32>(src + o) * load<f32>(m + o));
        }
      }
    }
    let yNow = rowPtr(y, r, ldy), sNow: usize = S == 0 ? 0 : rowPtr(state, r, S), auxNow: usize = A == 0 ? 0 : rowPtr(aux, r, A);
    step(d, rowPtr(proj, r, N), rec, ldr, hPrev, ldh, sPrev, sNow, auxNow, yNow, ldy, scratch, nb);
    if (lengths != 0) {
      // steps past a row's length carry its state unchanged: the same as running it at its own length
      for (let b = 0; b < nb; b++) {
        if (t < load<i32>(lengths + (<usize>(b0 + b) << 2))) continue;
        if (S != 0) memory.copy(rowPtr(sNow, b, S), rowPtr(sPrev, b, S), <usize>S << 2);
        memory.copy(rowPtr(yNow, b, ldy), rowPtr(hPrev, b, ldh), <usize>H << 2);
        memory.fill(rowPtr(proj, r + b, N), 0, <usize>N << 2);
        if (A != 0) memory.fill(rowPtr(auxNow, b, A), 0, <usize>A << 2);
      }
    }
  }
  // the final state: every row's carried state at the last step of the run
  let tLast = reverse ? 0 : T - 1, hn = dPtr(d, SEQ_HN), cn = dPtr(d, SEQ_CN);
  for (let b = b0; b < b0 + nb; b++) {
    if (hn != 0) memory.copy(rowPtr(hn, b, H), rowPtr(y, tLast * B + b, ldy), <usize>H << 2);
    if (cn != 0 && S != 0) memory.copy(rowPtr(cn, b, H), rowPtr(state, tLast * B + b, S), <usize>H << 2);
  }
}

// Before any row range's steps: W_hh transposed for the dh products, ∂ buffers zeroed (padding
// columns get no kernel writes, so their weight gradients stay 0), gradient norms zeroed.
export function seqBackwardPrepare(d: usize): void {
  let cell = dI32(d, SEQ_CELL), T = dI32(d, SEQ_T), B = dI32(d, SEQ_B), K = dI32(d, SEQ_K), H = dI32(d, SEQ_H);
  let work = dPtr(d, SEQ_WORK), N = cellColumns(cell, H), n = <usize>(T * B * N) << 2;
  unchecked(PACK_WHH_T[cell])(d, work + (<usize>seqRegion(cell, T, B, K, H, REGION_WHH_T) << 2));
  memory.fill(work + (<usize>seqRegion(cell, T, B, K, H, REGION_DZ) << 2), 0, n);
  if (cellSplitRecurrent(cell)) memory.fill(work + (<usize>seqRegion(cell, T, B, K, H, REGION_DZH) << 2), 0, n);
  let norms = dPtr(d, SEQ_GRAD_NORMS);
  if (norms != 0) memory.fill(norms, 0, <usize>T << 2);
}

// BPTT for rows [b0, b0 + nb): dy [T,B,ldy], dh/dc [B,·] = ∂L/∂h_n, ∂L/∂c_n in, ∂L/∂h0, ∂L/∂c0 out.
// Padded steps (t ≥ lengths[b]) pass ∂L/∂h and ∂L/∂c straight through.
export function seqBackwardSteps(d: usize, b0: i32, nb: i32): void {
  let cell = dI32(d, SEQ_CELL), T = dI32(d, SEQ_T), B = dI32(d, SEQ_B), K = dI32(d, SEQ_K), H = dI32(d, SEQ_H);
  let reverse = dI32(d, SEQ_REVERSE), N = cellColumns(cell, H), U = cellUnits(cell, H);
  let S = cellStateWidth(cell, H), A = cellAuxWidth(cell, H);
  let cache = dPtr(d, SEQ_CACHE), work = dPtr(d, SEQ_WORK);
  let proj = cache + (<usize>seqRegion(cell, T, B, K, H, REGION_PROJ) << 2);
  let state = cache + (<usize>seqRegion(cell, T, B, K, H, REGION_STATE) << 2);
  let aux = cache + (<usize>seqRegion(cell, T, B, K, H, REGION_AUX) << 2);
  let dzx = work + (<usize>seqRegion(cell, T, B, K, H, REGION_DZ) << 2);
  let dzh = work + (<usize>seqRegion(cell, T, B, K, H, REGION_DZH) << 2);
  let whhT = work + (<usize>seqRegion(cell, T, B, K, H, REGION_WHH_T) << 2);
  let rows = work + (<usize>seqRegion(cell, T, B, K, H, REGION_ROWS) << 2), rowBlock = roundFloats(B * U);
  let dhCarry = rowPtr(rows, b0, H), dcSave = rowPtr(rows + (<usize>rowBlock << 2), b0, U);
  let tmpA = rowPtr(rows + (<usize>(2 * rowBlock) << 2), b0, U), tmpB = rowPtr(rows + (<usize>(3 * rowBlock) << 2), b0, U);
  let y = dPtr(d, SEQ_Y), ldy = dI32(d, SEQ_LDY), dy = dPtr(d, SEQ_DY), h0 = dPtr(d, SEQ_H0), c0 = dPtr(d, SEQ_C0);
  let dh = rowPtr(dPtr(d, SEQ_DH), b0, H), dc = rowPtr(dPtr(d, SEQ_DC), b0, U);
  let lengths = dPtr(d, SEQ_LENGTHS), mask = dPtr(d, SEQ_DROP_MASK), hMasked = dPtr(d, SEQ_H_MASKED);
  let maskRows: usize = mask != 0 ? rowPtr(mask, b0, H) : 0, norms = dPtr(d, SEQ_GRAD_NORMS);
  let step = unchecked(BACKWARD_STEP[cell]);
  for (let s = 0; s < T; s++) {
    let t = reverse ? s : T - 1 - s, tp = prevStep(t, T, reverse), r = t * B + b0;
    let hPrev = tp < 0 ? rowPtr(h0, b0, H) : rowPtr(y, tp * B + b0, ldy), ldh = tp < 0 ? H : ldy;
    let rec = mask != 0 ? rowPtr(hMasked, r, H) : hPrev, ldr = mask != 0 ? H : ldh;
    let sPrev: usize = S == 0 ? 0 : tp < 0 ? rowPtr(c0, b0, S) : rowPtr(state, tp * B + b0, S);
    let dyt = rowPtr(dy, r, ldy), dzt = rowPtr(dzx, r, N), dht = rowPtr(dzh, r, N);
    if (norms != 0) {
      // ‖∂L/∂h_t‖ = ‖dy_t + (the recurrent gradient from t+1)‖, summed here, a mean over the batch
      let sum: f64 = 0;
      for (let b = 0; b < nb; b++) {
        let ss: f64 = 0;
        for (let u = 0; u < H; u++) {
          let v = <f64>load<f32>(rowPtr(dyt, b, ldy) + (<usize>u << 2)) + <f64>load<f32>(rowPtr(dh, b, H) + (<usize>u << 2));
          ss += v * v;
        }
        sum += Math.sqrt(ss);
      }
      let p = norms + (<usize>t << 2);
      store<f32>(p, load<f32>(p) + <f32>(sum / B));
    }
    if (lengths != 0) {
      for (let b = 0; b < nb; b++) {
        if (t < load<i32>(lengths + (<usize>(b0 + b) << 2))) continue;
        for (let u = 0; u < H; u++) {
          let o = <usize>u << 2;
          store<f32>(rowPtr(dhCarry, b, H) + o, load<f32>(rowPtr(dh, b, H) + o) + load<f32>(rowPtr(dyt, b, ldy) + o));
        }
        if (S != 0) memory.copy(rowPtr(dcSave, b, U), rowPtr(dc, b, U), <usize>U << 2);
      }
    }
    step(d, rowPtr(proj, r, N), A == 0 ? 0 : rowPtr(aux, r, A), rec, ldr, hPrev, ldh, sPrev,
      S == 0 ? 0 : rowPtr(state, r, S), dyt, ldy, dh, dc, dzt, dht, whhT, tmpA, tmpB, maskRows, nb);
    if (lengths != 0) {
      for (let b = 0; b < nb; b++) {
        if (t < load<i32>(lengths + (<usize>(b0 + b) << 2))) continue;
        memory.fill(rowPtr(dzt, b, N), 0, <usize>N << 2);
        if (dht != dzt) memory.fill(rowPtr(dht, b, N), 0, <usize>N << 2);
        if (S != 0) memory.copy(rowPtr(dc, b, U), rowPtr(dcSave, b, U), <usize>U << 2);
        memory.copy(rowPtr(dh, b, H), rowPtr(dhCarry, b, H), <usize>H << 2);
      }
    }
  }
}

// After every row range's steps: the weight gradients, one reduction over all T·B rows each.
export function seqBackwardWeights(d: usize): void {
  let cell = dI32(d, SEQ_CELL), T = dI32(d, SEQ_T), B = dI32(d, SEQ_B), K = dI32(d, SEQ_K), H = dI32(d, SEQ_H);
  let cache = dPtr(d, SEQ_CACHE), work = dPtr(d, SEQ_WORK);
  unchecked(WEIGHT_GRADIENTS[cell])(d, work + (<usize>seqRegion(cell, T, B, K, H, REGION_DZ) << 2),
    work + (<usize>seqRegion(cell, T, B, K, H, REGION_DZH) << 2), cache + (<usize>seqRegion(cell, T, B, K, H, REGION_AUX) << 2),
    cellColumns(cell, H), 0, cellColumns(cell, H), work + (<usize>seqRegion(cell, T, B, K, H, REGION_DW_SCRATCH) << 2));
}

// ∂L/∂x for rows [b0, b0 + nb) (accumulated into SEQ_DX; skipped when it is 0).
export function seqBackwardInput(d: usize, b0: i32, nb: i32): void {
  let dx = dPtr(d, SEQ_DX);
  if (dx == 0) return;
  let cell = dI32(d, SEQ_CELL), T = dI32(d, SEQ_T), B = dI32(d, SEQ_B), K = dI32(d, SEQ_K), H = dI32(d, SEQ_H);
  let N = cellColumns(cell, H), work = dPtr(d, SEQ_WORK), ldx = dI32(d, SEQ_LDX);
  let dzx = work + (<usize>seqRegion(cell, T, B, K, H, REGION_DZ) << 2);
  let wihT = work + (<usize>seqRegion(cell, T, B, K, H, REGION_WIH_T) << 2);
  if (b0 == 0) packTransposed(dPtr(d, SEQ_WIH), N, K, wihT);
  if (b0 == 0 && nb == B) {
    for (let r = 0; r < T * B; r += CALL_ROWS) {
      gemmDyW(rowPtr(dzx, r, N), N, min(CALL_ROWS, T * B - r), N, wihT, K, rowPtr(dx, r, ldx), ldx);
    }
  } else for (let t = 0; t < T; t++) gemmDyW(rowPtr(dzx, t * B + b0, N), N, nb, N, wihT, K, rowPtr(dx, t * B + b0, ldx), ldx);
}

// The whole backward of one layer and direction, for the whole batch.
export function seqBackward(d: usize): void {
  let B = dI32(d, SEQ_B);
  seqBackwardPrepare(d);
  seqBackwardSteps(d, 0, B);
  seqBackwardWeights(d);
  seqBackwardInput(d, 0, B);
}

// One time step for `layers` stacked layers whose descriptors sit SEQ_BYTES apart from d. Each has
// T = 1: SEQ_X the step's input [B, K] (layer l > 0: layer l−1's h), SEQ_H0 the carried h [B, H] and
// SEQ_C0 the carried c [B, U] (both updated in place), SEQ_CACHE a one-step cache, SEQ_SCRATCH [B, N].
export function seqStep(d: usize, layers: i32): void {
  for (let l = 0; l < layers; l++) {
    let dl = d + <usize>(l * SEQ_BYTES);
    let cell = dI32(dl, SEQ_CELL), B = dI32(dl, SEQ_B), H = dI32(dl, SEQ_H), K = dI32(dl, SEQ_K);
    let N = cellColumns(cell, H), S = cellStateWidth(cell, H), A = cellAuxWidth(cell, H), cache = dPtr(dl, SEQ_CACHE);
    let proj = cache + (<usize>seqRegion(cell, 1, B, K, H, REGION_PROJ) << 2);
    let aux = cache + (<usize>seqRegion(cell, 1, B, K, H, REGION_AUX) << 2);
    let h = dPtr(dl, SEQ_H0), c = dPtr(dl, SEQ_C0);
    projectInput(dl, proj, N, 0, B);
    unchecked(FORWARD_STEP[cell])(dl, proj, h, H, h, H, S == 0 ? 0 : c, S == 0 ? 0 : c, A == 0 ? 0 : aux, h, H,
      dPtr(dl, SEQ_SCRATCH), B);
  }
}
