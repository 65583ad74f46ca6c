// nn.RNN: h' = tanh (or relu)(W_ih·x + b_ih + W_hh·h + b_hh). The baseline that shows why LSTMs
// exist: its gradient through many steps is a product of W_hh·diag(tanh') factors and vanishes.
import { CELL_RNN_RELU, CELL_RNN_TANH } from '../../assembly/abi.js';
import { describe, LSTMError } from '../errors.js';
import { type CellSpec, Recurrent, type RecurrentOptions } from './recurrent.js';

/** Options of {@link SimpleRNN}: the recurrent options (without forgetBias) plus the nonlinearity. */
export interface SimpleRNNOptions extends Omit<RecurrentOptions, 'forgetBias'> {
  /** h' = tanh(…) (default) or relu(…), as nn.RNN's nonlinearity. */
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

/**
 * PyTorch's `nn.RNN`, batch-first: h' = tanh (or relu)(W_ih·x + b_ih + W_hh·h + b_hh); parameters
 * `weight_ih_l{k}` `[hidden, in]`, `weight_hh_l{k}` `[hidden, hidden]`, biases `[hidden]`. The baseline
 * that shows why LSTMs exist: its gradient vanishes over long sequences. Has no cell state.
 */
export class SimpleRNN extends Recurrent {
  /** 'SimpleRNN'. */
  readonly kind = 'SimpleRNN';
  /** The activation of the new state. */
  readonly nonlinearity: 'tanh' | 'relu';

  /** @throws {@link LSTMError} as {@link LSTM}'s constructor. */
  constructor(options: SimpleRNNOptions) {
    const spec = rnnSpec(options);
    super(options, spec);
    this.nonlinearity = spec.cell === CELL_RNN_RELU ? 'relu' : 'tanh';
  }

  override config(): Record<string, unknown> {
    return { ...super.config(), nonlinearity: this.nonlinearity };
  }
}
