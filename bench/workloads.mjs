// The workloads live in the package (src/bench/workloads.ts, built into dist/bench.js); this file
// keeps the old import path for the peer comparison (bench/peers/).
export { WORKLOADS, flops, uniform, weightsFor } from '../dist/bench.js';
