// Bundles src/ into dist/index.js (ESM, runs on Node, browsers, Deno, Bun) and emits .d.ts files.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  external: ['node:*'],
  sourcemap: false,
  legalComments: 'none',
});
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.', '--emitDeclarationOnly'], { stdio: 'inherit' });
console.log('built dist/index.js and dist/*.d.ts');
