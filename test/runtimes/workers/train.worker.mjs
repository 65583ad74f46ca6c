// A module worker that runs a training step: the golden fixture's forward, backward and one SGD
// step (bare LSTM, and a Sequential LSTM→Dense with mse), with the build init() picks in workerd.
//   GET /train  →  {"build", "features", "result": <runGolden output>, "builds": <every build vs golden>}
//   GET /threads → test/runtimes/threads-check.mjs (workerd has no Worker: one thread, with the reason)
//   GET /probe  →  whether this runtime compiles wasm from bytes (workerd: it does not)
import * as lib from 'wasm-lstm';
import fixture from '../../fixtures/golden.json' with { type: 'json' };
import { runGolden, checkRuntime } from '../golden-check.mjs';
import { checkThreads } from '../threads-check.mjs';

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/probe') {
      try {
        await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
        return Response.json({ compileFromBytes: true });
      } catch (e) {
        return Response.json({ compileFromBytes: false, error: String(e?.message ?? e) });
      }
    }
    if (url.pathname === '/threads') {
      // no Worker here: init({ threads: 2 }) must give one thread, say why, and change no result
      return Response.json(await checkThreads(lib, fixture));
    }
    if (url.pathname !== '/train') return new Response('GET /train, /threads or /probe', { status: 404 });
    const info = await lib.init();
    const t0 = performance.now();
    const result = runGolden(lib, fixture);
    const ms = performance.now() - t0;
    const all = await checkRuntime(lib, fixture);
    return Response.json({ build: info.build, features: info.features, result, ms, builds: all.builds });
  },
};
