/**
 * The dashboard without a browser: the server side of its files (types, hashed URLs, immutable
 * caching, ETag/304, gzip, the CSP, only the listed files, no page without an admin token), and
 * the page's model (the history document read defensively, the status fallback, a chart's series).
 */
import { QuotaStore } from "@bing-effect/quota-tracker"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { HttpServerRequest, HttpServerResponse } from "effect/http"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { gunzipSync } from "node:zlib"
import { chartData, describeEvent, fromStatus, levelsOf, parseHistory, SampleMemory } from "../src/dashboard/model.js"
import * as Dashboard from "../src/internal/dashboard.js"
import * as Ops from "../src/internal/ops.js"
import { trackers } from "./support.js"

const dir = (() => {
  const d = `${mkdtempSync(join(tmpdir(), "dashboard-"))}/`
  writeFileSync(
    `${d}index.html`,
    `<link rel="stylesheet" href="assets/dashboard.css"><script defer src="assets/dashboard.js"></script>`
  )
  writeFileSync(`${d}dashboard.js`, "console.log('page')")
  writeFileSync(`${d}dashboard.css`, "body{}")
  writeFileSync(`${d}secret.txt`, "not served")
  return d
})()

const get = (dashboard: Dashboard.Dashboard, url: string, headers: Record<string, string> = {}) => {
  const request = HttpServerRequest.fromWeb(new Request(`http://127.0.0.1${url}`, { headers }))
  const q = url.indexOf("?")
  const answer = dashboard.handle(request, q === -1 ? url : url.slice(0, q))
  if (answer === undefined) return Effect.succeed(undefined)
  return Effect.flatMap(answer, (response) =>
    Effect.promise(async () => {
      const web = HttpServerResponse.toWeb(response)
      return { status: web.status, headers: web.headers, body: new Uint8Array(await web.arrayBuffer()) }
    }))
}

const text = (body: Uint8Array) => new TextDecoder().decode(body)

describe("Dashboard files", () => {
  it.effect("the page: hashed asset URLs, no-cache with an ETag, the strict CSP", () =>
    Effect.gen(function*() {
      const d = Dashboard.make({ dir })
      const page = (yield* get(d, "/_gateway/"))!
      assert.strictEqual(page.status, 200)
      assert.strictEqual(page.headers.get("content-type"), "text/html; charset=utf-8")
      assert.strictEqual(page.headers.get("cache-control"), "no-cache")
      assert.strictEqual(page.headers.get("content-security-policy"), Dashboard.contentSecurityPolicy)
      assert.include(Dashboard.contentSecurityPolicy, "script-src 'self'")
      assert.notInclude(Dashboard.contentSecurityPolicy, "unsafe-inline")
      assert.strictEqual(page.headers.get("x-content-type-options"), "nosniff")
      assert.match(text(page.body), /src="assets\/dashboard\.js\?v=[0-9a-f]{16}"/)
      assert.match(text(page.body), /href="assets\/dashboard\.css\?v=[0-9a-f]{16}"/)
    }))

  it.effect("an asset: its type; immutable with its current hash, revalidated without; 304; gzip", () =>
    Effect.gen(function*() {
      const d = Dashboard.make({ dir })
      const html = text((yield* get(d, "/_gateway/"))!.body)
      const url = `/_gateway/${html.match(/"(assets\/dashboard\.js\?v=[0-9a-f]+)"/)![1]}`
      const js = (yield* get(d, url))!
      assert.strictEqual(js.headers.get("content-type"), "text/javascript; charset=utf-8")
      assert.strictEqual(js.headers.get("cache-control"), "public, max-age=31536000, immutable")
      assert.strictEqual(text(js.body), "console.log('page')")
      const stale = (yield* get(d, "/_gateway/assets/dashboard.js?v=0000000000000000"))!
      assert.strictEqual(stale.headers.get("cache-control"), "no-cache")
      const etag = js.headers.get("etag")!
      assert.strictEqual((yield* get(d, url, { "if-none-match": etag }))!.status, 304)
      assert.strictEqual((yield* get(d, url, { "if-none-match": `W/${etag}` }))!.status, 304)
      const gz = (yield* get(d, url, { "accept-encoding": "gzip, br" }))!
      assert.strictEqual(gz.headers.get("content-encoding"), "gzip")
      assert.strictEqual(text(gunzipSync(gz.body)), "console.log('page')")
      const css = (yield* get(d, "/_gateway/assets/dashboard.css"))!
      assert.strictEqual(css.headers.get("content-type"), "text/css; charset=utf-8")
    }))

  it.effect("only the listed files: another file, a path with dots, a missing file are 404; POST is 405", () =>
    Effect.gen(function*() {
      const d = Dashboard.make({ dir })
      for (const path of ["secret.txt", "..%2Fsecret.txt", "../secret.txt", "uPlot.min.css", "constructor"]) {
        assert.strictEqual((yield* get(d, `/_gateway/assets/${path}`))!.status, 404, path)
      }
      const request = HttpServerRequest.fromWeb(new Request("http://127.0.0.1/_gateway/", { method: "POST" }))
      const post = HttpServerResponse.toWeb(yield* d.handle(request, "/_gateway/")!)
      assert.strictEqual(post.status, 405)
      assert.isUndefined(yield* get(d, "/_gateway/status"))
    }))

  it.effect("through the ops routes: the page with an admin token, 404 without one", () =>
    Effect.gen(function*() {
      const store = yield* QuotaStore.makeMemory
      const t = yield* trackers(store)
      const answer = (ops: Ops.Ops) =>
        Effect.flatMap(
          ops.handle(HttpServerRequest.fromWeb(new Request("http://127.0.0.1/_gateway/")))!,
          (r) => Effect.succeed(HttpServerResponse.toWeb(r).status)
        )
      const base = { tiers: t.tiers, tenants: t.tenants, log: () => Effect.void }
      const without = yield* Ops.make({ ...base, adminToken: undefined })
      assert.strictEqual(yield* answer(without), 404)
      const withToken = yield* Ops.make({ ...base, adminToken: Redacted.make("admin") })
      // served from the built dist/assets/ (the build runs before the tests)
      assert.strictEqual(yield* answer(withToken), 200)
      // `/_gateway` as typed: sent on to the page (the browser keeps the #token= fragment)
      const bare = HttpServerResponse.toWeb(
        yield* withToken.handle(HttpServerRequest.fromWeb(new Request("http://127.0.0.1/_gateway")))!
      )
      assert.strictEqual(bare.status, 308)
      assert.strictEqual(bare.headers.get("location"), "/_gateway/")
      assert.strictEqual(without.handle(HttpServerRequest.fromWeb(new Request("http://127.0.0.1/_gateway"))), undefined)
    }).pipe(Effect.scoped))
})

const win = (over: Record<string, unknown> = {}) => ({
  window: "day",
  limit: 100,
  used: 40,
  resetsAtMs: 10_000_000,
  periodStartMs: 0,
  thresholds: [0.8, 0.95],
  switchAt: 0.9,
  forecastMs: 2_000_000,
  samples: [[0, 0], [500_000, 20], [1_000_000, 40]],
  ...over
})

describe("Dashboard model", () => {
  it("reads the history document of the contract; drops what it cannot read instead of failing", () => {
    const doc = parseHistory({
      at: 1_000_000,
      sampleIntervalMs: 10_000,
      tiers: [
        {
          name: "S15",
          active: true,
          price: { perThousand: 25, currency: "USD", confidence: "documented" },
          windows: [win()]
        },
        {
          name: "S16",
          active: false,
          price: null,
          windows: [win({ limit: "many" }), win({ samples: [[1, "x"], [2, 3]] })]
        },
        { active: true }
      ],
      tenants: [{ name: "team-a", windows: [win({ switchAt: null })] }],
      events: [
        { atMs: 20, kind: "switch", from: "S15", to: "S16", reason: "S15 is exhausted" },
        { atMs: 10, kind: "threshold", tier: "S15", window: "day", threshold: 0.8 },
        { kind: "switch" }
      ],
      spend: {
        currency: "USD",
        tiers: [{ name: "S15", day: { soFar: 1.2, projected: 3.4 }, month: { soFar: 5, projected: 9 } }],
        fromSwitching: { day: 0.5, month: 0.9 }
      }
    })
    assert.isObject(doc)
    if (typeof doc === "string") return
    assert.deepStrictEqual(doc.tiers.map((t) => [t.name, t.windows.length]), [["S15", 1], ["S16", 1]])
    assert.deepStrictEqual(doc.tiers[1]!.windows[0]!.samples, [[2, 3]])
    assert.deepStrictEqual(doc.tiers[0]!.price, { perThousand: 25, currency: "USD", confidence: "documented" })
    assert.deepStrictEqual(doc.events.map((e) => e.kind), ["threshold", "switch"]) // oldest first
    assert.deepStrictEqual(doc.spend?.tiers[0]?.day, { soFar: 1.2, projected: 3.4 })
    assert.deepStrictEqual(doc.spend?.fromSwitching, { day: 0.5, month: 0.9 })
    assert.isString(parseHistory({ error: "unauthorized" }))
  })

  it("the status fallback: switches as events (once-said tiers), no spend, the page's own samples", () => {
    const memory = new SampleMemory(3)
    const status = (atMs: number, used: number) => ({
      atMs,
      activeTier: "S16",
      tiers: [{
        name: "S15",
        active: false,
        windows: [{ window: "day", used, limit: 5, resetsAtMs: 9e9, forecastMs: null }]
      }],
      tenants: [{ name: "team-b", available: false }],
      switches: [{
        atMs: 7,
        from: "S15",
        to: "S16",
        reason: "exhausted",
        message: "Switched from S15 to S16: S15 is exhausted"
      }]
    })
    for (let i = 1; i <= 5; i++) fromStatus(status(i * 1000, i), memory)
    fromStatus(status(5000, 5), memory) // the same instant twice: one sample
    const doc = fromStatus(status(6000, 5), memory)
    if (typeof doc === "string") return assert.fail(doc)
    assert.deepStrictEqual(doc.tiers[0]!.windows[0]!.samples, [[4000, 4], [5000, 5], [6000, 5]]) // bounded to 3
    assert.deepStrictEqual(doc.tiers[0]!.windows[0]!.thresholds, [0.8, 0.95])
    assert.isNull(doc.tiers[0]!.windows[0]!.switchAt)
    assert.isNull(doc.spend)
    assert.deepStrictEqual(doc.tenants, [{ name: "team-b", windows: [] }])
    assert.deepStrictEqual([doc.events[0]!.from, doc.events[0]!.to, doc.events[0]!.reason], [
      "S15",
      "S16",
      "exhausted"
    ])
    assert.strictEqual(describeEvent(doc.events[0]!), "Switched S15 → S16: S15 is exhausted")
  })

  it("a chart: the samples and now, the forecast to exhaustion, the levels; the forecast stops at the reset", () => {
    const w = parseHistory({ tiers: [{ name: "S15", windows: [win()] }] })
    if (typeof w === "string") return assert.fail(w)
    const window = w.tiers[0]!.windows[0]!
    const data = chartData(window, 1_500_000)
    assert.deepStrictEqual(data.xs, [0, 500, 1000, 1500, 2000])
    assert.deepStrictEqual(data.used, [0, 20, 40, 40, null])
    assert.deepStrictEqual(data.forecast, [null, null, null, 40, 100])
    assert.deepStrictEqual(levelsOf(window).map((l) => [l.label, l.value]), [
      ["limit", 100],
      ["80%", 80],
      ["95%", 95],
      ["switch at 90%", 90]
    ])
    assert.strictEqual(data.points, 4)
    // exhaustion after the reset: the line ends at the reset, below the limit
    const late = chartData({ ...window, resetsAtMs: 1_750_000 }, 1_500_000)
    assert.strictEqual(late.xs.at(-1), 1750)
    assert.strictEqual(late.forecast.at(-1), 70)
    assert.deepStrictEqual(late.resets, [1750])
    // samples of the previous period: flat to the period's start, then 0 (the reset), marked
    const across = chartData(
      { ...window, periodStartMs: 800_000, samples: [[0, 0], [500_000, 60], [900_000, 10]] },
      1_000_000
    )
    assert.deepStrictEqual(across.xs, [0, 500, 799.999, 800, 900, 1000, 2000])
    assert.deepStrictEqual(across.used, [0, 60, 60, 0, 10, 40, null])
    assert.deepStrictEqual(across.resets, [800])
    assert.strictEqual(across.points, 4)
    // no forecast (lasts until the reset), and a full window: no forecast line
    assert.isTrue(chartData({ ...window, forecastMs: null }, 1_500_000).forecast.every((v) => v === null))
    assert.isTrue(chartData({ ...window, used: 100 }, 1_500_000).forecast.every((v) => v === null))
  })
})
