// npm run test:runtimes — the built package (npm run build) on every runtime it supports, each
// compared with test/fixtures/golden.json to 1e-6. One child process per runtime, in turn:
//   node, deno, bun, workerd, chromium, browser-demo, browser-bench, browser-stream (the streaming
//   example), examples (the Node examples, short settings), package (npm pack + npx wasm-lstm bench),
//   bundlers (vite dev/build, webpack, rollup, esbuild fixtures in Chromium)
//   node test/runtimes/run.mjs [--only node,workerd]
// Needs: the devDependencies (deno, bun, workerd, playwright-core, sirv) and /usr/bin/chromium
// (apt-get install -y chromium; .ci/run installs it when missing).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, run } from './util.mjs';

const SUITES = {
  node: ['test/runtimes/node.mjs'],
  deno: ['test/runtimes/js-runtime.mjs', 'deno'],
  bun: ['test/runtimes/js-runtime.mjs', 'bun'],
  workerd: ['test/runtimes/workerd.mjs'],
  chromium: ['test/runtimes/chromium.mjs'],
  // the first-call measurement (bench/first-call.mjs) runs in Node, Chromium and workerd, numbers finite
  'first-call': ['bench/first-call.mjs', '--quick'],
  'browser-demo': ['test/runtimes/browser-demo.mjs'],
  'browser-bench': ['test/runtimes/browser-bench.mjs'],
  'browser-stream': ['test/runtimes/browser-stream.mjs'],
  examples: ['test/runtimes/examples.mjs'],
  package: ['test/runtimes/package.mjs'],
  bundlers: ['test/runtimes/bundlers.mjs'],
};
const i = process.argv.indexOf('--only');
const only = i > 0 ? process.argv[i + 1].split(',') : Object.keys(SUITES);
const unknown = only.filter((n) => !(n in SUITES));
if (unknown.length) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; known: ${Object.keys(SUITES).join(', ')}`);
  process.exit(2);
}

for (const f of [
  'dist/index.js',
  'dist/browser.js',
  'dist/bench.js',
  'dist/entries/workerd.js',
  'build/lstm.simd.wasm',
]) {
  if (!existsSync(join(ROOT, f))) {
    console.error(`${f} is missing: run npm run build first`);
    process.exit(2);
  }
}

const results = [];
const t0 = performance.now();
for (const name of only) {
  console.log(`\n▶ ${name}`);
  const r = await run(process.execPath, SUITES[name], { echo: true, timeoutMs: 300_000 });
  const pass = r.code === 0;
  if (!pass && r.signal) console.log(`  ${name} was killed after ${(r.ms / 1000).toFixed(0)} s (${r.signal})`);
  results.push({ name, pass, seconds: r.ms / 1000 });
}
console.log('\nruntime tests:');
for (const r of results) console.log(`  ${r.pass ? 'pass' : 'FAIL'}  ${r.name.padEnd(13)} ${r.seconds.toFixed(1)} s`);
const passed = results.filter((r) => r.pass).length,
  failed = results.length - passed;
console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
