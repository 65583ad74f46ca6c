// GRU gate kernels (PyTorch's nn.GRU form), one step for B rows, and their gradients.
//   r = σ(x_r + h_r),  z = σ(x_z + h_z),  n = tanh(x_n + r∘h_n),  h' = (1 − z)∘n + z∘h
// where x_q = W_iq·x + b_iq (the input projection, all steps at once) and h_q = W_hq·h + b_hq
// (this step's recurrent projection): r multiplies only the recurrent part of n, so the two
// projections stay separate. Columns are gate-interleaved by four units, 12 per block:
//   (u >> 2)·12 + q·4 + (u & 3),  q ∈ {r, z, n}
// What forward keeps for backward, per step: the input projection (REGION_PROJ) and
// aux [B, 16 per 4 units] = r, z, n, h_n (REGION_AUX). Hard gates and clip: gru-options.ts.
import { SEQ_FLAGS, SEQ_H, SEQ_BHH } from './abi';
import { dI32, dPtr } from './desc';
import { fillBias1 } from './gemm';
import { recurrentProduct } from './product';
import { fma, sigmoidV, tanhV, sigmoidS, tanhS, loadPartial, storePartial } from './simd';
import { gradThroughRecurrent, addInto } from './steps';
import { gruGatesForwardOptions, gruGatesBackwardOptions } from './gru-options';

// One step forward for nb rows (a ForwardStep, assembly/cells.ts): p [nb, 3·U] holds b_ih + W_ih·x_t;
// the recurrent projection b_hh + W_hh·h_{t−1} goes to scratch [nb, 3·U], then the gates -> aux, y.
export function gruStepForward(d: usize, p: usize, rec: usize, ldr: i32, hPrev: usize, ldh: i32, sPrev: usize,
                               sNow: usize, aux: usize, y: usize, ldy: i32, scratch: usize, nb: i32): void {
  let H = dI32(d, SEQ_H), U = (H + 7) & ~7, N = 3 * U;
  fillBias1(scratch, N, nb, N, dPtr(d, SEQ_BHH));
  recurrentProduct(d, rec, ldr, nb, H, 0, N, scratch, N);
  if (dI32(d, SEQ_FLAGS) == 0) gruGatesForward(p, N, scratch, N, hPrev, ldh, aux, 4 * U, y, ldy, nb, H);
  else gruGatesForwardOptions(d, p, N, scratch, N, hPrev, ldh, aux, 4 * U, y, ldy, nb, H);
}

// One step backward (a BackwardStep): dz = ∂L/∂(input projection), dzh = ∂L/∂(recurrent projection),
// dh = ∂L/∂h_{t−1} = (through W_hh, masked) + ∂L/∂h_t∘z (the direct path, kept in tmpA meanwhile).
export function gruStepBackward(d: usize, p: usize, aux: usize, rec: usize, ldr: i32, hPrev: usize, ldh: i32,
                                sPrev: usize, sNow: usize, dy: usize, ldy: i32, dh: usize, dc: usize, dz: usize,
                                dzh: usize, whhT: usize, tmpA: usize, tmpB: usize, mask: usize, nb: i32): void {
  let H = dI32(d, SEQ_H), U = (H + 7) & ~7, N = 3 * U;
  if (dI32(d, SEQ_FLAGS) == 0) gruGatesBackward(aux, 4 * U, hPrev, ldh, dy, ldy, dh, dz, N, dzh, N, nb, H);
  else gruGatesBackwardOptions(d, aux, 4 * U, hPrev, ldh, dy, ldy, dh, dz, N, dzh, N, nb, H);
  memory.copy(tmpA, dh, <usize>(nb * H) << 2);
  gradThroughRecurrent(dzh, N, N, whhT, H, dh, mask, nb);
  addInto(dh, tmpA, nb * H);
}

// xp [B, ldx] input projection, hp [B, ldh] recurrent projection, hPrev [B, ldhp]
// -> cache [B, ldc] (r, z, n, h_n), h [B, ldy] (H columns).
export function gruGatesForward(xp: usize, ldx: i32, hp: usize, ldh: i32, hPrev: usize, ldhp: i32,
                                cache: usize, ldc: i32, h: usize, ldy: i32, B: i32, H: i32): void {
  for (let b = 0; b < B; b++) {
    let xq = xp + (<usize>(b * ldx) << 2), hq = hp + (<usize>(b * ldh) << 2), pv = hPrev + (<usize>(b * ldhp) << 2);
    let cq = cache + (<usize>(b * ldc) << 2), out = h + (<usize>(b * ldy) << 2);
    if (ASC_FEATURE_SIMD) {
      for (let u = 0; u < H; u += 4) {
        let r = sigmoidV(f32x4.add(v128.load(xq), v128.load(hq)));
        let z = sigmoidV(f32x4.add(v128.load(xq, 16), v128.load(hq, 16)));
        let hn = v128.load(hq, 32);
        let n = tanhV(fma(r, hn, v128.load(xq, 32)));
        let prev = u + 4 <= H ? v128.load(pv) : loadPartial(pv, H - u);
        let hv = fma(z, f32x4.sub(prev, n), n);
        v128.store(cq, r); v128.store(cq, z, 16); v128.store(cq, n, 32); v128.store(cq, hn, 48);
        if (u + 4 <= H) v128.store(out, hv); else storePartial(out, hv, H - u);
        xq += 48; hq += 48; pv += 16; cq += 64; out += 16;
      }
    } else {
      for (let u = 0; u < H; u++) {
        let o = <usize>((u >> 2) * 12 + (u & 3)) << 2, co = <usize>((u >> 2) * 16 + (u & 3)) << 2;
        let r = sigmoidS(load<f32>(xq + o) + load<f32>(hq + o));
        let z = sigmoidS(load<f32>(xq + o, 16) + load<f32>(hq + o, 16));
        let hn = load<f32>(hq + o, 32);
        let n = tanhS(load<f32>(xq + o, 32) + r * hn);
        let prev = load<f32>(pv + (<usize>u << 2));
        store<f32>(cq + co, r); store<f32>(cq + co, z, 16); store<f32>(cq + co, n, 32); store<f32>(cq + co, hn, 48);
        store<f32>(out + (<usize>u << 2), n + z * (prev - n));
      }
    }
  }
}

// The pair of gruGatesForward. dy [B, ldy] + dh [B, H] = ∂L/∂h_t; writes dxp [B, ldx] = ∂L/∂(input
// projection), dhp [B, ldh] = ∂L/∂(recurrent projection), and dh <- ∂L/∂h_t ∘ z (the direct path
// to h_{t−1}; the host adds the path through W_hh).
export function gruGatesBackward(cache: usize, ldc: i32, hPrev: usize, ldhp: i32, dy: usize, ldy: i32, dh: usize,
                                 dxp: usize, ldx: i32, dhp: usize, ldh: i32, B: i32, H: i32): void {
  for (let b = 0; b < B; b++) {
    let cq = cache + (<usize>(b * ldc) << 2), pv = hPrev + (<usize>(b * ldhp) << 2), dyq = dy + (<usize>(b * ldy) << 2);
    let dhq = dh + (<usize>(b * H) << 2), dxq = dxp + (<usize>(b * ldx) << 2), dhpq = dhp + (<usize>(b * ldh) << 2);
    if (ASC_FEATURE_SIMD) {
      let one = f32x4.splat(1);
      for (let u = 0; u < H; u += 4) {
        let full = u + 4 <= H;
        let g = full ? f32x4.add(v128.load(dyq), v128.load(dhq)) : f32x4.add(loadPartial(dyq, H - u), loadPartial(dhq, H - u));
        let prev = full ? v128.load(pv) : loadPartial(pv, H - u);
        let r = v128.load(cq), z = v128.load(cq, 16), n = v128.load(cq, 32), hn = v128.load(cq, 48);
        let dnp = f32x4.mul(f32x4.mul(g, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
        let dzp = f32x4.mul(f32x4.mul(g, f32x4.sub(prev, n)), f32x4.mul(z, f32x4.sub(one, z)));
        let drp = f32x4.mul(f32x4.mul(dnp, hn), f32x4.mul(r, f32x4.sub(one, r)));
        v128.store(dxq, drp); v128.store(dxq, dzp, 16); v128.store(dxq, dnp, 32);
        v128.store(dhpq, drp); v128.store(dhpq, dzp, 16); v128.store(dhpq, f32x4.mul(dnp, r), 32);
        let direct = f32x4.mul(g, z);
        if (full) v128.store(dhq, direct); else storePartial(dhq, direct, H - u);
        cq += 64; pv += 16; dyq += 16; dhq += 16; dxq += 48; dhpq += 48;
      }
    } else {
      for (let u = 0; u < H; u++) {
        let o = <usize>((u >> 2) * 12 + (u & 3)) << 2, co = <usize>((u >> 2) * 16 + (u & 3)) << 2, uo = <usize>u << 2;
        let g = load<f32>(dyq + uo) + load<f32>(dhq + uo), prev = load<f32>(pv + uo);
        let r = load<f32>(cq + co), z = load<f32>(cq + co, 16), n = load<f32>(cq + co, 32), hn = load<f32>(cq + co, 48);
        let dnp = g * (1 - z) * (1 - n * n), dzp = g * (prev - n) * (z * (1 - z)), drp = dnp * hn * (r * (1 - r));
        store<f32>(dxq + o, drp); store<f32>(dxq + o, dzp, 16); store<f32>(dxq + o, dnp, 32);
        store<f32>(dhpq + o, drp); store<f32>(dhpq + o, dzp, 16); store<f32>(dhpq + o, dnp * r, 32);
        store<f32>(dhq + uo, g * z);
      }
    }
  }
}
