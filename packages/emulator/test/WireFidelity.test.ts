// The emulator against Bing's documented wire format: the four mismatches found with third-party
// clients (cc with mkt, freshness on web pages, rankingResponse always sent, nested `_type`s) and
// count/offset beyond the documented range; Entity Search against its documented samples.
/* oxlint-disable no-underscore-dangle -- `_type` is the field name of Bing's JSON */
import { readFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Emulator from "../src/Emulator.js"
import { get } from "./support.js"

const key = "wire-key"
let bing: Emulator.EmulatorHandle
beforeAll(async () => {
  bing = await Emulator.start({ keys: [{ name: "k", key }] })
})
afterAll(async () => {
  await bing.stop()
})

const web = async (query: string, headers?: Record<string, string>) => {
  const r = await get(`${bing.url}/v7.0/search?${query}`, { key, ...(headers === undefined ? {} : { headers }) })
  expect(r.status, `${query}: ${r.text.slice(0, 200)}`).toBe(200)
  return r
}

/** A SearchResponse in the documented wire format (the schema package's fixture, from Bing's examples). */
const documented = JSON.parse(
  readFileSync(new URL("../../schema/test/fixtures/web-search.json", import.meta.url), "utf8")
)

/** Every `_type` of a body by path, array indices folded to `[]`. */
const typesByPath = (u: unknown, path = "", out = new Map<string, string>()): Map<string, string> => {
  if (Array.isArray(u)) { for (const x of u) typesByPath(x, `${path}[]`, out) }
  else if (typeof u === "object" && u !== null) {
    for (const [k, v] of Object.entries(u)) {
      if (k === "_type" && typeof v === "string") out.set(path, v)
      else typesByPath(v, `${path}.${k}`, out)
    }
  }
  return out
}

describe("cc together with mkt", () => {
  it("is accepted, mkt wins, and BingAPIs-Market reports the market used", async () => {
    // what @azure/cognitiveservices-websearch sends with countryCode: its default mkt=en-us and cc
    const r = await web("q=tides&mkt=en-us&cc=DE")
    expect(r.headers.get("bingapis-market")).toBe("en-US")
    expect(r.json()._type).toBe("SearchResponse")
    const gb = await web("q=tides&cc=US&mkt=en-GB", { "Accept-Language": "en" })
    expect(gb.headers.get("bingapis-market")).toBe("en-GB")
    const img = await get(`${bing.url}/v7.0/images/search?q=dogs&cc=US&mkt=de-DE`, { key })
    expect(img.status).toBe(200)
    expect(img.headers.get("bingapis-market")).toBe("de-DE")
    const trending = await get(`${bing.url}/v7.0/images/trending?cc=US&mkt=en-GB`, { key })
    expect(trending.status).toBe(200)
    expect(trending.headers.get("bingapis-market")).toBe("en-GB")
  })
})

describe("freshness on web pages", () => {
  const crawled = async (query: string) => {
    const pages: ReadonlyArray<{ dateLastCrawled: string }> = (await web(query)).json().webPages?.value ?? []
    return pages.map((p) => Date.parse(p.dateLastCrawled))
  }
  // the corpus date, the emulator's "now" for result dates
  const corpus = Date.UTC(2025, 7, 10, 12, 0, 0)
  const DAY = 86_400_000

  it("Day, Week and Month keep only pages crawled in their window (by dateLastCrawled)", async () => {
    const all = await crawled("q=coffee&count=50")
    expect(all.some((t) => t < corpus - 7 * DAY), "some pages are older than a week without freshness").toBe(true)
    for (const [f, days] of [["Day", 1], ["week", 7], ["Month", 30]] as const) {
      const dates = await crawled(`q=coffee&count=50&freshness=${f}`)
      expect(dates, f).toHaveLength(50)
      for (const t of dates) {
        expect(t, f).toBeLessThanOrEqual(corpus)
        expect(t, f).toBeGreaterThan(corpus - days * DAY)
      }
    }
    const total = async (q: string) => (await web(q)).json().webPages.totalEstimatedMatches as number
    expect(await total("q=coffee&freshness=Day")).toBeLessThan(await total("q=coffee&freshness=Week"))
    expect(await total("q=coffee&freshness=Week")).toBeLessThan(await total("q=coffee"))
  })

  it("a date or a date range keeps the pages crawled on those days; a range before the crawl has none", async () => {
    const range = await crawled("q=coffee&count=20&freshness=2025-08-01..2025-08-03")
    expect(range).toHaveLength(20)
    for (const t of range) {
      expect(t).toBeGreaterThanOrEqual(Date.UTC(2025, 7, 1))
      expect(t).toBeLessThan(Date.UTC(2025, 7, 4))
    }
    const day = await crawled("q=coffee&count=5&freshness=2025-08-05")
    expect(day).toHaveLength(5)
    for (const t of day) expect(new Date(t).toISOString().slice(0, 10)).toBe("2025-08-05")
    const before = (await web("q=coffee&freshness=2019-02-01..2019-05-30")).json()
    expect(before.webPages).toBeUndefined()
    expect(before.rankingResponse).toBeDefined()
  })
})

describe("rankingResponse", () => {
  it("is always sent, even when nothing is ranked (documented: always returned)", async () => {
    // responseFilter=Computation for a query with no computation: no answer at all
    const r = (await web("q=coffee&responseFilter=Computation")).json()
    expect(Object.keys(r).toSorted()).toEqual(["_type", "queryContext", "rankingResponse"])
    expect(r.rankingResponse).toEqual({})
    expect((await web("q=zxqv unknown words&offset=65535")).json().rankingResponse).toEqual({})
  })
})

describe("nested objects", () => {
  it("carry the _type of the documented examples at every path both have (news providers are Organizations)", async () => {
    const body = (await web("q=effect typescript")).json()
    const expected = typesByPath(documented)
    const actual = typesByPath(body)
    expect(expected.get(".news.value[].provider[]")).toBe("Organization")
    let compared = 0
    for (const [path, type] of expected) {
      if (!actual.has(path) && !hasPath(body, path)) continue
      expect(actual.get(path), path).toBe(type)
      compared++
    }
    expect(compared).toBeGreaterThanOrEqual(2)
    // nothing typed where the documentation types nothing (video publishers have only a name)
    for (const [path] of actual) {
      if (path !== "") expect(expected.has(path) || path.includes("contractualRules"), path).toBe(true)
    }
    expect(body.videos.value[0].publisher[0]).toEqual({ name: "YouTube" })
  })
})

/** Whether a folded path leads to an object in `u`. */
const hasPath = (u: unknown, path: string): boolean => {
  const steps = path.split(".").filter((s) => s !== "")
  let at: Array<unknown> = [u]
  for (const step of steps) {
    const name = step.replace(/\[\]$/g, "").replace(/\[\]/g, "")
    const arrays = (step.match(/\[\]/g) ?? []).length
    at = at.flatMap((x) => (typeof x === "object" && x !== null ? [(x as Record<string, unknown>)[name]] : []))
    for (let i = 0; i < arrays; i++) at = at.flatMap((x) => (Array.isArray(x) ? x : []))
  }
  return at.some((x) => typeof x === "object" && x !== null)
}

describe("count and offset beyond the documented range", () => {
  it("a count over the maximum delivers the maximum (50 web pages, 150 images, 105 videos), no error", async () => {
    expect((await web("q=coffee&count=100")).json().webPages.value).toHaveLength(50)
    expect((await web("q=coffee&count=65535")).json().webPages.value).toHaveLength(50)
    const img = await get(`${bing.url}/v7.0/images/search?q=dogs&count=500`, { key })
    expect(img.status).toBe(200)
    expect(img.json().value).toHaveLength(150)
    const videos = await get(`${bing.url}/v7.0/videos/search?q=python&count=500`, { key })
    expect(videos.status).toBe(200)
    expect(videos.json().value).toHaveLength(105)
  })

  it("an offset past the end answers 200 with no web pages / no images; past 65,535 it is not an unsigned short", async () => {
    const past = (await web("q=zxqv unknown words&offset=60000")).json()
    expect(past._type).toBe("SearchResponse")
    expect(past.webPages).toBeUndefined()
    const img = await get(`${bing.url}/v7.0/images/search?q=dogs&offset=65535`, { key })
    expect(img.status).toBe(200)
    expect(img.json().value).toEqual([])
    const bad = await get(`${bing.url}/v7.0/search?q=x&offset=65536`, { key })
    expect(bad.status).toBe(400)
    expect(bad.json().errors[0]).toMatchObject({ subCode: "ParameterInvalidValue", parameter: "offset" })
  })
})

/** Every key of a body by folded path (`.entities.value[].image.provider[]._type`). */
const pathsOf = (u: unknown, path = "", out = new Set<string>()): Set<string> => {
  if (Array.isArray(u)) { for (const x of u) pathsOf(x, `${path}[]`, out) }
  else if (typeof u === "object" && u !== null) {
    for (const [k, v] of Object.entries(u)) {
      out.add(`${path}.${k}`)
      pathsOf(v, `${path}.${k}`, out)
    }
  }
  return out
}

describe("Entity Search against the documented samples", () => {
  const sample = JSON.parse(
    readFileSync(new URL("../../schema/test/fixtures/entity-search.json", import.meta.url), "utf8")
  )
  it("sends only the documented fields, with the documented _types at every path both have", async () => {
    const r = await get(`${bing.url}/v7.0/entities?q=pizza+near+me&mkt=en-US`, { key })
    expect(r.status).toBe(200)
    const body = r.json()
    const documentedPaths = pathsOf(sample)
    // Documented in the reference's tables, not in the samples.
    const alsoDocumented = new Set([
      ".entities.queryScenario",
      ".entities.value[].url",
      ".queryContext.askUserForLocation"
    ])
    for (const path of pathsOf(body)) {
      if (path.startsWith(".rankingResponse")) continue
      expect(documentedPaths.has(path) || alsoDocumented.has(path), path).toBe(true)
    }
    const expected = typesByPath(sample)
    const actual = typesByPath(body)
    expect(actual.get(".places.value[]")).toBe("Restaurant")
    for (const [path, type] of expected) expect(actual.get(path), path).toBe(type)
    // nothing typed where the samples type nothing: entities, answers and places' addresses
    for (const [path] of actual) expect(expected.has(path), path).toBe(true)
  })
})
