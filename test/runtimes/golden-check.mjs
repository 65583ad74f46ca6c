// The golden check every runtime runs (Node, Chromium, workerd, Deno, Bun): plain ESM, no host
// APIs, so the same file is imported everywhere. `lib` is the imported 'wasm-lstm' namespace and
// `fixture` the parsed test/fixtures/golden.json (made once by test/fixtures/make-golden.mjs).
//
// Two cases:
//   lstm  — a bare LSTM (I=3, H=5, B=2, T=4, given h0/c0): forward, backward of a fixed ∂L/∂output,
//           one SGD step; compares output, h, c, dx, the gradients and the weights after the step.
//   model — Sequential [LSTM(3→5), Dense(5→1)], mse, SGD: predict, one trainOnBatch; compares the
//           predictions, the loss and every weight after the step.

export const TOLERANCE = 1e-6;

/**
 * What checkRuntime reports (and the runtime tests print and assert on).
 * @typedef {{ maxDiff: number, worst: string, ok: boolean }} BuildCheck
 * @typedef {{
 *   runtime: string,
 *   defaultBuild: string,
 *   features: import('wasm-lstm').Features,
 *   builds: Record<string, BuildCheck>,
 *   ok: boolean,
 * }} RuntimeReport
 */

const f32 = (a) => Float32Array.from(a);
const dict = (d) =>
  Object.fromEntries(Object.entries(d).map(([k, t]) => [k, { shape: t.shape.slice(), data: f32(t.data) }]));
const plain = (d) =>
  Object.fromEntries(Object.entries(d).map(([k, t]) => [k, { shape: t.shape.slice(), data: Array.from(t.data) }]));

/** Runs both cases with the runtime that is current (call lib.init(...) first). */
export function runGolden(lib, fixture) {
  const L = fixture.lstm,
    cfg = L.config;
  const lstm = new lib.LSTM({ inputSize: cfg.inputSize, hiddenSize: cfg.hiddenSize, seed: 1 });
  let lstmOut;
  try {
    lstm.loadStateDict(dict(L.weights));
    const fwd = lstm.forward(f32(L.x), { batch: cfg.batch, steps: cfg.steps, h0: f32(L.h0), c0: f32(L.c0) });
    const bwd = lstm.backward(f32(L.dOutput));
    const grads = plain(lstm.gradients());
    new lib.SGD({ learningRate: L.learningRate }).step(lstm);
    lstmOut = {
      output: Array.from(fwd.output),
      h: Array.from(fwd.h),
      c: Array.from(fwd.c),
      dx: Array.from(bwd.dx),
      gradients: grads,
      weightsAfter: plain(lstm.stateDict()),
    };
  } finally {
    lstm.dispose();
  }

  const M = fixture.model,
    mc = M.config;
  const model = new lib.Sequential([
    new lib.LSTM({ inputSize: mc.inputSize, hiddenSize: mc.hiddenSize, returnSequences: false, seed: 1 }),
    new lib.Dense({ inputSize: mc.hiddenSize, outputSize: 1, activation: 'linear', seed: 1 }),
  ]);
  let modelOut;
  try {
    model.layers[0].loadStateDict(dict(M.weights.lstm));
    model.layers[1].loadStateDict(dict(M.weights.dense));
    model.compile({ loss: 'mse', optimizer: new lib.SGD({ learningRate: M.learningRate }) });
    const x = { data: f32(M.x), shape: [mc.batch, mc.steps, mc.inputSize] },
      y = { data: f32(M.y), shape: [mc.batch, 1] };
    const predictions = Array.from(model.predict(x).data);
    const loss = model.trainOnBatch(x, y);
    modelOut = {
      predictions,
      loss,
      weightsAfter: { lstm: plain(model.layers[0].stateDict()), dense: plain(model.layers[1].stateDict()) },
    };
  } finally {
    for (const l of model.layers) l.dispose?.();
  }
  return { lstm: lstmOut, model: modelOut };
}

function maxDiff(a, b) {
  if (!a || !b || a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/** { maxDiff, worst } over every compared array: result vs fixture. */
export function compareGolden(result, fixture) {
  const pairs = [];
  const L = fixture.lstm,
    M = fixture.model;
  for (const k of ['output', 'h', 'c', 'dx']) pairs.push([`lstm.${k}`, result.lstm[k], L[k]]);
  for (const k of Object.keys(L.gradients))
    pairs.push([`lstm.grad.${k}`, result.lstm.gradients[k]?.data, L.gradients[k].data]);
  for (const k of Object.keys(L.weightsAfter))
    pairs.push([`lstm.after.${k}`, result.lstm.weightsAfter[k]?.data, L.weightsAfter[k].data]);
  pairs.push(['model.predictions', result.model.predictions, M.predictions]);
  pairs.push(['model.loss', [result.model.loss], [M.loss]]);
  for (const layer of ['lstm', 'dense']) {
    for (const k of Object.keys(M.weightsAfter[layer])) {
      pairs.push([
        `model.after.${layer}.${k}`,
        result.model.weightsAfter[layer][k]?.data,
        M.weightsAfter[layer][k].data,
      ]);
    }
  }
  let worst = '',
    m = 0;
  for (const [name, a, b] of pairs) {
    const d = maxDiff(a, b);
    if (!(d <= m)) {
      m = d;
      worst = name;
    }
  }
  return { maxDiff: m, worst, compared: pairs.length };
}

/**
 * The whole check for one runtime: init() with no options (records which build it picks), then
 * every build the runtime supports, each compared with the fixture. `initFor(build)` lets a host
 * pass its own init options (workerd passes nothing extra; its entry supplies the modules).
 * @param {typeof import('wasm-lstm')} lib the package as this runtime loads it
 * @param {object} fixture test/fixtures/golden.json
 * @param {{ builds?: import('wasm-lstm').BuildName[] }} [options] the builds to check (default: every one the runtime supports)
 * @returns {Promise<RuntimeReport>}
 */
export async function checkRuntime(lib, fixture, { builds } = {}) {
  const chosen = await lib.init();
  /** @type {RuntimeReport} */
  const report = { runtime: '', defaultBuild: chosen.build, features: chosen.features, builds: {}, ok: true };
  for (const build of builds ?? lib.supportedBuilds(chosen.features)) {
    await lib.init({ build });
    const { maxDiff: d, worst } = compareGolden(runGolden(lib, fixture), fixture);
    const ok = d <= TOLERANCE;
    report.builds[build] = { maxDiff: d, worst, ok };
    if (!ok) report.ok = false;
  }
  await lib.init({ build: chosen.build });
  return report;
}
