// Dense (nn.Linear) forward and backward, and the element-wise activations it applies.
// Activation ids: assembly/abi.ts ACT_*. Shapes: M rows (batch·steps), K inputs, N outputs padded to NP
// (a multiple of 8, the GEMM's panel width); weight packed [NP/8][K][8] like the recurrent weights (pad columns zero).
import { ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_SOFTMAX } from './abi';
import { gemmXWt, gemmDyW, gemmDyTX, colSum, packTransposed } from './gemm';
import { sigmoidS, tanhS, expS } from './simd';
import { qgemmXWt } from './qgemm';


// x [M,K] · w packed [NP/8][K][8] + b [NP] -> y [M,NP] then activation over the first N columns.
export function denseForward(x: usize, M: i32, K: i32, w: usize, b: usize, N: i32, NP: i32, y: usize, act: i32): void {
  let rowBytes = <usize>NP << 2;
  for (let m = 0; m < M; m++) memory.copy(y + <usize>m * rowBytes, b, rowBytes);
  gemmXWt(x, K, M, K, w, NP, y, NP);
  activationForward(y, M, NP, N, act);
}

// denseForward with int8 weights (DTYPE_I8): wq int8 panels [NP/8][Kp/2][8][2], sw [NP] column
// scales; x quantized per row (qgemm.ts) in scratch [qgemmScratchBytes(K)]. Inference only: no pair.
export function denseForwardInt8(x: usize, M: i32, K: i32, wq: usize, sw: usize, b: usize, N: i32, NP: i32, y: usize,
                                 act: i32, scratch: usize): void {
  let rowBytes = <usize>NP << 2;
  for (let m = 0; m < M; m++) memory.copy(y + <usize>m * rowBytes, b, rowBytes);
  qgemmXWt(x, K, M, K, wq, sw, NP, y, NP, scratch);
  activationForward(y, M, NP, N, act);
}

// The pair of denseForward. y [M,NP] activated outputs, dy [M,NP] ∂L/∂y (pad columns zero) ->
// in place ∂L/∂z; accumulates gw, gb; dx [M,K] = ∂L/∂x (skipped when dx = 0).
// Scratch: wT [ceil(K/8)][NP][8], dwScratch [gemmDyTXScratchFloats(NP, K)].
export function denseBackward(x: usize, M: i32, K: i32, w: usize, N: i32, NP: i32, y: usize, dy: usize, act: i32,
                              gw: usize, gb: usize, dx: usize, wT: usize, dwScratch: usize): void {
  activationBackward(y, dy, M, NP, N, act);
  gemmDyTX(dy, NP, x, K, M, NP, K, gw, dwScratch);
  colSum(dy, NP, M, NP, gb);
  if (dx != 0) {
    memory.fill(dx, 0, <usize>M * <usize>K << 2);
    packTransposed(w, NP, K, wT);
    gemmDyW(dy, NP, M, NP, wT, K, dx, K);
  }
}

// y [M, ld]: activation over the first N columns of each row, in place.
export function activationForward(y: usize, M: i32, ld: i32, N: i32, act: i32): void {
  if (act == ACT_LINEAR) return;
  for (let m = 0; m < M; m++) {
    let row = y + (<usize>(m * ld) << 2);
    if (act == ACT_SOFTMAX) {
      let mx = load<f32>(row);
      for (let n = 1; n < N; n++) mx = max(mx, load<f32>(row + (<usize>n << 2)));
      let s: f32 = 0;
      for (let n = 0; n < N; n++) { let e = expS(load<f32>(row + (<usize>n << 2)) - mx); store<f32>(row + (<usize>n << 2), e); s += e; }
      let inv: f32 = 1 / s;
      for (let n = 0; n < N; n++) store<f32>(row + (<usize>n << 2), load<f32>(row + (<usize>n << 2)) * inv);
      continue;
    }
    for (let n = 0; n < N; n++) {
      let p = row + (<usize>n << 2), v = load<f32>(p);
      store<f32>(p, act == ACT_RELU ? max<f32>(v, 0) : act == ACT_SIGMOID ? sigmoidS(v) : tanhS(v));
    }
  }
}

// dy [M, ld] = ∂L/∂y -> ∂L/∂z in place, from the activated y [M, ld].
export function activationBackward(y: usize, dy: usize, M: i32, ld: i32, N: i32, act: i32): void {
  if (act == ACT_LINEAR) return;
  for (let m = 0; m < M; m++) {
    let yr = y + (<usize>(m * ld) << 2), dr = dy + (<usize>(m * ld) << 2);
    if (act == ACT_SOFTMAX) {
      let dot: f32 = 0;
      for (let n = 0; n < N; n++) dot += load<f32>(yr + (<usize>n << 2)) * load<f32>(dr + (<usize>n << 2));
      for (let n = 0; n < N; n++) {
        let o = <usize>n << 2;
        store<f32>(dr + o, load<f32>(yr + o) * (load<f32>(dr + o) - dot));
      }
      continue;
    }
    for (let n = 0; n < N; n++) {
      let o = <usize>n << 2, v = load<f32>(yr + o), d = load<f32>(dr + o);
      store<f32>(dr + o, act == ACT_RELU ? (v > 0 ? d : 0) : act == ACT_SIGMOID ? d * v * (1 - v) : d * (1 - v * v));
    }
  }
}
