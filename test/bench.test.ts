// The benchmark as a library (src/bench/, wasm-lstm/bench): option checks, extra implementations
// beside the wasm builds, the table, and measurePeak leaving the current build alone.
import { describe, expect, it } from 'vitest';
import { formatReport, reportTable, runBenchmark } from '../src/bench/index.js';
import { LSTMError, init, measurePeak } from '../src/index.js';
import { currentRuntime } from '../src/runtime.js';

async function expectInvalid(p: Promise<unknown>, argument: string): Promise<void> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LSTMError);
  expect((e as LSTMError).code).toBe('INVALID_ARGUMENT');
  expect((e as LSTMError).argument).toBe(argument);
}

describe('benchmark library', () => {
  it('rejects unknown workloads and builds, and bad peak settings', async () => {
    await expectInvalid(runBenchmark({ only: ['W1', 'W9'] }), 'only');
    await expectInvalid(runBenchmark({ builds: ['simd', 'avx' as never] }), 'builds');
    await expectInvalid(measurePeak('simd', { repeats: 0 }), 'repeats');
    await expectInvalid(measurePeak('simd', { iterations: 1.5e2 + 0.5 }), 'iterations');
  });

  it('measurePeak keeps the build that was current', async () => {
    await init({ build: 'simd' });
    const p = await measurePeak('scalar', { repeats: 1, iterations: 1e6 });
    expect(p.median).toBeGreaterThan(0);
    expect(currentRuntime().build).toBe('simd');
  });

  it('times an extra implementation beside a build, and the table has a column per implementation', async () => {
    let calls = 0;
    const rows: string[] = [];
    const report = await runBenchmark({
      quick: true,
      only: ['W1'],
      builds: ['scalar'],
      runtime: 'test',
      // a stand-in that does a fixed amount of work per step
      extra: {
        busy: (w) => ({
          run: () => {
            let s = 0;
            for (let i = 0; i < (w.calls ?? 1) * 200; i++) s += Math.sqrt(i);
            calls += s > 0 ? 1 : 0;
          },
          units: w.calls ?? 1,
          dispose() {},
        }),
      },
      onRow: (row, partial) => rows.push(`${row.id}:${partial.results.length}`),
    });
    expect(rows).toEqual(['W1:1']);
    expect(calls).toBe(3); // 1 warm-up + 2 timed ("slow" implementations in quick mode)
    expect(report.impls).toEqual(['scalar', 'busy']);
    expect(report.base).toBe('scalar');
    const r = report.results[0]!.impls;
    expect(r.scalar!.speedupVsBase).toBe(1);
    expect(r.busy!.speedupVsBase).toBeCloseTo(r.busy!.median / r.scalar!.median, 10);
    const [header] = reportTable(report);
    expect(header).toEqual([
      'workload',
      'unit',
      'scalar median (min)',
      'busy median (min)',
      'scalar GFLOP/s (% peak)',
      'busy GFLOP/s (% peak)',
      'busy/scalar',
    ]);
    expect(formatReport(report)).toMatch(/^wasm-lstm benchmark: test, builds scalar/);
  });
});
