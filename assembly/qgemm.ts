// Int8 weights (DTYPE_I8, assembly/abi.ts) for inference: Y += X·Wᵀ with W symmetric int8, one f32
// scale per output column, and X quantized on the fly, per row and call, to int16:
//   sx[m] = max_k |X[m,k]| / Q,  q[m,k] = round_even(X[m,k] · (Q / max_k |X[m,k]|))
//   Y[m,n] += f32(Σ_k q[m,k]·W[n,k]) · (sx[m] · sw[n])        (the sum is exact in i32)
// Q (activationRange) keeps every i32 sum from overflowing. The dequantization is mul then add (no
// fused multiply-add), so all three builds give the same bits and test/reference/quant64.ts can
// repeat the arithmetic in float64.
//
// Weight panels: [N/8][Kp/2][8][2] i8, Kp = K rounded up to even: per pair of k, the 8 columns'
// two weights side by side (16 bytes). The SIMD tiles load 4 columns × 2 k with v128.load8x8_s
// (widened to i16x8), splat the row's int16 pair (one i32) and take i32x4.dot_i16x8_s: 8
// multiply-adds per instruction on a quarter of the f32 bytes. Activation rows in scratch are
// [QROWS][Kp8] i16 (Kp8 = K rounded up to 8, zero past K), then QROWS f32 row scales.
import { QROWS } from './abi';

/** The largest |q| for K inputs: Kp·127·Q < 2^31, so no i32 sum of products can overflow. */
@inline export function activationRange(K: i32): i32 {
  let Kp = (K + 1) & ~1;
  return max(1, min(32767, 2147483647 / (127 * Kp)));
}

/** Bytes of scratch an int8 product over K inputs needs (QROWS quantized rows and their scales). */
export function qgemmScratchBytes(K: i32): i32 {
  return ((QROWS * ((K + 7) & ~7) * 2 + QROWS * 4) + 63) & ~63;
}

/** Byte offset of column n (a multiple of 8) in int8 panels of K inputs. */
@inline export function qPanelOffset(n: i32, K: i32): usize {
  return <usize>n * <usize>((K + 1) & ~1);
}

// 1.5·2^23: v + ROUND_MAGIC rounds v (|v| < 2^22) to the nearest integer, ties to even, and leaves
// it in the low mantissa bits: the integer is bits(v + magic) − bits(magic), two cheap ops where
// f32x4.nearest + i32x4.trunc_sat_f32x4_s lower to a long fix-up sequence on x64.
const ROUND_MAGIC: f32 = 12582912.0;
const MAGIC_BITS: i32 = 0x4b400000;

// X [M, ldx] f32 -> A [M, lda] i16 (pairs up to Kp, zero past K) and sx [M] f32 (the row scales).
// max |x| is taken on the bit patterns with the sign cleared (ordered like the magnitudes, NaN
// above +∞), so no NaN-aware float max is needed. A row whose max |x| is 0 gets scale 0; one with
// NaN or ±∞ gets scale NaN, so its outputs become NaN as the f32 product's would (its q are
// meaningless and never matter).
function quantizeRows(X: usize, ldx: i32, M: i32, K: i32, A: usize, lda: i32, sx: usize, Q: f32): void {
  let Kp = (K + 1) & ~1;
  for (let m = 0; m < M; m++) {
    let x = X + (<usize>(m * ldx) << 2), a = A + (<usize>(m * lda) << 1), k = 0;
    let bits: i32 = 0;
    if (ASC_FEATURE_SIMD) {
      let v = i32x4.splat(0), mask = i32x4.splat(0x7fffffff);
      for (; k + 4 <= K; k += 4) v = i32x4.max_s(v, v128.and(v128.load(x + (<usize>k << 2)), mask));
      bits = max(max(i32x4.extract_lane(v, 0), i32x4.extract_lane(v, 1)), max(i32x4.extract_lane(v, 2), i32x4.extract_lane(v, 3)));
    }
    for (; k < K; k++) bits = max(bits, load<i32>(x + (<usize>k << 2)) & 0x7fffffff);
    let mx = reinterpret<f32>(bits), finite = bits < 0x7f800000;
    let inv: f32 = finite && bits != 0 ? Q / mx : 0;
    store<f32>(sx + (<usize>m << 2), finite ? mx / Q : NaN);
    k = 0;
    if (ASC_FEATURE_SIMD) {
      let iv = f32x4.splat(inv), magic = f32x4.splat(ROUND_MAGIC), mb = i32x4.splat(MAGIC_BITS);
      for (; k + 8 <= K; k += 8) {
        let p = x + (<usize>k << 2);
        let lo = i32x4.sub(f32x4.add(f32x4.mul(v128.load(p), iv), magic), mb);
        let hi = i32x4.sub(f32x4.add(f32x4.mul(v128.load(p, 16), iv), magic), mb);
        v128.store(a + (<usize>k << 1), i16x8.narrow_i32x4_s(lo, hi));
      }
    }
    for (; k < K; k++) {
      let v = load<f32>(x + (<usize>k << 2)) * inv + ROUND_MAGIC;
      store<i16>(a + (<usize>k << 1), <i16>(reinterpret<i32>(v) - MAGIC_BITS));
    }
    for (; k < Kp; k++) store<i16>(a + (<usize>k << 1), 0);
  }
}

// Scalar twin of the tiles: one row against half a panel (4 columns, 4 accumulators in registers),
// exact i32 sums, then the same dequantization. a: the row's i16 pairs; w: the panel; C: the outputs.
// (Scalar x64 has one integer multiplier against two f32 multiply and two add pipes, so this runs
// at about half the f32 scalar tile's speed.)
@inline function qrow4Scalar(a: usize, w: usize, P: i32, sx: f32, sw: usize, C: usize): void {
  let c0: i32 = 0, c1: i32 = 0, c2: i32 = 0, c3: i32 = 0, ap = a, wp = w;
  for (let p = 0; p < P; p++) {
    let x0 = <i32>load<i16>(ap), x1 = <i32>load<i16>(ap, 2);
    c0 += x0 * <i32>load<i8>(wp) + x1 * <i32>load<i8>(wp, 1);
    c1 += x0 * <i32>load<i8>(wp, 2) + x1 * <i32>load<i8>(wp, 3);
    c2 += x0 * <i32>load<i8>(wp, 4) + x1 * <i32>load<i8>(wp, 5);
    c3 += x0 * <i32>load<i8>(wp, 6) + x1 * <i32>load<i8>(wp, 7);
    ap += 4; wp += 16;
  }
  store<f32>(C, load<f32>(C) + <f32>c0 * (sx * load<f32>(sw)));
  store<f32>(C, load<f32>(C, 4) + <f32>c1 * (sx * load<f32>(sw, 4)), 4);
  store<f32>(C, load<f32>(C, 8) + <f32>c2 * (sx * load<f32>(sw, 8)), 8);
  store<f32>(C, load<f32>(C, 12) + <f32>c3 * (sx * load<f32>(sw, 12)), 12);
}

@inline function qrow8Scalar(a: usize, w: usize, P: i32, sx: f32, sw: usize, C: usize): void {
  qrow4Scalar(a, w, P, sx, sw, C);
  qrow4Scalar(a, w + 8, P, sx, sw + 16, C + 16);
}

// C[0..3, 0..7] += dequant(rows a0..a3 (stride sa bytes) · panel w), P pairs of k.
// 8 i32x4 accumulators + 2 weight vectors + 1 splat: fits V8's 16 xmm registers.
@inline function qtile4x8(A: usize, sa: usize, w: usize, P: i32, sx: usize, sw: usize, C: usize, sc: usize): void {
  if (ASC_FEATURE_SIMD) {
    let z = i32x4.splat(0);
    let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
    let a0 = A, a1 = A + sa, a2 = A + 2 * sa, a3 = A + 3 * sa, wp = w;
    for (let p = 0; p < P; p++) {
      let w0 = v128.load8x8_s(wp), w1 = v128.load8x8_s(wp, 8);
      let x = v128.load32_splat(a0);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(w0, x)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(w1, x));
      x = v128.load32_splat(a1);
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(w0, x)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(w1, x));
      x = v128.load32_splat(a2);
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(w0, x)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(w1, x));
      x = v128.load32_splat(a3);
      c30 = i32x4.add(c30, i32x4.dot_i16x8_s(w0, x)); c31 = i32x4.add(c31, i32x4.dot_i16x8_s(w1, x));
      a0 += 4; a1 += 4; a2 += 4; a3 += 4; wp += 16;
    }
    let s0 = v128.load(sw), s1 = v128.load(sw, 16);
    dequant2(c00, c01, load<f32>(sx), s0, s1, C);
    dequant2(c10, c11, load<f32>(sx, 4), s0, s1, C + sc);
    dequant2(c20, c21, load<f32>(sx, 8), s0, s1, C + 2 * sc);
    dequant2(c30, c31, load<f32>(sx, 12), s0, s1, C + 3 * sc);
  } else {
    for (let r: usize = 0; r < 4; r++) qrow8Scalar(A + r * sa, w, P, load<f32>(sx + (r << 2)), sw, C + r * sc);
  }
}

// C[0..7] += f32(acc) · (sx · sw), the 8 outputs of one row in two i32x4 accumulators.
@inline function dequant2(c0: v128, c1: v128, sx: f32, s0: v128, s1: v128, C: usize): void {
  let f = f32x4.splat(sx);
  v128.store(C, f32x4.add(v128.load(C), f32x4.mul(f32x4.convert_i32x4_s(c0), f32x4.mul(f, s0))));
  v128.store(C, f32x4.add(v128.load(C, 16), f32x4.mul(f32x4.convert_i32x4_s(c1), f32x4.mul(f, s1))), 16);
}

// One row against four panels (32 outputs): the GEMV of a batch-1 step. 8 accumulators, one splat
// feeding 8 dot products per pair of k.
@inline function qtile1x32(a: usize, w: usize, panelBytes: usize, P: i32, sx: f32, sw: usize, C: usize): void {
  if (ASC_FEATURE_SIMD) {
    let z = i32x4.splat(0);
    let c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z;
    let w0 = w, w1 = w + panelBytes, w2 = w1 + panelBytes, w3 = w2 + panelBytes, ap = a;
    for (let p = 0; p < P; p++) {
      let x = v128.load32_splat(ap);
      c0 = i32x4.add(c0, i32x4.dot_i16x8_s(v128.load8x8_s(w0), x));
      c1 = i32x4.add(c1, i32x4.dot_i16x8_s(v128.load8x8_s(w0, 8), x));
      c2 = i32x4.add(c2, i32x4.dot_i16x8_s(v128.load8x8_s(w1), x));
      c3 = i32x4.add(c3, i32x4.dot_i16x8_s(v128.load8x8_s(w1, 8), x));
      c4 = i32x4.add(c4, i32x4.dot_i16x8_s(v128.load8x8_s(w2), x));
      c5 = i32x4.add(c5, i32x4.dot_i16x8_s(v128.load8x8_s(w2, 8), x));
      c6 = i32x4.add(c6, i32x4.dot_i16x8_s(v128.load8x8_s(w3), x));
      c7 = i32x4.add(c7, i32x4.dot_i16x8_s(v128.load8x8_s(w3, 8), x));
      ap += 4; w0 += 16; w1 += 16; w2 += 16; w3 += 16;
    }
    dequant2(c0, c1, sx, v128.load(sw), v128.load(sw, 16), C);
    dequant2(c2, c3, sx, v128.load(sw, 32), v128.load(sw, 48), C + 32);
    dequant2(c4, c5, sx, v128.load(sw, 64), v128.load(sw, 80), C + 64);
    dequant2(c6, c7, sx, v128.load(sw, 96), v128.load(sw, 112), C + 96);
  } else {
    for (let j: usize = 0; j < 4; j++) qrow8Scalar(a, w + j * panelBytes, P, sx, sw + (j << 5), C + (j << 5));
  }
}

// One row against one panel (8 outputs): the column tail of a row.
@inline function qtile1x8(a: usize, w: usize, P: i32, sx: f32, sw: usize, C: usize): void {
  if (ASC_FEATURE_SIMD) {
    let c0 = i32x4.splat(0), c1 = i32x4.splat(0), ap = a, wp = w;
    for (let p = 0; p < P; p++) {
      let x = v128.load32_splat(ap);
      c0 = i32x4.add(c0, i32x4.dot_i16x8_s(v128.load8x8_s(wp), x));
      c1 = i32x4.add(c1, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 8), x));
      ap += 4; wp += 16;
    }
    dequant2(c0, c1, sx, v128.load(sw), v128.load(sw, 16), C);
  } else {
    qrow8Scalar(a, w, P, sx, sw, C);
  }
}

// Y [M, ldy] += quant(X [M, ldx]) · Wqᵀ, dequantized: Wq int8 panels [N/8][Kp/2][8][2], sw [N] f32
// column scales, N a multiple of 8; scratch: qgemmScratchBytes(K). Rows go QROWS at a time: quantize
// the block, then every panel passes over it (one 8·Kp-byte panel reused by all its row tiles).
export function qgemmXWt(X: usize, ldx: i32, M: i32, K: i32, Wq: usize, sw: usize, N: i32, Y: usize, ldy: i32,
                         scratch: usize): void {
  let Kp = (K + 1) & ~1, lda = (K + 7) & ~7, P = Kp >> 1, Q = <f32>activationRange(K);
  let A = scratch, sx = scratch + (<usize>(QROWS * lda) << 1);
  let sa = <usize>lda << 1, sy = <usize>ldy << 2, panelBytes = <usize>Kp << 3;
  for (let m0 = 0; m0 < M; m0 += QROWS) {
    let mb = min(QROWS, M - m0), mb4 = mb & ~3, Y0 = Y + <usize>m0 * sy;
    quantizeRows(X + (<usize>(m0 * ldx) << 2), ldx, mb, K, A, lda, sx, Q);
    if (mb4 > 0) {
      for (let j = 0; j < N; j += 8) {
        let w = Wq + <usize>(j >> 3) * panelBytes, sj = sw + (<usize>j << 2), C = Y0 + (<usize>j << 2);
        for (let m = 0; m < mb4; m += 4) {
          qtile4x8(A + <usize>m * sa, sa, w, P, sx + (<usize>m << 2), sj, C + <usize>m * sy, sy);
        }
      }
    }
    // row tail (and the whole of a batch-1 step): each row against four panels at a time
    for (let m = mb4; m < mb; m++) {
      let a = A + <usize>m * sa, C = Y0 + <usize>m * sy, s = load<f32>(sx + (<usize>m << 2)), j = 0;
      for (; j + 32 <= N; j += 32) {
        qtile1x32(a, Wq + <usize>(j >> 3) * panelBytes, panelBytes, P, s, sw + (<usize>j << 2), C + (<usize>j << 2));
      }
      for (; j < N; j += 8) qtile1x8(a, Wq + <usize>(j >> 3) * panelBytes, P, s, sw + (<usize>j << 2), C + (<usize>j << 2));
    }
  }
}
