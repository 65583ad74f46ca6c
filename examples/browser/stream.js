// The streaming page: generates a signal (0.5·sin(0.11t + 1) + 0.5·sin(0.23t + 2) + N(0, 0.02²),
// like the sequences examples/pytorch/train.py trained on), sends each sample to ./stream-worker.js
// and draws the signal with the forecasts the worker returns. With ?samples=N it stops after N
// samples, asks the worker to check the stream against a batched forward, and leaves the outcome
// on window.__result (test/runtimes/browser-stream.mjs reads it).
import { mulberry32 } from 'wasm-lstm';

/** @type {(id: string) => any} */
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const limit = Number(params.get('samples')) || Infinity;
const worker = new Worker(new URL('./stream-worker.js', import.meta.url), { type: 'module' });

const rng = mulberry32(7);
const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
let t = 0;
const signal = () => 0.5 * Math.sin(0.11 * t + 1) + 0.5 * Math.sin(0.23 * t + 2) + 0.02 * gauss();

const values = [],
  forecasts = []; // forecasts[i]: made after sample i, for sample i + 1
let se = 0,
  naiveSe = 0,
  scored = 0,
  usSum = 0,
  timer = null,
  pending = 0;
const WARMUP = 50; // the state starts at zero: score from sample 50 on, as the model saw 50 steps in training

function send() {
  if (values.length >= limit || pending > 4) return; // never queue more than a few samples
  const v = signal();
  t++;
  values.push(v);
  pending++;
  worker.postMessage({ type: 'sample', value: v });
}

function stop() {
  clearInterval(timer);
  timer = null;
  $('start').disabled = false;
  $('stop').disabled = true;
}

worker.onmessage = ({ data }) => {
  if (data.type === 'ready') {
    $('s-build').textContent = data.build;
    $('status').textContent = `model loaded: LSTM ${data.numLayers}×${data.hidden} + Dense`;
    $('start').disabled = false;
    if (params.has('samples')) start();
  } else if (data.type === 'forecast') {
    pending--;
    const i = forecasts.length;
    forecasts.push(data.forecast);
    usSum += data.us;
    if (i >= 1 && i - 1 >= WARMUP) {
      se += (forecasts[i - 1] - values[i]) ** 2;
      naiveSe += (values[i - 1] - values[i]) ** 2;
      scored++;
    }
    if (forecasts.length === limit) {
      stop();
      worker.postMessage({ type: 'verify' });
    }
  } else if (data.type === 'verified') {
    const result = {
      samples: data.samples,
      scored,
      rmse: Math.sqrt(se / scored),
      naiveRmse: Math.sqrt(naiveSe / scored),
      usPerStep: usSum / forecasts.length,
      streamVsBatchMaxDiff: data.maxDiff,
      build: $('s-build').textContent,
    };
    $('status').textContent = `done: the stream matches one batched forward to ${data.maxDiff.toExponential(1)}`;
    window.__result = result;
  } else if (data.type === 'error') {
    $('status').textContent = `error: ${data.message}`;
    window.__result = { error: data.message };
  }
};

function start() {
  const rate = Math.max(10, Math.min(1000, Number($('rate').value) || 100));
  const perTick = Math.max(1, Math.round(rate / 100)); // timers fire at most every ~10 ms
  timer = setInterval(
    () => {
      for (let k = 0; k < perTick; k++) send();
    },
    (1000 * perTick) / rate,
  );
  $('start').disabled = true;
  $('stop').disabled = false;
}
$('start').addEventListener('click', start);
$('stop').addEventListener('click', stop);
$('start').disabled = true;

// --- drawing ------------------------------------------------------------------------------
const canvas = $('chart'),
  ctx = canvas.getContext('2d');
function draw() {
  const n = 300,
    from = Math.max(0, values.length - n);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const X = (i) => ((i - from) / (n - 1)) * canvas.width,
    Y = (v) => canvas.height / 2 - v * canvas.height * 0.42;
  const line = (get, count, color, offset = 0) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let i = Math.max(from - offset, 0); i < count; i++) {
      const x = X(i + offset),
        y = Y(get(i));
      i === Math.max(from - offset, 0) ? ctx.moveTo(x, y) : ctx.lineTo(x, y);
    }
    ctx.stroke();
  };
  line((i) => values[i], values.length, '#adb5bd');
  line((i) => forecasts[i], forecasts.length, '#3366cc', 1); // forecast i is for sample i + 1
  $('s-samples').textContent = String(values.length);
  if (scored) {
    $('s-rmse').textContent = Math.sqrt(se / scored).toFixed(4);
    $('s-naive').textContent = Math.sqrt(naiveSe / scored).toFixed(4);
    $('s-us').textContent = `${(usSum / forecasts.length).toFixed(1)} µs`;
  }
  requestAnimationFrame(draw);
}
requestAnimationFrame(draw);
