// Entry for browsers and bundlers (the `default` export condition; Node, Deno and Bun take the
// `node` one, dist/index.js). The kernels are inlined: each build is a small ES module holding the
// .wasm as base64 (dist/wasm/lstm.*.wasm.js), loaded with a literal dynamic import when init()
// picks that build. Every bundler follows a literal import() with no configuration (Vite's
// dependency optimizer, webpack 5, Rollup, esbuild), where a `new URL('../build/…',
// import.meta.url)` beside the code breaks as soon as a bundler moves the code away from build/.
// A browser downloads only the build it runs. Built minified by scripts/build-js.mjs to dist/browser.js.
import { LSTMError } from '../errors.js';
import { init as initFrom, supportedBuilds, type BuildName, type InitInfo, type InitOptions } from '../runtime.js';

export * from '../index.js';

// Paths relative to dist/browser.js; the modules are generated from build/*.wasm at build time.
const INLINE: Record<BuildName, () => Promise<{ default: string }>> = {
  'relaxed-simd': () => import('./wasm/lstm.relaxed.wasm.js'),
  simd: () => import('./wasm/lstm.simd.wasm.js'),
  scalar: () => import('./wasm/lstm.scalar.wasm.js'),
};

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array<ArrayBuffer> }).fromBase64;
  if (typeof native === 'function') return native(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const decoded = new Map<BuildName, Promise<Uint8Array<ArrayBuffer>>>();

function inlineBytes(build: BuildName): Promise<Uint8Array<ArrayBuffer>> {
  let pending = decoded.get(build);
  if (!pending) {
    pending = INLINE[build]().then(
      (m) => fromBase64(m.default),
      (e: unknown) => {
        decoded.delete(build);
        throw new LSTMError('BUILD_UNAVAILABLE', `could not load the ${build} build`, {
          argument: 'build',
          expected: `the module dist/wasm/${build === 'relaxed-simd' ? 'lstm.relaxed' : `lstm.${build}`}.wasm.js`,
          actual: String(e),
        });
      },
    );
    decoded.set(build, pending);
  }
  return pending;
}

/**
 * Like the main entry's init(), but the build's bytes come from the inlined modules: relaxed SIMD
 * if WebAssembly.validate accepts it, else SIMD, else scalar. `options.wasm` still overrides them
 * (e.g. a URL, for pages that would rather fetch the .wasm file); `options.build` still forces a build.
 */
export async function init(options: InitOptions = {}): Promise<InitInfo> {
  // Invalid options, unknown or unsupported builds and explicit sources go to the main init
  // unchanged: it validates and throws the typed errors.
  if (options === null || typeof options !== 'object' || options.wasm !== undefined) return initFrom(options);
  const build = options.build ?? supportedBuilds()[0]!;
  if (!Object.hasOwn(INLINE, build) || !supportedBuilds().includes(build)) return initFrom(options);
  return initFrom({ ...options, build, wasm: await inlineBytes(build) });
}
