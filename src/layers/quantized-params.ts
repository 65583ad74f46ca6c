// The int8 parameter block of a recurrent layer (DTYPE_I8, inference only): per layer and direction,
// W_ih and W_hh as int8 panels (io/torch.ts packRowsInt8) with one f32 scale per kernel column (per
// gate unit), and the biases and peephole weights in f32 as in the f32 block. Its state dict keeps
// PyTorch's names, with the weights as integers (dtype 'int8') and `weight_*_scale` [G·H] beside them.
//
// Slot offsets are in floats from the block start like the f32 block's (every part starts on 16
// bytes: N is a multiple of 8 and Kp even, so N·Kp bytes is a multiple of 16).
import { DTYPE_I8 } from '../../assembly/abi.js';
import type { Arena } from '../arena.js';
import { describe, LSTMError } from '../errors.js';
import { int8PanelBytes, packRowsInt8, packVector, unpackRowsInt8, unpackVector } from '../io/torch.js';
import type { Kernels } from '../runtime.js';
import type { StateDict } from '../tensor.js';
import { checkInt8Tensor, checkScaleTensor, quantizeDict, scaleName, type WeightDtype } from './quantize.js';
import type { CellSpec, RecurrentConfig } from './recurrent-config.js';
import { checkTensor, type RecurrentBlock, RecurrentParams, type Slot } from './recurrent-params.js';

interface Entry {
  name: string;
  shape: number[];
  slot: Slot;
  /** 0 weight_ih, 1 weight_hh, 2 bias_ih, 3 bias_hh, 4 weight_peephole, 5 weight_ih scale, 6 weight_hh scale */
  part: number;
}

export class QuantizedRecurrentParams implements RecurrentBlock {
  readonly dtype = DTYPE_I8;
  readonly inferenceOnly = true;
  readonly slots: Slot[] = [];
  readonly floats: number;
  readonly N: number;
  readonly U: number;
  readonly count: number;
  readonly #f32: RecurrentParams; // names, shapes and the f32 initialisation
  readonly #entries: Entry[] = [];
  readonly #H: number;
  readonly #cols: Int32Array;
  readonly #kernels: Kernels;

  constructor(c: RecurrentConfig, spec: CellSpec, kernels: Kernels) {
    const H = c.hiddenSize;
    this.#f32 = new RecurrentParams(c, spec, kernels);
    this.#kernels = kernels;
    this.#H = H;
    this.N = this.#f32.N;
    this.U = this.#f32.U;
    this.count = this.#f32.count;
    this.#cols = this.#f32.cols;
    const N = this.N;
    let at = 0; // floats
    for (const f of this.#f32.slots) {
      const slot: Slot = { ...f, wih: at, whh: 0, bih: 0, bhh: 0, peep: -1, sih: 0, shh: 0 };
      at += int8PanelBytes(N, f.K) / 4;
      slot.whh = at;
      at += int8PanelBytes(N, H) / 4;
      slot.sih = at;
      at += N;
      slot.shh = at;
      at += N;
      slot.bih = at;
      at += N;
      slot.bhh = at;
      at += N;
      if (spec.peephole) {
        slot.peep = at;
        at += 3 * this.U;
      }
      this.slots.push(slot);
    }
    this.floats = at;
    for (const p of this.#f32.shapes) {
      const slot = this.slots[this.#f32.slots.indexOf(p.slot)]!;
      this.#entries.push({ name: p.name, shape: p.shape, slot, part: p.part });
      if (p.part <= 1) this.#entries.push({ name: scaleName(p.name), shape: [p.shape[0]!], slot, part: p.part + 5 });
    }
  }

  /** The f32 initialisation, quantized. */
  initial(seed: number, forgetBias: number | undefined): StateDict {
    const weights = this.#f32.shapes.filter((p) => p.part <= 1).map((p) => p.name);
    return quantizeDict(this.#f32.initial(seed, forgetBias), weights);
  }

  /** A complete, well-formed int8 state dict, or a typed error (nothing written). */
  check(dict: StateDict): StateDict {
    const names = new Set(this.#entries.map((e) => e.name));
    for (const name of Object.keys(dict)) {
      if (!names.has(name)) {
        throw new LSTMError('STATE_DICT_UNEXPECTED', 'tensor not in this int8 layer', {
          argument: name,
          expected: `one of ${[...names].join(', ')}`,
          actual: describe(name),
        });
      }
    }
    const out: StateDict = {};
    for (const e of this.#entries) {
      const t = dict[e.name];
      if (e.part <= 1) out[e.name] = checkInt8Tensor(e.name, t, e.shape);
      else if (e.part >= 5) out[e.name] = checkScaleTensor(e.name, t, e.shape);
      else out[e.name] = checkTensor(e.name, t, e.shape);
    }
    return out;
  }

  write(arena: Arena, dict: StateDict, block: number): void {
    const f32 = arena.f32,
      bytes = new Int8Array(arena.memory.buffer),
      base = block >>> 2,
      H = this.#H,
      U = this.U,
      cols = this.#cols;
    for (const e of this.#entries) {
      const data = dict[e.name]!.data,
        s = e.slot;
      if (e.part === 0) packRowsInt8(data, s.K, cols, bytes, block + s.wih * 4);
      else if (e.part === 1) packRowsInt8(data, H, cols, bytes, block + s.whh * 4);
      else if (e.part === 2) packVector(data, cols, f32, base + s.bih);
      else if (e.part === 3) packVector(data, cols, f32, base + s.bhh);
      else if (e.part === 5) packVector(data, cols, f32, base + s.sih);
      else if (e.part === 6) packVector(data, cols, f32, base + s.shh);
      else for (let q = 0; q < 3; q++) for (let u = 0; u < H; u++) f32[base + s.peep + q * U + u] = data[q * H + u]!;
    }
  }

  read(arena: Arena, block: number): StateDict {
    const f32 = arena.f32,
      bytes = new Int8Array(arena.memory.buffer),
      base = block >>> 2,
      H = this.#H,
      U = this.U,
      cols = this.#cols,
      out: StateDict = {};
    for (const e of this.#entries) {
      const s = e.slot,
        shape = e.shape.slice();
      if (e.part === 0)
        out[e.name] = { shape, data: unpackRowsInt8(bytes, block + s.wih * 4, s.K, cols), dtype: 'int8' };
      else if (e.part === 1)
        out[e.name] = { shape, data: unpackRowsInt8(bytes, block + s.whh * 4, H, cols), dtype: 'int8' };
      else if (e.part === 2) out[e.name] = { shape, data: unpackVector(f32, base + s.bih, cols) };
      else if (e.part === 3) out[e.name] = { shape, data: unpackVector(f32, base + s.bhh, cols) };
      // scales stay f32 in every file (an f16 scale would move every output of its row)
      else if (e.part === 5) out[e.name] = { shape, data: unpackVector(f32, base + s.sih, cols), dtype: 'f32' };
      else if (e.part === 6) out[e.name] = { shape, data: unpackVector(f32, base + s.shh, cols), dtype: 'f32' };
      else {
        const data = new Float32Array(3 * H);
        for (let q = 0; q < 3; q++) for (let u = 0; u < H; u++) data[q * H + u] = f32[base + s.peep + q * U + u]!;
        out[e.name] = { shape, data };
      }
    }
    return out;
  }

  ranges(): Map<string, [number, number]> {
    const out = new Map<string, [number, number]>(),
      N = this.N,
      H = this.#H;
    for (const e of this.#entries) {
      const s = e.slot;
      const [at, n] = [
        [s.wih, int8PanelBytes(N, s.K) / 4],
        [s.whh, int8PanelBytes(N, H) / 4],
        [s.bih, N],
        [s.bhh, N],
        [s.peep, 3 * this.U],
        [s.sih, N],
        [s.shh, N],
      ][e.part]!;
      out.set(e.name, [at!, at! + n!]);
    }
    return out;
  }

  scratchFloats(K: number): number {
    return this.#kernels.qgemmScratchBytes(K) / 4;
  }
}

/** The parameter block for the layer's weight dtype (the layer never branches on it). */
const BLOCKS: Record<WeightDtype, new (c: RecurrentConfig, spec: CellSpec, kernels: Kernels) => RecurrentBlock> = {
  f32: RecurrentParams,
  int8: QuantizedRecurrentParams,
};

export function recurrentBlock(c: RecurrentConfig, spec: CellSpec, kernels: Kernels): RecurrentBlock {
  return new BLOCKS[c.weights](c, spec, kernels);
}
