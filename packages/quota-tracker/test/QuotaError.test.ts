import { assert, describe, it } from "@effect/vitest"
import { Effect, Equal } from "effect"
import { QuotaError } from "../src/index.js"

// A second copy of the module (another install, a bundled copy): its classes are not ours.
const secondCopy: string = "../src/QuotaError.js?second-copy"
const copy = (await import(/* @vite-ignore */ secondCopy)) as typeof QuotaError

describe("QuotaError", () => {
  it.effect("each reason can be caught with Effect.catchReason", () =>
    Effect.gen(function*() {
      const fail = (error: QuotaError.QuotaError): Effect.Effect<string, QuotaError.QuotaError> => Effect.fail(error)
      const exhausted = yield* fail(
        QuotaError.allTiersExhausted({
          tiers: ["S15", "S16"],
          window: "day",
          resetsAt: 86_400_000,
          retryAfter: 3_600_000
        })
      ).pipe(
        Effect.catchReason("QuotaError", "AllTiersExhausted", (reason) => Effect.succeed(`until ${reason.resetsAt}`))
      )
      assert.strictEqual(exhausted, "until 86400000")
      const limited = yield* fail(QuotaError.rateLimitExceeded("S15", 250)).pipe(
        Effect.catchReason("QuotaError", "RateLimitExceeded", (reason) =>
          Effect.succeed(`${reason.tier} ${reason.retryAfter}`))
      )
      assert.strictEqual(limited, "S15 250")
      const store = yield* fail(QuotaError.storeUnavailable("redis", "ECONNREFUSED")).pipe(
        Effect.catchReason("QuotaError", "StoreUnavailable", (reason) =>
          Effect.succeed(reason.store))
      )
      assert.strictEqual(store, "redis")
      // an unmatched reason stays in the error channel
      const other = yield* Effect.flip(
        fail(QuotaError.storeUnavailable("sqlite", "SQLITE_BUSY")).pipe(
          Effect.catchReason("QuotaError", "AllTiersExhausted", () =>
            Effect.succeed("no"))
        )
      )
      assert.strictEqual(other.reason._tag, "StoreUnavailable")
    }))

  it("has readable messages and retryability", () => {
    const exhausted = QuotaError.allTiersExhausted({
      tiers: ["S15", "S16"],
      window: "month",
      resetsAt: Date.parse("2026-12-01T00:00:00Z"),
      retryAfter: 90_000
    })
    assert.strictEqual(
      exhausted.message,
      "Every tier is exhausted (S15, S16): monthly quota used up; the first reset is at 2026-12-01T00:00:00.000Z (in 90 s)"
    )
    assert.isFalse(exhausted.isRetryable)
    const limited = QuotaError.rateLimitExceeded("S15", 1500)
    assert.strictEqual(limited.message, "Tier S15 is over its per-second rate; retry in 2 s")
    assert.isTrue(limited.isRetryable)
    const store = QuotaError.storeUnavailable("sqlite", "SQLITE_BUSY: database is locked")
    assert.strictEqual(store.message, "The sqlite quota store is unavailable: SQLITE_BUSY: database is locked")
    assert.isTrue(store.isRetryable)
    assert.strictEqual(store._tag, "QuotaError")
    assert.instanceOf(store, Error)
    assert.isFalse(QuotaError.invalidOptions("x").isRetryable)
  })

  it("is recognised by isQuotaError", () => {
    assert.isTrue(QuotaError.isQuotaError(QuotaError.rateLimitExceeded("S1", 1)))
    assert.isFalse(QuotaError.isQuotaError(new Error("QuotaError")))
    assert.isFalse(QuotaError.isQuotaError({ _tag: "QuotaError" }))
    assert.isFalse(QuotaError.isQuotaError(null))
  })

  it("is built without a stack trace (refusals are expected, not bugs)", () => {
    const error = QuotaError.rateLimitExceeded("S15", 10)
    assert.strictEqual(error.stack, "QuotaError: Tier S15 is over its per-second rate; retry in 10 ms")
    assert.instanceOf(error, QuotaError.QuotaError)
    assert.instanceOf(error, Error)
    assert.strictEqual(error.name, "QuotaError")
    assert.deepStrictEqual(JSON.parse(JSON.stringify(error)), {
      _tag: "QuotaError",
      reason: { _tag: "RateLimitExceeded", tier: "S15", retryAfter: 10 }
    })
    // one built with `new` keeps its own stack trace
    const constructed = new QuotaError.QuotaError({ reason: new QuotaError.InvalidOptions({ detail: "x" }) })
    assert.include(constructed.stack, "QuotaError.test.ts")
    assert.isTrue(QuotaError.isQuotaError(constructed))
  })

  it("compares by value", () => {
    assert.isTrue(Equal.equals(QuotaError.rateLimitExceeded("S15", 10), QuotaError.rateLimitExceeded("S15", 10)))
    assert.isFalse(Equal.equals(QuotaError.rateLimitExceeded("S15", 10), QuotaError.rateLimitExceeded("S15", 11)))
  })

  it("is a real instance, built by its constructor, with the stack limit restored", () => {
    const limit = Error.stackTraceLimit
    const error = QuotaError.storeUnavailable("redis", "ECONNREFUSED")
    assert.strictEqual(Error.stackTraceLimit, limit)
    assert.isTrue(Object.hasOwn(error, "stack"))
    assert.strictEqual(error.stack, "QuotaError: The redis quota store is unavailable: ECONNREFUSED")
    assert.strictEqual(Object.getPrototypeOf(error), QuotaError.QuotaError.prototype)
    assert.strictEqual(error.constructor, QuotaError.QuotaError)
    assert.deepStrictEqual(Object.keys(error).sort(), ["_tag", "reason"])
    assert.instanceOf(error.reason, QuotaError.StoreUnavailable)
    // also when stack traces are already off
    Error.stackTraceLimit = 0
    try {
      assert.instanceOf(QuotaError.invalidOptions("x"), QuotaError.QuotaError)
      assert.strictEqual(Error.stackTraceLimit, 0)
    } finally {
      Error.stackTraceLimit = limit
    }
  })

  it("names every tier being exhausted AllTiersExhausted, apart from Bing's QuotaExhausted", () => {
    const error = QuotaError.allTiersExhausted({ tiers: ["S15"], window: "day", resetsAt: 0, retryAfter: 0 })
    assert.strictEqual(error.reason._tag, "AllTiersExhausted")
    assert.instanceOf(error.reason, QuotaError.AllTiersExhausted)
    assert.notProperty(QuotaError, "quotaExhausted")
    assert.notProperty(QuotaError, "QuotaExhausted")
  })

  it("guards by brand, across two copies of the module", () => {
    assert.notStrictEqual(copy.QuotaError, QuotaError.QuotaError)
    const fromCopy = copy.rateLimitExceeded("S15", 10)
    assert.notInstanceOf(fromCopy, QuotaError.QuotaError)
    assert.isTrue(QuotaError.isQuotaError(fromCopy))
    assert.isTrue(copy.isQuotaError(QuotaError.rateLimitExceeded("S15", 10)))
    // the brand is what counts: a plain object carrying it passes, a lookalike without it fails
    assert.isTrue(QuotaError.isQuotaError({ [QuotaError.TypeId]: QuotaError.TypeId }))
    const lookalike = Object.assign(new Error("Every tier is exhausted"), {
      _tag: "QuotaError",
      reason: { _tag: "AllTiersExhausted" },
      isRetryable: false
    })
    assert.isFalse(QuotaError.isQuotaError(lookalike))
    assert.isFalse(QuotaError.isQuotaError("~@bing-effect/quota-tracker/QuotaError"))
    assert.isFalse(QuotaError.isQuotaError(undefined))
  })
})
