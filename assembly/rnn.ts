// Plain RNN (nn.RNN) gate kernels: h' = act(W_ih·x + b_ih + W_hh·h + b_hh), act = tanh or relu.
// One column per unit. What forward saves: the activated h (in the projection buffer).
import { tanhV, tanhS, loadPartial, storePartial } from './simd';

// z [B, ldz] pre-activations -> activations in place, and h [B, ldy] (H columns).
export function rnnGatesForward(z: usize, ldz: i32, h: usize, ldy: i32, B: i32, H: i32, relu: i32): void {
  for (let b = 0; b < B; b++) {
    let zq = z + (<usize>(b * ldz) << 2), out = h + (<usize>(b * ldy) << 2);
    let u = 0;
    if (ASC_FEATURE_SIMD) {
      for (; u < H; u += 4) {
        let v = v128.load(zq);
        let a = relu ? f32x4.max(v, f32x4.splat(0)) : tanhV(v);
        v128.store(zq, a);
        if (u + 4 <= H) v128.store(out, a); else storePartial(out, a, H - u);
        zq += 16; out += 16;
      }
    } else {
      for (; u < H; u++) {
        let v = load<f32>(zq + (<usize>u << 2));
        let a: f32 = relu ? max<f32>(v, 0) : tanhS(v);
        store<f32>(zq + (<usize>u << 2), a); store<f32>(out + (<usize>u << 2), a);
      }
    }
  }
}

// The pair: a [B, lda] activations, dy [B, ldy] + dh [B, H] = ∂L/∂h_t -> dz [B, ldz].
export function rnnGatesBackward(a: usize, lda: i32, dy: usize, ldy: i32, dh: usize, dz: usize, ldz: i32, B: i32, H: i32, relu: i32): void {
  for (let b = 0; b < B; b++) {
    let aq = a + (<usize>(b * lda) << 2), dyq = dy + (<usize>(b * ldy) << 2), dhq = dh + (<usize>(b * H) << 2), dzq = dz + (<usize>(b * ldz) << 2);
    if (ASC_FEATURE_SIMD) {
      for (let u = 0; u < H; u += 4) {
        let g = u + 4 <= H ? f32x4.add(v128.load(dyq), v128.load(dhq)) : f32x4.add(loadPartial(dyq, H - u), loadPartial(dhq, H - u));
        let av = v128.load(aq);
        let d = relu ? v128.and(g, f32x4.gt(av, f32x4.splat(0))) : f32x4.mul(g, f32x4.sub(f32x4.splat(1), f32x4.mul(av, av)));
        v128.store(dzq, d);
        aq += 16; dyq += 16; dhq += 16; dzq += 16;
      }
    } else {
      for (let u = 0; u < H; u++) {
        let o = <usize>u << 2, g = load<f32>(dyq + o) + load<f32>(dhq + o), av = load<f32>(aq + o);
        store<f32>(dzq + o, relu ? (av > 0 ? g : 0) : g * (1 - av * av));
      }
    }
  }
}
