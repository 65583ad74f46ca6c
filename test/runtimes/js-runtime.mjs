// Deno and Bun (the binaries their npm packages ship): run test/runtimes/portable.mjs as it is,
// which imports the built package by name and checks every build against golden.json to 1e-6.
//   node test/runtimes/js-runtime.mjs deno|bun
import { describeThreads } from './threads-check.mjs';
import { ROOT, npmBinary, run, lastJson } from './util.mjs';

const name = process.argv[2];
if (name !== 'deno' && name !== 'bun') {
  console.error('usage: js-runtime.mjs deno|bun');
  process.exit(2);
}
const bin = npmBinary(name);
const args =
  name === 'deno'
    ? ['run', '--allow-read', '--no-prompt', 'test/runtimes/portable.mjs']
    : ['test/runtimes/portable.mjs'];
const env = {
  ...process.env,
  DENO_NO_UPDATE_CHECK: '1',
  DENO_NO_PROMPT: '1',
  BUN_DISABLE_TELEMETRY: '1',
  DO_NOT_TRACK: '1',
};
const r = await run(bin, args, { cwd: ROOT, env, timeoutMs: 120_000 });
const rep = lastJson(r.stdout);
let ok = r.code === 0 && rep?.ok === true;
if (r.signal)
  console.log(`  FAIL ${name} did not exit (killed after ${(r.ms / 1000).toFixed(0)} s): a live pool kept it running?`);
if (!rep) {
  console.log(
    `  FAIL ${name} printed no report (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`,
  );
} else {
  console.log(`  ${name} ${rep.version}: init() chose ${rep.defaultBuild}; features ${JSON.stringify(rep.features)}`);
  for (const [b, x] of Object.entries(rep.builds)) {
    console.log(
      `  ${x.ok ? 'ok  ' : 'FAIL'} ${b} matches golden.json — max |diff| ${x.maxDiff.toExponential(2)} (${x.worst})`,
    );
  }
  for (const line of describeThreads(rep.threads)) console.log(`  ${line}`);
  const relaxed = rep.defaultBuild === 'relaxed-simd' && rep.features.simd;
  console.log(`  ${relaxed ? 'ok  ' : 'FAIL'} init() selects relaxed-simd`);
  if (!relaxed) ok = false;
  console.log(`  cold start (one run): import('wasm-lstm') → first forward ${rep.coldStartMs} ms`);
}
console.log(ok ? `${name}: ok` : `${name}: FAILED`);
process.exitCode = ok ? 0 : 1;
