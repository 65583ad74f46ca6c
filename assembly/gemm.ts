// Matrix products for the LSTM, over f32 in linear memory. Strides are in floats.
//
// Weight packing ("panels"): a weight W [N, K] (PyTorch's [out, in]) is stored as N/8 panels,
// each [K][8]: panel j holds W[8j..8j+7, k] contiguous for every k. One microkernel reads a
// panel front to back with unit stride, so the 32·K-byte panel stays in L1 while rows of X
// stream past it, and no power-of-two row stride ever hits the cache (measured here: an
// unpacked row-major B with a 256-float row stride lost 20–60%). N is always a multiple of 8
// (every cell pads its units so its gate columns fill whole panels: assembly/cells.ts).
//
// All three products the LSTM needs are one microkernel with different strides:
//   C[a, n] += Σ_r A[a·sa + r·sr] · B[r·sb + n]      a < 4 rows, n < 8 columns, r < R
//   Y += X·Wᵀ  (forward):      A = X rows,        B = W panel,        C = Y
//   dX += dY·W (backward data): A = dY rows,       B = Wᵀ panel,       C = dX
//   dW += dYᵀ·X (weight grad):  A = X columns,     B = dY column strip, C = dW panel
import { fma } from './simd';

// 4×8 tile = 8 f32x4 accumulators + 2 B vectors + 1 broadcast = 11 live v128: fits V8's 16 xmm
// registers without spilling (measured: more than ~14 live v128 values spill).
// C[0..3, 0..7] += Σ_r A[a·sa + r·sr] · B[r·sb + 0..7]   (all strides in bytes)
@inline function tile4x8(A: usize, sa: usize, sr: usize, B: usize, sb: usize, C: usize, sc: usize, R: i32): void {
  if (ASC_FEATURE_SIMD) {
    let c00 = v128.load(C), c01 = v128.load(C, 16);
    let c10 = v128.load(C + sc), c11 = v128.load(C + sc, 16);
    let c20 = v128.load(C + 2 * sc), c21 = v128.load(C + 2 * sc, 16);
    let c30 = v128.load(C + 3 * sc), c31 = v128.load(C + 3 * sc, 16);
    let a0 = A, a1 = A + sa, a2 = A + 2 * sa, a3 = A + 3 * sa, b = B;
    for (let r = 0; r < R; r++) {
      let b0 = v128.load(b), b1 = v128.load(b, 16);
      let x = v128.load32_splat(a0);
      c00 = fma(x, b0, c00); c01 = fma(x, b1, c01);
      x = v128.load32_splat(a1);
      c10 = fma(x, b0, c10); c11 = fma(x, b1, c11);
      x = v128.load32_splat(a2);
      c20 = fma(x, b0, c20); c21 = fma(x, b1, c21);
      x = v128.load32_splat(a3);
      c30 = fma(x, b0, c30); c31 = fma(x, b1, c31);
      a0 += sr; a1 += sr; a2 += sr; a3 += sr; b += sb;
    }
    v128.store(C, c00); v128.store(C, c01, 16);
    v128.store(C + sc, c10); v128.store(C + sc, c11, 16);
    v128.store(C + 2 * sc, c20); v128.store(C + 2 * sc, c21, 16);
    v128.store(C + 3 * sc, c30); v128.store(C + 3 * sc, c31, 16);
  } else {
    // Scalar twin: 2 rows × 4 columns at a time keeps 8 accumulators in registers.
    for (let a: usize = 0; a < 4; a += 2) {
      for (let n: usize = 0; n < 32; n += 16) {
        let p = C + a * sc + n, q = p + sc;
        let c0 = load<f32>(p), c1 = load<f32>(p, 4), c2 = load<f32>(p, 8), c3 = load<f32>(p, 12);
        let d0 = load<f32>(q), d1 = load<f32>(q, 4), d2 = load<f32>(q, 8), d3 = load<f32>(q, 12);
        let x0p = A + a * sa, x1p = x0p + sa, b = B + n;
        for (let r = 0; r < R; r++) {
          let x0 = load<f32>(x0p), x1 = load<f32>(x1p);
          let b0 = load<f32>(b), b1 = load<f32>(b, 4), b2 = load<f32>(b, 8), b3 = load<f32>(b, 12);
          c0 += x0 * b0; c1 += x0 * b1; c2 += x0 * b2; c3 += x0 * b3;
          d0 += x1 * b0; d1 += x1 * b1; d2 += x1 * b2; d3 += x1 * b3;
          x0p += sr; x1p += sr; b += sb;
        }
        store<f32>(p, c0); store<f32>(p, c1, 4); store<f32>(p, c2, 8); store<f32>(p, c3, 12);
        store<f32>(q, d0); store<f32>(q, d1, 4); store<f32>(q, d2, 8); store<f32>(q, d3, 12);
      }
    }
  }
}

// C[0, 0..7] += Σ_r A[r·sr] · B[r·sb + 0..7]: the row tail. Two interleaved reduction chains
// (even and odd r) so the loop is not bound by the latency of one accumulator.
@inline function tile1x8(A: usize, sr: usize, B: usize, sb: usize, C: usize, R: i32): void {
  if (ASC_FEATURE_SIMD) {
    let c0 = v128.load(C), c1 = v128.load(C, 16);
    let e0 = f32x4.splat(0), e1 = f32x4.splat(0);
    let a = A, b = B, r = 0;
    for (; r + 1 < R; r += 2) {
      let x = v128.load32_splat(a), y = v128.load32_splat(a + sr);
      c0 = fma(x, v128.load(b), c0); c1 = fma(x, v128.load(b, 16), c1);
      e0 = fma(y, v128.load(b + sb), e0); e1 = fma(y, v128.load(b + sb, 16), e1);
      a += 2 * sr; b += 2 * sb;
    }
    if (r < R) {
      let x = v128.load32_splat(a);
      c0 = fma(x, v128.load(b), c0); c1 = fma(x, v128.load(b, 16), c1);
    }
    v128.store(C, f32x4.add(c0, e0)); v128.store(C, f32x4.add(c1, e1), 16);
  } else {
    for (let n: usize = 0; n < 32; n += 16) {
      let p = C + n;
      let c0 = load<f32>(p), c1 = load<f32>(p, 4), c2 = load<f32>(p, 8), c3 = load<f32>(p, 12);
      let a = A, b = B + n;
      for (let r = 0; r < R; r++) {
        let x = load<f32>(a);
        c0 += x * load<f32>(b); c1 += x * load<f32>(b, 4); c2 += x * load<f32>(b, 8); c3 += x * load<f32>(b, 12);
        a += sr; b += sb;
      }
      store<f32>(p, c0); store<f32>(p, c1, 4); store<f32>(p, c2, 8); store<f32>(p, c3, 12);
    }
  }
}

// C[0, 0..15] += Σ_r A[r·sr] · (B0 | B1)[r·sb + 0..7]: one row against two panels (the GEMV of a
// batch-1 step). Two reduction chains per vector: 8 accumulators hide the add latency.
@inline function tile1x16(A: usize, sr: usize, B0: usize, B1: usize, sb: usize, C: usize, R: i32): void {
  if (ASC_FEATURE_SIMD) {
    let c0 = v128.load(C), c1 = v128.load(C, 16), c2 = v128.load(C, 32), c3 = v128.load(C, 48);
    let e0 = f32x4.splat(0), e1 = f32x4.splat(0), e2 = f32x4.splat(0), e3 = f32x4.splat(0);
    let a = A, b0 = B0, b1 = B1, r = 0;
    for (; r + 1 < R; r += 2) {
      let x = v128.load32_splat(a), y = v128.load32_splat(a + sr);
      c0 = fma(x, v128.load(b0), c0); c1 = fma(x, v128.load(b0, 16), c1);
      c2 = fma(x, v128.load(b1), c2); c3 = fma(x, v128.load(b1, 16), c3);
      e0 = fma(y, v128.load(b0 + sb), e0); e1 = fma(y, v128.load(b0 + sb, 16), e1);
      e2 = fma(y, v128.load(b1 + sb), e2); e3 = fma(y, v128.load(b1 + sb, 16), e3);
      a += 2 * sr; b0 += 2 * sb; b1 += 2 * sb;
    }
    if (r < R) {
      let x = v128.load32_splat(a);
      c0 = fma(x, v128.load(b0), c0); c1 = fma(x, v128.load(b0, 16), c1);
      c2 = fma(x, v128.load(b1), c2); c3 = fma(x, v128.load(b1, 16), c3);
    }
    v128.store(C, f32x4.add(c0, e0)); v128.store(C, f32x4.add(c1, e1), 16);
    v128.store(C, f32x4.add(c2, e2), 32); v128.store(C, f32x4.add(c3, e3), 48);
  } else {
    tile1x8(A, sr, B0, sb, C, R);
    tile1x8(A, sr, B1, sb, C + 32, R);
  }
}

// C[0, 0..31] += Σ_r A[r·sr] · (B0..B3)[r·sb + 0..7]: one row against four panels, the GEMV of a
// batch-1 step. 8 accumulators, one broadcast feeding 8 mul+add per r.
@inline function tile1x32(A: usize, sr: usize, B: usize, panelBytes: usize, sb: usize, C: usize, R: i32): void {
  if (ASC_FEATURE_SIMD) {
    let b0 = B, b1 = B + panelBytes, b2 = b1 + panelBytes, b3 = b2 + panelBytes;
    let c0 = v128.load(C), c1 = v128.load(C, 16), c2 = v128.load(C, 32), c3 = v128.load(C, 48);
    let c4 = v128.load(C, 64), c5 = v128.load(C, 80), c6 = v128.load(C, 96), c7 = v128.load(C, 112);
    let a = A;
    for (let r = 0; r < R; r++) {
      let x = v128.load32_splat(a);
      c0 = fma(x, v128.load(b0), c0); c1 = fma(x, v128.load(b0, 16), c1);
      c2 = fma(x, v128.load(b1), c2); c3 = fma(x, v128.load(b1, 16), c3);
      c4 = fma(x, v128.load(b2), c4); c5 = fma(x, v128.load(b2, 16), c5);
      c6 = fma(x, v128.load(b3), c6); c7 = fma(x, v128.load(b3, 16), c7);
      a += sr; b0 += sb; b1 += sb; b2 += sb; b3 += sb;
    }
    v128.store(C, c0); v128.store(C, c1, 16); v128.store(C, c2, 32); v128.store(C, c3, 48);
    v128.store(C, c4, 64); v128.store(C, c5, 80); v128.store(C, c6, 96); v128.store(C, c7, 112);
  } else {
    tile1x16(A, sr, B, B + panelBytes, sb, C, R);
    tile1x16(A, sr, B + 2 * panelBytes, B + 3 * panelBytes, sb, C + 64, R);
  }
}

// Y [M, ldy] += X [M, ldx] · Wᵀ, W packed [N/8][K][8]; N a multiple of 8.
// Rows are taken in blocks whose X slice (≤ 16 KB) stays in L1 while every panel passes over it;
// within a block, one 32·K-byte panel is reused by all its row tiles. A small M (a recurrent step,
// M = batch ≤ 32) is one block, so each panel of W_hh is read once per step.
export function gemmXWt(X: usize, ldx: i32, M: i32, K: i32, Wp: usize, N: i32, Y: usize, ldy: i32): void {
  let sx = <usize>ldx << 2, sy = <usize>ldy << 2, panelBytes = <usize>K << 5;
  let M4 = M & ~3;
  let MB = M4 <= 32 ? max(M4, 4) : min(64, max(4, (4096 / max(K, 1)) & ~3));
  for (let m0 = 0; m0 < M4; m0 += MB) {
    let mEnd = min(m0 + MB, M4);
    for (let j = 0; j < N; j += 8) {
      let B = Wp + (<usize>(j >> 3)) * panelBytes, C = Y + (<usize>j << 2);
      for (let m = m0; m < mEnd; m += 4) {
        tile4x8(X + <usize>m * sx, sx, 4, B, 32, C + <usize>m * sy, sy, K);
      }
    }
  }
  // Row tail (and the whole of a batch-1 or batch-2/3 step): row against two panels at once.
  for (let m = M4; m < M; m++) {
    let A = X + <usize>m * sx, C = Y + <usize>m * sy, j = 0;
    for (; j + 32 <= N; j += 32) tile1x32(A, 4, Wp + (<usize>(j >> 3)) * panelBytes, panelBytes, 32, C + (<usize>j << 2), K);
    for (; j + 16 <= N; j += 16) {
      let B = Wp + (<usize>(j >> 3)) * panelBytes;
      tile1x16(A, 4, B, B + panelBytes, 32, C + (<usize>j << 2), K);
    }
    if (j < N) tile1x8(A, 4, Wp + (<usize>(j >> 3)) * panelBytes, 32, C + (<usize>j << 2), K);
  }
}

// dX [M, ldx] += dY [M, ldy] · W, with W given as Wᵀ packed [ceil(K/8)][N][8] (packTransposed).
// Columns of the last partial panel are computed one at a time so no store crosses K.
export function gemmDyW(dY: usize, ldy: i32, M: i32, N: i32, WTp: usize, K: i32, dX: usize, ldx: i32): void {
  let sy = <usize>ldy << 2, sx = <usize>ldx << 2, panelBytes = <usize>N << 5;
  let M4 = M & ~3, K8 = K & ~7;
  for (let kp = 0; kp < K8; kp += 8) {
    let B = WTp + (<usize>(kp >> 3)) * panelBytes, C = dX + (<usize>kp << 2);
    for (let m = 0; m < M4; m += 4) tile4x8(dY + <usize>m * sy, sy, 4, B, 32, C + <usize>m * sx, sx, N);
    for (let m = M4; m < M; m++) tile1x8(dY + <usize>m * sy, 4, B, 32, C + <usize>m * sx, N);
  }
  if (K8 < K) {
    let B = WTp + (<usize>(K8 >> 3)) * panelBytes;
    for (let m = 0; m < M; m++) {
      let A = dY + <usize>m * sy;
      for (let k = K8; k < K; k++) {
        let s: f32 = 0, b = B + (<usize>(k - K8) << 2);
        for (let n = 0; n < N; n++) s += load<f32>(A + (<usize>n << 2)) * load<f32>(b + (<usize>n << 5));
        let p = dX + <usize>m * sx + (<usize>k << 2);
        store<f32>(p, load<f32>(p) + s);
      }
    }
  }
}

// Rows of dY and X packed per block in gemmDyTX. 256 rows keep one packed dY panel (8 KB) in
// L1 across the K/4 tiles that reuse it, and the packed X block (256·K·4 bytes) in L2 across
// the N/8 panels that reuse it.
export const DW_ROW_BLOCK: i32 = 256;

/** Scratch floats gemmDyTX needs for N columns of dY and K columns of X. */
export function gemmDyTXScratchFloats(N: i32, K: i32): i32 {
  return DW_ROW_BLOCK * (N + ((K + 3) & ~3));
}

// dW packed [N/8][K][8] += dY [R, ldy]ᵀ · X [R, ldx]: reduction over all R rows (every time step
// and batch row at once), so a weight gradient is one call, not T outer products.
// Both operands are repacked per block of rows (dY -> [N/8][rows][8], X -> [K/4][rows][4]) so the
// microkernel streams two contiguous arrays: read straight from dY, whose row stride is a power
// of two (4·G floats), the same 32 bytes of every row alias to one L1 set and 4 KB pages thrash
// the TLB (measured: 7.6 GFLOP/s unpacked).
export function gemmDyTX(dY: usize, ldy: i32, X: usize, ldx: i32, R: i32, N: i32, K: i32, dWp: usize, scratch: usize): void {
  let sy = <usize>ldy << 2, sx = <usize>ldx << 2, panelBytes = <usize>K << 5;
  let K4 = (K + 3) & ~3;
  let dyP = scratch, xP = scratch + (<usize>(DW_ROW_BLOCK * N) << 2);
  for (let r0 = 0; r0 < R; r0 += DW_ROW_BLOCK) {
    let rows = min(DW_ROW_BLOCK, R - r0);
    let rowBytes8 = <usize>rows << 5, rowBytes4 = <usize>rows << 4;
    // pack dY rows: panel j, row r, 8 floats
    for (let r = 0; r < rows; r++) {
      let src = dY + <usize>(r0 + r) * sy, dst = dyP + (<usize>r << 5);
      for (let j = 0; j < N; j += 8) {
        if (ASC_FEATURE_SIMD) {
          v128.store(dst, v128.load(src)); v128.store(dst, v128.load(src, 16), 16);
        } else {
          for (let c: usize = 0; c < 32; c += 4) store<f32>(dst + c, load<f32>(src + c));
        }
        src += 32; dst += rowBytes8;
      }
      // pack X row: block of 4 columns kb, row r, 4 floats (zero past K)
      let xs = X + <usize>(r0 + r) * sx, xd = xP + (<usize>r << 4);
      for (let k = 0; k < K4; k += 4) {
        for (let c = 0; c < 4; c++) store<f32>(xd + (<usize>c << 2), k + c < K ? load<f32>(xs + (<usize>(k + c) << 2)) : 0);
        xd += rowBytes4;
      }
    }
    let Kfull = K & ~3;
    for (let j = 0; j < N; j += 8) {
      let B = dyP + <usize>(j >> 3) * rowBytes8, C = dWp + (<usize>(j >> 3)) * panelBytes;
      for (let k = 0; k < Kfull; k += 4) tile4x8(xP + <usize>(k >> 2) * rowBytes4, 4, 16, B, 32, C + (<usize>k << 5), 32, rows);
      for (let k = Kfull; k < K; k++) tile1x8(xP + <usize>(k >> 2) * rowBytes4 + (<usize>(k & 3) << 2), 16, B, 32, C + (<usize>k << 5), rows);
    }
  }
}

// b [N] += Σ_r dY[r, 0..N): the bias gradient. Row by row, so dY is read sequentially and b
// (N floats) stays in L1; column by column, a power-of-two row stride made every load a miss.
export function colSum(dY: usize, ldy: i32, R: i32, N: i32, b: usize): void {
  let sy = <usize>ldy << 2;
  for (let r = 0; r < R; r++) {
    let row = dY + <usize>r * sy, n = 0;
    if (ASC_FEATURE_SIMD) {
      for (; n + 4 <= N; n += 4) {
        let o = <usize>n << 2;
        v128.store(b + o, f32x4.add(v128.load(b + o), v128.load(row + o)));
      }
    }
    for (; n < N; n++) {
      let o = <usize>n << 2;
      store<f32>(b + o, load<f32>(b + o) + load<f32>(row + o));
    }
  }
}

// Wp [N/8][K][8] -> WTp [ceil(K/8)][N][8] (the packed transpose used by gemmDyW; pad k = 0).
export function packTransposed(Wp: usize, N: i32, K: i32, WTp: usize): void {
  let Kp = (K + 7) & ~7;
  for (let kp = 0; kp < Kp; kp += 8) {
    let dst = WTp + <usize>(kp >> 3) * (<usize>N << 5);
    for (let n = 0; n < N; n++) {
      let src = Wp + <usize>(n >> 3) * (<usize>K << 5) + (<usize>(n & 7) << 2);
      for (let c = 0; c < 8; c++) {
        let k = kp + c;
        store<f32>(dst + (<usize>c << 2), k < K ? load<f32>(src + (<usize>k << 5)) : 0);
      }
      dst += 32;
    }
  }
}

// Y[m, 0..N) = b1 + b2 for M rows: the bias both PyTorch biases contribute, before the GEMMs add.
// Row by row, so the (often megabytes of) stores are sequential; the summed bias row is built in
// the first row and copied from there.
export function fillBias2(Y: usize, ldy: i32, M: i32, N: i32, b1: usize, b2: usize): void {
  if (M <= 0) return;
  let sy = <usize>ldy << 2, rowBytes = <usize>N << 2;
  if (ASC_FEATURE_SIMD) {
    for (let n = 0; n < N; n += 4) {
      let o = <usize>n << 2;
      v128.store(Y + o, f32x4.add(v128.load(b1 + o), v128.load(b2 + o)));
    }
  } else {
    for (let n = 0; n < N; n++) {
      let o = <usize>n << 2;
      store<f32>(Y + o, load<f32>(b1 + o) + load<f32>(b2 + o));
    }
  }
  for (let m = 1; m < M; m++) memory.copy(Y + <usize>m * sy, Y, rowBytes);
}

// dst [B, A, F] = src [A, B, F]: batch-first <-> time-major, one row copy per (a, b).
export function transpose3(src: usize, A: i32, B: i32, F: i32, dst: usize): void {
  let row = <usize>F << 2;
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < B; b++) {
      memory.copy(dst + (<usize>b * <usize>A + <usize>a) * row, src + (<usize>a * <usize>B + <usize>b) * row, row);
    }
  }
}


// Y[m, 0..N) = b for M rows (one bias, where a cell keeps the other for its recurrent projection).
export function fillBias1(Y: usize, ldy: i32, M: i32, N: i32, b: usize): void {
  let sy = <usize>ldy << 2, rowBytes = <usize>N << 2;
  for (let m = 0; m < M; m++) memory.copy(Y + <usize>m * sy, b, rowBytes);
}

// Byte offset of column `n` (a multiple of 8) in a weight packed [N/8][K][8]: where the panels of a
// column range start, so one GEMM can run over a slice of the columns.
@inline export function panelOffset(n: i32, K: i32): usize {
  return (<usize>(n >> 3) * <usize>K) << 5;
}
