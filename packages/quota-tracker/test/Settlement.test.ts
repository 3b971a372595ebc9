/**
 * Reports settle acquires: each `Acquired` is refunded at most once, whatever is reported about
 * it afterwards, and a report without one never refunds more than this tracker took. For each
 * store: the refund arithmetic lives in the tracker, the counts it corrects in the store.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, type Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, inject } from "vitest"
import { Outcome, QuotaStore, QuotaTracker, Tier } from "../src/index.js"
import { RedisStore } from "../src/redis.js"

const dir = mkdtempSync(join(tmpdir(), "quota-settle-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
const unique = () => `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`

const stores: ReadonlyArray<readonly [string, () => Layer.Layer<QuotaStore.QuotaStore, unknown>, boolean]> = [
  ["memory", () => QuotaStore.layerMemory, false],
  ["sqlite", () => QuotaStore.layerSqlite({ filename: join(dir, `${unique()}.sqlite`) }), false],
  ["redis", () => RedisStore.layer({ url, prefix: `bing-quota-test:settle:${unique()}:` }), !inject("redis")]
]

const tiers = [
  Tier.make({ name: "T", key: Redacted.make("settlement-test-key"), limits: { perSecond: 100, perDay: 10 } })
]
const dayUsed = (q: QuotaTracker.Service) =>
  Effect.map(q.status, (s) => s.tiers[0]!.windows.find((w) => w.window === "day")!.used)

for (const [name, store, skip] of stores) {
  describe.skipIf(skip)(`settling acquires (${name})`, () => {
    it.effect("the same Acquired reported failed three times is refunded once", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(Date.parse("2026-11-22T10:00:00Z"))
        const q = yield* QuotaTracker.make({ tiers })
        const kept = yield* q.acquire()
        const failed = yield* q.acquire({ weight: 2 })
        for (let i = 0; i < 3; i++) yield* q.report({ tier: "T", outcome: Outcome.failed(), acquired: failed })
        assert.strictEqual(yield* dayUsed(q), 1, "the other request's count stays")
        // so the limit still holds: 9 more fit, not 11
        for (let i = 0; i < 9; i++) yield* q.acquire()
        assert.strictEqual((yield* Effect.flip(q.acquire())).reason._tag, "AllTiersExhausted")
        // a later report of a settled acquire, of any kind, changes nothing either
        yield* q.report({ tier: "T", outcome: Outcome.success(), acquired: kept })
        yield* q.report({ tier: "T", outcome: Outcome.failed(), acquired: kept })
        assert.strictEqual(yield* dayUsed(q), 10)
      }).pipe(Effect.provide(store())))

    it.effect("a report without an Acquired never refunds more than this tracker took", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(Date.parse("2026-11-22T10:00:00Z"))
        // two trackers on one store: another process's counts are not this one's to refund
        const other = yield* QuotaTracker.make({ tiers })
        const q = yield* QuotaTracker.make({ tiers })
        for (let i = 0; i < 3; i++) yield* other.acquire()
        yield* q.report({ tier: "T", outcome: Outcome.failed(), weight: 5 })
        assert.strictEqual(yield* dayUsed(q), 3, "nothing taken here, nothing refunded")
        yield* q.acquire()
        yield* q.report({ tier: "T", outcome: Outcome.failed(), weight: 5 })
        assert.strictEqual(yield* dayUsed(q), 3, "one taken here, one refunded")
        yield* q.report({ tier: "T", outcome: Outcome.failed() })
        assert.strictEqual(yield* dayUsed(q), 3)
      }).pipe(Effect.provide(store())))
  })
}
