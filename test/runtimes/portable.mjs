// The golden check as a plain script, run as it is by Node, Deno and Bun (test/runtimes/run.mjs
// starts each). It imports the built package by its name (the package's self-reference: the
// `exports` map of the package.json above), reads the fixture with node:fs (all three have it),
// checks every build the runtime supports, then the same with 2 threads (threads-check.mjs), and
// prints one JSON line:
//   {"runtime","version","defaultBuild","features","builds":{build:{maxDiff,worst,ok}},"threads","ok","coldStartMs"}
// coldStartMs: from just before `import('wasm-lstm')` to the first forward result.
const t0 = performance.now();
const lib = await import('wasm-lstm');
await lib.init();
const probe = new lib.LSTM({ inputSize: 8, hiddenSize: 64, seed: 1 }); // the probe of bench/coldstart.mjs
probe.forward(new Float32Array(32 * 8).fill(0.5), { batch: 1, steps: 32 });
const coldStartMs = performance.now() - t0;
probe.dispose();

const { readFileSync } = await import('node:fs');
const { checkRuntime } = await import('./golden-check.mjs');
const fixture = JSON.parse(readFileSync(new URL('../fixtures/golden.json', import.meta.url), 'utf8'));

// Deno and Bun announce themselves as globals; typed here since their type packages are not installed.
const host = /** @type {{ Deno?: { version: { deno: string } }, Bun?: { version: string } }} */ (globalThis);
const runtime = host.Deno ? 'deno' : host.Bun ? 'bun' : 'node';
const version = host.Deno ? host.Deno.version.deno : host.Bun ? host.Bun.version : process.version;
// threads: Node, Deno and Bun run a pool over node:worker_threads (test/runtimes/threads-check.mjs)
const { checkThreads } = await import('./threads-check.mjs');
const report = { ...(await checkRuntime(lib, fixture)), threads: await checkThreads(lib, fixture) };
if (!report.threads.ok || report.threads.threads !== 2) report.ok = false;
Object.assign(report, { runtime, version, coldStartMs: Math.round(coldStartMs * 10) / 10 });
// Leave a pool running: its workers are unref'd and sleep, so the process must still exit (the
// runners kill it after 120 s and report a failure).
await lib.init({ threads: 2 });
new lib.LSTM({ inputSize: 4, hiddenSize: 32, seed: 1 }).forward(new Float32Array(16 * 20 * 4), {
  batch: 16,
  steps: 20,
});
console.log(JSON.stringify(report));
if (!report.ok) process.exitCode = 1;
