/** `QuotaTracker.withQuota`: acquire, run, report the outcome of how the effect ended, exactly once. */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Data, Deferred, Effect, Exit, Fiber, Option, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { Outcome, QuotaError, QuotaStore, QuotaTracker, Tier } from "../src/index.js"

const tier = (name: string, limits: Tier.Limits) => Tier.make({ name, key: Redacted.make(`key-${name}`), limits })
const inMemory = Effect.provideServiceEffect(QuotaStore.QuotaStore, QuotaStore.makeMemory)

class Refused extends Data.TaggedError("Refused")<{ readonly status: number }> {}

// A tracker that records every report it passes on.
const recording = (options: QuotaTracker.Options) =>
  Effect.gen(function*() {
    const tracker = yield* QuotaTracker.make(options).pipe(inMemory)
    const reports: Array<Outcome.Outcome> = []
    const spy: Pick<QuotaTracker.Service, "acquire" | "report"> = {
      acquire: tracker.acquire,
      report: (report) => Effect.andThen(Effect.sync(() => reports.push(report.outcome)), tracker.report(report))
    }
    return { tracker, spy, reports }
  })

const dayUsed = (tracker: QuotaTracker.Service, name: string) =>
  Effect.map(
    tracker.status,
    (status) => status.tiers.find((t) => t.name === name)!.windows.find((w) => w.window === "day")!.used
  )

const byStatus = <A>(exit: Exit.Exit<A, Refused>): Outcome.Outcome => {
  if (Exit.isSuccess(exit)) return Outcome.success()
  const error = Cause.findErrorOption(exit.cause)
  if (Option.isNone(error)) return Outcome.failed()
  return error.value.status === 429 ? Outcome.rateLimited({ retryAfterMs: 5_000 }) : Outcome.failed()
}

describe("QuotaTracker.withQuota", () => {
  it.effect("runs the effect with the acquired tier and reports its success once", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-11-22T10:00:00Z"))
      const { reports, spy, tracker } = yield* recording({ tiers: [tier("S15", { perDay: 10 })] })
      const exits: Array<Exit.Exit<string, never>> = []
      const result = yield* QuotaTracker.withQuota(spy, (acquired) => Effect.succeed(`used ${acquired.tier.name}`), {
        weight: 3,
        outcome: (exit) => {
          exits.push(exit)
          return Outcome.success()
        }
      })
      assert.strictEqual(result, "used S15")
      assert.deepStrictEqual(exits, [Exit.succeed("used S15")])
      assert.deepStrictEqual(reports, [Outcome.success()])
      assert.strictEqual(yield* dayUsed(tracker, "S15"), 3)
    }))

  it.effect("reports the outcome mapped from a failure and keeps the failure", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-11-22T10:00:00Z"))
      const { reports, spy, tracker } = yield* recording({ tiers: [tier("S15", { perDay: 10 })] })
      const failed = yield* Effect.flip(
        QuotaTracker.withQuota(spy, () => Effect.fail(new Refused({ status: 500 })), { outcome: byStatus })
      )
      assert.strictEqual(failed._tag, "Refused")
      assert.deepStrictEqual(reports, [Outcome.failed()])
      // Failed is refunded
      assert.strictEqual(yield* dayUsed(tracker, "S15"), 0)
      const limited = yield* Effect.flip(
        QuotaTracker.withQuota(spy, () => Effect.fail(new Refused({ status: 429 })), { outcome: byStatus })
      )
      assert.strictEqual(limited._tag, "Refused")
      assert.deepStrictEqual(reports, [Outcome.failed(), Outcome.rateLimited({ retryAfterMs: 5_000 })])
      const status = yield* tracker.status
      assert.isTrue(status.tiers[0]!.held)
      assert.strictEqual(status.tiers[0]!.heldUntil, Date.parse("2026-11-22T10:00:05Z"))
    }))

  it.effect("an interruption while the effect runs reports Failed exactly once and refunds it", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-11-22T10:00:00Z"))
      const { reports, spy, tracker } = yield* recording({ tiers: [tier("S15", { perDay: 10 })] })
      const started = yield* Deferred.make<QuotaTracker.Acquired>()
      let mapped = 0
      const fiber = yield* QuotaTracker.withQuota(
        spy,
        (acquired) => Effect.andThen(Deferred.succeed(started, acquired), Effect.sleep("1 minute")),
        {
          weight: 2,
          outcome: () => {
            mapped++
            return Outcome.success()
          }
        }
      ).pipe(Effect.forkChild)
      const acquired = yield* Deferred.await(started)
      assert.strictEqual(acquired.weight, 2)
      assert.strictEqual(yield* dayUsed(tracker, "S15"), 2)
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.interrupt(fiber)
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
      assert.strictEqual(mapped, 0)
      assert.deepStrictEqual(reports, [Outcome.failed()])
      assert.strictEqual(yield* dayUsed(tracker, "S15"), 0)
      // the acquire is settled: reporting it again changes nothing
      yield* tracker.report({ tier: "S15", outcome: Outcome.failed(), acquired })
      assert.strictEqual(yield* dayUsed(tracker, "S15"), 0)
    }))

  it.effect("an interruption while acquire waits for the per-second window reports nothing", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-11-22T10:00:00Z"))
      const { reports, spy, tracker } = yield* recording({
        tiers: [tier("S15", { perSecond: 1, perDay: 10 })],
        waitForSecondWindow: "1 second"
      })
      yield* tracker.acquire()
      let ran = false
      const fiber = yield* QuotaTracker.withQuota(spy, () => Effect.sync(() => (ran = true)), {
        outcome: () => Outcome.success()
      }).pipe(Effect.forkChild)
      yield* TestClock.adjust("100 millis")
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("2 seconds")
      assert.isFalse(ran)
      assert.deepStrictEqual(reports, [])
      assert.strictEqual(yield* dayUsed(tracker, "S15"), 1)
    }))

  it.effect("fails with the acquire's QuotaError without running the effect", () =>
    Effect.gen(function*() {
      const { reports, spy } = yield* recording({ tiers: [tier("S15", { perDay: 1 })] })
      let runs = 0
      const use = () => Effect.sync(() => ++runs)
      yield* QuotaTracker.withQuota(spy, use, { outcome: () => Outcome.success() })
      const error = yield* Effect.flip(QuotaTracker.withQuota(spy, use, { outcome: () => Outcome.success() }))
      assert.isTrue(QuotaError.isQuotaError(error))
      assert.strictEqual(error.reason._tag, "AllTiersExhausted")
      assert.strictEqual(runs, 1)
      assert.strictEqual(reports.length, 1)
    }))

  it.effect("a report that fails fails the result, after the effect's own failure", () =>
    Effect.gen(function*() {
      const { spy } = yield* recording({ tiers: [tier("S15", { perDay: 10 })] })
      const down = QuotaError.storeUnavailable("redis", "connection lost")
      const broken: Pick<QuotaTracker.Service, "acquire" | "report"> = {
        acquire: spy.acquire,
        report: () => Effect.fail(down)
      }
      const afterSuccess = yield* Effect.flip(
        QuotaTracker.withQuota(broken, () => Effect.succeed(1), { outcome: () => Outcome.failed() })
      )
      assert.strictEqual(afterSuccess, down)
      const exit = yield* Effect.exit(
        QuotaTracker.withQuota(broken, () => Effect.fail(new Refused({ status: 500 })), { outcome: byStatus })
      )
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isSuccess(exit)) return
      const errors = exit.cause.reasons.flatMap((reason) => (reason._tag === "Fail" ? [reason.error] : []))
      assert.deepStrictEqual(errors.map((e) => e._tag), ["Refused", "QuotaError"])
    }))

  it.effect("an outcome function that throws still settles the acquire (counted), then dies", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-11-22T10:00:00Z"))
      const { reports, spy, tracker } = yield* recording({ tiers: [tier("S15", { perDay: 10 })] })
      const exit = yield* Effect.exit(
        QuotaTracker.withQuota(spy, () => Effect.succeed(1), {
          outcome: () => {
            throw new Error("mapper bug")
          }
        })
      )
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
      assert.deepStrictEqual(reports, [Outcome.success()])
      assert.strictEqual(yield* dayUsed(tracker, "S15"), 1)
    }))

  it.effect("data-last: withQuota(tracker, options)(use)", () =>
    Effect.gen(function*() {
      const { reports, spy } = yield* recording({ tiers: [tier("S15", { perDay: 10 }), tier("S16", { perDay: 10 })] })
      const withS = QuotaTracker.withQuota(spy, {
        outcome: (exit: Exit.Exit<string, Refused>) => byStatus(exit)
      })
      const name: string = yield* withS((acquired) => Effect.succeed(acquired.tier.name))
      assert.strictEqual(name, "S15")
      assert.deepStrictEqual(reports, [Outcome.success()])
    }))
})
