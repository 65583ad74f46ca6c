// What init({ threads }) adds to init(): the option's validation, and the threaded runtime of a
// build (created once per build, its pool resized when the thread count changes). Where threads
// cannot run, init() keeps the one-thread runtime and features.threadsReason says why.
import { describe, LSTMError } from '../errors.js';
import type { Arena } from '../arena.js';
import type { Kernels } from '../kernels.generated.js';
import type { BuildName, Features, InitOptions, Runtime, WasmSource } from '../runtime.js';
import { autoThreads } from './spawn.js';
import { createThreadedRuntime, setThreads, terminateThreads } from './threaded-runtime.js';

export { terminateThreads };
export { threadsUnavailable } from './spawn.js';

/** 'auto' uses the reported cores up to this: past 8 threads a batch split has too few rows per
 *  thread for the usual batch sizes, and memory bandwidth is shared. */
export const AUTO_THREADS_MAX = 8;
/** The most threads init() accepts (a job's tasks must fit the pool's table; pool.ts MAX_TASKS). */
export const THREADS_MAX = 64;

/** The thread count an init option asks for (1 when absent). */
export async function threadCount(option: InitOptions['threads']): Promise<number> {
  if (option === undefined) return 1;
  if (option === 'auto') return autoThreads(AUTO_THREADS_MAX);
  if (typeof option !== 'number' || !Number.isInteger(option) || option < 1 || option > THREADS_MAX) {
    throw new LSTMError('INVALID_ARGUMENT', 'threads must be a whole number of threads or "auto"', {
      argument: 'threads',
      expected: `an integer from 1 to ${THREADS_MAX}, or 'auto'`,
      actual: describe(option),
    });
  }
  return option;
}

const pending = new Map<BuildName, Promise<Runtime>>();

/**
 * The threaded runtime of `build` with a pool of `threads`, or null (features updated with the
 * reason) when this runtime cannot run threads. `load` compiles the build's .mt.wasm (or options.wasm).
 */
export async function initThreaded(
  build: BuildName,
  threads: number,
  options: InitOptions,
  features: Features,
  load: (source: WasmSource | undefined) => Promise<WebAssembly.Module>,
  readResults: (exports: Kernels) => Kernels,
  arenaFor: (kernels: Kernels, maxBytes: number) => Arena,
): Promise<Runtime | null> {
  if (!features.threads) return null;
  if (options.workerUrl !== undefined && typeof options.workerUrl !== 'string' && !(options.workerUrl instanceof URL)) {
    throw new LSTMError('INVALID_ARGUMENT', 'workerUrl must be a URL', {
      argument: 'workerUrl',
      expected: "a string or URL of wasm-lstm's dist/thread-worker.js",
      actual: describe(options.workerUrl),
    });
  }
  let p = pending.get(build);
  if (!p) {
    // (the warm-up, if any, runs on this thread's instance; the workers share its compiled code)
    p = (async () =>
      createThreadedRuntime(build, await load(options.wasm), threads, options.workerUrl, readResults, arenaFor))();
    pending.set(build, p);
    p.catch(() => pending.delete(build));
  }
  let rt: Runtime;
  try {
    rt = await p;
  } catch (e) {
    // A wrong module is the caller's mistake; anything else (no address space for the shared memory,
    // no worker_threads) leaves threads off, with the reason.
    if (e instanceof LSTMError && e.code === 'BUILD_UNAVAILABLE') throw e;
    features.threads = false;
    features.threadsReason = `threads could not start: ${(e as Error)?.message ?? String(e)}`;
    return null;
  }
  await setThreads(rt, threads, options.workerUrl);
  return rt;
}
