// What every recurrent layer (LSTM and its variants, GRU, plain RNN) shares: PyTorch-compatible
// parameters packed for the kernels, the activation cache in the arena, sequence forward/backward
// as one wasm call per layer and direction, streaming steps, masking, dropout, stateful carry.
// The cell itself (its gates, what it caches) is a CellSpec; subclasses only pick one.
// Converts to and from PyTorch's layout only in loadStateDict / stateDict / gradients.
import { currentRuntime, type Runtime } from '../runtime.js';
import { LSTMError, checkSize, checkFloat32, describe } from '../errors.js';
import { type StateDict, type Tensor, shapeSize, shapeString } from '../tensor.js';
import { mulberry32, uniformArray } from '../random.js';
import type { ParameterBlock } from '../optim.js';
import type { Layer, ForwardContext, PrefixOptions } from './layer.js';
import {
  packGateWeight,
  unpackGateWeight,
  packGateBias,
  unpackGateBias,
  recurrentParamNames,
  type GateLayout,
} from '../io/torch.js';
import { addPrefix, selectPrefix, withPrefixInErrors } from '../io/prefix.js';

/** Which cell, and how its PyTorch parameters map onto the kernels' gate-interleaved columns. */
export interface CellSpec {
  kind: string;
  /** assembly/recurrent.ts CELL_* and FLAG_* */
  cell: number;
  flags: number;
  layout: GateLayout;
  /** LSTM-style cell state c (false for GRU and RNN). */
  hasCell: boolean;
  /** Extra per-direction parameter: ONNX-style peephole weights [3H] (i, f, o). */
  peephole: boolean;
  /** Index of the forget gate among the stored gates (for forgetBias), or -1. */
  forgetGate: number;
}

export interface RecurrentOptions {
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  bidirectional?: boolean;
  /** Seed of PyTorch's default init U(−1/√H, 1/√H); same seed, same weights. */
  seed?: number;
  /** In a Sequential model: true passes every step's output [N, T, H·D] on, false (the default,
   *  as in Keras) only the final hidden state [N, H·D] (both directions' h_n when bidirectional). */
  returnSequences?: boolean;
  /** Initial forget-gate bias (Keras' unit_forget_bias uses 1): bias_ih's f rows are set to it and
   *  bias_hh's to 0, so the cell starts out remembering. Default: PyTorch's plain init. */
  forgetBias?: number;
  /** In a Sequential model: each forward starts from the previous call's final state (same batch
   *  size) instead of zeros, until resetStates(). Used for streaming training and truncated BPTT. */
  stateful?: boolean;
  /** Variational recurrent dropout on h_{t−1} (one mask per sequence, all steps), active only in
   *  training (fit, or forward with { training: true }). */
  recurrentDropout?: number;
}

export type LSTMOptions = RecurrentOptions;

export interface ForwardOptions {
  batch?: number;
  steps?: number;
  /** [numLayers·directions, batch, hidden]; zeros when absent. */
  h0?: Float32Array;
  c0?: Float32Array;
  /** Per-sequence lengths [batch] (integers in [0, steps]): steps past a sequence's length are
   *  padding that neither updates its state nor receives gradient. Outputs at padded steps repeat
   *  the last real h; h/c are each sequence's state after its own last step. */
  lengths?: ArrayLike<number>;
  /** Apply recurrentDropout (if the layer has it). Default false. */
  training?: boolean;
}

export interface ForwardResult {
  /** [batch, steps, hidden·directions] */
  output: Float32Array;
  /** [numLayers·directions, batch, hidden]: the final hidden and (LSTM) cell states. */
  h: Float32Array;
  c: Float32Array;
}

export type RecurrentForwardResult = Omit<ForwardResult, 'c'> & { c?: Float32Array };

export interface BackwardOptions {
  /** ∂L/∂h_n and ∂L/∂c_n, [numLayers·directions, batch, hidden]; zeros when absent. */
  dh?: Float32Array;
  dc?: Float32Array;
  /** Keep ‖∂L/∂h_t‖ per step (mean over the batch, top layer, forward direction) for gradNorms(). */
  recordGradNorms?: boolean;
}

export interface BackwardResult {
  /** [batch, steps, inputSize] */
  dx: Float32Array;
  /** [numLayers·directions, batch, hidden] */
  dh0: Float32Array;
  dc0: Float32Array;
}

export type RecurrentBackwardResult = Omit<BackwardResult, 'dc0'> & { dc0?: Float32Array };

const MAX_FEATURES = 1 << 24;
const MAX_HIDDEN = 1 << 16;
const MAX_LAYERS = 1024;
const MAX_ROWS = 2 ** 31 / 4; // any buffer beyond this many floats cannot fit in wasm32

/** One layer in one direction: byte offsets of its parameters (and, at the same offsets from
 *  the gradient block, their gradients). */
interface Slot {
  layer: number;
  dir: number;
  K: number;
  wih: number;
  whh: number;
  bih: number;
  bhh: number; // offsets in floats from the block start
  extra: number; // peephole weights [3·U], or -1
}

/** Activation cache and staging for one (batch, steps). All byte pointers. */
interface Workspace {
  B: number;
  T: number;
  ptr: number;
  xBF: number; // [B,T,max(I,DH)] caller-order staging (x in, output/dx out)
  x0: number; // [T,B,I]
  y: number[]; // per layer [T,B,DH]
  cache: number[]; // per slot: what seqForward saves (assembly/recurrent.ts)
  scratch: number; // seqForward's per-step scratch
  h0: number;
  c0: number; // [S,B,H], [S,B,U]
  lengths: number; // [B] i32
  masked: boolean; // the last forward had lengths
  recMask: number[]; // per slot [B,H] recurrent dropout masks (when the layer has dropout)
  hMasked: number[]; // per slot [T,B,H] masked h_{t−1}
  dropped: boolean; // the last forward applied recurrent dropout
  back: number; // backward block (0 until the first backward)
  dA: number;
  dB: number; // [T,B,max(I,DH)] ping-pong
  dh: number;
  dc: number; // [S,B,H], [S,B,U]
  work: number; // seqBackward's scratch
  norms: number; // [T] gradient norms per step
}

export interface LSTMState {
  readonly batch: number;
  /** The top layer's h after the last step, [batch, hidden]; overwritten by the next step. */
  readonly output: Float32Array;
  /** Copies of the carried state, [numLayers, batch, hidden] (c: LSTM only, else empty). */
  readonly h: Float32Array;
  readonly c: Float32Array;
  /** Back to zeros (or to the given h0/c0). */
  reset(h0?: Float32Array, c0?: Float32Array): void;
  dispose(): void;
}

// Frees a forgotten layer's memory when it is garbage-collected. Optional: some hosts (older
// Cloudflare Workers compatibility dates) have no FinalizationRegistry; dispose() still works there.
const registry =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<() => void>((release) => release())
    : { register(): void {}, unregister(): void {} };

export abstract class Recurrent implements Layer {
  abstract readonly kind: string;
  readonly #spec: CellSpec;
  readonly returnSequences: boolean;
  readonly #seed: number;
  #forgetBias: number | undefined;
  readonly stateful: boolean;
  readonly recurrentDropout: number;
  #dropRng: () => number;
  #carry = false; // stateful, or set by fit's truncated BPTT
  #carried: { B: number; h: Float32Array; c: Float32Array | undefined } | null = null;
  #gradNorms: Float32Array | null = null;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly directions: number;

  readonly #rt: Runtime;
  readonly #slots: Slot[] = [];
  readonly #paramFloats: number;
  #params: number; // byte pointer of the packed parameter block
  #grads: number; // same layout, gradients
  #ws: Workspace | null = null;
  #hasForward = false;
  #disposed = false;
  readonly #states = new Set<StateImpl>();
  readonly #owned = { ptrs: [] as number[] };

  protected constructor(options: RecurrentOptions, spec: CellSpec) {
    this.#spec = spec;
    if (options === null || typeof options !== 'object') {
      throw new LSTMError('INVALID_ARGUMENT', `${spec.kind} options must be an object`, {
        argument: 'options',
        expected: '{ inputSize, hiddenSize, … }',
        actual: describe(options),
      });
    }
    this.inputSize = checkSize('inputSize', options.inputSize, MAX_FEATURES);
    this.hiddenSize = checkSize('hiddenSize', options.hiddenSize, MAX_HIDDEN);
    this.numLayers = checkSize('numLayers', options.numLayers === undefined ? 1 : options.numLayers, MAX_LAYERS);
    const bidi = options.bidirectional === undefined ? false : options.bidirectional;
    if (typeof bidi !== 'boolean') {
      throw new LSTMError('INVALID_ARGUMENT', 'must be a boolean', {
        argument: 'bidirectional',
        expected: 'true or false',
        actual: describe(bidi),
      });
    }
    this.bidirectional = bidi;
    this.directions = bidi ? 2 : 1;
    const seed = options.seed === undefined ? 1 : options.seed;
    if (typeof seed !== 'number' || !Number.isInteger(seed)) {
      throw new LSTMError('INVALID_ARGUMENT', 'must be an integer', {
        argument: 'seed',
        expected: 'an integer',
        actual: describe(seed),
      });
    }
    this.#seed = seed;
    const rs = options.returnSequences === undefined ? false : options.returnSequences;
    if (typeof rs !== 'boolean') {
      throw new LSTMError('INVALID_ARGUMENT', 'must be a boolean', {
        argument: 'returnSequences',
        expected: 'true or false',
        actual: describe(rs),
      });
    }
    this.returnSequences = rs;
    this.stateful = options.stateful === true;
    const rd = options.recurrentDropout ?? 0;
    if (typeof rd !== 'number' || !(rd >= 0 && rd < 1)) {
      throw new LSTMError('INVALID_ARGUMENT', 'must be in [0, 1)', {
        argument: 'recurrentDropout',
        expected: 'a rate in [0, 1)',
        actual: describe(rd),
      });
    }
    this.recurrentDropout = rd;
    this.#dropRng = mulberry32((seed ^ 0x5bd1e995) >>> 0);
    this.#carry = this.stateful;
    this.#rt = currentRuntime();

    const H = this.hiddenSize,
      N = this.#N,
      U = this.#U;
    let at = 0;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const K = layer === 0 ? this.inputSize : H * this.directions;
      for (let dir = 0; dir < this.directions; dir++) {
        const wih = at;
        at += N * K;
        const whh = at;
        at += N * H;
        const bih = at;
        at += N;
        const bhh = at;
        at += N;
        let extra = -1;
        if (spec.peephole) {
          extra = at;
          at += 3 * U;
        }
        this.#slots.push({ layer, dir, K, wih, whh, bih, bhh, extra });
      }
    }
    this.#paramFloats = at;
    const arena = this.#rt.arena;
    this.#params = arena.alloc(at * 4, 'parameters');
    try {
      this.#grads = arena.alloc(at * 4, 'gradients');
    } catch (e) {
      arena.free(this.#params);
      throw e;
    }
    this.#owned.ptrs.push(this.#params, this.#grads);
    const owned = this.#owned;
    registry.register(
      this,
      () => {
        for (const p of owned.ptrs) arena.free(p);
        owned.ptrs.length = 0;
      },
      this,
    );

    // PyTorch's reset_parameters: every parameter U(−1/√H, 1/√H), in state_dict order.
    const rng = mulberry32(seed);
    const bound = 1 / Math.sqrt(H);
    const init: StateDict = {};
    for (const p of this.#paramShapes()) {
      init[p.name] = { shape: p.shape, data: uniformArray(rng, shapeSize(p.shape), -bound, bound) };
    }
    if (options.forgetBias !== undefined) {
      if (spec.forgetGate < 0) {
        throw new LSTMError('INVALID_ARGUMENT', `${spec.kind} has no forget gate`, {
          argument: 'forgetBias',
          expected: 'an LSTM',
          actual: spec.kind,
        });
      }
      if (typeof options.forgetBias !== 'number' || !Number.isFinite(options.forgetBias)) {
        throw new LSTMError('INVALID_ARGUMENT', 'must be a finite number', {
          argument: 'forgetBias',
          expected: 'a number such as 1',
          actual: describe(options.forgetBias),
        });
      }
      for (const [name, t] of Object.entries(init)) {
        if (!name.startsWith('bias_')) continue;
        t.data.fill(
          name.startsWith('bias_ih') ? options.forgetBias : 0,
          spec.forgetGate * H,
          (spec.forgetGate + 1) * H,
        );
      }
      this.#forgetBias = options.forgetBias;
    }
    this.#writeParams(init, this.#params);
  }

  // ---------------------------------------------------------------------------------------
  // Parameters

  get #N(): number {
    return this.#rt.kernels.cellColumns(this.#spec.cell, this.hiddenSize);
  }
  get #U(): number {
    return this.#rt.kernels.cellUnits(this.#spec.cell, this.hiddenSize);
  }

  /** Names and shapes of the parameters, in PyTorch's state_dict order (peephole weights last). */
  #paramShapes(): { name: string; shape: number[]; slot: Slot; part: number }[] {
    const H = this.hiddenSize,
      G = this.#spec.layout.slots.length;
    const out: { name: string; shape: number[]; slot: Slot; part: number }[] = [];
    for (const slot of this.#slots) {
      const names = recurrentParamNames(slot.layer, slot.dir === 1);
      const shapes = [[G * H, slot.K], [G * H, H], [G * H], [G * H]];
      for (const [part, name] of names.entries()) out.push({ name, shape: shapes[part]!, slot, part });
      if (this.#spec.peephole)
        out.push({
          name: `weight_peephole_l${slot.layer}${slot.dir === 1 ? '_reverse' : ''}`,
          shape: [3 * H],
          slot,
          part: 4,
        });
    }
    return out;
  }

  #writeParams(dict: StateDict, block: number): void {
    const f32 = this.#rt.arena.f32,
      base = block >> 2,
      H = this.hiddenSize,
      lay = this.#spec.layout,
      U = this.#U;
    for (const p of this.#paramShapes()) {
      const data = dict[p.name]!.data,
        s = p.slot;
      if (p.part === 0) packGateWeight(data, lay, H, s.K, f32, base + s.wih);
      else if (p.part === 1) packGateWeight(data, lay, H, H, f32, base + s.whh);
      else if (p.part === 4)
        for (let q = 0; q < 3; q++) for (let u = 0; u < H; u++) f32[base + s.extra + q * U + u] = data[q * H + u]!;
      else packGateBias(data, lay, H, f32, base + (p.part === 2 ? s.bih : s.bhh));
    }
  }

  #readParams(block: number): StateDict {
    const f32 = this.#rt.arena.f32,
      base = block >> 2,
      H = this.hiddenSize,
      lay = this.#spec.layout,
      U = this.#U,
      out: StateDict = {};
    for (const p of this.#paramShapes()) {
      const s = p.slot;
      let data: Float32Array;
      if (p.part === 0) data = unpackGateWeight(f32, base + s.wih, lay, H, s.K);
      else if (p.part === 1) data = unpackGateWeight(f32, base + s.whh, lay, H, H);
      else if (p.part === 4) {
        data = new Float32Array(3 * H);
        for (let q = 0; q < 3; q++) for (let u = 0; u < H; u++) data[q * H + u] = f32[base + s.extra + q * U + u]!;
      } else data = unpackGateBias(f32, base + (p.part === 2 ? s.bih : s.bhh), lay, H);
      out[p.name] = { shape: p.shape.slice(), data };
    }
    return out;
  }

  /** The parameters in PyTorch's names, shapes and gate order (fresh copies). */
  stateDict(options?: PrefixOptions): StateDict {
    if (options?.prefix !== undefined) return addPrefix(this.stateDict(), options.prefix);
    this.#live();
    return this.#readParams(this.#params);
  }

  /** The accumulated gradients, same names and shapes as stateDict(). */
  gradients(): StateDict {
    this.#live();
    return this.#readParams(this.#grads);
  }

  /** Load PyTorch-layout parameters. Validates everything before changing anything. */
  loadStateDict(dict: StateDict, options?: PrefixOptions): void {
    if (options?.prefix !== undefined) {
      withPrefixInErrors(options.prefix, () => this.loadStateDict(selectPrefix(dict, options.prefix)));
      return;
    }
    this.#live();
    if (dict === null || typeof dict !== 'object') {
      throw new LSTMError('INVALID_ARGUMENT', 'state dict must be an object', {
        argument: 'stateDict',
        expected: 'Record<string, { shape, data }>',
        actual: describe(dict),
      });
    }
    const expected = this.#paramShapes();
    const names = new Set(expected.map((p) => p.name));
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
    for (const p of expected) {
      const t = dict[p.name] as Tensor | undefined;
      if (t === undefined) {
        throw new LSTMError('STATE_DICT_MISSING', 'tensor missing from state dict', {
          argument: p.name,
          expected: `a tensor of shape ${shapeString(p.shape)}`,
          actual: 'nothing',
        });
      }
      const shape = (t as Partial<Tensor>)?.shape,
        data = (t as Partial<Tensor>)?.data as unknown;
      const n = shapeSize(p.shape);
      if (!Array.isArray(shape) || shape.length !== p.shape.length || shape.some((d, i) => d !== p.shape[i])) {
        throw new LSTMError('STATE_DICT_SHAPE', 'wrong shape', {
          argument: p.name,
          expected: shapeString(p.shape),
          actual: Array.isArray(shape) ? shapeString(shape) : describe(shape),
        });
      }
      const isNumeric = (ArrayBuffer.isView(data) && !(data instanceof DataView)) || Array.isArray(data);
      const length = isNumeric ? (data as ArrayLike<number>).length : -1;
      if (length !== n) {
        throw new LSTMError('STATE_DICT_SHAPE', 'data length does not match the shape', {
          argument: p.name,
          expected: `${n} numbers for ${shapeString(p.shape)}`,
          actual: isNumeric ? `${length}` : describe(data),
        });
      }
      checked[p.name] = { shape: p.shape, data: data as Float32Array };
    }
    this.#writeParams(checked, this.#params);
  }

  zeroGrad(): void {
    this.#live();
    const b = this.#grads >> 2;
    this.#rt.arena.f32.fill(0, b, b + this.#paramFloats);
  }

  /** Number of trainable parameters (PyTorch's count, without padding). */
  get parameterCount(): number {
    return this.#paramShapes().reduce((n, p) => n + shapeSize(p.shape), 0);
  }

  // ---------------------------------------------------------------------------------------
  // Sequence forward / backward

  forward(x: Float32Array, options: ForwardOptions = {}): RecurrentForwardResult {
    this.#live();
    const I = this.inputSize,
      H = this.hiddenSize,
      D = this.directions,
      L = this.numLayers;
    const S = L * D,
      DH = D * H;
    if (!(x instanceof Float32Array)) {
      throw new LSTMError('INVALID_ARGUMENT', 'must be a Float32Array', {
        argument: 'x',
        expected: `Float32Array [batch, steps, ${I}]`,
        actual: describe(x),
      });
    }
    if (options === null || typeof options !== 'object') {
      throw new LSTMError('INVALID_ARGUMENT', 'forward options must be an object', {
        argument: 'options',
        expected: '{ batch, steps, h0?, c0? }',
        actual: describe(options),
      });
    }
    const B = checkSize('batch', options.batch ?? 1, MAX_ROWS);
    const T = options.steps === undefined ? this.#inferSteps(x, B) : checkSize('steps', options.steps, MAX_ROWS);
    checkFloat32('x', x, B * T * I, `[batch=${B}, steps=${T}, inputSize=${I}]`);
    const stateShape = `[numLayers·directions=${S}, batch=${B}, hidden=${H}]`;
    if (options.h0 !== undefined) checkFloat32('h0', options.h0, S * B * H, stateShape);
    if (options.c0 !== undefined) {
      if (!this.#spec.hasCell)
        throw new LSTMError('INVALID_ARGUMENT', `${this.#spec.kind} has no cell state`, {
          argument: 'c0',
          expected: 'no c0',
          actual: describe(options.c0),
        });
      checkFloat32('c0', options.c0, S * B * H, stateShape);
    }
    const lengths = options.lengths === undefined ? null : this.#checkLengths(options.lengths, B, T);

    const ws = this.#workspace(B, T);
    const k = this.#rt.kernels,
      U = this.#U,
      N = this.#N,
      spec = this.#spec;
    let f32 = this.#rt.arena.f32;
    f32.set(x, ws.xBF >> 2);
    k.transpose3(ws.xBF, B, T, I, ws.x0);
    if (options.h0) f32.set(options.h0, ws.h0 >> 2);
    else f32.fill(0, ws.h0 >> 2, (ws.h0 >> 2) + S * B * H);
    this.#stagePadded(options.c0, ws.c0, S * B);
    ws.masked = lengths !== null;
    if (lengths) this.#rt.arena.i32.set(lengths, ws.lengths >> 2);
    const lengthsPtr = lengths ? ws.lengths : 0;
    ws.dropped = options.training === true && this.recurrentDropout > 0;
    if (ws.dropped) {
      const keep = 1 / (1 - this.recurrentDropout),
        f = this.#rt.arena.f32;
      for (const m of ws.recMask)
        for (let i = m >> 2, e = i + B * H; i < e; i++) f[i] = this.#dropRng() < this.recurrentDropout ? 0 : keep;
    }

    const p = this.#params;
    for (const s of this.#slots) {
      const i = s.layer * D + s.dir;
      const input = s.layer === 0 ? ws.x0 : ws.y[s.layer - 1]!;
      k.seqForward(
        spec.cell,
        spec.flags,
        input,
        s.K,
        p + s.wih * 4,
        p + s.whh * 4,
        p + s.bih * 4,
        p + s.bhh * 4,
        s.extra >= 0 ? p + s.extra * 4 : 0,
        ws.h0 + i * B * H * 4,
        ws.c0 + i * B * U * 4,
        ws.cache[i]!,
        ws.scratch,
        ws.y[s.layer]! + s.dir * H * 4,
        DH,
        T,
        B,
        H,
        s.dir,
        lengthsPtr,
        ws.dropped ? ws.recMask[i]! : 0,
        ws.dropped ? ws.hMasked[i]! : 0,
      );
    }
    this.#hasForward = true;

    k.transpose3(ws.y[L - 1]!, T, B, DH, ws.xBF);
    f32 = this.#rt.arena.f32;
    const output = f32.slice(ws.xBF >> 2, (ws.xBF >> 2) + B * T * DH);
    const h = new Float32Array(S * B * H),
      c = spec.hasCell ? new Float32Array(S * B * H) : undefined;
    for (const s of this.#slots) {
      const i = s.layer * D + s.dir,
        tLast = s.dir === 0 ? T - 1 : 0;
      for (let b = 0; b < B; b++) {
        const yRow = (ws.y[s.layer]! >> 2) + (tLast * B + b) * DH + s.dir * H;
        h.set(f32.subarray(yRow, yRow + H), (i * B + b) * H);
        if (c) {
          const cRow = (ws.cache[i]! >> 2) + T * B * N + (tLast * B + b) * U; // cells follow the projections
          c.set(f32.subarray(cRow, cRow + H), (i * B + b) * H);
        }
      }
    }
    return c ? { output, h, c } : { output, h };
  }

  backward(dOutput: Float32Array, options: BackwardOptions = {}): RecurrentBackwardResult {
    this.#live();
    const ws = this.#ws;
    if (!this.#hasForward || !ws) {
      throw new LSTMError('NO_FORWARD', 'backward() needs the activations of a forward() call', {
        argument: 'dOutput',
        expected: 'a forward() call first',
        actual: 'no forward since creation',
      });
    }
    const I = this.inputSize,
      H = this.hiddenSize,
      D = this.directions,
      L = this.numLayers;
    const S = L * D,
      DH = D * H,
      B = ws.B,
      T = ws.T,
      U = this.#U,
      spec = this.#spec;
    checkFloat32(
      'dOutput',
      dOutput,
      B * T * DH,
      `[batch=${B}, steps=${T}, hidden·directions=${DH}] (the last forward's output shape)`,
    );
    if (options === null || typeof options !== 'object') {
      throw new LSTMError('INVALID_ARGUMENT', 'backward options must be an object', {
        argument: 'options',
        expected: '{ dh?, dc? }',
        actual: describe(options),
      });
    }
    const stateShape = `[numLayers·directions=${S}, batch=${B}, hidden=${H}]`;
    if (options.dh !== undefined) checkFloat32('dh', options.dh, S * B * H, stateShape);
    if (options.dc !== undefined) {
      if (!spec.hasCell)
        throw new LSTMError('INVALID_ARGUMENT', `${spec.kind} has no cell state`, {
          argument: 'dc',
          expected: 'no dc',
          actual: describe(options.dc),
        });
      checkFloat32('dc', options.dc, S * B * H, stateShape);
    }

    this.#backWorkspace(ws);
    const k = this.#rt.kernels;
    let f32 = this.#rt.arena.f32;
    f32.set(dOutput, ws.xBF >> 2);
    k.transpose3(ws.xBF, B, T, DH, ws.dA);
    if (options.dh) f32.set(options.dh, ws.dh >> 2);
    else f32.fill(0, ws.dh >> 2, (ws.dh >> 2) + S * B * H);
    this.#stagePadded(options.dc, ws.dc, S * B);

    const p = this.#params,
      g = this.#grads;
    let dTop = ws.dA,
      dIn = ws.dB;
    for (let layer = L - 1; layer >= 0; layer--) {
      const K = layer === 0 ? I : DH;
      f32 = this.#rt.arena.f32;
      f32.fill(0, dIn >> 2, (dIn >> 2) + T * B * K);
      for (let dir = 0; dir < D; dir++) {
        const i = layer * D + dir,
          s = this.#slots[i]!;
        const input = layer === 0 ? ws.x0 : ws.y[layer - 1]!;
        const norms = layer === L - 1 && dir === 0 && options.recordGradNorms ? ws.norms : 0;
        k.seqBackward(
          spec.cell,
          spec.flags,
          input,
          K,
          p + s.wih * 4,
          p + s.whh * 4,
          s.extra >= 0 ? p + s.extra * 4 : 0,
          ws.h0 + i * B * H * 4,
          ws.c0 + i * B * U * 4,
          ws.cache[i]!,
          ws.y[layer]! + dir * H * 4,
          DH,
          dTop + dir * H * 4,
          ws.dh + i * B * H * 4,
          ws.dc + i * B * U * 4,
          ws.work,
          dIn,
          g + s.wih * 4,
          g + s.whh * 4,
          g + s.bih * 4,
          g + s.bhh * 4,
          s.extra >= 0 ? g + s.extra * 4 : 0,
          T,
          B,
          H,
          dir,
          ws.masked ? ws.lengths : 0,
          ws.dropped ? ws.recMask[i]! : 0,
          ws.dropped ? ws.hMasked[i]! : 0,
          norms,
        );
        if (norms) this.#gradNorms = this.#rt.arena.f32.slice(norms >> 2, (norms >> 2) + T);
      }
      [dTop, dIn] = [dIn, dTop];
    }
    k.transpose3(dTop, T, B, I, ws.xBF);
    f32 = this.#rt.arena.f32;
    const dx = f32.slice(ws.xBF >> 2, (ws.xBF >> 2) + B * T * I);
    const dh0 = f32.slice(ws.dh >> 2, (ws.dh >> 2) + S * B * H);
    if (!spec.hasCell) return { dx, dh0 };
    const dc0 = new Float32Array(S * B * H);
    for (let r = 0; r < S * B; r++) dc0.set(f32.subarray((ws.dc >> 2) + r * U, (ws.dc >> 2) + r * U + H), r * H);
    return { dx, dh0, dc0 };
  }

  /** ‖∂L/∂h_t‖ for t = 0 … T−1 (mean over the batch; top layer, forward direction) from the last
   *  backward({ recordGradNorms: true }): how much gradient reaches each step. */
  gradNorms(): Float32Array {
    this.#live();
    if (!this.#gradNorms) {
      throw new LSTMError('NO_FORWARD', 'no gradient norms recorded', {
        argument: 'recordGradNorms',
        expected: 'backward(…, { recordGradNorms: true }) first',
        actual: 'none recorded',
      });
    }
    return this.#gradNorms.slice();
  }

  #checkLengths(lengths: ArrayLike<number>, B: number, T: number): Int32Array {
    if (!lengths || typeof lengths !== 'object' || (lengths as ArrayLike<number>).length !== B) {
      throw new LSTMError('SHAPE_MISMATCH', 'one length per sequence', {
        argument: 'lengths',
        expected: `${B} integers in [0, ${T}]`,
        actual: describe(lengths),
      });
    }
    const out = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const v = lengths[b]!;
      if (!Number.isInteger(v) || v < 0 || v > T) {
        throw new LSTMError('INVALID_ARGUMENT', 'length out of range', {
          argument: `lengths[${b}]`,
          expected: `an integer in [0, ${T}]`,
          actual: String(v),
        });
      }
      out[b] = v;
    }
    return out;
  }

  #inferSteps(x: Float32Array, B: number): number {
    const per = B * this.inputSize;
    if (x.length === 0 || x.length % per !== 0) {
      throw new LSTMError('SHAPE_MISMATCH', 'x length is not a whole number of steps', {
        argument: 'x',
        expected: `a multiple of batch·inputSize = ${per}`,
        actual: `length ${x.length}`,
      });
    }
    return x.length / per;
  }

  /** Copy rows of H floats from src (or zeros) into rows of U floats at dst. */
  #stagePadded(src: Float32Array | undefined, dst: number, rows: number): void {
    const H = this.hiddenSize,
      H4 = this.#U,
      f32 = this.#rt.arena.f32,
      at = dst >> 2;
    if (!src) {
      f32.fill(0, at, at + rows * H4);
      return;
    }
    if (H === H4) {
      f32.set(src, at);
      return;
    }
    for (let r = 0; r < rows; r++) {
      f32.set(src.subarray(r * H, r * H + H), at + r * H4);
      f32.fill(0, at + r * H4 + H, at + (r + 1) * H4);
    }
  }

  #workspace(B: number, T: number): Workspace {
    const old = this.#ws;
    if (old && old.B === B && old.T === T) return old;
    const I = this.inputSize,
      H = this.hiddenSize,
      D = this.directions,
      L = this.numLayers;
    const S = L * D,
      DH = D * H,
      U = this.#U,
      TB = T * B,
      k = this.#rt.kernels,
      cell = this.#spec.cell;
    const floats: number[] = [];
    const take = (n: number): number => {
      floats.push(n);
      return floats.length - 1;
    };
    const xBF = take(TB * Math.max(I, DH)),
      x0 = take(TB * I);
    const y = Array.from({ length: L }, () => take(TB * DH));
    const cache = Array.from({ length: S }, () => take(k.cacheFloats(cell, T, B, H)));
    const scratch = take(k.forwardScratchFloats(cell, B, H));
    const h0 = take(S * B * H),
      c0 = take(S * B * U),
      lengths = take(B);
    const drop = this.recurrentDropout > 0;
    const recMask = drop ? Array.from({ length: S }, () => take(B * H)) : [];
    const hMasked = drop ? Array.from({ length: S }, () => take(TB * H)) : [];
    const offsets = this.#layout(floats);
    const total = offsets.pop()!;
    // A new shape replaces the cache: the old one is freed first so memory is reused.
    if (old) this.#releaseWorkspace(old);
    this.#hasForward = false;
    const ptr = this.#rt.arena.alloc(total * 4, `activation cache for batch=${B}, steps=${T}`);
    this.#owned.ptrs.push(ptr);
    const at = (i: number): number => ptr + offsets[i]! * 4;
    const ws: Workspace = {
      B,
      T,
      ptr,
      xBF: at(xBF),
      x0: at(x0),
      y: y.map(at),
      cache: cache.map(at),
      scratch: at(scratch),
      h0: at(h0),
      c0: at(c0),
      lengths: at(lengths),
      masked: false,
      recMask: recMask.map(at),
      hMasked: hMasked.map(at),
      dropped: false,
      back: 0,
      dA: 0,
      dB: 0,
      dh: 0,
      dc: 0,
      work: 0,
      norms: 0,
    };
    this.#ws = ws;
    return ws;
  }

  #backWorkspace(ws: Workspace): void {
    if (ws.back) return;
    const I = this.inputSize,
      H = this.hiddenSize,
      D = this.directions,
      L = this.numLayers;
    const S = L * D,
      DH = D * H,
      U = this.#U,
      TB = ws.T * ws.B;
    const maxK = Math.max(I, DH);
    const sizes = [
      TB * maxK,
      TB * maxK,
      S * ws.B * H,
      S * ws.B * U,
      this.#rt.kernels.workFloats(this.#spec.cell, ws.T, ws.B, maxK, H),
      ws.T,
    ];
    const offsets = this.#layout(sizes);
    const total = offsets.pop()!;
    const ptr = this.#rt.arena.alloc(total * 4, `gradient workspace for batch=${ws.B}, steps=${ws.T}`);
    this.#owned.ptrs.push(ptr);
    const at = (i: number): number => ptr + offsets[i]! * 4;
    Object.assign(ws, { back: ptr, dA: at(0), dB: at(1), dh: at(2), dc: at(3), work: at(4), norms: at(5) });
  }

  /** Offsets (in floats, each rounded to 16 floats = 64 bytes) of consecutive regions, plus the total. */
  #layout(sizes: number[]): number[] {
    const out: number[] = [];
    let at = 0;
    for (const n of sizes) {
      out.push(at);
      at += Math.ceil(n / 16) * 16;
      if (at > MAX_ROWS) {
        throw new LSTMError('OUT_OF_MEMORY', 'the activation cache would not fit in wasm memory', {
          argument: 'batch·steps',
          expected: `at most ${MAX_ROWS * 4} bytes`,
          actual: `more than ${at * 4} bytes`,
        });
      }
    }
    out.push(at);
    return out;
  }

  #releaseWorkspace(ws: Workspace): void {
    for (const p of [ws.ptr, ws.back]) {
      if (!p) continue;
      this.#rt.arena.free(p);
      const i = this.#owned.ptrs.indexOf(p);
      if (i >= 0) this.#owned.ptrs.splice(i, 1);
    }
    this.#ws = null;
  }

  // ---------------------------------------------------------------------------------------
  // As a layer of a Sequential model: tensors in, tensors out

  config(): Record<string, unknown> {
    return {
      inputSize: this.inputSize,
      hiddenSize: this.hiddenSize,
      numLayers: this.numLayers,
      bidirectional: this.bidirectional,
      seed: this.#seed,
      returnSequences: this.returnSequences,
      stateful: this.stateful,
      recurrentDropout: this.recurrentDropout,
      ...(this.#forgetBias !== undefined ? { forgetBias: this.#forgetBias } : {}),
    };
  }

  forwardTensor(x: Tensor, ctx: ForwardContext = { training: false }): Tensor {
    this.#live();
    const shape = x?.shape;
    if (!Array.isArray(shape) || shape.length !== 3 || shape[2] !== this.inputSize) {
      throw new LSTMError('SHAPE_MISMATCH', `${this.#spec.kind} input must be [batch, steps, inputSize]`, {
        argument: 'x',
        expected: `[batch, steps, ${this.inputSize}]`,
        actual: Array.isArray(shape) ? shapeString(shape) : describe(x),
      });
    }
    const [B, T] = shape as [number, number, number];
    const carried = this.#carry && this.#carried?.B === B ? this.#carried : null;
    const { output, h, c } = this.forward(x.data, {
      batch: B,
      steps: T,
      training: ctx.training,
      ...(ctx.lengths ? { lengths: ctx.lengths } : {}),
      ...(carried ? { h0: carried.h, c0: carried.c } : {}),
    });
    if (this.#carry) this.#carried = { B, h, c };
    const D = this.directions,
      H = this.hiddenSize,
      DH = D * H;
    if (this.returnSequences) return { data: output, shape: [B, T, DH] };
    // Final hidden state of the top layer: forward h_T, and for bidirectional also reverse h_1.
    const last = new Float32Array(B * DH),
      top = (this.numLayers - 1) * D;
    for (let d = 0; d < D; d++) {
      for (let b = 0; b < B; b++)
        last.set(h.subarray(((top + d) * B + b) * H, ((top + d) * B + b + 1) * H), b * DH + d * H);
    }
    return { data: last, shape: [B, DH] };
  }

  /** Forget the state a stateful layer carries between calls. */
  resetStates(): void {
    this.#carried = null;
  }

  /** @internal Truncated BPTT: carry state between windows (detached: no gradient flows back). */
  _setCarry(on: boolean): void {
    this.#carry = on || this.stateful;
    this.#carried = null;
  }

  backwardTensor(dy: Tensor): Tensor {
    this.#live();
    const ws = this.#ws;
    if (!ws || !this.#hasForward) return this.backward(dy?.data) as never; // throws NO_FORWARD
    const B = ws.B,
      T = ws.T,
      D = this.directions,
      H = this.hiddenSize,
      DH = D * H,
      S = this.numLayers * D;
    let result: RecurrentBackwardResult;
    if (this.returnSequences) result = this.backward(dy.data);
    else {
      checkFloat32('dy', dy?.data, B * DH, `[batch=${B}, hidden·directions=${DH}]`);
      const dh = new Float32Array(S * B * H),
        top = (this.numLayers - 1) * D;
      for (let d = 0; d < D; d++) {
        for (let b = 0; b < B; b++)
          dh.set(dy.data.subarray(b * DH + d * H, b * DH + d * H + H), ((top + d) * B + b) * H);
      }
      result = this.backward(new Float32Array(B * T * DH), { dh });
    }
    return { data: result.dx, shape: [B, T, this.inputSize] };
  }

  // ---------------------------------------------------------------------------------------
  // Streaming: one time step per call

  createState(batch = 1, initial: { h0?: Float32Array; c0?: Float32Array } = {}): LSTMState {
    this.#live();
    if (this.bidirectional) {
      throw new LSTMError(
        'INVALID_ARGUMENT',
        'step() runs forward in time; a bidirectional layer needs the whole sequence',
        { argument: 'bidirectional', expected: 'false for streaming', actual: 'true' },
      );
    }
    const B = checkSize('batch', batch, 1 << 20);
    const state = new StateImpl(
      this,
      this.#rt,
      this.#spec,
      this.#params,
      this.#slots,
      B,
      this.inputSize,
      this.hiddenSize,
    );
    this.#owned.ptrs.push(state.ptr);
    this.#states.add(state);
    state.reset(initial.h0, initial.c0);
    return state;
  }

  /** One time step: xt [batch, inputSize]; returns state.output, the top layer's h_t [batch, hidden]. */
  step(xt: Float32Array, state: LSTMState): Float32Array {
    this.#live();
    if (!(state instanceof StateImpl) || !this.#states.has(state)) {
      throw new LSTMError('INVALID_ARGUMENT', 'not a live state of this layer', {
        argument: 'state',
        expected: "the result of this layer's createState()",
        actual: describe(state),
      });
    }
    return state.step(xt);
  }

  /** @internal */
  _releaseState(state: StateImpl): void {
    if (!this.#states.delete(state)) return;
    this.#rt.arena.free(state.ptr);
    const i = this.#owned.ptrs.indexOf(state.ptr);
    if (i >= 0) this.#owned.ptrs.splice(i, 1);
  }

  // ---------------------------------------------------------------------------------------

  /** Frees the layer's wasm memory. Any later call throws DISPOSED. Safe to call twice. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const s of this.#states) s._markDisposed();
    this.#states.clear();
    for (const p of this.#owned.ptrs) this.#rt.arena.free(p);
    this.#owned.ptrs.length = 0;
    this.#ws = null;
    registry.unregister(this);
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  #live(): void {
    if (this.#disposed) {
      throw new LSTMError('DISPOSED', `this ${this.#spec.kind} was disposed`, {
        argument: 'this',
        expected: 'a live layer',
        actual: 'disposed',
      });
    }
  }

  /** @internal The packed parameter and gradient blocks, for optimizers. */
  _blocks(): ParameterBlock {
    this.#live();
    return { runtime: this.#rt, params: this.#params, grads: this.#grads, floats: this.#paramFloats };
  }
}

class StateImpl implements LSTMState {
  readonly batch: number;
  readonly output: Float32Array;
  readonly ptr: number;
  readonly #layer: Recurrent;
  readonly #cell: number;
  readonly #U: number;
  readonly #rt: Runtime;
  readonly #L: number;
  readonly #I: number;
  readonly #H: number;
  readonly #desc: number;
  readonly #x: number;
  readonly #h: number;
  readonly #c: number;
  readonly #scratch: number;
  readonly #hasCell: boolean;
  #disposed = false;
  #xView: Float32Array | null = null;
  #hView: Float32Array | null = null;

  constructor(
    layer: Recurrent,
    rt: Runtime,
    spec: CellSpec,
    params: number,
    slots: Slot[],
    B: number,
    I: number,
    H: number,
  ) {
    this.#layer = layer;
    this.#rt = rt;
    this.batch = B;
    const L = slots.length,
      k = rt.kernels,
      H4 = k.cellUnits(spec.cell, H);
    this.#L = L;
    this.#I = I;
    this.#H = H;
    this.#cell = spec.cell;
    this.#U = H4;
    this.#hasCell = spec.hasCell;
    const r16 = (n: number): number => Math.ceil(n / 16) * 16;
    const floats = [12 * L, B * I, L * B * H, L * B * H4, k.stepScratchFloats(spec.cell, B, H)].map(r16);
    this.ptr = rt.arena.alloc(floats.reduce((a, b) => a + b, 0) * 4, `stream state for batch=${B}`);
    let at = this.ptr;
    const next = (n: number): number => {
      const p = at;
      at += n * 4;
      return p;
    };
    this.#desc = next(floats[0]!);
    this.#x = next(floats[1]!);
    this.#h = next(floats[2]!);
    this.#c = next(floats[3]!);
    this.#scratch = next(floats[4]!);
    this.output = new Float32Array(B * H);
    const i32 = rt.arena.i32;
    for (let l = 0; l < L; l++) {
      const s = slots[l]!,
        d = (this.#desc >> 2) + l * 12;
      i32[d] = l === 0 ? this.#x : this.#h + (l - 1) * B * H * 4;
      i32[d + 1] = s.K;
      i32[d + 2] = params + s.wih * 4;
      i32[d + 3] = params + s.whh * 4;
      i32[d + 4] = params + s.bih * 4;
      i32[d + 5] = params + s.bhh * 4;
      i32[d + 6] = s.extra >= 0 ? params + s.extra * 4 : 0;
      i32[d + 7] = this.#h + l * B * H * 4;
      i32[d + 8] = this.#c + l * B * H4 * 4;
      i32[d + 9] = spec.flags;
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
      this.#xView = new Float32Array(buffer, this.#x, B * I);
      this.#hView = new Float32Array(buffer, this.#h + (this.#L - 1) * B * H * 4, B * H);
    }
    this.#xView.set(xt);
    this.#rt.kernels.seqStep(this.#cell, this.#desc, this.#L, this.#scratch, B, H);
    this.output.set(this.#hView!);
    return this.output;
  }

  get h(): Float32Array {
    this.#live();
    const n = this.#L * this.batch * this.#H;
    return this.#rt.arena.f32.slice(this.#h >> 2, (this.#h >> 2) + n);
  }

  get c(): Float32Array {
    this.#live();
    if (!this.#hasCell) return new Float32Array(0);
    const H = this.#H,
      H4 = this.#U,
      rows = this.#L * this.batch,
      f32 = this.#rt.arena.f32;
    const out = new Float32Array(rows * H);
    for (let r = 0; r < rows; r++) out.set(f32.subarray((this.#c >> 2) + r * H4, (this.#c >> 2) + r * H4 + H), r * H);
    return out;
  }

  reset(h0?: Float32Array, c0?: Float32Array): void {
    this.#live();
    const B = this.batch,
      H = this.#H,
      H4 = this.#U,
      L = this.#L;
    const shape = `[numLayers=${L}, batch=${B}, hidden=${H}]`;
    if (h0 !== undefined) checkFloat32('h0', h0, L * B * H, shape);
    if (c0 !== undefined) checkFloat32('c0', c0, L * B * H, shape);
    const f32 = this.#rt.arena.f32,
      h = this.#h >> 2,
      c = this.#c >> 2;
    if (h0) f32.set(h0, h);
    else f32.fill(0, h, h + L * B * H);
    f32.fill(0, c, c + L * B * H4);
    if (c0) for (let r = 0; r < L * B; r++) f32.set(c0.subarray(r * H, r * H + H), c + r * H4);
    this.output.set(f32.subarray(h + (L - 1) * B * H, h + L * B * H));
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#layer._releaseState(this);
  }

  _markDisposed(): void {
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
