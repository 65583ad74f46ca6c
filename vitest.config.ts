import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Relaxed SIMD is behind a flag on Node 20; with it the suite also covers the relaxed build.
    execArgv: ['--experimental-wasm-relaxed-simd'],
    pool: 'forks',
  },
});
