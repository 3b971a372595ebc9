import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import * as BingResponse from "../src/BingResponse.js"
import * as Suggestions from "../src/Suggestions.js"
import * as SuggestionsParams from "../src/SuggestionsParams.js"

const fromQuery = (qs: string) => SuggestionsParams.fromQuery(new URLSearchParams(qs))
const body = (r: Result.Result<unknown, Parameters<typeof BingResponse.encodeError>[0]>) =>
  Result.isSuccess(r) ? "success" : BingResponse.encodeError(r.failure)

describe("Autosuggest parameters", () => {
  it("reads q (absent or empty: trending suggestions), mkt, cc and setLang", () => {
    expect(fromQuery("q=sail&mkt=en-us&setLang=en")).toEqual(Result.succeed({ q: "sail", mkt: "en-us", setLang: "en" }))
    expect(fromQuery("")).toEqual(Result.succeed({}))
    expect(fromQuery("q=")).toEqual(Result.succeed({ q: "" }))
    expect(Result.isSuccess(fromQuery("q=s&cc=gb&mkt=en-US"))).toBe(true)
  })

  it("answers Bing's exact 400 body for an invalid parameter", () => {
    expect(body(fromQuery("q=sail&cc=gbr"))).toEqual({
      status: 400,
      headers: { "Content-Type": "application/json; charset=utf-8" },
      body:
        "{\"_type\":\"ErrorResponse\",\"errors\":[{\"code\":\"InvalidRequest\",\"subCode\":\"ParameterInvalidValue\",\"message\":\"Parameter has invalid value.\",\"parameter\":\"cc\",\"value\":\"gbr\"}]}"
    })
    expect(body(fromQuery("q=sail&mkt=%20"))).toMatchObject({ status: 400 })
    expect(body(SuggestionsParams.validate({ q: 5 }))).toMatchObject({ status: 400 })
    expect(SuggestionsParams.toQuery({ q: "sail boats", mkt: "en-US" }).toString()).toBe("mkt=en-US&q=sail+boats")
  })
})

describe("Suggestions model", () => {
  it("decodes the documented sample", () => {
    const sample = {
      _type: "Suggestions",
      queryContext: { originalQuery: "sail" },
      suggestionGroups: [{
        name: "Web",
        searchSuggestions: [{
          url: "https://www.bing.com/search?q=sailing+lessons+seattle&FORM=USBAPI",
          displayText: "sailing lessons seattle",
          query: "sailing lessons seattle",
          searchKind: "WebSearch"
        }]
      }]
    }
    const r = Suggestions.decodeSuggestions({
      status: 200,
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(sample)
    })
    expect(r).toEqual(Result.succeed(sample))
    const bad = Suggestions.decodeSuggestions({ status: 200, headers: {}, body: "{\"_type\":\"Suggestions\"}" })
    expect(Result.isFailure(bad) && bad.failure._tag).toBe("UnexpectedResponse")
  })
})
