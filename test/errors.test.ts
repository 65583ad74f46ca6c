// Bad input: each case gets a typed LSTMError naming the argument, what was expected and what
// came, and the layer stays usable afterwards.
import { describe, it, expect, beforeAll } from 'vitest';
import { init, LSTM, LSTMError, type LSTMErrorCode } from '../src/index.js';
import { currentRuntime } from '../src/runtime.js';

function expectError(fn: () => unknown, code: LSTMErrorCode, argument?: string): LSTMError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a throw').toBeInstanceOf(LSTMError);
  const err = caught as LSTMError;
  expect(err.code).toBe(code);
  if (argument !== undefined) {
    expect(err.argument).toBe(argument);
    expect(err.message).toContain(argument);
  }
  return err;
}

describe('bad input', () => {
  beforeAll(async () => {
    await init();
  });

  const x = (B: number, T: number, I = 3) => new Float32Array(B * T * I).fill(0.5);

  it('sizes: non-integer, zero, negative, absurd, wrong type', () => {
    for (const bad of [0, -1, 2.5, NaN, Infinity, '3', null, 2 ** 40]) {
      const e = expectError(
        () => new LSTM({ inputSize: bad as number, hiddenSize: 5 }),
        'INVALID_ARGUMENT',
        'inputSize',
      );
      expect(e.expected).toMatch(/integer/);
      expect(e.actual).toBeDefined();
      expectError(() => new LSTM({ inputSize: 3, hiddenSize: bad as number }), 'INVALID_ARGUMENT', 'hiddenSize');
      expectError(
        () => new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: bad as number }),
        'INVALID_ARGUMENT',
        'numLayers',
      );
    }
    expectError(
      () => new LSTM({ inputSize: 3, hiddenSize: 5, bidirectional: 'yes' as unknown as boolean }),
      'INVALID_ARGUMENT',
      'bidirectional',
    );
    expectError(() => new LSTM({ inputSize: 3, hiddenSize: 5, seed: 1.5 }), 'INVALID_ARGUMENT', 'seed');
    expectError(
      () => new LSTM(undefined as unknown as { inputSize: number; hiddenSize: number }),
      'INVALID_ARGUMENT',
      'options',
    );
  });

  it('sizes that would exhaust memory fail cleanly', () => {
    const before = currentRuntime().arena.liveBytes;
    // 4·65536·(65536+65536) floats of weights: far beyond 4 GiB.
    expectError(() => new LSTM({ inputSize: 65536, hiddenSize: 65536 }), 'OUT_OF_MEMORY');
    expect(currentRuntime().arena.liveBytes).toBe(before);
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 5 });
    expectError(() => lstm.forward(new Float32Array(3), { batch: 1 << 27, steps: 1 << 4 }), 'SHAPE_MISMATCH', 'x');
    // Shape consistent with x is impossible for huge sizes, so the memory check is reached via steps.
    const e = expectError(() => lstm.forward(new Float32Array(0), { batch: 1, steps: 0 }), 'INVALID_ARGUMENT', 'steps');
    expect(e.actual).toBe('0');
    expect(lstm.forward(x(1, 2), { batch: 1, steps: 2 }).output.length).toBe(10);
    lstm.dispose();
  });

  it('x of the wrong length or type for batch/steps', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 5 });
    let e = expectError(() => lstm.forward(x(2, 4).subarray(1), { batch: 2, steps: 4 }), 'SHAPE_MISMATCH', 'x');
    expect(e.expected).toContain('24');
    expect(e.actual).toContain('23');
    e = expectError(
      () => lstm.forward([1, 2, 3] as unknown as Float32Array, { batch: 1, steps: 1 }),
      'INVALID_ARGUMENT',
      'x',
    );
    expect(e.actual).toContain('Array');
    expectError(() => lstm.forward(x(1, 7).subarray(1), { batch: 2 }), 'SHAPE_MISMATCH', 'x');
    expectError(() => lstm.forward(x(2, 4), { batch: 2.5, steps: 4 }), 'INVALID_ARGUMENT', 'batch');
    expectError(() => lstm.forward(x(2, 4), { batch: -2, steps: 4 }), 'INVALID_ARGUMENT', 'batch');
    expectError(() => lstm.forward(x(2, 4), { batch: 2, steps: 4, h0: new Float32Array(9) }), 'SHAPE_MISMATCH', 'h0');
    expectError(() => lstm.forward(x(2, 4), { batch: 2, steps: 4, c0: new Float32Array(11) }), 'SHAPE_MISMATCH', 'c0');
    // steps inferred from x when omitted
    expect(lstm.forward(x(2, 4), { batch: 2 }).output.length).toBe(2 * 4 * 5);
    lstm.dispose();
  });

  it('state dict with a missing, extra or mis-shaped tensor; the layer keeps its weights', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, seed: 3 });
    const good = lstm.stateDict();
    const probe = x(1, 3);
    const y0 = lstm.forward(probe, { batch: 1, steps: 3 }).output;

    const missing = { ...good };
    delete missing.bias_hh_l0;
    expectError(() => lstm.loadStateDict(missing), 'STATE_DICT_MISSING', 'bias_hh_l0');

    const extra = { ...good, weight_ih_l1: good.weight_ih_l0! };
    const e = expectError(() => lstm.loadStateDict(extra), 'STATE_DICT_UNEXPECTED', 'weight_ih_l1');
    expect(e.expected).toContain('weight_ih_l0');

    const badShape = { ...good, weight_hh_l0: { shape: [20, 4], data: new Float32Array(80) } };
    const s = expectError(() => lstm.loadStateDict(badShape), 'STATE_DICT_SHAPE', 'weight_hh_l0');
    expect(s.expected).toBe('[20, 5]');
    expect(s.actual).toBe('[20, 4]');

    const badData = { ...good, bias_ih_l0: { shape: [20], data: new Float32Array(19) } };
    expectError(() => lstm.loadStateDict(badData), 'STATE_DICT_SHAPE', 'bias_ih_l0');
    const notData = { ...good, bias_ih_l0: { shape: [20], data: 'oops' as unknown as Float32Array } };
    expectError(() => lstm.loadStateDict(notData), 'STATE_DICT_SHAPE', 'bias_ih_l0');

    // Failed loads changed nothing, even when the bad tensor came after good ones.
    expect(lstm.forward(probe, { batch: 1, steps: 3 }).output).toEqual(y0);
    lstm.dispose();
  });

  it('backward before forward, and with the wrong shape', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 5 });
    const e = expectError(() => lstm.backward(new Float32Array(10)), 'NO_FORWARD');
    expect(e.message).toContain('forward');
    lstm.forward(x(2, 1), { batch: 2, steps: 1 });
    expectError(() => lstm.backward(new Float32Array(11)), 'SHAPE_MISMATCH', 'dOutput');
    expectError(() => lstm.backward(new Float32Array(10), { dh: new Float32Array(3) }), 'SHAPE_MISMATCH', 'dh');
    expect(lstm.backward(new Float32Array(10).fill(1)).dx.length).toBe(6);
    lstm.dispose();
  });

  it('use after dispose, of the layer and of its stream state', () => {
    const before = currentRuntime().arena.liveBytes;
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 5 });
    const state = lstm.createState(1);
    lstm.forward(x(1, 2), { batch: 1, steps: 2 });
    lstm.backward(new Float32Array(10));
    lstm.dispose();
    lstm.dispose(); // twice is fine
    expect(currentRuntime().arena.liveBytes).toBe(before); // nothing leaked
    expectError(() => lstm.forward(x(1, 2), { batch: 1, steps: 2 }), 'DISPOSED');
    expectError(() => lstm.backward(new Float32Array(10)), 'DISPOSED');
    expectError(() => lstm.stateDict(), 'DISPOSED');
    expectError(() => lstm.gradients(), 'DISPOSED');
    expectError(() => lstm.zeroGrad(), 'DISPOSED');
    expectError(() => lstm.loadStateDict({}), 'DISPOSED');
    expectError(() => lstm.createState(1), 'DISPOSED');
    expectError(() => lstm.step(new Float32Array(3), state), 'DISPOSED');
    expectError(() => state.h, 'DISPOSED');
  });

  it('streaming: wrong xt, foreign state, bidirectional', () => {
    const a = new LSTM({ inputSize: 3, hiddenSize: 5 });
    const b = new LSTM({ inputSize: 3, hiddenSize: 5 });
    const st = a.createState(2);
    expectError(() => a.step(new Float32Array(5), st), 'SHAPE_MISMATCH', 'xt');
    expectError(() => b.step(new Float32Array(6), st), 'INVALID_ARGUMENT', 'state');
    st.dispose();
    expectError(() => a.step(new Float32Array(6), st), 'INVALID_ARGUMENT', 'state');
    const bi = new LSTM({ inputSize: 3, hiddenSize: 5, bidirectional: true });
    expectError(() => bi.createState(1), 'INVALID_ARGUMENT', 'bidirectional');
    a.dispose();
    b.dispose();
    bi.dispose();
  });

  it('init: unknown build', async () => {
    await expect(init({ build: 'gpu' as 'simd' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'build',
    });
    const info = await init();
    expect(['relaxed-simd', 'simd', 'scalar']).toContain(info.build);
    expect(info.features.simd).toBe(true);
    expect(await init()).toEqual(info); // idempotent
  });
});
