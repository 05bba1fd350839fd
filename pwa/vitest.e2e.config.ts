import { defineConfig } from 'vitest/config';

// Tests that need a running server (ANLAN_URL); started by e2e/run.mjs.
export default defineConfig({
  test: {
    include: ['tests/**/*.e2e.ts'],
    environment: 'node',
    setupFiles: ['tests/setup.ts'],
    // Two Automerge clients and a real server round trip: a loaded CI machine takes more than
    // vitest's 5 s default, and a timeout here says nothing about the protocol.
    testTimeout: 30_000,
  },
});
