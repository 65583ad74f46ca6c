// The ONNX messages we read (ModelProto and what it contains, field numbers from onnx.proto) as
// plain objects. Tensor payloads stay as byte views of the file until tensorFromProto() has
// checked their size against the declared shape. Subgraph attributes (If, Loop, Scan) are
// recorded as present but not decoded: no operator we run takes one.
import { ProtoReader, WIRE_BYTES, WIRE_VARINT, WIRE_FIXED32, invalid } from './protobuf.js';

export interface TensorProtoInfo {
  path: string;
  name: string;
  dataType: number;
  dims: number[];
  raw: Uint8Array | null;
  /** Packed runs of the typed data fields (float_data 4, int32_data 5, int64_data 7,
   *  double_data 10, uint64_data 11), and values that came unpacked. */
  packed: { field: number; bytes: Uint8Array }[];
  unpacked: number[];
  external: boolean;
  strings: number;
}

export interface AttributeInfo {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: string;
  t?: TensorProtoInfo;
  floats: number[];
  ints: number[];
  strings: string[];
  /** A subgraph (or list of them) was given: only control-flow ops take one. */
  graph: boolean;
}

export interface NodeInfo {
  index: number;
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, AttributeInfo>;
}

export interface ValueInfo {
  name: string;
  /** TensorProto.DataType of a tensor value, 0 when not a tensor or unknown. */
  elemType: number;
  /** Dimensions: a number (dim_value), a string (dim_param) or null (unknown); null = no shape. */
  shape: (number | string | null)[] | null;
}

export interface GraphInfo {
  name: string;
  nodes: NodeInfo[];
  initializers: TensorProtoInfo[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

export interface ModelInfo {
  irVersion: number;
  producer: string;
  /** domain ('' for the default ai.onnx) -> opset version */
  opsets: Map<string, number>;
  graph: GraphInfo;
}

export function readModel(bytes: Uint8Array): ModelInfo {
  const r = new ProtoReader(bytes, 'model');
  let irVersion = 0,
    producer = '',
    graph: GraphInfo | null = null;
  const opsets = new Map<string, number>();
  while (r.more()) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WIRE_VARINT) irVersion = r.varint();
    else if (field === 2 && wire === WIRE_BYTES) producer = r.string();
    else if (field === 7 && wire === WIRE_BYTES) graph = readGraph(r.message('model.graph'));
    else if (field === 8 && wire === WIRE_BYTES) {
      const m = r.message(`model.opset_import[${opsets.size}]`);
      let domain = '',
        version = 0;
      while (m.more()) {
        const [f, w] = m.tag();
        if (f === 1 && w === WIRE_BYTES) domain = m.string();
        else if (f === 2 && w === WIRE_VARINT) version = m.varint();
        else m.skip(w);
      }
      opsets.set(domain === 'ai.onnx' ? '' : domain, version);
    } else r.skip(wire);
  }
  if (!graph)
    throw invalid('model.graph', 'the file has no graph (is it an ONNX model?)', 'a ModelProto with a graph', 'none');
  if (irVersion < 1)
    throw invalid('model.ir_version', 'missing IR version (is it an ONNX model?)', 'ir_version ≥ 1', String(irVersion));
  return { irVersion, producer, opsets, graph };
}

function readGraph(r: ProtoReader): GraphInfo {
  const g: GraphInfo = { name: '', nodes: [], initializers: [], inputs: [], outputs: [] };
  while (r.more()) {
    const [field, wire] = r.tag();
    if (wire !== WIRE_BYTES) {
      r.skip(wire);
      continue;
    }
    if (field === 1) g.nodes.push(readNode(r.message(`graph.node[${g.nodes.length}]`), g.nodes.length));
    else if (field === 2) g.name = r.string();
    else if (field === 5) g.initializers.push(readTensor(r.message(`graph.initializer[${g.initializers.length}]`)));
    else if (field === 11) g.inputs.push(readValueInfo(r.message(`graph.input[${g.inputs.length}]`)));
    else if (field === 12) g.outputs.push(readValueInfo(r.message(`graph.output[${g.outputs.length}]`)));
    else if (field === 15)
      throw invalid(
        'graph.sparse_initializer',
        'sparse initializers are not supported',
        'dense initializers',
        'a sparse one',
      );
    else r.skip(wire);
  }
  return g;
}

function readNode(r: ProtoReader, index: number): NodeInfo {
  const n: NodeInfo = { index, name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: new Map() };
  while (r.more()) {
    const [field, wire] = r.tag();
    if (wire !== WIRE_BYTES) {
      r.skip(wire);
      continue;
    }
    if (field === 1) n.inputs.push(r.string());
    else if (field === 2) n.outputs.push(r.string());
    else if (field === 3) n.name = r.string();
    else if (field === 4) n.opType = r.string();
    else if (field === 7) n.domain = r.string();
    else if (field === 5) {
      const a = readAttribute(r.message(`${r.path}.attribute[${n.attributes.size}]`));
      n.attributes.set(a.name, a);
    } else r.skip(wire);
  }
  if (!n.opType) throw invalid(r.path, 'node without an op_type', 'an operator name', 'none');
  if (n.domain === 'ai.onnx') n.domain = '';
  return n;
}

function readAttribute(r: ProtoReader): AttributeInfo {
  const a: AttributeInfo = { name: '', type: 0, floats: [], ints: [], strings: [], graph: false };
  while (r.more()) {
    const [field, wire] = r.tag();
    switch (field) {
      case 1:
        r.expect(wire, WIRE_BYTES, 'name');
        a.name = r.string();
        break;
      case 20:
        r.expect(wire, WIRE_VARINT, 'type');
        a.type = r.varint();
        break;
      case 2:
        r.expect(wire, WIRE_FIXED32, 'f');
        a.f = r.fixed32Float();
        break;
      case 3:
        r.expect(wire, WIRE_VARINT, 'i');
        a.i = r.varint();
        break;
      case 4:
        r.expect(wire, WIRE_BYTES, 's');
        a.s = r.string();
        break;
      case 5:
        r.expect(wire, WIRE_BYTES, 't');
        a.t = readTensor(r.message(`${r.path}.t`));
        break;
      case 7:
        r.floats(wire, a.floats, false);
        break;
      case 8:
        r.varints(wire, a.ints);
        break;
      case 9:
        r.expect(wire, WIRE_BYTES, 'strings');
        a.strings.push(r.string());
        break;
      case 6:
      case 11:
        a.graph = true;
        r.skip(wire);
        break;
      default:
        r.skip(wire);
    }
  }
  if (!a.name) throw invalid(r.path, 'attribute without a name', 'a name', 'none');
  return a;
}

export function readTensor(r: ProtoReader): TensorProtoInfo {
  const t: TensorProtoInfo = {
    path: r.path,
    name: '',
    dataType: 0,
    dims: [],
    raw: null,
    packed: [],
    unpacked: [],
    external: false,
    strings: 0,
  };
  while (r.more()) {
    const [field, wire] = r.tag();
    if (field === 1) r.varints(wire, t.dims);
    else if (field === 2 && wire === WIRE_VARINT) t.dataType = r.varint();
    else if (field === 8 && wire === WIRE_BYTES) t.name = r.string();
    else if (field === 9 && wire === WIRE_BYTES) t.raw = r.bytes();
    else if (field === 14 && wire === WIRE_VARINT) t.external = r.varint() === 1;
    else if (field === 6 && wire === WIRE_BYTES) {
      t.strings++;
      r.skip(wire);
    } else if (field === 4 || field === 5 || field === 7 || field === 10 || field === 11) {
      if (wire === WIRE_BYTES) t.packed.push({ field, bytes: r.bytes() });
      else if (field === 4) r.floats(wire, t.unpacked, false);
      else if (field === 10) r.floats(wire, t.unpacked, true);
      else r.varints(wire, t.unpacked);
    } else r.skip(wire);
  }
  return t;
}

function readValueInfo(r: ProtoReader): ValueInfo {
  const v: ValueInfo = { name: '', elemType: 0, shape: null };
  while (r.more()) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WIRE_BYTES) v.name = r.string();
    else if (field === 2 && wire === WIRE_BYTES) {
      const type = r.message(`${r.path}.type`);
      while (type.more()) {
        const [f, w] = type.tag();
        if (f !== 1 || w !== WIRE_BYTES) {
          type.skip(w);
          continue;
        }
        const tensor = type.message(`${r.path}.type.tensor_type`);
        while (tensor.more()) {
          const [tf, tw] = tensor.tag();
          if (tf === 1 && tw === WIRE_VARINT) v.elemType = tensor.varint();
          else if (tf === 2 && tw === WIRE_BYTES) v.shape = readShape(tensor.message(`${r.path}.type.shape`));
          else tensor.skip(tw);
        }
      }
    } else r.skip(wire);
  }
  return v;
}

function readShape(r: ProtoReader): (number | string | null)[] {
  const dims: (number | string | null)[] = [];
  while (r.more()) {
    const [field, wire] = r.tag();
    if (field !== 1 || wire !== WIRE_BYTES) {
      r.skip(wire);
      continue;
    }
    const d = r.message(`${r.path}.dim[${dims.length}]`);
    let dim: number | string | null = null;
    while (d.more()) {
      const [f, w] = d.tag();
      if (f === 1 && w === WIRE_VARINT) dim = d.varint();
      else if (f === 2 && w === WIRE_BYTES) dim = d.string();
      else d.skip(w);
    }
    dims.push(dim);
  }
  return dims;
}
