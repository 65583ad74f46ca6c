// The four fixed workloads (float32, one layer, weights U(−0.1, 0.1), inputs U(−1, 1)).
export const WORKLOADS = [
  { id: 'W1', name: 'stream', kind: 'stream', B: 1, T: 16, I: 32, H: 128, calls: 2000, unit: 'µs/step' },
  { id: 'W2', name: 'infer', kind: 'infer', B: 32, T: 100, I: 64, H: 256, unit: 'ms/batch' },
  { id: 'W3', name: 'train', kind: 'train', B: 32, T: 50, I: 64, H: 128, unit: 'ms/step' },
  { id: 'W3a', name: 'train-adam', kind: 'train', optimizer: 'adam', B: 32, T: 50, I: 64, H: 128, unit: 'ms/step' },
  { id: 'W2g', name: 'infer GRU', kind: 'infer', cell: 'gru', B: 32, T: 100, I: 64, H: 256, unit: 'ms/batch' },
  { id: 'W2r', name: 'infer RNN', kind: 'infer', cell: 'rnn', B: 32, T: 100, I: 64, H: 256, unit: 'ms/batch' },
  { id: 'W3g', name: 'train GRU', kind: 'train', cell: 'gru', B: 32, T: 50, I: 64, H: 128, unit: 'ms/step' },
  { id: 'W3r', name: 'train RNN', kind: 'train', cell: 'rnn', B: 32, T: 50, I: 64, H: 128, unit: 'ms/step' },
  { id: 'W4', name: 'train-seq', kind: 'train', B: 16, T: 200, I: 32, H: 256, unit: 'ms/step' },
];

/** Matmul FLOPs of one unit of work: forward 2·G·H·(I+H)·B·T with G gates (LSTM 4, GRU 3, RNN 1);
 *  training 3× (W1: all 2000 steps). */
export function flops(w) {
  const steps = w.kind === 'stream' ? w.calls : w.T;
  const gates = w.cell === 'gru' ? 3 : w.cell === 'rnn' ? 1 : 4;
  const fwd = 2 * gates * w.H * (w.I + w.H) * w.B * steps;
  return w.kind === 'train' ? 3 * fwd : fwd;
}
