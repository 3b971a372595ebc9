/** Imports the BUILT package through its exports map, as a user would (run the build first). */
import { execFile } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

describe("the built package", () => {
  it("loads through its exports map (ESM) and works", async () => {
    const pkg = await import("@bing-effect/quota-tracker")
    expect(Object.keys(pkg).sort()).toEqual([
      "Outcome",
      "QuotaError",
      "QuotaEvent",
      "QuotaStore",
      "QuotaTracker",
      "RedisCluster",
      "Spend",
      "StoreSpec",
      "Tier",
      "TierCatalog",
      "TiersFile",
      "Window"
    ])
    const { Effect, Redacted } = await import("effect")
    const acquired = await Effect.runPromise(Effect.scoped(
      Effect.gen(function*() {
        const tracker = yield* pkg.QuotaTracker.make({
          tiers: [pkg.TierCatalog.tier("F1", { key: Redacted.make("k") })]
        })
        return yield* tracker.acquire()
      }).pipe(Effect.provide(pkg.QuotaStore.layerMemory))
    ))
    expect(acquired.tier.name).toBe("F1")
    expect(acquired.windows.map((w) => w.window)).toEqual(["month", "second"])
  })

  it("loads through its exports map (CommonJS)", () => {
    const require = createRequire(import.meta.url)
    const pkg = require("@bing-effect/quota-tracker") as typeof import("@bing-effect/quota-tracker")
    expect(typeof pkg.QuotaTracker.make).toBe("function")
    expect(pkg.TierCatalog.entries.S15.perDay.value).toBe(1_000_000)
    expect(require.resolve("@bing-effect/quota-tracker")).toMatch(/dist[\\/]index\.js$/)
  })

  it("loads the /redis subpath (ESM and CommonJS), sharing the core's QuotaError", async () => {
    const redis = await import("@bing-effect/quota-tracker/redis")
    expect(Object.keys(redis)).toEqual(["RedisCluster", "RedisStore"])
    expect(typeof redis.RedisStore.layer).toBe("function")
    // the root's RedisCluster is the same module, not a copy
    expect(redis.RedisCluster).toBe((await import("@bing-effect/quota-tracker")).RedisCluster)
    const require = createRequire(import.meta.url)
    const cjs = require("@bing-effect/quota-tracker/redis") as typeof import("@bing-effect/quota-tracker/redis")
    expect(typeof cjs.RedisStore.layerConnection).toBe("function")
    expect(require.resolve("@bing-effect/quota-tracker/redis")).toMatch(/dist[\\/]redis\.js$/)
  })

  it("loads the /postgres subpath (ESM and CommonJS), sharing the core's QuotaError", async () => {
    const postgres = await import("@bing-effect/quota-tracker/postgres")
    expect(Object.keys(postgres)).toEqual(["PostgresStore"])
    expect(typeof postgres.PostgresStore.layer).toBe("function")
    const require = createRequire(import.meta.url)
    const cjs = require("@bing-effect/quota-tracker/postgres") as typeof import("@bing-effect/quota-tracker/postgres")
    expect(typeof cjs.PostgresStore.layerConnection).toBe("function")
    expect(require.resolve("@bing-effect/quota-tracker/postgres")).toMatch(/dist[\\/]postgres\.js$/)
  })

  it("does not load redis or @effect/sql-pg from the core entry", () => {
    const dist = new URL("../dist/", import.meta.url)
    const core = ["index.js", ...readdirSync(dist).filter((f) => f.startsWith("chunk-") && f.endsWith(".js"))]
    for (const file of core) {
      const text = readFileSync(new URL(file, dist), "utf8")
      expect(text, file).not.toMatch(/from "redis"|require\(['"]redis['"]\)/)
      expect(text, file).not.toMatch(/from "@effect\/sql-pg|import\("@effect\/sql-pg|require\(.@effect\/sql-pg/)
    }
    expect(readFileSync(new URL("redis.js", dist), "utf8")).toMatch(/from "redis"/)
    expect(readFileSync(new URL("postgres.js", dist), "utf8")).toMatch(/from "@effect\/sql-pg\/PgClient"/)
  })

  it("the root's declarations name no optional peer (a consumer without redis or @effect/sql-pg type-checks with skipLibCheck off)", () => {
    const optionalPeer = /^(redis|@redis\/|@effect\/sql-pg|@effect\/platform-node|pg)(\/|$)/
    const dist = fileURLToPath(new URL("../dist/", import.meta.url))
    const seen = new Set<string>()
    const named: Array<string> = []
    const visit = (file: string) => {
      if (seen.has(file)) return
      seen.add(file)
      const text = readFileSync(join(dist, file), "utf8")
      for (const [, specifier] of text.matchAll(/(?:from|import\()\s*"([^"]+)"/g)) {
        if (specifier!.startsWith(".")) visit(join(dirname(file), specifier!.replace(/\.js$/, ".d.ts")))
        else if (optionalPeer.test(specifier!)) named.push(`${file}: ${specifier}`)
      }
    }
    visit("index.d.ts")
    expect(seen.size, "the walk followed the root's declarations").toBeGreaterThan(10)
    expect(named).toEqual([])
  })

  // a child Node process each: generous timeouts, the machine may be loaded
  describe("loads redis only when a RedisCluster layer is built (a child process tracing every module Node resolves)", {
    timeout: 30_000
  }, () => {
    const trace = (mode: string) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const script = fileURLToPath(new URL("fixtures/import-trace.mjs", import.meta.url))
        execFile(process.execPath, [script, mode], { timeout: 20_000 }, (error, stdout, stderr) => {
          if (error !== null) reject(new Error(`${error.message}\n${stderr}`))
          else resolve(JSON.parse(stdout) as Record<string, unknown>)
        })
      })

    it("the root import exports RedisCluster and loads no redis or @redis/* module", async () => {
      const seen = await trace("root")
      expect(seen["hasRedisCluster"]).toBe(true)
      expect(seen["modules"], "the trace saw the package's own modules").toBeGreaterThan(0)
      expect(seen["afterImport"]).toBe(0)
    })

    it("the /redis subpath loads redis at import (the trace sees a driver when there is one)", async () => {
      expect((await trace("redis-subpath"))["afterImport"]).toBeGreaterThan(0)
    })

    it("building RedisCluster.layer loads redis then, and only then", async () => {
      const seen = await trace("root-then-layer")
      expect(seen["afterImport"]).toBe(0)
      expect(seen["layer"]).toMatch(/^QuotaError\/StoreUnavailable: cannot connect to redis:\/\/127\.0\.0\.1:1/)
      expect(seen["afterLayer"]).toBeGreaterThan(0)
    })

    it("without redis installed, the root imports and the layer fails with StoreUnavailable naming the package", async () => {
      const seen = await trace("root-then-layer-without-redis")
      expect(seen["hasRedisCluster"]).toBe(true)
      expect(seen["layer"]).toMatch(
        /^QuotaError\/StoreUnavailable: cannot load the redis package \(install redis 5 or 6 to use RedisCluster\)/
      )
      expect(seen["afterLayer"]).toBe(0)
    })
  })

  it("keeps internals private", () => {
    const require = createRequire(import.meta.url)
    expect(() => require.resolve("@bing-effect/quota-tracker/internal/tracker")).toThrow()
  })
})
