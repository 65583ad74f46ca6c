// Quantization error, in every build: on the benchmark's weights (U(−0.1, 0.1), W1's shape: I=32,
// H=128, inputs U(−1, 1)) the int8 layer's h stays within 1e-2 (max abs) of the f32 layer's over
// 2,000 streamed steps. (The trained task models are checked where their tests train them:
// test/model.test.ts for adding and dogcat, test/tasks.test.ts for copy and text.)
// Measured max |Δh|: LSTM 1.2e-3, GRU 2.0e-3, SimpleRNN 5.3e-3 (|h| up to 0.31, 0.52, 0.83).
import { describe, expect, it } from 'vitest';
import { GRU, init, LSTM, type Recurrent, SimpleRNN, supportedBuilds } from '../src/index.js';
import { mulberry32, uniform } from './reference/rng.js';

const I = 32,
  H = 128,
  STEPS = 2000;

for (const build of supportedBuilds()) {
  describe(`int8 against f32 over ${STEPS} streamed steps, ${build} build`, () => {
    for (const [name, make, gates] of [
      ['LSTM', () => new LSTM({ inputSize: I, hiddenSize: H }), 4],
      ['GRU', () => new GRU({ inputSize: I, hiddenSize: H }), 3],
      ['SimpleRNN', () => new SimpleRNN({ inputSize: I, hiddenSize: H }), 1],
    ] as [string, () => Recurrent, number][]) {
      it(`${name}: max |h_int8 − h_f32| ≤ 1e-2`, async () => {
        await init({ build });
        const rng = mulberry32(12),
          f32 = make(),
          G = gates * H;
        f32.loadStateDict({
          weight_ih_l0: { shape: [G, I], data: Float32Array.from(uniform(rng, G * I, -0.1, 0.1)) },
          weight_hh_l0: { shape: [G, H], data: Float32Array.from(uniform(rng, G * H, -0.1, 0.1)) },
          bias_ih_l0: { shape: [G], data: Float32Array.from(uniform(rng, G, -0.1, 0.1)) },
          bias_hh_l0: { shape: [G], data: Float32Array.from(uniform(rng, G, -0.1, 0.1)) },
        });
        const q = f32.quantize({ weights: 'int8' });
        const x = Float32Array.from(uniform(rng, STEPS * I, -1, 1));
        const a = f32.createState(1),
          b = q.createState(1);
        let worst = 0,
          moving = 0;
        for (let t = 0; t < STEPS; t++) {
          const xt = x.subarray(t * I, (t + 1) * I),
            ya = f32.step(xt, a),
            yb = q.step(xt, b);
          for (let u = 0; u < H; u++) {
            worst = Math.max(worst, Math.abs(ya[u]! - yb[u]!));
            moving = Math.max(moving, Math.abs(ya[u]!));
          }
        }
        expect(moving).toBeGreaterThan(0.2); // the state is not stuck near 0, where any error would look small
        expect(worst).toBeLessThan(1e-2);
        expect(worst).toBeGreaterThan(0); // it is a different (quantized) computation
        f32.dispose();
        q.dispose();
      });
    }
  });
}
