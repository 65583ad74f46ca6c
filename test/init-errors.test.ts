// Issue 10 #14: init() given something that is not our wasm reports a typed LSTMError (not a
// CompileError, LinkError or a file-system error), and a failed init caches nothing. Its own file:
// the scalar build must not have been loaded by this process before.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { init, LSTM } from '../src/index.js';
import { expectRejection } from './helpers/lstm-error.js';

describe('issue 10 #14: init with a bad wasm source', () => {
  it('bytes that are not wasm, a module that is not ours, a missing file, a directory, a wrong type', async () => {
    const opts = (wasm: unknown) => ({ build: 'scalar' as const, wasm: wasm as Uint8Array });
    await expectRejection(init(opts(new Uint8Array([1, 2, 3, 4]))), 'INVALID_ARGUMENT', 'wasm');
    await expectRejection(init(opts(new TextEncoder().encode('<html>404</html>'))), 'INVALID_ARGUMENT', 'wasm');
    // a valid but empty module: no exports
    await expectRejection(init(opts(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))), 'INVALID_ARGUMENT', 'wasm');
    const dir = mkdtempSync(join(tmpdir(), 'wasm-lstm-init-'));
    await expectRejection(init(opts(pathToFileURL(join(dir, 'missing.wasm')))), 'BUILD_UNAVAILABLE', 'wasm');
    await expectRejection(init(opts(pathToFileURL(dir))), 'BUILD_UNAVAILABLE', 'wasm');
    for (const bad of [42, null, {}, [1, 2]]) await expectRejection(init(opts(bad)), 'INVALID_ARGUMENT', 'wasm');
    // nothing was cached: the real build still loads, and works
    expect((await init({ build: 'scalar' })).build).toBe('scalar');
    const lstm = new LSTM({ inputSize: 1, hiddenSize: 2 });
    expect(lstm.forward(new Float32Array([1]), { batch: 1, steps: 1 }).output.every(Number.isFinite)).toBe(true);
    lstm.dispose();
  });
});
