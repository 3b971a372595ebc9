/**
 * The wall clock stepping back (an NTP step, a VM restored from a snapshot), on `TestClock`, for
 * each store: the per-second window is not blocked for the length of the step, and day and month
 * counts go on in the period the clock now names, from the count that period had.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, inject } from "vitest"
import { Outcome, QuotaError, QuotaStore, QuotaTracker, Tier } from "../src/index.js"
import { RedisStore } from "../src/redis.js"

const utc = (iso: string) => Date.parse(iso)
const HOUR = 3_600_000
const dir = mkdtempSync(join(tmpdir(), "quota-clock-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
const runId = `${process.pid}-${Date.now()}`

const stores: ReadonlyArray<readonly [string, () => Layer.Layer<QuotaStore.QuotaStore, unknown>, boolean]> = [
  ["memory", () => QuotaStore.layerMemory, false],
  [
    "sqlite",
    () => QuotaStore.layerSqlite({ filename: join(dir, `clock-${Math.random().toString(36).slice(2)}.sqlite`) }),
    false
  ],
  [
    "redis",
    () => RedisStore.layer({ url, prefix: `bing-quota-test:clock:${runId}:${Math.random().toString(36).slice(2)}:` }),
    !inject("redis")
  ]
]

const used = (acquired: QuotaTracker.Acquired, window: string) =>
  acquired.windows.find((w) => w.window === window)!.used
// real time, for Redis: its keys expire on its own clock
const realSleep = (ms: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, ms)))

const options = (): QuotaTracker.Options => ({
  tiers: [
    Tier.make({
      name: "T",
      key: Redacted.make("clock-step-test-key"),
      limits: { perSecond: 2, perDay: 100, perMonth: 1000 }
    })
  ],
  waitForSecondWindow: 0
})

for (const [name, store, skip] of stores) {
  describe.skipIf(skip)(`the clock stepping back an hour (${name})`, () => {
    it.effect("the per-second window is not blocked for the hour", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(utc("2026-11-22T10:00:00Z"))
        const q = yield* QuotaTracker.make(options())
        yield* q.acquire()
        yield* q.acquire()
        yield* TestClock.setTime(utc("2026-11-22T09:00:00Z"))
        const acquired = yield* q.acquire()
        assert.strictEqual(used(acquired, "second"), 2, "admitted, leaving the bucket empty")
        const refused = yield* Effect.flip(q.acquire())
        assert.strictEqual(refused.reason._tag, "RateLimitExceeded")
        assert.isAtMost(
          (refused.reason as QuotaError.RateLimitExceeded).retryAfter,
          1000,
          "the usual wait, not an hour"
        )
        yield* TestClock.adjust(500)
        yield* q.acquire()
      }).pipe(Effect.provide(store())))

    it.effect("day and month counts go back to the period the clock names, with its count, and forward again", () =>
      Effect.gen(function*() {
        // the last second of November: the step back crosses a day and a month boundary
        yield* TestClock.setTime(utc("2026-11-30T23:59:59.900Z"))
        const q = yield* QuotaTracker.make(options())
        yield* q.acquire()
        yield* q.acquire()
        // the periods have ended on Redis's own clock too before the clock steps back
        yield* realSleep(250)
        yield* TestClock.setTime(utc("2026-12-01T00:30:00Z"))
        yield* q.acquire()
        const december = yield* q.acquire()
        assert.deepStrictEqual([used(december, "day"), used(december, "month")], [2, 2])
        yield* TestClock.setTime(utc("2026-11-30T23:30:00Z"))
        const november = yield* q.acquire()
        assert.deepStrictEqual(
          [used(november, "day"), used(november, "month")],
          [3, 3],
          "November's counts, not December's, not zero"
        )
        // a refund of December's request goes to December, whatever the clock says now
        yield* q.report({ tier: "T", outcome: Outcome.failed(), acquired: december })
        yield* TestClock.setTime(utc("2026-12-01T00:00:00.500Z"))
        const again = yield* q.acquire()
        assert.deepStrictEqual(
          [used(again, "day"), used(again, "month")],
          [2, 2],
          "December's 2, minus the refund, plus this one"
        )
        const status = yield* q.status
        assert.strictEqual(status.active, "T")
        assert.isFalse(status.tiers[0]!.exhausted)
      }).pipe(Effect.provide(store())))

    it.effect("a tier exhausted in the later period is usable again in the earlier one (and the reverse holds)", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(utc("2026-12-01T00:10:00Z"))
        const q = yield* QuotaTracker.make({
          ...options(),
          tiers: [Tier.make({ name: "T", key: Redacted.make("k"), limits: { perDay: 2 } })]
        })
        yield* q.acquire()
        yield* q.acquire()
        assert.strictEqual((yield* Effect.flip(q.acquire())).reason._tag, "AllTiersExhausted")
        yield* TestClock.setTime(utc("2026-12-01T00:10:00Z") - HOUR)
        assert.strictEqual(used(yield* q.acquire(), "day"), 1, "November 30 had no request")
        yield* TestClock.setTime(utc("2026-12-01T00:10:00Z"))
        assert.strictEqual(
          (yield* Effect.flip(q.acquire())).reason._tag,
          "AllTiersExhausted",
          "December 1 is still used up"
        )
      }).pipe(Effect.provide(store())))
  })
}

describe("the clock stepping back, in-process holds", () => {
  it.effect("a 429 hold set before the step lasts its own length, not the step's", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(utc("2026-11-22T10:00:00Z"))
      const q = yield* QuotaTracker.make(options()).pipe(Effect.provide(QuotaStore.layerMemory))
      yield* q.report({ tier: "T", outcome: Outcome.rateLimited({ retryAfterMs: 2_000 }) })
      yield* TestClock.setTime(utc("2026-11-22T09:00:00Z"))
      const refused = yield* Effect.flip(q.acquire())
      assert.strictEqual(refused.reason._tag, "RateLimitExceeded")
      assert.isAtMost((refused.reason as QuotaError.RateLimitExceeded).retryAfter, 2_000)
      yield* TestClock.adjust(2_000)
      yield* q.acquire()
    }).pipe(Effect.provide(QuotaStore.layerMemory)))
})
