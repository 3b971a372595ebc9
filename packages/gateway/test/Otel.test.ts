/**
 * OpenTelemetry export with `config.otel`: a real OTLP/HTTP receiver of our own on 127.0.0.1
 * (a node:http server keeping every POSTed body), the emulator upstream, a plain `fetch` caller.
 * Spans arrive with their names, kinds, parents and attributes, metrics too; no key or token is
 * anywhere in the exported bytes; a dead or silent collector slows no answer and no shutdown.
 */
import { Tier } from "@bing-effect/quota-tracker"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, expect } from "vitest"
import type { Gateway, GatewayConfig } from "../src/index.js"
import { call, config, realSleep, S15_KEY, S16_KEY, secrets, TEAM_A_KEY, useEmulator, withGateway } from "./fixtures.js"

const emu = useEmulator()

const ADMIN_TOKEN = "admin-token-otel-4f0c9a7d21b3"
const COLLECTOR_TOKEN = "collector-token-8e1b55c0d9"
const everySecret = [...secrets, ADMIN_TOKEN]

interface Post {
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

type Mode = "ok" | "silent"

interface Collector {
  readonly url: string
  mode: Mode
  readonly posts: Array<Post>
  /** POSTs whose connection the exporter closed before any answer (its timeout). */
  aborted: number
  stop(): Promise<void>
}

const startCollector = async (): Promise<Collector> => {
  const held: Array<ServerResponse> = []
  const collector: Collector = {
    url: "",
    mode: "ok",
    posts: [],
    aborted: 0,
    stop: () => Promise.resolve()
  }
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      collector.posts.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) })
      if (collector.mode === "silent") {
        held.push(res)
        res.on("close", () => {
          if (!res.writableEnded) collector.aborted++
        })
        return
      }
      res.writeHead(200, { "content-type": String(req.headers["content-type"] ?? "application/json") }).end("{}")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(collector, {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  })
}

/** A port nothing listens on: a collector that is down. */
const deadPort = async (): Promise<number> => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

let collector: Collector
beforeAll(async () => {
  collector = await startCollector()
})
afterAll(async () => {
  await collector.stop()
})

const asTeamA = { headers: { "Ocp-Apim-Subscription-Key": TEAM_A_KEY } }

/** The gateway's S15 allows more than the emulator's (5 a day), so the 6th search fails over S15 -> S16 upstream. */
const otelConfig = (otel: Partial<GatewayConfig.Otel> = {}): GatewayConfig.GatewayConfig =>
  config(emu.current.url, {
    tiers: [
      Tier.make({ name: "S15", key: Redacted.make(S15_KEY), limits: { perDay: 100 } }),
      Tier.make({ name: "S16", key: Redacted.make(S16_KEY), limits: { perDay: 1_000 } })
    ],
    adminToken: Redacted.make(ADMIN_TOKEN),
    otel: {
      endpoint: collector.url,
      serviceName: "gw-otel-test",
      headers: { authorization: Redacted.make(`Bearer ${COLLECTOR_TOKEN}`) },
      ...otel
    }
  })

const fast: Gateway.NodeOptions = {
  otel: { exportInterval: "100 millis", exportTimeout: "300 millis", shutdownTimeout: "500 millis" }
}

interface Span {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string | undefined
  readonly name: string
  readonly kind: number
  readonly status: { readonly code: number }
  readonly attributes: ReadonlyArray<{ readonly key: string; readonly value: Record<string, unknown> }>
}

const spansOf = (posts: ReadonlyArray<Post>): Array<Span> =>
  posts.filter((p) => p.path === "/v1/traces").flatMap((p) =>
    (JSON.parse(p.body.toString("utf8")) as {
      resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Span> }> }>
    }).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))
  )

const attrs = (span: Span): Record<string, unknown> =>
  Object.fromEntries(span.attributes.map((a) => [a.key, Object.values(a.value)[0]]))

const waitFor = (check: () => boolean, ms = 5_000) =>
  Effect.gen(function*() {
    for (let waited = 0; waited < ms && !check(); waited += 50) yield* realSleep(50)
    assert.isTrue(check(), "the collector received what was expected in time")
  })

describe("OpenTelemetry export (OTLP/HTTP)", () => {
  it.live("server spans with the client's forward and attempt spans beneath, metrics, and no secret", () =>
    Effect.gen(function*() {
      const start = collector.posts.length
      const parentTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
      const parentSpan = "00f067aa0ba902b7"
      yield* withGateway(otelConfig(), (base) =>
        Effect.gen(function*() {
          const first = yield* call(`${base}/v7.0/search?q=sailing&count=2`, {
            headers: { ...asTeamA.headers, traceparent: `00-${parentTrace}-${parentSpan}-01` }
          })
          assert.strictEqual(first.status, 200)
          const byQuery = yield* call(`${base}/bing/v7.0/images/search?q=boats&subscription-key=${TEAM_A_KEY}`)
          assert.strictEqual(byQuery.status, 200)
          assert.strictEqual(
            (yield* call(`${base}/v7.0/custom/search?q=x`, asTeamA)).status,
            404,
            "the upstream's own 404, passed on"
          )
          assert.strictEqual((yield* call(`${base}/v7.0/search?q=nokey`)).status, 401)
          assert.strictEqual(
            (yield* call(`${base}/_gateway/status`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status,
            200
          )
          // the emulator's S15 allows 5 a day (its 404 not counted): 2 used, 3 more, then the 6th is refused by it and served by S16
          for (let i = 0; i < 4; i++) {
            assert.strictEqual((yield* call(`${base}/v7.0/search?q=more`, asTeamA)).status, 200)
          }
          yield* waitFor(() => spansOf(collector.posts.slice(start)).length >= 9)
        }), fast)
      // the layer is released: the exporters flushed what was left
      const posts = collector.posts.slice(start)
      const spans = spansOf(posts)
      const servers = spans.filter((s) => s.kind === 2)
      assert.strictEqual(servers.length, 9, "one server span per request")

      const root = servers.find((s) => s.traceId === parentTrace)!
      assert.strictEqual(root.name, "GET /v7.0/search")
      assert.strictEqual(root.parentSpanId, parentSpan, "the caller's traceparent is the parent")
      expect(attrs(root)).toMatchObject({
        "http.request.method": "GET",
        "http.route": "/v7.0/search",
        "url.path": "/v7.0/search",
        "http.response.status_code": 200,
        "gateway.route": "search",
        "gateway.outcome": "served",
        "gateway.tenant": "team-a",
        "bing.tier": "S15"
      })
      const forward = spans.find((s) => s.parentSpanId === root.spanId)!
      assert.strictEqual(forward.name, "BingClient.forward")
      expect(attrs(forward)).toMatchObject({ "bing.status": 200, "bing.attempts": 1, "bing.tier": "S15" })
      const attempt = spans.find((s) => s.parentSpanId === forward.spanId)!
      assert.strictEqual(attempt.name, "BingClient.forward.attempt")
      assert.strictEqual(attempt.kind, 3, "a client span")
      expect(attrs(attempt)).toMatchObject({
        "bing.tier": "S15",
        "http.response.status_code": 200,
        "server.address": "127.0.0.1",
        "url.path": "/v7.0/search"
      })

      const images = servers.find((s) => s.name === "GET /v7.0/images/search")!
      expect(attrs(images)).toMatchObject({ "url.path": "/bing/v7.0/images/search", "gateway.tenant": "team-a" })
      const news = servers.find((s) => s.name === "GET /v7.0/*")!
      expect(attrs(news)).toMatchObject({ "gateway.route": "forward", "url.path": "/v7.0/custom/search" })
      const refused = servers.find((s) => attrs(s)["http.response.status_code"] === 401)!
      expect(attrs(refused)).toMatchObject({ "gateway.outcome": "unauthorized", "gateway.tenant": "none" })
      assert.isUndefined(spans.find((s) => s.parentSpanId === refused.spanId), "nothing sent upstream")
      const status = servers.find((s) => s.name === "GET /_gateway/status")!
      expect(attrs(status)).toMatchObject({ "gateway.route": "ops", "http.response.status_code": 200 })

      // the failover: one forward span, two attempts (S15 refused by the upstream, S16 served)
      const failover = spans.find((s) => s.name === "BingClient.forward" && attrs(s)["bing.attempts"] === 2)!
      expect(attrs(failover)).toMatchObject({ "bing.tier": "S16", "bing.status": 200 })
      const tries = spans.filter((s) => s.parentSpanId === failover.spanId).map((s) => [
        attrs(s)["bing.tier"],
        attrs(s)["http.response.status_code"]
      ])
      assert.deepStrictEqual(tries, [["S15", 403], ["S16", 200]])
      const failoverServer = servers.find((s) => s.spanId === failover.parentSpanId)!
      expect(attrs(failoverServer)).toMatchObject({ "bing.tier": "S16", "http.response.status_code": 200 })

      // no query string, no header in any span
      for (const span of spans) {
        for (const key of Object.keys(attrs(span))) {
          assert.isFalse(key.startsWith("url.query") || key === "url.full" || key.includes(".header."), key)
        }
      }

      // metrics: the requests counter by route, status, tenant and outcome
      const metrics = posts.filter((p) => p.path === "/v1/metrics").map((p) => p.body.toString("utf8"))
      assert.isAbove(metrics.length, 0)
      const last = JSON.parse(metrics.at(-1)!) as {
        resourceMetrics: Array<{
          scopeMetrics: Array<{
            metrics: Array<{ name: string; sum?: { dataPoints: Array<Record<string, any>> } }>
          }>
        }>
      }
      const all = last.resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics))
      const requests = all.find((m) => m.name === "bing_gateway_requests_total")!
      const point = requests.sum!.dataPoints.find((d) =>
        JSON.stringify(d.attributes).includes("\"route\"") &&
        d.attributes.some((a: any) => a.key === "route" && a.value.stringValue === "search") &&
        d.attributes.some((a: any) => a.key === "status" && a.value.stringValue === "200")
      )!
      assert.strictEqual(point.asDouble, 5)
      assert.isDefined(all.find((m) => m.name === "bing_gateway_upstream_latency_seconds"))
      assert.isDefined(all.find((m) => m.name === "bing_gateway_request_duration_seconds"))

      // every POST carried the collector's header and the service name; no secret in any byte
      for (const post of posts) {
        assert.strictEqual(post.headers["authorization"], `Bearer ${COLLECTOR_TOKEN}`)
        assert.match(String(post.headers["content-type"]), /application\/json/)
      }
      const exported = Buffer.concat(posts.map((p) => p.body)).toString("utf8")
      assert.include(exported, "gw-otel-test")
      for (const secret of [...everySecret, COLLECTOR_TOKEN]) expect(exported).not.toContain(secret)
      expect(exported.toLowerCase()).not.toContain("subscription-key")
      expect(exported).not.toContain("q=boats")
    }))

  it.live("protobuf: the same spans as application/x-protobuf, no secret in the bytes", () =>
    Effect.gen(function*() {
      const start = collector.posts.length
      yield* withGateway(otelConfig({ protocol: "http/protobuf" }), (base) =>
        Effect.gen(function*() {
          assert.strictEqual((yield* call(`${base}/v7.0/search?q=x&subscription-key=${TEAM_A_KEY}`)).status, 200)
          yield* waitFor(() => collector.posts.slice(start).some((p) => p.path === "/v1/traces"))
        }), fast)
      const posts = collector.posts.slice(start)
      for (const post of posts) assert.strictEqual(post.headers["content-type"], "application/x-protobuf")
      const bytes = Buffer.concat(posts.map((p) => p.body))
      for (
        const name of [
          "GET /v7.0/search",
          "BingClient.forward",
          "BingClient.forward.attempt",
          "bing_gateway_requests_total"
        ]
      ) {
        assert.isTrue(bytes.includes(name), name)
      }
      for (const secret of everySecret) assert.isFalse(bytes.includes(secret))
      assert.isFalse(bytes.includes("subscription-key"))
    }))

  it.live("a dead collector: answers as fast as ever, the gateway stops in bounded time", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(deadPort)
      const started = Date.now()
      yield* withGateway(otelConfig({ endpoint: `http://127.0.0.1:${port}` }), (base) =>
        Effect.gen(function*() {
          for (let i = 0; i < 10; i++) {
            const before = Date.now()
            assert.strictEqual((yield* call(`${base}/v7.0/search?q=n${i}`, asTeamA)).status, 200)
            assert.isBelow(Date.now() - before, 500)
            yield* realSleep(30)
          }
        }), fast)
      assert.isBelow(Date.now() - started, 5_000)
    }))

  it.live("a collector that never answers: each POST is given up after the export timeout, answers stay fast", () =>
    Effect.gen(function*() {
      const start = collector.posts.length
      collector.mode = "silent"
      collector.aborted = 0
      try {
        const slowest: Array<number> = []
        const stopped = yield* withGateway(otelConfig(), (base) =>
          Effect.gen(function*() {
            for (let i = 0; i < 10; i++) {
              const before = Date.now()
              assert.strictEqual((yield* call(`${base}/v7.0/search?q=n${i}`, asTeamA)).status, 200)
              slowest.push(Date.now() - before)
              yield* realSleep(50)
            }
            yield* waitFor(() => collector.aborted >= 1, 3_000)
            return Date.now()
          }), fast)
        assert.isBelow(Math.max(...slowest), 500)
        // released within the shutdown timeout (500 ms) and some slack, not held by the silent collector
        assert.isBelow(Date.now() - stopped, 2_000)
        // the exporter paused after its failures instead of posting every interval
        assert.isBelow(collector.posts.length - start, 6)
      } finally {
        collector.mode = "ok"
      }
    }))
})
