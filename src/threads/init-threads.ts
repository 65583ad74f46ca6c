// What init({ threads }) adds to init(): the option's validation, and the threaded runtime of a
// build (created once per build, its pool resized when the thread count changes). Where threads
// cannot run, init() keeps the one-thread runtime and features.threadsReason says why. This file and
// everything it imports from threads/ (pool, worker script, splits) is a chunk of its own, which
// init() imports only when asked for threads: a page that never is does not download it.
import type { Arena } from '../arena.js';
import type { LSTMErrorCode } from '../errors.js';
import type { Kernels } from '../kernels.generated.js';
import type { BuildName, Features, InitOptions, Runtime, WasmSource } from '../runtime.js';
import { g, serverRuntime } from './spawn.js';
import { createThreadedRuntime, setThreads } from './threaded-runtime.js';

/** What the chunk gets from the core (passed in, not imported: a core module this chunk imported would
 *  become a chunk of its own that every page loads). */
export interface ThreadsHost {
  /** Compiles the build's .mt.wasm (or options.wasm). */
  load(source: WasmSource | undefined): Promise<WebAssembly.Module>;
  /** The exports with pointer results read unsigned. */
  readResults(exports: Kernels): Kernels;
  /** The arena over the kernels' memory, of at most maxBytes. */
  arenaFor(kernels: Kernels, maxBytes: number): Arena;
  /** A typed error (an LSTMError). */
  error(code: LSTMErrorCode, message: string, detail: { argument?: string; expected?: string; actual?: string }): Error;
  describe(value: unknown): string;
  /** A Node built-in (platform.ts). */
  nodeModule<T>(name: string): Promise<T>;
}

/** 'auto' uses the reported cores up to this: past 8 threads a batch split has too few rows per
 *  thread for the usual batch sizes, and memory bandwidth is shared. */
export const AUTO_THREADS_MAX = 8;
/** The most threads init() accepts (a job's tasks must fit the pool's table; pool.ts MAX_TASKS). */
export const THREADS_MAX = 64;

/** How many threads 'auto' means here: the cores the runtime reports, capped at `cap`. */
export async function autoThreads(cap: number, host: ThreadsHost): Promise<number> {
  let n = g.navigator?.hardwareConcurrency ?? 0;
  if (!(n > 0) && serverRuntime()) {
    try {
      const os = await host.nodeModule<typeof import('node:os')>('node:os');
      n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    } catch {
      n = 1;
    }
  }
  return Math.max(1, Math.min(cap, Math.floor(n) || 1));
}

/** The thread count an init option asks for (1 when absent). */
export async function threadCount(option: InitOptions['threads'], host: ThreadsHost): Promise<number> {
  if (option === undefined) return 1;
  if (option === 'auto') return autoThreads(AUTO_THREADS_MAX, host);
  if (typeof option !== 'number' || !Number.isInteger(option) || option < 1 || option > THREADS_MAX) {
    throw host.error('INVALID_ARGUMENT', 'threads must be a whole number of threads or "auto"', {
      argument: 'threads',
      expected: `an integer from 1 to ${THREADS_MAX}, or 'auto'`,
      actual: host.describe(option),
    });
  }
  return option;
}

const pending = new Map<BuildName, Promise<Runtime>>();

/** init({ threads })'s part: the threaded runtime of `build` (null: one thread asked for, or threads
 *  cannot run here, with features.threadsReason saying why). */
export async function initThreads(
  build: BuildName,
  options: InitOptions,
  features: Features,
  host: ThreadsHost,
): Promise<Runtime | null> {
  const threads = await threadCount(options.threads, host);
  return threads > 1 ? initThreaded(build, threads, options, features, host) : null;
}

/**
 * The threaded runtime of `build` with a pool of `threads`, or null (features updated with the
 * reason) when this runtime cannot run threads.
 */
async function initThreaded(
  build: BuildName,
  threads: number,
  options: InitOptions,
  features: Features,
  host: ThreadsHost,
): Promise<Runtime | null> {
  if (!features.threads) return null;
  if (options.workerUrl !== undefined && typeof options.workerUrl !== 'string' && !(options.workerUrl instanceof URL)) {
    throw host.error('INVALID_ARGUMENT', 'workerUrl must be a URL', {
      argument: 'workerUrl',
      expected: "a string or URL of wasm-lstm's dist/thread-worker.js",
      actual: host.describe(options.workerUrl),
    });
  }
  let p = pending.get(build);
  if (!p) {
    // (the warm-up, if any, runs on this thread's instance; the workers share its compiled code)
    p = (async () => createThreadedRuntime(build, await host.load(options.wasm), threads, options.workerUrl, host))();
    pending.set(build, p);
    p.catch(() => pending.delete(build));
  }
  let rt: Runtime;
  try {
    rt = await p;
  } catch (e) {
    // A wrong module is the caller's mistake; anything else (no address space for the shared memory,
    // no worker_threads) leaves threads off, with the reason.
    if ((e as { code?: unknown })?.code === 'BUILD_UNAVAILABLE') throw e;
    features.threads = false;
    features.threadsReason = `threads could not start: ${(e as Error)?.message ?? String(e)}`;
    return null;
  }
  await setThreads(rt, threads, options.workerUrl, host);
  return rt;
}
