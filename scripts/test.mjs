#!/usr/bin/env node
// The README's test command, after scripts/bootstrap.sh: the formatter's check (dprint), build,
// lint and pkgcheck through turbo, the incremental typecheck of the whole workspace (`tsc -b`, one process), the
// examples of the READMEs and the JSDoc (scripts/check-examples.mjs, one more tsc process), the dependency
// boundaries (dependency-cruiser), the error-codes bundle budget, then every test suite in one
// vitest run. Redis availability is vitest's business (vitest.shared.ts, a globalSetup): without
// Redis the Redis suites skip loudly and the run names them; with CI=true a missing Redis fails.
import { spawnSync } from "node:child_process"
import { join } from "node:path"

const root = new URL("..", import.meta.url).pathname
process.chdir(root)
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" }
const bin = (name) => join(root, "node_modules", ".bin", name)
const run = (label, cmd, args) => {
  console.log(`\n▶ ${label}`)
  const started = performance.now()
  const r = spawnSync(cmd, args, { stdio: "inherit", env })
  const took = `${((performance.now() - started) / 1000).toFixed(1)} s`
  if (r.status !== 0) {
    console.error(`\n✖ ${label} failed (exit ${r.status ?? r.signal}, ${took})`)
    process.exit(r.status || 1)
  }
  console.log(`✔ ${label} (${took})`)
}

run("formatting (dprint check)", bin("dprint"), ["check"])
run("build, lint, pkgcheck (turbo)", bin("turbo"), ["run", "build", "lint", "pkgcheck", "--output-logs=errors-only"])
run("typecheck (tsc -b, incremental)", bin("tsc"), ["-b"])
run("examples (README and JSDoc ```ts blocks, type-checked)", process.execPath, ["scripts/check-examples.mjs"])
run("dependency boundaries (dependency-cruiser)", bin("depcruise"), [
  "--config",
  ".dependency-cruiser.cjs",
  "packages",
  "apps",
  "bench",
  "reliability",
  "vitest.config.ts",
  "vitest.shared.ts",
  "tsup.config.base.ts"
])
run("error-codes bundle size (budget 1 KB gzipped)", process.execPath, ["bench/error-codes-size.ts", "--max", "1024"])
run("tests (vitest, every workspace)", bin("vitest"), ["run"])
