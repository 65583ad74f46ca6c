// The arena memory of one (batch, steps) shape of a recurrent layer: staging, outputs, what forward
// keeps for backward, the backward workspace, and one sequence descriptor per layer and direction
// (assembly/abi.ts SEQ_*). Region sizes come from the kernels (seqCacheFloats, seqWorkFloats,
// seqScratchFloats), so the layout is computed in one place.
import * as abi from '../../assembly/abi.js';
import { MAX_MEMORY_BYTES } from '../arena.js';
import { LSTMError } from '../errors.js';
import { Descriptor } from '../kernel/descriptor.js';
import type { Holdings } from '../owned.js';
import type { Runtime } from '../runtime.js';
import type { CellSpec, RecurrentConfig } from './recurrent-config.js';
import type { RecurrentBlock } from './recurrent-params.js';

/** Floats rounded up to 16 (64 bytes): every region starts on a cache line. */
export const roundFloats = (n: number): number => Math.ceil(n / 16) * 16;

/** Byte offsets of consecutive regions of `sizes` floats in one block of `total` bytes. */
function layout(sizes: number[], what: string): { offsets: number[]; bytes: number } {
  const offsets: number[] = [];
  let at = 0;
  for (const n of sizes) {
    offsets.push(at * 4);
    at += roundFloats(n);
  }
  if (at * 4 > MAX_MEMORY_BYTES) {
    throw new LSTMError('OUT_OF_MEMORY', `the ${what} would not fit in wasm memory`, {
      argument: 'batch·steps',
      expected: `at most ${MAX_MEMORY_BYTES} bytes`,
      actual: `${at * 4} bytes`,
    });
  }
  return { offsets, bytes: at * 4 };
}

export class Workspace {
  readonly B: number;
  readonly T: number;
  readonly ptr: number;
  /** [B, T, max(I, D·H)] the caller's order (x in, output / dx out) */
  readonly xBF: number;
  /** [T, B, I] */
  readonly x0: number;
  /** per layer [T, B, D·H] */
  readonly y: number[];
  /** per slot */
  readonly desc: Descriptor[];
  readonly h0: number; // [S, B, H]
  readonly c0: number; // [S, B, U]
  readonly hN: number; // [S, B, H]
  readonly cN: number; // [S, B, H]
  readonly lengths: number; // i32 [B]
  readonly dropMask: number[]; // per slot [B, H] (layers with recurrent dropout)
  readonly hMasked: number[]; // per slot [T, B, H]
  /** Step scratch and backward workspaces: one per direction on a threaded runtime, else one. */
  readonly lanes: number;
  back = 0;
  dA = 0; // [T, B, max(I, D·H)] ∂ ping-pong
  dB = 0;
  dh = 0; // [S, B, H]
  dc = 0; // [S, B, U]
  norms = 0; // [T]

  constructor(
    c: RecurrentConfig,
    spec: CellSpec,
    p: RecurrentBlock,
    params: number,
    rt: Runtime,
    holdings: Holdings,
    B: number,
    T: number,
  ) {
    const I = c.inputSize,
      H = c.hiddenSize,
      D = c.directions,
      L = c.numLayers,
      S = L * D,
      DH = D * H,
      U = p.U,
      TB = T * B;
    // the kernels size regions in i32 floats: refuse before their arithmetic could overflow
    if (TB * Math.max(p.N, 4 * U) * 3 > 2 ** 30) {
      throw new LSTMError('OUT_OF_MEMORY', 'the activation cache would not fit in wasm memory', {
        argument: 'batch·steps',
        expected: `batch·steps·${3 * Math.max(p.N, 4 * U)} at most 2^30 floats`,
        actual: `batch=${B}, steps=${T}`,
      });
    }
    const k = rt.kernels;
    const drop = c.recurrentDropout > 0;
    // A threaded runtime runs a layer's two directions at once: each needs its own step scratch and
    // backward workspace (one thread: the directions take turns with one).
    const lanes = rt.pool ? D : 1;
    this.lanes = lanes;
    const sizes: number[] = [TB * Math.max(I, DH), TB * I, S * B * H, S * B * U, S * B * H, S * B * H, B];
    for (let l = 0; l < L; l++) sizes.push(TB * DH);
    for (let s = 0; s < S; s++) sizes.push(k.seqCacheFloats(spec.cell, T, B, H));
    for (let i = 0; i < lanes; i++) sizes.push(k.seqScratchFloats(spec.cell, B, H), p.scratchFloats(Math.max(I, DH)));
    sizes.push((S * abi.SEQ_BYTES) / 4);
    if (drop) for (let s = 0; s < S; s++) sizes.push(B * H, TB * H);
    const { offsets, bytes } = layout(sizes, `activation cache for batch=${B}, steps=${T}`);
    const ptr = holdings.alloc(bytes, `activation cache for batch=${B}, steps=${T}`);
    const at = (i: number): number => ptr + offsets[i]!;
    this.B = B;
    this.T = T;
    this.ptr = ptr;
    this.xBF = at(0);
    this.x0 = at(1);
    this.h0 = at(2);
    this.c0 = at(3);
    this.hN = at(4);
    this.cN = at(5);
    this.lengths = at(6);
    let i = 7;
    this.y = Array.from({ length: L }, () => at(i++));
    const caches = Array.from({ length: S }, () => at(i++));
    const scratch: number[] = [],
      quantScratch: number[] = [];
    for (let l = 0; l < lanes; l++) {
      scratch.push(at(i++));
      quantScratch.push(at(i++));
    }
    const descs = at(i++);
    this.dropMask = [];
    this.hMasked = [];
    if (drop) {
      for (let s = 0; s < S; s++) {
        this.dropMask.push(at(i++));
        this.hMasked.push(at(i++));
      }
    }
    this.desc = p.slots.map((slot, s) => {
      const d = new Descriptor(rt.arena, descs + s * abi.SEQ_BYTES);
      const reverse = (slot.dir === 1) !== c.goBackwards;
      d.set(abi.SEQ_CELL, spec.cell).set(abi.SEQ_FLAGS, c.flags).set(abi.SEQ_T, T).set(abi.SEQ_B, B);
      d.set(abi.SEQ_K, slot.K)
        .set(abi.SEQ_H, H)
        .set(abi.SEQ_REVERSE, reverse ? 1 : 0);
      d.setF32(abi.SEQ_ALPHA, c.hardGates?.alpha ?? 0).setF32(abi.SEQ_BETA, c.hardGates?.beta ?? 0);
      d.setF32(abi.SEQ_CLIP, c.cellClip ?? 0);
      d.set(abi.SEQ_WIH, params + slot.wih * 4).set(abi.SEQ_WHH, params + slot.whh * 4);
      d.set(abi.SEQ_BIH, params + slot.bih * 4).set(abi.SEQ_BHH, params + slot.bhh * 4);
      d.set(abi.SEQ_PEEP, slot.peep >= 0 ? params + slot.peep * 4 : 0);
      d.set(abi.SEQ_DTYPE, p.dtype).set(abi.SEQ_QSCRATCH, quantScratch[slot.dir % lanes]!);
      d.set(abi.SEQ_SIH, slot.sih >= 0 ? params + slot.sih * 4 : 0).set(
        abi.SEQ_SHH,
        slot.shh >= 0 ? params + slot.shh * 4 : 0,
      );
      d.set(abi.SEQ_X, slot.layer === 0 ? this.x0 : this.y[slot.layer - 1]!).set(abi.SEQ_LDX, slot.K);
      d.set(abi.SEQ_H0, this.h0 + s * B * H * 4).set(abi.SEQ_C0, this.c0 + s * B * U * 4);
      d.set(abi.SEQ_Y, this.y[slot.layer]! + slot.dir * H * 4).set(abi.SEQ_LDY, DH);
      d.set(abi.SEQ_CACHE, caches[s]!).set(abi.SEQ_SCRATCH, scratch[slot.dir % lanes]!);
      d.set(abi.SEQ_HN, this.hN + s * B * H * 4).set(abi.SEQ_CN, spec.hasCell ? this.cN + s * B * H * 4 : 0);
      return d;
    });
  }

  /** The backward workspace, allocated on the first backward of this shape. */
  ensureBackward(
    c: RecurrentConfig,
    spec: CellSpec,
    p: RecurrentBlock,
    grads: number,
    rt: Runtime,
    holdings: Holdings,
  ): void {
    if (this.back) return;
    const I = c.inputSize,
      H = c.hiddenSize,
      D = c.directions,
      S = c.numLayers * D,
      DH = D * H,
      U = p.U;
    const B = this.B,
      T = this.T,
      TB = T * B,
      maxK = Math.max(I, DH);
    const work = rt.kernels.seqWorkFloats(spec.cell, T, B, maxK, H);
    const sizes = [TB * maxK, TB * maxK, S * B * H, S * B * U, T];
    for (let i = 0; i < this.lanes; i++) sizes.push(work);
    const { offsets, bytes } = layout(sizes, `gradient workspace for batch=${B}, steps=${T}`);
    const ptr = holdings.alloc(bytes, `gradient workspace for batch=${B}, steps=${T}`);
    const at = (i: number): number => ptr + offsets[i]!;
    this.back = ptr;
    this.dA = at(0);
    this.dB = at(1);
    this.dh = at(2);
    this.dc = at(3);
    this.norms = at(4);
    p.slots.forEach((slot, s) => {
      const d = this.desc[s]!;
      d.set(abi.SEQ_DH, this.dh + s * B * H * 4)
        .set(abi.SEQ_DC, this.dc + s * B * U * 4)
        .set(abi.SEQ_WORK, at(5 + (slot.dir % this.lanes)));
      d.set(abi.SEQ_GWIH, grads + slot.wih * 4).set(abi.SEQ_GWHH, grads + slot.whh * 4);
      d.set(abi.SEQ_GBIH, grads + slot.bih * 4).set(abi.SEQ_GBHH, grads + slot.bhh * 4);
      d.set(abi.SEQ_GPEEP, slot.peep >= 0 ? grads + slot.peep * 4 : 0);
    });
  }

  release(holdings: Holdings): void {
    holdings.free(this.ptr);
    if (this.back) holdings.free(this.back);
  }
}
