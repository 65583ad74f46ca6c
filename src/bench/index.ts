// wasm-lstm/bench: the benchmark as a library, for `npx wasm-lstm bench`, the repository's
// `npm run bench`, the browser benchmark page and anyone measuring their own runtime.
/**
 * The benchmark as a library (`npx wasm-lstm bench` runs it): fixed workloads W1–W4 and the GRU / RNN /
 * int8 rows on every kernel build the engine has, each compared with the build's measured peak. It
 * imports the core as 'wasm-lstm', so it shares the page's or program's copy.
 *
 * @example
 * ```ts
 * import { runBenchmark, formatReport } from 'wasm-lstm/bench';
 *
 * const report = await runBenchmark({ quick: true, only: ['W1', 'W2'] });
 * console.log(formatReport(report));
 * ```
 * @module wasm-lstm/bench
 */
export { runBenchmark, wasmRunner } from './run.js';
export type {
  BenchmarkOptions,
  BenchmarkReport,
  ExtraImplementation,
  ImplResult,
  Runner,
  WorkloadResult,
} from './run.js';
export { formatReport, reportTable, reportTitle, reportNotes } from './report.js';
export { runThreadsBenchmark, formatThreadsReport } from './threads.js';
export type { ThreadsBenchmarkOptions, ThreadsReport, ThreadsRow, ThreadsStat } from './threads.js';
export { measurePeak, supportedBuilds } from '../index.js';
export type { PeakResult, BuildName } from '../index.js';
export { WORKLOADS, flops, uniform, weightsFor } from './workloads.js';
export type { Workload, WorkloadKind, WorkloadCell } from './workloads.js';
