// The LSTM gate kernels for every option other than the plain cell, in one pair so that the plain
// pair in lstm.ts keeps its tight loop:
//   peephole (FLAG_PEEPHOLE): i, f also see p_i∘c_{t−1}, p_f∘c_{t−1}; o sees p_o∘c_t (ONNX's P,
//     SEQ_PEEP [3·U]: p_i, p_f, p_o, each padded to U);
//   coupled input-forget (FLAG_CIFG): i = 1 − f (the i columns of the projections are ignored);
//   hard gates (FLAG_HARD_GATES): i, f, o use min(max(α·x + β, 0), 1) instead of σ;
//   clip (FLAG_CLIP): every gate pre-activation (after the peephole term) is clamped to [−clip, clip].
// Buffers and shapes as lstmGatesForward / lstmGatesBackward (lstm.ts).
import {
  SEQ_FLAGS, SEQ_PEEP, SEQ_ALPHA, SEQ_BETA, SEQ_CLIP,
  FLAG_PEEPHOLE, FLAG_CIFG, FLAG_HARD_GATES, FLAG_CLIP,
} from './abi';
import { dI32, dPtr, dF32 } from './desc';
import {
  fma, tanhV, tanhS, loadPartial, storePartial, clampV, clampS, gateV, gateS, gateSlopeV, gateSlopeS, unclippedV,
} from './simd';

@inline function clipBound(d: usize): f32 {
  return dI32(d, SEQ_FLAGS) & FLAG_CLIP ? dF32(d, SEQ_CLIP) : Infinity;
}

export function lstmGatesForwardOptions(d: usize, gates: usize, ldg: i32, cPrev: usize, ldcp: i32, c: usize, ldc: i32,
                                  h: usize, ldh: i32, B: i32, H: i32): void {
  let flags = dI32(d, SEQ_FLAGS), peep = flags & FLAG_PEEPHOLE ? dPtr(d, SEQ_PEEP) : 0, cifg = flags & FLAG_CIFG;
  let hard = (flags & FLAG_HARD_GATES) != 0, alpha = dF32(d, SEQ_ALPHA), beta = dF32(d, SEQ_BETA), clip = clipBound(d);
  let H4 = (H + 3) & ~3, pOff = <usize>H4 << 2;
  for (let b = 0; b < B; b++) {
    let z = gates + (<usize>(b * ldg) << 2), cp = cPrev + (<usize>(b * ldcp) << 2);
    let cn = c + (<usize>(b * ldc) << 2), hp = h + (<usize>(b * ldh) << 2), pp = peep;
    if (ASC_FEATURE_SIMD) {
      let zero = f32x4.splat(0), one = f32x4.splat(1), a = f32x4.splat(alpha), bt = f32x4.splat(beta);
      let lo = f32x4.splat(-clip), hi = f32x4.splat(clip);
      for (let u = 0; u < H; u += 4) {
        let cpv = v128.load(cp);
        let pi = peep ? v128.load(pp) : zero, pf = peep ? v128.load(pp + pOff) : zero, po = peep ? v128.load(pp + 2 * pOff) : zero;
        let f = gateV(clampV(fma(pf, cpv, v128.load(z, 16)), lo, hi), hard, a, bt);
        let i = cifg ? f32x4.sub(one, f) : gateV(clampV(fma(pi, cpv, v128.load(z)), lo, hi), hard, a, bt);
        let g = tanhV(clampV(v128.load(z, 32), lo, hi));
        let cv = fma(f, cpv, f32x4.mul(i, g));
        let o = gateV(clampV(fma(po, cv, v128.load(z, 48)), lo, hi), hard, a, bt);
        v128.store(z, i); v128.store(z, f, 16); v128.store(z, g, 32); v128.store(z, o, 48);
        v128.store(cn, cv);
        let hv = f32x4.mul(o, tanhV(cv));
        if (u + 4 <= H) v128.store(hp, hv); else storePartial(hp, hv, H - u);
        z += 64; cp += 16; cn += 16; hp += 16; pp += 16;
      }
    } else {
      for (let u = 0; u < H4; u++) {
        let q = z + (<usize>((u >> 2) * 16 + (u & 3)) << 2), uo = <usize>u << 2;
        let cpv = load<f32>(cp + uo);
        let pi: f32 = peep ? load<f32>(peep + uo) : 0, pf: f32 = peep ? load<f32>(peep + pOff + uo) : 0;
        let po: f32 = peep ? load<f32>(peep + 2 * pOff + uo) : 0;
        let f = gateS(clampS(load<f32>(q, 16) + pf * cpv, -clip, clip), hard, alpha, beta);
        let i: f32 = cifg ? <f32>1 - f : gateS(clampS(load<f32>(q) + pi * cpv, -clip, clip), hard, alpha, beta);
        let g = tanhS(clampS(load<f32>(q, 32), -clip, clip));
        let cv = f * cpv + i * g;
        let o = gateS(clampS(load<f32>(q, 48) + po * cv, -clip, clip), hard, alpha, beta);
        store<f32>(q, i); store<f32>(q, f, 16); store<f32>(q, g, 32); store<f32>(q, o, 48);
        store<f32>(cn + uo, cv);
        if (u < H) store<f32>(hp + uo, o * tanhS(cv));
      }
    }
  }
}

// The pair of lstmGatesForwardOptions; accumulates the peephole weights' gradients into SEQ_GPEEP's
// block gpeep [3·U] (summed over the B rows).
export function lstmGatesBackwardOptions(d: usize, gates: usize, ldg: i32, c: usize, ldc: i32, cPrev: usize, ldcp: i32,
                                   dy: usize, ldy: i32, dhRec: usize, dc: usize, dz: usize, ldz: i32,
                                   B: i32, H: i32, gpeep: usize): void {
  let flags = dI32(d, SEQ_FLAGS), peep = flags & FLAG_PEEPHOLE ? dPtr(d, SEQ_PEEP) : 0, cifg = flags & FLAG_CIFG;
  let hard = (flags & FLAG_HARD_GATES) != 0, alpha = dF32(d, SEQ_ALPHA), beta = dF32(d, SEQ_BETA);
  let clipped = (flags & FLAG_CLIP) != 0, clip = clipBound(d);
  let H4 = (H + 3) & ~3, pOff = <usize>H4 << 2;
  for (let b = 0; b < B; b++) {
    let z = gates + (<usize>(b * ldg) << 2), cn = c + (<usize>(b * ldc) << 2), cp = cPrev + (<usize>(b * ldcp) << 2);
    let dyp = dy + (<usize>(b * ldy) << 2), dhp = dhRec + (<usize>(b * H) << 2);
    let dcp = dc + (<usize>(b * H4) << 2), dzp = dz + (<usize>(b * ldz) << 2);
    if (ASC_FEATURE_SIMD) {
      let one = f32x4.splat(1), zero = f32x4.splat(0), a = f32x4.splat(alpha), bt = f32x4.splat(beta);
      // Activations of the clip bounds: a gate whose activation reached one of them was clamped.
      let sLo = gateV(f32x4.splat(-clip), hard, a, bt), sHi = gateV(f32x4.splat(clip), hard, a, bt);
      let tLo = tanhV(f32x4.splat(-clip)), tHi = tanhV(f32x4.splat(clip));
      for (let u = 0; u < H; u += 4) {
        let uo = <usize>u << 2, q = z + (uo << 2), dq = dzp + (uo << 2);
        let dh = u + 4 <= H
          ? f32x4.add(v128.load(dyp + uo), v128.load(dhp + uo))
          : f32x4.add(loadPartial(dyp + uo, H - u), loadPartial(dhp + uo, H - u));
        let i = v128.load(q), f = v128.load(q, 16), g = v128.load(q, 32), o = v128.load(q, 48);
        let cv = v128.load(cn + uo), cpv = v128.load(cp + uo), tc = tanhV(cv);
        let pi = peep ? v128.load(peep + uo) : zero, pf = peep ? v128.load(peep + pOff + uo) : zero;
        let po = peep ? v128.load(peep + 2 * pOff + uo) : zero;
        let sO = gateSlopeV(o, hard, a), sF = gateSlopeV(f, hard, a), sI = gateSlopeV(i, hard, a);
        let sG = f32x4.sub(one, f32x4.mul(g, g));
        if (clipped) {
          sO = v128.and(sO, unclippedV(o, sLo, sHi)); sF = v128.and(sF, unclippedV(f, sLo, sHi));
          sI = v128.and(sI, unclippedV(i, sLo, sHi)); sG = v128.and(sG, unclippedV(g, tLo, tHi));
        }
        let dO = f32x4.mul(f32x4.mul(dh, tc), sO);
        let dcv = fma(dO, po, fma(f32x4.mul(dh, o), f32x4.sub(one, f32x4.mul(tc, tc)), v128.load(dcp + uo)));
        let dG = f32x4.mul(f32x4.mul(dcv, i), sG);
        let dI = zero, dF: v128;
        if (cifg) dF = f32x4.mul(f32x4.mul(dcv, f32x4.sub(cpv, g)), sF);
        else {
          dI = f32x4.mul(f32x4.mul(dcv, g), sI);
          dF = f32x4.mul(f32x4.mul(dcv, cpv), sF);
        }
        v128.store(dq, dI); v128.store(dq, dF, 16); v128.store(dq, dG, 32); v128.store(dq, dO, 48);
        v128.store(dcp + uo, fma(dF, pf, fma(dI, pi, f32x4.mul(dcv, f))));
        if (peep) {
          let gp = gpeep + uo;
          v128.store(gp, fma(dI, cpv, v128.load(gp)));
          v128.store(gp + pOff, fma(dF, cpv, v128.load(gp + pOff)));
          v128.store(gp + 2 * pOff, fma(dO, cv, v128.load(gp + 2 * pOff)));
        }
      }
      continue;
    }
    let sLo = gateS(-clip, hard, alpha, beta), sHi = gateS(clip, hard, alpha, beta);
    let tLo = tanhS(-clip), tHi = tanhS(clip);
    for (let u = 0; u < H4; u++) {
      let off = <usize>((u >> 2) * 16 + (u & 3)) << 2, q = z + off, dq = dzp + off, uo = <usize>u << 2;
      let dh: f32 = u < H ? load<f32>(dyp + uo) + load<f32>(dhp + uo) : 0;
      let i = load<f32>(q), f = load<f32>(q, 16), g = load<f32>(q, 32), o = load<f32>(q, 48);
      let cv = load<f32>(cn + uo), cpv = load<f32>(cp + uo), tc = tanhS(cv);
      let pi: f32 = peep ? load<f32>(peep + uo) : 0, pf: f32 = peep ? load<f32>(peep + pOff + uo) : 0;
      let po: f32 = peep ? load<f32>(peep + 2 * pOff + uo) : 0;
      let sO = gateSlopeS(o, hard, alpha), sF = gateSlopeS(f, hard, alpha), sI = gateSlopeS(i, hard, alpha);
      let sG: f32 = 1 - g * g;
      if (clipped) {
        if (!(o > sLo && o < sHi)) sO = 0;
        if (!(f > sLo && f < sHi)) sF = 0;
        if (!(i > sLo && i < sHi)) sI = 0;
        if (!(g > tLo && g < tHi)) sG = 0;
      }
      let dO = dh * tc * sO;
      let dcv = dh * o * (1 - tc * tc) + load<f32>(dcp + uo) + dO * po;
      let dG = dcv * i * sG;
      let dI: f32 = 0, dF: f32;
      if (cifg) dF = dcv * (cpv - g) * sF;
      else { dI = dcv * g * sI; dF = dcv * cpv * sF; }
      store<f32>(dq, dI); store<f32>(dq, dF, 16); store<f32>(dq, dG, 32); store<f32>(dq, dO, 48);
      store<f32>(dcp + uo, dcv * f + dI * pi + dF * pf);
      if (peep) {
        store<f32>(gpeep + uo, load<f32>(gpeep + uo) + dI * cpv);
        store<f32>(gpeep + pOff + uo, load<f32>(gpeep + pOff + uo) + dF * cpv);
        store<f32>(gpeep + 2 * pOff + uo, load<f32>(gpeep + 2 * pOff + uo) + dO * cv);
      }
    }
  }
}
