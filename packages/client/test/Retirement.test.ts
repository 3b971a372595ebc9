/**
 * After the retirement and the wire fixes of issue 16, through the emulator over a real socket:
 * 410 Gone is `ServiceRetired` and never retried; `auth: "bearer"` sends the key as a bearer token;
 * `cc` with `mkt` is sent with a warning; a `count` over Bing's maximum is sent, not refused.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Logger, Redacted, References } from "effect"
import { BingClient } from "../src/index.js"
import { BEARER_KEY, clientLayer, RETIRED_KEY, useEmulator } from "./fixtures.js"

const emu = useEmulator()
const withClient = (options: Partial<BingClient.Options> = {}) => Effect.provide(clientLayer(emu.current.url, options))

describe("410 Gone (the retired service)", () => {
  it.live("fails with ServiceRetired after one attempt, whatever the retry budget", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(BingClient.webSearch({ q: "tides" }))
      assert.strictEqual(error._tag, "ServiceRetired")
      if (error._tag !== "ServiceRetired") return
      assert.strictEqual(error.status, 410)
      assert.isFalse(error.isRetryable)
      assert.strictEqual(BingClient.attemptsOf(error), 1)
      assert.strictEqual(emu.current.requests().length, 1)
    }).pipe(withClient({ key: Redacted.make(RETIRED_KEY), retry: { maxAttempts: 5, baseDelay: 1, maxDelay: 2 } })))
})

describe("auth: bearer", () => {
  it.live("sends Authorization: Bearer <key> (and no subscription key) on operations and forward", () =>
    Effect.gen(function*() {
      const { meta } = yield* BingClient.webSearch({ q: "reseller" })
      assert.strictEqual(meta.status, 200)
      const client = yield* BingClient.BingClient
      const forwarded = yield* client.forward({ path: "/v7.0/images/trending", query: "" })
      assert.strictEqual(forwarded.status, 200)
      assert.strictEqual(emu.current.usage("reseller").served, 2)
    }).pipe(withClient({ key: Redacted.make(BEARER_KEY), auth: "bearer" })))

  it.live("without it the same key is refused (the emulator requires the bearer form for it)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(BingClient.webSearch({ q: "reseller" }))
      assert.strictEqual(error._tag, "InvalidAuthorization")
    }).pipe(withClient({ key: Redacted.make(BEARER_KEY) })))

  it("an auth that is neither form is an options error", () => {
    const result = BingClient.validateOptions({
      key: Redacted.make("k"),
      auth: "basic" as unknown as "bearer"
    })
    assert.strictEqual(result._tag, "Failure")
  })
})

describe("documented parameters the client no longer refuses", () => {
  it.live("cc with mkt is sent as given, with a warning; mkt decides the market", () => {
    const warnings: Array<string> = []
    const logger = Logger.make(({ logLevel, message }) => {
      if (logLevel === "Warn") warnings.push(String(Array.isArray(message) ? message.join(" ") : message))
    })
    return Effect.gen(function*() {
      const { meta } = yield* BingClient.webSearch({ q: "tides", cc: "DE", mkt: "en-GB" })
      assert.strictEqual(meta.market, "en-GB")
      const query = new URLSearchParams(emu.current.requests(1)[0]?.path.split("?")[1])
      assert.strictEqual(query.get("cc"), "DE")
      assert.strictEqual(query.get("mkt"), "en-GB")
      assert.strictEqual(warnings.length, 1)
      assert.include(warnings[0], "cc=DE")
      assert.include(warnings[0], "mkt=en-GB")
      // one of them alone: no warning
      yield* BingClient.webSearch({ q: "tides", cc: "DE" })
      assert.strictEqual(warnings.length, 1)
    }).pipe(
      withClient(),
      Effect.provide(Logger.layer([logger])),
      Effect.provideService(References.MinimumLogLevel, "All")
    )
  })

  it.live("a count over Bing's maximum is sent, and Bing delivers its maximum", () =>
    Effect.gen(function*() {
      const web = yield* BingClient.webSearch({ q: "coffee", count: 100 })
      assert.strictEqual(web.value.webPages?.value.length, 50)
      const images = yield* BingClient.imageSearch({ q: "dogs", count: 200 })
      assert.strictEqual(images.value.value.length, 150)
      const query = new URLSearchParams(emu.current.requests(2)[1]?.path.split("?")[1])
      assert.strictEqual(query.get("count"), "100")
    }).pipe(withClient()))
})
