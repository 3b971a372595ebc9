import { BingError } from "@bing-effect/schema"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Random, Redacted, Result } from "effect"
import { TestClock } from "effect/testing"
import * as RetryLoop from "../src/internal/retryLoop.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import * as TransportError from "../src/TransportError.js"

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

// The attempt loop, driven by scripted errors and the TestClock (no network here; the same
// rules are exercised against the emulator over sockets in BingClient.test.ts). The loop reads
// each error's `isRetryable` (and `retryAfterMs`), nothing else.
type Step = string | RetryLoop.AttemptError
const key = Redacted.make("k")
const policy: RetryPolicy.RetryPolicy = { maxAttempts: 4, maxRetryAfterMs: 5000, baseDelayMs: 1000, maxDelayMs: 8000 }
const e400 = BingError.parameterInvalidValue("count", "x")
const e429 = (ms: number) => BingError.rateLimited(ms)
const e500 = BingError.serverError()
const empty = BingError.emptyResponse()
const last = new TransportError.ConnectionFailed({
  operation: "webSearch",
  endpoint: "https://example.test",
  phase: "request",
  detail: "last"
})
const e403 = BingError.quotaExhausted("month", 1000)
const noKey = BingError.authorizationMissing()

const scripted = (steps: ReadonlyArray<Step>, options: { readonly policy?: RetryPolicy.RetryPolicy } = {}) => {
  const seen: Array<number> = []
  const run = RetryLoop.run<string>({
    policy: options.policy ?? policy,
    tracker: undefined,
    fallback: { key, endpoint: "https://example.test" },
    missingKey: () => noKey,
    attempt: (_target, n) =>
      Effect.suspend(() => {
        seen.push(n)
        const step = steps[Math.min(n - 1, steps.length - 1)]!
        return typeof step === "string" ? Effect.succeed(step) : Effect.fail(step)
      })
  })
  return { run, seen }
}

describe("RetryLoop.run", () => {
  it.effect("returns the value with the number of attempts", () =>
    Effect.gen(function*() {
      const { run } = scripted(["ok"])
      const served = yield* run
      assert.deepStrictEqual(served, { value: "ok", attempts: 1, tier: undefined })
    }))

  it.effect("never retries an error that is not retryable", () =>
    Effect.gen(function*() {
      const { run, seen } = scripted([e400, "never"])
      const failed = yield* Effect.flip(run)
      assert.deepStrictEqual(failed, { error: e400, attempts: 1, tier: undefined })
      assert.deepStrictEqual(seen, [1])
    }))

  it.effect("retries an UnexpectedResponse exactly when it says it is retryable (a 5xx), never otherwise", () =>
    Effect.gen(function*() {
      const html502 = BingError.unexpectedResponse({ status: 502, body: "<html>bad gateway</html>" })
      const bad200 = BingError.unexpectedResponse({ status: 200, body: "{}" })
      assert.isTrue(html502.isRetryable)
      assert.isFalse(bad200.isRetryable)
      const retried = scripted([html502, "ok"], { policy: { ...policy, baseDelayMs: 0, maxDelayMs: 0 } })
      assert.strictEqual((yield* retried.run).attempts, 2)
      const notRetried = scripted([bad200, "never"])
      assert.deepStrictEqual(yield* Effect.flip(notRetried.run), { error: bad200, attempts: 1, tier: undefined })
      assert.deepStrictEqual(notRetried.seen, [1])
    }))

  it.effect("waits Retry-After when it is within the bound", () =>
    Effect.gen(function*() {
      const { run, seen } = scripted([e429(3000), "ok"])
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
      const limited = e429(5001)
      const { run, seen } = scripted([limited, "ok"])
      const failed = yield* Effect.flip(run)
      assert.deepStrictEqual(failed, { error: limited, attempts: 1, tier: undefined })
      assert.deepStrictEqual(seen, [1])
    }))

  it.effect("backs off with full jitter, never beyond the ceiling, and shares one budget", () =>
    Effect.gen(function*() {
      const { run, seen } = scripted([e500, e429(1000), empty, last, "too late"])
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
      assert.deepStrictEqual(exit, Exit.fail({ error: last, attempts: 4, tier: undefined }))
      assert.deepStrictEqual(seen, [1, 2, 3, 4])
    }).pipe(Effect.provideService(Random.Random, { nextIntUnsafe: () => 0, nextDoubleUnsafe: () => 0.9999999 })))

  it.effect("without a tracker a quota error fails at once (no other tier)", () =>
    Effect.gen(function*() {
      const { run, seen } = scripted([e403, "x"])
      const failed = yield* Effect.flip(run)
      assert.strictEqual(failed.error, e403)
      assert.deepStrictEqual(seen, [1])
    }))

  it.effect("interruption cancels a pending wait", () =>
    Effect.gen(function*() {
      const { run, seen } = scripted([e429(60_000), "ok"], {
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
      const failed = yield* Effect.flip(RetryLoop.run<string>({
        policy,
        tracker: undefined,
        fallback: { key: undefined, endpoint: "https://example.test" },
        missingKey: () => noKey,
        attempt: () => Effect.sync(() => (attempts++, "x"))
      }))
      assert.deepStrictEqual(failed, { error: noKey, attempts: 0, tier: undefined })
      assert.strictEqual(attempts, 0)
    }))
})
