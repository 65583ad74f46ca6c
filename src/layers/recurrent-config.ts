// The options of every recurrent layer, validated once into a RecurrentConfig, and the CellSpec that
// tells the shared machinery which kernel cell a layer class runs.
import { FLAG_CLIP, FLAG_HARD_GATES } from '../../assembly/abi.js';
import { checkOptionKeys, checkSeed, checkSize, describe, LSTMError, checkBool } from '../errors.js';
import { checkWeightDtype, type WeightDtype } from './quantize.js';
import { TRAINABILITY_OPTION_KEYS, type TrainabilityOptions } from './trainability.js';

/** Which kernel cell (assembly/cells.ts) a layer runs, and how PyTorch's parameters map onto it. */
export interface CellSpec {
  kind: string;
  /** CELL_* (assembly/abi.ts) */
  cell: number;
  /** FLAG_PEEPHOLE / FLAG_CIFG (the recurrent options add FLAG_HARD_GATES / FLAG_CLIP) */
  flags: number;
  /** The kernel's gate slot of each stored (PyTorch-order) gate: LSTM i,f,g,o = 0..3, GRU r,z,n = 0..2. */
  storedGates: number[];
  /** LSTM-style cell state c (false for GRU and RNN). */
  hasCell: boolean;
  /** Extra per-direction parameter: ONNX-style peephole weights [3H] (i, f, o). */
  peephole: boolean;
  /** Index of the forget gate among the stored gates (for forgetBias), or -1. */
  forgetGate: number;
  /** Index of the gates among the stored gates that use the recurrent activation (σ or hard σ). */
  hasGates: boolean;
}

/**
 * The gate activation of an LSTM (gates i, f, o) or GRU (r, z): `'sigmoid'` (σ, PyTorch's), or the hard
 * sigmoid min(max(α·x + β, 0), 1): `'hardSigmoid'` alone is α = 0.2, β = 0.5 (tfjs and Keras 2); give
 * `{ name: 'hardSigmoid', alpha: 1 / 6, beta: 0.5 }` for Keras 3.
 */
export type RecurrentActivation =
  | 'sigmoid'
  | 'hardSigmoid'
  | {
      /** 'hardSigmoid'. */
      name: 'hardSigmoid';
      /** The slope α (finite). */
      alpha: number;
      /** The offset β (finite). */
      beta: number;
    };

/** How a bidirectional layer inside a {@link Sequential} combines its two directions (Keras'
 *  merge_mode): side by side (`'concat'`, `[…, 2·hidden]`), or element-wise sum, product or mean
 *  (`[…, hidden]`). */
export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';

/**
 * Options of every recurrent layer ({@link LSTM}, {@link GRU}, {@link SimpleRNN}): PyTorch's
 * constructor arguments plus Keras' layer options.
 */
export interface RecurrentOptions extends TrainabilityOptions {
  /** Features per time step (PyTorch's input_size); an integer in [1, 2^24]. */
  inputSize: number;
  /** Units of the hidden state (hidden_size); an integer in [1, 65536]. */
  hiddenSize: number;
  /** Stacked layers, each reading the previous one's output (num_layers). Default 1. */
  numLayers?: number;
  /** Run a second direction from the last step to the first; outputs hold both, forward first
   *  (`[…, 2·hidden]`). Default false. */
  bidirectional?: boolean;
  /** Seed of PyTorch's default init U(−1/√H, 1/√H) (and of recurrent dropout's masks); same seed, same
   *  weights. An integer in [0, 2^32 − 1]; default 1. */
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
   *  training (fit, or forward with { training: true }). A rate in [0, 1); default 0. */
  recurrentDropout?: number;
  /** The gate activation (LSTM i, f, o; GRU r, z): 'sigmoid' (default, PyTorch), 'hardSigmoid'
   *  (α = 0.2, β = 0.5: tfjs and Keras 2) or { name: 'hardSigmoid', alpha, beta } (Keras 3: α = 1/6). */
  recurrentActivation?: RecurrentActivation;
  /** A unidirectional layer that reads the sequence from its last step to its first (ONNX
   *  direction=reverse). Outputs stay aligned with the input steps: output[:, t] is the state after
   *  reading x[:, t]. Default false; not with `bidirectional`, and such a layer cannot stream (step()). */
  goBackwards?: boolean;
  /** Clamp every gate pre-activation to [−cellClip, cellClip] (ONNX's `clip`); a number > 0. Default:
   *  no clamp. */
  cellClip?: number;
  /** How a bidirectional layer in a Sequential model combines its two directions (Keras'
   *  merge_mode): 'concat' (default) [N, …, 2H], or 'sum' | 'mul' | 'ave' [N, …, H]. forward()
   *  always returns both directions side by side, as PyTorch does. */
  mergeMode?: MergeMode;
  /** The weights' dtype: 'f32' (default), or 'int8' for an inference-only layer (symmetric int8,
   *  one f32 scale per gate unit; what quantize() returns and model files record). */
  weights?: WeightDtype;
}

/** Options of {@link Recurrent.forward}. */
export interface ForwardOptions {
  /** Sequences in `x`. Default 1. */
  batch?: number;
  /** Time steps per sequence. Default: inferred, `x.length / (batch · inputSize)`. */
  steps?: number;
  /** Initial hidden state, `[numLayers·directions, batch, hidden]`; zeros when absent. */
  h0?: Float32Array;
  /** Initial cell state (LSTM only), `[numLayers·directions, batch, hidden]`; zeros when absent. */
  c0?: Float32Array;
  /** Per-sequence lengths [batch] (integers in [0, steps]): steps past a sequence's length are
   *  padding that neither updates its state nor receives gradient. Outputs at padded steps repeat
   *  the last real h; h/c are each sequence's state after its own last step. */
  lengths?: ArrayLike<number>;
  /** Apply recurrentDropout (if the layer has it). Default false. */
  training?: boolean;
}

/** What {@link LSTM.forward} returns (fresh arrays). */
export interface ForwardResult {
  /** The top layer's hidden state at every step, `[batch, steps, hidden·directions]` (both directions
   *  side by side, forward first, as PyTorch). */
  output: Float32Array;
  /** The final hidden state of every layer and direction, `[numLayers·directions, batch, hidden]`
   *  (PyTorch's h_n; with `lengths`, each sequence's state after its own last step). */
  h: Float32Array;
  /** The final cell state, `[numLayers·directions, batch, hidden]` (PyTorch's c_n). */
  c: Float32Array;
}

/** What {@link Recurrent.forward} returns: {@link ForwardResult}, with `c` only for cells that have a
 *  cell state (LSTM). */
export type RecurrentForwardResult = Omit<ForwardResult, 'c'> & {
  /** The final cell state (LSTM only), `[numLayers·directions, batch, hidden]`. */
  c?: Float32Array;
};

/** Options of {@link Recurrent.backward}. */
export interface BackwardOptions {
  /** ∂L/∂h_n, `[numLayers·directions, batch, hidden]`; zeros when absent. */
  dh?: Float32Array;
  /** ∂L/∂c_n (LSTM only), `[numLayers·directions, batch, hidden]`; zeros when absent. */
  dc?: Float32Array;
  /** Keep ‖∂L/∂h_t‖ per step (mean over the batch, top layer, forward direction) for gradNorms(). */
  recordGradNorms?: boolean;
}

/** What {@link LSTM.backward} returns (fresh arrays). */
export interface BackwardResult {
  /** ∂L/∂x, `[batch, steps, inputSize]`. */
  dx: Float32Array;
  /** ∂L/∂h0, `[numLayers·directions, batch, hidden]`. */
  dh0: Float32Array;
  /** ∂L/∂c0, `[numLayers·directions, batch, hidden]`. */
  dc0: Float32Array;
}

/** What {@link Recurrent.backward} returns: {@link BackwardResult}, with `dc0` only for cells that have
 *  a cell state (LSTM). */
export type RecurrentBackwardResult = Omit<BackwardResult, 'dc0'> & {
  /** ∂L/∂c0 (LSTM only), `[numLayers·directions, batch, hidden]`. */
  dc0?: Float32Array;
};

/** The initial state of {@link Recurrent.createState}, `[numLayers, batch, hidden]` each; zeros when
 *  absent. */
export interface InitialState {
  /** Initial hidden state of every layer. */
  h0?: Float32Array;
  /** Initial cell state of every layer (LSTM only). */
  c0?: Float32Array;
}

/** RecurrentOptions, validated, with every default filled in. */
export interface RecurrentConfig {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  directions: number;
  seed: number;
  returnSequences: boolean;
  forgetBias: number | undefined;
  stateful: boolean;
  recurrentDropout: number;
  /** FLAG_HARD_GATES with its α, β, or σ */
  hardGates: { alpha: number; beta: number } | null;
  goBackwards: boolean;
  cellClip: number | undefined;
  mergeMode: MergeMode;
  weights: WeightDtype;
  /** spec.flags plus the flags of the options */
  flags: number;
}

const MAX_FEATURES = 1 << 24;
const MAX_HIDDEN = 1 << 16;
const MAX_LAYERS = 1024;
const MERGE_MODES: MergeMode[] = ['concat', 'sum', 'mul', 'ave'];

function finite(argument: string, value: unknown, expected: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new LSTMError('INVALID_ARGUMENT', 'must be a finite number', { argument, expected, actual: describe(value) });
  }
  return value;
}

function hardGates(spec: CellSpec, value: unknown): { alpha: number; beta: number } | null {
  if (value === undefined || value === 'sigmoid') return null;
  if (!spec.hasGates) {
    throw new LSTMError('INVALID_ARGUMENT', `${spec.kind} has no gates`, {
      argument: 'recurrentActivation',
      expected: 'an LSTM or GRU',
      actual: spec.kind,
    });
  }
  if (value === 'hardSigmoid') return { alpha: 0.2, beta: 0.5 };
  const v = value as { name?: unknown; alpha?: unknown; beta?: unknown };
  if (v !== null && typeof v === 'object' && v.name === 'hardSigmoid') {
    return {
      alpha: finite('recurrentActivation.alpha', v.alpha, 'a number such as 0.2'),
      beta: finite('recurrentActivation.beta', v.beta, 'a number such as 0.5'),
    };
  }
  throw new LSTMError('INVALID_ARGUMENT', 'unknown recurrent activation', {
    argument: 'recurrentActivation',
    expected: "'sigmoid' | 'hardSigmoid' | { name: 'hardSigmoid', alpha, beta }",
    actual: describe(value),
  });
}

const RECURRENT_KEYS = [
  'inputSize',
  'hiddenSize',
  'numLayers',
  'bidirectional',
  'seed',
  'returnSequences',
  'forgetBias',
  'stateful',
  'recurrentDropout',
  'recurrentActivation',
  'goBackwards',
  'cellClip',
  'mergeMode',
  'weights',
  ...TRAINABILITY_OPTION_KEYS,
];

/** The options each recurrent kind's constructor takes; a model file's layer config holds the same keys. */
export const RECURRENT_OPTION_KEYS: Readonly<Record<'LSTM' | 'GRU' | 'SimpleRNN', readonly string[]>> = {
  LSTM: [...RECURRENT_KEYS, 'peephole', 'coupledInputForget'],
  GRU: [...RECURRENT_KEYS, 'resetAfter'],
  SimpleRNN: [...RECURRENT_KEYS, 'nonlinearity'],
};

export function recurrentConfig(options: RecurrentOptions, spec: CellSpec): RecurrentConfig {
  if (options === null || typeof options !== 'object') {
    throw new LSTMError('INVALID_ARGUMENT', `${spec.kind} options must be an object`, {
      argument: 'options',
      expected: '{ inputSize, hiddenSize, … }',
      actual: describe(options),
    });
  }
  checkOptionKeys(options, RECURRENT_OPTION_KEYS[spec.kind as keyof typeof RECURRENT_OPTION_KEYS] ?? RECURRENT_KEYS);
  const bidirectional = checkBool('bidirectional', options.bidirectional, false);
  const seed = checkSeed('seed', options.seed);
  const rd = options.recurrentDropout ?? 0;
  if (typeof rd !== 'number' || !(rd >= 0 && rd < 1)) {
    throw new LSTMError('INVALID_ARGUMENT', 'must be in [0, 1)', {
      argument: 'recurrentDropout',
      expected: 'a rate in [0, 1)',
      actual: describe(rd),
    });
  }
  let forgetBias: number | undefined;
  if (options.forgetBias !== undefined) {
    if (spec.forgetGate < 0) {
      throw new LSTMError('INVALID_ARGUMENT', `${spec.kind} has no forget gate`, {
        argument: 'forgetBias',
        expected: 'an LSTM',
        actual: spec.kind,
      });
    }
    forgetBias = finite('forgetBias', options.forgetBias, 'a number such as 1');
  }
  const goBackwards = checkBool('goBackwards', options.goBackwards, false);
  if (goBackwards && bidirectional) {
    throw new LSTMError('INVALID_ARGUMENT', 'a bidirectional layer already runs both ways', {
      argument: 'goBackwards',
      expected: 'false for a bidirectional layer',
      actual: 'true',
    });
  }
  let cellClip: number | undefined;
  if (options.cellClip !== undefined) {
    cellClip = finite('cellClip', options.cellClip, 'a number > 0');
    if (!(cellClip > 0)) {
      throw new LSTMError('INVALID_ARGUMENT', 'must be > 0', {
        argument: 'cellClip',
        expected: 'a number > 0',
        actual: describe(cellClip),
      });
    }
  }
  const mergeMode = options.mergeMode ?? 'concat';
  if (!MERGE_MODES.includes(mergeMode)) {
    throw new LSTMError('INVALID_ARGUMENT', 'unknown merge mode', {
      argument: 'mergeMode',
      expected: MERGE_MODES.map((m) => `'${m}'`).join(' | '),
      actual: describe(mergeMode),
    });
  }
  const hard = hardGates(spec, options.recurrentActivation);
  return {
    inputSize: checkSize('inputSize', options.inputSize, MAX_FEATURES),
    hiddenSize: checkSize('hiddenSize', options.hiddenSize, MAX_HIDDEN),
    numLayers: checkSize('numLayers', options.numLayers === undefined ? 1 : options.numLayers, MAX_LAYERS),
    bidirectional,
    directions: bidirectional ? 2 : 1,
    seed,
    returnSequences: checkBool('returnSequences', options.returnSequences, false),
    forgetBias,
    stateful: checkBool('stateful', options.stateful, false),
    recurrentDropout: rd,
    hardGates: hard,
    goBackwards,
    cellClip,
    mergeMode,
    weights: checkWeightDtype(options.weights),
    flags: spec.flags | (hard ? FLAG_HARD_GATES : 0) | (cellClip !== undefined ? FLAG_CLIP : 0),
  };
}

/** The constructor options that rebuild a layer with this config (defaults left out). */
export function configOptions(c: RecurrentConfig): Record<string, unknown> {
  return {
    inputSize: c.inputSize,
    hiddenSize: c.hiddenSize,
    numLayers: c.numLayers,
    bidirectional: c.bidirectional,
    seed: c.seed,
    returnSequences: c.returnSequences,
    stateful: c.stateful,
    recurrentDropout: c.recurrentDropout,
    ...(c.forgetBias !== undefined ? { forgetBias: c.forgetBias } : {}),
    ...(c.hardGates ? { recurrentActivation: { name: 'hardSigmoid', ...c.hardGates } } : {}),
    ...(c.goBackwards ? { goBackwards: true } : {}),
    ...(c.cellClip !== undefined ? { cellClip: c.cellClip } : {}),
    ...(c.mergeMode !== 'concat' ? { mergeMode: c.mergeMode } : {}),
    ...(c.weights !== 'f32' ? { weights: c.weights } : {}),
  };
}
