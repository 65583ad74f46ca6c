// nn.RNN: h' = tanh (or relu)(W_ih·x + b_ih + W_hh·h + b_hh). The baseline that shows why LSTMs
// exist: its gradient through many steps is a product of W_hh·diag(tanh') factors and vanishes.
import { CELL_RNN_RELU, CELL_RNN_TANH } from '../../assembly/abi.js';
import { describe, LSTMError } from '../errors.js';
import { type CellSpec, Recurrent, type RecurrentOptions } from './recurrent.js';

export interface SimpleRNNOptions extends Omit<RecurrentOptions, 'forgetBias'> {
  nonlinearity?: 'tanh' | 'relu';
}

/** The kernel cell a SimpleRNN with these options runs. */
export function rnnSpec(options: SimpleRNNOptions): CellSpec {
  const nl = options?.nonlinearity ?? 'tanh';
  if (nl !== 'tanh' && nl !== 'relu') {
    throw new LSTMError('INVALID_ARGUMENT', 'unknown nonlinearity', {
      argument: 'nonlinearity',
      expected: "'tanh' | 'relu'",
      actual: describe(nl),
    });
  }
  return {
    kind: 'SimpleRNN',
    cell: nl === 'relu' ? CELL_RNN_RELU : CELL_RNN_TANH,
    flags: 0,
    storedGates: [0],
    hasCell: false,
    peephole: false,
    forgetGate: -1,
    hasGates: false,
  };
}

export class SimpleRNN extends Recurrent {
  readonly kind = 'SimpleRNN';
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(options: SimpleRNNOptions) {
    const spec = rnnSpec(options);
    super(options, spec);
    this.nonlinearity = spec.cell === CELL_RNN_RELU ? 'relu' : 'tanh';
  }

  override config(): Record<string, unknown> {
    return { ...super.config(), nonlinearity: this.nonlinearity };
  }
}
