// nn.LSTM (gates i, f, g, o), and its variants: peephole connections (ONNX's P: i and f see
// c_{t−1}, o sees c_t, through per-unit weights `weight_peephole_l{k}` [3H] in order i, f, o) and the
// coupled input-forget gate (i = 1 − f; only f, g, o weights are stored: [3H, ·]).
import { CELL_LSTM, FLAG_CIFG, FLAG_PEEPHOLE } from '../../assembly/abi.js';
import { describe, LSTMError } from '../errors.js';
import {
  type BackwardOptions,
  type BackwardResult,
  type CellSpec,
  type ForwardOptions,
  type ForwardResult,
  Recurrent,
  type RecurrentOptions,
} from './recurrent.js';

export interface LSTMVariantOptions extends RecurrentOptions {
  /** Gates also see the cell state (peephole connections). */
  peephole?: boolean;
  /** c_t = f∘c_{t−1} + (1 − f)∘g: no input gate is stored or trained. */
  coupledInputForget?: boolean;
}

function flag(argument: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new LSTMError('INVALID_ARGUMENT', 'must be a boolean', {
      argument,
      expected: 'true or false',
      actual: describe(value),
    });
  }
  return value;
}

/** The kernel cell an LSTM with these options runs (validates the variant flags). */
export function lstmSpec(o: LSTMVariantOptions): CellSpec {
  const cifg = flag('coupledInputForget', o?.coupledInputForget),
    peephole = flag('peephole', o?.peephole);
  return {
    kind: 'LSTM',
    cell: CELL_LSTM,
    flags: (peephole ? FLAG_PEEPHOLE : 0) | (cifg ? FLAG_CIFG : 0),
    // stored gates -> the kernel's gate slots i, f, g, o (the coupled cell stores no i)
    storedGates: cifg ? [1, 2, 3] : [0, 1, 2, 3],
    hasCell: true,
    peephole,
    forgetGate: cifg ? 0 : 1,
    hasGates: true,
  };
}

export class LSTM extends Recurrent {
  readonly kind = 'LSTM';
  readonly peephole: boolean;
  readonly coupledInputForget: boolean;

  constructor(options: LSTMVariantOptions) {
    const spec = lstmSpec(options);
    super(options, spec);
    this.peephole = spec.peephole;
    this.coupledInputForget = (spec.flags & FLAG_CIFG) !== 0;
  }

  override forward(x: Float32Array, options: ForwardOptions = {}): ForwardResult {
    return super.forward(x, options) as ForwardResult;
  }

  override backward(dOutput: Float32Array, options: BackwardOptions = {}): BackwardResult {
    return super.backward(dOutput, options) as BackwardResult;
  }

  override config(): Record<string, unknown> {
    return {
      ...super.config(),
      ...(this.peephole ? { peephole: true } : {}),
      ...(this.coupledInputForget ? { coupledInputForget: true } : {}),
    };
  }
}
