import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import * as VideoSearchParams from "../src/VideoSearchParams.js"
import { asSent, invalidBody as invalid, missingBody as missing, wire } from "./paramErrors.js"

const invalidBody = (parameter: string, value: string) => asSent(invalid(parameter, value))
const missingBody = (parameter: string) => asSent(missing(parameter))

const search = (qs: string) => VideoSearchParams.fromQuery(new URLSearchParams(qs))
const trending = (qs: string) => VideoSearchParams.trendingFromQuery(new URLSearchParams(qs))
const details = (qs: string) => VideoSearchParams.detailsFromQuery(new URLSearchParams(qs))

describe("Video Search parameters", () => {
  it("reads every documented parameter, normalising the case of enums", () => {
    expect(
      search(
        "q=sailing+dinghies&cc=us&count=105&id=ABC&mkt=en-US&offset=36&safeSearch=strict&setLang=en&textDecorations=TRUE&textFormat=html&aspect=widescreen&embedded=player&freshness=week&pricing=free&resolution=720p&videoLength=short"
      )
    ).toEqual(Result.succeed({
      q: "sailing dinghies",
      cc: "us",
      count: 105,
      id: "ABC",
      mkt: "en-US",
      offset: 36,
      safeSearch: "Strict",
      setLang: "en",
      textDecorations: true,
      textFormat: "HTML",
      aspect: "Widescreen",
      embedded: "Player",
      freshness: "Week",
      pricing: "Free",
      resolution: "720p",
      videoLength: "Short"
    }))
    expect(search("q=x&resolution=lowerthan_360p")).toEqual(Result.succeed({ q: "x", resolution: "LowerThan_360p" }))
  })

  it("accepts a count over the maximum, up to an unsigned short (at most maxCount are delivered)", () => {
    expect(VideoSearchParams.maxCount).toBe(105)
    expect(search("q=x&count=106")).toEqual(Result.succeed({ q: "x", count: 106 }))
    expect(search("q=x&count=65535")).toEqual(Result.succeed({ q: "x", count: 65535 }))
    expect(VideoSearchParams.validate({ q: "x", count: 500 })).toEqual(Result.succeed({ q: "x", count: 500 }))
  })

  it("cc and mkt together are accepted (mkt wins downstream)", () => {
    expect(Result.isSuccess(search("q=x&cc=gb&mkt=en-US"))).toBe(true)
  })

  it("answers Bing's exact 400 body for each invalid parameter, the first in documented order", () => {
    expect(wire(search("count=10"))).toEqual(missingBody("q"))
    expect(wire(search("q=%20%20"))).toEqual(missingBody("q"))
    expect(wire(search("q=x&count=65536"))).toEqual(invalidBody("count", "65536"))
    expect(wire(search("q=x&count=-1"))).toEqual(invalidBody("count", "-1"))
    expect(wire(search("q=x&offset=65536"))).toEqual(invalidBody("offset", "65536"))
    expect(wire(search("q=x&cc=usa"))).toEqual(invalidBody("cc", "usa"))
    for (
      const [name, bad] of [
        ["safeSearch", "maybe"],
        ["textDecorations", "yes"],
        ["textFormat", "Markdown"],
        ["aspect", "Square"],
        ["embedded", "iframe"],
        ["freshness", "Year"],
        ["pricing", "Cheap"],
        ["resolution", "4k"],
        ["videoLength", "Tiny"]
      ] as const
    ) {
      expect(wire(search(`q=x&${name}=${bad}`))).toEqual(invalidBody(name, bad))
    }
    expect(wire(search("q=x&videoLength=Tiny&count=70000"))).toEqual(invalidBody("count", "70000"))
  })

  it("writes a query string back in documented order, and validates typed input alike", () => {
    const params = { q: "a b", videoLength: "Long", count: 20, textDecorations: false } as const
    expect(VideoSearchParams.toQuery(params).toString()).toBe("q=a+b&count=20&textDecorations=false&videoLength=Long")
    expect(VideoSearchParams.validate(params)).toEqual(Result.succeed(params))
    expect(wire(VideoSearchParams.validate({ q: "a", count: 70000 }))).toEqual(invalidBody("count", "70000"))
    expect(wire(VideoSearchParams.validate({ count: 2 }))).toEqual(missingBody("q"))
  })
})

describe("Trending Videos parameters", () => {
  it("needs nothing and ignores search-only parameters", () => {
    expect(trending("")).toEqual(Result.succeed({}))
    expect(trending("q=ignored&count=999&mkt=en-US")).toEqual(Result.succeed({ mkt: "en-US" }))
    expect(wire(trending("safeSearch=none"))).toEqual(invalidBody("safeSearch", "none"))
  })
})

describe("Video Details parameters", () => {
  it("needs id and modules (a comma list, any case)", () => {
    expect(details("id=V1&modules=relatedvideos,%20VideoResult&q=x")).toEqual(
      Result.succeed({ id: "V1", modules: ["RelatedVideos", "VideoResult"], q: "x" })
    )
    expect(wire(details("modules=All"))).toEqual(missingBody("id"))
    expect(wire(details("id=V1"))).toEqual(missingBody("modules"))
    expect(wire(details("id=V1&modules=All,Insights"))).toEqual(invalidBody("modules", "All,Insights"))
    expect(VideoSearchParams.detailsToQuery({ id: "V1", modules: ["All"] }).toString()).toBe("id=V1&modules=All")
  })
})
