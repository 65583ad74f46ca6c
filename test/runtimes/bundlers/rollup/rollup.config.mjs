// Rollup as a user configures it for any app that imports packages from node_modules: the
// node-resolve plugin with its defaults, nothing about wasm-lstm. `npx rollup -c` in this folder.
// (output.dir, not output.file: the package loads each kernel build as its own chunk.)
import { nodeResolve } from '@rollup/plugin-node-resolve';

export default {
  input: 'main.js',
  output: { dir: 'dist', format: 'es' },
  plugins: [nodeResolve()],
};
