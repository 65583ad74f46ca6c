// The measured ceiling of each build: the 4×8 f32x4 register tile fed from L1 (assembly/peak.ts),
// now `measurePeak` in the package (src/peak.ts). `node [--experimental-wasm-relaxed-simd] bench/peak.mjs`
import { measurePeak, supportedBuilds } from '../dist/index.js';

for (const b of /** @type {const} */ (['relaxed-simd', 'simd', 'scalar'])) {
  if (!supportedBuilds().includes(b)) {
    console.log(`${b.padEnd(13)} unavailable on this engine`);
    continue;
  }
  const p = await measurePeak(b);
  console.log(`${b.padEnd(13)} ${p.median.toFixed(1)} GFLOP/s (min ${p.min.toFixed(1)}, max ${p.max.toFixed(1)})`);
}
