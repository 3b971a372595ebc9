/**
 * Microsoft's Image Insights and Visual Search SDK clients, unmodified, against the emulator:
 * `@azure/cognitiveservices-imagesearch` 3.0.1 (`images.details`, `GET {endpoint}/bing/v7.0/
 * images/details`, its crop type sent as `ct=Rectangular`, `modules` as a CSV list) and, since no
 * scoped `@azure/cognitiveservices-visualsearch` is published on npm, the older unscoped
 * `azure-cognitiveservices-visualsearch` 1.1.0-preview over `ms-rest` (`images.visualSearch`,
 * `POST {baseUri}/images/visualsearch` with a `multipart/form-data` body of `knowledgeRequest`
 * and/or `image`, its default base URI `…/bing/v7.0`, the emulator's legacy prefix). Both reject
 * with the HTTP `statusCode` and Bing's `ErrorResponse` in `body`.
 */
import { ImageSearchClient } from "@azure/cognitiveservices-imagesearch"
import { CognitiveServicesCredentials } from "@azure/ms-rest-azure-js"
import { Emulator } from "@bing-effect/emulator"
import { VisualSearchAPIClient } from "azure-cognitiveservices-visualsearch"
import { ApiKeyCredentials } from "ms-rest"
import { createReadStream, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const KEY = "azure-insights-sdk-test-key-4a7f"
let emulator: Emulator.EmulatorHandle
let images: ImageSearchClient
let visual: VisualSearchAPIClient

type Rejection = { statusCode?: number; body?: { errors?: ReadonlyArray<Record<string, string>> } }
const rejection = (promise: Promise<unknown>) =>
  promise.then(() => expect.unreachable("the SDK call succeeded"), (e: unknown) => e as Rejection)

beforeAll(async () => {
  emulator = await Emulator.start({ keys: [{ name: "insights", key: KEY, limits: { perDay: 1_000 } }] })
  images = new ImageSearchClient(new CognitiveServicesCredentials(KEY), { endpoint: emulator.url })
  const credentials = new ApiKeyCredentials({ inHeader: { "Ocp-Apim-Subscription-Key": KEY } })
  visual = new VisualSearchAPIClient(credentials, `${emulator.url}/bing/v7.0`)
})
afterAll(async () => {
  await emulator.stop()
})

describe("@azure/cognitiveservices-imagesearch images.details against the emulator", () => {
  it("deserializes ImageInsights for a token from images.search", async () => {
    const found = await images.images.search("espresso coffee", { count: 2 })
    const image = found.value[0]!
    const insights = await images.images.details("espresso coffee", {
      insightsToken: image.imageInsightsToken!,
      modules: ["All"],
      cropTop: 0.1,
      cropLeft: 0.1,
      cropBottom: 0.9,
      cropRight: 0.9,
      cropType: "Rectangular",
      market: "en-us"
    })
    const sent = emulator.requests(1)[0]!
    expect(sent.status).toBe(200)
    expect(sent.path).toMatch(/^\/bing\/v7\.0\/images\/details\?/)
    expect(new URLSearchParams(sent.path.split("?")[1]).get("ct")).toBe("Rectangular")
    expect(insights._type).toBe("ImageInsights")
    expect(insights.imageInsightsToken).toBe(image.imageInsightsToken)
    expect(insights.bestRepresentativeQuery?.text).toEqual(expect.any(String))
    expect(insights.imageCaption?.dataSourceUrl).toBe(image.hostPageUrl)
    expect(insights.pagesIncluding?.value?.[0]?.contentUrl).toBe(image.contentUrl)
    expect(insights.visuallySimilarImages?.value?.length).toBeGreaterThan(0)
    expect(insights.relatedSearches?.value?.[0]?.text).toEqual(expect.any(String))
    expect(insights.imageTags?.value?.[0]?.name).toEqual(expect.any(String))
    expect(insights.imageCaption?.relatedSearches?.[0]?.text).toEqual(expect.any(String))
    expect(insights.relatedCollections?.value?.[0]).toMatchObject({ _type: "ImageGallery", name: expect.any(String) })
    // coffee is a food topic: recipes
    expect(insights.recipes?.value?.[0]).toMatchObject({
      _type: "Recipe",
      totalTime: expect.stringMatching(/^PT\d+M$/)
    })
  })

  it("deserializes recognised entities, asked for alone", async () => {
    // a face or a portrait among the first images of a topic has recognised entities
    const found = await images.images.search("dogs", { count: 30 })
    let groups: ReadonlyArray<unknown> | undefined
    for (const image of found.value) {
      const insights = await images.images.details("dogs", {
        insightsToken: image.imageInsightsToken!,
        modules: ["RecognizedEntities"]
      })
      groups = insights.recognizedEntityGroups?.value
      if (groups !== undefined) {
        expect(insights.recognizedEntityGroups?.value?.[0]?.recognizedEntityRegions[0]?.region).toMatchObject({
          _type: "NormalizedRectangle",
          left: 0.25
        })
        expect(insights.recognizedEntityGroups?.value?.[0]?.recognizedEntityRegions[0]?.matchingEntities?.[0])
          .toMatchObject({ matchConfidence: 0.9 })
        break
      }
    }
    expect(groups).toBeDefined()
  })

  it("sends modules as a list and takes imgUrl", async () => {
    const insights = await images.images.details("lighthouse", {
      imageUrl: "https://example.org/lighthouse.jpg",
      modules: ["Caption", "Tags"]
    })
    const query = new URLSearchParams(emulator.requests(1)[0]!.path.split("?")[1])
    expect(query.get("modules")).toBe("Caption,Tags")
    expect(insights.imageCaption?.caption).toEqual(expect.any(String))
    expect(insights.imageTags?.value?.length).toBeGreaterThan(0)
    expect(insights.visuallySimilarImages).toBeUndefined()
  })

  it("rejects with Bing's ErrorResponse: no image named, a bad module", async () => {
    const missing = await rejection(images.images.details("x"))
    expect(missing.statusCode).toBe(400)
    expect(missing.body?.errors?.[0]).toMatchObject({ subCode: "ParameterMissing", parameter: "insightsToken" })
    const bad = await rejection(images.images.details("x", { insightsToken: "t", modules: ["Bogus" as "All"] }))
    expect(bad.body?.errors?.[0]).toMatchObject({ subCode: "ParameterInvalidValue", parameter: "modules" })
  })
})

describe("azure-cognitiveservices-visualsearch images.visualSearch against the emulator", () => {
  it("deserializes ImageKnowledge for a knowledgeRequest naming the image by token", async () => {
    const found = await images.images.search("tea", { count: 1 })
    const token = found.value[0]!.imageInsightsToken!
    const knowledge = await visual.images.visualSearch({
      knowledgeRequest: JSON.stringify({ imageInfo: { imageInsightsToken: token } })
    })
    const sent = emulator.requests(1)[0]!
    expect([sent.method, sent.status]).toEqual(["POST", 200])
    expect(sent.path).toBe("/bing/v7.0/images/visualsearch")
    expect(knowledge._type).toBe("ImageKnowledge")
    expect(knowledge.image?.imageInsightsToken).toBe(token)
    const [defaults, topic] = knowledge.tags!
    expect(defaults!.displayName).toBe("")
    const types = defaults!.actions!.map((a) => a.actionType)
    expect(types).toEqual(expect.arrayContaining(["PagesIncluding", "VisualSearch", "RelatedSearches"]))
    expect(topic!.boundingBox?.queryRectangle?.topLeft?.x).toEqual(expect.any(Number))
  })

  it("uploads an image part (a file stream, as Microsoft's quickstart does), with a crop area", async () => {
    const bytes = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 13) % 256))
    // A stream of unknown length (`Readable.from`) is framed short by the SDK's form-data: a file.
    const file = join(mkdtempSync(join(tmpdir(), "visualsearch-")), "image.jpg")
    writeFileSync(file, bytes)
    const knowledge = await visual.images.visualSearch({
      knowledgeRequest: JSON.stringify({ imageInfo: { cropArea: { top: 0.2, left: 0.3, bottom: 0.7, right: 0.6 } } }),
      image: createReadStream(file)
    })
    expect(knowledge._type).toBe("ImageKnowledge")
    expect(knowledge.tags?.[1]?.boundingBox?.queryRectangle?.bottomRight).toMatchObject({ x: 0.6, y: 0.7 })
  })

  it("rejects with Bing's ErrorResponse when no image is given", async () => {
    const missing = await rejection(visual.images.visualSearch({ knowledgeRequest: JSON.stringify({}) }))
    expect(missing.statusCode).toBe(400)
    expect(missing.body?.errors?.[0]).toMatchObject({
      code: "InvalidRequest",
      subCode: "ParameterMissing",
      parameter: "image"
    })
  })
})
