// GRU with the reset gate applied before the recurrent product (Keras reset_after=False, ONNX
// linear_before_reset=0, tfjs's only GRU):
//   r = σ(x_r + W_hr·h),  z = σ(x_z + W_hz·h),  n = tanh(x_n + W_hn·(r∘h)),  h' = (1 − z)∘n + z∘h
// where x_q = W_iq·x + b_iq + b_hq (both biases are outside r here, so the input projection takes
// them). n's recurrent product needs r first, so a step is two GEMMs: [r, z] columns with h, then
// the n columns with r∘h.
// Columns (N = 3·U): [0, 2U) r and z interleaved by four units, 8 per block:
//   (u >> 2)·8 + q·4 + (u & 3), q ∈ {r, z};   [2U, 3U): n, unit u at 2U + u.
// What forward keeps for backward, per step: aux [B, 4·U] = r | z | n | r∘h (each U wide).
// Gate options (hard r, z; clip) are read from the descriptor: this cell has no separate plain pair.
import {
  SEQ_FLAGS, SEQ_T, SEQ_B, SEQ_H, SEQ_WHH, SEQ_GWHH, SEQ_GBHH, SEQ_ALPHA, SEQ_BETA, SEQ_CLIP, FLAG_HARD_GATES, FLAG_CLIP,
} from './abi';
import { dI32, dPtr, dF32, rowPtr } from './desc';
import { gemmDyW, gemmDyTX, colSum, packTransposed, panelOffset } from './gemm';
import { recurrentProduct } from './product';
import {
  fma, tanhV, tanhS, loadPartial, storePartial, clampV, clampS, gateV, gateS, gateSlopeV, gateSlopeS, unclippedV,
} from './simd';
import { gradThroughRecurrent } from './steps';
import { inputWeightGradients, recurrentWeightGradients } from './weights';

@inline function clipOf(d: usize): f32 {
  return dI32(d, SEQ_FLAGS) & FLAG_CLIP ? dF32(d, SEQ_CLIP) : Infinity;
}

// r, z for nb rows from p (input projection) + s (W_h[rz]·h); r∘rec -> aux's r∘h part.
function gatesRZ(d: usize, p: usize, s: usize, ld: i32, rec: usize, ldr: i32, aux: usize, nb: i32, H: i32, U: i32): void {
  let hard = (dI32(d, SEQ_FLAGS) & FLAG_HARD_GATES) != 0, alpha = dF32(d, SEQ_ALPHA), beta = dF32(d, SEQ_BETA);
  let clip = clipOf(d), uBytes = <usize>U << 2;
  for (let b = 0; b < nb; b++) {
    let pq = rowPtr(p, b, ld), sq = rowPtr(s, b, ld), hq = rowPtr(rec, b, ldr), a = rowPtr(aux, b, 4 * U);
    if (ASC_FEATURE_SIMD) {
      let av = f32x4.splat(alpha), bv = f32x4.splat(beta), lo = f32x4.splat(-clip), hi = f32x4.splat(clip);
      for (let u = 0; u < U; u += 4) {
        let r = gateV(clampV(f32x4.add(v128.load(pq), v128.load(sq)), lo, hi), hard, av, bv);
        let z = gateV(clampV(f32x4.add(v128.load(pq, 16), v128.load(sq, 16)), lo, hi), hard, av, bv);
        let h = u + 4 <= H ? v128.load(hq) : u < H ? loadPartial(hq, H - u) : f32x4.splat(0);
        v128.store(a, r); v128.store(a + uBytes, z); v128.store(a + 3 * uBytes, f32x4.mul(r, h));
        pq += 32; sq += 32; hq += 16; a += 16;
      }
    } else {
      for (let u = 0; u < U; u++) {
        let o = <usize>((u >> 2) * 8 + (u & 3)) << 2, uo = <usize>u << 2;
        let r = gateS(clampS(load<f32>(pq + o) + load<f32>(sq + o), -clip, clip), hard, alpha, beta);
        let z = gateS(clampS(load<f32>(pq + o, 16) + load<f32>(sq + o, 16), -clip, clip), hard, alpha, beta);
        let h: f32 = u < H ? load<f32>(hq + uo) : 0;
        store<f32>(a + uo, r); store<f32>(a + uBytes + uo, z); store<f32>(a + 3 * uBytes + uo, r * h);
      }
    }
  }
}

// n = tanh(x_n + W_hn·(r∘h)), h' = n + z∘(h − n) for nb rows -> aux's n part, y.
function gatesN(d: usize, p: usize, s: usize, ld: i32, hPrev: usize, ldh: i32, aux: usize, y: usize, ldy: i32,
                nb: i32, H: i32, U: i32): void {
  let clip = clipOf(d), uBytes = <usize>U << 2, nOff = <usize>(2 * U) << 2;
  for (let b = 0; b < nb; b++) {
    let pq = rowPtr(p, b, ld) + nOff, sq = rowPtr(s, b, ld) + nOff, hq = rowPtr(hPrev, b, ldh);
    let a = rowPtr(aux, b, 4 * U), out = rowPtr(y, b, ldy);
    if (ASC_FEATURE_SIMD) {
      let lo = f32x4.splat(-clip), hi = f32x4.splat(clip);
      for (let u = 0; u < H; u += 4) {
        let uo = <usize>u << 2, full = u + 4 <= H;
        let n = tanhV(clampV(f32x4.add(v128.load(pq + uo), v128.load(sq + uo)), lo, hi));
        let z = v128.load(a + uBytes + uo), prev = full ? v128.load(hq + uo) : loadPartial(hq + uo, H - u);
        v128.store(a + 2 * uBytes + uo, n);
        let hv = fma(z, f32x4.sub(prev, n), n);
        if (full) v128.store(out + uo, hv); else storePartial(out + uo, hv, H - u);
      }
    } else {
      for (let u = 0; u < H; u++) {
        let uo = <usize>u << 2;
        let n = tanhS(clampS(load<f32>(pq + uo) + load<f32>(sq + uo), -clip, clip));
        let z = load<f32>(a + uBytes + uo), prev = load<f32>(hq + uo);
        store<f32>(a + 2 * uBytes + uo, n);
        store<f32>(out + uo, n + z * (prev - n));
      }
    }
  }
}

// A ForwardStep (assembly/cells.ts). scratch [nb, N] takes the two recurrent products.
export function gruBeforeStepForward(d: usize, p: usize, rec: usize, ldr: i32, hPrev: usize, ldh: i32, sPrev: usize,
                                     sNow: usize, aux: usize, y: usize, ldy: i32, scratch: usize, nb: i32): void {
  let H = dI32(d, SEQ_H), U = (H + 7) & ~7, N = 3 * U;
  memory.fill(scratch, 0, <usize>(nb * N) << 2);
  recurrentProduct(d, rec, ldr, nb, H, 0, 2 * U, scratch, N);
  gatesRZ(d, p, scratch, N, rec, ldr, aux, nb, H, U);
  recurrentProduct(d, aux + (<usize>(3 * U) << 2), 4 * U, nb, H, 2 * U, 3 * U, scratch + (<usize>(2 * U) << 2), N);
  gatesN(d, p, scratch, N, hPrev, ldh, aux, y, ldy, nb, H, U);
}

// W_hh transposed for backward: the [r, z] part ([ceil(H/8)][2U][8]), then the n part ([ceil(H/8)][U][8]).
export function gruBeforePackWhhT(d: usize, whhT: usize): void {
  let H = dI32(d, SEQ_H), U = (H + 7) & ~7, whh = dPtr(d, SEQ_WHH);
  packTransposed(whh, 2 * U, H, whhT);
  packTransposed(whh + panelOffset(2 * U, H), U, H, whhT + ((<usize>(((H + 7) & ~7) * 2 * U)) << 2));
}

// A BackwardStep. g = dy + dh = ∂L/∂h_t. dz holds ∂L/∂(pre-activations), which is also the gradient of
// the recurrent products (dzh = dz for this cell). tmpA [nb, H] = ∂L/∂(r∘h), tmpB [nb, H] = g∘z.
export function gruBeforeStepBackward(d: usize, p: usize, aux: usize, rec: usize, ldr: i32, hPrev: usize, ldh: i32,
                                      sPrev: usize, sNow: usize, dy: usize, ldy: i32, dh: usize, dc: usize,
                                      dz: usize, dzh: usize, whhT: usize, tmpA: usize, tmpB: usize, mask: usize,
                                      nb: i32): void {
  let H = dI32(d, SEQ_H), U = (H + 7) & ~7, N = 3 * U, flags = dI32(d, SEQ_FLAGS);
  let hard = (flags & FLAG_HARD_GATES) != 0, clipped = (flags & FLAG_CLIP) != 0, alpha = dF32(d, SEQ_ALPHA);
  let beta = dF32(d, SEQ_BETA), clip = clipOf(d);
  let sLo = gateS(-clip, hard, alpha, beta), sHi = gateS(clip, hard, alpha, beta), tLo = tanhS(-clip), tHi = tanhS(clip);
  let uBytes = <usize>U << 2, nOff = <usize>(2 * U) << 2;
  // n and z: their pre-activation gradients, and the direct path g∘z
  for (let b = 0; b < nb; b++) {
    let a = rowPtr(aux, b, 4 * U), dzq = rowPtr(dz, b, N), hq = rowPtr(hPrev, b, ldh);
    let dyq = rowPtr(dy, b, ldy), dhq = rowPtr(dh, b, H), direct = rowPtr(tmpB, b, H);
    for (let u = 0; u < H; u++) {
      let uo = <usize>u << 2, o = <usize>((u >> 2) * 8 + (u & 3)) << 2;
      let g = load<f32>(dyq + uo) + load<f32>(dhq + uo), prev = load<f32>(hq + uo);
      let z = load<f32>(a + uBytes + uo), n = load<f32>(a + 2 * uBytes + uo);
      let sN: f32 = 1 - n * n, sZ = gateSlopeS(z, hard, alpha);
      if (clipped) {
        if (!(n > tLo && n < tHi)) sN = 0;
        if (!(z > sLo && z < sHi)) sZ = 0;
      }
      store<f32>(dzq + nOff + uo, g * (1 - z) * sN);
      store<f32>(dzq + o, g * (prev - n) * sZ, 16);
      store<f32>(direct + uo, g * z);
    }
  }
  // ∂L/∂(r∘h) = dn · W_hn
  memory.fill(tmpA, 0, <usize>(nb * H) << 2);
  let H8 = (H + 7) & ~7;
  gemmDyW(dz + nOff, N, nb, U, whhT + ((<usize>(H8 * 2 * U)) << 2), H, tmpA, H);
  // r: its pre-activation gradient from ∂L/∂(r∘h)∘h
  for (let b = 0; b < nb; b++) {
    let a = rowPtr(aux, b, 4 * U), dzq = rowPtr(dz, b, N), hq = rowPtr(rec, b, ldr), drh = rowPtr(tmpA, b, H);
    for (let u = 0; u < H; u++) {
      let uo = <usize>u << 2, o = <usize>((u >> 2) * 8 + (u & 3)) << 2;
      let r = load<f32>(a + uo), sR = gateSlopeS(r, hard, alpha);
      if (clipped && !(r > sLo && r < sHi)) sR = 0;
      store<f32>(dzq + o, load<f32>(drh + uo) * load<f32>(hq + uo) * sR);
    }
  }
  // ∂L/∂h_{t−1} = mask∘([dr, dz]·W_h[rz] + ∂L/∂(r∘h)∘r) + g∘z
  gradThroughRecurrent(dz, N, 2 * U, whhT, H, dh, 0, nb);
  for (let b = 0; b < nb; b++) {
    let a = rowPtr(aux, b, 4 * U), dhq = rowPtr(dh, b, H), drh = rowPtr(tmpA, b, H), direct = rowPtr(tmpB, b, H);
    let mq = mask != 0 ? rowPtr(mask, b, H) : 0;
    for (let u = 0; u < H; u++) {
      let uo = <usize>u << 2;
      let v = load<f32>(dhq + uo) + load<f32>(drh + uo) * load<f32>(a + uo);
      if (mq != 0) v *= load<f32>(mq + uo);
      store<f32>(dhq + uo, v + load<f32>(direct + uo));
    }
  }
}

// A WeightGradients over the columns [n0, n1): W_h[rz] (columns below 2U) as every cell's (input
// h_{t−1}); W_hn's input (columns from 2U) is r∘h, kept in aux.
export function gruBeforeWeightGradients(d: usize, dz: usize, dzh: usize, aux: usize, N: i32, n0: i32, n1: i32,
                                         scratch: usize): void {
  let H = dI32(d, SEQ_H), U = (H + 7) & ~7, rows = dI32(d, SEQ_T) * dI32(d, SEQ_B);
  inputWeightGradients(d, dz, N, n0, n1, scratch);
  if (n0 < 2 * U) recurrentWeightGradients(d, dzh, N, n0, min(n1, 2 * U), scratch);
  let m0 = max(n0, 2 * U);
  if (m0 >= n1) return;
  let dn = dzh + (<usize>m0 << 2);
  gemmDyTX(dn, N, aux + (<usize>(3 * U) << 2), 4 * U, rows, n1 - m0, H, dPtr(d, SEQ_GWHH) + panelOffset(m0, H), scratch);
  colSum(dn, N, rows, n1 - m0, dPtr(d, SEQ_GBHH) + (<usize>m0 << 2));
}
