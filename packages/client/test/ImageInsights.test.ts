// Image Insights and Visual Search, in both APIs, against the emulator over a real socket: a token
// from Image Search resolves to the same image, the multipart body (token, upload, crop) reaches
// the emulator intact through fetch and BingHttp, retries resend the same body, and bad input
// fails locally with Bing's typed errors before any request, never carrying the key.
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
const bytes = new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 31) % 256))

describe("Image Insights and Visual Search (Effect API)", () => {
  for (const [name, http] of [["fetch", undefined], ["BingHttp", BingHttp.layer]] as const) {
    const layer = () => (http === undefined ? clientLayer(url()) : clientLayer(url(), {}, http))

    it.live(`imageInsights resolves an Image Search token to the same image (${name})`, () =>
      Effect.gen(function*() {
        const found = yield* BingClient.imageSearch({ q: "espresso coffee", count: 1 })
        const image = found.value.value[0]!
        const insights = yield* BingClient.imageInsights({
          insightsToken: image.imageInsightsToken!,
          modules: ["Caption", "SimilarImages"],
          mkt: "en-US"
        })
        assert.strictEqual(insights.value._type, "ImageInsights")
        assert.strictEqual(insights.value.imageInsightsToken, image.imageInsightsToken)
        assert.strictEqual(insights.value.imageCaption?.dataSourceUrl, image.hostPageUrl)
        assert.isAbove(insights.value.visuallySimilarImages?.value.length ?? 0, 0)
        assert.isUndefined(insights.value.pagesIncluding)
        assert.strictEqual(insights.meta.market, "en-US")
        assert.match(
          emu.current.requests(1)[0]!.path,
          /^\/v7\.0\/images\/details\?insightsToken=.+&modules=Caption%2CSimilarImages&mkt=en-US$/
        )
      }).pipe(Effect.provide(layer())))

    it.live(`visualSearch sends the knowledgeRequest and the image as multipart (${name})`, () =>
      Effect.gen(function*() {
        const found = yield* BingClient.imageSearch({ q: "tea", count: 1 })
        const token = found.value.value[0]!.imageInsightsToken!
        const byToken = yield* BingClient.visualSearch({
          knowledgeRequest: { imageInfo: { imageInsightsToken: token } }
        })
        assert.strictEqual(byToken.value._type, "ImageKnowledge")
        assert.strictEqual(byToken.value.image?.imageInsightsToken, token)
        assert.strictEqual(byToken.value.tags[0]?.displayName, "")
        const sent = emu.current.requests(1)[0]!
        assert.deepStrictEqual([sent.method, sent.path, sent.status], ["POST", "/v7.0/images/visualsearch", 200])

        const crop = { top: 0.2, left: 0.3, bottom: 0.7, right: 0.6 }
        const upload = yield* BingClient.visualSearch({
          knowledgeRequest: { imageInfo: { cropArea: crop } },
          image: bytes,
          imageType: "image/png",
          mkt: "en-GB"
        })
        assert.deepStrictEqual(upload.value.tags[1]?.boundingBox?.queryRectangle.bottomRight, { x: 0.6, y: 0.7 })
        assert.strictEqual(upload.meta.market, "en-GB")
        // the same bytes name the same image
        const again = yield* BingClient.visualSearch({ image: bytes })
        assert.strictEqual(again.value.image?.imageInsightsToken, upload.value.image?.imageInsightsToken)
      }).pipe(Effect.provide(layer())))
  }

  it.live("a retried visualSearch resends the same body", () =>
    Effect.gen(function*() {
      emu.current.injectFault({
        match: { path: "/v7.0/images/visualsearch", count: 1 },
        fault: { kind: "error", code: "ServerError", subCode: "UnexpectedError" }
      })
      const { value, meta } = yield* BingClient.visualSearch({ image: bytes })
      assert.strictEqual(meta.attempts, 2)
      assert.strictEqual(value._type, "ImageKnowledge")
      assert.deepStrictEqual(emu.current.requests(2).map((r) => r.status), [200, 500])
    }).pipe(Effect.provide(clientLayer(url()))))

  it.live("bad input fails locally with Bing's InvalidRequest, before any request", () =>
    Effect.gen(function*() {
      const noImage = yield* Effect.flip(BingClient.imageInsights({ modules: ["All"] }))
      assert.isTrue(noImage instanceof BingError.InvalidRequest)
      if (noImage instanceof BingError.InvalidRequest) {
        assert.deepStrictEqual([noImage.subCode, noImage.parameter, noImage.local], [
          "ParameterMissing",
          "insightsToken",
          true
        ])
      }
      const alone = yield* Effect.flip(
        BingClient.imageInsights({ insightsToken: "t", modules: ["RecognizedEntities", "Tags"] })
      )
      assert.strictEqual((alone as BingError.InvalidRequest).parameter, "modules")
      const nothing = yield* Effect.flip(BingClient.visualSearch({}))
      assert.deepStrictEqual(
        [(nothing as BingError.InvalidRequest).subCode, (nothing as BingError.InvalidRequest).parameter],
        ["ParameterMissing", "image"]
      )
      const both = yield* Effect.flip(
        BingClient.visualSearch({ knowledgeRequest: { imageInfo: { url: "https://a.example/x.jpg" } }, image: bytes })
      )
      assert.strictEqual((both as BingError.InvalidRequest).parameter, "knowledgeRequest")
      const tooBig = yield* Effect.flip(BingClient.visualSearch({ image: new Uint8Array(1024 * 1024 + 1) }))
      assert.strictEqual((tooBig as BingError.InvalidRequest).parameter, "image")
      // a media type with a line break would be a header injection: refused
      const injected = yield* Effect.flip(
        BingClient.visualSearch({ image: bytes, imageType: "image/png\r\nX-Evil: 1" })
      )
      assert.strictEqual((injected as BingError.InvalidRequest).parameter, "imageType")
      assert.strictEqual(emu.current.requests(10).length, 0)
    }).pipe(Effect.provide(clientLayer(url()))))

  it.live("a dropped connection fails with ConnectionFailed, the key in none of it", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ match: { path: "/v7.0/images/visualsearch" }, fault: { kind: "drop" } })
      const error = yield* Effect.flip(BingClient.visualSearch({ image: bytes }))
      assert.strictEqual(error._tag, "ConnectionFailed")
      assert.notInclude(`${String(error)} ${JSON.stringify(error)} ${(error as Error).stack ?? ""}`, KEY)
    }).pipe(Effect.provide(clientLayer(url(), { retry: { maxAttempts: 2, baseDelay: 1, maxDelay: 2 } }))))
})

describe("Image Insights and Visual Search (Promise API)", () => {
  vitestIt("resolves imageInsights and visualSearch, rejects like the Effect API", async () => {
    const bing = createClient({ key: Redacted.make(KEY), endpoint: url(), allowInsecureLoopback: true })
    try {
      const found = await bing.imageSearch({ q: "lighthouse", count: 1 })
      const image = found.value.value[0]!
      const insights = await bing.imageInsights({ insightsToken: image.imageInsightsToken!, modules: ["Tags"] })
      expect(insights.value.imageTags?.value.length).toBeGreaterThan(0)
      const byUrl = await bing.visualSearch({ knowledgeRequest: { imageInfo: { url: image.contentUrl! } } })
      expect(byUrl.value.image?.imageInsightsToken).toBe(image.imageInsightsToken)
      const invalid = await bing.imageInsights({ insightsToken: "t", modules: ["Bogus" as "All"] }).catch((
        e: unknown
      ) => e)
      expect(invalid).toBeInstanceOf(BingError.InvalidRequest)
      expect((invalid as BingError.InvalidRequest).parameter).toBe("modules")
      // a token the emulator did not issue is refused by the emulator, not locally
      const unknown = await bing.imageInsights({ insightsToken: "mid_0000" }).catch((e: unknown) => e)
      expect(unknown).toBeInstanceOf(BingError.InvalidRequest)
      expect((unknown as BingError.InvalidRequest).local).not.toBe(true)
    } finally {
      await bing.close()
    }
  })
})
