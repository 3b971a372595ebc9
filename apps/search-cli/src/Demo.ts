/**
 * `bing-search demo`: the whole project in one run, with nothing to set up. It starts the
 * emulator in this process on a free loopback port with an S15 key and an S16 key whose limits
 * are scaled down, and then:
 *
 * 1. runs a burst of searches through the quota tracker, printing the 80% and 95% warnings as
 *    they fire, until S15's daily quota runs out and the tracker switches to S16;
 * 2. moves the emulator's clock to the next day; the tracker reads the same clock (see
 *    `EmulatorClock`), sees the reset and switches back to S15;
 * 3. tours the typed errors, each produced by the emulator and caught by its own `catchTag`;
 * 4. prints a summary table.
 */
import { BingClient } from "@bing-effect/client"
import { Emulator } from "@bing-effect/emulator"
import type { QuotaEvent } from "@bing-effect/quota-tracker"
import { TierCatalog } from "@bing-effect/quota-tracker"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { FetchHttpClient } from "effect/http"
import * as Redacted from "effect/Redacted"
import { randomBytes } from "node:crypto"
import * as EmulatorClock from "./EmulatorClock.js"
import { CliExit, ExitCode } from "./ExitCode.js"
import * as Failure from "./Failure.js"
import * as Output from "./Output.js"
import * as Progress from "./Progress.js"
import * as Render from "./Render.js"
import * as Session from "./Session.js"
import type { Settings } from "./Settings.js"

/** The scaled-down limits of the demo's tiers. */
export const limits = {
  S15: { perDay: 200, perSecond: 250 },
  S16: { perDay: 1000, perSecond: 250 }
} as const

/** Searches in the burst, and the pause between two of them (about 125 searches a second). */
const burst = { searches: 260, everyMs: 8 }

/** A demo step that did not go as it should: the demo fails rather than pretend. */
class DemoStepFailed extends Data.TaggedError("DemoStepFailed")<{ readonly step: string; readonly detail: string }> {}

const queries = [
  "effect typescript",
  "bing search api",
  "quota tracker",
  "rate limiting",
  "token bucket",
  "typed errors",
  "emulator",
  "retry with backoff"
]

/** A random key for one run of the demo (never printed). */
const secret = (name: string) => `demo-${name}-${randomBytes(9).toString("base64url")}`

const out = Output.print

const time = (ms: number) => new Date(ms).toISOString().slice(11, 23)

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

const indent = (text: string, by = "    ") => text.split("\n").map((l) => (l === "" ? l : by + l)).join("\n")

const eventLine = (event: QuotaEvent.QuotaEvent): string | undefined => {
  switch (event._tag) {
    case "ThresholdCrossed": {
      const pct = Math.round(event.threshold * 100)
      const forecast = event.forecast === undefined
        ? "at the current rate it lasts until the reset"
        : event.forecast <= event.at
        ? "used up now"
        : `forecast: at the current rate it runs out at ${time(event.forecast)} UTC, in ${
          seconds(event.forecast - event.at)
        }`
      return `  ! warning: ${event.tier} daily quota ${pct}% used (${event.used}/${event.limit}); ${forecast}`
    }
    case "TierExhausted":
      return `  ! ${event.tier} ${event.window === "day" ? "daily quota" : event.window} is exhausted (${
        event.source === "server" ? "Bing answered 403" : "local count"
      }) until ${Failure.formatInstant(event.until)}`
    case "TierSwitched":
      return `  >> tier switch (TierSwitched event): ${event.message}`
    case "TierHeld":
      return `  ! ${event.message}`
    case "StoreFallback":
    case "StoreRecovered":
      return `  ! ${event.message}`
  }
}

/** The demo. */
export const run: Effect.Effect<void, CliExit> = Effect.gen(function*() {
  const started = Date.now()
  const keys = { S15: secret("s15"), S16: secret("s16"), qps: secret("qps"), other: secret("other") }

  // ---- the emulator, in this process, on a free loopback port ----
  const emulator = yield* Emulator.make({
    keys: [
      { name: "S15", key: keys.S15, limits: limits.S15 },
      { name: "S16", key: keys.S16, limits: limits.S16 },
      { name: "QPS1", key: keys.qps, limits: { perSecond: 1 } },
      { name: "Other", key: keys.other }
    ],
    seed: 7
  }).pipe(
    Effect.catchTag("EmulatorStartError", (e) =>
      Effect.andThen(
        Output.printErr(`error [EmulatorStartError] could not start the emulator: ${e.message}`),
        Effect.fail(new CliExit({ code: ExitCode.Internal }))
      ))
  )
  const emu = emulator.handle

  const settings: Settings = {
    tiers: [
      TierCatalog.tier("S15", { key: Redacted.make(keys.S15), overrides: limits.S15 }),
      TierCatalog.tier("S16", { key: Redacted.make(keys.S16), overrides: limits.S16 })
    ],
    tiersSource: "the demo's tiers",
    endpoint: emu.url,
    allowInsecureLoopback: true,
    timeoutMs: undefined,
    maxAttempts: undefined,
    maxWaitMs: undefined,
    store: { _tag: "memory" }
  }
  const fastRetry = { baseDelay: 40, maxDelay: 200 }
  let progress: Progress.Progress | undefined
  const say = (text: string) => (progress === undefined ? Output.print(text) : progress.line(text))
  let session: Session.Session | undefined
  const context = (): Failure.Context => ({ settings, events: session?.events, now: emu.now() })

  const body = Effect.gen(function*() {
    yield* out("bing-search demo: quota-aware Bing search against a local emulator (no network, no key needed)")
    yield* out()
    yield* out(`Emulator   ${emu.url}  (in this process; clock ${new Date(emu.now()).toISOString()})`)
    yield* out(
      `Tier S15   perDay ${limits.S15.perDay}, perSecond ${limits.S15.perSecond}   (published: 1,000,000 a day; scaled down)`
    )
    yield* out(`Tier S16   perDay ${limits.S16.perDay}, perSecond ${limits.S16.perSecond}`)
    yield* out("Keys       random per run, kept Redacted (never printed)")
    yield* out(
      "Tracker    thresholds 80% and 95%, switch when a tier is exhausted, memory store, clock = the emulator's clock"
    )

    const s = yield* Session.make(settings, {
      tracker: { thresholds: [0.8, 0.95] },
      client: { retry: fastRetry },
      // the events arrive on their own fiber: a failed write there is met again by the next write of the tour
      onEvent: (event) =>
        Effect.suspend(() => {
          const line = eventLine(event)
          return line === undefined ? Effect.void : Effect.ignore(say(line))
        })
    })
    session = s
    const served = new Map<string, number>()
    const burstErrors = new Map<string, number>()
    const countTier = (tier: string | undefined) => served.set(tier ?? "?", (served.get(tier ?? "?") ?? 0) + 1)

    // ---- 1. the burst ----
    yield* out()
    yield* out(`1. A burst of ${burst.searches} web searches (about ${Math.round(1000 / burst.everyMs)} a second)`)
    const p = Progress.make(burst.searches)
    progress = p
    const t1 = Date.now()
    yield* Effect.forEach(
      Array.from({ length: burst.searches }, (_, i) => i),
      (i) =>
        Effect.sleep(i * burst.everyMs).pipe(
          Effect.andThen(s.client.webSearch({ q: queries[i % queries.length]!, count: 3 })),
          Effect.match({
            onSuccess: (result) => {
              countTier(result.meta.tier)
              return `tier ${result.meta.tier ?? "?"}`
            },
            onFailure: (e: { readonly _tag: string }) => {
              burstErrors.set(e._tag, (burstErrors.get(e._tag) ?? 0) + 1)
              return `error ${e._tag}`
            }
          }),
          Effect.flatMap(p.tick)
        ),
      { concurrency: "unbounded", discard: true }
    )
    yield* p.done
    progress = undefined
    yield* Effect.yieldNow
    const burstServed = [...served.entries()].map(([tier, n]) => `${tier} ${n}`).join(", ")
    yield* out(`  ${burst.searches} searches in ${seconds(Date.now() - t1)}: ${burstServed}`)
    if (burstErrors.size > 0) {
      return yield* new DemoStepFailed({
        step: "burst",
        detail: `unexpected errors: ${[...burstErrors].map(([t, n]) => `${t} x${n}`).join(", ")}`
      })
    }
    if ((served.get("S15") ?? 0) !== limits.S15.perDay || (served.get("S16") ?? 0) === 0) {
      return yield* new DemoStepFailed({
        step: "burst",
        detail: `expected S15 to serve ${limits.S15.perDay} and S16 the rest, got ${burstServed}`
      })
    }
    yield* out()
    yield* out(indent(Render.quota(yield* s.tracker.status, "memory", { ascii: !Output.isTerminal() }), "  "))

    // ---- 2. the next day ----
    yield* out()
    yield* out("2. The next day")
    const before = emu.clock()
    const after = emu.advanceClock("next-day")
    yield* out(`  emulator clock moved by the admin API: ${before.iso} -> ${after.iso}`)
    const trackerNow = (yield* s.tracker.status).at
    yield* out(`  the tracker reads the same clock: ${new Date(trackerNow).toISOString()}`)
    const day2 = new Map<string, number>()
    for (let i = 0; i < 10; i++) {
      const result = yield* s.client.webSearch({ q: queries[i % queries.length]!, count: 3 })
      countTier(result.meta.tier)
      day2.set(result.meta.tier ?? "?", (day2.get(result.meta.tier ?? "?") ?? 0) + 1)
    }
    yield* Effect.yieldNow
    const backTo15 = s.events.some((e) => e._tag === "TierSwitched" && e.to === "S15" && e.reason === "reset")
    yield* out(
      `  10 searches after the reset: ${[...day2].map(([t, n]) => `${t} ${n}`).join(", ")}${
        backTo15 ? " (back on S15, the cheaper tier)" : ""
      }`
    )
    if (!backTo15 || day2.get("S15") !== 10) {
      return yield* new DemoStepFailed({
        step: "next day",
        detail: "the tracker did not switch back to S15 after the reset"
      })
    }

    // ---- 3. the typed errors ----
    yield* out()
    yield* out("3. A tour of the typed errors: each produced by the emulator, each caught by its own catchTag")
    const caught = new Map<string, number>()
    const show = (how: string, problem: Failure.Problem) =>
      Effect.suspend(() => {
        const tag = problem.tag.split("/")[0]!
        caught.set(tag, (caught.get(tag) ?? 0) + 1)
        return out(`\n  ${how}\n${indent(Failure.render(problem))}`)
      })
    const expectFailure = (step: string) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.flatMap(
        effect,
        () => Effect.fail(new DemoStepFailed({ step, detail: "the call succeeded, but it should have failed" }))
      )
    const totalRequests = () => emu.usage().reduce((n, k) => n + k.requests, 0)
    const standalone = (options: BingClient.Options) =>
      BingClient.make({
        endpoint: emu.url,
        allowInsecureLoopback: true,
        userAgent: Session.userAgent,
        retry: fastRetry,
        ...options
      }).pipe(Effect.provide(FetchHttpClient.layer))

    // a) a key the emulator does not know
    const stranger = yield* standalone({ key: Redacted.make(secret("unknown")) })
    yield* stranger.webSearch({ q: "who am i" }).pipe(
      expectFailure("missing key"),
      Effect.catchTag(
        "InvalidAuthorization",
        (e) =>
          show(
            "a) a key the emulator does not know -> catchTag(\"InvalidAuthorization\")",
            Failure.invalidAuthorization(e, context())
          )
      )
    )

    // b) a bad parameter, refused before sending
    const requestsBefore = totalRequests()
    const usedBefore = (yield* s.tracker.status).tiers.find((t) => t.name === "S15")?.windows.find((w) =>
      w.window === "day"
    )?.used
    yield* s.client.webSearch({ q: "effect", count: 500 }).pipe(
      expectFailure("bad parameter"),
      Effect.catchTag(
        "InvalidRequest",
        (e) =>
          show("b) --count 500 (web allows 0-50) -> catchTag(\"InvalidRequest\")", Failure.invalidRequest(e, context()))
      )
    )
    const usedAfter = (yield* s.tracker.status).tiers.find((t) => t.name === "S15")?.windows.find((w) =>
      w.window === "day"
    )?.used
    const requestsAfter = totalRequests()
    yield* out(
      `    check: requests seen by the emulator ${requestsBefore} -> ${requestsAfter}; S15 quota used ${usedBefore} -> ${usedAfter}`
    )
    if (requestsBefore !== requestsAfter || usedBefore !== usedAfter) {
      return yield* new DemoStepFailed({
        step: "bad parameter",
        detail: "the invalid request reached the emulator or spent quota"
      })
    }

    // c) 429: a key limited to 1 request a second
    const impatient = yield* standalone({ key: Redacted.make(keys.qps), retry: { ...fastRetry, maxRetryAfter: 0 } })
    const patient = yield* standalone({ key: Redacted.make(keys.qps) })
    yield* impatient.webSearch({ q: "first in this second" })
    yield* impatient.webSearch({ q: "second in this second" }).pipe(
      expectFailure("429 too long"),
      Effect.catchTag(
        "RateLimited",
        (e) =>
          show(
            "c) a 2nd search within the same second on a 1-per-second key, --max-wait 0 -> catchTag(\"RateLimited\")",
            Failure.rateLimited(e, { ...context(), settings: { ...settings, maxWaitMs: 0 } })
          )
      )
    )
    const t429 = Date.now()
    const waited = yield* patient.webSearch({ q: "third in this second" })
    yield* out(
      `\n  c') the same with the default --max-wait 5: 429 with Retry-After, the client waited ${
        seconds(Date.now() - t429)
      } and retried: ` +
        `200 after ${waited.meta.attempts} attempts (no error reached the app)`
    )
    if (waited.meta.attempts < 2) return yield* new DemoStepFailed({ step: "429 waited out", detail: "no 429 was met" })

    // d) an empty 200 on every attempt
    yield* emulator.injectFault({ match: { path: "/v7.0/search", count: 4 }, fault: { kind: "empty200" } }).pipe(
      Effect.orDie
    )
    yield* s.client.webSearch({ q: "too many identical queries" }).pipe(
      expectFailure("empty 200"),
      Effect.catchTag(
        "EmptyResponse",
        (e) =>
          show(
            "d) the emulator answers 200 with an empty body, 4 times -> catchTag(\"EmptyResponse\")",
            Failure.emptyResponse(e, context())
          )
      )
    )

    // e) server errors: retried until it works, then until the budget is spent
    yield* emulator.injectFault({
      match: { path: "/v7.0/search", count: 2 },
      fault: { kind: "error", code: "ServerError", subCode: "UnexpectedError" }
    })
      .pipe(Effect.orDie)
    const recovered = yield* s.client.webSearch({ q: "flaky backend" })
    countTier(recovered.meta.tier)
    yield* out(
      `\n  e) two 500s, then the emulator recovers: the client retried with backoff, 200 after ${recovered.meta.attempts} attempts`
    )
    if (recovered.meta.attempts !== 3) {
      return yield* new DemoStepFailed({
        step: "server error retried",
        detail: `expected 3 attempts, got ${recovered.meta.attempts}`
      })
    }
    const faultsBefore = emu.requests(1000).filter((r) => r.fault !== undefined).length
    yield* emulator.injectFault({
      match: { path: "/v7.0/search", count: 4 },
      fault: { kind: "error", code: "ServerError", subCode: "UnexpectedError" }
    })
      .pipe(Effect.orDie)
    yield* s.client.webSearch({ q: "broken backend" }).pipe(
      expectFailure("server error"),
      Effect.catchTag("ServerError", (e) => {
        const attempts = emu.requests(1000).filter((r) => r.fault !== undefined).length - faultsBefore
        return show(
          `e') four 500s in a row (the emulator saw ${attempts} attempts) -> catchTag("ServerError")`,
          Failure.serverError(e, context())
        )
      })
    )

    // f) plain HTTP without the loopback allowance
    const careful = yield* standalone({ key: Redacted.make(keys.other), allowInsecureLoopback: false })
    yield* careful.webSearch({ q: "over plain http" }).pipe(
      expectFailure("http"),
      Effect.catchTag(
        "InvalidRequest",
        (e) =>
          show(
            "f) an http:// endpoint without --allow-insecure-loopback -> catchTag(\"InvalidRequest\") (HttpNotAllowed, 410)",
            Failure.invalidRequest(e, { ...context(), settings: { ...settings, allowInsecureLoopback: false } })
          )
      )
    )

    // g) a timeout
    yield* emulator.injectFault({ match: { path: "/v7.0/search", count: 2 }, fault: { kind: "delay", ms: 1500 } }).pipe(
      Effect.orDie
    )
    const hasty = yield* standalone({
      key: Redacted.make(keys.other),
      timeout: 200,
      retry: { ...fastRetry, maxAttempts: 2 }
    })
    yield* hasty.webSearch({ q: "slow answer" }).pipe(
      expectFailure("timeout"),
      Effect.catchTag(
        "RequestTimeout",
        (e) =>
          show(
            "g) the emulator delays its answer 1.5 s, the client allows 0.2 s -> catchTag(\"RequestTimeout\")",
            Failure.requestTimeout(e, { ...context(), settings: { ...settings, maxAttempts: 2 } })
          )
      )
    )
    yield* emulator.clearFaults

    // h) every tier exhausted, as the server says
    emu.setUsage({ key: "S15", window: "day", used: limits.S15.perDay })
    emu.setUsage({ key: "S16", window: "day", used: limits.S16.perDay })
    yield* out("\n  h) another app used up both keys today (emulator admin setUsage); the tracker does not know yet:")
    yield* s.client.webSearch({ q: "one more" }).pipe(
      expectFailure("every tier exhausted"),
      Effect.catchTag(
        "QuotaError",
        (e) =>
          Effect.andThen(
            Effect.yieldNow,
            show("   -> catchTag(\"QuotaError\") (reason QuotaExhausted)", Failure.quotaError(e, context()))
          )
      )
    )

    // ---- 4. summary ----
    yield* Effect.yieldNow
    const usage = new Map(emu.usage().map((k) => [k.name, k]))
    const events = s.events
    const warnings = events.filter((e): e is QuotaEvent.ThresholdCrossed => e._tag === "ThresholdCrossed")
    const switched = events.filter((e): e is QuotaEvent.TierSwitched => e._tag === "TierSwitched")
    yield* out()
    yield* out("4. Summary")
    const rows: Array<ReadonlyArray<string>> = [["", "S15", "S16"]]
    rows.push(["searches served (app)", String(served.get("S15") ?? 0), String(served.get("S16") ?? 0)])
    rows.push([
      "answered 200 (emulator)",
      String(usage.get("S15")?.served ?? 0),
      String(usage.get("S16")?.served ?? 0)
    ])
    rows.push([
      "refused by a quota (emulator)",
      String(usage.get("S15")?.throttled ?? 0),
      String(usage.get("S16")?.throttled ?? 0)
    ])
    const width = Math.max(...rows.map((r) => r[0]!.length))
    for (const r of rows) yield* out(`  ${r[0]!.padEnd(width)}  ${r[1]!.padStart(5)}  ${r[2]!.padStart(5)}`)
    yield* out()
    yield* out(
      `  warnings       ${warnings.length}: ${
        warnings.map((w) => `${w.tier} ${Math.round(w.threshold * 100)}%`).join(", ")
      }`
    )
    yield* out(
      `  tier switches  ${switched.length}: ${switched.map((e) => `${e.from} -> ${e.to} (${e.reason})`).join(", ")}`
    )
    yield* out(`  errors by tag  ${[...caught].map(([tag, n]) => `${tag} ${n}`).join(", ")}`)
    yield* out()
    yield* out(
      `Done in ${
        seconds(Date.now() - started)
      }. Try it on your own key: BING_SEARCH_KEY=... bing-search web "effect typescript"`
    )
    if (!switched.some((e) => e.from === "S15" && e.to === "S16") || warnings.length < 2) {
      return yield* new DemoStepFailed({ step: "summary", detail: "the switch to S16 or the warnings are missing" })
    }
  })

  yield* Failure.handle(
    body.pipe(
      Effect.catchTag("DemoStepFailed", (e) =>
        Effect.andThen(
          Output.printErr(`error [DemoStepFailed] step "${e.step}": ${e.detail}`),
          Effect.fail(new CliExit({ code: ExitCode.Internal }))
        )),
      // stdout closed or full: stop the tour at once (quietly if its reader went away)
      Effect.catchTag("OutputFailed", Output.exit)
    ),
    context
  ).pipe(EmulatorClock.provide(() => emu.now()))
}).pipe(Effect.scoped)
