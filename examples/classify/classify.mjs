// Sequence classification of your own data: a CSV in long format, one row per time step,
//   sequence,label,<feature columns…>
// rows of one sequence together and in time order; sequences may differ in length. The sample
// file is gestures.csv (pen traces of circle, spiral, zigzag and shake; see make-gestures.mjs).
//
// What it does: group the rows into sequences, pad them to the longest (the padded steps are
// masked: `lengths` keeps them out of the state and the loss), standardise each feature with the
// training set's statistics, hold out 25% of the sequences (stratified, seeded), train
// LSTM → Dense(softmax), report the held-out accuracy and the confusion matrix, save the model
// and reload it to classify one held-out trace, as an application would.
//
//   node examples/classify/classify.mjs [--csv FILE] [--epochs N] [--save model.safetensors] [--json]
//   EXAMPLES_QUICK=1 node examples/classify/classify.mjs    (the short settings CI uses)
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Adam, Dense, LSTM, Sequential, init, mulberry32 } from 'wasm-lstm';

const { values: args } = parseArgs({
  options: {
    csv: { type: 'string', default: new URL('./gestures.csv', import.meta.url).pathname },
    epochs: { type: 'string' },
    save: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const quick = process.env.EXAMPLES_QUICK === '1';
const EPOCHS = Number(args.epochs ?? (quick ? 40 : 80)); // ~0.5 s and ~1 s

// --- read and group -------------------------------------------------------------------------
const [header, ...lines] = readFileSync(args.csv, 'utf8').trim().split(/\r?\n/);
const columns = header.split(',');
if (columns[0] !== 'sequence' || columns[1] !== 'label' || columns.length < 3)
  throw new Error(`expected a header "sequence,label,<features…>", got "${header}"`);
const F = columns.length - 2;
const sequences = new Map(); // id -> { label, steps: number[][] }
for (const line of lines) {
  const [id, label, ...values] = line.split(',');
  const features = values.map(Number);
  if (features.length !== F || !features.every(Number.isFinite)) throw new Error(`bad row: ${line}`);
  if (!sequences.has(id)) sequences.set(id, { label, steps: [] });
  sequences.get(id).steps.push(features);
}
const all = [...sequences.values()];
const classes = [...new Set(all.map((s) => s.label))].sort();
const T = Math.max(...all.map((s) => s.steps.length));

// --- split (stratified, seeded) and standardise ---------------------------------------------
const rng = mulberry32(42);
const train = [],
  test = [];
for (const c of classes) {
  const of = all.filter((s) => s.label === c);
  for (let i = of.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [of[i], of[j]] = [of[j], of[i]];
  }
  const nTest = Math.round(of.length * 0.25);
  test.push(...of.slice(0, nTest));
  train.push(...of.slice(nTest));
}
const mean = new Array(F).fill(0),
  std = new Array(F).fill(0);
const trainSteps = train.flatMap((s) => s.steps);
for (const st of trainSteps) for (let f = 0; f < F; f++) mean[f] += st[f] / trainSteps.length;
for (const st of trainSteps) for (let f = 0; f < F; f++) std[f] += (st[f] - mean[f]) ** 2 / trainSteps.length;
for (let f = 0; f < F; f++) std[f] = Math.sqrt(std[f]) || 1;

/** x [N, T, F] zero-padded after each sequence's end, lengths [N], y [N] class ids. */
function tensors(set) {
  const x = new Float32Array(set.length * T * F);
  for (const [n, s] of set.entries()) {
    for (const [t, st] of s.steps.entries()) {
      for (let f = 0; f < F; f++) x[(n * T + t) * F + f] = (st[f] - mean[f]) / std[f];
    }
  }
  return {
    x: { data: x, shape: [set.length, T, F] },
    y: { data: Float32Array.from(set, (s) => classes.indexOf(s.label)), shape: [set.length] },
    lengths: Int32Array.from(set, (s) => s.steps.length),
  };
}
const tr = tensors(train),
  te = tensors(test);

// --- train ------------------------------------------------------------------------------------
await init();
const model = new Sequential([
  new LSTM({ inputSize: F, hiddenSize: 32, seed: 1 }),
  new Dense({ inputSize: 32, outputSize: classes.length, activation: 'softmax', seed: 2 }),
]);
model.compile({
  loss: 'sparseCategoricalCrossentropy',
  optimizer: new Adam({ learningRate: 1e-2, clipNorm: 1 }),
  metrics: ['accuracy'],
});
const t0 = performance.now();
const history = await model.fit(tr.x, tr.y, {
  epochs: EPOCHS,
  batchSize: 16,
  shuffle: true,
  seed: 1,
  lengths: tr.lengths,
});
const seconds = (performance.now() - t0) / 1000;

// --- evaluate on the held-out sequences -----------------------------------------------------
const argmax = (p, n) => {
  let best = 0;
  for (let k = 1; k < classes.length; k++) if (p[n * classes.length + k] > p[n * classes.length + best]) best = k;
  return best;
};
const probs = model.predict(te.x, { lengths: te.lengths }).data;
const confusion = classes.map(() => new Array(classes.length).fill(0)); // [true][predicted]
let correct = 0;
test.forEach((s, n) => {
  const truth = classes.indexOf(s.label),
    guess = argmax(probs, n);
  confusion[truth][guess]++;
  if (truth === guess) correct++;
});

// --- save, reload, classify one trace as an application would ---------------------------------
const bytes = model.save();
if (args.save) writeFileSync(args.save, bytes);
const reloaded = await Sequential.load(bytes);
const one = tensors([test[0]]);
const again = reloaded.predict(one.x, { lengths: one.lengths }).data;
const reloadedLabel = classes[argmax(again, 0)];

const result = {
  sequences: all.length,
  classes,
  features: F,
  maxSteps: T,
  train: train.length,
  test: test.length,
  epochs: EPOCHS,
  seconds: +seconds.toFixed(2),
  trainAccuracy: history.history.accuracy.at(-1),
  testAccuracy: correct / test.length,
  chance: 1 / classes.length,
  confusion,
  reloaded: {
    truth: test[0].label,
    predicted: reloadedLabel,
    samePrediction: reloadedLabel === classes[argmax(probs, 0)],
  },
};
model.dispose();
reloaded.dispose();

if (args.json) console.log(JSON.stringify(result));
else {
  console.log(
    `${all.length} sequences (${classes.join(', ')}), ${F} features, up to ${T} steps; ${train.length} train / ${test.length} held out`,
  );
  console.log(`trained ${EPOCHS} epochs in ${result.seconds} s; train accuracy ${result.trainAccuracy.toFixed(3)}`);
  console.log(`held-out accuracy ${result.testAccuracy.toFixed(3)} (chance ${result.chance.toFixed(2)})`);
  console.log(
    `confusion (rows: truth, columns: predicted)\n${' '.repeat(8)}${classes.map((c) => c.padStart(8)).join('')}`,
  );
  for (const [i, r] of confusion.entries())
    console.log(`${classes[i].padEnd(8)}${r.map((v) => String(v).padStart(8)).join('')}`);
  console.log(
    `reloaded model: held-out ${test[0].label} → ${reloadedLabel}${args.save ? ` (saved to ${args.save})` : ''}`,
  );
}
