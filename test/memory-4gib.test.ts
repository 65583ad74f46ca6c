// Issue 10 #1 and #6: wasm memory past 2 GiB. Layers placed at byte offsets ≥ 2^31 must hold the
// same weights and compute the same results as their twins at low offsets (a signed `ptr >> 2`
// turns those offsets negative), the whole 4 GiB is usable, and past it allocation stops with
// OUT_OF_MEMORY, changing nothing: a forward that runs out of memory keeps the previous
// forward's activations, so backward still works. Needs about 3.5 GB of RAM.
import { beforeAll, describe, expect, it } from 'vitest';
import { Dense, Embedding, init, LSTM, SGD } from '../src/index.js';
import { MAX_MEMORY_BYTES } from '../src/arena.js';
import { currentRuntime } from '../src/runtime.js';
import { expectError, liveBytes } from './helpers/lstm-error.js';
import { mulberry32, uniform } from './reference/rng.js';

const GiB = 2 ** 30;
const rand = (n: number, seed: number) => Float32Array.from(uniform(mulberry32(seed), n, -1, 1));
/** The byte offset of a layer's parameter block (white-box: where the arena put it). */
const paramsAt = (l: { _blocks(): { params: number } | null }) => l._blocks()!.params;

describe('issue 10 #1: memory past 2 GiB', () => {
  beforeAll(async () => {
    await init();
  });

  it('layers past 2^31 hold the right weights and compute what their low twins compute; OOM at 4 GiB changes nothing', () => {
    const arena = currentRuntime().arena;
    expect(MAX_MEMORY_BYTES).toBe(4 * GiB);
    // twins at low offsets
    const denseLow = new Dense({ inputSize: 16, outputSize: 24, seed: 7 });
    const lstmLow = new LSTM({ inputSize: 8, hiddenSize: 64, seed: 8 });
    // filler (white-box, zero-filled and fast), then an Embedding whose 0.5 GiB of weights straddle 2 GiB
    const top = arena.alloc(64, 'probe');
    arena.free(top);
    const a = arena.alloc(1.75 * GiB - top, 'filler');
    const E = 1024,
      V = (0.5 * GiB) / (4 * E);
    const b = new Embedding({ numEmbeddings: V, embeddingDim: E, seed: 2 });
    // b's weights straddle 2 GiB: rows before and after the boundary
    const bAt = paramsAt(b);
    expect(bAt).toBeLessThan(2 * GiB);
    expect(bAt + V * E * 4).toBeGreaterThan(2 * GiB);
    const rowPast = Math.ceil((2 * GiB - bAt) / (4 * E)) + 3;
    const ids = { data: Float32Array.from([0, rowPast - 7, rowPast, V - 1]), shape: [1, 4] };
    const rowsBefore = b.forwardTensor(ids).data;
    expect(rowsBefore.every(Number.isFinite)).toBe(true);

    // layers wholly past 2 GiB
    const dense = new Dense({ inputSize: 16, outputSize: 24, seed: 7 });
    const lstm = new LSTM({ inputSize: 8, hiddenSize: 64, seed: 8 });
    expect(paramsAt(dense)).toBeGreaterThan(2 * GiB);
    expect(paramsAt(lstm)).toBeGreaterThan(2 * GiB);
    expect(dense.stateDict()).toEqual(denseLow.stateDict());
    expect(lstm.stateDict()).toEqual(lstmLow.stateDict());
    expect(b.forwardTensor(ids).data).toEqual(rowsBefore); // creating them wrote nothing into b

    // forward, backward and an SGD step past 2 GiB equal the twins' bit for bit
    const x = { data: rand(5 * 16, 1), shape: [5, 16] };
    expect(dense.forwardTensor(x)).toEqual(denseLow.forwardTensor(x));
    const dy = { data: rand(5 * 24, 2), shape: [5, 24] };
    expect(dense.backwardTensor(dy)).toEqual(denseLow.backwardTensor(dy));
    const sgd = new SGD({ learningRate: 0.1 });
    sgd.step(dense, denseLow);
    expect(dense.stateDict()).toEqual(denseLow.stateDict());
    const xs = rand(3 * 6 * 8, 3);
    const high = lstm.forward(xs, { batch: 3, steps: 6 }),
      low = lstmLow.forward(xs, { batch: 3, steps: 6 });
    expect(high).toEqual(low);
    const dOut = rand(3 * 6 * 64, 4);
    expect(lstm.backward(dOut)).toEqual(lstmLow.backward(dOut));
    expect(lstm.gradients()).toEqual(lstmLow.gradients());
    const stream = lstm.createState(2),
      streamLow = lstmLow.createState(2);
    const xt = rand(16, 5);
    expect(lstm.step(xt, stream)).toEqual(lstmLow.step(xt, streamLow));

    // b's gradient rows past the boundary, and its SGD step there
    const g = { data: rand(4 * E, 6), shape: [1, 4, E] };
    b.forwardTensor(ids);
    b.backwardTensor(g);
    new SGD({ learningRate: 0.5 }).step(b);
    const rowsAfter = b.forwardTensor(ids).data;
    for (let i = 0; i < rowsAfter.length; i++)
      expect(Math.abs(rowsAfter[i]! - (rowsBefore[i]! - 0.5 * g.data[i]!))).toBeLessThan(1e-6);

    // fill memory close to 4 GiB; the next allocation fails cleanly
    const c = arena.alloc(4 * GiB - 0.15 * GiB - paramsAt(lstm), 'filler');
    expect(c).toBeGreaterThan(2.5 * GiB);
    const live = liveBytes();
    expectError(() => new Dense({ inputSize: 1 << 14, outputSize: 1 << 12 }), 'OUT_OF_MEMORY');
    expect(liveBytes()).toBe(live);

    // #6: a forward that runs out of memory keeps the previous forward's activations
    lstm.zeroGrad();
    lstm.forward(xs, { batch: 3, steps: 6 });
    const B = 450,
      T = 1000; // ≈ 1 GiB of activation cache: more than is left
    expectError(() => lstm.forward(rand(B * T * 8, 7), { batch: B, steps: T }), 'OUT_OF_MEMORY');
    expect(liveBytes()).toBe(live);
    lstmLow.zeroGrad();
    lstmLow.forward(xs, { batch: 3, steps: 6 });
    expect(lstm.backward(dOut)).toEqual(lstmLow.backward(dOut));
    expect(lstm.gradients()).toEqual(lstmLow.gradients());

    // freeing makes room again
    arena.free(a);
    const after = new Dense({ inputSize: 1 << 14, outputSize: 1 << 12, seed: 4 });
    expect(
      after.forwardTensor({ data: new Float32Array(1 << 14).fill(1), shape: [1, 1 << 14] }).data.every(Number.isFinite),
    ).toBe(true);
    arena.free(c);
    for (const l of [after, b, dense, lstm, denseLow, lstmLow]) l.dispose();
  }, 600_000);
});
