import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Relaxed SIMD is behind a flag on Node 20; with it the suite also covers the relaxed build.
    execArgv: ['--experimental-wasm-relaxed-simd'],
    pool: 'forks',
    // The test files are CPU-bound wasm and the main process mostly waits: one worker per core
    // (vitest's default leaves one core idle, which on 2 cores runs the files one at a time).
    maxWorkers: availableParallelism(),
    // The Dog-scares-Cat model, trained once by the CLI for the CLI, model and tasks tests.
    globalSetup: ['test/setup/dogcat.ts'],
  },
});
