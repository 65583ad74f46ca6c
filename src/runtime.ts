// Which build runs, and the one memory it runs in. init() detects features, loads the best
// build (relaxed SIMD > SIMD > scalar) and keeps one Runtime per build; layers bind to the
// runtime that was current when they were made. init({ threads }) makes a build's threaded runtime
// current instead (src/threads/: a shared memory and a worker pool).
import { Arena } from './arena.js';
import { LSTMError, describe } from './errors.js';
import { type Kernels, USIZE_RESULTS } from './kernels.generated.js';
import { initThreaded, terminateThreads, threadCount, threadsUnavailable } from './threads/init-threads.js';
import type { Pool } from './threads/pool.js';

export type { Kernels };

export type BuildName = 'relaxed-simd' | 'simd' | 'scalar';
export const BUILDS: readonly BuildName[] = ['relaxed-simd', 'simd', 'scalar'];

export interface Features {
  simd: boolean;
  relaxedSimd: boolean;
  threads: boolean;
  /** Why threads are off here (no SharedArrayBuffer, page not cross-origin isolated, no Worker). */
  threadsReason?: string;
}
export interface InitInfo {
  build: BuildName;
  /** Threads new layers use, the calling one included (1 unless init({ threads }) could start more). */
  threads: number;
  features: Features;
}
export type WasmSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | URL | string;
export interface InitOptions {
  /** Force a build instead of the best one this runtime supports. */
  build?: BuildName;
  /** Where the chosen build's .wasm comes from, for hosts that load it themselves (with threads:
   *  the threaded build, lstm.<build>.mt.wasm). */
  wasm?: WasmSource;
  /** Threads for layers created from now on, the calling one included: a number, or 'auto' (the
   *  cores the runtime reports, at most 8). Default 1. Where threads cannot run, 1 (see
   *  features.threadsReason). */
  threads?: number | 'auto';
  /** dist/thread-worker.js's URL, for pages whose Content-Security-Policy forbids blob: workers. */
  workerUrl?: string | URL;
}

export interface Runtime {
  build: BuildName;
  kernels: Kernels;
  arena: Arena;
  /** The worker pool of a threaded runtime (null: one thread). */
  pool: Pool | null;
}

const WASM_FILE: Record<BuildName, string> = {
  'relaxed-simd': 'lstm.relaxed.wasm',
  simd: 'lstm.simd.wasm',
  scalar: 'lstm.scalar.wasm',
};
/** The threaded builds (imported shared memory). */
const MT_FILE: Record<BuildName, string> = {
  'relaxed-simd': 'lstm.relaxed.mt.wasm',
  simd: 'lstm.simd.mt.wasm',
  scalar: 'lstm.scalar.mt.wasm',
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
  const threadsReason = threadsUnavailable(ok(PROBE_THREADS));
  return {
    simd: ok(PROBE_SIMD),
    relaxedSimd: ok(PROBE_RELAXED),
    threads: threadsReason === null,
    ...(threadsReason === null ? {} : { threadsReason }),
  };
}

export function supportedBuilds(features: Features = detectFeatures()): BuildName[] {
  return BUILDS.filter((b) => b === 'scalar' || (b === 'simd' ? features.simd : features.simd && features.relaxedSimd));
}

async function loadModule(
  build: BuildName,
  source: WasmSource | undefined,
  file = WASM_FILE[build],
): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source as BufferSource);
  const url =
    source === undefined
      ? new URL(`../build/${file}`, import.meta.url)
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
      expected: '{ build?, wasm?, threads?, workerUrl? }',
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
  const threads = await threadCount(options.threads);
  if (threads > 1) {
    const chosen = build;
    const rt = await initThreaded(
      chosen,
      threads,
      options,
      features,
      (source) => loadModule(chosen, source, MT_FILE[chosen]),
      unsignedResults,
    );
    if (rt) {
      current = rt;
      return { build, threads: rt.pool!.threads, features };
    }
  }
  let pending = runtimes.get(build);
  if (!pending) {
    const chosen = build;
    pending = (async () => {
      const module = await loadModule(chosen, options.wasm);
      const instance = await WebAssembly.instantiate(module, {});
      const kernels = unsignedResults(instance.exports as unknown as Kernels);
      return { build: chosen, kernels, arena: new Arena(kernels.memory, kernels.heapBase()), pool: null };
    })();
    runtimes.set(build, pending);
    pending.catch(() => runtimes.delete(chosen));
  }
  current = await pending;
  return { build, threads: 1, features };
}

export interface ThreadStatus {
  /** Threads the current runtime's calls are split for (1: no pool). */
  threads: number;
  /** Workers started so far (threads − 1 once the pool is up; calls made before run on fewer). */
  workersReady: number;
  /** Tasks the workers have run. */
  workerTasks: number;
  /** Why workers failed to start, if any did. */
  errors: string[];
}

/** The current runtime's threads: how many, how many workers are up, how much they did. */
export function threadStatus(): ThreadStatus {
  const pool = current?.pool;
  if (!pool || pool.terminated) return { threads: 1, workersReady: 0, workerTasks: 0, errors: [] };
  return { threads: pool.threads, workersReady: pool.ready, workerTasks: pool.workerTasks, errors: [...pool.failures] };
}

/** End every worker pool (nothing else keeps running: workers are unref'd and sleep between jobs).
 *  Layers on a threaded runtime keep working, on the calling thread; init({ threads }) starts a new pool. */
export function terminate(): void {
  terminateThreads();
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
