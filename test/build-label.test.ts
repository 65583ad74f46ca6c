// init({ wasm }) labels a host-loaded module by what it is (its 'wasm-lstm.build' custom section,
// written by scripts/build-wasm.mjs), not by the best build the engine supports. This file runs in
// its own process (vitest forks), so no build is loaded before the first init() below.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LSTM, LSTMError, init, supportedBuilds } from '../src/index.js';
import { currentRuntime } from '../src/runtime.js';
import { BUILD_SECTION, markedBuild } from '../src/build-marker.js';

const file = (b: string) => readFileSync(new URL(`../build/lstm.${b}.wasm`, import.meta.url));

async function expectInitError(options: Parameters<typeof init>[0], argument: string): Promise<void> {
  let caught: unknown;
  try {
    await init(options);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(LSTMError);
  expect((caught as LSTMError).code).toBe('INVALID_ARGUMENT');
  expect((caught as LSTMError).argument).toBe(argument);
}

describe('init({ wasm }) build label', () => {
  it('every built file carries its own marker', () => {
    for (const [f, b] of [
      ['scalar', 'scalar'],
      ['simd', 'simd'],
      ['relaxed', 'relaxed-simd'],
    ] as const) {
      // compiling the relaxed file needs relaxed SIMD; the marker is readable from any module
      if (b === 'relaxed-simd' && !supportedBuilds().includes(b)) continue;
      expect(markedBuild(new WebAssembly.Module(file(f)))).toBe(b);
    }
  });

  it('scalar bytes without `build` report scalar, although a better build is supported', async () => {
    expect(supportedBuilds()[0]).not.toBe('scalar'); // otherwise this test could not tell
    const info = await init({ wasm: file('scalar') });
    expect(info.build).toBe('scalar');
    expect(currentRuntime().build).toBe('scalar');
    // and the module is filed under 'scalar': naming that build now reuses it, layers work on it
    expect((await init({ build: 'scalar' })).build).toBe('scalar');
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, seed: 1 });
    expect(lstm.forward(new Float32Array(4).fill(0.5), { batch: 1, steps: 2 }).output.every(Number.isFinite)).toBe(
      true,
    );
    lstm.dispose();
  });

  it('a module that is another build than the one named: INVALID_ARGUMENT (build)', async () => {
    // (checked when a build is first loaded; a build already loaded is reused as it is)
    await expectInitError({ wasm: file('scalar'), build: 'simd' }, 'build');
  });

  it('a WebAssembly.Module and a file: URL are labelled the same way', async () => {
    expect((await init({ wasm: new WebAssembly.Module(file('simd')) })).build).toBe('simd');
    expect((await init({ wasm: new URL('../build/lstm.simd.wasm', import.meta.url) })).build).toBe('simd');
  });

  it('a module without the marker needs `build`; with it, the caller’s name is taken', async () => {
    const bytes = file('scalar');
    const module = new WebAssembly.Module(bytes);
    // The marker is the file's last section: 0, size, name length, name, payload 'scalar'.
    const markerBytes = 1 + 1 + 1 + BUILD_SECTION.length + 'scalar'.length;
    const unmarked = bytes.subarray(0, bytes.length - markerBytes);
    expect(markedBuild(new WebAssembly.Module(unmarked))).toBeNull();
    expect(markedBuild(module)).toBe('scalar');
    await expectInitError({ wasm: unmarked }, 'wasm');
    expect((await init({ wasm: unmarked, build: 'scalar' })).build).toBe('scalar');
  });
});
