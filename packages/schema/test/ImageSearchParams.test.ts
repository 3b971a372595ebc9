import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import * as fc from "fast-check"
import * as ImageSearchParams from "../src/ImageSearchParams.js"
import * as P from "../src/internal/params.js"

const fromQuery = (qs: string) => ImageSearchParams.fromQuery(new URLSearchParams(qs))
const failure = (
  r: Result.Result<unknown, { readonly subCode: string; readonly parameter?: string; readonly value?: string }>
) =>
  Result.isFailure(r)
    ? { subCode: r.failure.subCode, parameter: r.failure.parameter, value: r.failure.value }
    : "success"
const invalid = (parameter: string, value: string) => ({ subCode: "ParameterInvalidValue", parameter, value })

describe("Image Search parameters", () => {
  it("q is required; count is an unsigned short (Bing delivers at most 150)", () => {
    expect(failure(fromQuery("count=10"))).toEqual({ subCode: "ParameterMissing", parameter: "q", value: undefined })
    expect(fromQuery("q=cats&count=150&offset=47")).toEqual(Result.succeed({ q: "cats", count: 150, offset: 47 }))
    expect(fromQuery("q=cats&count=151")).toEqual(Result.succeed({ q: "cats", count: 151 }))
    expect(failure(fromQuery("q=cats&count=65536"))).toEqual(invalid("count", "65536"))
    expect(ImageSearchParams.maxCount).toBe(150)
  })

  it("every filter enum is checked and normalised", () => {
    expect(
      fromQuery(
        "q=c&aspect=wide&color=monochrome&freshness=day&imageContent=face&imageType=animatedgifhttps&license=ShareCommercially&size=wallpaper"
      )
    ).toEqual(
      Result.succeed({
        q: "c",
        aspect: "Wide",
        color: "Monochrome",
        freshness: "Day",
        imageContent: "Face",
        imageType: "AnimatedGifHttps",
        license: "ShareCommercially",
        size: "Wallpaper"
      })
    )
    for (
      const [name, bad] of [
        ["aspect", "Round"],
        ["color", "Magenta"],
        ["freshness", "2019-01-01"],
        ["imageContent", "Car"],
        ["imageType", "Svg"],
        ["license", "GPL"],
        ["size", "Huge"],
        ["safeSearch", "maybe"]
      ]
    ) {
      expect(failure(fromQuery(`q=c&${name}=${bad}`))).toEqual(invalid(name!, bad!))
    }
  })

  it("height/width are exclusive with their ranges; a minimum may not exceed its maximum", () => {
    expect(failure(fromQuery("q=c&height=200&minHeight=100"))).toEqual(invalid("height", "200"))
    expect(failure(fromQuery("q=c&width=200&maxWidth=300"))).toEqual(invalid("width", "200"))
    expect(failure(fromQuery("q=c&minHeight=300&maxHeight=100"))).toEqual(invalid("maxHeight", "100"))
    expect(failure(fromQuery("q=c&minFileSize=9000&maxFileSize=10"))).toEqual(invalid("maxFileSize", "10"))
    expect(fromQuery("q=c&cc=US&mkt=en-US")).toEqual(Result.succeed({ q: "c", cc: "US", mkt: "en-US" }))
    expect(fromQuery("q=c&height=200&minWidth=10&maxWidth=20&maxFileSize=999999")).toEqual(
      Result.succeed({ q: "c", height: 200, maxFileSize: 999999, maxWidth: 20, minWidth: 10 })
    )
  })

  it("validate and toQuery agree with fromQuery", () => {
    const p = {
      q: "sailing dinghies",
      count: 35,
      imageType: "Photo",
      minWidth: 100,
      maxWidth: 200,
      size: "Large"
    } as const
    expect(ImageSearchParams.validate(p)).toEqual(Result.succeed(p))
    expect(ImageSearchParams.fromQuery(ImageSearchParams.toQuery(p))).toEqual(Result.succeed(p))
    expect(failure(ImageSearchParams.validate({ ...p, height: 10, maxHeight: 20 }))).toEqual(invalid("height", "10"))
    expect(failure(ImageSearchParams.validate({ ...p, count: 65536 }))).toEqual(invalid("count", "65536"))
  })
})

describe("Trending Images parameters", () => {
  it("need no q and ignore the search-only parameters", () => {
    expect(ImageSearchParams.trendingFromQuery(new URLSearchParams("mkt=en-US&count=9999&q=x"))).toEqual(
      Result.succeed({ mkt: "en-US" })
    )
    expect(failure(ImageSearchParams.trendingFromQuery(new URLSearchParams("safeSearch=nope")))).toEqual(
      invalid("safeSearch", "nope")
    )
    expect(ImageSearchParams.validateTrending({})).toEqual(Result.succeed({}))
    expect(ImageSearchParams.trendingToQuery({ mkt: "en-GB", safeSearch: "Strict" }).toString()).toBe(
      "mkt=en-GB&safeSearch=Strict"
    )
  })
})

describe("one codec per endpoint", () => {
  it("ImageSearchParamsFromQuery and TrendingImagesParamsFromQuery are Schema codecs from the query string", () => {
    expect(
      Schema.decodeUnknownSync(ImageSearchParams.ImageSearchParamsFromQuery)({ q: "c", count: "35", size: "large" })
    ).toEqual({ q: "c", count: 35, size: "Large" })
    expect(Schema.encodeSync(ImageSearchParams.ImageSearchParamsFromQuery)({ q: "c", minWidth: 10 })).toEqual({
      q: "c",
      minWidth: "10"
    })
    expect(Schema.decodeUnknownSync(ImageSearchParams.TrendingImagesParamsFromQuery)({ safeSearch: "off" })).toEqual({
      safeSearch: "Off"
    })
    expect(Schema.is(ImageSearchParams.ImageSearchParams)({ q: "c", minHeight: 3, maxHeight: 1 })).toBe(false)
  })

  it("checks across parameters come after every parameter, in documented order", () => {
    expect(failure(fromQuery("q=c&height=1&minHeight=2&cc=US&mkt=en-US"))).toEqual(invalid("height", "1"))
    expect(failure(fromQuery("q=c&minHeight=3&maxHeight=1&height=2"))).toEqual(invalid("height", "2"))
    expect(failure(fromQuery("q=c&minWidth=3&maxWidth=1&minHeight=5&maxHeight=4"))).toEqual(invalid("maxHeight", "4"))
    expect(failure(fromQuery("q=c&cc=US&mkt=en-US&size=Huge"))).toEqual(invalid("size", "Huge"))
  })

  it("fromQuery is Schema's decoding of the codec: same value or same error, on any input (2,000 runs)", () => {
    const codec = ImageSearchParams.ImageSearchParamsFromQuery
    const decode = (r: Record<string, string>) => {
      const d = Schema.decodeUnknownResult(codec)(r)
      return Result.isSuccess(d)
        ? Result.succeed(d.success)
        : Result.fail(P.toInvalidRequest(d.failure.issue, (name) => r[name], new Set(["q"])))
    }
    const rawValue = fc.oneof(
      fc.constantFrom("", " ", "0", "1", "100", "150", "151", "65536", "-1", "1.5", "abc", "999999"),
      fc.constantFrom("wide", "Monochrome", "day", "face", "photo", "Public", "wallpaper", "strict", "US", "en-US"),
      fc.string({ maxLength: 4 })
    )
    const record = fc.dictionary(fc.constantFrom(...Object.keys(codec.fields)), rawValue, { maxKeys: 6 })
    fc.assert(
      fc.property(record, (r) => {
        expect(ImageSearchParams.fromQuery(new URLSearchParams(r))).toEqual(decode(r))
      }),
      { numRuns: 2000 }
    )
  })
})
