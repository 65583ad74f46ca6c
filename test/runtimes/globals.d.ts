// The global the runtime test page sets when it is done (test/runtimes/browser.html) and
// chromium.mjs waits for: the cold-start probe, plus the golden-check report unless ?coldstart.
import type { RuntimeReport } from './golden-check.mjs';

export interface ColdStart {
  importToForwardMs: number;
  navigationToForwardMs: number;
  phases: { import: number; init: number; forward: number };
  build: string;
  finite: boolean;
}

declare global {
  interface Window {
    __result?: Partial<RuntimeReport> & { coldStart: ColdStart; userAgent?: string };
  }
}
