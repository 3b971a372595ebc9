/**
 * What a failure says about what was sent: `BingClient.attemptsOf` gives the attempts actually
 * made (0 when nothing was sent); a request refused locally says so and is marked `local`; a key
 * or user agent that cannot be sent in a header is a configuration error at construction (or, for
 * a tier's key, before anything is sent), never a retried connection error.
 */
import { QuotaStore, QuotaTracker, Tier } from "@bing-effect/quota-tracker"
import { BingError } from "@bing-effect/schema"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Redacted } from "effect"
import { FetchHttpClient } from "effect/http"
import { BingClient, InvalidClientOptions } from "../src/index.js"
import { createClient } from "../src/promise.js"
import { clientLayer, KEY, useEmulator } from "./fixtures.js"

const emu = useEmulator()

describe("attemptsOf", () => {
  it.live("counts the attempts made: all of them after retries, one when a Retry-After is too long", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ fault: { kind: "error", code: "ServerError" } })
      const server = yield* Effect.flip(BingClient.webSearch({ q: "x" }))
      assert.strictEqual(server._tag, "ServerError")
      assert.strictEqual(BingClient.attemptsOf(server), 3)
      emu.current.reset()
      emu.current.injectFault({ fault: { kind: "error", code: "RateLimitExceeded", status: 429, retryAfter: 3600 } })
      const limited = yield* Effect.flip(BingClient.webSearch({ q: "x" }))
      assert.strictEqual(limited._tag, "RateLimited")
      assert.strictEqual(BingClient.attemptsOf(limited), 1)
      // not part of the serialised error
      assert.notInclude(JSON.stringify(limited), "attempts")
    }).pipe(Effect.provide(clientLayer(emu.current.url, { retry: { maxAttempts: 3, baseDelay: 1, maxDelay: 2 } }))))

  it("is undefined for an error that did not come out of a call", () => {
    assert.isUndefined(BingClient.attemptsOf(BingError.serverError()))
    assert.isUndefined(BingClient.attemptsOf("text"))
  })
})

describe("refused locally, nothing sent", () => {
  it.live("a bad parameter: local, 0 attempts, and the message says nothing was sent", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(BingClient.webSearch({ q: "x", count: 70000 }))
      assert.strictEqual(error._tag, "InvalidRequest")
      const invalid = error as BingError.InvalidRequest
      assert.isTrue(invalid.local)
      assert.include(invalid.message, "refused locally, nothing was sent")
      assert.notInclude(invalid.message, "Bing rejected")
      assert.strictEqual(BingClient.attemptsOf(invalid), 0)
      assert.strictEqual(emu.current.requests().length, 0)
    }).pipe(Effect.provide(clientLayer(emu.current.url))))

  it.live("an http:// endpoint: local HttpNotAllowed, 0 attempts", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(BingClient.webSearch({ q: "x" }))
      assert.strictEqual(error._tag, "InvalidRequest")
      const invalid = error as BingError.InvalidRequest
      assert.strictEqual(invalid.subCode, "HttpNotAllowed")
      assert.isTrue(invalid.local)
      assert.include(invalid.message, "refused locally")
      assert.strictEqual(BingClient.attemptsOf(invalid), 0)
      assert.strictEqual(emu.current.requests().length, 0)
    }).pipe(Effect.provide(clientLayer(emu.current.url, { allowInsecureLoopback: false }))))

  it.live("Bing's own 400 is not local and keeps Bing's wording", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ fault: { kind: "error", code: "InvalidRequest", subCode: "ParameterInvalidValue" } })
      const error = yield* Effect.flip(BingClient.webSearch({ q: "x" }))
      assert.strictEqual(error._tag, "InvalidRequest")
      assert.isUndefined((error as BingError.InvalidRequest).local)
      assert.include(error.message, "Bing rejected the request")
      assert.strictEqual(BingClient.attemptsOf(error), 1)
    }).pipe(Effect.provide(clientLayer(emu.current.url))))
})

describe("values that cannot be sent in a header", () => {
  const bad = ["key\nX-Injected: 1", "key\r", "key\u0000", "clé-€", "k\u007f"]

  it.live("a key or a user agent: InvalidClientOptions when the layer is built, nothing sent", () =>
    Effect.gen(function*() {
      for (const value of bad) {
        for (const option of ["key", "userAgent"] as const) {
          const layer = clientLayer(
            emu.current.url,
            option === "key" ? { key: Redacted.make(value) } : { userAgent: value }
          )
          const exit = yield* Effect.exit(BingClient.webSearch({ q: "x" }).pipe(Effect.provide(layer)))
          assert.isTrue(Exit.isFailure(exit))
          const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
          const failure = error?._tag === "Fail" ? error.error : undefined
          assert.instanceOf(failure, InvalidClientOptions.InvalidClientOptions, `${option} ${JSON.stringify(value)}`)
          assert.strictEqual((failure as InvalidClientOptions.InvalidClientOptions).option, option)
          assert.notInclude((failure as Error).message, value)
        }
      }
      assert.strictEqual(emu.current.requests().length, 0)
    }))

  it("Promise API: createClient throws at once", () => {
    for (const value of bad) {
      assert.throws(() => createClient({ key: Redacted.make(value) }), InvalidClientOptions.InvalidClientOptions)
      assert.throws(
        () => createClient({ key: Redacted.make(KEY), userAgent: value }),
        InvalidClientOptions.InvalidClientOptions
      )
    }
    // Latin-1 is fine
    createClient({ key: Redacted.make(KEY), userAgent: "café/1.0" })
  })

  it.live("a tier's key: InvalidClientOptions before sending, not retried, 0 attempts", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(BingClient.webSearch({ q: "x" }))
      assert.instanceOf(error, InvalidClientOptions.InvalidClientOptions)
      assert.include(error.message, "tier broken")
      assert.strictEqual(BingClient.attemptsOf(error), 0)
      assert.strictEqual(emu.current.requests().length, 0)
    }).pipe(Effect.provide(
      BingClient.layerWithQuota({ endpoint: emu.current.url, allowInsecureLoopback: true }).pipe(
        Layer.provide(
          QuotaTracker.layer({ tiers: [Tier.make({ name: "broken", key: Redacted.make("tier\r\nkey") })] }).pipe(
            Layer.provide(QuotaStore.layerMemory)
          )
        ),
        Layer.provide(FetchHttpClient.layer)
      )
    )))
  it.live("a tier's endpoint that is not a URL: InvalidClientOptions (not retryable, not retried), 0 attempts", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(BingClient.webSearch({ q: "x" }))
      assert.instanceOf(error, InvalidClientOptions.InvalidClientOptions)
      assert.isFalse(error.isRetryable)
      assert.strictEqual((error as InvalidClientOptions.InvalidClientOptions).option, "endpoint")
      assert.include(error.message, "tier nowhere")
      assert.strictEqual(BingClient.attemptsOf(error), 0)
      assert.strictEqual(emu.current.requests().length, 0)
    }).pipe(Effect.provide(
      BingClient.layerWithQuota({ endpoint: emu.current.url, allowInsecureLoopback: true }).pipe(
        Layer.provide(
          QuotaTracker.layer({
            tiers: [Tier.make({ name: "nowhere", key: Redacted.make(KEY), endpoint: "not a url" })]
          }).pipe(Layer.provide(QuotaStore.layerMemory))
        ),
        Layer.provide(FetchHttpClient.layer)
      )
    )))
})
