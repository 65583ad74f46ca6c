// wasm-lstm itself (the SIMD build), run exactly as bench/bench.mjs runs it; its check results are
// the reference every peer is compared against.
import { readFileSync } from 'node:fs';
import { STREAM_CHECK_STEPS, LEARNING_RATE, optimizerOf } from '../common.mjs';

let lib;

export const ours = {
  id: 'ours',
  label: 'ours simd',
  slow: false,
  async load() {
    lib = await import('../../../dist/index.js').catch((e) => {
      throw new Error(`dist/index.js not loadable (run \`npm run build\`): ${e.message}`);
    });
    if (!lib.supportedBuilds().includes('simd')) throw new Error('this engine has no wasm SIMD');
    await lib.init({ build: 'simd' });
    const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    return { version: `wasm-lstm ${version} (dist/, build simd)` };
  },

  async make(w, { weights, x, xs, dOut }) {
    const { LSTM, SGD, Adam } = lib;
    const lstm = new LSTM({ inputSize: w.I, hiddenSize: w.H });
    lstm.loadStateDict(weights);
    const dispose = () => lstm.dispose();

    if (w.kind === 'stream') {
      const st = lstm.createState(w.B);
      return {
        units: w.calls,
        run: () => {
          for (let s = 0; s < w.calls; s++) lstm.step(xs[s & 15], st);
        },
        check() {
          // Outputs h_t [1, H] of the first STREAM_CHECK_STEPS steps from a zero state → [steps, H].
          const fresh = lstm.createState(1);
          const out = new Float32Array(STREAM_CHECK_STEPS * w.H);
          for (let s = 0; s < STREAM_CHECK_STEPS; s++) out.set(lstm.step(xs[s & 15], fresh), s * w.H);
          fresh.dispose();
          return { out };
        },
        dispose,
      };
    }
    if (w.kind === 'infer') {
      return {
        units: 1,
        run: () => lstm.forward(x, { batch: w.B, steps: w.T }),
        check: () => ({ out: lstm.forward(x, { batch: w.B, steps: w.T }).output.slice() }),
        dispose,
      };
    }
    // As bench.mjs: SGD unless the workload names another optimizer (W3a: Adam, PyTorch defaults).
    const opt =
      optimizerOf(w) === 'adam' ? new Adam({ learningRate: LEARNING_RATE }) : new SGD({ learningRate: LEARNING_RATE });
    return {
      units: 1,
      run: () => {
        lstm.zeroGrad();
        lstm.forward(x, { batch: w.B, steps: w.T });
        lstm.backward(dOut);
        opt.step(lstm);
      },
      check() {
        // First step only (no update): output [B, T, H], loss = Σ output·dOut, and dL/dW_hh [4H, H].
        lstm.zeroGrad();
        const out = lstm.forward(x, { batch: w.B, steps: w.T }).output.slice();
        let loss = 0;
        for (let i = 0; i < out.length; i++) loss += out[i] * dOut[i];
        lstm.backward(dOut);
        const dWhh = lstm.gradients().weight_hh_l0.data.slice();
        lstm.zeroGrad();
        return { out, loss, dWhh };
      },
      dispose() {
        opt.dispose?.();
        lstm.dispose();
      },
    };
  },
};
