// Dense on every build: forward against the float64 twin (test/reference/dense64.ts) and every
// gradient (input, weight, bias) against its central differences, for each activation, at a size
// inside one 8-column panel and one that spans three (the outputs are padded to whole panels).
// Tolerances: forward 1e-6 absolute; gradients 1e-4 relative to max(1, max |numeric|) (float32
// kernels against float64 calculus, eps 1e-6).
import { describe, it, expect, beforeAll } from 'vitest';
import { init, supportedBuilds, Dense, type Activation } from '../src/index.js';
import { act64, dense64, numericGrad } from './reference/dense64.js';
import { maxAbsDiff } from './reference/lstm64.js';
import { mulberry32, uniform } from './reference/rng.js';

const ACTIVATIONS = Object.keys(act64) as Activation[];
const SIZES = [
  { M: 7, K: 5, O: 3 },
  { M: 9, K: 17, O: 17 },
];

for (const build of supportedBuilds()) {
  describe(`Dense, ${build} build`, () => {
    beforeAll(async () => {
      await init({ build });
    });

    for (const act of ACTIVATIONS)
      for (const { M, K, O } of SIZES) {
        it(`${act}: forward and all gradients (M=${M}, K=${K}, O=${O})`, () => {
          const rng = mulberry32(3 + O);
          const layer = new Dense({ inputSize: K, outputSize: O, activation: act, seed: 5 });
          const { weight, bias } = layer.stateDict();
          const x = uniform(rng, M * K, -1, 1),
            R = uniform(rng, M * O, -1, 1);
          const y = layer.forwardTensor({ data: Float32Array.from(x), shape: [M, K] });
          expect(y.shape).toEqual([M, O]);
          expect(maxAbsDiff(y.data, dense64(x, weight!.data, bias!.data, M, K, O, act))).toBeLessThan(1e-6);
          const dx = layer.backwardTensor({ data: Float32Array.from(R), shape: [M, O] });
          const w = Float64Array.from(weight!.data),
            b = Float64Array.from(bias!.data);
          const loss = () => dense64(x, w, b, M, K, O, act).reduce((s, v, i) => s + v * R[i]!, 0);
          const g = layer.gradients();
          const tol = (n: Float64Array) => 1e-4 * Math.max(1, ...Array.from(n, Math.abs));
          const nx = numericGrad(x, loss),
            nw = numericGrad(w, loss),
            nb = numericGrad(b, loss);
          expect(maxAbsDiff(dx.data, nx)).toBeLessThan(tol(nx));
          expect(maxAbsDiff(g.weight!.data, nw)).toBeLessThan(tol(nw));
          expect(maxAbsDiff(g.bias!.data, nb)).toBeLessThan(tol(nb));
          layer.dispose();
        });
      }

    it('on [N, T, in] it acts per step', () => {
      const layer = new Dense({ inputSize: 4, outputSize: 2, seed: 1 });
      const x = Float32Array.from(uniform(mulberry32(1), 2 * 3 * 4, -1, 1));
      const y = layer.forwardTensor({ data: x, shape: [2, 3, 4] });
      expect(y.shape).toEqual([2, 3, 2]);
      const flat = layer.forwardTensor({ data: x, shape: [6, 4] });
      expect(y.data).toEqual(flat.data);
      layer.dispose();
    });
  });
}
