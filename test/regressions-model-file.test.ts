// Issue 10, defects of the model file (Sequential.save / Sequential.load): validated as a whole
// before anything is allocated, every metadata field checked, explicit names that survive
// minifying, and training that resumes identically after a load.
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Adam,
  AdamW,
  Dense,
  Dropout,
  Embedding,
  GRU,
  init,
  LSTM,
  readSafetensorsWithMetadata,
  RMSprop,
  Sequential,
  SGD,
  type StateDict,
  writeSafetensors,
} from '../src/index.js';
import { currentRuntime } from '../src/runtime.js';
import { expectRejection, liveBytes } from './helpers/lstm-error.js';
import { mulberry32, uniform } from './reference/rng.js';

const rand = (n: number, seed: number) => Float32Array.from(uniform(mulberry32(seed), n, -1, 1));
const wasmBytes = () => currentRuntime().arena.memory.buffer.byteLength;

/** A model file with its metadata and tensors changed by `edit`. */
function rewrite(bytes: Uint8Array, edit: (meta: Record<string, string>, tensors: StateDict) => unknown): Uint8Array {
  const { tensors, metadata } = readSafetensorsWithMetadata(bytes);
  const meta = { ...metadata };
  edit(meta, tensors);
  return writeSafetensors(tensors, meta);
}

function trained(): Uint8Array {
  const m = new Sequential([
    new LSTM({ inputSize: 2, hiddenSize: 4, seed: 1 }),
    new Dense({ inputSize: 4, outputSize: 1, seed: 2 }),
  ]);
  m.compile({ loss: 'mse', optimizer: new Adam({ learningRate: 0.01 }) });
  m.trainOnBatch({ data: rand(2 * 3 * 2, 1), shape: [2, 3, 2] }, { data: rand(2, 2), shape: [2, 1] });
  const bytes = m.save();
  m.dispose();
  return bytes;
}

/** Sequential.load rejects `bytes` with `code` and neither keeps nor ever allocates wasm memory. */
async function rejects(bytes: Uint8Array, code: Parameters<typeof expectRejection>[1], argument?: string | RegExp) {
  const live = liveBytes(),
    grown = wasmBytes();
  const e = await expectRejection(Sequential.load(bytes), code, argument);
  expect(liveBytes(), e.message).toBe(live);
  expect(wasmBytes(), `memory grew while loading a bad file: ${e.message}`).toBe(grown);
  return e;
}

describe('issue 10: model files', () => {
  beforeAll(async () => {
    await init();
  });

  it('#2 a file declaring layers it holds no tensors for allocates nothing', async () => {
    // 40 KB of metadata declaring 520 Dense(1024→1024): 4.3 GB of parameters and gradients
    const arch = Array.from({ length: 520 }, () => ({ kind: 'Dense', config: { inputSize: 1024, outputSize: 1024 } }));
    const file = writeSafetensors({}, { format: 'wasm-lstm/1', architecture: JSON.stringify(arch), compile: 'null' });
    expect(file.length).toBeLessThan(50_000);
    await rejects(file, 'STATE_DICT_MISSING', 'layers.0.weight');
    // one 2 GiB layer after a good one: nothing is built, not even the good one
    const good = new Dense({ inputSize: 2, outputSize: 2 });
    const tensors: StateDict = {};
    for (const [k, t] of Object.entries(good.stateDict())) tensors[`layers.0.${k}`] = t;
    good.dispose();
    const huge = [
      { kind: 'Dense', config: { inputSize: 2, outputSize: 2 } },
      { kind: 'Dense', config: { inputSize: 1 << 14, outputSize: 1 << 14 } },
    ];
    const file2 = writeSafetensors(tensors, {
      format: 'wasm-lstm/1',
      architecture: JSON.stringify(huge),
      compile: 'null',
    });
    await rejects(file2, 'STATE_DICT_MISSING', 'layers.1.weight');
  });

  it('#2 declared sizes are checked against the tensors the file holds, before allocating', async () => {
    const bytes = trained();
    // the architecture claims a larger layer than the tensors hold
    await rejects(
      rewrite(bytes, (meta) => {
        meta.architecture = meta.architecture!.replace('"hiddenSize":4', '"hiddenSize":4096');
      }),
      'STATE_DICT_SHAPE',
      'layers.0.weight_ih_l0',
    );
    // a tensor of the wrong shape, a tensor no layer has, a layer index past the end
    await rejects(
      rewrite(bytes, (_, t) => {
        t['layers.1.bias'] = { shape: [2], data: new Float32Array(2) };
      }),
      'STATE_DICT_SHAPE',
      'layers.1.bias',
    );
    await rejects(
      rewrite(bytes, (_, t) => {
        t['layers.1.extra'] = { shape: [1], data: new Float32Array(1) };
      }),
      'STATE_DICT_UNEXPECTED',
      'layers.1.extra',
    );
    await rejects(
      rewrite(bytes, (_, t) => {
        t['layers.7.weight'] = { shape: [1], data: new Float32Array(1) };
      }),
      'STATE_DICT_UNEXPECTED',
      'layers.7.weight',
    );
    // optimizer state of the wrong size, missing, or for a layer without parameters
    await rejects(
      rewrite(bytes, (_, t) => {
        t['optimizer.0.1'] = { shape: [3], data: new Float32Array(3) };
      }),
      'SAFETENSORS_INVALID',
      'optimizer.0.1',
    );
    await rejects(
      rewrite(bytes, (_, t) => {
        delete t['optimizer.1.0'];
      }),
      'SAFETENSORS_INVALID',
      'optimizer.1.0',
    );
    await rejects(
      rewrite(bytes, (_, t) => {
        t['optimizer.9.0'] = { shape: [1], data: new Float32Array(1) };
      }),
      'STATE_DICT_UNEXPECTED',
      'optimizer.9.0',
    );
    const ok = await Sequential.load(bytes);
    ok.dispose();
  });

  it('#7 every metadata field is validated: optimizer steps, options, metrics, layer configs', async () => {
    const bytes = trained();
    type Compile = { optimizer: { options: Record<string, unknown> }; state: Record<string, unknown>[] };
    const compile = (f: (c: Compile) => unknown) =>
      rewrite(bytes, (meta) => {
        const c = JSON.parse(meta.compile!);
        f(c);
        meta.compile = JSON.stringify(c);
      });
    for (const steps of ['abc', -5, 0, 1.5, 2 ** 53, null])
      await rejects(
        compile((c) => Object.assign(c.state[0]!, { steps })),
        'SAFETENSORS_INVALID',
        /^compile\.state\[0\]/,
      );
    await rejects(
      compile((c) => c.state.push({ ...c.state[0] })),
      'SAFETENSORS_INVALID',
      /^compile\.state\[2\]/,
    );
    for (const [key, value] of [
      ['learningRate', 'x'],
      ['learningRate', -1],
      ['beta1', 2],
      ['momentum', 0.9], // not an Adam option
      ['clipNorm', null],
    ] as const) {
      await rejects(
        compile((c) => Object.assign(c.optimizer.options, { [key]: value })),
        'SAFETENSORS_INVALID',
        `compile.optimizer.options.${key}`,
      );
    }
    await rejects(
      compile((c) => Object.assign(c.optimizer, { options: null })),
      'SAFETENSORS_INVALID',
      'compile.optimizer.options',
    );
    await rejects(
      compile((c) => Object.assign(c, { optimizer: { kind: 'Adam' } })),
      'SAFETENSORS_INVALID',
      'compile.optimizer.options',
    );
    await rejects(
      compile((c) => Object.assign(c, { metrics: ['accuracy', 'f1'] })),
      'SAFETENSORS_INVALID',
      'compile.metrics',
    );
    await rejects(
      compile((c) => Object.assign(c, { extra: 1 })),
      'SAFETENSORS_INVALID',
      'compile.extra',
    );
    const arch = (f: (a: { kind: string; config: Record<string, unknown> }[]) => unknown) =>
      rewrite(bytes, (meta) => {
        const a = JSON.parse(meta.architecture!);
        f(a);
        meta.architecture = JSON.stringify(a);
      });
    await rejects(
      arch((a) => Object.assign(a[0]!.config, { hiddenSize: '4' })),
      'SAFETENSORS_INVALID',
      'architecture[0].config.hiddenSize',
    );
    await rejects(
      arch((a) => Object.assign(a[0]!.config, { seed: 2 ** 40 })),
      'SAFETENSORS_INVALID',
      'architecture[0].config.seed',
    );
    await rejects(
      arch((a) => Object.assign(a[1]!.config, { typo: 1 })),
      'SAFETENSORS_INVALID',
      'architecture[1].config.typo',
    );
    await rejects(
      arch((a) => Object.assign(a[1]!.config, { activation: 'gelu' })),
      'SAFETENSORS_INVALID',
      'architecture[1].config.activation',
    );
    await rejects(
      rewrite(bytes, (meta) => Object.assign(meta, { format: 'wasm-lstm/9' })),
      'SAFETENSORS_INVALID',
      'format',
    );
    await rejects(
      rewrite(bytes, (meta) => Object.assign(meta, { surprise: '1' })),
      'SAFETENSORS_INVALID',
      'surprise',
    );
  });

  it('#14 layer kinds named like Object.prototype members and malformed compile.state are typed errors', async () => {
    const bytes = trained();
    for (const kind of ['toString', '__proto__', 'hasOwnProperty', 'constructor', 'valueOf']) {
      const file = rewrite(bytes, (meta) => {
        const a = JSON.parse(meta.architecture!);
        a[1].kind = kind;
        meta.architecture = JSON.stringify(a);
      });
      await rejects(file, 'SAFETENSORS_INVALID', 'architecture[1].kind');
    }
    for (const state of ['"x"', '{}', '[null]', '[{"layer":"0","steps":1,"buffers":2}]', '[{"layer":0}]', '[5]']) {
      const file = rewrite(bytes, (meta) => {
        meta.compile = JSON.stringify({ ...JSON.parse(meta.compile!), state: JSON.parse(state) });
      });
      await rejects(file, 'SAFETENSORS_INVALID', /^compile\.state/);
    }
    for (const compile of ['5', '[]', '"adam"', '{"loss":"mse"}', 'nul']) {
      await rejects(
        rewrite(bytes, (meta) => Object.assign(meta, { compile })),
        'SAFETENSORS_INVALID',
        /^compile/,
      );
    }
  });

  it('#3 a model saved from a minified bundle loads (in the bundle and in the plain build)', async () => {
    // the settings of scripts/size.mjs (npm run size), written next to a build/ folder
    const dir = mkdtempSync(join(tmpdir(), 'wasm-lstm-min-'));
    mkdirSync(join(dir, 'dist'));
    symlinkSync(resolve('build'), join(dir, 'build'));
    const out = await build({
      entryPoints: ['src/index.ts'],
      bundle: true,
      minify: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      external: ['node:*'],
      legalComments: 'none',
      outfile: join(dir, 'dist', 'min.js'),
      logLevel: 'error',
    });
    const file = join(dir, 'dist', 'min.mjs');
    writeFileSync(file, out.outputFiles[0]!.contents);
    const min = (await import(pathToFileURL(file).href)) as typeof import('../src/index.js');
    await min.init();
    expect(new min.Adam({}).constructor.name).not.toBe('Adam'); // the bundle really renamed classes
    for (const make of [
      () => new min.SGD({ learningRate: 0.1, momentum: 0.9 }),
      () => new min.Adam({}),
      () => new min.AdamW({}),
      () => new min.RMSprop({}),
    ]) {
      const m = new min.Sequential([
        new min.LSTM({ inputSize: 2, hiddenSize: 3 }),
        new min.Dropout({ rate: 0.2 }),
        new min.Dense({ inputSize: 3, outputSize: 1 }),
      ]);
      const opt = make();
      m.compile({ loss: 'mse', optimizer: opt });
      const x = { data: rand(12, 3), shape: [2, 3, 2] },
        y = { data: rand(2, 4), shape: [2, 1] };
      m.trainOnBatch(x, y);
      const bytes = m.save();
      const again = await min.Sequential.load(bytes);
      const plain = await Sequential.load(bytes);
      expect(again.optimizer!.kind).toBe(opt.kind);
      expect(plain.optimizer!.kind).toBe(opt.kind);
      expect([SGD, Adam, AdamW, RMSprop].some((C) => plain.optimizer instanceof C)).toBe(true);
      expect(plain.layers.map((l) => l.kind)).toEqual(['LSTM', 'Dropout', 'Dense']);
      const next = m.trainOnBatch(x, y);
      expect(again.trainOnBatch(x, y)).toBe(next);
      expect(plain.trainOnBatch(x, y)).toBe(next);
      for (const model of [m, again, plain]) model.dispose();
    }
  });

  it('#10 save/load resumes identically with Dropout, recurrent dropout and stateful layers', async () => {
    const variants: Record<string, (seed: number) => Sequential> = {
      dropout: (s) =>
        new Sequential([
          new LSTM({ inputSize: 2, hiddenSize: 5, seed: s }),
          new Dropout({ rate: 0.4, seed: s }),
          new Dense({ inputSize: 5, outputSize: 1, seed: s }),
        ]),
      recurrentDropout: (s) =>
        new Sequential([
          new GRU({ inputSize: 2, hiddenSize: 5, recurrentDropout: 0.3, seed: s }),
          new Dense({ inputSize: 5, outputSize: 1, seed: s }),
        ]),
      stateful: (s) =>
        new Sequential([
          new LSTM({ inputSize: 2, hiddenSize: 5, stateful: true, seed: s }),
          new Dense({ inputSize: 5, outputSize: 1, seed: s }),
        ]),
      all: (s) =>
        new Sequential([
          new LSTM({
            inputSize: 2,
            hiddenSize: 5,
            stateful: true,
            recurrentDropout: 0.25,
            returnSequences: true,
            seed: s,
          }),
          new Dropout({ rate: 0.3, seed: s + 1 }),
          new LSTM({ inputSize: 5, hiddenSize: 4, stateful: true, seed: s + 2 }),
          new Dense({ inputSize: 4, outputSize: 1, seed: s }),
        ]),
    };
    for (const [name, make] of Object.entries(variants)) {
      const a = make(3);
      a.compile({ loss: 'mse', optimizer: new Adam({ learningRate: 0.01 }) });
      const batch = (i: number) => ({
        x: { data: rand(3 * 4 * 2, 100 + i), shape: [3, 4, 2] },
        y: { data: rand(3, 200 + i), shape: [3, 1] },
      });
      for (let i = 0; i < 3; i++) a.trainOnBatch(batch(i).x, batch(i).y);
      const b = await Sequential.load(a.save());
      for (let i = 3; i < 8; i++)
        expect(b.trainOnBatch(batch(i).x, batch(i).y), `${name}, step ${i}`).toBe(
          a.trainOnBatch(batch(i).x, batch(i).y),
        );
      expect(b.predict(batch(9).x), name).toEqual(a.predict(batch(9).x));
      a.dispose();
      b.dispose();
    }
    // the embedding task model and a file saved before any training both load
    const e = new Sequential([
      new Embedding({ numEmbeddings: 5, embeddingDim: 3 }),
      new LSTM({ inputSize: 3, hiddenSize: 2, stateful: true }),
    ]);
    const again = await Sequential.load(e.save());
    expect(again.predict({ data: new Float32Array([1, 2, 3]), shape: [1, 3] })).toEqual(
      e.predict({ data: new Float32Array([1, 2, 3]), shape: [1, 3] }),
    );
    e.dispose();
    again.dispose();
  });
});
