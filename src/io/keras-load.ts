// loadLayersModel: a Keras / TensorFlow.js layers model from a URL (model.json and the weight
// shards its weightsManifest names, fetched relative to it), a Node path (the same files read
// from disk), or tfjs ModelArtifacts { modelTopology, weightSpecs, weightData } (for example
// from tf.io.withSaveHandler). Returns a Sequential.
import { nodeModule } from '../platform.js';
import { init, hasRuntime } from '../runtime.js';
import { LSTMError, describe } from '../errors.js';
import { Sequential } from '../model/sequential.js';
import { readTopology } from './keras-topology.js';
import { layersFromKeras } from './keras-import.js';
import { decodeWeights, readManifest, concatWeightData } from './keras-weights.js';

export interface LayersModelSource {
  modelTopology: unknown;
  weightSpecs: unknown;
  /** One ArrayBuffer, or several (tfjs 4 splits large weights), or a byte view. */
  weightData: unknown;
}

const isNode = (): boolean =>
  typeof process !== 'undefined' && typeof (process as { versions?: { node?: string } }).versions?.node === 'string';

async function nodeModules(): Promise<{
  fs: typeof import('node:fs/promises');
  path: typeof import('node:path');
  url: typeof import('node:url');
}> {
  // through platform.ts, so browser bundles (platform.browser.ts) hold no node: import at all
  return {
    fs: await nodeModule<typeof import('node:fs/promises')>('node:fs/promises'),
    path: await nodeModule<typeof import('node:path')>('node:path'),
    url: await nodeModule<typeof import('node:url')>('node:url'),
  };
}

function loadError(argument: string, expected: string, actual: string): LSTMError {
  return new LSTMError('INVALID_ARGUMENT', 'could not read the model', { argument, expected, actual });
}

/** Reads model.json and its shards; `read(relative)` fetches one file next to model.json. */
async function fromModelJson(
  text: string,
  where: string,
  read: (p: string) => Promise<ArrayBuffer>,
): Promise<LayersModelSource> {
  let json: { modelTopology?: unknown; weightsManifest?: unknown };
  try {
    json = JSON.parse(text);
  } catch {
    throw loadError(where, 'model.json (JSON)', 'unparseable text');
  }
  if (!json || typeof json !== 'object' || !('modelTopology' in json))
    throw loadError(where, 'a model.json with modelTopology and weightsManifest', describe(json));
  const { specs, paths } = readManifest(json.weightsManifest ?? []);
  const shards: ArrayBuffer[] = [];
  for (const p of paths) shards.push(await read(p));
  return { modelTopology: json.modelTopology, weightSpecs: specs, weightData: shards };
}

async function fetchBytes(url: URL): Promise<ArrayBuffer> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw loadError(url.href, 'a reachable URL', (e as Error)?.message ?? String(e));
  }
  if (!res.ok) throw loadError(url.href, 'HTTP 200', `HTTP ${res.status} ${res.statusText}`);
  return res.arrayBuffer();
}

async function fromUrl(url: URL): Promise<LayersModelSource> {
  const text = new TextDecoder().decode(await fetchBytes(url));
  return fromModelJson(text, url.href, (p) => fetchBytes(new URL(p, url)));
}

async function fromPath(file: string): Promise<LayersModelSource> {
  const { fs, path } = await nodeModules();
  const readFile = async (f: string): Promise<Uint8Array> => {
    try {
      return await fs.readFile(f);
    } catch (e) {
      throw loadError(f, 'a readable file', (e as NodeJS.ErrnoException)?.code ?? String(e));
    }
  };
  const text = new TextDecoder().decode(await readFile(file));
  return fromModelJson(text, file, async (p) => {
    const b = await readFile(path.resolve(path.dirname(file), decodeURIComponent(p)));
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  });
}

/**
 * A Keras / TensorFlow.js layers model as a Sequential: `source` is a URL (string with a scheme,
 * or a URL object), a file path (Node), or ModelArtifacts { modelTopology, weightSpecs, weightData }.
 * Errors: UNSUPPORTED_LAYER names the layer, its class and the option; malformed files are
 * INVALID_ARGUMENT / STATE_DICT_*.
 */
export async function loadLayersModel(source: string | URL | LayersModelSource): Promise<Sequential> {
  if (!hasRuntime()) await init(); // keep a build the caller chose
  let artifacts: LayersModelSource;
  if (source instanceof URL || (typeof source === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(source))) {
    const url = new URL(String(source));
    if (url.protocol === 'file:' && isNode()) artifacts = await fromPath((await nodeModules()).url.fileURLToPath(url));
    else artifacts = await fromUrl(url);
  } else if (typeof source === 'string') {
    if (isNode()) artifacts = await fromPath(source);
    else artifacts = await fromUrl(new URL(source, (globalThis as { location?: { href: string } }).location?.href));
  } else if (source && typeof source === 'object' && 'modelTopology' in source) {
    artifacts = source;
    if (!('weightSpecs' in source) || source.weightData === undefined)
      throw loadError('artifacts', '{ modelTopology, weightSpecs, weightData }', 'no weightSpecs / weightData');
  } else {
    throw new LSTMError('INVALID_ARGUMENT', 'unknown model source', {
      argument: 'source',
      expected: 'a URL, a file path, or { modelTopology, weightSpecs, weightData }',
      actual: describe(source),
    });
  }
  const model = readTopology(artifacts.modelTopology);
  const weights = decodeWeights(artifacts.weightSpecs, concatWeightData(artifacts.weightData ?? new ArrayBuffer(0)));
  return new Sequential(layersFromKeras(model, weights));
}
