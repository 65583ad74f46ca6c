// The machine's f32x4 multiply-add ceiling as a GEMM sees it, measured by the benchmark
// (bench/peak.mjs): the 4×8 register tile (8 accumulators, 2 vector loads and 4 broadcasts per
// 8 mul+add) over a 256-step panel that stays in L1, so no cache level limits it. A purely
// register-resident loop measures less on V8 x64 (28 vs 34 GFLOP/s here), so this is the
// honest upper bound for the kernels. y: 12 KB of scratch (the panel and the broadcast rows).
import { fma } from './simd';

export const PEAK_SCRATCH_BYTES: i32 = 12288;

export function peakMulAdd(iterations: i32, y: usize): f32 {
  if (ASC_FEATURE_SIMD) {
    let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    for (let it = 0; it < iterations; it += 256) {
      let b = y, a = y + 8192;
      for (let r = 0; r < 256; r++) {
        let b0 = v128.load(b), b1 = v128.load(b, 16);
        let x = v128.load32_splat(a);
        c00 = fma(x, b0, c00); c01 = fma(x, b1, c01);
        x = v128.load32_splat(a, 4);
        c10 = fma(x, b0, c10); c11 = fma(x, b1, c11);
        x = v128.load32_splat(a, 8);
        c20 = fma(x, b0, c20); c21 = fma(x, b1, c21);
        x = v128.load32_splat(a, 12);
        c30 = fma(x, b0, c30); c31 = fma(x, b1, c31);
        b += 32; a += 16;
      }
    }
    let s = f32x4.add(f32x4.add(f32x4.add(c00, c01), f32x4.add(c10, c11)), f32x4.add(f32x4.add(c20, c21), f32x4.add(c30, c31)));
    return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
  } else {
    // Scalar: 2×4 tile (8 accumulators), the shape of the scalar GEMM twin.
    let c0: f32 = 0, c1: f32 = 0, c2: f32 = 0, c3: f32 = 0, d0: f32 = 0, d1: f32 = 0, d2: f32 = 0, d3: f32 = 0;
    for (let it = 0; it < iterations; it += 256) {
      let b = y, a = y + 8192;
      for (let r = 0; r < 256; r++) {
        let x0 = load<f32>(a), x1 = load<f32>(a, 4);
        let b0 = load<f32>(b), b1 = load<f32>(b, 4), b2 = load<f32>(b, 8), b3 = load<f32>(b, 12);
        c0 += x0 * b0; c1 += x0 * b1; c2 += x0 * b2; c3 += x0 * b3;
        d0 += x1 * b0; d1 += x1 * b1; d2 += x1 * b2; d3 += x1 * b3;
        b += 16; a += 8;
      }
    }
    return c0 + c1 + c2 + c3 + d0 + d1 + d2 + d3;
  }
}

/** FLOPs per unit of `iterations` in peakMulAdd. */
export function peakFlopsPerIteration(): i32 {
  return ASC_FEATURE_SIMD ? 4 * 8 * 2 : 2 * 4 * 2;
}
