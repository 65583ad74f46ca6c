// init({ threads }) and the pool as a user meets them: the option and its errors, what init reports,
// workers that really take tasks, layers bound to the runtime they were made on, Sequential.fit
// (bidirectional, Dropout, stateful with truncated BPTT, masking, Embedding, Dense, Adam with clipping)
// equal to one thread, terminate(), OUT_OF_MEMORY at the shared memory's maximum, a process that
// exits with a pool alive, and a pool whose workers fail or whose task traps (no hang).
// Losses and weights of the threaded fits: within 1e-6 relative of one thread (their only
// difference is the order of the global-norm sum, in float64).
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Adam,
  Dense,
  Dropout,
  Embedding,
  init,
  LSTM,
  LSTMError,
  type Layer,
  Sequential,
  SGD,
  supportedBuilds,
  tasks,
  terminate,
} from '../src/index.js';
import { currentRuntime } from '../src/runtime.js';
import { Pool } from '../src/threads/pool.js';
import { splitPolicy } from '../src/threads/split-ops.js';
import { maxRelDiff } from './reference/lstm64.js';
import { mulberry32, uniform } from './reference/rng.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const until = async (ok: () => boolean, ms = 20_000) => {
  const t0 = Date.now();
  while (!ok() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 20));
  return ok();
};

describe('init({ threads })', () => {
  it('validates the option', async () => {
    for (const bad of [0, -1, 1.5, 65, 'many', null, Number.NaN]) {
      await expect(init({ threads: bad as never })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        argument: 'threads',
      });
    }
    await expect(init({ threads: 2, workerUrl: 42 as never })).rejects.toMatchObject({ argument: 'workerUrl' });
  });

  it('reports the threads in use; one thread by default', async () => {
    const one = await init();
    expect(one.threads).toBe(1);
    expect(one.features.threads).toBe(true); // Node 20 has SharedArrayBuffer and worker_threads
    expect(one.features.threadsReason).toBeUndefined();
    const two = await init({ threads: 2 });
    expect(two.threads).toBe(2);
    expect(currentRuntime().pool?.threads).toBe(2);
    const auto = await init({ threads: 'auto' });
    expect(auto.threads).toBe(Math.min(8, availableParallelism()));
    expect((await init({ threads: 1 })).threads).toBe(1);
    expect(currentRuntime().pool).toBeNull();
  });

  it('workers come up and help while the caller runs a synchronous loop (no await, no event-loop turn)', async () => {
    await init({ threads: 4 }); // a new pool: its workers are starting now
    const pool = currentRuntime().pool!,
      rng = mulberry32(5);
    const l = new LSTM({ inputSize: 16, hiddenSize: 64, seed: 1 }),
      x = Float32Array.from(uniform(rng, 16 * 50 * 16, -1, 1));
    const t0 = Date.now();
    while (pool.workerTasks === 0 && Date.now() - t0 < 20_000) l.forward(x, { batch: 16, steps: 50 });
    expect(pool.workerTasks).toBeGreaterThan(0);
    l.dispose();
  });

  it('workers start and take tasks; the first calls do not wait for them', async () => {
    await init({ threads: 3 });
    const rt = currentRuntime(),
      pool = rt.pool!;
    // before or after the workers are up, a job completes (the caller runs what is left); tasks of
    // 64 K floats (tens of µs each), so a woken worker finds some left even on a busy machine
    const n = 16 * 65536,
      g = rt.arena.alloc(4 * n, 'test');
    rt.arena.write(g, new Float32Array(n).fill(0.5));
    // right after init(), whether or not a worker is up yet
    for (let t = 0; t < 16; t++) pool.task('scaleArray', g + t * 4 * 65536, 65536, 2);
    pool.run();
    expect(rt.arena.read(g, n).every((v) => v === 1)).toBe(true);
    expect(await until(() => pool.ready === 2)).toBe(true);
    const before = pool.workerTasks,
      t0 = Date.now();
    while (pool.workerTasks === before && Date.now() - t0 < 20_000) {
      for (let t = 0; t < 16; t++) pool.task('scaleArray', g + t * 4 * 65536, 65536, 1);
      pool.run();
    }
    expect(pool.workerTasks).toBeGreaterThan(before);
    rt.arena.free(g);
  });
});

function model(seed: number): Sequential {
  return new Sequential([
    new Embedding({ numEmbeddings: 11, embeddingDim: 6, seed }),
    new LSTM({ inputSize: 6, hiddenSize: 10, bidirectional: true, returnSequences: true, seed: seed + 1 }),
    new Dropout({ rate: 0.2, seed: seed + 2 }),
    new LSTM({ inputSize: 20, hiddenSize: 12, recurrentDropout: 0.1, returnSequences: false, seed: seed + 3 }),
    new Dense({ inputSize: 12, outputSize: 11, activation: 'softmax', seed: seed + 4 }),
  ]);
}

const weights = (m: Sequential) => m.layers.flatMap((l: Layer) => Object.values(l.stateDict()).map((t) => t.data));

for (const build of supportedBuilds()) {
  describe(`threads in training, ${build} build`, () => {
    const saved = { ...splitPolicy };
    beforeAll(() => {
      Object.assign(splitPolicy, { minWorkPerThread: 0, minFloatsPerThread: 0, minCopyFloatsPerThread: 0 });
    });
    afterAll(() => {
      Object.assign(splitPolicy, saved);
    });

    it('Sequential.fit (Embedding, bidirectional LSTM, Dropout, recurrent dropout, softmax Dense, Adam + clipNorm, masking) equals one thread', async () => {
      const N = 24,
        T = 9,
        rng = mulberry32(3);
      const x = { data: Float32Array.from({ length: N * T }, () => Math.floor(rng() * 11)), shape: [N, T] };
      const y = { data: Float32Array.from({ length: N }, () => Math.floor(rng() * 11)), shape: [N] };
      const lengths = Array.from({ length: N }, (_, i) => 3 + (i % 7));
      const train = async (threads: number) => {
        await init({ build, threads });
        const m = model(5);
        m.compile({
          loss: 'sparseCategoricalCrossentropy',
          optimizer: new Adam({ learningRate: 0.02, clipNorm: 0.5 }),
        });
        const jobs = currentRuntime().pool?.jobs ?? 0;
        const h = await m.fit(x, y, { epochs: 3, batchSize: 12, lengths, validationSplit: 0.25, seed: 2 });
        const split = (currentRuntime().pool?.jobs ?? 0) > jobs;
        const out = { loss: h.history.loss, val: h.history.valLoss, w: weights(m), split };
        for (const l of m.layers) l.dispose();
        return out;
      };
      const a = await train(1),
        b = await train(2);
      expect(b.split).toBe(true);
      expect(maxRelDiff(b.loss, a.loss)).toBeLessThan(1e-6);
      expect(maxRelDiff(b.val!, a.val!)).toBeLessThan(1e-6);
      b.w.forEach((w, i) => {
        expect(maxRelDiff(w, a.w[i]!)).toBeLessThan(1e-6);
      });
    });

    it('stateful LSTM with truncated BPTT, SGD with momentum, equals one thread', async () => {
      const { x, y } = tasks.sineTask(16, 40, { seed: 4 });
      const train = async (threads: number) => {
        await init({ build, threads });
        const m = new Sequential([
          new LSTM({ inputSize: 1, hiddenSize: 16, stateful: true, returnSequences: true, seed: 1 }),
          new Dense({ inputSize: 16, outputSize: 1, seed: 2 }),
        ]);
        m.compile({ loss: 'mse', optimizer: new SGD({ learningRate: 0.05, momentum: 0.9 }) });
        const h = await m.fit(x, y, { epochs: 2, batchSize: 16, shuffle: false, tbptt: { k: 10 } });
        const p = m.predict(x).data;
        const out = { loss: h.history.loss, w: weights(m), p };
        for (const l of m.layers) l.dispose();
        return out;
      };
      const a = await train(1),
        b = await train(3);
      expect(maxRelDiff(b.loss, a.loss)).toBeLessThan(1e-6);
      expect(maxRelDiff(b.p, a.p)).toBeLessThan(1e-6);
      b.w.forEach((w, i) => {
        expect(maxRelDiff(w, a.w[i]!)).toBeLessThan(1e-6);
      });
    });
  });
}

describe('runtimes and pools', () => {
  it('layers keep the runtime they were made on; terminate() leaves threaded layers working', async () => {
    await init({ threads: 1 });
    const rng = mulberry32(9),
      x = Float32Array.from(uniform(rng, 16 * 12 * 8, -1, 1));
    const a = new LSTM({ inputSize: 8, hiddenSize: 24, seed: 2 });
    const ya = a.forward(x, { batch: 16, steps: 12 }).output;
    await init({ threads: 2 });
    const b = new LSTM({ inputSize: 8, hiddenSize: 24, seed: 2 });
    expect(a.forward(x, { batch: 16, steps: 12 }).output).toEqual(ya); // still on its one-thread runtime
    expect(b.forward(x, { batch: 16, steps: 12 }).output).toEqual(ya);
    terminate();
    expect(currentRuntime().pool?.terminated).toBe(true);
    expect(b.forward(x, { batch: 16, steps: 12 }).output).toEqual(ya);
    await init({ threads: 2 }); // a new pool for the same runtime
    expect(currentRuntime().pool?.terminated).toBe(false);
    expect(b.forward(x, { batch: 16, steps: 12 }).output).toEqual(ya);
    a.dispose();
    b.dispose();
  });

  it('OUT_OF_MEMORY past the shared memory maximum, then everything still works', async () => {
    await init({ threads: 2 });
    const rt = currentRuntime();
    expect(rt.arena.maxBytes).toBeLessThanOrEqual(2 ** 31);
    // 4 bidirectional layers at T = 200 000 need about 2.4 GB: under the one-thread 4 GiB, over 2 GiB
    const big = new LSTM({ inputSize: 1, hiddenSize: 64, numLayers: 4, bidirectional: true, seed: 1 });
    const live = rt.arena.liveBytes;
    let err: unknown;
    try {
      big.forward(new Float32Array(200_000), { batch: 1, steps: 200_000 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LSTMError);
    expect((err as LSTMError).code).toBe('OUT_OF_MEMORY');
    expect(rt.arena.liveBytes).toBe(live);
    const out = big.forward(new Float32Array(50).fill(0.5), { batch: 1, steps: 50 }).output;
    expect(out.every(Number.isFinite)).toBe(true);
    big.dispose();
  });

  it('a process with a live pool exits by itself (workers are unref’d)', () => {
    const code = `const lib = await import('./dist/index.js');
      const info = await lib.init({ threads: 2 });
      const l = new lib.LSTM({ inputSize: 4, hiddenSize: 32, seed: 1 });
      const y = l.forward(new Float32Array(16 * 20 * 4).fill(0.1), { batch: 16, steps: 20 }).output;
      console.log(info.threads, y.every(Number.isFinite));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.signal, 'killed by the timeout: the pool kept the process alive').toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('2 true');
  });

  it('a pool whose workers fail to start still completes its jobs; a failing task throws, never hangs', async () => {
    await init({ threads: 2 });
    const rt = currentRuntime(),
      module = await WebAssembly.compile(
        (await import('node:fs')).readFileSync(new URL('../build/lstm.simd.mt.wasm', import.meta.url)),
      );
    const failing = () => ({
      post: () => {},
      onFirstMessage: (f: (m: { error: string }) => void) => queueMicrotask(() => f({ error: 'no such worker' })),
      terminate: () => {},
    });
    const pool = new Pool(rt.arena, rt.kernels, module, 3, failing);
    const g = rt.arena.alloc(4 * 1024, 'test');
    rt.arena.write(g, new Float32Array(1024).fill(2));
    for (let i = 0; i < 8; i++) pool.task('scaleArray', g + i * 512, 128, 0.5);
    pool.run();
    expect(rt.arena.read(g, 1024).every((v) => v === 1)).toBe(true);
    await Promise.resolve();
    expect(pool.failures).toEqual(['no such worker', 'no such worker']);
    pool.terminate();
    // a task that traps (out-of-bounds pointer) on the real pool: run() throws and the pool goes on
    const real = rt.pool!;
    real.task('sumSquaresTo', 0xfffffff0, 1024, g);
    real.task('scaleArray', g, 1024, 2);
    expect(() => real.run()).toThrow();
    real.task('scaleArray', g, 1024, 2);
    real.run();
    expect(rt.arena.read(g, 4)).toEqual(new Float32Array(4).fill(4));
    rt.arena.free(g);
  });
});
