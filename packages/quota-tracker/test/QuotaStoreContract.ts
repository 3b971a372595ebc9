/**
 * The contract every QuotaStore passes: the same assertions for memory, SQLite and Redis.
 * Each test uses its own keys, so one store instance can serve the whole suite.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { QuotaStore } from "../src/index.js"

type Slot = QuotaStore.Slot

let sequence = 0
const unique = (name: string): string => `${name}-${process.pid}-${Date.now()}-${sequence++}`

const counter = (name: string, limit: number, expiresAt: number): Slot => ({
  kind: "counter",
  key: unique(name),
  limit,
  expiresAt
})
const bucket = (name: string, limit: number, interval = 1000): Slot => ({
  kind: "bucket",
  key: unique(name),
  limit,
  interval
})

export const contract = (name: string, storeLayer: Layer.Layer<QuotaStore.QuotaStore, unknown>): void => {
  describe(`QuotaStore contract (${name})`, () => {
    layer(storeLayer, { excludeTestServices: true, timeout: "30 seconds" })((it) => {
      // a real instant, so that Redis TTLs derived from it are sane
      const now = Math.floor(Date.now() / 1000) * 1000
      const DAY = 86_400_000

      it.effect("admits up to the limit, then refuses without counting", () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          const day = counter("day", 3, now + DAY)
          const results = []
          for (let i = 0; i < 5; i++) results.push(yield* store.acquire([day], 1, now))
          assert.deepStrictEqual(results.map((r) => r.refused), [-1, -1, -1, 0, 0])
          assert.deepStrictEqual(results.map((r) => r.values[0]), [1, 2, 3, 3, 3])
          assert.deepStrictEqual(yield* store.get([day], now), [3])
        }))

      it.effect("answers an empty slot list (a tier without limits) without counting anything", () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          assert.deepStrictEqual(yield* store.acquire([], 1, now), { refused: -1, values: [] })
          assert.deepStrictEqual(yield* store.add([], -1, now), [])
          assert.deepStrictEqual(yield* store.get([], now), [])
        }))

      it.effect("is all or nothing: a refusal by one slot leaves no count in the others", () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          const month = counter("month", 10, now + 30 * DAY)
          const day = counter("day", 2, now + DAY)
          const second = bucket("second", 100)
          assert.strictEqual((yield* store.acquire([month, day, second], 1, now)).refused, -1)
          assert.strictEqual((yield* store.acquire([month, day, second], 1, now)).refused, -1)
          const refused = yield* store.acquire([month, day, second], 1, now)
          assert.strictEqual(refused.refused, 1)
          assert.strictEqual(refused.values[0], 2, "the month slot reports its current value, not a new one")
          assert.strictEqual(refused.values[1], 2)
          const [m, d, s] = yield* store.get([month, day, second], now)
          assert.strictEqual(m, 2)
          assert.strictEqual(d, 2)
          // the bucket saw exactly two admitted requests: its arrival time is now + 2 * 10 ms
          assert.strictEqual(s, now + 20)
        }))

      it.effect("reports the first refusing slot when several would refuse", () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          const a = counter("a", 1, now + DAY)
          const b = counter("b", 1, now + DAY)
          assert.strictEqual((yield* store.acquire([a, b], 1, now)).refused, -1)
          assert.strictEqual((yield* store.acquire([a, b], 1, now)).refused, 0)
        }))

      it.effect("counts weights and refuses a weight that does not fit", () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          const day = counter("weights", 10, now + DAY)
          assert.strictEqual((yield* store.acquire([day], 7, now)).values[0], 7)
          const refused = yield* store.acquire([day], 4, now)
          assert.strictEqual(refused.refused, 0)
          assert.strictEqual(refused.values[0], 7)
          assert.strictEqual((yield* store.acquire([day], 3, now)).values[0], 10)
        }))

      it.effect("a bucket admits its capacity at once, then one token per interval/limit", () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          const second = bucket("bucket", 4) // one token every 250 ms
          for (let i = 0; i < 4; i++) assert.strictEqual((yield* store.acquire([second], 1, now)).refused, -1)
          assert.strictEqual((yield* store.acquire([second], 1, now)).refused, 0)
          assert.strictEqual((yield* store.acquire([second], 1, now + 249)).refused, 0)
          assert.strictEqual((yield* store.acquire([second], 1, now + 250)).refused, -1)
          assert.strictEqual((yield* store.acquire([second], 1, now + 250)).refused, 0)
          // after a full interval idle, the whole capacity is back
          for (let i = 0; i < 4; i++) assert.strictEqual((yield* store.acquire([second], 1, now + 2000)).refused, -1)
          assert.strictEqual((yield* store.acquire([second], 1, now + 2000)).refused, 0)
        }))

      it.effect("a bucket admits a weight above its capacity only when it is full", () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          const second = bucket("heavy", 2)
          assert.strictEqual((yield* store.acquire([second], 3, now)).refused, -1)
          // 1,500 ms of tokens were taken: one token's debt remains after a full interval
          assert.strictEqual((yield* store.acquire([second], 1, now)).refused, 0)
          assert.strictEqual((yield* store.acquire([second], 1, now + 999)).refused, 0)
          assert.strictEqual((yield* store.acquire([second], 1, now + 1000)).refused, -1)
        }))

      it.effect("get answers 0 for unknown keys; set overwrites; add (and a refund, a negative add) adjust without limits", () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          const day = counter("set", 5, now + DAY)
          assert.deepStrictEqual(yield* store.get([day], now), [0])
          yield* store.set(day, 4, now)
          assert.deepStrictEqual(yield* store.get([day], now), [4])
          assert.deepStrictEqual(yield* store.add([day], 3, now), [7], "add ignores the limit")
          assert.deepStrictEqual(yield* store.add([day], -2, now), [5])
          assert.deepStrictEqual(yield* store.add([day], -50, now), [0], "a refund stops at zero")
          assert.strictEqual((yield* store.acquire([day], 5, now)).refused, -1)
          assert.strictEqual((yield* store.acquire([day], 1, now)).refused, 0)
        }))

      it.effect("a refund gives a bucket its tokens back", () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          const second = bucket("refund", 2)
          yield* store.acquire([second], 2, now)
          assert.strictEqual((yield* store.acquire([second], 1, now)).refused, 0)
          yield* store.add([second], -1, now)
          assert.strictEqual((yield* store.acquire([second], 1, now)).refused, -1)
          // refunding more than was taken leaves a full bucket, never more
          yield* store.add([second], -10, now)
          assert.strictEqual((yield* store.acquire([second], 2, now)).refused, -1)
          assert.strictEqual((yield* store.acquire([second], 1, now)).refused, 0)
        }))

      it.effect("a value set for a period that has ended is gone", () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          const ended = counter("ended", 5, now - 1)
          yield* store.set(ended, 3, now)
          assert.deepStrictEqual(yield* store.get([ended], now), [0])
          const live = counter("live", 5, now + DAY)
          yield* store.set(live, 3, now)
          yield* store.set(live, 0, now)
          assert.deepStrictEqual(yield* store.get([live], now), [0])
        }))

      it.effect("stays exact under concurrent acquires", () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          const day = counter("race", 50, now + DAY)
          const second = bucket("race-second", 1000)
          const results = yield* Effect.all(
            Array.from({ length: 200 }, () => store.acquire([day, second], 1, now)),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(results.filter((r) => r.refused === -1).length, 50)
          assert.deepStrictEqual((yield* store.get([day], now))[0], 50)
        }))

      it.effect("a bucket far ahead of now (the clock stepped back an hour) is clamped: one request now, then the usual rate", () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          const second = bucket("stepped", 4) // one token every 250 ms
          const later = now + 3_600_000
          for (let i = 0; i < 4; i++) assert.strictEqual((yield* store.acquire([second], 1, later)).refused, -1)
          assert.strictEqual((yield* store.acquire([second], 1, later)).refused, 0)
          // an hour back: the stored arrival time is an hour ahead of now
          const admitted = yield* store.acquire([second], 1, now)
          assert.strictEqual(admitted.refused, -1, "not blocked for the hour")
          assert.strictEqual(admitted.values[0], now + 1000, "and left empty, as after a full burst")
          assert.strictEqual((yield* store.acquire([second], 1, now)).refused, 0)
          assert.strictEqual((yield* store.acquire([second], 1, now + 250)).refused, -1)
        }))

      it.effect("a bucket's own debt is not clamped: a heavy request's arrival time stays", () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          const second = bucket("debt", 2) // 500 ms a token
          assert.strictEqual((yield* store.acquire([second], 4, now)).refused, -1) // 2,000 ms of tokens
          assert.strictEqual((yield* store.acquire([second], 1, now + 999)).refused, 0)
          assert.strictEqual((yield* store.acquire([second], 1, now + 1499)).refused, 0)
          assert.strictEqual((yield* store.acquire([second], 1, now + 1500)).refused, -1)
        }))

      it.effect("keeps fractional bucket arrival times exact", () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          const second = bucket("fraction", 3) // 333.33... ms per token
          const r = yield* store.acquire([second], 1, now)
          assert.ok(Math.abs(r.values[0]! - (now + 1000 / 3)) < 1e-6)
        }))
    })
  })
}
