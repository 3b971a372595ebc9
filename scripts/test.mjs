#!/usr/bin/env node
// The README's test command, after scripts/bootstrap.sh: build, typecheck, lint and pkgcheck through
// turbo, the dependency-boundary check, the error-codes bundle budget, then every test suite in
// one vitest run. Redis-backed suites need Redis at REDIS_URL (default redis://127.0.0.1:6379):
// without it they are skipped, loudly, unless CI=true, where a missing Redis is a failure.
import { spawnSync } from "node:child_process"
import { mkdirSync, readFileSync, rmSync } from "node:fs"
import { createConnection } from "node:net"
import { join, relative } from "node:path"

const root = new URL("..", import.meta.url).pathname
process.chdir(root)
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" }
env.REDIS_URL ??= "redis://127.0.0.1:6379"
const bin = (name) => join(root, "node_modules", ".bin", name)
const run = (label, cmd, args) => {
  console.log(`\n▶ ${label}`)
  const r = spawnSync(cmd, args, { stdio: "inherit", env })
  if (r.status !== 0) {
    console.error(`\n✖ ${label} failed (exit ${r.status ?? r.signal})`)
    process.exit(r.status || 1)
  }
}

const howToEnable = `To run them: start Redis (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no)\n` +
  "or set REDIS_URL to a Redis server, then run this command again. The reliability suite also needs redis-server on PATH."
const warnRedis = (text) => {
  const bar = "!".repeat(78)
  console.warn(`\n${bar}\n${text.split("\n").map((l) => `!! ${l}`).join("\n")}\n${bar}\n`)
}

const pingRedis = (url) =>
  new Promise((done) => {
    const { hostname, port } = new URL(url)
    const socket = createConnection({ host: hostname || "127.0.0.1", port: Number(port) || 6379 })
    const finish = (ok) => (socket.destroy(), done(ok))
    socket.setTimeout(1000, () => finish(false))
    socket.on("error", () => finish(false))
    socket.on("connect", () => socket.write("PING\r\n"))
    socket.on("data", (d) => finish(d.toString().startsWith("+PONG")))
  })

if (!(await pingRedis(env.REDIS_URL))) {
  const where = env.REDIS_URL.replace(/\/\/[^@]*@/, "//")
  if (env.CI === "true") {
    console.error(`✖ Redis does not answer at ${where}; with CI=true the Redis suites must run.`)
    process.exit(1)
  }
  env.BING_EFFECT_SKIP_REDIS = "1"
  warnRedis(`Redis does not answer at ${where}: the Redis-backed suites will be SKIPPED (listed at the end).`)
} else {
  delete env.BING_EFFECT_SKIP_REDIS
}

run("build, typecheck, lint, pkgcheck (turbo)", bin("turbo"), ["run", "build", "typecheck", "lint", "pkgcheck", "--output-logs=errors-only"])
run("dependency boundaries", process.execPath, ["scripts/check-boundaries.mjs"])
run("error-codes bundle size (budget 1 KB gzipped)", process.execPath, ["bench/error-codes-size.ts", "--max", "1024"])

mkdirSync(".tools", { recursive: true })
const report = join(".tools", "vitest-report.json")
rmSync(report, { force: true }) // never read a previous run's figures
console.log("\n▶ tests (vitest, every workspace)")
const t = spawnSync(bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`], { stdio: "inherit", env })
let summary = ""
let skippedFiles = []
try {
  const r = JSON.parse(readFileSync(report, "utf8"))
  summary = `tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`
  skippedFiles = r.testResults
    .filter((file) => file.assertionResults.some((a) => a.status === "skipped" || a.status === "pending"))
    .map((file) => `${relative(root, file.name)} (${file.assertionResults.filter((a) => a.status === "skipped" || a.status === "pending").length} skipped)`)
} catch {}
if (env.BING_EFFECT_SKIP_REDIS) {
  warnRedis(`Redis was not available, so these suites SKIPPED their Redis tests:\n  ${skippedFiles.join("\n  ")}\n${howToEnable}`)
}
if (summary) console.log(`\n${summary}`)
process.exit(t.status ?? 1)
