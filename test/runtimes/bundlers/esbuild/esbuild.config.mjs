// esbuild as a user runs it for any app, the same as
//   npx esbuild main.js --bundle --format=esm --outdir=dist
// nothing about wasm-lstm (no loader, no --external, no copying of .wasm files). Without
// --splitting the three inlined kernel builds land in the one bundle; with it, each is a chunk.
export default {
  entryPoints: ['main.js'],
  bundle: true,
  format: 'esm',
  outdir: 'dist',
};
