import { BingError } from "@bing-effect/schema"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Redacted } from "effect"
import { expect, it as vitestIt } from "vitest"
import { BingClient } from "../src/index.js"
import { createClient } from "../src/promise.js"
import { BingHttp } from "../src/undici.js"
import { clientLayer, KEY, S15_KEY, useEmulator } from "./fixtures.js"

const emu = useEmulator()
const url = () => emu.current.url

describe("News Search (Effect API)", () => {
  for (const [name, http] of [["fetch", undefined], ["BingHttp", BingHttp.layer]] as const) {
    it.live(`newsSearch, newsCategory and trendingTopics decode their models (${name})`, () =>
      Effect.gen(function*() {
        const found = yield* BingClient.newsSearch({ q: "mars rover", count: 4, sortBy: "Date", mkt: "en-GB" })
        assert.strictEqual(found.value._type, "News")
        assert.strictEqual(found.value.value.length, 4)
        assert.strictEqual(found.value.value[0]?.provider?.[0]?._type, "Organization")
        assert.strictEqual(found.value.sort?.find((s) => s.isSelected === true)?.id, "date")
        assert.strictEqual(found.meta.market, "en-GB")
        assert.strictEqual(found.meta.status, 200)
        const sports = yield* BingClient.newsCategory({ category: "Sports" })
        assert.strictEqual(sports.value._type, "News")
        const headlines = yield* BingClient.newsCategory()
        assert.isTrue(headlines.value.value.every((a) => typeof a.headline === "boolean"))
        const trending = yield* BingClient.trendingTopics({ sortBy: "Date" })
        assert.strictEqual(trending.value._type, "TrendingTopics")
        assert.isAbove(trending.value.value.length, 0)
        const paths = emu.current.requests(4).map((r) => r.path)
        assert.deepStrictEqual(paths, [
          "/v7.0/news/trendingtopics?sortBy=Date",
          "/v7.0/news",
          "/v7.0/news?category=Sports",
          "/v7.0/news/search?q=mars+rover&count=4&mkt=en-GB&sortBy=Date"
        ])
      }).pipe(Effect.provide(http === undefined ? clientLayer(url()) : clientLayer(url(), {}, http))))
  }

  it.live("an invalid parameter is refused locally with Bing's error, before any request", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(BingClient.newsSearch({ q: "mars", count: 70000 }))
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
      const failed = error?._tag === "Fail" ? error.error : undefined
      assert.isTrue(BingError.isBingError(failed))
      if (failed instanceof BingError.InvalidRequest) {
        assert.strictEqual(failed.subCode, "ParameterInvalidValue")
        assert.strictEqual(failed.parameter, "count")
        assert.strictEqual(failed.value, "70000")
        assert.isTrue(failed.local)
      } else assert.fail(`expected InvalidRequest, got ${String(failed)}`)
      assert.strictEqual(emu.current.requests(10).length, 0)
    }).pipe(Effect.provide(clientLayer(url()))))

  it.live("the emulator's quota answer is a typed QuotaExhausted, counted with the other endpoints", () =>
    Effect.gen(function*() {
      for (let i = 0; i < 5; i++) yield* BingClient.trendingTopics()
      const error = yield* Effect.flip(BingClient.newsSearch({ q: "tea" }))
      assert.strictEqual(error._tag, "QuotaExhausted")
    }).pipe(Effect.provide(clientLayer(url(), { key: Redacted.make(S15_KEY) }))))
})

describe("News Search (Promise API)", () => {
  vitestIt("resolves the three operations, rejects a bad parameter with InvalidRequest", async () => {
    const bing = createClient({
      key: Redacted.make(KEY),
      endpoint: url(),
      allowInsecureLoopback: true,
      retry: { baseDelay: 1, maxDelay: 2 }
    })
    try {
      const found = await bing.newsSearch({ q: "", count: 3 })
      expect(found.value.value).toHaveLength(3)
      expect((await bing.newsCategory({ category: "World" })).value._type).toBe("News")
      expect((await bing.trendingTopics()).value._type).toBe("TrendingTopics")
      await expect(bing.newsCategory({ category: "Gardening" as never })).rejects.toMatchObject({
        _tag: "InvalidRequest",
        parameter: "category",
        value: "Gardening"
      })
    } finally {
      await bing.close()
    }
  })
})
