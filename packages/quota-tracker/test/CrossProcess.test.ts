/**
 * Several OS processes share one store: together they admit exactly the limit, and counts survive a
 * process killed with SIGKILL. The workers import the built package (run the build first).
 */
import { NodeRedis } from "@effect/platform-node"
import { Effect, Layer, Redacted } from "effect"
import { Redis } from "effect/persistence"
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, inject, it } from "vitest"
import { QuotaStore, QuotaTracker, Tier } from "../src/index.js"
import { RedisStore } from "../src/redis.js"

const worker = fileURLToPath(new URL("./fixtures/worker.mjs", import.meta.url))
const built = fileURLToPath(new URL("../dist/index.js", import.meta.url))
const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
const dir = mkdtempSync(join(tmpdir(), "quota-xproc-"))
const runId = `${process.pid}-${Date.now()}`
const prefixes: Array<string> = []
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  if (prefixes.length === 0 || !inject("redis")) return
  await Effect.runPromise(
    Effect.gen(function*() {
      const redis = yield* Redis.Redis
      for (const prefix of prefixes) {
        const keys = yield* redis.send<Array<string>>("KEYS", `${prefix}*`)
        if (keys.length > 0) yield* redis.send("DEL", ...keys)
      }
    }).pipe(Effect.provide(NodeRedis.layer({ url })))
  )
})

const start = (
  args: ReadonlyArray<string>
): { child: ChildProcess; firstLine: Promise<string>; exit: Promise<number | null> } => {
  const child = spawn(process.execPath, [worker, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, REDIS_URL: url }
  })
  let out = ""
  let err = ""
  child.stderr!.on("data", (chunk) => (err += String(chunk)))
  const firstLine = new Promise<string>((resolve, reject) => {
    // log lines (threshold warnings) share stdout: wait for the result line
    child.stdout!.on("data", (chunk) => {
      out += String(chunk)
      const match = /^RESULT (.*)$/m.exec(out)
      if (match) resolve(match[1]!)
    })
    child.on("exit", (code) => reject(new Error(`worker exited with ${code} before answering: ${err}`)))
  })
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, firstLine, exit }
}

const usedInStore = (store: Layer.Layer<QuotaStore.QuotaStore, unknown>, limit: number) =>
  Effect.runPromise(
    Effect.gen(function*() {
      const tracker = yield* QuotaTracker.make({
        tiers: [
          Tier.make({
            name: "X",
            key: Redacted.make("reader"),
            limits: { perSecond: 1_000_000, perDay: limit, perMonth: 10 * limit }
          })
        ]
      })
      const status = yield* tracker.status
      return Object.fromEntries(status.tiers[0]!.windows.map((w) => [w.window, w.used]))
    }).pipe(Effect.scoped, Effect.provide(store))
  )

const suites: Array<{
  readonly name: string
  readonly skip: boolean
  readonly location: () => string
  readonly store: (location: string) => Layer.Layer<QuotaStore.QuotaStore, unknown>
}> = [
  {
    name: "sqlite",
    skip: false,
    location: () => join(dir, `q-${Math.random().toString(36).slice(2)}.sqlite`),
    store: (filename) => QuotaStore.layerSqlite({ filename })
  },
  {
    name: "redis",
    skip: !inject("redis"),
    location: () => {
      const prefix = `bing-quota-xproc:${runId}:${Math.random().toString(36).slice(2)}:`
      prefixes.push(prefix)
      return prefix
    },
    store: (prefix) => RedisStore.layer({ url, prefix })
  }
]

for (const suite of suites) {
  describe.skipIf(suite.skip)(`across processes (${suite.name})`, () => {
    it("the built package exists (run the build first)", () => {
      expect(existsSync(built)).toBe(true)
    })

    it("four processes acquiring at once admit exactly the limit and lose no count", async () => {
      const location = suite.location()
      const limit = 300
      const startAt = Date.now() + 1500
      const workers = Array.from(
        { length: 4 },
        () => start(["acquire", suite.name, location, "150", String(limit), String(startAt)])
      )
      const results = (await Promise.all(workers.map((w) => w.firstLine))).map((line) =>
        JSON.parse(line) as { admitted: number; refused: number }
      )
      await Promise.all(workers.map((w) => w.exit))
      const admitted = results.reduce((sum, r) => sum + r.admitted, 0)
      const refused = results.reduce((sum, r) => sum + r.refused, 0)
      expect(admitted).toBe(limit)
      expect(refused).toBe(600 - limit)
      // every process got some: they really ran concurrently against one counter
      expect(results.filter((r) => r.admitted > 0).length).toBeGreaterThan(1)
      expect(await usedInStore(suite.store(location), limit)).toEqual({
        month: limit,
        day: limit,
        second: expect.any(Number)
      })
    }, 60_000)

    it("counts written before a process is killed are there after a restart", async () => {
      const location = suite.location()
      const killed = start(["hold", suite.name, location, "7", "100"])
      expect(JSON.parse(await killed.firstLine)).toEqual({ admitted: 7, refused: 0 })
      killed.child.kill("SIGKILL")
      await killed.exit
      const restarted = start(["acquire", suite.name, location, "5", "10"])
      expect(JSON.parse(await restarted.firstLine)).toEqual({ admitted: 3, refused: 2 })
      expect(await restarted.exit).toBe(0)
      expect((await usedInStore(suite.store(location), 10)).day).toBe(10)
    }, 60_000)
  })
}
