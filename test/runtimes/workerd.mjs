// workerd (the `workerd` npm package's binary): two module workers that import 'wasm-lstm' through
// its `workerd` export condition, bundled by esbuild as wrangler would (.wasm files copied and
// declared as wasm modules, which workerd hands over as WebAssembly.Module; it forbids compiling
// from bytes), served on 127.0.0.1 at free ports, queried, then stopped:
//   forecast: POST /forecast → an LSTM forecast of sine windows; equal to Node's to 1e-6, and
//             better than the naive last-value forecast;
//   train:    GET /train → forward + backward + one SGD step on the golden fixture, compared here
//             with test/fixtures/golden.json to 1e-6 (and every build, compared in the worker).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { build } from 'esbuild';
// Node 20 runs the relaxed build only with this flag; set before any wasm is compiled, so Node can
// compute the forecast with the same build workerd picks.
setFlagsFromString('--experimental-wasm-relaxed-simd');
const lib = await import('wasm-lstm');
import { ROOT, npmBinary, freePort } from './util.mjs';
import { compareGolden, TOLERANCE } from './golden-check.mjs';
import { describeThreads } from './threads-check.mjs';

let ok = true;
const check = (name, pass, detail = '') => {
  console.log(`  ${pass ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  if (!pass) ok = false;
};
const fixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/golden.json'), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'wasm-lstm-workerd-'));
let workerd = null;

async function waitReady(url, child, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}`);
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`workerd did not answer ${url} within ${timeoutMs / 1000} s`);
}

async function stop(child) {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

try {
  // 1. Bundle as a Workers toolchain would: conditions workerd/worker/browser, assets kept as modules.
  await build({
    entryPoints: {
      forecast: join(ROOT, 'test/runtimes/workers/forecast.worker.mjs'),
      train: join(ROOT, 'test/runtimes/workers/train.worker.mjs'),
    },
    outdir: dir,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    external: ['node:*'],
    loader: { '.wasm': 'copy', '.safetensors': 'copy' },
    assetNames: '[name]',
    logLevel: 'error',
  });
  const files = readdirSync(dir);
  const wasm = files.filter((f) => f.endsWith('.wasm')).sort();
  check(
    'esbuild bundled both workers with the .wasm files as separate modules',
    wasm.length === 3 && files.includes('forecast.js') && files.includes('train.js'),
    files.join(' '),
  );

  // 2. Configure and start workerd.
  const [forecastPort, trainPort] = [await freePort(), await freePort()];
  const modules = (main, extra = []) =>
    [
      `(name = "${main}", esModule = embed "${main}")`,
      ...wasm.map((w) => `(name = "${w}", wasm = embed "${w}")`),
      ...extra,
    ].join(',\n      ');
  writeFileSync(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "forecast", worker = .forecastWorker), (name = "train", worker = .trainWorker) ],
  sockets = [
    (name = "forecast", address = "127.0.0.1:${forecastPort}", http = (), service = "forecast"),
    (name = "train", address = "127.0.0.1:${trainPort}", http = (), service = "train"),
  ],
);
const forecastWorker :Workerd.Worker = (
  compatibilityDate = "2025-09-01",
  modules = [
      ${modules('forecast.js', ['(name = "sine-model.safetensors", data = embed "sine-model.safetensors")'])}
  ],
);
const trainWorker :Workerd.Worker = (
  compatibilityDate = "2025-09-01",
  modules = [
      ${modules('train.js')}
  ],
);
`,
  );
  const bin = npmBinary('workerd');
  const version = await new Promise((r) => {
    const p = spawn(bin, ['--version']);
    let o = '';
    p.stdout.on('data', (d) => {
      o += d;
    });
    p.on('close', () => r(o.trim()));
  });
  let log = '';
  workerd = spawn(bin, ['serve', 'config.capnp'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  workerd.stdout.on('data', (d) => {
    log += d;
  });
  workerd.stderr.on('data', (d) => {
    log += d;
  });
  const t0 = performance.now();
  await waitReady(`http://127.0.0.1:${trainPort}/probe`, workerd).catch((e) => {
    throw new Error(`${e.message}\n${log}`);
  });
  console.log(
    `  ${version} listening on 127.0.0.1:${forecastPort} (forecast) and 127.0.0.1:${trainPort} (train) after ${(performance.now() - t0).toFixed(0)} ms`,
  );

  // 3. The forecast worker.
  const windows = lib.tasks.sineTask(16, 24, { manyToOne: true, seed: 99 });
  const T = 24,
    series = Array.from({ length: 16 }, (_, n) => Array.from(windows.x.data.subarray(n * T, (n + 1) * T)));
  const res = await fetch(`http://127.0.0.1:${forecastPort}/forecast`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ series }),
  });
  const body = res.ok ? await res.json() : { error: `${res.status} ${await res.text()}` };
  check(
    'forecast worker answered',
    res.ok && Array.isArray(body.forecast) && body.forecast.length === 16,
    body.error ?? '',
  );
  if (!res.ok && process.env.WORKERD_LOG) console.log(log);
  if (res.ok) {
    await lib.init({ build: body.build });
    const model = await lib.Sequential.load(readFileSync(join(ROOT, 'test/fixtures/sine-model.safetensors')));
    const nodeForecast = model.predict(windows.x).data;
    const diff = Math.max(...body.forecast.map((v, i) => Math.abs(v - nodeForecast[i])));
    check(
      `forecast (${body.build}) equals Node's (same build) to 1e-6`,
      diff <= TOLERANCE,
      `max |diff| ${diff.toExponential(2)}`,
    );
    const rmse = Math.sqrt(body.forecast.reduce((s, v, i) => s + (v - windows.y.data[i]) ** 2, 0) / 16);
    check(
      'forecast beats the naive last-value forecast',
      rmse < windows.naiveRmse,
      `RMSE ${rmse.toFixed(4)} vs ${windows.naiveRmse.toFixed(4)}`,
    );
    check('init() in workerd selects relaxed-simd', body.build === 'relaxed-simd', JSON.stringify(body.features));
    console.log(
      `  forecast request: ${body.ms.toFixed(1)} ms inside the worker (first request: init + model load + predict)`,
    );
  }

  // 4. The training worker.
  const tr = await fetch(`http://127.0.0.1:${trainPort}/train`);
  const train = tr.ok ? await tr.json() : { error: `${tr.status} ${await tr.text()}` };
  check('train worker answered', tr.ok && train.result !== undefined, train.error ?? '');
  if (tr.ok) {
    const cmp = compareGolden(train.result, fixture);
    check(
      `training step in workerd (${train.build}) matches golden.json to 1e-6`,
      cmp.maxDiff <= TOLERANCE,
      `max |diff| ${cmp.maxDiff.toExponential(2)} (${cmp.worst}), ${cmp.compared} arrays`,
    );
    for (const [b, x] of Object.entries(train.builds))
      check(`workerd ${b} matches golden.json`, x.ok, `max |diff| ${x.maxDiff.toExponential(2)} (${x.worst})`);
  }
  // 5. Threads: none in workerd (no Worker), and asking for them changes nothing but the report.
  const th = await fetch(`http://127.0.0.1:${trainPort}/threads`);
  const threads = th.ok ? await th.json() : { error: `${th.status} ${await th.text()}` };
  for (const line of threads.builds ? describeThreads(threads) : []) console.log(`  ${line}`);
  check(
    'init({ threads: 2 }) in workerd: one thread, the reason given, golden numbers unchanged',
    th.ok && threads.ok && threads.threads === 1 && /no Worker/.test(threads.reason ?? ''),
    threads.error ?? threads.reason ?? '',
  );
  const probe = await (await fetch(`http://127.0.0.1:${trainPort}/probe`)).json();
  console.log(
    `  (workerd compiles wasm from bytes: ${probe.compileFromBytes}${probe.error ? ` — "${probe.error}"` : ''}; hence the workerd entry)`,
  );
} catch (e) {
  check('workerd test ran', false, e.stack ?? String(e));
} finally {
  await stop(workerd);
  if (workerd) console.log(`  workerd stopped (exit ${workerd.exitCode ?? workerd.signalCode})`);
  rmSync(dir, { recursive: true, force: true });
}
console.log(ok ? 'workerd: ok' : 'workerd: FAILED');
process.exitCode = ok ? 0 : 1;
