// wasm-lstm gradflow: ‖∂L/∂h_t‖ per step of an untrained cell on the adding problem, as a chart.
import { parseArgs } from 'node:util';
import { Dense } from '../layers/dense.js';
import { GRU } from '../layers/gru.js';
import { LSTM } from '../layers/lstm.js';
import type { Recurrent } from '../layers/recurrent.js';
import { SimpleRNN } from '../layers/rnn.js';
import { init } from '../runtime.js';
import { addingProblem } from '../tasks/adding.js';
import { int, UsageError } from './args.js';

// ‖∂L/∂h_t‖ per step of an untrained cell on the adding problem: the vanishing-gradient picture.
export async function gradflow(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      cell: { type: 'string' },
      steps: { type: 'string' },
      hidden: { type: 'string' },
      samples: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const cell = values.cell ?? 'lstm';
  if (!['rnn', 'lstm', 'gru'].includes(cell))
    throw new UsageError(`--cell must be rnn, lstm or gru, got ${JSON.stringify(cell)}`);
  const T = int('steps', values.steps, 100),
    H = int('hidden', values.hidden, 32),
    N = int('samples', values.samples, 64),
    seed = int('seed', values.seed, 1, 0);
  await init();
  const { x, y } = addingProblem(N, T, seed);
  const o = { inputSize: 2, hiddenSize: H, seed };
  const layer: Recurrent = cell === 'rnn' ? new SimpleRNN(o) : cell === 'gru' ? new GRU(o) : new LSTM(o);
  const head = new Dense({ inputSize: H, outputSize: 1, seed: seed + 1 });
  const pred = head.forwardTensor(layer.forwardTensor(x));
  const dHead = head.backwardTensor({ data: pred.data.map((p, i) => (2 * (p - y.data[i]!)) / N), shape: pred.shape });
  layer.backward(new Float32Array(N * T * H), { dh: dHead.data, recordGradNorms: true });
  const norms = Array.from(layer.gradNorms());
  layer.dispose();
  head.dispose();
  if (values.json) {
    console.log(JSON.stringify({ cell, steps: T, hidden: H, gradNorms: norms }));
    return;
  }
  console.log(
    `‖∂L/∂h_t‖ for an untrained ${cell.toUpperCase()} (H=${H}) on the adding problem, T=${T}; log scale, t = 1 at the top`,
  );
  const logs = norms.map((v) => Math.log10(Math.max(v, 1e-45)));
  const hi = Math.max(...logs),
    lo = Math.min(...logs),
    width = 50;
  const rows = Math.min(T, 20);
  for (let r = 0; r < rows; r++) {
    const t = Math.round((r * (T - 1)) / Math.max(rows - 1, 1));
    const n = hi === lo ? width : Math.round(((logs[t]! - lo) / (hi - lo)) * width);
    console.log(
      `t=${String(t + 1).padStart(4)} ${norms[t]!.toExponential(2).padStart(9)} ${'█'.repeat(Math.max(n, 0))}`,
    );
  }
  console.log(`ratio ‖∂L/∂h_T‖ / ‖∂L/∂h_1‖ = ${(norms[T - 1]! / norms[0]!).toExponential(2)}`);
}
