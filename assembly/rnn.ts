// Plain RNN (nn.RNN) cell: h' = act(W_ih·x + b_ih + W_hh·h + b_hh), act = tanh (CELL_RNN_TANH) or
// relu (CELL_RNN_RELU); FLAG_CLIP clamps the pre-activation first (ONNX `clip`). One column per unit.
// What forward keeps for backward: the activated h in the projection rows (REGION_PROJ).
import { SEQ_CELL, SEQ_FLAGS, SEQ_H, SEQ_CLIP, CELL_RNN_RELU, FLAG_CLIP } from './abi';
import { dI32, dPtr, dF32 } from './desc';
import { recurrentProduct } from './product';
import { tanhV, tanhS, loadPartial, storePartial, clampV, clampS } from './simd';
import { gradThroughRecurrent } from './steps';

@inline function clipOf(d: usize): f32 {
  return dI32(d, SEQ_FLAGS) & FLAG_CLIP ? dF32(d, SEQ_CLIP) : Infinity;
}

// z [B, ldz] pre-activations -> activations in place, and h [B, ldy] (H columns).
export function rnnGatesForward(z: usize, ldz: i32, h: usize, ldy: i32, B: i32, H: i32, relu: i32, clip: f32): void {
  for (let b = 0; b < B; b++) {
    let zq = z + (<usize>(b * ldz) << 2), out = h + (<usize>(b * ldy) << 2);
    let u = 0;
    if (ASC_FEATURE_SIMD) {
      let lo = f32x4.splat(-clip), hi = f32x4.splat(clip);
      for (; u < H; u += 4) {
        let v = clampV(v128.load(zq), lo, hi);
        let a = relu ? f32x4.max(v, f32x4.splat(0)) : tanhV(v);
        v128.store(zq, a);
        if (u + 4 <= H) v128.store(out, a); else storePartial(out, a, H - u);
        zq += 16; out += 16;
      }
    } else {
      for (; u < H; u++) {
        let v = clampS(load<f32>(zq + (<usize>u << 2)), -clip, clip);
        let a: f32 = relu ? max<f32>(v, 0) : tanhS(v);
        store<f32>(zq + (<usize>u << 2), a); store<f32>(out + (<usize>u << 2), a);
      }
    }
  }
}

// The pair: a [B, lda] activations, dy [B, ldy] + dh [B, H] = ∂L/∂h_t -> dz [B, ldz]. Where the
// activation sits at act(±clip) the pre-activation was clamped and gets no gradient.
export function rnnGatesBackward(a: usize, lda: i32, dy: usize, ldy: i32, dh: usize, dz: usize, ldz: i32, B: i32,
                                 H: i32, relu: i32, clip: f32): void {
  let clipped = clip != Infinity;
  let aHi: f32 = relu ? clip : tanhS(clip), aLo: f32 = relu ? -Infinity : tanhS(-clip);
  for (let b = 0; b < B; b++) {
    let aq = a + (<usize>(b * lda) << 2), dyq = dy + (<usize>(b * ldy) << 2), dhq = dh + (<usize>(b * H) << 2);
    let dzq = dz + (<usize>(b * ldz) << 2);
    if (ASC_FEATURE_SIMD) {
      let hiV = relu ? f32x4.splat(clip) : tanhV(f32x4.splat(clip)), loV = relu ? f32x4.splat(-Infinity) : tanhV(f32x4.splat(-clip));
      for (let u = 0; u < H; u += 4) {
        let g = u + 4 <= H ? f32x4.add(v128.load(dyq), v128.load(dhq)) : f32x4.add(loadPartial(dyq, H - u), loadPartial(dhq, H - u));
        let av = v128.load(aq);
        let d = relu ? v128.and(g, f32x4.gt(av, f32x4.splat(0))) : f32x4.mul(g, f32x4.sub(f32x4.splat(1), f32x4.mul(av, av)));
        if (clipped) d = v128.and(d, v128.and(f32x4.gt(av, loV), f32x4.lt(av, hiV)));
        v128.store(dzq, d);
        aq += 16; dyq += 16; dhq += 16; dzq += 16;
      }
    } else {
      for (let u = 0; u < H; u++) {
        let o = <usize>u << 2, g = load<f32>(dyq + o) + load<f32>(dhq + o), av = load<f32>(aq + o);
        let v: f32 = relu ? (av > 0 ? g : 0) : g * (1 - av * av);
        if (clipped && !(av > aLo && av < aHi)) v = 0;
        store<f32>(dzq + o, v);
      }
    }
  }
}

// One step forward for nb rows (a ForwardStep, assembly/cells.ts): p [nb, U] holds bias + W_ih·x_t.
export function rnnStepForward(d: usize, p: usize, rec: usize, ldr: i32, hPrev: usize, ldh: i32, sPrev: usize,
                               sNow: usize, aux: usize, y: usize, ldy: i32, scratch: usize, nb: i32): void {
  let H = dI32(d, SEQ_H), U = (H + 7) & ~7;
  recurrentProduct(d, rec, ldr, nb, H, 0, U, p, U);
  rnnGatesForward(p, U, y, ldy, nb, H, dI32(d, SEQ_CELL) == CELL_RNN_RELU ? 1 : 0, clipOf(d));
}

// One step backward (a BackwardStep).
export function rnnStepBackward(d: usize, p: usize, aux: usize, rec: usize, ldr: i32, hPrev: usize, ldh: i32,
                                sPrev: usize, sNow: usize, dy: usize, ldy: i32, dh: usize, dc: usize, dz: usize,
                                dzh: usize, whhT: usize, tmpA: usize, tmpB: usize, mask: usize, nb: i32): void {
  let H = dI32(d, SEQ_H), U = (H + 7) & ~7;
  rnnGatesBackward(p, U, dy, ldy, dh, dz, U, nb, H, dI32(d, SEQ_CELL) == CELL_RNN_RELU ? 1 : 0, clipOf(d));
  gradThroughRecurrent(dz, U, U, whhT, H, dh, mask, nb);
}
