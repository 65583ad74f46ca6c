// platform.ts for browsers and bundlers (dist/browser.js, the `browser` and `default` export
// conditions). The kernels are inlined: each build is a small ES module holding the .wasm as a
// string, one character per byte (dist/wasm/lstm.*.wasm.js, generated from build/ by
// scripts/build-js.mjs), loaded with a literal dynamic import
// when init() first picks that build, so a page downloads only the build it runs. Every bundler
// follows a literal import() with no configuration (Vite's dev optimizer, webpack 5, Rollup,
// esbuild), whereas a `new URL('../build/…', import.meta.url)` breaks as soon as a bundler moves
// the code away from build/. Pages have no file system: the file functions throw typed errors.
import { LSTMError } from './errors.js';
import type { BuildName } from './runtime.js';

// Paths relative to dist/browser.js.
const INLINE: Record<BuildName, () => Promise<{ default: string }>> = {
  'relaxed-simd': () => import('./wasm/lstm.relaxed.wasm.js'),
  simd: () => import('./wasm/lstm.simd.wasm.js'),
  scalar: () => import('./wasm/lstm.scalar.wasm.js'),
};
// The threaded builds (imported shared memory), fetched only by init({ threads }).
const INLINE_THREADED: Record<BuildName, () => Promise<{ default: string }>> = {
  'relaxed-simd': () => import('./wasm/lstm.relaxed.mt.wasm.js'),
  simd: () => import('./wasm/lstm.simd.mt.wasm.js'),
  scalar: () => import('./wasm/lstm.scalar.mt.wasm.js'),
};

/** The bytes of a one-character-per-byte string. */
function fromByteString(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The build's bytes, from its inlined module (init() compiles them once per build). */
export async function defaultKernel(build: BuildName, threaded = false): Promise<Uint8Array<ArrayBuffer>> {
  let module: { default: string };
  try {
    module = await (threaded ? INLINE_THREADED : INLINE)[build]();
  } catch (e) {
    throw new LSTMError('BUILD_UNAVAILABLE', `could not load the ${build} build`, {
      argument: 'build',
      expected: `its module dist/wasm/lstm.${build === 'relaxed-simd' ? 'relaxed' : build}${threaded ? '.mt' : ''}.wasm.js`,
      actual: String(e),
    });
  }
  return fromByteString(module.default);
}

/** A string given as `wasm`: resolved as fetch() would, against the page (or worker) URL. */
export function resolveUrl(source: string): URL {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  try {
    return base === undefined ? new URL(source) : new URL(source, base);
  } catch {
    throw new LSTMError('INVALID_ARGUMENT', 'not a URL', {
      argument: 'wasm',
      expected: 'an absolute URL, or a path relative to the page',
      actual: JSON.stringify(source),
    });
  }
}

export async function nodeModule<T>(name: string): Promise<T> {
  throw new LSTMError('INVALID_ARGUMENT', 'files on disk can be read in Node, Deno or Bun only', {
    argument: 'source',
    expected: 'a URL or bytes (a page has no file system)',
    actual: `a path (needs ${name})`,
  });
}

export async function readFileBytes(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  throw new LSTMError('INVALID_ARGUMENT', 'file: URLs can be read in Node, Deno or Bun only', {
    argument: 'wasm',
    expected: 'an http(s) URL, a WebAssembly.Module or bytes',
    actual: url.href,
  });
}

export async function writeFileAtomic(path: string, _bytes: Uint8Array): Promise<void> {
  throw new LSTMError('INVALID_ARGUMENT', 'saveFile needs a file system (Node, Deno or Bun)', {
    argument: 'path',
    expected: 'a runtime with a file system; in a browser, save() returns the bytes',
    actual: JSON.stringify(path),
  });
}
