import { defineConfig } from "vitest/config"
import { ChromiumReport, PostgresReport, RedisReport, SummaryLine } from "./vitest.shared.ts"

// One run over every workspace's tests; each project keeps its own vitest.config.ts, and those
// that have Redis or PostgreSQL suites run ./vitest.shared.ts as their globalSetup (`inject("redis")`,
// `inject("postgres")`, and `inject("chromium")` for the browser tests).
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "reliability"],
    reporters: ["default", new RedisReport(), new PostgresReport(), new ChromiumReport(), new SummaryLine()]
  }
})
