// Time to full speed: in a fresh process (Node), browser profile (Chromium) or workerd process, the
// first W2-shaped call (LSTM I=64 H=256, batch 32, T=100, forward) over the steady time (min of calls
// 3..6), and what the engine's baseline tier costs it. A wasm function's first calls run in V8's
// Liftoff code, and a running call keeps it to its end; the library issues big products in short
// calls and warms the kernels up after init() (src/runtime.ts) so the optimizing tier arrives early.
//   node bench/first-call.mjs [--runs N] [--runtimes node,chromium,workerd] [--old DIR] [--gap MS]
//                              [--options] [--quick] [--json]
// Variants (fresh process each, interleaved run by run, since the machine's load changes):
//   old        the build at DIR (--old; e.g. a worktree of commit f19272c, before both levers)
//   chunking   this build, init({ warmUp: false })
//   warm-up    this build, init() (chunking + warm-up)
// Scenarios: 'first' (the call right after `await init()`) and 'gap' (after an idle gap, default 200 ms:
// a page or app that loads, then is used). Cold start (import → first small forward, as in
// bench/coldstart.mjs) for chunking and warm-up in Node and Chromium: the warm-up must not cost it.
// --options: what engine features give: Node --no-liftoff; in Chromium the entry that compiles the
// response stream (dist/index.js; the variants use the browser entry, dist/browser.js, which compiles
// inlined bytes), and a repeat visit with the same profile (cached compiled wasm).
// --quick: one run of each, this build only; exits 1 unless every number is finite (npm run test:runtimes).
import { pathToFileURL } from 'node:url';
import { chromiumSession, nodeProbe, workerdSession } from './first-call-runners.mjs';
import { ROOT } from '../test/runtimes/util.mjs';

export const VARIANTS = {
  old: { label: 'old (f19272c)', warmUp: true },
  chunking: { label: 'chunking only', warmUp: false },
  'warm-up': { label: 'chunking + warm-up', warmUp: true },
};
const SCENARIOS = ['first', 'gap'];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b),
    n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const round = (v, d) => +v.toFixed(d);
export const stats = (xs, d = 2) => ({
  median: round(median(xs), d),
  min: round(Math.min(...xs), d),
  max: round(Math.max(...xs), d),
  runs: xs.length,
});
const rotate = (xs, k) => xs.map((_, i) => xs[(i + k) % xs.length]);

/** Every measurement of one runtime: `probe(variant, opts, extra)` → the probe's result. */
async function measure(probe, { runs, variants, gapMs, coldStart, options, log }) {
  const rows = {},
    cold = {},
    opt = {};
  const push = (table, key, r) => {
    table[key] ??= [];
    table[key].push(r);
  };
  for (let i = 0; i < runs; i++) {
    // one run: every variant × scenario once, in an order that rotates from run to run
    const jobs = [];
    for (const scenario of SCENARIOS)
      for (const v of variants) jobs.push(() => probe(v, { mode: scenario, warmUp: VARIANTS[v].warmUp, gapMs }));
    if (coldStart)
      for (const v of variants.filter((x) => x !== 'old'))
        jobs.push(() => probe(v, { mode: 'coldstart', warmUp: VARIANTS[v].warmUp }));
    for (const o of options)
      jobs.push(() => probe(o.variant, { mode: o.mode, warmUp: VARIANTS[o.variant].warmUp, gapMs }, o));
    for (const job of rotate(jobs, i)) {
      const r = await job();
      if (r.mode === 'coldstart' && !r.option) push(cold, r.variant, r);
      else if (r.option) push(opt, r.option, r);
      else push(rows, `${r.variant}/${r.mode}`, r);
    }
    log?.(`  run ${i + 1}/${runs} done`);
  }
  const summarize = (rs) => {
    const s = { build: rs[0].build, runs: rs.length, finite: rs.every((r) => r.finite) };
    if (rs[0].mode === 'coldstart') {
      s.importToForwardMs = stats(
        rs.map((r) => r.importToForwardMs),
        1,
      );
      s.originToForwardMs = stats(
        rs.map((r) => r.originToForwardMs),
        1,
      );
    }
    if (rs[0].firstMs !== undefined) {
      s.ratio = stats(rs.map((r) => r.ratio));
      s.firstMs = stats(
        rs.map((r) => r.firstMs),
        1,
      );
      s.steadyMs = stats(
        rs.map((r) => r.steadyMs),
        1,
      );
      // runs whose host gave no CPU clock (Chromium: the page's renderer not found) are left out
      const cpu = rs.map((r) => r.cpuRatio).filter((v) => v !== undefined);
      if (cpu.length) s.cpuRatio = stats(cpu);
      if (rs[0].gap)
        s.gapWallMs = stats(
          rs.map((r) => r.gap.wallMs),
          1,
        );
      const gapCpu = rs.map((r) => r.gap?.cpuMs).filter((v) => v !== undefined);
      if (gapCpu.length) s.gapCpuMs = stats(gapCpu, 1);
    }
    if (rs[0].codeCacheBytes !== undefined)
      s.codeCacheBytes = stats(
        rs.map((r) => r.codeCacheBytes),
        0,
      );
    return s;
  };
  const map = (t) => Object.fromEntries(Object.entries(t).map(([k, rs]) => [k, summarize(rs)]));
  return { firstCall: map(rows), coldStart: map(cold), options: map(opt) };
}

const tag =
  (variant, extra = {}) =>
  (r) => ({ ...r, variant, option: extra.option });

async function nodeRuntime(cfg) {
  const roots = { old: cfg.old, chunking: ROOT, 'warm-up': ROOT };
  const options = cfg.options
    ? [
        { option: 'node --no-liftoff, first', variant: 'chunking', mode: 'first', flags: ['--no-liftoff'] },
        { option: 'node --no-liftoff, cold start', variant: 'chunking', mode: 'coldstart', flags: ['--no-liftoff'] },
      ]
    : [];
  const probe = async (v, opts, extra = {}) =>
    tag(v, extra)(await nodeProbe(roots[v], opts, { flags: extra.flags ?? [] }));
  return { runtime: `node ${process.version}`, ...(await measure(probe, { ...cfg, coldStart: true, options })) };
}

async function chromiumRuntime(cfg) {
  const session = await chromiumSession({ old: cfg.old });
  try {
    // This build through the browser entry (kernels inlined, compiled from bytes); the old build had
    // only dist/index.js, which fetches build/*.wasm and compiles the response stream: an option row
    // measures that entry of this build too, and the repeat visits go through it (a code cache can
    // only hold a module compiled from a cacheable response).
    const libs = { old: '/old/dist/index.js', chunking: '/dist/browser.js', 'warm-up': '/dist/browser.js' };
    const index = '/dist/index.js';
    const options = cfg.options
      ? [
          { option: 'dist/index.js (streaming), first', variant: 'warm-up', mode: 'first', lib: index },
          { option: 'dist/index.js (streaming), cold start', variant: 'warm-up', mode: 'coldstart', lib: index },
          { option: 'repeat visit, first', variant: 'warm-up', mode: 'first', lib: index, repeat: true },
          { option: 'repeat visit, gap', variant: 'warm-up', mode: 'gap', lib: index, repeat: true },
          { option: 'repeat visit, cold start', variant: 'warm-up', mode: 'coldstart', lib: index, repeat: true },
        ]
      : [];
    const probe = async (v, opts, extra = {}) => tag(v, extra)(await session.probe(extra.lib ?? libs[v], opts, extra));
    const m = await measure(probe, { ...cfg, coldStart: true, options });
    return { runtime: `chromium ${session.version}`, ...m };
  } finally {
    await session.close();
  }
}

async function workerdRuntime(cfg) {
  const session = await workerdSession({ current: ROOT, ...(cfg.old ? { old: cfg.old } : {}) });
  try {
    const probe = async (v, opts) => tag(v)(await session.probe(v === 'old' ? 'old' : 'current', opts));
    return { runtime: session.version, ...(await measure(probe, { ...cfg, coldStart: false, options: [] })) };
  } finally {
    await session.close();
  }
}

export const RUNTIMES = { node: nodeRuntime, chromium: chromiumRuntime, workerd: workerdRuntime };

/**
 * Measures `runtimes`; resolves { [runtime]: { runtime, firstCall, coldStart, options } }.
 * @param {{ runtimes?: string[], runs?: number, old?: string, gapMs?: number, options?: boolean,
 *   quick?: boolean, log?: (line: string) => void }} [config]
 */
export async function firstCallReport({
  runtimes = Object.keys(RUNTIMES),
  runs = 7,
  old,
  gapMs = 200,
  options = false,
  quick = false,
  log,
} = {}) {
  const variants = quick ? ['warm-up'] : [...(old ? ['old'] : []), 'chunking', 'warm-up'];
  const cfg = { runs: quick ? 1 : runs, variants, old, gapMs, options: options && !quick, log };
  const unknown = runtimes.filter((n) => !(n in RUNTIMES));
  if (unknown.length)
    throw new Error(`unknown runtime(s) ${unknown.join(', ')}; known: ${Object.keys(RUNTIMES).join(', ')}`);
  const report = {};
  for (const name of runtimes) {
    log?.(`${name}:`);
    report[name] = { ...(await RUNTIMES[name](cfg)), gapMs };
  }
  return report;
}

/** Every number in the report finite and every output finite (the --quick check). */
export function reportProblems(report) {
  const problems = [];
  for (const [name, r] of Object.entries(report)) {
    const tables = { ...r.firstCall, ...r.coldStart, ...r.options };
    if (!Object.keys(r.firstCall).length) problems.push(`${name}: no first-call measurement`);
    for (const [k, s] of Object.entries(tables)) {
      if (!s.finite) problems.push(`${name} ${k}: non-finite output`);
      for (const [field, v] of Object.entries(s))
        if (v && typeof v === 'object' && !Object.values(v).every(Number.isFinite))
          problems.push(`${name} ${k}: ${field} not finite`);
    }
  }
  return problems;
}

const range = (s, unit = '') => `${s.median}${unit} (${s.min}–${s.max})`;

/** Lines for the terminal. */
export function formatReport(report) {
  const lines = [];
  for (const r of Object.values(report)) {
    lines.push(`${r.runtime}: first W2 forward / steady (min of calls 3..6), median (min–max) of fresh processes`);
    for (const [key, s] of Object.entries(r.firstCall)) {
      const [v, scenario] = key.split('/');
      let cpu = s.cpuRatio ? `; CPU-time ratio ${range(s.cpuRatio)}` : '';
      if (s.gapWallMs && r.gapMs === 0)
        cpu += `; the gap (the warm-up task) ${range(s.gapWallMs, ' ms')}${s.gapCpuMs ? `, CPU ${range(s.gapCpuMs, ' ms')}` : ''}`;
      lines.push(
        `  ${VARIANTS[v].label.padEnd(20)} ${(scenario === 'gap' ? `after ${r.gapMs ?? 200} ms idle` : 'right after init').padEnd(17)} ${range(s.ratio, '×')}  first ${range(s.firstMs, ' ms')}, steady ${range(s.steadyMs, ' ms')}${cpu}  [${s.build}, ${s.runs} runs]`,
      );
    }
    for (const [v, s] of Object.entries(r.coldStart))
      lines.push(
        `  cold start, ${VARIANTS[v].label}: import → forward ${range(s.importToForwardMs, ' ms')}; origin → forward ${range(s.originToForwardMs, ' ms')}`,
      );
    for (const [o, s] of Object.entries(r.options)) {
      const cpu = s.cpuRatio ? `; CPU-time ratio ${range(s.cpuRatio)}` : '';
      const what = s.ratio
        ? `${range(s.ratio, '×')}  first ${range(s.firstMs, ' ms')}, steady ${range(s.steadyMs, ' ms')}${cpu}`
        : `import → forward ${range(s.importToForwardMs, ' ms')}`;
      lines.push(`  option: ${o}: ${what}${s.codeCacheBytes ? `; wasm code cache ${s.codeCacheBytes.median} B` : ''}`);
    }
  }
  return lines;
}

/** The command line (also bench/coldstart.mjs --first-call, with its arguments). */
export async function main(args = process.argv.slice(2)) {
  const arg = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const json = args.includes('--json');
  const report = await firstCallReport({
    runtimes: arg('--runtimes')?.split(',') ?? Object.keys(RUNTIMES),
    runs: Number(arg('--runs')) || 7,
    old: arg('--old'),
    gapMs: arg('--gap') === undefined ? 200 : Number(arg('--gap')),
    options: args.includes('--options'),
    quick: args.includes('--quick'),
    log: json ? undefined : (s) => console.log(s),
  });
  if (json) console.log(JSON.stringify({ firstCall: report }));
  else for (const l of formatReport(report)) console.log(l);
  const problems = reportProblems(report);
  for (const p of problems) console.log(`FAIL: ${p}`);
  if (args.includes('--quick')) console.log(problems.length ? 'first-call: FAILED' : 'first-call: ok');
  process.exitCode = problems.length ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
