// Streaming inference: the forecaster of examples/pytorch (nn.LSTM 1→32, 2 layers, + nn.Linear,
// trained in PyTorch, loaded unchanged) runs one lstm.step() per incoming sample; the LSTM state
// lives here between messages. Messages in: { type: 'sample', value } and { type: 'verify' };
// out: 'ready' (build), 'forecast' (the next value, µs this step took), 'verified' (the largest
// difference between the streamed outputs and one batched forward over every sample received).
import { Dense, LSTM, init, readSafetensors } from 'wasm-lstm';

let lstm, head, state, hidden;
const received = []; // every sample, for the final check
const streamed = []; // the top layer's h after each sample, flattened

async function load() {
  const { build } = await init();
  const response = await fetch('/models/forecaster.safetensors'); // served by serve.mjs from examples/pytorch
  if (!response.ok) throw new Error(`model: HTTP ${response.status}`);
  const weights = readSafetensors(new Uint8Array(await response.arrayBuffer()));
  const under = (prefix) =>
    Object.fromEntries(
      Object.entries(weights)
        .filter(([k]) => k.startsWith(prefix))
        .map(([k, v]) => [k.slice(prefix.length), v]),
    );
  hidden = weights['lstm.weight_hh_l0'].shape[1];
  const numLayers = Object.keys(weights).filter((k) => /^lstm\.weight_ih_l\d+$/.test(k)).length;
  lstm = new LSTM({ inputSize: 1, hiddenSize: hidden, numLayers });
  lstm.loadStateDict(under('lstm.'));
  head = new Dense({ inputSize: hidden, outputSize: 1 });
  head.loadStateDict(under('head.'));
  state = lstm.createState(1);
  self.postMessage({ type: 'ready', build, hidden, numLayers });
}

const x = new Float32Array(1); // reused: no allocation per step in the LSTM path
const ready = load().catch((e) => self.postMessage({ type: 'error', message: String(e?.stack ?? e) }));

self.onmessage = async ({ data }) => {
  await ready;
  if (data.type === 'sample') {
    const t0 = performance.now();
    x[0] = data.value;
    const h = lstm.step(x, state); // [1, hidden], the state's own output array
    const forecast = head.forwardTensor({ data: h, shape: [1, hidden] }).data[0];
    const us = (performance.now() - t0) * 1000;
    received.push(data.value);
    for (const v of h) streamed.push(v);
    self.postMessage({ type: 'forecast', forecast, us });
  } else if (data.type === 'verify') {
    // The same samples as one sequence through forward(): every step's h must match the stream.
    const n = received.length;
    const { output } = lstm.forward(Float32Array.from(received), { batch: 1, steps: n });
    let maxDiff = 0;
    for (let i = 0; i < output.length; i++) maxDiff = Math.max(maxDiff, Math.abs(output[i] - streamed[i]));
    self.postMessage({ type: 'verified', samples: n, maxDiff });
  }
};
