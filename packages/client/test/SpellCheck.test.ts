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
  vitestIt("resolves spellCheck, rejects a missing text with ParameterMissing", async () => {
    const bing = createClient({ key: Redacted.make(KEY), endpoint: url(), allowInsecureLoopback: true })
    try {
      const r = await bing.spellCheck({ text: "the warm warm weather", mode: "proof", mkt: "en-US" })
      expect(r.value.flaggedTokens).toEqual([{
        offset: 9,
        token: "warm",
        type: "RepeatedToken",
        suggestions: [{ suggestion: "", score: expect.any(Number) }]
      }])
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
