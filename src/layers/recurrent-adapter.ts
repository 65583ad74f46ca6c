// A recurrent layer inside a Sequential model: tensors in and out ([N, T, H·D] with returnSequences,
// else the top layer's final h of each direction, [N, H·D]), Keras' merge modes, and the state a
// stateful layer (or truncated BPTT) carries from one call to the next, detached.
import { checkFloat32, describe, LSTMError } from '../errors.js';
import { describeTensor, isTensor, shapeString, type Tensor } from '../tensor.js';
import type { ForwardContext, RunState } from './layer.js';
import { mergeBackward, mergeForward } from './merge.js';
import type {
  BackwardOptions,
  ForwardOptions,
  MergeMode,
  RecurrentBackwardResult,
  RecurrentForwardResult,
} from './recurrent-config.js';

/** What the adapter uses of the layer: its public sequence API. */
export interface SequenceLayer {
  readonly kind: string;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly directions: number;
  readonly returnSequences: boolean;
  readonly stateful: boolean;
  forward(x: Float32Array, options: ForwardOptions): RecurrentForwardResult;
  backward(dOutput: Float32Array, options?: BackwardOptions): RecurrentBackwardResult;
}

export class SequentialAdapter {
  readonly #layer: SequenceLayer;
  readonly #merge: MergeMode;
  #carry: boolean;
  #carried: { B: number; h: Float32Array; c: Float32Array | undefined } | null = null;
  #shape: { B: number; T: number } | null = null;
  #unmerged: Tensor | null = null; // both directions side by side, for mergeMode 'mul'

  constructor(layer: SequenceLayer, merge: MergeMode) {
    this.#layer = layer;
    this.#merge = merge;
    this.#carry = layer.stateful;
  }

  /** [batch, steps, inputSize] -> [batch, steps, H·D] (returnSequences) or [batch, H·D]; H·D is H
   *  when a bidirectional layer merges its directions by sum, mul or ave. */
  outputShape(shape: readonly number[]): number[] {
    const l = this.#layer;
    if (!Array.isArray(shape) || shape.length !== 3 || shape[2] !== l.inputSize || shape[0]! < 1 || shape[1]! < 1) {
      throw new LSTMError('SHAPE_MISMATCH', `${l.kind} input must be [batch, steps, inputSize]`, {
        argument: 'x',
        expected: `[batch ≥ 1, steps ≥ 1, ${l.inputSize}]`,
        actual: Array.isArray(shape) ? shapeString(shape) : describe(shape),
      });
    }
    const F = l.directions === 2 && this.#merge !== 'concat' ? l.hiddenSize : l.directions * l.hiddenSize;
    return l.returnSequences ? [shape[0]!, shape[1]!, F] : [shape[0]!, F];
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    const l = this.#layer;
    if (!isTensor(x)) {
      throw new LSTMError('SHAPE_MISMATCH', `${l.kind} input must be a tensor [batch, steps, inputSize]`, {
        argument: 'x',
        expected: `{ data: Float32Array, shape: [batch, steps, ${l.inputSize}] }`,
        actual: describeTensor(x),
      });
    }
    const shape = x.shape;
    this.outputShape(shape);
    const [B, T] = shape as [number, number, number];
    const carried = this.#carry && this.#carried?.B === B ? this.#carried : null;
    const options: ForwardOptions = { batch: B, steps: T, training: ctx.training };
    if (ctx.lengths) options.lengths = ctx.lengths;
    if (carried) {
      options.h0 = carried.h;
      if (carried.c) options.c0 = carried.c;
    }
    const { output, h, c } = l.forward(x.data, options);
    if (this.#carry) this.#carried = { B, h, c };
    this.#shape = { B, T };
    const D = l.directions,
      H = l.hiddenSize,
      DH = D * H;
    let out: Tensor = { data: output, shape: [B, T, DH] };
    if (!l.returnSequences) {
      // the final hidden state of the top layer: forward h_T, and for bidirectional also reverse h_1
      const last = new Float32Array(B * DH),
        top = (l.numLayers - 1) * D;
      for (let d = 0; d < D; d++) {
        for (let b = 0; b < B; b++)
          last.set(h.subarray(((top + d) * B + b) * H, ((top + d) * B + b + 1) * H), b * DH + d * H);
      }
      out = { data: last, shape: [B, DH] };
    }
    if (D === 1 || this.#merge === 'concat') return out;
    this.#unmerged = out;
    return mergeForward(out, H, this.#merge);
  }

  backward(dy: Tensor): Tensor {
    const l = this.#layer,
      s = this.#shape;
    if (!s) return l.backward(dy?.data) as never; // throws NO_FORWARD (or the shape error)
    const { B, T } = s,
      D = l.directions,
      H = l.hiddenSize,
      DH = D * H,
      S = l.numLayers * D;
    const g = D === 2 && this.#merge !== 'concat' ? mergeBackward(dy, this.#unmerged!, H, this.#merge) : dy;
    let result: RecurrentBackwardResult;
    if (l.returnSequences) result = l.backward(g?.data);
    else {
      checkFloat32('dy', g?.data, B * DH, `[batch=${B}, hidden·directions=${DH}]`);
      const dh = new Float32Array(S * B * H),
        top = (l.numLayers - 1) * D;
      for (let d = 0; d < D; d++) {
        for (let b = 0; b < B; b++)
          dh.set(g.data.subarray(b * DH + d * H, b * DH + d * H + H), ((top + d) * B + b) * H);
      }
      result = l.backward(new Float32Array(B * T * DH), { dh });
    }
    return { data: result.dx, shape: [B, T, l.inputSize] };
  }

  /** Forget the carried state. */
  reset(): void {
    this.#carried = null;
  }

  /** The carried state (its arrays are never written after the forward that made them). */
  get carry(): RunState['carry'] {
    const k = this.#carried,
      l = this.#layer;
    return k ? { shape: [l.numLayers * l.directions, k.B, l.hiddenSize], h: k.h, c: k.c } : null;
  }

  set carry(state: RunState['carry']) {
    this.#carried = state ? { B: state.shape[1], h: state.h, c: state.c } : null;
  }

  /** Truncated BPTT: carry state between windows (a stateful layer always does). */
  setCarry(on: boolean): void {
    this.#carry = on || this.#layer.stateful;
    this.#carried = null;
  }
}
