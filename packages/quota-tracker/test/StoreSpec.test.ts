/**
 * `StoreSpec`: the store named by one string. The layers are built for real: two builds of one
 * SQLite, Redis or PostgreSQL spec share counts (that is what several processes rely on), two
 * memory builds do not. Redis is the shared one at REDIS_URL, under a key prefix of this file's own,
 * whose keys expire within a minute; PostgreSQL the one at POSTGRES_URL, in a table of this file's
 * own, dropped at the end.
 */
import { PgClient } from "@effect/sql-pg"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted, Result } from "effect"
import * as Reactivity from "effect/reactivity/Reactivity"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, expect, inject } from "vitest"
import { QuotaStore, StoreSpec } from "../src/index.js"

const password = `pw-${randomBytes(8).toString("hex")}`
const redisUrl = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379"
const postgresUrl = process.env["POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"

/** Drops a table of this file's own and its function, through a connection of the test's own. */
const dropTable = (table: string) =>
  Effect.scoped(
    Effect.gen(function*() {
      const sql = yield* PgClient.make({ url: Redacted.make(postgresUrl), maxConnections: 1 })
      yield* sql.unsafe(`DROP TABLE IF EXISTS "${table}"`)
      yield* sql.unsafe(`DROP FUNCTION IF EXISTS "${table}_acquire_v1"`)
      yield* sql.unsafe(`DROP FUNCTION IF EXISTS "${table}_acquire_batch_v1"`)
    })
  ).pipe(Effect.provide(Reactivity.layer), Effect.orDie)
const dir = mkdtempSync(join(tmpdir(), "quota-storespec-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const parsed = (spec: string | Redacted.Redacted<string>, prefix = "p:") => {
  const result = StoreSpec.parse(spec, { prefix })
  if (Result.isFailure(result)) throw new Error(`expected a spec, got ${result.failure.message}`)
  return result.success
}

const refused = (spec: string) => {
  const result = StoreSpec.parse(spec, { prefix: "p:" })
  if (Result.isSuccess(result)) throw new Error("expected InvalidStoreSpec")
  const error = result.failure
  assert.strictEqual(error._tag, "InvalidStoreSpec")
  assert.strictEqual(error.message, error.detail)
  for (const shown of [error.message, String(error), JSON.stringify(error)]) expect(shown).not.toContain(password)
  return error.detail
}

describe("StoreSpec.parse", () => {
  it("reads memory (also empty), sqlite:<file> and redis(s)://, with the prefix for Redis", () => {
    assert.deepStrictEqual(parsed("memory"), { _tag: "memory" })
    assert.deepStrictEqual(parsed("  "), { _tag: "memory" })
    assert.deepStrictEqual(parsed(" sqlite:quota.db "), { _tag: "sqlite", filename: "quota.db" })
    const redis = parsed(`redis://:${password}@127.0.0.1:6379`, "gw:")
    assert.strictEqual(redis._tag, "redis")
    if (redis._tag !== "redis") return
    assert.strictEqual(redis.prefix, "gw:")
    assert.ok(Redacted.isRedacted(redis.url))
    assert.strictEqual(Redacted.value(redis.url), `redis://:${password}@127.0.0.1:6379`)
    expect(String(redis.url)).not.toContain(password)
    expect(JSON.stringify(redis)).not.toContain(password)
    assert.strictEqual(parsed("rediss://cache.example:6380")._tag, "redis")
  })

  it("takes a Redacted spec", () => {
    assert.strictEqual(parsed(Redacted.make(`redis://:${password}@127.0.0.1:6379`))._tag, "redis")
  })

  it("refuses, with the messages the search-cli prints after `--store: `, never a password", () => {
    assert.strictEqual(refused("sqlite:"), "sqlite: needs a file name, e.g. sqlite:quota.db")
    assert.strictEqual(refused(`redis://u:${password}@[bad`), "redis://***@[bad is not a valid Redis URL")
    assert.strictEqual(
      refused(`mysql://u:${password}@db`),
      `unknown store "mysql://***@db": use memory, sqlite:<file>, redis://host:port, redis-cluster://host:port,host:port or postgres://host/database`
    )
    assert.strictEqual(refused(`postgres://u:${password}@[bad`), "postgres://***@[bad is not a valid PostgreSQL URL")
    assert.match(
      refused(`postgres://u:${password}@db/app?table=a;drop`),
      /^postgres:\/\/\*\*\*@db\/app\?table=a;drop: table must be a name or schema\.name/
    )
  })

  it("reads postgres:// and postgresql://, the table from its parameter (not sent to the server), the prefix", () => {
    const pg = parsed(`postgres://app:${password}@db:5432/app?sslmode=require&table=myschema.quota`, "gw:")
    assert.strictEqual(pg._tag, "postgres")
    if (pg._tag !== "postgres") return
    assert.strictEqual(pg.table, "myschema.quota")
    assert.strictEqual(pg.prefix, "gw:")
    assert.ok(Redacted.isRedacted(pg.url))
    assert.strictEqual(Redacted.value(pg.url), `postgres://app:${password}@db:5432/app?sslmode=require`)
    expect(String(pg.url)).not.toContain(password)
    expect(JSON.stringify(pg)).not.toContain(password)
    const plain = parsed("postgresql://db/app")
    assert.deepStrictEqual(plain._tag === "postgres" && plain.table, "quota_counters")
    assert.strictEqual(parsed(Redacted.make(`postgres://:${password}@db/app`))._tag, "postgres")
  })
})

describe("StoreSpec.describe", () => {
  it("shows a spec without credentials", () => {
    assert.strictEqual(StoreSpec.describe({ _tag: "memory" }), "memory")
    assert.strictEqual(StoreSpec.describe(parsed("sqlite:/var/quota.db")), "sqlite:/var/quota.db")
    assert.strictEqual(
      StoreSpec.describe(parsed(`redis://user:${password}@cache:6379/2`)),
      "redis://***@cache:6379/2"
    )
    assert.strictEqual(StoreSpec.describe(parsed("redis://cache:6379")), "redis://cache:6379")
    assert.strictEqual(
      StoreSpec.describe(parsed(`postgres://app:${password}@db:5432/app`)),
      "postgres://***@db:5432/app"
    )
    assert.strictEqual(
      StoreSpec.describe(parsed(`postgresql://db/app?password=${password}&table=q`)),
      "postgresql://db/app?password=***&table=q"
    )
  })
})

/** Counts 1 in a fresh build of the spec's layer and returns what that store then holds. */
const countOnce = (spec: StoreSpec.StoreSpec, key: string) =>
  Effect.gen(function*() {
    const store = yield* QuotaStore.QuotaStore
    const now = Date.now()
    const slot: QuotaStore.Slot = { kind: "counter", key, limit: 100, expiresAt: now + 60_000 }
    yield* store.acquire([slot], 1, now)
    const [value] = yield* store.get([slot], now)
    return { name: store.name, value }
  }).pipe(Effect.provide(Layer.fresh(StoreSpec.layer(spec))))

describe("StoreSpec.layer", () => {
  it.effect("memory: a store of its own per build", () =>
    Effect.gen(function*() {
      const spec = parsed("memory")
      assert.deepStrictEqual(yield* countOnce(spec, "k"), { name: "memory", value: 1 })
      assert.deepStrictEqual(yield* countOnce(spec, "k"), { name: "memory", value: 1 })
    }))

  it.effect("sqlite: the file, shared by every build", () =>
    Effect.gen(function*() {
      const spec = parsed(`sqlite:${join(dir, "shared.sqlite")}`)
      assert.deepStrictEqual(yield* countOnce(spec, "k"), { name: "sqlite", value: 1 })
      assert.deepStrictEqual(yield* countOnce(spec, "k"), { name: "sqlite", value: 2 })
    }))

  it.effect.skipIf(!inject("redis"))(
    "redis: the server, shared by every build, under the prefix",
    () =>
      Effect.gen(function*() {
        const prefix = `test:storespec:${randomBytes(6).toString("hex")}:`
        const spec = parsed(redisUrl, prefix)
        assert.deepStrictEqual(yield* countOnce(spec, "k"), { name: "redis", value: 1 })
        assert.deepStrictEqual(yield* countOnce(spec, "k"), { name: "redis", value: 2 })
        // another prefix is another quota
        assert.deepStrictEqual(yield* countOnce(parsed(redisUrl, `${prefix}other:`), "k"), { name: "redis", value: 1 })
      })
  )

  it.effect.skipIf(!inject("postgres"))(
    "postgres: the table, shared by every build, under the prefix",
    () =>
      Effect.gen(function*() {
        const table = `quota_storespec_${randomBytes(6).toString("hex")}`
        const at = new URL(postgresUrl)
        at.searchParams.set("table", table)
        const spec = parsed(at.toString(), "test:")
        assert.deepStrictEqual(yield* countOnce(spec, "k"), { name: "postgres", value: 1 })
        assert.deepStrictEqual(yield* countOnce(spec, "k"), { name: "postgres", value: 2 })
        assert.deepStrictEqual(yield* countOnce(parsed(at.toString(), "other:"), "k"), { name: "postgres", value: 1 })
        yield* dropTable(table)
      })
  )

  it.effect("postgres: a server that refuses fails the build with StoreUnavailable, not a defect", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(countOnce(parsed(`postgres://app:${password}@127.0.0.1:1/test`), "k"))
      assert.strictEqual(error._tag, "QuotaError")
      assert.strictEqual(error.reason._tag, "StoreUnavailable")
      assert.strictEqual(error.reason._tag === "StoreUnavailable" && error.reason.store, "postgres")
      expect(String(error)).not.toContain(password)
      expect(JSON.stringify(error)).not.toContain(password)
    }))

  it.effect("redis: a server that refuses fails the build with StoreUnavailable, not a defect", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(countOnce(parsed(`redis://:${password}@127.0.0.1:1`), "k"))
      assert.strictEqual(error._tag, "QuotaError")
      assert.strictEqual(error.reason._tag, "StoreUnavailable")
      expect(String(error)).not.toContain(password)
    }))
})
