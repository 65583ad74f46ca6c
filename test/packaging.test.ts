// The package as users install it: the CLI through a linked install (npm links a folder instead of
// unpacking a tarball, so the bin's mode comes from the build), and the demo's output.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('packaging', () => {
  it('dist/cli.js is executable, and `npx wasm-lstm` works from a linked install', () => {
    expect(statSync(join(ROOT, 'dist/cli.js')).mode & 0o111).toBe(0o111);
    const dir = mkdtempSync(join(tmpdir(), 'wasm-lstm-link-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    // a folder dependency is installed as a symlink (no registry, no copy)
    const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--offline', '--ignore-scripts', ROOT], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(install.status, install.stderr).toBe(0);
    const run = spawnSync(join(dir, 'node_modules/.bin/wasm-lstm'), ['train', 'dogcat', '--epochs', '1', '--json'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('"task":"dogcat"');
  }, 120_000);

  it('npm run demo (the adding problem) reports the test MSE once', () => {
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'dist/cli.js'), 'train', 'adding', '--epochs', '1', '--samples', '256', '--steps', '20'],
      {
        encoding: 'utf8',
      },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.match(/test MSE/g)?.length).toBe(1);
  }, 60_000);
});
