// nn.GRU (gates r, z, n): n = tanh(W_in·x + b_in + r∘(W_hn·h + b_hn)), h' = (1 − z)∘n + z∘h.
// weight_ih_l{k} [3H, in], weight_hh_l{k} [3H, H], biases [3H]: PyTorch's names and gate order.
// resetAfter: false applies r before the recurrent product instead: n = tanh(W_in·x + b_in +
// W_hn·(r∘h) + b_hn) (Keras reset_after=False, ONNX linear_before_reset=0, tfjs's GRU).
import { CELL_GRU, CELL_GRU_RESET_BEFORE } from '../../assembly/abi.js';
import { LSTMError, checkBool } from '../errors.js';
import { type CellSpec, Recurrent, type RecurrentOptions } from './recurrent.js';

/** Options of {@link GRU}: the recurrent options (without forgetBias) plus where the reset gate acts. */
export interface GRUOptions extends Omit<RecurrentOptions, 'forgetBias'> {
  /** true (default, PyTorch): r multiplies W_hn·h + b_hn; false: r multiplies h before W_hn. */
  resetAfter?: boolean;
}

/** The kernel cell a GRU with these options runs. */
export function gruSpec(options: GRUOptions): CellSpec {
  const resetAfter = checkBool('resetAfter', options?.resetAfter, true);
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

/**
 * PyTorch's `nn.GRU`, batch-first: gates r, z, n with n = tanh(W_in·x + b_in + r∘(W_hn·h + b_hn)) and
 * h' = (1 − z)∘n + z∘h; parameters `weight_ih_l{k}` `[3·hidden, in]`, `weight_hh_l{k}` `[3·hidden, hidden]`,
 * biases `[3·hidden]`. Has no cell state: `forward` returns `{ output, h }`, `backward` `{ dx, dh0 }`.
 *
 * @example
 * ```ts
 * const gru = new GRU({ inputSize: 8, hiddenSize: 16, bidirectional: true });
 * const { output, h } = gru.forward(x, { batch: 4 }); // output [4, steps, 32], h [2, 4, 16]
 * ```
 */
export class GRU extends Recurrent {
  /** 'GRU'. */
  readonly kind = 'GRU';
  /** Where the reset gate acts (see {@link GRUOptions.resetAfter}). */
  readonly resetAfter: boolean;

  /** @throws {@link LSTMError} as {@link LSTM}'s constructor. */
  constructor(options: GRUOptions) {
    const spec = gruSpec(options);
    super(options, spec);
    this.resetAfter = spec.cell === CELL_GRU;
  }

  override config(): Record<string, unknown> {
    return { ...super.config(), ...(this.resetAfter ? {} : { resetAfter: false }) };
  }
}
