// The threaded runtime of a build: its `.mt.wasm` (imported, shared memory; asconfig.json *-mt
// targets) instantiated on the calling thread over one shared WebAssembly.Memory that holds the
// arena, and a Pool whose workers instantiate the same module over the same memory. The arena stays
// the only allocator: every instance has its own stub-runtime bump pointer, and none is ever used.
import type { Kernels } from '../kernels.generated.js';
import type { BuildName, Runtime } from '../runtime.js';
import type { ThreadsHost } from './init-threads.js';
import { Pool } from './pool.js';
import { workerSpawner } from './spawn.js';

const PAGE = 65536;
/**
 * The shared memory's declared maximum: 2 GiB (32768 pages), or 512 MiB where the engine cannot
 * reserve that much address space (32-bit browsers). A shared memory cannot move when it grows, so
 * the engine reserves the maximum up front (address space only; pages are committed as the arena
 * grows). Allocations past it throw OUT_OF_MEMORY like the 4 GiB limit of the one-thread builds.
 */
export const SHARED_MEMORY_PAGES = [32768, 8192] as const;

interface Extra {
  module: WebAssembly.Module;
  workerUrl: string | URL | undefined;
}
const extras = new WeakMap<Runtime, Extra>();

function sharedMemory(host: ThreadsHost): { memory: WebAssembly.Memory; pages: number } {
  let last: unknown = null;
  for (const pages of SHARED_MEMORY_PAGES) {
    try {
      return { memory: new WebAssembly.Memory({ initial: 1, maximum: pages, shared: true }), pages };
    } catch (e) {
      last = e;
    }
  }
  throw host.error('OUT_OF_MEMORY', 'cannot reserve a shared WebAssembly.Memory for threads', {
    argument: 'threads',
    expected: `a shared memory of at most ${SHARED_MEMORY_PAGES.at(-1)! / 16} MiB`,
    actual: String((last as Error)?.message ?? last),
  });
}

/** The threaded runtime of `build` from its compiled `.mt.wasm`, with a pool of `threads`. */
export async function createThreadedRuntime(
  build: BuildName,
  module: WebAssembly.Module,
  threads: number,
  workerUrl: string | URL | undefined,
  host: ThreadsHost,
): Promise<Runtime> {
  const imports = WebAssembly.Module.imports(module);
  if (!imports.some((i) => i.module === 'env' && i.name === 'memory' && i.kind === 'memory')) {
    throw host.error('BUILD_UNAVAILABLE', 'with threads, init() needs the threaded build of the kernels', {
      argument: 'wasm',
      expected: `lstm.${build === 'relaxed-simd' ? 'relaxed' : build}.mt.wasm (imports a shared memory)`,
      actual: 'a module without an imported memory',
    });
  }
  const { memory, pages } = sharedMemory(host);
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const kernels = host.readResults(instance.exports as unknown as Kernels);
  const arena = host.arenaFor(kernels, pages * PAGE);
  const rt: Runtime = { build, kernels, arena, pool: null };
  extras.set(rt, { module, workerUrl });
  await setThreads(rt, threads, undefined, host);
  return rt;
}

/** Give a threaded runtime a pool of `threads` (the caller included); the old pool's workers end. */
export async function setThreads(
  rt: Runtime,
  threads: number,
  workerUrl: string | URL | undefined,
  host: ThreadsHost,
): Promise<void> {
  const extra = extras.get(rt)!;
  const sameUrl = workerUrl === undefined || String(workerUrl) === String(extra.workerUrl);
  if (rt.pool && !rt.pool.terminated && rt.pool.threads === threads && sameUrl) return;
  if (workerUrl !== undefined) extra.workerUrl = workerUrl;
  const spawn = await workerSpawner(extra.workerUrl, host.nodeModule);
  rt.pool?.terminate();
  rt.pool = new Pool(rt.arena, rt.kernels, extra.module, threads, spawn);
}
