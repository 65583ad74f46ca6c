// Node 20: the golden check on the built package imported by name (the self-reference through
// package.json "exports"), without and with --experimental-wasm-relaxed-simd; the exports map
// (default, workerd and worker conditions, for Node, esbuild and TypeScript); cold start.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describeThreads } from './threads-check.mjs';
import { ROOT, run, lastJson } from './util.mjs';
import { nodeColdStart } from '../../bench/coldstart.mjs';

let ok = true;
const check = (name, pass, detail = '') => {
  console.log(`  ${pass ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  if (!pass) ok = false;
};

// 1. Golden numbers, every build Node can run.
for (const flags of [[], ['--experimental-wasm-relaxed-simd']]) {
  const r = await run(process.execPath, [...flags, 'test/runtimes/portable.mjs']);
  const rep = lastJson(r.stdout);
  const label = `node ${process.version}${flags.length ? ` ${flags.join(' ')}` : ''}`;
  if (!rep) {
    check(`${label}: golden check ran`, false, r.stderr.trim().split('\n').slice(-3).join(' | '));
    continue;
  }
  const expected = flags.length ? 'relaxed-simd' : 'simd';
  check(`${label}: init() chose ${rep.defaultBuild}`, rep.defaultBuild === expected, `expected ${expected}`);
  for (const [b, x] of Object.entries(rep.builds))
    check(`${label}: ${b} matches golden.json`, x.ok, `max |diff| ${x.maxDiff.toExponential(2)} (${x.worst})`);
  check(`${label}: init({ threads: 2 }) runs 2 threads`, rep.threads.threads === 2, rep.threads.reason ?? '');
  for (const [b, x] of Object.entries(rep.threads.builds))
    check(`${label}: ${b}, 2 threads`, x.ok, describeThreads({ ...rep.threads, builds: { [b]: x } })[1]);
}

// 2. The exports map.
const resolveWith = async (conditions) => {
  const code =
    "console.log(JSON.stringify([import.meta.resolve('wasm-lstm'), import.meta.resolve('wasm-lstm/build/lstm.simd.wasm')]))";
  const r = await run(process.execPath, [
    ...conditions.map((c) => `--conditions=${c}`),
    '--input-type=module',
    '-e',
    code,
  ]);
  return JSON.parse(r.stdout).map((u) => fileURLToPath(u).slice(ROOT.length));
};
const [main, wasm] = await resolveWith([]);
check("node: 'wasm-lstm' → dist/index.js", main === 'dist/index.js', main);
check(
  "node: 'wasm-lstm/build/lstm.simd.wasm' → build/lstm.simd.wasm",
  wasm === 'build/lstm.simd.wasm' && existsSync(join(ROOT, wasm)),
  wasm,
);
for (const c of ['workerd', 'worker']) {
  const [m] = await resolveWith([c]);
  check(`node --conditions=${c}: 'wasm-lstm' → dist/entries/workerd.js`, m === 'dist/entries/workerd.js', m);
}
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
// (main lists the onnx entries as having side effects; the core entries must stay free of them)
const coreEntries = ['./dist/index.js', './dist/browser.js', './dist/bench.js', './dist/entries/workerd.js'];
check(
  'package.json: the core entries are side-effect free, no runtime dependencies',
  (pkg.sideEffects === false ||
    (Array.isArray(pkg.sideEffects) && !coreEntries.some((f) => pkg.sideEffects.includes(f)))) &&
    !pkg.dependencies &&
    !pkg.peerDependencies,
  JSON.stringify(pkg.sideEffects),
);
const workerdJs = readFileSync(join(ROOT, 'dist/entries/workerd.js'), 'utf8');
check(
  'dist/entries/workerd.js imports the three .wasm files as modules',
  ['relaxed', 'simd', 'scalar'].every((b) => workerdJs.includes(`from "../../build/lstm.${b}.wasm"`)),
);
for (const f of [
  'dist/types/src/index.d.ts',
  'dist/types/src/entries/workerd.d.ts',
  'build/lstm.relaxed.wasm',
  'build/lstm.simd.wasm',
  'build/lstm.scalar.wasm',
]) {
  check(`${f} exists`, existsSync(join(ROOT, f)));
}

// 3. Bundlers: esbuild resolves the browser build and the workerd build through the same map.
/** @type {[import('esbuild').Platform, string[], string][]} platform, export conditions, the file it must pick */
const bundlerCases = [
  ['browser', [], 'dist/browser.js'],
  ['node', [], 'dist/index.js'],
  ['neutral', ['workerd', 'worker', 'browser'], 'dist/entries/workerd.js'],
];
for (const [platform, conditions, expected] of bundlerCases) {
  const r = await build({
    stdin: { contents: "export { init } from 'wasm-lstm';", resolveDir: ROOT, loader: 'js' },
    bundle: true,
    write: false,
    platform,
    conditions,
    format: 'esm',
    metafile: true,
    external: ['*.wasm', 'node:*'],
    logLevel: 'silent',
  });
  const inputs = Object.keys(r.metafile.inputs);
  check(
    `esbuild (${platform}${conditions.length ? `, ${conditions.join('/')}` : ''}) bundles ${expected}`,
    inputs.includes(expected),
    inputs.join(', '),
  );
}
// The side entries (wasm-lstm/bench, wasm-lstm/onnx) import the core by the package's name, so a
// browser bundle that uses all of them holds one copy of the core: the browser entry.
{
  const r = await build({
    stdin: {
      contents:
        "export * from 'wasm-lstm'; export * as bench from 'wasm-lstm/bench'; export * as onnx from 'wasm-lstm/onnx';",
      resolveDir: ROOT,
      loader: 'js',
    },
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(r.metafile.inputs).filter((f) => f.startsWith('dist/'));
  check(
    'esbuild (browser): core + bench + onnx bundle one core, dist/browser.js',
    inputs.includes('dist/browser.js') && !inputs.includes('dist/index.js'),
    inputs.join(', '),
  );
}
// The browser entry has no node: import at all (platform.browser.ts), so a browser bundle needs
// no --external flag.
try {
  await build({
    stdin: { contents: "export * from 'wasm-lstm';", resolveDir: ROOT, loader: 'js' },
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    logLevel: 'silent',
  });
  check('esbuild --platform=browser bundles the package with no --external flag', true);
} catch (e) {
  check(
    'esbuild --platform=browser bundles the package with no --external flag',
    false,
    `${e.errors?.[0]?.text ?? e.message} (${e.errors?.[0]?.location?.lineText?.trim() ?? ''})`,
  );
}

// 4. TypeScript users get declarations through the map (moduleResolution nodenext), with the
//    default and the workerd condition.
const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
for (const extra of [[], ['--customConditions', 'workerd']]) {
  const r = await run(process.execPath, [
    tsc,
    '--noEmit',
    '--strict',
    '--skipLibCheck',
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--target',
    'es2022',
    '--types',
    'node',
    '--traceResolution',
    ...extra,
    'test/runtimes/consumer.ts',
  ]);
  const resolved =
    /Module name 'wasm-lstm' was successfully resolved to '([^']+)'/.exec(r.stdout)?.[1]?.slice(ROOT.length) ?? '?';
  const want = extra.length ? 'dist/types/src/entries/workerd.d.ts' : 'dist/types/src/index.d.ts';
  const errors = r.stdout.split('\n').filter((l) => /error TS/.test(l));
  check(
    `tsc${extra.length ? ' --customConditions workerd' : ''}: types from ${want}`,
    r.code === 0 && resolved === want,
    `${resolved}${errors.length ? `; ${errors.join(' | ')}` : ''}`,
  );
}

// 5. Cold start (fresh processes).
const cold = await nodeColdStart(5);
console.log(
  `  cold start ${cold.runtime} (${cold.build}), LSTM I=8 H=64 T=32: import → first forward ${cold.importToForward.median} ms ` +
    `(min ${cold.importToForward.min}, max ${cold.importToForward.max}); process start → first forward ${cold.processToForward.median} ms`,
);

console.log(ok ? 'node: ok' : 'node: FAILED');
process.exitCode = ok ? 0 : 1;
