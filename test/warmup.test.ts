// The warm-up init() schedules (kernels.warmUp over its own scratch block): it runs in every build,
// touches nothing outside its scratch (a live layer's weights and outputs are unchanged), and gives
// the scratch back (its int8 pass as well).
import { beforeAll, describe, expect, it } from 'vitest';
import { init, LSTM, supportedBuilds } from '../src/index.js';
import { currentRuntime } from '../src/runtime.js';

for (const build of supportedBuilds()) {
  describe(`warm-up, ${build} build`, () => {
    beforeAll(async () => {
      await init({ build });
    });

    it('runs every cell and leaves other memory alone', () => {
      const rt = currentRuntime();
      const lstm = new LSTM({ inputSize: 4, hiddenSize: 6, seed: 3 });
      const x = new Float32Array(2 * 5 * 4).map((_, i) => Math.sin(i));
      const before = lstm.forward(x, { batch: 2, steps: 5 }).output,
        weights = lstm.stateDict();
      const int8 = lstm.quantize({ weights: 'int8' }),
        int8Before = int8.forward(x, { batch: 2, steps: 5 }).output;
      const live = rt.arena.liveBytes;
      const ptr = rt.arena.alloc(rt.kernels.warmUpScratchBytes(), 'warm-up scratch');
      rt.kernels.warmUp(ptr);
      rt.arena.free(ptr);
      expect(rt.arena.liveBytes).toBe(live);
      expect(lstm.forward(x, { batch: 2, steps: 5 }).output).toEqual(before);
      const after = lstm.stateDict();
      for (const k of Object.keys(weights)) expect(after[k]!.data).toEqual(weights[k]!.data);
      expect(int8.forward(x, { batch: 2, steps: 5 }).output).toEqual(int8Before); // the int8 pass too
      int8.dispose();
      lstm.dispose();
    });
  });
}

describe('warm-up scheduling', () => {
  it('init() schedules it after resolving and it frees its scratch', async () => {
    await init({ build: 'scalar' });
    const rt = currentRuntime(),
      live = rt.arena.liveBytes;
    await new Promise((r) => setTimeout(r, 20));
    expect(rt.arena.liveBytes).toBe(live);
  });
});
