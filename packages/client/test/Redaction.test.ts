/**
 * Observability without leaks: every log line, span (name, attributes, events, exit) and error
 * (message, String, JSON, Cause) produced while calling through success and failure paths is
 * captured and scanned for the subscription keys.
 */
import { QuotaStore, QuotaTracker, Tier } from "@bing-effect/quota-tracker"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Logger, Redacted, References, Tracer } from "effect"
import { FetchHttpClient, HttpClient } from "effect/http"
import { BingClient } from "../src/index.js"
import { BEARER_KEY, clientLayer, KEY, S15_KEY, S16_KEY, useEmulator } from "./fixtures.js"

const emu = useEmulator()
const UNKNOWN_KEY = "unknown-secret-key-d00d"
const secrets = [KEY, S15_KEY, S16_KEY, UNKNOWN_KEY, BEARER_KEY]

const text = (u: unknown): string => {
  try {
    return `${String(u)} ${JSON.stringify(u, (_k, v) => (typeof v === "bigint" ? String(v) : v))}`
  } catch {
    return String(u)
  }
}

const capture = () => {
  const lines: Array<string> = []
  const spans: Array<{ readonly name: string; readonly attributes: Record<string, unknown> }> = []
  const ended: Array<{ readonly span: Tracer.Span; readonly exit: Exit.Exit<unknown, unknown> }> = []
  const logger = Logger.make(({ cause, logLevel, message }) => {
    lines.push(`${logLevel} ${text(message)} ${Cause.pretty(cause)}`)
  })
  const tracer = Tracer.make({
    span(options) {
      const span = Tracer.nativeTracer.span(options)
      const end = span.end.bind(span)
      span.end = (endTime, exit) => {
        end(endTime, exit)
        // serialised inside the fiber, as an exporter does when the span ends
        const attributes = Object.fromEntries(span.attributes)
        spans.push({ name: span.name, attributes })
        lines.push(
          `span ${span.name} ${text(attributes)} ${text(exit)} ${Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""}`
        )
        ended.push({ span, exit })
      }
      return span
    }
  })
  const observe = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(
      Effect.provide(Logger.layer([logger])),
      Effect.provideService(References.MinimumLogLevel, "All"),
      Effect.provideService(Tracer.Tracer, tracer),
      // record every request and response header on Effect's HTTP spans
      Effect.provideService(HttpClient.TracerHeaderFilter, () => true)
    )
  return { lines, spans, ended, observe }
}

const assertNoSecret = (haystack: ReadonlyArray<string>) => {
  const all = haystack.join("\n")
  for (const secret of secrets) assert.notInclude(all, secret, "a key leaked")
}

// Every path: success, 401 with an unknown key, 5xx retried, dropped connection, 429 beyond the
// bound, timeout; each error is also logged, stringified and JSON-encoded.
const exercise = (url: string, collect: (s: string) => void) => {
  const call = (
    effect: Effect.Effect<unknown, unknown, BingClient.BingClient>,
    options: Partial<BingClient.Options> = {}
  ) =>
    effect.pipe(
      Effect.tapError((error) => {
        collect(text(error))
        collect((error as Error).message)
        collect((error as Error).stack ?? "")
        return Effect.logError("call failed", error)
      }),
      Effect.tapCause((cause) => Effect.sync(() => collect(Cause.pretty(cause)))),
      Effect.exit,
      Effect.provide(
        clientLayer(url, {
          httpSpans: true,
          timeout: "200 millis",
          retry: { maxAttempts: 2, baseDelay: 1, maxDelay: 2 },
          ...options
        })
      )
    )
  return Effect.gen(function*() {
    yield* call(BingClient.webSearch({ q: "fine" }))
    yield* call(BingClient.webSearch({ q: "who" }), { key: Redacted.make(UNKNOWN_KEY) })
    emu.current.injectFault({ match: { count: 1 }, fault: { kind: "error", code: "ServerError" } })
    yield* call(BingClient.imageSearch({ q: "retry" }))
    emu.current.injectFault({ match: { count: 2 }, fault: { kind: "drop" } })
    yield* call(BingClient.webSearch({ q: "drop" }))
    emu.current.injectFault({
      match: { count: 1 },
      fault: { kind: "error", code: "RateLimitExceeded", status: 429, retryAfter: 60 }
    })
    yield* call(BingClient.webSearch({ q: "busy" }))
    emu.current.injectFault({ match: { count: 2 }, fault: { kind: "delay", ms: 1_000 } })
    yield* call(BingClient.trendingImages())
    yield* call(BingClient.webSearch({ q: "x", count: 70000 }))
  })
}

describe("no key in logs, spans or errors", () => {
  it.live("with a single key", () => {
    const { ended, lines, observe, spans } = capture()
    return Effect.gen(function*() {
      yield* observe(exercise(emu.current.url, (s) => lines.push(s)))
      // the capture really saw the header, and saw it redacted
      const httpSpans = spans.filter((s) => s.attributes["http.request.header.ocp-apim-subscription-key"] !== undefined)
      assert.isAbove(httpSpans.length, 0)
      for (const s of httpSpans) {
        assert.strictEqual(s.attributes["http.request.header.ocp-apim-subscription-key"], "<redacted>")
      }
      // one span per call, with its attributes
      const calls = spans.filter((s) => s.name.startsWith("BingClient."))
      assert.strictEqual(calls.length, 7)
      const ok = calls[0]!
      assert.strictEqual(ok.name, "BingClient.webSearch")
      assert.strictEqual(ok.attributes["bing.operation"], "webSearch")
      assert.strictEqual(ok.attributes["bing.status"], 200)
      assert.strictEqual(ok.attributes["bing.attempts"], 1)
      assert.isString(ok.attributes["bing.trace_id"])
      const retried = calls.find((s) => s.name === "BingClient.imageSearch")!
      assert.strictEqual(retried.attributes["bing.attempts"], 2)
      const unauthorized = calls[1]!
      assert.strictEqual(unauthorized.attributes["bing.error"], "InvalidAuthorization")
      assert.strictEqual(unauthorized.attributes["bing.status"], 401)
      assert.isAbove(lines.length, 20)
      assertNoSecret(lines)
      // serialised again later, outside any fiber, as a batching exporter would: call spans
      // carry no request, so they stay clean
      assertNoSecret(
        ended.filter((e) => e.span.name.startsWith("BingClient.")).map((e) =>
          text(e.exit) + text(Object.fromEntries(e.span.attributes))
        )
      )
    })
  })

  it.live("with auth: bearer, the Authorization header is redacted like the key", () => {
    const { lines, observe, spans } = capture()
    return Effect.gen(function*() {
      const layer = clientLayer(emu.current.url, {
        key: Redacted.make(BEARER_KEY),
        auth: "bearer",
        httpSpans: true,
        retry: { maxAttempts: 2, baseDelay: 1, maxDelay: 2 }
      })
      const ok = yield* observe(BingClient.webSearch({ q: "reseller" }).pipe(Effect.provide(layer)))
      assert.strictEqual(ok.meta.status, 200)
      const refused = yield* observe(
        BingClient.webSearch({ q: "reseller" }).pipe(
          Effect.provide(clientLayer(emu.current.url, { key: Redacted.make(BEARER_KEY), httpSpans: true })),
          Effect.flip,
          Effect.tap((error) => Effect.logError("call failed", error))
        )
      )
      lines.push(text(refused), refused.message)
      assert.strictEqual(refused._tag, "InvalidAuthorization")
      const sent = spans.filter((s) => s.attributes["http.request.header.authorization"] !== undefined)
      assert.isAbove(sent.length, 0)
      for (const s of sent) assert.strictEqual(s.attributes["http.request.header.authorization"], "<redacted>")
      assertNoSecret(lines)
    })
  })

  it.live("with tiers from a quota tracker, without HTTP spans (the default)", () => {
    const { ended, lines, observe, spans } = capture()
    const tiers = [
      Tier.make({ name: "S15", key: Redacted.make(S15_KEY), limits: { perDay: 5 } }),
      Tier.make({ name: "S16", key: Redacted.make(S16_KEY) })
    ]
    return Effect.gen(function*() {
      emu.current.setUsage({ key: "S15", window: "day", used: 5 })
      const client = yield* BingClient.BingClient
      const result = yield* client.webSearch({ q: "tiers" })
      assert.strictEqual(result.meta.tier, "S16")
      emu.current.injectFault({
        fault: { kind: "error", code: "InsufficientAuthorization", subCode: "AuthorizationDisabled" }
      })
      const error = yield* Effect.flip(client.webSearch({ q: "denied" }))
      lines.push(text(error), error.message)
      yield* Effect.logWarning(error)
      assert.deepStrictEqual(spans.map((s) => s.name), ["BingClient.webSearch", "BingClient.webSearch"])
      assert.strictEqual(spans[0]?.attributes["bing.tier"], "S16")
      assertNoSecret(lines)
      assertNoSecret(ended.map((e) => text(e.exit)))
    }).pipe(
      Effect.provide(
        BingClient.layerWithQuota({ endpoint: emu.current.url, allowInsecureLoopback: true }).pipe(
          Layer.provide(QuotaTracker.layer({ tiers }).pipe(Layer.provide(QuotaStore.layerMemory))),
          Layer.provide(FetchHttpClient.layer)
        )
      ),
      observe
    )
  })
})
