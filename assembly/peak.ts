// The machine's f32x4 multiply-add ceiling, measured by the benchmark (bench/peak.mjs):
// 12 independent accumulators (latency × throughput of mul+add on x64 V8 needs ≥ 8; 12 stays
// under the 16 xmm registers). Returns a value derived from every lane so nothing is dead code.
import { fma } from './simd';

export function peakMulAdd(iterations: i32): f32 {
  if (ASC_FEATURE_SIMD) {
    let a = f32x4.splat(0.999), b = f32x4.splat(0.001);
    let c0 = f32x4.splat(0), c1 = f32x4.splat(1), c2 = f32x4.splat(2), c3 = f32x4.splat(3);
    let c4 = f32x4.splat(4), c5 = f32x4.splat(5), c6 = f32x4.splat(6), c7 = f32x4.splat(7);
    let c8 = f32x4.splat(8), c9 = f32x4.splat(9), c10 = f32x4.splat(10), c11 = f32x4.splat(11);
    for (let i = 0; i < iterations; i++) {
      c0 = fma(c0, a, b); c1 = fma(c1, a, b); c2 = fma(c2, a, b); c3 = fma(c3, a, b);
      c4 = fma(c4, a, b); c5 = fma(c5, a, b); c6 = fma(c6, a, b); c7 = fma(c7, a, b);
      c8 = fma(c8, a, b); c9 = fma(c9, a, b); c10 = fma(c10, a, b); c11 = fma(c11, a, b);
    }
    let s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
    s = f32x4.add(s, f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11)));
    return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
  } else {
    let c0: f32 = 0, c1: f32 = 1, c2: f32 = 2, c3: f32 = 3, c4: f32 = 4, c5: f32 = 5;
    let c6: f32 = 6, c7: f32 = 7, c8: f32 = 8, c9: f32 = 9, c10: f32 = 10, c11: f32 = 11;
    let a: f32 = 0.999, b: f32 = 0.001;
    for (let i = 0; i < iterations; i++) {
      c0 = c0 * a + b; c1 = c1 * a + b; c2 = c2 * a + b; c3 = c3 * a + b; c4 = c4 * a + b; c5 = c5 * a + b;
      c6 = c6 * a + b; c7 = c7 * a + b; c8 = c8 * a + b; c9 = c9 * a + b; c10 = c10 * a + b; c11 = c11 * a + b;
    }
    return c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;
  }
}

/** FLOPs one iteration of peakMulAdd performs (12 accumulators × lanes × 2). */
export function peakFlopsPerIteration(): i32 {
  return ASC_FEATURE_SIMD ? 12 * 4 * 2 : 12 * 2;
}
