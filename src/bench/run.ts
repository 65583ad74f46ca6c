// The benchmark runner: every workload on every kernel build the engine has (plus any extra
// implementations the caller brings, such as the repository's plain-JS baseline), timed through
// the public API. Runs wherever the library runs (Node, browsers, Deno, Bun); it yields to the
// event loop between measurements so a page stays responsive.
// Only the public API (../index.js): dist/bench.js imports it as 'wasm-lstm', so a page or a
// bundle that also imports the library shares one copy of it.
import {
  Adam,
  GRU,
  LSTM,
  LSTMError,
  SGD,
  SimpleRNN,
  init,
  measurePeak,
  supportedBuilds,
  type BuildName,
  type PeakResult,
} from '../index.js';
import { WORKLOADS, flops, uniform, weightsFor, type Workload } from './workloads.js';

const ALL_BUILDS: readonly BuildName[] = ['relaxed-simd', 'simd', 'scalar'];

/** One workload bound to one implementation: `run()` does `units` units of work. */
export interface Runner {
  run(): void;
  units: number;
  dispose(): void;
}

/** An implementation besides the wasm builds: returns a runner, or null for workloads it lacks. */
export type ExtraImplementation = (w: Workload) => Runner | null;

export interface BenchmarkOptions {
  /** Fewer repeats (the CI setting): 3 timed runs for SIMD, 2 for the slow implementations. */
  quick?: boolean;
  /** Workload ids to run (default: all). */
  only?: readonly string[];
  /** Builds to try (default: all); builds this engine cannot run are left out. */
  builds?: readonly BuildName[];
  /** Extra implementations by name, timed as "slow" ones (fewer repeats), e.g. { js: plainJs }. */
  extra?: Record<string, ExtraImplementation>;
  /** Called after each workload with its row and the report so far, e.g. to draw the table as it fills. */
  onRow?: (row: WorkloadResult, partial: BenchmarkReport) => void;
  /** What to call the runtime in the report (default: Node's version, or the user agent). */
  runtime?: string;
}

export interface ImplResult {
  /** Per unit (`WorkloadResult.unit`): median and minimum over the timed runs. */
  median: number;
  min: number;
  repeats: number;
  /** Matmul GFLOP/s at the median time. */
  gflops: number;
  /** Of this build's measured peak (extra implementations: of the SIMD build's). */
  percentOfPeak: number;
  /** median / the base build's median (> 1: slower than the base). */
  speedupVsBase: number | null;
}

export interface WorkloadResult {
  id: string;
  name: string;
  unit: Workload['unit'];
  gflop: number;
  impls: Record<string, ImplResult>;
}

export interface BenchmarkReport {
  runtime: string;
  /** The wasm builds that ran, best first. */
  builds: BuildName[];
  /** Every implementation in table order: the builds, then the extra ones. */
  impls: string[];
  /** The build the ratios are taken against (SIMD where it exists). */
  base: string;
  /** Builds this engine cannot run (relaxed SIMD on Node 20 without --experimental-wasm-relaxed-simd). */
  unavailable: BuildName[];
  quick: boolean;
  peakGflops: Record<string, PeakResult>;
  workloads: readonly Workload[];
  results: WorkloadResult[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const nextTick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Times `r.run` `repeats` times after `warmup` untimed calls; per-unit milliseconds. */
function time(r: Runner, repeats: number, warmup: number): { median: number; min: number; repeats: number } {
  for (let i = 0; i < warmup; i++) r.run();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    r.run();
    samples.push((performance.now() - t0) / r.units);
  }
  return { median: median(samples), min: Math.min(...samples), repeats: samples.length };
}

/** The wasm implementation of a workload, with the build that is current (init({ build }) first). */
export function wasmRunner(w: Workload): Runner {
  const weights = weightsFor(w);
  const x = uniform(w.B * w.T * w.I, -1, 1, 21);
  const Cell = w.cell === 'gru' ? GRU : w.cell === 'rnn' ? SimpleRNN : LSTM;
  const f32 = new Cell({ inputSize: w.I, hiddenSize: w.H });
  f32.loadStateDict(weights);
  let layer = f32;
  if (w.weights) {
    layer = f32.quantize({ weights: w.weights });
    f32.dispose();
  }
  if (w.kind === 'stream') {
    const calls = w.calls ?? 1;
    const state = layer.createState(w.B);
    // 16 fixed input rows, cycled: no allocation in the timed loop.
    const xs = Array.from({ length: 16 }, (_, i) => x.subarray((i % w.T) * w.I, ((i % w.T) + 1) * w.I));
    return {
      run: () => {
        for (let s = 0; s < calls; s++) layer.step(xs[s & 15]!, state);
      },
      units: calls,
      dispose: () => layer.dispose(),
    };
  }
  if (w.kind === 'infer') {
    return { run: () => void layer.forward(x, { batch: w.B, steps: w.T }), units: 1, dispose: () => layer.dispose() };
  }
  const dOut = uniform(w.B * w.T * w.H, -1, 1, 22);
  const opt = w.optimizer === 'adam' ? new Adam({ learningRate: 1e-3 }) : new SGD({ learningRate: 1e-3 });
  return {
    run: () => {
      layer.zeroGrad();
      layer.forward(x, { batch: w.B, steps: w.T });
      layer.backward(dOut);
      opt.step(layer);
    },
    units: 1,
    dispose: () => {
      opt.dispose();
      layer.dispose();
    },
  };
}

function defaultRuntimeName(): string {
  const g = globalThis as { process?: { versions?: { node?: string } }; navigator?: { userAgent?: string } };
  if (g.process?.versions?.node) return `node v${g.process.versions.node}`;
  return g.navigator?.userAgent ?? 'unknown runtime';
}

function checkOptions(options: BenchmarkOptions): void {
  const unknownIds = (options.only ?? []).filter((id) => !WORKLOADS.some((w) => w.id === id));
  if (unknownIds.length) {
    throw new LSTMError('INVALID_ARGUMENT', 'unknown workload', {
      argument: 'only',
      expected: WORKLOADS.map((w) => w.id).join(', '),
      actual: JSON.stringify(unknownIds.join(',')),
    });
  }
  const unknownBuilds = (options.builds ?? []).filter((b) => !ALL_BUILDS.includes(b));
  if (unknownBuilds.length) {
    throw new LSTMError('INVALID_ARGUMENT', 'unknown build', {
      argument: 'builds',
      expected: ALL_BUILDS.join(', '),
      actual: JSON.stringify(unknownBuilds.join(',')),
    });
  }
}

/**
 * Runs the benchmark: the peak of each build, then each workload on each build (and each extra
 * implementation). Full run: 11 timed repeats for the SIMD builds, 5 for scalar and the extras;
 * `quick`: 3 and 2. Leaves the last build it ran as the current one.
 */
export async function runBenchmark(options: BenchmarkOptions = {}): Promise<BenchmarkReport> {
  checkOptions(options);
  const quick = options.quick ?? false;
  const supported = supportedBuilds();
  const builds = (options.builds ?? ALL_BUILDS).filter((b) => supported.includes(b));
  if (!builds.length) {
    throw new LSTMError('BUILD_UNAVAILABLE', 'none of the requested builds runs here', {
      argument: 'builds',
      expected: supported.join(', '),
      actual: (options.builds ?? []).join(', '),
    });
  }
  const extra = options.extra ?? {};
  const impls = [...builds, ...Object.keys(extra)];
  const only = options.only?.length ? new Set(options.only) : null;

  const peaks: Record<string, PeakResult> = {};
  for (const b of builds) {
    peaks[b] = await measurePeak(b, { repeats: quick ? 3 : 7 });
    await nextTick();
  }
  const base = builds.includes('simd') ? 'simd' : builds[0]!;
  const peakBase = peaks[base]!;

  const report: BenchmarkReport = {
    runtime: options.runtime ?? defaultRuntimeName(),
    builds,
    impls,
    base,
    unavailable: ALL_BUILDS.filter((b) => !supported.includes(b)),
    quick,
    peakGflops: peaks,
    workloads: WORKLOADS,
    results: [],
  };
  for (const w of WORKLOADS) {
    if (only && !only.has(w.id)) continue;
    const row: WorkloadResult = { id: w.id, name: w.name, unit: w.unit, gflop: flops(w) / 1e9, impls: {} };
    for (const impl of impls) {
      const isBuild = (builds as string[]).includes(impl);
      if (isBuild) await init({ build: impl as BuildName });
      const r = isBuild ? wasmRunner(w) : extra[impl]!(w);
      if (!r) continue;
      const slow = !isBuild || impl === 'scalar';
      const repeats = quick ? (slow ? 2 : 3) : slow ? 5 : 11;
      const warmup = quick ? 1 : slow ? 2 : 5;
      let t: ReturnType<typeof time>;
      try {
        t = time(r, repeats, warmup);
      } finally {
        r.dispose();
      }
      const scale = w.unit === 'µs/step' ? 1000 : 1;
      const perUnitFlops = w.kind === 'stream' ? flops(w) / (w.calls ?? 1) : flops(w);
      const gflops = perUnitFlops / (t.median / 1000) / 1e9;
      row.impls[impl] = {
        median: t.median * scale,
        min: t.min * scale,
        repeats: t.repeats,
        gflops,
        percentOfPeak: (100 * gflops) / (peaks[impl] ?? peakBase).median,
        speedupVsBase: null,
      };
      await nextTick();
    }
    for (const r of Object.values(row.impls))
      r.speedupVsBase = row.impls[base] ? r.median / row.impls[base]!.median : null;
    report.results.push(row);
    options.onRow?.(row, report);
  }
  return report;
}
