// How a pool starts a worker on this runtime (detect.ts says whether it can):
//   Node, Deno, Bun: node:worker_threads with `eval: true` (unref'd, so a sleeping pool never keeps
//     the process alive; Deno's Web Worker has no unref(), its worker_threads has);
//   browsers: a module Web Worker from a blob: URL of the same source (or `workerUrl`), and only on a
//     cross-origin-isolated page, the one place SharedArrayBuffer exists;
//   workerd / Cloudflare Workers: no Worker at all, so no threads.
import type { SpawnWorker, WorkerHandle } from './pool.js';

export const g = globalThis as unknown as {
  Deno?: unknown;
  Bun?: unknown;
  process?: { versions?: { node?: string } };
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number; userAgent?: string };
  Worker?: new (
    url: string | URL,
    options?: { type?: string; name?: string },
  ) => {
    postMessage(m: unknown): void;
    addEventListener(type: string, f: (e: { data?: unknown; message?: string }) => void, o?: unknown): void;
    terminate(): void;
  };
};

/** A server runtime with node:worker_threads (Node, Deno, Bun). */
export function serverRuntime(): boolean {
  return g.Deno !== undefined || g.Bun !== undefined || typeof g.process?.versions?.node === 'string';
}

interface NodeWorker {
  postMessage(m: unknown): void;
  once(event: 'message', f: (m: unknown) => void): void;
  on(event: 'error', f: (e: unknown) => void): void;
  unref(): void;
  terminate(): unknown;
}
type NodeWorkerClass = new (source: string, options: { eval: boolean }) => NodeWorker;

/** The spawner for this runtime (threadsUnavailable() said yes). `workerUrl`: a URL of
 *  dist/thread-worker.js to load instead of the inline source (pages whose CSP forbids blob: workers). */
export async function workerSpawner(
  workerUrl: string | URL | undefined,
  nodeModule: <T>(name: string) => Promise<T>,
): Promise<SpawnWorker> {
  if (serverRuntime()) {
    const { Worker } = await nodeModule<{ Worker: NodeWorkerClass }>('node:worker_threads');
    return (source: string): WorkerHandle => {
      const w = new Worker(source, { eval: true });
      // unref'd, and no 'message' listener after the first one (a listener would ref it again)
      w.unref();
      w.on('error', () => {});
      return {
        post: (m) => w.postMessage(m),
        onFirstMessage: (f) => w.once('message', (m) => f(m as { ready?: boolean; error?: string })),
        terminate: () => void w.terminate(),
      };
    };
  }
  const WebWorker = g.Worker!;
  return (source: string): WorkerHandle => {
    let url: string | URL;
    let revoke = (): void => {};
    if (workerUrl !== undefined) url = workerUrl;
    else {
      url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
      const blobUrl = url;
      revoke = () => URL.revokeObjectURL(blobUrl);
    }
    const w = new WebWorker(url, { type: 'module', name: 'wasm-lstm' });
    let first: ((m: { ready?: boolean; error?: string }) => void) | null = null;
    let settled = false;
    const settle = (m: { ready?: boolean; error?: string }): void => {
      if (settled) return;
      settled = true;
      revoke();
      first?.(m);
    };
    w.addEventListener('message', (e) => settle(e.data as { ready?: boolean }), { once: true });
    w.addEventListener('error', (e) => settle({ error: e.message ?? 'the worker script failed to load' }));
    return {
      post: (m) => w.postMessage(m),
      onFirstMessage: (f) => {
        first = f;
      },
      terminate: () => {
        revoke();
        w.terminate();
      },
    };
  };
}
