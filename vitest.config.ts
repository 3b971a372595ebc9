import { defineConfig } from "vitest/config"

// One run over every workspace's tests; each project keeps its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "reliability"]
  }
})
