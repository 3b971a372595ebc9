/// <reference lib="dom" />
/**
 * The dashboard in a real browser (headless Chromium through playwright-core): a gateway fronting
 * the emulator, its page opened with the admin token in the fragment, traffic driven until S15's
 * day is out and S16 takes over, and every check read from the rendered page (DOM text, the
 * charts' canvas pixels), never from the JSON. Also: the login form, a refused token, the page's
 * security headers and the CSP (no violation), a phone-wide dark page, no key anywhere on it.
 *
 * Saves `test/artifacts/dashboard.png` (git-ignored) at every run, and `docs/dashboard.png`
 * (the README's) with `UPDATE_SCREENSHOT=1`. Without Chromium the suite skips (loudly, see
 * vitest.shared.ts); with `CI=true` it fails instead.
 */
import { Emulator } from "@bing-effect/emulator"
import { Tier } from "@bing-effect/quota-tracker"
import { Context, Effect, Exit, Layer, Redacted, Scope } from "effect"
import { HttpServer } from "effect/http"
import { copyFile, mkdir } from "node:fs/promises"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import * as Dashboard from "../src/internal/dashboard.js"
import * as DemoClock from "../src/internal/demo/clock.js"
import { config, emulatorKeys, gatewayLayer, secrets, TEAM_A_KEY, TEAM_B_KEY, tiers } from "./fixtures.js"

const executable = inject("chromium")
const ci = process.env["CI"] === "true"

const ADMIN_TOKEN = "dashboard-admin-token-4f7a1c"
const artifacts = fileURLToPath(new URL("./artifacts/", import.meta.url))
const docsShot = fileURLToPath(new URL("../docs/dashboard.png", import.meta.url))

/** The fixtures' tiers with prices of their own (per 1,000: S15 $28, S16 $200), for the spend. */
const pricedTiers = tiers.map((t) =>
  Tier.make({
    name: t.name,
    key: t.key,
    limits: t.limits,
    price: { perThousand: t.name === "S15" ? 28 : 200, currency: "USD", confidence: "configured" }
  })
)

/** Every wait on the page is bounded: a page that never shows something fails, named. */
const waitMs = 15_000

if (executable === false && !ci) {
  console.warn("!! @bing-effect/gateway: Chromium was not found: the dashboard's browser tests will be SKIPPED.")
}
if (executable === false && ci) {
  describe("dashboard in a browser", () => {
    it("needs Chromium under CI=true", () => {
      expect.fail("Chromium is not installed (CHROMIUM_PATH or /usr/bin/chromium); CI must run the browser tests")
    })
  })
}

describe.skipIf(executable === false)("dashboard in a browser", () => {
  let browser: Browser
  let emulator: Emulator.EmulatorHandle
  let scope: Scope.Closeable
  let base: string
  const consoleLines: Array<string> = []
  const requested: Array<string> = []

  beforeAll(async () => {
    // noon of today (UTC), as the demo: the day has room on both sides, whenever the test runs
    const noon = new Date()
    noon.setUTCHours(12, 0, 0, 0)
    emulator = await Emulator.start({ keys: emulatorKeys, startTime: noon.getTime() })
    scope = Effect.runSync(Scope.make())
    const context = await Effect.runPromise(
      Layer.buildWithScope(
        gatewayLayer(config(emulator.url, { adminToken: Redacted.make(ADMIN_TOKEN), tiers: pricedTiers }), {
          host: "127.0.0.1"
        }),
        scope
      ).pipe(DemoClock.following(() => emulator.now()))
    )
    base = HttpServer.formatAddress(Context.get(context, HttpServer.HttpServer).address)
    browser = await chromium.launch({
      executablePath: executable as string,
      args: ["--headless", "--no-sandbox", "--disable-gpu"],
      timeout: 30_000
    })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
    await emulator?.stop()
  }, 30_000)

  const open = async (
    options: { readonly width?: number; readonly height?: number; readonly dark?: boolean } = {}
  ): Promise<Page> => {
    const page = await browser.newPage({
      viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
      colorScheme: options.dark === true ? "dark" : "light",
      locale: "en-US",
      timezoneId: "UTC"
    })
    page.setDefaultTimeout(waitMs)
    page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`))
    page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`))
    page.on("request", (r) => requested.push(r.url()))
    return page
  }

  const search = async (q: string, key = TEAM_A_KEY) => {
    const r = await fetch(`${base}/v7.0/search?q=${encodeURIComponent(q)}`, {
      headers: { "Ocp-Apim-Subscription-Key": key },
      signal: AbortSignal.timeout(10_000)
    })
    await r.arrayBuffer()
    return r.status
  }

  const text = (page: Page, selector: string) => page.locator(selector).first().innerText()

  /** Pixels of `colour` (a CSS colour of the page) on each usage chart's canvas, by tier/window. */
  const inkedPixels = (page: Page, variable: string) =>
    page.evaluate((name) => {
      const probe = document.createElement("span")
      probe.style.color = getComputedStyle(document.documentElement).getPropertyValue(name)
      document.body.append(probe)
      const [r, g, b] = getComputedStyle(probe).color.match(/\d+/g)!.map(Number)
      probe.remove()
      const counts: Record<string, number> = {}
      for (const host of document.querySelectorAll<HTMLElement>("[data-chart]")) {
        const canvas = host.querySelector("canvas")!
        const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data
        let n = 0
        for (let i = 0; i < data.length; i += 4) {
          if (
            Math.abs(data[i]! - r!) < 24 && Math.abs(data[i + 1]! - g!) < 24 && Math.abs(data[i + 2]! - b!) < 24 &&
            data[i + 3]! > 200
          ) n++
        }
        counts[host.dataset["chart"]!] = n
      }
      return counts
    }, variable)

  it("answers the page and its files with their types, caching and a strict CSP", async () => {
    const page = await fetch(`${base}/_gateway/`, { signal: AbortSignal.timeout(5_000) })
    const html = await page.text()
    expect(page.status).toBe(200)
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8")
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'")
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'")
    expect(page.headers.get("cache-control")).toBe("no-cache")
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)/) // no inline script
    const js = html.match(/"(assets\/dashboard\.js\?v=[0-9a-f]{16})"/)?.[1]
    expect(js).toBeDefined()
    const asset = await fetch(`${base}/_gateway/${js}`, { signal: AbortSignal.timeout(5_000) })
    expect(asset.status).toBe(200)
    expect(asset.headers.get("content-type")).toBe("text/javascript; charset=utf-8")
    expect(asset.headers.get("cache-control")).toContain("immutable")
    const etag = asset.headers.get("etag")!
    const again = await fetch(`${base}/_gateway/${js}`, {
      headers: { "if-none-match": etag },
      signal: AbortSignal.timeout(5_000)
    })
    expect(again.status).toBe(304)
    const unknown = await fetch(`${base}/_gateway/assets/..%2Fpackage.json`, { signal: AbortSignal.timeout(5_000) })
    expect(unknown.status).toBe(404)
  })

  it("asks for the token, refuses a wrong one, and opens with the right one", async () => {
    const page = await open()
    await page.goto(`${base}/_gateway/`)
    await page.locator("#login").waitFor({ state: "visible" })
    await page.fill("#token", "not-the-token")
    await page.click("#login button[type=submit]")
    await page.locator("#login-error", { hasText: "refused" }).waitFor()
    await page.fill("#token", ADMIN_TOKEN)
    await page.click("#login button[type=submit]")
    await page.locator("body[data-state=live]").waitFor()
    expect(await text(page, "#active-tier")).toBe("S15")
    // the form was never submitted: the token is in no URL the page asked for
    expect(page.url()).toBe(`${base}/_gateway/`)
    await page.close()
  }, 60_000)

  it("shows S15 -> S16 as it happens: the timeline, the active tier, the charts, the usage", async () => {
    const linesBefore = consoleLines.length
    const page = await open()
    await page.goto(`${base}/_gateway/#token=${ADMIN_TOKEN}`)
    await page.locator("body[data-state=live]").waitFor()
    // the token left the address bar at once, and is kept for this tab
    expect(page.url()).toBe(`${base}/_gateway/`)
    expect(await page.evaluate(() => sessionStorage.getItem("bing-gateway.admin-token"))).toBe(ADMIN_TOKEN)

    expect(await text(page, "#active-tier")).toBe("S15")
    expect(await page.locator("#events li[data-kind=switch]").count()).toBe(0)
    expect(await text(page, "[data-tier=S15] .badge")).toBe("active")
    // the gateway's history, with the tiers' prices and nothing spent yet
    expect(await text(page, "#source")).toBe("history (memory store)")
    expect(await text(page, "[data-tier=S16] .price")).toBe("$200.00 per 1,000 transactions (configured)")
    expect(await text(page, "[data-spend='S15/day/soFar']")).toBe("$0.00")
    expect(await text(page, "[data-spend='S16/day/soFar']")).toBe("$0.00")

    // S15 has 5 a day (the emulator's and the gateway's): 5 searches use it up, the next 3 go to S16
    for (let i = 0; i < 5; i++) expect(await search(`before ${i}`)).toBe(200)
    await page.locator("[data-tier=S15] [data-window=day] [data-fact=used]", { hasText: "5 / 5 (100%)" }).waitFor()
    for (let i = 0; i < 2; i++) expect(await search(`after ${i}`)).toBe(200)
    // team-b, the tenant with limits of its own (2 a second, 10 a day), sends one
    expect(await search("from team-b", TEAM_B_KEY)).toBe(200)

    // the switch in the timeline, with its reason; the active tier changed
    const switched = page.locator("#events li[data-kind=switch]", { hasText: "S15 → S16" })
    await switched.waitFor()
    expect(await switched.innerText()).toContain("exhausted")
    await page.locator("#active-tier", { hasText: "S16" }).waitFor()
    expect(await text(page, "[data-tier=S16] .badge")).toBe("active")
    expect(await text(page, "[data-tier=S15] .badge")).toBe("exhausted")
    await page.locator("[data-tier=S16] [data-window=day] [data-fact=used]", { hasText: "3 / 1,000" }).waitFor()
    expect(await text(page, "[data-tier=S15] [data-window=day] [data-fact=forecast]")).toBe("out until the reset")
    // the thresholds on the way, and S15's exhaustion, from the gateway's events
    await page.locator("#events li[data-kind=threshold]", { hasText: "80%" }).waitFor()
    await page.locator("#events li[data-kind=threshold]", { hasText: "95%" }).waitFor()
    expect(await page.locator("#events li[data-kind=exhausted]", { hasText: "S15" }).count()).toBe(1)

    // the spend moved: S15's 5 at $28 per 1,000, S16's 3 at $200, the extra 3 x $0.172 from switching
    await page.locator("[data-spend='S16/day/soFar']", { hasText: "$0.60" }).waitFor()
    expect(await text(page, "[data-spend='S15/day/soFar']")).toBe("$0.14")
    expect(await text(page, "[data-spend='S15/month/soFar']")).toBe("$0.14")
    expect(await text(page, "#spend-note")).toMatch(
      /^From switching to a dearer tier: \$0\.516 today, \$0\.516 this month\.$/
    )
    expect(await text(page, "[data-tier=S15] [data-window=day] [data-fact=reset]")).toMatch(
      /^resets .+ \(in \d+ h \d+ min\)$/
    )

    // the charts have data: several usage points, drawn (the used line's colour is on each canvas)
    const points = await page.locator("[data-chart='tier:S15/day']").getAttribute("data-points")
    expect(Number(points)).toBeGreaterThanOrEqual(2)
    const used = await inkedPixels(page, "--used")
    expect(Object.keys(used).toSorted()).toEqual(["tier:S15/day", "tier:S16/day"])
    for (const [chart, n] of Object.entries(used)) expect(n, `${chart} draws its usage`).toBeGreaterThan(50)
    expect((await inkedPixels(page, "--limit"))["tier:S15/day"]).toBeGreaterThan(50)
    // the tenant with limits
    await page.locator("[data-tenant=team-b] [data-window=day] .value", { hasText: /^1 \/ 10 · resets in/ }).waitFor()

    await mkdir(artifacts, { recursive: true })
    await page.screenshot({ path: `${artifacts}dashboard.png`, fullPage: true })
    if (process.env["UPDATE_SCREENSHOT"] === "1") await copyFile(`${artifacts}dashboard.png`, docsShot)

    // nothing secret on the page, in the address bar or in any URL it asked for
    const html = await page.content()
    for (const secret of secrets) expect(html).not.toContain(secret)
    for (const url of requested) expect(url).not.toContain(ADMIN_TOKEN)
    // the strict CSP held: no refused script or style, no script error
    // no console error at all: no refused script or style (CSP), no script error, no failed request
    expect(consoleLines.slice(linesBefore).filter((l) => /^(error|pageerror)/.test(l))).toEqual([])
    await page.close()
  }, 90_000)

  it("is readable on a phone in the dark: one column, no sideways scrolling, dark colours", async () => {
    const page = await open({ width: 390, height: 844, dark: true })
    await page.goto(`${base}/_gateway/#token=${ADMIN_TOKEN}`)
    await page.locator("body[data-state=live]").waitFor()
    await page.locator("#active-tier", { hasText: "S16" }).waitFor()
    const layout = await page.evaluate(() => ({
      scroll: document.scrollingElement!.scrollWidth,
      width: innerWidth,
      chart: document.querySelector("[data-chart] canvas")!.getBoundingClientRect().width,
      background: getComputedStyle(document.body).backgroundColor
    }))
    expect(layout.scroll).toBeLessThanOrEqual(layout.width)
    expect(layout.chart).toBeGreaterThan(250)
    expect(layout.chart).toBeLessThanOrEqual(layout.width)
    const [r, g, b] = layout.background.match(/\d+/g)!.map(Number)
    expect(r! + g! + b!).toBeLessThan(120)
    await mkdir(artifacts, { recursive: true })
    await page.screenshot({ path: `${artifacts}dashboard-phone-dark.png`, fullPage: true })
    await page.close()
  }, 60_000)

  it(
    "draws a history document as the contract gives it: levels, forecast, prices, events and the spend moving",
    async () => {
      // the page's files as the gateway serves them, and a history that the test moves on by hand
      const files = Dashboard.load()
      const at = Date.UTC(2026, 2, 10, 12, 0, 0)
      const day = { resetsAtMs: Date.UTC(2026, 2, 11), periodStartMs: Date.UTC(2026, 2, 10), thresholds: [0.8, 0.95] }
      const ramp = (to: number) =>
        Array.from({ length: 12 }, (_, i) => [at - (11 - i) * 600_000, Math.round((to * i) / 11)])
      const price = (perThousand: number) => ({ perThousand, currency: "USD", confidence: "documented" })
      const before = {
        at,
        sampleIntervalMs: 10_000,
        historyStore: { name: "memory", available: true },
        tiers: [
          {
            name: "S15",
            active: true,
            price: price(25),
            windows: [{
              window: "day",
              limit: 1000,
              used: 700,
              ...day,
              switchAt: 0.95,
              forecastMs: at + 3_600_000,
              samples: ramp(700)
            }]
          },
          {
            name: "S16",
            active: false,
            price: price(35),
            windows: [{
              window: "day",
              limit: 1000,
              used: 0,
              ...day,
              switchAt: null,
              forecastMs: null,
              samples: ramp(0)
            }]
          }
        ],
        tenants: [],
        events: [],
        spend: {
          currency: "USD",
          tiers: [
            { name: "S15", day: { soFar: 17.5, projected: 25 }, month: { soFar: 17.5, projected: 25 } },
            { name: "S16", day: { soFar: 0, projected: 0 }, month: { soFar: 0, projected: 0 } }
          ],
          fromSwitching: { day: 0, month: 0 }
        }
      }
      const after = {
        ...before,
        at: at + 2_000,
        tiers: [
          {
            ...before.tiers[0]!,
            active: false,
            windows: [{ ...before.tiers[0]!.windows[0]!, used: 950, forecastMs: null }]
          },
          { ...before.tiers[1]!, active: true, windows: [{ ...before.tiers[1]!.windows[0]!, used: 100 }] }
        ],
        events: [
          {
            atMs: at + 1_000,
            kind: "switch",
            from: "S15",
            to: "S16",
            reason: "threshold",
            message: "Switched from S15 to S16: S15 reached the switch threshold (95%)"
          },
          { atMs: at - 60_000, kind: "threshold", tier: "S15", window: "day", threshold: 0.8 }
        ],
        spend: {
          ...before.spend,
          tiers: [before.spend.tiers[0]!, {
            name: "S16",
            day: { soFar: 3.5, projected: 9 },
            month: { soFar: 3.5, projected: 9 }
          }],
          fromSwitching: { day: 1, month: 1 }
        }
      }
      let doc: object = before
      const server = createServer((req, res) => {
        const path = (req.url ?? "/").split("?")[0]!
        const name = path === "/_gateway/" ? "index.html" : path.replace("/_gateway/assets/", "")
        const file = files.get(name)
        if (path === "/_gateway/history") {
          if (req.headers.authorization !== `Bearer ${ADMIN_TOKEN}`) return void res.writeHead(401).end()
          return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(doc))
        }
        if (file === undefined) return void res.writeHead(404).end()
        res.writeHead(200, {
          "content-type": file.contentType,
          "content-security-policy": Dashboard.contentSecurityPolicy
        })
        res.end(file.body)
      })
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
      const page = await open()
      try {
        const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
        await page.goto(`${origin}/_gateway/#token=${ADMIN_TOKEN}`)
        await page.locator("body[data-state=live]").waitFor()
        expect(await text(page, "#active-tier")).toBe("S15")
        expect(await text(page, "#source")).toBe("history (memory store)")
        expect(await text(page, "[data-tier=S15] .price")).toBe("$25.00 per 1,000 transactions (documented)")
        // the chart's levels are in its legend, and the forecast line is drawn
        const legend = await page.locator("[data-tier=S15] [data-window=day] .u-legend").innerText()
        for (const label of ["used", "forecast", "limit", "80%", "95%", "switch at 95%"]) {
          expect(legend).toContain(label)
        }
        expect(await page.locator("[data-tier=S16] [data-window=day] .u-legend").innerText()).not.toContain("switch at")
        expect((await inkedPixels(page, "--forecast"))["tier:S15/day"]).toBeGreaterThan(30)
        expect((await inkedPixels(page, "--switch"))["tier:S15/day"]).toBeGreaterThan(30)
        expect(await text(page, "[data-tier=S15] [data-fact=forecast]")).toBe(
          "runs out 01:00:00 PM (in 1 h 0 min) at the current rate"
        )
        expect(await text(page, "[data-spend='S15/day/soFar']")).toBe("$17.50")
        expect(await text(page, "[data-spend='S16/day/soFar']")).toBe("$0.00")

        doc = after
        await page.locator("#active-tier", { hasText: "S16" }).waitFor()
        await page.locator("[data-spend='S16/day/soFar']", { hasText: "$3.50" }).waitFor()
        expect(await text(page, "[data-spend='S16/day/projected']")).toBe("$9.00")
        expect(await text(page, "#spend-note")).toBe("From switching to a dearer tier: $1.00 today, $1.00 this month.")
        const events = await page.locator("#events li").allInnerTexts()
        expect(events).toHaveLength(2)
        expect(events[0]).toContain("Switched S15 → S16: S15 reached the switch threshold (95%)") // newest first
        expect(events[1]).toContain("S15 day crossed 80%")
      } finally {
        await page.close()
        await new Promise((resolve) => server.close(resolve))
      }
    },
    60_000
  )
})
