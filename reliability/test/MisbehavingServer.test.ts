/**
 * A server that misbehaves: the emulator disturbs 30% of the requests, spread evenly over every
 * fault kind (a 500, Bing's empty 200, a short and a long delay, a dropped connection, a truncated
 * body, the three legacy gateway bodies, a proxy's HTML 502, a 429 with Retry-After), while 2,000
 * calls go through the client with a per-attempt timeout and a budget of 3 attempts.
 *
 * Every call ends in a success or a typed error (never a defect: each Exit's cause is inspected),
 * none outlives an outer bound computed from its timeout and budget, and no call makes more HTTP
 * attempts than its budget. Attempts are counted twice: per call, by an HttpClient wrapper that
 * counts the requests each call sends, and by the client's own `bing.attempts` span attribute; the
 * emulator's request log confirms the total.
 */
/* oxlint-disable no-underscore-dangle -- `_tag` is the field name of Effect's tagged values */
import { BingClient, type BingResult } from "@bing-effect/client"
import { Emulator, type FaultRule } from "@bing-effect/emulator"
import { BingError } from "@bing-effect/schema"
import { Cause, Context, Effect, Exit, Layer, Option, Redacted } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest, UrlParams } from "effect/http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Capture, classify, percentile, printFigures, secret } from "./support.js"

const CALLS = 2_000
const LANES = 50
const FAULT_RATE = 0.3
// generous, so that on a loaded machine (2 cores, other suites running) an ordinary attempt never
// hits it: the only attempts that time out are the long delays below, which the test counts
const TIMEOUT_MS = 3_000
const LONG_DELAY_MS = 2 * TIMEOUT_MS
const MAX_ATTEMPTS = 3
const MAX_RETRY_AFTER_MS = 1_000
const MAX_DELAY_MS = 20
// an attempt lasts at most its timeout; between attempts the client waits at most the larger of the
// backoff ceiling and the Retry-After bound; 3 s of slack for a loaded machine
const HANG_BOUND_MS = MAX_ATTEMPTS * TIMEOUT_MS + (MAX_ATTEMPTS - 1) * Math.max(MAX_DELAY_MS, MAX_RETRY_AFTER_MS) +
  3_000

const faults: ReadonlyArray<{ readonly label: string; readonly fault: FaultRule.Fault }> = [
  { label: "error 500", fault: { kind: "error", status: 500, code: "ServerError", subCode: "UnexpectedError" } },
  { label: "empty 200", fault: { kind: "empty200" } },
  { label: "delay 100 ms", fault: { kind: "delay", ms: 100 } },
  { label: "long delay (> timeout)", fault: { kind: "delay", ms: LONG_DELAY_MS } },
  { label: "drop", fault: { kind: "drop" } },
  { label: "truncate", fault: { kind: "truncate" } },
  { label: "legacy 401", fault: { kind: "legacy", shape: "statusCode401" } },
  { label: "legacy 403", fault: { kind: "legacy", shape: "statusCode403" } },
  { label: "legacy error", fault: { kind: "legacy", shape: "error" } },
  { label: "html 502", fault: { kind: "html502" } },
  { label: "429 Retry-After 1", fault: { kind: "error", status: 429, code: "RateLimitExceeded", retryAfter: 1 } }
]

/** The requests one call sent, counted by the HttpClient wrapper below. */
const CallAttempts = Context.Reference<{ n: number }>("reliability/CallAttempts", { defaultValue: () => ({ n: 0 }) })

/** How each HTTP attempt ended on the client's side, by attempt id. */
type AttemptEnd = "response" | "transport-error" | "interrupted"

/**
 * Wraps the real (fetch) HttpClient: numbers every attempt with a `rel_attempt` query parameter
 * (the emulator ignores it and logs it with the path), counts it for the current call, and records
 * how it ended.
 */
const countingHttp = (ends: Map<number, AttemptEnd>) => {
  let seq = 0
  return Layer.effect(
    HttpClient.HttpClient,
    Effect.map(Effect.service(HttpClient.HttpClient), (http) =>
      http.pipe(
        HttpClient.transform((effect, request) =>
          Effect.withFiber((fiber) => {
            fiber.getRef(CallAttempts).n++
            const id = Number(Option.getOrElse(UrlParams.getFirst(request.urlParams, "rel_attempt"), () => "0"))
            return effect.pipe(Effect.onExit((exit) =>
              Effect.sync(() => {
                ends.set(
                  id,
                  Exit.isSuccess(exit)
                    ? "response"
                    : Cause.hasInterruptsOnly(exit.cause)
                    ? "interrupted"
                    : "transport-error"
                )
              })
            ))
          })
        ),
        HttpClient.mapRequest((request) => HttpClientRequest.setUrlParam(request, "rel_attempt", String(++seq)))
      ))
  ).pipe(Layer.provide(FetchHttpClient.layer))
}

const typedTags = new Set<string>([...BingError.tags, "RequestTimeout", "ConnectionFailed"])

describe("a server that misbehaves", () => {
  let emulator: Emulator.EmulatorHandle
  const key = secret("faults")
  const capture = new Capture()

  beforeAll(async () => {
    emulator = await Emulator.start({ keys: [{ name: "faults", key }], seed: 20_261_122, requestLogSize: 100_000 })
  })
  afterAll(async () => {
    await emulator.stop()
  })

  it(
    `${CALLS} calls at ${FAULT_RATE * 100}% faults: success or typed error, no hang, attempts within the budget`,
    async () => {
      // rule i takes its share of the requests the earlier rules let through
      const share = FAULT_RATE / faults.length
      const ends = new Map<number, AttemptEnd>()
      const ids = faults.map((f, i) =>
        emulator.injectFault({ match: { path: "/v7.0/*", probability: share / (1 - i * share) }, fault: f.fault })
      )

      const live = BingClient.layer({
        key: Redacted.make(key),
        endpoint: emulator.url,
        allowInsecureLoopback: true,
        timeout: TIMEOUT_MS,
        httpSpans: true,
        retry: { maxAttempts: MAX_ATTEMPTS, baseDelay: 5, maxDelay: MAX_DELAY_MS, maxRetryAfter: MAX_RETRY_AFTER_MS }
      }).pipe(Layer.provide(countingHttp(ends)))

      const results = await Effect.runPromise(
        Effect.gen(function*() {
          const client = yield* BingClient.BingClient
          const one = (i: number) => {
            const attempts = { n: 0 }
            const started = performance.now()
            const call: Effect.Effect<{ readonly meta: BingResult.Meta }, BingClient.ClientError> = i % 3 === 0
              ? client.imageSearch({ q: `faults ${i % 50}` })
              : client.webSearch({ q: `faults ${i % 50}` })
            return call.pipe(
              Effect.provideService(CallAttempts, attempts),
              Effect.timeoutOrElse({ duration: HANG_BOUND_MS, orElse: () => Effect.fail({ _tag: "Hang" as const }) }),
              Effect.exit,
              Effect.map((exit) => {
                capture.addExit(exit)
                const c = classify(exit)
                return {
                  ...c,
                  attempts: attempts.n,
                  ms: performance.now() - started,
                  metaAttempts: exit._tag === "Success" ? exit.value.meta.attempts : undefined
                }
              })
            )
          }
          return yield* Effect.forEach(Array.from({ length: CALLS }, (_, i) => i), one, { concurrency: LANES })
        }).pipe(Effect.provide(live), (e) => capture.observe(e))
      )

      // let the long delays fire, then read the admin API's fault counters and the request log
      await new Promise((resolve) => setTimeout(resolve, LONG_DELAY_MS + 200))
      const admin = (await (await fetch(`${emulator.url}/_emulator/faults`, {
        headers: { authorization: `Bearer ${emulator.adminToken}` }
      })).json()) as {
        faults: ReadonlyArray<{ id: string; applied: number }>
      }
      const applied = faults.map((f, i) => ({
        label: f.label,
        applied: admin.faults.find((x) => x.id === ids[i])?.applied ?? 0
      }))
      const log = emulator.requests(100_000)
      const logged = log.length
      const seen = new Set(log.map((r) => Number(/[?&]rel_attempt=(\d+)/.exec(r.path)?.[1] ?? -1)))
      // attempts the server never logged, by how they ended on the client's side
      const unseen: Record<string, number> = {}
      for (const [id, end] of ends) if (!seen.has(id)) unseen[end] = (unseen[end] ?? 0) + 1
      emulator.clearFaults()

      const tally: Record<string, number> = {}
      for (const r of results) tally[r.tag] = (tally[r.tag] ?? 0) + 1
      const httpAttempts = results.reduce((n, r) => n + r.attempts, 0)
      const callSpans = capture.spans.filter((s) => s.name.startsWith("BingClient."))
      const spanAttempts = callSpans.reduce((n, s) => n + Number(s.attributes["bing.attempts"] ?? 0), 0)
      const disturbed = applied.reduce((n, a) => n + a.applied, 0)
      const longDelays = applied.find((a) => a.label.startsWith("long delay"))!.applied
      printFigures(
        `misbehaving server: ${CALLS} calls, ${LANES} at a time, ${
          FAULT_RATE * 100
        }% faults over ${faults.length} kinds`,
        {
          calls: results.length,
          succeeded: tally["ok"] ?? 0,
          "typed errors": results.filter((r) => r.kind === "fail" && r.tag !== "Hang").length,
          ...Object.fromEntries(Object.entries(tally).filter(([t]) => t !== "ok").map(([t, n]) => [`  ${t}`, n])),
          "defects / interruptions": results.filter((r) => r.kind === "defect" || r.kind === "interrupt").length,
          "hangs (> bound)": tally["Hang"] ?? 0,
          "HTTP attempts (wrapper)": httpAttempts,
          "attempts (client spans)": spanAttempts,
          "attempts max per call": Math.max(...results.map((r) => r.attempts)),
          "budget": MAX_ATTEMPTS,
          "requests disturbed": `${disturbed} (${((100 * disturbed) / httpAttempts).toFixed(1)}%)`,
          ...Object.fromEntries(applied.map((a) => [`  ${a.label}`, a.applied])),
          "emulator log entries": logged,
          "attempts not logged by the server": Object.entries(unseen).map(([k, v]) => `${k}:${v}`).join(" ") || "0",
          "p50 ms": percentile(results.map((r) => r.ms), 50),
          "p99 ms": percentile(results.map((r) => r.ms), 99),
          "max ms": Math.max(...results.map((r) => r.ms)),
          "hang bound ms": HANG_BOUND_MS
        }
      )

      expect(results.length).toBe(CALLS)
      expect(results.filter((r) => r.kind === "defect" || r.kind === "interrupt")).toEqual([])
      expect(tally["Hang"] ?? 0).toBe(0)
      expect(results.filter((r) => r.kind === "fail" && !typedTags.has(r.tag)).map((r) => r.tag)).toEqual([])
      // attempts: at least one, never above the budget, and the client's own count agrees
      expect(results.every((r) => r.attempts >= 1 && r.attempts <= MAX_ATTEMPTS)).toBe(true)
      for (const r of results) if (r.metaAttempts !== undefined) expect(r.metaAttempts).toBe(r.attempts)
      expect(callSpans.length).toBe(CALLS)
      expect(spanAttempts).toBe(httpAttempts)
      // every kind of fault was exercised, at roughly the configured rate
      for (const a of applied) expect(a.applied, a.label).toBeGreaterThan(0)
      expect(disturbed / httpAttempts).toBeGreaterThan(0.2)
      expect(disturbed / httpAttempts).toBeLessThan(0.4)
      // the server logged every attempt, except those the client gave up on (a long delay past the
      // timeout, at most one per long-delay fault) and those that failed on the socket before the
      // server could read them; every attempt has one id and ended one way
      expect(ends.size).toBe(httpAttempts)
      expect(logged).toBeLessThanOrEqual(httpAttempts)
      expect(unseen["response"] ?? 0).toBe(0)
      expect(unseen["interrupted"] ?? 0).toBeLessThanOrEqual(longDelays)
      // most calls get through a 30% fault rate with 3 attempts
      expect((tally["ok"] ?? 0) / CALLS).toBeGreaterThan(0.8)
    },
    180_000
  )

  it("leaks no subscription key into logs, spans or errors", () => {
    printFigures("misbehaving server, secrets", {
      "log lines": capture.logLines,
      spans: capture.spans.length,
      "bytes scanned": capture.bytes,
      leaks: capture.leaks([key]).length
    })
    expect(capture.spans.length).toBeGreaterThan(CALLS)
    expect(capture.leaks([key])).toEqual([])
  })
})
