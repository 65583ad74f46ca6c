// The task models in each file format: trains every CLI task (`wasm-lstm train <task> --save`), then
// measures the file sizes (f32 as saved after training, i.e. with the Adam state; f32 weights only;
// f16; int8) and the task's metric with f32, f16 (reloaded) and int8 weights.
//   node bench/quantized-tasks.mjs [--only adding,copy] [--json]
// The text task trains on README.md. Uses the built package (npm run build).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { init, Sequential, tasks } from '../dist/index.js';

const { values: args } = parseArgs({
  options: { only: { type: 'string' }, json: { type: 'boolean', default: false } },
});
const TASKS = ['adding', 'copy', 'sine', 'dogcat', 'text'];
const only = args.only ? args.only.split(',') : TASKS;
const cli = new URL('../dist/cli.js', import.meta.url).pathname;
const textFile = new URL('../README.md', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'wasm-lstm-q-'));
await init();

/** The task's headline metric of a model, as the CLI reports it (same seeds, same test sets). */
function metric(task, model) {
  if (task === 'adding')
    return { name: 'test MSE', value: model.evaluate(...xy(tasks.addingProblem(512, 100, 1001))).loss };
  if (task === 'copy')
    return { name: 'test accuracy', value: model.evaluate(...xy(tasks.copyTask(512, 50, 4, 1001))).accuracy };
  if (task === 'sine')
    return { name: 'test RMSE', value: Math.sqrt(model.evaluate(...xy(tasks.sineTask(256, 50, { seed: 1001 }))).loss) };
  if (task === 'text') {
    const d = tasks.charData(readFileSync(textFile, 'utf8'), 64, 32);
    return { name: 'next-character accuracy', value: model.evaluate(d.x, d.y).accuracy };
  }
  const q = tasks.dogcatQuestions(3),
    p = model.predict(q.x).data,
    V = tasks.DOGCAT_VOCAB.length;
  const right = q.answers.filter((a, i) => {
    const row = Array.from(p.subarray(i * V, (i + 1) * V));
    return row.indexOf(Math.max(...row)) === a;
  }).length;
  return { name: 'correct of 3', value: right };
}
const xy = (t) => [t.x, t.y];

const rows = [];
try {
  for (const task of only) {
    const file = join(dir, `${task}.safetensors`);
    const extra = task === 'text' ? ['--text', textFile] : [];
    execFileSync(process.execPath, [cli, 'train', task, '--save', file, '--json', ...extra], { stdio: 'pipe' });
    const saved = readFileSync(file);
    const model = await Sequential.load(saved);
    const weightsOnly = new Sequential(model.layers); // the same layers, no optimizer: an inference file
    weightsOnly.compile({ loss: model.loss, metrics: ['copy', 'dogcat', 'text'].includes(task) ? ['accuracy'] : [] });
    const f16Bytes = weightsOnly.save({ dtype: 'f16' });
    const f32Bytes = weightsOnly.save();
    const int8 = model.quantize({ weights: 'int8' });
    const int8Bytes = int8.save();
    const f16 = await Sequential.load(f16Bytes);
    const m32 = metric(task, model),
      m16 = metric(task, f16),
      m8 = metric(task, int8);
    rows.push({
      task,
      metric: m32.name,
      f32: m32.value,
      f16: m16.value,
      int8: m8.value,
      bytes: { saved: saved.length, f32: f32Bytes.length, f16: f16Bytes.length, int8: int8Bytes.length },
    });
    for (const m of [model, int8, f16]) m.dispose();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (args.json) console.log(JSON.stringify(rows, null, 2));
else {
  const fmt = (v) => (Number.isInteger(v) ? String(v) : v.toPrecision(4));
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    'task    metric                    f32      f16      int8     | saved (Adam)  f32 weights  f16                int8',
  );
  for (const r of rows) {
    const b = r.bytes;
    console.log(
      `${r.task.padEnd(7)} ${r.metric.padEnd(25)} ${fmt(r.f32).padEnd(8)} ${fmt(r.f16).padEnd(8)} ${fmt(r.int8).padEnd(8)} | ` +
        `${kb(b.saved).padEnd(13)} ${kb(b.f32).padEnd(12)} ${`${kb(b.f16)} (${(b.f16 / b.f32).toFixed(2)}×)`.padEnd(18)} ` +
        `${kb(b.int8)} (${(b.int8 / b.f32).toFixed(3)}× f32 weights, ${(b.int8 / b.saved).toFixed(3)}× saved)`,
    );
  }
}
