// wasm-lstm predict --model FILE: runs a saved model on fresh data of its task. A model saved by
// `train --save` names its task (and steps, and a text model its vocabulary); --task must agree
// with it. A model saved otherwise needs --task, and must fit the task's data.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Sequential } from '../model/sequential.js';
import { init } from '../runtime.js';
import { addingProblem } from '../tasks/adding.js';
import { copyTask } from '../tasks/copy.js';
import { dogcatData, dogcatQuestions } from '../tasks/dogcat.js';
import { sineTask } from '../tasks/sine.js';
import { checkFile, InputError, int, isTask, num, type TaskName, TASKS, threadsFlag, UsageError } from './args.js';
import { DEFAULTS } from './tasks.js';

interface PredictOptions {
  samples: number;
  seed: number;
  steps: number;
  meta: Record<string, string>;
  prompt: string | undefined;
  generate: number;
  temperature: number;
}

/** Rows to print (one line each) and the JSON of the same. */
type Output = { lines: string[]; json: Record<string, unknown> };

const argmax = (row: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
};

const RUN: Record<TaskName, (model: Sequential, o: PredictOptions) => Output> = {
  adding(model, o) {
    const data = addingProblem(o.samples, o.steps, o.seed);
    const p = model.predict(data.x).data;
    const rows = Array.from(p, (v, i) => ({ target: data.y.data[i]!, prediction: v }));
    return {
      lines: rows.map((r) => `target ${r.target.toFixed(3)}  prediction ${r.prediction.toFixed(3)}`),
      json: { rows },
    };
  },
  copy(model, o) {
    const data = copyTask(o.samples, o.steps, 4, o.seed);
    const p = model.predict(data.x).data,
      C = data.classes;
    const rows = Array.from(data.y.data, (target, i) => ({ target, prediction: argmax(p.subarray(i * C, i * C + C)) }));
    const accuracy = rows.filter((r) => r.target === r.prediction).length / rows.length;
    return {
      lines: [
        ...rows.map((r) => `symbol ${r.target}  recalled ${r.prediction}${r.target === r.prediction ? '' : '  ✗'}`),
        `accuracy ${accuracy.toFixed(3)} (chance 0.25)`,
      ],
      json: { rows, accuracy },
    };
  },
  sine(model, o) {
    const data = sineTask(o.samples, o.steps, { seed: o.seed });
    const p = model.predict(data.x).data,
      T = o.steps;
    // the forecast of the value after the last step, per series
    const rows = Array.from({ length: o.samples }, (_, n) => ({
      last: data.x.data[n * T + T - 1]!,
      next: data.y.data[n * T + T - 1]!,
      prediction: p[n * T + T - 1]!,
    }));
    const rmse = Math.sqrt(rows.reduce((s, r) => s + (r.prediction - r.next) ** 2, 0) / rows.length);
    return {
      lines: [
        ...rows.map(
          (r) => `last ${r.last.toFixed(3)}  next ${r.next.toFixed(3)}  prediction ${r.prediction.toFixed(3)}`,
        ),
        `RMSE ${rmse.toFixed(4)}`,
      ],
      json: { rows, rmse },
    };
  },
  dogcat(model) {
    const q = dogcatQuestions(3),
      vocab = dogcatData().vocab,
      p = model.predict(q.x).data,
      V = vocab.length;
    const rows = q.prompts.map((prompt, i) => ({ prompt, next: vocab[argmax(p.subarray(i * V, (i + 1) * V))] }));
    return { lines: rows.map((r) => `${r.prompt} → ${r.next}`), json: { rows } };
  },
  text(model, o) {
    let vocab: unknown;
    try {
      vocab = JSON.parse(o.meta.vocab ?? 'null');
    } catch {
      vocab = null;
    }
    if (!Array.isArray(vocab) || vocab.length === 0 || vocab.some((c) => typeof c !== 'string'))
      throw new InputError(
        'this text model was saved without its vocabulary: train it again with `wasm-lstm train text --save`',
      );
    const chars = vocab as string[],
      prompt = o.prompt ?? chars[0]!;
    const ids = Array.from(prompt, (c) => {
      const i = chars.indexOf(c);
      if (i < 0) throw new InputError(`--prompt: ${JSON.stringify(c)} is not in the model's vocabulary`);
      return i;
    });
    if (ids.length === 0) throw new InputError('--prompt must not be empty');
    const out = model.generate({ prompt: ids, steps: o.generate, temperature: o.temperature, seed: o.seed });
    const text = prompt + out.map((i) => chars[i]).join('');
    return { lines: [text], json: { prompt, text } };
  },
};

export async function predict(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      task: { type: 'string' },
      samples: { type: 'string' },
      seed: { type: 'string' },
      steps: { type: 'string' },
      prompt: { type: 'string' },
      generate: { type: 'string' },
      temperature: { type: 'string' },
      json: { type: 'boolean', default: false },
      threads: { type: 'string' },
    },
  });
  if (!values.model) throw new UsageError('predict needs --model FILE');
  const threads = threadsFlag(values.threads);
  if (values.task !== undefined && !isTask(values.task))
    throw new UsageError(`unknown task ${JSON.stringify(values.task)}: expected one of ${TASKS.join(', ')}`);
  await checkFile('model', values.model);
  const bytes = await readFile(values.model);
  const meta = Sequential.metadata(bytes);
  const saved = meta.task;
  if (saved !== undefined && !isTask(saved))
    throw new InputError(`${values.model} names an unknown task ${JSON.stringify(saved)}`);
  if (values.task !== undefined && saved !== undefined && values.task !== saved)
    throw new InputError(`${values.model} was trained on ${saved}, not ${values.task}`);
  const task = (values.task ?? saved) as TaskName | undefined;
  if (!task)
    throw new UsageError(
      `${values.model} does not say which task it was trained on: pass --task (${TASKS.join(', ')})`,
    );
  const savedSteps = meta.steps === undefined ? undefined : Number(meta.steps);
  const o: PredictOptions = {
    samples: int('samples', values.samples, 5),
    seed: int('seed', values.seed, 12345, 0),
    steps: int('steps', values.steps, Number.isInteger(savedSteps) ? savedSteps! : DEFAULTS[task].steps),
    meta,
    prompt: values.prompt,
    generate: int('generate', values.generate, 200, 0),
    temperature: num('temperature', values.temperature, 0.7, true),
  };
  await init(threads === undefined ? {} : { threads });
  const model = await Sequential.load(bytes);
  try {
    const { lines, json } = RUN[task](model, o);
    if (values.json) console.log(JSON.stringify({ task, ...json }));
    else for (const line of lines) console.log(line);
  } finally {
    model.dispose();
  }
}
