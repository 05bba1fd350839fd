import { defineConfig } from 'vitest/config';

// Tests that need a running server (ANLAN_URL); started by e2e/run.mjs.
export default defineConfig({
  test: {
    include: ['tests/**/*.e2e.ts'],
    environment: 'node',
    setupFiles: ['tests/setup.ts'],
  },
});
