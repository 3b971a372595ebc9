import { ErrorStatusTable } from "@bing-effect/error-codes"
import { Cause, Effect, Exit } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Emulator from "../src/Emulator.js"
import { admin, get } from "./support.js"

// 2026-01-15T10:00:00Z, frozen: every window and Retry-After below is exact
const T0 = Date.UTC(2026, 0, 15, 10, 0, 0)

const keys: ReadonlyArray<Emulator.KeyConfig> = [
  { name: "big", key: "key-big" },
  { name: "qps", key: "key-qps", limits: { perSecond: 2 } },
  { name: "daily", key: "key-daily", limits: { perDay: 3 } },
  { name: "monthly", key: "key-monthly", limits: { perMonth: 4 } },
  { name: "off", key: "key-off", disabled: true },
  { name: "old", key: "key-old", expired: true },
  { name: "s15", key: "key-s15", limits: { perSecond: 250, perDay: 1_000_000 } }
]

let bing: Emulator.EmulatorHandle
let https: Emulator.EmulatorHandle

beforeAll(async () => {
  bing = await Emulator.start({ keys, startTime: T0, clock: "frozen", adminToken: "admin-secret" })
  https = await Emulator.start({ keys, requireHttps: true, clock: "frozen", startTime: T0 })
})
afterAll(async () => {
  await bing.stop()
  await https.stop()
})

const search = (query: string, key?: string, headers?: Record<string, string>) =>
  get(`${bing.url}/v7.0/search?${query}`, {
    ...(key === undefined ? {} : { key }),
    ...(headers === undefined ? {} : { headers })
  })

const firstError = (r: { json: () => any }) => r.json().errors[0]
const market = async (q: string, headers?: Record<string, string>) =>
  (await search(`q=tea&${q}`, "key-big", headers)).headers.get("bingapis-market")
const trend = async (q: string) =>
  (await get(`${bing.url}/v7.0/images/trending?${q}`, { key: "key-big" })).headers.get("bingapis-market")

describe("start", () => {
  it("listens on a free port of 127.0.0.1 and reports its keys without secrets", () => {
    expect(bing.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(bing.port).toBeGreaterThan(0)
    expect(bing.keys.map((k) => k.name)).toEqual(keys.map((k) => k.name))
    expect(JSON.stringify(bing.keys)).not.toContain("key-big")
  })

  it("rejects invalid options with EmulatorStartError", async () => {
    await expect(Emulator.start({ keys: [{ name: "a", key: "x" }, { name: "a", key: "y" }] })).rejects.toMatchObject({
      _tag: "EmulatorStartError"
    })
    await expect(Emulator.start({ keys: [{ name: "a", key: "x", limits: { perDay: -1 } }] })).rejects.toMatchObject({
      _tag: "EmulatorStartError"
    })
    await expect(Emulator.start({ port: bing.port })).rejects.toMatchObject({ _tag: "EmulatorStartError" })
    // schema errors quote offending values: a secret must not end up in the message
    const err =
      (await Emulator.start({ keys: [{ name: "a", key: 123456789 }] } as never).catch((e: Error) => e)) as Error
    expect(err.message).toMatch(/invalid emulator options/)
    expect(err.message).not.toContain("123456789")
  })

  it("serves the default key when none is configured", async () => {
    const h = await Emulator.start()
    try {
      const r = await get(`${h.url}/v7.0/search?q=tea`, { key: Emulator.defaultKey.key })
      expect(r.status).toBe(200)
    } finally {
      await h.stop()
    }
  })
})

describe("endpoints and headers", () => {
  it("answers the three endpoints under /v7.0 and /bing/v7.0", async () => {
    for (const prefix of ["/v7.0", "/bing/v7.0"]) {
      const web = await get(`${bing.url}${prefix}/search?q=coffee`, { key: "key-big" })
      expect(web.status).toBe(200)
      expect(web.json()._type).toBe("SearchResponse")
      const images = await get(`${bing.url}${prefix}/images/search?q=coffee`, { key: "key-big" })
      expect(images.json()._type).toBe("Images")
      const trending = await get(`${bing.url}${prefix}/images/trending`, { key: "key-big" })
      expect(trending.json()._type).toBe("TrendingImages")
    }
  })

  it("sends BingAPIs-TraceId on every answer, BingAPIs-Market on success, and assigns or echoes X-MSEdge-ClientID", async () => {
    const a = await search("q=coffee", "key-big")
    const b = await search("q=coffee", "key-big")
    expect(a.headers.get("bingapis-traceid")).toMatch(/^[0-9A-F]{32}$/)
    expect(a.headers.get("bingapis-traceid")).not.toBe(b.headers.get("bingapis-traceid"))
    expect(a.headers.get("bingapis-market")).toBe("en-US")
    expect(a.headers.get("x-msedge-clientid")).toMatch(/^[0-9A-F]{32}$/)
    const echoed = await search("q=coffee", "key-big", { "X-MSEdge-ClientID": "MY-CLIENT-ID" })
    expect(echoed.headers.get("x-msedge-clientid")).toBe("MY-CLIENT-ID")
    const missing = await search("q=coffee")
    expect(missing.headers.get("bingapis-traceid")).toMatch(/^[0-9A-F]{32}$/)
    const notFound = await get(`${bing.url}/v7.0/nothing`)
    expect(notFound.headers.get("bingapis-traceid")).toMatch(/^[0-9A-F]{32}$/)
  })

  it("picks the market actually used: exact, best fit by country or language, en-US otherwise", async () => {
    expect(await market("mkt=de-de")).toBe("de-DE")
    expect(await market("mkt=fr-XX")).toBe("fr-FR")
    expect(await market("mkt=xx-CH")).toBe("fr-CH")
    expect(await market("mkt=qq-QQ")).toBe("en-US")
    expect(await market("cc=CH", { "Accept-Language": "de;q=0.9" })).toBe("de-CH")
    expect(await trend("mkt=en-GB")).toBe("en-GB")
    expect(await trend("mkt=zh-cn")).toBe("zh-CN")
    expect(await trend("mkt=de-DE")).toBe("en-US")
    expect(await trend("mkt=en-NZ")).toBe("en-US")
  })

  it("can turn the /bing/v7.0/ prefix off", async () => {
    const h = await Emulator.start({ keys, legacyPrefix: false })
    try {
      expect((await get(`${h.url}/bing/v7.0/search?q=x`, { key: "key-big" })).status).toBe(404)
      expect((await get(`${h.url}/v7.0/search?q=x`, { key: "key-big" })).status).toBe(200)
    } finally {
      await h.stop()
    }
  })

  it("answers 404 with an empty body for an unknown path and for a URL over 2,048 characters", async () => {
    const unknown = await get(`${bing.url}/v7.0/no-such-endpoint?q=x`, { key: "key-big" })
    expect(unknown.status).toBe(404)
    expect(unknown.text).toBe("")
    const long = await get(`${bing.url}/v7.0/search?q=${"a".repeat(2048)}`, { key: "key-big" })
    expect(long.status).toBe(404)
    expect(long.text).toBe("")
    const justUnder = `${bing.url}/v7.0/search?q=`
    const fits = await get(justUnder + "a".repeat(2048 - justUnder.length), { key: "key-big" })
    expect(fits.status).toBe(200)
  })

  it("answers other methods with 400 InvalidRequest/ParameterInvalidValue naming the method", async () => {
    const r = await get(`${bing.url}/v7.0/search?q=x`, { key: "key-big", method: "POST" })
    expect(r.status).toBe(400)
    expect(firstError(r)).toMatchObject({
      code: "InvalidRequest",
      subCode: "ParameterInvalidValue",
      parameter: "method",
      value: "POST"
    })
    expect(r.headers.get("allow")).toBe("GET, HEAD")
  })
})

describe("authentication", () => {
  it("401 AuthorizationMissing without a key, with moreDetails for an unknown key", async () => {
    const none = await search("q=x")
    expect(none.status).toBe(401)
    expect(firstError(none)).toMatchObject({ code: "InvalidAuthorization", subCode: "AuthorizationMissing" })
    expect(firstError(none).moreDetails).toBeUndefined()
    const unknown = await search("q=x", "nope")
    expect(unknown.status).toBe(401)
    expect(firstError(unknown)).toMatchObject({
      subCode: "AuthorizationMissing",
      moreDetails: "Subscription key is not recognized."
    })
  })

  it("accepts the key as subscription-key query parameter, and refuses header + query with AuthorizationRedundancy", async () => {
    expect((await search("q=x&subscription-key=key-big")).status).toBe(200)
    const both = await search("q=x&subscription-key=key-big", "key-big")
    expect(both.status).toBe(401)
    expect(firstError(both)).toMatchObject({ code: "InvalidAuthorization", subCode: "AuthorizationRedundancy" })
  })

  it("403 for disabled and expired keys", async () => {
    const off = await search("q=x", "key-off")
    expect(off.status).toBe(403)
    expect(firstError(off)).toMatchObject({ code: "InsufficientAuthorization", subCode: "AuthorizationDisabled" })
    const old = await search("q=x", "key-old")
    expect(old.status).toBe(403)
    expect(firstError(old)).toMatchObject({ code: "InsufficientAuthorization", subCode: "AuthorizationExpired" })
  })

  it("410 HttpNotAllowed for plain HTTP when HTTPS is required", async () => {
    const r = await get(`${https.url}/v7.0/search?q=x`, { key: "key-big" })
    expect(r.status).toBe(410)
    expect(firstError(r)).toMatchObject({ code: "InvalidRequest", subCode: "HttpNotAllowed" })
  })
})

describe("parameters", () => {
  it("400 ParameterMissing for a missing or empty q", async () => {
    for (const q of ["count=5", "q=", "q=%20%20"]) {
      const r = await search(q, "key-big")
      expect(r.status).toBe(400)
      expect(firstError(r)).toMatchObject({ code: "InvalidRequest", subCode: "ParameterMissing", parameter: "q" })
    }
  })

  it("400 ParameterInvalidValue with parameter and value", async () => {
    const cases: ReadonlyArray<[string, string, string]> = [
      ["q=x&count=65536", "count", "65536"],
      ["q=x&safeSearch=Sometimes", "safeSearch", "Sometimes"],
      ["q=x&offset=-1", "offset", "-1"],
      ["q=x&q2=%E0%A4%A", "q2", "%E0%A4%A"]
    ]
    for (const [query, parameter, value] of cases) {
      const r = await search(query, "key-big")
      expect(r.status, query).toBe(400)
      expect(firstError(r), query).toMatchObject({
        code: "InvalidRequest",
        subCode: "ParameterInvalidValue",
        parameter,
        value
      })
    }
    const img = await get(`${bing.url}/v7.0/images/search?q=x&count=65536`, { key: "key-big" })
    expect(firstError(img)).toMatchObject({ subCode: "ParameterInvalidValue", parameter: "count", value: "65536" })
  })

  it("does not count failed requests against the quota by default", async () => {
    const before = bing.usage("big").usage.day
    await search("count=5", "key-big")
    expect(bing.usage("big").usage.day).toBe(before)
    await search("q=x", "key-big")
    expect(bing.usage("big").usage.day).toBe(before + 1)
  })

  it("counts them when countFailedRequests is set", async () => {
    const h = await Emulator.start({ keys, clock: "frozen", startTime: T0, countFailedRequests: true })
    try {
      await get(`${h.url}/v7.0/search?count=5`, { key: "key-big" })
      expect(h.usage("big").usage.day).toBe(1)
    } finally {
      await h.stop()
    }
  })
})

describe("quotas on the emulator clock", () => {
  it("per second: 429 with Retry-After >= 1, free again after the clock moves a second", async () => {
    expect((await search("q=a", "key-qps")).status).toBe(200)
    expect((await search("q=b", "key-qps")).status).toBe(200)
    const refused = await search("q=c", "key-qps")
    expect(refused.status).toBe(429)
    expect(refused.headers.get("retry-after")).toBe("1")
    expect(firstError(refused)).toMatchObject({ code: "RateLimitExceeded" })
    expect(firstError(refused).subCode).toBeUndefined()
    // half a second later the window is still full
    bing.advanceClock({ ms: 500 })
    expect((await search("q=c", "key-qps")).status).toBe(429)
    bing.advanceClock("next-second")
    expect((await search("q=c", "key-qps")).status).toBe(200)
    expect(bing.usage("qps")).toMatchObject({ served: 3, throttled: 2 })
  })

  it("per day: 403 RateLimitExceeded with Retry-After until midnight UTC, reset by next-day", async () => {
    const h = await Emulator.start({ keys, clock: "frozen", startTime: T0 })
    try {
      for (let i = 0; i < 3; i++) {
        expect((await get(`${h.url}/v7.0/search?q=${i}`, { key: "key-daily" })).status).toBe(200)
      }
      const refused = await get(`${h.url}/v7.0/search?q=x`, { key: "key-daily" })
      expect(refused.status).toBe(403)
      expect(firstError(refused)).toMatchObject({ code: "RateLimitExceeded" })
      expect(refused.headers.get("retry-after")).toBe(String(14 * 3600))
      const clock = h.advanceClock("next-day")
      expect(clock.iso).toBe("2026-01-16T00:00:00.001Z")
      expect((await get(`${h.url}/v7.0/search?q=x`, { key: "key-daily" })).status).toBe(200)
    } finally {
      await h.stop()
    }
  })

  it("per month: 403 with Retry-After until the 1st, reset by next-month", async () => {
    const h = await Emulator.start({ keys, clock: "frozen", startTime: T0 })
    try {
      h.setUsage({ key: "monthly", window: "month", used: 4 })
      const refused = await get(`${h.url}/v7.0/search?q=x`, { key: "key-monthly" })
      expect(refused.status).toBe(403)
      expect(refused.headers.get("retry-after")).toBe(String((Date.UTC(2026, 1, 1) - T0) / 1000))
      expect(h.advanceClock("next-month").iso).toBe("2026-02-01T00:00:00.001Z")
      expect((await get(`${h.url}/v7.0/search?q=x`, { key: "key-monthly" })).status).toBe(200)
    } finally {
      await h.stop()
    }
  })

  it("honours a time-zone offset and a billing anchor day", async () => {
    const h = await Emulator.start({
      keys,
      clock: "frozen",
      startTime: T0,
      timeZoneOffsetMinutes: 120,
      monthAnchorDay: 20
    })
    try {
      h.setUsage({ key: "daily", window: "day", used: 3 })
      const day = await get(`${h.url}/v7.0/search?q=x`, { key: "key-daily" })
      // next local midnight at UTC+2 is 2026-01-15T22:00Z, 12 h away
      expect(day.headers.get("retry-after")).toBe(String(12 * 3600))
      h.setUsage({ key: "monthly", window: "month", used: 4 })
      const month = await get(`${h.url}/v7.0/search?q=x`, { key: "key-monthly" })
      expect(month.headers.get("retry-after")).toBe(String((Date.UTC(2026, 0, 19, 22) - T0) / 1000))
    } finally {
      await h.stop()
    }
  })

  it("S15 at 999,990 of 1,000,000 a day reaches the limit in ten requests", async () => {
    const h = await Emulator.start({ keys, clock: "frozen", startTime: T0 })
    try {
      h.setUsage({ key: "s15", window: "day", used: 999_990 })
      for (let i = 0; i < 10; i++) {
        expect((await get(`${h.url}/v7.0/search?q=x`, { key: "key-s15" })).status).toBe(200)
        h.advanceClock({ ms: 10 })
      }
      expect((await get(`${h.url}/v7.0/search?q=x`, { key: "key-s15" })).status).toBe(403)
      expect(h.usage("s15")).toMatchObject({ usage: { day: 1_000_000 }, remaining: { day: 0 } })
    } finally {
      await h.stop()
    }
  })
})

describe("every status/code/sub-code of the error table", () => {
  it("is produced through a socket", async () => {
    const h = await Emulator.start({ keys, clock: "frozen", startTime: T0 })
    try {
      const at = (q: string, key?: string, headers?: Record<string, string>) =>
        get(`${h.url}/v7.0/search?${q}`, {
          ...(key === undefined ? {} : { key }),
          ...(headers === undefined ? {} : { headers })
        })
      // Every row by a natural, documented trigger (README: "Natural causes of every error"), no fault injection.
      const produce: Record<string, () => Promise<Awaited<ReturnType<typeof at>>>> = {
        UnexpectedError: () => at("q=tides%20emulator:unexpected-error", "key-big"),
        ResourceError: () => at("q=Emulator:Resource-Error", "key-big"),
        NotImplemented: () => at("q=x", "key-big", { Accept: "application/ld+json" }),
        ParameterMissing: () => at("count=1", "key-big"),
        ParameterInvalidValue: () => at("q=x&count=65536", "key-big"),
        HttpNotAllowed: () => get(`${https.url}/v7.0/search?q=x`, { key: "key-big" }),
        Blocked: () => at("q=emulator:blocked", "key-big"),
        second: async () => {
          h.setUsage({ key: "qps", window: "second", used: 2 })
          return at("q=x", "key-qps")
        },
        day: async () => {
          h.setUsage({ key: "daily", window: "day", used: 3 })
          return at("q=x", "key-daily")
        },
        month: async () => {
          h.setUsage({ key: "monthly", window: "month", used: 4 })
          return at("q=x", "key-monthly")
        },
        AuthorizationMissing: () => at("q=x"),
        AuthorizationRedundancy: () => at("q=x&subscription-key=key-big", "key-big"),
        AuthorizationDisabled: () => at("q=x", "key-off"),
        AuthorizationExpired: () => at("q=x", "key-old")
      }
      for (const row of ErrorStatusTable) {
        const which = row.subCode ?? row.window!
        const r = await produce[which]!()
        expect(r.status, which).toBe(row.status)
        const e = firstError(r)
        expect(e.code, which).toBe(row.code)
        expect(e.subCode, which).toBe(row.subCode)
        if (row.code === "RateLimitExceeded") {
          expect(Number(r.headers.get("retry-after")), which).toBeGreaterThanOrEqual(1)
        }
      }
      expect(Object.keys(produce)).toHaveLength(ErrorStatusTable.length)
    } finally {
      await h.stop()
    }
  })

  it("uses the configured status for Blocked", async () => {
    const h = await Emulator.start({ keys, blockedStatus: 403 })
    try {
      h.injectFault({ fault: { kind: "error", code: "InvalidRequest", subCode: "Blocked" } })
      const r = await get(`${h.url}/v7.0/search?q=x`, { key: "key-big" })
      expect(r.status).toBe(403)
      expect(firstError(r)).toMatchObject({ code: "InvalidRequest", subCode: "Blocked" })
    } finally {
      await h.stop()
    }
  })
})

describe("admin API", () => {
  it("refuses a missing or wrong token with 401 JSON", async () => {
    for (const auth of [undefined, "Bearer wrong", "admin-secret"]) {
      const res = await fetch(`${bing.url}/_emulator/keys`, {
        headers: auth === undefined ? {} : { Authorization: auth }
      })
      expect(res.status).toBe(401)
      expect(res.headers.get("www-authenticate")).toBe("Bearer")
      expect(((await res.json()) as { error: string }).error).toMatch(/unauthorized/)
    }
  })

  it("reads and advances the clock", async () => {
    const h = await Emulator.start({ keys, clock: "frozen", startTime: T0, adminToken: "t" })
    try {
      expect((await admin(h.url, "t", "GET", "/clock")).json()).toMatchObject({
        now: T0,
        iso: "2026-01-15T10:00:00.000Z"
      })
      expect((await admin(h.url, "t", "POST", "/clock/advance", { to: "next-day" })).json().iso).toBe(
        "2026-01-16T00:00:00.001Z"
      )
      expect((await admin(h.url, "t", "POST", "/clock/advance", { to: { ms: 999 } })).json().iso).toBe(
        "2026-01-16T00:00:01.000Z"
      )
      expect((await admin(h.url, "t", "POST", "/clock/advance", { to: "next-month" })).json().iso).toBe(
        "2026-02-01T00:00:00.001Z"
      )
      expect((await admin(h.url, "t", "POST", "/clock/advance", { to: "yesterday" })).status).toBe(400)
      expect((await admin(h.url, "t", "POST", "/clock/advance", { to: { ms: -5 } })).status).toBe(400)
      expect(h.now()).toBe(Date.UTC(2026, 1, 1, 0, 0, 0, 1))
    } finally {
      await h.stop()
    }
  })

  it("refuses, with the reason, any advance that would move the clock past the latest valid date", async () => {
    const h = await Emulator.start({ keys, clock: "frozen", startTime: T0, adminToken: "t" })
    const post = (body: string) =>
      fetch(`${h.url}/_emulator/clock/advance`, { method: "POST", headers: { Authorization: "Bearer t" }, body }).then(
        async (r) => ({ status: r.status, body: (await r.json()) as { error?: string; now?: number } })
      )
    try {
      for (const ms of ["1e300", "8.64e15", String(Number.MAX_SAFE_INTEGER), String(Emulator.latestTime - T0 + 1)]) {
        const r = await post(`{"to":{"ms":${ms}}}`)
        expect(r.status, ms).toBe(400)
        expect(r.body.error, ms).toContain(`past ${new Date(Emulator.latestTime).toISOString()}`)
      }
      // not a non-negative finite number: 1e400 parses as Infinity; NaN cannot be written in JSON
      for (const ms of ["1e400", "-1e400", "-1", "\"5\"", "null", "true"]) {
        const r = await post(`{"to":{"ms":${ms}}}`)
        expect(r.status, ms).toBe(400)
        expect(r.body.error, ms).toMatch(/non-negative/)
      }
      expect(h.now()).toBe(T0)
      // up to the latest date is fine, and every way past it is refused from there
      expect((await post(`{"to":{"ms":${Emulator.latestTime - T0}}}`)).body.now).toBe(Emulator.latestTime)
      for (const to of [`{"ms":1}`, `"next-second"`, `"next-day"`, `"next-month"`]) {
        const r = await post(`{"to":${to}}`)
        expect(r.status, to).toBe(400)
        expect(r.body.error, to).toContain("past")
      }
      expect((await post(`{"to":{"ms":0}}`)).status).toBe(200)
      // the clock, the keys and the API still answer (they answered 500 until a restart)
      expect((await admin(h.url, "t", "GET", "/clock")).json()).toMatchObject({
        now: Emulator.latestTime,
        iso: new Date(Emulator.latestTime).toISOString()
      })
      const usage = await admin(h.url, "t", "GET", "/keys")
      expect(usage.status).toBe(200)
      expect(usage.json().keys[0].resets.month).toMatch(/^\+275759-/)
      expect((await get(`${h.url}/v7.0/search?q=x`, { key: "key-daily" })).status).toBe(200)
      h.reset()
      expect((await admin(h.url, "t", "GET", "/clock")).status).toBe(200)
    } finally {
      await h.stop()
    }
  })

  it("advanceClock throws InvalidArgument (and the service fails with it) for any move past the latest valid date", async () => {
    const h = await Emulator.start({ keys, clock: "frozen", startTime: T0 })
    try {
      for (
        const to of [{ ms: 1e300 }, { ms: Number.MAX_VALUE }, { ms: Infinity }, { ms: NaN }, { ms: -1 }, {
          ms: Emulator.latestTime
        }]
      ) {
        expect(() => h.advanceClock(to), String(to.ms)).toThrow(Emulator.InvalidArgument)
      }
      expect(h.now()).toBe(T0)
      h.advanceClock({ ms: Emulator.latestTime - T0 - 5 })
      expect(() => h.advanceClock("next-day")).toThrow(/past \+275759-/)
      expect(() => h.advanceClock("next-month")).toThrow(Emulator.InvalidArgument)
      expect(h.clock().now).toBe(Emulator.latestTime - 5)
      const exit = await Effect.runPromiseExit(Emulator.toService(h).advanceClock({ ms: 1e300 }))
      expect(exit).toMatchObject({ _tag: "Failure" })
      expect(Exit.isFailure(exit) && Cause.squash(exit.cause)).toBeInstanceOf(Emulator.InvalidArgument)
      expect(h.usage().length).toBe(keys.length)
    } finally {
      await h.stop()
    }
  })

  it("refuses a start time outside the valid dates", async () => {
    for (const startTime of [1e300, Emulator.latestTime + 1, -1e300, NaN, Infinity]) {
      await expect(Emulator.start({ keys, startTime }), String(startTime)).rejects.toMatchObject({
        _tag: "EmulatorStartError",
        message: expect.stringMatching(/startTime/)
      })
    }
    const h = await Emulator.start({ keys, clock: "frozen", startTime: Emulator.latestTime })
    try {
      expect(h.usage("big").resets.month).toMatch(/^\+275759-/)
    } finally {
      await h.stop()
    }
  })

  it("lists usage per key name without secrets and sets usage", async () => {
    const h = await Emulator.start({ keys, clock: "frozen", startTime: T0, adminToken: "t" })
    try {
      await get(`${h.url}/v7.0/search?q=x`, { key: "key-daily" })
      const list = await admin(h.url, "t", "GET", "/keys")
      expect(list.text).not.toMatch(/key-(big|qps|daily|monthly|off|old|s15)/)
      const daily = list.json().keys.find((k: { name: string }) => k.name === "daily")
      expect(daily).toMatchObject({
        limits: { perDay: 3 },
        usage: { day: 1, month: 1 },
        remaining: { day: 2 },
        served: 1,
        requests: 1,
        resets: { day: "2026-01-16T00:00:00.000Z", month: "2026-02-01T00:00:00.000Z" }
      })
      const set = await admin(h.url, "t", "PUT", "/keys/daily/usage", { window: "day", used: 3 })
      expect(set.json()).toMatchObject({ name: "daily", usage: { day: 3, month: 3 }, remaining: { day: 0 } })
      const month = await admin(h.url, "t", "PUT", "/keys/daily/usage", { window: "month", used: 10 })
      expect(month.json()).toMatchObject({ usage: { day: 3, month: 10 } })
      expect((await get(`${h.url}/v7.0/search?q=x`, { key: "key-daily" })).status).toBe(403)
      expect((await admin(h.url, "t", "GET", "/keys/daily")).json()).toMatchObject({ name: "daily", usage: { day: 3 } })
      expect((await admin(h.url, "t", "GET", "/keys/nobody")).status).toBe(404)
      expect((await admin(h.url, "t", "PUT", "/keys/nobody/usage", { window: "day", used: 1 })).status).toBe(404)
      expect((await admin(h.url, "t", "PUT", "/keys/daily/usage", { window: "week", used: 1 })).status).toBe(400)
      expect((await admin(h.url, "t", "PUT", "/keys/daily/usage", { window: "day", used: -1 })).status).toBe(400)
      expect(() => h.setUsage({ key: "nobody", window: "day", used: 1 })).toThrow(/nobody/)
    } finally {
      await h.stop()
    }
  })

  it("keeps a bounded request log with keys redacted, and resets", async () => {
    const h = await Emulator.start({ keys, clock: "frozen", startTime: T0, adminToken: "t", requestLogSize: 3 })
    try {
      await get(`${h.url}/v7.0/search?q=one&subscription-key=key-big`)
      await get(`${h.url}/v7.0/search?q=two`, { key: "key-big" })
      await get(`${h.url}/v7.0/search?q=three`)
      await get(`${h.url}/v7.0/search?q=four`, { key: "key-big" })
      const log = (await admin(h.url, "t", "GET", "/requests")).json().requests
      expect(log.map((r: { path: string }) => r.path)).toEqual([
        "/v7.0/search?q=four",
        "/v7.0/search?q=three",
        "/v7.0/search?q=two"
      ])
      expect(log[0]).toMatchObject({
        method: "GET",
        status: 200,
        keyName: "big",
        market: "en-US",
        at: "2026-01-15T10:00:00.000Z"
      })
      expect(log[1]).toMatchObject({ status: 401 })
      expect(log[1].keyName).toBeUndefined()
      const limited = (await admin(h.url, "t", "GET", "/requests?limit=1")).json().requests
      expect(limited).toHaveLength(1)
      h.reset()
      await get(`${h.url}/v7.0/search?q=one&subscription-key=key-big`)
      const after = h.requests()
      expect(after).toHaveLength(1)
      expect(after[0]!.path).toBe("/v7.0/search?q=one&subscription-key=REDACTED")
      expect(JSON.stringify(after)).not.toContain("key-big")
      expect(h.usage("big")).toMatchObject({ requests: 1, served: 1 })
      expect((await admin(h.url, "t", "POST", "/reset")).json()).toEqual({ reset: true })
      expect(h.requests()).toHaveLength(0)
    } finally {
      await h.stop()
    }
  })

  it("redacts a subscription-key query value in the log whatever the case or percent-encoding of its name", async () => {
    const h = await Emulator.start({ keys, clock: "frozen", startTime: T0, adminToken: "t" })
    try {
      const names = [
        "subscription-key",
        "Subscription-Key",
        "SUBSCRIPTION-KEY",
        "subscription%2Dkey",
        "subscription%2dkey",
        "%73ubscription-key",
        "subscription-%4Bey",
        "Subscription-Ke%79",
        "%53%55%42%53%43%52%49%50%54%49%4F%4E%2D%4B%45%59",
        "ocp-apim-subscription-key",
        "?subscription-key"
      ]
      for (const name of names) await get(`${h.url}/v7.0/search?q=x&${name}=key-big&count=2`)
      // an encoded value, a repeated name, and a name cut by the log's 512-character limit
      await get(`${h.url}/v7.0/search?q=x&Subscription-Key=key%2Dbig`)
      await get(`${h.url}/v7.0/search?subscription-key=key-qps&Subscription-Key=key-big`)
      await get(`${h.url}/v7.0/search?q=${"a".repeat(470)}&Subscription-Key=key-big-and-more-of-the-secret`)
      const log = h.requests(names.length + 3).toReversed()
      expect(log).toHaveLength(names.length + 3)
      const text = JSON.stringify(log) + (await admin(h.url, "t", "GET", "/requests")).text
      for (const secret of ["key-big", "key%2Dbig", "key-qps", "key-b", "-secret"]) {
        expect(text, secret).not.toContain(secret)
      }
      expect(log.slice(0, names.length).map((r) => r.path)).toEqual(
        names.map((name) => `/v7.0/search?q=x&${name}=REDACTED&count=2`)
      )
      expect(log[0]).toMatchObject({ status: 200, keyName: "big" })
      expect(log[1]).toMatchObject({ status: 401 })
      expect(log[names.length]!.path).toBe("/v7.0/search?q=x&Subscription-Key=REDACTED")
      expect(log[names.length + 1]!.path).toBe("/v7.0/search?subscription-key=REDACTED&Subscription-Key=REDACTED")
      expect(log[names.length + 2]!.path).toMatch(/^\/v7\.0\/search\?q=a+&Subscription-Key=REDACTED$/)
      // other parameters are logged as sent
      await get(`${h.url}/v7.0/search?q=key&monkey=1&key=2&subscription=3`)
      expect(h.requests(1)[0]!.path).toBe("/v7.0/search?q=key&monkey=1&key=2&subscription=3")
    } finally {
      await h.stop()
    }
  })

  it("answers unknown admin routes and bad JSON clearly", async () => {
    expect((await admin(bing.url, "admin-secret", "GET", "/nothing")).status).toBe(404)
    const res = await fetch(`${bing.url}/_emulator/faults`, {
      method: "POST",
      headers: { Authorization: "Bearer admin-secret" },
      body: "{not json"
    })
    expect(res.status).toBe(400)
    const big = await fetch(`${bing.url}/_emulator/faults`, {
      method: "POST",
      headers: { Authorization: "Bearer admin-secret" },
      body: "x".repeat(70_000)
    }).catch((e: Error) => e)
    if (!(big instanceof Error)) expect(big.status).toBe(413)
  })
})
