import { BingError } from "@bing-effect/schema"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { expect, it as vitestIt } from "vitest"
import { BingClient } from "../src/index.js"
import { createClient } from "../src/promise.js"
import { BingHttp } from "../src/undici.js"
import { clientLayer, KEY, useEmulator } from "./fixtures.js"

const emu = useEmulator()
const url = () => emu.current.url

describe("Spell Check (Effect API)", () => {
  for (const [name, http] of [["fetch", undefined], ["BingHttp", BingHttp.layer]] as const) {
    it.live(`spellCheck decodes the flagged tokens (${name})`, () =>
      Effect.gen(function*() {
        const { value, meta } = yield* BingClient.spellCheck({ text: "Hollo, wrld!", mode: "spell", mkt: "en-US" })
        assert.strictEqual(value._type, "SpellCheck")
        assert.deepStrictEqual(
          value.flaggedTokens.map((t) => [t.offset, t.token, t.type, t.suggestions[0]?.suggestion]),
          [[0, "Hollo", "UnknownToken", "Hello"], [7, "wrld", "UnknownToken", "world"]]
        )
        assert.strictEqual(meta.market, "en-US")
        assert.strictEqual(
          emu.current.requests(1)[0]?.path,
          "/v7.0/spellcheck?text=Hollo%2C+wrld%21&mode=spell&mkt=en-US"
        )
      }).pipe(Effect.provide(http === undefined ? clientLayer(url()) : clientLayer(url(), {}, http))))
  }

  for (const [name, http] of [["fetch", undefined], ["BingHttp", BingHttp.layer]] as const) {
    it.live(`long text goes in a POST form body, short text in the URL of a GET (${name})`, () =>
      Effect.gen(function*() {
        // The encoded query is `text=<text>&mode=proof&mkt=en-US`: 26 characters around the text.
        const short = "a".repeat(1_499 - 26)
        yield* BingClient.spellCheck({ text: short, mode: "proof", mkt: "en-US" })
        const get = emu.current.requests(1)[0]!
        assert.strictEqual(get.method, "GET")
        assert.isTrue(get.path.startsWith("/v7.0/spellcheck?text=aaaa"))
        const long = `${"a".repeat(1_500 - 26 - 4)} teh`
        const { value } = yield* BingClient.spellCheck({ text: long, mode: "proof", mkt: "en-US" })
        const post = emu.current.requests(1)[0]!
        assert.deepStrictEqual([post.method, post.path, post.status], ["POST", "/v7.0/spellcheck", 200])
        // the emulator read the text from the body: the misspelling at its end is flagged
        assert.deepStrictEqual(
          value.flaggedTokens.map((t) => [t.offset, t.token, t.suggestions[0]?.suggestion]),
          [[long.length - 3, "teh", "the"]]
        )
        // a text far past the URL limit (Bing answers 404 to a URL over 2,048 characters)
        const essay = Array.from({ length: 400 }, (_, i) => (i === 399 ? "wrld" : `word${i}`)).join(" ")
        const far = yield* BingClient.spellCheck({ text: essay, mode: "proof", mkt: "en-US" })
        assert.deepStrictEqual(far.value.flaggedTokens.map((t) => t.token), ["wrld"])
      }).pipe(Effect.provide(http === undefined ? clientLayer(url()) : clientLayer(url(), {}, http))))
  }

  it.live("a POST that fails with a retryable error is sent again, body included", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ match: { count: 1 }, fault: { kind: "error", code: "ServerError" } })
      const text = `${"b".repeat(2_000)} wrld`
      const { value, meta } = yield* BingClient.spellCheck({ text, mode: "proof", mkt: "en-US" })
      assert.strictEqual(meta.attempts, 2)
      assert.deepStrictEqual(value.flaggedTokens.map((t) => t.token), ["wrld"])
      assert.deepStrictEqual(emu.current.requests(2).map((r) => [r.method, r.status]), [["POST", 200], ["POST", 500]])
    }).pipe(Effect.provide(clientLayer(url()))))

  it.live("a bad mode is refused locally with Bing's error, before any request", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(BingClient.spellCheck({ text: "a", mode: "Spell" as never }))
      assert.isTrue(error instanceof BingError.InvalidRequest)
      if (error instanceof BingError.InvalidRequest) {
        assert.strictEqual(error.parameter, "mode")
        assert.strictEqual(error.value, "Spell")
        assert.isTrue(error.local)
      }
      assert.strictEqual(emu.current.requests(10).length, 0)
    }).pipe(Effect.provide(clientLayer(url()))))
})

describe("Spell Check (Promise API)", () => {
  vitestIt("resolves spellCheck (long text by POST), rejects a missing text with ParameterMissing", async () => {
    const bing = createClient({ key: Redacted.make(KEY), endpoint: url(), allowInsecureLoopback: true })
    try {
      const r = await bing.spellCheck({ text: "the warm warm weather", mode: "proof", mkt: "en-US" })
      expect(r.value.flaggedTokens).toEqual([{
        offset: 9,
        token: "warm",
        type: "RepeatedToken",
        suggestions: [{ suggestion: "", score: expect.any(Number) }]
      }])
      const long = await bing.spellCheck({ text: `${"c".repeat(3_000)} speling`, mode: "proof", mkt: "en-US" })
      expect(long.value.flaggedTokens.map((t) => t.token)).toEqual(["speling"])
      expect(emu.current.requests(1)[0]).toMatchObject({ method: "POST", path: "/v7.0/spellcheck", status: 200 })
      await expect(bing.spellCheck({ text: "   " })).rejects.toMatchObject({
        _tag: "InvalidRequest",
        subCode: "ParameterMissing",
        parameter: "text"
      })
    } finally {
      await bing.close()
    }
  })
})
