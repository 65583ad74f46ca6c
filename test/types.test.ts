// The package's TypeScript declarations as a user gets them: tsc over test/types/consumer.ts, which
// imports 'wasm-lstm', 'wasm-lstm/onnx', 'wasm-lstm/bench' and 'wasm-lstm/build/lstm.simd.wasm' by
// name (resolved through package.json's exports map to the built dist/, as in an installed project),
// under `strict` and without skipLibCheck (so a declaration that names a stripped @internal type
// fails here), once with the default conditions and once with workerd's.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));

function typecheck(extra: string[]): { status: number | null; errors: string[]; resolved: string[] } {
  const r = spawnSync(
    process.execPath,
    [
      TSC,
      '--noEmit',
      '--strict',
      '--noUncheckedIndexedAccess',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--lib',
      'es2022,dom',
      '--types',
      'node',
      '--listFiles',
      ...extra,
      'test/types/consumer.ts',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const lines = r.stdout.split('\n');
  return {
    status: r.status,
    errors: lines.filter((l) => /error TS\d+/.test(l)),
    resolved: lines.filter((l) => l.startsWith(ROOT)).map((l) => l.slice(ROOT.length)),
  };
}

describe('the published type declarations', () => {
  for (const extra of [[], ['--customConditions', 'workerd']]) {
    it(`type-check a strict consumer${extra.length ? ' (workerd condition)' : ''} with no errors`, () => {
      const { status, errors, resolved } = typecheck(extra);
      expect(errors).toEqual([]);
      expect(status).toBe(0);
      // every entry came from the built declarations, not from src/
      expect(resolved.filter((f) => f.startsWith('src/'))).toEqual([]);
      for (const f of ['dist/onnx.d.ts', 'dist/bench.d.ts', 'dist/wasm-module.d.ts', 'dist/thread-worker.d.ts'])
        expect(resolved).toContain(f);
      expect(resolved).toContain(extra.length ? 'dist/types/src/entries/workerd.d.ts' : 'dist/types/src/index.d.ts');
    }, 120_000);
  }
});
