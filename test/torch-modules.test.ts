// Whole PyTorch modules: state dicts with submodule prefixes ('rnn.weight_ih_l0', 'fc.weight')
// loaded with { prefix } / { prefixes } and written back, and the model file that
// scripts/torch_to_wasm_lstm.py writes read by Sequential.load. Outputs are compared with
// PyTorch's own (stored by test/fixtures/torch/make_torch_fixtures.py). The committed fixtures
// run everywhere; the same script is also run live when /usr/bin/python3 has torch.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  init,
  readSafetensors,
  Sequential,
  LSTM,
  GRU,
  Dense,
  Dropout,
  LSTMError,
  type StateDict,
} from '../src/index.js';
import { maxAbsDiff as maxDiff } from './reference/lstm64.js';

const FIXTURES = 'test/fixtures/torch';
const PYTHON = '/usr/bin/python3';
const torchCheck = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const hasTorch = torchCheck.status === 0;
const measured: number[] = [];

const read = async (dir: string, name: string): Promise<StateDict> => readSafetensors(await readFile(join(dir, name)));

/** The three PyTorch-written fixtures in `dir`, each loaded and compared with PyTorch's outputs. */
async function checkFixtures(dir: string): Promise<void> {
  // 1. the model file written by scripts/torch_to_wasm_lstm.py
  {
    const model = await Sequential.load(await readFile(join(dir, 'lstm-linear.model.safetensors')));
    const io = await read(dir, 'lstm-linear.io.safetensors');
    expect(model.layers.map((l) => l.kind)).toEqual(['LSTM', 'Dense']);
    const d = maxDiff(model.predict({ data: io.x!.data, shape: io.x!.shape }).data, io.y!.data);
    measured.push(d);
    expect(d).toBeLessThanOrEqual(1e-5);
    model.dispose();
  }
  // 2. a module wrapping a bidirectional LSTM, Dropout and Linear (keys rnn.*, fc.*)
  {
    const dict = await read(dir, 'bilstm-wrapper.safetensors');
    const io = await read(dir, 'bilstm-wrapper.io.safetensors');
    const model = new Sequential([
      new LSTM({ inputSize: 3, hiddenSize: 6, bidirectional: true, returnSequences: true }),
      new Dropout({ rate: 0.25 }),
      new Dense({ inputSize: 12, outputSize: 2 }),
    ]);
    const prefixes = ['rnn.', 'fc.']; // Dropout has no parameters, and no prefix
    model.loadStateDict(dict, { prefixes });
    const d = maxDiff(model.predict({ data: io.x!.data, shape: io.x!.shape }).data, io.y!.data);
    measured.push(d);
    expect(d).toBeLessThanOrEqual(1e-5);
    // and back: the same keys as PyTorch's state_dict(), the same values
    const back = model.stateDict({ prefixes });
    expect(Object.keys(back).sort()).toEqual(Object.keys(dict).sort());
    for (const [k, t] of Object.entries(dict)) {
      expect(back[k]!.shape).toEqual(t.shape);
      expect(maxDiff(back[k]!.data, t.data)).toBe(0);
    }
    model.dispose();
  }
  // 3. a module wrapping a 2-layer GRU (out[:, -1]) and a Linear named `head`
  {
    const dict = await read(dir, 'gru-wrapper.safetensors');
    const io = await read(dir, 'gru-wrapper.io.safetensors');
    const model = new Sequential([
      new GRU({ inputSize: 4, hiddenSize: 5, numLayers: 2 }),
      new Dense({ inputSize: 5, outputSize: 3 }),
    ]);
    model.loadStateDict(dict, { prefixes: ['gru.', 'head.'] });
    const d = maxDiff(model.predict({ data: io.x!.data, shape: io.x!.shape }).data, io.y!.data);
    measured.push(d);
    expect(d).toBeLessThanOrEqual(1e-5);
    model.dispose();
  }
}

describe('PyTorch modules: prefixes and the model file', () => {
  beforeAll(async () => {
    await init();
  });

  it('committed fixtures written by PyTorch load and match its outputs', async () => {
    await checkFixtures(FIXTURES);
    console.log(`max |ours − PyTorch| over ${measured.length} models: ${Math.max(...measured).toExponential(2)}`);
  });

  if (!hasTorch)
    console.log(
      `live PyTorch test skipped: ${PYTHON} cannot import torch (${(torchCheck.stderr || String(torchCheck.error)).trim().split('\n').pop()})`,
    );
  it.skipIf(!hasTorch)('live: the scripts run with this machine’s PyTorch and their files load', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wasm-lstm-torch-'));
    try {
      const gen = spawnSync(PYTHON, ['test/fixtures/torch/make_torch_fixtures.py', dir], { encoding: 'utf8' });
      expect(gen.stderr).toBe('');
      expect(gen.status).toBe(0);
      await checkFixtures(dir);
      const file = join(dir, 'doc-example.safetensors');
      const doc = spawnSync(PYTHON, ['scripts/torch_to_wasm_lstm.py', file], { encoding: 'utf8' });
      expect(doc.status).toBe(0);
      const model = await Sequential.load(await readFile(file));
      expect(model.layers.map((l) => [l.kind, l.config().hiddenSize ?? l.config().outputSize])).toEqual([
        ['LSTM', 16],
        ['Dense', 1],
      ]);
      model.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('layer.loadStateDict({ prefix }) reads only its keys', async () => {
    const dict = await read(FIXTURES, 'bilstm-wrapper.safetensors');
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 6, bidirectional: true });
    lstm.loadStateDict(dict, { prefix: 'rnn.' }); // fc.* is not its business
    expect(maxDiff(lstm.stateDict().weight_hh_l0_reverse!.data, dict['rnn.weight_hh_l0_reverse']!.data)).toBe(0);
    expect(Object.keys(lstm.stateDict({ prefix: 'rnn.' }))).toContain('rnn.bias_ih_l0');
    const missing = { ...dict };
    delete missing['rnn.bias_hh_l0'];
    // (a layer names its own tensor; Sequential.loadStateDict adds the prefix back, below)
    expect(() => lstm.loadStateDict(missing, { prefix: 'rnn.' })).toThrow(
      expect.objectContaining({ code: 'STATE_DICT_MISSING', argument: 'bias_hh_l0' }),
    );
    const extra = { ...dict, 'rnn.weight_ih_l1': dict['rnn.weight_ih_l0']! };
    expect(() => lstm.loadStateDict(extra, { prefix: 'rnn.' })).toThrow(
      expect.objectContaining({ code: 'STATE_DICT_UNEXPECTED', argument: 'weight_ih_l1' }),
    );
    expect(() => lstm.loadStateDict(dict, { prefix: 5 as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'prefix' }),
    );
    const dense = new Dense({ inputSize: 12, outputSize: 2 });
    dense.loadStateDict(dict, { prefix: 'fc.' });
    expect(Array.from(dense.stateDict().bias!.data)).toEqual(Array.from(dict['fc.bias']!.data));
    lstm.dispose();
    dense.dispose();
  });

  it('model.loadStateDict({ prefixes }): one per layer or per layer with parameters, every key claimed, atomic', async () => {
    const dict = await read(FIXTURES, 'bilstm-wrapper.safetensors');
    const model = new Sequential([
      new LSTM({ inputSize: 3, hiddenSize: 6, bidirectional: true, returnSequences: true, seed: 9 }),
      new Dropout({ rate: 0.25 }),
      new Dense({ inputSize: 12, outputSize: 2, seed: 9 }),
    ]);
    const before = model.stateDict();
    expect(Object.keys(before)).toContain('layers.0.weight_ih_l0'); // default names: those of save()
    // one prefix per layer works too (the Dropout's prefix claims nothing here)
    model.loadStateDict(dict, { prefixes: ['rnn.', 'drop.', 'fc.'] });
    expect(maxDiff(model.stateDict({ prefixes: ['rnn.', 'fc.'] })['fc.weight']!.data, dict['fc.weight']!.data)).toBe(0);
    model.loadStateDict(before);
    for (const wrong of [['rnn.'], ['rnn.', 'drop.', 'fc.', 'x.'], ['rnn.', 5]])
      expect(() => model.loadStateDict(dict, { prefixes: wrong as string[] })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'prefixes' }),
      );
    const missing = { ...dict };
    delete missing['rnn.bias_hh_l0_reverse'];
    expect(() => model.loadStateDict(missing, { prefixes: ['rnn.', 'fc.'] })).toThrow(
      expect.objectContaining({ code: 'STATE_DICT_MISSING', argument: 'rnn.bias_hh_l0_reverse' }),
    );
    expect(() =>
      model.loadStateDict({ ...dict, 'other.weight': dict['fc.weight']! }, { prefixes: ['rnn.', 'fc.'] }),
    ).toThrow(expect.objectContaining({ code: 'STATE_DICT_UNEXPECTED', argument: 'other.weight' }));
    // the LSTM loads, then the Dense fails: the LSTM must be back to its old weights
    const bad = { ...dict, 'fc.weight': { shape: [2, 11], data: new Float32Array(22) } };
    let error: unknown = null;
    try {
      model.loadStateDict(bad, { prefixes: ['rnn.', 'fc.'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LSTMError);
    expect((error as LSTMError).argument).toBe('fc.weight');
    const after = model.stateDict();
    for (const k of Object.keys(before)) expect(maxDiff(after[k]!.data, before[k]!.data)).toBe(0);
    // the default names round trip
    model.loadStateDict(before);
    model.dispose();
  });
});
