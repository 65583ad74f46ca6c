// Parameter updates over one flat parameter block (all of a layer's packed weights at once).

// w [n] −= lr · g [n]
export function sgdStep(w: usize, g: usize, n: i32, lr: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let s = f32x4.splat(-lr);
    for (; i + 4 <= n; i += 4) {
      let p = w + (<usize>i << 2), q = g + (<usize>i << 2);
      v128.store(p, f32x4.add(v128.load(p), f32x4.mul(s, v128.load(q))));
    }
  }
  for (; i < n; i++) {
    let p = w + (<usize>i << 2);
    store<f32>(p, load<f32>(p) - lr * load<f32>(g + (<usize>i << 2)));
  }
}
