// What an operator implementation sees: its node (attributes), the model's opset, and a state
// object that lives as long as the session (the library layers a recurrent or matrix op runs on).
import { LSTMError } from '../index.js';
import type { AttributeInfo, NodeInfo } from './model.js';
import { type HostTensor, tensorFromProto, typeName, shapeText } from './tensor.js';

export interface OpState {
  /** Frees what the op holds (layers in wasm memory). */
  dispose?(): void;
  [key: string]: unknown;
}

export interface OpContext {
  node: NodeInfo;
  /** Version of the default (ai.onnx) opset the model imports. */
  opset: number;
  state: OpState;
}

/** Inputs in node order; undefined for an omitted optional input. */
export type OpInputs = (HostTensor | undefined)[];
export type OpRun = (inputs: OpInputs, ctx: OpContext) => (HostTensor | undefined)[];

export interface OpSpec {
  run: OpRun;
  /** Checks attributes once, when the session is created (before any input is seen). */
  check?(node: NodeInfo, opset: number): void;
  /** Builds what the op holds (its layer) from constant inputs, when the session is created;
   *  the data input is undefined then. */
  prepare?(inputs: OpInputs, ctx: OpContext): void;
}

export function nodeLabel(node: NodeInfo): string {
  return `${node.opType} node ${node.name ? JSON.stringify(node.name) : `#${node.index}`}`;
}

/** An attribute value or input the op cannot run: names the node. */
export function unsupported(node: NodeInfo, what: string, expected: string, actual: string): LSTMError {
  return new LSTMError('UNSUPPORTED_OP', what, {
    argument: nodeLabel(node),
    expected,
    actual,
  });
}

/** A node whose attributes or constant inputs contradict the ONNX spec. */
export function badNode(node: NodeInfo, what: string, expected: string, actual: string): LSTMError {
  return new LSTMError('ONNX_INVALID', what, { argument: nodeLabel(node), expected, actual });
}

/** A runtime value (from the caller's inputs) that the op cannot take. */
export function badValue(node: NodeInfo, what: string, expected: string, actual: string): LSTMError {
  return new LSTMError('INVALID_ARGUMENT', what, {
    argument: nodeLabel(node),
    expected,
    actual,
  });
}

function attr(node: NodeInfo, name: string): AttributeInfo | undefined {
  return node.attributes.get(name);
}

export function attrInt(node: NodeInfo, name: string, fallback: number): number {
  const a = attr(node, name);
  if (!a) return fallback;
  if (a.i === undefined) throw badNode(node, `attribute ${name} must be an int`, 'an INT attribute', describeAttr(a));
  return a.i;
}

export function attrFloat(node: NodeInfo, name: string, fallback: number): number {
  const a = attr(node, name);
  if (!a) return fallback;
  if (a.f === undefined) throw badNode(node, `attribute ${name} must be a float`, 'a FLOAT attribute', describeAttr(a));
  return a.f;
}

export function attrString(node: NodeInfo, name: string, fallback: string): string {
  const a = attr(node, name);
  if (!a) return fallback;
  if (a.s === undefined)
    throw badNode(node, `attribute ${name} must be a string`, 'a STRING attribute', describeAttr(a));
  return a.s;
}

export function attrInts(node: NodeInfo, name: string): number[] | undefined {
  const a = attr(node, name);
  if (!a) return undefined;
  // An empty INTS list has no values on the wire; the type field says which it is.
  if (a.ints.length === 0 && a.type !== 7 && a.i === undefined)
    throw badNode(node, `attribute ${name} must be a list of ints`, 'an INTS attribute', describeAttr(a));
  return a.ints.length ? a.ints : a.i !== undefined ? [a.i] : [];
}

export function attrFloats(node: NodeInfo, name: string): number[] | undefined {
  const a = attr(node, name);
  return a ? (a.floats.length ? a.floats : a.f !== undefined ? [a.f] : []) : undefined;
}

export function attrStrings(node: NodeInfo, name: string): string[] | undefined {
  const a = attr(node, name);
  return a ? (a.strings.length ? a.strings : a.s !== undefined ? [a.s] : []) : undefined;
}

export function attrTensor(node: NodeInfo, name: string): HostTensor | undefined {
  const a = attr(node, name);
  if (!a) return undefined;
  if (!a.t) throw badNode(node, `attribute ${name} must be a tensor`, 'a TENSOR attribute', describeAttr(a));
  return tensorFromProto(a.t, `${nodeLabel(node)}.${name}`);
}

function describeAttr(a: AttributeInfo): string {
  return a.t
    ? 'a tensor'
    : a.s !== undefined
      ? `string ${JSON.stringify(a.s)}`
      : a.i !== undefined
        ? `int ${a.i}`
        : a.f !== undefined
          ? `float ${a.f}`
          : `attribute type ${a.type}`;
}

/** Input `i`, which the op requires. */
export function need(inputs: OpInputs, i: number, ctx: OpContext, what: string): HostTensor {
  const t = inputs[i];
  if (!t) throw badNode(ctx.node, `input ${i} (${what}) is required`, `a tensor for ${what}`, 'none');
  return t;
}

/** An axis in [−rank, rank) normalised to [0, rank). */
export function axisOf(node: NodeInfo, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank)
    throw badNode(node, 'axis out of range', `an axis in [${-rank}, ${rank - 1}]`, String(axis));
  return axis < 0 ? axis + rank : axis;
}

export function requireFloat(node: NodeInfo, t: HostTensor, what: string): void {
  if (t.data instanceof Float64Array)
    throw unsupported(
      node,
      `${what} must be a floating-point tensor`,
      'float32 (or float16/float64)',
      typeName(t.type),
    );
}

export const describeShape = (t: HostTensor): string => `${typeName(t.type)} ${shapeText(t.shape)}`;
