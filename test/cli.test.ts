// The CLI as a user runs it (the built dist/cli.js, which `npm ci` builds through `prepare`).
// `train dogcat` runs once per test run, in test/setup/dogcat.ts; its output is checked here.
import { describe, it, expect, inject } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

const ROOT = new URL('../', import.meta.url);
const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('wasm-lstm CLI', () => {
  it('the package bin is the built CLI: a node shebang, and --help prints the usage', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8'));
    const bin = new URL(pkg.bin['wasm-lstm'], ROOT).pathname;
    expect(bin).toBe(CLI);
    expect(readFileSync(bin, 'utf8').split('\n', 1)[0]).toBe('#!/usr/bin/env node');
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage:\n {2}wasm-lstm train /);
  });

  it('train dogcat --json: one object per epoch and a final summary; save + predict', () => {
    const { dir, file, epochs, status, stdout, stderr } = inject('dogcat');
    expect(status, stderr).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(epochs + 1);
    expect(lines[0]).toMatchObject({ epoch: 1 });
    expect(lines[epochs]).toMatchObject({ task: 'dogcat', metric: 1, epochs });
    expect(typeof lines[epochs].seconds).toBe('number');
    expect(readdirSync(dir)).toEqual([basename(file)]); // atomic save left no temp file
    const p = run('predict', '--model', file, '--json');
    expect(p.status).toBe(0);
    expect(JSON.parse(p.stdout).rows.map((x: { next: string }) => x.next)).toEqual(['Cat', 'Mouse', 'Dog']);
  });

  it('train --threads 2: the same losses as one thread, and the summary says 2 threads', () => {
    const losses = (threads: string) => {
      const r = run('train', 'sine', '--epochs', '2', '--json', '--threads', threads);
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      return { losses: lines.slice(0, -1).map((l) => l.loss as number), summary: lines.at(-1) };
    };
    const one = losses('1'),
      two = losses('2');
    expect(two.summary.threads).toBe(2);
    expect(one.summary.threads).toBe(1);
    expect(two.losses).toHaveLength(2);
    two.losses.forEach((l, i) => {
      expect(Math.abs(l - one.losses[i]!) / Math.max(1, Math.abs(one.losses[i]!))).toBeLessThan(1e-6);
    });
  });

  it('plain lines without a TTY', () => {
    const r = run('train', 'adding', '--epochs', '2', '--samples', '128', '--steps', '10');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/epoch 1\/2 {2}loss \d/);
    expect(r.stdout).toMatch(/test MSE/);
  });

  it('gradflow: the RNN’s gradient at t=1 is orders of magnitude below the LSTM’s', () => {
    const norms = (cell: string) => {
      const r = run('gradflow', '--cell', cell, '--steps', '100', '--json');
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout).gradNorms as number[];
    };
    const rnn = norms('rnn'),
      lstm = norms('lstm');
    expect(rnn).toHaveLength(100);
    expect(lstm[0]! / rnn[0]!).toBeGreaterThan(100);
    const chart = run('gradflow', '--cell', 'gru');
    expect(chart.stdout).toMatch(/t= {3}1 .*\n[\s\S]*t= 100 .*█/);
  });

  it('bench: the package’s benchmark; on Node 20 it re-runs itself so relaxed SIMD is measured too', () => {
    // (this spawned node has no --experimental-wasm-relaxed-simd: the build can only come from the re-run)
    const r = run('bench', '--quick', '--json', '--only', 'W1,W2r', '--builds', 'relaxed-simd,scalar');
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.builds).toEqual(['relaxed-simd', 'scalar']);
    expect(report.results.map((w: { id: string }) => w.id)).toEqual(['W1', 'W2r']);
    for (const w of report.results)
      for (const b of ['relaxed-simd', 'scalar']) expect(w.impls[b].median).toBeGreaterThan(0);
    const without = run(
      'bench',
      '--quick',
      '--json',
      '--only',
      'W1',
      '--builds',
      'relaxed-simd,scalar',
      '--no-relaxed',
    );
    expect(without.status, without.stderr).toBe(0);
    expect(JSON.parse(without.stdout).builds).toEqual(['scalar']);
  });

  it('bad flags: a clear message and exit code 2', () => {
    for (const args of [
      ['train', 'nope'],
      ['train', 'adding', '--epochs', '0'],
      ['train', 'adding', '--bogus'],
      ['predict'],
      ['frobnicate'],
      [],
      ['gradflow', '--cell', 'tcn'],
      ['train', 'adding', '--threads', 'many'],
      ['train', 'adding', '--threads', '0'],
      ['bench', '--only', 'W9'],
      ['bench', '--builds', 'avx512'],
      ['bench', '--fast'],
    ]) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^wasm-lstm: .+\nusage:/);
    }
  });
});
