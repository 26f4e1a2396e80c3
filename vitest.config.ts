import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Says loudly at the end which optional suites (moto, corpus) were skipped and how to run them.
    globalSetup: ["test/support/skip-banner.ts"],
  },
});
