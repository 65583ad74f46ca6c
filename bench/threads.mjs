// The threads rows of the benchmark: every workload with 1 thread and with N threads in the same
// run, one build, the two runs interleaved repeat by repeat (so a busy neighbour slows both alike),
// and the speed-up median(1 thread) / median(N threads).
//   npm run bench -- --threads 2 [--quick] [--json] [--only W2,W4] [--builds relaxed-simd]
// (bench/bench.mjs hands --threads over to this file; it is kept apart from the main table.)
import { init, supportedBuilds, threadStatus, LSTM, GRU, SimpleRNN, SGD, Adam } from '../dist/index.js';
import { WORKLOADS, flops, uniform, weightsFor } from './workloads.mjs';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b),
    m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One unit of work of workload `w` on the runtime init() made current. */
function runner(w) {
  const Cell = w.cell === 'gru' ? GRU : w.cell === 'rnn' ? SimpleRNN : LSTM;
  const layer = new Cell({ inputSize: w.I, hiddenSize: w.H });
  layer.loadStateDict(weightsFor(w));
  const x = uniform(w.B * w.T * w.I, -1, 1, 21);
  if (w.kind === 'stream') {
    const st = layer.createState(w.B);
    const xs = Array.from({ length: 16 }, (_, i) => x.subarray((i % w.T) * w.I, ((i % w.T) + 1) * w.I));
    return {
      run: () => {
        for (let s = 0; s < w.calls; s++) layer.step(xs[s & 15], st);
      },
      units: w.calls,
      dispose: () => layer.dispose(),
    };
  }
  if (w.kind === 'infer')
    return { run: () => layer.forward(x, { batch: w.B, steps: w.T }), units: 1, dispose: () => layer.dispose() };
  const dOut = uniform(w.B * w.T * w.H, -1, 1, 22);
  const opt = w.optimizer === 'adam' ? new Adam({ learningRate: 1e-3 }) : new SGD({ learningRate: 1e-3 });
  return {
    run: () => {
      layer.zeroGrad();
      layer.forward(x, { batch: w.B, steps: w.T });
      layer.backward(dOut);
      opt.step(layer);
    },
    units: 1,
    dispose: () => {
      opt.dispose();
      layer.dispose();
    },
  };
}

/** Runs the threads comparison; prints a table (or returns rows for --json). */
export async function benchThreads({ threads, quick = false, json = false, only = null, builds = null }) {
  const log = json ? () => {} : (...a) => console.log(...a);
  const build = (builds ?? supportedBuilds()).find((b) => supportedBuilds().includes(b)) ?? 'simd';
  const info = await init({ build, threads });
  if (info.threads < 2) {
    log(`threads: this runtime runs one thread (${info.features.threadsReason ?? 'threads: 1'})`);
    return [];
  }
  const ready = Date.now();
  while (threadStatus().workersReady < threads - 1 && Date.now() - ready < 20_000) await sleep(10);
  log(
    `wasm-lstm threads benchmark: node ${process.version}, build ${build}, 1 vs ${threads} threads, interleaved repeats${quick ? ', --quick' : ''}`,
  );
  const rows = [];
  for (const w of WORKLOADS) {
    if (only && !only.has(w.id)) continue;
    await init({ build, threads: 1 });
    const one = runner(w);
    await init({ build, threads });
    const many = runner(w);
    const repeats = quick ? 3 : 11,
      warmup = quick ? 1 : 5;
    for (let i = 0; i < warmup; i++) {
      one.run();
      many.run();
    }
    const t1 = [],
      tn = [];
    const timeOne = (r, out) => {
      const t0 = performance.now();
      r.run();
      out.push((performance.now() - t0) / r.units);
    };
    for (let i = 0; i < repeats; i++) {
      // alternate which goes first, so neither always runs right after the other
      if (i % 2) {
        timeOne(many, tn);
        timeOne(one, t1);
      } else {
        timeOne(one, t1);
        timeOne(many, tn);
      }
    }
    one.dispose();
    many.dispose();
    const scale = w.unit === 'µs/step' ? 1000 : 1,
      perUnit = w.kind === 'stream' ? flops(w) / w.calls : flops(w);
    const stat = (xs) => ({
      median: median(xs) * scale,
      min: Math.min(...xs) * scale,
      gflops: perUnit / median(xs) / 1e6,
    });
    const row = { id: w.id, name: w.name, unit: w.unit, one: stat(t1), many: stat(tn) };
    row.speedup = row.one.median / row.many.median;
    rows.push(row);
  }
  await init({ build });
  if (json) return rows;
  const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const header = [
    'workload',
    'unit',
    '1 thread median (min)',
    `${threads} threads median (min)`,
    'GFLOP/s 1 / N',
    'speed-up',
  ];
  const lines = [header];
  for (const r of rows) {
    lines.push([
      `${r.id} ${r.name}`,
      r.unit,
      `${fmt(r.one.median)} (${fmt(r.one.min)})`,
      `${fmt(r.many.median)} (${fmt(r.many.min)})`,
      `${fmt(r.one.gflops)} / ${fmt(r.many.gflops)}`,
      `${r.speedup.toFixed(2)}×`,
    ]);
  }
  const widths = header.map((_, c) => Math.max(...lines.map((l) => String(l[c]).length)));
  for (const l of lines) log(l.map((v, c) => String(v).padEnd(widths[c])).join('  '));
  log(`(speed-up = 1-thread median / ${threads}-thread median, same run; W1 is batch 1 and stays on one thread)`);
  return rows;
}
