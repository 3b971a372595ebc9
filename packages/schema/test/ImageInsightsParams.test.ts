import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import * as ImageInsightsParams from "../src/ImageInsightsParams.js"
import { asSent, invalidBody as invalid, missingBody as missing, wire } from "./paramErrors.js"

const invalidBody = (parameter: string, value: string) => asSent(invalid(parameter, value))
const missingBody = (parameter: string) => asSent(missing(parameter))
const details = (qs: string) => ImageInsightsParams.fromQuery(new URLSearchParams(qs))

describe("Image Insights parameters", () => {
  it("reads every documented parameter, normalising the case of enums", () => {
    expect(
      details(
        "insightsToken=ccid_a*mid_B&modules=brq,Caption,similarimages&cab=0.9&cal=0.1&car=1&cat=0&ct=rectangular&cc=us&id=X&mkt=en-US&q=tea&safeSearch=off&setLang=en"
      )
    ).toEqual(Result.succeed({
      cab: 0.9,
      cal: 0.1,
      car: 1,
      cat: 0,
      ct: "Rectangular",
      cc: "us",
      id: "X",
      insightsToken: "ccid_a*mid_B",
      modules: ["BRQ", "Caption", "SimilarImages"],
      mkt: "en-US",
      q: "tea",
      safeSearch: "Off",
      setLang: "en"
    }))
    expect(details("imgUrl=https%3A%2F%2Fexample.org%2Fa.jpg&ct=0")).toEqual(
      Result.succeed({ ct: "0", imgUrl: "https://example.org/a.jpg" })
    )
  })

  it("answers Bing's 400s: no image named, bad values, RecognizedEntities with another module", () => {
    expect(wire(details("modules=All"))).toEqual(missingBody("insightsToken"))
    expect(wire(details("insightsToken=t&modules=All,Nope"))).toEqual(invalidBody("modules", "All,Nope"))
    expect(wire(details("insightsToken=t&modules=RecognizedEntities,Tags"))).toEqual(
      invalidBody("modules", "RecognizedEntities,Tags")
    )
    expect(Result.isSuccess(details("insightsToken=t&modules=RecognizedEntities"))).toBe(true)
    expect(wire(details("insightsToken=t&cal=-0.1"))).toEqual(invalidBody("cal", "-0.1"))
    expect(wire(details("insightsToken=t&cab=1.01"))).toEqual(invalidBody("cab", "1.01"))
    expect(wire(details("insightsToken=t&ct=1"))).toEqual(invalidBody("ct", "1"))
    expect(wire(details("imgUrl=javascript%3Aalert(1)"))).toEqual(invalidBody("imgUrl", "javascript:alert(1)"))
  })

  it("validate (typed input) and toQuery agree with fromQuery", () => {
    const typed = { insightsToken: "tok", modules: ["Caption", "Tags"] as const, cal: 0.25, mkt: "en-GB" }
    const checked = ImageInsightsParams.validate(typed)
    expect(Result.isSuccess(checked)).toBe(true)
    if (Result.isSuccess(checked)) {
      const qs = ImageInsightsParams.toQuery(checked.success).toString()
      expect(qs).toBe("cal=0.25&insightsToken=tok&modules=Caption%2CTags&mkt=en-GB")
      expect(details(qs)).toEqual(checked)
    }
    const failed = ImageInsightsParams.validate({ modules: ["All"] })
    expect(Result.isFailure(failed) && failed.failure.parameter).toBe("insightsToken")
  })
})
