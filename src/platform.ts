// What differs between hosts, in one module: where a kernel build comes from when init() is given
// no `wasm`, how a string URL is resolved, and file access. This is the Node/Deno/Bun version
// (dist/index.js); the browser entry (dist/browser.js) is the same code built with
// platform.browser.ts in its place (scripts/build-js.mjs). It sits directly in src/ because
// '../build/' must point at the package's build/ folder from src/ and from dist/ alike.
import type { BuildName } from './runtime.js';

const WASM_FILE: Record<BuildName, string> = {
  'relaxed-simd': 'lstm.relaxed.wasm',
  simd: 'lstm.simd.wasm',
  scalar: 'lstm.scalar.wasm',
};

/** The package's own copy of a build: build/lstm.*.wasm beside dist/ (`threaded`: the build with an
 *  imported shared memory, lstm.*.mt.wasm, for init({ threads })). */
export async function defaultKernel(build: BuildName, threaded = false): Promise<URL> {
  const file = threaded ? WASM_FILE[build].replace(/\.wasm$/, '.mt.wasm') : WASM_FILE[build];
  return new URL(`../build/${file}`, import.meta.url);
}

/** A string given as `wasm`: relative to the package's dist/ folder. */
export function resolveUrl(source: string): URL {
  return new URL(source, import.meta.url);
}

/** A Node built-in module ('node:fs/promises', …), for code that runs only under Node, Deno or Bun.
 *  The specifier is a variable and marked for Vite and webpack, so bundlers leave the import alone. */
export function nodeModule<T>(name: string): Promise<T> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ name) as Promise<T>;
}

type Fs = typeof import('node:fs/promises');
const fsModule = (): Promise<Fs> => nodeModule<Fs>('node:fs/promises');

/** The bytes of a local file (a file: URL). */
export async function readFileBytes(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  const fs = await fsModule();
  return new Uint8Array(await fs.readFile(url));
}

/** Writes `bytes` to `path` atomically: a temporary file beside it, then a rename. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await fsModule();
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(tmp, bytes);
  await fs.rename(tmp, path);
}
