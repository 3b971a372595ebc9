import { NodeRedis } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber, Layer, Logger, Metric, Redacted, References, Stream } from "effect"
import type { Scope } from "effect"
import { Redis } from "effect/persistence"
import { TestClock } from "effect/testing"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { afterAll, inject, vi } from "vitest"
import { Outcome, QuotaError, type QuotaEvent, QuotaStore, QuotaTracker, Tier } from "../src/index.js"
import { RedisStore } from "../src/redis.js"
import { flakyStore } from "./flakyStore.js"

const SECRET = "sk-live-0123456789abcdef"
const tier = (name: string, limits: Tier.Limits) => Tier.make({ name, key: Redacted.make(`${SECRET}-${name}`), limits })
const utc = (iso: string) => Date.parse(iso)
// each tracker over its own memory store, as a process that shares its counts with nobody
const inMemory = Effect.provideServiceEffect(QuotaStore.QuotaStore, QuotaStore.makeMemory)
const MINUTE = 60_000
const DAY = 86_400_000

// Starts collecting the tracker's events; `settle` lets the collector catch up.
const collect = (tracker: QuotaTracker.Service) =>
  Effect.gen(function*() {
    const seen: Array<QuotaEvent.QuotaEvent> = []
    yield* Stream.runForEach(tracker.events, (event) => Effect.sync(() => seen.push(event))).pipe(Effect.forkScoped)
    yield* settle
    return seen
  })
const settle = Effect.gen(function*() {
  for (let i = 0; i < 10; i++) yield* Effect.yieldNow
})

const reasonOf = <A, R>(effect: Effect.Effect<A, QuotaError.QuotaError, R>) =>
  Effect.map(Effect.flip(effect), (error) => error.reason)

const usage = (acquired: QuotaTracker.Acquired, window: string) => acquired.windows.find((w) => w.window === window)

// A tracker over a memory store of its own: `QuotaTracker.make` requires a QuotaStore.
const make = (options: QuotaTracker.Options) => QuotaTracker.make(options).pipe(Effect.provide(QuotaStore.layerMemory))

describe("QuotaTracker.acquire", () => {
  it.effect("counts every window of the tier and answers used, limit, remaining and reset", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(utc("2026-11-22T10:00:00.250Z"))
      const q = yield* make({ tiers: [tier("S15", { perSecond: 10, perDay: 1000, perMonth: 20_000 })] })
      const first = yield* q.acquire()
      const second = yield* q.acquire({ weight: 3 })
      assert.strictEqual(first.tier.name, "S15")
      assert.deepStrictEqual(second.windows.map((w) => w.window), ["month", "day", "second"])
      assert.deepStrictEqual(usage(second, "day"), {
        window: "day",
        used: 4,
        limit: 1000,
        remaining: 996,
        resetsAt: utc("2026-11-23T00:00:00Z")
      })
      assert.deepStrictEqual(usage(second, "month"), {
        window: "month",
        used: 4,
        limit: 20_000,
        remaining: 19_996,
        resetsAt: utc("2026-12-01T00:00:00Z")
      })
      // token bucket: 4 tokens of 100 ms each are in use, the bucket is full again 400 ms from now
      assert.deepStrictEqual(usage(second, "second"), {
        window: "second",
        used: 4,
        limit: 10,
        remaining: 6,
        resetsAt: utc("2026-11-22T10:00:00.650Z")
      })
      assert.strictEqual(second.weight, 3)
      assert.strictEqual(second.acquiredAt, utc("2026-11-22T10:00:00.250Z"))
    }))

  it.effect("is all or nothing: a request refused by the day window is not counted in the month", () =>
    Effect.gen(function*() {
      const q = yield* make({ tiers: [tier("S15", { perDay: 5, perMonth: 1000 })] })
      for (let i = 0; i < 5; i++) yield* q.acquire()
      const reason = yield* reasonOf(q.acquire())
      assert.strictEqual(reason._tag, "AllTiersExhausted")
      const status = yield* q.status
      const windows = status.tiers[0]!.windows
      assert.strictEqual(windows.find((w) => w.window === "month")!.used, 5)
      assert.strictEqual(windows.find((w) => w.window === "day")!.used, 5)
    }))

  it.effect("waits for a full per-second window, on the Clock", () =>
    Effect.gen(function*() {
      const q = yield* make({ tiers: [tier("S15", { perSecond: 2 })], waitForSecondWindow: "1 second" })
      yield* q.acquire()
      yield* q.acquire()
      const third = yield* q.acquire().pipe(Effect.forkChild)
      yield* TestClock.adjust(499)
      assert.isUndefined(third.pollUnsafe(), "still waiting for a token")
      yield* TestClock.adjust(1)
      const acquired = yield* Fiber.join(third)
      assert.strictEqual(acquired.acquiredAt, 500)
    }))

  it.effect("reads the clock of the context it runs in, not the clock of an earlier acquire", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(utc("2026-11-22T10:00:00Z"))
      const q = yield* make({ tiers: [tier("S15", { perSecond: 10, perDay: 1000 })] })
      assert.strictEqual((yield* q.acquire()).acquiredAt, utc("2026-11-22T10:00:00Z"))
      const clock = yield* Clock.clockWith(Effect.succeed)
      const other: Clock.Clock = Object.assign(Object.create(clock), {
        currentTimeMillisUnsafe: () => utc("2026-11-22T10:00:05Z")
      })
      const elsewhere = yield* q.acquire().pipe(Effect.provideService(Clock.Clock, other))
      assert.strictEqual(elsewhere.acquiredAt, utc("2026-11-22T10:00:05Z"))
      yield* TestClock.adjust(1000)
      assert.strictEqual((yield* q.acquire()).acquiredAt, utc("2026-11-22T10:00:01Z"))
    }))

  it.effect("fails with RateLimitExceeded when the wait is not allowed or too long", () =>
    Effect.gen(function*() {
      const noWait = yield* make({ tiers: [tier("S15", { perSecond: 4 })], waitForSecondWindow: 0 })
      for (let i = 0; i < 4; i++) yield* noWait.acquire()
      const reason = yield* reasonOf(noWait.acquire())
      assert.strictEqual(reason._tag, "RateLimitExceeded")
      assert.deepStrictEqual(
        reason._tag === "RateLimitExceeded" && { tier: reason.tier, retryAfter: reason.retryAfter },
        { tier: "S15", retryAfter: 250 }
      )
      assert.isTrue(reason.isRetryable)
      assert.match(reason.message, /S15 is over its per-second rate; retry in 250 ms/)

      const shortWait = yield* make({ tiers: [tier("S16", { perSecond: 1 })], waitForSecondWindow: 200 })
      yield* shortWait.acquire()
      const error = yield* Effect.flip(shortWait.acquire())
      assert.strictEqual(error.reason._tag, "RateLimitExceeded")
      assert.isTrue(QuotaError.isQuotaError(error))
      assert.isTrue(error.isRetryable)
    }))

  it.effect("does not move to the next tier because of a full per-second window", () =>
    Effect.gen(function*() {
      const q = yield* make({
        tiers: [tier("S15", { perSecond: 1, perDay: 100 }), tier("S16", { perDay: 100 })],
        waitForSecondWindow: 0
      }).pipe(inMemory)
      yield* q.acquire()
      assert.strictEqual((yield* reasonOf(q.acquire()))._tag, "RateLimitExceeded")
      yield* TestClock.adjust(1000)
      assert.strictEqual((yield* q.acquire()).tier.name, "S15")
    }))

  it.effect("rejects a weight that is not a positive integer", () =>
    Effect.gen(function*() {
      const q = yield* make({ tiers: [tier("S15", { perDay: 10 })] })
      for (const weight of [0, -1, 1.5, Number.NaN]) {
        const reason = yield* reasonOf(q.acquire({ weight }))
        assert.strictEqual(reason._tag, "InvalidOptions")
      }
      assert.strictEqual((yield* q.status).tiers[0]!.windows[0]!.used, 0)
    }))
})

describe("QuotaTracker.acquire on Effect's default clock", () => {
  // Date.now() stands in for the wall clock, a millisecond later on each call: the acquiredAt
  // values show how often an acquire read it.
  const ticking = Effect.acquireRelease(
    Effect.sync(() => {
      let now = utc("2026-11-22T10:00:00Z")
      return vi.spyOn(Date, "now").mockImplementation(() => now++)
    }),
    (spy) => Effect.sync(() => spy.mockRestore())
  )
  // acquires with nothing in between: one synchronous stretch, no microtask runs
  const inOneStretch = (q: QuotaTracker.Service, n: number) =>
    Effect.sync(() => Array.from({ length: n }, () => Effect.runSync(q.acquire()).acquiredAt))
  const limits = { perSecond: 1e9, perDay: 1e9, perMonth: 1e9 }

  it.live("reads it once for the acquires of one synchronous stretch, and anew after a yield", () =>
    Effect.gen(function*() {
      yield* ticking
      const q = yield* make({ tiers: [tier("S15", limits)] })
      const stretch = yield* inOneStretch(q, 10)
      assert.strictEqual(new Set(stretch).size, 1)
      yield* Effect.yieldNow
      const [after] = yield* inOneStretch(q, 1)
      assert.isAbove(after!, stretch[0]!)
      const status = (yield* q.status).tiers[0]!.windows
      assert.strictEqual(status.find((w) => w.window === "day")!.used, 11)
    }).pipe(Effect.scoped))

  it.live("shares one reading between 64 acquires at most, however long the stretch", () =>
    Effect.gen(function*() {
      yield* ticking
      const q = yield* make({ tiers: [tier("S15", limits)] })
      const times = yield* inOneStretch(q, 200)
      const groups = new Map<number, number>()
      for (const t of times) groups.set(t, (groups.get(t) ?? 0) + 1)
      assert.deepStrictEqual([...groups.values()], [64, 64, 64, 8])
      assert.deepStrictEqual(times, [...times].sort((a, b) => a - b), "never earlier than an earlier acquire's")
    }).pipe(Effect.scoped))

  it.live("reads any other clock on every acquire", () =>
    Effect.gen(function*() {
      const q = yield* make({ tiers: [tier("S15", limits)] })
      const clock = yield* Clock.clockWith(Effect.succeed)
      let now = utc("2026-11-22T10:00:00Z")
      const own: Clock.Clock = Object.assign(Object.create(clock), { currentTimeMillisUnsafe: () => now++ })
      const times = yield* Effect.sync(() =>
        Array.from(
          { length: 3 },
          () => Effect.runSync(q.acquire().pipe(Effect.provideService(Clock.Clock, own))).acquiredAt
        )
      )
      assert.deepStrictEqual(times, [0, 1, 2].map((i) => utc("2026-11-22T10:00:00Z") + i))
    }))
})

describe("thresholds, events and forecasts", () => {
  it.effect("fires each threshold once per window period, with a forecast, as events and log lines", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const logger = Logger.make(({ logLevel, message }) => {
        lines.push(`${logLevel} ${(message as ReadonlyArray<unknown>).join(" ")}`)
      })
      yield* Effect.gen(function*() {
        const q = yield* make({ tiers: [tier("S15", { perDay: 100 })] })
        const seen = yield* collect(q)
        // one request a minute from midnight: 80 requests at 01:19, so 20 more last until 01:39
        for (let i = 0; i < 100; i++) {
          yield* q.acquire()
          yield* TestClock.adjust(MINUTE)
        }
        yield* settle
        const crossed = seen.filter((e): e is QuotaEvent.ThresholdCrossed => e._tag === "ThresholdCrossed")
        assert.deepStrictEqual(crossed.map((e) => [e.threshold, e.used, e.at]), [[0.8, 80, 79 * MINUTE], [
          0.95,
          95,
          94 * MINUTE
        ]])
        assert.strictEqual(crossed[0]!.forecast, 99 * MINUTE)
        assert.strictEqual(
          crossed[0]!.message,
          "S15 daily quota 80% used (80/100); runs out at 01:39 UTC at the current rate"
        )
        assert.strictEqual(
          crossed[1]!.message,
          "S15 daily quota 95% used (95/100); runs out at 01:39 UTC at the current rate"
        )
        assert.isTrue(
          lines.includes("Debug S15 daily quota 80% used (80/100); runs out at 01:39 UTC at the current rate")
        )

        // the next day fires them again
        yield* TestClock.setTime(DAY)
        for (let i = 0; i < 80; i++) yield* q.acquire()
        yield* settle
        assert.strictEqual(seen.filter((e) => e._tag === "ThresholdCrossed").length, 3)
      }).pipe(Effect.provide(Logger.layer([logger])), Effect.provideService(References.MinimumLogLevel, "Debug"))
    }))

  it.effect("logs nothing at the default log level: events are for the app, not the user's stdout", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const logger = Logger.make(({ message }) => {
        lines.push((message as ReadonlyArray<unknown>).join(" "))
      })
      yield* Effect.gen(function*() {
        const q = yield* make({ tiers: [tier("S15", { perDay: 1 }), tier("S16", { perDay: 1 })] })
        const seen = yield* collect(q)
        yield* q.acquire()
        yield* q.acquire()
        yield* settle
        assert.isTrue(seen.some((e) => e._tag === "TierSwitched"))
        assert.isTrue(seen.some((e) => e._tag === "ThresholdCrossed"))
        assert.deepStrictEqual(lines, [])
      }).pipe(Effect.provide(Logger.layer([logger])))
    }))

  it.effect("uses the calendar's zone and the thousands separator in messages", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(utc("2026-11-22T08:00:00Z"))
      const q = yield* make({
        tiers: [tier("S15", { perDay: 1000 })],
        thresholds: [0.5],
        offsetMinutes: 60
      }).pipe(inMemory)
      const seen = yield* collect(q)
      yield* q.setUsage({ tier: "S15", window: "day", used: 499 })
      yield* TestClock.adjust(1000)
      yield* q.acquire()
      yield* settle
      const event = seen.find((e) => e._tag === "ThresholdCrossed")
      // one request in the last second: 500 left last 500 s, until 08:08:20 UTC
      assert.strictEqual(
        event?.message,
        "S15 daily quota 50% used (500/1,000); runs out at 09:08 UTC+01:00 at the current rate"
      )
      // 500 used in the 15 hours since local midnight: at that average, 500 more take past the reset
      yield* TestClock.setTime(utc("2026-11-22T14:00:00Z"))
      const quiet = yield* make({
        tiers: [tier("S16", { perDay: 1000 })],
        thresholds: [0.5],
        offsetMinutes: 60
      }).pipe(inMemory)
      const quietEvents = yield* collect(quiet)
      yield* quiet.setUsage({ tier: "S16", window: "day", used: 500 })
      yield* settle
      assert.strictEqual(
        quietEvents.find((e) => e._tag === "ThresholdCrossed")?.message,
        "S16 daily quota 50% used (500/1,000); lasts until the reset at 2026-11-23 00:00 UTC+01:00 at this period's average rate"
      )
    }))

  it.effect("forecasts in the status from a smoothed rate", () =>
    Effect.gen(function*() {
      const q = yield* make({ tiers: [tier("S15", { perDay: 10_000 })] })
      // 10 requests a second for 10 minutes
      for (let s = 0; s < 600; s++) {
        yield* q.acquire({ weight: 10 })
        yield* TestClock.adjust(1000)
      }
      const day = (yield* q.status).tiers[0]!.windows[0]!
      assert.strictEqual(day.used, 6000)
      assert.closeTo(day.ratePerSecond, 10, 0.05)
      // 4,000 left at 10/s: 400 s from now
      assert.closeTo(day.forecast!, 600_000 + 400_000, 1000)
      assert.deepStrictEqual(day.thresholdsCrossed, [])
    }))

  it.effect("answers no forecast when the window lasts until its reset", () =>
    Effect.gen(function*() {
      const q = yield* make({ tiers: [tier("S15", { perDay: 10_000 })] })
      for (let i = 0; i < 5; i++) {
        yield* q.acquire()
        yield* TestClock.adjust(MINUTE)
      }
      assert.isUndefined((yield* q.status).tiers[0]!.windows[0]!.forecast)
    }))
})

describe("tier switching", () => {
  it.effect("moves to the next tier when the active one is exhausted, and back after its reset", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(utc("2026-11-22T23:00:00Z"))
      const q = yield* make({ tiers: [tier("S15", { perDay: 3 }), tier("S16", { perDay: 100 })] })
      const seen = yield* collect(q)
      for (let i = 0; i < 3; i++) assert.strictEqual((yield* q.acquire()).tier.name, "S15")
      const moved = yield* q.acquire()
      assert.strictEqual(moved.tier.name, "S16")
      assert.strictEqual(moved.switchedFrom, "S15")
      assert.isUndefined((yield* q.acquire()).switchedFrom)
      assert.strictEqual((yield* q.status).active, "S16")

      yield* TestClock.setTime(utc("2026-11-22T23:59:59.999Z"))
      assert.strictEqual((yield* q.acquire()).tier.name, "S16")
      yield* TestClock.setTime(utc("2026-11-23T00:00:00Z"))
      const back = yield* q.acquire()
      assert.strictEqual(back.tier.name, "S15")
      assert.strictEqual(back.switchedFrom, "S16")
      yield* settle
      const switches = seen.filter((e): e is QuotaEvent.TierSwitched => e._tag === "TierSwitched")
      assert.deepStrictEqual(switches.map((e) => [e.from, e.to, e.reason]), [["S15", "S16", "exhausted"], [
        "S16",
        "S15",
        "reset"
      ]])
      assert.strictEqual(switches[0]!.message, "Switched from S15 to S16: S15 is exhausted")
      const exhausted = seen.find((e): e is QuotaEvent.TierExhausted => e._tag === "TierExhausted")
      assert.deepStrictEqual(exhausted && [exhausted.tier, exhausted.window, exhausted.until, exhausted.source], [
        "S15",
        "day",
        utc("2026-11-23T00:00:00Z"),
        "local"
      ])
    }))

  it.effect("switches at the switchAt fraction and uses the rest only when later tiers are out", () =>
    Effect.gen(function*() {
      const q = yield* make({
        tiers: [tier("S15", { perDay: 100 }), tier("S16", { perDay: 2 })],
        switchAt: 0.99
      }).pipe(inMemory)
      const seen = yield* collect(q)
      for (let i = 0; i < 99; i++) assert.strictEqual((yield* q.acquire()).tier.name, "S15")
      const moved = yield* q.acquire()
      assert.strictEqual(moved.tier.name, "S16")
      assert.isTrue((yield* q.status).tiers[0]!.switchedAway)
      assert.strictEqual((yield* q.acquire()).tier.name, "S16")
      // S16 is exhausted: the last 1% of S15 is used rather than failing
      const last = yield* q.acquire()
      assert.strictEqual(last.tier.name, "S15")
      assert.strictEqual(usage(last, "day")!.used, 100)
      const error = yield* Effect.flip(q.acquire())
      assert.strictEqual(error.reason._tag, "AllTiersExhausted")
      yield* settle
      const reasons = seen.filter((e): e is QuotaEvent.TierSwitched => e._tag === "TierSwitched").map((e) => e.reason)
      assert.deepStrictEqual(reasons, ["threshold", "exhausted"])
    }))

  it.effect("fails with AllTiersExhausted and the earliest reset when every tier is out", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(utc("2026-11-22T12:00:00Z"))
      const q = yield* make({ tiers: [tier("S15", { perMonth: 1 }), tier("S16", { perDay: 1 })] })
      yield* q.acquire()
      yield* q.acquire()
      const reason = yield* reasonOf(q.acquire())
      assert.strictEqual(reason._tag, "AllTiersExhausted")
      if (reason._tag !== "AllTiersExhausted") return
      assert.deepStrictEqual(reason.tiers, ["S15", "S16"])
      assert.strictEqual(reason.window, "day")
      assert.strictEqual(reason.resetsAt, utc("2026-11-23T00:00:00Z"))
      assert.strictEqual(reason.retryAfter, 12 * 3_600_000)
      assert.isFalse(reason.isRetryable)
      assert.include(reason.message, "2026-11-23T00:00:00.000Z")
      assert.strictEqual((yield* q.status).active, undefined)
    }))

  it.effect("comes back at a month end on a leap day", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(utc("2024-02-29T23:59:00Z"))
      const q = yield* make({ tiers: [tier("S15", { perMonth: 2 }), tier("S16", { perMonth: 1000 })] })
      yield* q.acquire()
      yield* q.acquire()
      assert.strictEqual((yield* q.acquire()).tier.name, "S16")
      yield* TestClock.adjust(59_999)
      assert.strictEqual((yield* q.acquire()).tier.name, "S16")
      yield* TestClock.adjust(1)
      const back = yield* q.acquire()
      assert.strictEqual(back.tier.name, "S15")
      assert.deepStrictEqual(usage(back, "month"), {
        window: "month",
        used: 1,
        limit: 2,
        remaining: 1,
        resetsAt: utc("2024-04-01T00:00:00Z")
      })
    }))

  it.effect("comes back at the day boundary of a non-UTC offset", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(utc("2026-11-21T21:30:00Z")) // 23:30 at UTC+02:00
      const q = yield* make({
        tiers: [tier("S15", { perDay: 1 }), tier("S16", { perDay: 100 })],
        offsetMinutes: 120
      }).pipe(inMemory)
      const first = yield* q.acquire()
      assert.strictEqual(usage(first, "day")!.resetsAt, utc("2026-11-21T22:00:00Z"))
      assert.strictEqual((yield* q.acquire()).tier.name, "S16")
      yield* TestClock.setTime(utc("2026-11-21T21:59:59.999Z"))
      assert.strictEqual((yield* q.acquire()).tier.name, "S16")
      yield* TestClock.setTime(utc("2026-11-21T22:00:00Z"))
      assert.strictEqual((yield* q.acquire()).tier.name, "S15")
    }))

  it.effect("starts months on the billing anchor day", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(utc("2026-03-16T12:00:00Z"))
      const q = yield* make({
        tiers: [tier("S15", { perMonth: 1 }), tier("S16", { perMonth: 10 })],
        monthAnchorDay: 17
      }).pipe(inMemory)
      yield* q.acquire()
      assert.strictEqual((yield* q.acquire()).tier.name, "S16")
      yield* TestClock.setTime(utc("2026-03-17T00:00:00Z"))
      assert.strictEqual((yield* q.acquire()).tier.name, "S15")
    }))
})

describe("QuotaTracker.report", () => {
  it.effect("a 403 quota answer exhausts the tier until its reset and sets the counter to the limit", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(utc("2026-11-22T12:00:00Z"))
      const q = yield* make({ tiers: [tier("S15", { perDay: 1_000_000 }), tier("S16", {})] })
      const seen = yield* collect(q)
      const acquired = yield* q.acquire()
      yield* q.report({ tier: "S15", outcome: Outcome.quotaExhausted({ window: "day" }), acquired })
      const s15 = (yield* q.status).tiers[0]!
      assert.isTrue(s15.exhausted)
      assert.strictEqual(s15.exhaustedUntil, utc("2026-11-23T00:00:00Z"))
      assert.strictEqual(s15.windows[0]!.used, 1_000_000, "the server is the truth")
      const next = yield* q.acquire()
      assert.strictEqual(next.tier.name, "S16")
      yield* TestClock.setTime(utc("2026-11-23T00:00:00Z"))
      assert.strictEqual((yield* q.acquire()).tier.name, "S15")
      yield* settle
      const switched = seen.filter((e): e is QuotaEvent.TierSwitched => e._tag === "TierSwitched").map((e) => e.reason)
      assert.deepStrictEqual(switched, ["server-quota", "reset"])
      const exhausted = seen.find((e): e is QuotaEvent.TierExhausted => e._tag === "TierExhausted")
      assert.strictEqual(exhausted?.source, "server")
    }))

  it.effect("a 403 with Retry-After holds the tier for that long, even without local limits", () =>
    Effect.gen(function*() {
      const q = yield* make({ tiers: [tier("S15", {}), tier("S16", {})] })
      yield* q.report({ tier: "S15", outcome: Outcome.quotaExhausted({ retryAfterMs: 90_000 }) })
      assert.strictEqual((yield* q.acquire()).tier.name, "S16")
      yield* TestClock.adjust(90_000)
      assert.strictEqual((yield* q.acquire()).tier.name, "S15")
    }))

  it.effect("a 429 holds the tier until Retry-After, bounded, without switching tiers", () =>
    Effect.gen(function*() {
      const q = yield* make({
        tiers: [tier("S15", { perDay: 100 }), tier("S16", { perDay: 100 })],
        waitForSecondWindow: "1 second",
        maxRetryAfterHold: "2 seconds"
      }).pipe(inMemory)
      const acquired = yield* q.acquire()
      yield* q.report({ tier: "S15", outcome: Outcome.rateLimited({ retryAfterMs: 600 }), acquired })
      assert.isTrue((yield* q.status).tiers[0]!.held)
      const waiting = yield* q.acquire().pipe(Effect.forkChild)
      yield* TestClock.adjust(599)
      assert.isUndefined(waiting.pollUnsafe())
      yield* TestClock.adjust(1)
      assert.strictEqual((yield* Fiber.join(waiting)).tier.name, "S15")

      // a Retry-After of two minutes is cut to maxRetryAfterHold, longer than the wait bound: fail
      yield* q.report({ tier: "S15", outcome: Outcome.rateLimited({ retryAfterMs: 120_000 }) })
      const reason = yield* reasonOf(q.acquire())
      assert.deepStrictEqual(reason._tag === "RateLimitExceeded" && [reason.tier, reason.retryAfter], ["S15", 2000])
      yield* TestClock.adjust(2000)
      assert.strictEqual((yield* q.acquire()).tier.name, "S15")
    }))

  it.effect("a 429 refunds the day count (Bing bills only answered requests)", () =>
    Effect.gen(function*() {
      const q = yield* make({ tiers: [tier("S15", { perDay: 100 })] })
      const acquired = yield* q.acquire()
      yield* q.report({ tier: "S15", outcome: Outcome.rateLimited(), acquired })
      assert.strictEqual((yield* q.status).tiers[0]!.windows[0]!.used, 0)
    }))

  it.effect("a failed request is refunded, unless refundFailed is false", () =>
    Effect.gen(function*() {
      const refunding = yield* make({
        tiers: [tier("S15", { perSecond: 1, perDay: 10 })],
        waitForSecondWindow: 0
      }).pipe(inMemory)
      const acquired = yield* refunding.acquire({ weight: 1 })
      yield* refunding.report({ tier: "S15", outcome: Outcome.failed(), acquired })
      const windows = (yield* refunding.status).tiers[0]!.windows
      assert.deepStrictEqual(windows.map((w) => w.used), [0, 0])
      // the per-second token came back too
      assert.strictEqual((yield* refunding.acquire()).tier.name, "S15")

      const keeping = yield* make({ tiers: [tier("S15", { perDay: 10 })], refundFailed: false })
      const kept = yield* keeping.acquire({ weight: 2 })
      yield* keeping.report({ tier: "S15", outcome: Outcome.failed(), acquired: kept })
      assert.strictEqual((yield* keeping.status).tiers[0]!.windows[0]!.used, 2)
    }))

  it.effect("a refund after the day rolled over goes to the day of the acquire", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(utc("2026-11-22T23:59:59Z"))
      const q = yield* make({ tiers: [tier("S15", { perDay: 10 })] })
      const yesterday = yield* q.acquire()
      yield* TestClock.setTime(utc("2026-11-23T00:00:01Z"))
      yield* q.acquire()
      yield* q.report({ tier: "S15", outcome: Outcome.failed(), acquired: yesterday })
      assert.strictEqual((yield* q.status).tiers[0]!.windows[0]!.used, 1)
    }))

  it.effect("success changes nothing; an unknown tier is an InvalidOptions error", () =>
    Effect.gen(function*() {
      const q = yield* make({ tiers: [tier("S15", { perDay: 10 })] })
      const acquired = yield* q.acquire()
      yield* q.report({ tier: "S15", outcome: Outcome.success(), acquired })
      assert.strictEqual((yield* q.status).tiers[0]!.windows[0]!.used, 1)
      const reason = yield* reasonOf(q.report({ tier: "S99", outcome: Outcome.success() }))
      assert.strictEqual(reason._tag, "InvalidOptions")
    }))
})

describe("QuotaTracker.setUsage", () => {
  it.effect("sets usage from an outside source and acts on it", () =>
    Effect.gen(function*() {
      const q = yield* make({
        tiers: [tier("S15", { perDay: 100, perMonth: 1000 }), tier("S16", { perDay: 100 })]
      }).pipe(inMemory)
      const seen = yield* collect(q)
      yield* q.setUsage({ tier: "S15", window: "month", used: 960 })
      yield* settle
      assert.deepStrictEqual(
        seen.filter((e) => e._tag === "ThresholdCrossed").map((e) => e._tag === "ThresholdCrossed" && e.threshold),
        [0.8, 0.95]
      )
      yield* q.setUsage({ tier: "S15", window: "month", used: 1000 })
      assert.strictEqual((yield* q.acquire()).tier.name, "S16")
      // a corrected (lower) figure makes the tier usable again
      yield* q.setUsage({ tier: "S15", window: "month", used: 10 })
      assert.strictEqual((yield* q.acquire()).tier.name, "S15")
      assert.strictEqual(
        (yield* reasonOf(q.setUsage({ tier: "S16", window: "month", used: 1 })))._tag,
        "InvalidOptions"
      )
      assert.strictEqual((yield* reasonOf(q.setUsage({ tier: "S15", window: "day", used: -1 })))._tag, "InvalidOptions")
    }))
})

describe("QuotaTracker.status", () => {
  it.effect("snapshots every tier and window", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(utc("2026-11-22T06:00:00Z"))
      const q = yield* make({
        tiers: [
          Tier.make({
            name: "S15",
            key: Redacted.make(SECRET),
            endpoint: "http://127.0.0.1:8080",
            limits: { perSecond: 9, perDay: 10 }
          }),
          tier("S16", { perMonth: 50 })
        ]
      }).pipe(inMemory)
      for (let i = 0; i < 9; i++) yield* q.acquire()
      const status = yield* q.status
      assert.strictEqual(status.at, utc("2026-11-22T06:00:00Z"))
      assert.strictEqual(status.active, "S15")
      assert.strictEqual(status.store, "memory")
      assert.strictEqual(status.storeMode, "primary")
      const [s15, s16] = status.tiers
      assert.deepStrictEqual(
        {
          name: s15!.name,
          endpoint: s15!.endpoint,
          active: s15!.active,
          held: s15!.held,
          exhausted: s15!.exhausted,
          switchedAway: s15!.switchedAway
        },
        {
          name: "S15",
          endpoint: "http://127.0.0.1:8080",
          active: true,
          held: false,
          exhausted: false,
          switchedAway: false
        }
      )
      const day = s15!.windows.find((w) => w.window === "day")!
      assert.deepStrictEqual([day.used, day.limit, day.remaining, day.resetsAt, day.thresholdsCrossed], [
        9,
        10,
        1,
        utc("2026-11-23T00:00:00Z"),
        [0.8]
      ])
      const second = s15!.windows.find((w) => w.window === "second")!
      assert.deepStrictEqual([second.used, second.remaining, second.resetsAt], [9, 0, utc("2026-11-22T06:00:01Z")])
      // the per-second window has no rate forecast: it is out now while the bucket is empty, and not after
      assert.deepStrictEqual([second.forecast, second.forecastBasis, second.ratePerSecond], [
        utc("2026-11-22T06:00:00Z"),
        undefined,
        0
      ])
      yield* TestClock.adjust(500)
      const refilled = (yield* q.status).tiers[0]!.windows.find((w) => w.window === "second")!
      assert.deepStrictEqual([refilled.used, refilled.forecast], [5, undefined])
      assert.deepStrictEqual(s16!.windows.map((w) => [w.window, w.used, w.limit]), [["month", 0, 50]])
      assert.notInclude(JSON.stringify(status), SECRET)
    }))
})

// Several trackers on one store stand for several processes sharing a SQLite file or a Redis server.
const sharing = <A, E, R>(build: (store: QuotaStore.Service) => Effect.Effect<A, E, R>) =>
  Effect.flatMap(QuotaStore.makeMemory, build)
const on = (store: QuotaStore.Service, options: QuotaTracker.Options) =>
  QuotaTracker.make(options).pipe(Effect.provideService(QuotaStore.QuotaStore, store))
const switchesIn = (events: ReadonlyArray<QuotaEvent.QuotaEvent>) =>
  events.filter((e): e is QuotaEvent.TierSwitched => e._tag === "TierSwitched").map((e) => [e.from, e.to, e.reason])
const crossedIn = (events: ReadonlyArray<QuotaEvent.QuotaEvent>) =>
  events.filter((e): e is QuotaEvent.ThresholdCrossed => e._tag === "ThresholdCrossed").map((e) => e.threshold)

describe("a process starting on a shared store", () => {
  it.effect("reports the switch when its first acquire skips a tier another process exhausted", () =>
    sharing((store) =>
      Effect.gen(function*() {
        yield* TestClock.setTime(utc("2026-11-22T10:00:00Z"))
        const options = { tiers: [tier("S15", { perDay: 3 }), tier("S16", { perDay: 100 })] }
        const earlier = yield* on(store, options)
        for (let i = 0; i < 3; i++) yield* earlier.acquire()

        const fresh = yield* on(store, options)
        const seen = yield* collect(fresh)
        assert.strictEqual((yield* fresh.status).active, "S16")
        const first = yield* fresh.acquire()
        assert.strictEqual(first.tier.name, "S16")
        assert.strictEqual(first.switchedFrom, "S15")
        assert.isUndefined((yield* fresh.acquire()).switchedFrom)
        const status = yield* fresh.status
        assert.strictEqual(status.active, "S16")
        assert.deepStrictEqual(status.tiers.map((t) => [t.name, t.active, t.exhausted]), [["S15", false, true], [
          "S16",
          true,
          false
        ]])
        yield* settle
        assert.deepStrictEqual(switchesIn(seen), [["S15", "S16", "exhausted"]])
        assert.strictEqual(
          seen.find((e) => e._tag === "TierSwitched")?.message,
          "Switched from S15 to S16: S15 is exhausted"
        )

        // and back to S15 when its day resets, as in a process that saw the first switch
        yield* TestClock.setTime(utc("2026-11-23T00:00:00Z"))
        assert.strictEqual((yield* fresh.acquire()).tier.name, "S15")
        yield* settle
        assert.deepStrictEqual(switchesIn(seen), [["S15", "S16", "exhausted"], ["S16", "S15", "reset"]])
      })
    ))

  it.effect("names the switch threshold as the reason, and reports nothing when the first tier is fine", () =>
    sharing((store) =>
      Effect.gen(function*() {
        const options = {
          tiers: [tier("S15", { perDay: 100 }), tier("S16", { perDay: 100 }), tier("S17", { perDay: 100 })],
          switchAt: 0.99
        }
        const earlier = yield* on(store, options)
        yield* earlier.setUsage({ tier: "S16", window: "day", used: 100 })

        const untouched = yield* on(store, options)
        const quiet = yield* collect(untouched)
        assert.strictEqual((yield* untouched.acquire()).tier.name, "S15")
        yield* settle
        assert.deepStrictEqual(switchesIn(quiet), [])

        yield* earlier.setUsage({ tier: "S15", window: "day", used: 99 })
        const fresh = yield* on(store, options)
        const seen = yield* collect(fresh)
        const first = yield* fresh.acquire()
        assert.deepStrictEqual([first.tier.name, first.switchedFrom], ["S17", "S15"])
        assert.strictEqual((yield* fresh.status).active, "S17")
        yield* settle
        assert.deepStrictEqual(switchesIn(seen), [["S15", "S17", "threshold"]])
        assert.strictEqual(
          seen.find((e) => e._tag === "TierSwitched")?.message,
          "Switched from S15 to S17: S15 reached the switch threshold (99%)"
        )
      })
    ))

  it.effect("forecasts from the period's average rate until the process has measured a rate of its own", () =>
    sharing((store) =>
      Effect.gen(function*() {
        yield* TestClock.setTime(utc("2026-11-22T06:00:00Z"))
        const options = { tiers: [tier("S15", { perDay: 1000, perMonth: 100_000 })] }
        const earlier = yield* on(store, options)
        yield* earlier.setUsage({ tier: "S15", window: "day", used: 600 })
        yield* earlier.setUsage({ tier: "S15", window: "month", used: 600 })

        const fresh = yield* on(store, options)
        const seen = yield* collect(fresh)
        const [month, day] = (yield* fresh.status).tiers[0]!.windows
        // 600 in the 6 hours since midnight: 400 more last 4 hours
        assert.strictEqual(day!.forecast, utc("2026-11-22T10:00:00Z"))
        assert.strictEqual(day!.forecastBasis, "period-average")
        assert.closeTo(day!.ratePerSecond, 600 / 21_600, 1e-9)
        // 600 in 21.25 days: the month lasts until its reset
        assert.deepStrictEqual([month!.forecast, month!.forecastBasis], [undefined, "period-average"])

        // the threshold event of a fresh process carries that forecast too, and says so
        yield* fresh.acquire({ weight: 200 })
        yield* settle
        const crossed = seen.find((e): e is QuotaEvent.ThresholdCrossed => e._tag === "ThresholdCrossed")
        assert.deepStrictEqual(crossed && [crossed.threshold, crossed.forecast, crossed.forecastBasis], [
          0.8,
          utc("2026-11-22T07:30:00Z"),
          "period-average"
        ])
        assert.strictEqual(
          crossed?.message,
          "S15 daily quota 80% used (800/1,000); runs out at 07:30 UTC at this period's average rate"
        )

        // once it has measured a rate of its own (210 counted in the second since its first look at
        // 06:00), that rate is the forecast's basis: 190 left at 210 a second
        yield* TestClock.adjust(1000)
        yield* fresh.acquire({ weight: 10 })
        const measured = (yield* fresh.status).tiers[0]!.windows[1]!
        assert.strictEqual(measured.forecastBasis, "smoothed")
        assert.closeTo(measured.ratePerSecond, 210, 1e-9)
        assert.strictEqual(measured.forecast, utc("2026-11-22T06:00:01Z") + Math.ceil(190_000 / 210))
      })
    ))
})

describe("thresholds on a shared store", () => {
  const dir = mkdtempSync(join(tmpdir(), "quota-thresholds-"))
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
  const prefix = `quota-thresholds-test:${process.pid}-${Date.now()}:`
  const skipRedis = !inject("redis")
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true })
    if (skipRedis) return
    await Effect.runPromise(
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const keys = yield* redis.send<Array<string>>("KEYS", `${prefix}*`)
        if (keys.length > 0) yield* redis.send("DEL", ...keys)
      }).pipe(Effect.provide(NodeRedis.layer({ url: redisUrl })))
    )
  })
  // each call opens its own connection, as another process would
  const stores: ReadonlyArray<
    [string, (n: number) => Effect.Effect<QuotaStore.Service, unknown, Scope.Scope>, boolean]
  > = [
    ["memory", () => QuotaStore.makeMemory, false],
    ["sqlite", () => QuotaStore.makeSqlite({ filename: join(dir, "thresholds.sqlite") }), false],
    [
      "redis",
      () =>
        Effect.flatMap(
          Layer.build(RedisStore.layer({ url: redisUrl, prefix })),
          (context) => Effect.provideContext(QuotaStore.QuotaStore, context)
        ),
      skipRedis
    ]
  ]
  for (const [name, open, skip] of stores) {
    it.effect.skipIf(skip)(
      `fire once per period across the processes sharing a ${name} store`,
      () =>
        Effect.gen(function*() {
          yield* TestClock.setTime(utc("2026-11-22T08:00:00Z"))
          const shared = yield* open(0)
          const options = { tiers: [tier("S15", { perDay: 100 })] }
          const a = yield* on(shared, options)
          const aSeen = yield* collect(a)
          yield* a.acquire({ weight: 80 })

          const b = yield* on(name === "memory" ? shared : yield* open(1), options)
          const bSeen = yield* collect(b)
          yield* b.acquire() // 81: 80% fired already, in the other process
          yield* b.acquire({ weight: 14 }) // 95
          yield* a.acquire() // 96: a sees 95% crossed for the first time, but b fired it
          yield* settle
          assert.deepStrictEqual(crossedIn(aSeen), [0.8])
          assert.deepStrictEqual(crossedIn(bSeen), [0.95])
          const c = yield* on(name === "memory" ? shared : yield* open(2), options)
          const cSeen = yield* collect(c)
          yield* c.status
          yield* c.acquire()
          yield* settle
          assert.deepStrictEqual(crossedIn(cSeen), [])

          // a new period fires them again, once
          yield* TestClock.setTime(utc("2026-11-23T08:00:00Z"))
          yield* b.acquire({ weight: 80 })
          yield* a.acquire()
          yield* c.acquire({ weight: 15 })
          yield* settle
          assert.deepStrictEqual([crossedIn(aSeen), crossedIn(bSeen), crossedIn(cSeen)], [[0.8], [0.95, 0.8], [0.95]])
        })
    )
  }
})

describe("metrics", () => {
  it.effect("exposes used, remaining and limit gauges and refusal and switch counters", () =>
    Effect.gen(function*() {
      const q = yield* make({ tiers: [tier("M15", { perDay: 2 }), tier("M16", { perDay: 1 })] })
      yield* q.acquire()
      yield* q.acquire()
      yield* q.acquire()
      yield* Effect.flip(q.acquire())
      const snapshot = yield* Metric.snapshot
      const find = (id: string, attributes: Record<string, string>) =>
        snapshot.find((s) => s.id === id && Object.entries(attributes).every(([k, v]) => s.attributes?.[k] === v))
          ?.state as
            | { readonly value?: number; readonly count?: number }
            | undefined
      assert.strictEqual(find("bing_quota_used", { tier: "M15", window: "day" })?.value, 2)
      assert.strictEqual(find("bing_quota_remaining", { tier: "M15", window: "day" })?.value, 0)
      assert.strictEqual(find("bing_quota_limit", { tier: "M16", window: "day" })?.value, 1)
      assert.strictEqual(find("bing_quota_switches_total", { from: "M15", to: "M16", reason: "exhausted" })?.count, 1)
      assert.strictEqual(find("bing_quota_refusals_total", { tier: "*", reason: "all-exhausted" })?.count, 1)
    }).pipe(Effect.provideService(Metric.MetricRegistry, new Map())))
})

describe("store failures", () => {
  it.effect("fail closed: a StoreUnavailable error", () =>
    Effect.gen(function*() {
      const { state, store } = yield* flakyStore
      const q = yield* QuotaTracker.make({ tiers: [tier("S15", { perDay: 10 })] }).pipe(
        Effect.provideService(QuotaStore.QuotaStore, store)
      )
      yield* q.acquire()
      state.down = true
      const reason = yield* reasonOf(q.acquire())
      assert.strictEqual(reason._tag, "StoreUnavailable")
      assert.strictEqual(reason.message, "The redis quota store is unavailable: connection refused")
      assert.isTrue(reason.isRetryable)
      state.down = false
      assert.strictEqual(usage(yield* q.acquire(), "day")!.used, 2)
    }))

  it.effect("a copy of the memory store with an acquire of its own is the store the tracker calls", () =>
    Effect.gen(function*() {
      const memory = yield* QuotaStore.makeMemory
      let calls = 0
      const counted: QuotaStore.Service = {
        ...memory,
        acquire: (slots, weight, now) => Effect.andThen(Effect.sync(() => calls++), memory.acquire(slots, weight, now))
      }
      const q = yield* QuotaTracker.make({ tiers: [tier("S15", { perDay: 10 })] }).pipe(
        Effect.provideService(QuotaStore.QuotaStore, counted)
      )
      yield* q.acquire()
      yield* q.acquire()
      assert.strictEqual(calls, 2, "the memory store's fast path is not copied with its fields")
    }))

  it.effect("fail open: admits and counts in memory, then pushes the counts when the store is back", () =>
    Effect.gen(function*() {
      const { inner, state, store } = yield* flakyStore
      const failOpen = yield* QuotaStore.makeFailOpen(store, { retryInterval: "5 seconds" })
      const q = yield* QuotaTracker.make({ tiers: [tier("S15", { perDay: 10 })] })
        .pipe(Effect.provideService(QuotaStore.QuotaStore, failOpen))
      const seen = yield* collect(q)
      for (let i = 0; i < 3; i++) yield* q.acquire()
      state.down = true
      for (let i = 0; i < 4; i++) {
        const acquired = yield* q.acquire()
        assert.strictEqual(usage(acquired, "day")!.used, 4 + i, "memory starts from the last count seen in the store")
      }
      assert.strictEqual((yield* q.status).storeMode, "fallback")
      // the local count still enforces the limit
      for (let i = 0; i < 3; i++) yield* q.acquire()
      assert.strictEqual((yield* reasonOf(q.acquire()))._tag, "AllTiersExhausted")

      state.down = false
      yield* TestClock.adjust("5 seconds")
      const status = yield* q.status
      assert.strictEqual(status.storeMode, "primary")
      assert.strictEqual(status.tiers[0]!.windows[0]!.used, 10)
      const slots = [{ kind: "counter" as const, key: `{S15}:day:0`, limit: 10, expiresAt: DAY }]
      assert.deepStrictEqual(yield* inner.get(slots, 5000), [10], "the 7 requests admitted meanwhile were pushed")
      yield* settle
      const tags = seen.map((e) => e._tag).filter((t) => t === "StoreFallback" || t === "StoreRecovered")
      assert.deepStrictEqual(tags, ["StoreFallback", "StoreRecovered"])
      const recovered = seen.find((e): e is QuotaEvent.StoreRecovered => e._tag === "StoreRecovered")
      assert.strictEqual(recovered?.pushed, 7)
    }))

  it.effect("fail open: counts admitted while the push is on the wire reach the store too", () =>
    Effect.gen(function*() {
      const { inner, state, store } = yield* flakyStore
      // a store whose writes take 50 ms, so that acquires land while the recovery push is in flight
      const slow: QuotaStore.Service = {
        ...store,
        add: (slots, delta, now) => Effect.andThen(Effect.sleep("50 millis"), store.add(slots, delta, now))
      }
      const failOpen = yield* QuotaStore.makeFailOpen(slow, { retryInterval: "5 seconds" })
      const q = yield* QuotaTracker.make({ tiers: [tier("S15", { perDay: 100 })] })
        .pipe(Effect.provideService(QuotaStore.QuotaStore, failOpen))
      state.down = true
      for (let i = 0; i < 5; i++) yield* q.acquire()
      state.down = false
      yield* TestClock.adjust("5 seconds")
      const pushing = yield* Effect.forkChild(q.acquire()) // starts the push of the 5
      yield* TestClock.adjust("10 millis")
      for (let i = 0; i < 3; i++) yield* q.acquire() // counted in memory: the push is still on the wire
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(pushing)
      yield* q.acquire()
      const slots = [{ kind: "counter" as const, key: `{S15}:day:0`, limit: 100, expiresAt: DAY }]
      assert.deepStrictEqual(yield* inner.get(slots, 6000), [10], "5 + 1 + 3 + 1 admitted, none lost")
      assert.strictEqual((yield* q.status).storeMode, "primary")
    }))
})

describe("a store key holding something other than a number", () => {
  const dir = mkdtempSync(join(tmpdir(), "quota-poison-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  let n = 0
  // a SQLite store whose day row another program overwrites with text
  const poisonedTracker = (failOpen?: QuotaStore.FailOpenOptions) =>
    Effect.gen(function*() {
      yield* TestClock.setTime(utc("2026-11-22T10:00:00Z"))
      const filename = join(dir, `poison-${n++}.sqlite`)
      const sqlite = yield* QuotaStore.makeSqlite({ filename })
      const store = failOpen === undefined ? sqlite : yield* QuotaStore.makeFailOpen(sqlite, failOpen)
      const q = yield* QuotaTracker.make({ tiers: [tier("S15", { perDay: 10 })], thresholds: [0.5] }).pipe(
        Effect.provideService(QuotaStore.QuotaStore, store)
      )
      const seen = yield* collect(q)
      yield* q.acquire()
      yield* q.acquire()
      const dayKey = `{S15}:day:${utc("2026-11-22T00:00:00Z")}`
      const write = (value: unknown) => {
        const db = new DatabaseSync(filename)
        db.prepare("UPDATE quota_counters SET value = ? WHERE key = ?").run(value as string, dayKey)
        db.close()
      }
      write("poison-value-7361")
      return { dayKey, q, seen, write }
    })

  it.effect("fail closed: acquire and status fail with StoreUnavailable naming the key; no threshold fires", () =>
    Effect.gen(function*() {
      const { dayKey, q, seen } = yield* poisonedTracker()
      const reason = yield* reasonOf(q.acquire())
      assert.strictEqual(reason._tag, "StoreUnavailable")
      assert.include(reason.message, dayKey)
      assert.notInclude(reason.message, "poison-value")
      assert.strictEqual((yield* reasonOf(q.status))._tag, "StoreUnavailable")
      yield* settle
      assert.deepStrictEqual(seen.filter((e) => e._tag === "ThresholdCrossed"), [])
    }))

  it.effect("fail open: admits in memory, leaves fallback once the key holds a count again, and warns with real figures", () =>
    Effect.gen(function*() {
      const { dayKey, q, seen, write } = yield* poisonedTracker({ retryInterval: "1 second" })
      for (let i = 0; i < 3; i++) assert.strictEqual(usage(yield* q.acquire(), "day")!.used, 3 + i)
      assert.strictEqual((yield* q.status).storeMode, "fallback")
      yield* settle
      const fallback = seen.find((e): e is QuotaEvent.StoreFallback => e._tag === "StoreFallback")
      assert.include(fallback?.detail, dayKey)
      write(2) // repaired
      yield* TestClock.adjust("1 second")
      const status = yield* q.status
      assert.strictEqual(status.storeMode, "primary")
      assert.strictEqual(
        status.tiers[0]!.windows.find((w) => w.window === "day")!.used,
        5,
        "2 before, 3 admitted meanwhile"
      )
      yield* settle
      const crossed = seen.filter((e): e is QuotaEvent.ThresholdCrossed => e._tag === "ThresholdCrossed")
      assert.deepStrictEqual(crossed.map((e) => [e.used, e.limit]), [[5, 10]])
      assert.notInclude(crossed[0]!.message, "NaN")
    }))
})

describe("options", () => {
  it.effect("rejects invalid options with InvalidOptions", () =>
    Effect.gen(function*() {
      const cases: Array<QuotaTracker.Options> = [
        { tiers: [] },
        { tiers: [tier("S15", {}), tier("S15", {})] },
        { tiers: [tier("S15", { perDay: -5 })] },
        { tiers: [tier("S15", {})], switchAt: 0 },
        { tiers: [tier("S15", {})], switchAt: 1.5 },
        { tiers: [tier("S15", {})], thresholds: [0.5, 2] },
        { tiers: [tier("S15", {})], timeZone: "Nowhere/Special" },
        { tiers: [tier("S15", {})], monthAnchorDay: 0 },
        { tiers: [tier("S15", {})], waitForSecondWindow: -1 },
        { tiers: [tier("S15", {})], storeFailure: "maybe" } as QuotaTracker.Options,
        { tiers: [tier("S15", {}), Tier.make({ name: "S16", key: Redacted.make("") })] },
        { tiers: [Tier.make({ name: "S15", key: Redacted.make(" \t ") })] }
      ]
      for (const options of cases) {
        const exit = yield* Effect.exit(make(options))
        assert.isTrue(Exit.isFailure(exit))
        const reason = yield* reasonOf(make(options))
        assert.strictEqual(reason._tag, "InvalidOptions", JSON.stringify(options.tiers.map((t) => t.name)))
        assert.isFalse(reason.isRetryable)
      }
    }))

  it.effect("QuotaTracker.layer provides the service over the memory store given to it", () =>
    Effect.gen(function*() {
      const q = yield* QuotaTracker.QuotaTracker
      assert.strictEqual((yield* q.acquire()).tier.name, "S15")
      assert.strictEqual((yield* q.status).store, "memory")
    }).pipe(
      Effect.provide(
        QuotaTracker.layer({ tiers: [tier("S15", { perDay: 1 })] }).pipe(Layer.provide(QuotaStore.layerMemory))
      )
    ))

  it.effect("without a QuotaStore the tracker is not built: no silent memory store of its own", () =>
    Effect.gen(function*() {
      // @ts-expect-error the store is a requirement of make
      const withoutStore: Effect.Effect<QuotaTracker.Service, QuotaError.QuotaError, Scope.Scope> = QuotaTracker
        .make({ tiers: [tier("S15", { perDay: 1 })] })
      const exit = yield* Effect.exit(withoutStore)
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(Exit.isFailure(exit) ? exit.cause : ""), "@bing-effect/quota-tracker/QuotaStore")
    }))

  it.effect("a removed option is an InvalidOptions error that says what replaces it", () =>
    Effect.gen(function*() {
      const options = { tiers: [tier("S15", {})], storeFailure: "open" } as QuotaTracker.Options
      const reason = yield* reasonOf(make(options))
      assert.strictEqual(reason._tag, "InvalidOptions")
      assert.include(reason.message, "QuotaStore.layerFailOpen")
    }))

  it.effect("keeps the messages of invalid options", () =>
    Effect.gen(function*() {
      const cases: Array<[QuotaTracker.Options, string]> = [
        [{ tiers: [] }, "tiers must name at least one tier"],
        [{ tiers: [tier("S15", {}), tier("S15", {})] }, "tier S15 appears twice in the chain"],
        [{ tiers: [tier("S15", {})], switchAt: 1.5 }, "switchAt must be a fraction in (0, 1], got 1.5"],
        [{ tiers: [tier("S15", {})], thresholds: [0.5, 2] }, "thresholds must be fractions in (0, 1], got 2"],
        [
          { tiers: [tier("S15", {})], waitForSecondWindow: -1 },
          "waitForSecondWindow must be a finite, non-negative duration"
        ],
        [
          { tiers: [tier("S15", {})], maxRetryAfterHold: "soon" as "1 second" },
          "maxRetryAfterHold is not a valid duration"
        ],
        [{ tiers: [tier("S15", {})], monthAnchorDay: 0 }, "monthAnchorDay must be an integer from 1 to 31, got 0"],
        [
          { tiers: [tier("S15", {})], timeZone: "Nowhere/Special" },
          "timeZone \"Nowhere/Special\" is not a known IANA time zone"
        ]
      ]
      for (const [options, message] of cases) {
        const reason = yield* reasonOf(make(options))
        assert.strictEqual(reason.message, `Invalid quota options: ${message}`)
      }
    }))

  it.effect("uses the QuotaStore provided to its layer", () =>
    Effect.gen(function*() {
      const q = yield* QuotaTracker.QuotaTracker
      yield* q.acquire()
      const store = yield* QuotaStore.QuotaStore
      const day = { kind: "counter" as const, key: "{S15}:day:0", limit: 5, expiresAt: DAY }
      assert.deepStrictEqual(yield* store.get([day], 0), [1])
    }).pipe(
      Effect.provide(
        QuotaTracker.layer({ tiers: [tier("S15", { perDay: 5 })] }).pipe(Layer.provideMerge(QuotaStore.layerMemory))
      )
    ))
})

describe("secrets", () => {
  it.effect("never puts a key in errors, events or status", () =>
    Effect.gen(function*() {
      const q = yield* make({
        tiers: [tier("S15", { perSecond: 1, perDay: 2 }), tier("S16", { perDay: 1 })],
        waitForSecondWindow: 0
      }).pipe(inMemory)
      const seen = yield* collect(q)
      const texts: Array<string> = []
      texts.push(JSON.stringify(yield* q.acquire()))
      const rate = yield* Effect.flip(q.acquire())
      assert.strictEqual(rate.reason._tag, "RateLimitExceeded")
      texts.push(rate.message, String(rate), JSON.stringify(rate))
      yield* TestClock.adjust(1000)
      yield* q.acquire()
      yield* q.report({ tier: "S16", outcome: Outcome.quotaExhausted() })
      const error = yield* Effect.flip(q.acquire())
      assert.strictEqual(error.reason._tag, "AllTiersExhausted")
      texts.push(error.message, String(error), JSON.stringify(error), JSON.stringify(yield* q.status))
      yield* settle
      for (const event of seen) texts.push(JSON.stringify(event))
      assert.isAbove(seen.length, 1)
      for (const text of texts) assert.notInclude(text, SECRET)
    }))
})
