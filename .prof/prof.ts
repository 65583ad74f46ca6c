import { init, LSTM, Adam } from '../src/index.js';
import { currentRuntime } from '../src/runtime.js';
import { WORKLOADS, uniform, weightsFor } from '../bench/workloads.mjs';
const id = process.argv[2] ?? 'W3';
const threads = Number(process.argv[3] ?? 1);
const w = WORKLOADS.find((x: any) => x.id === id)!;
await init({ threads });
const rt = currentRuntime();
const k = rt.kernels as any;
// wrap kernels & pool.run to time them
const acc: Record<string, number> = {};
const wrap = (obj: any, name: string, label = name) => {
  const f = obj[name].bind(obj);
  obj[name] = (...a: any[]) => { const t = performance.now(); const r = f(...a); acc[label] = (acc[label] ?? 0) + performance.now() - t; return r; };
};
for (const n of ['seqForward', 'seqBackward', 'transpose3', 'adamStep', 'sumSquares', 'seqForwardSteps', 'sgdStep']) wrap(k, n);
if (rt.pool) wrap(rt.pool, 'run', 'pool.run');
const l = new LSTM({ inputSize: w.I, hiddenSize: w.H });
l.loadStateDict(weightsFor(w));
const x = uniform(w.B * w.T * w.I, -1, 1, 21), dOut = uniform(w.B * w.T * w.H, -1, 1, 22);
const opt = new Adam({ learningRate: 1e-3 });
const step = () => { l.zeroGrad(); l.forward(x, { batch: w.B, steps: w.T }); if (w.kind !== 'infer') { l.backward(dOut); opt.step(l); } };
for (let i = 0; i < 5; i++) step();
await new Promise((r) => setTimeout(r, 200));
for (const key of Object.keys(acc)) delete acc[key];
const times: number[] = [];
const N = 10;
for (let i = 0; i < N; i++) { const t = performance.now(); step(); times.push(performance.now() - t); }
times.sort((a, b) => a - b);
console.log(id, 'threads', threads, 'median', times[N >> 1].toFixed(2), 'min', times[0].toFixed(2), 'total mean', (times.reduce((a, b) => a + b) / N).toFixed(2));
for (const [key, v] of Object.entries(acc)) console.log('  ', key.padEnd(16), (v / N).toFixed(3), 'ms/step');
process.exit(0);
