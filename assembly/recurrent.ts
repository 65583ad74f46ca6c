// The sequence drivers shared by every recurrent cell: forward over a whole sequence in one
// call (input projection as one GEMM, then per step one recurrent GEMM and the cell's fused gate
// kernel), and BPTT in one call (per step the gate-gradient kernel and one dh GEMM; the weight
// gradients as one GEMM each over all T·B rows). One layer, one direction per call.
//
// Cells: LSTM (i, f, g, o; variants: peephole, coupled input-forget), GRU (r, z, n), plain RNN
// (tanh or relu). Shapes: T steps, B rows, K inputs, H units, U = H padded (LSTM to 4, GRU and RNN
// to 8, so the column count N is a multiple of the GEMM's 8-column panels), N projection columns
// (LSTM 4·U, GRU 3·U, RNN U), time-major buffers [T, B, ·].
//
// cache, per cell (what forward saves for backward):
//   LSTM  proj [T,B,N] (gate activations) | cells [T,B,U]
//   GRU   proj [T,B,N] (input projection)  | gates [T,B,4·U] (r, z, n, h_n)
//   RNN   proj [T,B,N] (activations)
// work (backward scratch): dzx [T,B,N] | dzh [T,B,N] (GRU) | whhT | wihT | dW packing | mask carries
import { gemmXWt, gemmDyW, gemmDyTX, gemmDyTXScratchFloats, colSum, packTransposed, fillBias2 } from './gemm';
import { lstmGatesForward, lstmGatesBackward, lstmGatesForwardX, lstmGatesBackwardX } from './lstm';
import { gruGatesForward, gruGatesBackward } from './gru';
import { rnnGatesForward, rnnGatesBackward } from './rnn';

export const CELL_LSTM: i32 = 0;
export const CELL_GRU: i32 = 1;
export const CELL_RNN_TANH: i32 = 2;
export const CELL_RNN_RELU: i32 = 3;
export const FLAG_PEEPHOLE: i32 = 1;
export const FLAG_CIFG: i32 = 2;

export function cellUnits(cell: i32, H: i32): i32 {
  return cell == CELL_LSTM ? (H + 3) & ~3 : (H + 7) & ~7;
}

export function cellColumns(cell: i32, H: i32): i32 {
  let U = cellUnits(cell, H);
  return cell == CELL_LSTM ? 4 * U : cell == CELL_GRU ? 3 * U : U;
}

export function cacheFloats(cell: i32, T: i32, B: i32, H: i32): i32 {
  let U = cellUnits(cell, H), N = cellColumns(cell, H), TB = T * B;
  return TB * N + (cell == CELL_LSTM ? TB * U : cell == CELL_GRU ? TB * 4 * U : 0);
}

/** Forward scratch: the GRU's recurrent projection for one step. */
export function forwardScratchFloats(cell: i32, B: i32, H: i32): i32 {
  return cell == CELL_GRU ? B * cellColumns(cell, H) : 0;
}

const r16 = (n: i32): i32 => (n + 15) & ~15;

export function workFloats(cell: i32, T: i32, B: i32, K: i32, H: i32): i32 {
  let N = cellColumns(cell, H), U = cellUnits(cell, H), TB = T * B;
  return r16(TB * N) + (cell == CELL_GRU ? r16(TB * N) : 0) + r16(((H + 7) & ~7) * N) + r16(((K + 7) & ~7) * N)
    + r16(gemmDyTXScratchFloats(N, max(K, H))) + r16(B * H) + r16(B * U) + r16(B * H);
}

@inline function rowPtr(base: usize, row: i32, ld: i32): usize { return base + (<usize>(row * ld) << 2); }

// x [T,B,K] · wih packed [N/8][K][8], whh packed [N/8][H][8], bih/bhh [N], h0 [B,H], c0 [B,U]
// -> cache (above), y [T,B,ldy] (h_t in columns 0..H−1).
// reverse = 1 runs t = T−1 … 0 (the backward direction of a bidirectional layer).
// lengths [B] i32 (0 = all T): steps t ≥ lengths[b] are padding; row b carries its state through
// them unchanged, which equals running each sequence at its own length (both directions).
// recMask [B,H] (0 = none): variational recurrent dropout, the same mask on h_{t−1} at every step;
// hMasked [T,B,H] keeps h_{t−1}∘mask per step for backward. extra: the peephole weights [3·U].
export function seqForward(cell: i32, flags: i32, x: usize, K: i32, wih: usize, whh: usize, bih: usize, bhh: usize,
                           extra: usize, h0: usize, c0: usize, cache: usize, scratch: usize, y: usize, ldy: i32,
                           T: i32, B: i32, H: i32, reverse: i32, lengths: usize, recMask: usize, hMasked: usize): void {
  let U = cellUnits(cell, H), N = cellColumns(cell, H), rows = T * B;
  let proj = cache, second = cache + (<usize>(rows * N) << 2);       // LSTM cells / GRU gates
  let W2 = cell == CELL_LSTM ? U : 4 * U;                              // row width of `second`
  // The input projection for every step at once: one GEMM with M = T·B. The GRU keeps b_hh for
  // its recurrent projection (r gates only that part).
  if (cell == CELL_GRU) fillBiasOne(proj, N, rows, N, bih);
  else fillBias2(proj, N, rows, N, bih, bhh);
  gemmXWt(x, K, rows, K, wih, N, proj, N);
  let relu = cell == CELL_RNN_RELU ? 1 : 0;
  for (let s = 0; s < T; s++) {
    let t = reverse ? T - 1 - s : s, tp = reverse ? t + 1 : t - 1;
    let p = rowPtr(proj, t * B, N);
    let hPrev = s == 0 ? h0 : rowPtr(y, tp * B, ldy), ldh = s == 0 ? H : ldy;
    let rec = hPrev, ldr = ldh;
    if (recMask != 0) {
      rec = rowPtr(hMasked, t * B, H); ldr = H;
      for (let b = 0; b < B; b++) {
        for (let u = 0; u < H; u++) {
          let o = <usize>(b * H + u) << 2;
          store<f32>(rec + o, load<f32>(hPrev + (<usize>(b * ldh + u) << 2)) * load<f32>(recMask + o));
        }
      }
    }
    let yNow = rowPtr(y, t * B, ldy);
    if (cell == CELL_GRU) {
      fillBiasOne(scratch, N, B, N, bhh);
      gemmXWt(rec, ldr, B, H, whh, N, scratch, N);
      gruGatesForward(p, N, scratch, N, hPrev, ldh, rowPtr(second, t * B, W2), W2, yNow, ldy, B, H);
    } else {
      gemmXWt(rec, ldr, B, H, whh, N, p, N);
      if (cell == CELL_LSTM) {
        let cPrev = s == 0 ? c0 : rowPtr(second, tp * B, U), cNow = rowPtr(second, t * B, U);
        if (flags == 0) lstmGatesForward(p, N, cPrev, U, cNow, U, yNow, ldy, B, H);
        else lstmGatesForwardX(p, N, cPrev, U, cNow, U, yNow, ldy, B, H, flags & FLAG_PEEPHOLE ? extra : 0, flags & FLAG_CIFG);
      } else {
        rnnGatesForward(p, N, yNow, ldy, B, H, relu);
      }
    }
    if (lengths != 0) {
      for (let b = 0; b < B; b++) {
        if (t < load<i32>(lengths + (<usize>b << 2))) continue;
        if (cell == CELL_LSTM) {
          let cPrev = s == 0 ? c0 : rowPtr(second, tp * B, U);
          memory.copy(rowPtr(second, t * B + b, U), cPrev + (<usize>(b * U) << 2), <usize>U << 2);
        }
        memory.copy(yNow + (<usize>(b * ldy) << 2), hPrev + (<usize>(b * ldh) << 2), <usize>H << 2);
        memory.fill(rowPtr(proj, t * B + b, N), 0, <usize>N << 2);
        if (cell == CELL_GRU) memory.fill(rowPtr(second, t * B + b, W2), 0, <usize>W2 << 2);
      }
    }
  }
}

// Y[m, 0..N) = b for M rows.
function fillBiasOne(Y: usize, ldy: i32, M: i32, N: i32, b: usize): void {
  let rowBytes = <usize>N << 2;
  for (let m = 0; m < M; m++) memory.copy(Y + (<usize>(m * ldy) << 2), b, rowBytes);
}

// The pair of seqForward. Inputs as there, plus dy [T,B,ldy] = ∂L/∂y (same column offset as y),
// dh [B,H] = ∂L/∂h_n (in) -> ∂L/∂h0 (out), dc [B,U] = ∂L/∂c_n -> ∂L/∂c0 (LSTM).
// Accumulates: dx [T,B,K] (skipped when dx = 0), gwih, gwhh (packed like the weights), gbih, gbhh,
// gextra (peephole). Padded steps (t ≥ lengths[b]) pass ∂L/∂h and ∂L/∂c straight through.
// gradNorms [T] (0 = off): ‖∂L/∂h_t‖ per step, mean over the batch.
export function seqBackward(cell: i32, flags: i32, x: usize, K: i32, wih: usize, whh: usize, extra: usize,
                            h0: usize, c0: usize, cache: usize, y: usize, ldy: i32, dy: usize, dh: usize, dc: usize,
                            work: usize, dx: usize, gwih: usize, gwhh: usize, gbih: usize, gbhh: usize, gextra: usize,
                            T: i32, B: i32, H: i32, reverse: i32, lengths: usize, recMask: usize, hMasked: usize,
                            gradNorms: usize): void {
  let U = cellUnits(cell, H), N = cellColumns(cell, H), rows = T * B;
  let proj = cache, second = cache + (<usize>(rows * N) << 2), W2 = cell == CELL_LSTM ? U : 4 * U;
  // work layout (workFloats)
  let dzx = work, at = work + (<usize>r16(rows * N) << 2);
  let dzh = cell == CELL_GRU ? at : dzx;
  if (cell == CELL_GRU) at += <usize>r16(rows * N) << 2;
  let whhT = at; at += <usize>r16(((H + 7) & ~7) * N) << 2;
  let wihT = at; at += <usize>r16(((K + 7) & ~7) * N) << 2;
  let dwScratch = at; at += <usize>r16(gemmDyTXScratchFloats(N, max(K, H))) << 2;
  let dhCarry = at; at += <usize>r16(B * H) << 2;
  let dcSave = at; at += <usize>r16(B * U) << 2;
  let dhDirect = at;
  let relu = cell == CELL_RNN_RELU ? 1 : 0;

  packTransposed(whh, N, H, whhT);
  // Padding columns (units ≥ H) get no kernel writes: zero them once so their weight gradients stay 0.
  memory.fill(dzx, 0, <usize>(rows * N) << 2);
  if (cell == CELL_GRU) memory.fill(dzh, 0, <usize>(rows * N) << 2);
  let dhBytes = <usize>(B * H) << 2;
  for (let s = 0; s < T; s++) {
    let t = reverse ? s : T - 1 - s, tp = reverse ? t + 1 : t - 1;   // tp: the step before t in run order
    let first = s == T - 1;
    let hPrev = first ? h0 : rowPtr(y, tp * B, ldy), ldh = first ? H : ldy;
    let dyt = rowPtr(dy, t * B, ldy), dzt = rowPtr(dzx, t * B, N), dht = rowPtr(dzh, t * B, N);
    if (gradNorms != 0) {
      // ‖∂L/∂h_t‖ = ‖dy_t + (recurrent gradient from t+1)‖, averaged over the batch rows
      let mean: f64 = 0;
      for (let b = 0; b < B; b++) {
        let ss: f64 = 0;
        for (let u = 0; u < H; u++) {
          let v = <f64>load<f32>(dyt + (<usize>(b * ldy + u) << 2)) + <f64>load<f32>(dh + (<usize>(b * H + u) << 2));
          ss += v * v;
        }
        mean += Math.sqrt(ss);
      }
      store<f32>(gradNorms + (<usize>t << 2), <f32>(mean / B));
    }
    if (lengths != 0) {
      for (let b = 0; b < B; b++) {
        if (t < load<i32>(lengths + (<usize>b << 2))) continue;
        for (let u = 0; u < H; u++) {
          let o = <usize>(b * H + u) << 2;
          store<f32>(dhCarry + o, load<f32>(dh + o) + load<f32>(dyt + (<usize>(b * ldy + u) << 2)));
        }
        if (cell == CELL_LSTM) memory.copy(dcSave + (<usize>(b * U) << 2), dc + (<usize>(b * U) << 2), <usize>U << 2);
      }
    }
    let direct = false;
    if (cell == CELL_LSTM) {
      let cPrev = first ? c0 : rowPtr(second, tp * B, U), cNow = rowPtr(second, t * B, U);
      if (flags == 0) lstmGatesBackward(rowPtr(proj, t * B, N), N, cNow, U, cPrev, U, dyt, ldy, dh, dc, dzt, N, B, H);
      else lstmGatesBackwardX(rowPtr(proj, t * B, N), N, cNow, U, cPrev, U, dyt, ldy, dh, dc, dzt, N, B, H,
                              flags & FLAG_PEEPHOLE ? extra : 0, flags & FLAG_PEEPHOLE ? gextra : 0, flags & FLAG_CIFG);
    } else if (cell == CELL_GRU) {
      gruGatesBackward(rowPtr(second, t * B, W2), W2, hPrev, ldh, dyt, ldy, dh, dzt, N, dht, N, B, H);
      direct = true;                                   // dh now holds ∂L/∂h_t ∘ z
    } else {
      rnnGatesBackward(rowPtr(proj, t * B, N), N, dyt, ldy, dh, dzt, N, B, H, relu);
    }
    if (lengths != 0) {
      for (let b = 0; b < B; b++) {
        if (t < load<i32>(lengths + (<usize>b << 2))) continue;
        memory.fill(rowPtr(dzt, b, N), 0, <usize>N << 2);
        if (cell == CELL_GRU) memory.fill(rowPtr(dht, b, N), 0, <usize>N << 2);
        if (cell == CELL_LSTM) memory.copy(dc + (<usize>(b * U) << 2), dcSave + (<usize>(b * U) << 2), <usize>U << 2);
      }
    }
    // ∂L/∂h_{t−1}: through W_hh (masked if dropout), plus the GRU's direct path.
    if (direct) memory.copy(dhDirect, dh, dhBytes);
    memory.fill(dh, 0, dhBytes);
    gemmDyW(cell == CELL_GRU ? dht : dzt, N, B, N, whhT, H, dh, H);
    if (recMask != 0) {
      for (let i = 0; i < B * H; i++) { let o = <usize>i << 2; store<f32>(dh + o, load<f32>(dh + o) * load<f32>(recMask + o)); }
    }
    if (direct) {
      for (let i = 0; i < B * H; i++) { let o = <usize>i << 2; store<f32>(dh + o, load<f32>(dh + o) + load<f32>(dhDirect + o)); }
    }
    if (lengths != 0) {
      for (let b = 0; b < B; b++) {
        if (t >= load<i32>(lengths + (<usize>b << 2))) memory.copy(dh + (<usize>(b * H) << 2), dhCarry + (<usize>(b * H) << 2), <usize>H << 2);
      }
    }
  }
  // Weight gradients: one reduction over all T·B rows each.
  gemmDyTX(dzx, N, x, K, rows, N, K, gwih, dwScratch);
  colSum(dzx, N, rows, N, gbih);
  if (recMask != 0) {
    gemmDyTX(dzh, N, hMasked, H, rows, N, H, gwhh, dwScratch);      // the masked h_{t−1}, row for row
  } else {
    let firstT = reverse ? T - 1 : 0;                                 // the step whose h_{t−1} is h0
    let shifted = reverse ? dzh : dzh + (<usize>(B * N) << 2);
    let hShifted = reverse ? rowPtr(y, B, ldy) : y;
    gemmDyTX(shifted, N, hShifted, ldy, rows - B, N, H, gwhh, dwScratch);
    gemmDyTX(rowPtr(dzh, firstT * B, N), N, h0, H, B, N, H, gwhh, dwScratch);
  }
  colSum(dzh, N, rows, N, gbhh);
  if (dx != 0) {
    packTransposed(wih, N, K, wihT);
    gemmDyW(dzx, N, rows, N, wihT, K, dx, K);
  }
}

// One time step for a stack of layers (streaming inference). desc holds, per layer, 12 i32:
// x, K, wih, whh, bih, bhh, extra, h [B,H] (in/out), c [B,U] (in/out, LSTM), flags, -, -.
// scratch: [B,N] projections + [B,N] (GRU's recurrent projection).
export function seqStep(cell: i32, desc: usize, layers: i32, scratch: usize, B: i32, H: i32): void {
  let U = cellUnits(cell, H), N = cellColumns(cell, H);
  let proj = scratch, rec = scratch + (<usize>(B * N) << 2);
  for (let l = 0; l < layers; l++) {
    let d = desc + <usize>l * 48;
    let x = <usize>load<i32>(d), K = load<i32>(d, 4), wih = <usize>load<i32>(d, 8), whh = <usize>load<i32>(d, 12);
    let bih = <usize>load<i32>(d, 16), bhh = <usize>load<i32>(d, 20), extra = <usize>load<i32>(d, 24);
    let h = <usize>load<i32>(d, 28), c = <usize>load<i32>(d, 32), flags = load<i32>(d, 36);
    if (cell == CELL_GRU) {
      fillBiasOne(proj, N, B, N, bih);
      gemmXWt(x, K, B, K, wih, N, proj, N);
      fillBiasOne(rec, N, B, N, bhh);
      gemmXWt(h, H, B, H, whh, N, rec, N);
      // the gate cache is not needed when streaming: reuse the projection rows after reading
      gruGatesForward(proj, N, rec, N, h, H, rec + (<usize>(B * N) << 2), 4 * U, h, H, B, H);
      continue;
    }
    fillBias2(proj, N, B, N, bih, bhh);
    gemmXWt(x, K, B, K, wih, N, proj, N);
    gemmXWt(h, H, B, H, whh, N, proj, N);
    if (cell == CELL_LSTM) {
      if (flags == 0) lstmGatesForward(proj, N, c, U, c, U, h, H, B, H);
      else lstmGatesForwardX(proj, N, c, U, c, U, h, H, B, H, flags & FLAG_PEEPHOLE ? extra : 0, flags & FLAG_CIFG);
    } else {
      rnnGatesForward(proj, N, h, H, B, H, cell == CELL_RNN_RELU ? 1 : 0);
    }
  }
}

/** Scratch floats seqStep needs. */
export function stepScratchFloats(cell: i32, B: i32, H: i32): i32 {
  let N = cellColumns(cell, H), U = cellUnits(cell, H);
  return cell == CELL_GRU ? 2 * B * N + B * 4 * U : B * N;
}
