// The threads rows of the benchmark: every workload with 1 thread and with N threads in the same run,
// one build, the two timed alternately repeat by repeat (so a busy neighbour slows both alike), and
// the speed-up median(1 thread) / median(N threads). `npx wasm-lstm bench --threads N` and
// `npm run bench -- --threads N` print it; kept apart from run.ts so the main table is unchanged.
import { init, LSTMError, supportedBuilds, threadStatus, type BuildName } from '../index.js';
import { wasmRunner, type Runner } from './run.js';
import { WORKLOADS, flops, type Workload } from './workloads.js';

/** Options of {@link runThreadsBenchmark}. */
export interface ThreadsBenchmarkOptions {
  /** Threads to compare with one (an integer ≥ 2). */
  threads: number;
  /** Fewer repeats (3 timed runs each instead of 11). Default false. */
  quick?: boolean;
  /** Workload ids to run (default: all; ids of no workload match nothing). */
  only?: readonly string[];
  /** The build to run (default: the best this engine has). */
  build?: BuildName;
  /** Called after each workload with its row. */
  onRow?: (row: ThreadsRow) => void;
}

/** One side (1 or N threads) of a threads row. */
export interface ThreadsStat {
  /** Per unit (ms, or µs for W1): median over the timed runs. */
  median: number;
  /** Per unit: the fastest timed run. */
  min: number;
  /** Matmul GFLOP/s at the median time. */
  gflops: number;
}

/** One workload with 1 thread and with N. */
export interface ThreadsRow {
  /** The workload's id. */
  id: string;
  /** Its short name. */
  name: string;
  /** The unit of the times. */
  unit: Workload['unit'];
  /** With one thread. */
  one: ThreadsStat;
  /** With the report's `threads`. */
  many: ThreadsStat;
  /** one.median / many.median (> 1: the threads are faster). */
  speedup: number;
}

/** What {@link runThreadsBenchmark} returns. */
export interface ThreadsReport {
  /** Where it ran. */
  runtime: string;
  /** The build both sides ran. */
  build: BuildName;
  /** Threads the N-thread runs had (1 where the runtime cannot run threads: then no rows). */
  threads: number;
  /** Why threads are off here (null when they ran). */
  threadsReason: string | null;
  /** Was it the quick run? */
  quick: boolean;
  /** One row per workload run, in order. */
  results: ThreadsRow[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b),
    m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function timeOnce(r: Runner, out: number[]): void {
  const t0 = performance.now();
  r.run();
  out.push((performance.now() - t0) / r.units);
}

/**
 * Every workload with one thread and with `threads`, in the same run on one build, the two timed
 * alternately repeat by repeat (so a busy neighbour slows both alike); `npx wasm-lstm bench --threads N`
 * prints it. Where threads cannot run, the report has `threads: 1`, the reason and no rows. Leaves the
 * one-thread runtime of the build current.
 * @throws {@link wasm-lstm!LSTMError} (the promise rejects) `INVALID_ARGUMENT` for threads that is not an
 *   integer ≥ 2; whatever init() throws for the build.
 */
export async function runThreadsBenchmark(options: ThreadsBenchmarkOptions): Promise<ThreadsReport> {
  const { threads, quick = false } = options;
  if (!Number.isInteger(threads) || threads < 2) {
    throw new LSTMError('INVALID_ARGUMENT', 'the threads benchmark compares one thread with more', {
      argument: 'threads',
      expected: 'an integer ≥ 2',
      actual: String(threads),
    });
  }
  const build = options.build ?? supportedBuilds()[0]!;
  const info = await init({ build, threads });
  const g = globalThis as { process?: { version?: string }; navigator?: { userAgent?: string } };
  const report: ThreadsReport = {
    runtime: g.process?.version ? `node ${g.process.version}` : (g.navigator?.userAgent ?? 'unknown runtime'),
    build,
    threads: info.threads,
    threadsReason: info.features.threadsReason ?? null,
    quick,
    results: [],
  };
  if (info.threads < 2) return report;
  const t0 = Date.now();
  while (threadStatus().workersReady < threads - 1 && Date.now() - t0 < 20_000) await sleep(10);
  const only = options.only?.length ? new Set(options.only) : null;
  for (const w of WORKLOADS) {
    if (only && !only.has(w.id)) continue;
    await init({ build, threads: 1 });
    const one = wasmRunner(w);
    await init({ build, threads });
    const many = wasmRunner(w);
    const repeats = quick ? 3 : 11,
      warmup = quick ? 1 : 5;
    const t1: number[] = [],
      tn: number[] = [];
    try {
      for (let i = 0; i < warmup; i++) {
        one.run();
        many.run();
      }
      for (let i = 0; i < repeats; i++) {
        // alternate which goes first, so neither always runs right after the other
        if (i % 2) {
          timeOnce(many, tn);
          timeOnce(one, t1);
        } else {
          timeOnce(one, t1);
          timeOnce(many, tn);
        }
      }
    } finally {
      one.dispose();
      many.dispose();
    }
    const scale = w.unit === 'µs/step' ? 1000 : 1,
      perUnit = w.kind === 'stream' ? flops(w) / (w.calls ?? 1) : flops(w);
    const stat = (xs: number[]): ThreadsStat => ({
      median: median(xs) * scale,
      min: Math.min(...xs) * scale,
      gflops: perUnit / median(xs) / 1e6,
    });
    const row: ThreadsRow = { id: w.id, name: w.name, unit: w.unit, one: stat(t1), many: stat(tn), speedup: 0 };
    row.speedup = row.one.median / row.many.median;
    report.results.push(row);
    options.onRow?.(row);
    await sleep(0);
  }
  await init({ build });
  return report;
}

const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** The threads table as text, ready to print. */
export function formatThreadsReport(report: ThreadsReport): string {
  const title = `wasm-lstm threads benchmark: ${report.runtime}, build ${report.build}, 1 vs ${report.threads} threads, timed alternately${report.quick ? ', --quick' : ''}`;
  if (report.threads < 2) return `${title}\nthis runtime runs one thread: ${report.threadsReason ?? 'no threads'}`;
  const header = [
    'workload',
    'unit',
    '1 thread median (min)',
    `${report.threads} threads median (min)`,
    'GFLOP/s 1 / N',
    'speed-up',
  ];
  const lines = [
    header,
    ...report.results.map((r) => [
      `${r.id} ${r.name}`,
      r.unit,
      `${fmt(r.one.median)} (${fmt(r.one.min)})`,
      `${fmt(r.many.median)} (${fmt(r.many.min)})`,
      `${fmt(r.one.gflops)} / ${fmt(r.many.gflops)}`,
      `${r.speedup.toFixed(2)}×`,
    ]),
  ];
  const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  return [
    title,
    ...lines.map((l) => l.map((v, c) => v.padEnd(widths[c]!)).join('  ')),
    '',
    `(speed-up = 1-thread median / ${report.threads}-thread median, same run; W1 is batch 1 and stays on one thread)`,
  ].join('\n');
}
