// The Video Search operations of both APIs against the emulator over a real socket.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Redacted } from "effect"
import { expect } from "vitest"
import { BingClient } from "../src/index.js"
import { BingError, createClient } from "../src/promise.js"
import { clientLayer, KEY, useEmulator } from "./fixtures.js"

const emu = useEmulator()
const withClient = <A, E>(effect: Effect.Effect<A, E, BingClient.BingClient>) =>
  Effect.suspend(() => Effect.provide(effect, clientLayer(emu.current.url)))

describe("BingClient video operations", () => {
  it.live("videoSearch, trendingVideos and videoDetails decode the emulator's answers", () =>
    Effect.gen(function*() {
      const search = yield* BingClient.videoSearch({ q: "python", count: 5, videoLength: "Short" })
      assert.strictEqual(search.value._type, "Videos")
      assert.strictEqual(search.value.value.length, 5)
      assert.strictEqual(search.meta.status, 200)
      const sent = emu.current.requests(1)[0]!.path
      assert.match(sent, /^\/v7\.0\/videos\/search\?q=python&count=5/)
      assert.match(sent, /videoLength=Short/)
      const first = search.value.value[0]!
      assert.strictEqual(first.publisher?.[0]?._type, "Organization")

      const trending = yield* BingClient.trendingVideos()
      assert.strictEqual(trending.value._type, "TrendingVideos")
      assert.isAbove(trending.value.categories.length, 0)

      const details = yield* BingClient.videoDetails({ id: first.videoId!, modules: ["VideoResult"], q: "python" })
      assert.strictEqual(details.value._type, "Api.VideoDetails.VideoDetails")
      assert.strictEqual(details.value.videoResult?.videoId, first.videoId)
      assert.isUndefined(details.value.relatedVideos)
    }).pipe(withClient))

  it.live("a count over 105 is sent, not refused, and at most 105 videos come back", () =>
    Effect.gen(function*() {
      const search = yield* BingClient.videoSearch({ q: "python", count: 500 })
      assert.strictEqual(search.value.value.length, 105)
      assert.match(emu.current.requests(1)[0]!.path, /count=500/)
    }).pipe(withClient))

  it.live("invalid parameters fail locally with Bing's InvalidRequest, before any request", () =>
    Effect.gen(function*() {
      const exit = yield* BingClient.videoSearch({ q: "x", count: 70000 }).pipe(Effect.exit)
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* BingClient.videoDetails({ id: "v", modules: [] as never }).pipe(Effect.flip)
      assert.strictEqual(error._tag, "InvalidRequest")
      assert.strictEqual((error as BingError.InvalidRequest).parameter, "modules")
      assert.strictEqual(emu.current.requests().length, 0)
    }).pipe(withClient))
})

describe("createClient video operations", () => {
  it("resolves and rejects like the Effect API", async () => {
    const bing = createClient({
      key: Redacted.make(KEY),
      endpoint: emu.current.url,
      allowInsecureLoopback: true,
      retry: { baseDelay: 1, maxDelay: 2 }
    })
    try {
      const search = await bing.videoSearch({ q: "sailing dinghies", count: 2 })
      expect(search.value._type).toBe("Videos")
      expect(search.value.value).toHaveLength(2)
      expect((await bing.trendingVideos()).value._type).toBe("TrendingVideos")
      const details = await bing.videoDetails({
        id: search.value.value[1]!.videoId!,
        modules: ["All"],
        q: "sailing dinghies"
      })
      expect(details.value.relatedVideos?.value.length).toBeGreaterThan(0)
      const invalid = await bing.videoSearch({ q: "" }).catch((e: unknown) => e)
      expect(invalid).toBeInstanceOf(BingError.InvalidRequest)
      expect((invalid as BingError.InvalidRequest).subCode).toBe("ParameterMissing")
    } finally {
      await bing.close()
    }
  })
})
