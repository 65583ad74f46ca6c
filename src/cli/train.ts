// wasm-lstm train <task>: trains a built-in task with a progress bar on a TTY, one line per epoch
// otherwise, or one JSON object per epoch with --json; --save keeps the model (with what predict
// needs to run it again).
import { access, constants, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { EpochLogs } from '../model/sequential.js';
import { init } from '../runtime.js';
import { checkFile, InputError, int, isTask, num, TASKS, threadsFlag, UsageError } from './args.js';
import { DEFAULTS, setupTask } from './tasks.js';

/** `path` can be written: its folder exists and takes a file, and it is not a folder itself. */
async function checkWritable(path: string): Promise<void> {
  const dir = dirname(resolve(path));
  if ((await stat(path).catch(() => null))?.isDirectory()) throw new InputError(`--save ${path} is a directory`);
  if (!(await stat(dir).catch(() => null))?.isDirectory())
    throw new InputError(`--save ${path}: no such directory ${dir}`);
  const probe = join(dir, `.wasm-lstm-${process.pid}-${Date.now()}.probe`);
  try {
    await access(dir, constants.W_OK);
    await writeFile(probe, '');
  } catch (e) {
    throw new InputError(`--save ${path}: cannot write in ${dir} (${(e as Error).message})`);
  } finally {
    await rm(probe, { force: true });
  }
}

export async function train(argv: string[]): Promise<void> {
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
  const task = positionals[0];
  if (!isTask(task))
    throw new UsageError(
      `unknown or missing task ${JSON.stringify(positionals[0] ?? '')}: expected one of ${TASKS.join(', ')}`,
    );
  const d = DEFAULTS[task];
  if (values.text !== undefined && task !== 'text') throw new UsageError('--text is for the text task');
  let text: string | undefined;
  if (values.text !== undefined) {
    await checkFile('text', values.text);
    text = await readFile(values.text, 'utf8');
  }
  // a bad --save path is found now, not after training
  if (values.save !== undefined) await checkWritable(values.save);
  const o = {
    epochs: int('epochs', values.epochs, d.epochs),
    hidden: int('hidden', values.hidden, d.hidden),
    batch: int('batch', values.batch, d.batch),
    lr: num('lr', values.lr, d.lr),
    seed: int('seed', values.seed, 1, 0),
    steps: int('steps', values.steps, d.steps),
    samples: int('samples', values.samples, Math.max(d.samples, 1)),
    generate: int('generate', values.generate, 200, 0),
    temperature: num('temperature', values.temperature, 0.7, true),
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
  if (values.save) await setup.model.saveFile(values.save, { metadata: setup.metadata });
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
