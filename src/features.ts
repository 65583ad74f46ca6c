// What the engine's WebAssembly supports, probed by validating tiny modules (nothing is compiled):
// SIMD, relaxed SIMD, and whether a worker pool can run here (threads/detect.ts says why not).
import { threadsUnavailable } from './threads/detect.js';

/** What this engine supports: WebAssembly features (probed by validating tiny modules; nothing is
 *  compiled), and whether a worker pool can run. */
export interface Features {
  /** 128-bit SIMD (the `'simd'` build). */
  simd: boolean;
  /** Relaxed SIMD (the `'relaxed-simd'` build). */
  relaxedSimd: boolean;
  /** Can init({ threads }) run a worker pool here: wasm threads (shared memory and atomics),
   *  `SharedArrayBuffer` (in browsers: a cross-origin isolated page) and workers. */
  threads: boolean;
  /** Why threads are off here (no SharedArrayBuffer, page not cross-origin isolated, no Worker). */
  threadsReason?: string;
}

// Probe modules: each validates only where the feature is implemented (checked in Node 20,
// Chromium, Deno, Bun and workerd; Node 20 validates the relaxed one only with its flag).
const HEADER = [0, 97, 115, 109, 1, 0, 0, 0];
const PROBE_SIMD = new Uint8Array([
  ...HEADER,
  1,
  5,
  1,
  96,
  0,
  1,
  123,
  3,
  2,
  1,
  0,
  10,
  10,
  1,
  8,
  0,
  65,
  0,
  253,
  15,
  253,
  98,
  11,
]);
const PROBE_RELAXED = new Uint8Array([
  ...HEADER,
  1,
  5,
  1,
  96,
  0,
  1,
  123,
  3,
  2,
  1,
  0,
  10,
  15,
  1,
  13,
  0,
  65,
  1,
  253,
  15,
  65,
  2,
  253,
  15,
  253,
  128,
  2,
  11,
]);
const PROBE_THREADS = new Uint8Array([
  ...HEADER,
  1,
  4,
  1,
  96,
  0,
  0,
  3,
  2,
  1,
  0,
  5,
  4,
  1,
  3,
  1,
  1,
  10,
  11,
  1,
  9,
  0,
  65,
  0,
  254,
  16,
  2,
  0,
  26,
  11,
]);

/** What this engine's WebAssembly supports; cheap (validates three tiny modules), no side effects. */
export function detectFeatures(): Features {
  const ok = (bytes: Uint8Array<ArrayBuffer>): boolean => {
    try {
      return WebAssembly.validate(bytes);
    } catch {
      return false;
    }
  };
  const threadsReason = threadsUnavailable(ok(PROBE_THREADS));
  return {
    simd: ok(PROBE_SIMD),
    relaxedSimd: ok(PROBE_RELAXED),
    threads: threadsReason === null,
    ...(threadsReason === null ? {} : { threadsReason }),
  };
}
