// Which build runs, and the one memory it runs in. init() detects features, loads the best
// build (relaxed SIMD > SIMD > scalar) and keeps one Runtime per build; layers bind to the
// runtime that was current when they were made. init({ threads }) makes a build's threaded runtime
// current instead (src/threads/: a shared memory and a worker pool).
import { Arena } from './arena.js';
import { LSTMError, checkOptionKeys, describe } from './errors.js';
import { type Kernels, USIZE_RESULTS } from './kernels.generated.js';
import type { Pool } from './threads/pool.js';

export type { Kernels };
import { defaultKernel, nodeModule, readFileBytes, resolveUrl } from './platform.js';
import { buildOfModule } from './build-marker.js';
import { detectFeatures, type Features } from './features.js';

export { detectFeatures, type Features };

/**
 * A build of the kernels, fastest first: `'relaxed-simd'` (relaxed SIMD: fused multiply-add where the
 * engine has it; Chromium, Deno, workerd, Bun, Node 20 with `--experimental-wasm-relaxed-simd`),
 * `'simd'` (128-bit SIMD, every current engine) and `'scalar'` (no SIMD). All three compute the same
 * functions; relaxed SIMD may round differently in the last bits.
 */
export type BuildName = 'relaxed-simd' | 'simd' | 'scalar';
export const BUILDS: readonly BuildName[] = ['relaxed-simd', 'simd', 'scalar'];

/** What {@link init} loaded. */
export interface InitInfo {
  /** The build now current: layers created from now on run on it. */
  build: BuildName;
  /** Threads new layers use, the calling one included (1 unless init({ threads }) could start more). */
  threads: number;
  /** What the engine supports (as {@link detectFeatures} reports it; after init({ threads }), `threads` is
   *  false and `threadsReason` set when the pool could not start). */
  features: Features;
}
/**
 * Where a kernel build comes from, for hosts that load the `.wasm` themselves: a compiled
 * `WebAssembly.Module` (workerd and wrangler hand `.wasm` imports over this way), the file's bytes,
 * or its URL. A string is a URL resolved against the page in browsers and against the package's
 * `dist/` folder elsewhere; `file:` URLs are read from disk (Node, Deno, Bun).
 */
export type WasmSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | URL | string;
/** Options of {@link init}. */
export interface InitOptions {
  /** Force a build instead of the best one this runtime supports (default: the first of
   *  {@link supportedBuilds}). With `wasm` and no `build`, the build is read from the module's
   *  `wasm-lstm.build` custom section. */
  build?: BuildName;
  /** Where the chosen build's .wasm comes from, for hosts that load it themselves (default: the
   *  package's own `build/lstm.*.wasm`, or in browsers its inlined copy; with threads: the threaded
   *  build, `lstm.<build>.mt.wasm`). A module that is not the named build is rejected
   *  (`INVALID_ARGUMENT`). */
  wasm?: WasmSource;
  /** Run every hot kernel on tiny sizes right after init() resolves (in a later task, so init() and a
   *  first call made at once are not delayed), so the engine's optimizing compiler has them before the
   *  first real call. Default true. */
  warmUp?: boolean;
  /** Threads for layers created from now on, the calling one included: an integer in [1, 64], or
   *  'auto' (the cores the runtime reports, at most 8). Default 1. Calls split their batch rows (and
   *  large products) across the threads; outputs, states and gradients are bit-identical to one thread
   *  (the peephole gradient, recordGradNorms and clipNorm's global norm within 1e-6 relative). Where
   *  threads cannot run, 1 (see features.threadsReason). */
  threads?: number | 'auto';
  /** The URL of the package's `dist/thread-worker.js` (export `wasm-lstm/thread-worker.js`), for pages
   *  whose Content-Security-Policy forbids `blob:` workers. Default: a worker made from an inlined
   *  script. */
  workerUrl?: string | URL;
}

export interface Runtime {
  build: BuildName;
  kernels: Kernels;
  arena: Arena;
  /** The worker pool of a threaded runtime (null: one thread). */
  pool: Pool | null;
}

/**
 * The builds this engine can run, fastest first (`'scalar'` always last).
 * @param features - What to assume the engine supports (default: {@link detectFeatures}).
 */
export function supportedBuilds(features: Features = detectFeatures()): BuildName[] {
  return BUILDS.filter((b) => b === 'scalar' || (b === 'simd' ? features.simd : features.simd && features.relaxedSimd));
}

async function loadModule(
  build: BuildName,
  given: WasmSource | undefined,
  threaded = false,
): Promise<WebAssembly.Module> {
  // Without a source, the package's own copy (platform.ts: a file URL; in browsers, inlined bytes).
  const source = given ?? (await defaultKernel(build, threaded));
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source as BufferSource);
  const url = source instanceof URL ? source : resolveUrl(source);
  if (url.protocol === 'file:') return WebAssembly.compile(await readFileBytes(url)); // Node, Deno, Bun
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

/** The chosen build's compiled module, or a typed error: a source of the wrong type, a file or URL
 *  that cannot be read (BUILD_UNAVAILABLE), or bytes that are not wasm (INVALID_ARGUMENT). */
async function loadKernelModule(
  build: BuildName,
  source: WasmSource | undefined,
  threaded = false,
): Promise<WebAssembly.Module> {
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
  try {
    return await loadModule(build, source, threaded);
  } catch (e) {
    if (e instanceof LSTMError) throw e;
    const notWasm = e instanceof WebAssembly.CompileError;
    throw new LSTMError(notWasm ? 'INVALID_ARGUMENT' : 'BUILD_UNAVAILABLE', `could not load the ${build} build`, {
      argument: 'wasm',
      expected: notWasm ? `the bytes of the ${build} build` : `a readable ${build} build`,
      actual: (e as Error)?.message ?? describe(e),
    });
  }
}

/** The module's exports, or INVALID_ARGUMENT when it is not a wasm-lstm build (imports, no kernels). */
async function instantiateKernels(build: BuildName, module: WebAssembly.Module): Promise<Kernels> {
  let exports: Partial<Kernels>;
  try {
    exports = (await WebAssembly.instantiate(module, {})).exports as Partial<Kernels>;
  } catch (e) {
    throw new LSTMError('INVALID_ARGUMENT', 'the wasm module is not a wasm-lstm build', {
      argument: 'wasm',
      expected: `the ${build} build (no imports)`,
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
      expected: `the ${build} build (exports memory, heapBase, seqForward, …)`,
      actual: `exports ${Object.keys(exports).slice(0, 8).join(', ') || 'nothing'}`,
    });
  }
  return exports as Kernels;
}

/**
 * A wasm function's first calls run in the engine's baseline tier (V8's Liftoff is ~3× slower than its
 * optimizing tier), and a call keeps the code it started with to its end. kernels.warmUp runs every hot
 * kernel on tiny sizes often enough that the optimizing compiler takes them, in the background, before
 * the first real call. It runs in a later task (never inside init() or a call made right after it) and
 * does not keep a Node process alive. Its scratch is reserved below the arena when the runtime is made,
 * so it neither grows the memory nor shows in the arena's counts while the caller's work runs.
 */
function scheduleWarmUp(kernels: Kernels, scratch: number): void {
  const timer = setTimeout(() => kernels.warmUp(scratch), 0) as unknown as { unref?: () => void };
  timer.unref?.();
}

/** The arena over the kernels' memory, past their static data and (when warmUp) the warm-up's scratch;
 *  `maxBytes`: a shared memory's declared maximum (the threaded runtime's). */
function makeArena(kernels: Kernels, warmUp: boolean, maxBytes?: number): Arena {
  const scratch = Math.ceil(kernels.heapBase() / 64) * 64;
  const base = scratch + (warmUp ? kernels.warmUpScratchBytes() : 0);
  const have = kernels.memory.buffer.byteLength;
  if (base > have) kernels.memory.grow(Math.ceil((base - have) / 65536));
  if (warmUp) scheduleWarmUp(kernels, scratch);
  return new Arena(kernels.memory, base, maxBytes);
}

const runtimes = new Map<BuildName, Promise<Runtime>>();
/** The threaded runtimes init({ threads }) made (terminate() ends their pools). */
const threadedRuntimes = new Set<Runtime>();
let current: Runtime | null = null;

/**
 * Load a build of the kernels and make it current for layers created from now on; every layer,
 * model and session needs this to have resolved first (else `NOT_INITIALIZED`). Idempotent: each
 * build is loaded once (the first call's `wasm` and `warmUp` decide how); a later call with another
 * build, or with or without threads, switches the current runtime, and layers keep running on the one
 * they were created with.
 *
 * @example
 * ```ts
 * const info = await init(); // the fastest build: { build: 'relaxed-simd' | 'simd' | 'scalar', threads: 1, features }
 * await init({ build: 'scalar' }); // force one (BUILD_UNAVAILABLE if the engine cannot run it)
 * await init({ wasm: await (await fetch('/lstm.simd.wasm')).arrayBuffer() }); // bytes you loaded
 * const { threads } = await init({ threads: 'auto' }); // a worker pool where the runtime allows one
 * ```
 * @throws {@link LSTMError} `INVALID_ARGUMENT` for options that are not an object, an unknown build, a
 *   `wasm` of the wrong type, bytes that are not a wasm-lstm build, a module whose marker names another
 *   build than `build`, a `threads` that is not an integer in [1, 64] or 'auto', or a `workerUrl` that is
 *   not a URL; `BUILD_UNAVAILABLE` for a build this engine cannot run or a file / URL that cannot be read
 *   (the promise rejects).
 */
export async function init(options: InitOptions = {}): Promise<InitInfo> {
  if (options === null || typeof options !== 'object') {
    throw new LSTMError('INVALID_ARGUMENT', 'init options must be an object', {
      argument: 'options',
      expected: '{ build?, wasm?, warmUp?, threads?, workerUrl? }',
      actual: describe(options),
    });
  }
  checkOptionKeys(options, ['build', 'wasm', 'warmUp', 'threads', 'workerUrl']);
  const features = detectFeatures();
  const supported = supportedBuilds(features);
  if (options.build === undefined && options.wasm !== undefined) {
    // A host-loaded module: its label comes from the module (build-marker.ts), not from the engine.
    const module = await loadKernelModule(supported[0]!, options.wasm);
    return init({ ...options, build: buildOfModule(module, undefined), wasm: module });
  }
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
  if (options.threads !== undefined && options.threads !== 1) {
    // threads/ loads here, on the first call that asks for them (it validates the option too)
    const chosen = build;
    const { initThreads } = await import('./threads/init-threads.js');
    const rt = await initThreads(chosen, options, features, {
      load: (source) => loadKernelModule(chosen, source, true),
      readResults: unsignedResults,
      arenaFor: (kernels, maxBytes) => makeArena(kernels, options.warmUp !== false, maxBytes),
      error: (code, message, detail) => new LSTMError(code, message, detail),
      describe,
      nodeModule,
    });
    if (rt) {
      threadedRuntimes.add(rt);
      current = rt;
      return { build, threads: rt.pool!.threads, features };
    }
  }
  let pending = runtimes.get(build);
  if (!pending) {
    const chosen = build;
    pending = (async () => {
      const module = await loadKernelModule(chosen, options.wasm);
      if (options.wasm !== undefined) buildOfModule(module, chosen); // a marked module must be the named build
      const kernels = unsignedResults(await instantiateKernels(chosen, module));
      return { build: chosen, kernels, arena: makeArena(kernels, options.warmUp !== false), pool: null };
    })();
    runtimes.set(build, pending);
    pending.catch(() => runtimes.delete(chosen));
  }
  current = await pending;
  return { build, threads: 1, features };
}

/** What {@link threadStatus} reports. */
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

/** The current runtime's threads: how many, how many workers are up, how much they did (for checking
 *  that init({ threads }) took effect, and why not). */
export function threadStatus(): ThreadStatus {
  const pool = current?.pool;
  if (!pool || pool.terminated) return { threads: 1, workersReady: 0, workerTasks: 0, errors: [] };
  return { threads: pool.threads, workersReady: pool.ready, workerTasks: pool.workerTasks, errors: [...pool.failures] };
}

/** End every worker pool (nothing else keeps running: workers are unref'd and sleep between jobs).
 *  Layers on a threaded runtime keep working, on the calling thread; init({ threads }) starts a new pool. */
export function terminate(): void {
  for (const rt of threadedRuntimes) rt.pool?.terminate();
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
