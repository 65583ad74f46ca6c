// The LSTM cell: its step kernels for the sequence drivers (assembly/sequence.ts, through the
// registry in assembly/cells.ts), and the plain cell's fused gate math for B rows and its gradient
// (every option other than the plain cell goes through lstm-options.ts).
//
// Shapes: B batch rows, H hidden units, H4 = H rounded up to 4, G4 = 4·H4 gate columns.
//
// Gate-interleaved columns: gate q ∈ {i, f, g, o} of unit u sits in column
//   (u >> 2)·16 + q·4 + (u & 3)
// so one 16-column block holds all four gates of four units: the gate kernel reads four
// consecutive f32x4 and produces four units of c and h. Units H..H4−1 are padding whose
// weights are zero; the kernels keep their c, h and gate gradients at exactly zero.
//
// What forward keeps for backward: the projection rows turned into the gate activations i, f, g, o
// [T,B,G4], the cell state c_t [T,B,H4] (REGION_STATE), and h_t (the layer output).
import { SEQ_FLAGS, SEQ_H, SEQ_GPEEP } from './abi';
import { dI32, dPtr } from './desc';
import { recurrentProduct } from './product';
import { fma, sigmoidV, tanhV, sigmoidS, tanhS, loadPartial, storePartial } from './simd';
import { gradThroughRecurrent } from './steps';
import { lstmGatesForwardOptions, lstmGatesBackwardOptions } from './lstm-options';

// One step forward for nb rows (a ForwardStep, assembly/cells.ts): p [nb, 4·U] holds bias + W_ih·x_t;
// add W_hh·h_{t−1} (rec), then the gates: c_{t−1} (sPrev) -> c_t (sNow), h_t -> y.
export function lstmStepForward(d: usize, p: usize, rec: usize, ldr: i32, hPrev: usize, ldh: i32, sPrev: usize,
                                sNow: usize, aux: usize, y: usize, ldy: i32, scratch: usize, nb: i32): void {
  let H = dI32(d, SEQ_H), U = (H + 3) & ~3, N = 4 * U;
  recurrentProduct(d, rec, ldr, nb, H, 0, N, p, N);
  if (dI32(d, SEQ_FLAGS) == 0) lstmGatesForward(p, N, sPrev, U, sNow, U, y, ldy, nb, H);
  else lstmGatesForwardOptions(d, p, N, sPrev, U, sNow, U, y, ldy, nb, H);
}

// One step backward (a BackwardStep): ∂L/∂h_t = dy + dh and dc = ∂L/∂c_t -> dz [nb, N], dc = ∂L/∂c_{t−1},
// dh = ∂L/∂h_{t−1} through W_hh.
export function lstmStepBackward(d: usize, p: usize, aux: usize, rec: usize, ldr: i32, hPrev: usize, ldh: i32,
                                 sPrev: usize, sNow: usize, dy: usize, ldy: i32, dh: usize, dc: usize, dz: usize,
                                 dzh: usize, whhT: usize, tmpA: usize, tmpB: usize, mask: usize, nb: i32): void {
  let H = dI32(d, SEQ_H), U = (H + 3) & ~3, N = 4 * U;
  if (dI32(d, SEQ_FLAGS) == 0) lstmGatesBackward(p, N, sNow, U, sPrev, U, dy, ldy, dh, dc, dz, N, nb, H);
  else lstmGatesBackwardOptions(d, p, N, sNow, U, sPrev, U, dy, ldy, dh, dc, dz, N, nb, H, dPtr(d, SEQ_GPEEP));
  gradThroughRecurrent(dz, N, N, whhT, H, dh, mask, nb);
}

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

