// GRU (reset after W_hn·h, PyTorch's form) gate kernels for hard gates (FLAG_HARD_GATES: r, z use
// min(max(α·x + β, 0), 1)) and clip (FLAG_CLIP: every pre-activation clamped to [−clip, clip]), so that
// the plain pair in gru.ts keeps its tight loop. Buffers, columns and cache as gru.ts.
import { SEQ_FLAGS, SEQ_ALPHA, SEQ_BETA, SEQ_CLIP, FLAG_HARD_GATES, FLAG_CLIP } from './abi';
import { dI32, dF32 } from './desc';
import {
  fma, tanhV, tanhS, loadPartial, storePartial, clampV, clampS, gateV, gateS, gateSlopeV, gateSlopeS, unclippedV,
} from './simd';

export function gruGatesForwardOptions(d: usize, xp: usize, ldx: i32, hp: usize, ldh: i32, hPrev: usize, ldhp: i32,
                                 cache: usize, ldc: i32, h: usize, ldy: i32, B: i32, H: i32): void {
  let flags = dI32(d, SEQ_FLAGS), hard = (flags & FLAG_HARD_GATES) != 0;
  let alpha = dF32(d, SEQ_ALPHA), beta = dF32(d, SEQ_BETA), clip: f32 = flags & FLAG_CLIP ? dF32(d, SEQ_CLIP) : Infinity;
  for (let b = 0; b < B; b++) {
    let xq = xp + (<usize>(b * ldx) << 2), hq = hp + (<usize>(b * ldh) << 2), pv = hPrev + (<usize>(b * ldhp) << 2);
    let cq = cache + (<usize>(b * ldc) << 2), out = h + (<usize>(b * ldy) << 2);
    if (ASC_FEATURE_SIMD) {
      let a = f32x4.splat(alpha), bt = f32x4.splat(beta), lo = f32x4.splat(-clip), hi = f32x4.splat(clip);
      for (let u = 0; u < H; u += 4) {
        let r = gateV(clampV(f32x4.add(v128.load(xq), v128.load(hq)), lo, hi), hard, a, bt);
        let z = gateV(clampV(f32x4.add(v128.load(xq, 16), v128.load(hq, 16)), lo, hi), hard, a, bt);
        let hn = v128.load(hq, 32);
        let n = tanhV(clampV(fma(r, hn, v128.load(xq, 32)), lo, hi));
        let prev = u + 4 <= H ? v128.load(pv) : loadPartial(pv, H - u);
        let hv = fma(z, f32x4.sub(prev, n), n);
        v128.store(cq, r); v128.store(cq, z, 16); v128.store(cq, n, 32); v128.store(cq, hn, 48);
        if (u + 4 <= H) v128.store(out, hv); else storePartial(out, hv, H - u);
        xq += 48; hq += 48; pv += 16; cq += 64; out += 16;
      }
    } else {
      for (let u = 0; u < H; u++) {
        let o = <usize>((u >> 2) * 12 + (u & 3)) << 2, co = <usize>((u >> 2) * 16 + (u & 3)) << 2;
        let r = gateS(clampS(load<f32>(xq + o) + load<f32>(hq + o), -clip, clip), hard, alpha, beta);
        let z = gateS(clampS(load<f32>(xq + o, 16) + load<f32>(hq + o, 16), -clip, clip), hard, alpha, beta);
        let hn = load<f32>(hq + o, 32);
        let n = tanhS(clampS(load<f32>(xq + o, 32) + r * hn, -clip, clip));
        let prev = load<f32>(pv + (<usize>u << 2));
        store<f32>(cq + co, r); store<f32>(cq + co, z, 16); store<f32>(cq + co, n, 32); store<f32>(cq + co, hn, 48);
        store<f32>(out + (<usize>u << 2), n + z * (prev - n));
      }
    }
  }
}

// The pair of gruGatesForwardOptions (buffers as gruGatesBackward).
export function gruGatesBackwardOptions(d: usize, cache: usize, ldc: i32, hPrev: usize, ldhp: i32, dy: usize, ldy: i32,
                                  dh: usize, dxp: usize, ldx: i32, dhp: usize, ldh: i32, B: i32, H: i32): void {
  let flags = dI32(d, SEQ_FLAGS), hard = (flags & FLAG_HARD_GATES) != 0, clipped = (flags & FLAG_CLIP) != 0;
  let alpha = dF32(d, SEQ_ALPHA), beta = dF32(d, SEQ_BETA), clip: f32 = clipped ? dF32(d, SEQ_CLIP) : Infinity;
  for (let b = 0; b < B; b++) {
    let cq = cache + (<usize>(b * ldc) << 2), pv = hPrev + (<usize>(b * ldhp) << 2), dyq = dy + (<usize>(b * ldy) << 2);
    let dhq = dh + (<usize>(b * H) << 2), dxq = dxp + (<usize>(b * ldx) << 2), dhpq = dhp + (<usize>(b * ldh) << 2);
    if (ASC_FEATURE_SIMD) {
      let one = f32x4.splat(1), a = f32x4.splat(alpha), bt = f32x4.splat(beta);
      let sLo = gateV(f32x4.splat(-clip), hard, a, bt), sHi = gateV(f32x4.splat(clip), hard, a, bt);
      let tLo = tanhV(f32x4.splat(-clip)), tHi = tanhV(f32x4.splat(clip));
      for (let u = 0; u < H; u += 4) {
        let full = u + 4 <= H;
        let g = full ? f32x4.add(v128.load(dyq), v128.load(dhq)) : f32x4.add(loadPartial(dyq, H - u), loadPartial(dhq, H - u));
        let prev = full ? v128.load(pv) : loadPartial(pv, H - u);
        let r = v128.load(cq), z = v128.load(cq, 16), n = v128.load(cq, 32), hn = v128.load(cq, 48);
        let sN = f32x4.sub(one, f32x4.mul(n, n)), sZ = gateSlopeV(z, hard, a), sR = gateSlopeV(r, hard, a);
        if (clipped) {
          sN = v128.and(sN, unclippedV(n, tLo, tHi));
          sZ = v128.and(sZ, unclippedV(z, sLo, sHi));
          sR = v128.and(sR, unclippedV(r, sLo, sHi));
        }
        let dnp = f32x4.mul(f32x4.mul(g, f32x4.sub(one, z)), sN);
        let dzp = f32x4.mul(f32x4.mul(g, f32x4.sub(prev, n)), sZ);
        let drp = f32x4.mul(f32x4.mul(dnp, hn), sR);
        v128.store(dxq, drp); v128.store(dxq, dzp, 16); v128.store(dxq, dnp, 32);
        v128.store(dhpq, drp); v128.store(dhpq, dzp, 16); v128.store(dhpq, f32x4.mul(dnp, r), 32);
        let direct = f32x4.mul(g, z);
        if (full) v128.store(dhq, direct); else storePartial(dhq, direct, H - u);
        cq += 64; pv += 16; dyq += 16; dhq += 16; dxq += 48; dhpq += 48;
      }
    } else {
      let sLo = gateS(-clip, hard, alpha, beta), sHi = gateS(clip, hard, alpha, beta);
      let tLo = tanhS(-clip), tHi = tanhS(clip);
      for (let u = 0; u < H; u++) {
        let o = <usize>((u >> 2) * 12 + (u & 3)) << 2, co = <usize>((u >> 2) * 16 + (u & 3)) << 2, uo = <usize>u << 2;
        let g = load<f32>(dyq + uo) + load<f32>(dhq + uo), prev = load<f32>(pv + uo);
        let r = load<f32>(cq + co), z = load<f32>(cq + co, 16), n = load<f32>(cq + co, 32), hn = load<f32>(cq + co, 48);
        let sN: f32 = 1 - n * n, sZ = gateSlopeS(z, hard, alpha), sR = gateSlopeS(r, hard, alpha);
        if (clipped) {
          if (!(n > tLo && n < tHi)) sN = 0;
          if (!(z > sLo && z < sHi)) sZ = 0;
          if (!(r > sLo && r < sHi)) sR = 0;
        }
        let dnp = g * (1 - z) * sN, dzp = g * (prev - n) * sZ, drp = dnp * hn * sR;
        store<f32>(dxq + o, drp); store<f32>(dxq + o, dzp, 16); store<f32>(dxq + o, dnp, 32);
        store<f32>(dhpq + o, drp); store<f32>(dhpq + o, dzp, 16); store<f32>(dhpq + o, dnp * r, 32);
        store<f32>(dhq + uo, g * z);
      }
    }
  }
}
