// Builds the three kernel builds (scalar, SIMD, relaxed SIMD) from the one AssemblyScript source.
import { main } from 'assemblyscript/asc';

for (const target of ['scalar', 'simd', 'relaxed']) {
  const { error, stderr } = await main(['--config', 'asconfig.json', '--target', target]);
  if (error) {
    console.error(stderr.toString());
    console.error(`asc --target ${target} failed: ${error.message}`);
    process.exit(1);
  }
}
console.log('built build/lstm.{scalar,simd,relaxed}.wasm');
