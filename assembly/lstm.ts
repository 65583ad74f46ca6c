// LSTM gate kernels: one step's fused gate math for B rows and its gradient (the sequence
// drivers in recurrent.ts call them once per step).
//
// Shapes: B batch rows, H hidden units, H4 = H rounded up to 4, G4 = 4·H4 gate columns.
//
// Gate-interleaved columns: gate q ∈ {i, f, g, o} of unit u sits in column
//   (u >> 2)·16 + q·4 + (u & 3)
// so one 16-column block holds all four gates of four units: the gate kernel reads four
// consecutive f32x4 and produces four units of c and h. Units H..H4−1 are padding whose
// weights are zero; the kernels keep their c, h and gate gradients at exactly zero.
//
// What forward saves for backward: gates [T,B,G4] (activations i, f, g, o), cells [T,B,H4]
// (c_t), and y (h_t, written into the layer output). x, h0, c0 are the caller's staging.
import { fma, sigmoidV, tanhV, sigmoidS, tanhS, loadPartial, storePartial } from './simd';

// One step's gate math for B rows:
// gates [B, ldg] pre-activations -> activations (in place); cPrev [B, ldcp] -> c [B, ldc];
// h [B, ldh] (only H columns written).
export function lstmGatesForward(gates: usize, ldg: i32, cPrev: usize, ldcp: i32, c: usize, ldc: i32,
                                 h: usize, ldh: i32, B: i32, H: i32): void {
  for (let b = 0; b < B; b++) {
    let z = gates + (<usize>(b * ldg) << 2), cp = cPrev + (<usize>(b * ldcp) << 2);
    let cn = c + (<usize>(b * ldc) << 2), hp = h + (<usize>(b * ldh) << 2);
    if (ASC_FEATURE_SIMD) {
      for (let u = 0; u < H; u += 4) {
        let i = sigmoidV(v128.load(z)), f = sigmoidV(v128.load(z, 16));
        let g = tanhV(v128.load(z, 32)), o = sigmoidV(v128.load(z, 48));
        v128.store(z, i); v128.store(z, f, 16); v128.store(z, g, 32); v128.store(z, o, 48);
        let cv = fma(f, v128.load(cp), f32x4.mul(i, g));
        v128.store(cn, cv);
        let hv = f32x4.mul(o, tanhV(cv));
        if (u + 4 <= H) v128.store(hp, hv); else storePartial(hp, hv, H - u);
        z += 64; cp += 16; cn += 16; hp += 16;
      }
    } else {
      let H4 = (H + 3) & ~3;
      for (let u = 0; u < H4; u++) {
        let q = z + (<usize>((u >> 2) * 16 + (u & 3)) << 2);
        let i = sigmoidS(load<f32>(q)), f = sigmoidS(load<f32>(q, 16));
        let g = tanhS(load<f32>(q, 32)), o = sigmoidS(load<f32>(q, 48));
        store<f32>(q, i); store<f32>(q, f, 16); store<f32>(q, g, 32); store<f32>(q, o, 48);
        let cv = f * load<f32>(cp + (<usize>u << 2)) + i * g;
        store<f32>(cn + (<usize>u << 2), cv);
        if (u < H) store<f32>(hp + (<usize>u << 2), o * tanhS(cv));
      }
    }
  }
}

// One step's gate gradients for B rows (the pair of lstmGatesForward):
// gates [B, ldg] activations, c [B, ldc] = c_t, cPrev [B, ldcp] = c_{t−1},
// dy [B, ldy] + dhRec [B, H] = ∂L/∂h_t, dc [B, H4] = ∂L/∂c_t from later steps (in) -> ∂L/∂c_{t−1} (out),
// dz [B, ldz] = ∂L/∂(pre-activations), gate-interleaved like gates.
export function lstmGatesBackward(gates: usize, ldg: i32, c: usize, ldc: i32, cPrev: usize, ldcp: i32,
                                  dy: usize, ldy: i32, dhRec: usize, dc: usize, dz: usize, ldz: i32,
                                  B: i32, H: i32): void {
  let H4 = (H + 3) & ~3;
  for (let b = 0; b < B; b++) {
    let z = gates + (<usize>(b * ldg) << 2), cn = c + (<usize>(b * ldc) << 2), cp = cPrev + (<usize>(b * ldcp) << 2);
    let dyp = dy + (<usize>(b * ldy) << 2), dhp = dhRec + (<usize>(b * H) << 2);
    let dcp = dc + (<usize>(b * H4) << 2), dzp = dz + (<usize>(b * ldz) << 2);
    if (ASC_FEATURE_SIMD) {
      let one = f32x4.splat(1);
      for (let u = 0; u < H; u += 4) {
        let dh = u + 4 <= H
          ? f32x4.add(v128.load(dyp), v128.load(dhp))
          : f32x4.add(loadPartial(dyp, H - u), loadPartial(dhp, H - u));
        let i = v128.load(z), f = v128.load(z, 16), g = v128.load(z, 32), o = v128.load(z, 48);
        let tc = tanhV(v128.load(cn));
        let dcv = fma(f32x4.mul(dh, o), f32x4.sub(one, f32x4.mul(tc, tc)), v128.load(dcp));
        let dO = f32x4.mul(f32x4.mul(dh, tc), f32x4.mul(o, f32x4.sub(one, o)));
        let dI = f32x4.mul(f32x4.mul(dcv, g), f32x4.mul(i, f32x4.sub(one, i)));
        let dG = f32x4.mul(f32x4.mul(dcv, i), f32x4.sub(one, f32x4.mul(g, g)));
        let dF = f32x4.mul(f32x4.mul(dcv, v128.load(cp)), f32x4.mul(f, f32x4.sub(one, f)));
        v128.store(dcp, f32x4.mul(dcv, f));
        v128.store(dzp, dI); v128.store(dzp, dF, 16); v128.store(dzp, dG, 32); v128.store(dzp, dO, 48);
        z += 64; cn += 16; cp += 16; dyp += 16; dhp += 16; dcp += 16; dzp += 64;
      }
    } else {
      for (let u = 0; u < H4; u++) {
        let off = <usize>((u >> 2) * 16 + (u & 3)) << 2;
        let q = z + off, dq = dzp + off, uo = <usize>u << 2;
        let dh: f32 = u < H ? load<f32>(dyp + uo) + load<f32>(dhp + uo) : 0;
        let i = load<f32>(q), f = load<f32>(q, 16), g = load<f32>(q, 32), o = load<f32>(q, 48);
        let tc = tanhS(load<f32>(cn + uo));
        let dcv = dh * o * (1 - tc * tc) + load<f32>(dcp + uo);
        store<f32>(dq, dcv * g * (i * (1 - i)));
        store<f32>(dq, dcv * load<f32>(cp + uo) * (f * (1 - f)), 16);
        store<f32>(dq, dcv * i * (1 - g * g), 32);
        store<f32>(dq, dh * tc * (o * (1 - o)), 48);
        store<f32>(dcp + uo, dcv * f);
      }
    }
  }
}

// The variants, in one pair of kernels so the plain LSTM above keeps its tight loop:
//   peephole (peep ≠ 0): i, f also see p_i∘c_{t−1}, p_f∘c_{t−1}; o sees p_o∘c_t (ONNX's P, [3·H4]:
//     p_i, p_f, p_o, each padded to H4);
//   coupled input-forget (cifg ≠ 0): i = 1 − f (the i columns of the projections are ignored).
// Same buffers as lstmGatesForward.
export function lstmGatesForwardX(gates: usize, ldg: i32, cPrev: usize, ldcp: i32, c: usize, ldc: i32,
                                  h: usize, ldh: i32, B: i32, H: i32, peep: usize, cifg: i32): void {
  let H4 = (H + 3) & ~3, pOff = <usize>H4 << 2;
  for (let b = 0; b < B; b++) {
    let z = gates + (<usize>(b * ldg) << 2), cp = cPrev + (<usize>(b * ldcp) << 2);
    let cn = c + (<usize>(b * ldc) << 2), hp = h + (<usize>(b * ldh) << 2), pp = peep;
    if (ASC_FEATURE_SIMD) {
      let zero = f32x4.splat(0), one = f32x4.splat(1);
      for (let u = 0; u < H; u += 4) {
        let cpv = v128.load(cp);
        let pi = peep ? v128.load(pp) : zero, pf = peep ? v128.load(pp + pOff) : zero, po = peep ? v128.load(pp + 2 * pOff) : zero;
        let f = sigmoidV(fma(pf, cpv, v128.load(z, 16)));
        let i = cifg ? f32x4.sub(one, f) : sigmoidV(fma(pi, cpv, v128.load(z)));
        let g = tanhV(v128.load(z, 32));
        let cv = fma(f, cpv, f32x4.mul(i, g));
        let o = sigmoidV(fma(po, cv, v128.load(z, 48)));
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
        let pi: f32 = peep ? load<f32>(peep + uo) : 0, pf: f32 = peep ? load<f32>(peep + pOff + uo) : 0, po: f32 = peep ? load<f32>(peep + 2 * pOff + uo) : 0;
        let f = sigmoidS(load<f32>(q, 16) + pf * cpv);
        let i: f32 = cifg ? <f32>1 - f : sigmoidS(load<f32>(q) + pi * cpv);
        let g = tanhS(load<f32>(q, 32));
        let cv = f * cpv + i * g;
        let o = sigmoidS(load<f32>(q, 48) + po * cv);
        store<f32>(q, i); store<f32>(q, f, 16); store<f32>(q, g, 32); store<f32>(q, o, 48);
        store<f32>(cn + uo, cv);
        if (u < H) store<f32>(hp + uo, o * tanhS(cv));
      }
    }
  }
}

// The pair of lstmGatesForwardX (buffers as lstmGatesBackward); accumulates the peephole weights'
// gradients into gpeep [3·H4] (summed over the B rows).
export function lstmGatesBackwardX(gates: usize, ldg: i32, c: usize, ldc: i32, cPrev: usize, ldcp: i32,
                                   dy: usize, ldy: i32, dhRec: usize, dc: usize, dz: usize, ldz: i32,
                                   B: i32, H: i32, peep: usize, gpeep: usize, cifg: i32): void {
  let H4 = (H + 3) & ~3, pOff = <usize>H4 << 2;
  for (let b = 0; b < B; b++) {
    let z = gates + (<usize>(b * ldg) << 2), cn = c + (<usize>(b * ldc) << 2), cp = cPrev + (<usize>(b * ldcp) << 2);
    let dyp = dy + (<usize>(b * ldy) << 2), dhp = dhRec + (<usize>(b * H) << 2);
    let dcp = dc + (<usize>(b * H4) << 2), dzp = dz + (<usize>(b * ldz) << 2);
    if (ASC_FEATURE_SIMD) {
      let one = f32x4.splat(1), zero = f32x4.splat(0);
      for (let u = 0; u < H; u += 4) {
        let uo = <usize>u << 2, q = z + (uo << 2), dq = dzp + (uo << 2);
        let dh = u + 4 <= H
          ? f32x4.add(v128.load(dyp + uo), v128.load(dhp + uo))
          : f32x4.add(loadPartial(dyp + uo, H - u), loadPartial(dhp + uo, H - u));
        let i = v128.load(q), f = v128.load(q, 16), g = v128.load(q, 32), o = v128.load(q, 48);
        let cv = v128.load(cn + uo), cpv = v128.load(cp + uo), tc = tanhV(cv);
        let pi = peep ? v128.load(peep + uo) : zero, pf = peep ? v128.load(peep + pOff + uo) : zero, po = peep ? v128.load(peep + 2 * pOff + uo) : zero;
        let dO = f32x4.mul(f32x4.mul(dh, tc), f32x4.mul(o, f32x4.sub(one, o)));
        let dcv = fma(dO, po, fma(f32x4.mul(dh, o), f32x4.sub(one, f32x4.mul(tc, tc)), v128.load(dcp + uo)));
        let dG = f32x4.mul(f32x4.mul(dcv, i), f32x4.sub(one, f32x4.mul(g, g)));
        let dI = zero, dF: v128;
        if (cifg) dF = f32x4.mul(f32x4.mul(dcv, f32x4.sub(cpv, g)), f32x4.mul(f, f32x4.sub(one, f)));
        else {
          dI = f32x4.mul(f32x4.mul(dcv, g), f32x4.mul(i, f32x4.sub(one, i)));
          dF = f32x4.mul(f32x4.mul(dcv, cpv), f32x4.mul(f, f32x4.sub(one, f)));
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
    for (let u = 0; u < H4; u++) {
      let q = z + (<usize>((u >> 2) * 16 + (u & 3)) << 2), dq = dzp + (<usize>((u >> 2) * 16 + (u & 3)) << 2), uo = <usize>u << 2;
      let dh: f32 = u < H ? load<f32>(dyp + uo) + load<f32>(dhp + uo) : 0;
      let i = load<f32>(q), f = load<f32>(q, 16), g = load<f32>(q, 32), o = load<f32>(q, 48);
      let cv = load<f32>(cn + uo), cpv = load<f32>(cp + uo), tc = tanhS(cv);
      let pi: f32 = peep ? load<f32>(peep + uo) : 0, pf: f32 = peep ? load<f32>(peep + pOff + uo) : 0, po: f32 = peep ? load<f32>(peep + 2 * pOff + uo) : 0;
      let dO = dh * tc * (o * (1 - o));
      let dcv = dh * o * (1 - tc * tc) + load<f32>(dcp + uo) + dO * po;
      let dG = dcv * i * (1 - g * g);
      let dI: f32 = 0, dF: f32;
      if (cifg) dF = dcv * (cpv - g) * (f * (1 - f));
      else { dI = dcv * g * (i * (1 - i)); dF = dcv * cpv * (f * (1 - f)); }
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
