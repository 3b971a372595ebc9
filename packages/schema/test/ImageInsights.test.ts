import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import * as ImageInsights from "../src/ImageInsights.js"

describe("Image Insights and Visual Search responses", () => {
  it("decode the documented shapes and reject a wrong _type", () => {
    const insights = ImageInsights.decodeImageInsights({
      status: 200,
      headers: {},
      body: JSON.stringify({
        _type: "ImageInsights",
        imageInsightsToken: "t",
        imageCaption: { caption: "A cup", dataSourceUrl: "https://a.b/" },
        shoppingSources: { offers: [{ name: "Cup", price: 3.5, availability: "InStock" }] },
        imageTags: { value: [{ name: "cup" }] }
      })
    })
    expect(Result.isSuccess(insights) && insights.success.shoppingSources?.offers?.[0]?.price).toBe(3.5)
    const knowledge = ImageInsights.decodeImageKnowledge({
      status: 200,
      headers: {},
      body: JSON.stringify({
        _type: "ImageKnowledge",
        tags: [{
          displayName: "",
          actions: [{ _type: "ImageModuleAction", actionType: "VisualSearch", data: { value: [] } }]
        }],
        image: { imageInsightsToken: "bcid_X" }
      })
    })
    expect(Result.isSuccess(knowledge) && knowledge.success.tags[0]?.actions[0]?.actionType).toBe("VisualSearch")
    const wrong = ImageInsights.decodeImageKnowledge({
      status: 200,
      headers: {},
      body: `{"_type":"Images","value":[]}`
    })
    expect(Result.isFailure(wrong)).toBe(true)
  })
})
