// Model files written by earlier versions still load, optimizer state included, and training resumes
// from them: test/fixtures/sine-model.safetensors was saved (with Adam's state) before the kernel/host
// seam was restructured.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Sequential, tasks } from '../src/index.js';

describe('model files from earlier versions', () => {
  it('sine-model.safetensors loads with its optimizer state and keeps training', async () => {
    const bytes = readFileSync(new URL('./fixtures/sine-model.safetensors', import.meta.url));
    const model = await Sequential.load(bytes);
    expect(model.optimizer?.kind).toBe('Adam');
    const [layer] = model.layers;
    expect(model.optimizer!.stepsFor(layer!)).toBeGreaterThan(0);
    const { x, y } = tasks.sineTask(8, 20, { manyToOne: true });
    const first = model.evaluate(x, y).loss;
    expect(Number.isFinite(first)).toBe(true);
    expect(Number.isFinite(model.trainOnBatch(x, y))).toBe(true);
    model.dispose();
  });
});
