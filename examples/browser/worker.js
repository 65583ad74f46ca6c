// The training loop, in a module Web Worker so the page stays responsive. Messages in:
//   { type: 'start', run, config: { task: 'sine'|'adding', steps, hidden, build: 'best'|'scalar', threads: 1|2|4|'auto' } }
//   { type: 'stop' }
//   { type: 'quantize' }: between two training chunks, quantize the model as it is now
// Messages out: 'ready' (build, threads, features, baseline), 'progress' (steps, loss, steps/s), 'eval'
// (validation loss and predictions over the truth), 'quantized' (f32 against int8: file size,
// inference speed, validation loss), 'error'; each carries the run id it belongs to.
import { init, Sequential, LSTM, Dense, Adam, tasks, mulberry32 } from 'wasm-lstm';

const BATCH = 32,
  SEED = 1;
let generation = 0; // bumps on every start/stop: a running loop sees it and ends
let quantizeAsked = false; // the loop answers between two chunks

self.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === 'quantize') {
    quantizeAsked = true;
    return;
  }
  generation++;
  if (msg.type === 'start') {
    const post = (m) => self.postMessage({ ...m, run: msg.run }); // the page drops messages of older runs
    train(msg.config, generation, post).catch((e) => post({ type: 'error', message: String(e?.stack ?? e) }));
  }
};

const yieldToMessages = () => new Promise((resolve) => setTimeout(resolve, 0));

function makeData(cfg) {
  if (cfg.task === 'sine') {
    // many-to-many: at every step predict the next value of a noisy sum of two sines
    const train = tasks.sineTask(512, cfg.steps, { manyToOne: false, seed: 11 });
    const val = tasks.sineTask(64, cfg.steps, { manyToOne: false, seed: 12 });
    return { train, val, inputSize: 1, perStep: true, baseline: { label: 'naive x̂ₜ₊₁ = xₜ', mse: val.naiveRmse ** 2 } };
  }
  // adding problem: x [N, T, 2] (value, marker), y [N, 1] the sum of the two marked values
  const train = tasks.addingProblem(1024, cfg.steps, 21);
  const val = tasks.addingProblem(64, cfg.steps, 22);
  let mean = 0,
    varSum = 0;
  for (const v of val.y.data) mean += v / val.y.data.length;
  for (const v of val.y.data) varSum += (v - mean) ** 2 / val.y.data.length;
  return { train, val, inputSize: 2, perStep: false, baseline: { label: 'predict the mean', mse: varSum } };
}

function batches({ x, y }, rng) {
  const N = x.shape[0],
    xs = x.data.length / N,
    ys = y.data.length / N,
    order = Array.from({ length: N }, (_, i) => i);
  for (let i = N - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const out = [];
  for (let b = 0; b + BATCH <= N; b += BATCH) {
    const bx = new Float32Array(BATCH * xs),
      by = new Float32Array(BATCH * ys);
    for (let k = 0; k < BATCH; k++) {
      const n = order[b + k];
      bx.set(x.data.subarray(n * xs, (n + 1) * xs), k * xs);
      by.set(y.data.subarray(n * ys, (n + 1) * ys), k * ys);
    }
    out.push({
      x: { data: bx, shape: [BATCH, ...x.shape.slice(1)] },
      y: { data: by, shape: [BATCH, ...y.shape.slice(1)] },
    });
  }
  return out;
}

function predictions(model, data, cfg) {
  const yhat = model.predict(data.val.x, { batchSize: 64 }).data,
    y = data.val.y.data;
  if (data.perStep) {
    // one validation series: the input, the next values (truth) and the forecasts
    const T = cfg.steps;
    return {
      kind: 'series',
      x: Array.from({ length: T }, (_, t) => t + 1),
      input: Array.from(data.val.x.data.subarray(0, T)),
      truth: Array.from(y.subarray(0, T)),
      prediction: Array.from(yhat.subarray(0, T)),
    };
  }
  // every validation sequence, sorted by its true sum
  const idx = Array.from(y, (_, i) => i).sort((a, b) => y[a] - y[b]);
  return {
    kind: 'sorted',
    x: idx.map((_, i) => i + 1),
    truth: idx.map((i) => y[i]),
    prediction: idx.map((i) => yhat[i]),
  };
}

/** The model now against its int8 copy (layer.quantize): file bytes, validation loss, and the
 *  speed of inference over the validation set and of streaming one step, timed alternately. */
function compareInt8(model, data) {
  const int8 = model.quantize({ weights: 'int8' });
  try {
    const f32File = new Sequential(model.layers).save().length; // the weights alone, no optimizer state
    const int8File = int8.save().length;
    const x = data.val.x,
      N = x.shape[0],
      T = x.shape[1],
      I = x.shape[2];
    const lstm = [model.layers[0], int8.layers[0]],
      states = lstm.map((l) => l.createState(1)),
      xt = new Float32Array(I);
    const time = (fn) => {
      const t0 = performance.now();
      fn();
      return performance.now() - t0;
    };
    const infer = [[], []],
      step = [[], []];
    const stream = (i, n) => {
      for (let t = 0; t < n; t++) {
        xt.set(x.data.subarray((t % T) * I, ((t % T) + 1) * I));
        lstm[i].step(xt, states[i]);
      }
    };
    // warm-up: the int8 kernels have not run yet, and wasm code starts in the baseline compiler
    for (let r = 0; r < 3; r++) {
      for (const [i, m] of [model, int8].entries()) {
        m.predict(x, { batchSize: N });
        stream(i, 2000);
      }
    }
    for (let r = 0; r < 7; r++) {
      for (const [i, m] of [model, int8].entries()) {
        infer[i].push(time(() => m.predict(x, { batchSize: N })) / N);
        step[i].push(time(() => stream(i, 1000)) / 1000);
      }
    }
    for (const s of states) s.dispose();
    const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
    return ['f32', 'int8'].map((format, i) => ({
      format,
      bytes: i ? int8File : f32File,
      msPerSequence: median(infer[i]),
      usPerStep: median(step[i]) * 1000,
      valLoss: (i ? int8 : model).evaluate(x, data.val.y, { batchSize: 64 }).loss,
    }));
  } finally {
    int8.dispose();
  }
}

async function train(cfg, gen, post) {
  // threads: the pool's workers start from this worker (nested workers) over one shared memory
  const info = await init({ ...(cfg.build === 'scalar' ? { build: 'scalar' } : {}), threads: cfg.threads ?? 1 });
  const data = makeData(cfg);
  const model = new Sequential([
    new LSTM({ inputSize: data.inputSize, hiddenSize: cfg.hidden, returnSequences: data.perStep, seed: SEED }),
    new Dense({ inputSize: cfg.hidden, outputSize: 1, activation: 'linear', seed: SEED + 1 }),
  ]);
  const optimizer = new Adam({ learningRate: 1e-2, clipNorm: 1 });
  model.compile({ loss: 'mse', optimizer });
  post({
    type: 'ready',
    build: info.build,
    threads: info.threads,
    features: info.features,
    baseline: data.baseline,
    config: cfg,
  });
  const rng = mulberry32(SEED);
  let epoch = batches(data.train, rng),
    next = 0,
    steps = 0,
    ema = NaN;
  const started = performance.now();
  let lastEval = -Infinity;
  try {
    while (gen === generation) {
      // train for ~40 ms, then report and let messages (stop, restart) in
      const t0 = performance.now();
      let n = 0;
      while (performance.now() - t0 < 40) {
        if (next === epoch.length) {
          epoch = batches(data.train, rng);
          next = 0;
        }
        const b = epoch[next++];
        const loss = model.trainOnBatch(b.x, b.y);
        ema = Number.isNaN(ema) ? loss : 0.9 * ema + 0.1 * loss;
        steps++;
        n++;
      }
      const now = performance.now();
      post({
        type: 'progress',
        steps,
        loss: ema,
        stepsPerSec: n / ((now - t0) / 1000),
        seconds: (now - started) / 1000,
      });
      if (quantizeAsked) {
        quantizeAsked = false;
        post({ type: 'quantized', steps, rows: compareInt8(model, data) });
      }
      if (now - lastEval > 300) {
        lastEval = now;
        const { loss } = model.evaluate(data.val.x, data.val.y, { batchSize: 64 });
        post({ type: 'eval', steps, valLoss: loss, predictions: predictions(model, data, cfg) });
      }
      await yieldToMessages();
    }
  } finally {
    for (const layer of model.layers) layer.dispose();
    optimizer.dispose();
  }
}
