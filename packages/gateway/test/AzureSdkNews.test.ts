/**
 * Microsoft's News Search SDK client, unmodified (`@azure/cognitiveservices-newssearch` 3.0.1 over
 * `@azure/ms-rest-js`, authenticated by `CognitiveServicesCredentials`), pointed by its `endpoint`
 * option at the emulator. What the SDK sends: `GET {endpoint}/bing/v7.0/news/search?…` (also
 * `news` and `news/trendingtopics`) with `Ocp-Apim-Subscription-Key` and `X-BingApis-SDK: true`; it
 * deserializes the body by its `_type` (`News`, `TrendingTopics`), and its failures are
 * `RestError`s with the HTTP `statusCode` and Bing's `ErrorResponse` in `body`. (The gateway
 * forwards these paths as they are, so the emulator alone is under test here.)
 */
import { NewsSearchClient } from "@azure/cognitiveservices-newssearch"
import { CognitiveServicesCredentials } from "@azure/ms-rest-azure-js"
import type { RestError } from "@azure/ms-rest-js"
import { Emulator } from "@bing-effect/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const KEY = "azure-sdk-news-key-6a0f"

let emulator: Emulator.EmulatorHandle
let client: NewsSearchClient

beforeAll(async () => {
  emulator = await Emulator.start({ keys: [{ name: "news", key: KEY, limits: { perDay: 1_000 } }] })
  client = new NewsSearchClient(new CognitiveServicesCredentials(KEY), { endpoint: emulator.url })
})
afterAll(async () => {
  await emulator.stop()
})

describe("the Azure News Search SDK against the emulator", () => {
  it("news.search: articles with their providers, paged by count and offset", async () => {
    const news = await client.news.search("mars rover", { count: 5, offset: 5, market: "en-GB", freshness: "Month" })
    expect(news._type).toBe("News")
    expect(news.value).toHaveLength(5)
    expect(news.totalEstimatedMatches).toBeGreaterThan(10)
    const article = news.value[0]!
    expect(article.name).toEqual(expect.any(String))
    expect(article.url).toMatch(/^https:\/\//)
    expect(article.datePublished).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(article.provider?.[0]?.name).toEqual(expect.any(String))
    expect(article.image?.thumbnail?.contentUrl).toMatch(/^https:\/\//)
    const [logged] = emulator.requests(1)
    expect(logged?.path).toMatch(/^\/bing\/v7\.0\/news\/search\?/)
    expect(logged?.status).toBe(200)
    expect(logged?.market).toBe("en-GB")
  })

  it("news.category and news.trending", async () => {
    const sports = await client.news.category({ category: "Sports", market: "en-US" })
    expect(sports._type).toBe("News")
    expect(sports.value.length).toBeGreaterThan(0)
    const trending = await client.news.trending({ market: "en-US" })
    expect(trending._type).toBe("TrendingTopics")
    const topic = trending.value[0]!
    expect(topic.name).toEqual(expect.any(String))
    expect(topic.query?.text).toEqual(expect.any(String))
    expect(topic.newsSearchUrl).toMatch(/^https:\/\/www\.bing\.com\/news\/search\?/)
    expect(topic.image?.provider?.[0]?.name).toEqual(expect.any(String))
  })

  it("a parameter out of range is a RestError carrying Bing's ErrorResponse", async () => {
    const error = await client.news.search("mars", { count: 70000 }).then(
      () => expect.unreachable("the SDK call succeeded"),
      (e: unknown) => e as RestError & { readonly body?: { readonly errors?: ReadonlyArray<Record<string, string>> } }
    )
    expect(error.statusCode).toBe(400)
    expect(error.body?.errors?.[0]).toMatchObject({
      code: "InvalidRequest",
      subCode: "ParameterInvalidValue",
      parameter: "count",
      value: "70000"
    })
  })
})
