// The Entity Search operation of both APIs against the emulator over a real socket.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { expect } from "vitest"
import { BingClient } from "../src/index.js"
import { BingError, createClient } from "../src/promise.js"
import { BingHttp } from "../src/undici.js"
import { clientLayer, KEY, useEmulator } from "./fixtures.js"

const emu = useEmulator()

describe("BingClient.entitySearch", () => {
  for (const [name, http] of [["fetch", undefined], ["BingHttp", BingHttp.layer]] as const) {
    it.live(`decodes entities and places (${name})`, () =>
      Effect.gen(function*() {
        const { value, meta } = yield* BingClient.entitySearch({ q: "pizza near me", mkt: "en-US" })
        assert.strictEqual(value._type, "SearchResponse")
        assert.strictEqual(meta.market, "en-US")
        assert.strictEqual(meta.status, 200)
        assert.strictEqual(emu.current.requests(1)[0]!.path, "/v7.0/entities?q=pizza+near+me&mkt=en-US")
        const dominant = value.entities?.value[0]
        assert.strictEqual(dominant?.name, "Pizza")
        assert.strictEqual(dominant?.entityPresentationInfo?.entityScenario, "DominantEntity")
        assert.deepStrictEqual(dominant?.entityPresentationInfo?.entityTypeHints, ["Food"])
        assert.strictEqual(value.places?.value.length, 5)
        assert.strictEqual(value.places?.value[0]?._type, "Restaurant")
        assert.strictEqual(value.places?.value[0]?.address?.addressCountry, "US")
        assert.isTrue(value.queryContext?.askUserForLocation)
      }).pipe(
        Effect.provide(http === undefined ? clientLayer(emu.current.url) : clientLayer(emu.current.url, {}, http))
      ))
  }

  it.live("responseFilter is sent as a comma list; an unknown answer fails locally, before any request", () =>
    Effect.gen(function*() {
      const only = yield* BingClient.entitySearch({ q: "pizza", mkt: "en-US", responseFilter: ["-Places"] })
      assert.isUndefined(only.value.places)
      assert.strictEqual(only.value.entities?.value.length, 1)
      assert.strictEqual(emu.current.requests(1)[0]!.path, "/v7.0/entities?q=pizza&mkt=en-US&responseFilter=-Places")
      emu.current.reset()
      const error = yield* BingClient.entitySearch({ q: "a", responseFilter: ["Images" as never] }).pipe(Effect.flip)
      assert.strictEqual(error._tag, "InvalidRequest")
      assert.strictEqual((error as BingError.InvalidRequest).parameter, "responseFilter")
      assert.isTrue((error as BingError.InvalidRequest).local)
      assert.strictEqual(emu.current.requests().length, 0)
    }).pipe(Effect.provide(clientLayer(emu.current.url))))

  it.live("Bing's errors are typed: JSON-LD is ServerError NotImplemented", () =>
    Effect.gen(function*() {
      const error = yield* BingClient.entitySearch({ q: "x", responseFormat: "JSONLD" }).pipe(Effect.flip)
      assert.strictEqual(error._tag, "ServerError")
      assert.strictEqual((error as BingError.ServerError).subCode, "NotImplemented")
    }).pipe(Effect.provide(clientLayer(emu.current.url, { retry: { maxAttempts: 1 } }))))
})

describe("createClient().entitySearch", () => {
  it("resolves and rejects like the Effect API", async () => {
    const bing = createClient({ key: Redacted.make(KEY), endpoint: emu.current.url, allowInsecureLoopback: true })
    try {
      const ok = await bing.entitySearch({ q: "python rust" })
      expect(ok.value.entities?.queryScenario).toBe("DominantEntityWithDisambiguation")
      expect(ok.value.entities?.value.map((e) => e.entityPresentationInfo?.entityScenario)).toEqual([
        "DominantEntity",
        "DisambiguationItem"
      ])
      const missing = await bing.entitySearch({ q: " " }).catch((e: unknown) => e)
      expect(missing).toBeInstanceOf(BingError.InvalidRequest)
      expect(missing).toMatchObject({ subCode: "ParameterMissing", parameter: "q" })
    } finally {
      await bing.close()
    }
  })
})
