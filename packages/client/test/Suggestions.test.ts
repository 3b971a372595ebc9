// The Autosuggest operation of both APIs against the emulator over a real socket.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { expect } from "vitest"
import { BingClient } from "../src/index.js"
import { BingError, createClient } from "../src/promise.js"
import { clientLayer, KEY, useEmulator } from "./fixtures.js"

const emu = useEmulator()
const withClient = <A, E>(effect: Effect.Effect<A, E, BingClient.BingClient>) =>
  Effect.suspend(() => Effect.provide(effect, clientLayer(emu.current.url)))

describe("BingClient.suggestions", () => {
  it.live("decodes the emulator's Suggestions, with or without q", () =>
    Effect.gen(function*() {
      const { value, meta } = yield* BingClient.suggestions({ q: "py", mkt: "en-US" })
      assert.strictEqual(value._type, "Suggestions")
      assert.strictEqual(meta.market, "en-US")
      assert.match(emu.current.requests(1)[0]!.path, /^\/v7\.0\/suggestions\?mkt=en-US&q=py$/)
      const web = value.suggestionGroups[0]!
      assert.strictEqual(web.name, "Web")
      assert.isTrue(web.searchSuggestions[0]!.query.startsWith("py"))
      const trending = yield* BingClient.suggestions()
      assert.strictEqual(trending.value.suggestionGroups[0]!.searchSuggestions.length, 8)
    }).pipe(withClient))

  it.live("an invalid parameter fails locally with InvalidRequest, before any request", () =>
    Effect.gen(function*() {
      const error = yield* BingClient.suggestions({ q: "a", cc: "usa" }).pipe(Effect.flip)
      assert.strictEqual(error._tag, "InvalidRequest")
      assert.strictEqual((error as BingError.InvalidRequest).parameter, "cc")
      assert.strictEqual(emu.current.requests().length, 0)
    }).pipe(withClient))
})

describe("createClient().suggestions", () => {
  it("resolves and rejects like the Effect API", async () => {
    const bing = createClient({ key: Redacted.make(KEY), endpoint: emu.current.url, allowInsecureLoopback: true })
    try {
      const ok = await bing.suggestions({ q: "py" })
      expect(ok.value.suggestionGroups[0]?.searchSuggestions.length).toBeGreaterThan(0)
      const invalid = await bing.suggestions({ q: "a", cc: "usa" }).catch((e: unknown) => e)
      expect(invalid).toBeInstanceOf(BingError.InvalidRequest)
    } finally {
      await bing.close()
    }
  })
})
