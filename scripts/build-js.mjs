// Bundles src/ into dist/index.js (ESM, runs on Node, browsers, Deno, Bun) and emits .d.ts files.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';

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
// wasm-lstm/onnx: its own file, so the core download is unchanged. It must share the core's
// module instance (one runtime, one LSTMError class), so its imports of src/index.ts stay
// external: './index.js' next to dist/onnx.js, and the workerd entry for the workerd variant.
const coreExternal = (path) => ({
  name: 'core-external',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/index\.js$/ }, (args) =>
      args.importer.includes(`${'src'}/onnx/`) ? { path, external: true } : undefined,
    );
  },
});
for (const [outfile, core] of [
  ['dist/onnx.js', './index.js'],
  ['dist/entries/onnx-workerd.js', './workerd.js'],
]) {
  await build({
    entryPoints: ['src/onnx/index.ts'],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: ['node:*'],
    plugins: [coreExternal(core)],
    sourcemap: false,
    legalComments: 'none',
  });
}
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
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
console.log('built dist/index.js, dist/onnx.js, dist/entries/{workerd,onnx-workerd}.js and dist/*.d.ts');
