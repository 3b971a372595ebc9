/**
 * Microsoft's Video Search SDK client, unmodified, against the emulator. The scoped
 * `@azure/cognitiveservices-videosearch` is not published on npm, so this is the older unscoped
 * `azure-cognitiveservices-videosearch` 1.1.0 over `ms-rest`, authenticated with the key in
 * `Ocp-Apim-Subscription-Key` by `ms-rest`'s `ApiKeyCredentials` (what `ms-rest-azure`'s
 * `CognitiveServicesCredentials` is). Its default base URI is `…/bing/v7.0`: the emulator's legacy
 * prefix. Its failures are errors with the HTTP `statusCode` and Bing's `ErrorResponse` in `body`.
 */
import { Emulator } from "@bing-effect/emulator"
import { VideoSearchAPIClient } from "azure-cognitiveservices-videosearch"
import { ApiKeyCredentials } from "ms-rest"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const KEY = "azure-video-sdk-test-key-0b6e"
let emulator: Emulator.EmulatorHandle
let client: VideoSearchAPIClient

beforeAll(async () => {
  emulator = await Emulator.start({ keys: [{ name: "video", key: KEY, limits: { perDay: 1_000 } }] })
  const credentials = new ApiKeyCredentials({ inHeader: { "Ocp-Apim-Subscription-Key": KEY } })
  client = new VideoSearchAPIClient(credentials, `${emulator.url}/bing/v7.0`)
})
afterAll(async () => {
  await emulator.stop()
})

describe("azure-cognitiveservices-videosearch against the emulator", () => {
  it("videos.search deserializes Videos and the VideoObjects it models", async () => {
    const videos = await client.videosOperations.search("sailing dinghies", {
      count: 5,
      market: "en-US",
      length: "Short",
      pricing: "Free"
    })
    const sent = emulator.requests(1)[0]!
    expect(sent.status).toBe(200)
    expect(sent.path).toMatch(/^\/bing\/v7\.0\/videos\/search\?/)
    // The SDK spells the documented `videoLength` as `length` (its swagger's name); the emulator
    // follows the documentation, so this filter is ignored as every unknown parameter is.
    const query = new URLSearchParams(sent.path.split("?")[1])
    expect([query.get("length"), query.get("videoLength"), query.get("pricing")]).toEqual(["Short", null, "Free"])
    expect(videos._type).toBe("Videos")
    expect(videos.value).toHaveLength(5)
    const first = videos.value[0]!
    expect(first.videoId).toMatch(/^[0-9A-F]{32}$/)
    // This SDK's VideoObject has no publisher, creator, duration or isAccessibleForFree (it drops
    // them); what it does model must come through.
    expect(first.name).toEqual(expect.any(String))
    expect(first.contentUrl).toMatch(/^https:\/\//)
    expect(first.hostPageUrl).toBe(first.contentUrl)
    expect(first.thumbnail).toMatchObject({ width: 300, height: expect.any(Number) })
    expect(first.viewCount).toEqual(expect.any(Number))
    expect(videos.totalEstimatedMatches).toBeGreaterThan(0)
    expect(videos.queryExpansions?.[0]?.searchLink).toMatch(/videos\/search\?q=/)
    expect(videos.pivotSuggestions?.map((p: { pivot: string }) => p.pivot)).toEqual(["sailing", "dinghies"])
  })

  it("videos.details and videos.trending deserialize their answers", async () => {
    const [first] = (await client.videosOperations.search("python", { count: 1 })).value
    const details = await client.videosOperations.details("python", {
      id: first!.videoId!,
      modules: ["All"]
    })
    expect(details._type).toBe("Api.VideoDetails.VideoDetails")
    expect(details.videoResult?.videoId).toBe(first!.videoId)
    expect(details.relatedVideos?.value?.length).toBeGreaterThan(0)
    const trending = await client.videosOperations.trending({ market: "en-US" })
    expect(trending._type).toBe("TrendingVideos")
    expect(trending.bannerTiles?.[0]?.query.text).toEqual(expect.any(String))
    expect(trending.categories[0]?.subcategories[0]?.tiles.length).toBeGreaterThan(0)
  })

  it("a count over 105 delivers 105 videos (issue 16: at most the maximum, not a 400)", async () => {
    const videos = await client.videosOperations.search("python", { count: 500 })
    expect(videos.value).toHaveLength(105)
  })

  it("rejects with Bing's ErrorResponse, as the SDK reads it", async () => {
    const error = await client.videosOperations.search("x", { count: 70_000 }).then(
      () => expect.unreachable("the SDK call succeeded"),
      (e: unknown) => e as { statusCode?: number; body?: { errors?: ReadonlyArray<Record<string, string>> } }
    )
    expect(error.statusCode).toBe(400)
    expect(error.body?.errors?.[0]).toMatchObject({
      code: "InvalidRequest",
      subCode: "ParameterInvalidValue",
      parameter: "count",
      value: "70000"
    })
  })
})
