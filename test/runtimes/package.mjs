// The installed package: `npm pack`, `npm install --offline` of the tarball into a fresh project,
// then, from that project, what a user runs first:
//   - `npx wasm-lstm bench --quick --json`: every workload on every build Node has (relaxed SIMD
//     too: the CLI re-runs itself with --experimental-wasm-relaxed-simd), finite positive numbers;
//   - `import('wasm-lstm')` resolves to the package's node entry and passes the golden check;
//   - the tarball holds the entries the exports map names and nothing from the repository's tests;
//   - its declarations type-check a strict TypeScript consumer (test/types/consumer.ts).
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installInto, packTarball } from './pack.mjs';
import { ROOT, lastJson, run } from './util.mjs';

let ok = true;
const check = (name, pass, detail = '') => {
  console.log(`  ${pass ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  if (!pass) ok = false;
};

const work = mkdtempSync(join(tmpdir(), 'wasm-lstm-package-'));
try {
  const { tarball, files } = await packTarball(work);
  const expectedFiles = [
    'dist/index.js',
    'dist/browser.js',
    'dist/bench.js',
    'dist/cli.js',
    'dist/entries/workerd.js',
    'dist/wasm/lstm.relaxed.wasm.js',
    'dist/wasm/lstm.simd.wasm.js',
    'dist/wasm/lstm.scalar.wasm.js',
    'build/lstm.relaxed.wasm',
    'build/lstm.simd.wasm',
    'build/lstm.scalar.wasm',
  ];
  const missing = expectedFiles.filter((f) => !files.includes(f));
  check('the tarball has every entry and kernel build', missing.length === 0, missing.join(', '));
  const stray = files.filter((f) => /^(test|bench|src|assembly|examples)\//.test(f));
  check('the tarball has no repository-only files', stray.length === 0, stray.slice(0, 5).join(', '));

  const project = await installInto(join(work, 'project'), tarball);
  check('npm install --offline of the tarball', existsSync(join(project, 'node_modules/wasm-lstm/package.json')));

  // The benchmark, as the README tells users to run it.
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  const t0 = performance.now();
  const b = await run(npx, ['--offline', 'wasm-lstm', 'bench', '--quick', '--json'], {
    cwd: project,
    timeoutMs: 240_000,
  });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  let report = null;
  try {
    report = JSON.parse(b.stdout);
  } catch {
    report = null;
  }
  check(
    `npx wasm-lstm bench --quick --json exits 0 with one JSON document (${seconds} s)`,
    b.code === 0 && report !== null,
    b.code === 0 ? '' : b.stderr.trim().split('\n').slice(-4).join(' | '),
  );
  if (report) {
    const wantBuilds = ['relaxed-simd', 'simd', 'scalar'];
    check(
      'it measured every build, relaxed SIMD included',
      wantBuilds.every((x) => report.builds.includes(x)),
      report.builds.join(', '),
    );
    const ids = report.workloads.map((w) => w.id);
    check(
      'it ran every workload',
      ids.length >= 9 && ids.every((id) => report.results.some((r) => r.id === id)),
      report.results.map((r) => r.id).join(', '),
    );
    const bad = [];
    const positive = (v) => Number.isFinite(v) && v > 0;
    for (const row of report.results) {
      for (const build of wantBuilds) {
        const r = row.impls[build];
        if (!r || ![r.median, r.min, r.gflops, r.percentOfPeak].every(positive) || r.min > r.median)
          bad.push(`${row.id}/${build}`);
      }
    }
    for (const build of wantBuilds) if (!positive(report.peakGflops[build]?.median)) bad.push(`peak/${build}`);
    check('every workload × build has finite positive times, GFLOP/s and % of peak', bad.length === 0, bad.join(', '));
    const w2 = report.results.find((r) => r.id === 'W2');
    if (w2)
      console.log(
        `  W2 infer: relaxed ${w2.impls['relaxed-simd']?.median.toFixed(1)} ms, simd ${w2.impls.simd?.median.toFixed(1)} ms, scalar ${w2.impls.scalar?.median.toFixed(1)} ms`,
      );
  }
  const bad = await run(npx, ['--offline', 'wasm-lstm', 'bench', '--only', 'W9'], { cwd: project });
  check(
    'npx wasm-lstm bench --only W9: exit code 2 and a message',
    bad.code === 2 && /unknown workload/.test(bad.stderr),
    `exit ${bad.code}`,
  );

  // The Node entry from the installed package, checked against the golden fixture.
  const probe = `
    const lib = await import('wasm-lstm');
    const { checkRuntime } = await import(${JSON.stringify(join(ROOT, 'test/runtimes/golden-check.mjs'))});
    const fixture = JSON.parse((await import('node:fs')).readFileSync(${JSON.stringify(join(ROOT, 'test/fixtures/golden.json'))}, 'utf8'));
    const report = await checkRuntime(lib, fixture);
    console.log(JSON.stringify({ entry: import.meta.resolve('wasm-lstm'), ...report }));`;
  const g = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: project });
  const rep = lastJson(g.stdout);
  check(
    "import('wasm-lstm') from the installed package: node entry, every build matches golden.json",
    rep?.ok === true && rep.entry.endsWith('/node_modules/wasm-lstm/dist/index.js'),
    rep
      ? `${rep.entry.slice(rep.entry.indexOf('node_modules'))}, builds ${Object.keys(rep.builds).join(', ')}`
      : g.stderr.slice(-300),
  );
  const pkg = JSON.parse(readFileSync(join(project, 'node_modules/wasm-lstm/package.json'), 'utf8'));
  check('the installed package.json has no dependencies', !pkg.dependencies && !pkg.peerDependencies);

  // TypeScript users of the installed package: test/types/consumer.ts (every public type, the .wasm and
  // other subpaths, @internal members absent) under strict, without skipLibCheck, default and workerd.
  copyFileSync(join(ROOT, 'test/types/consumer.ts'), join(project, 'consumer.ts'));
  const compilerOptions = {
    strict: true,
    noEmit: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    lib: ['es2022', 'dom'],
    types: [],
  };
  for (const conditions of [[], ['workerd']]) {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { ...compilerOptions, customConditions: conditions }, files: ['consumer.ts'] }),
    );
    const t = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
      cwd: project,
    });
    const errors = t.stdout.split('\n').filter((l) => /error TS/.test(l));
    check(
      `tsc --strict over a consumer of the installed package's types${conditions.length ? ' (workerd condition)' : ''}`,
      t.code === 0 && errors.length === 0,
      errors.slice(0, 3).join(' | '),
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(ok ? 'package: ok' : 'package: FAILED');
process.exitCode = ok ? 0 : 1;
