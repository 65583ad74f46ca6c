// A Cloudflare-style module worker that answers with an LSTM forecast. 'wasm-lstm' resolves to
// its workerd entry (export condition `workerd`), which hands init() the kernels as .wasm module
// imports; the model is a data module (an ArrayBuffer), trained once by test/fixtures/make-golden.mjs.
//   POST /forecast {"series": [[x_1 … x_T], …]}  →  {"build", "forecast": [x̂_{T+1}, …], "ms"}
import { init, Sequential } from 'wasm-lstm';
import modelBytes from '../../fixtures/sine-model.safetensors';

let ready = null;
function load() {
  ready ??= (async () => {
    const info = await init();
    const model = await Sequential.load(new Uint8Array(modelBytes));
    return { info, model };
  })();
  return ready;
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname !== '/forecast' || request.method !== 'POST')
      return new Response('POST /forecast', { status: 404 });
    let series;
    try {
      ({ series } = await request.json());
    } catch {
      return new Response('body must be JSON', { status: 400 });
    }
    if (
      !Array.isArray(series) ||
      series.length === 0 ||
      !series.every((s) => Array.isArray(s) && s.length === series[0].length && s.length > 0)
    ) {
      return new Response('series must be a non-empty list of equal-length number lists', { status: 400 });
    }
    const t0 = performance.now();
    const { info, model } = await load();
    const N = series.length,
      T = series[0].length;
    const x = { data: Float32Array.from(series.flat()), shape: [N, T, 1] };
    const forecast = Array.from(model.predict(x).data);
    return Response.json({ build: info.build, features: info.features, forecast, ms: performance.now() - t0 });
  },
};
