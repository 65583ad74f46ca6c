// The demo page's state (main.js), which it leaves on window.__demo for the Playwright test
// (test/runtimes/browser-demo.mjs; the global is declared in test/runtimes/globals.d.ts).

/** One finished run in the comparison table. */
export interface DemoRun {
  key: string;
  task: string;
  steps: number;
  hidden: number;
  build: string;
  stepsPerSec: number;
}

/** The configuration read from the page's controls. */
export interface DemoConfig {
  task: string;
  steps: number;
  hidden: number;
  build: string;
}

export interface DemoState {
  running: boolean;
  build: string | null;
  steps: number;
  loss: number;
  valLoss: number;
  stepsPerSec: number;
  maxLagMs: number;
  errors: string[];
  runs: DemoRun[];
  config?: DemoConfig;
}
