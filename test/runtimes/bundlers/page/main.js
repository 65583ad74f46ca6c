// The page every bundler fixture builds: import the package by name, as a user does, then run
// the golden check (test/runtimes/golden-check.mjs, copied beside this file): every build the
// browser supports, forward + gradients + one SGD step, against test/fixtures/golden.json (also
// copied, fetched at run time so no bundler needs a JSON plugin), then the threads check
// (threads-check.mjs, also copied: 2 threads, same numbers as one). The result goes to
// window.__result for the Playwright driver (test/runtimes/bundlers.mjs).
import * as lib from 'wasm-lstm';
import { checkRuntime } from './golden-check.mjs';
import { checkThreads } from './threads-check.mjs';

// What the page fetched so far (the inlined kernel builds arrive as JS modules or chunks).
const requests = () =>
  performance
    .getEntriesByType('resource')
    .map((e) => new URL(e.name).pathname)
    .filter((p) => !p.endsWith('golden.json'));

async function main() {
  const before = requests();
  await lib.init(); // the best build only: at most one more file
  const afterInit = requests().filter((p) => !before.includes(p));
  const fixture = await (await fetch('./golden.json')).json();
  const report = await checkRuntime(lib, fixture);
  const all = requests();
  // threads (the page is served with COOP/COEP): the pool's workers start from the bundled code
  report.threads = await checkThreads(lib, fixture);
  return { ...report, requestsForInit: afterInit, requests: all };
}

main().then(
  (result) => {
    window.__result = result;
    document.getElementById('out').textContent = JSON.stringify(result, null, 2);
  },
  (e) => {
    window.__result = { ok: false, error: String(e?.stack ?? e) };
    document.getElementById('out').textContent = window.__result.error;
  },
);
