import { defineConfig } from "vitest/config"

// The scenarios start processes, servers and bursts of sockets: run the files one after another so
// they do not compete for the CPU (each test sets its own finite timeout).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["../vitest.shared.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000
  }
})
