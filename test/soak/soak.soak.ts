// Soak (issue 10): 100,000 training steps and 10,000 save/load cycles (scaled by SOAK_SCALE), with
// the JS heap (after a full GC), the arena's live bytes and the wasm memory size sampled along the
// way. After a warm-up they must stay flat: no leak per step or per cycle. The numbers are printed.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam, Dense, Dropout, Embedding, init, LSTM, Sequential } from '../../src/index.js';
import { currentRuntime } from '../../src/runtime.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const SCALE = Number(process.env.SOAK_SCALE ?? 1);
const STEPS = Math.round(100_000 * SCALE),
  CYCLES = Math.round(10_000 * SCALE);
const CHECKPOINTS = 10;

interface Sample {
  at: number;
  heapMB: number;
  liveBytes: number;
  wasmBytes: number;
}

/** After full GCs, with event-loop turns between them so that finalizers (FinalizationRegistry) run. */
async function sample(at: number): Promise<Sample> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 0));
  }
  const arena = currentRuntime().arena;
  return {
    at,
    heapMB: process.memoryUsage().heapUsed / 2 ** 20,
    liveBytes: arena.liveBytes,
    wasmBytes: arena.memory.buffer.byteLength,
  };
}

function report(name: string, samples: Sample[], seconds: number, unit: string, count: number): void {
  console.log(
    `\n${name}: ${count} ${unit} in ${seconds.toFixed(1)} s (${((seconds / count) * 1e6).toFixed(0)} µs each)`,
  );
  console.log('     at   heap MB   live bytes   wasm bytes');
  for (const s of samples)
    console.log(
      `${String(s.at).padStart(7)} ${s.heapMB.toFixed(2).padStart(9)} ${String(s.liveBytes).padStart(12)} ${String(s.wasmBytes).padStart(12)}`,
    );
}

/** Flat: from the first checkpoint (after warm-up) on, wasm memory and live bytes do not move, and
 *  the heap stays within `heapSlackMB` of where it started. */
function expectFlat(samples: Sample[], heapSlackMB: number): void {
  const first = samples[1]!;
  for (const s of samples.slice(2)) {
    expect(s.wasmBytes, `wasm memory at ${s.at}`).toBe(first.wasmBytes);
    expect(s.liveBytes, `live bytes at ${s.at}`).toBe(first.liveBytes);
    expect(s.heapMB - first.heapMB, `heap growth at ${s.at}`).toBeLessThan(heapSlackMB);
  }
}

function model(): Sequential {
  const m = new Sequential([
    new LSTM({ inputSize: 3, hiddenSize: 16, returnSequences: true, recurrentDropout: 0.1, stateful: true, seed: 1 }),
    new Dropout({ rate: 0.2, seed: 2 }),
    new LSTM({ inputSize: 16, hiddenSize: 8, seed: 3 }),
    new Dense({ inputSize: 8, outputSize: 2, activation: 'softmax', seed: 4 }),
  ]);
  m.compile({
    loss: 'sparseCategoricalCrossentropy',
    optimizer: new Adam({ learningRate: 1e-3, clipNorm: 1 }),
    metrics: ['accuracy'],
  });
  return m;
}

describe(`soak (SOAK_SCALE=${SCALE})`, () => {
  beforeAll(async () => {
    await init();
  });

  it(`${STEPS} training steps: flat heap and wasm memory`, async () => {
    const m = model();
    // two batch sizes in turn, and some padded batches: the workspaces are reused, never regrown
    const batch = (i: number) => {
      const B = i % 3 === 0 ? 5 : 4,
        T = 10,
        x = new Float32Array(B * T * 3);
      for (let k = 0; k < x.length; k++) x[k] = Math.sin(i * 0.37 + k);
      const y = Float32Array.from({ length: B }, (_, b) => (x[b * T * 3]! > 0 ? 1 : 0));
      return { x: { data: x, shape: [B, T, 3] }, y: { data: y, shape: [B] } };
    };
    const samples: Sample[] = [];
    // checkpoints after a batch of 4 (i % 3 = 1), so every sample sees the same workspace shape
    const every = Math.max(3, Math.floor(STEPS / CHECKPOINTS / 3) * 3);
    const t0 = performance.now();
    let last = 0;
    for (let i = 0; i < STEPS; i++) {
      const { x, y } = batch(i);
      last = m.trainOnBatch(
        x,
        y,
        i % 7 === 0 ? { lengths: Array.from({ length: x.shape[0]! }, (_, b) => 10 - b) } : {},
      );
      if (i % 500 === 0) m.predict(x);
      if (i % every === 1) samples.push(await sample(i));
    }
    const seconds = (performance.now() - t0) / 1000;
    report('training', samples, seconds, 'steps', STEPS);
    expect(Number.isFinite(last)).toBe(true);
    m.dispose();
    expectFlat(samples, 2);
  });

  it(`${CYCLES} save/load cycles: flat heap and wasm memory`, async () => {
    const m = model();
    const x = { data: Float32Array.from({ length: 4 * 10 * 3 }, (_, k) => Math.cos(k)), shape: [4, 10, 3] },
      y = { data: new Float32Array([0, 1, 1, 0]), shape: [4] };
    m.trainOnBatch(x, y);
    const text = new Sequential([
      new Embedding({ numEmbeddings: 20, embeddingDim: 4 }),
      new LSTM({ inputSize: 4, hiddenSize: 8 }),
      new Dense({ inputSize: 8, outputSize: 20, activation: 'softmax' }),
    ]);
    const samples: Sample[] = [];
    const every = Math.max(1, Math.floor(CYCLES / CHECKPOINTS));
    const t0 = performance.now();
    let bytes = m.save();
    for (let i = 0; i < CYCLES; i++) {
      const again = await Sequential.load(bytes);
      again.trainOnBatch(x, y);
      bytes = again.save();
      again.dispose();
      if (i % 100 === 0) {
        const t = await Sequential.load(text.save());
        t.generate({ prompt: [1, 2, 3], steps: 20, seed: i });
        t.dispose();
      }
      if (i % every === 0) samples.push(await sample(i));
    }
    samples.push(await sample(CYCLES));
    const seconds = (performance.now() - t0) / 1000;
    report('save/load', samples, seconds, 'cycles', CYCLES);
    m.dispose();
    text.dispose();
    expectFlat(samples, 2);
  });
});
