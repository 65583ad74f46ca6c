// Globals of the demo page that the Playwright test reads (test/runtimes/browser-demo.mjs);
// main.js writes them. A declaration file because JSDoc cannot add to `Window`.

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

declare global {
  interface Window {
    __demo: DemoState;
  }
}
