// The measured ceiling: a register-blocked f32x4 multiply-add loop (assembly/peak.ts) run on this
// machine, per build. Workload GFLOP/s are reported as a percentage of the SIMD figure.
import { readFile } from 'node:fs/promises';

const FILES = { 'relaxed-simd': 'lstm.relaxed.wasm', simd: 'lstm.simd.wasm', scalar: 'lstm.scalar.wasm' };

/**
 * The exports this file calls (a subset of the kernel ABI, assembly/index.ts).
 * @typedef {{
 *   memory: WebAssembly.Memory,
 *   heapBase(): number,
 *   peakMulAdd(iterations: number, scratch: number): number,
 *   peakFlopsPerIteration(): number,
 * }} PeakExports
 */

/** GFLOP/s of the peak loop for one build: median and max of `repeats` runs after a warm-up. */
export async function measurePeak(build, { repeats = 7, iterations = 2e7 } = {}) {
  const bytes = await readFile(new URL(`../build/${FILES[build]}`, import.meta.url));
  const { instance } = await WebAssembly.instantiate(bytes, {});
  const k = /** @type {PeakExports} */ (/** @type {unknown} */ (instance.exports));
  const flops = iterations * k.peakFlopsPerIteration();
  // V8 has no on-stack replacement for wasm: short calls first, so the timed ones run optimized code.
  const y = (k.heapBase() + 63) & ~63; // 12 KB of scratch past static data
  k.memory.grow(1);
  new Float32Array(k.memory.buffer, y, 3072).fill(1.0001);
  for (let i = 0; i < 20; i++) k.peakMulAdd(iterations / 100, y);
  const rates = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    k.peakMulAdd(iterations, y);
    rates.push(flops / ((performance.now() - t0) / 1000) / 1e9);
  }
  rates.sort((a, b) => a - b);
  return { median: rates[rates.length >> 1], max: rates[rates.length - 1], min: rates[0] };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const b of Object.keys(FILES)) {
    try {
      const p = await measurePeak(b);
      console.log(`${b.padEnd(13)} ${p.median.toFixed(1)} GFLOP/s (min ${p.min.toFixed(1)}, max ${p.max.toFixed(1)})`);
    } catch (e) {
      console.log(`${b.padEnd(13)} unavailable (${e.message.split('\n')[0]})`);
    }
  }
}
