// Per-sequence lengths: a padded batch equals running each sequence at its own length, in the
// outputs, the final states and every gradient (both directions, two layers), on every build.
import { describe, it, expect, beforeAll } from 'vitest';
import { init, supportedBuilds, LSTM, GRU, SimpleRNN, Sequential, Dense, Adam } from '../src/index.js';
import { maxAbsDiff } from './reference/lstm64.js';
import { mulberry32, uniform } from './reference/rng.js';

const TOL = 1e-5; // float32, different batch compositions: same math, different summation order

for (const build of supportedBuilds()) {
  describe(`masking with lengths, ${build} build`, () => {
    beforeAll(async () => {
      await init({ build });
    });

    for (const bidirectional of [false, true]) {
      it(`${bidirectional ? 'bidirectional' : 'unidirectional'}, 2 layers: padded batch = separate runs`, () => {
        const I = 3,
          H = 5,
          T = 6,
          B = 3,
          L = 2,
          D = bidirectional ? 2 : 1,
          S = L * D;
        const lengths = [6, 2, 4];
        const lstm = new LSTM({ inputSize: I, hiddenSize: H, numLayers: L, bidirectional, seed: 3 });
        const rng = mulberry32(7);
        const x = Float32Array.from(uniform(rng, B * T * I, -1, 1));
        const dOut = Float32Array.from(uniform(rng, B * T * D * H, -1, 1));
        // padded steps get no output gradient (the loss masks them)
        for (let b = 0; b < B; b++)
          for (let t = lengths[b]!; t < T; t++) dOut.fill(0, (b * T + t) * D * H, (b * T + t + 1) * D * H);
        const all = lstm.forward(x, { batch: B, steps: T, lengths });
        const back = lstm.backward(dOut);
        const grads = lstm.gradients();

        const summed: Record<string, Float32Array> = {};
        for (const [k, g] of Object.entries(grads)) summed[k] = new Float32Array(g.data.length);
        for (let b = 0; b < B; b++) {
          const len = lengths[b]!;
          lstm.zeroGrad();
          const xb = x.slice(b * T * I, (b * T + len) * I);
          const one = lstm.forward(xb, { batch: 1, steps: len });
          const ob = one.output,
            pb = all.output.subarray(b * T * D * H, (b * T + len) * D * H);
          expect(maxAbsDiff(ob, pb)).toBeLessThan(TOL);
          for (let s = 0; s < S; s++) {
            expect(
              maxAbsDiff(one.h.subarray(s * H, s * H + H), all.h.subarray((s * B + b) * H, (s * B + b + 1) * H)),
            ).toBeLessThan(TOL);
            expect(
              maxAbsDiff(one.c.subarray(s * H, s * H + H), all.c.subarray((s * B + b) * H, (s * B + b + 1) * H)),
            ).toBeLessThan(TOL);
          }
          const bOne = lstm.backward(dOut.slice(b * T * D * H, (b * T + len) * D * H));
          expect(maxAbsDiff(bOne.dx, back.dx.subarray(b * T * I, (b * T + len) * I))).toBeLessThan(TOL);
          expect(back.dx.subarray((b * T + len) * I, (b + 1) * T * I).every((v) => v === 0)).toBe(true);
          for (const [k, g] of Object.entries(lstm.gradients()))
            g.data.forEach((v, i) => {
              summed[k]![i]! += v;
            });
        }
        for (const [k, g] of Object.entries(grads)) expect(maxAbsDiff(g.data, summed[k]!), k).toBeLessThan(1e-4);
        lstm.dispose();
      });
    }

    for (const Cell of [GRU, SimpleRNN] as const) {
      it(`${Cell.name}, bidirectional: padded batch = separate runs (outputs, h, every gradient)`, () => {
        const I = 3,
          H = 5,
          T = 5,
          B = 3,
          D = 2,
          lengths = [5, 1, 3];
        const layer = new Cell({ inputSize: I, hiddenSize: H, bidirectional: true, seed: 6 });
        const rng = mulberry32(8);
        const x = Float32Array.from(uniform(rng, B * T * I, -1, 1)),
          dOut = Float32Array.from(uniform(rng, B * T * D * H, -1, 1));
        for (let b = 0; b < B; b++) dOut.fill(0, (b * T + lengths[b]!) * D * H, (b + 1) * T * D * H);
        const all = layer.forward(x, { batch: B, steps: T, lengths });
        const back = layer.backward(dOut);
        const grads = layer.gradients();
        const summed: Record<string, Float32Array> = {};
        for (const [k, g] of Object.entries(grads)) summed[k] = new Float32Array(g.data.length);
        for (let b = 0; b < B; b++) {
          const len = lengths[b]!;
          layer.zeroGrad();
          const one = layer.forward(x.slice(b * T * I, (b * T + len) * I), { batch: 1, steps: len });
          expect(maxAbsDiff(one.output, all.output.subarray(b * T * D * H, (b * T + len) * D * H))).toBeLessThan(TOL);
          for (let d = 0; d < D; d++)
            expect(
              maxAbsDiff(one.h.subarray(d * H, d * H + H), all.h.subarray((d * B + b) * H, (d * B + b + 1) * H)),
            ).toBeLessThan(TOL);
          const bOne = layer.backward(dOut.slice(b * T * D * H, (b * T + len) * D * H));
          expect(maxAbsDiff(bOne.dx, back.dx.subarray(b * T * I, (b * T + len) * I))).toBeLessThan(TOL);
          for (const [k, g] of Object.entries(layer.gradients()))
            g.data.forEach((v, i) => {
              summed[k]![i]! += v;
            });
        }
        for (const [k, g] of Object.entries(grads)) expect(maxAbsDiff(g.data, summed[k]!), k).toBeLessThan(1e-4);
        layer.dispose();
      });
    }

    it('rejects bad lengths', () => {
      const lstm = new LSTM({ inputSize: 1, hiddenSize: 2 });
      expect(() => lstm.forward(new Float32Array(4), { batch: 2, steps: 2, lengths: [1] })).toThrow(
        /one length per sequence/,
      );
      expect(() => lstm.forward(new Float32Array(4), { batch: 2, steps: 2, lengths: [1, 3] })).toThrow(/lengths\[1\]/);
      lstm.dispose();
    });

    it('fit with lengths: padded steps do not change the loss or the training', async () => {
      // Many-to-many: the padded tail of each sequence holds garbage targets; masked, they are ignored.
      const N = 8,
        T = 5,
        rng = mulberry32(2);
      const x = Float32Array.from(uniform(rng, N * T, -1, 1)),
        y = Float32Array.from(uniform(rng, N * T, -1, 1));
      const lengths = Array.from({ length: N }, (_, i) => 2 + (i % 4));
      const noisy = y.slice();
      for (let n = 0; n < N; n++) for (let t = lengths[n]!; t < T; t++) noisy[n * T + t] = 100;
      const make = () => {
        const m = new Sequential([
          new LSTM({ inputSize: 1, hiddenSize: 4, returnSequences: true, seed: 1 }),
          new Dense({ inputSize: 4, outputSize: 1, seed: 2 }),
        ]);
        m.compile({ loss: 'mse', optimizer: new Adam({ learningRate: 0.01 }) });
        return m;
      };
      const a = await make().fit(
        { data: x, shape: [N, T, 1] },
        { data: y, shape: [N, T, 1] },
        { epochs: 3, batchSize: 4, lengths },
      );
      const b = await make().fit(
        { data: x, shape: [N, T, 1] },
        { data: noisy, shape: [N, T, 1] },
        { epochs: 3, batchSize: 4, lengths },
      );
      expect(b.history.loss).toEqual(a.history.loss);
      expect(a.history.loss[0]).toBeLessThan(5);
    });
  });
}
