import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Random, Redacted, Result } from "effect"
import { TestClock } from "effect/testing"
import * as RetryLoop from "../src/internal/retryLoop.js"
import * as RetryPolicy from "../src/RetryPolicy.js"

describe("RetryPolicy.make", () => {
  it("fills in the defaults", () => {
    const policy = RetryPolicy.make()
    assert.deepStrictEqual(policy, Result.succeed(RetryPolicy.defaults))
  })

  it("accepts durations as strings and numbers", () => {
    const policy = RetryPolicy.make({ maxAttempts: 2, maxRetryAfter: "2 seconds", baseDelay: 50, maxDelay: "1 second" })
    assert.deepStrictEqual(
      policy,
      Result.succeed({ maxAttempts: 2, maxRetryAfterMs: 2000, baseDelayMs: 50, maxDelayMs: 1000 })
    )
  })

  it("explains what is wrong", () => {
    const cases: ReadonlyArray<[RetryPolicy.Options, RegExp]> = [
      [{ maxAttempts: 0 }, /maxAttempts must be an integer from 1 to 100 \(got 0\)/],
      [{ maxAttempts: 1.5 }, /maxAttempts/],
      [{ maxRetryAfter: -1 }, /maxRetryAfter must be a finite, non-negative duration/],
      [{ baseDelay: "Infinity" }, /baseDelay must be a finite/],
      [{ baseDelay: 1000, maxDelay: 10 }, /maxDelay \(10 ms\) is below baseDelay \(1000 ms\)/]
    ]
    for (const [options, message] of cases) {
      const policy = RetryPolicy.make(options)
      assert.isTrue(Result.isFailure(policy))
      if (Result.isFailure(policy)) assert.match(policy.failure, message)
    }
  })
})

describe("backoff", () => {
  const policy: RetryPolicy.RetryPolicy = { maxAttempts: 10, maxRetryAfterMs: 5000, baseDelayMs: 100, maxDelayMs: 1000 }

  it("doubles the ceiling up to maxDelay", () => {
    assert.deepStrictEqual([1, 2, 3, 4, 5, 6].map((n) => RetryPolicy.backoffCeiling(policy, n)), [
      100,
      200,
      400,
      800,
      1000,
      1000
    ])
  })

  it("draws the delay from [0, ceiling) (full jitter)", () => {
    assert.strictEqual(RetryPolicy.backoffDelay(policy, 3, 0), 0)
    assert.strictEqual(RetryPolicy.backoffDelay(policy, 3, 0.5), 200)
    assert.strictEqual(RetryPolicy.backoffDelay(policy, 3, 0.999), 399)
  })
})

// The attempt loop, driven by scripted verdicts and the TestClock (no network here; the same
// rules are exercised against the emulator over sockets in BingClient.test.ts).
type V = RetryLoop.Verdict<string, string>
const key = Redacted.make("k")
const policy: RetryPolicy.RetryPolicy = { maxAttempts: 4, maxRetryAfterMs: 5000, baseDelayMs: 1000, maxDelayMs: 8000 }

const scripted = (verdicts: ReadonlyArray<V>, options: { readonly policy?: RetryPolicy.RetryPolicy } = {}) => {
  const seen: Array<number> = []
  const run = RetryLoop.run<string, string>({
    policy: options.policy ?? policy,
    tracker: undefined,
    fallback: { key, endpoint: "https://example.test" },
    missingKey: () => "no key",
    attempt: (_target, n) =>
      Effect.sync(() => {
        seen.push(n)
        return verdicts[Math.min(n - 1, verdicts.length - 1)]!
      })
  })
  return { run, seen }
}

describe("RetryLoop.run", () => {
  it.effect("returns the value with the number of attempts", () =>
    Effect.gen(function*() {
      const { run } = scripted([{ _tag: "Done", value: "ok" }])
      const served = yield* run
      assert.deepStrictEqual(served, { value: "ok", attempts: 1, tier: undefined })
    }))

  it.effect("never retries a fatal error", () =>
    Effect.gen(function*() {
      const { run, seen } = scripted([{ _tag: "Fatal", error: "400", counted: false }, {
        _tag: "Done",
        value: "never"
      }])
      const failed = yield* Effect.flip(run)
      assert.deepStrictEqual(failed, { error: "400", attempts: 1, tier: undefined })
      assert.deepStrictEqual(seen, [1])
    }))

  it.effect("waits Retry-After when it is within the bound", () =>
    Effect.gen(function*() {
      const { run, seen } = scripted([{ _tag: "RateLimited", error: "429", retryAfterMs: 3000 }, {
        _tag: "Done",
        value: "ok"
      }])
      const fiber = yield* Effect.forkChild(run)
      yield* TestClock.adjust(2999)
      assert.deepStrictEqual(seen, [1])
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust(1)
      const served = yield* Fiber.join(fiber)
      assert.deepStrictEqual(served.attempts, 2)
      assert.deepStrictEqual(seen, [1, 2])
    }))

  it.effect("fails at once when Retry-After exceeds the bound", () =>
    Effect.gen(function*() {
      const { run, seen } = scripted([{ _tag: "RateLimited", error: "429", retryAfterMs: 5001 }, {
        _tag: "Done",
        value: "ok"
      }])
      const failed = yield* Effect.flip(run)
      assert.deepStrictEqual(failed, { error: "429", attempts: 1, tier: undefined })
      assert.deepStrictEqual(seen, [1])
    }))

  it.effect("backs off with full jitter, never beyond the ceiling, and shares one budget", () =>
    Effect.gen(function*() {
      const { run, seen } = scripted([
        { _tag: "Backoff", error: "500", counted: false },
        { _tag: "RateLimited", error: "429", retryAfterMs: 1000 },
        { _tag: "Backoff", error: "empty", counted: true },
        { _tag: "Backoff", error: "last", counted: false },
        { _tag: "Done", value: "too late" }
      ])
      const fiber = yield* Effect.forkChild(run)
      // Random pinned just below 1: each backoff is its ceiling minus 1 ms (1 s, then 2 s ceilings;
      // the 429 in between waits its Retry-After exactly and does not raise the backoff exponent).
      yield* TestClock.adjust(998)
      assert.deepStrictEqual(seen, [1])
      yield* TestClock.adjust(1)
      assert.deepStrictEqual(seen, [1, 2])
      yield* TestClock.adjust(1000)
      assert.deepStrictEqual(seen, [1, 2, 3])
      yield* TestClock.adjust(1998)
      assert.deepStrictEqual(seen, [1, 2, 3])
      yield* TestClock.adjust(1)
      const exit = yield* Fiber.await(fiber)
      assert.deepStrictEqual(exit, Exit.fail({ error: "last", attempts: 4, tier: undefined }))
      assert.deepStrictEqual(seen, [1, 2, 3, 4])
    }).pipe(Effect.provideService(Random.Random, { nextIntUnsafe: () => 0, nextDoubleUnsafe: () => 0.9999999 })))

  it.effect("without a tracker a quota error fails at once (no other tier)", () =>
    Effect.gen(function*() {
      const { run, seen } = scripted([{ _tag: "Quota", error: "403", window: "month", retryAfterMs: 1000 }, {
        _tag: "Done",
        value: "x"
      }])
      const failed = yield* Effect.flip(run)
      assert.strictEqual(failed.error, "403")
      assert.deepStrictEqual(seen, [1])
    }))

  it.effect("interruption cancels a pending wait", () =>
    Effect.gen(function*() {
      const { run, seen } = scripted([{ _tag: "RateLimited", error: "429", retryAfterMs: 60_000 }, {
        _tag: "Done",
        value: "ok"
      }], {
        policy: { ...policy, maxRetryAfterMs: 120_000 }
      })
      const fiber = yield* Effect.forkChild(run)
      yield* TestClock.adjust(1)
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust(120_000)
      assert.deepStrictEqual(seen, [1])
    }))

  it.effect("fails with the missing-key error before any attempt", () =>
    Effect.gen(function*() {
      let attempts = 0
      const failed = yield* Effect.flip(RetryLoop.run<string, string>({
        policy,
        tracker: undefined,
        fallback: { key: undefined, endpoint: "https://example.test" },
        missingKey: () => "no key",
        attempt: () => Effect.sync(() => (attempts++, { _tag: "Done", value: "x" }))
      }))
      assert.deepStrictEqual(failed, { error: "no key", attempts: 0, tier: undefined })
      assert.strictEqual(attempts, 0)
    }))
})
