import { BingResponse } from "@bing-effect/schema"
import { Result } from "effect"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import * as Emulator from "../src/Emulator.js"
import * as FaultRule from "../src/FaultRule.js"
import { admin, get, nodeGet } from "./support.js"

let bing: Emulator.EmulatorHandle
const key = "fault-key"

beforeAll(async () => {
  bing = await Emulator.start({
    keys: [{ name: "k", key, limits: { perDay: 1000 } }, { name: "other", key: "other-key" }],
    clock: "frozen",
    adminToken: "t"
  })
})
afterAll(() => bing.stop())
beforeEach(() => bing.reset())

/** 40 requests under a 50% empty200 rule, on a fresh emulator seeded with `seed`. */
const runSeeded = async (seed: number) => {
  const h = await Emulator.start({ keys: [{ name: "k", key }], seed })
  try {
    h.injectFault({ match: { probability: 0.5 }, fault: { kind: "empty200" } })
    const out: Array<boolean> = []
    for (let i = 0; i < 40; i++) out.push((await get(`${h.url}/v7.0/search?q=x`, { key })).text === "")
    return out
  } finally {
    await h.stop()
  }
}

const search = (q = "q=coffee", k = key) => get(`${bing.url}/v7.0/search?${q}`, { key: k })

describe("decode", () => {
  it("accepts the nested and the flat spelling, and rejects invalid rules", () => {
    const nested = FaultRule.decode({ match: { path: "/v7.0/search", count: 2 }, fault: { kind: "drop" } })
    const flat = FaultRule.decode({ path: "/v7.0/search", count: 2, kind: "drop" })
    expect(Result.isSuccess(nested) && Result.isSuccess(flat) && nested.success).toEqual(
      Result.isSuccess(flat) ? flat.success : undefined
    )
    expect(Result.isSuccess(FaultRule.decode({ rule: { fault: { kind: "empty200" } } }))).toBe(true)
    for (
      const bad of [
        {},
        { fault: { kind: "explode" } },
        { fault: { kind: "delay" } },
        { fault: { kind: "delay", ms: 120_000 } },
        { fault: { kind: "error", status: 700, code: "ServerError" } },
        { match: { probability: 2 }, fault: { kind: "drop" } },
        { match: { count: 0 }, fault: { kind: "drop" } },
        { fault: { kind: "legacy", shape: "nope" } },
        { fault: { kind: "drop", extra: 1 } }
      ]
    ) expect(Result.isFailure(FaultRule.decode(bad)), JSON.stringify(bad)).toBe(true)
    expect(() => bing.injectFault({ fault: { kind: "nope" } } as never)).toThrow(/invalid fault rule/)
  })
})

describe("kinds", () => {
  it("error: any status, code and sub-code, with Retry-After, encoded as Bing does", async () => {
    bing.injectFault({
      fault: { kind: "error", status: 503, code: "ServerError", subCode: "ResourceError", retryAfter: 7 },
      match: { count: 1 }
    })
    const r = await search()
    expect(r.status).toBe(503)
    expect(r.headers.get("retry-after")).toBe("7")
    expect(r.json()).toEqual({
      _type: "ErrorResponse",
      errors: [{ code: "ServerError", subCode: "ResourceError", message: "A resource that the request needs failed." }]
    })
    const decoded = BingResponse.decodeError({ status: r.status, headers: Object.fromEntries(r.headers), body: r.text })
    expect(decoded._tag).toBe("ServerError")
    bing.injectFault({ fault: { kind: "error", code: "RateLimitExceeded", retryAfter: 3 }, match: { count: 1 } })
    const limited = await search()
    expect(limited.status).toBe(429)
    expect(limited.headers.get("retry-after")).toBe("3")
    expect(
      BingResponse.decodeError({
        status: limited.status,
        headers: Object.fromEntries(limited.headers),
        body: limited.text
      })._tag
    ).toBe("RateLimited")
    bing.injectFault({ fault: { kind: "error", code: "SomethingNew", subCode: "Odd" }, match: { count: 1 } })
    const odd = await search()
    expect(odd.status).toBe(500)
    expect(odd.json().errors[0]).toMatchObject({ code: "SomethingNew", subCode: "Odd" })
  })

  it("empty200: 200 with an empty body, which the schema decodes as EmptyResponse", async () => {
    bing.injectFault({ fault: { kind: "empty200" } })
    const r = await search()
    expect(r.status).toBe(200)
    expect(r.text).toBe("")
    expect(r.headers.get("bingapis-traceid")).toMatch(/^[0-9A-F]{32}$/)
    const decoded = BingResponse.decodeWebSearch({
      status: r.status,
      headers: Object.fromEntries(r.headers),
      body: r.text
    })
    expect(Result.isFailure(decoded) && decoded.failure._tag).toBe("EmptyResponse")
  })

  it("delay: holds the answer (others pass it), then answers normally and counts it", async () => {
    bing.injectFault({ fault: { kind: "delay", ms: 300 }, match: { keyName: "k", count: 1 } })
    let delayedDone = false
    const delayed = search().then((r) => {
      delayedDone = true
      return r
    })
    const other = await search("q=tea", "other-key")
    expect(other.status).toBe(200)
    expect(delayedDone).toBe(false)
    const r = await delayed
    expect(r.status).toBe(200)
    expect(r.json()._type).toBe("SearchResponse")
    expect(bing.usage("k").served).toBe(1)
  })

  it("delay: a request abandoned by its client is neither answered nor logged", async () => {
    bing.injectFault({ fault: { kind: "delay", ms: 200 }, match: { count: 1 } })
    const controller = new AbortController()
    const pending = fetch(`${bing.url}/v7.0/search?q=coffee`, {
      headers: { "Ocp-Apim-Subscription-Key": key },
      signal: controller.signal
    }).catch((e: Error) => e)
    await new Promise((resolve) => setTimeout(resolve, 50))
    controller.abort()
    expect(await pending).toBeInstanceOf(Error)
    await new Promise((resolve) => setTimeout(resolve, 300)) // past the delay
    expect(bing.requests()).toHaveLength(0)
    expect(bing.usage("k").served).toBe(0)
    expect((await search()).status).toBe(200)
    expect(bing.requests()).toHaveLength(1)
  })

  it("drop: the connection closes without an answer", async () => {
    bing.injectFault({ fault: { kind: "drop" }, match: { count: 1 } })
    const r = await nodeGet(`${bing.url}/v7.0/search?q=coffee`, { "Ocp-Apim-Subscription-Key": key })
    expect(r.status).toBeUndefined()
    expect(r.error).toBeDefined()
    expect((await search()).status).toBe(200)
  })

  it("truncate: valid headers, then a body cut mid-JSON", async () => {
    bing.injectFault({ fault: { kind: "truncate" }, match: { count: 1 } })
    const r = await nodeGet(`${bing.url}/v7.0/search?q=coffee`, { "Ocp-Apim-Subscription-Key": key })
    expect(r.status).toBe(200)
    expect(r.headers?.["content-type"]).toMatch(/application\/json/)
    expect(Number(r.headers?.["content-length"])).toBeGreaterThan(r.body.length)
    expect(r.body.startsWith("{\"_type\":\"SearchResponse\"")).toBe(true)
    expect(() => JSON.parse(r.body)).toThrow()
  })

  it("legacy: the three gateway shapes, which the schema decodes", async () => {
    const shapes = [
      ["statusCode401", 401, {
        statusCode: 401,
        message:
          "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."
      }, "InvalidAuthorization"],
      ["statusCode403", 403, {
        statusCode: 403,
        message: "Out of call volume quota. Quota will be replenished in 22.14:18:12."
      }, "QuotaExhausted"],
      ["error", 401, {
        error: {
          code: "MissingSubscription",
          message: "The request did not have a subscription or a valid tenant level resource provider."
        }
      }, undefined]
    ] as const
    for (const [shape, status, body, tag] of shapes) {
      bing.injectFault({ fault: { kind: "legacy", shape }, match: { count: 1 } })
      const r = await search()
      expect(r.status, shape).toBe(status)
      expect(r.json(), shape).toEqual(body)
      const decoded = BingResponse.decodeError({
        status: r.status,
        headers: Object.fromEntries(r.headers),
        body: r.text
      })
      if (tag !== undefined) expect(decoded._tag, shape).toBe(tag)
    }
  })

  it("html502: a text/html page from a proxy", async () => {
    bing.injectFault({ fault: { kind: "html502" }, match: { count: 1 } })
    const r = await search()
    expect(r.status).toBe(502)
    expect(r.headers.get("content-type")).toBe("text/html")
    expect(r.text).toContain("502 Bad Gateway")
    const decoded = BingResponse.decodeError({ status: r.status, headers: Object.fromEntries(r.headers), body: r.text })
    expect(decoded._tag).toBe("UnexpectedResponse")
  })
})

describe("matching", () => {
  it("by path (exact, legacy prefix, wildcard), key name and count; injected answers do not count", async () => {
    bing.injectFault({ match: { path: "/v7.0/images/*" }, fault: { kind: "html502" } })
    expect((await search()).status).toBe(200)
    expect((await get(`${bing.url}/v7.0/images/search?q=x`, { key })).status).toBe(502)
    expect((await get(`${bing.url}/bing/v7.0/images/trending`, { key })).status).toBe(502)
    bing.clearFaults()
    bing.injectFault({ match: { path: "/v7.0/search", keyName: "other", count: 2 }, fault: { kind: "empty200" } })
    expect((await search()).text).not.toBe("")
    expect((await search("q=x", "other-key")).text).toBe("")
    expect((await get(`${bing.url}/bing/v7.0/search?q=x`, { key: "other-key" })).text).toBe("")
    expect((await search("q=x", "other-key")).text).not.toBe("")
    expect(bing.usage("other")).toMatchObject({ served: 1, usage: { day: 1 } })
    expect(bing.requests(3).map((r) => r.fault ?? null)).toEqual([null, "empty200", "empty200"])
  })

  it("by probability, replayed by the seed", async () => {
    const first = await runSeeded(7)
    expect(await runSeeded(7)).toEqual(first)
    const hits = first.filter(Boolean).length
    expect(hits).toBeGreaterThan(8)
    expect(hits).toBeLessThan(32)
    expect(await runSeeded(8)).not.toEqual(first)
  })

  it("through the admin API: add, list, remove, clear", async () => {
    const added = await admin(bing.url, "t", "POST", "/faults", {
      path: "/v7.0/search",
      kind: "error",
      code: "ServerError",
      subCode: "NotImplemented"
    })
    expect(added.status).toBe(201)
    const id = added.json().id
    expect((await admin(bing.url, "t", "GET", "/faults")).json().faults[0]).toMatchObject({
      id,
      fault: { kind: "error", code: "ServerError" },
      applied: 0
    })
    expect((await search()).status).toBe(500)
    expect((await admin(bing.url, "t", "POST", "/faults", { rule: { fault: { kind: "bogus" } } })).status).toBe(400)
    expect((await admin(bing.url, "t", "DELETE", `/faults/${id}`)).status).toBe(200)
    expect((await search()).status).toBe(200)
    await admin(bing.url, "t", "POST", "/faults", { rule: { fault: { kind: "empty200" } } })
    expect((await admin(bing.url, "t", "DELETE", "/faults")).json()).toEqual({ cleared: 1 })
    expect((await search()).status).toBe(200)
  })

  it("caps active rules at 1,000", async () => {
    for (let i = 0; i < 1000; i++) bing.injectFault({ match: { path: `/nowhere/${i}` }, fault: { kind: "drop" } })
    expect(() => bing.injectFault({ fault: { kind: "drop" } })).toThrow(/at most 1000/)
    expect((await admin(bing.url, "t", "POST", "/faults", { kind: "drop" })).status).toBe(409)
    expect(bing.clearFaults()).toBe(1000)
  })

  it("never touches the admin API", async () => {
    bing.injectFault({ fault: { kind: "drop" } })
    expect((await admin(bing.url, "t", "GET", "/clock")).status).toBe(200)
  })
})
