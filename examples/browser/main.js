// The page: controls, uPlot charts (loss curve, predictions over the truth), speed, and the
// SIMD/scalar comparison. Training runs in ./worker.js (a module Web Worker).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** An element of index.html by id (every id asked for is on the page). @type {(id: string) => HTMLElement} */
const $ = (id) => document.getElementById(id);
/** A form control of index.html by id, for its value and disabled state. */
const control = (id) => /** @type {HTMLInputElement | HTMLSelectElement | HTMLButtonElement} */ ($(id));
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });

// State the Playwright test reads (test/runtimes/browser-demo.mjs).
/** @type {import('./demo-state.js').DemoState} */
const demo = {
  running: false,
  build: null,
  threads: null,
  isolated: globalThis.crossOriginIsolated === true,
  steps: 0,
  loss: NaN,
  valLoss: NaN,
  stepsPerSec: 0,
  maxLagMs: 0,
  errors: [],
  runs: [],
  quantized: null, // the last f32/int8 comparison
};
window.__demo = demo;

// --- charts -------------------------------------------------------------------------------
const chartSize = () => ({ width: Math.max(320, $('charts').clientWidth / 2 - 40), height: 300 });
/** @type {[number[], number[], (number | null)[]]} */
const lossData = [[], [], []]; // step, train loss (EMA), validation loss
const lossChart = new uPlot(
  {
    ...chartSize(),
    scales: { x: { time: false }, y: { distr: 3 } },
    axes: [
      { label: 'training step' },
      {
        label: 'mse',
        size: 60,
        values: (_u, ticks) =>
          ticks.map((v) => (v == null ? '' : v >= 0.01 ? String(+v.toPrecision(2)) : v.toExponential(0))),
      },
    ],
    series: [
      { label: 'step' },
      { label: 'train (EMA)', stroke: '#3366cc', width: 1.5, points: { show: false } },
      { label: 'validation', stroke: '#e8590c', width: 2, points: { show: false }, spanGaps: true },
      { label: 'baseline', stroke: '#868e96', dash: [6, 4], width: 1, points: { show: false } },
    ],
  },
  [[], [], [], []],
  $('loss-chart'),
);

/** @type {uPlot | null} */
let predChart = null,
  predKind = ''; // 'series' (sine) or 'sorted' (adding): which data the chart takes
function makePredChart(kind) {
  predChart?.destroy();
  const series =
    kind === 'series'
      ? [
          { label: 't' },
          { label: 'input xₜ', stroke: '#adb5bd', width: 1, points: { show: false } },
          { label: 'truth xₜ₊₁', stroke: '#2b8a3e', width: 2.5, points: { show: false } },
          { label: 'LSTM forecast', stroke: '#e8590c', width: 2, dash: [5, 3], points: { show: false } },
        ]
      : [
          { label: 'sequence' },
          { label: 'truth', stroke: '#2b8a3e', width: 2.5, points: { show: false } },
          {
            label: 'LSTM prediction',
            stroke: 'transparent',
            points: { show: true, size: 6, fill: '#e8590c', stroke: '#e8590c' },
          },
        ];
  predChart = new uPlot(
    {
      ...chartSize(),
      scales: { x: { time: false } },
      axes: [{ label: kind === 'series' ? 'time step' : 'validation sequence, sorted by its true sum' }, { size: 50 }],
      series,
    },
    /** @type {uPlot.AlignedData} */ (series.map(() => [])),
    $('pred-chart'),
  );
  predKind = kind;
}
makePredChart('series');
window.addEventListener('resize', () => {
  lossChart.setSize(chartSize());
  predChart.setSize(chartSize());
});

// --- controls -------------------------------------------------------------------------------
const config = () => ({
  task: control('task').value,
  steps: Math.max(5, Math.min(200, Number(control('steps').value) || 40)),
  hidden: Number(control('hidden').value),
  build: /** @type {HTMLInputElement} */ (document.querySelector('input[name=build]:checked')).value,
  threads: control('threads').value === 'auto' ? 'auto' : Number(control('threads').value),
});
// Threads need SharedArrayBuffer, which only a cross-origin-isolated page has.
if (!demo.isolated) {
  control('threads').disabled = true;
  $('threads-note').textContent = 'needs a cross-origin-isolated page (COOP/COEP)';
}
let baseline = NaN,
  lastDraw = 0,
  sps = [],
  run = 0;

function start() {
  const cfg = config();
  for (const a of lossData) a.length = 0;
  lossChart.setData([[], [], [], []]);
  Object.assign(demo, {
    running: true,
    steps: 0,
    loss: NaN,
    valLoss: NaN,
    stepsPerSec: 0,
    build: null,
    threads: null,
    config: cfg,
  });
  sps = [];
  $('start').textContent = 'Restart';
  control('stop').disabled = false;
  control('quantize').disabled = false;
  $('pred-caption').textContent =
    cfg.task === 'sine'
      ? 'One validation series: next value, truth vs LSTM forecast'
      : 'Validation sequences: true sum vs LSTM prediction';
  makePredChart(cfg.task === 'sine' ? 'series' : 'sorted');
  worker.postMessage({ type: 'start', run: ++run, config: cfg });
}
function stop() {
  recordRun();
  worker.postMessage({ type: 'stop' });
  run++; // ignore what the stopped run still has in flight
  demo.running = false;
  $('start').textContent = 'Start';
  control('stop').disabled = true;
  control('quantize').disabled = true;
}
$('quantize').onclick = () => worker.postMessage({ type: 'quantize' });
$('start').onclick = () => {
  recordRun();
  start();
};
$('stop').onclick = stop;
// The SIMD/scalar toggle: restart with the other build (same seed and data), keeping the speed of
// the run it replaces in the comparison table.
for (const r of /** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll('input[name=build]')))
  r.onchange = () => {
    if (demo.running) {
      recordRun();
      start();
    }
  };
for (const id of ['task', 'steps', 'hidden', 'threads'])
  $(id).onchange = () => {
    if (demo.running) {
      recordRun();
      start();
    }
  };

// --- the comparison table --------------------------------------------------------------------
function recordRun() {
  if (!demo.running || !demo.build || sps.length < 3) return;
  const sorted = [...sps].sort((a, b) => a - b),
    median = sorted[Math.floor(sorted.length / 2)];
  const c = demo.config;
  const key = `${c.task}/${c.steps}/${c.hidden}/${demo.build}/${demo.threads}`;
  demo.runs = demo.runs.filter((r) => r.key !== key);
  demo.runs.push({
    key,
    task: c.task,
    steps: c.steps,
    hidden: c.hidden,
    build: demo.build,
    threads: demo.threads,
    stepsPerSec: median,
  });
  drawTable();
}
function drawTable() {
  const same = (r, s) => s.task === r.task && s.steps === r.steps && s.hidden === r.hidden;
  const rows = demo.runs.map((r) => {
    const scalar = demo.runs.find((s) => same(r, s) && s.build === 'scalar' && s.threads === 1);
    const oneThread = demo.runs.find((s) => same(r, s) && s.build === r.build && s.threads === 1);
    const speedups = [];
    if (scalar && r !== scalar) speedups.push(`${(r.stepsPerSec / scalar.stepsPerSec).toFixed(2)}× scalar`);
    if (oneThread && r !== oneThread) speedups.push(`${(r.stepsPerSec / oneThread.stepsPerSec).toFixed(2)}× 1 thread`);
    return `<tr><td>${r.task}</td><td>${r.steps}</td><td>${r.hidden}</td><td>${r.build}</td><td>${r.threads}</td><td>${r.stepsPerSec.toFixed(0)}</td><td>${speedups.join(', ')}</td></tr>`;
  });
  $('compare-rows').innerHTML =
    rows.join('') || '<tr><td colspan="7">Train with one build, then flip the toggles.</td></tr>';
}
drawTable();

// --- messages from the worker ----------------------------------------------------------------
const fmt = (v) => (Number.isFinite(v) ? (v < 0.01 ? v.toExponential(2) : v.toFixed(4)) : '–');
worker.onmessage = ({ data: m }) => {
  if (m.run !== run) return; // still in flight from a run that was restarted or stopped
  if (m.type === 'ready') {
    demo.build = m.build;
    demo.threads = m.threads;
    baseline = m.baseline.mse;
    $('s-build').textContent = m.build;
    $('s-threads').textContent = String(m.threads);
    $('s-base').textContent = `${fmt(m.baseline.mse)} (${m.baseline.label})`;
    if (m.build !== 'scalar') $('best-name').textContent = `(${m.build})`;
  } else if (m.type === 'progress') {
    Object.assign(demo, { steps: m.steps, loss: m.loss, stepsPerSec: m.stepsPerSec });
    sps.push(m.stepsPerSec);
    if (sps.length > 50) sps.shift();
    lossData[0].push(m.steps);
    lossData[1].push(m.loss);
    lossData[2].push(null);
    $('s-steps').textContent = m.steps;
    $('s-loss').textContent = fmt(m.loss);
    $('s-sps').textContent = m.stepsPerSec.toFixed(0);
    const now = performance.now();
    if (now - lastDraw > 150) {
      lastDraw = now;
      lossChart.setData([...lossData, lossData[0].map(() => baseline)]);
    }
  } else if (m.type === 'eval') {
    demo.valLoss = m.valLoss;
    recordRun(); // keeps the running build's row in the comparison table current
    $('s-val').textContent = fmt(m.valLoss);
    const i = lossData[0].lastIndexOf(m.steps);
    if (i >= 0) lossData[2][i] = m.valLoss;
    const p = m.predictions;
    if (predKind === p.kind) {
      predChart.setData(p.kind === 'series' ? [p.x, p.input, p.truth, p.prediction] : [p.x, p.truth, p.prediction]);
    }
  } else if (m.type === 'quantized') {
    demo.quantized = m;
    const [a, b] = m.rows;
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`,
      x = (v, w) => `${(v / w).toFixed(2)}×`;
    $('q-steps').textContent = m.steps;
    $('quant-rows').innerHTML = m.rows
      .map(
        (r) =>
          `<tr><td>${r.format}</td><td>${kb(r.bytes)}${r === b ? ` (${x(b.bytes, a.bytes)})` : ''}</td>` +
          `<td>${r.msPerSequence.toFixed(3)}${r === b ? ` (${x(b.msPerSequence, a.msPerSequence)})` : ''}</td>` +
          `<td>${r.usPerStep.toFixed(1)}${r === b ? ` (${x(b.usPerStep, a.usPerStep)})` : ''}</td><td>${fmt(r.valLoss)}</td></tr>`,
      )
      .join('');
    $('quant').hidden = false;
  } else if (m.type === 'error') {
    demo.errors.push(m.message);
    demo.running = false;
    $('s-build').textContent = 'error: see console';
    console.error(m.message);
  }
};
worker.onerror = (e) => {
  demo.errors.push(e.message);
  console.error(e.message);
};

// --- responsiveness: how late a 50 ms timer fires on the page's thread while training ---------
let expected = performance.now() + 50;
setInterval(() => {
  const now = performance.now(),
    lag = Math.max(0, now - expected);
  expected = now + 50;
  if (demo.running && demo.steps > 0) {
    demo.maxLagMs = Math.max(demo.maxLagMs, lag);
    $('s-lag').textContent = `${demo.maxLagMs.toFixed(0)} ms`;
  }
}, 50);
