import { QuotaStore } from "@bing-effect/quota-tracker"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import parsePrometheusTextFormat from "parse-prometheus-text-format"
import type { RequestRecord } from "../src/internal/observe.js"
import * as Prometheus from "../src/internal/prometheus.js"
import * as QuotaMetrics from "../src/internal/quotaMetrics.js"
import * as RequestMetrics from "../src/internal/requestMetrics.js"
import { readExposition, valueOf } from "./exposition.js"
import { secrets, trackers, utc } from "./support.js"

const record = (overrides: Partial<RequestRecord> = {}): RequestRecord => ({
  route: "search",
  method: "GET",
  path: "/v7.0/search",
  status: 200,
  outcome: "served",
  tenant: "team-a",
  tier: "S15",
  traceId: "trace-1",
  durationMs: 3.2,
  upstreamMs: 2.5,
  ...overrides
})

describe("Prometheus.render", () => {
  it("escapes backslash, double quote and line feed in label values, and only those", () => {
    const text = Prometheus.render([{
      name: "x_total",
      help: "a \\ help\nline with \"quotes\"",
      type: "counter",
      samples: [{ labels: [["v", "C:\\dir \"q\"\nnext {a=b},'"]], value: 1 }]
    }])
    assert.strictEqual(
      text,
      "# HELP x_total a \\\\ help\\nline with \"quotes\"\n" +
        "# TYPE x_total counter\n" +
        "x_total{v=\"C:\\\\dir \\\"q\\\"\\nnext {a=b},'\"} 1\n"
    )
    // a scraper reads back the original value
    const read = readExposition(text)
    assert.strictEqual(read.get("x_total")?.samples[0]?.labels.v, "C:\\dir \"q\"\nnext {a=b},'")
    const parsed = parsePrometheusTextFormat(text)
    assert.strictEqual(parsed[0]?.metrics[0]?.labels?.v, "C:\\dir \"q\"\nnext {a=b},'")
  })

  it("spells infinities and NaN as Go's ParseFloat reads them", () => {
    assert.deepStrictEqual(
      [Infinity, -Infinity, Number.NaN, 0.005, 1e21, 12].map(Prometheus.formatValue),
      ["+Inf", "-Inf", "NaN", "0.005", "1e+21", "12"]
    )
  })

  it("makes histogram buckets cumulative, with le inclusive and +Inf equal to the count", () => {
    const h = new Prometheus.Histogram([0.005, 0.1, 1])
    for (const v of [0.001, 0.005, 0.05, 0.2, 30]) h.observe(v)
    const text = Prometheus.render([{
      name: "lat_seconds",
      help: "h",
      type: "histogram",
      samples: h.samples([["route", "search"]])
    }])
    assert.strictEqual(
      text,
      [
        "# HELP lat_seconds h",
        "# TYPE lat_seconds histogram",
        "lat_seconds_bucket{route=\"search\",le=\"0.005\"} 2",
        "lat_seconds_bucket{route=\"search\",le=\"0.1\"} 3",
        "lat_seconds_bucket{route=\"search\",le=\"1\"} 4",
        "lat_seconds_bucket{route=\"search\",le=\"+Inf\"} 5",
        "lat_seconds_sum{route=\"search\"} 30.256",
        "lat_seconds_count{route=\"search\"} 5",
        ""
      ].join("\n")
    )
    readExposition(text)
    const parsed = parsePrometheusTextFormat(text)
    assert.deepStrictEqual(parsed[0]?.metrics[0]?.buckets, { "0.005": "2", "0.1": "3", "1": "4", "+Inf": "5" })
  })

  it("the strict reader rejects what a scraper would (so passing it means something)", () => {
    const bad = [
      "# TYPE a gauge\n# TYPE a gauge\na 1\n", // second TYPE
      "# TYPE a gauge\na{l=\"x\\t\"} 1\n", // bad escape
      "# TYPE a gauge\na{l=\"x\"} 1\n# TYPE b gauge\nb 1\na{l=\"y\"} 1\n", // family split
      "# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n", // not cumulative
      "# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_sum 1\nh_count 3\n", // no +Inf
      "# TYPE c counter\nc 1\n", // counter without _total
      "# TYPE a gauge\na 1", // no final line feed
      "# TYPE a gauge\na 1\na 2\n" // duplicate series
    ]
    for (const text of bad) assert.throws(() => readExposition(text), undefined, undefined, text)
  })
})

describe("RequestMetrics", () => {
  it("counts answers by route, status, tenant and outcome, with tenants bounded to the configured clients", () => {
    const metrics = RequestMetrics.make(new Set(["team-a", "team-b"]))
    metrics.observe(record())
    metrics.observe(record())
    metrics.observe(record({ tenant: "team-b", status: 429, outcome: "tenant-limited", upstreamMs: undefined }))
    metrics.observe(record({ tenant: undefined, status: 401, outcome: "unauthorized", upstreamMs: undefined }))
    // a caller-controlled value cannot make a series of its own
    for (let i = 0; i < 500; i++) {
      metrics.observe(record({ tenant: `guess-${i}`, status: 401, outcome: "unauthorized", upstreamMs: undefined }))
    }
    metrics.observe(record({ route: "bogus" as never, status: 1234, outcome: "nope" as never, upstreamMs: undefined }))
    const read = readExposition(Prometheus.render(metrics.families()))
    const requests = RequestMetrics.names.requests
    const labels = (route: string, status: string, tenant: string, outcome: string) => ({
      route,
      status,
      tenant,
      outcome
    })
    assert.strictEqual(valueOf(read, requests, labels("search", "200", "team-a", "served")), 2)
    assert.strictEqual(valueOf(read, requests, labels("search", "429", "team-b", "tenant-limited")), 1)
    assert.strictEqual(valueOf(read, requests, labels("search", "401", "none", "unauthorized")), 1)
    assert.strictEqual(valueOf(read, requests, labels("search", "401", "unknown", "unauthorized")), 500)
    assert.strictEqual(valueOf(read, requests, labels("unknown", "unknown", "team-a", "unknown")), 1)
    assert.strictEqual(read.get(requests)?.samples.length, 5)
  })

  it("observes upstream latency in seconds, per route, only for answers that went upstream", () => {
    const metrics = RequestMetrics.make(new Set())
    metrics.observe(record({ upstreamMs: 4 })) // 0.004 s: first bucket
    metrics.observe(record({ upstreamMs: 300 })) // 0.3 s
    metrics.observe(record({ route: "forward", upstreamMs: 12_000 })) // past every bound
    metrics.observe(record({ upstreamMs: undefined }))
    const read = readExposition(Prometheus.render(metrics.families()))
    const name = RequestMetrics.names.upstreamLatency
    const bucket = (route: string, le: string) => valueOf(read, name, { route, le }, `${name}_bucket`)
    assert.strictEqual(bucket("search", "0.005"), 1)
    assert.strictEqual(bucket("search", "0.25"), 1)
    assert.strictEqual(bucket("search", "0.5"), 2)
    assert.strictEqual(bucket("search", "+Inf"), 2)
    assert.strictEqual(valueOf(read, name, { route: "search" }, `${name}_count`), 2)
    assert.strictEqual(valueOf(read, name, { route: "search" }, `${name}_sum`), 0.304)
    assert.strictEqual(bucket("forward", "10"), 0)
    assert.strictEqual(bucket("forward", "+Inf"), 1)
  })
})

describe("QuotaMetrics", () => {
  it.effect("exposes every tier's windows, flags, the store mode and tenants from real trackers", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(utc("2026-03-10T12:00:00Z"))
      const store = yield* QuotaStore.makeMemory
      const { tenants, tiers } = yield* trackers(store, { s15: { perSecond: 50, perDay: 3 }, s16: { perDay: 1000 } })
      for (let i = 0; i < 4; i++) yield* tiers.acquire() // S15's day runs out on the 3rd: the 4th goes to S16
      yield* tenants.get("team-a")!.acquire({ weight: 7 })
      const snapshot: QuotaMetrics.QuotaSnapshot = {
        tiers: yield* tiers.status,
        tenants: [{ name: "team-a", status: yield* tenants.get("team-a")!.status }, {
          name: "team-b",
          status: undefined
        }],
        switches: [{ from: "S15", to: "S16", reason: "exhausted", count: 1 }]
      }
      const text = Prometheus.render(QuotaMetrics.families(snapshot))
      const read = readExposition(text)
      const n = QuotaMetrics.names
      const midnight = utc("2026-03-11T00:00:00Z") / 1000
      assert.strictEqual(valueOf(read, n.up, {}), 1)
      assert.strictEqual(valueOf(read, n.used, { tier: "S15", window: "day" }), 3)
      assert.strictEqual(valueOf(read, n.limit, { tier: "S15", window: "day" }), 3)
      assert.strictEqual(valueOf(read, n.remaining, { tier: "S15", window: "day" }), 0)
      assert.strictEqual(valueOf(read, n.resetsAt, { tier: "S15", window: "day" }), midnight)
      assert.strictEqual(valueOf(read, n.used, { tier: "S16", window: "day" }), 1)
      assert.strictEqual(valueOf(read, n.limit, { tier: "S15", window: "second" }), 50)
      assert.strictEqual(valueOf(read, n.active, { tier: "S15" }), 0)
      assert.strictEqual(valueOf(read, n.active, { tier: "S16" }), 1)
      assert.strictEqual(valueOf(read, n.exhausted, { tier: "S15" }), 1)
      assert.strictEqual(valueOf(read, n.held, { tier: "S15" }), 0)
      assert.strictEqual(valueOf(read, n.switches, { from: "S15", to: "S16", reason: "exhausted" }), 1)
      assert.strictEqual(valueOf(read, n.storeMode, { store: "memory", mode: "primary" }), 1)
      assert.strictEqual(valueOf(read, n.storeMode, { store: "memory", mode: "fallback" }), 0)
      assert.strictEqual(valueOf(read, n.tenantUp, { tenant: "team-a" }), 1)
      assert.strictEqual(valueOf(read, n.tenantUp, { tenant: "team-b" }), 0)
      assert.strictEqual(valueOf(read, n.tenantUsed, { tenant: "team-a", window: "day" }), 7)
      assert.strictEqual(valueOf(read, n.tenantRemaining, { tenant: "team-a", window: "day" }), 93)
      assert.strictEqual(valueOf(read, n.tenantResetsAt, { tenant: "team-a", window: "day" }), midnight)
      assert.strictEqual(valueOf(read, n.tenantExhausted, { tenant: "team-a" }), 0)
      // tenants stay out of the tier families, so sum by tier counts Bing's quota only
      assert.isTrue(read.get(n.used)!.samples.every((s) => s.labels.tier === "S15" || s.labels.tier === "S16"))
      // each window's forecast: S15's day ran out now, at the tracker's clock
      const forecast = valueOf(read, n.forecast, { tier: "S15", window: "day" })
      assert.isDefined(forecast)
      assert.isAtMost(forecast!, midnight)
      for (const secret of Object.values(secrets)) assert.notInclude(text, secret)
      // what a scraper library makes of it: one family per TYPE, the same values
      const parsed = parsePrometheusTextFormat(text)
      assert.strictEqual(parsed.length, read.size)
      assert.strictEqual(new Set(parsed.map((f) => f.name)).size, parsed.length)
      const used = parsed.find((f) => f.name === n.used)
      assert.strictEqual(used?.type, "GAUGE")
      assert.deepInclude(used?.metrics ?? [], { value: "3", labels: { tier: "S15", window: "day" } })
    }))

  it("without an answer from the store: up is 0 and no stale tier or tenant series", () => {
    const text = Prometheus.render(
      QuotaMetrics.families({ tiers: undefined, tenants: [{ name: "team-a", status: undefined }], switches: [] })
    )
    const read = readExposition(text)
    assert.strictEqual(valueOf(read, QuotaMetrics.names.up, {}), 0)
    assert.strictEqual(valueOf(read, QuotaMetrics.names.tenantUp, { tenant: "team-a" }), 0)
    const series = [...read.values()].flatMap((f) => f.samples).length
    assert.strictEqual(series, 2)
    // every family still has its HELP and TYPE, so dashboards see the names
    assert.strictEqual(read.size, Object.keys(QuotaMetrics.names).length)
  })
})
