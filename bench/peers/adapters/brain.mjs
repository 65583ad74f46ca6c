// brain.js (1.6.1, pure JS): W1 only, as a rough comparison.
//  - Its LSTM is not PyTorch's (its cell update multiplies the forget gate with h_{t-1} where
//    PyTorch uses c_{t-1}, and it adds an output layer), so it cannot load our weights: random
//    init, no output check.
//  - It has no incremental step API: run(sequence) replays a whole sequence from a zero state.
//    The 2000 steps are done as 125 run() calls over the 16-step input sequence of W1.
import { pkgVersion } from '../common.mjs';

let brain;

export const brainJs = {
  id: 'brain.js',
  label: 'brain.js',
  slow: true,
  note: 'W1 only; not PyTorch-compatible (no output check); run() over 16-step sequences',
  async load() {
    brain = (await import('brain.js')).default;
    return { version: pkgVersion('brain.js') };
  },
  async make(w, { xs }) {
    if (w.kind !== 'stream') return { skip: 'not run (W1 only)' };
    const net = new brain.recurrent.LSTMTimeStep({ inputSize: w.I, hiddenLayers: [w.H], outputSize: w.I });
    net.initialize();
    net.bindEquation(); // what train() would do first; run() refuses a net without equations
    const seq = xs.map((v) => Array.from(v)); // 16 steps of [I]
    return {
      units: w.calls,
      run() {
        for (let s = 0; s < w.calls; s += seq.length) net.run(seq);
      },
      check: () => null,
      dispose() {},
    };
  },
};
