// Autosuggest over a real socket: status, headers, the documented Suggestions shape, determinism,
// trending suggestions for an empty q, quotas and Bing's 400 body.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Emulator from "../src/Emulator.js"
import { get } from "./support.js"

let bing: Emulator.EmulatorHandle

beforeAll(async () => {
  bing = await Emulator.start({
    keys: [{ name: "s", key: "key-s" }, { name: "daily", key: "key-daily", limits: { perDay: 1 } }],
    clock: "frozen"
  })
})
afterAll(async () => {
  await bing.stop()
})

const at = (path: string, key = "key-s") => get(`${bing.url}${path}`, { key })

describe("/suggestions", () => {
  it("answers the documented Suggestions shape, under both prefixes", async () => {
    const r = await at("/v7.0/suggestions?q=py&mkt=en-US")
    expect(r.status).toBe(200)
    expect(r.headers.get("content-type")).toBe("application/json; charset=utf-8")
    expect(r.headers.get("bingapis-market")).toBe("en-US")
    expect(r.headers.get("bingapis-traceid")).toMatch(/^[0-9A-F]{32}$/)
    const body = r.json()
    expect(Object.keys(body)).toEqual(["_type", "queryContext", "suggestionGroups"])
    expect(body._type).toBe("Suggestions")
    expect(body.queryContext).toEqual({ originalQuery: "py" })
    expect(body.suggestionGroups).toHaveLength(1)
    const [web] = body.suggestionGroups
    expect(web.name).toBe("Web")
    expect(web.searchSuggestions.length).toBeGreaterThan(0)
    expect(web.searchSuggestions.length).toBeLessThanOrEqual(8)
    for (const s of web.searchSuggestions) {
      expect(Object.keys(s)).toEqual(["url", "displayText", "query", "searchKind"])
      expect(s.searchKind).toBe("WebSearch")
      expect(s.query).toMatch(/(^| )py/)
      expect(s.url).toBe(
        `https://www.bing.com/search?q=${encodeURIComponent(s.query).replace(/%20/g, "+")}&FORM=USBAPI`
      )
    }
    expect(web.searchSuggestions[0].query.startsWith("py")).toBe(true)
    expect((await at("/bing/v7.0/suggestions?q=py&mkt=en-US")).text).toBe(r.text)
  })

  it("is deterministic; an empty or absent q gets trending phrases; nothing matching gets an empty list", async () => {
    expect((await at("/v7.0/suggestions?q=py")).text).toBe((await at("/v7.0/suggestions?q=py")).text)
    const trending = (await at("/v7.0/suggestions?q=")).json()
    expect(trending.suggestionGroups[0].searchSuggestions).toHaveLength(8)
    expect((await at("/v7.0/suggestions")).json().suggestionGroups).toEqual(trending.suggestionGroups)
    const none = (await at("/v7.0/suggestions?q=zzqqxx")).json()
    expect(none.suggestionGroups).toEqual([{ name: "Web", searchSuggestions: [] }])
  })

  it("answers Bing's 400 body and counts quota like the rest", async () => {
    const bad = await at("/v7.0/suggestions?q=a&cc=usa")
    expect(bad.status).toBe(400)
    expect(bad.text).toBe(
      "{\"_type\":\"ErrorResponse\",\"errors\":[{\"code\":\"InvalidRequest\",\"subCode\":\"ParameterInvalidValue\",\"message\":\"Parameter has invalid value.\",\"parameter\":\"cc\",\"value\":\"usa\"}]}"
    )
    expect((await at("/v7.0/suggestions?q=a", "key-daily")).status).toBe(200)
    expect(bing.usage("daily").usage.day).toBe(1)
    expect((await at("/v7.0/suggestions?q=b", "key-daily")).status).toBe(403)
  })
})
