// nn.GRU (gates r, z, n): n = tanh(W_in·x + b_in + r∘(W_hn·h + b_hn)), h' = (1 − z)∘n + z∘h.
// weight_ih_l{k} [3H, in], weight_hh_l{k} [3H, H], biases [3H]: PyTorch's names and gate order.
import { Recurrent, type RecurrentOptions } from './recurrent.js';

export type GRUOptions = Omit<RecurrentOptions, 'forgetBias'>;

export class GRU extends Recurrent {
  readonly kind = 'GRU';

  constructor(options: GRUOptions) {
    super(options, {
      kind: 'GRU',
      cell: 1,
      flags: 0,
      layout: { slots: [0, 1, 2], blockColumns: 12 },
      hasCell: false,
      peephole: false,
      forgetGate: -1,
    });
  }
}
