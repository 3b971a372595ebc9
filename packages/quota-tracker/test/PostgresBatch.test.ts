/**
 * The PostgreSQL store's group commit, against the real server at POSTGRES_URL (default
 * postgres://postgres@127.0.0.1:5432/test), in tables of this run's own, dropped at the end. The
 * store runs over the test's own `SqlClient`, wrapped to record every call of the acquire functions
 * (which function, the amounts it carried) and to hold a call back for a while before it is sent,
 * so that the acquires arriving meanwhile are known to queue.
 */
import { PgClient } from "@effect/sql-pg"
import { assert, describe, inject, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Redacted } from "effect"
import * as Reactivity from "effect/reactivity/Reactivity"
import type * as SqlClient from "effect/sql/SqlClient"
import { randomBytes } from "node:crypto"
import { afterAll } from "vitest"
import type { QuotaStore } from "../src/index.js"
import { make as makeService, MAX_BATCH } from "../src/internal/postgresStore.js"

const url = process.env["POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
const available = inject("postgres")
const run = `${process.pid}_${randomBytes(4).toString("hex")}`
const tables: Array<string> = []
const DAY = 86_400_000

const pg = PgClient.make({ url: Redacted.make(url), maxConnections: 4 }).pipe(Effect.provide(Reactivity.layer))

afterAll(async () => {
  if (!available || tables.length === 0) return
  await Effect.runPromise(Effect.scoped(Effect.flatMap(pg, (sql) =>
    Effect.forEach(tables, (t) =>
      Effect.all([
        sql.unsafe(`DROP TABLE IF EXISTS "${t}"`),
        sql.unsafe(`DROP FUNCTION IF EXISTS "${t}_acquire_v1"`),
        sql.unsafe(`DROP FUNCTION IF EXISTS "${t}_acquire_batch_v1"`)
      ]), { discard: true }))))
})

interface Call {
  readonly batch: boolean
  readonly amounts: ReadonlyArray<number>
}

/**
 * The store over a recording `SqlClient`: `calls` lists the acquire calls as sent; `hold(ms)` makes
 * the calls sent from then on wait that long before they reach the server.
 */
const recorded = (name: string, timeout: number) =>
  Effect.gen(function*() {
    const real = yield* pg
    const calls: Array<Call> = []
    let held = 0
    const sql = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop !== "unsafe") return Reflect.get(target, prop, receiver)
        return (text: string, params: ReadonlyArray<unknown>) => {
          const statement = target.unsafe(text, params)
          const batch = text.includes("_acquire_batch_v1\"(")
          if (text.startsWith("SELECT ") && (batch || text.includes("_acquire_v1\"("))) {
            const amounts = batch ? String(params[5]).slice(1, -1).split(",").map(Number) : [Number(params[5])]
            calls.push({ batch, amounts })
          }
          const wait = held
          return new Proxy(statement, {
            get: (
              s,
              p,
              r
            ) => (p === "values" && wait > 0 ? Effect.andThen(Effect.sleep(wait), s.values) : Reflect.get(s, p, r))
          })
        }
      }
    }) as SqlClient.SqlClient
    const table = `quota_batch_${name}_${run}`
    tables.push(table)
    const store = yield* makeService(sql, { table, prefix: "", timeout, startup: "connect" })
    return { store, calls, hold: (ms: number) => (held = ms) }
  })

describe.skipIf(!available)("PostgreSQL store: group commit", () => {
  it.live("acquires arriving while a call is in flight share the next call, in order; a limit hit in the middle refuses only that one", () =>
    Effect.gen(function*() {
      const { calls, hold, store } = yield* recorded("order", 2000)
      const at = Date.now()
      const slots: Array<QuotaStore.Slot> = [
        { kind: "counter", key: "o:month", limit: 100, expiresAt: at + 30 * DAY },
        { kind: "counter", key: "o:day", limit: 8, expiresAt: at + DAY },
        { kind: "bucket", key: "o:second", limit: 1000, interval: 1000 }
      ]
      hold(150)
      // 3 goes at once, alone; 2, 5, 1 queue behind it and go together, in that order
      const results = yield* Effect.all([3, 2, 5, 1].map((w) => store.acquire(slots, w, at)), {
        concurrency: "unbounded"
      })
      assert.deepStrictEqual(calls, [{ batch: false, amounts: [3] }, { batch: true, amounts: [2, 5, 1] }])
      assert.deepStrictEqual(results.map((r) => r.refused), [-1, -1, 1, -1])
      assert.deepStrictEqual(results.map((r) => r.values.slice(0, 2)), [[3, 3], [5, 5], [5, 5], [6, 6]])
      // the bucket moved by the admitted ones only: 3 + 2 + 1 requests of 1 ms each
      assert.strictEqual(results[3]!.values[2]! - at, 6)
      assert.deepStrictEqual((yield* store.get(slots, at)).slice(0, 2), [6, 6])
    }).pipe(Effect.scoped))

  it.live("a lone acquire is sent at once, through the single function; a batch carries at most MAX_BATCH", () =>
    Effect.gen(function*() {
      const { calls, hold, store } = yield* recorded("bound", 5000)
      const at = Date.now()
      const slots: Array<QuotaStore.Slot> = [{ kind: "counter", key: "b:day", limit: 1000, expiresAt: at + DAY }]
      for (let i = 0; i < 3; i++) yield* store.acquire(slots, 1, at)
      assert.deepStrictEqual(calls, [1, 2, 3].map(() => ({ batch: false, amounts: [1] })))
      calls.length = 0
      hold(100)
      const total = 1 + MAX_BATCH + 20
      const results = yield* Effect.all(Array.from({ length: total }, () => store.acquire(slots, 1, at)), {
        concurrency: "unbounded"
      })
      assert.deepStrictEqual(calls.map((c) => c.amounts.length), [1, MAX_BATCH, 20])
      assert.deepStrictEqual(
        results.map((r) => r.values[0]).sort((a, b) => a! - b!),
        Array.from({ length: total }, (_, i) => i + 4)
      )
      assert.deepStrictEqual(yield* store.get(slots, at), [3 + total])
    }).pipe(Effect.scoped))

  it.live("a deadline within a batch: the acquires past it fail with StoreUnavailable, and count when their call commits", () =>
    Effect.gen(function*() {
      const { calls, hold, store } = yield* recorded("deadline", 400)
      const at = Date.now()
      const slots: Array<QuotaStore.Slot> = [{ kind: "counter", key: "d:day", limit: 100, expiresAt: at + DAY }]
      // the first call takes 300 ms, the batch behind it 300 more: the queued acquires' deadlines
      // (400 ms after they arrived) pass while their call is in flight, and before the call's own
      hold(300)
      const exits = yield* Effect.all(Array.from({ length: 3 }, () => Effect.exit(store.acquire(slots, 1, at))), {
        concurrency: "unbounded"
      })
      assert.isTrue(Exit.isSuccess(exits[0]!))
      for (const exit of exits.slice(1)) {
        assert.isTrue(Exit.isFailure(exit))
        const error = Exit.isFailure(exit) ? String(exit.cause) : ""
        assert.include(error, "acquire timed out after 400 ms")
      }
      assert.deepStrictEqual(calls.map((c) => c.amounts), [[1], [1, 1]])
      hold(0)
      yield* Effect.sleep("400 millis") // the batch commits meanwhile
      assert.deepStrictEqual(yield* store.get(slots, at), [3], "sent and committed: counted, as for every store")
      // and the group goes on
      assert.strictEqual((yield* store.acquire(slots, 1, at)).values[0], 4)
    }).pipe(Effect.scoped))

  it.live("a call past its deadline frees its group: its acquires fail, the queued ones too, and the next goes through", () =>
    Effect.gen(function*() {
      const { hold, store } = yield* recorded("cutoff", 300)
      const at = Date.now()
      const slots: Array<QuotaStore.Slot> = [{ kind: "counter", key: "c:day", limit: 100, expiresAt: at + DAY }]
      // every call outlives the timeout before it reaches the server
      hold(600)
      const started = Date.now()
      const exits = yield* Effect.all(Array.from({ length: 3 }, () => Effect.exit(store.acquire(slots, 1, at))), {
        concurrency: "unbounded"
      })
      for (const exit of exits) {
        assert.isTrue(Exit.isFailure(exit))
        assert.include(Exit.isFailure(exit) ? String(exit.cause) : "", "acquire timed out after 300 ms")
      }
      assert.isBelow(Date.now() - started, 550, "each within its own deadline, not one after another")
      hold(0)
      yield* Effect.sleep("700 millis")
      assert.deepStrictEqual(yield* store.get(slots, at), [0], "cut off before the server: nothing counted")
      assert.strictEqual((yield* store.acquire(slots, 1, at)).values[0], 1)
    }).pipe(Effect.scoped))

  it.live("interruption: a queued acquire interrupted is never sent; one interrupted in flight leaves the others their answers", () =>
    Effect.gen(function*() {
      const { calls, hold, store } = yield* recorded("interrupt", 2000)
      const at = Date.now()
      const slots: Array<QuotaStore.Slot> = [{ kind: "counter", key: "i:day", limit: 100, expiresAt: at + DAY }]
      hold(200)
      const first = yield* Effect.forkChild(store.acquire(slots, 1, at))
      yield* Effect.sleep("20 millis")
      const queued = yield* Effect.forkChild(store.acquire(slots, 10, at))
      const kept = yield* Effect.forkChild(store.acquire(slots, 100 - 1 - 5, at))
      const alsoKept = yield* Effect.forkChild(store.acquire(slots, 5, at))
      yield* Effect.sleep("20 millis")
      yield* Fiber.interrupt(queued)
      assert.strictEqual((yield* Fiber.join(first)).values[0], 1)
      // the queued 10 was dropped: 94 and 5 fit in 100 together
      assert.deepStrictEqual(calls.map((c) => c.amounts), [[1], [94, 5]])
      yield* Effect.sleep("20 millis")
      // interrupt one of the batch in flight: the other still gets its answer
      yield* Fiber.interrupt(kept)
      const last = yield* Fiber.join(alsoKept)
      assert.strictEqual(last.refused, -1)
      assert.strictEqual(last.values[0], 100)
      assert.deepStrictEqual(yield* store.get(slots, at), [100], "the interrupted one's call committed: counted")
      hold(0)
      assert.strictEqual((yield* store.acquire(slots, 1, at)).refused, 0, "and the group goes on")
    }).pipe(Effect.scoped))
})
