// One fresh process (Node), browser profile (Chromium) or workerd process per probe run, for
// bench/first-call.mjs. Each runner takes a package root (this checkout, or an older build made in
// another worktree) and the probe options (bench/first-call-probe.mjs) and resolves the probe's result.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { withRatios } from './first-call-probe.mjs';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  freePort,
  lastJson,
  npmBinary,
  ROOT,
  run,
  serveStatic,
} from '../test/runtimes/util.mjs';

const PROBE = pathToFileURL(join(ROOT, 'bench/first-call-probe.mjs')).href;

// ---- Node -------------------------------------------------------------------------------------------
// The main thread's CPU time (Linux: /proc/self/task/<pid>/schedstat, ns on CPU), next to wall time:
// on a loaded machine the wall clock also counts the time the process waited for a core.
const CHILD = (root, opts) => `
import { readFileSync } from 'node:fs';
const { probe } = await import(${JSON.stringify(PROBE)});
const stat = '/proc/self/task/' + process.pid + '/schedstat';
let cpu;
try { readFileSync(stat); cpu = () => Number(readFileSync(stat, 'latin1').split(' ')[0]) / 1e6; } catch {}
const r = await probe(() => import(${JSON.stringify(pathToFileURL(join(root, 'dist/index.js')).href)}), { ...${JSON.stringify(opts)}, cpu });
console.log(JSON.stringify(r));
`;

/** A new `node` process (with `flags`, e.g. ['--no-liftoff']) runs the probe on the build at `root`. */
export async function nodeProbe(root, opts, { flags = [] } = {}) {
  const r = await run(process.execPath, [...flags, '--input-type=module', '-e', CHILD(root, opts)], {
    cwd: root,
    timeoutMs: 60_000,
  });
  const out = lastJson(r.stdout);
  if (r.code !== 0 || !out) throw new Error(`node probe exited with ${r.code}: ${r.stderr.slice(-500)}`);
  return out;
}

// ---- Chromium ---------------------------------------------------------------------------------------
const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
};

/**
 * Serves this checkout at / (and `old` at /old/) without caching, and the same files under /cached/
 * with `Cache-Control: max-age=3600`, so that a second visit with the same profile finds the .wasm in
 * the HTTP cache (Chromium keeps compiled wasm for compileStreaming of cacheable responses).
 */
/** @param {{ old?: string }} [options] */
export async function chromiumSession({ old } = {}) {
  const cached = (req, res) => {
    if (!req.url.startsWith('/cached/')) return false;
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname.slice('/cached'.length));
    let base = ROOT;
    if (old && path.startsWith('/old/')) {
      base = old;
      path = path.slice(4);
    }
    const file = resolve(base, `.${path}`);
    try {
      if (!file.startsWith(resolve(base)) || !statSync(file).isFile()) throw new Error('not a file');
      res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
      res.setHeader('Cache-Control', 'public, max-age=3600');
      res.end(readFileSync(file));
    } catch {
      res.statusCode = 404;
      res.end('not found');
    }
    return true;
  };
  // GET /__cpu?dir=<profile folder>[&pick=start|end]: CPU ms of the page's renderer main thread, the
  // page's synchronous clock (a sync XHR does not run the page's other tasks, so no timer fires
  // inside it). Which renderer is the page's: between pick=start and pick=end the page spins 30 ms;
  // then, while pick=end is held for 30 ms, the page is blocked. The page's renderer is the one that
  // gained CPU in the spin and none in the hold (another one busy at page start gains in both).
  const picking = new Map(),
    renderers = new Map();
  const cpuRoute = (req, res) => {
    if (!req.url.startsWith('/__cpu?')) return false;
    const q = new URL(req.url, 'http://x').searchParams,
      dir = q.get('dir');
    res.setHeader('Cache-Control', 'no-store');
    if (q.get('pick') === 'start') {
      picking.set(dir, rendererTimes(dir));
      res.end('0');
    } else if (q.get('pick') === 'end') {
      const start = picking.get(dir) ?? new Map(),
        spun = rendererTimes(dir);
      setTimeout(() => {
        let best = 0,
          most = -Infinity;
        for (const [pid, ms] of rendererTimes(dir)) {
          const score = 2 * (spun.get(pid) ?? ms) - (start.get(pid) ?? 0) - ms; // spin gain − hold gain
          if (score > most) [best, most] = [pid, score];
        }
        renderers.set(dir, best);
        res.end(String(most));
      }, 30);
    } else {
      const pid = renderers.get(dir);
      res.end(String(pid ? threadCpuMs(pid, pid) : Number.NaN));
    }
    return true;
  };
  const server = await serveStatic(ROOT, { mounts: old ? { '/old': old } : {}, routes: [cpuRoute, cached] });
  const { chromium } = await import('playwright-core');
  // A headless page counts as a background tab: Chromium runs its renderer's main thread at nice 5,
  // which on a loaded machine starves it. A page the user is looking at runs at normal priority.
  const args = [...CHROMIUM_ARGS, '--disable-renderer-backgrounding'];
  let version = '';

  // A browser on profile `dir` (kept by the caller: a second launch on it is a repeat visit) opens
  // `url` and waits for the probe's result; then it is closed.
  async function visit(dir, url, settleMs = 0) {
    const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args });
    try {
      version ||= context.browser()?.version() ?? '';
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(url);
      await page.waitForFunction(() => /** @type {any} */ (window).__result !== undefined, null, { timeout: 60_000 });
      const result = await page.evaluate(() => /** @type {any} */ (window).__result);
      if (result.error) throw new Error(`chromium probe: ${result.error}`);
      if (settleMs) await new Promise((r) => setTimeout(r, settleMs));
      return result;
    } finally {
      await context.close().catch(() => {});
    }
  }

  return {
    get version() {
      return version;
    },
    /**
     * `lib`: '/dist/browser.js', '/dist/index.js' or '/old/dist/index.js'. `repeat`: visit once, give the engine `settleMs` to store its
     * code cache (V8 waits --wasm-caching-timeout-ms, 2 s, after the last optimized compile), close the
     * browser, then measure a second launch on the same profile.
     */
    async probe(lib, opts, { repeat = false, settleMs = 4000 } = {}) {
      const dir = mkdtempSync(join(tmpdir(), 'wasm-lstm-firstcall-'));
      try {
        const prefix = repeat ? '/cached' : '';
        const query = `lib=${prefix}${lib}&o=${encodeURIComponent(JSON.stringify(opts))}&dir=${encodeURIComponent(basename(dir))}`;
        const url = `${server.url}${prefix}/bench/first-call.html?${query}`;
        if (!repeat) return await visit(dir, url);
        await visit(dir, url, settleMs);
        const result = await visit(dir, url);
        result.codeCacheBytes = treeBytes(join(dir, 'Default', 'Code Cache', 'wasm'));
        return result;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    close: () => server.close(),
  };
}

/** CPU time (ms) of thread `tid` of process `pid` (Linux schedstat: ns on a CPU). */
export function threadCpuMs(pid, tid) {
  return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]) / 1e6;
}

/** Main-thread CPU ms of each renderer of the Chromium whose profile is folder `dir` under the temp
 *  folder (all its processes carry that --user-data-dir). */
function rendererTimes(dir) {
  const flag = `--user-data-dir=${join(tmpdir(), dir)}`,
    times = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Chromium rewrites its process title: one string, arguments separated by spaces
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'latin1').replaceAll('\0', ' ').split(' ');
      // (not the browser's own WebUI renderer, which is busy at start-up)
      if (cmd.includes(flag) && cmd.includes('--type=renderer') && !cmd.includes('--top-chrome-webui'))
        times.set(Number(name), threadCpuMs(name, name));
    } catch {
      /* gone */
    }
  }
  return times;
}

/** Bytes of the files under `dir` (0 when it does not exist). */
function treeBytes(dir) {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .reduce((n, e) => n + statSync(join(e.parentPath ?? e.path, e.name)).size, 0);
  } catch {
    return 0;
  }
}

// ---- CPU time sampled from outside ---------------------------------------------------------------
const SAMPLER = `
const { workerData, parentPort } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { file, flag } = workerData, stop = new Int32Array(flag), out = [];
while (Atomics.load(stop, 0) === 0) {
  try {
    out.push(performance.timeOrigin + performance.now(), Number(readFileSync(file, 'latin1').split(' ')[0]) / 1e6);
  } catch { break; }
  if (out.length === 2) parentPort.postMessage('running');
  Atomics.wait(stop, 0, 0, 0.25);
}
parentPort.postMessage(out);
`;

/** Samples thread `tid` of process `pid` ([epoch ms, CPU ms] every ~0.25 ms) on a worker thread
 *  until stop() (which resolves the samples); resolves once the first sample is taken. */
async function sampleThreadCpu(pid, tid) {
  const flag = new SharedArrayBuffer(4);
  const worker = new Worker(SAMPLER, { eval: true, workerData: { file: `/proc/${pid}/task/${tid}/schedstat`, flag } });
  const [first] = await once(worker, 'message'); // 'running', or the samples if the thread is gone
  return {
    async stop() {
      if (first !== 'running') return first;
      Atomics.store(new Int32Array(flag), 0, 1);
      Atomics.notify(new Int32Array(flag), 0);
      return (await once(worker, 'message'))[0];
    },
  };
}

/**
 * CPU ms of each call from samples [t0, cpu0, t1, cpu1, …] and marks [start0, end0, …] (epoch ms; the
 * probe's clock in workerd is Date.now(), whole ms, so each mark is taken as the middle of its ms),
 * interpolating linearly between the samples around a mark. A running thread's schedstat is updated
 * at context switches and scheduler ticks (4 ms at HZ=250), so each mark is good to a few ms.
 */
export function cpuPerCall(samples, marks) {
  const at = (t) => {
    let i = 0;
    while (i + 2 < samples.length && samples[i + 2] < t) i += 2;
    const [t0, c0, t1, c1] = samples.slice(i, i + 4);
    if (t1 === undefined || t1 === t0) return c0;
    return c0 + (c1 - c0) * Math.min(1, Math.max(0, (t - t0) / (t1 - t0)));
  };
  const cpu = [];
  for (let k = 0; k < marks.length; k += 2) cpu.push(at(marks[k + 1] + 0.5) - at(marks[k] + 0.5));
  return cpu;
}

// ---- workerd ----------------------------------------------------------------------------------------
/**
 * Bundles bench/first-call.worker.mjs once per build (`roots`: { id: root }), as a Workers toolchain
 * would (conditions workerd/worker/browser, .wasm kept as modules), then starts a new `workerd serve`
 * for every probe run (compiled wasm is shared between isolates of one process, so a fresh process is
 * the only cold state).
 */
export async function workerdSession(roots) {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'wasm-lstm-firstcall-workerd-'));
  const bin = npmBinary('workerd');
  for (const [id, root] of Object.entries(roots)) {
    const out = join(dir, id);
    mkdirSync(out);
    await build({
      entryPoints: { worker: join(ROOT, 'bench/first-call.worker.mjs') },
      outdir: out,
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      conditions: ['workerd', 'worker', 'browser'],
      external: ['node:*'],
      loader: { '.wasm': 'copy' },
      assetNames: '[name]',
      logLevel: 'error',
      plugins: [
        {
          name: 'build-under-test',
          setup(b) {
            b.onResolve({ filter: /^wasm-lstm$/ }, () => ({ path: join(root, 'dist/entries/workerd.js') }));
          },
        },
      ],
    });
    const wasm = ['lstm.relaxed.wasm', 'lstm.simd.wasm', 'lstm.scalar.wasm'];
    writeFileSync(
      join(out, 'config.capnp'),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  compatibilityDate = "2025-09-01",
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    ${wasm.map((f) => `(name = "${f}", wasm = embed "${f}")`).join(',\n    ')}
  ],
);
`,
    );
  }
  const version = (await run(bin, ['--version'])).stdout.trim();

  return {
    version,
    async probe(id, opts) {
      const port = await freePort();
      const child = spawn(bin, ['serve', 'config.capnp', '--socket-addr', `http=127.0.0.1:${port}`], {
        cwd: join(dir, id),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let log = '';
      child.stderr.on('data', (d) => {
        log += d;
      });
      try {
        const base = `http://127.0.0.1:${port}`;
        const until = Date.now() + 30_000;
        for (;;) {
          if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}: ${log}`);
          if (Date.now() > until) throw new Error(`workerd did not start: ${log}`);
          try {
            if ((await (await fetch(`${base}/ready`)).text()) === 'ok') break;
          } catch {
            await new Promise((r) => setTimeout(r, 50));
          }
        }
        // workerd runs JavaScript on its main thread; sample that thread's CPU time meanwhile
        const sampler = opts.mode === 'coldstart' ? null : await sampleThreadCpu(child.pid, child.pid);
        let result;
        try {
          result = await (await fetch(`${base}/run?o=${encodeURIComponent(JSON.stringify(opts))}`)).json();
        } finally {
          const samples = await sampler?.stop();
          if (samples && result?.marks) result = withRatios({ ...result, cpuTimes: cpuPerCall(samples, result.marks) });
        }
        if (result.error) throw new Error(`workerd probe: ${result.error}`);
        return result;
      } finally {
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
      }
    },
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
}
