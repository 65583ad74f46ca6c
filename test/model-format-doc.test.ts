// docs/model-format.md against the code: every layer kind, config key and default, optimizer and
// schedule option, `__metadata__` key, JSON field, tensor name and dtype that save() writes (or load()
// accepts) must be in the doc, and the doc must name nothing the loader would refuse. Fails when a new
// option or field is added without documenting it.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Adam,
  Dense,
  Dropout,
  GRU,
  init,
  type Layer,
  LSTM,
  readSafetensorsWithMetadata,
  Sequential,
  StepLR,
  writeSafetensors,
} from '../src/index.js';
import { LAYER_KINDS } from '../src/model/layer-kinds.js';
import { LOSSES } from '../src/model/losses.js';
import { OPTIMIZERS } from '../src/optim/rules.js';
import { SCHEDULES } from '../src/optim/schedules.js';

const DOC = readFileSync(new URL('../docs/model-format.md', import.meta.url), 'utf8');

/** The text under `heading` (a whole heading line), up to the next heading of the same or a higher level. */
function section(heading: string): string {
  const lines = DOC.split('\n'),
    at = lines.indexOf(heading);
  if (at < 0) throw new Error(`docs/model-format.md has no heading ${JSON.stringify(heading)}`);
  const level = heading.indexOf(' ');
  const end = lines.findIndex((l, i) => i > at && /^#+ /.test(l) && l.indexOf(' ') <= level);
  return lines.slice(at + 1, end < 0 ? undefined : end).join('\n');
}

/** The body rows (cells) of each table in `text`. */
function tables(text: string): string[][][] {
  const out: string[][][] = [];
  let rows: string[][] | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) {
      rows = null;
      continue;
    }
    const cells = line
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim());
    if (!rows) {
      rows = [];
      out.push(rows);
    }
    rows.push(cells);
  }
  return out.map((t) => t.slice(2)); // header and separator
}

/** The `code spans` of a cell. */
const ticked = (text: string): string[] => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
/** Every identifier inside a code span (the field names of `{ "layer": i, "carry": … }` too). */
const words = (text: string): Set<string> => new Set(ticked(text).flatMap((t) => t.match(/[A-Za-z_]\w*/g) ?? []));
/** A documented name pattern (`layers.{i}.{param}`) as a regex: `{i}`, `{k}` are indices. */
const pattern = (p: string): RegExp =>
  new RegExp(
    `^${p
      .split(/(\{[^}]+\})/)
      .map((s) =>
        s === '{i}' || s === '{k}' ? '\\d+' : s.startsWith('{') ? '.+' : s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'),
      )
      .join('')}$`,
  );
const keysOf = (v: unknown): string[] => Object.keys(v as object);

const RECURRENT = ['LSTM', 'GRU', 'SimpleRNN'];

/** The config table: kind -> key -> its default cell. */
function configTable(): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const [key, kinds, dflt] of tables(section('### `architecture`: layer configs'))[0]!) {
    const name = ticked(key!)[0]!;
    for (const kind of kinds!.split(',').flatMap((k) => (k.trim() === 'recurrent' ? RECURRENT : ticked(k)))) {
      if (!out.has(kind)) out.set(kind, new Map());
      out.get(kind)!.set(name, dflt!);
    }
  }
  return out;
}

/** A default cell that is one JSON literal (`1`, `"f32"`, `[]`), parsed; undefined for prose. */
function literal(cell: string): { value: unknown } | undefined {
  const m = /^`([^`]+)`$/.exec(cell);
  if (!m) return undefined;
  try {
    return { value: JSON.parse(m[1]!) };
  } catch {
    return undefined;
  }
}

/** The smallest options of each kind, and options that set every optional key away from its default. */
const REQUIRED: Record<string, Record<string, unknown>> = {
  LSTM: { inputSize: 2, hiddenSize: 3 },
  GRU: { inputSize: 2, hiddenSize: 3 },
  SimpleRNN: { inputSize: 2, hiddenSize: 3 },
  Dense: { inputSize: 2, outputSize: 3 },
  Embedding: { numEmbeddings: 4, embeddingDim: 2 },
  Dropout: { rate: 0.5 },
  Masking: {},
  Activation: { activation: 'relu' },
  Reverse: {},
};
const RECURRENT_SET = {
  numLayers: 2,
  bidirectional: true,
  returnSequences: true,
  stateful: true,
  recurrentDropout: 0.1,
  cellClip: 3,
  mergeMode: 'sum',
  seed: 7,
  trainable: false,
  frozenParameters: ['bias_hh_l0'],
};
const SET: [string, Record<string, unknown>][] = [
  [
    'LSTM',
    {
      ...RECURRENT_SET,
      forgetBias: 1,
      peephole: true,
      coupledInputForget: true,
      recurrentActivation: { name: 'hardSigmoid', alpha: 0.25, beta: 0.5 },
    },
  ],
  ['LSTM', { goBackwards: true, weights: 'int8' }],
  ['GRU', { ...RECURRENT_SET, resetAfter: false, recurrentActivation: 'hardSigmoid' }],
  ['GRU', { goBackwards: true, weights: 'int8' }],
  ['SimpleRNN', { ...RECURRENT_SET, nonlinearity: 'relu' }],
  ['SimpleRNN', { goBackwards: true, weights: 'int8' }],
  ['Dense', { activation: 'softmax', seed: 7, trainable: false, frozenParameters: ['bias'] }],
  ['Dense', { weights: 'int8' }],
  ['Embedding', { maskZero: true, seed: 7, trainable: false, frozenParameters: ['weight'] }],
  ['Dropout', { seed: 7 }],
  ['Masking', { maskValue: -1 }],
];
/** Keys a kind's file config may hold (the recurrent kinds share one list) but its constructor refuses
 *  with any value worth writing; the doc lists them only for the kinds that take them. */
const REFUSED: Record<string, Record<string, unknown>> = {
  GRU: { forgetBias: 1 },
  SimpleRNN: { forgetBias: 1, recurrentActivation: 'hardSigmoid' },
};

function build(kind: string, options: Record<string, unknown>): Layer {
  return LAYER_KINDS[kind]!.create({ ...REQUIRED[kind], ...options });
}

function configOf(kind: string, options: Record<string, unknown>): Record<string, unknown> {
  const layer = build(kind, options);
  try {
    return layer.config();
  } finally {
    layer.dispose();
  }
}

beforeAll(async () => {
  await init();
});

describe('docs/model-format.md: layer configs', () => {
  const doc = configTable();

  it('names every layer kind, and only those', () => {
    const kinds = Object.keys(LAYER_KINDS);
    expect([...doc.keys()].filter((k) => !kinds.includes(k))).toEqual([]);
    const mentioned = ticked(section('### `architecture`: layer configs'));
    expect(kinds.filter((k) => !mentioned.includes(k))).toEqual([]);
    expect(Object.keys(REQUIRED).sort()).toEqual([...kinds].sort()); // this test knows every kind
  });

  it("lists every key a kind's config may hold, and none it may not", () => {
    for (const [kind, k] of Object.entries(LAYER_KINDS)) {
      const documented = [...(doc.get(kind)?.keys() ?? [])];
      expect(
        documented.filter((key) => !k.options.includes(key)),
        `${kind}: documented, refused by load`,
      ).toEqual([]);
      const missing = k.options.filter((key) => !documented.includes(key));
      expect(missing.sort(), `${kind}: accepted by load, not documented`).toEqual(keysOf(REFUSED[kind] ?? {}).sort());
      for (const [key, value] of Object.entries(REFUSED[kind] ?? {}))
        expect(() => build(kind, { [key]: value }), `${kind} ${key}`).toThrow(/INVALID_ARGUMENT/);
    }
  });

  it('documents every key config() writes, with its default', () => {
    for (const kind of Object.keys(LAYER_KINDS)) {
      const documented = doc.get(kind) ?? new Map<string, string>(),
        config = configOf(kind, {});
      expect(
        keysOf(config).filter((key) => !documented.has(key)),
        kind,
      ).toEqual([]);
      for (const [key, value] of Object.entries(config)) {
        const d = literal(documented.get(key)!);
        if (d) expect(value, `${kind}.${key} default`).toEqual(d.value);
      }
    }
    for (const [kind, options] of SET) {
      const documented = doc.get(kind)!,
        config = configOf(kind, options);
      expect(
        keysOf(config).filter((key) => !documented.has(key)),
        `${kind} ${JSON.stringify(options)}`,
      ).toEqual([]);
    }
  });
});

describe('docs/model-format.md: optimizers and schedules', () => {
  const compile = section('### `compile`'),
    [fields, optimizers, schedules] = tables(compile) as [string[][], string[][], string[][]];

  /** `key` (`default`) pairs of a row; keys without a literal default map to undefined. */
  function options(row: string[] | undefined): Map<string, string | undefined> {
    const out = new Map<string, string | undefined>();
    for (const m of (row?.[1] ?? '').matchAll(/`(\w+)`(?: \(`([^`]+)`\))?/g)) out.set(m[1]!, m[2]);
    return out;
  }
  const rowOf = (table: string[][], name: string) => table.find((r) => ticked(r[0]!)[0] === name);

  it('documents every field and loss', () => {
    expect(fields.map((r) => ticked(r[0]!)[0])).toEqual(['loss', 'metrics', 'optimizer', 'state', 'progress']);
    const losses = words(rowOf(fields, 'loss')![1]!);
    expect(LOSSES.filter((l) => !losses.has(l))).toEqual([]);
  });

  it('documents every optimizer with its options and defaults', () => {
    const all = options(optimizers.find((r) => r[0] === 'all'));
    for (const [kind, Cls] of Object.entries(OPTIMIZERS)) {
      const row = rowOf(optimizers, kind);
      expect(row, kind).toBeDefined();
      const own = options(row);
      // "as `Adam`, `weightDecay` (`0.01`)": the other kind's options, then this row's
      const base = ticked(row![1]!).find((t) => t in OPTIMIZERS && t !== kind);
      const documented = new Map([...all, ...(base ? options(rowOf(optimizers, base)) : []), ...own]);
      const opt = new Cls({} as never),
        config = opt.config().options;
      opt.dispose();
      for (const [key, value] of Object.entries(config)) {
        expect(documented.has(key), `${kind}.${key}`).toBe(true);
        const d = documented.get(key);
        if (d !== undefined) expect(value, `${kind}.${key} default`).toEqual(JSON.parse(d));
      }
    }
    for (const key of ['clipNorm', 'clipValue', 'schedule']) expect(all.has(key), key).toBe(true);
  });

  it('documents every schedule with its options, defaults and saved position', () => {
    const samples: Record<string, object> = {
      StepLR: { stepSize: 2 },
      ExponentialLR: { gamma: 0.9 },
      CosineAnnealingLR: { tMax: 5 },
    };
    const position = words(compile);
    for (const [kind, Cls] of Object.entries(SCHEDULES)) {
      const documented = options(rowOf(schedules, kind));
      const s = new Cls((samples[kind] ?? {}) as never);
      for (const [key, value] of Object.entries(s.config())) {
        expect(documented.has(key), `${kind}.${key}`).toBe(true);
        const d = documented.get(key);
        if (d !== undefined && !keysOf(samples[kind] ?? {}).includes(key))
          expect(value, `${kind}.${key} default`).toEqual(JSON.parse(d));
      }
      expect(
        keysOf(s.state()).filter((k) => !position.has(k)),
        `${kind} progress.schedule`,
      ).toEqual([]);
    }
  });
});

describe('docs/model-format.md: what a saved file holds', () => {
  const layout = section('## Layout'),
    [dtypes] = tables(layout) as [string[][]],
    metadataKeys = tables(section('### `__metadata__`'))[0]!.map((r) => pattern(ticked(r[0]!)[0]!)),
    tensorsSection = section('### Tensors'),
    tensorNames = tables(tensorsSection)[0]!.flatMap((r) => ticked(r[0]!).map(pattern)),
    parameterNames = new Set(ticked(tensorsSection)),
    compileWords = words(section('### `compile`')),
    stateSection = section('### `state`'),
    stateFields = tables(stateSection)[0]!.map((r) => ticked(r[0]!)[0]),
    stateWords = words(stateSection);

  const files: { name: string; bytes: Uint8Array; f16: boolean }[] = [];
  const models: Sequential[] = [];
  beforeAll(() => {
    // a stateful LSTM (carried state), Dropout, a bidirectional GRU and Dense, trained one step with
    // Adam and a schedule (optimizer state, progress), then quantized (int8 weights and scales)
    const model = new Sequential([
      new LSTM({ inputSize: 3, hiddenSize: 4, stateful: true, returnSequences: true, peephole: true }),
      new Dropout({ rate: 0.2 }),
      new GRU({ inputSize: 4, hiddenSize: 4, bidirectional: true }),
      new Dense({ inputSize: 8, outputSize: 2 }),
    ]);
    model.compile({ loss: 'mse', metrics: [], optimizer: new Adam({ schedule: new StepLR({ stepSize: 1 }) }) });
    model.fit(
      { data: new Float32Array(30).fill(0.5), shape: [2, 5, 3] },
      { data: new Float32Array(4), shape: [2, 2] },
      {
        epochs: 1,
        batchSize: 2,
      },
    );
    const q = model.quantize({ weights: 'int8' });
    models.push(model, q);
    files.push(
      { name: 'trained', bytes: model.save({ metadata: { note: 'kept' } }), f16: false },
      { name: 'trained f16', bytes: model.save({ dtype: 'f16' }), f16: true },
      { name: 'int8', bytes: q.save(), f16: false },
      { name: 'int8 f16', bytes: q.save({ dtype: 'f16' }), f16: true },
    );
  });
  afterAll(() => {
    for (const m of models) m.dispose();
  });

  /** The header of a safetensors file. */
  function header(bytes: Uint8Array): Record<string, { dtype: string }> {
    const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
    return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  }

  it('every __metadata__ key and JSON field is documented', () => {
    for (const { name, bytes } of files) {
      const { metadata } = readSafetensorsWithMetadata(bytes);
      for (const key of Object.keys(metadata))
        expect(
          metadataKeys.some((p) => p.test(key)),
          `${name}: __metadata__.${key}`,
        ).toBe(true);
      const compile = JSON.parse(metadata.compile!);
      const used = [
        ...keysOf(compile),
        ...compile.state.flatMap(keysOf),
        ...(compile.progress ? [...keysOf(compile.progress), ...keysOf(compile.progress.schedule ?? {})] : []),
      ];
      expect(
        used.filter((k) => !compileWords.has(k)),
        `${name}: compile`,
      ).toEqual([]);
      for (const entry of JSON.parse(metadata.state ?? '[]')) {
        expect(
          keysOf(entry).filter((k) => !stateFields.includes(k)),
          `${name}: state`,
        ).toEqual([]);
        expect(
          keysOf(entry.carry ?? {}).filter((k) => !stateWords.has(k)),
          `${name}: state carry`,
        ).toEqual([]);
      }
    }
    // what this test saved reaches every part of the format
    const { metadata } = readSafetensorsWithMetadata(files[0]!.bytes);
    expect(metadata['user.note']).toBe('kept');
    expect(JSON.parse(metadata.compile!).progress.schedule).toBeDefined();
    expect(JSON.parse(metadata.state!).some((s: { carry?: unknown }) => s.carry)).toBe(true);
  });

  it('every tensor name and parameter is documented, in the documented dtype', () => {
    const row = (test: (first: string) => boolean) => dtypes.find((r) => test(r[0]!))!;
    for (const { name, bytes, f16 } of files) {
      const arch = JSON.parse(readSafetensorsWithMetadata(bytes).metadata.architecture!);
      for (const [tensor, { dtype }] of Object.entries(header(bytes))) {
        if (tensor === '__metadata__') continue;
        expect(
          tensorNames.some((p) => p.test(tensor)),
          `${name}: ${tensor}`,
        ).toBe(true);
        const [group, layer, param = ''] = tensor.split('.') as [string, string, string?];
        let expected: string[];
        if (group === 'layers') {
          // weight_ih_l0_reverse_scale -> weight_ih_l{k}, with the doc naming `_reverse` and `{weight}_scale`
          const base = param
            .replace(/_scale$/, '')
            .replace(/_reverse$/, '')
            .replace(/_l\d+$/, '_l{k}');
          expect(parameterNames.has(base), `${name}: parameter ${param}`).toBe(true);
          if (param.endsWith('_scale')) expect(parameterNames.has('{weight}_scale')).toBe(true);
          if (param.includes('_reverse')) expect(parameterNames.has('_reverse')).toBe(true);
          const int8 =
            arch[Number(layer)].config.weights === 'int8' && /^weight(_(ih|hh)_l\d+(_reverse)?)?$/.test(param);
          expected = int8
            ? row((c) => c.includes('int8'))
            : param.endsWith('_scale')
              ? row((c) => ticked(c).includes('_scale'))
              : row((c) => ticked(c).includes('layers.*'));
        } else expected = row((c) => ticked(c).includes(`${group}.*`));
        expect(ticked(expected[f16 ? 2 : 1]!), `${name}: ${tensor} dtype`).toEqual([dtype]);
      }
    }
  });

  it('loads with compile and state absent, and refuses keys the doc does not allow', async () => {
    const { tensors, metadata } = readSafetensorsWithMetadata(files[2]!.bytes);
    const { compile: _c, state: _s, ...required } = metadata;
    (await Sequential.load(writeSafetensors(tensors, required))).dispose();
    await expect(Sequential.load(writeSafetensors(tensors, { ...metadata, source: 'x' }))).rejects.toThrow(
      /SAFETENSORS_INVALID/,
    );
    const arch = JSON.parse(metadata.architecture!);
    arch[0].config.unknownOption = 1;
    await expect(
      Sequential.load(writeSafetensors(tensors, { ...metadata, architecture: JSON.stringify(arch) })),
    ).rejects.toThrow(/SAFETENSORS_INVALID/);
  });
});
