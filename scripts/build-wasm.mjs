// Builds the three kernel builds (scalar, SIMD, relaxed SIMD) from the one AssemblyScript source,
// then appends to each a custom section 'wasm-lstm.build' naming the build (src/build-marker.ts),
// so init({ wasm }) labels a module a host loaded itself correctly.
import { main } from 'assemblyscript/asc';
import { readFileSync, writeFileSync } from 'node:fs';

const BUILDS = { scalar: 'scalar', simd: 'simd', relaxed: 'relaxed-simd' };

/** Unsigned LEB128, as the binary format encodes section sizes and name lengths. */
const leb128 = (n) => {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
};

/** A custom section (id 0): size, then the name (length-prefixed UTF-8), then the payload. */
function customSection(name, payload) {
  const nameBytes = new TextEncoder().encode(name);
  const body = [...leb128(nameBytes.length), ...nameBytes, ...payload];
  return Uint8Array.from([0, ...leb128(body.length), ...body]);
}

for (const [target, build] of Object.entries(BUILDS)) {
  const { error, stderr } = await main(['--config', 'asconfig.json', '--target', target]);
  if (error) {
    console.error(stderr.toString());
    console.error(`asc --target ${target} failed: ${error.message}`);
    process.exit(1);
  }
  const file = `build/lstm.${target}.wasm`;
  const wasm = readFileSync(file);
  const marker = customSection('wasm-lstm.build', new TextEncoder().encode(build));
  writeFileSync(file, Buffer.concat([wasm, marker]));
}
console.log('built build/lstm.{scalar,simd,relaxed}.wasm');
