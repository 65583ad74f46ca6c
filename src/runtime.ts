// Which build runs, and the one memory it runs in. init() detects features, loads the best
// build (relaxed SIMD > SIMD > scalar) and keeps one Runtime per build; layers bind to the
// runtime that was current when they were made.
import { Arena } from './arena.js';
import { LSTMError, describe } from './errors.js';
import { type Kernels, USIZE_RESULTS } from './kernels.generated.js';

export type { Kernels };

export type BuildName = 'relaxed-simd' | 'simd' | 'scalar';
export const BUILDS: readonly BuildName[] = ['relaxed-simd', 'simd', 'scalar'];

export interface Features {
  simd: boolean;
  relaxedSimd: boolean;
  threads: boolean;
}
export interface InitInfo {
  build: BuildName;
  features: Features;
}
export type WasmSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | URL | string;
export interface InitOptions {
  /** Force a build instead of the best one this runtime supports. */
  build?: BuildName;
  /** Where the chosen build's .wasm comes from, for hosts that load it themselves. */
  wasm?: WasmSource;
}

export interface Runtime {
  build: BuildName;
  kernels: Kernels;
  arena: Arena;
}

const WASM_FILE: Record<BuildName, string> = {
  'relaxed-simd': 'lstm.relaxed.wasm',
  simd: 'lstm.simd.wasm',
  scalar: 'lstm.scalar.wasm',
};

// Probe modules (toolchain.md): each validates only where the feature is implemented.
const HEADER = [0, 97, 115, 109, 1, 0, 0, 0];
const PROBE_SIMD = new Uint8Array([
  ...HEADER,
  1,
  5,
  1,
  96,
  0,
  1,
  123,
  3,
  2,
  1,
  0,
  10,
  10,
  1,
  8,
  0,
  65,
  0,
  253,
  15,
  253,
  98,
  11,
]);
const PROBE_RELAXED = new Uint8Array([
  ...HEADER,
  1,
  5,
  1,
  96,
  0,
  1,
  123,
  3,
  2,
  1,
  0,
  10,
  15,
  1,
  13,
  0,
  65,
  1,
  253,
  15,
  65,
  2,
  253,
  15,
  253,
  128,
  2,
  11,
]);
const PROBE_THREADS = new Uint8Array([
  ...HEADER,
  1,
  4,
  1,
  96,
  0,
  0,
  3,
  2,
  1,
  0,
  5,
  4,
  1,
  3,
  1,
  1,
  10,
  11,
  1,
  9,
  0,
  65,
  0,
  254,
  16,
  2,
  0,
  26,
  11,
]);

export function detectFeatures(): Features {
  const ok = (bytes: Uint8Array<ArrayBuffer>): boolean => {
    try {
      return WebAssembly.validate(bytes);
    } catch {
      return false;
    }
  };
  return {
    simd: ok(PROBE_SIMD),
    relaxedSimd: ok(PROBE_RELAXED),
    threads: ok(PROBE_THREADS) && typeof SharedArrayBuffer !== 'undefined',
  };
}

export function supportedBuilds(features: Features = detectFeatures()): BuildName[] {
  return BUILDS.filter((b) => b === 'scalar' || (b === 'simd' ? features.simd : features.simd && features.relaxedSimd));
}

async function loadModule(build: BuildName, source: WasmSource | undefined): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source as BufferSource);
  const url =
    source === undefined
      ? new URL(`../build/${WASM_FILE[build]}`, import.meta.url)
      : source instanceof URL
        ? source
        : new URL(source, import.meta.url);
  if (url.protocol === 'file:') {
    // Node, Deno and Bun: read the file. The specifier is hidden from bundlers on purpose.
    const fsName = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
    return WebAssembly.compile((await fs.readFile(url)) as unknown as BufferSource);
  }
  const response = await fetch(url);
  if (!response.ok) {
    throw new LSTMError('BUILD_UNAVAILABLE', `could not fetch the ${build} build`, {
      argument: 'wasm',
      expected: 'HTTP 200',
      actual: `HTTP ${response.status} for ${url.href}`,
    });
  }
  if (
    typeof WebAssembly.compileStreaming === 'function' &&
    response.headers.get('content-type')?.startsWith('application/wasm')
  ) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/** The exports, with the pointer-returning ones read as unsigned (offsets past 2 GiB stay positive). */
function unsignedResults(exports: Kernels): Kernels {
  const kernels: Record<string, unknown> = { ...exports };
  for (const name of USIZE_RESULTS) {
    const f = exports[name] as unknown as (...a: number[]) => number;
    kernels[name] = (...a: number[]) => f(...a) >>> 0;
  }
  return kernels as unknown as Kernels;
}

/** The chosen build's exports, or a typed error: a source of the wrong type, a file or URL that
 *  cannot be read (BUILD_UNAVAILABLE), bytes that are not wasm or a module that is not ours. */
async function instantiateKernels(build: BuildName, source: WasmSource | undefined): Promise<Kernels> {
  const isSource =
    source === undefined ||
    source instanceof WebAssembly.Module ||
    source instanceof ArrayBuffer ||
    ArrayBuffer.isView(source) ||
    source instanceof URL ||
    typeof source === 'string';
  if (!isSource) {
    throw new LSTMError('INVALID_ARGUMENT', 'wasm must be a module, bytes or a URL', {
      argument: 'wasm',
      expected: 'WebAssembly.Module | ArrayBuffer | Uint8Array | URL | string',
      actual: describe(source),
    });
  }
  let module: WebAssembly.Module;
  try {
    module = await loadModule(build, source);
  } catch (e) {
    if (e instanceof LSTMError) throw e;
    const notWasm = e instanceof WebAssembly.CompileError;
    throw new LSTMError(notWasm ? 'INVALID_ARGUMENT' : 'BUILD_UNAVAILABLE', `could not load the ${build} build`, {
      argument: 'wasm',
      expected: notWasm ? `the bytes of ${WASM_FILE[build]}` : `a readable ${WASM_FILE[build]}`,
      actual: (e as Error)?.message ?? describe(e),
    });
  }
  let exports: Partial<Kernels>;
  try {
    exports = (await WebAssembly.instantiate(module, {})).exports as Partial<Kernels>;
  } catch (e) {
    throw new LSTMError('INVALID_ARGUMENT', 'the wasm module is not a wasm-lstm build', {
      argument: 'wasm',
      expected: `${WASM_FILE[build]} (no imports)`,
      actual: (e as Error)?.message ?? describe(e),
    });
  }
  if (
    !(exports.memory instanceof WebAssembly.Memory) ||
    typeof exports.heapBase !== 'function' ||
    typeof exports.seqForward !== 'function'
  ) {
    throw new LSTMError('INVALID_ARGUMENT', 'the wasm module is not a wasm-lstm build', {
      argument: 'wasm',
      expected: `${WASM_FILE[build]} (exports memory, heapBase, seqForward, …)`,
      actual: `exports ${Object.keys(exports).slice(0, 8).join(', ') || 'nothing'}`,
    });
  }
  return exports as Kernels;
}

const runtimes = new Map<BuildName, Promise<Runtime>>();
let current: Runtime | null = null;

/**
 * Load a build of the kernels and make it current for layers created from now on.
 * Idempotent: the same build is loaded once. Without `build`, picks the fastest supported one.
 */
export async function init(options: InitOptions = {}): Promise<InitInfo> {
  if (options === null || typeof options !== 'object') {
    throw new LSTMError('INVALID_ARGUMENT', 'init options must be an object', {
      argument: 'options',
      expected: '{ build?, wasm? }',
      actual: describe(options),
    });
  }
  const features = detectFeatures();
  const supported = supportedBuilds(features);
  let build = options.build;
  if (build === undefined) build = supported[0]!;
  else if (!BUILDS.includes(build)) {
    throw new LSTMError('INVALID_ARGUMENT', 'unknown build', {
      argument: 'build',
      expected: BUILDS.map((b) => `'${b}'`).join(' | '),
      actual: describe(build),
    });
  } else if (!supported.includes(build)) {
    throw new LSTMError('BUILD_UNAVAILABLE', 'this runtime cannot run that build', {
      argument: 'build',
      expected: supported.join(' | '),
      actual: build,
    });
  }
  let pending = runtimes.get(build);
  if (!pending) {
    const chosen = build;
    pending = (async () => {
      const kernels = unsignedResults(await instantiateKernels(chosen, options.wasm));
      return { build: chosen, kernels, arena: new Arena(kernels.memory, kernels.heapBase()) };
    })();
    runtimes.set(build, pending);
    pending.catch(() => runtimes.delete(chosen));
  }
  current = await pending;
  return { build, features };
}

/** Has init() resolved at least once? */
export function hasRuntime(): boolean {
  return current !== null;
}

/** The runtime new layers bind to; throws NOT_INITIALIZED before init() has resolved. */
export function currentRuntime(): Runtime {
  if (!current) {
    throw new LSTMError('NOT_INITIALIZED', 'call `await init()` before creating layers', {
      expected: 'init() to have resolved',
      actual: 'no runtime loaded',
    });
  }
  return current;
}
