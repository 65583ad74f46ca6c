// ONNX import against PyTorch: the graphs torch.onnx.export wrote (test/fixtures/onnx, made by
// scripts/make-onnx-fixtures.py with Debian's python3-torch) run through OnnxSession, and every
// output must match what PyTorch computed for the same inputs, within 1e-5 absolute.
import { readFileSync } from 'node:fs';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { init, supportedBuilds } from '../src/index.js';
import { OnnxSession } from '../src/onnx/index.js';

interface JsonTensor {
  shape: number[];
  data: number[];
  type: string;
}
interface Fixture {
  file: string;
  opset: number;
  dynamic: boolean;
  ops: string[];
  runs: { inputs: Record<string, JsonTensor>; outputs: Record<string, JsonTensor> }[];
}

const DIR = new URL('./fixtures/onnx/', import.meta.url);
const { fixtures } = JSON.parse(readFileSync(new URL('torch.json', DIR), 'utf8')) as { fixtures: Fixture[] };
const TOLERANCE = 1e-5;

const feed = (t: JsonTensor) => ({
  data: t.type.startsWith('float') ? Float32Array.from(t.data) : BigInt64Array.from(t.data.map(BigInt)),
  shape: t.shape,
});

function maxDiff(a: Float32Array, b: number[]): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

let worst = 0;
afterAll(() => {
  console.log(`torch.onnx.export fixtures: max |OnnxSession − PyTorch| = ${worst.toExponential(2)}`);
});

describe.each(supportedBuilds())('torch.onnx.export graphs (%s build)', (build) => {
  beforeAll(async () => {
    await init({ build });
  });

  it.each(fixtures.map((f) => [f.file, f] as const))('%s matches PyTorch', async (_, fx) => {
    const session = await OnnxSession.create(new URL(fx.file, DIR));
    expect(session.opset).toBe(fx.opset);
    expect(session.producer).toBe('pytorch');
    expect([...session.inputNames]).toEqual(Object.keys(fx.runs[0]!.inputs));
    for (const run of fx.runs) {
      const out = session.run(Object.fromEntries(Object.entries(run.inputs).map(([k, v]) => [k, feed(v)])));
      for (const [name, want] of Object.entries(run.outputs)) {
        expect(out[name]!.shape, `${name} shape`).toEqual(want.shape);
        const d = maxDiff(out[name]!.data, want.data);
        worst = Math.max(worst, d);
        expect(d, `${fx.file} ${name}`).toBeLessThanOrEqual(TOLERANCE);
      }
    }
    session.dispose();
  });
});

it('the fixtures cover opsets 9 to 17, dynamic and static axes, and the operators the issue lists', () => {
  const opsets = new Set(fixtures.map((f) => f.opset));
  for (let o = 9; o <= 17; o++) expect(opsets.has(o), `opset ${o}`).toBe(true);
  expect(fixtures.some((f) => f.dynamic) && fixtures.some((f) => !f.dynamic)).toBe(true);
  const ops = new Set(fixtures.flatMap((f) => f.ops));
  for (const op of [
    'LSTM',
    'GRU',
    'RNN',
    'Gemm',
    'MatMul',
    'Add',
    'Softmax',
    'LogSoftmax',
    'Transpose',
    'Reshape',
    'Squeeze',
    'Unsqueeze',
    'Slice',
    'Gather',
    'Concat',
    'Shape',
    'Expand',
    'Constant',
    'ConstantOfShape',
    'Sub',
    'Mul',
    'Div',
    'Relu',
    'Tanh',
    'Sigmoid',
    'Flatten',
    'Cast',
  ])
    expect(ops.has(op), op).toBe(true);
});
