import { defineConfig } from "vitest/config"

export default defineConfig({
  // The tests run the built program as a subprocess: allow for process start-up on a busy machine.
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["../../vitest.shared.ts", "./test/support/ptySetup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
