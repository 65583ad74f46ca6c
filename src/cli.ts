// The command line: wasm-lstm train <task> | predict --model FILE | bench.
// On a TTY each epoch shows a progress bar (cli-progress, bundled at build time so the package
// keeps zero runtime dependencies); without a TTY one plain line per epoch; --json one JSON
// object per epoch and a final summary. Bad flags: a message and exit code 2.
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { BUILDS, init, supportedBuilds, type BuildName } from './runtime.js';
import { runBenchmark } from './bench/run.js';
import { formatReport } from './bench/report.js';
import { formatThreadsReport, runThreadsBenchmark } from './bench/threads.js';
import { WORKLOADS } from './bench/workloads.js';
import { LSTM } from './layers/lstm.js';
import { Dense } from './layers/dense.js';
import { Embedding } from './layers/embedding.js';
import { GRU } from './layers/gru.js';
import { SimpleRNN } from './layers/rnn.js';
import type { Recurrent } from './layers/recurrent.js';
import { Sequential, type EpochLogs } from './model/sequential.js';
import { Adam } from './optim/rules.js';
import { addingProblem } from './tasks/adding.js';
import { dogcatData, dogcatQuestions } from './tasks/dogcat.js';
import { copyTask } from './tasks/copy.js';
import { sineTask } from './tasks/sine.js';
import { charData } from './tasks/text.js';
import type { Tensor } from './tensor.js';

const USAGE = `usage:
  wasm-lstm train <adding|copy|sine|dogcat|text> [--epochs N] [--hidden H] [--batch B] [--lr X]
                  [--seed S] [--steps T] [--samples N] [--save FILE] [--json] [--threads N|auto]
                  text: --text FILE [--generate N] [--temperature X]
  wasm-lstm predict --model FILE [--task adding|dogcat] [--samples N] [--json] [--threads N|auto]
  wasm-lstm gradflow [--cell rnn|lstm|gru] [--steps T] [--hidden H] [--samples N] [--seed S] [--json]
  wasm-lstm bench [--quick] [--json] [--only W1,W2,…] [--builds simd,scalar] [--no-relaxed] [--threads N]`;

class UsageError extends Error {}

const TASKS = ['adding', 'copy', 'sine', 'dogcat', 'text'] as const;
type TaskName = (typeof TASKS)[number];

interface TaskSetup {
  model: Sequential;
  train: { x: Tensor; y: Tensor };
  metricName: string;
  metric: () => number; // the task's headline number after training
  report: () => string[]; // what a person reads at the end
}

function int(name: string, v: string | undefined, fallback: number, min = 1): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return n;
}

function num(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive number, got ${JSON.stringify(v)}`);
  return n;
}

/** --threads: a whole number ≥ 1 or 'auto' (init's option); absent: one thread. */
function threadsFlag(v: string | undefined): number | 'auto' | undefined {
  if (v === undefined || v === 'auto') return v;
  const n = int('threads', v, 1);
  if (n > 64) throw new UsageError(`--threads must be at most 64 (or auto), got ${n}`);
  return n;
}

interface TaskOptions {
  hidden: number;
  lr: number;
  seed: number;
  steps: number;
  samples: number;
  text?: string;
  generate: number;
  temperature: number;
}

const DEFAULTS: Record<
  TaskName,
  { epochs: number; hidden: number; batch: number; lr: number; steps: number; samples: number }
> = {
  adding: { epochs: 25, hidden: 32, batch: 64, lr: 1e-2, steps: 100, samples: 4096 },
  copy: { epochs: 20, hidden: 32, batch: 32, lr: 3e-3, steps: 50, samples: 2048 },
  sine: { epochs: 10, hidden: 32, batch: 32, lr: 1e-2, steps: 50, samples: 1024 },
  dogcat: { epochs: 60, hidden: 16, batch: 8, lr: 0.05, steps: 3, samples: 0 },
  text: { epochs: 20, hidden: 128, batch: 32, lr: 5e-3, steps: 64, samples: 0 },
};

function setupTask(task: TaskName, o: TaskOptions): TaskSetup {
  if (task === 'copy') {
    const train = copyTask(o.samples, o.steps, 4, o.seed),
      test = copyTask(512, o.steps, 4, o.seed + 1000),
      F = train.x.shape[2]!;
    const model = new Sequential([
      new LSTM({ inputSize: F, hiddenSize: o.hidden, forgetBias: 1, seed: o.seed }),
      new Dense({ inputSize: o.hidden, outputSize: 4, activation: 'softmax', seed: o.seed + 1 }),
    ]);
    model.compile({
      loss: 'sparseCategoricalCrossentropy',
      optimizer: new Adam({ learningRate: o.lr, clipNorm: 1 }),
      metrics: ['accuracy'],
    });
    const metric = () => model.evaluate(test.x, test.y).accuracy!;
    return {
      model,
      train,
      metricName: `recall accuracy after ${o.steps} distractors`,
      metric,
      report: () => [`test accuracy ${metric().toFixed(3)} (chance 0.25)`],
    };
  }
  if (task === 'sine') {
    const train = sineTask(o.samples, o.steps, { seed: o.seed }),
      test = sineTask(256, o.steps, { seed: o.seed + 1000 });
    const model = new Sequential([
      new LSTM({ inputSize: 1, hiddenSize: o.hidden, returnSequences: true, seed: o.seed }),
      new Dense({ inputSize: o.hidden, outputSize: 1, seed: o.seed + 1 }),
    ]);
    model.compile({ loss: 'mse', optimizer: new Adam({ learningRate: o.lr, clipNorm: 1 }) });
    const metric = () => Math.sqrt(model.evaluate(test.x, test.y).loss);
    return {
      model,
      train,
      metricName: 'test RMSE (next value)',
      metric,
      report: () => [`RMSE ${metric().toFixed(4)} vs the naive last-value forecast ${test.naiveRmse.toFixed(4)}`],
    };
  }
  if (task === 'text') {
    if (o.text === undefined) throw new UsageError('train text needs --text FILE');
    const data = charData(o.text, o.steps, Math.max(1, Math.floor(o.steps / 2)));
    if (data.x.shape[0] === 0) throw new UsageError(`the text is too short for --steps ${o.steps}`);
    const V = data.vocab.length;
    const model = new Sequential([
      new Embedding({ numEmbeddings: V, embeddingDim: Math.min(32, V), seed: o.seed }),
      new LSTM({ inputSize: Math.min(32, V), hiddenSize: o.hidden, returnSequences: true, seed: o.seed + 1 }),
      new Dense({ inputSize: o.hidden, outputSize: V, activation: 'softmax', seed: o.seed + 2 }),
    ]);
    model.compile({
      loss: 'sparseCategoricalCrossentropy',
      optimizer: new Adam({ learningRate: o.lr, clipNorm: 1 }),
      metrics: ['accuracy'],
    });
    const prompt = Array.from(o.text).slice(0, Math.min(16, o.steps)).join('');
    return {
      model,
      train: { x: data.x, y: data.y },
      metricName: 'next-character accuracy',
      metric: () => model.evaluate(data.x, data.y).accuracy!,
      report: () => [
        `sample (temperature ${o.temperature}):`,
        prompt +
          data.decode(
            model.generate({
              prompt: data.encode(prompt),
              steps: o.generate,
              temperature: o.temperature,
              seed: o.seed,
            }),
          ),
      ],
    };
  }
  if (task === 'adding') {
    const train = addingProblem(o.samples, o.steps, o.seed),
      test = addingProblem(512, o.steps, o.seed + 1000);
    const model = new Sequential([
      new LSTM({ inputSize: 2, hiddenSize: o.hidden, seed: o.seed }),
      new Dense({ inputSize: o.hidden, outputSize: 1, seed: o.seed + 1 }),
    ]);
    model.compile({ loss: 'mse', optimizer: new Adam({ learningRate: o.lr, clipNorm: 1 }) });
    return {
      model,
      train,
      metricName: 'test MSE (predicting the mean scores ≈ 0.167)',
      metric: () => model.evaluate(test.x, test.y).loss,
      report: () => {
        const p = model.predict({ data: test.x.data.subarray(0, 5 * o.steps * 2), shape: [5, o.steps, 2] }).data;
        return [
          ...Array.from(
            p,
            (v, i) => `  sum of the two marked values ${test.y.data[i]!.toFixed(3)}  LSTM says ${v.toFixed(3)}`,
          ),
        ];
      },
    };
  }
  const { x, y, vocab } = dogcatData(3, 4),
    q = dogcatQuestions(3);
  const model = new Sequential([
    new Embedding({ numEmbeddings: vocab.length, embeddingDim: 8, seed: o.seed }),
    new LSTM({ inputSize: 8, hiddenSize: o.hidden, seed: o.seed + 1 }),
    new Dense({ inputSize: o.hidden, outputSize: vocab.length, activation: 'softmax', seed: o.seed + 2 }),
  ]);
  model.compile({
    loss: 'sparseCategoricalCrossentropy',
    optimizer: new Adam({ learningRate: o.lr }),
    metrics: ['accuracy'],
  });
  const answers = () => {
    const p = model.predict(q.x).data;
    return q.answers.map((_, i) => {
      const row = Array.from(p.subarray(i * vocab.length, (i + 1) * vocab.length));
      return row.indexOf(Math.max(...row));
    });
  };
  return {
    model,
    train: { x, y },
    metricName: 'accuracy on "X scares ?"',
    metric: () => answers().filter((a, i) => a === q.answers[i]).length / q.answers.length,
    report: () =>
      answers().map(
        (a, i) =>
          `  ${q.prompts[i]} → ${vocab[a]} ${a === q.answers[i] ? '✓' : `✗ (expected ${vocab[q.answers[i]!]})`}`,
      ),
  };
}

async function train(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      epochs: { type: 'string' },
      hidden: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      seed: { type: 'string' },
      steps: { type: 'string' },
      samples: { type: 'string' },
      save: { type: 'string' },
      json: { type: 'boolean', default: false },
      text: { type: 'string' },
      generate: { type: 'string' },
      temperature: { type: 'string' },
      threads: { type: 'string' },
    },
  });
  const task = positionals[0] as TaskName;
  if (!TASKS.includes(task))
    throw new UsageError(
      `unknown or missing task ${JSON.stringify(positionals[0] ?? '')}: expected one of ${TASKS.join(', ')}`,
    );
  const d = DEFAULTS[task];
  if (values.text !== undefined && task !== 'text') throw new UsageError('--text is for the text task');
  let text: string | undefined;
  if (values.text !== undefined) {
    if (!existsSync(values.text)) throw new UsageError(`no such text file: ${values.text}`);
    text = await readFile(values.text, 'utf8');
  }
  const o = {
    epochs: int('epochs', values.epochs, d.epochs),
    hidden: int('hidden', values.hidden, d.hidden),
    batch: int('batch', values.batch, d.batch),
    lr: num('lr', values.lr, d.lr),
    seed: int('seed', values.seed, 1, 0),
    steps: int('steps', values.steps, d.steps),
    samples: int('samples', values.samples, Math.max(d.samples, 1)),
    generate: int('generate', values.generate, 200, 0),
    temperature: num('temperature', values.temperature, 0.7),
    ...(text !== undefined ? { text } : {}),
  };
  const threads = threadsFlag(values.threads);
  const info = await init(threads === undefined ? {} : { threads });
  const setup = setupTask(task, o);
  const json = values.json,
    tty = !json && process.stdout.isTTY;
  if (!json)
    console.log(
      `training ${task} (${info.build} build, ${info.threads} thread${info.threads > 1 ? 's' : ''}): ${setup.train.x.shape.join('×')} samples, ${o.epochs} epochs, hidden ${o.hidden}`,
    );
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: 'epoch {epoch} |{bar}| {value}/{total} batches | loss {loss} | {rate} samples/s | ETA {eta}s',
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const t0 = performance.now();
  let epochStart = performance.now(),
    last: EpochLogs | null = null;
  const batches = Math.ceil(setup.train.x.shape[0]! / o.batch);
  bar?.start(batches, 0, { epoch: 1, loss: '—', rate: '—' });
  await setup.model.fit(setup.train.x, setup.train.y, {
    epochs: o.epochs,
    batchSize: o.batch,
    seed: o.seed,
    onBatchEnd: (b, l) => {
      const rate = (((b + 1) * o.batch) / ((performance.now() - epochStart) / 1000)).toFixed(0);
      bar?.update(b + 1, { loss: l.loss.toFixed(4), rate });
    },
    onEpochEnd: (epoch, logs) => {
      last = logs;
      const line = {
        epoch: epoch + 1,
        loss: logs.loss,
        ...(logs.accuracy !== undefined ? { accuracy: logs.accuracy } : {}),
        seconds: logs.seconds,
      };
      if (json) console.log(JSON.stringify(line));
      else if (bar) {
        bar.stop();
        if (epoch + 1 < o.epochs) bar.start(batches, 0, { epoch: epoch + 2, loss: '—', rate: '—' });
      } else
        console.log(
          `epoch ${epoch + 1}/${o.epochs}  loss ${logs.loss.toFixed(4)}${logs.accuracy !== undefined ? `  accuracy ${logs.accuracy.toFixed(3)}` : ''}  ${logs.seconds.toFixed(2)}s`,
        );
      epochStart = performance.now();
    },
  });
  const seconds = (performance.now() - t0) / 1000,
    metric = setup.metric();
  if (values.save) await setup.model.saveFile(values.save);
  if (json)
    console.log(
      JSON.stringify({
        task,
        loss: (last as EpochLogs | null)?.loss ?? null,
        metric,
        metricName: setup.metricName,
        epochs: o.epochs,
        seconds,
        build: info.build,
        threads: info.threads,
        ...(values.save ? { saved: values.save } : {}),
      }),
    );
  else {
    console.log(`\n${setup.metricName}: ${metric.toFixed(4)} after ${o.epochs} epochs in ${seconds.toFixed(1)} s`);
    for (const line of setup.report()) console.log(line);
    if (values.save) console.log(`saved to ${values.save}`);
  }
  setup.model.dispose();
}

async function predict(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      task: { type: 'string' },
      samples: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
      threads: { type: 'string' },
    },
  });
  if (!values.model) throw new UsageError('predict needs --model FILE');
  if (!existsSync(values.model)) throw new UsageError(`no such model file: ${values.model}`);
  const threads = threadsFlag(values.threads);
  await init(threads === undefined ? {} : { threads });
  const model = await Sequential.load(await readFile(values.model));
  const first = model.layers[0]!;
  const task: TaskName = (values.task as TaskName | undefined) ?? (first.kind === 'Embedding' ? 'dogcat' : 'adding');
  if (!TASKS.includes(task))
    throw new UsageError(`unknown task ${JSON.stringify(values.task)}: expected one of ${TASKS.join(', ')}`);
  const n = int('samples', values.samples, 5),
    seed = int('seed', values.seed, 12345, 0);
  if (task === 'adding') {
    const steps = 100,
      data = addingProblem(n, steps, seed);
    const p = model.predict(data.x).data;
    const rows = Array.from(p, (v, i) => ({ target: data.y.data[i]!, prediction: v }));
    if (values.json) console.log(JSON.stringify({ task, rows }));
    else for (const r of rows) console.log(`target ${r.target.toFixed(3)}  prediction ${r.prediction.toFixed(3)}`);
  } else {
    const q = dogcatQuestions(3),
      vocab = dogcatData().vocab,
      p = model.predict(q.x).data;
    const rows = q.prompts.map((prompt, i) => {
      const row = Array.from(p.subarray(i * vocab.length, (i + 1) * vocab.length));
      return { prompt, next: vocab[row.indexOf(Math.max(...row))] };
    });
    if (values.json) console.log(JSON.stringify({ task, rows }));
    else for (const r of rows) console.log(`${r.prompt} → ${r.next}`);
  }
  model.dispose();
}

// ‖∂L/∂h_t‖ per step of an untrained cell on the adding problem: the vanishing-gradient picture.
async function gradflow(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      cell: { type: 'string' },
      steps: { type: 'string' },
      hidden: { type: 'string' },
      samples: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const cell = values.cell ?? 'lstm';
  if (!['rnn', 'lstm', 'gru'].includes(cell))
    throw new UsageError(`--cell must be rnn, lstm or gru, got ${JSON.stringify(cell)}`);
  const T = int('steps', values.steps, 100),
    H = int('hidden', values.hidden, 32),
    N = int('samples', values.samples, 64),
    seed = int('seed', values.seed, 1, 0);
  await init();
  const { x, y } = addingProblem(N, T, seed);
  const o = { inputSize: 2, hiddenSize: H, seed };
  const layer: Recurrent = cell === 'rnn' ? new SimpleRNN(o) : cell === 'gru' ? new GRU(o) : new LSTM(o);
  const head = new Dense({ inputSize: H, outputSize: 1, seed: seed + 1 });
  const pred = head.forwardTensor(layer.forwardTensor(x));
  const dHead = head.backwardTensor({ data: pred.data.map((p, i) => (2 * (p - y.data[i]!)) / N), shape: pred.shape });
  layer.backward(new Float32Array(N * T * H), { dh: dHead.data, recordGradNorms: true });
  const norms = Array.from(layer.gradNorms());
  layer.dispose();
  head.dispose();
  if (values.json) {
    console.log(JSON.stringify({ cell, steps: T, hidden: H, gradNorms: norms }));
    return;
  }
  console.log(
    `‖∂L/∂h_t‖ for an untrained ${cell.toUpperCase()} (H=${H}) on the adding problem, T=${T}; log scale, t = 1 at the top`,
  );
  const logs = norms.map((v) => Math.log10(Math.max(v, 1e-45)));
  const hi = Math.max(...logs),
    lo = Math.min(...logs),
    width = 50;
  const rows = Math.min(T, 20);
  for (let r = 0; r < rows; r++) {
    const t = Math.round((r * (T - 1)) / Math.max(rows - 1, 1));
    const n = hi === lo ? width : Math.round(((logs[t]! - lo) / (hi - lo)) * width);
    console.log(
      `t=${String(t + 1).padStart(4)} ${norms[t]!.toExponential(2).padStart(9)} ${'█'.repeat(Math.max(n, 0))}`,
    );
  }
  console.log(`ratio ‖∂L/∂h_T‖ / ‖∂L/∂h_1‖ = ${(norms[T - 1]! / norms[0]!).toExponential(2)}`);
}

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

/**
 * The benchmark (src/bench/), the same table as the repository's `npm run bench` without the
 * plain-JS baseline. Node 20 validates relaxed SIMD only behind a V8 flag: unless --no-relaxed,
 * the command runs itself again in a child node with that flag, so one command measures every
 * build the engine has. (v8.setFlagsFromString after startup is documented as undefined behaviour,
 * which a measurement should not rest on; a child process costs ~50 ms of a run of a minute.)
 */
async function bench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      only: { type: 'string' },
      builds: { type: 'string' },
      'no-relaxed': { type: 'boolean', default: false },
      threads: { type: 'string' },
    },
  });
  const list = (v: string | undefined) => (v === undefined ? undefined : v.split(',').filter(Boolean));
  const only = list(values.only);
  const builds = list(values.builds);
  const ids = WORKLOADS.map((w) => w.id);
  const badId = only?.find((id) => !ids.includes(id));
  if (badId !== undefined)
    throw new UsageError(`--only: unknown workload ${JSON.stringify(badId)} (known: ${ids.join(', ')})`);
  const badBuild = builds?.find((b) => !(BUILDS as readonly string[]).includes(b));
  if (badBuild !== undefined)
    throw new UsageError(`--builds: unknown build ${JSON.stringify(badBuild)} (known: ${BUILDS.join(', ')})`);

  if (
    !values['no-relaxed'] &&
    !supportedBuilds().includes('relaxed-simd') &&
    (builds === undefined || builds.includes('relaxed-simd')) &&
    !process.execArgv.includes(RELAXED_FLAG) &&
    process.env.WASM_LSTM_BENCH_CHILD !== '1'
  ) {
    const script = fileURLToPath(import.meta.url);
    const r = spawnSync(process.execPath, [...process.execArgv, RELAXED_FLAG, script, 'bench', ...argv], {
      stdio: 'inherit',
      env: { ...process.env, WASM_LSTM_BENCH_CHILD: '1' },
    });
    // Exit code 9: this node does not know the flag; measure here without relaxed SIMD.
    if (!r.error && r.status !== 9) {
      process.exitCode = r.status ?? 1;
      return;
    }
  }

  if (values.threads !== undefined) {
    // the 1- and N-thread rows of the same run, for the best build asked for (src/bench/threads.ts)
    const threads = int('threads', values.threads, 2, 2);
    const report = await runThreadsBenchmark({
      threads,
      quick: values.quick,
      ...(only ? { only } : {}),
      ...(builds ? { build: builds.find((b) => supportedBuilds().includes(b as BuildName)) as BuildName } : {}),
    });
    console.log(values.json ? JSON.stringify(report, null, 2) : formatThreadsReport(report));
    return;
  }
  const progress = !values.json && process.stderr.isTTY;
  const total = only?.length ?? WORKLOADS.length;
  let done = 0;
  if (progress) process.stderr.write('measuring the peak of each build…');
  const report = await runBenchmark({
    quick: values.quick,
    ...(only ? { only } : {}),
    ...(builds ? { builds: builds as BuildName[] } : {}),
    runtime: `node ${process.version}`,
    onRow: (row) => {
      done++;
      if (progress) process.stderr.write(`\r\x1b[K${row.id} ${row.name} done (${done}/${total})`);
    },
  });
  if (progress) process.stderr.write('\r\x1b[K');
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  try {
    if (command === 'train') await train(rest);
    else if (command === 'predict') await predict(rest);
    else if (command === 'bench') await bench(rest);
    else if (command === 'gradflow') await gradflow(rest);
    else if (command === '--help' || command === '-h' || command === 'help') console.log(USAGE);
    else throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : 'missing command');
  } catch (e) {
    const err = e as Error & { code?: string };
    if (e instanceof UsageError || (typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS'))) {
      console.error(`wasm-lstm: ${err.message}\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
}

await main();
