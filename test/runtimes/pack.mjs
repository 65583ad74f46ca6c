// The package as users get it: `npm pack` of the built repository (dist/ and build/ must be
// built: npm run build), installed into a fresh project with `npm install --offline <tarball>`
// (the package has no runtime dependencies, so nothing is fetched).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, run } from './util.mjs';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

/** Packs the repository (without running `prepare` again) into a temp folder; the tarball's path. */
export async function packTarball(dest = mkdtempSync(join(tmpdir(), 'wasm-lstm-pack-'))) {
  const r = await run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dest, ...QUIET], {
    cwd: ROOT,
  });
  if (r.code !== 0) throw new Error(`npm pack failed: ${r.stderr}`);
  const [{ filename, files }] = JSON.parse(r.stdout);
  return { tarball: join(dest, filename), files: files.map((f) => f.path) };
}

/**
 * A project folder (created if needed) with the tarball installed into node_modules/wasm-lstm.
 * `files` are extra files to write first ({ 'index.html': '…' }).
 */
export async function installInto(dir, tarball, { files = {} } = {}) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'fixture', private: true, type: 'module' })}\n`);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const r = await run(NPM, ['install', '--offline', '--ignore-scripts', '--no-save', ...QUIET, tarball], {
    cwd: dir,
    timeoutMs: 120_000,
  });
  if (r.code !== 0) throw new Error(`npm install of the tarball failed in ${dir}: ${r.stderr}`);
  return dir;
}

export { NPM };
