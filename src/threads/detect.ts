// Whether this runtime can run a pool, and why not if it cannot. Loaded with the core
// (detectFeatures() asks it); everything else of threads is a chunk of its own, loaded by the first
// init({ threads }) (init-threads.ts), and shares nothing with this file (a module both used would be
// a third chunk every page loads).
const g = globalThis as {
  Deno?: unknown;
  Bun?: unknown;
  process?: { versions?: { node?: string } };
  crossOriginIsolated?: boolean;
  navigator?: { userAgent?: string };
  Worker?: unknown;
};

/** null when this runtime can run threads, else why not (InitInfo.features.threadsReason). */
export function threadsUnavailable(probeValidates: boolean): string | null {
  if (!probeValidates) return 'this engine does not validate WebAssembly threads (shared memory and atomics)';
  if (typeof SharedArrayBuffer === 'undefined') {
    return g.crossOriginIsolated === false
      ? 'SharedArrayBuffer is off: the page is not cross-origin isolated (serve it with ' +
          'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)'
      : 'this runtime has no SharedArrayBuffer';
  }
  const server = g.Deno !== undefined || g.Bun !== undefined || typeof g.process?.versions?.node === 'string';
  if (g.navigator?.userAgent === 'Cloudflare-Workers' || (!server && typeof g.Worker !== 'function')) {
    return 'this runtime has no Worker (Cloudflare Workers / workerd run one thread per request)';
  }
  return null;
}
