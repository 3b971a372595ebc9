import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import { readFileSync } from "node:fs"
import * as ImageSearch from "../src/ImageSearch.js"

const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"))

describe("Images", () => {
  const decode = Schema.decodeUnknownResult(ImageSearch.Images)

  it("accepts a realistic Image Search response (both thumbnail spellings of Query)", () => {
    const r = decode(load("image-search.json"))
    if (Result.isFailure(r)) throw r.failure
    expect(r.success.nextOffset).toBe(47)
    expect(r.success.value[0]).toMatchObject({
      imageInsightsToken: "ccid_a_ss*mid_5D3D*simid_608",
      contentSize: "171202 B",
      accentColor: "6F5C5F"
    })
    expect(r.success.value[1]?.creativeCommons).toBe("AttributionShareAlike")
    expect(r.success.queryExpansions?.[0]?.thumbnail?.thumbnailUrl).toMatch(/^https:/)
    expect(r.success.pivotSuggestions?.map((p) => p.pivot)).toEqual(["sailing", "dinghies"])
  })

  it("accepts an empty result list and an unknown creativeCommons value", () => {
    expect(Result.isSuccess(decode({ _type: "Images", value: [] }))).toBe(true)
    expect(
      Result.isSuccess(decode({ _type: "Images", value: [{ thumbnailUrl: "t", creativeCommons: "FutureLicence" }] }))
    ).toBe(true)
  })

  it("rejects wrong types in known fields", () => {
    const base = load("image-search.json")
    for (
      const body of [
        { ...base, _type: "SearchResponse" },
        { ...base, value: [{ name: "no thumbnail" }] },
        { ...base, value: [{ thumbnailUrl: "t", width: "640" }] },
        { ...base, value: [{ thumbnailUrl: "t", thumbnail: { width: 1 } }] },
        { ...base, nextOffset: "47" },
        { ...base, pivotSuggestions: [{ pivot: "p" }] }
      ]
    ) expect(Result.isFailure(decode(body))).toBe(true)
  })
})

describe("TrendingImages", () => {
  const decode = Schema.decodeUnknownResult(ImageSearch.TrendingImages)

  it("accepts categories of tiles", () => {
    const r = decode(load("trending-images.json"))
    if (Result.isFailure(r)) throw r.failure
    expect(r.success.categories.map((c) => c.tiles.length)).toEqual([1, 2])
    expect(r.success.categories[0]?.tiles[0]?.query.text).toBe("Jennifer Lopez")
  })

  it("rejects a tile without its query or a category without a title", () => {
    expect(
      Result.isFailure(
        decode({ _type: "TrendingImages", categories: [{ title: "t", tiles: [{ image: { thumbnailUrl: "x" } }] }] })
      )
    ).toBe(true)
    expect(Result.isFailure(decode({ _type: "TrendingImages", categories: [{ tiles: [] }] }))).toBe(true)
  })
})
