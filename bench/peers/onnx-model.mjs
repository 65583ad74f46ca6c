// A minimal ONNX writer: just enough protobuf to emit a ModelProto whose graph is one LSTM node
// with its weights as initializers, so onnxruntime can run the benchmark's LSTM without any
// Python/PyTorch export step. Field numbers are those of onnx/onnx.proto (proto2):
//
//   ModelProto          ir_version=1 (int64)  producer_name=2  graph=7  opset_import=8
//   OperatorSetIdProto  domain=1  version=2 (int64)
//   GraphProto          node=1  name=2  initializer=5  input=11  output=12
//   NodeProto           input=1  output=2  name=3  op_type=4  attribute=5
//   AttributeProto      name=1  i=3 (int64)  type=20 (AttributeType: INT=2)
//   TensorProto         dims=1 (int64, repeated)  data_type=2 (FLOAT=1)  name=8  raw_data=9 (little-endian)
//   ValueInfoProto      name=1  type=2
//   TypeProto           tensor_type=1 → TypeProto.Tensor elem_type=1  shape=2
//   TensorShapeProto    dim=1 → Dimension dim_value=1 (int64)
//
// Wire format: each field is a varint key (field << 3 | wire type) then a value; wire type 0 is a
// varint, 2 is length-delimited (strings, bytes, sub-messages). Repeated scalars are written
// unpacked (one key per element), which every protobuf parser accepts for proto2 fields.
import { reorderGates } from './common.mjs';

const VARINT = 0,
  LEN = 2;

function varintBytes(n) {
  // Non-negative integers below 2^53 (all we write): 7 bits per byte, low first, high bit = "more".
  const out = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

function concat(chunks) {
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

const key = (field, wire) => varintBytes(field * 8 + wire);
/** A varint field (int32/int64/enum). */
const int = (field, n) => Uint8Array.from([...key(field, VARINT), ...varintBytes(n)]);
/** A length-delimited field: raw bytes, a string, or an encoded sub-message (array of chunks). */
function len(field, value) {
  const body =
    typeof value === 'string' ? new TextEncoder().encode(value) : Array.isArray(value) ? concat(value) : value;
  return concat([Uint8Array.from([...key(field, LEN), ...varintBytes(body.length)]), body]);
}

// ---- ONNX messages ---------------------------------------------------------------------------

const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR_INT = 2; // AttributeProto.AttributeType.INT

/** TensorProto: a float32 initializer. */
function tensor(name, dims, data) {
  if (dims.reduce((a, b) => a * b, 1) !== data.length)
    throw new Error(`${name}: ${dims} does not hold ${data.length} floats`);
  const raw = new Uint8Array(data.length * 4);
  const view = new DataView(raw.buffer);
  for (const [i, v] of data.entries()) view.setFloat32(i * 4, v, true);
  return [...dims.map((d) => int(1, d)), int(2, FLOAT), len(8, name), len(9, raw)];
}

/** ValueInfoProto: a float32 graph input/output of fixed shape. */
function valueInfo(name, dims) {
  const shape = dims.map((d) => len(1, [int(1, d)])); // TensorShapeProto.dim → Dimension.dim_value
  const tensorType = [int(1, FLOAT), len(2, shape)]; // TypeProto.Tensor
  return [len(1, name), len(2, [len(1, tensorType)])]; // name, type.tensor_type
}

const intAttr = (name, v) => [len(1, name), int(3, v), int(20, ATTR_INT)];

/**
 * ONNX model (ir_version 8, opset 14) with one forward LSTM node, from a PyTorch-layout state dict.
 *
 * ONNX's LSTM is time-major (layout = 0): X [T, B, I] → Y [T, 1, B, H], Y_h / Y_c [1, B, H].
 * Its gate order is i, o, f, c while PyTorch's is i, f, g, o (g = c, the cell candidate), so the
 * gate blocks are reordered with PyTorch indices [0, 3, 1, 2]; W [1, 4H, I] and R [1, 4H, H] keep
 * PyTorch's row-major [4H, K] layout, and B [1, 8H] is concat(Wb, Rb) = concat(b_ih, b_hh), both reordered.
 *
 * withState = false: inputs X; outputs Y.
 * withState = true (streaming): inputs X, initial_h, initial_c; outputs Y_h, Y_c, to be fed back in.
 */
export function lstmModel({ I, H, B, T, weights, withState = false }) {
  const ONNX_ORDER = [0, 3, 1, 2];
  const W = reorderGates(weights.weight_ih_l0.data, H, I, ONNX_ORDER);
  const R = reorderGates(weights.weight_hh_l0.data, H, H, ONNX_ORDER);
  const bias = new Float32Array(8 * H);
  bias.set(reorderGates(weights.bias_ih_l0.data, H, 1, ONNX_ORDER), 0);
  bias.set(reorderGates(weights.bias_hh_l0.data, H, 1, ONNX_ORDER), 4 * H);

  // LSTM inputs by position: X, W, R, B, sequence_lens ('' = absent), initial_h, initial_c.
  const nodeInputs = withState ? ['X', 'W', 'R', 'B', '', 'initial_h', 'initial_c'] : ['X', 'W', 'R', 'B'];
  // Outputs by position: Y, Y_h, Y_c ('' = not wanted).
  const nodeOutputs = withState ? ['', 'Y_h', 'Y_c'] : ['Y'];
  const node = [
    ...nodeInputs.map((n) => len(1, n)),
    ...nodeOutputs.map((n) => len(2, n)),
    len(3, 'lstm'),
    len(4, 'LSTM'),
    len(5, intAttr('hidden_size', H)),
    len(5, intAttr('layout', 0)),
  ];
  const graphInputs = [valueInfo('X', [T, B, I])];
  if (withState) graphInputs.push(valueInfo('initial_h', [1, B, H]), valueInfo('initial_c', [1, B, H]));
  const graphOutputs = withState
    ? [valueInfo('Y_h', [1, B, H]), valueInfo('Y_c', [1, B, H])]
    : [valueInfo('Y', [T, 1, B, H])];
  const graph = [
    len(1, node),
    len(2, 'wasm_lstm_peer'),
    len(5, tensor('W', [1, 4 * H, I], W)),
    len(5, tensor('R', [1, 4 * H, H], R)),
    len(5, tensor('B', [1, 8 * H], bias)),
    ...graphInputs.map((v) => len(11, v)),
    ...graphOutputs.map((v) => len(12, v)),
  ];
  return concat([
    int(1, 8), // ir_version
    len(2, 'wasm-lstm bench/peers'), // producer_name
    len(7, graph),
    len(8, [len(1, ''), int(2, 14)]), // opset_import: default domain, opset 14
  ]);
}
