// `npm test`'s pretest: rebuilds what the tests load when its sources are newer than it, so a test
// run never meets a stale build. The wasm builds (build/*.wasm, as asconfig.json names them) and
// src/kernels.generated.ts come from assembly/, asconfig.json and the build script; dist/ (the CLI
// the CLI tests spawn) from src/ and its build script. A missing output counts as stale (a clone that has not built yet). When
// nothing changed this is a few dozen stat calls.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;

/** Modification time in ms; -Infinity for a missing file. */
function mtime(path) {
  try {
    return statSync(join(ROOT, path)).mtimeMs;
  } catch {
    return Number.NEGATIVE_INFINITY;
  }
}

/** Every file under a folder (relative to the root), recursively. */
function filesUnder(dir) {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [],
  );
}

/** The name of the first input newer than the oldest output (or a missing output), else null. */
function staleBecause(inputs, outputs) {
  const oldest = Math.min(...outputs.map(mtime));
  if (oldest === Number.NEGATIVE_INFINITY) return `${outputs.find((o) => mtime(o) === oldest)} is missing`;
  const newer = inputs.find((i) => mtime(i) > oldest);
  return newer ? `${newer} changed` : null;
}

function npmRun(script, reason) {
  console.log(`pretest: ${reason}: npm run ${script}`);
  const r = spawnSync('npm', ['run', '--silent', script], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const asconfig = JSON.parse(readFileSync(join(ROOT, 'asconfig.json'), 'utf8'));
// build:wasm also writes the host's kernel interface, generated from the SIMD build's bindings.
const wasm = [...Object.values(asconfig.targets).map((t) => t.outFile), 'src/kernels.generated.ts'];
const wasmReason = staleBecause([...filesUnder('assembly'), 'asconfig.json', 'scripts/build-wasm.mjs'], wasm);
if (wasmReason) npmRun('build:wasm', wasmReason);

const dist = ['dist/index.js', 'dist/entries/workerd.js', 'dist/cli.js'];
const distReason = staleBecause([...filesUnder('src'), 'scripts/build-js.mjs'], dist);
if (distReason) npmRun('build:js', distReason);
