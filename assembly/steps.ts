// Pieces every cell's step kernels share (assembly/cells.ts registers the step kernels).
import { gemmDyW } from './gemm';

// dh [nb, H] = mask ∘ (dzh [nb, ldz] · W_hh): ∂L/∂h_{t−1} through the recurrent product, with
// whhT = W_hh transposed and packed (packTransposed) over N columns. mask [nb, H] or 0 (recurrent
// dropout multiplied h_{t−1} by it, so its gradient is multiplied too).
export function gradThroughRecurrent(dzh: usize, ldz: i32, N: i32, whhT: usize, H: i32, dh: usize, mask: usize,
                                     nb: i32): void {
  let n = nb * H;
  memory.fill(dh, 0, <usize>n << 2);
  gemmDyW(dzh, ldz, nb, N, whhT, H, dh, H);
  if (mask != 0) {
    for (let i = 0; i < n; i++) {
      let o = <usize>i << 2;
      store<f32>(dh + o, load<f32>(dh + o) * load<f32>(mask + o));
    }
  }
}

// a [n] += b [n]
export function addInto(a: usize, b: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      let o = <usize>i << 2;
      v128.store(a + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
    }
  }
  for (; i < n; i++) {
    let o = <usize>i << 2;
    store<f32>(a + o, load<f32>(a + o) + load<f32>(b + o));
  }
}
