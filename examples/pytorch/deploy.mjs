// Deploying a PyTorch-trained model: train.py (PyTorch) saved model.safetensors, a 2-layer
// nn.LSTM + nn.Linear next-value forecaster; this script loads it into wasm-lstm unchanged (same
// parameter names, shapes and gate order; only the module prefixes `lstm.` and `head.` are
// stripped), predicts the 64 held-out sequences of reference.safetensors and compares with the
// predictions PyTorch made for them. Then it runs one sequence the way a live application would,
// one sample at a time through lstm.step() (no allocation per step), and checks it lands on the
// same prediction.
//
//   /usr/bin/python3 examples/pytorch/train.py          (writes the two files; needs torch)
//   node examples/pytorch/deploy.mjs [--dir DIR] [--json]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Dense, LSTM, Sequential, init, readSafetensors } from 'wasm-lstm';

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string', default: new URL('.', import.meta.url).pathname },
    json: { type: 'boolean', default: false },
  },
});

await init();
const weights = readSafetensors(readFileSync(join(args.dir, 'model.safetensors')));
const reference = readSafetensors(readFileSync(join(args.dir, 'reference.safetensors')));

/** The part of a PyTorch state_dict under `prefix` (e.g. 'lstm.'), with the prefix removed. */
const under = (prefix) =>
  Object.fromEntries(
    Object.entries(weights)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v]),
  );

const hidden = weights['lstm.weight_hh_l0'].shape[1]; // weight_hh [4H, H]
const inputSize = weights['lstm.weight_ih_l0'].shape[1]; // weight_ih [4H, I]
const numLayers = Object.keys(weights).filter((k) => /^lstm\.weight_ih_l\d+$/.test(k)).length;
const lstm = new LSTM({ inputSize, hiddenSize: hidden, numLayers });
const head = new Dense({ inputSize: hidden, outputSize: weights['head.weight'].shape[0] });
lstm.loadStateDict(under('lstm.')); // throws STATE_DICT_MISSING / _SHAPE / _UNEXPECTED on a mismatch
head.loadStateDict(under('head.'));
const model = new Sequential([lstm, head]);

// 1. Batched: the 64 held-out sequences at once.
const { x, y: torchPred, target } = reference; // x [64, 50, 1], y [64, 1] PyTorch's predictions
const pred = model.predict(x).data;
let maxDiff = 0,
  se = 0,
  naiveSe = 0;
const [N, T] = x.shape;
for (let n = 0; n < N; n++) {
  maxDiff = Math.max(maxDiff, Math.abs(pred[n] - torchPred.data[n]));
  se += (pred[n] - target.data[n]) ** 2;
  naiveSe += (x.data[n * T + T - 1] - target.data[n]) ** 2; // "the next value equals the last one"
}

// 2. Streaming: sequence 0, one sample per call, as samples would arrive from a sensor.
const state = lstm.createState(1);
/** @type {Float32Array} */
let h = new Float32Array(hidden);
for (let t = 0; t < T; t++) h = lstm.step(x.data.subarray(t * inputSize, (t + 1) * inputSize), state);
const streamed = head.forwardTensor({ data: h.slice(), shape: [1, hidden] }).data[0];

const result = {
  parameters: Object.keys(weights).length,
  layers: numLayers,
  hidden,
  sequences: N,
  steps: T,
  maxAbsDiffVsPyTorch: maxDiff,
  rmse: Math.sqrt(se / N),
  naiveRmse: Math.sqrt(naiveSe / N),
  streamedVsBatched: Math.abs(streamed - pred[0]),
};
model.dispose();
if (args.json) console.log(JSON.stringify(result));
else {
  console.log(
    `loaded ${result.parameters} tensors: nn.LSTM(${inputSize}, ${hidden}, num_layers=${numLayers}) + nn.Linear(${hidden}, 1)`,
  );
  console.log(`${N} held-out sequences of ${T} steps: max |wasm-lstm − PyTorch| = ${maxDiff.toExponential(2)}`);
  console.log(`forecast RMSE ${result.rmse.toFixed(4)} (naive "last value": ${result.naiveRmse.toFixed(4)})`);
  console.log(`streaming, one step() per sample: |streamed − batched| = ${result.streamedVsBatched.toExponential(2)}`);
}
