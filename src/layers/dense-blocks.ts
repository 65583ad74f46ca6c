// Dense's parameter block in each weight dtype: how nn.Linear's weight [out, in] and bias [out] are
// packed for the kernels, and which forward kernel reads them. Dense asks for the block of its
// dtype and never branches on it.
//   f32:  [weight panels NP·K floats | bias NP]                     (assembly/gemm.ts panels)
//   int8: [weight int8 panels NP·Kp bytes | scales NP | bias NP]     (assembly/qgemm.ts panels)
// NP = outputs padded to whole panels; column n holds output n.
import { DTYPE_F32, DTYPE_I8 } from '../../assembly/abi.js';
import type { Arena } from '../arena.js';
import { LSTMError } from '../errors.js';
import {
  int8PanelBytes,
  packRows,
  packRowsInt8,
  packVector,
  unpackRows,
  unpackRowsInt8,
  unpackVector,
} from '../io/torch.js';
import type { Kernels, Runtime } from '../runtime.js';
import { denseForward, denseForwardInt8 } from '../threads/split.js';
import type { StateDict } from '../tensor.js';
import { checkInt8Tensor, checkScaleTensor, scaleName, type WeightDtype } from './quantize.js';
import { checkTensor } from './recurrent-params.js';

export interface DenseBlock {
  readonly dtype: number;
  /** int8: no gradient block; training raises NOT_TRAINABLE */
  readonly inferenceOnly: boolean;
  /** floats of the block */
  readonly floats: number;
  /** float offset of the bias within the block */
  readonly biasAt: number;
  /** Validated tensors for exactly this block's names (STATE_DICT_* errors otherwise). */
  check(dict: StateDict): StateDict;
  write(arena: Arena, dict: StateDict, block: number): void;
  read(arena: Arena, block: number): StateDict;
  /** Floats of scratch the forward kernel needs. */
  readonly scratchFloats: number;
  /** y [rows, NP] = act(x [rows, K] · Wᵀ + b), split by rows on a threaded runtime (threads/split.ts). */
  forward(rt: Runtime, x: number, rows: number, block: number, y: number, act: number, scratch: number): void;
}

function checkNames(dict: StateDict, names: string[]): void {
  for (const k of Object.keys(dict)) {
    if (!names.includes(k))
      throw new LSTMError('STATE_DICT_UNEXPECTED', 'tensor not in this layer', {
        argument: k,
        expected: names.join(', '),
        actual: k,
      });
  }
}

class F32Block implements DenseBlock {
  readonly dtype = DTYPE_F32;
  readonly inferenceOnly = false;
  readonly floats: number;
  readonly biasAt: number;
  readonly scratchFloats = 0;
  constructor(
    readonly O: number,
    readonly K: number,
    readonly NP: number,
    readonly cols: Int32Array,
  ) {
    this.biasAt = NP * K;
    this.floats = this.biasAt + NP;
  }
  check(dict: StateDict): StateDict {
    checkNames(dict, ['weight', 'bias']);
    return {
      weight: checkTensor('weight', dict.weight, [this.O, this.K]),
      bias: checkTensor('bias', dict.bias, [this.O]),
    };
  }
  write(arena: Arena, d: StateDict, block: number): void {
    const f32 = arena.f32,
      base = block >>> 2;
    packRows(d.weight!.data, this.K, this.cols, f32, base);
    packVector(d.bias!.data, this.cols, f32, base + this.biasAt);
  }
  read(arena: Arena, block: number): StateDict {
    const f32 = arena.f32,
      base = block >>> 2;
    return {
      weight: { shape: [this.O, this.K], data: unpackRows(f32, base, this.K, this.cols) },
      bias: { shape: [this.O], data: unpackVector(f32, base + this.biasAt, this.cols) },
    };
  }
  forward(rt: Runtime, x: number, rows: number, p: number, y: number, act: number): void {
    denseForward(rt, x, rows, this.K, p, p + this.biasAt * 4, this.O, this.NP, y, act);
  }
}

class Int8Block implements DenseBlock {
  readonly dtype = DTYPE_I8;
  readonly inferenceOnly = true;
  readonly floats: number;
  readonly biasAt: number;
  readonly scaleAt: number;
  readonly scratchFloats: number;
  constructor(
    readonly O: number,
    readonly K: number,
    readonly NP: number,
    readonly cols: Int32Array,
    kernels: Kernels,
  ) {
    this.scaleAt = int8PanelBytes(NP, K) / 4;
    this.biasAt = this.scaleAt + NP;
    this.floats = this.biasAt + NP;
    this.scratchFloats = kernels.qgemmScratchBytes(K) / 4;
  }
  check(dict: StateDict): StateDict {
    checkNames(dict, ['weight', scaleName('weight'), 'bias']);
    return {
      weight: checkInt8Tensor('weight', dict.weight, [this.O, this.K]),
      [scaleName('weight')]: checkScaleTensor(scaleName('weight'), dict[scaleName('weight')], [this.O]),
      bias: checkTensor('bias', dict.bias, [this.O]),
    };
  }
  write(arena: Arena, d: StateDict, block: number): void {
    const f32 = arena.f32,
      base = block >>> 2;
    packRowsInt8(d.weight!.data, this.K, this.cols, new Int8Array(arena.memory.buffer), block);
    packVector(d[scaleName('weight')]!.data, this.cols, f32, base + this.scaleAt);
    packVector(d.bias!.data, this.cols, f32, base + this.biasAt);
  }
  read(arena: Arena, block: number): StateDict {
    const f32 = arena.f32,
      base = block >>> 2;
    return {
      weight: {
        shape: [this.O, this.K],
        data: unpackRowsInt8(new Int8Array(arena.memory.buffer), block, this.K, this.cols),
        dtype: 'int8',
      },
      [scaleName('weight')]: { shape: [this.O], data: unpackVector(f32, base + this.scaleAt, this.cols), dtype: 'f32' },
      bias: { shape: [this.O], data: unpackVector(f32, base + this.biasAt, this.cols) },
    };
  }
  forward(rt: Runtime, x: number, rows: number, p: number, y: number, act: number, scratch: number): void {
    denseForwardInt8(
      rt,
      x,
      rows,
      this.K,
      p,
      p + this.scaleAt * 4,
      p + this.biasAt * 4,
      this.O,
      this.NP,
      y,
      act,
      scratch,
    );
  }
}

/** The block of Dense(in = K, out = O) for `dtype` (outputs padded to NP columns). */
export function denseBlock(dtype: WeightDtype, O: number, K: number, NP: number, kernels: Kernels): DenseBlock {
  const cols = Int32Array.from({ length: O }, (_, n) => n);
  return dtype === 'int8' ? new Int8Block(O, K, NP, cols, kernels) : new F32Block(O, K, NP, cols);
}
