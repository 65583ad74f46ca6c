// Cold start: the time from `import('wasm-lstm')` to the first forward result, in a fresh process
// each run (no module, compile or code cache shared between runs).
//   node bench/coldstart.mjs [--runs N] [--browser] [--json] [--first-call] [--threads auto|N]
// Node: a new `node` process per run; prints import → first forward (measured inside the process)
// and process start → first forward (performance.now() counts from process start).
// --browser: the same in Debian's Chromium (test/runtimes/chromium.mjs), a fresh profile per run:
// page load → first forward and import → first forward, for the browser entry (dist/browser.js,
// what the README's import map names) and for the Node entry (dist/index.js) loaded in a page, and
// the floor: the same page importing a one-line module (test/runtimes/floor.mjs), i.e. what a fresh
// browser spends on any import. Entries alternate run by run, so machine load hits them alike.
// The probe: init() (best build), LSTM I=8 H=64, batch 1, T=32, one forward.
// --threads: init({ threads }) instead (Chromium: on a cross-origin-isolated page). The pool's
// workers start in the background, so the first forward does not wait for them.
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 7;
const json = args.includes('--json');
const threadsArg = args.includes('--threads') ? args[args.indexOf('--threads') + 1] : undefined;
const threads = threadsArg === undefined ? undefined : threadsArg === 'auto' ? 'auto' : Number(threadsArg);

const CHILD = `
const t0 = performance.now();
const lib = await import('wasm-lstm');
const { build, threads } = await lib.init(JSON.parse(process.env.WASM_LSTM_INIT || '{}'));
const I = 8, H = 64, T = 32;
const lstm = new lib.LSTM({ inputSize: I, hiddenSize: H, seed: 1 });
const { output } = lstm.forward(new Float32Array(T * I).fill(0.5), { batch: 1, steps: T });
const t1 = performance.now();
if (!output.every(Number.isFinite)) process.exit(1);
console.log(JSON.stringify({ importToForwardMs: t1 - t0, processToForwardMs: t1, build, threads }));
`;

function child(threadsOption) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
      cwd: ROOT,
      env: { ...process.env, WASM_LSTM_INIT: JSON.stringify(threadsOption ? { threads: threadsOption } : {}) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited with ${code}`))));
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b),
    n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const stats = (xs) => ({
  median: +median(xs).toFixed(1),
  min: +Math.min(...xs).toFixed(1),
  max: +Math.max(...xs).toFixed(1),
  runs: xs.length,
});
const fmt = (s) => `${s.median} ms (min ${s.min}, max ${s.max}, ${s.runs} runs)`;

export async function nodeColdStart(n = runs, threadsOption = threads) {
  const results = [];
  for (let i = 0; i < n; i++) results.push(await child(threadsOption));
  return {
    runtime: `node ${process.version}`,
    build: results[0].build,
    threads: results[0].threads,
    importToForward: stats(results.map((r) => r.importToForwardMs)),
    processToForward: stats(results.map((r) => r.processToForwardMs)),
  };
}

async function main() {
  const report = { node: await nodeColdStart() };
  if (args.includes('--browser')) {
    const { chromiumColdStart } = await import('../test/runtimes/chromium.mjs');
    const phase = (c, k) => stats(c.phases.map((p) => p[k]));
    const both = await chromiumColdStart(runs, { entries: ['browser', 'index', 'floor'], threads });
    report.chromiumFloor = {
      runtime: `chromium ${both.version}, a one-line module (test/runtimes/floor.mjs)`,
      importToForward: stats(both.floor.importToForward),
    };
    for (const entry of ['browser', 'index']) {
      const c = both[entry];
      report[entry === 'browser' ? 'chromium' : 'chromiumNodeEntry'] = {
        runtime: `chromium ${both.version}, dist/${entry}.js`,
        navigationToForward: stats(c.navigationToForward),
        importToForward: stats(c.importToForward),
        phases: { import: phase(c, 'import'), init: phase(c, 'init'), forward: phase(c, 'forward') },
      };
    }
  }
  if (json) {
    console.log(JSON.stringify(report));
    return;
  }
  console.log(`cold start to the first forward (LSTM I=8 H=64, B=1, T=32), median of fresh processes:`);
  console.log(
    `  ${report.node.runtime} (${report.node.build}, ${report.node.threads} thread(s)${threads ? `, init({ threads: ${JSON.stringify(threads)} })` : ''}): import → forward ${fmt(report.node.importToForward)}; process start → forward ${fmt(report.node.processToForward)}`,
  );
  if (report.chromiumFloor)
    console.log(
      `  the floor: importing a one-line module with the same API, import → "forward" ${fmt(report.chromiumFloor.importToForward)}`,
    );
  for (const c of [report.chromium, report.chromiumNodeEntry]) {
    if (!c) continue;
    console.log(
      `  ${c.runtime}: page load → forward ${fmt(c.navigationToForward)}; import → forward ${fmt(c.importToForward)}` +
        `\n    (medians: import ${c.phases.import.median} ms, init ${c.phases.init.median} ms, first forward ${c.phases.forward.median} ms)`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
  // --first-call: then the first W2-shaped call over the steady one, per runtime (bench/first-call.mjs;
  // its own flags --runtimes, --old DIR, --options, --gap MS pass through, and --runs)
  if (args.includes('--first-call')) await (await import('./first-call.mjs')).main(args);
}
