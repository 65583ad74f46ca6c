// Bundles src/ into dist/index.js (ESM, runs on Node, browsers, Deno, Bun) and emits .d.ts files.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

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
// Cloudflare Workers / workerd (the `workerd` and `worker` export conditions): the same code plus
// static `.wasm` imports, which workerd's module loader turns into WebAssembly.Module objects (it
// forbids compiling from bytes). The .wasm imports stay external; dist/entries/ is as deep as
// src/entries/, so '../../build/lstm.*.wasm' still points at the package's build/ folder.
await build({
  entryPoints: ['src/entries/workerd.ts'],
  outfile: 'dist/entries/workerd.js',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  external: ['node:*', '*.wasm'],
  sourcemap: false,
  legalComments: 'none',
});
// The CLI: node only; its dev dependencies (cli-progress) are bundled in, so the package still
// has no runtime dependencies.
await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node18',
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  legalComments: 'none',
});
// The bin must be executable where npm links the folder instead of copying it (npm link, npx of a
// folder): npm sets the mode only on files it unpacks from a tarball.
chmodSync('dist/cli.js', 0o755);
// The pool's worker script as a file, for pages whose Content-Security-Policy forbids blob: workers
// (init({ threads, workerUrl })): the same text the library starts inline (src/threads/worker-source.ts).
const workerTs = readFileSync('src/threads/worker-source.ts', 'utf8');
const workerSource = /export const WORKER_SOURCE = `([^`]*)`;/.exec(workerTs)?.[1];
if (!workerSource || workerSource.includes('${')) throw new Error('build-js: cannot read WORKER_SOURCE');
writeFileSync('dist/thread-worker.js', workerSource);
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
console.log('built dist/index.js, dist/entries/workerd.js, dist/thread-worker.js and dist/*.d.ts');
