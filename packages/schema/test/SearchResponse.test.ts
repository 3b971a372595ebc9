/* oxlint-disable no-underscore-dangle -- `_tag` and `_type` are the field names of Effect's tagged errors and of Bing's JSON */
import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import { readFileSync } from "node:fs"
import * as SearchResponse from "../src/SearchResponse.js"

const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"))
const decode = Schema.decodeUnknownResult(SearchResponse.SearchResponse)

describe("SearchResponse", () => {
  it("accepts a realistic 10-result response with images, news, videos, related searches and ranking", () => {
    const r = decode(load("web-search.json"))
    if (Result.isFailure(r)) throw r.failure
    const body = r.success
    expect(body.queryContext?.originalQuery).toBe("effect typescript")
    expect(body.webPages?.value).toHaveLength(10)
    expect(body.webPages?.value[0]?.deepLinks?.map((d) => d.name)).toEqual(["Docs", "Blog"])
    expect(body.webPages?.value[7]?.contractualRules?.[0]?._type).toBe("ContractualRules/LicenseAttribution")
    expect(body.images?.value[0]?.thumbnail).toEqual({ width: 300, height: 300 })
    expect(body.news?.value[0]?.provider?.[0]?.name).toBe("Example News")
    expect(body.videos?.value[0]?.duration).toBe("PT1M40S")
    expect(body.relatedSearches?.value).toHaveLength(2)
    expect(body.rankingResponse?.mainline?.items).toHaveLength(13)
  })

  it("accepts spell suggestions, time zone and computation answers", () => {
    const r = decode(load("web-answers.json"))
    if (Result.isFailure(r)) throw r.failure
    expect(r.success.spellSuggestions?.value[0]?.text).toBe("what time is it in seattle")
    expect(r.success.timeZone?.primaryCityTime.utcOffset).toBe("UTC-7")
    expect(r.success.computation).toEqual({
      id: "https://api.bing.microsoft.com/api/v7/#Computation",
      expression: "(5+3)*2",
      value: "16"
    })
    expect(r.success.queryContext?.alteredQuery).toBe("what time is it in seattle")
  })

  it("tolerates unknown fields and absent answers", () => {
    expect(Result.isSuccess(decode({ _type: "SearchResponse", instrumentation: { _type: "x" }, brandNew: [1, 2] })))
      .toBe(true)
  })

  it("rejects wrong types in known fields", () => {
    const base = load("web-search.json")
    const bad: ReadonlyArray<Record<string, unknown>> = [
      { ...base, _type: "Images" },
      { ...base, webPages: { value: "nope" } },
      { ...base, webPages: { value: [{ name: "a", url: 5 }] } },
      { ...base, webPages: { value: [{ name: "a", url: "u", deepLinks: [{ name: "x" }] }] } },
      { ...base, webPages: { value: [{ name: "a", url: "u", isFamilyFriendly: "yes" }] } },
      { ...base, queryContext: { originalQuery: 1 } },
      { ...base, computation: { expression: "1+1", value: 2 } },
      { ...base, rankingResponse: { mainline: { items: [{ answerType: "WebPages", resultIndex: 1.5 }] } } },
      { ...base, timeZone: { primaryCityTime: { location: "x" } } }
    ]
    for (const body of bad) expect(Result.isFailure(decode(body))).toBe(true)
  })
})
