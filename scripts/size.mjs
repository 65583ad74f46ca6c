// Size budget: what a browser downloads for inference + training through the browser entry
// (the `browser`/`default` export conditions, and the README's import map): dist/browser.js (the
// whole API, minified at build time) plus the largest one of the three inlined kernel builds
// (dist/wasm/lstm.*.wasm.js, one character per byte; init() loads exactly one), each gzipped. The raw .wasm files
// (what a page fetching build/*.wasm itself downloads) are listed for comparison. dist/onnx.js
// ('wasm-lstm/onnx', imported only by those who use ONNX) is reported on its own line, minified
// with the core left external: what it adds to the download. Exits 1 over the budget.
//   npm run size [-- --json]
import { build } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const BUDGET = 60_000; // bytes (60 kB), JS + one kernel build, both gzipped
const ENTRY = 'dist/browser.js';
const CHUNKS = ['dist/wasm/lstm.relaxed.wasm.js', 'dist/wasm/lstm.simd.wasm.js', 'dist/wasm/lstm.scalar.wasm.js'];
const WASM = ['build/lstm.relaxed.wasm', 'build/lstm.simd.wasm', 'build/lstm.scalar.wasm'];

/** @param {string} name @param {Uint8Array} [bytes] */
const measure = (name, bytes = readFileSync(name)) => ({
  name,
  bytes: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});
const {
  outputFiles: [onnxMin],
} = await build({
  entryPoints: ['dist/onnx.js'],
  bundle: true,
  minify: true,
  write: false,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  external: ['node:*', 'wasm-lstm', './index.js'],
  legalComments: 'none',
  outfile: 'size.min.js',
  logLevel: 'error',
});
// The entry and every chunk it imports statically: what loads before the first call. Chunks imported
// with import() (the Keras reader, model-file loading) load on first use and are listed apart.
const staticGraph = (file, seen = new Set()) => {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const [, dep] of readFileSync(file, 'utf8').matchAll(/from\s*"(\.\/[^"]+)"/g))
    staticGraph(join(dirname(file), dep), seen);
  return seen;
};
const initial = [...staticGraph(ENTRY)];
// (each file is fetched and compressed on its own, so the sizes add up file by file)
const parts = initial.map((f) => measure(f));
const jsRow = {
  name: `${ENTRY} + ${initial.length - 1} chunks it imports`,
  bytes: parts.reduce((n, p) => n + p.bytes, 0),
  gzip: parts.reduce((n, p) => n + p.gzip, 0),
  brotli: parts.reduce((n, p) => n + p.brotli, 0),
};
const lazy = readdirSync('dist').filter((f) => /-[A-Z0-9]{8}\.js$/.test(f) && !initial.includes(join('dist', f)));
const lazyRows = lazy.map((f) => ({ ...measure(`dist/${f}`), name: `dist/${f} (on first use)` }));
const chunkRows = CHUNKS.map((f) => measure(f));
const wasmRows = WASM.map((f) => measure(f));
const onnxRow = measure('dist/onnx.js (minified, extra)', onnxMin.contents);
const largest = chunkRows.reduce((a, b) => (b.gzip > a.gzip ? b : a));
const total = jsRow.gzip + largest.gzip,
  totalBrotli = jsRow.brotli + largest.brotli;

if (process.argv.includes('--json')) {
  console.log(
    JSON.stringify({
      js: jsRow,
      kernels: chunkRows,
      wasm: wasmRows,
      largestKernel: largest.name,
      onnx: onnxRow,
      onFirstUse: lazyRows,
      totalGzip: total,
      totalBrotli,
      budget: BUDGET,
      ok: total <= BUDGET,
    }),
  );
} else {
  const kb = (n) => `${(n / 1000).toFixed(1)} kB`.padStart(9);
  console.log(`${'file'.padEnd(52)} ${'bytes'.padStart(9)} ${'gzip -9'.padStart(9)} ${'brotli'.padStart(9)}`);
  for (const r of [jsRow, ...lazyRows, ...chunkRows, ...wasmRows, onnxRow])
    console.log(`${r.name.padEnd(52)} ${kb(r.bytes)} ${kb(r.gzip)} ${kb(r.brotli)}`);
  console.log(
    `download for inference + training: ${ENTRY} ${kb(jsRow.gzip).trim()} + ${largest.name.replace('dist/wasm/', '')} ${kb(largest.gzip).trim()} ` +
      `= ${kb(total).trim()} gzipped (${kb(totalBrotli).trim()} brotli); budget ${kb(BUDGET).trim()}: ${total <= BUDGET ? 'ok' : 'OVER BUDGET'}`,
  );
}
process.exitCode = total <= BUDGET ? 0 : 1;
