// The measured ceiling the benchmark (src/bench/) compares every workload with: the 4×8 f32x4
// register tile fed from L1 (assembly/peak.ts), run on this machine with one build's kernels.
// Workload GFLOP/s are reported as a percentage of their own build's figure. Public, so the
// benchmark entry (wasm-lstm/bench) needs nothing but the public API.
import { LSTMError, describe } from './errors.js';
import { currentRuntime, hasRuntime, init, type BuildName } from './runtime.js';

export interface PeakResult {
  /** GFLOP/s over `repeats` timed calls. */
  median: number;
  min: number;
  max: number;
}

/** 12 KB of scratch: the tile's operands, which stay in L1. */
const SCRATCH_FLOATS = 3072;

/**
 * GFLOP/s of the peak loop with one build's kernels (loaded through init({ build }) if needed).
 * The build that was current before stays current. Takes about `repeats` × 0.1–0.5 s.
 */
export async function measurePeak(
  build: BuildName,
  { repeats = 7, iterations = 2e7 }: { repeats?: number; iterations?: number } = {},
): Promise<PeakResult> {
  for (const [name, v, min] of [
    ['repeats', repeats, 1],
    ['iterations', iterations, 100],
  ] as const) {
    if (!Number.isInteger(v) || v < min || v > 2 ** 31 - 1) {
      throw new LSTMError('INVALID_ARGUMENT', `measurePeak: ${name} must be an integer ≥ ${min}`, {
        argument: name,
        expected: `an integer in [${min}, 2^31 − 1]`,
        actual: describe(v),
      });
    }
  }
  const before = hasRuntime() ? currentRuntime().build : null;
  await init({ build });
  const { kernels, arena } = currentRuntime();
  if (before !== null && before !== build) await init({ build: before });
  const scratch = arena.alloc(SCRATCH_FLOATS * 4, 'peak scratch');
  try {
    arena.fill(scratch, SCRATCH_FLOATS, 1.0001); // unsigned: the scratch may sit past 2 GiB
    const flopsPerCall = iterations * kernels.peakFlopsPerIteration();
    // V8 has no on-stack replacement for wasm: short calls first, so the timed ones run optimized code.
    for (let i = 0; i < 20; i++) kernels.peakMulAdd(iterations / 100, scratch);
    const rates: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      kernels.peakMulAdd(iterations, scratch);
      rates.push(flopsPerCall / ((performance.now() - t0) / 1000) / 1e9);
    }
    rates.sort((a, b) => a - b);
    return { median: rates[rates.length >> 1]!, min: rates[0]!, max: rates[rates.length - 1]! };
  } finally {
    arena.free(scratch);
  }
}
