// Size budget: what a browser downloads for inference + training. dist/index.js (the whole API:
// layers, Sequential, optimizers, safetensors, tasks) minified by esbuild, plus the largest one of
// the three .wasm builds (init() loads exactly one), each gzipped. Exits 1 over the budget.
// dist/onnx.js ('wasm-lstm/onnx', imported only by those who use ONNX) is reported on its own
// line, minified with the core left external: what it adds to the download.
//   npm run size [-- --json]
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const BUDGET = 60_000; // bytes (60 kB), JS + one .wasm, both gzipped
const WASM = ['build/lstm.relaxed.wasm', 'build/lstm.simd.wasm', 'build/lstm.scalar.wasm'];

const minified = async (entry, external) => {
  const {
    outputFiles: [out],
  } = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: ['node:*', ...external],
    legalComments: 'none',
    outfile: 'size.min.js',
    logLevel: 'error',
  });
  return out.contents;
};
const js = { contents: await minified('dist/index.js', []) };
const onnxJs = await minified('dist/onnx.js', ['./index.js']);
const measure = (name, bytes, raw = bytes.length) => ({
  name,
  raw,
  bytes: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});
const jsRow = measure('dist/index.js (esbuild --minify)', js.contents, readFileSync('dist/index.js').length);
const wasmRows = WASM.map((f) => measure(f, readFileSync(f)));
const onnxRow = measure('dist/onnx.js (wasm-lstm/onnx, extra)', onnxJs, readFileSync('dist/onnx.js').length);
const largest = wasmRows.reduce((a, b) => (b.gzip > a.gzip ? b : a));
const total = jsRow.gzip + largest.gzip,
  totalBrotli = jsRow.brotli + largest.brotli;

if (process.argv.includes('--json')) {
  console.log(
    JSON.stringify({
      js: jsRow,
      wasm: wasmRows,
      largestWasm: largest.name,
      onnx: onnxRow,
      totalGzip: total,
      totalBrotli,
      budget: BUDGET,
      ok: total <= BUDGET,
    }),
  );
} else {
  const kb = (n) => `${(n / 1000).toFixed(1)} kB`.padStart(9);
  console.log(
    `${'file'.padEnd(36)} ${'on disk'.padStart(9)} ${'minified'.padStart(9)} ${'gzip -9'.padStart(9)} ${'brotli'.padStart(9)}`,
  );
  for (const r of [jsRow, ...wasmRows, onnxRow])
    console.log(`${r.name.padEnd(36)} ${kb(r.raw)} ${kb(r.bytes)} ${kb(r.gzip)} ${kb(r.brotli)}`);
  console.log(
    `download for inference + training: JS ${kb(jsRow.gzip).trim()} + ${largest.name.replace('build/', '')} ${kb(largest.gzip).trim()} ` +
      `= ${kb(total).trim()} gzipped (${kb(totalBrotli).trim()} brotli); budget ${kb(BUDGET).trim()}: ${total <= BUDGET ? 'ok' : 'OVER BUDGET'}`,
  );
}
process.exitCode = total <= BUDGET ? 0 : 1;
