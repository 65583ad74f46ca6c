// The first-call probe as a workerd module worker. bench/first-call.mjs bundles it with esbuild (the
// workerd conditions, .wasm files as wasm modules), pointing 'wasm-lstm' at the build under test.
//   GET /ready            → "ok" (touches nothing: the probe must be the isolate's first use of the library)
//   GET /run?o={...}      → the probe's result as JSON (options as in first-call-probe.mjs)
import * as lib from 'wasm-lstm';
import { probe } from './first-call-probe.mjs';

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/ready') return new Response('ok');
    if (url.pathname !== '/run') return new Response('GET /run?o=… or /ready', { status: 404 });
    try {
      return Response.json(await probe(async () => lib, JSON.parse(url.searchParams.get('o') ?? '{}')));
    } catch (e) {
      return Response.json({ error: String(e?.stack ?? e) });
    }
  },
};
