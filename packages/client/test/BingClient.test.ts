import { QuotaStore, QuotaTracker, Tier } from "@bing-effect/quota-tracker"
import { BingError } from "@bing-effect/schema"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Fiber, Layer, Option, Random, Redacted, Tracer } from "effect"
import { FetchHttpClient } from "effect/http"
import { TestClock } from "effect/testing"
import { BingClient, TransportError } from "../src/index.js"
import { clientLayer, KEY, LIMITED_KEY, realSleep, S15_KEY, S16_KEY, useEmulator, waitUntil } from "./fixtures.js"

const emu = useEmulator()
const url = () => emu.current.url

const withClient = (options: Partial<BingClient.Options> = {}) => Effect.provide(clientLayer(url(), options))

describe("success", () => {
  it.live("webSearch decodes the response and returns its metadata", () =>
    Effect.gen(function*() {
      const { value, meta } = yield* BingClient.webSearch({ q: "effect typescript", count: 3, mkt: "en-GB" })
      assert.strictEqual(value._type, "SearchResponse")
      assert.isAbove(value.webPages?.value.length ?? 0, 0)
      assert.isAtMost(value.webPages?.value.length ?? 0, 3)
      assert.strictEqual(meta.status, 200)
      assert.strictEqual(meta.attempts, 1)
      assert.strictEqual(meta.market, "en-GB")
      assert.isString(meta.traceId)
      assert.isString(meta.clientId)
      assert.isUndefined(meta.tier)
      const [logged] = emu.current.requests(1)
      assert.strictEqual(logged?.traceId, meta.traceId)
      assert.strictEqual(logged?.keyName, "main")
    }).pipe(withClient()))

  it.live("imageSearch and trendingImages decode their models", () =>
    Effect.gen(function*() {
      const images = yield* BingClient.imageSearch({ q: "sailing", count: 5, safeSearch: "Strict" })
      assert.strictEqual(images.value._type, "Images")
      assert.isAbove(images.value.value.length, 0)
      assert.strictEqual(images.meta.attempts, 1)
      const trending = yield* BingClient.trendingImages({ mkt: "en-US" })
      assert.strictEqual(trending.value._type, "TrendingImages")
      assert.isAbove(trending.value.categories.length, 0)
      assert.strictEqual(trending.meta.market, "en-US")
      const paths = emu.current.requests(2).map((r) => r.path.split("?")[0])
      assert.deepStrictEqual(paths, ["/v7.0/images/trending", "/v7.0/images/search"])
    }).pipe(withClient()))

  it.live("applies the configured market, language and safe-search defaults", () =>
    Effect.gen(function*() {
      yield* BingClient.webSearch({ q: "defaults" })
      const query = new URLSearchParams(emu.current.requests(1)[0]?.path.split("?")[1])
      assert.strictEqual(query.get("mkt"), "en-CA")
      assert.strictEqual(query.get("setLang"), "fr")
      assert.strictEqual(query.get("safeSearch"), "Strict")
      // a call's own cc wins over the default market (mkt and cc are exclusive)
      yield* BingClient.webSearch({ q: "defaults", cc: "DE" })
      const second = new URLSearchParams(emu.current.requests(1)[0]?.path.split("?")[1])
      assert.isNull(second.get("mkt"))
      assert.strictEqual(second.get("cc"), "DE")
    }).pipe(withClient({ market: "en-CA", language: "fr", safeSearch: "Strict" })))

  it.live("works over undici (NodeHttpClient) as well as fetch", () =>
    Effect.gen(function*() {
      const { meta } = yield* BingClient.webSearch({ q: "undici" })
      assert.strictEqual(meta.status, 200)
    }).pipe(Effect.provide(clientLayer(url(), {}, NodeHttpClient.layerUndici))))

  it.live("layerConfig reads its options from configuration", () =>
    Effect.gen(function*() {
      const { meta } = yield* BingClient.webSearch({ q: "config" })
      assert.strictEqual(meta.market, "en-AU")
    }).pipe(
      Effect.provide(BingClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))),
      Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({
        BING_KEY: KEY,
        BING_ENDPOINT: url(),
        BING_MARKET: "en-AU",
        BING_ALLOW_INSECURE_LOOPBACK: "true"
      })))
    ))
})

describe("client id continuity", () => {
  it.live("resends the X-MSEdge-ClientID Bing returned, per user scope", () =>
    Effect.gen(function*() {
      const client = yield* BingClient.BingClient
      const first = yield* client.webSearch({ q: "one" })
      const id = first.meta.clientId
      assert.isString(id)
      assert.deepStrictEqual(yield* client.clientId(), Option.some(id!))
      // The emulator echoes a client id it receives and mints a new one otherwise.
      const second = yield* client.webSearch({ q: "two" })
      assert.strictEqual(second.meta.clientId, id)
      const alice = yield* client.webSearch({ q: "three" }, { userScope: "alice" })
      assert.notStrictEqual(alice.meta.clientId, id)
      const aliceAgain = yield* client.webSearch({ q: "four" }, { userScope: "alice" })
      assert.strictEqual(aliceAgain.meta.clientId, alice.meta.clientId)
      assert.deepStrictEqual(yield* client.clientId("alice"), Option.some(alice.meta.clientId!))
    }).pipe(withClient()))

  it.live("two clients do not share client ids", () =>
    Effect.gen(function*() {
      const a = yield* BingClient.make({ key: Redacted.make(KEY), endpoint: url(), allowInsecureLoopback: true })
      const b = yield* BingClient.make({ key: Redacted.make(KEY), endpoint: url(), allowInsecureLoopback: true })
      const ra = yield* a.webSearch({ q: "a" })
      const rb = yield* b.webSearch({ q: "b" })
      assert.notStrictEqual(ra.meta.clientId, rb.meta.clientId)
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})

describe("local checks (no request, no quota)", () => {
  it.live("an invalid parameter fails with Bing's InvalidRequest before any request", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.flip(BingClient.webSearch({ q: "  " }))
      assert.instanceOf(missing, BingError.InvalidRequest)
      if (missing._tag !== "InvalidRequest") return assert.fail("expected InvalidRequest")
      assert.strictEqual(missing.subCode, "ParameterMissing")
      assert.strictEqual(missing.parameter, "q")
      // not an unsigned short: refused; over Bing's maximum but an unsigned short: sent (see below)
      const tooMany = yield* Effect.flip(BingClient.imageSearch({ q: "x", count: 65536 }))
      if (tooMany._tag !== "InvalidRequest") return assert.fail("expected InvalidRequest")
      assert.strictEqual(tooMany.subCode, "ParameterInvalidValue")
      assert.strictEqual(tooMany.parameter, "count")
      assert.strictEqual(tooMany.value, "65536")
      assert.strictEqual(emu.current.requests().length, 0)
      assert.strictEqual(emu.current.usage("main").requests, 0)
    }).pipe(withClient()))

  it.live("an http:// endpoint fails with InvalidRequest/HttpNotAllowed unless loopback is allowed", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(BingClient.webSearch({ q: "plain http" }))
      if (error._tag !== "InvalidRequest") return assert.fail(`expected InvalidRequest, got ${error._tag}`)
      assert.strictEqual(error.subCode, "HttpNotAllowed")
      assert.strictEqual(error.status, 410)
      assert.strictEqual(emu.current.requests().length, 0)
    }).pipe(withClient({ allowInsecureLoopback: false })))

  it.live("allowInsecureLoopback does not open plain HTTP to other hosts", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(BingClient.webSearch({ q: "x" }))
      assert.strictEqual(error._tag, "InvalidRequest")
      assert.strictEqual((error as BingError.InvalidRequest).subCode, "HttpNotAllowed")
    }).pipe(withClient({ endpoint: "http://example.com", allowInsecureLoopback: true })))

  it.live("unusable options fail the layer with InvalidClientOptions", () =>
    Effect.gen(function*() {
      const noKey = yield* Effect.flip(BingClient.make({ endpoint: url() }))
      assert.strictEqual(noKey._tag, "InvalidClientOptions")
      assert.strictEqual(noKey.option, "key")
      const badRetry = yield* Effect.flip(BingClient.make({ key: Redacted.make(KEY), retry: { maxAttempts: 0 } }))
      assert.strictEqual(badRetry.option, "retry")
      const badTimeout = yield* Effect.flip(BingClient.make({ key: Redacted.make(KEY), timeout: 0 }))
      assert.strictEqual(badTimeout.option, "timeout")
      const badEndpoint = yield* Effect.flip(BingClient.make({ key: Redacted.make(KEY), endpoint: "ftp://x" }))
      assert.strictEqual(badEndpoint.option, "endpoint")
      assert.notInclude(badEndpoint.message, KEY)
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})

const once = (options: Partial<BingClient.Options>) =>
  Effect.gen(function*() {
    const error = yield* Effect.flip(BingClient.webSearch({ q: "auth" }).pipe(withClient(options)))
    return { error, requests: emu.current.requests().length }
  })

describe("errors that are never retried", () => {
  it.live("401 unknown key -> InvalidAuthorization, one attempt", () =>
    Effect.gen(function*() {
      const { error, requests } = yield* once({ key: Redacted.make("not-a-known-key") })
      assert.instanceOf(error, BingError.InvalidAuthorization)
      assert.strictEqual(requests, 1)
      assert.notInclude(error.message, "not-a-known-key")
    }))

  it.live("403 disabled / expired key -> InsufficientAuthorization, one attempt", () =>
    Effect.gen(function*() {
      const disabled = yield* once({ key: Redacted.make("disabled-secret-key-0001") })
      assert.instanceOf(disabled.error, BingError.InsufficientAuthorization)
      assert.strictEqual((disabled.error as BingError.InsufficientAuthorization).subCode, "AuthorizationDisabled")
      assert.strictEqual(disabled.requests, 1)
      emu.current.reset()
      const expired = yield* once({ key: Redacted.make("expired-secret-key-0002") })
      assert.strictEqual((expired.error as BingError.InsufficientAuthorization).subCode, "AuthorizationExpired")
      assert.strictEqual(expired.requests, 1)
    }))

  it.live("404 (URL over 2,048 characters) -> NotFound, one attempt", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(BingClient.webSearch({ q: "x".repeat(2_100) }))
      assert.instanceOf(error, BingError.NotFound)
      assert.strictEqual(emu.current.requests().length, 1)
    }).pipe(withClient()))

  it.live("410 from the server -> InvalidRequest/HttpNotAllowed, one attempt", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ fault: { kind: "error", code: "InvalidRequest", subCode: "HttpNotAllowed" } })
      const error = yield* Effect.flip(BingClient.webSearch({ q: "x" }))
      assert.strictEqual(error._tag, "InvalidRequest")
      assert.strictEqual((error as BingError.InvalidRequest).status, 410)
      assert.strictEqual(emu.current.requests().length, 1)
    }).pipe(withClient()))

  it.live("a server-side 400 -> InvalidRequest, one attempt", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ fault: { kind: "error", code: "InvalidRequest", subCode: "Blocked" } })
      const error = yield* Effect.flip(BingClient.webSearch({ q: "x" }))
      assert.strictEqual((error as BingError.InvalidRequest).subCode, "Blocked")
      assert.strictEqual(emu.current.requests().length, 1)
    }).pipe(withClient()))

  it.live("legacy gateway bodies decode to the same typed errors", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ match: { count: 1 }, fault: { kind: "legacy", shape: "statusCode401" } })
      const auth = yield* Effect.flip(BingClient.webSearch({ q: "x" }))
      assert.instanceOf(auth, BingError.InvalidAuthorization)
      emu.current.injectFault({ match: { count: 1 }, fault: { kind: "legacy", shape: "statusCode403" } })
      const quota = yield* Effect.flip(BingClient.webSearch({ q: "x" }))
      assert.instanceOf(quota, BingError.QuotaExhausted)
      assert.strictEqual(emu.current.requests().length, 2)
    }).pipe(withClient()))
})

describe("retries with one budget", () => {
  it.live("5xx is retried with backoff until it succeeds", () =>
    Effect.gen(function*() {
      emu.current.injectFault({
        match: { count: 2 },
        fault: { kind: "error", code: "ServerError", subCode: "UnexpectedError" }
      })
      const { meta } = yield* BingClient.webSearch({ q: "flaky" })
      assert.strictEqual(meta.attempts, 3)
      assert.strictEqual(emu.current.requests().length, 3)
    }).pipe(withClient()))

  it.live("5xx beyond the budget fails with the last ServerError", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ fault: { kind: "error", code: "ServerError", subCode: "ResourceError" } })
      const error = yield* Effect.flip(BingClient.webSearch({ q: "down" }))
      assert.instanceOf(error, BingError.ServerError)
      assert.strictEqual((error as BingError.ServerError).subCode, "ResourceError")
      assert.strictEqual(emu.current.requests().length, 3)
    }).pipe(withClient({ retry: { maxAttempts: 3, baseDelay: 1, maxDelay: 2 } })))

  it.effect("5xx backoff waits on the clock (exponential, capped)", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ match: { count: 1 }, fault: { kind: "error", code: "ServerError" } })
      const fiber = yield* Effect.forkChild(BingClient.webSearch({ q: "backoff" }))
      yield* waitUntil(() => emu.current.requests().length === 1, "the first attempt")
      yield* realSleep(20)
      // the backoff holds the retry until the clock moves
      assert.strictEqual(emu.current.requests().length, 1)
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("4999 millis")
      yield* realSleep(20)
      assert.strictEqual(emu.current.requests().length, 1)
      yield* TestClock.adjust("1 millis")
      const { meta } = yield* Fiber.join(fiber)
      assert.strictEqual(meta.attempts, 2)
    }).pipe(
      withClient({ retry: { baseDelay: "10 seconds", maxDelay: "10 seconds" } }),
      // jitter pinned to half the ceiling: the retry is due at 5 s of virtual time
      Effect.provideService(Random.Random, { nextIntUnsafe: () => 0, nextDoubleUnsafe: () => 0.5 })
    ))

  it.live("an empty 200 (suspected DoS) is retried; persistent ones end in EmptyResponse", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ match: { count: 1 }, fault: { kind: "empty200" } })
      const ok = yield* BingClient.webSearch({ q: "dos" })
      assert.strictEqual(ok.meta.attempts, 2)
      emu.current.injectFault({ fault: { kind: "empty200" } })
      const error = yield* Effect.flip(BingClient.webSearch({ q: "dos" }))
      assert.instanceOf(error, BingError.EmptyResponse)
    }).pipe(withClient({ retry: { maxAttempts: 2, baseDelay: 1, maxDelay: 2 } })))

  it.live("a truncated body is a typed, retried failure", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ match: { count: 1 }, fault: { kind: "truncate" } })
      const ok = yield* BingClient.webSearch({ q: "truncated" })
      assert.strictEqual(ok.meta.attempts, 2)
      emu.current.injectFault({ fault: { kind: "truncate" } })
      const error = yield* Effect.flip(BingClient.webSearch({ q: "truncated" }))
      assert.isTrue(
        error._tag === "ConnectionFailed" || error._tag === "UnexpectedResponse",
        `unexpected ${error._tag}`
      )
      assert.notInclude(error.message, KEY)
    }).pipe(withClient({ retry: { maxAttempts: 2, baseDelay: 1, maxDelay: 2 } })))

  it.live("a dropped connection is ConnectionFailed, retried", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ match: { count: 1 }, fault: { kind: "drop" } })
      const ok = yield* BingClient.webSearch({ q: "drop" })
      assert.strictEqual(ok.meta.attempts, 2)
      emu.current.injectFault({ fault: { kind: "drop" } })
      const error = yield* Effect.flip(BingClient.webSearch({ q: "drop" }))
      assert.instanceOf(error, TransportError.ConnectionFailed)
      assert.isTrue(error.isRetryable)
    }).pipe(withClient({ retry: { maxAttempts: 2, baseDelay: 1, maxDelay: 2 } })))

  it.live("an HTML 502 from a proxy is UnexpectedResponse, retried", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ match: { count: 1 }, fault: { kind: "html502" } })
      const ok = yield* BingClient.webSearch({ q: "proxy" })
      assert.strictEqual(ok.meta.attempts, 2)
      emu.current.injectFault({ fault: { kind: "html502" } })
      const error = yield* Effect.flip(BingClient.webSearch({ q: "proxy" }))
      assert.instanceOf(error, BingError.UnexpectedResponse)
      assert.strictEqual((error as BingError.UnexpectedResponse).status, 502)
      // the error and the retry decision agree
      assert.isTrue(error.isRetryable)
      assert.strictEqual(BingClient.attemptsOf(error), 2)
    }).pipe(withClient({ retry: { maxAttempts: 2, baseDelay: 1, maxDelay: 2 } })))

  it.live("a connection refused is ConnectionFailed", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(BingClient.webSearch({ q: "nobody home" }))
      assert.instanceOf(error, TransportError.ConnectionFailed)
      if (error._tag !== "ConnectionFailed") return
      assert.strictEqual(error.phase, "request")
      assert.include(error.message, "127.0.0.1:9")
    }).pipe(withClient({ endpoint: "http://127.0.0.1:9", retry: { maxAttempts: 2, baseDelay: 1, maxDelay: 2 } })))

  it.effect("a slow answer is RequestTimeout after the per-attempt timeout", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ fault: { kind: "delay", ms: 2_000 } })
      const fiber = yield* Effect.forkChild(Effect.flip(BingClient.webSearch({ q: "slow" })))
      // the request is in flight (the emulator holds it 2 s); only the virtual clock can end it
      yield* realSleep(100)
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      assert.instanceOf(error, TransportError.RequestTimeout)
      if (error._tag !== "RequestTimeout") return
      assert.strictEqual(error.timeoutMs, 1_000)
      assert.include(error.message, "/v7.0/search")
    }).pipe(withClient({ timeout: "1 second", retry: { maxAttempts: 1 } })))
})

describe("per-attempt timeout on the live clock (a plain timer, no race)", () => {
  it.live("a slow answer is RequestTimeout, each attempt bounded", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ fault: { kind: "delay", ms: 30_000 } })
      // if the timer did not end each attempt, this would wait for the 30 s delay (and fail the test's own timeout)
      const error = yield* Effect.flip(BingClient.webSearch({ q: "slow live" }))
      assert.instanceOf(error, TransportError.RequestTimeout)
      if (error._tag !== "RequestTimeout") return
      assert.strictEqual(error.timeoutMs, 150)
    }).pipe(withClient({ timeout: "150 millis", retry: { maxAttempts: 2, baseDelay: 1, maxDelay: 2 } })))

  it.live("a fast answer clears the timer: the call succeeds and nothing fires later", () =>
    Effect.gen(function*() {
      const { meta } = yield* BingClient.webSearch({ q: "quick" })
      assert.strictEqual(meta.attempts, 1)
      yield* realSleep(250)
      const again = yield* BingClient.webSearch({ q: "quick again" })
      assert.strictEqual(again.meta.attempts, 1)
    }).pipe(withClient({ timeout: "200 millis" })))

  it.live("a timeout beyond what a timer can hold (about 24.8 days) still works", () =>
    Effect.gen(function*() {
      const { meta } = yield* BingClient.webSearch({ q: "patient" })
      assert.strictEqual(meta.attempts, 1)
    }).pipe(withClient({ timeout: "30 days" })))
})

describe("spans", () => {
  it.live("without a tracing backend the call makes no span and leaves the caller's span alone", () =>
    Effect.gen(function*() {
      const seen = yield* Effect.gen(function*() {
        yield* BingClient.webSearch({ q: "untraced" })
        return yield* Effect.currentSpan
      }).pipe(Effect.withSpan("caller"))
      assert.strictEqual(seen.name, "caller")
      assert.isFalse(seen.attributes.has("bing.status"))
      assert.isFalse(seen.attributes.has("bing.attempts"))
    }).pipe(withClient()))

  it.live("with a tracer installed every call gets its span, under the caller's", () =>
    Effect.gen(function*() {
      const spans: Array<Tracer.Span> = []
      const tracer = Tracer.make({
        span(options) {
          const span = Tracer.nativeTracer.span(options)
          spans.push(span)
          return span
        }
      })
      yield* BingClient.webSearch({ q: "traced" }).pipe(
        Effect.withSpan("caller"),
        Effect.provideService(Tracer.Tracer, tracer)
      )
      const call = spans.find((s) => s.name === "BingClient.webSearch")
      assert.isDefined(call)
      assert.strictEqual(call?.attributes.get("bing.status"), 200)
      assert.strictEqual(call?.attributes.get("bing.attempts"), 1)
      assert.strictEqual(Option.getOrUndefined(call!.parent)?.spanId, spans.find((s) => s.name === "caller")?.spanId)
    }).pipe(withClient()))
})

describe("no per-attempt timeout", () => {
  it.live("timeout: Infinity leaves a slow answer alone", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ match: { count: 1 }, fault: { kind: "delay", ms: 100 } })
      const { meta } = yield* BingClient.webSearch({ q: "patient" })
      assert.strictEqual(meta.attempts, 1)
    }).pipe(withClient({ timeout: "Infinity" })))
})

describe("429", () => {
  it.effect("waits Retry-After when it is within the bound", () =>
    Effect.gen(function*() {
      emu.current.injectFault({
        match: { count: 1 },
        fault: { kind: "error", code: "RateLimitExceeded", status: 429, retryAfter: 2 }
      })
      const fiber = yield* Effect.forkChild(BingClient.webSearch({ q: "busy" }))
      yield* waitUntil(() => emu.current.requests().length === 1, "the first attempt")
      yield* realSleep(20)
      yield* TestClock.adjust("1999 millis")
      yield* realSleep(20)
      assert.strictEqual(emu.current.requests().length, 1, "no retry before Retry-After")
      yield* TestClock.adjust("1 millis")
      const { meta } = yield* Fiber.join(fiber)
      assert.strictEqual(meta.attempts, 2)
    }).pipe(withClient()))

  it.effect("fails at once with RateLimited when Retry-After exceeds the bound", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ fault: { kind: "error", code: "RateLimitExceeded", status: 429, retryAfter: 10 } })
      const error = yield* Effect.flip(BingClient.webSearch({ q: "busy" }))
      assert.instanceOf(error, BingError.RateLimited)
      assert.strictEqual((error as BingError.RateLimited).retryAfterMs, 10_000)
      assert.strictEqual(emu.current.requests().length, 1)
    }).pipe(withClient({ retry: { maxRetryAfter: "5 seconds" } })))

  it.live("the emulator's own per-second limit is honoured the same way", () =>
    Effect.gen(function*() {
      // perSecond is enforced per sliding second; a burst gets 429s with Retry-After: 1 and the
      // client waits (1 s <= bound) and succeeds within its budget.
      const results = yield* Effect.all(
        Array.from({ length: 4 }, (_, i) => BingClient.webSearch({ q: `burst ${i}` })),
        { concurrency: 4 }
      )
      assert.strictEqual(results.length, 4)
      assert.isTrue(results.some((r) => r.meta.attempts > 1))
    }).pipe(withClient({ key: Redacted.make(LIMITED_KEY) })), { timeout: 20_000 })
})

describe("quota tracking and tier failover", () => {
  const tiers = [
    Tier.make({ name: "S15", key: Redacted.make(S15_KEY), limits: { perDay: 5 } }),
    Tier.make({ name: "S16", key: Redacted.make(S16_KEY), limits: { perDay: 1_000 } })
  ]
  // provideMerge: the tests also talk to the tracker the client uses
  const trackedClient = (options: Partial<BingClient.Options> = {}) =>
    BingClient.layerWithQuota({
      endpoint: url(),
      allowInsecureLoopback: true,
      retry: { baseDelay: 1, maxDelay: 2 },
      ...options
    })
      .pipe(
        Layer.provideMerge(QuotaTracker.layer({ tiers }).pipe(Layer.provide(QuotaStore.layerMemory))),
        Layer.provide(FetchHttpClient.layer)
      )

  it.effect("a 403 quota error moves to the next tier within the same call, and back after the reset", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(emu.current.now())
      const first = yield* BingClient.webSearch({ q: "tier" })
      assert.strictEqual(first.meta.tier, "S15")
      // The server says S15's day is used up (the tracker still thinks 1 of 5 is used).
      emu.current.setUsage({ key: "S15", window: "day", used: 5 })
      const switched = yield* BingClient.webSearch({ q: "tier" })
      assert.strictEqual(switched.meta.tier, "S16")
      assert.strictEqual(switched.meta.attempts, 2)
      const log = emu.current.requests(2)
      assert.deepStrictEqual(log.map((r) => [r.keyName, r.status]), [["S16", 200], ["S15", 403]])
      // later calls go straight to S16
      const next = yield* BingClient.webSearch({ q: "tier" })
      assert.strictEqual(next.meta.tier, "S16")
      assert.strictEqual(next.meta.attempts, 1)
      // a new day on both clocks: back to S15
      const clock = emu.current.advanceClock("next-day")
      yield* TestClock.setTime(clock.now + 2_000)
      const back = yield* BingClient.webSearch({ q: "tier" })
      assert.strictEqual(back.meta.tier, "S15")
      const tracker = yield* QuotaTracker.QuotaTracker
      const status = yield* tracker.status
      assert.strictEqual(status.active, "S15")
    }).pipe(Effect.provide(trackedClient())))

  it.effect("every tier exhausted -> the tracker's QuotaError, nothing sent", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(emu.current.now())
      const tracker = yield* QuotaTracker.QuotaTracker
      yield* tracker.setUsage({ tier: "S15", window: "day", used: 5 })
      yield* tracker.setUsage({ tier: "S16", window: "day", used: 1_000 })
      const error = yield* Effect.flip(BingClient.webSearch({ q: "none left" }))
      assert.strictEqual(error._tag, "QuotaError")
      if (error._tag !== "QuotaError") return
      assert.strictEqual(error.reason._tag, "AllTiersExhausted")
      assert.strictEqual(emu.current.requests().length, 0)
    }).pipe(Effect.provide(trackedClient())))

  it.effect("failed requests are refunded to the tracker", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(emu.current.now())
      emu.current.injectFault({ fault: { kind: "error", code: "InvalidRequest", subCode: "Blocked" } })
      yield* Effect.flip(BingClient.webSearch({ q: "refund" }))
      const tracker = yield* QuotaTracker.QuotaTracker
      const status = yield* tracker.status
      const s15 = status.tiers.find((t) => t.name === "S15")
      const day = s15?.windows.find((w) => w.window === "day")
      assert.strictEqual(day?.used, 0)
    }).pipe(Effect.provide(trackedClient())))
})

describe("cancellation", () => {
  it.live("interrupting a call aborts the request in flight", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ fault: { kind: "delay", ms: 30_000 } })
      const fiber = yield* Effect.forkChild(BingClient.webSearch({ q: "cancel me" }))
      yield* realSleep(100)
      assert.isUndefined(fiber.pollUnsafe())
      const exit = yield* Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber)))
      assert.isTrue(Exit.isFailure(exit) && Exit.hasInterrupts(exit))
    }).pipe(withClient({ timeout: "1 minute" })))

  it.effect("interrupting a call cancels a pending Retry-After wait", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ fault: { kind: "error", code: "RateLimitExceeded", status: 429, retryAfter: 3 } })
      const fiber = yield* Effect.forkChild(BingClient.webSearch({ q: "wait" }))
      yield* waitUntil(() => emu.current.requests().length === 1, "the first attempt")
      yield* realSleep(20)
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("1 minute")
      yield* realSleep(20)
      assert.strictEqual(emu.current.requests().length, 1)
    }).pipe(withClient()))
})
