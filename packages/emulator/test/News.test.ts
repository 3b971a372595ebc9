// News Search over a real socket: the three endpoints under both prefixes, Bing's headers, the
// documented body shapes, deterministic results, quotas and the documented errors.
import { NewsSearch } from "@bing-effect/schema"
import { Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Emulator from "../src/Emulator.js"
import { admin, get } from "./support.js"

const T0 = Date.UTC(2026, 0, 15, 10, 0, 0)
const keys: ReadonlyArray<Emulator.KeyConfig> = [
  { name: "big", key: "news-key-big" },
  { name: "daily", key: "news-key-daily", limits: { perDay: 2 } }
]

let bing: Emulator.EmulatorHandle
beforeAll(async () => {
  bing = await Emulator.start({ keys, startTime: T0, clock: "frozen", adminToken: "news-admin" })
})
afterAll(async () => {
  await bing.stop()
})

const news = (path: string, key = "news-key-big", headers?: Record<string, string>) =>
  get(`${bing.url}${path}`, { key, ...(headers === undefined ? {} : { headers }) })

/** The decoded body through the schema's own decoder (so the emulator and the client agree). */
const decoded = <A>(
  r: { status: number; text: string; headers: Headers },
  decode: (input: { status: number; headers: Headers; body: string }) => Result.Result<A, { readonly _tag: string }>
): A => {
  const out = decode({ status: r.status, headers: r.headers, body: r.text })
  if (Result.isFailure(out)) throw new Error(`not the expected body: ${out.failure._tag}`)
  return out.success
}

describe("News Search endpoints", () => {
  it("answers /news/search, /news and /news/trendingtopics under /v7.0 and /bing/v7.0", async () => {
    for (const prefix of ["/v7.0", "/bing/v7.0"]) {
      for (
        const [path, type] of [
          ["/news/search?q=mars", "News"],
          ["/news", "News"],
          ["/news?category=Sports", "News"],
          ["/news/trendingtopics", "TrendingTopics"]
        ] as const
      ) {
        const r = await news(`${prefix}${path}`)
        expect(r.status, `${prefix}${path}`).toBe(200)
        expect(r.headers.get("content-type")).toBe("application/json; charset=utf-8")
        expect(r.headers.get("bingapis-traceid")).toMatch(/^[0-9A-F]+$/)
        expect(r.headers.get("bingapis-market")).toBe("en-US")
        expect(r.headers.get("x-msedge-clientid")).toMatch(/^[0-9A-F]+$/)
        expect(r.json()._type).toBe(type)
      }
    }
  })

  it("a search has the documented shape: sort, totalEstimatedMatches, articles with Organization providers", async () => {
    const r = await news("/v7.0/news/search?q=mars&count=5&mkt=en-GB")
    expect(r.headers.get("bingapis-market")).toBe("en-GB")
    const body = r.json()
    expect(body.queryContext.originalQuery).toBe("mars")
    expect(body.sort.map((s: any) => [s.id, s.isSelected])).toEqual([["relevance", true], ["date", false]])
    expect(body.totalEstimatedMatches).toBeGreaterThan(5)
    expect(body.value).toHaveLength(5)
    for (const a of body.value) {
      expect(Object.keys(a)).toEqual(
        expect.arrayContaining(["name", "url", "image", "description", "provider", "datePublished", "category"])
      )
      expect(a.provider[0]._type).toBe("Organization")
      expect(a.image.thumbnail).toEqual({ contentUrl: expect.any(String), width: 700, height: 466 })
      expect(a.image.contentUrl).toBeUndefined()
      expect(a.datePublished).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.0000000Z$/)
    }
    const news_ = decoded(r, NewsSearch.decodeNews)
    expect(news_.value[0]!.provider![0]!._type).toBe("Organization")
  })

  it("is deterministic, pages with count and offset, and applies freshness, sortBy and originalImg", async () => {
    const a = await news("/v7.0/news/search?q=mars&count=10")
    const b = await news("/v7.0/news/search?q=mars&count=10")
    expect(a.text).toBe(b.text)
    const page2 = (await news("/v7.0/news/search?q=mars&count=5&offset=5")).json().value
    expect(page2.map((x: any) => x.url)).toEqual(a.json().value.slice(5, 10).map((x: any) => x.url))
    const all = a.json().totalEstimatedMatches
    const week = (await news("/v7.0/news/search?q=mars&freshness=Week&count=100")).json()
    expect(week.totalEstimatedMatches).toBeLessThan(all)
    const corpusDate = Date.UTC(2025, 7, 10, 12)
    for (const x of week.value) expect(corpusDate - Date.parse(x.datePublished)).toBeLessThan(7 * 86_400_000)
    const byDate = (await news("/v7.0/news/search?q=mars&sortBy=date&count=20")).json()
    const dates = byDate.value.map((x: any) => Date.parse(x.datePublished))
    expect(dates).toEqual([...dates].sort((x, y) => y - x))
    expect(byDate.sort[1].isSelected).toBe(true)
    const original = (await news("/v7.0/news/search?q=mars&originalImg=true&count=1")).json()
    expect(original.value[0].image.contentUrl).toMatch(/^https:\/\//)
  })

  it("a count over 100 delivers 100 (the documented maximum), not an error", async () => {
    const r = await news("/v7.0/news/search?q=&count=500")
    expect(r.status).toBe(200)
    expect(r.json().totalEstimatedMatches).toBeGreaterThan(100)
    expect(r.json().value).toHaveLength(100)
  })

  it("q= gives the top news; /news without category marks headlines", async () => {
    const top = (await news("/v7.0/news/search?q=")).json()
    expect(top.value.length).toBe(10)
    const headlines = (await news("/v7.0/news")).json()
    expect(headlines.value.length).toBeLessThanOrEqual(10)
    expect(headlines.value.every((x: any) => typeof x.headline === "boolean")).toBe(true)
    const sports = (await news("/v7.0/news?category=sports")).json()
    expect(sports.value.every((x: any) => x.headline === undefined)).toBe(true)
  })

  it("trending topics have the documented shape; since keeps the newer ones", async () => {
    const r = await news("/v7.0/news/trendingtopics?mkt=en-us")
    const body = r.json()
    expect(body.value.length).toBeGreaterThan(0)
    const t = body.value[0]
    expect(Object.keys(t).sort()).toEqual(
      ["image", "isBreakingNews", "name", "newsSearchUrl", "query", "webSearchUrl"]
    )
    expect(t.image.provider[0]._type).toBe("Organization")
    expect(t.query.text).toEqual(expect.any(String))
    decoded(r, NewsSearch.decodeTrendingTopics)
    const since = Math.floor((Date.UTC(2025, 7, 10, 12) - 12 * 3_600_000) / 1000)
    const recent = (await news(`/v7.0/news/trendingtopics?since=${since}&sortBy=Date`)).json()
    expect(recent.value.length).toBeLessThan(body.value.length)
  })
})

describe("News Search errors and quotas", () => {
  it("400 with Bing's body for a missing q and an invalid value", async () => {
    const missing = await news("/v7.0/news/search?count=5")
    expect(missing.status).toBe(400)
    expect(missing.json()).toEqual({
      _type: "ErrorResponse",
      errors: [{
        code: "InvalidRequest",
        subCode: "ParameterMissing",
        message: "Required parameter is missing.",
        parameter: "q"
      }]
    })
    for (
      const [path, parameter, value] of [
        ["/v7.0/news/search?q=a&count=65536", "count", "65536"],
        ["/v7.0/news?category=Gardening", "category", "Gardening"],
        ["/v7.0/news/trendingtopics?since=soon", "since", "soon"]
      ] as const
    ) {
      const r = await news(path)
      expect(r.status).toBe(400)
      expect(r.json().errors[0]).toEqual({
        code: "InvalidRequest",
        subCode: "ParameterInvalidValue",
        message: "Parameter has invalid value.",
        parameter,
        value
      })
    }
  })

  it("401 without a key", async () => {
    const r = await get(`${bing.url}/v7.0/news/trendingtopics`)
    expect(r.status).toBe(401)
    expect(r.json().errors[0].subCode).toBe("AuthorizationMissing")
  })

  it("counts against the same quota as the other endpoints", async () => {
    expect((await news("/v7.0/news/search?q=tea", "news-key-daily")).status).toBe(200)
    expect((await news("/v7.0/search?q=tea", "news-key-daily")).status).toBe(200)
    const refused = await news("/bing/v7.0/news/trendingtopics", "news-key-daily")
    expect(refused.status).toBe(403)
    expect(refused.json().errors[0].code).toBe("RateLimitExceeded")
    expect(refused.headers.get("retry-after")).toBe(String(14 * 3600))
    await admin(bing.url, "news-admin", "POST", "/clock/advance", { to: "next-day" })
    expect((await news("/v7.0/news?category=World", "news-key-daily")).status).toBe(200)
  })
})
