// Warming the engine up: every hot kernel run on tiny sizes, many times, so that V8 (and engines like
// it) compiles them with the optimizing tier before the first real call. A wasm function's first calls
// run in the baseline tier (Liftoff, ~3× slower), a call that is running keeps that code to its end,
// and a function is handed to the optimizing compiler once it has executed about 1.8 MB of code
// (V8's --wasm-tiering-budget): a few hundred tiny calls. The host runs this once, off the critical
// path (after init() has resolved), over a scratch block of warmUpScratchBytes().
import {
  CELL_COUNT, SEQ_B, SEQ_BYTES, SEQ_CACHE, SEQ_CELL, SEQ_DC, SEQ_DH, SEQ_DX, SEQ_DY, SEQ_GBHH, SEQ_GBIH, SEQ_GWHH, SEQ_GWIH,
  SEQ_H, SEQ_H0, SEQ_C0, SEQ_HN, SEQ_K, SEQ_LDX, SEQ_LDY, SEQ_SCRATCH, SEQ_T, SEQ_WIH, SEQ_WHH, SEQ_BIH, SEQ_BHH, SEQ_WORK,
  SEQ_X, SEQ_Y, ACT_SOFTMAX, CELL_LSTM, DTYPE_I8, SEQ_DTYPE, SEQ_SIH, SEQ_SHH, SEQ_QSCRATCH,
} from './abi';
import { cellColumns, cellUnits } from './cells';
import { seqCacheFloats, seqWorkFloats, seqScratchFloats } from './layout';
import { seqForward, seqBackward, seqStep } from './sequence';
import { denseForward, denseForwardInt8, denseBackward } from './dense';
import { qgemmScratchBytes } from './qgemm';
import { adamStep, sumSquares } from './optim';
import { gemmDyTXScratchFloats } from './gemm';

const T = 8, B = 4, K = 8, H = 8, ROUNDS = 60;

/** Bytes of scratch warmUp needs (64-byte aligned by the host). */
export function warmUpScratchBytes(): i32 {
  let most = 0;
  for (let cell = 0; cell < CELL_COUNT; cell++) {
    let N = cellColumns(cell, H), U = cellUnits(cell, H);
    let floats = 2 * N * (K + H + 2) + 6 * T * B * max(K, H) + 4 * B * U + seqCacheFloats(cell, T, B, H)
      + seqWorkFloats(cell, T, B, K, H) + seqScratchFloats(cell, B, H) + (qgemmScratchBytes(max(K, H)) >> 2) + 16 * 16;
    most = max(most, floats);
  }
  return (most << 2) + SEQ_BYTES;
}

// Consecutive regions of `floats` floats, each on 64 bytes.
@inline function take(at: usize, floats: i32): usize {
  return at + ((<usize>((floats + 15) & ~15)) << 2);
}

export function warmUp(scratch: usize): void {
  let d = scratch, base = scratch + <usize>SEQ_BYTES;
  for (let cell = 0; cell < CELL_COUNT; cell++) {
    let N = cellColumns(cell, H), U = cellUnits(cell, H);
    memory.fill(d, 0, <usize>SEQ_BYTES);
    let at = base;
    let wih = at; at = take(at, N * K);
    let whh = at; at = take(at, N * H);
    let bih = at; at = take(at, N);
    let bhh = at; at = take(at, N);
    let gw = at; at = take(at, N * (K + H + 2));
    let x = at; at = take(at, T * B * K);
    let y = at; at = take(at, T * B * H);
    let dy = at; at = take(at, T * B * H);
    let dx = at; at = take(at, T * B * K);
    let h0 = at; at = take(at, B * U);
    let c0 = at; at = take(at, B * U);
    let dh = at; at = take(at, B * U);
    let dc = at; at = take(at, B * U);
    let cache = at; at = take(at, seqCacheFloats(cell, T, B, H));
    let work = at; at = take(at, seqWorkFloats(cell, T, B, K, H));
    let stepScratch = at; at = take(at, seqScratchFloats(cell, B, H));
    let quantScratch = at;
    memory.fill(base, 0, stepScratch - base);
    store<i32>(d + SEQ_CELL, cell); store<i32>(d + SEQ_T, T); store<i32>(d + SEQ_B, B);
    store<i32>(d + SEQ_K, K); store<i32>(d + SEQ_H, H);
    store<u32>(d + SEQ_WIH, <u32>wih); store<u32>(d + SEQ_WHH, <u32>whh);
    store<u32>(d + SEQ_BIH, <u32>bih); store<u32>(d + SEQ_BHH, <u32>bhh);
    store<u32>(d + SEQ_X, <u32>x); store<i32>(d + SEQ_LDX, K);
    store<u32>(d + SEQ_H0, <u32>h0); store<u32>(d + SEQ_C0, <u32>c0);
    store<u32>(d + SEQ_Y, <u32>y); store<i32>(d + SEQ_LDY, H);
    store<u32>(d + SEQ_CACHE, <u32>cache); store<u32>(d + SEQ_SCRATCH, <u32>stepScratch);
    store<u32>(d + SEQ_HN, <u32>h0);
    store<u32>(d + SEQ_DY, <u32>dy); store<u32>(d + SEQ_DH, <u32>dh); store<u32>(d + SEQ_DC, <u32>dc);
    store<u32>(d + SEQ_WORK, <u32>work); store<u32>(d + SEQ_DX, <u32>dx);
    store<u32>(d + SEQ_GWIH, <u32>gw); store<u32>(d + SEQ_GWHH, <u32>(gw + ((<usize>(N * K)) << 2)));
    store<u32>(d + SEQ_GBIH, <u32>(gw + ((<usize>(N * (K + H))) << 2)));
    store<u32>(d + SEQ_GBHH, <u32>(gw + ((<usize>(N * (K + H + 1))) << 2)));
    for (let r = 0; r < ROUNDS; r++) {
      seqForward(d, 0, B);
      seqBackward(d);
    }
    // streaming: one layer, T = 1 (the same descriptor; h0 and c0 are the carried state)
    store<i32>(d + SEQ_T, 1);
    for (let r = 0; r < ROUNDS * T; r++) seqStep(d, 1);
    if (cell == CELL_LSTM) {
      // int8 weights (DTYPE_I8): their products are shared by every cell, so one cell warms them.
      // The weight regions are zero (int8 zeros), and so are the biases, used here as the scales.
      store<i32>(d + SEQ_DTYPE, DTYPE_I8); store<u32>(d + SEQ_QSCRATCH, <u32>quantScratch);
      store<u32>(d + SEQ_SIH, <u32>bih); store<u32>(d + SEQ_SHH, <u32>bhh);
      for (let r = 0; r < ROUNDS * T; r++) seqStep(d, 1);
      store<i32>(d + SEQ_T, T);
      for (let r = 0; r < ROUNDS; r++) seqForward(d, 0, B);
    }
  }
  // Dense (softmax head) and the optimizer over a small block
  let N = 16, M = T * B, at = base;
  let w = at; at = take(at, N * K);
  let b = at; at = take(at, N);
  let xs = at; at = take(at, M * K);
  let ys = at; at = take(at, M * N);
  let dys = at; at = take(at, M * N);
  let dxs = at; at = take(at, M * K);
  let gw = at; at = take(at, N * K + N);
  let wT = at; at = take(at, ((K + 7) & ~7) * N);
  let mv = at; at = take(at, 2 * (N * K + N));
  let dws = at;
  memory.fill(base, 0, (<usize>gemmDyTXScratchFloats(N, K) << 2) + (dws - base));
  for (let r = 0; r < ROUNDS * 4; r++) {
    denseForward(xs, M, K, w, b, N, N, ys, ACT_SOFTMAX);
    denseBackward(xs, M, K, w, N, N, ys, dys, ACT_SOFTMAX, gw, gw + ((<usize>(N * K)) << 2), dxs, wT, dws);
    adamStep(w, gw, mv, mv + ((<usize>(N * K + N)) << 2), N * K + N, 0, 0.9, 0.999, 1e-8, 0, 0, 0.1, 0.001);
    sumSquares(gw, N * K + N);
  }
  // Dense with int8 weights: zero weights and scales (a zeroed stretch of the block); dws, the
  // gradient scratch, is larger than the activations' quantization scratch
  memory.fill(w, 0, (<usize>(N * K + N)) << 2);
  for (let r = 0; r < ROUNDS * 4; r++) denseForwardInt8(xs, M, K, w, b, b, N, N, ys, ACT_SOFTMAX, dws);
}
