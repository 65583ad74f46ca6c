// The probe bench/first-call.mjs runs in a fresh process, page or isolate of each runtime (Node child,
// Chromium page bench/first-call.html, workerd worker). Web APIs only (performance.now, setTimeout).
//   mode 'first':     init(), then at once a W2-shaped forward (LSTM I=64 H=256, batch 32, T=100) six
//                     times: the first call's time over the steady time (min of calls 3..6);
//   mode 'gap':       the same after an idle gap of gapMs (a page or app that loads, then is used);
//   mode 'coldstart': bench/coldstart.mjs's probe (I=8 H=64, B=1, T=32, one forward), import → result.
// `load` imports the library (timed in 'coldstart'); `warmUp: false` is passed to init() (a build
// without the option ignores it). `cpu`, where the host has one, reads the calling thread's CPU time
// in ms: the same ratio without the time a loaded machine kept the thread waiting for a core.
export const W2 = { I: 64, H: 256, B: 32, T: 100 };
export const CALLS = 6;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Deterministic inputs in [-1, 1) (no Math.random: every process sees the same numbers). */
function inputs(n) {
  const x = new Float32Array(n);
  for (let i = 0, a = 12345; i < n; i++) {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    x[i] = (a >>> 8) / 8388608 - 1;
  }
  return x;
}

/**
 * @param {() => Promise<any>} load imports the library
 * @param {{ mode?: 'first' | 'gap' | 'coldstart', warmUp?: boolean, gapMs?: number, wasm?: unknown,
 *   cpu?: () => number }} opts
 */
export async function probe(load, { mode = 'first', warmUp = true, gapMs = 200, wasm, cpu } = {}) {
  const t0 = performance.now();
  const lib = await load();
  const initOptions = {};
  if (!warmUp) initOptions.warmUp = false;
  if (wasm !== undefined) initOptions.wasm = wasm;
  const { build } = await lib.init(initOptions);
  const tInit = performance.now();
  if (mode === 'coldstart') {
    const I = 8,
      H = 64,
      T = 32;
    const lstm = new lib.LSTM({ inputSize: I, hiddenSize: H, seed: 1 });
    const { output } = lstm.forward(new Float32Array(T * I).fill(0.5), { batch: 1, steps: T });
    const t1 = performance.now();
    lstm.dispose();
    // originToForwardMs: from process start (Node) or navigation start (page) to the result
    return {
      mode,
      build,
      importToForwardMs: t1 - t0,
      originToForwardMs: t1,
      initMs: tInit - t0,
      finite: output.every(Number.isFinite),
    };
  }
  // the gap as it was: with gapMs 0 it is the warm-up task (init() scheduled it before our timer)
  let gap;
  if (mode === 'gap') {
    const c = cpu?.(),
      t = performance.now();
    await sleep(gapMs);
    gap = { wallMs: performance.now() - t, cpuMs: cpu ? cpu() - c : undefined };
  } else if (mode !== 'first') throw new Error(`unknown mode ${mode}`);
  const { I, H, B, T } = W2;
  const lstm = new lib.LSTM({ inputSize: I, hiddenSize: H, seed: 1 });
  const x = inputs(B * T * I);
  // marks: performance.now() at the start and end of every call (a host without a synchronous CPU
  // clock, workerd, works out CPU time per call from these and the thread's CPU time sampled outside)
  const times = [],
    cpuTimes = [],
    marks = [];
  let finite = true;
  for (let i = 0; i < CALLS; i++) {
    const c = cpu?.(),
      t = performance.now();
    const { output } = lstm.forward(x, { batch: B, steps: T });
    const e = performance.now();
    if (cpu) cpuTimes.push(cpu() - c);
    times.push(e - t);
    marks.push(t, e);
    if (i === 0 || i === CALLS - 1) finite &&= output.length === B * T * H && output.every(Number.isFinite);
  }
  lstm.dispose();
  return withRatios({
    mode,
    build,
    initMs: tInit - t0,
    gap,
    times,
    cpuTimes: cpu ? cpuTimes : undefined,
    marks,
    finite,
  });
}

/** firstMs, steadyMs (min of calls 3..6), ratio, and cpuRatio when there are CPU times. */
export function withRatios(r) {
  const steady = Math.min(...r.times.slice(2));
  const out = { ...r, firstMs: r.times[0], steadyMs: steady, ratio: r.times[0] / steady };
  if (r.cpuTimes) out.cpuRatio = r.cpuTimes[0] / Math.min(...r.cpuTimes.slice(2));
  return out;
}
