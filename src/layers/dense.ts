// nn.Linear (Keras Dense): y = act(x·Wᵀ + b). On [N, T, in] it acts on every step.
// Parameters: weight [out, in], bias [out] (PyTorch names), packed for the GEMM microkernel.
import { currentRuntime, type Runtime } from '../runtime.js';
import { LSTMError, checkSize, describe } from '../errors.js';
import { type StateDict, type Tensor, shapeSize, shapeString } from '../tensor.js';
import { mulberry32, uniformArray } from '../random.js';
import type { Layer, PrefixOptions } from './layer.js';
import type { ParameterBlock } from '../optim.js';
import { PANEL } from '../io/torch.js';
import { addPrefix, selectPrefix, withPrefixInErrors } from '../io/prefix.js';

export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';
const ACTIVATIONS: Activation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'];

export interface DenseOptions {
  inputSize: number;
  outputSize: number;
  activation?: Activation;
  seed?: number;
}

const pad16 = (n: number): number => Math.ceil(n / 16) * 16;

export class Dense implements Layer {
  readonly kind = 'Dense';
  readonly inputSize: number;
  readonly outputSize: number;
  readonly activation: Activation;
  readonly #seed: number;
  readonly #rt: Runtime;
  readonly #NP: number; // outputs padded to the GEMM's 16 columns
  readonly #wFloats: number;
  #params = 0;
  #grads = 0; // [packed weight | bias (NP)]
  #ws = 0;
  #wsRows = 0; // [x rows·in | y rows·NP | dy rows·NP | dx rows·in | wT | dW scratch]
  #rows = 0;
  #xShape: number[] = [];
  #hasForward = false;
  #disposed = false;

  constructor(options: DenseOptions) {
    if (options === null || typeof options !== 'object') {
      throw new LSTMError('INVALID_ARGUMENT', 'Dense options must be an object', {
        argument: 'options',
        expected: '{ inputSize, outputSize }',
        actual: describe(options),
      });
    }
    this.inputSize = checkSize('inputSize', options.inputSize, 1 << 24);
    this.outputSize = checkSize('outputSize', options.outputSize, 1 << 24);
    const act = options.activation ?? 'linear';
    if (!ACTIVATIONS.includes(act)) {
      throw new LSTMError('INVALID_ARGUMENT', 'unknown activation', {
        argument: 'activation',
        expected: ACTIVATIONS.join(' | '),
        actual: describe(act),
      });
    }
    this.activation = act;
    const seed = options.seed === undefined ? 1 : options.seed;
    if (!Number.isInteger(seed))
      throw new LSTMError('INVALID_ARGUMENT', 'must be an integer', {
        argument: 'seed',
        expected: 'an integer',
        actual: describe(seed),
      });
    this.#seed = seed;
    this.#rt = currentRuntime();
    this.#NP = pad16(this.outputSize);
    this.#wFloats = this.#NP * this.inputSize;
    const floats = this.#wFloats + this.#NP;
    this.#params = this.#rt.arena.alloc(floats * 4, 'Dense parameters');
    try {
      this.#grads = this.#rt.arena.alloc(floats * 4, 'Dense gradients');
    } catch (e) {
      this.#rt.arena.free(this.#params);
      throw e;
    }
    // nn.Linear's reset_parameters: U(−1/√in, 1/√in) for weight and bias.
    const rng = mulberry32(seed),
      bound = 1 / Math.sqrt(this.inputSize);
    const weight = uniformArray(rng, this.outputSize * this.inputSize, -bound, bound);
    const bias = uniformArray(rng, this.outputSize, -bound, bound);
    this.#write(
      {
        weight: { shape: [this.outputSize, this.inputSize], data: weight },
        bias: { shape: [this.outputSize], data: bias },
      },
      this.#params,
    );
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  config(): Record<string, unknown> {
    return { inputSize: this.inputSize, outputSize: this.outputSize, activation: this.activation, seed: this.#seed };
  }

  #write(d: StateDict, block: number): void {
    const f32 = this.#rt.arena.f32,
      base = block >> 2,
      K = this.inputSize,
      w = d.weight!.data,
      b = d.bias!.data;
    for (let n = 0; n < this.outputSize; n++) {
      const at = base + Math.floor(n / PANEL) * K * PANEL + (n % PANEL);
      for (let k = 0; k < K; k++) f32[at + k * PANEL] = w[n * K + k]!;
      f32[base + this.#wFloats + n] = b[n]!;
    }
  }

  #read(block: number): StateDict {
    const f32 = this.#rt.arena.f32,
      base = block >> 2,
      K = this.inputSize,
      O = this.outputSize;
    const weight = new Float32Array(O * K),
      bias = new Float32Array(O);
    for (let n = 0; n < O; n++) {
      const at = base + Math.floor(n / PANEL) * K * PANEL + (n % PANEL);
      for (let k = 0; k < K; k++) weight[n * K + k] = f32[at + k * PANEL]!;
      bias[n] = f32[base + this.#wFloats + n]!;
    }
    return { weight: { shape: [O, K], data: weight }, bias: { shape: [O], data: bias } };
  }

  stateDict(options?: PrefixOptions): StateDict {
    if (options?.prefix !== undefined) return addPrefix(this.stateDict(), options.prefix);
    this.#live();
    return this.#read(this.#params);
  }
  gradients(): StateDict {
    this.#live();
    return this.#read(this.#grads);
  }

  loadStateDict(dict: StateDict, options?: PrefixOptions): void {
    if (options?.prefix !== undefined) {
      withPrefixInErrors(options.prefix, () => this.loadStateDict(selectPrefix(dict, options.prefix)));
      return;
    }
    this.#live();
    const want: Record<string, number[]> = { weight: [this.outputSize, this.inputSize], bias: [this.outputSize] };
    for (const k of Object.keys(dict ?? {})) {
      if (!(k in want))
        throw new LSTMError('STATE_DICT_UNEXPECTED', 'tensor not in this layer', {
          argument: k,
          expected: 'weight, bias',
          actual: k,
        });
    }
    for (const [k, shape] of Object.entries(want)) {
      const t = dict[k];
      if (!t)
        throw new LSTMError('STATE_DICT_MISSING', 'tensor missing from state dict', {
          argument: k,
          expected: shapeString(shape),
          actual: 'nothing',
        });
      if (!Array.isArray(t.shape) || t.shape.join() !== shape.join())
        throw new LSTMError('STATE_DICT_SHAPE', 'wrong shape', {
          argument: k,
          expected: shapeString(shape),
          actual: Array.isArray(t.shape) ? shapeString(t.shape) : describe(t.shape),
        });
      if (!t.data || (t.data as ArrayLike<number>).length !== shapeSize(shape))
        throw new LSTMError('STATE_DICT_SHAPE', 'data length does not match the shape', {
          argument: k,
          expected: `${shapeSize(shape)} numbers`,
          actual: describe(t.data),
        });
    }
    this.#write(dict, this.#params);
  }

  zeroGrad(): void {
    this.#live();
    const b = this.#grads >> 2;
    this.#rt.arena.f32.fill(0, b, b + this.#wFloats + this.#NP);
  }

  _blocks(): ParameterBlock {
    this.#live();
    return { runtime: this.#rt, params: this.#params, grads: this.#grads, floats: this.#wFloats + this.#NP };
  }

  #workspace(rows: number): void {
    if (rows <= this.#wsRows) return;
    const K = this.inputSize,
      NP = this.#NP,
      k = this.#rt.kernels;
    const floats = rows * K * 2 + rows * NP * 2 + Math.ceil(K / 8) * 8 * NP + k.gemmDyTXScratchFloats(NP, K) + 64;
    const ptr = this.#rt.arena.alloc(floats * 4, `Dense workspace for ${rows} rows`);
    if (this.#ws) this.#rt.arena.free(this.#ws);
    this.#ws = ptr;
    this.#wsRows = rows;
    this.#hasForward = false;
  }

  #offsets() {
    const K = this.inputSize,
      NP = this.#NP,
      R = this.#wsRows,
      at = (f: number) => this.#ws + f * 4;
    const x = 0,
      y = R * K,
      dy = y + R * NP,
      dx = dy + R * NP,
      wT = dx + R * K,
      scratch = wT + Math.ceil(K / 8) * 8 * NP;
    return { x: at(x), y: at(y), dy: at(dy), dx: at(dx), wT: at(wT), scratch: at(Math.ceil(scratch / 16) * 16) };
  }

  forwardTensor(x: Tensor): Tensor {
    this.#live();
    const K = this.inputSize,
      O = this.outputSize,
      NP = this.#NP;
    const shape = x?.shape;
    if (
      !Array.isArray(shape) ||
      shape.length < 1 ||
      shape[shape.length - 1] !== K ||
      !(x.data instanceof Float32Array) ||
      x.data.length !== shapeSize(shape)
    ) {
      throw new LSTMError('SHAPE_MISMATCH', 'Dense input must be [..., inputSize]', {
        argument: 'x',
        expected: `[..., ${K}]`,
        actual: Array.isArray(shape) ? shapeString(shape) : describe(x),
      });
    }
    const rows = x.data.length / K;
    this.#workspace(Math.max(rows, 1));
    const o = this.#offsets();
    this.#rt.arena.f32.set(x.data, o.x >> 2);
    const p = this.#params;
    this.#rt.kernels.denseForward(
      o.x,
      rows,
      K,
      p,
      p + this.#wFloats * 4,
      O,
      NP,
      o.y,
      ACTIVATIONS.indexOf(this.activation),
    );
    this.#rows = rows;
    this.#xShape = shape.slice();
    this.#hasForward = true;
    const f32 = this.#rt.arena.f32,
      out = new Float32Array(rows * O),
      yb = o.y >> 2;
    if (O === NP) out.set(f32.subarray(yb, yb + rows * O));
    else for (let r = 0; r < rows; r++) out.set(f32.subarray(yb + r * NP, yb + r * NP + O), r * O);
    return { data: out, shape: [...shape.slice(0, -1), O] };
  }

  /** The pre-activation outputs of the last forward are not kept; losses that fuse softmax or
   *  sigmoid pass ∂L/∂z with `preActivation` set, skipping the activation's derivative. */
  backwardTensor(dy: Tensor, preActivation = false): Tensor {
    this.#live();
    if (!this.#hasForward)
      throw new LSTMError('NO_FORWARD', 'backward() needs a forward() first', {
        argument: 'dy',
        expected: 'a forward() call first',
        actual: 'none',
      });
    const O = this.outputSize,
      NP = this.#NP,
      K = this.inputSize,
      rows = this.#rows;
    if (!(dy?.data instanceof Float32Array) || dy.data.length !== rows * O) {
      throw new LSTMError('SHAPE_MISMATCH', 'gradient does not match the last output', {
        argument: 'dy',
        expected: `${rows * O} values`,
        actual: describe(dy?.data),
      });
    }
    const o = this.#offsets(),
      f32 = this.#rt.arena.f32,
      db = o.dy >> 2;
    if (O === NP) f32.set(dy.data, db);
    else {
      f32.fill(0, db, db + rows * NP);
      for (let r = 0; r < rows; r++) f32.set(dy.data.subarray(r * O, r * O + O), db + r * NP);
    }
    const g = this.#grads,
      act = preActivation ? 0 : ACTIVATIONS.indexOf(this.activation);
    this.#rt.kernels.denseBackward(
      o.x,
      rows,
      K,
      this.#params,
      O,
      NP,
      o.y,
      o.dy,
      act,
      g,
      g + this.#wFloats * 4,
      o.dx,
      o.wT,
      o.scratch,
    );
    const dx = this.#rt.arena.f32.slice(o.dx >> 2, (o.dx >> 2) + rows * K);
    return { data: dx, shape: this.#xShape.slice() };
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const p of [this.#params, this.#grads, this.#ws]) if (p) this.#rt.arena.free(p);
  }

  #live(): void {
    if (this.#disposed)
      throw new LSTMError('DISPOSED', 'this Dense layer was disposed', {
        argument: 'this',
        expected: 'a live layer',
        actual: 'disposed',
      });
  }
}
