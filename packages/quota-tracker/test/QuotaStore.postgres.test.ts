/**
 * The PostgreSQL store against the real server at POSTGRES_URL (default
 * postgres://postgres@127.0.0.1:5432/test), in tables of this run's own, dropped at the end; and
 * against fake servers on loopback for what a real one will not do on demand (freeze, refuse).
 */
import { PgClient } from "@effect/sql-pg"
import { assert, describe, inject, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Redacted, type Scope } from "effect"
import * as Reactivity from "effect/reactivity/Reactivity"
import * as SqlClient from "effect/sql/SqlClient"
import { randomBytes } from "node:crypto"
import { connect, createServer, type Server, type Socket } from "node:net"
import { afterAll, expect } from "vitest"
import { QuotaError, QuotaStore } from "../src/index.js"
import { make as makeService } from "../src/internal/postgresStore.js"
import { PostgresStore } from "../src/postgres.js"
import { contract } from "./QuotaStoreContract.js"

const url = process.env["POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
const available = inject("postgres")
const run = `${process.pid}_${randomBytes(4).toString("hex")}`
const table = (name: string) => `quota_test_${name}_${run}`
const tables: Array<string> = []
const password = `pw-${randomBytes(8).toString("hex")}`

/** Runs statements on a connection of the test's own (not the store's). */
const admin = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>): Promise<A> =>
  Effect.runPromise(
    Effect.scoped(Effect.flatMap(PgClient.make({ url: Redacted.make(url), maxConnections: 1 }), f)).pipe(
      Effect.provide(Reactivity.layer)
    ) as Effect.Effect<A, unknown>
  )

afterAll(async () => {
  if (!available || tables.length === 0) return
  await admin((sql) =>
    Effect.forEach(tables, (t) =>
      Effect.andThen(
        sql.unsafe(`DROP TABLE IF EXISTS "${t}"`),
        Effect.andThen(
          sql.unsafe(`DROP FUNCTION IF EXISTS "${t}_acquire_v1"`),
          sql.unsafe(`DROP FUNCTION IF EXISTS "${t}_acquire_batch_v1"`)
        )
      ), { discard: true })
  )
})

/** The store over its own pool, on a table registered for dropping. */
const storeLayer = (name: string, options: Partial<PostgresStore.Options> = {}) => {
  const t = table(name)
  tables.push(t)
  return PostgresStore.layer({ url, table: t, maxConnections: 4, ...options })
}

const now = () => Date.now()
const DAY = 86_400_000

describe.skipIf(!available)("QuotaStore.layerPostgres", () => {
  contract("postgres", storeLayer("contract"))

  it.live("two pools on one table admit exactly the limit of the smallest window, all or nothing", () =>
    Effect.gen(function*() {
      const t = table("pools")
      tables.push(t)
      const at = now()
      const slots: Array<QuotaStore.Slot> = [
        { kind: "counter", key: "{P}:month", limit: 1000, expiresAt: at + 30 * DAY },
        { kind: "counter", key: "{P}:day", limit: 37, expiresAt: at + DAY },
        { kind: "bucket", key: "{P}:second", limit: 100_000, interval: 1000 }
      ]
      const one = () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          return yield* Effect.all(Array.from({ length: 60 }, () => store.acquire(slots, 1, at)), {
            concurrency: "unbounded"
          })
        }).pipe(Effect.provide(PostgresStore.layer({ url, table: t, maxConnections: 4 })))
      const [a, b] = yield* Effect.all([one(), one()], { concurrency: 2 })
      const admitted = [...a, ...b].filter((r) => r.refused === -1).length
      assert.strictEqual(admitted, 37)
      const [month, day] = yield* Effect.flatMap(QuotaStore.QuotaStore, (s) => s.get(slots, at)).pipe(
        Effect.provide(PostgresStore.layer({ url, table: t }))
      )
      assert.strictEqual(day, 37)
      assert.strictEqual(month, 37, "a refusal by the day window added nothing to the month")
    }))

  it.live("acquires naming the same keys in opposite orders never deadlock", () =>
    Effect.gen(function*() {
      const store = yield* QuotaStore.QuotaStore
      const at = now()
      const a: QuotaStore.Slot = { kind: "counter", key: "{D}:a", limit: 1_000_000, expiresAt: at + DAY }
      const b: QuotaStore.Slot = { kind: "counter", key: "{D}:b", limit: 1_000_000, expiresAt: at + DAY }
      const results = yield* Effect.all(
        Array.from({ length: 200 }, (_, i) => store.acquire(i % 2 === 0 ? [a, b] : [b, a], 1, at)),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(results.filter((r) => r.refused === -1).length, 200)
      assert.deepStrictEqual(yield* store.get([a, b], at), [200, 200])
    }).pipe(Effect.provide(storeLayer("order", { maxConnections: 8 }))))

  it.live("processes starting together create the table once, and all of them work", () =>
    Effect.gen(function*() {
      const t = table("startup")
      tables.push(t)
      const slot: QuotaStore.Slot = { kind: "counter", key: "k", limit: 100, expiresAt: now() + DAY }
      const values = yield* Effect.all(
        Array.from({ length: 6 }, () =>
          Effect.flatMap(QuotaStore.QuotaStore, (s) => s.acquire([slot], 1, now())).pipe(
            Effect.provide(PostgresStore.layer({ url, table: t, maxConnections: 1 }))
          )),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(values.map((r) => r.refused), [-1, -1, -1, -1, -1, -1])
      assert.deepStrictEqual(values.map((r) => r.values[0]).sort((x, y) => x! - y!), [1, 2, 3, 4, 5, 6])
    }))

  it.live("a prefix keeps separate counts in one table", () =>
    Effect.gen(function*() {
      const t = table("prefix")
      tables.push(t)
      const slot: QuotaStore.Slot = { kind: "counter", key: "k", limit: 100, expiresAt: now() + DAY }
      const count = (prefix: string) =>
        Effect.flatMap(QuotaStore.QuotaStore, (s) => s.acquire([slot], 1, now())).pipe(
          Effect.provide(PostgresStore.layer({ url, table: t, prefix }))
        )
      assert.strictEqual((yield* count("a:")).values[0], 1)
      assert.strictEqual((yield* count("a:")).values[0], 2)
      assert.strictEqual((yield* count("b:")).values[0], 1)
    }))

  it.live("a row holding something other than its number fails with StoreUnavailable naming the key, and changes nothing", () =>
    Effect.gen(function*() {
      const t = table("poison")
      tables.push(t)
      const at = now()
      const month: QuotaStore.Slot = { kind: "counter", key: "{S}:month", limit: 100, expiresAt: at + DAY }
      const day: QuotaStore.Slot = { kind: "counter", key: "{S}:day", limit: 100, expiresAt: at + DAY }
      const second: QuotaStore.Slot = { kind: "bucket", key: "{S}:second", limit: 10, interval: 1000 }
      const store = yield* QuotaStore.QuotaStore
      yield* store.acquire([month, day, second], 1, at)
      // another program writes into the table
      yield* Effect.promise(() => admin((sql) => sql.unsafe(`UPDATE "${t}" SET value = 2.5 WHERE key = 'p:{S}:day'`)))
      const attempts: ReadonlyArray<Effect.Effect<unknown, QuotaError.QuotaError>> = [
        store.acquire([month, day, second], 1, at),
        store.add([month, day], -1, at)
      ]
      for (const attempt of attempts) {
        const error = yield* Effect.flip(attempt)
        assert.strictEqual(error.reason._tag, "StoreUnavailable")
        assert.include(error.message, "p:{S}:day")
        assert.notInclude(error.message, "2.5")
      }
      assert.strictEqual((yield* Effect.flip(store.get([day], at))).reason._tag, "StoreUnavailable")
      assert.deepStrictEqual(yield* store.get([month], at), [1], "the other slots kept their values")
      yield* Effect.promise(() =>
        admin((sql) => sql.unsafe(`UPDATE "${t}" SET value = 'NaN' WHERE key = 'p:{S}:second'`))
      )
      assert.include((yield* Effect.flip(store.acquire([second], 1, at))).message, "p:{S}:second")
      yield* store.set(day, 4, at)
      yield* store.set(second, 0, at)
      assert.deepStrictEqual(yield* store.get([month, day, second], at), [1, 4, 0], "set repairs the rows")
    }).pipe(Effect.provide(PostgresStore.layer({ url, table: table("poison"), prefix: "p:" }))))

  it.live("rows of ended periods are swept in the background", () =>
    Effect.gen(function*() {
      const t = table("sweep")
      tables.push(t)
      const sql = yield* SqlClient.SqlClient
      const store = yield* makeService(sql, { table: t, prefix: "", timeout: 2000, startup: "connect", sweepEvery: 10 })
      const at = now()
      for (let i = 0; i < 5; i++) {
        yield* store.set({ kind: "counter", key: `ended-${i}`, limit: 5, expiresAt: at - 1 }, 1, at)
      }
      const live: QuotaStore.Slot = { kind: "counter", key: "live", limit: 100, expiresAt: at + DAY }
      for (let i = 0; i < 5; i++) yield* store.acquire([live], 1, at)
      const count = () =>
        Effect.map(sql.unsafe<{ readonly n: number }>(`SELECT count(*)::int AS n FROM "${t}"`), (rows) => rows[0]!.n)
      for (let i = 0; i < 50 && (yield* count()) > 1; i++) yield* Effect.sleep("20 millis")
      assert.strictEqual(yield* count(), 1)
      assert.deepStrictEqual(yield* store.get([live], at), [5])
    }).pipe(Effect.scoped, Effect.provide(PostgresStore.layerConnection({ url }))))

  it.effect("refuses a table name that is not name or schema.name", () =>
    Effect.gen(function*() {
      for (const bad of ["", "a-b", "x;drop", "a.b.c", "1abc", "a".repeat(49)]) {
        const error = yield* Effect.flip(Effect.scoped(Layer.build(PostgresStore.layer({ url, table: bad }))))
        assert.strictEqual(error.reason._tag, "InvalidOptions", bad)
      }
    }))

  it.live("a URL with a password never shows it in an error: refused, and a server that never answers", () =>
    Effect.gen(function*() {
      const refused = yield* Effect.flip(
        Effect.scoped(Layer.build(PostgresStore.layer({ url: `postgres://app:${password}@127.0.0.1:1/test` })))
      )
      assert.strictEqual(refused.reason._tag, "StoreUnavailable")
      assert.include(refused.message, "127.0.0.1:1")
      const silent = yield* silentServer
      const started = Date.now()
      const frozen = yield* Effect.flip(
        Effect.scoped(Layer.build(PostgresStore.layer({
          url: Redacted.make(`postgres://app:${password}@127.0.0.1:${silent}/test?password=${password}`),
          timeout: 300
        })))
      )
      assert.strictEqual(frozen.reason._tag, "StoreUnavailable")
      assert.isBelow(Date.now() - started, 1500, "the build gives up within the store's timeout")
      for (const error of [refused, frozen]) {
        for (const shown of [error.message, String(error), JSON.stringify(error), String(error.reason)]) {
          expect(shown).not.toContain(password)
        }
      }
    }).pipe(Effect.scoped))

  it.live("startup: background builds while the server is down; operations fail with StoreUnavailable until it answers", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(
        PostgresStore.layer({ url: `postgres://app:${password}@127.0.0.1:1/test`, startup: "background", timeout: 300 })
      )
      const store = Context.get(context, QuotaStore.QuotaStore)
      const slot: QuotaStore.Slot = { kind: "counter", key: "k", limit: 10, expiresAt: now() + DAY }
      const error = yield* Effect.flip(store.acquire([slot], 1, now()))
      assert.strictEqual(error.reason._tag, "StoreUnavailable")
      assert.include(error.message, "creating the table failed")
      expect(JSON.stringify(error)).not.toContain(password)
    }).pipe(Effect.scoped))

  it.live("a server that freezes mid-run: StoreUnavailable within the timeout, never a hang; it works again once thawed", () =>
    Effect.gen(function*() {
      const proxy = yield* freezableProxy(new URL(url))
      const proxied = new URL(url)
      proxied.port = String(proxy.port)
      const context = yield* Layer.build(
        storeLayer("freeze", { url: proxied.toString(), timeout: 300, maxConnections: 2 })
      )
      const store = Context.get(context, QuotaStore.QuotaStore)
      const at = now()
      const slot: QuotaStore.Slot = { kind: "counter", key: "frozen", limit: 1000, expiresAt: at + DAY }
      assert.strictEqual((yield* store.acquire([slot], 1, at)).refused, -1)
      proxy.freeze()
      const started = Date.now()
      const errors = yield* Effect.all(
        Array.from({ length: 5 }, () => Effect.flip(store.acquire([slot], 1, at))),
        { concurrency: "unbounded" }
      )
      const elapsed = Date.now() - started
      for (const error of errors) {
        assert.strictEqual(error.reason._tag, "StoreUnavailable")
        // the store's deadline, or the pool's for a new connection (the same bound)
        assert.match(
          error.message,
          /^The postgres quota store is unavailable: acquire (timed out after 300 ms|failed: .*timed out)/
        )
      }
      assert.isBelow(elapsed, 1500)
      proxy.thaw()
      // the pool may need a fresh connection: a few attempts, each bounded
      let value: number | undefined
      for (let i = 0; i < 30 && value === undefined; i++) {
        const exit = yield* Effect.exit(store.acquire([slot], 1, at))
        if (Exit.isSuccess(exit)) value = exit.value.values[0]
        else yield* Effect.sleep("100 millis")
      }
      assert.isDefined(value, "the store works again once the server answers")
      assert.isAtLeast(value!, 2)
      assert.isAtMost(value!, 7, "besides the two admitted, at most the frozen attempts were counted")
    }).pipe(Effect.scoped))
})

// ---- fake servers on loopback ----

const listen = (server: Server): Effect.Effect<number, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<number>((resolve) =>
        server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port))
      )
    ),
    () => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
  )

/** Accepts connections and never answers. */
const silentServer = Effect.suspend(() => {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on("error", () => {})
  })
  return Effect.tap(listen(server), () =>
    Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const s of sockets) s.destroy()
      })
    ))
})

interface Proxy {
  readonly port: number
  freeze(): void
  thaw(): void
}

const startProxy = (target: URL): Promise<Proxy & { close(): void }> =>
  new Promise((resolve) => {
    let frozen = false
    const pairs = new Set<[Socket, Socket]>()
    const server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname || "127.0.0.1")
      const pair: [Socket, Socket] = [client, upstream]
      pairs.add(pair)
      const end = () => {
        client.destroy()
        upstream.destroy()
        pairs.delete(pair)
      }
      client.on("error", end).on("close", end)
      upstream.on("error", end).on("close", end)
      // while frozen, nothing is forwarded in either direction: a server that stopped answering
      client.on("data", (data) => {
        if (frozen) client.pause()
        upstream.write(data)
      })
      upstream.on("data", (data) => {
        if (!frozen) client.write(data)
        else {
          upstream.pause()
          upstream.unshift(data)
        }
      })
    })
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as { port: number }).port,
        freeze: () => {
          frozen = true
          for (const [client, upstream] of pairs) {
            client.pause()
            upstream.pause()
          }
        },
        thaw: () => {
          frozen = false
          for (const [client, upstream] of pairs) {
            client.resume()
            upstream.resume()
          }
        },
        close: () => {
          for (const [client, upstream] of pairs) {
            client.destroy()
            upstream.destroy()
          }
          server.close()
        }
      }))
  })

/** A TCP proxy to the real server that stops forwarding, both ways, while frozen. */
const freezableProxy = (target: URL) =>
  Effect.acquireRelease(Effect.promise(() => startProxy(target)), (proxy) => Effect.sync(() => proxy.close()))
