// The threads check every runtime runs (plain ESM, no host APIs, like golden-check.mjs):
//   where threads run (Node, Deno, Bun, Chromium on a cross-origin-isolated page): init({ threads: 2 })
//     gives 2 threads, the workers start and take tasks, and for every build the golden fixture
//     matches to 1e-6 and a workload big enough to be split (2-layer bidirectional LSTM forward and
//     backward; a Sequential LSTM → Dense → Dense trained 3 steps with Adam + clipNorm) equals the
//     one-thread runtime: outputs, ∂x and gradients bit for bit, losses and predictions to 1e-6;
//   where they cannot (a page without isolation, workerd): init({ threads: 2 }) gives 1 thread and a
//     reason, and the golden fixture still matches.
import { compareGolden, runGolden, TOLERANCE } from './golden-check.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function splitWorkload(lib) {
  const rng = lib.mulberry32(7),
    u = (n) => Float32Array.from({ length: n }, () => rng() * 2 - 1);
  const B = 16,
    T = 24,
    I = 16,
    H = 32;
  const l = new lib.LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, seed: 3 });
  const f = l.forward(u(B * T * I), { batch: B, steps: T });
  const b = l.backward(u(B * T * 2 * H));
  const grads = Object.values(l.gradients()).map((t) => t.data);
  l.dispose();
  const m = new lib.Sequential([
    new lib.LSTM({ inputSize: 4, hiddenSize: 32, returnSequences: false, seed: 1 }),
    new lib.Dense({ inputSize: 32, outputSize: 256, activation: 'relu', seed: 2 }),
    new lib.Dense({ inputSize: 256, outputSize: 1, seed: 3 }),
  ]);
  m.compile({ loss: 'mse', optimizer: new lib.Adam({ learningRate: 0.01, clipNorm: 1 }) });
  const x = { data: u(64 * 20 * 4), shape: [64, 20, 4] },
    y = { data: u(64), shape: [64, 1] };
  const losses = [];
  for (let i = 0; i < 3; i++) losses.push(m.trainOnBatch(x, y));
  const p = m.predict(x).data;
  for (const layer of m.layers) layer.dispose();
  return { exact: [f.output, f.h, f.c, b.dx, ...grads], close: [Float32Array.from(losses), p] };
}

const bits = (a) => new Uint32Array(a.buffer, a.byteOffset, a.length);
function identical(a, b) {
  return (
    a.length === b.length &&
    a.every((x, i) => {
      const p = bits(x),
        q = bits(b[i]);
      return p.length === q.length && p.every((v, j) => v === q[j]);
    })
  );
}
function maxRel(a, b) {
  let m = 0;
  a.forEach((x, i) => {
    for (let j = 0; j < x.length; j++) m = Math.max(m, Math.abs(x[j] - b[i][j]) / Math.max(1, Math.abs(b[i][j])));
  });
  return m;
}

async function waitForWorkers(lib, n, ms = 20_000) {
  const t0 = Date.now();
  while (lib.threadStatus().workersReady < n && Date.now() - t0 < ms) await sleep(10);
  return lib.threadStatus().workersReady;
}

/** The report: { threads, reason, ok, builds: { build: { golden, worst, identical, maxRel, workerTasks, ok } } }.
 *  `init`: more init() options (workerUrl). */
export async function checkThreads(lib, fixture, { threads = 2, init = {} } = {}) {
  const info = await lib.init({ threads, ...init });
  const report = { threads: info.threads, reason: info.features.threadsReason ?? null, builds: {}, ok: true };
  const builds = lib.supportedBuilds(info.features);
  if (info.threads < 2) {
    for (const build of builds) {
      await lib.init({ build, threads, ...init });
      const g = compareGolden(runGolden(lib, fixture), fixture);
      report.builds[build] = { golden: g.maxDiff, worst: g.worst, ok: g.maxDiff <= TOLERANCE };
      if (!report.builds[build].ok) report.ok = false;
    }
    return report;
  }
  for (const build of builds) {
    await lib.init({ build, threads: 1 });
    const one = splitWorkload(lib);
    await lib.init({ build, threads, ...init });
    const ready = await waitForWorkers(lib, threads - 1);
    const before = lib.threadStatus().workerTasks;
    const g = compareGolden(runGolden(lib, fixture), fixture);
    const many = splitWorkload(lib);
    const status = lib.threadStatus();
    const r = {
      golden: g.maxDiff,
      worst: g.worst,
      identical: identical(many.exact, one.exact),
      maxRel: maxRel(many.close, one.close),
      workersReady: ready,
      workerTasks: status.workerTasks - before,
      errors: status.errors,
    };
    r.ok =
      r.golden <= TOLERANCE && r.identical && r.maxRel <= 1e-6 && r.workersReady === threads - 1 && r.workerTasks > 0;
    report.builds[build] = r;
    if (!r.ok) report.ok = false;
  }
  lib.terminate();
  await lib.init({ build: builds[0] });
  return report;
}

/** Lines for a runner's log. */
export function describeThreads(report) {
  const lines = [`threads: init({ threads: 2 }) → ${report.threads}${report.reason ? ` (${report.reason})` : ''}`];
  for (const [b, r] of Object.entries(report.builds)) {
    lines.push(
      r.identical === undefined
        ? `${r.ok ? 'ok  ' : 'FAIL'} ${b}, one thread: golden max |diff| ${r.golden.toExponential(2)} (${r.worst})`
        : `${r.ok ? 'ok  ' : 'FAIL'} ${b}, 2 threads: golden max |diff| ${r.golden.toExponential(2)}; split workload ${r.identical ? 'bit-identical' : 'DIFFERENT'} to one thread, losses/predictions max rel ${r.maxRel.toExponential(2)}; ${r.workersReady} worker(s) up, ${r.workerTasks} tasks run on them${r.errors.length ? `; errors: ${r.errors.join('; ')}` : ''}`,
    );
  }
  return lines;
}
