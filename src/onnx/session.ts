// OnnxSession: onnxruntime-web's InferenceSession shape (create, inputNames, outputNames, run,
// dispose) over this library's layers. create() reads and checks the whole model: every operator
// supported, nodes in topological order, initializers consistent with their shapes; it folds
// the nodes whose inputs are all constant and builds the recurrent layers, so run() only
// executes what depends on the inputs.
import { LSTMError, Dense, init } from '../index.js';
import { readModel, type NodeInfo, type ValueInfo } from './model.js';
import { invalid } from './protobuf.js';
import { type OpSpec, type OpContext, type OpState, nodeLabel } from './op.js';
import { HOST_OPS } from './ops.js';
import { LAYER_OPS } from './layers.js';
import { INDEX_OPS } from './ops-index.js';
import { type HostTensor, tensorFromProto } from './tensor.js';
import {
  argumentError,
  describe,
  feedTensor,
  loadBytes,
  type OnnxFeed,
  type OnnxSource,
  type OnnxTensor,
  outputTensor,
} from './session-io.js';

export type { OnnxFeed, OnnxSource, OnnxTensor } from './session-io.js';

const OPS: Record<string, OpSpec> = { ...HOST_OPS, ...INDEX_OPS, ...LAYER_OPS };
/** The ai.onnx operators {@link OnnxSession} runs, sorted (LSTM, GRU, RNN, Gemm, MatMul, Gather, …). */
export const SUPPORTED_OPS: readonly string[] = Object.keys(OPS).sort();
/** Lowest ai.onnx opset whose semantics for the supported operators this executor implements (tested:
 *  9 to 17). */
export const MIN_OPSET = 7,
  /** Highest supported ai.onnx opset. */
  MAX_OPSET = 21;

interface Step {
  node: NodeInfo;
  spec: OpSpec;
  ctx: OpContext;
  /** Values whose last reader is this step (freed after it). */
  free: string[];
}

/**
 * An ONNX model ready to run, with onnxruntime-web's InferenceSession shape (create, inputNames,
 * outputNames, run, dispose). Recurrent nodes become this library's layers; everything that depends only
 * on constants is computed once at create().
 */
export class OnnxSession {
  /** Graph inputs the caller provides (initializers excluded), in graph order. */
  readonly inputNames: readonly string[];
  /** Graph outputs, in graph order: the keys of run()'s result. */
  readonly outputNames: readonly string[];
  /** The model's ai.onnx opset. */
  readonly opset: number;
  /** The model's producer (e.g. "pytorch"). */
  readonly producer: string;
  readonly #inputs: ValueInfo[];
  readonly #constants: Map<string, HostTensor>;
  readonly #steps: Step[];
  readonly #states: OpState[];
  #disposed = false;

  private constructor(
    inputs: ValueInfo[],
    outputs: string[],
    opset: number,
    producer: string,
    constants: Map<string, HostTensor>,
    steps: Step[],
    states: OpState[],
  ) {
    this.#inputs = inputs;
    this.inputNames = inputs.map((v) => v.name);
    this.outputNames = outputs;
    this.opset = opset;
    this.producer = producer;
    this.#constants = constants;
    this.#steps = steps;
    this.#states = states;
  }

  /**
   * Reads an ONNX model (bytes, a URL, or a file path under Node) and prepares it to run: every node is
   * checked before anything is built. Calls {@link init} first if no build is loaded.
   *
   * @example
   * ```ts
   * // Python: torch.onnx.export(model, x, 'lstm.onnx', input_names=['input'], dynamic_axes={...})
   * const session = await OnnxSession.create(await readFile('lstm.onnx'));
   * console.log(session.inputNames, session.outputNames, session.producer);
   * ```
   * @throws {@link wasm-lstm!LSTMError} (the promise rejects) `ONNX_INVALID` for a truncated or inconsistent model;
   *   `UNSUPPORTED_OP` naming every operator, attribute or opset it does not run; `INVALID_ARGUMENT` for a
   *   source of the wrong type or an HTTP error status. (A missing file or a network failure rejects with
   *   the platform's own error.)
   */
  static async create(source: OnnxSource): Promise<OnnxSession> {
    const bytes = await loadBytes(source);
    await ensureRuntime();
    return OnnxSession.fromBytes(bytes);
  }

  /** The synchronous core of create(), for bytes already in memory (init() must have resolved).
   *  @throws {@link wasm-lstm!LSTMError} as {@link OnnxSession.create}; `NOT_INITIALIZED` before init(). */
  static fromBytes(bytes: Uint8Array): OnnxSession {
    if (!(bytes instanceof Uint8Array))
      throw argumentError('bytes', 'an ONNX model must be bytes', 'Uint8Array', describe(bytes));
    const model = readModel(bytes),
      g = model.graph;
    const opset = model.opsets.get('');
    const usesDefault = g.nodes.some((n) => n.domain === '');
    if (usesDefault && opset === undefined)
      throw invalid('model.opset_import', 'no ai.onnx opset is imported', 'an opset_import for domain ""', 'none');
    const version = opset ?? MAX_OPSET;
    if (usesDefault && (version < MIN_OPSET || version > MAX_OPSET))
      throw new LSTMError('UNSUPPORTED_OP', `ai.onnx opset ${version} is not supported`, {
        argument: 'model.opset_import',
        expected: `an opset in [${MIN_OPSET}, ${MAX_OPSET}] (tested: 9 to 17)`,
        actual: String(version),
      });

    // Constants: initializers, then the outputs of nodes that only read constants.
    const constants = new Map<string, HostTensor>();
    for (const t of g.initializers) {
      if (!t.name) throw invalid(t.path, 'initializer without a name', 'a name', 'none');
      if (constants.has(t.name)) throw invalid(t.path, 'two initializers share a name', 'unique names', t.name);
      constants.set(t.name, tensorFromProto(t));
    }
    const inputs = g.inputs.filter((v) => !constants.has(v.name));
    const defined = new Set<string>([...constants.keys(), ...inputs.map((v) => v.name)]);
    const unsupported: NodeInfo[] = [];
    for (const node of g.nodes) {
      if (node.domain !== '' || !OPS[node.opType]) unsupported.push(node);
      for (const name of node.inputs)
        if (name !== '' && !defined.has(name))
          throw invalid(
            nodeLabel(node),
            `input ${JSON.stringify(name)} is not produced by any earlier node (graph not in topological order?)`,
            'a graph input, an initializer or an earlier output',
            JSON.stringify(name),
          );
      for (const name of node.outputs) {
        if (name === '') continue;
        if (defined.has(name))
          throw invalid(nodeLabel(node), 'a value is produced twice', 'unique output names', JSON.stringify(name));
        defined.add(name);
      }
    }
    if (unsupported.length) {
      const list = unsupported.map((n) => `${n.domain ? `${n.domain}.` : ''}${n.opType} (${nodeLabel(n)})`);
      throw new LSTMError('UNSUPPORTED_OP', `unsupported operator${list.length > 1 ? 's' : ''}: ${list.join(', ')}`, {
        argument: nodeLabel(unsupported[0]!),
        expected: `operators of the ai.onnx domain: ${SUPPORTED_OPS.join(', ')}`,
        actual: `${unsupported[0]!.domain ? `${unsupported[0]!.domain}.` : ''}${unsupported[0]!.opType}`,
      });
    }
    for (const out of g.outputs)
      if (!defined.has(out.name))
        throw invalid(
          'graph.output',
          'a graph output is produced by no node',
          'an output of some node',
          JSON.stringify(out.name),
        );
    for (const node of g.nodes) {
      const spec = OPS[node.opType]!;
      if ([...node.attributes.values()].some((a) => a.graph))
        throw new LSTMError('UNSUPPORTED_OP', `${nodeLabel(node)} has a subgraph attribute`, {
          argument: nodeLabel(node),
          expected: 'no subgraphs',
          actual: 'a graph attribute',
        });
      spec.check?.(node, version);
    }

    const states: OpState[] = [],
      steps: Step[] = [];
    const session = new OnnxSession(
      inputs,
      g.outputs.map((o) => o.name),
      version,
      model.producer,
      constants,
      steps,
      states,
    );
    try {
      for (const node of g.nodes) {
        const spec = OPS[node.opType]!,
          ctx: OpContext = { node, opset: version, state: {} };
        const args = node.inputs.map((n) => (n === '' ? undefined : constants.get(n)));
        if (node.inputs.every((n) => n === '' || constants.has(n))) {
          runStep(spec, args, ctx).forEach((t, i) => {
            const name = node.outputs[i];
            if (t && name) constants.set(name, t);
          });
          ctx.state.dispose?.();
          continue;
        }
        states.push(ctx.state);
        steps.push({ node, spec, ctx, free: [] });
        if (spec.prepare && node.inputs.slice(1).every((n) => n === '' || constants.has(n))) spec.prepare(args, ctx);
      }
    } catch (e) {
      session.dispose();
      throw e;
    }
    // Free each intermediate value after its last reader.
    const last = new Map<string, number>();
    steps.forEach((s, i) => {
      for (const n of s.node.inputs) if (n !== '' && !constants.has(n)) last.set(n, i);
    });
    const keep = new Set(session.outputNames);
    for (const [name, i] of last) if (!keep.has(name)) steps[i]!.free.push(name);
    return session;
  }

  /**
   * Runs the graph on named inputs; returns every graph output by name. Synchronous (so
   * `await session.run(…)` works as with onnxruntime-web).
   *
   * @example
   * ```ts
   * const out = session.run({ input: { data: x, shape: [1, 20, 8] } });
   * console.log(out.output.shape, out.output.data);
   * ```
   * @throws {@link wasm-lstm!LSTMError} `INVALID_ARGUMENT` for an unknown or missing input, or data of the wrong
   *   kind; `SHAPE_MISMATCH` for data that does not fit its shape or the model's; `DISPOSED`.
   */
  run(feeds: Record<string, OnnxFeed>): Record<string, OnnxTensor> {
    if (this.#disposed)
      throw new LSTMError('DISPOSED', 'this OnnxSession was disposed', {
        argument: 'this',
        expected: 'a live session',
        actual: 'disposed',
      });
    if (feeds === null || typeof feeds !== 'object')
      throw argumentError(
        'feeds',
        'run() takes an object of named inputs',
        `{ ${this.inputNames.join(', ')} }`,
        describe(feeds),
      );
    for (const name of Object.keys(feeds))
      if (!this.inputNames.includes(name))
        throw argumentError(
          name,
          'not an input of this model',
          `one of ${this.inputNames.join(', ')}`,
          JSON.stringify(name),
        );
    const values = new Map(this.#constants);
    for (const info of this.#inputs) values.set(info.name, feedTensor(info, feeds[info.name]));
    for (const step of this.#steps) {
      const args = step.node.inputs.map((n) => (n === '' ? undefined : values.get(n)));
      runStep(step.spec, args, step.ctx).forEach((t, i) => {
        const name = step.node.outputs[i];
        if (t && name) values.set(name, t);
      });
      for (const n of step.free) values.delete(n);
    }
    const result: Record<string, OnnxTensor> = {};
    for (const name of this.outputNames) {
      const t = values.get(name);
      if (!t)
        throw new LSTMError('ONNX_INVALID', 'a graph output was not produced (an optional output of its node?)', {
          argument: name,
          expected: 'a value',
          actual: 'none',
        });
      Object.defineProperty(result, name, {
        value: outputTensor(name, t),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return result;
  }

  /** Frees the layers' wasm memory. Later run() calls throw DISPOSED. Safe to call twice. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const s of this.#states) s.dispose?.();
  }

  /** true after {@link OnnxSession.dispose}. */
  get disposed(): boolean {
    return this.#disposed;
  }
}

/** Runs one op; errors from deeper down (a layer's own checks) are told with the node's name. */
function runStep(spec: OpSpec, args: (HostTensor | undefined)[], ctx: OpContext): (HostTensor | undefined)[] {
  try {
    return spec.run(args, ctx);
  } catch (e) {
    const label = nodeLabel(ctx.node);
    if (!(e instanceof LSTMError) || e.argument === label || e.message.includes(label)) throw e;
    // LSTMError's message is "[CODE] argument: message; expected …; got …": keep the middle.
    const prefix = `[${e.code}]${e.argument ? ` ${e.argument}:` : ''} `;
    const suffix = `${e.expected !== undefined ? `; expected ${e.expected}` : ''}${e.actual !== undefined ? `; got ${e.actual}` : ''}`;
    const core =
      e.message.startsWith(prefix) && e.message.endsWith(suffix)
        ? e.message.slice(prefix.length, e.message.length - suffix.length)
        : e.message;
    throw new LSTMError(e.code, `${label}: ${core}`, {
      argument: e.argument ?? label,
      expected: e.expected,
      actual: e.actual,
    });
  }
}

/** init() once if no build is loaded yet; keeps whatever build the caller already chose. */
async function ensureRuntime(): Promise<void> {
  try {
    new Dense({ inputSize: 1, outputSize: 1 }).dispose();
  } catch (e) {
    if (!(e instanceof LSTMError) || e.code !== 'NOT_INITIALIZED') throw e;
    await init();
  }
}
