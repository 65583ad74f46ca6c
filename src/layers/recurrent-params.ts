// The parameters of a recurrent layer: where each layer and direction's weights sit in the one
// packed block (a Slot), PyTorch's names and shapes for them, and the conversion between the two.
import { DTYPE_F32 } from '../../assembly/abi.js';
import type { Arena } from '../arena.js';
import { describe, LSTMError } from '../errors.js';
import { packRows, packVector, recurrentParamNames, unpackRows, unpackVector } from '../io/torch.js';
import type { Kernels } from '../runtime.js';
import { mulberry32, uniformArray } from '../random.js';
import { type StateDict, shapeSize, shapeString, type Tensor } from '../tensor.js';
import type { CellSpec, RecurrentConfig } from './recurrent-config.js';

/** One layer in one direction: offsets (in floats, from the block start) of its parameters, and at
 *  the same offsets from the gradient block, their gradients. */
export interface Slot {
  layer: number;
  dir: number;
  K: number;
  wih: number;
  whh: number;
  bih: number;
  bhh: number;
  /** peephole weights [3·U], or −1 */
  peep: number;
  /** per-column scales [N] of wih and whh (int8 blocks), or −1 */
  sih: number;
  shh: number;
}

/** A recurrent layer's packed parameter block in one weight dtype (this file: f32; int8:
 *  quantized-params.ts). The layer, its workspaces and streams use only this interface. */
export interface RecurrentBlock {
  /** DTYPE_* (assembly/abi.ts), written into every descriptor */
  readonly dtype: number;
  /** true: inference only (no gradient block; backward and fit raise NOT_TRAINABLE) */
  readonly inferenceOnly: boolean;
  readonly slots: Slot[];
  /** floats of the block (byte size / 4) */
  readonly floats: number;
  readonly N: number;
  readonly U: number;
  /** Number of parameters (PyTorch's count, without padding or scales). */
  readonly count: number;
  initial(seed: number, forgetBias: number | undefined): StateDict;
  check(dict: StateDict): StateDict;
  write(arena: Arena, dict: StateDict, block: number): void;
  read(arena: Arena, block: number): StateDict;
  /** Floats of scratch the products need for inputs of up to K features (SEQ_QSCRATCH). */
  scratchFloats(K: number): number;
  /** Every parameter name -> its [start, end) float range in the block (for freezing). */
  ranges(): Map<string, [number, number]>;
}

interface ParamShape {
  name: string;
  shape: number[];
  slot: Slot;
  /** 0 weight_ih, 1 weight_hh, 2 bias_ih, 3 bias_hh, 4 weight_peephole */
  part: number;
}

export class RecurrentParams implements RecurrentBlock {
  readonly dtype = DTYPE_F32;
  readonly inferenceOnly = false;
  readonly slots: Slot[] = [];
  /** floats of the packed block */
  readonly floats: number;
  /** projection columns and units after padding (assembly/cells.ts) */
  readonly N: number;
  readonly U: number;
  readonly shapes: ParamShape[] = [];
  readonly #H: number;
  /** the kernel column of each stored gate row, [G·H] (the kernel's cellGateColumn) */
  readonly cols: Int32Array;
  readonly #spec: CellSpec;

  constructor(c: RecurrentConfig, spec: CellSpec, kernels: Kernels) {
    const H = c.hiddenSize,
      G = spec.storedGates.length;
    this.#H = H;
    this.#spec = spec;
    this.N = kernels.cellColumns(spec.cell, H);
    this.U = kernels.cellUnits(spec.cell, H);
    this.cols = new Int32Array(G * H);
    spec.storedGates.forEach((gate, j) => {
      for (let u = 0; u < H; u++) this.cols[j * H + u] = kernels.cellGateColumn(spec.cell, gate, u, H);
    });
    let at = 0;
    for (let layer = 0; layer < c.numLayers; layer++) {
      const K = layer === 0 ? c.inputSize : H * c.directions;
      for (let dir = 0; dir < c.directions; dir++) {
        const slot: Slot = { layer, dir, K, wih: at, whh: 0, bih: 0, bhh: 0, peep: -1, sih: -1, shh: -1 };
        at += this.N * K;
        slot.whh = at;
        at += this.N * H;
        slot.bih = at;
        at += this.N;
        slot.bhh = at;
        at += this.N;
        if (spec.peephole) {
          slot.peep = at;
          at += 3 * this.U;
        }
        this.slots.push(slot);
        const names = recurrentParamNames(layer, dir === 1);
        const shapes = [[G * H, K], [G * H, H], [G * H], [G * H]];
        for (let part = 0; part < 4; part++) this.shapes.push({ name: names[part]!, shape: shapes[part]!, slot, part });
        if (spec.peephole) {
          this.shapes.push({
            name: `weight_peephole_l${layer}${dir === 1 ? '_reverse' : ''}`,
            shape: [3 * H],
            slot,
            part: 4,
          });
        }
      }
    }
    this.floats = at;
  }

  /** PyTorch's reset_parameters: every parameter U(−1/√H, 1/√H), in state_dict order; forgetBias
   *  (Keras' unit_forget_bias) sets bias_ih's forget rows to it and bias_hh's to 0. */
  initial(seed: number, forgetBias: number | undefined): StateDict {
    const rng = mulberry32(seed),
      H = this.#H,
      bound = 1 / Math.sqrt(H),
      out: StateDict = {};
    for (const p of this.shapes)
      out[p.name] = { shape: p.shape.slice(), data: uniformArray(rng, shapeSize(p.shape), -bound, bound) };
    if (forgetBias !== undefined) {
      const f = this.#spec.forgetGate;
      for (const p of this.shapes) {
        if (p.part === 2) out[p.name]!.data.fill(forgetBias, f * H, (f + 1) * H);
        if (p.part === 3) out[p.name]!.data.fill(0, f * H, (f + 1) * H);
      }
    }
    return out;
  }

  /** A complete, well-formed state dict for these parameters, or a typed error (nothing written). */
  check(dict: StateDict): StateDict {
    const names = new Set(this.shapes.map((p) => p.name));
    for (const name of Object.keys(dict)) {
      if (!names.has(name)) {
        throw new LSTMError('STATE_DICT_UNEXPECTED', 'tensor not in this layer', {
          argument: name,
          expected: `one of ${[...names].join(', ')}`,
          actual: name,
        });
      }
    }
    const checked: StateDict = {};
    for (const p of this.shapes) checked[p.name] = checkTensor(p.name, dict[p.name], p.shape);
    return checked;
  }

  /** Write a checked state dict into the block at byte offset `block`. */
  write(arena: Arena, dict: StateDict, block: number): void {
    const f32 = arena.f32,
      base = block >>> 2,
      H = this.#H,
      U = this.U,
      cols = this.cols;
    for (const p of this.shapes) {
      const data = dict[p.name]!.data,
        s = p.slot;
      if (p.part === 0) packRows(data, s.K, cols, f32, base + s.wih);
      else if (p.part === 1) packRows(data, H, cols, f32, base + s.whh);
      else if (p.part === 2) packVector(data, cols, f32, base + s.bih);
      else if (p.part === 3) packVector(data, cols, f32, base + s.bhh);
      else for (let q = 0; q < 3; q++) for (let u = 0; u < H; u++) f32[base + s.peep + q * U + u] = data[q * H + u]!;
    }
  }

  /** The block at byte offset `block` as a PyTorch state dict (fresh arrays). */
  read(arena: Arena, block: number): StateDict {
    const f32 = arena.f32,
      base = block >>> 2,
      H = this.#H,
      U = this.U,
      cols = this.cols,
      out: StateDict = {};
    for (const p of this.shapes) {
      const s = p.slot;
      let data: Float32Array;
      if (p.part === 0) data = unpackRows(f32, base + s.wih, s.K, cols);
      else if (p.part === 1) data = unpackRows(f32, base + s.whh, H, cols);
      else if (p.part === 2) data = unpackVector(f32, base + s.bih, cols);
      else if (p.part === 3) data = unpackVector(f32, base + s.bhh, cols);
      else {
        data = new Float32Array(3 * H);
        for (let q = 0; q < 3; q++) for (let u = 0; u < H; u++) data[q * H + u] = f32[base + s.peep + q * U + u]!;
      }
      out[p.name] = { shape: p.shape.slice(), data };
    }
    return out;
  }

  /** Each parameter's [start, end) float range in the packed block. */
  ranges(): Map<string, [number, number]> {
    const out = new Map<string, [number, number]>(),
      H = this.#H;
    for (const p of this.shapes) {
      const s = p.slot;
      const [at, n] = [
        [s.wih, this.N * s.K],
        [s.whh, this.N * H],
        [s.bih, this.N],
        [s.bhh, this.N],
        [s.peep, 3 * this.U],
      ][p.part]!;
      out.set(p.name, [at!, at! + n!]);
    }
    return out;
  }

  /** Number of trainable parameters (PyTorch's count, without padding). */
  get count(): number {
    return this.shapes.reduce((n, p) => n + shapeSize(p.shape), 0);
  }

  scratchFloats(_K: number): number {
    return 0;
  }
}

/** A tensor of exactly `shape` whose data is numbers: a typed array (not BigInt) or an array of finite numbers. */
export function checkTensor(name: string, t: unknown, shape: number[]): Tensor {
  if (t === undefined) {
    throw new LSTMError('STATE_DICT_MISSING', 'tensor missing from state dict', {
      argument: name,
      expected: `a tensor of shape ${shapeString(shape)}`,
      actual: 'nothing',
    });
  }
  const given = (t as Partial<Tensor> | null)?.shape as unknown,
    data = (t as Partial<Tensor> | null)?.data as unknown;
  if (!Array.isArray(given) || given.length !== shape.length || given.some((d, i) => d !== shape[i])) {
    throw new LSTMError('STATE_DICT_SHAPE', 'wrong shape', {
      argument: name,
      expected: shapeString(shape),
      actual: Array.isArray(given) ? `[${given.map((d) => describe(d)).join(', ')}]` : describe(given),
    });
  }
  const n = shapeSize(shape);
  const typed =
    ArrayBuffer.isView(data) &&
    !(data instanceof DataView) &&
    !(data instanceof BigInt64Array) &&
    !(data instanceof BigUint64Array);
  const numeric = typed || (Array.isArray(data) && data.every((v) => typeof v === 'number' && Number.isFinite(v)));
  if (!numeric) {
    throw new LSTMError('STATE_DICT_SHAPE', 'data must be numbers', {
      argument: name,
      expected: 'a Float32Array (or another numeric typed array, or an array of finite numbers)',
      actual: describe(data),
    });
  }
  const length = (data as ArrayLike<number>).length;
  if (length !== n) {
    throw new LSTMError('STATE_DICT_SHAPE', 'data length does not match the shape', {
      argument: name,
      expected: `${n} numbers for ${shapeString(shape)}`,
      actual: `${length}`,
    });
  }
  return { shape: shape.slice(), data: data as Float32Array };
}
