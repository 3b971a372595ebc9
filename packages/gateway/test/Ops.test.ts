import { QuotaError, QuotaStore } from "@bing-effect/quota-tracker"
import { NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Context, Deferred, Effect, Fiber, Layer, Redacted } from "effect"
import type { Scope } from "effect"
import { HttpServer, HttpServerRequest, HttpServerResponse } from "effect/http"
import { TestClock } from "effect/testing"
import { createServer } from "node:http"
import parsePrometheusTextFormat from "parse-prometheus-text-format"
import type { RequestRecord } from "../src/internal/observe.js"
import * as Ops from "../src/internal/ops.js"
import { names as quotaNames } from "../src/internal/quotaMetrics.js"
import { names as requestNames } from "../src/internal/requestMetrics.js"
import { readExposition, valueOf } from "./exposition.js"
import { freezableStore, secrets, trackers, utc } from "./support.js"

/**
 * Serves `ops.handle` on 127.0.0.1 (a random port) for the rest of the scope; any path the ops
 * side leaves alone gets 418, so a test can tell "not ours" from the ops side's own 404.
 */
const serve = (ops: Ops.Ops): Effect.Effect<string, never, Scope.Scope> =>
  Effect.gen(function*() {
    // built in the caller's scope, so the server listens until the test ends
    const context = yield* Layer.build(NodeHttpServer.layerServer(createServer, { port: 0, host: "127.0.0.1" }))
    const app = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
      ops.handle(request) ?? Effect.succeed(HttpServerResponse.text("not an ops route", { status: 418 })))
    yield* HttpServer.serveEffect()(app).pipe(Effect.provide(context))
    return HttpServer.formatAddress(Context.get(context, HttpServer.HttpServer).address)
  }).pipe(Effect.orDie)

interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly body: string
}

const call = (url: string, init?: RequestInit): Effect.Effect<Answer> =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, headers: response.headers, body: await response.text() }
  })

// The same handler without a socket, where a test must step the TestClock between request and answer.
const handleWeb = (ops: Ops.Ops, path: string): Effect.Effect<Answer> => {
  const answer = ops.handle(HttpServerRequest.fromWeb(new Request(`http://127.0.0.1${path}`)))
  if (answer === undefined) return Effect.die(`${path} is not an ops route`)
  return Effect.flatMap(answer, (response) =>
    Effect.promise(async () => {
      const web = HttpServerResponse.toWeb(response)
      return { status: web.status, headers: web.headers, body: await web.text() }
    }))
}

const settle = Effect.gen(function*() {
  for (let i = 0; i < 20; i++) yield* Effect.yieldNow
})

const noSecretIn = (text: string) => {
  for (const secret of Object.values(secrets)) assert.notInclude(text, secret)
}

const record = (overrides: Partial<RequestRecord> = {}): RequestRecord => ({
  route: "search",
  method: "GET",
  path: "/v7.0/search",
  status: 200,
  outcome: "served",
  tenant: "team-a",
  tier: "S15",
  traceId: "t-1",
  durationMs: 4,
  upstreamMs: 3,
  ...overrides
})

// Ops over real trackers on one memory store (or the given one), logging into `lines`.
const setup = (options: {
  readonly adminToken?: string | undefined
  readonly store?: QuotaStore.Service | undefined
  readonly clients?: ReadonlyArray<string> | undefined
} = {}) =>
  Effect.gen(function*() {
    const store = options.store ?? (yield* QuotaStore.makeMemory)
    const { tenants, tiers } = yield* trackers(store, { s15: { perSecond: 100, perDay: 2 }, s16: { perDay: 100 } })
    const lines: Array<string> = []
    const ops = yield* Ops.make({
      tiers,
      tenants,
      adminToken: options.adminToken === undefined ? undefined : Redacted.make(options.adminToken),
      log: (line) => Effect.sync(() => lines.push(line)),
      clients: options.clients
    })
    return { ops, tiers, tenants, lines }
  })

describe("Ops.handle over HTTP", () => {
  it.effect("healthz, readyz, 405 for other methods, 404 under /_gateway/, nothing elsewhere", () =>
    Effect.gen(function*() {
      const { ops } = yield* setup()
      const base = yield* serve(ops)
      const healthz = yield* call(`${base}/_gateway/healthz`)
      assert.deepStrictEqual([healthz.status, JSON.parse(healthz.body)], [200, { status: "ok" }])
      assert.include(healthz.headers.get("content-type"), "application/json")
      const readyz = yield* call(`${base}/_gateway/readyz`)
      assert.deepStrictEqual([readyz.status, JSON.parse(readyz.body)], [200, {
        status: "ready",
        store: "memory",
        storeMode: "primary"
      }])
      for (const path of ["/_gateway/healthz", "/_gateway/readyz", "/metrics"]) {
        for (const method of ["POST", "PUT", "DELETE"]) {
          const answer = yield* call(`${base}${path}`, { method })
          assert.strictEqual(answer.status, 405, `${method} ${path}`)
          assert.strictEqual(answer.headers.get("allow"), "GET")
        }
      }
      assert.strictEqual((yield* call(`${base}/_gateway/nope`)).status, 404)
      assert.strictEqual((yield* call(`${base}/_gateway/healthz/extra`)).status, 404)
      for (const path of ["/v7.0/search?q=x", "/metricsx", "/_gatewayx/healthz", "/bing/v7.0/metrics"]) {
        assert.strictEqual((yield* call(`${base}${path}`)).status, 418, path)
      }
      // a query does not change the route
      assert.strictEqual((yield* call(`${base}/_gateway/healthz?probe=1`)).status, 200)
    }))

  it.effect("/_gateway/status: the document for the admin bearer token only, 401 otherwise", () =>
    Effect.gen(function*() {
      const { ops, tiers } = yield* setup({ adminToken: secrets.admin })
      for (let i = 0; i < 3; i++) yield* tiers.acquire() // S15 (limit 2 a day) runs out: a switch to S16
      yield* settle
      const base = yield* serve(ops)
      const url = `${base}/_gateway/status`
      const refused = [
        undefined,
        "Bearer",
        "Bearer wrong-token",
        `Bearer ${secrets.admin.slice(0, -1)}`,
        `Bearer ${secrets.admin}x`,
        `Basic ${secrets.admin}`,
        `Bearer ${secrets.admin} extra`,
        secrets.admin
      ]
      for (const authorization of refused) {
        const answer = yield* call(url, authorization === undefined ? {} : { headers: { authorization } })
        assert.strictEqual(answer.status, 401, String(authorization))
        assert.deepStrictEqual(JSON.parse(answer.body), { error: "unauthorized" })
        assert.strictEqual(answer.headers.get("www-authenticate"), "Bearer realm=\"bing-gateway\"")
        assert.notInclude(answer.body, secrets.admin)
      }
      for (const authorization of [`Bearer ${secrets.admin}`, `bearer ${secrets.admin}`]) {
        const answer = yield* call(url, { headers: { authorization } })
        assert.strictEqual(answer.status, 200)
        assert.strictEqual(answer.headers.get("cache-control"), "no-store")
        const doc = JSON.parse(answer.body)
        assert.strictEqual(doc.activeTier, "S16")
        assert.deepStrictEqual(doc.tiers.map((t: { name: string }) => t.name), ["S15", "S16"])
        assert.deepStrictEqual(doc.tenants.map((t: { name: string }) => t.name), ["team-a"])
        assert.deepStrictEqual(doc.switches.map((s: { from: string; to: string }) => [s.from, s.to]), [["S15", "S16"]])
        noSecretIn(answer.body)
      }
      const post = yield* call(url, { method: "POST", headers: { authorization: `Bearer ${secrets.admin}` } })
      assert.strictEqual(post.status, 405)
    }))

  it.effect("/_gateway/status without an admin token configured: 404, whatever is sent", () =>
    Effect.gen(function*() {
      const { ops } = yield* setup()
      const base = yield* serve(ops)
      for (const init of [{}, { headers: { authorization: "Bearer anything" } }, { method: "POST" }]) {
        const answer = yield* call(`${base}/_gateway/status`, init)
        assert.strictEqual(answer.status, 404)
        assert.deepStrictEqual(JSON.parse(answer.body), { error: "not found" })
      }
    }))

  it.effect("/metrics: Prometheus text a scraper reads, with the recorded answers and the trackers' gauges", () =>
    Effect.gen(function*() {
      const { ops, tiers } = yield* setup({ adminToken: secrets.admin, clients: ["team-a", "team-b"] })
      yield* ops.record(record())
      yield* ops.record(record({ tenant: "team-b", tier: "S16", upstreamMs: 250 }))
      yield* ops.record(
        record({ tenant: undefined, tier: undefined, status: 401, outcome: "unauthorized", upstreamMs: undefined })
      )
      yield* ops.record(record({ tenant: "intruder", status: 401, outcome: "unauthorized", upstreamMs: undefined }))
      yield* ops.record(
        record({ route: "ops", path: "/metrics", tier: undefined, tenant: undefined, upstreamMs: undefined })
      )
      for (let i = 0; i < 3; i++) yield* tiers.acquire()
      yield* settle
      const base = yield* serve(ops)
      const answer = yield* call(`${base}/metrics?name[]=up`) // scrapers may add parameters
      assert.strictEqual(answer.status, 200)
      assert.strictEqual(answer.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8")
      const read = readExposition(answer.body)
      const requests = (route: string, status: string, tenant: string, outcome: string) =>
        valueOf(read, requestNames.requests, { route, status, tenant, outcome })
      assert.strictEqual(requests("search", "200", "team-a", "served"), 1)
      assert.strictEqual(requests("search", "200", "team-b", "served"), 1)
      assert.strictEqual(requests("search", "401", "none", "unauthorized"), 1)
      assert.strictEqual(requests("search", "401", "unknown", "unauthorized"), 1)
      assert.strictEqual(requests("ops", "200", "none", "served"), 1)
      const latency = requestNames.upstreamLatency
      assert.strictEqual(valueOf(read, latency, { route: "search" }, `${latency}_count`), 2)
      assert.strictEqual(valueOf(read, latency, { route: "search", le: "0.25" }, `${latency}_bucket`), 2)
      assert.strictEqual(valueOf(read, latency, { route: "search", le: "0.1" }, `${latency}_bucket`), 1)
      assert.strictEqual(valueOf(read, quotaNames.used, { tier: "S15", window: "day" }), 2)
      assert.strictEqual(valueOf(read, quotaNames.active, { tier: "S16" }), 1)
      assert.strictEqual(valueOf(read, quotaNames.switches, { from: "S15", to: "S16", reason: "exhausted" }), 1)
      assert.strictEqual(valueOf(read, quotaNames.tenantUp, { tenant: "team-a" }), 1)
      noSecretIn(answer.body)
      const parsed = parsePrometheusTextFormat(answer.body)
      assert.strictEqual(parsed.length, read.size)
      assert.strictEqual(parsed.find((f) => f.name === latency)?.type, "HISTOGRAM")
    }))

  it.effect("readyz: 503 with the reason when the store stops answering, after the 1 s bound (TestClock)", () =>
    Effect.gen(function*() {
      const frozen = yield* freezableStore
      const { ops } = yield* setup({ store: frozen.store, adminToken: secrets.admin })
      const base = yield* serve(ops)
      assert.strictEqual((yield* call(`${base}/_gateway/readyz`)).status, 200)
      yield* frozen.freeze
      const pending = yield* Effect.forkChild(call(`${base}/_gateway/readyz`))
      yield* Deferred.await(frozen.entered) // the request is in the handler, waiting on the store
      yield* TestClock.adjust("1 second")
      const answer = yield* Fiber.join(pending)
      assert.strictEqual(answer.status, 503)
      assert.deepStrictEqual(JSON.parse(answer.body), {
        status: "unavailable",
        reason: "the quota store did not answer within 1s"
      })
      // health is about the process, not the store
      assert.strictEqual((yield* call(`${base}/_gateway/healthz`)).status, 200)
    }))
})

describe("Ops.handle with a frozen store (no socket, the clock stepped by hand)", () => {
  it.effect("readyz waits exactly the bound: still pending at 999 ms, 503 at 1 s", () =>
    Effect.gen(function*() {
      const frozen = yield* freezableStore
      const { ops } = yield* setup({ store: frozen.store })
      yield* frozen.freeze
      const pending = yield* Effect.forkChild(handleWeb(ops, "/_gateway/readyz"))
      yield* Deferred.await(frozen.entered)
      yield* TestClock.adjust("999 millis")
      yield* settle
      assert.isUndefined(pending.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      const answer = yield* Fiber.join(pending)
      assert.strictEqual(answer.status, 503)
    }))

  it.effect("status answers 503 and metrics still answer (quota up 0) when the store does not", () =>
    Effect.gen(function*() {
      const frozen = yield* freezableStore
      const { ops } = yield* setup({ store: frozen.store, adminToken: secrets.admin })
      yield* ops.record(record())
      yield* frozen.freeze
      const status = ops.handle(HttpServerRequest.fromWeb(
        new Request("http://127.0.0.1/_gateway/status", { headers: { authorization: `Bearer ${secrets.admin}` } })
      ))!
      const pendingStatus = yield* Effect.forkChild(
        Effect.flatMap(
          status,
          (r) => Effect.promise(() => HttpServerResponse.toWeb(r).text().then((body) => ({ status: r.status, body })))
        )
      )
      const pendingMetrics = yield* Effect.forkChild(handleWeb(ops, "/metrics"))
      yield* Deferred.await(frozen.entered)
      yield* settle
      yield* TestClock.adjust("1 second")
      const statusAnswer = yield* Fiber.join(pendingStatus)
      assert.strictEqual(statusAnswer.status, 503)
      assert.deepStrictEqual(JSON.parse(statusAnswer.body), {
        error: "store unavailable",
        reason: "the quota store did not answer within 1s"
      })
      const metrics = yield* Fiber.join(pendingMetrics)
      assert.strictEqual(metrics.status, 200)
      const read = readExposition(metrics.body)
      assert.strictEqual(valueOf(read, quotaNames.up, {}), 0)
      assert.strictEqual(valueOf(read, quotaNames.tenantUp, { tenant: "team-a" }), 0)
      assert.strictEqual(
        valueOf(read, requestNames.requests, { route: "search", status: "200", tenant: "team-a", outcome: "served" }),
        1
      )
    }))

  it.effect("readyz names the store's failure without its detail", () =>
    Effect.gen(function*() {
      const memory = yield* QuotaStore.makeMemory
      let failing = false
      const detail = `connect ECONNREFUSED redis://:${secrets.s15}@10.0.0.5:6379`
      const store: QuotaStore.Service = {
        ...memory,
        name: "redis",
        get: (slots, now) =>
          Effect.suspend(() =>
            failing
              ? Effect.fail(QuotaError.storeUnavailable("redis", detail))
              : memory.get(slots, now)
          )
      }
      const { ops } = yield* setup({ store })
      failing = true
      const answer = yield* handleWeb(ops, "/_gateway/readyz")
      assert.strictEqual(answer.status, 503)
      assert.deepStrictEqual(JSON.parse(answer.body), {
        status: "unavailable",
        reason: "the quota store failed (StoreUnavailable)"
      })
      assert.notInclude(answer.body, "ECONNREFUSED")
      noSecretIn(answer.body)
    }))
})

describe("Ops.record", () => {
  it.effect("writes one line per answer through options.log, timed by the Clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(utc("2026-03-10T08:30:00Z"))
      const { lines, ops } = yield* setup({ adminToken: secrets.admin })
      yield* ops.record(record())
      yield* TestClock.adjust("1500 millis")
      yield* ops.record(
        record({ path: `/v7.0/images/search?subscription-key=${secrets.tenant}`, route: "images/search" })
      )
      assert.strictEqual(lines.length, 2)
      assert.deepStrictEqual(lines.map((l) => JSON.parse(l).time), [
        "2026-03-10T08:30:00.000Z",
        "2026-03-10T08:30:01.500Z"
      ])
      assert.strictEqual(JSON.parse(lines[1]!).path, "/v7.0/images/search")
      noSecretIn(lines.join("\n"))
    }))

  it.effect("tenants default to the tenant trackers' names when no client list is given", () =>
    Effect.gen(function*() {
      const { ops } = yield* setup()
      yield* ops.record(record({ tenant: "team-a" }))
      yield* ops.record(record({ tenant: "team-b" }))
      const read = readExposition((yield* handleWeb(ops, "/metrics")).body)
      const count = (tenant: string) =>
        valueOf(read, requestNames.requests, { route: "search", status: "200", tenant, outcome: "served" })
      assert.deepStrictEqual([count("team-a"), count("unknown"), count("team-b")], [1, 1, undefined])
    }))
})
