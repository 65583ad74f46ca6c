// GEMM microkernel tester in XNNPACK's style: every export of assembly/gemm.ts called directly on
// arena memory, on every build, against a float64 reference, over M, N, K (and R) chosen at the
// edges of each tile: 1, tile−1, tile, tile+1 for the 4-row tile, the 8/16/32-column panels of the
// row-tail GEMV, the 8-wide k panels of gemmDyW, the row blocks of gemmXWt (MB depends on K) and
// gemmDyTX (DW_ROW_BLOCK = 256), with odd leading strides and accumulation into non-zero C.
//
// Tolerance: a float32 dot product of n terms (fma or mul+add, any summation order) is within
// γ_n·Σ|aᵢbᵢ| of the exact value, γ_n ≈ n·2⁻²⁴ (Higham, Accuracy and Stability, §3.1). We allow
// twice that, (n + 2)·2⁻²³·(Σ|aᵢbᵢ| + |c₀|), with n the reduction length and c₀ the accumulated
// start value. One wrong, missing or doubled term costs about Σ/n, far above it for every n here.
// Packing and bias fills move values without arithmetic (or add two floats): compared exactly.
//
// Besides values: input padding (columns past K or N inside a leading stride) and the floats after
// each input hold NaN, so a kernel that reads them poisons its result; output padding and the
// floats after each output and scratch hold a sentinel that must survive the call.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { init, supportedBuilds } from '../src/index.js';
import { currentRuntime, type Kernels, type Runtime } from '../src/runtime.js';
import { mulberry32 } from './reference/rng.js';

const GUARD = 16; // floats after every block that no kernel may touch
// Output padding and guards hold -0: a stray read-modify-write that adds +0 (say, a zero column of a
// padded panel) turns it into +0, so a write outside the output shows even when it keeps the value
// (harmless on one thread, a lost update once rows are split between threads).
const SENTINEL = -0;
const U2 = 2 ** -23; // twice float32's unit roundoff

/** Blocks of arena memory for one case, freed together. */
class Scratchpad {
  #blocks: number[] = [];
  constructor(readonly rt: Runtime) {}
  /** Byte pointer to `floats` floats (+ GUARD) set to `fill`, starting `lead` floats into the block. */
  take(floats: number, fill: number, lead = 0): number {
    const ptr = this.rt.arena.alloc((lead + floats + GUARD) * 4, 'gemm test block');
    this.#blocks.push(ptr);
    this.rt.arena.f32.fill(fill, ptr >> 2, (ptr >> 2) + lead + floats + GUARD);
    return ptr + lead * 4;
  }
  get f32(): Float32Array {
    return this.rt.arena.f32;
  }
  free(): void {
    for (const p of this.#blocks) this.rt.arena.free(p);
    this.#blocks = [];
  }
}

/** A rows×cols matrix of random float32 values at leading stride ld; padding and guard = `pad`. */
function matrix(mem: Scratchpad, rng: () => number, rows: number, cols: number, ld: number, pad: number, lead = 0) {
  const values = new Float64Array(rows * cols);
  const ptr = mem.take(rows * ld, pad, lead),
    f = mem.f32,
    base = ptr >> 2;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const v = Math.fround(2 * rng() - 1);
      values[r * cols + c] = v;
      f[base + r * ld + c] = v;
    }
  return { ptr, values };
}

/** Copy rows×cols at stride ld out of memory. */
function read(mem: Scratchpad, ptr: number, rows: number, cols: number, ld: number): Float64Array {
  const out = new Float64Array(rows * cols),
    f = mem.f32,
    base = ptr >> 2;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = f[base + r * ld + c]!;
  return out;
}

/** Floats of a rows×ld block (+ guard) outside the rows×cols matrix that no longer hold `fill`. */
function touched(mem: Scratchpad, ptr: number, rows: number, cols: number, ld: number, fill: number): number {
  const f = mem.f32,
    base = ptr >> 2;
  let n = 0;
  for (let r = 0; r < rows; r++) for (let c = cols; c < ld; c++) if (!Object.is(f[base + r * ld + c], fill)) n++;
  for (let i = rows * ld; i < rows * ld + GUARD; i++) if (!Object.is(f[base + i], fill)) n++;
  return n;
}

/** W [N, K] row-major -> panels [N/8][K][8] (the layout every weight is stored in). */
function packPanels(W: Float64Array, N: number, K: number): Float64Array {
  const p = new Float64Array(N * K);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) p[(n >> 3) * K * 8 + k * 8 + (n & 7)] = W[n * K + k]!;
  return p;
}

/** W [N, K] -> Wᵀ panels [ceil(K/8)][N][8], zero past K (what gemmDyW reads). */
function packTransposedPanels(W: Float64Array, N: number, K: number): Float64Array {
  const Kp = (K + 7) & ~7,
    p = new Float64Array(Kp * N);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) p[(k >> 3) * N * 8 + n * 8 + (k & 7)] = W[n * K + k]!;
  return p;
}

function put(mem: Scratchpad, values: Float64Array, pad: number): number {
  const ptr = mem.take(values.length, pad);
  mem.f32.set(values, ptr >> 2);
  return ptr;
}

/** The worst |got − want| / tolerance over all elements (NaN counts as infinitely bad). */
/** How many elements differ (bitwise, so a NaN where a number belongs counts). */
function mismatches(got: Float64Array, want: Float64Array): number {
  let n = 0;
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) n++;
  return n + Math.abs(got.length - want.length);
}

/** One case's verdict: every element within tolerance, no padding or guard float changed. */
function check(r: { ratio: number; touched: number }, what: string): void {
  expect(r.ratio, `${what}: worst |error| / tolerance`).toBeLessThanOrEqual(1);
  expect(r.touched, `${what}: floats changed outside the output`).toBe(0);
}

function worstRatio(got: Float64Array, want: Float64Array, scale: Float64Array, terms: number): number {
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const tol = (terms + 2) * U2 * scale[i]!;
    const err = Math.abs(got[i]! - want[i]!);
    const r = err === 0 ? 0 : err / tol;
    worst = Math.max(worst, Number.isNaN(r) ? Infinity : r);
  }
  return worst;
}

/** Y [M,N] (start C) += X [M,K] · W [N,K]ᵀ in float64; also Σ|terms| per element. */
function refXWt(X: Float64Array, W: Float64Array, C: Float64Array, M: number, N: number, K: number) {
  const want = Float64Array.from(C),
    scale = C.map(Math.abs);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let s = 0,
        a = 0;
      for (let k = 0; k < K; k++) {
        const t = X[m * K + k]! * W[n * K + k]!;
        s += t;
        a += Math.abs(t);
      }
      want[m * N + n]! += s;
      scale[m * N + n]! += a;
    }
  return { want, scale };
}

// Tiles and blocks the sweeps straddle (assembly/gemm.ts): 4-row tiles, 8-column panels taken 32
// or 16 at a time in the row tail, 8-wide k panels in gemmDyW, DW_ROW_BLOCK = 256 rows in gemmDyTX.
const SMALL_M = [1, 2, 3, 4, 5, 7, 8, 9];
const LARGE_M = [31, 32, 33, 63, 64, 65, 257];
// Every multiple of 8 to 72: each mix of the row tail's 32-, 16- and 8-column steps, twice over.
const SMALL_N = [8, 16, 24, 32, 40, 48, 56, 64, 72];
const GEMV_N = [248, 256, 264]; // around 8·32: the 32-wide path's last full step and one panel past it
const SMALL_K = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17];
const LARGE_K = [1, 17, 255, 256, 257]; // MB = 64, 64, 16, 16, 12 rows per block in gemmXWt
const PADS = [0, 1, 3, 8]; // extra floats per row: odd strides leave rows unaligned for v128

for (const build of supportedBuilds()) {
  describe(`GEMM microkernels, ${build} build`, () => {
    let k: Kernels, mem: Scratchpad;
    beforeAll(async () => {
      await init({ build });
      k = currentRuntime().kernels;
      mem = new Scratchpad(currentRuntime());
    });
    afterAll(() => mem.free());

    /** gemmXWt on one case; returns the worst error ratio and how many padding/guard floats changed. */
    function xwt(M: number, N: number, K: number, ldx: number, ldy: number, seed: number, lead = 0) {
      const rng = mulberry32(seed);
      const X = matrix(mem, rng, M, K, ldx, Number.NaN, lead),
        Y = matrix(mem, rng, M, N, ldy, SENTINEL, lead);
      const W = Float64Array.from({ length: N * K }, () => Math.fround(2 * rng() - 1));
      const Wp = put(mem, packPanels(W, N, K), Number.NaN);
      k.gemmXWt(X.ptr, ldx, M, K, Wp, N, Y.ptr, ldy);
      const { want, scale } = refXWt(X.values, W, Y.values, M, N, K);
      const r = {
        ratio: worstRatio(read(mem, Y.ptr, M, N, ldy), want, scale, K),
        touched: touched(mem, Y.ptr, M, N, ldy, SENTINEL),
      };
      mem.free();
      return r;
    }

    it('gemmXWt (Y += X·Wᵀ): every small M × N × K, odd strides', () => {
      let i = 0;
      for (const M of SMALL_M)
        for (const N of SMALL_N)
          for (const K of SMALL_K) {
            const r = xwt(M, N, K, K + PADS[i % 4]!, N + PADS[(i >> 2) % 4]!, i, i % 3);
            check(r, `M=${M} N=${N} K=${K}`);
            i++;
          }
    });

    it('gemmXWt: large M across the row blocks (MB depends on K), the GEMV path around N = 256', () => {
      let i = 0;
      for (const M of LARGE_M)
        for (const K of LARGE_K) {
          const N = SMALL_N[i % SMALL_N.length]!;
          const r = xwt(M, N, K, K + PADS[i % 4]!, N + PADS[(i + 1) % 4]!, 1000 + i);
          check(r, `M=${M} N=${N} K=${K}`);
          i++;
        }
      for (const M of [1, 2, 3, 4, 5, 33])
        for (const N of GEMV_N)
          for (const K of [3, 17, 64]) {
            const r = xwt(M, N, K, K + 1, N + 3, 2000 + i++);
            check(r, `M=${M} N=${N} K=${K}`);
          }
    });

    it('packTransposed: Wp [N/8][K][8] -> Wᵀ panels [ceil(K/8)][N][8], zero past K, exactly', () => {
      for (const N of [8, 16, 24, 40, 264])
        for (const K of [...SMALL_K, 255, 256, 257]) {
          const rng = mulberry32(N * 1000 + K);
          const W = Float64Array.from({ length: N * K }, () => Math.fround(2 * rng() - 1));
          const Wp = put(mem, packPanels(W, N, K), Number.NaN);
          const outFloats = ((K + 7) & ~7) * N;
          const WTp = mem.take(outFloats, SENTINEL);
          k.packTransposed(Wp, N, K, WTp);
          const got = read(mem, WTp, 1, outFloats, outFloats),
            want = packTransposedPanels(W, N, K);
          expect(mismatches(got, want), `N=${N} K=${K}`).toBe(0);
          expect(touched(mem, WTp, 1, outFloats, outFloats, SENTINEL), `N=${N} K=${K} guard`).toBe(0);
          mem.free();
        }
    });

    /** gemmDyW on one case: dX [M,K] (start C) += dY [M,N] · W [N,K]. */
    function dyw(M: number, N: number, K: number, ldy: number, ldx: number, seed: number) {
      const rng = mulberry32(seed);
      const dY = matrix(mem, rng, M, N, ldy, Number.NaN),
        dX = matrix(mem, rng, M, K, ldx, SENTINEL);
      const W = Float64Array.from({ length: N * K }, () => Math.fround(2 * rng() - 1));
      const WTp = put(mem, packTransposedPanels(W, N, K), Number.NaN);
      k.gemmDyW(dY.ptr, ldy, M, N, WTp, K, dX.ptr, ldx);
      // dY · W = dY · (Wᵀ)ᵀ: the X·Wᵀ reference with Wᵀ [K, N] as the weight
      const WT = new Float64Array(K * N);
      for (let n = 0; n < N; n++) for (let kk = 0; kk < K; kk++) WT[kk * N + n] = W[n * K + kk]!;
      const { want, scale } = refXWt(dY.values, WT, dX.values, M, K, N);
      const r = {
        ratio: worstRatio(read(mem, dX.ptr, M, K, ldx), want, scale, N),
        touched: touched(mem, dX.ptr, M, K, ldx, SENTINEL),
      };
      mem.free();
      return r;
    }

    it('gemmDyW (dX += dY·W): M × K across 4-row tiles and 8-wide k panels, N across panels', () => {
      let i = 0;
      for (const M of [...SMALL_M, 31, 33, 65])
        for (const K of [...SMALL_K, 23, 24, 25, 255, 256, 257]) {
          const N = SMALL_N[i % SMALL_N.length]!;
          const r = dyw(M, N, K, N + PADS[i % 4]!, K + PADS[(i >> 2) % 4]!, 3000 + i);
          check(r, `M=${M} N=${N} K=${K}`);
          i++;
        }
      for (const N of [...SMALL_N, 256, 264]) {
        const r = dyw(5, N, 13, N + 1, 13 + 3, 4000 + N);
        check(r, `M=5 N=${N} K=13`);
      }
    });

    /** gemmDyTX on one case: dWp [N/8][K][8] (start C) += dY [R,N]ᵀ · X [R,K]. */
    function dytx(R: number, N: number, K: number, ldy: number, ldx: number, seed: number) {
      const rng = mulberry32(seed);
      const dY = matrix(mem, rng, R, N, ldy, Number.NaN),
        X = matrix(mem, rng, R, K, ldx, Number.NaN);
      const C = Float64Array.from({ length: N * K }, () => Math.fround(2 * rng() - 1)); // [N, K]
      const dWp = put(mem, packPanels(C, N, K), SENTINEL);
      const scratchFloats = k.gemmDyTXScratchFloats(N, K);
      const scratch = mem.take(scratchFloats, Number.NaN); // the kernel must write before it reads
      mem.f32.fill(SENTINEL, (scratch >> 2) + scratchFloats, (scratch >> 2) + scratchFloats + GUARD);
      k.gemmDyTX(dY.ptr, ldy, X.ptr, ldx, R, N, K, dWp, scratch);
      // dW [N, K] = dYᵀ · X: the X·Wᵀ reference with dYᵀ [N, R] as X and Xᵀ [K, R] as W
      const dYT = new Float64Array(N * R),
        XT = new Float64Array(K * R);
      for (let r = 0; r < R; r++) {
        for (let n = 0; n < N; n++) dYT[n * R + r] = dY.values[r * N + n]!;
        for (let kk = 0; kk < K; kk++) XT[kk * R + r] = X.values[r * K + kk]!;
      }
      const { want, scale } = refXWt(dYT, XT, C, N, K, R);
      const got = read(mem, dWp, 1, N * K, N * K);
      const r = {
        ratio: worstRatio(got, packPanels(want, N, K), packPanels(scale, N, K), R),
        touched:
          touched(mem, dWp, 1, N * K, N * K, SENTINEL) + touched(mem, scratch + scratchFloats * 4, 0, 0, 0, SENTINEL),
      };
      mem.free();
      return r;
    }

    it('gemmDyTX (dW += dYᵀ·X): R across DW_ROW_BLOCK = 256, N × K across tiles, scratch stays in bounds', () => {
      let i = 0;
      for (const R of [1, 2, 3, 4, 5, 7, 8, 9, 255, 256, 257, 300, 513, 700])
        for (const K of SMALL_K) {
          const N = SMALL_N[i % SMALL_N.length]!;
          const r = dytx(R, N, K, N + PADS[i % 4]!, K + PADS[(i >> 2) % 4]!, 5000 + i);
          check(r, `R=${R} N=${N} K=${K}`);
          i++;
        }
      for (const [R, N, K] of [
        [300, 264, 33],
        [700, 16, 255],
        [257, 72, 257],
        [1, 256, 1],
      ] as const) {
        const r = dytx(R, N, K, N + 3, K + 1, 6000 + i++);
        check(r, `R=${R} N=${N} K=${K}`);
      }
    });

    it('colSum (b += Σ_r dY[r, ·]): SIMD body and scalar tail, odd strides', () => {
      let i = 0;
      for (const N of [1, 3, 4, 5, 7, 8, 13, 64, 67])
        for (const R of [1, 2, 5, 257]) {
          const rng = mulberry32(7000 + i),
            ldy = N + PADS[i++ % 4]!;
          const dY = matrix(mem, rng, R, N, ldy, Number.NaN),
            b = matrix(mem, rng, 1, N, N, SENTINEL);
          k.colSum(dY.ptr, ldy, R, N, b.ptr);
          const want = Float64Array.from(b.values),
            scale = b.values.map(Math.abs);
          for (let r = 0; r < R; r++)
            for (let n = 0; n < N; n++) {
              want[n]! += dY.values[r * N + n]!;
              scale[n]! += Math.abs(dY.values[r * N + n]!);
            }
          const r = {
            ratio: worstRatio(read(mem, b.ptr, 1, N, N), want, scale, R),
            touched: touched(mem, b.ptr, 1, N, N, SENTINEL),
          };
          check(r, `N=${N} R=${R}`);
          mem.free();
        }
    });

    // Column counts are multiples of 8 wherever fillBias2 is called (gates padded to panels); the
    // SIMD path relies on it, writing whole groups of 4.
    it('fillBias2 (Y[m, ·] = b1 + b2 for M rows): exact, padding and guard untouched, M = 0 writes nothing', () => {
      for (const N of [8, 16, 24, 264])
        for (const M of [0, 1, 2, 3, 5]) {
          const rng = mulberry32(8000 + N + M),
            ldy = N + (M % 2 ? 3 : 0);
          const b1 = matrix(mem, rng, 1, N, N, Number.NaN),
            b2 = matrix(mem, rng, 1, N, N, Number.NaN);
          const Y = mem.take(Math.max(M, 1) * ldy, SENTINEL);
          k.fillBias2(Y, ldy, M, N, b1.ptr, b2.ptr);
          const row = b1.values.map((v, n) => Math.fround(v + b2.values[n]!));
          const want =
            M === 0 ? new Float64Array(N).fill(SENTINEL) : Float64Array.from({ length: M * N }, (_, i) => row[i % N]!);
          expect(mismatches(read(mem, Y, Math.max(M, 1), N, ldy), want), `M=${M} N=${N}`).toBe(0);
          expect(touched(mem, Y, Math.max(M, 1), N, ldy, SENTINEL), `M=${M} N=${N} padding`).toBe(0);
          mem.free();
        }
    });

    it('transpose3 ([A, B, F] -> [B, A, F], the batch-first / time-major swap): exact, guard untouched', () => {
      for (const [A, B, F] of [
        [1, 1, 1],
        [3, 5, 7],
        [4, 1, 9],
        [1, 6, 2],
        [17, 3, 33],
      ] as const) {
        const rng = mulberry32(9000 + A * B * F);
        const src = matrix(mem, rng, A * B, F, F, Number.NaN);
        const dst = mem.take(A * B * F, SENTINEL);
        k.transpose3(src.ptr, A, B, F, dst);
        const want = new Float64Array(A * B * F);
        for (let a = 0; a < A; a++)
          for (let b = 0; b < B; b++)
            for (let f = 0; f < F; f++) want[(b * A + a) * F + f] = src.values[(a * B + b) * F + f]!;
        expect(mismatches(read(mem, dst, 1, A * B * F, A * B * F), want), `A=${A} B=${B} F=${F}`).toBe(0);
        expect(touched(mem, dst, 1, A * B * F, A * B * F, SENTINEL), `A=${A} B=${B} F=${F} guard`).toBe(0);
        mem.free();
      }
    });
  });
}
