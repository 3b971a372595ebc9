import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import * as ImageSearchParams from "../src/ImageSearchParams.js"

const fromQuery = (qs: string) => ImageSearchParams.fromQuery(new URLSearchParams(qs))
const failure = (
  r: Result.Result<unknown, { readonly subCode: string; readonly parameter?: string; readonly value?: string }>
) =>
  Result.isFailure(r)
    ? { subCode: r.failure.subCode, parameter: r.failure.parameter, value: r.failure.value }
    : "success"
const invalid = (parameter: string, value: string) => ({ subCode: "ParameterInvalidValue", parameter, value })

describe("Image Search parameters", () => {
  it("q is required; count goes to 150", () => {
    expect(failure(fromQuery("count=10"))).toEqual({ subCode: "ParameterMissing", parameter: "q", value: undefined })
    expect(fromQuery("q=cats&count=150&offset=47")).toEqual(Result.succeed({ q: "cats", count: 150, offset: 47 }))
    expect(failure(fromQuery("q=cats&count=151"))).toEqual(invalid("count", "151"))
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
    expect(failure(fromQuery("q=c&cc=US&mkt=en-US"))).toEqual(invalid("cc", "US"))
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
    expect(failure(ImageSearchParams.validate({ ...p, count: 151 }))).toEqual(invalid("count", "151"))
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
