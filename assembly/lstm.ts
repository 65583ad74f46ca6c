// LSTM forward and backward over a whole sequence, for one layer and one direction.
//
// Shapes: T steps, B batch rows, K input features, H hidden units, H4 = H rounded up to 4,
// G4 = 4·H4 gate columns. Everything is time-major ([T, B, ·]) so the B rows of one step are
// contiguous and h_{t−1} of every row is one strided matrix.
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
import { gemmXWt, gemmDyW, gemmDyTX, colSum, packTransposed, fillBias2 } from './gemm';

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

// x [T,B,K] · wih packed [G4/8][K][8], whh packed [G4/8][H][8], bih/bhh [G4], h0 [B,H], c0 [B,H4]
// -> gates [T,B,G4], cells [T,B,H4], y [T,B,ldy] (h_t in columns 0..H−1).
// reverse = 1 runs t = T−1 … 0 (the backward direction of a bidirectional layer).
// lengths [B] i32 (0 = all T): steps t ≥ lengths[b] are padding; row b carries its h and c
// through them unchanged, which equals running each sequence at its own length (both directions).
// recMask [B,H] (0 = none): variational recurrent dropout, the same mask on h_{t−1} at every step;
// hMasked [T,B,H] then keeps h_{t−1}∘mask per step for backward.
export function lstmForward(x: usize, K: i32, wih: usize, whh: usize, bih: usize, bhh: usize,
                            h0: usize, c0: usize, gates: usize, cells: usize, y: usize, ldy: i32,
                            T: i32, B: i32, H: i32, reverse: i32, lengths: usize, recMask: usize, hMasked: usize): void {
  let H4 = (H + 3) & ~3, G4 = H4 << 2, rows = T * B;
  // The input projection for every step at once: one GEMM with M = T·B.
  fillBias2(gates, G4, rows, G4, bih, bhh);
  gemmXWt(x, K, rows, K, wih, G4, gates, G4);
  let stepGates = <usize>(B * G4) << 2, stepCells = <usize>(B * H4) << 2, stepY = <usize>(B * ldy) << 2;
  for (let s = 0; s < T; s++) {
    let t = reverse ? T - 1 - s : s, tp = reverse ? t + 1 : t - 1;
    let g = gates + <usize>t * stepGates;
    let hPrev = s == 0 ? h0 : y + <usize>tp * stepY, ldh = s == 0 ? H : ldy;
    let cPrev = s == 0 ? c0 : cells + <usize>tp * stepCells;
    if (recMask != 0) {
      let hm = hMasked + <usize>t * (<usize>(B * H) << 2);
      for (let b = 0; b < B; b++) {
        for (let u = 0; u < H; u++) {
          let o = <usize>(b * H + u) << 2;
          store<f32>(hm + o, load<f32>(hPrev + (<usize>(b * ldh + u) << 2)) * load<f32>(recMask + o));
        }
      }
      gemmXWt(hm, H, B, H, whh, G4, g, G4);
    } else {
      gemmXWt(hPrev, ldh, B, H, whh, G4, g, G4);
    }
    let cNow = cells + <usize>t * stepCells, yNow = y + <usize>t * stepY;
    lstmGatesForward(g, G4, cPrev, H4, cNow, H4, yNow, ldy, B, H);
    if (lengths != 0) {
      for (let b = 0; b < B; b++) {
        if (t < load<i32>(lengths + (<usize>b << 2))) continue;
        memory.copy(cNow + (<usize>(b * H4) << 2), cPrev + (<usize>(b * H4) << 2), <usize>H4 << 2);
        memory.copy(yNow + (<usize>(b * ldy) << 2), hPrev + (<usize>(b * ldh) << 2), <usize>H << 2);
        memory.fill(g + (<usize>(b * G4) << 2), 0, <usize>G4 << 2);
      }
    }
  }
}

// The pair of lstmForward. Inputs as there, plus dy [T,B,ldy] = ∂L/∂y (same column offset as y),
// dh [B,H] = ∂L/∂h_n (in) -> ∂L/∂h0 (out), dc [B,H4] = ∂L/∂c_n (in) -> ∂L/∂c0 (out).
// Scratch: dz [T,B,G4], wihT [ceil(K/8)][G4][8], whhT [ceil(H/8)][G4][8],
// dwScratch [gemmDyTXScratchFloats(G4, max(K, H))], maskScratch [B·H + B·H4] (with lengths).
// Padded steps (t ≥ lengths[b]) pass ∂L/∂h and ∂L/∂c straight through and add nothing else.
// Accumulates: dx [T,B,K] (skipped when dx = 0), gwih, gwhh (packed like the weights), gbih, gbhh.
export function lstmBackward(x: usize, K: i32, wih: usize, whh: usize, h0: usize, c0: usize,
                             gates: usize, cells: usize, y: usize, ldy: i32, dy: usize,
                             dh: usize, dc: usize, dz: usize, wihT: usize, whhT: usize,
                             dx: usize, gwih: usize, gwhh: usize, gbih: usize, gbhh: usize, dwScratch: usize,
                             T: i32, B: i32, H: i32, reverse: i32, lengths: usize, maskScratch: usize,
                             recMask: usize, hMasked: usize): void {
  let H4 = (H + 3) & ~3, G4 = H4 << 2, rows = T * B;
  packTransposed(whh, G4, H, whhT);
  let stepGates = <usize>(B * G4) << 2, stepCells = <usize>(B * H4) << 2, stepY = <usize>(B * ldy) << 2;
  let dhBytes = <usize>(B * H) << 2;
  for (let s = 0; s < T; s++) {
    let t = reverse ? s : T - 1 - s, tp = reverse ? t + 1 : t - 1;   // tp: the step before t in run order
    let cPrev = s == T - 1 ? c0 : cells + <usize>tp * stepCells;
    let dzt = dz + <usize>t * stepGates, dyt = dy + <usize>t * stepY;
    let dhCarry = maskScratch, dcSave = maskScratch + (<usize>(B * H) << 2);
    if (lengths != 0) {
      for (let b = 0; b < B; b++) {
        if (t < load<i32>(lengths + (<usize>b << 2))) continue;
        for (let u = 0; u < H; u++) {
          let o = <usize>(b * H + u) << 2;
          store<f32>(dhCarry + o, load<f32>(dh + o) + load<f32>(dyt + (<usize>(b * ldy + u) << 2)));
        }
        memory.copy(dcSave + (<usize>(b * H4) << 2), dc + (<usize>(b * H4) << 2), <usize>H4 << 2);
      }
    }
    lstmGatesBackward(gates + <usize>t * stepGates, G4, cells + <usize>t * stepCells, H4, cPrev, H4,
                      dyt, ldy, dh, dc, dzt, G4, B, H);
    if (lengths != 0) {
      for (let b = 0; b < B; b++) {
        if (t < load<i32>(lengths + (<usize>b << 2))) continue;
        memory.fill(dzt + (<usize>(b * G4) << 2), 0, <usize>G4 << 2);
        memory.copy(dc + (<usize>(b * H4) << 2), dcSave + (<usize>(b * H4) << 2), <usize>H4 << 2);
      }
    }
    // ∂L/∂h_{t−1} through the recurrence; overwrites dh, which the gate kernel has consumed.
    memory.fill(dh, 0, dhBytes);
    gemmDyW(dzt, G4, B, G4, whhT, H, dh, H);
    if (recMask != 0) {
      for (let i = 0; i < B * H; i++) { let o = <usize>i << 2; store<f32>(dh + o, load<f32>(dh + o) * load<f32>(recMask + o)); }
    }
    if (lengths != 0) {
      for (let b = 0; b < B; b++) {
        if (t >= load<i32>(lengths + (<usize>b << 2))) memory.copy(dh + (<usize>(b * H) << 2), dhCarry + (<usize>(b * H) << 2), <usize>H << 2);
      }
    }
  }
  // Weight gradients: one reduction over all T·B rows each.
  gemmDyTX(dz, G4, x, K, rows, G4, K, gwih, dwScratch);
  if (recMask != 0) {
    gemmDyTX(dz, G4, hMasked, H, rows, G4, H, gwhh, dwScratch);   // the masked h_{t−1}, row for row
  } else {
    let first = reverse ? T - 1 : 0;               // the step whose h_{t−1} is h0
    let shifted = reverse ? dz : dz + (<usize>B * G4 << 2);
    let hShifted = reverse ? y + stepY : y;
    gemmDyTX(shifted, G4, hShifted, ldy, rows - B, G4, H, gwhh, dwScratch);
    gemmDyTX(dz + <usize>first * stepGates, G4, h0, H, B, G4, H, gwhh, dwScratch);
  }
  colSum(dz, G4, rows, G4, gbih);
  colSum(dz, G4, rows, G4, gbhh);
  if (dx != 0) {
    packTransposed(wih, G4, K, wihT);
    gemmDyW(dz, G4, rows, G4, wihT, K, dx, K);
  }
}

// One time step for a stack of layers (streaming inference). desc holds, per layer, eight i32:
// x, K, wih, whh, bih, bhh, h [B,H] (in/out), c [B,H4] (in/out); gates [B,G4] is scratch.
export function lstmStep(desc: usize, layers: i32, gates: usize, B: i32, H: i32): void {
  let H4 = (H + 3) & ~3, G4 = H4 << 2;
  for (let l = 0; l < layers; l++) {
    let d = desc + (<usize>l << 5);
    let x = <usize>load<i32>(d), K = load<i32>(d, 4), wih = <usize>load<i32>(d, 8), whh = <usize>load<i32>(d, 12);
    let bih = <usize>load<i32>(d, 16), bhh = <usize>load<i32>(d, 20), h = <usize>load<i32>(d, 24), c = <usize>load<i32>(d, 28);
    fillBias2(gates, G4, B, G4, bih, bhh);
    gemmXWt(x, K, B, K, wih, G4, gates, G4);
    gemmXWt(h, H, B, H, whh, G4, gates, G4);
    lstmGatesForward(gates, G4, c, H4, c, H4, h, H, B, H);
  }
}
