// The benchmark: four fixed workloads, wasm SIMD (and relaxed SIMD where the engine has it)
// vs wasm scalar vs plain JavaScript, on the built package (dist/).
//   npm run bench                 full run, table on stdout
//   npm run bench -- --quick      fewer repeats (CI)
//   npm run bench -- --json       one JSON document on stdout
//   npm run bench -- --only W2,W3 a subset
//   npm run bench -- --threads 2  1- vs 2-thread rows of the same run (bench/threads.mjs)
import { parseArgs } from 'node:util';
import { init, supportedBuilds, LSTM, GRU, SimpleRNN, SGD, Adam } from '../dist/index.js';
import { PlainLSTM } from './plainjs.mjs';
import { WORKLOADS, flops, uniform, weightsFor } from './workloads.mjs';
import { measurePeak } from './peak.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    builds: { type: 'string' },
    'no-js': { type: 'boolean', default: false },
    threads: { type: 'string' },
  },
});

// --threads N: the 1- and N-thread rows of the same run (bench/threads.mjs), instead of the table below.
if (args.threads !== undefined) {
  const { benchThreads } = await import('./threads.mjs');
  const n = Number(args.threads);
  if (!Number.isInteger(n) || n < 2) {
    console.error(`--threads takes a whole number of threads ≥ 2, got ${args.threads}`);
    process.exit(2);
  }
  const rows = await benchThreads({
    threads: n,
    quick: args.quick,
    json: args.json,
    only: args.only ? new Set(args.only.split(',')) : null,
    builds: args.builds ? args.builds.split(',') : null,
  });
  if (args.json) console.log(JSON.stringify({ node: process.version, threads: n, results: rows }, null, 2));
  process.exit(0);
}

const log = args.json ? () => {} : (...a) => console.log(...a);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Time `fn` (which does `units` units of work) `repeats` times after `warmup` calls: per-unit ms. */
function time(fn, { repeats, warmup, units = 1 }) {
  for (let i = 0; i < warmup; i++) fn();
  const samples = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    samples.push((performance.now() - t0) / units);
  }
  return { median: median(samples), min: Math.min(...samples), samples: samples.length };
}

/** One workload on one implementation: a function that does one unit of work. */
function makeRunner(w, impl) {
  const weights = weightsFor(w);
  const x = uniform(w.B * w.T * w.I, -1, 1, 21);
  if (impl === 'js') {
    if (w.optimizer || w.cell) return null; // the JS baseline is a plain-SGD LSTM
    const m = new PlainLSTM(w.I, w.H, {
      wih: weights.weight_ih_l0.data.slice(),
      whh: weights.weight_hh_l0.data.slice(),
      bih: weights.bias_ih_l0.data.slice(),
      bhh: weights.bias_hh_l0.data.slice(),
    });
    if (w.kind === 'stream') {
      const st = m.createState(w.B);
      const xs = Array.from({ length: 16 }, (_, i) => x.subarray((i % w.T) * w.I, ((i % w.T) + 1) * w.I));
      return {
        run: () => {
          for (let s = 0; s < w.calls; s++) m.step(xs[s & 15], st);
        },
        units: w.calls,
        dispose() {},
      };
    }
    if (w.kind === 'infer') return { run: () => m.forward(x, w.B, w.T), units: 1, dispose() {} };
    const dOut = uniform(w.B * w.T * w.H, -1, 1, 22);
    return {
      run: () => {
        m.forward(x, w.B, w.T);
        m.backward(dOut);
        m.sgd(1e-3);
      },
      units: 1,
      dispose() {},
    };
  }
  const Cell = w.cell === 'gru' ? GRU : w.cell === 'rnn' ? SimpleRNN : LSTM;
  const lstm = new Cell({ inputSize: w.I, hiddenSize: w.H });
  lstm.loadStateDict(weights);
  if (w.kind === 'stream') {
    const st = lstm.createState(w.B);
    const xs = Array.from({ length: 16 }, (_, i) => x.subarray((i % w.T) * w.I, ((i % w.T) + 1) * w.I));
    return {
      run: () => {
        for (let s = 0; s < w.calls; s++) lstm.step(xs[s & 15], st);
      },
      units: w.calls,
      dispose: () => lstm.dispose(),
    };
  }
  if (w.kind === 'infer')
    return { run: () => lstm.forward(x, { batch: w.B, steps: w.T }), units: 1, dispose: () => lstm.dispose() };
  const dOut = uniform(w.B * w.T * w.H, -1, 1, 22);
  const opt = w.optimizer === 'adam' ? new Adam({ learningRate: 1e-3 }) : new SGD({ learningRate: 1e-3 });
  return {
    run: () => {
      lstm.zeroGrad();
      lstm.forward(x, { batch: w.B, steps: w.T });
      lstm.backward(dOut);
      opt.step(lstm);
    },
    units: 1,
    dispose: () => {
      opt.dispose();
      lstm.dispose();
    },
  };
}

const supported = supportedBuilds();
const wanted = args.builds ? args.builds.split(',') : ['relaxed-simd', 'simd', 'scalar'];
const builds = wanted.filter((b) => supported.includes(b));
const impls = [...builds, ...(args['no-js'] ? [] : ['js'])];
const only = args.only ? new Set(args.only.split(',')) : null;
const results = [];

// The ceiling every workload is measured against: the 4×8 f32x4 tile fed from L1 (bench/peak.mjs).
const peaks = {};
for (const b of builds) peaks[b] = await measurePeak(b, { repeats: args.quick ? 3 : 7 });
const peakBase = peaks.simd ?? peaks[builds[0]];

log(
  `wasm-lstm benchmark: node ${process.version}, builds ${builds.join(', ')}${supported.includes('relaxed-simd') ? '' : ' (relaxed SIMD: run node with --experimental-wasm-relaxed-simd)'}${args.quick ? ', --quick' : ''}`,
);
for (const w of WORKLOADS) {
  if (only && !only.has(w.id)) continue;
  const row = { id: w.id, name: w.name, unit: w.unit, gflop: flops(w) / 1e9, impls: {} };
  for (const impl of impls) {
    if (impl !== 'js') await init({ build: impl });
    const r = makeRunner(w, impl);
    if (!r) continue;
    const slow = impl === 'js' || impl === 'scalar';
    const repeats = args.quick ? (slow ? 2 : 3) : slow ? 5 : 11;
    const warmup = args.quick ? 1 : slow ? 2 : 5;
    const t = time(r.run, { repeats, warmup, units: r.units });
    r.dispose();
    const scale = w.unit === 'µs/step' ? 1000 : 1;
    const perUnitFlops = w.kind === 'stream' ? flops(w) / w.calls : flops(w);
    row.impls[impl] = {
      median: t.median * scale,
      min: t.min * scale,
      repeats: t.samples,
      gflops: perUnitFlops / (t.median / 1000) / 1e9,
    };
    // Each wasm build against its own ceiling; plain JS against the SIMD one.
    row.impls[impl].percentOfPeak = (100 * row.impls[impl].gflops) / (peaks[impl] ?? peakBase).median;
  }
  results.push(row);
}

// Speed-ups against the SIMD build (the default everywhere SIMD exists).
const base = builds.includes('simd') ? 'simd' : builds[0];
for (const row of results) {
  for (const [_impl, r] of Object.entries(row.impls))
    r.speedupVsBase = row.impls[base] ? r.median / row.impls[base].median : null;
}

if (args.json) {
  console.log(
    JSON.stringify(
      { node: process.version, builds, quick: args.quick, peakGflops: peaks, workloads: WORKLOADS, results },
      null,
      2,
    ),
  );
} else {
  const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const header = [
    'workload',
    'unit',
    ...impls.map((i) => `${i} median (min)`),
    ...impls.map((i) => `${i} GFLOP/s (% peak)`),
    ...impls.filter((i) => i !== base).map((i) => `${i}/${base}`),
  ];
  const lines = [header];
  for (const row of results) {
    lines.push([
      `${row.id} ${row.name}`,
      row.unit,
      ...impls.map((i) => (row.impls[i] ? `${fmt(row.impls[i].median)} (${fmt(row.impls[i].min)})` : '—')),
      ...impls.map((i) =>
        row.impls[i] ? `${fmt(row.impls[i].gflops)} (${row.impls[i].percentOfPeak.toFixed(0)}%)` : '—',
      ),
      ...impls.filter((i) => i !== base).map((i) => (row.impls[i] ? `${row.impls[i].speedupVsBase.toFixed(2)}×` : '—')),
    ]);
  }
  const widths = header.map((_, c) => Math.max(...lines.map((l) => String(l[c]).length)));
  for (const l of lines) log(l.map((v, c) => String(v).padEnd(widths[c])).join('  '));
  log(
    `\nmeasured peak (4×8 f32x4 tile in L1, GFLOP/s): ${Object.entries(peaks)
      .map(([b, p]) => `${b} ${p.median.toFixed(1)}`)
      .join(', ')}; each build's % is of its own peak, js's of ${peaks.simd ? 'simd' : builds[0]}'s`,
  );
  log(
    `(x/${base} > 1 means slower than the ${base} build; GFLOP/s counts matmul FLOPs: forward 2·G·H·(I+H)·B·T with G = 4 (LSTM), 3 (GRU), 1 (RNN); training 3×.)`,
  );
}
