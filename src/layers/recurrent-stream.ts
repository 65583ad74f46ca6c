// Streaming a recurrent layer one time step per call: the carried h and c of every layer live in the
// arena, and a step is one wasm call (seqStep) over step descriptors built once.
import * as abi from '../../assembly/abi.js';
import { checkFloat32, checkSize, describe, LSTMError } from '../errors.js';
import { Descriptor } from '../kernel/descriptor.js';
import type { Holdings } from '../owned.js';
import type { Runtime } from '../runtime.js';
import type { CellSpec, InitialState, RecurrentConfig } from './recurrent-config.js';
import type { RecurrentBlock } from './recurrent-params.js';
import { roundFloats } from './recurrent-workspace.js';

/** The carried state of a recurrent layer streamed one step at a time ({@link Recurrent.createState},
 *  {@link Recurrent.step}); it lives in wasm memory. */
export interface LSTMState {
  /** Sequences stepped together. */
  readonly batch: number;
  /** The top layer's h after the last step, `[batch, hidden]`; overwritten by the next step. */
  readonly output: Float32Array;
  /** A copy of the carried hidden state, `[numLayers, batch, hidden]`. */
  readonly h: Float32Array;
  /** A copy of the carried cell state, `[numLayers, batch, hidden]` (LSTM only; empty for other cells). */
  readonly c: Float32Array;
  /** Back to zeros (or to the given h0 / c0, `[numLayers, batch, hidden]` each).
   *  @throws {@link LSTMError} `SHAPE_MISMATCH` for h0 / c0 of the wrong length, `INVALID_ARGUMENT` for c0
   *  on a cell without one, `DISPOSED`. */
  reset(h0?: Float32Array, c0?: Float32Array): void;
  /** Frees its wasm memory; later use throws `DISPOSED`. Safe to call twice. */
  dispose(): void;
}

export class StreamState implements LSTMState {
  readonly batch: number;
  readonly output: Float32Array;
  readonly ptr: number;
  readonly #rt: Runtime;
  readonly #holdings: Holdings;
  readonly #L: number;
  readonly #I: number;
  readonly #H: number;
  readonly #U: number;
  readonly #hasCell: boolean;
  readonly #desc: number;
  readonly #x: number;
  readonly #h: number;
  readonly #c: number;
  readonly #onDispose: (s: StreamState) => void;
  #disposed = false;
  #xView: Float32Array | null = null;
  #hView: Float32Array | null = null;

  constructor(
    c: RecurrentConfig,
    spec: CellSpec,
    p: RecurrentBlock,
    params: number,
    rt: Runtime,
    holdings: Holdings,
    B: number,
    onDispose: (s: StreamState) => void,
  ) {
    const L = c.numLayers,
      I = c.inputSize,
      H = c.hiddenSize,
      U = p.U,
      k = rt.kernels;
    this.#rt = rt;
    this.#holdings = holdings;
    this.#onDispose = onDispose;
    this.batch = B;
    this.#L = L;
    this.#I = I;
    this.#H = H;
    this.#U = U;
    this.#hasCell = spec.hasCell;
    const cacheFloats = roundFloats(k.seqCacheFloats(spec.cell, 1, B, H));
    const floats = [
      (L * abi.SEQ_BYTES) / 4,
      B * I,
      L * B * H,
      L * B * U,
      k.seqScratchFloats(spec.cell, B, H),
      p.scratchFloats(Math.max(I, H)),
    ].map(roundFloats);
    const total = floats.reduce((a, b) => a + b, 0) + L * cacheFloats;
    this.ptr = holdings.alloc(total * 4, `stream state for batch=${B}`);
    let at = this.ptr;
    const next = (n: number): number => {
      const q = at;
      at += n * 4;
      return q;
    };
    this.#desc = next(floats[0]!);
    this.#x = next(floats[1]!);
    this.#h = next(floats[2]!);
    this.#c = next(floats[3]!);
    const scratch = next(floats[4]!),
      quantScratch = next(floats[5]!);
    this.output = new Float32Array(B * H);
    for (let l = 0; l < L; l++) {
      const s = p.slots[l]!,
        d = new Descriptor(rt.arena, this.#desc + l * abi.SEQ_BYTES);
      d.set(abi.SEQ_CELL, spec.cell).set(abi.SEQ_FLAGS, c.flags).set(abi.SEQ_T, 1).set(abi.SEQ_B, B);
      d.set(abi.SEQ_K, s.K).set(abi.SEQ_H, H).set(abi.SEQ_REVERSE, 0);
      d.setF32(abi.SEQ_ALPHA, c.hardGates?.alpha ?? 0).setF32(abi.SEQ_BETA, c.hardGates?.beta ?? 0);
      d.setF32(abi.SEQ_CLIP, c.cellClip ?? 0);
      d.set(abi.SEQ_WIH, params + s.wih * 4).set(abi.SEQ_WHH, params + s.whh * 4);
      d.set(abi.SEQ_BIH, params + s.bih * 4).set(abi.SEQ_BHH, params + s.bhh * 4);
      d.set(abi.SEQ_PEEP, s.peep >= 0 ? params + s.peep * 4 : 0);
      d.set(abi.SEQ_DTYPE, p.dtype).set(abi.SEQ_QSCRATCH, quantScratch);
      d.set(abi.SEQ_SIH, s.sih >= 0 ? params + s.sih * 4 : 0).set(abi.SEQ_SHH, s.shh >= 0 ? params + s.shh * 4 : 0);
      d.set(abi.SEQ_X, l === 0 ? this.#x : this.#h + (l - 1) * B * H * 4).set(abi.SEQ_LDX, s.K);
      d.set(abi.SEQ_H0, this.#h + l * B * H * 4).set(abi.SEQ_C0, this.#c + l * B * U * 4);
      d.set(abi.SEQ_CACHE, next(cacheFloats)).set(abi.SEQ_SCRATCH, scratch);
    }
  }

  step(xt: Float32Array): Float32Array {
    this.#live();
    const B = this.batch,
      I = this.#I,
      H = this.#H;
    checkFloat32('xt', xt, B * I, `[batch=${B}, inputSize=${I}]`);
    const buffer = this.#rt.arena.memory.buffer;
    // Views are kept between calls (no allocation per step) and rebuilt only after memory grew.
    if (!this.#xView || this.#xView.buffer !== buffer) {
      this.#xView = this.#rt.arena.view(this.#x, B * I);
      this.#hView = this.#rt.arena.view(this.#h + (this.#L - 1) * B * H * 4, B * H);
    }
    this.#xView.set(xt);
    this.#rt.kernels.seqStep(this.#desc, this.#L);
    this.output.set(this.#hView!);
    return this.output;
  }

  get h(): Float32Array {
    this.#live();
    return this.#rt.arena.read(this.#h, this.#L * this.batch * this.#H);
  }

  get c(): Float32Array {
    this.#live();
    if (!this.#hasCell) return new Float32Array(0);
    const H = this.#H,
      U = this.#U,
      rows = this.#L * this.batch,
      out = new Float32Array(rows * H);
    for (let r = 0; r < rows; r++) out.set(this.#rt.arena.view(this.#c + r * U * 4, H), r * H);
    return out;
  }

  reset(h0?: Float32Array, c0?: Float32Array): void {
    this.#live();
    const B = this.batch,
      H = this.#H,
      U = this.#U,
      L = this.#L,
      arena = this.#rt.arena;
    const shape = `[numLayers=${L}, batch=${B}, hidden=${H}]`;
    if (h0 !== undefined) checkFloat32('h0', h0, L * B * H, shape);
    if (c0 !== undefined) {
      if (!this.#hasCell) {
        throw new LSTMError('INVALID_ARGUMENT', 'this cell has no cell state', {
          argument: 'c0',
          expected: 'no c0',
          actual: 'c0',
        });
      }
      checkFloat32('c0', c0, L * B * H, shape);
    }
    if (h0) arena.write(this.#h, h0);
    else arena.fill(this.#h, L * B * H);
    arena.fill(this.#c, L * B * U);
    if (c0) for (let r = 0; r < L * B; r++) arena.write(this.#c + r * U * 4, c0.subarray(r * H, r * H + H));
    this.output.set(arena.view(this.#h + (L - 1) * B * H * 4, B * H));
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#holdings.free(this.ptr);
    this.#onDispose(this);
  }

  /** The layer was disposed (and freed everything). */
  markDisposed(): void {
    this.#disposed = true;
  }

  #live(): void {
    if (this.#disposed) {
      throw new LSTMError('DISPOSED', 'this state (or its layer) was disposed', {
        argument: 'state',
        expected: 'a live state',
        actual: 'disposed',
      });
    }
  }
}

/** A layer's live streaming states: created validated (nothing allocated for bad h0 / c0), stepped
 *  only if they are this layer's, all marked disposed with the layer. */
export class StreamStates {
  readonly #states = new Set<StreamState>();
  readonly #make: (B: number) => StreamState;
  readonly #config: RecurrentConfig;
  readonly #spec: CellSpec;

  constructor(
    config: RecurrentConfig,
    spec: CellSpec,
    make: (B: number, onDispose: (s: StreamState) => void) => StreamState,
  ) {
    this.#config = config;
    this.#spec = spec;
    this.#make = (B) => make(B, (s) => this.#states.delete(s));
  }

  create(batch: number, initial: InitialState): LSTMState {
    const c = this.#config;
    if (c.bidirectional || c.goBackwards) {
      throw new LSTMError('INVALID_ARGUMENT', 'step() runs forward in time; this layer needs the whole sequence', {
        argument: c.bidirectional ? 'bidirectional' : 'goBackwards',
        expected: 'false for streaming',
        actual: 'true',
      });
    }
    const B = checkSize('batch', batch, 1 << 20),
      L = c.numLayers,
      H = c.hiddenSize;
    // validated before anything is allocated, so a bad h0 / c0 leaves nothing behind
    const shape = `[numLayers=${L}, batch=${B}, hidden=${H}]`;
    if (initial?.h0 !== undefined) checkFloat32('h0', initial.h0, L * B * H, shape);
    if (initial?.c0 !== undefined) {
      if (!this.#spec.hasCell) {
        throw new LSTMError('INVALID_ARGUMENT', `${this.#spec.kind} has no cell state`, {
          argument: 'c0',
          expected: 'no c0',
          actual: describe(initial.c0),
        });
      }
      checkFloat32('c0', initial.c0, L * B * H, shape);
    }
    const state = this.#make(B);
    this.#states.add(state);
    state.reset(initial?.h0, initial?.c0);
    return state;
  }

  step(xt: Float32Array, state: LSTMState): Float32Array {
    if (!(state instanceof StreamState) || !this.#states.has(state)) {
      throw new LSTMError('INVALID_ARGUMENT', 'not a live state of this layer', {
        argument: 'state',
        expected: "the result of this layer's createState()",
        actual: describe(state),
      });
    }
    return state.step(xt);
  }

  /** The layer was disposed (and freed everything): every state becomes unusable. */
  markAllDisposed(): void {
    for (const s of this.#states) s.markDisposed();
    this.#states.clear();
  }
}
