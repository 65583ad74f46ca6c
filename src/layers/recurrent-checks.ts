// Validation of what callers pass to a recurrent layer's forward and backward: every argument
// checked (with a typed error naming it) before anything is written.
import { checkFloat32, checkOptionKeys, checkSize, describe, LSTMError } from '../errors.js';
import type { BackwardOptions, CellSpec, ForwardOptions, RecurrentConfig } from './recurrent-config.js';

/** wasm32 memory holds at most 2^30 floats: no dimension can be larger. */
const MAX_ROWS = 2 ** 30;

/** Per-sequence lengths: B integers in [0, T]. The one validator for lengths everywhere. */
export function checkLengths(lengths: unknown, B: number, T: number): Int32Array {
  if (!lengths || typeof lengths !== 'object' || (lengths as ArrayLike<number>).length !== B) {
    throw new LSTMError('SHAPE_MISMATCH', 'one length per sequence', {
      argument: 'lengths',
      expected: `${B} integers in [0, ${T}]`,
      actual: describe(lengths),
    });
  }
  const out = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const v = (lengths as ArrayLike<unknown>)[b];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > T) {
      throw new LSTMError('INVALID_ARGUMENT', 'length out of range', {
        argument: `lengths[${b}]`,
        expected: `an integer in [0, ${T}]`,
        actual: describe(v),
      });
    }
    out[b] = v;
  }
  return out;
}

function checkState(
  name: string,
  spec: CellSpec,
  value: Float32Array | undefined,
  length: number,
  shape: string,
  cell: boolean,
): void {
  if (value === undefined) return;
  if (cell && !spec.hasCell) {
    throw new LSTMError('INVALID_ARGUMENT', `${spec.kind} has no cell state`, {
      argument: name,
      expected: `no ${name}`,
      actual: describe(value),
    });
  }
  checkFloat32(name, value, length, shape);
}

/** forward(x, options): the batch and step counts (steps inferred from x when absent) and lengths. */
const FORWARD_OPTION_KEYS: readonly string[] = ['batch', 'steps', 'h0', 'c0', 'lengths', 'training'];
const BACKWARD_OPTION_KEYS: readonly string[] = ['dh', 'dc', 'recordGradNorms'];

export function checkForwardArgs(
  c: RecurrentConfig,
  spec: CellSpec,
  x: unknown,
  options: ForwardOptions,
): {
  B: number;
  T: number;
  lengths: Int32Array | null;
} {
  const I = c.inputSize,
    H = c.hiddenSize,
    S = c.numLayers * c.directions;
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
  checkOptionKeys(options, FORWARD_OPTION_KEYS);
  const B = checkSize('batch', options.batch === undefined ? 1 : options.batch, MAX_ROWS);
  let T: number;
  if (options.steps !== undefined) T = checkSize('steps', options.steps, MAX_ROWS);
  else {
    const per = B * I;
    if (x.length === 0 || x.length % per !== 0) {
      throw new LSTMError('SHAPE_MISMATCH', 'x length is not a whole number of steps', {
        argument: 'x',
        expected: `a multiple of batch·inputSize = ${per}`,
        actual: `length ${x.length}`,
      });
    }
    T = x.length / per;
  }
  checkFloat32('x', x, B * T * I, `[batch=${B}, steps=${T}, inputSize=${I}]`);
  const shape = `[numLayers·directions=${S}, batch=${B}, hidden=${H}]`;
  checkState('h0', spec, options.h0, S * B * H, shape, false);
  checkState('c0', spec, options.c0, S * B * H, shape, true);
  return { B, T, lengths: options.lengths === undefined ? null : checkLengths(options.lengths, B, T) };
}

/** backward(dOutput, options) after a forward of (B, T). */
export function checkBackwardArgs(
  c: RecurrentConfig,
  spec: CellSpec,
  dOutput: unknown,
  options: BackwardOptions,
  B: number,
  T: number,
): void {
  const H = c.hiddenSize,
    S = c.numLayers * c.directions,
    DH = c.directions * H;
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
  checkOptionKeys(options, BACKWARD_OPTION_KEYS);
  const shape = `[numLayers·directions=${S}, batch=${B}, hidden=${H}]`;
  checkState('dh', spec, options.dh, S * B * H, shape, false);
  checkState('dc', spec, options.dc, S * B * H, shape, true);
}
