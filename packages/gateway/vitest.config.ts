import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["../../vitest.shared.ts"],
    // Each test starts a real emulator and gateway on sockets (several start two): 1-3 s on a quiet
    // machine, past vitest's 5 s default on a loaded 2-core one. A hang still fails, at 20 s.
    testTimeout: 20_000
  }
})
