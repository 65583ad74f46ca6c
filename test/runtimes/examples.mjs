// The Node examples (examples/*/), each run as a user runs it, with the short settings
// (EXAMPLES_QUICK=1) and --json, and its result checked:
//   forecast         airline passengers 1959–60, one step ahead: the LSTM's RMSE below 0.75× the
//                    naive "same as last month" forecast's (the seasonal naive is reported too)
//   classify         gestures.csv: held-out accuracy ≥ 0.9 (chance 0.25); the saved and reloaded
//                    model predicts the same class
//   text-generation  declaration.txt: training loss below 1.5 bits/char (character frequencies
//                    alone: 4.3) and ≥ 60% of the sampled words are words of the text
//   pytorch          deploy.mjs on the committed model.safetensors: wasm-lstm within 1e-5 of
//                    PyTorch's own predictions, better than naive, streaming = batched. When torch is
//                    installed, train.py runs too (60 steps, into a temp folder) and deploy.mjs checks
//                    that fresh export the same way; without torch only that Python step is skipped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, lastJson, run } from './util.mjs';

let ok = true;
const check = (name, pass, detail = '') => {
  console.log(`  ${pass ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  if (!pass) ok = false;
};
const env = { ...process.env, EXAMPLES_QUICK: '1' };
async function example(script, args = []) {
  const r = await run(process.execPath, [join(ROOT, 'examples', script), '--json', ...args], {
    env,
    timeoutMs: 180_000,
  });
  const out = lastJson(r.stdout);
  if (r.code !== 0 || !out)
    throw new Error(`${script} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return { ...out, wallSeconds: r.ms / 1000 };
}
const f = (v, d = 3) => v.toFixed(d);

try {
  const fc = await example('forecast/forecast.mjs');
  check(
    'forecast: the LSTM beats the naive forecast on 1959–60',
    fc.rmse.lstm < 0.75 * fc.rmse.naive && fc.testMonths === 24,
    `RMSE LSTM ${f(fc.rmse.lstm, 1)}, naive ${f(fc.rmse.naive, 1)}, seasonal naive ${f(fc.rmse.seasonalNaive, 1)}; ` +
      `MAPE ${f(fc.mapePercent.lstm, 1)}% / ${f(fc.mapePercent.naive, 1)}% / ${f(fc.mapePercent.seasonalNaive, 1)}%; ${f(fc.wallSeconds, 1)} s`,
  );
} catch (e) {
  check('forecast runs', false, e.message);
}

try {
  const cl = await example('classify/classify.mjs');
  check(
    'classify: held-out accuracy ≥ 0.9, reloaded model agrees',
    cl.testAccuracy >= 0.9 && cl.reloaded.samePrediction && cl.classes.length === 4,
    `accuracy ${f(cl.testAccuracy)} on ${cl.test} held-out sequences (chance ${f(cl.chance, 2)}); ${f(cl.wallSeconds, 1)} s`,
  );
} catch (e) {
  check('classify runs', false, e.message);
}

try {
  const tg = await example('text-generation/generate.mjs');
  check(
    'text generation: loss well below the character frequencies, the sample made of the text’s words',
    tg.bitsPerChar < 1.5 && tg.unigramBitsPerChar > 4 && tg.knownWordFraction >= 0.6 && tg.words >= 20,
    `${f(tg.bitsPerChar, 2)} bits/char (frequencies alone ${f(tg.unigramBitsPerChar, 2)}); ` +
      `${f(100 * tg.knownWordFraction, 0)}% of ${tg.words} words known; ${f(tg.wallSeconds, 1)} s: "${tg.sample.slice(0, 70)}…"`,
  );
} catch (e) {
  check('text generation runs', false, e.message);
}

const deployCheck = (label, d) =>
  check(
    `pytorch: ${label}`,
    d.maxAbsDiffVsPyTorch <= 1e-5 && d.rmse < 0.7 * d.naiveRmse && d.streamedVsBatched <= 1e-6,
    `max |wasm-lstm − PyTorch| ${d.maxAbsDiffVsPyTorch.toExponential(2)} over ${d.sequences} sequences; ` +
      `RMSE ${f(d.rmse, 4)} vs naive ${f(d.naiveRmse, 4)}; |streamed − batched| ${d.streamedVsBatched.toExponential(1)}`,
  );
try {
  deployCheck('the committed export loads and matches PyTorch', await example('pytorch/deploy.mjs'));
} catch (e) {
  check('pytorch deploy runs', false, e.message);
}
const python = process.env.PYTHON ?? '/usr/bin/python3';
const hasTorch = (await run(python, ['-c', 'import torch']).catch(() => ({ code: 1 }))).code === 0;
if (!hasTorch) {
  console.log(`  skip pytorch: train.py (${python} has no torch); the committed export was checked above`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-lstm-torch-'));
  try {
    const t = await run(python, [join(ROOT, 'examples/pytorch/train.py'), '--out', dir, '--steps', '60'], {
      timeoutMs: 300_000,
    });
    const trained = lastJson(t.stdout);
    check(
      'pytorch: train.py exports a model',
      t.code === 0 && trained !== null,
      trained ? `torch ${trained.torch}, ${f(t.ms / 1000, 1)} s` : t.stderr.slice(-300),
    );
    if (trained) {
      // 60 steps do not make a good forecaster: compare with PyTorch only
      const d = await example('pytorch/deploy.mjs', ['--dir', dir]);
      check(
        'pytorch: a fresh export from train.py matches PyTorch',
        d.maxAbsDiffVsPyTorch <= 1e-5 && d.streamedVsBatched <= 1e-6,
        `max |wasm-lstm − PyTorch| ${d.maxAbsDiffVsPyTorch.toExponential(2)}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(ok ? 'examples: ok' : 'examples: FAILED');
process.exitCode = ok ? 0 : 1;
