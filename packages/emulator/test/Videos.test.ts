// Video Search, Trending Videos and Video Details over a real socket: status, headers, body shape
// against the documented examples, determinism, filters, quotas and Bing's 400 bodies.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Emulator from "../src/Emulator.js"
import { get } from "./support.js"

const T0 = Date.UTC(2026, 0, 15, 10, 0, 0)
let bing: Emulator.EmulatorHandle

beforeAll(async () => {
  bing = await Emulator.start({
    keys: [{ name: "v", key: "key-v" }, { name: "daily", key: "key-daily", limits: { perDay: 2 } }],
    startTime: T0,
    clock: "frozen"
  })
})
afterAll(async () => {
  await bing.stop()
})

const at = (path: string, key = "key-v") => get(`${bing.url}${path}`, { key })

/** The keys of the documented Video sample (bing-video-search/how-to/search-response.md). */
const documentedVideoKeys = [
  "webSearchUrl",
  "name",
  "description",
  "thumbnailUrl",
  "datePublished",
  "publisher",
  "creator",
  "isAccessibleForFree",
  "isFamilyFriendly",
  "contentUrl",
  "hostPageUrl",
  "encodingFormat",
  "hostPageDisplayUrl",
  "width",
  "height",
  "duration",
  "motionThumbnailUrl",
  "viewCount",
  "thumbnail",
  "videoId",
  "isSuperfresh"
]

describe("/videos/search", () => {
  it("answers a Videos object shaped like the documented sample, under both prefixes", async () => {
    const r = await at("/v7.0/videos/search?q=sailing+dinghies&mkt=en-GB")
    expect(r.status).toBe(200)
    expect(r.headers.get("content-type")).toBe("application/json; charset=utf-8")
    expect(r.headers.get("bingapis-market")).toBe("en-GB")
    expect(r.headers.get("bingapis-traceid")).toMatch(/^[0-9A-F]{32}$/)
    const body = r.json()
    expect(Object.keys(body).slice(0, 8)).toEqual([
      "_type",
      "readLink",
      "webSearchUrl",
      "queryContext",
      "totalEstimatedMatches",
      "nextOffset",
      "currentOffset",
      "value"
    ])
    expect(body._type).toBe("Videos")
    expect(body.queryContext).toEqual({ originalQuery: "sailing dinghies" })
    expect(body.value).toHaveLength(35)
    expect(body.nextOffset).toBeGreaterThanOrEqual(35)
    for (const k of documentedVideoKeys) expect(body.value[0]).toHaveProperty(k)
    expect(body.value[0].publisher[0]).toEqual({ _type: "Organization", name: expect.any(String) })
    expect(body.value[0].duration).toMatch(/^PT\d+M\d+S$/)
    expect(body.value[0].datePublished).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.0000000$/)
    expect(body.pivotSuggestions.map((p: { pivot: string }) => p.pivot)).toEqual(["sailing", "dinghies"])
    expect(body.relatedSearches[0]).toHaveProperty("searchLink")
    const legacy = await at("/bing/v7.0/videos/search?q=sailing+dinghies&mkt=en-GB")
    expect(legacy.status).toBe(200)
    expect(legacy.text).toBe(r.text)
  })

  it("is deterministic, pages with count/offset and pins id first", async () => {
    const a = (await at("/v7.0/videos/search?q=python&count=10")).json()
    const b = (await at("/v7.0/videos/search?q=python&count=10")).json()
    expect(b).toEqual(a)
    expect(a.value).toHaveLength(10)
    const next = (await at(`/v7.0/videos/search?q=python&count=10&offset=${a.nextOffset}`)).json()
    expect(next.currentOffset).toBe(a.nextOffset)
    const seen = new Set(a.value.map((v: { videoId: string }) => v.videoId))
    expect(next.value.some((v: { videoId: string }) => seen.has(v.videoId))).toBe(false)
    expect(next).not.toHaveProperty("relatedSearches")
    const pinned = (await at(`/v7.0/videos/search?q=python&count=3&id=${next.value[4].videoId}`)).json()
    expect(pinned.value[0].videoId).toBe(next.value[4].videoId)
  })

  it("delivers at most 105 videos for a larger count, and none for an offset past the end", async () => {
    const many = await at("/v7.0/videos/search?q=python&count=500")
    expect(many.status).toBe(200)
    const body = many.json()
    expect(body.value).toHaveLength(105)
    expect(body.totalEstimatedMatches).toBeGreaterThan(105)
    const past = (await at("/v7.0/videos/search?q=python&offset=65535")).json()
    expect(past.value).toEqual([])
  })

  it("applies the filters", async () => {
    const seconds = (d: string) => {
      const m = /^PT(\d+)M(\d+)S$/.exec(d)!
      return Number(m[1]) * 60 + Number(m[2])
    }
    const all = (await at("/v7.0/videos/search?q=python&count=105")).json()
    const short = (await at("/v7.0/videos/search?q=python&count=105&videoLength=short")).json()
    expect(short.totalEstimatedMatches).toBeLessThan(all.totalEstimatedMatches)
    expect(short.value.length).toBeGreaterThan(0)
    for (const v of short.value) expect(seconds(v.duration)).toBeLessThan(300)
    const hd = (await at("/v7.0/videos/search?q=python&resolution=1080p")).json()
    for (const v of hd.value) expect(v.height).toBeGreaterThanOrEqual(1080)
    const free = (await at("/v7.0/videos/search?q=python&pricing=Free&embedded=player")).json()
    for (const v of free.value) expect([v.isAccessibleForFree, typeof v.embedHtml]).toEqual([true, "string"])
    const week = (await at("/v7.0/videos/search?q=python&freshness=Week")).json()
    expect(week.totalEstimatedMatches).toBeLessThan(all.totalEstimatedMatches)
    for (const v of week.value) {
      expect(Date.parse(`${v.datePublished}Z`)).toBeGreaterThan(Date.UTC(2025, 7, 10, 12) - 8 * 86_400_000)
    }
  })

  it("answers Bing's 400 bodies, counted like the rest of the API", async () => {
    const missing = await at("/v7.0/videos/search?count=5")
    expect(missing.status).toBe(400)
    expect(missing.text).toBe(
      "{\"_type\":\"ErrorResponse\",\"errors\":[{\"code\":\"InvalidRequest\",\"subCode\":\"ParameterMissing\",\"message\":\"Required parameter is missing.\",\"parameter\":\"q\"}]}"
    )
    const count = await at("/v7.0/videos/search?q=x&count=65536")
    expect([count.status, count.json().errors[0]]).toEqual([400, {
      code: "InvalidRequest",
      subCode: "ParameterInvalidValue",
      message: "Parameter has invalid value.",
      parameter: "count",
      value: "65536"
    }])
    expect((await at("/v7.0/videos/search?q=x", "nope")).status).toBe(401)
  })

  it("spends the key's quota like every other endpoint", async () => {
    expect((await at("/v7.0/videos/search?q=a", "key-daily")).status).toBe(200)
    expect((await at("/v7.0/videos/trending", "key-daily")).status).toBe(200)
    expect(bing.usage("daily").usage.day).toBe(2)
    const refused = await at("/v7.0/videos/details?id=x&modules=All", "key-daily")
    expect(refused.status).toBe(403)
    expect(refused.json().errors[0].code).toBe("RateLimitExceeded")
  })
})

describe("/videos/trending", () => {
  it("answers TrendingVideos with bannerTiles and categories of subcategories", async () => {
    const r = await at("/v7.0/videos/trending?mkt=en-US")
    expect(r.status).toBe(200)
    const body = r.json()
    expect(body._type).toBe("TrendingVideos")
    expect(body.bannerTiles.length).toBeGreaterThan(0)
    expect(body.bannerTiles[0]).toEqual({
      image: { description: expect.any(String), thumbnailUrl: expect.any(String), headline: expect.any(String) },
      query: expect.objectContaining({ text: expect.any(String), webSearchUrl: expect.any(String) })
    })
    expect(body.categories[0].title).toBe("Music Videos")
    expect(body.categories[0].subcategories[0].tiles.length).toBeGreaterThan(0)
    expect((await at("/bing/v7.0/videos/trending?mkt=en-US")).text).toBe(r.text)
  })
})

describe("/videos/details", () => {
  it("finds the video a search returned, with only the modules asked for", async () => {
    const video = (await at("/v7.0/videos/search?q=python&count=1")).json().value[0]
    const r = await at(`/v7.0/videos/details?q=python&id=${video.videoId}&modules=VideoResult`)
    expect(r.status).toBe(200)
    const body = r.json()
    expect(Object.keys(body)).toEqual(["_type", "videoResult"])
    expect(body._type).toBe("Api.VideoDetails.VideoDetails")
    expect(body.videoResult).toEqual(video)
    const all = (await at(`/bing/v7.0/videos/details?q=python&id=${video.videoId}&modules=all`)).json()
    expect(Object.keys(all)).toEqual(["_type", "videoResult", "relatedVideos"])
    expect(all.relatedVideos.value.length).toBeGreaterThan(0)
    expect(all.relatedVideos.value.map((v: { videoId: string }) => v.videoId)).not.toContain(video.videoId)
    const related = (await at(`/v7.0/videos/details?id=${video.videoId}&modules=RelatedVideos`)).json()
    expect(Object.keys(related)).toEqual(["_type", "relatedVideos"])
  })

  it("a video of a query outside the corpus is found with that query in q", async () => {
    const video = (await at("/v7.0/videos/search?q=zyxwv+qwerty&count=1")).json().value[0]
    const withQ = (await at(`/v7.0/videos/details?q=zyxwv+qwerty&id=${video.videoId}&modules=VideoResult`)).json()
    expect(withQ.videoResult.videoId).toBe(video.videoId)
    const withoutQ = (await at(`/v7.0/videos/details?id=${video.videoId}&modules=VideoResult`)).json()
    expect(withoutQ).toEqual({ _type: "Api.VideoDetails.VideoDetails" })
  })

  it("an unknown id has no data; a missing id or modules is Bing's ParameterMissing", async () => {
    expect((await at("/v7.0/videos/details?id=unknown&modules=All")).json()).toEqual({
      _type: "Api.VideoDetails.VideoDetails"
    })
    const noModules = await at("/v7.0/videos/details?id=abc")
    expect([noModules.status, noModules.json().errors[0].parameter]).toEqual([400, "modules"])
    const noId = await at("/v7.0/videos/details?modules=All")
    expect([noId.status, noId.json().errors[0].subCode]).toEqual([400, "ParameterMissing"])
    const badModule = await at("/v7.0/videos/details?id=a&modules=Insights")
    expect(badModule.json().errors[0]).toMatchObject({ parameter: "modules", value: "Insights" })
  })
})
