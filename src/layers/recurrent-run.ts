// A recurrent layer's whole-sequence forward and backward: staging the caller's arrays into the
// (batch, steps) workspace, one wasm call per layer and direction (split across threads where the
// runtime has them), and copying results out. Recurrent (recurrent.ts) owns one SequenceRun.
import * as abi from '../../assembly/abi.js';
import { LSTMError } from '../errors.js';
import type { Holdings } from '../owned.js';
import type { SeededStream } from '../random.js';
import type { Runtime } from '../runtime.js';
import { backwardLayer, forwardLayer, transpose3 } from '../threads/split.js';
import type {
  BackwardOptions,
  CellSpec,
  ForwardOptions,
  RecurrentBackwardResult,
  RecurrentConfig,
  RecurrentForwardResult,
} from './recurrent-config.js';
import { checkBackwardArgs, checkForwardArgs } from './recurrent-checks.js';
import type { RecurrentBlock } from './recurrent-params.js';
import { Workspace } from './recurrent-workspace.js';

/** What a run needs of its layer: fixed for the layer's lifetime. */
export interface RunParts {
  config: RecurrentConfig;
  spec: CellSpec;
  block: RecurrentBlock;
  /** byte offsets of the packed parameters and gradients (0: an inference-only block) */
  params: number;
  grads: number;
  rt: Runtime;
  holdings: Holdings;
  /** recurrent dropout masks */
  dropRng: SeededStream;
}

export class SequenceRun {
  readonly #p: RunParts;
  #ws: Workspace | null = null;
  #hasForward = false;
  #gradNorms: Float32Array | null = null;

  constructor(parts: RunParts) {
    this.#p = parts;
  }

  forward(x: Float32Array, options: ForwardOptions): RecurrentForwardResult {
    const { config: c, spec, rt } = this.#p;
    const I = c.inputSize,
      H = c.hiddenSize,
      D = c.directions,
      L = c.numLayers,
      S = L * D,
      DH = D * H;
    const { B, T, lengths } = checkForwardArgs(c, spec, x, options);
    // in training the backward workspace is allocated now: an update cannot run out of memory halfway
    const ws = this.#workspace(B, T, options.training === true);
    const arena = rt.arena;
    arena.write(ws.xBF, x);
    transpose3(rt, ws.xBF, B, T, I, ws.x0);
    if (options.h0) arena.write(ws.h0, options.h0);
    else arena.fill(ws.h0, S * B * H);
    this.#stagePadded(options.c0, ws.c0, S * B);
    if (lengths) arena.i32.set(lengths, ws.lengths >>> 2);
    const dropped = options.training === true && c.recurrentDropout > 0;
    if (dropped) {
      const keep = 1 / (1 - c.recurrentDropout),
        f32 = arena.f32;
      for (const m of ws.dropMask) {
        for (let i = m >>> 2, e = i + B * H; i < e; i++)
          f32[i] = this.#p.dropRng.next() < c.recurrentDropout ? 0 : keep;
      }
    }
    ws.desc.forEach((d, s) => {
      d.set(abi.SEQ_LENGTHS, lengths ? ws.lengths : 0);
      d.set(abi.SEQ_DROP_MASK, dropped ? ws.dropMask[s]! : 0).set(abi.SEQ_H_MASKED, dropped ? ws.hMasked[s]! : 0);
    });
    for (let layer = 0; layer < L; layer++) forwardLayer(rt, ws.desc.slice(layer * D, layer * D + D), B, T);
    this.#hasForward = true;
    transpose3(rt, ws.y[L - 1]!, T, B, DH, ws.xBF);
    const output = arena.read(ws.xBF, B * T * DH),
      h = arena.read(ws.hN, S * B * H);
    return spec.hasCell ? { output, h, c: arena.read(ws.cN, S * B * H) } : { output, h };
  }

  backward(dOutput: Float32Array, options: BackwardOptions): RecurrentBackwardResult {
    const ws = this.#ws;
    if (!this.#hasForward || !ws) {
      throw new LSTMError('NO_FORWARD', 'backward() needs the activations of a forward() call', {
        argument: 'dOutput',
        expected: 'a forward() call first',
        actual: 'no forward since creation',
      });
    }
    const { config: c, spec, rt, block } = this.#p;
    const I = c.inputSize,
      H = c.hiddenSize,
      D = c.directions,
      L = c.numLayers,
      S = L * D,
      DH = D * H;
    const B = ws.B,
      T = ws.T,
      U = block.U;
    checkBackwardArgs(c, spec, dOutput, options, B, T);
    this.#ensureBackward(ws);
    const arena = rt.arena;
    arena.write(ws.xBF, dOutput);
    transpose3(rt, ws.xBF, B, T, DH, ws.dA);
    if (options.dh) arena.write(ws.dh, options.dh);
    else arena.fill(ws.dh, S * B * H);
    this.#stagePadded(options.dc, ws.dc, S * B);
    let dTop = ws.dA,
      dIn = ws.dB;
    for (let layer = L - 1; layer >= 0; layer--) {
      arena.fill(dIn, T * B * (layer === 0 ? I : DH));
      const record = layer === L - 1 && options.recordGradNorms === true;
      for (let dir = 0; dir < D; dir++) {
        ws.desc[layer * D + dir]!.set(abi.SEQ_DY, dTop + dir * H * 4)
          .set(abi.SEQ_DX, dIn)
          .set(abi.SEQ_GRAD_NORMS, record && dir === 0 ? ws.norms : 0);
      }
      backwardLayer(rt, ws.desc.slice(layer * D, layer * D + D), B, T);
      if (record) this.#gradNorms = arena.read(ws.norms, T);
      [dTop, dIn] = [dIn, dTop];
    }
    transpose3(rt, dTop, T, B, I, ws.xBF);
    const dx = arena.read(ws.xBF, B * T * I),
      dh0 = arena.read(ws.dh, S * B * H);
    if (!spec.hasCell) return { dx, dh0 };
    const dc0 = new Float32Array(S * B * H);
    for (let r = 0; r < S * B; r++) dc0.set(arena.view(ws.dc + r * U * 4, H), r * H);
    return { dx, dh0, dc0 };
  }

  /** ‖∂L/∂h_t‖ per step from the last backward that recorded them. */
  gradNorms(): Float32Array {
    if (!this.#gradNorms) {
      throw new LSTMError('NO_FORWARD', 'no gradient norms recorded', {
        argument: 'recordGradNorms',
        expected: 'backward(…, { recordGradNorms: true }) first',
        actual: 'none recorded',
      });
    }
    return this.#gradNorms.slice();
  }

  /** The layer was disposed: its holdings (the workspace among them) are already freed. */
  forget(): void {
    this.#ws = null;
    this.#hasForward = false;
  }

  /** Copy rows of H floats from src (or zeros) into rows of U floats at dst. */
  #stagePadded(src: Float32Array | undefined, dst: number, rows: number): void {
    const H = this.#p.config.hiddenSize,
      U = this.#p.block.U,
      arena = this.#p.rt.arena;
    arena.fill(dst, rows * U);
    if (src) for (let r = 0; r < rows; r++) arena.write(dst + r * U * 4, src.subarray(r * H, r * H + H));
  }

  /** The workspace for (B, T), with its backward part if `backward`. A new shape allocates first and
   *  frees the old one after, so a failed allocation leaves the previous forward's activations in place. */
  #workspace(B: number, T: number, backward: boolean): Workspace {
    const old = this.#ws,
      p = this.#p;
    if (old && old.B === B && old.T === T) {
      if (backward) this.#ensureBackward(old);
      return old;
    }
    const ws = new Workspace(p.config, p.spec, p.block, p.params, p.rt, p.holdings, B, T);
    if (backward) {
      try {
        this.#ensureBackward(ws);
      } catch (e) {
        ws.release(p.holdings);
        throw e;
      }
    }
    if (old) old.release(p.holdings);
    this.#ws = ws;
    this.#hasForward = false;
    return ws;
  }

  #ensureBackward(ws: Workspace): void {
    const p = this.#p;
    ws.ensureBackward(p.config, p.spec, p.block, p.grads, p.rt, p.holdings);
  }
}
