// wasm-lstm/bench: the benchmark as a library, for `npx wasm-lstm bench`, the repository's
// `npm run bench`, the browser benchmark page and anyone measuring their own runtime.
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
