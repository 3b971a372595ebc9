// Spell Check over a real socket: GET and POST form under both prefixes, Bing's headers, the
// documented body, proof and spell modes, quotas and the documented errors.
import { SpellCheck } from "@bing-effect/schema"
import { Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Emulator from "../src/Emulator.js"
import { get } from "./support.js"

const KEY = "spell-key-big"
let bing: Emulator.EmulatorHandle
beforeAll(async () => {
  bing = await Emulator.start({
    keys: [{ name: "big", key: KEY }, { name: "daily", key: "spell-key-daily", limits: { perDay: 1 } }],
    clock: "frozen",
    startTime: Date.UTC(2026, 0, 15, 10)
  })
})
afterAll(async () => {
  await bing.stop()
})

const post = async (path: string, body: string, headers: Record<string, string> = {}, key = KEY) => {
  const res = await fetch(`${bing.url}${path}`, {
    method: "POST",
    headers: { "Ocp-Apim-Subscription-Key": key, "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) }
}

describe("Spell Check", () => {
  it("GET and POST under /v7.0 and /bing/v7.0 answer the documented SpellCheck body", async () => {
    const expected = {
      _type: "SpellCheck",
      flaggedTokens: [
        {
          offset: 0,
          token: "Hollo",
          type: "UnknownToken",
          suggestions: [{ suggestion: "Hello", score: expect.any(Number) }, {
            suggestion: "Hollow",
            score: expect.any(Number)
          }]
        },
        {
          offset: 7,
          token: "wrld",
          type: "UnknownToken",
          suggestions: [{ suggestion: "world", score: expect.any(Number) }]
        }
      ]
    }
    for (const prefix of ["/v7.0", "/bing/v7.0"]) {
      const byGet = await get(`${bing.url}${prefix}/spellcheck?text=${encodeURIComponent("Hollo, wrld!")}&mkt=en-US`, {
        key: KEY
      })
      expect(byGet.status).toBe(200)
      expect(byGet.headers.get("content-type")).toBe("application/json; charset=utf-8")
      expect(byGet.headers.get("bingapis-market")).toBe("en-US")
      expect(byGet.headers.get("bingapis-traceid")).toMatch(/^[0-9A-F]+$/)
      expect(byGet.json()).toEqual(expected)
      const byPost = await post(`${prefix}/spellcheck?mkt=en-US`, "text=Hollo%2C+wrld%21")
      expect(byPost.status).toBe(200)
      expect(byPost.text).toBe(byGet.text)
      const decoded = SpellCheck.decodeSpellCheck({ status: 200, headers: byPost.headers, body: byPost.text })
      expect(Result.isSuccess(decoded)).toBe(true)
    }
  })

  it("POST with the parameters in the query string, named as Microsoft's SDK names them", async () => {
    const r = await post("/bing/v7.0/spellcheck?Mode=spell&Text=teh+speling", "", {
      "Content-Type": "application/json"
    })
    expect(r.status).toBe(200)
    expect(r.json().flaggedTokens.map((t: any) => [t.token, t.suggestions[0]])).toEqual([
      ["teh", { suggestion: "the", score: 1 }],
      ["speling", { suggestion: "spelling", score: 1 }]
    ])
  })

  it("proof finds repeated words, spell does not; context text changes the answer", async () => {
    const proof =
      (await get(`${bing.url}/v7.0/spellcheck?text=the+warm+warm+weather&mode=proof&mkt=en-US`, { key: KEY }))
        .json()
    expect(proof.flaggedTokens).toEqual([{
      offset: 9,
      token: "warm",
      type: "RepeatedToken",
      suggestions: [{ suggestion: "", score: expect.any(Number) }]
    }])
    const spell = (await get(`${bing.url}/v7.0/spellcheck?text=the+warm+warm+weather&mode=spell`, { key: KEY })).json()
    expect(spell.flaggedTokens).toEqual([])
    const petal = (await post("/v7.0/spellcheck", "text=petal&preContextText=bike&mode=spell")).json()
    expect(petal.flaggedTokens[0].suggestions[0].suggestion).toBe("pedal")
    const alone = (await post("/v7.0/spellcheck", "text=petal&mode=spell")).json()
    expect(alone.flaggedTokens).toEqual([])
  })

  it("spell does not check a text over 130 characters (en); proof is only for en-US, es-ES and pt-BR", async () => {
    const long = `teh ${"a".repeat(130)}`
    expect((await post("/v7.0/spellcheck", `text=${long}&mode=spell`)).json().flaggedTokens).toEqual([])
    expect((await post("/v7.0/spellcheck", `text=${long}&mode=proof&mkt=en-US`)).json().flaggedTokens).toHaveLength(1)
    const gb = await post("/v7.0/spellcheck?mkt=en-GB&mode=proof", "text=teh")
    expect(gb.headers.get("bingapis-market")).toBe("en-GB")
    expect(gb.json().flaggedTokens).toEqual([])
  })

  it("400 with Bing's body for a missing text and an invalid mode; 401 without a key", async () => {
    const missing = await post("/v7.0/spellcheck", "mode=spell")
    expect(missing.status).toBe(400)
    expect(missing.json()).toEqual({
      _type: "ErrorResponse",
      errors: [{
        code: "InvalidRequest",
        subCode: "ParameterMissing",
        message: "Required parameter is missing.",
        parameter: "text"
      }]
    })
    const mode = await get(`${bing.url}/v7.0/spellcheck?text=a&mode=grammar`, { key: KEY })
    expect(mode.status).toBe(400)
    expect(mode.json().errors[0]).toMatchObject({ parameter: "mode", value: "grammar" })
    const anonymous = await fetch(`${bing.url}/v7.0/spellcheck`, { method: "POST", body: "text=a" })
    expect(anonymous.status).toBe(401)
    // a key in the form body does not authenticate
    const inBody = await fetch(`${bing.url}/v7.0/spellcheck`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `text=a&subscription-key=${KEY}`
    })
    expect(inBody.status).toBe(401)
    const put = await fetch(`${bing.url}/v7.0/spellcheck?text=a`, {
      method: "PUT",
      headers: { "Ocp-Apim-Subscription-Key": KEY }
    })
    expect(put.status).toBe(400)
    expect(put.headers.get("allow")).toBe("GET, HEAD, POST")
  })

  it("other endpoints still refuse POST; Spell Check counts against the key's quota", async () => {
    const web = await post("/v7.0/search", "q=a")
    expect(web.status).toBe(400)
    expect(web.json().errors[0]).toMatchObject({ parameter: "method", value: "POST" })
    expect((await post("/v7.0/spellcheck", "text=teh", {}, "spell-key-daily")).status).toBe(200)
    const refused = await get(`${bing.url}/v7.0/search?q=a`, { key: "spell-key-daily" })
    expect(refused.status).toBe(403)
  })
})
