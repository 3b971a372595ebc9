import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import * as VisualSearchParams from "../src/VisualSearchParams.js"

describe("Visual Search request", () => {
  const image = new Uint8Array(10)
  it("takes an image by token, by URL or uploaded, with a crop area on an upload", () => {
    expect(
      Result.isSuccess(VisualSearchParams.validate({ knowledgeRequest: { imageInfo: { imageInsightsToken: "t" } } }))
    )
      .toBe(true)
    expect(
      Result.isSuccess(VisualSearchParams.validate({ knowledgeRequest: { imageInfo: { url: "https://a.b/c.jpg" } } }))
    )
      .toBe(true)
    const upload = VisualSearchParams.validate({
      image,
      knowledgeRequest: { imageInfo: { cropArea: { top: 0, left: 0, bottom: 1, right: 1 } } },
      mkt: "en-US"
    })
    expect(Result.isSuccess(upload)).toBe(true)
    if (Result.isSuccess(upload)) expect(VisualSearchParams.toQuery(upload.success).toString()).toBe("mkt=en-US")
  })

  it("refuses what the documentation says not to send, with Bing's InvalidRequest", () => {
    const fails = (input: unknown) => {
      const r = VisualSearchParams.validate(input)
      return Result.isFailure(r) ? [r.failure.subCode, r.failure.parameter] : "success"
    }
    expect(fails({})).toEqual(["ParameterMissing", "image"])
    expect(fails({ knowledgeRequest: { imageInfo: { url: "https://a.b/c.jpg", imageInsightsToken: "t" } } }))
      .toEqual(["ParameterInvalidValue", "knowledgeRequest"])
    expect(fails({ knowledgeRequest: { imageInfo: { imageInsightsToken: "t" } }, image }))
      .toEqual(["ParameterInvalidValue", "knowledgeRequest"])
    expect(fails({ knowledgeRequest: { imageInfo: { cropArea: { top: 2, left: 0, bottom: 1, right: 1 } } }, image }))
      .toEqual(["ParameterInvalidValue", "knowledgeRequest"])
    expect(fails({ image: new Uint8Array(VisualSearchParams.maxImageBytes + 1) })).toEqual([
      "ParameterInvalidValue",
      "image"
    ])
    expect(fails({ image: "bytes" })).toEqual(["ParameterInvalidValue", "image"])
    expect(fails({ image, imageType: "text/html" })).toEqual(["ParameterInvalidValue", "imageType"])
    expect(fails({ image, safeSearch: "Maybe" })).toEqual(["ParameterInvalidValue", "safeSearch"])
  })

  it("decodes the knowledgeRequest part, refusing what is not its JSON", () => {
    expect(VisualSearchParams.decodeKnowledgeRequest(`{"imageInfo":{"url":"https://a.b/c.jpg"},"x":1}`)).toEqual(
      Result.succeed({ imageInfo: { url: "https://a.b/c.jpg" } })
    )
    const bad = VisualSearchParams.decodeKnowledgeRequest("{oops")
    expect(Result.isFailure(bad) && [bad.failure.parameter, bad.failure.value]).toEqual(["knowledgeRequest", "{oops"])
    expect(Result.isFailure(VisualSearchParams.decodeKnowledgeRequest(`{"imageInfo":{"url":3}}`))).toBe(true)
  })
})
