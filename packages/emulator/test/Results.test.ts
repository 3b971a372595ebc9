import { BingResponse, ImageSearch, SearchResponse } from "@bing-effect/schema"
import { Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Emulator from "../src/Emulator.js"
import { get } from "./support.js"

let a: Emulator.EmulatorHandle
let b: Emulator.EmulatorHandle
const key = "results-key"

beforeAll(async () => {
  a = await Emulator.start({ keys: [{ name: "k", key }] })
  b = await Emulator.start({ keys: [{ name: "k", key }], seed: 99 })
})
afterAll(async () => {
  await a.stop()
  await b.stop()
})

const web = async (query: string, h = a) => {
  const r = await get(`${h.url}/v7.0/search?${query}`, { key })
  expect(r.status, `${query}: ${r.text.slice(0, 200)}`).toBe(200)
  return r
}
const images = async (query: string, h = a) => {
  const r = await get(`${h.url}/v7.0/images/search?${query}`, { key })
  expect(r.status, `${query}: ${r.text.slice(0, 200)}`).toBe(200)
  return r
}

const strict = { onExcessProperty: "error" } as const
const decodeSearch = Schema.decodeUnknownSync(SearchResponse.SearchResponse, strict)
const decodeImages = Schema.decodeUnknownSync(ImageSearch.Images, strict)
const decodeTrending = Schema.decodeUnknownSync(ImageSearch.TrendingImages, strict)

const webQueries = [
  "q=coffee",
  "q=effect typescript&count=50",
  "q=coffee&offset=40&count=7",
  "q=casino&safeSearch=Off",
  "q=casino&safeSearch=Strict",
  "q=zxqv unknown words",
  "q=2%2B3*4",
  "q=pyhton tutorial",
  "q=tea&mkt=de-DE&setLang=de",
  "q=tea&responseFilter=Images,News",
  "q=tea&responseFilter=-Webpages",
  "q=tea&answerCount=2&promote=Videos",
  "q=coffee&textDecorations=true&textFormat=HTML",
  "q=coffee&textDecorations=true",
  "q=coffee&offset=65000",
  "q=<script>&textFormat=HTML"
]
const imageQueries = [
  "q=dogs",
  "q=dogs&count=150",
  "q=dogs&offset=35",
  "q=dogs&size=Small",
  "q=dogs&aspect=Tall&color=Monochrome",
  "q=casino&safeSearch=Off",
  "q=dogs&license=Public&imageType=AnimatedGif",
  "q=dogs&freshness=Day",
  "q=dogs&width=1920&height=1080",
  "q=nothing like it"
]

describe("bodies", () => {
  it("every generated body decodes with the schema's models (excess properties rejected)", async () => {
    for (const q of webQueries) decodeSearch((await web(q)).json())
    for (const q of imageQueries) decodeImages((await images(q)).json())
    for (const mkt of ["en-US", "en-GB", "en-AU", "en-CA", "en-IN", "zh-CN"]) {
      const r = await get(`${a.url}/v7.0/images/trending?mkt=${mkt}`, { key })
      decodeTrending(r.json())
    }
  })

  it("decode through the schema's response decoders, as a client does", async () => {
    const r = await web("q=coffee")
    const decoded = BingResponse.decodeWebSearch({
      status: r.status,
      headers: Object.fromEntries(r.headers),
      body: r.text
    })
    expect(decoded._tag).toBe("Success")
  })

  it("are the same bytes on another emulator instance (determinism)", async () => {
    for (const q of webQueries.slice(0, 8)) expect((await web(q, b)).text, q).toBe((await web(q, a)).text)
    for (const q of imageQueries) expect((await images(q, b)).text, q).toBe((await images(q, a)).text)
    const t1 = await get(`${a.url}/v7.0/images/trending?mkt=en-GB`, { key })
    const t2 = await get(`${b.url}/v7.0/images/trending?mkt=en-GB`, { key })
    expect(t1.text).toBe(t2.text)
  })
})

describe("web search", () => {
  it("pages with count and offset over a stable totalEstimatedMatches", async () => {
    const p1 = (await web("q=coffee&count=10")).json().webPages
    const p2 = (await web("q=coffee&count=10&offset=10")).json().webPages
    expect(p1.value).toHaveLength(10)
    expect(p2.value).toHaveLength(10)
    expect(p2.totalEstimatedMatches).toBe(p1.totalEstimatedMatches)
    const urls = new Set(p1.value.map((p: { url: string }) => p.url))
    for (const p of p2.value) expect(urls.has(p.url)).toBe(false)
    const both = (await web("q=coffee&count=20")).json().webPages.value
    expect(both.map((p: { url: string }) => p.url)).toEqual(
      [...p1.value, ...p2.value].map((p: { url: string }) => p.url)
    )
    expect((await web("q=coffee")).json().webPages.value).toHaveLength(10)
    expect((await web("q=coffee&count=50")).json().webPages.value).toHaveLength(50)
  })

  it("returns fewer results near the end and no webPages past it", async () => {
    const total = (await web("q=zxqv unknown words")).json().webPages.totalEstimatedMatches
    expect(total).toBeLessThan(1000)
    const tail = (await web(`q=zxqv unknown words&offset=${total - 3}&count=10`)).json()
    expect(tail.webPages.value).toHaveLength(3)
    expect((await web(`q=zxqv unknown words&offset=${total}`)).json().webPages).toBeUndefined()
  })

  it("includes other answers on the first page only, ranked in rankingResponse", async () => {
    const first = (await web("q=coffee")).json()
    expect(Object.keys(first)).toEqual(
      expect.arrayContaining(["webPages", "images", "news", "videos", "relatedSearches", "rankingResponse"])
    )
    const mainline = first.rankingResponse.mainline.items
    expect(mainline[0]).toMatchObject({ answerType: "WebPages", resultIndex: 0 })
    expect(mainline.filter((i: { answerType: string }) => i.answerType === "WebPages")).toHaveLength(10)
    expect(first.rankingResponse.sidebar.items[0].answerType).toBe("RelatedSearches")
    const second = (await web("q=coffee&offset=10")).json()
    expect(second.images).toBeUndefined()
    expect(second.relatedSearches).toBeUndefined()
  })

  it("applies responseFilter (include or exclude), answerCount and promote", async () => {
    const only = (await web("q=tea&responseFilter=Images,News")).json()
    expect(Object.keys(only).filter((k) => !["_type", "queryContext", "rankingResponse"].includes(k)).toSorted())
      .toEqual(["images", "news"])
    const without = (await web("q=tea&responseFilter=-Images,-Videos")).json()
    expect(without.images).toBeUndefined()
    expect(without.videos).toBeUndefined()
    expect(without.webPages).toBeDefined()
    const two = (await web("q=tea&answerCount=2")).json()
    expect(Object.keys(two).filter((k) => !["_type", "queryContext", "rankingResponse"].includes(k)).toSorted())
      .toEqual(["images", "webPages"])
    const promoted = (await web("q=tea&answerCount=1&promote=Videos")).json()
    expect(Object.keys(promoted).filter((k) => !["_type", "queryContext", "rankingResponse"].includes(k)).toSorted())
      .toEqual(["videos", "webPages"])
    const bad = await get(`${a.url}/v7.0/search?q=tea&responseFilter=Images,-News`, { key })
    expect(bad.status).toBe(400)
    expect(bad.json().errors[0]).toMatchObject({ subCode: "ParameterInvalidValue", parameter: "responseFilter" })
  })

  it("filters adult results by safeSearch", async () => {
    const off = (await web("q=casino&safeSearch=Off&count=50")).json()
    expect(off.webPages.value.some((p: { isFamilyFriendly: boolean }) => !p.isFamilyFriendly)).toBe(true)
    expect(off.images.value.some((p: { isFamilyFriendly: boolean }) => !p.isFamilyFriendly)).toBe(true)
    const moderate = (await web("q=casino&count=50")).json()
    expect(moderate.images.value.every((p: { isFamilyFriendly: boolean }) => p.isFamilyFriendly)).toBe(true)
    const strictR = (await web("q=casino&safeSearch=Strict&count=50")).json()
    expect(strictR.queryContext.adultIntent).toBe(true)
    expect(strictR.webPages.someResultsRemoved).toBe(true)
    expect(strictR.webPages.value.every((p: { isFamilyFriendly: boolean }) => p.isFamilyFriendly)).toBe(true)
  })

  it("follows the market and highlights query terms", async () => {
    expect((await web("q=tea&mkt=de-DE")).json().webPages.value[0].language).toBe("de")
    const raw = (await web("q=coffee&textDecorations=true")).json().webPages.value[0]
    expect(raw.snippet).toContain("\uE000")
    expect(raw.snippet).toContain("\uE001")
    const html = (await web("q=coffee&textDecorations=true&textFormat=HTML")).json().webPages.value[0]
    expect(html.snippet).toMatch(/<b>coffee<\/b>/i)
    const escaped = (await web("q=a<b>&textFormat=HTML")).json().webPages.value[0]
    expect(escaped.name).toContain("&lt;b&gt;")
  })

  it("answers arithmetic with computation and misspellings with spellSuggestions", async () => {
    expect((await web(`q=${encodeURIComponent("2+3*4")}`)).json().computation).toMatchObject({
      expression: "2+3*4",
      value: "14"
    })
    expect((await web(`q=${encodeURIComponent("(1+1)^10/4")}`)).json().computation.value).toBe("256")
    expect((await web("q=pyhton tutorial")).json().spellSuggestions.value[0].text).toBe("python tutorial")
  })
})

describe("image search", () => {
  it("pages by nextOffset without overlap", async () => {
    const p1 = (await images("q=dogs")).json()
    expect(p1.value).toHaveLength(35)
    expect(p1.currentOffset).toBe(0)
    const p2 = (await images(`q=dogs&offset=${p1.nextOffset}`)).json()
    const ids = new Set(p1.value.map((i: { imageId: string }) => i.imageId))
    for (const i of p2.value) expect(ids.has(i.imageId)).toBe(false)
    expect(p2.totalEstimatedMatches).toBe(p1.totalEstimatedMatches)
    expect((await images("q=dogs&count=150")).json().value).toHaveLength(150)
  })

  it("really filters: size, aspect, colour, type, license, freshness, exact dimensions, file size", async () => {
    const all = (await images("q=dogs")).json().totalEstimatedMatches
    const check = async (query: string, pred: (i: any) => boolean) => {
      const body = (await images(`q=dogs&${query}&count=150`)).json()
      expect(body.value.length, query).toBeGreaterThan(0)
      expect(body.totalEstimatedMatches, query).toBeLessThan(all)
      for (const i of body.value) expect(pred(i), `${query}: ${JSON.stringify(i).slice(0, 200)}`).toBe(true)
    }
    await check("size=Small", (i) => Math.max(i.width, i.height) < 200)
    await check("size=Large", (i) => Math.max(i.width, i.height) >= 500)
    await check("size=Wallpaper", (i) => i.width >= 1920 && i.height >= 1080)
    await check("aspect=Tall", (i) => i.height / i.width > 1.25)
    await check("aspect=Square", (i) => Math.abs(i.width / i.height - 1) <= 0.25)
    await check("imageType=AnimatedGif", (i) => i.encodingFormat === "animatedgif")
    await check("imageType=Transparent", (i) => i.encodingFormat === "png")
    await check("license=Public", (i) => i.creativeCommons === "PublicNoRightsReserved")
    await check("license=Any", (i) => i.creativeCommons !== undefined)
    await check("freshness=Day", (i) => Date.parse(i.datePublished) > Date.UTC(2025, 7, 9))
    await check("width=1920&height=1080", (i) => i.width === 1920 && i.height === 1080)
    await check("minWidth=1000&maxHeight=800", (i) => i.width >= 1000 && i.height <= 800)
    await check("maxFileSize=20000", (i) => Number.parseInt(i.contentSize, 10) <= 20000)
    await check("minFileSize=400000", (i) => Number.parseInt(i.contentSize, 10) >= 400000)
    const mono = (await images("q=dogs&color=Monochrome&count=150")).json()
    const red = (await images("q=dogs&color=Red&count=150")).json()
    expect(mono.value.length).toBeGreaterThan(0)
    expect(red.value.length).toBeGreaterThan(0)
    const monoIds = new Set(mono.value.map((i: { imageId: string }) => i.imageId))
    expect(red.value.some((i: { imageId: string }) => monoIds.has(i.imageId))).toBe(false)
  })

  it("puts the image named by id first", async () => {
    const p = (await images("q=dogs&count=50")).json()
    const target = p.value[20].imageId
    const pinned = (await images(`q=dogs&id=${target}`)).json()
    expect(pinned.value[0].imageId).toBe(target)
    expect(pinned.value.filter((i: { imageId: string }) => i.imageId === target)).toHaveLength(1)
  })

  it("keeps Moderate images family friendly and shows adult ones with Off", async () => {
    const off = (await images("q=casino&safeSearch=Off&count=150")).json()
    const moderate = (await images("q=casino&count=150")).json()
    expect(off.value.some((i: { isFamilyFriendly: boolean }) => !i.isFamilyFriendly)).toBe(true)
    expect(moderate.value.every((i: { isFamilyFriendly: boolean }) => i.isFamilyFriendly)).toBe(true)
    expect(moderate.totalEstimatedMatches).toBeLessThan(off.totalEstimatedMatches)
  })
})

describe("trending images", () => {
  it("differs per trending market, with localized titles for zh-CN", async () => {
    const us = (await get(`${a.url}/v7.0/images/trending?mkt=en-US`, { key })).json()
    const gb = (await get(`${a.url}/v7.0/images/trending?mkt=en-GB`, { key })).json()
    const cn = (await get(`${a.url}/v7.0/images/trending?mkt=zh-CN`, { key })).json()
    expect(us.categories.length).toBeGreaterThan(0)
    expect(us.categories[0].tiles.length).toBeGreaterThan(0)
    expect(JSON.stringify(us)).not.toBe(JSON.stringify(gb))
    expect(cn.categories[0].title).toMatch(/[\u4e00-\u9fff]/)
  })
})
