// nn.GRU (gates r, z, n): n = tanh(W_in·x + b_in + r∘(W_hn·h + b_hn)), h' = (1 − z)∘n + z∘h.
// weight_ih_l{k} [3H, in], weight_hh_l{k} [3H, H], biases [3H]: PyTorch's names and gate order.
// resetAfter: false applies r before the recurrent product instead: n = tanh(W_in·x + b_in +
// W_hn·(r∘h) + b_hn) (Keras reset_after=False, ONNX linear_before_reset=0, tfjs's GRU).
import { CELL_GRU, CELL_GRU_RESET_BEFORE } from '../../assembly/abi.js';
import { describe, LSTMError } from '../errors.js';
import { type CellSpec, Recurrent, type RecurrentOptions } from './recurrent.js';

export interface GRUOptions extends Omit<RecurrentOptions, 'forgetBias'> {
  /** true (default, PyTorch): r multiplies W_hn·h + b_hn; false: r multiplies h before W_hn. */
  resetAfter?: boolean;
}

/** The kernel cell a GRU with these options runs. */
export function gruSpec(options: GRUOptions): CellSpec {
  const resetAfter = options?.resetAfter ?? true;
  if (typeof resetAfter !== 'boolean') {
    throw new LSTMError('INVALID_ARGUMENT', 'must be a boolean', {
      argument: 'resetAfter',
      expected: 'true or false',
      actual: describe(resetAfter),
    });
  }
  return {
    kind: 'GRU',
    cell: resetAfter ? CELL_GRU : CELL_GRU_RESET_BEFORE,
    flags: 0,
    storedGates: [0, 1, 2],
    hasCell: false,
    peephole: false,
    forgetGate: -1,
    hasGates: true,
  };
}

export class GRU extends Recurrent {
  readonly kind = 'GRU';
  readonly resetAfter: boolean;

  constructor(options: GRUOptions) {
    const spec = gruSpec(options);
    super(options, spec);
    this.resetAfter = spec.cell === CELL_GRU;
  }

  override config(): Record<string, unknown> {
    return { ...super.config(), ...(this.resetAfter ? {} : { resetAfter: false }) };
  }
}
