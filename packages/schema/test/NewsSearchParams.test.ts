import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import * as NewsSearchParams from "../src/NewsSearchParams.js"
import { answer, invalidBody, missingBody } from "./paramErrors.js"

const search = (qs: string) => NewsSearchParams.fromQuery(new URLSearchParams(qs))
const category = (qs: string) => NewsSearchParams.categoryFromQuery(new URLSearchParams(qs))
const trending = (qs: string) => NewsSearchParams.trendingFromQuery(new URLSearchParams(qs))

describe("News Search parameters", () => {
  it("reads every documented parameter, enums in any case", () => {
    expect(
      search(
        "q=mars&cc=us&count=100&freshness=week&mkt=en-US&offset=20&originalImg=TRUE&safeSearch=strict&setLang=en&sortBy=date&textDecorations=true&textFormat=html"
      )
    ).toEqual(Result.succeed({
      q: "mars",
      cc: "us",
      count: 100,
      freshness: "Week",
      mkt: "en-US",
      offset: 20,
      originalImg: true,
      safeSearch: "Strict",
      setLang: "en",
      sortBy: "Date",
      textDecorations: true,
      textFormat: "HTML"
    }))
  })

  it("an empty q is the top news; an absent q is ParameterMissing", () => {
    expect(search("q=")).toEqual(Result.succeed({ q: "" }))
    expect(answer(search("count=5"))).toEqual(missingBody("q"))
  })

  it("each invalid value is Bing's 400 for that parameter", () => {
    for (
      const [name, bad] of [
        ["count", "65536"],
        ["count", "-1"],
        ["offset", "65536"],
        ["freshness", "Year"],
        ["freshness", "2025-01-01..2025-02-01"],
        ["originalImg", "yes"],
        ["safeSearch", "maybe"],
        ["sortBy", "Popularity"],
        ["textFormat", "Markdown"],
        ["cc", "USA"],
        ["mkt", " "]
      ] as const
    ) {
      expect(answer(search(`q=c&${name}=${encodeURIComponent(bad)}`))).toEqual(invalidBody(name, bad))
    }
  })

  it("cc with mkt is accepted (documented as exclusive, with no error documented)", () => {
    expect(search("q=c&cc=gb&mkt=en-US")).toEqual(Result.succeed({ q: "c", cc: "gb", mkt: "en-US" }))
  })

  it("the first parameter at fault in field order is reported", () => {
    expect(answer(search("q=c&textFormat=x&count=99999"))).toEqual(invalidBody("count", "99999"))
  })

  it("typed input is checked the same way, and written back in field order", () => {
    expect(answer(NewsSearchParams.validate({ q: "c", count: 70000 }))).toEqual(invalidBody("count", "70000"))
    // over the documented maximum is not an error: fewer are delivered
    expect(NewsSearchParams.validate({ q: "c", count: 101 })).toEqual(Result.succeed({ q: "c", count: 101 }))
    expect(answer(NewsSearchParams.validate({ q: "c", sortBy: "date" }))).toEqual(invalidBody("sortBy", "date"))
    const ok = NewsSearchParams.validate({ sortBy: "Date", q: "mars rover", count: 5, originalImg: false })
    expect(Result.isSuccess(ok)).toBe(true)
    if (Result.isSuccess(ok)) {
      expect(NewsSearchParams.toQuery(ok.success).toString()).toBe("q=mars+rover&count=5&originalImg=false&sortBy=Date")
    }
  })
})

describe("News by category parameters", () => {
  it("category is one of the documented categories, in any case", () => {
    expect(category("category=sports_nfl&mkt=en-us")).toEqual(
      Result.succeed({ category: "Sports_NFL", mkt: "en-us" })
    )
    expect(category("")).toEqual(Result.succeed({}))
    expect(answer(category("category=Gardening"))).toEqual(invalidBody("category", "Gardening"))
  })

  it("search-only parameters are ignored, as unknown ones are", () => {
    expect(category("q=mars&count=500&offset=x")).toEqual(Result.succeed({}))
  })
})

describe("Trending Topics parameters", () => {
  it("since is a Unix time, sortBy Date or Relevance", () => {
    expect(trending("since=1754784000&sortBy=Date&safeSearch=Off")).toEqual(
      Result.succeed({ since: 1754784000, sortBy: "Date", safeSearch: "Off" })
    )
    expect(answer(trending("since=yesterday"))).toEqual(invalidBody("since", "yesterday"))
    expect(answer(trending("sortBy=Oldest"))).toEqual(invalidBody("sortBy", "Oldest"))
  })

  it("typed input round-trips", () => {
    const ok = NewsSearchParams.validateTrending({ sortBy: "Relevance", setLang: "en" })
    expect(Result.isSuccess(ok)).toBe(true)
    if (Result.isSuccess(ok)) {
      expect(NewsSearchParams.trendingToQuery(ok.success).toString()).toBe("setLang=en&sortBy=Relevance")
    }
  })
})
