// `npm run soak`: long runs that check memory stays flat (test/soak/*.soak.ts), kept out of `npm test`.
// SOAK_SCALE=0.05 runs the short version CI uses.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/soak/**/*.soak.ts'],
    testTimeout: 3_600_000,
    pool: 'forks',
  },
});
