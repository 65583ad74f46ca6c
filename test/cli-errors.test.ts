// Issue 10 #13: the CLI. `predict` runs a saved model of every task `train` has (its predictions
// equal the library's on the same file and data), refuses a model of another task, and bad input
// (a folder for --text or --model, a corrupt model, an unwritable --save) ends with one line on
// stderr and exit code 2, before any training.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, Sequential, tasks } from '../src/index.js';

const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
const dir = mkdtempSync(join(tmpdir(), 'wasm-lstm-cli-errors-'));
const TEXT = 'the cat sat on the mat. the dog sat on the log. the cat and the dog sat. '.repeat(3);

/** One line on stderr, no stack trace, exit code 2. */
function badInput(r: ReturnType<typeof run>, pattern: RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const files: Record<string, string> = {};

describe('issue 10 #13: CLI', () => {
  beforeAll(async () => {
    await init();
    writeFileSync(join(dir, 'text.txt'), TEXT);
    const common = ['--epochs', '1', '--hidden', '8', '--seed', '3'];
    for (const [task, extra] of [
      ['adding', ['--samples', '64', '--steps', '12']],
      ['copy', ['--samples', '64', '--steps', '6']],
      ['sine', ['--samples', '64', '--steps', '10']],
      ['dogcat', []],
      ['text', ['--text', join(dir, 'text.txt'), '--steps', '8', '--generate', '5']],
    ] as const) {
      files[task] = join(dir, `${task}.safetensors`);
      const r = run('train', task, ...common, ...extra, '--save', files[task]!, '--json');
      expect(r.status, r.stderr).toBe(0);
    }
  }, 300_000);

  it('predict runs every task; its numbers are the library’s on the same file', async () => {
    const load = async (task: string) => Sequential.load(readFileSync(files[task]!));
    const json = (task: string, ...args: string[]) => {
      const r = run('predict', '--model', files[task]!, '--json', '--samples', '4', '--seed', '9', ...args);
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };
    const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-6);

    let m = await load('adding');
    const adding = tasks.addingProblem(4, 12, 9);
    const pa = m.predict(adding.x).data;
    json('adding').rows.forEach((r: { prediction: number }, i: number) => {
      close(r.prediction, pa[i]!);
    });
    m.dispose();

    m = await load('copy');
    const copy = tasks.copyTask(4, 6, 4, 9),
      pc = m.predict(copy.x).data;
    json('copy').rows.forEach((r: { target: number; prediction: number }, i: number) => {
      expect(r.target).toBe(copy.y.data[i]);
      const row = Array.from(pc.subarray(i * 4, i * 4 + 4));
      expect(r.prediction).toBe(row.indexOf(Math.max(...row)));
    });
    m.dispose();

    m = await load('sine');
    const sine = tasks.sineTask(4, 10, { seed: 9 }),
      ps = m.predict(sine.x).data;
    json('sine').rows.forEach((r: { prediction: number }, i: number) => {
      close(r.prediction, ps[i * 10 + 9]!);
    });
    m.dispose();

    expect(json('dogcat').rows.map((r: { next: string }) => typeof r.next)).toEqual(['string', 'string', 'string']);

    m = await load('text');
    const vocab = JSON.parse(Sequential.metadata(readFileSync(files.text!)).vocab!) as string[];
    expect(vocab).toEqual([...new Set(TEXT)].sort());
    const t = json('text', '--prompt', 'the ', '--generate', '12', '--temperature', '0');
    const ids = m.generate({ prompt: Array.from('the ', (c) => vocab.indexOf(c)), steps: 12, temperature: 0, seed: 9 });
    expect(t.text).toBe(`the ${ids.map((i) => vocab[i]).join('')}`);
    m.dispose();
  }, 120_000);

  it('a model of another task, or a prompt outside the vocabulary, is refused in one line', () => {
    badInput(run('predict', '--model', files.adding!, '--task', 'dogcat'), /trained on adding, not dogcat/);
    badInput(run('predict', '--model', files.text!, '--task', 'sine'), /trained on text, not sine/);
    badInput(run('predict', '--model', files.text!, '--prompt', 'ZZZ'), /"Z" is not in the model's vocabulary/);
  });

  it('a model saved without a task needs --task, and must fit the task', async () => {
    const m = await Sequential.load(readFileSync(files.dogcat!));
    const plain = join(dir, 'plain.safetensors');
    writeFileSync(plain, m.save());
    m.dispose();
    const r = run('predict', '--model', plain);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/does not say which task/);
    badInput(run('predict', '--model', plain, '--task', 'adding'), /\[SHAPE_MISMATCH\]|\[INVALID_ARGUMENT\]/);
    expect(run('predict', '--model', plain, '--task', 'dogcat').status).toBe(0);
  });

  it('bad files: one line and exit 2 (no stack trace)', () => {
    const corrupt = join(dir, 'corrupt.safetensors');
    writeFileSync(corrupt, readFileSync(files.adding!).subarray(0, 200));
    badInput(run('predict', '--model', corrupt), /SAFETENSORS_INVALID/);
    const notModel = join(dir, 'other.safetensors');
    writeFileSync(
      notModel,
      readFileSync(files.adding!).map((b, i) => (i > 8 && b === 0x66 ? 0x67 : b)),
    ); // "format" → "gormat"
    badInput(run('predict', '--model', notModel), /SAFETENSORS_INVALID|SyntaxError|format/);
    badInput(run('predict', '--model', dir), /--model .*not a file/);
    badInput(run('predict', '--model', join(dir, 'missing.safetensors')), /--model .*ENOENT/);
    badInput(run('train', 'text', '--text', dir, '--epochs', '1'), /--text .*not a file/);
  });

  it('a bad --save path is found before training', () => {
    for (const save of [join(dir, 'no', 'such', 'dir', 'm.safetensors'), dir]) {
      const t0 = performance.now();
      const r = run('train', 'adding', '--epochs', '50', '--save', save);
      badInput(r, /--save/);
      expect(r.stdout).not.toMatch(/epoch/);
      expect(performance.now() - t0).toBeLessThan(10_000);
    }
  });
});
