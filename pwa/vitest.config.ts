import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['tests/setup.ts'],
    // A file's first test pays for loading Automerge's wasm; on a loaded CI machine that alone
    // passed the 5 s default. Slowness is measured by the benchmarks, not here.
    testTimeout: 20_000,
  },
});
