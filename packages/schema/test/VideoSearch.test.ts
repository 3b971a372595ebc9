import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import * as VideoSearch from "../src/VideoSearch.js"

const json = "application/json; charset=utf-8"
const ok = (body: unknown) => ({ status: 200, headers: { "content-type": json }, body: JSON.stringify(body) })

/** The sample of bing-video-search/how-to/search-response.md (abridged where it abridges). */
const sample = {
  _type: "Videos",
  readLink: "https://api.bing.microsoft.com/api/v7/videos/search?q=sailing+dinghies",
  webSearchUrl: "https://www.bing.com/videos/search?q=sailing+dinghies",
  queryContext: { originalQuery: "sailing dinghies" },
  totalEstimatedMatches: 835,
  nextOffset: 36,
  currentOffset: 0,
  value: [{
    webSearchUrl: "https://www.bing.com/videos/search?q=sailing%20dinghies...",
    name: "Getting Started - Dinghy Sailing - with...",
    thumbnailUrl: "https://tse2.mm.bing.net/th?id=OVP._9LeWLNdwQBZ8KKAIx...",
    datePublished: "2012-07-25T13:23:33.0000000",
    publisher: [{ name: "Fabrikam" }],
    creator: { name: "Contoso Yachting Association" },
    isAccessibleForFree: true,
    duration: "PT3M12S",
    viewCount: 148295,
    thumbnail: { width: 300, height: 225 },
    videoId: "608A91B767D3ECCC1868608A91B767DC1868"
  }],
  pivotSuggestions: [{ pivot: "sailing", suggestions: [] }],
  relatedSearches: [{ text: "Sailing Boats", displayText: "Sailing Boats", searchLink: "https://x" }]
}

describe("VideoSearch models", () => {
  it("decodes the documented Videos sample, publisher with or without _type", () => {
    const r = VideoSearch.decodeVideos(ok(sample))
    expect(Result.isSuccess(r) && r.success.value[0]?.publisher?.[0]?.name).toBe("Fabrikam")
    const typed = { ...sample, value: [{ ...sample.value[0], publisher: [{ _type: "Organization", name: "F" }] }] }
    const t = VideoSearch.decodeVideos(ok(typed))
    expect(Result.isSuccess(t) && t.success.value[0]?.publisher?.[0]).toEqual({ _type: "Organization", name: "F" })
  })

  it("refuses a body of the wrong type, and decodes details and trending", () => {
    const bad = VideoSearch.decodeVideos(ok({ _type: "Images", value: [] }))
    expect(Result.isFailure(bad) && bad.failure._tag).toBe("UnexpectedResponse")
    expect(Result.isSuccess(VideoSearch.decodeVideoDetails(ok({ _type: "Api.VideoDetails.VideoDetails" })))).toBe(true)
    expect(
      Result.isSuccess(VideoSearch.decodeTrendingVideos(ok({
        _type: "TrendingVideos",
        bannerTiles: [{ image: { thumbnailUrl: "t" }, query: { text: "q" } }],
        categories: [{ title: "Music Videos", subcategories: [{ title: "Top", tiles: [] }] }]
      })))
    ).toBe(true)
  })
})
