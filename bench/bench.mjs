// The benchmark from the repository: the same workloads, runner and table as `npx wasm-lstm bench`
// (src/bench/, built to dist/bench.js), plus the plain-JavaScript baseline (bench/plainjs.mjs),
// which stays here because it is not part of the package.
//   npm run bench                 full run, table on stdout
//   npm run bench -- --quick      fewer repeats (CI)
//   npm run bench -- --json       one JSON document on stdout
//   npm run bench -- --only W2,W3 a subset; --builds simd,scalar; --no-js without the JS baseline
//   npm run bench -- --threads 2  the 1- and 2-thread rows of the same run (src/bench/threads.ts)
// Relaxed SIMD on Node 20: node --experimental-wasm-relaxed-simd bench/bench.mjs (npx wasm-lstm
// bench adds the flag itself).
import { parseArgs } from 'node:util';
import {
  formatReport,
  formatThreadsReport,
  runBenchmark,
  runThreadsBenchmark,
  uniform,
  weightsFor,
} from '../dist/bench.js';
import { PlainLSTM } from './plainjs.mjs';

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
const list = (v) => (v ? v.split(',').filter(Boolean) : undefined);

// --threads N: the 1- and N-thread rows of the same run instead of the table below.
if (args.threads !== undefined) {
  const threads = Number(args.threads);
  if (!Number.isInteger(threads) || threads < 2) {
    console.error(`--threads takes a whole number ≥ 2, got ${JSON.stringify(args.threads)}`);
    process.exit(2);
  }
  const report = await runThreadsBenchmark({
    threads,
    quick: args.quick,
    only: list(args.only),
    build: list(args.builds)?.[0],
  });
  console.log(args.json ? JSON.stringify(report, null, 2) : formatThreadsReport(report));
  process.exit(0);
}

/** The plain-JS LSTM on a workload (plain SGD, LSTM only; null for the others). */
function plainJs(w) {
  if (w.optimizer || w.cell || w.weights) return null;
  const weights = weightsFor(w);
  const x = uniform(w.B * w.T * w.I, -1, 1, 21);
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

const report = await runBenchmark({
  quick: args.quick,
  only: list(args.only),
  builds: list(args.builds),
  extra: args['no-js'] ? {} : { js: plainJs },
  runtime: `node ${process.version}`,
});
console.log(args.json ? JSON.stringify(report, null, 2) : formatReport(report));
