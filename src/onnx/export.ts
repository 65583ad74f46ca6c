// ONNX export of a Sequential model or a bare recurrent layer, through the layers' public API
// (config() and stateDict() in PyTorch's layout). The graph onnxruntime runs:
//
//   input [batch, steps, features] (float32; int64 token ids [batch, steps] before an Embedding)
//   Embedding  -> Gather(weight, ids)
//   LSTM/GRU/SimpleRNN (numLayers k, directions D)
//              -> Transpose to time-major, k × (LSTM|GRU|RNN -> Transpose + Reshape [T, B, D·H]);
//                 returnSequences: back to [B, T, D·H]; else Y_h -> [B, D·H] (as forwardTensor)
//   Dense      -> Gemm (2-D input) or MatMul + Add (3-D), then Relu | Sigmoid | Tanh | Softmax
//   Dropout    -> nothing (inference)
//   output     the last layer's output
//
// Batch and steps are dynamic dimensions ("batch", "steps"). Gate order conversion is the inverse
// of the importer's (ours i, f, g, o -> ONNX i, o, f, c; r, z, n -> z, r, h; peepholes i, f, o ->
// i, o, f). The coupled input-forget LSTM (ours: i = 1 − f) is written as a plain LSTM whose
// input-gate weights are −(forget-gate weights): σ(−z) = 1 − σ(z) exactly, so no coupling
// attribute is needed (ONNX's input_forget couples the other way: f = 1 − i in onnxruntime).
import { LSTMError, type Layer, type OnnxExportOptions, type Sequential, type StateDict } from '../index.js';
import { ProtoWriter } from './protobuf.js';
import { FLOAT, INT32, INT64 } from './tensor.js';

const IR_FOR_OPSET = [4, 5, 6, 7, 7, 7, 8, 8, 8, 8, 9, 9, 10]; // opsets 9..21
export type Dim = number | string;
export type Attr = number | string | number[] | string[] | { float: number } | { floats: number[] };

/** @internal Builds a graph's nodes and initializers (also used by the tests to write ONNX files). */
export class GraphBuilder {
  readonly nodes: ProtoWriter[] = [];
  readonly inits: ProtoWriter[] = [];
  #count = 0;

  name(base: string): string {
    return `${base}_${this.#count++}`;
  }

  init(base: string, dims: number[], data: ArrayLike<number>, type = FLOAT): string {
    const name = this.name(base),
      t = new ProtoWriter().packedVarints(1, dims).varint(2, type).string(8, name);
    const bytes = new Uint8Array(data.length * (type === INT64 ? 8 : 4)),
      v = new DataView(bytes.buffer);
    for (let i = 0; i < data.length; i++)
      if (type === FLOAT) v.setFloat32(i * 4, data[i]!, true);
      else if (type === INT32) v.setInt32(i * 4, data[i]!, true);
      else v.setBigInt64(i * 8, BigInt(data[i]!), true);
    this.inits.push(t.bytes(9, bytes));
    return name;
  }

  ints(values: number[]): string {
    return this.init('const', [values.length], values, INT64);
  }

  /** Adds a node; its outputs get fresh names, or the given ones. */
  node(op: string, inputs: string[], attrs: Record<string, Attr> = {}, outputs: number | string[] = 1): string[] {
    const outs =
      typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.name(op.toLowerCase())) : outputs;
    const n = new ProtoWriter();
    for (const i of inputs) n.string(1, i);
    for (const o of outs) n.string(2, o);
    n.string(3, outs[0]!).string(4, op);
    for (const [key, v] of Object.entries(attrs)) {
      const a = new ProtoWriter().string(1, key);
      if (typeof v === 'string') a.varint(20, 3).string(4, v);
      else if (typeof v === 'number') a.varint(20, 2).varint(3, v);
      else if ('float' in v) a.varint(20, 1).float(2, v.float);
      else if (Array.isArray(v) && typeof v[0] === 'string') {
        a.varint(20, 8);
        for (const s of v as string[]) a.string(9, s);
      } else if (Array.isArray(v)) a.varint(20, 7).packedVarints(8, v as number[]);
      else a.varint(20, 6).packedFloats(7, (v as { floats: number[] }).floats);
      n.message(5, a);
    }
    this.nodes.push(n);
    return outs;
  }
}

/** @internal */
export function valueInfo(name: string, type: number, dims?: Dim[]): ProtoWriter {
  const tensor = new ProtoWriter().varint(1, type);
  if (dims) {
    const shape = new ProtoWriter();
    for (const d of dims)
      shape.message(1, typeof d === 'number' ? new ProtoWriter().varint(1, d) : new ProtoWriter().string(2, d));
    tensor.message(2, shape);
  }
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensor));
}

function cannot(layer: string, why: string, expected: string, actual: string): LSTMError {
  return new LSTMError('UNSUPPORTED_OP', `${layer} cannot be written to ONNX: ${why}`, {
    argument: layer,
    expected,
    actual,
  });
}

interface RecurrentLike extends Layer {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  directions: number;
  returnSequences: boolean;
}

/** Gate blocks of H rows from ours (PyTorch order) to ONNX order. */
function onnxBlocks(kind: string, data: Float32Array, H: number, cols: number, coupled: boolean): Float32Array {
  const block = H * cols;
  const b = (k: number): Float32Array => data.subarray(k * block, (k + 1) * block);
  if (kind === 'GRU') return concat([b(1), b(0), b(2)]);
  if (kind !== 'LSTM') return data.slice();
  // coupled stores f, g, o; the input gate becomes −f
  return coupled ? concat([b(0).map((v) => -v), b(2), b(0), b(1)]) : concat([b(0), b(3), b(1), b(2)]);
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Writes one recurrent layer (all its stacked layers) reading time-major x [T, B, K]; returns
 *  each stacked layer's Y [T, D, B, H], Y_h, Y_c names. */
function recurrentNodes(g: GraphBuilder, layer: RecurrentLike, x: string, h0?: string, c0?: string) {
  const cfg = layer.config(),
    kind = layer.kind,
    label = `${kind} layer`;
  const H = layer.hiddenSize,
    D = layer.directions,
    L = layer.numLayers,
    dict: StateDict = layer.stateDict();
  const coupled = cfg.coupledInputForget === true,
    peephole = cfg.peephole === true;
  const attrs: Record<string, Attr> = { hidden_size: H };
  if (D === 2) attrs.direction = 'bidirectional';
  else if (cfg.goBackwards === true) attrs.direction = 'reverse';
  if (typeof cfg.cellClip === 'number') attrs.clip = { float: cfg.cellClip };
  const act = cfg.recurrentActivation as string | { name: string; alpha: number; beta: number } | undefined;
  const hard = act === 'hardSigmoid' ? { alpha: 0.2, beta: 0.5 } : typeof act === 'object' && act ? act : null;
  if (act !== undefined && act !== 'sigmoid' && !hard)
    throw cannot(label, 'unknown recurrentActivation', "'sigmoid' | 'hardSigmoid'", JSON.stringify(act));
  if (hard && coupled && hard.beta !== 0.5)
    throw cannot(
      label,
      'a coupled input-forget gate with a HardSigmoid whose beta is not 0.5 has no ONNX form',
      'beta 0.5',
      String(hard.beta),
    );
  if (kind === 'SimpleRNN') attrs.activations = Array<string>(D).fill(cfg.nonlinearity === 'relu' ? 'Relu' : 'Tanh');
  else if (hard) {
    attrs.activations = Array.from({ length: D }, () =>
      kind === 'LSTM' ? ['HardSigmoid', 'Tanh', 'Tanh'] : ['HardSigmoid', 'Tanh'],
    ).flat();
    attrs.activation_alpha = { floats: Array<number>(D).fill(hard.alpha) };
    attrs.activation_beta = { floats: Array<number>(D).fill(hard.beta) };
  }
  if (kind === 'GRU') attrs.linear_before_reset = cfg.resetAfter === false ? 0 : 1;
  const op = kind === 'SimpleRNN' ? 'RNN' : kind,
    G = op === 'LSTM' ? 4 : op === 'GRU' ? 3 : 1;
  const outs: string[][] = [];
  for (let l = 0; l < L; l++) {
    const K = l === 0 ? layer.inputSize : D * H,
      W = new Float32Array(D * G * H * K),
      R = new Float32Array(D * G * H * H),
      B = new Float32Array(D * 2 * G * H),
      P = new Float32Array(D * 3 * H);
    for (let d = 0; d < D; d++) {
      const sfx = `l${l}${d === 1 ? '_reverse' : ''}`;
      W.set(onnxBlocks(op, dict[`weight_ih_${sfx}`]!.data, H, K, coupled), d * G * H * K);
      R.set(onnxBlocks(op, dict[`weight_hh_${sfx}`]!.data, H, H, coupled), d * G * H * H);
      B.set(onnxBlocks(op, dict[`bias_ih_${sfx}`]!.data, H, 1, coupled), d * 2 * G * H);
      B.set(onnxBlocks(op, dict[`bias_hh_${sfx}`]!.data, H, 1, coupled), (d * 2 + 1) * G * H);
      if (peephole) {
        const p = dict[`weight_peephole_${sfx}`]!.data; // i, f, o
        const f = p.subarray(H, 2 * H);
        P.set(
          coupled ? concat([f.map((v) => -v), p.subarray(2 * H), f]) : concat([p.subarray(0, H), p.subarray(2 * H), f]),
          d * 3 * H,
        );
      }
    }
    const inputs = [
      x,
      g.init(`${op}_W`, [D, G * H, K], W),
      g.init(`${op}_R`, [D, G * H, H], R),
      g.init(`${op}_B`, [D, 2 * G * H], B),
    ];
    const pick = (s: string | undefined): string =>
      s ? g.node('Gather', [s, g.ints(Array.from({ length: D }, (_, d) => l * D + d))])[0]! : '';
    inputs.push('', pick(h0));
    if (op === 'LSTM') inputs.push(pick(c0), peephole ? g.init('LSTM_P', [D, 3 * H], P) : '');
    while (inputs.at(-1) === '') inputs.pop();
    const y = g.node(op, inputs, attrs, op === 'LSTM' ? 3 : 2);
    outs.push(y);
    // next layer's input: [T, D, B, H] -> [T, B, D·H]
    if (l < L - 1)
      x = g.node('Reshape', [g.node('Transpose', [y[0]!], { perm: [0, 2, 1, 3] })[0]!, g.ints([0, 0, -1])])[0]!;
  }
  return outs;
}

function isRecurrent(layer: Layer): layer is RecurrentLike {
  return layer.kind === 'LSTM' || layer.kind === 'GRU' || layer.kind === 'SimpleRNN';
}

/** @internal The ModelProto bytes of a built graph. */
export function finish(g: GraphBuilder, opset: number, inputs: ProtoWriter[], outputs: ProtoWriter[]): Uint8Array {
  const graph = new ProtoWriter();
  for (const n of g.nodes) graph.message(1, n);
  graph.string(2, 'wasm-lstm');
  for (const t of g.inits) graph.message(5, t);
  for (const i of inputs) graph.message(11, i);
  for (const o of outputs) graph.message(12, o);
  return new ProtoWriter()
    .varint(1, opset < 9 ? 3 : (IR_FOR_OPSET[opset - 9] ?? 10))
    .string(2, 'wasm-lstm')
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').varint(2, opset))
    .finish();
}

function checkOptions(options: OnnxExportOptions): number {
  if (options === null || typeof options !== 'object')
    throw new LSTMError('INVALID_ARGUMENT', 'options must be an object', {
      argument: 'options',
      expected: '{ opset? }',
      actual: typeof options,
    });
  const opset = options.opset ?? 17;
  if (!Number.isInteger(opset) || opset < 9 || opset > 21)
    throw new LSTMError('INVALID_ARGUMENT', 'unsupported opset', {
      argument: 'opset',
      expected: 'an integer in [9, 21]',
      actual: String(opset),
    });
  return opset;
}

/** A bare recurrent layer: inputs "input" [batch, steps, inputSize] (and "h0"/"c0" with
 *  initialState); outputs "output" [batch, steps, D·H], "h" (and "c") [numLayers·D, batch, H]. */
function layerToOnnx(layer: RecurrentLike, opset: number, initialState: boolean): Uint8Array {
  const g = new GraphBuilder(),
    H = layer.hiddenSize,
    S = layer.numLayers * layer.directions,
    lstm = layer.kind === 'LSTM';
  const x = g.node('Transpose', ['input'], { perm: [1, 0, 2] })[0]!;
  const outs = recurrentNodes(g, layer, x, initialState ? 'h0' : undefined, initialState && lstm ? 'c0' : undefined);
  const top = outs.at(-1)!;
  g.node('Reshape', [g.node('Transpose', [top[0]!], { perm: [2, 0, 1, 3] })[0]!, g.ints([0, 0, -1])], {}, ['output']);
  // final states of every stacked layer, [numLayers·D, batch, H]
  const states = (k: number, name: string): void => {
    if (outs.length === 1) g.node('Identity', [top[k]!], {}, [name]);
    else
      g.node(
        'Concat',
        outs.map((o) => o[k]!),
        { axis: 0 },
        [name],
      );
  };
  states(1, 'h');
  if (lstm) states(2, 'c');
  const inputs = [valueInfo('input', FLOAT, ['batch', 'steps', layer.inputSize])];
  if (initialState) for (const s of lstm ? ['h0', 'c0'] : ['h0']) inputs.push(valueInfo(s, FLOAT, [S, 'batch', H]));
  const outputs = [
    valueInfo('output', FLOAT, ['batch', 'steps', layer.directions * H]),
    valueInfo('h', FLOAT, [S, 'batch', H]),
  ];
  if (lstm) outputs.push(valueInfo('c', FLOAT, [S, 'batch', H]));
  return finish(g, opset, inputs, outputs);
}

/** The whole model: input "input", output "output" (see the file comment for shapes). */
function modelToOnnx(model: Sequential, opset: number): Uint8Array {
  const g = new GraphBuilder(),
    layers = model.layers.filter((l) => l.kind !== 'Dropout');
  const first = layers[0];
  if (!first) throw cannot('model', 'it has no layers besides Dropout', 'at least one layer', 'none');
  let x = 'input',
    dims: Dim[];
  let inputInfo: ProtoWriter;
  if (first.kind === 'Embedding') {
    dims = ['batch', 'steps'];
    inputInfo = valueInfo('input', INT64, dims);
  } else if (isRecurrent(first)) {
    dims = ['batch', 'steps', first.inputSize];
    inputInfo = valueInfo('input', FLOAT, dims);
  } else if (first.kind === 'Dense') {
    dims = ['batch', (first.config().inputSize as number) ?? 0];
    inputInfo = valueInfo('input', FLOAT, dims);
  } else
    throw cannot(
      `${first.kind} layer`,
      'this layer kind has no ONNX form',
      'LSTM, GRU, SimpleRNN, Dense, Embedding, Dropout',
      first.kind,
    );
  for (const [i, layer] of layers.entries()) {
    const label = `layers[${model.layers.indexOf(layer)}] (${layer.kind})`;
    if (layer.kind === 'Embedding') {
      if (i !== 0) throw cannot(label, 'an Embedding must come first', 'Embedding as the first layer', `position ${i}`);
      const w = layer.stateDict().weight!;
      x = g.node('Gather', [g.init('embedding', w.shape, w.data), x])[0]!;
      dims = [...dims, w.shape[1]!];
    } else if (isRecurrent(layer)) {
      if (dims.length !== 3)
        throw cannot(label, 'a recurrent layer needs [batch, steps, features]', 'a 3-D input', `${dims.length}-D`);
      const t = g.node('Transpose', [x], { perm: [1, 0, 2] })[0]!;
      const top = recurrentNodes(g, layer, t).at(-1)!,
        H = layer.hiddenSize,
        merge = (layer.config().mergeMode as string | undefined) ?? 'concat';
      // batch-first: Y [T, D, B, H] -> [B, T, D, H]; Y_h [D, B, H] -> [B, D, H]
      const seq = layer.returnSequences,
        both = g.node('Transpose', [seq ? top[0]! : top[1]!], { perm: seq ? [2, 0, 1, 3] : [1, 0, 2] })[0]!;
      dims = seq ? ['batch', 'steps'] : ['batch'];
      if (layer.directions === 2 && merge !== 'concat') {
        // Keras' merge_mode: the two directions combined element-wise
        const pick = (d: number): string =>
          g.node('Gather', [both, g.init('const', [], [d], INT64)], { axis: dims.length })[0]!;
        const fwd = pick(0),
          rev = pick(1);
        if (merge === 'sum') x = g.node('Add', [fwd, rev])[0]!;
        else if (merge === 'mul') x = g.node('Mul', [fwd, rev])[0]!;
        else if (merge === 'ave') x = g.node('Mul', [g.node('Add', [fwd, rev])[0]!, g.init('half', [], [0.5])])[0]!;
        else throw cannot(label, `mergeMode ${merge} has no ONNX form here`, 'concat, sum, mul, ave', merge);
        dims.push(H);
      } else {
        x = g.node('Reshape', [both, g.ints(seq ? [0, 0, -1] : [0, -1])])[0]!;
        dims.push(layer.directions * H);
      }
    } else if (layer.kind === 'Dense') {
      const { weight, bias } = layer.stateDict() as unknown as {
        weight: { data: Float32Array; shape: number[] };
        bias: { data: Float32Array };
      };
      const [N, K] = weight.shape as [number, number];
      if (dims.length === 2)
        x = g.node('Gemm', [x, g.init('dense_W', [N, K], weight.data), g.init('dense_b', [N], bias.data)], {
          transB: 1,
        })[0]!;
      else {
        const wT = new Float32Array(K * N);
        for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) wT[k * N + n] = weight.data[n * K + k]!;
        x = g.node('Add', [
          g.node('MatMul', [x, g.init('dense_W', [K, N], wT)])[0]!,
          g.init('dense_b', [N], bias.data),
        ])[0]!;
      }
      dims = [...dims.slice(0, -1), N];
      const act = layer.config().activation as string;
      const op = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', softmax: 'Softmax' }[act];
      if (op) x = g.node(op, [x], op === 'Softmax' ? { axis: dims.length - 1 } : {})[0]!;
      else if (act !== 'linear')
        throw cannot(label, `activation ${act} has no ONNX form here`, 'linear, relu, sigmoid, tanh, softmax', act);
    } else
      throw cannot(
        label,
        'this layer kind has no ONNX form',
        'LSTM, GRU, SimpleRNN, Dense, Embedding, Dropout',
        layer.kind,
      );
  }
  g.node('Identity', [x], {}, ['output']);
  return finish(g, opset, [inputInfo], [valueInfo('output', FLOAT, dims)]);
}

/**
 * ONNX bytes for a Sequential model or a bare LSTM / GRU / SimpleRNN, for onnxruntime: input "input"
 * `[batch, steps, features]` (int64 ids `[batch, steps]` before an Embedding), output "output"; batch and
 * steps dynamic. A bare layer also outputs "h" (and "c"), and takes "h0" / "c0" with `initialState`.
 * E.g. `toOnnx(model, { opset: 17 })`, or `model.toOnnx()` once this entry is imported.
 * @throws {@link wasm-lstm!LSTMError} `UNSUPPORTED_OP` for a layer or option ONNX cannot express (int8 weights,
 *   Masking, …); `INVALID_ARGUMENT` for an opset outside [9, 21] or a target that is not a model or a
 *   recurrent layer.
 */
export function toOnnx(target: Sequential | Layer, options: OnnxExportOptions = {}): Uint8Array {
  const opset = checkOptions(options);
  const int8 = (Array.isArray((target as Sequential)?.layers) ? (target as Sequential).layers : [target as Layer]).find(
    (l) => l?.inferenceOnly,
  );
  if (int8) {
    throw cannot(
      `${int8.kind} layer`,
      'it has int8 weights (quantize() output)',
      'f32 weights (export the model before quantize())',
      "weights: 'int8'",
    );
  }
  if (target && Array.isArray((target as Sequential).layers)) return modelToOnnx(target as Sequential, opset);
  if (target && isRecurrent(target as Layer))
    return layerToOnnx(target as RecurrentLike, opset, options.initialState === true);
  throw new LSTMError('INVALID_ARGUMENT', 'toOnnx() takes a Sequential model or a recurrent layer', {
    argument: 'target',
    expected: 'Sequential | LSTM | GRU | SimpleRNN',
    actual:
      target === null ? 'null' : typeof target === 'object' ? ((target as Layer).kind ?? 'object') : typeof target,
  });
}
