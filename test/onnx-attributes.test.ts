// Every LSTM / GRU / RNN attribute, with random weights (distinct per gate, so a gate-order or
// peephole-order mistake shows), run by OnnxSession and by onnxruntime-node on the same file:
// all requested outputs within 1e-5. onnxruntime's CPU kernels refuse layout = 1, so layout-1
// files are checked against onnxruntime running the same weights in layout 0, transposed.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { init, LSTMError, supportedBuilds } from '../src/index.js';
import { OnnxSession } from '../src/onnx/index.js';
import { type RecurrentCase, buildRecurrent, runOrt, maxAbsDiff, permute } from './onnx-graphs.js';

const TOLERANCE = 1e-5;
const bidi = { direction: 'bidirectional' };
const hard = {
  activations: ['HardSigmoid', 'Tanh', 'Tanh'],
  activation_alpha: { floats: [0.3] },
  activation_beta: { floats: [0.6] },
};
const hardGru = {
  activations: ['HardSigmoid', 'Tanh'],
  activation_alpha: { floats: [0.3] },
  activation_beta: { floats: [0.6] },
};
const hard2 = {
  activations: ['HardSigmoid', 'Tanh', 'Tanh', 'HardSigmoid', 'Tanh', 'Tanh'],
  activation_alpha: { floats: [0.3, 0.3] },
  activation_beta: { floats: [0.6, 0.6] },
};
const clip = { clip: { float: 0.7 } };

const CASES: RecurrentCase[] = [
  { name: 'LSTM forward', op: 'LSTM' },
  { name: 'LSTM direction=reverse', op: 'LSTM', attrs: { direction: 'reverse' } },
  { name: 'LSTM bidirectional', op: 'LSTM', attrs: bidi },
  { name: 'LSTM without B', op: 'LSTM', noBias: true },
  { name: 'LSTM sequence_lens (one of them 0)', op: 'LSTM', lens: [5, 2, 0], initialH: true, initialC: true },
  { name: 'LSTM bidirectional sequence_lens', op: 'LSTM', attrs: bidi, lens: [3, 5, 1] },
  { name: 'LSTM reverse sequence_lens', op: 'LSTM', attrs: { direction: 'reverse' }, lens: [4, 1, 5], initialH: true },
  { name: 'LSTM initial_h and initial_c, bidirectional', op: 'LSTM', attrs: bidi, initialH: true, initialC: true },
  { name: 'LSTM peepholes P', op: 'LSTM', peephole: true, initialC: true },
  { name: 'LSTM peepholes, bidirectional', op: 'LSTM', attrs: bidi, peephole: true },
  { name: 'LSTM clip', op: 'LSTM', attrs: clip, scale: 3 },
  { name: 'LSTM clip with peepholes', op: 'LSTM', attrs: clip, scale: 3, peephole: true, initialC: true },
  { name: 'LSTM HardSigmoid(0.3, 0.6)', op: 'LSTM', attrs: hard, scale: 2 },
  {
    name: 'LSTM HardSigmoid, default alpha and beta',
    op: 'LSTM',
    attrs: { activations: ['HardSigmoid', 'Tanh', 'Tanh'] },
    scale: 2,
  },
  { name: 'LSTM input_forget', op: 'LSTM', attrs: { input_forget: 1 } },
  { name: 'LSTM input_forget with peepholes', op: 'LSTM', attrs: { input_forget: 1 }, peephole: true, initialC: true },
  {
    name: 'LSTM everything: bidirectional, lens, states, P, clip, HardSigmoid',
    op: 'LSTM',
    attrs: { ...bidi, ...clip, ...hard2 },
    lens: [2, 5, 4],
    initialH: true,
    initialC: true,
    peephole: true,
    scale: 2,
  },
  { name: 'LSTM only Y_h requested', op: 'LSTM', outputs: ['', 'Y_h'] },
  { name: 'LSTM only Y_c requested', op: 'LSTM', outputs: ['', '', 'Y_c'], attrs: bidi },
  { name: 'GRU linear_before_reset=1 (PyTorch)', op: 'GRU', attrs: { linear_before_reset: 1 } },
  { name: 'GRU linear_before_reset=0 (the ONNX default)', op: 'GRU' },
  { name: 'GRU reverse', op: 'GRU', attrs: { direction: 'reverse', linear_before_reset: 1 } },
  {
    name: 'GRU bidirectional, lens, initial_h',
    op: 'GRU',
    attrs: { ...bidi, linear_before_reset: 1 },
    lens: [1, 5, 3],
    initialH: true,
  },
  { name: 'GRU clip', op: 'GRU', attrs: { ...clip, linear_before_reset: 1 }, scale: 3 },
  { name: 'GRU clip, reset before', op: 'GRU', attrs: clip, scale: 3 },
  { name: 'GRU HardSigmoid(0.3, 0.6)', op: 'GRU', attrs: { ...hardGru, linear_before_reset: 1 }, scale: 2 },
  {
    name: 'GRU everything: bidirectional, reset before, clip, HardSigmoid, lens, initial_h',
    op: 'GRU',
    attrs: {
      ...bidi,
      ...clip,
      activations: ['HardSigmoid', 'Tanh', 'HardSigmoid', 'Tanh'],
      activation_alpha: { floats: [0.25, 0.25] },
    },
    lens: [5, 0, 2],
    initialH: true,
    scale: 2,
  },
  { name: 'RNN Tanh', op: 'RNN' },
  { name: 'RNN Relu', op: 'RNN', attrs: { activations: ['Relu'] } },
  { name: 'RNN reverse', op: 'RNN', attrs: { direction: 'reverse' } },
  {
    name: 'RNN bidirectional Relu, lens, initial_h',
    op: 'RNN',
    attrs: { ...bidi, activations: ['Relu', 'Relu'] },
    lens: [2, 4, 5],
    initialH: true,
  },
  { name: 'RNN clip', op: 'RNN', attrs: clip, scale: 3 },
];

const LAYOUT_CASES = CASES.filter((c) =>
  [
    'LSTM bidirectional',
    'LSTM everything: bidirectional, lens, states, P, clip, HardSigmoid',
    'GRU bidirectional, lens, initial_h',
    'RNN bidirectional Relu, lens, initial_h',
    'LSTM reverse sequence_lens',
  ].includes(c.name),
);

let worst = 0;
afterAll(() => {
  console.log(`ONNX attribute coverage: max |OnnxSession − onnxruntime-node| = ${worst.toExponential(2)}`);
});

describe.each(supportedBuilds())('ONNX recurrent attributes against onnxruntime-node (%s build)', (build) => {
  beforeAll(async () => {
    await init({ build });
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const { bytes, feeds, outputs } = buildRecurrent(c);
    const want = await runOrt(bytes, feeds);
    const session = await OnnxSession.create(bytes);
    const got = session.run(feeds);
    expect(Object.keys(got).sort()).toEqual(outputs.slice().sort());
    for (const name of outputs) {
      expect(got[name]!.shape, name).toEqual(want[name]!.shape);
      const d = maxAbsDiff(got[name]!.data, want[name]!.data);
      worst = Math.max(worst, d);
      expect(d, name).toBeLessThanOrEqual(TOLERANCE);
    }
    session.dispose();
  });

  it.each(LAYOUT_CASES.map((c) => [c.name, c] as const))('layout=1: %s', async (_, c) => {
    const time = buildRecurrent(c, 0),
      batch = buildRecurrent(c, 1);
    const want = await runOrt(time.bytes, time.feeds);
    const session = await OnnxSession.create(batch.bytes);
    const got = session.run(batch.feeds);
    for (const name of batch.outputs) {
      // layout 0 -> 1: Y [T, D, B, H] -> [B, T, D, H]; Y_h, Y_c [D, B, H] -> [B, D, H]
      const w = want[name]!,
        expected = name === 'Y' ? permute(w.data, w.shape, [2, 0, 1, 3]) : permute(w.data, w.shape, [1, 0, 2]);
      expect(got[name]!.shape, name).toEqual(expected.shape);
      const d = maxAbsDiff(got[name]!.data, expected.data);
      worst = Math.max(worst, d);
      expect(d, name).toBeLessThanOrEqual(TOLERANCE);
    }
    session.dispose();
  });
});

describe('recurrent attributes this library cannot run', () => {
  beforeAll(async () => {
    await init();
  });
  const refused: [string, RecurrentCase, RegExp][] = [
    [
      'a Relu gate activation',
      { name: '', op: 'LSTM', attrs: { activations: ['Relu', 'Tanh', 'Tanh'] } },
      /gate activation relu/,
    ],
    [
      'a Sigmoid cell activation',
      { name: '', op: 'LSTM', attrs: { activations: ['Sigmoid', 'Sigmoid', 'Tanh'] } },
      /Tanh/,
    ],
    [
      'different activations per direction',
      { name: '', op: 'GRU', attrs: { ...bidi, activations: ['Sigmoid', 'Tanh', 'HardSigmoid', 'Tanh'] } },
      /different activations/,
    ],
    ['an RNN with Sigmoid', { name: '', op: 'RNN', attrs: { activations: ['Sigmoid'] } }, /RNN activation sigmoid/],
    [
      'input_forget with HardSigmoid beta ≠ 0.5',
      { name: '', op: 'LSTM', attrs: { input_forget: 1, ...hard } },
      /input_forget with a HardSigmoid/,
    ],
  ];
  it.each(refused)('%s is UNSUPPORTED_OP at create, naming the node', async (_, c, message) => {
    const { bytes } = buildRecurrent(c);
    const err = await OnnxSession.create(bytes).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LSTMError);
    expect((err as LSTMError).code).toBe('UNSUPPORTED_OP');
    expect((err as LSTMError).message).toMatch(message);
    expect((err as LSTMError).argument).toMatch(new RegExp(`^${c.op} node`));
  });
});
