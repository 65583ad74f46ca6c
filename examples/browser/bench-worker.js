// The benchmark's worker: runBenchmark from wasm-lstm/bench, posting the report so far after each
// workload ({ type: 'row' }) and the whole report at the end ({ type: 'done' }).
import { WORKLOADS, runBenchmark } from 'wasm-lstm/bench';

self.onmessage = async ({ data: { quick, runtime } }) => {
  try {
    const report = await runBenchmark({
      quick,
      runtime: runtime ? `${runtime} (Web Worker)` : undefined,
      onRow: (_row, partial) => self.postMessage({ type: 'row', total: WORKLOADS.length, partial }),
    });
    self.postMessage({ type: 'done', report });
  } catch (e) {
    self.postMessage({ type: 'error', message: String(e?.stack ?? e) });
  }
};
