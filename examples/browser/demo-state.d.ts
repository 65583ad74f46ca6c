// The demo page's state (main.js), which it leaves on window.__demo for the Playwright test
// (test/runtimes/browser-demo.mjs; the global is declared in test/runtimes/globals.d.ts).

/** One finished run in the comparison table. */
export interface DemoRun {
  key: string;
  task: string;
  steps: number;
  hidden: number;
  build: string;
  /** Threads the run had (1, or what init({ threads }) gave). */
  threads: number | null;
  stepsPerSec: number;
}

/** The configuration read from the page's controls. */
export interface DemoConfig {
  task: string;
  steps: number;
  hidden: number;
  build: string;
  threads: number | 'auto';
}

/** One row of the f32/int8 comparison (the worker's compareInt8). */
export interface QuantizedRow {
  format: string;
  bytes: number;
  msPerSequence: number;
  usPerStep: number;
  valLoss: number;
}

/** The worker's last 'quantized' message: the model after `steps` steps, as f32 and as int8. */
export interface DemoQuantized {
  type: 'quantized';
  run: number;
  steps: number;
  rows: QuantizedRow[];
}

export interface DemoState {
  running: boolean;
  build: string | null;
  /** Threads the running model has (the worker's init({ threads }) result). */
  threads: number | null;
  /** The page is cross-origin isolated (threads can run). */
  isolated: boolean;
  steps: number;
  loss: number;
  valLoss: number;
  stepsPerSec: number;
  maxLagMs: number;
  errors: string[];
  runs: DemoRun[];
  config?: DemoConfig;
  quantized: DemoQuantized | null;
}
