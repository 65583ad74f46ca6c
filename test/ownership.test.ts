// Issue 10 #11: one ownership policy for everything that holds wasm memory. Layers, stream states
// and optimizer state that are forgotten without dispose() are freed when garbage-collected
// (FinalizationRegistry); dispose() frees at once. `gc` is exposed here through V8's flags, so the
// test needs no special node options.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam, Dense, Embedding, GRU, init, LSTM, Sequential } from '../src/index.js';
import { liveBytes } from './helpers/lstm-error.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects until the live bytes fall to `target` (finalizers run some time after a collection). */
async function collectDownTo(target: number): Promise<number> {
  for (let i = 0; i < 100 && liveBytes() > target; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 5));
  }
  return liveBytes();
}

function forget(n: number, make: () => unknown): void {
  for (let i = 0; i < n; i++) make();
}

describe('issue 10 #11: forgotten objects are freed', () => {
  beforeAll(async () => {
    await init();
  });

  it('2,000 Dense and 2,000 Embedding layers, forgotten, leave nothing live after GC', async () => {
    const base = await collectDownTo(0);
    forget(2000, () => new Dense({ inputSize: 32, outputSize: 30 }));
    forget(2000, () => new Embedding({ numEmbeddings: 100, embeddingDim: 16 }));
    expect(liveBytes() - base).toBeGreaterThan(2000 * (2 * 32 * 32 * 4 + 2 * 100 * 16 * 4) * 0.9);
    expect(await collectDownTo(base)).toBe(base);
  });

  it('models with optimizer state and stream states, forgotten, leave nothing live after GC', async () => {
    const base = await collectDownTo(0);
    const x = { data: new Float32Array(2 * 3 * 4).fill(0.5), shape: [2, 3, 4] },
      y = { data: new Float32Array(2).fill(1), shape: [2, 1] };
    forget(200, () => {
      const m = new Sequential([new GRU({ inputSize: 4, hiddenSize: 8 }), new Dense({ inputSize: 8, outputSize: 1 })]);
      m.compile({ loss: 'mse', optimizer: new Adam({}) });
      m.trainOnBatch(x, y); // workspaces and Adam's moments
      new LSTM({ inputSize: 4, hiddenSize: 8 }).createState(3);
    });
    expect(liveBytes() - base).toBeGreaterThan(200 * 1000);
    expect(await collectDownTo(base)).toBe(base);
  });

  it('an optimizer forgotten while its layers live frees its state; dispose() frees at once', async () => {
    const layer = new Dense({ inputSize: 64, outputSize: 64 });
    layer.forwardTensor({ data: new Float32Array(64).fill(1), shape: [1, 64] }); // its workspace
    layer.backwardTensor({ data: new Float32Array(64).fill(1), shape: [1, 64] });
    const base = await collectDownTo(0);
    forget(100, () => new Adam({}).step(layer));
    expect(liveBytes() - base).toBeGreaterThanOrEqual(100 * 2 * 64 * 64 * 4);
    expect(await collectDownTo(base)).toBe(base);
    const adam = new Adam({});
    adam.step(layer);
    expect(liveBytes()).toBeGreaterThan(base);
    adam.dispose();
    expect(liveBytes()).toBe(base);
    layer.dispose();
  });
});
