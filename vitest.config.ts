import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Compiles the CLI to dist/ first: tests that run the binary run the current sources.
    globalSetup: ['test/helpers/buildCli.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // Tests train small models and start onnxruntime sessions: keep them in separate processes
    // and not more than the two cores this project is sized for.
    pool: 'forks',
    maxWorkers: 2,
  },
});
