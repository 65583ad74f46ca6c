// Reading a Keras / TensorFlow.js layers-model topology (model.json's `modelTopology`) into one
// flat list of layers. Three writers, one shape after this file:
//   tfjs (`keras_version: 'tfjs-layers x'`): { class_name, config: { name, layers } } at the top.
//   tensorflowjs_converter from Keras 2 (`keras_version: '2.x'`): the same inside `model_config`.
//   Keras 3 (`keras_version: '3.x'`, layers carry `module` / `registered_name`): InputLayer has
//     `batch_shape`, dtypes are policy objects, functional inbound nodes are keras tensors.
// Sequential models and functional models that are a single chain (one input, one output, every
// layer fed by the one before) are accepted; anything else is UNSUPPORTED_LAYER.
import { LSTMError, describe } from '../errors.js';
import { unsupported } from './keras-layout.js';

export interface KerasLayer {
  className: string;
  name: string;
  config: Record<string, unknown>;
}

export type KerasFlavor = 'tfjs' | 'keras2' | 'keras3';

export interface KerasModel {
  name: string;
  flavor: KerasFlavor;
  /** The version string the file carries (keras_version), or '' when absent. */
  version: string;
  /** hard_sigmoid(x) = clip(alpha·x + 0.5, 0, 1): 0.2 for tfjs and Keras 2, 1/6 for Keras 3. */
  hardSigmoidAlpha: number;
  /** The model's input shape without the batch ([steps, features], [steps] for token ids), or
   *  null when the file does not say; and the batch size when it is fixed (stateful models). */
  inputShape: (number | null)[] | null;
  batchSize: number | null;
  layers: KerasLayer[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

export function invalid(argument: string, expected: string, actual: unknown): LSTMError {
  return new LSTMError('INVALID_ARGUMENT', 'not a Keras / TensorFlow.js layers model', {
    argument,
    expected,
    actual: typeof actual === 'string' ? actual : describe(actual),
  });
}

/** One serialized layer { class_name, config } -> KerasLayer (name from config or the node). */
export function readLayer(raw: unknown, where: string): KerasLayer {
  if (!isObject(raw) || typeof raw.class_name !== 'string' || !isObject(raw.config))
    throw invalid(where, '{ class_name, config }', raw);
  const name = typeof raw.config.name === 'string' ? raw.config.name : typeof raw.name === 'string' ? raw.name : where;
  return { className: raw.class_name, name, config: raw.config };
}

function flavorOf(version: string, layers: unknown[]): KerasFlavor {
  if (version.startsWith('tfjs')) return 'tfjs';
  if (/^3\./.test(version)) return 'keras3';
  if (/^[12]\./.test(version)) return 'keras2';
  // no version: Keras 3 is recognisable by its serialization ('module' on every layer)
  return layers.some((l) => isObject(l) && 'module' in l) ? 'keras3' : 'tfjs';
}

/** Names of the layers a functional node reads (Keras 2/tfjs lists or Keras 3 keras tensors). */
function inboundNames(node: unknown, layer: KerasLayer): string[] {
  const names: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      // Keras 2 / tfjs: [name, nodeIndex, tensorIndex, kwargs]
      if (typeof v[0] === 'string' && typeof v[1] === 'number') {
        names.push(v[0]);
        const kwargs = v[3];
        if (isObject(kwargs)) checkKwargs(Object.keys(kwargs), layer);
        return;
      }
      for (const e of v) walk(e);
    } else if (isObject(v)) {
      if (v.class_name === '__keras_tensor__' && isObject(v.config) && Array.isArray(v.config.keras_history)) {
        names.push(String(v.config.keras_history[0]));
        return;
      }
      if ('args' in v) {
        walk(v.args);
        if (isObject(v.kwargs)) checkKwargs(Object.keys(v.kwargs), layer);
      }
    }
  };
  walk(node);
  return names;
}

function checkKwargs(keys: string[], layer: KerasLayer): void {
  const extra = keys.filter((k) => k !== 'training' && k !== 'mask');
  if (extra.length) throw unsupported(layer, extra[0]!, 'functional call arguments other than the input', 'none');
}

/** A functional model's layers in chain order, or UNSUPPORTED_LAYER if it is not one chain. */
function chain(config: Json): KerasLayer[] {
  const raw = config.layers;
  if (!Array.isArray(raw)) throw invalid('modelTopology.config.layers', 'an array', raw);
  const layers = raw.map((l, i) => readLayer(l, `layers[${i}]`));
  const inbound = new Map<string, string[]>();
  raw.forEach((l, i) => {
    const nodes = (l as Json).inbound_nodes;
    const layer = layers[i]!;
    if (!Array.isArray(nodes) || nodes.length === 0) {
      inbound.set(layer.name, []);
      return;
    }
    if (nodes.length > 1) throw unsupported(layer, 'inbound_nodes', 'a layer called more than once (shared)', '1 call');
    inbound.set(layer.name, inboundNames(nodes[0], layer));
  });
  const ends = (v: unknown): string[] => {
    if (!Array.isArray(v)) return [];
    if (typeof v[0] === 'string') return [v[0]]; // Keras 3, one input: [name, 0, 0]
    return v.map((e) => (Array.isArray(e) ? String(e[0]) : String(e)));
  };
  const inputs = ends(config.input_layers),
    outputs = ends(config.output_layers);
  if (inputs.length !== 1 || outputs.length !== 1)
    throw unsupported(
      `model "${String(config.name)}"`,
      'input_layers/output_layers',
      'only single-input, single-output models',
      '1 input and 1 output',
    );
  const byName = new Map(layers.map((l) => [l.name, l]));
  const order: KerasLayer[] = [];
  let current = inputs[0]!;
  const seen = new Set<string>();
  for (;;) {
    const layer = byName.get(current);
    if (!layer || seen.has(current)) throw invalid('input_layers', 'a layer of the model', current);
    seen.add(current);
    order.push(layer);
    if (current === outputs[0]) break;
    const next = layers.filter((l) => inbound.get(l.name)!.includes(current));
    if (next.length !== 1 || inbound.get(next[0]!.name)!.length !== 1)
      throw unsupported(
        next[0] ?? layer,
        'inbound_nodes',
        'a functional model that is not a single chain of layers',
        'each layer fed by exactly the layer before it',
      );
    current = next[0]!.name;
  }
  if (order.length !== layers.length) {
    const stray = layers.find((l) => !seen.has(l.name))!;
    throw unsupported(stray, 'inbound_nodes', 'a layer outside the input → output chain', 'a single chain');
  }
  return order;
}

function shapeFrom(config: Json): (number | null)[] | null {
  const s = config.batch_input_shape ?? config.batch_shape;
  if (Array.isArray(s)) return s as (number | null)[];
  const build = config.build_config;
  if (isObject(build) && Array.isArray(build.input_shape)) return build.input_shape as (number | null)[];
  if (Array.isArray(config.input_shape)) return [null, ...(config.input_shape as (number | null)[])];
  return null;
}

/** modelTopology (or a whole model.json) -> KerasModel. */
export function readTopology(topology: unknown): KerasModel {
  if (!isObject(topology)) throw invalid('modelTopology', 'an object', topology);
  let top: Json = topology;
  if (isObject(top.modelTopology)) top = top.modelTopology; // a whole model.json
  const version = typeof top.keras_version === 'string' ? top.keras_version : '';
  const model = isObject(top.model_config) ? top.model_config : top;
  if (typeof model.class_name !== 'string') throw invalid('modelTopology.class_name', "'Sequential'", model.class_name);
  const cls = model.class_name;
  let layers: KerasLayer[];
  let rawLayers: unknown[];
  let config: Json;
  if (cls === 'Sequential') {
    // Keras 2.0–2.2 wrote the layer list itself as the config
    config = Array.isArray(model.config) ? { layers: model.config } : isObject(model.config) ? model.config : {};
    if (!Array.isArray(config.layers)) throw invalid('modelTopology.config.layers', 'an array', config.layers);
    rawLayers = config.layers;
    layers = rawLayers.map((l, i) => readLayer(l, `layers[${i}]`));
  } else if (cls === 'Model' || cls === 'Functional') {
    if (!isObject(model.config)) throw invalid('modelTopology.config', 'an object', model.config);
    config = model.config;
    rawLayers = Array.isArray(config.layers) ? config.layers : [];
    layers = chain(config);
  } else {
    throw unsupported(`model (${cls})`, 'class_name', 'only Sequential and functional (Model) models', 'Sequential');
  }
  if (layers.length === 0) throw invalid('modelTopology.config.layers', 'at least one layer', 'none');
  const flavor = flavorOf(version, rawLayers);
  // the input shape: an InputLayer, or the first layer's batch_input_shape
  let full: (number | null)[] | null = null;
  for (const l of layers) {
    full = shapeFrom(l.config);
    if (full || l.className !== 'InputLayer') break;
  }
  if (!full && isObject(config) && Array.isArray(config.build_input_shape))
    full = config.build_input_shape as (number | null)[];
  return {
    name: typeof config.name === 'string' ? config.name : 'model',
    flavor,
    version,
    hardSigmoidAlpha: flavor === 'keras3' ? 1 / 6 : 0.2,
    inputShape: full ? full.slice(1) : null,
    batchSize: full && typeof full[0] === 'number' ? full[0] : null,
    layers,
  };
}

/** An activation as serialized by tfjs ('hard_sigmoid'), Keras 2 ('tanh') or Keras 3 (a string,
 *  or { class_name: 'function', config: 'tanh' }), normalised to snake_case. */
export function activationName(v: unknown): string {
  if (v === undefined || v === null) return 'linear';
  if (isObject(v)) return activationName(typeof v.config === 'string' ? v.config : v.class_name);
  const s = String(v);
  return s.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}
