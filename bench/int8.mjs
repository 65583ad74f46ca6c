// int8 against f32 on the inference workloads, interleaved: each repeat times the f32 layer and then
// its quantized copy, so both see the same machine state and the ratio holds on a shared machine.
//   node bench/int8.mjs [--repeats 21] [--builds simd,scalar] [--only W1,W2]
//   node --experimental-wasm-relaxed-simd bench/int8.mjs     (adds the relaxed build on Node 20)
// Reports median and min per side and the int8/f32 ratio of each. Uses the built package (dist/).
import { parseArgs } from 'node:util';
import { GRU, init, LSTM, SimpleRNN, supportedBuilds } from '../dist/index.js';
import { uniform, WORKLOADS, weightsFor } from './workloads.mjs';

const { values: args } = parseArgs({
  options: {
    repeats: { type: 'string', default: '21' },
    builds: { type: 'string' },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const repeats = Number(args.repeats);
/** @type {import('../dist/index.js').BuildName[]} */
const builds = /** @type {any[]} */ (args.builds ? args.builds.split(',') : ['relaxed-simd', 'simd']).filter((b) =>
  supportedBuilds().includes(b),
);
const only = args.only ? new Set(args.only.split(',')) : null;
const pairs = WORKLOADS.filter((w) => w.weights === 'int8' && (!only || only.has(w.id.replace(/q$/, ''))));

/** One unit of work for workload w on a layer (stream: 2000 steps, per step; infer: one forward). */
function runner(w, layer) {
  const x = uniform(w.B * w.T * w.I, -1, 1, 21);
  if (w.kind === 'stream') {
    const st = layer.createState(w.B);
    const xs = Array.from({ length: 16 }, (_, i) => x.subarray((i % w.T) * w.I, ((i % w.T) + 1) * w.I));
    return () => {
      for (let s = 0; s < w.calls; s++) layer.step(xs[s & 15], st);
      return w.calls;
    };
  }
  return () => {
    layer.forward(x, { batch: w.B, steps: w.T });
    return 1;
  };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[s.length >> 1], min: s[0] };
};

const results = [];
for (const build of builds) {
  await init({ build });
  for (const wq of pairs) {
    const Cell = wq.cell === 'gru' ? GRU : wq.cell === 'rnn' ? SimpleRNN : LSTM;
    const f32 = new Cell({ inputSize: wq.I, hiddenSize: wq.H });
    f32.loadStateDict(weightsFor(wq));
    const int8 = f32.quantize({ weights: 'int8' });
    const run = [runner(wq, f32), runner(wq, int8)];
    const scale = wq.unit === 'µs/step' ? 1000 : 1;
    const samples = [[], []];
    for (let r = 0; r < repeats + 3; r++) {
      for (const side of [0, 1]) {
        const t0 = performance.now(),
          units = run[side]();
        if (r >= 3) samples[side].push(((performance.now() - t0) / units) * scale); // 3 warm-up rounds
      }
    }
    const a = stats(samples[0]),
      b = stats(samples[1]);
    results.push({
      build,
      id: wq.id.replace(/q$/, ''),
      name: wq.name.replace(' int8', ''),
      unit: wq.unit,
      f32: a,
      int8: b,
      ratioMedian: b.median / a.median,
      ratioMin: b.min / a.min,
    });
    f32.dispose();
    int8.dispose();
  }
}

if (args.json) console.log(JSON.stringify({ node: process.version, repeats, results }, null, 2));
else {
  const f = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  console.log(`int8 vs f32, interleaved, ${repeats} repeats, node ${process.version}`);
  for (const r of results) {
    console.log(
      `${r.build.padEnd(12)} ${`${r.id} ${r.name}`.padEnd(18)} ${r.unit.padEnd(9)} f32 ${f(r.f32.median)} (min ${f(r.f32.min)})  ` +
        `int8 ${f(r.int8.median)} (min ${f(r.int8.min)})  int8/f32 ${r.ratioMedian.toFixed(3)} (mins ${r.ratioMin.toFixed(3)})`,
    );
  }
}
