// nn.LSTM (gates i, f, g, o), and its variants: peephole connections (ONNX's P: i and f see
// c_{t−1}, o sees c_t, through per-unit weights `weight_peephole_l{k}` [3H] in order i, f, o) and the
// coupled input-forget gate (i = 1 − f; only f, g, o weights are stored: [3H, ·]).
import { CELL_LSTM, FLAG_CIFG, FLAG_PEEPHOLE } from '../../assembly/abi.js';
import { LSTMError, checkBool } from '../errors.js';
import {
  type BackwardOptions,
  type BackwardResult,
  type CellSpec,
  type ForwardOptions,
  type ForwardResult,
  Recurrent,
  type RecurrentOptions,
} from './recurrent.js';

/** Options of {@link LSTM}: the recurrent options plus the LSTM's variants. */
export interface LSTMVariantOptions extends RecurrentOptions {
  /** Gates also see the cell state (peephole connections, ONNX's P): i and f see c_{t−1}, o sees c_t,
   *  through per-unit weights `weight_peephole_l{k}` `[3·hidden]` (order i, f, o). Default false. */
  peephole?: boolean;
  /** c_t = f∘c_{t−1} + (1 − f)∘g: no input gate is stored or trained; weights are `[3·hidden, ·]` in
   *  order f, g, o. Default false. */
  coupledInputForget?: boolean;
}

/** The kernel cell an LSTM with these options runs (validates the variant flags). */
export function lstmSpec(o: LSTMVariantOptions): CellSpec {
  const cifg = checkBool('coupledInputForget', o?.coupledInputForget, false),
    peephole = checkBool('peephole', o?.peephole, false);
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

/**
 * PyTorch's `nn.LSTM`, batch-first: gates i, f, g, o; parameters `weight_ih_l{k}` `[4·hidden, in]`,
 * `weight_hh_l{k}` `[4·hidden, hidden]`, `bias_ih_l{k}`, `bias_hh_l{k}` `[4·hidden]` (`_reverse` for the
 * backward direction), initialised U(−1/√hidden, 1/√hidden) from `seed`. A model saved by PyTorch loads
 * unchanged with {@link Recurrent.loadStateDict}.
 *
 * @example
 * ```ts
 * await init();
 * const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, seed: 1 });
 * // x [batch, steps, inputSize]; h0/c0 (optional) [numLayers·directions, batch, hidden]
 * const { output, h, c } = lstm.forward(x, { batch, steps }); // output [batch, steps, hidden]
 * lstm.zeroGrad();
 * const { dx, dh0, dc0 } = lstm.backward(dOutput); // ∂L/∂output -> ∂L/∂x, ∂L/∂h0, ∂L/∂c0
 * const grads = lstm.gradients(); // { weight_ih_l0: { shape, data }, … }
 * new SGD({ learningRate: 0.1 }).step(lstm);
 * lstm.dispose();
 * ```
 */
export class LSTM extends Recurrent {
  /** 'LSTM'. */
  readonly kind = 'LSTM';
  /** Has peephole connections. */
  readonly peephole: boolean;
  /** Has the coupled input-forget gate (i = 1 − f). */
  readonly coupledInputForget: boolean;

  /**
   * @throws {@link LSTMError} `NOT_INITIALIZED` before {@link init} resolved; `INVALID_ARGUMENT` for an
   *   option of the wrong kind or range (named); `OUT_OF_MEMORY` when the parameters do not fit.
   */
  constructor(options: LSTMVariantOptions) {
    const spec = lstmSpec(options);
    super(options, spec);
    this.peephole = spec.peephole;
    this.coupledInputForget = (spec.flags & FLAG_CIFG) !== 0;
  }

  /** As {@link Recurrent.forward}, with the cell state `c` always present. */
  override forward(x: Float32Array, options: ForwardOptions = {}): ForwardResult {
    return super.forward(x, options) as ForwardResult;
  }

  /** As {@link Recurrent.backward}, with `dc0` always present. */
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
