/**
 * Step 3 of `bing-search demo`: a tour of the typed errors. Each stop makes the emulator produce
 * one failure (a fault rule, a key it does not know, a used-up quota), catches it with its own
 * `catchTag`, and prints what the CLI would say about it. A stop whose call succeeds fails the demo
 * (`DemoStepFailed`): a tour that cannot produce its error proves nothing.
 */
import { BingClient } from "@bing-effect/client"
import * as Effect from "effect/Effect"
import { FetchHttpClient } from "effect/http"
import * as Redacted from "effect/Redacted"
import type { DemoContext, Tally } from "./DemoContext.js"
import { DemoStepFailed, fastRetry, indent, seconds, secret, stopwatch, tally } from "./DemoContext.js"
import * as Failure from "./Failure.js"
import * as Screen from "./Screen.js"
import * as Session from "./Session.js"

/** What the tour counted: the errors caught, by tag, and the searches that were served, by tier. */
export interface ErrorTour {
  readonly caught: Tally
  readonly served: Tally
}

/** Fails the step when `effect` succeeds: it should have failed. */
const expectFailure = (step: string) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(
    effect,
    () => Effect.fail(new DemoStepFailed({ step, detail: "the call succeeded, but it should have failed" }))
  )

/** Prints how an error was produced and what the CLI says about it; gives its tag (without the reason). */
const show = (ctx: DemoContext, how: string, problem: Failure.Problem) =>
  Effect.suspend(() => {
    // wrapped here, at the width less the indentation, so the red headline is measured uncoloured
    const width = Screen.width()
    const message = Failure.render(problem, {
      columns: width.known ? width.columns - 4 : undefined,
      palette: Screen.stdout()
    })
    return Effect.as(ctx.say(`\n  ${how}\n${indent(message)}`), problem.tag.split("/")[0]!)
  })

/** A client of its own on the emulator, without the tracker. */
const standalone = (ctx: DemoContext, options: BingClient.Options) =>
  BingClient.make({
    endpoint: ctx.emulator.url,
    allowInsecureLoopback: true,
    userAgent: Session.userAgent,
    retry: fastRetry,
    ...options
  }).pipe(Effect.provide(FetchHttpClient.layer))

/** a) a key the emulator does not know. */
const unknownKey = (ctx: DemoContext) =>
  Effect.gen(function*() {
    const stranger = yield* standalone(ctx, { key: Redacted.make(secret("unknown")) })
    return yield* stranger.webSearch({ q: "who am i" }).pipe(
      expectFailure("missing key"),
      Effect.catchTag(
        "InvalidAuthorization",
        (e) =>
          show(
            ctx,
            "a) a key the emulator does not know -> catchTag(\"InvalidAuthorization\")",
            Failure.invalidAuthorization(e, ctx.failureContext())
          )
      )
    )
  })

/** b) a bad parameter, refused before sending: no request, no quota spent. */
const badParameter = (ctx: DemoContext) =>
  Effect.gen(function*() {
    const { client, tracker } = ctx.session
    const emu = ctx.emulator.handle
    const totalRequests = () => emu.usage().reduce((n, k) => n + k.requests, 0)
    const usedToday = Effect.map(
      tracker.status,
      (status) => status.tiers.find((t) => t.name === "S15")?.windows.find((w) => w.window === "day")?.used
    )
    const requestsBefore = totalRequests()
    const usedBefore = yield* usedToday
    const tag = yield* client.webSearch({ q: "effect", count: 70000 }).pipe(
      expectFailure("bad parameter"),
      Effect.catchTag(
        "InvalidRequest",
        (e) =>
          show(
            ctx,
            "b) --count 70000 (over 65535) -> catchTag(\"InvalidRequest\")",
            Failure.invalidRequest(e, ctx.failureContext())
          )
      )
    )
    const usedAfter = yield* usedToday
    const requestsAfter = totalRequests()
    yield* ctx.say(
      `    check: requests seen by the emulator ${requestsBefore} -> ${requestsAfter}; S15 quota used ${usedBefore} -> ${usedAfter}`
    )
    if (requestsBefore !== requestsAfter || usedBefore !== usedAfter) {
      return yield* new DemoStepFailed({
        step: "bad parameter",
        detail: "the invalid request reached the emulator or spent quota"
      })
    }
    return tag
  })

/** c) 429 on a key limited to one request a second: refused when waiting is not allowed, else waited out. */
const rateLimited = (ctx: DemoContext) =>
  Effect.gen(function*() {
    const impatient = yield* standalone(ctx, {
      key: Redacted.make(ctx.keys.qps),
      retry: { ...fastRetry, maxRetryAfter: 0 }
    })
    const patient = yield* standalone(ctx, { key: Redacted.make(ctx.keys.qps) })
    yield* impatient.webSearch({ q: "first in this second" })
    const tag = yield* impatient.webSearch({ q: "second in this second" }).pipe(
      expectFailure("429 too long"),
      Effect.catchTag(
        "RateLimited",
        (e) =>
          show(
            ctx,
            "c) a 2nd search within the same second on a 1-per-second key, --max-wait 0 -> catchTag(\"RateLimited\")",
            Failure.rateLimited(e, { ...ctx.failureContext(), settings: { ...ctx.settings, maxWaitMs: 0 } })
          )
      )
    )
    const took = yield* stopwatch
    const waited = yield* patient.webSearch({ q: "third in this second" })
    yield* ctx.say(
      `\n  c') the same with the default --max-wait 5: 429 with Retry-After, the client waited ${
        seconds(yield* took)
      } and retried: ` +
        `200 after ${waited.meta.attempts} attempts (no error reached the app)`
    )
    if (waited.meta.attempts < 2) return yield* new DemoStepFailed({ step: "429 waited out", detail: "no 429 was met" })
    return tag
  })

/** d) an empty 200 on every attempt. */
const emptyAnswer = (ctx: DemoContext) =>
  Effect.gen(function*() {
    yield* ctx.emulator.injectFault({ match: { path: "/v7.0/search", count: 4 }, fault: { kind: "empty200" } }).pipe(
      Effect.orDie
    )
    return yield* ctx.session.client.webSearch({ q: "too many identical queries" }).pipe(
      expectFailure("empty 200"),
      Effect.catchTag(
        "EmptyResponse",
        (e) =>
          show(
            ctx,
            "d) the emulator answers 200 with an empty body, 4 times -> catchTag(\"EmptyResponse\")",
            Failure.emptyResponse(e, ctx.failureContext())
          )
      )
    )
  })

const serverErrorFault = { kind: "error", code: "ServerError", subCode: "UnexpectedError" } as const

/** e) server errors: retried until the emulator recovers; then until the retry budget is spent. */
const serverErrors = (ctx: DemoContext) =>
  Effect.gen(function*() {
    const emu = ctx.emulator.handle
    yield* ctx.emulator.injectFault({ match: { path: "/v7.0/search", count: 2 }, fault: serverErrorFault }).pipe(
      Effect.orDie
    )
    const recovered = yield* ctx.session.client.webSearch({ q: "flaky backend" })
    yield* ctx.say(
      `\n  e) two 500s, then the emulator recovers: the client retried with backoff, 200 after ${recovered.meta.attempts} attempts`
    )
    if (recovered.meta.attempts !== 3) {
      return yield* new DemoStepFailed({
        step: "server error retried",
        detail: `expected 3 attempts, got ${recovered.meta.attempts}`
      })
    }
    const faulted = () => emu.requests(1000).filter((r) => r.fault !== undefined).length
    const faultsBefore = faulted()
    yield* ctx.emulator.injectFault({ match: { path: "/v7.0/search", count: 4 }, fault: serverErrorFault }).pipe(
      Effect.orDie
    )
    const tag = yield* ctx.session.client.webSearch({ q: "broken backend" }).pipe(
      expectFailure("server error"),
      Effect.catchTag("ServerError", (e) =>
        show(
          ctx,
          `e') four 500s in a row (the emulator saw ${faulted() - faultsBefore} attempts) -> catchTag("ServerError")`,
          Failure.serverError(e, ctx.failureContext())
        ))
    )
    return { tag, tier: recovered.meta.tier }
  })

/** f) plain HTTP without the loopback allowance: refused before the key is sent. */
const plainHttp = (ctx: DemoContext) =>
  Effect.gen(function*() {
    const careful = yield* standalone(ctx, { key: Redacted.make(ctx.keys.other), allowInsecureLoopback: false })
    return yield* careful.webSearch({ q: "over plain http" }).pipe(
      expectFailure("http"),
      Effect.catchTag(
        "InvalidRequest",
        (e) =>
          show(
            ctx,
            "f) an http:// endpoint without --allow-insecure-loopback -> catchTag(\"InvalidRequest\") (HttpNotAllowed, 410)",
            Failure.invalidRequest(e, {
              ...ctx.failureContext(),
              settings: { ...ctx.settings, allowInsecureLoopback: false }
            })
          )
      )
    )
  })

/** g) a timeout: the emulator answers later than the client waits. */
const timeout = (ctx: DemoContext) =>
  Effect.gen(function*() {
    yield* ctx.emulator.injectFault({
      match: { path: "/v7.0/search", count: 2 },
      fault: { kind: "delay", ms: 1500 }
    }).pipe(Effect.orDie)
    const hasty = yield* standalone(ctx, {
      key: Redacted.make(ctx.keys.other),
      timeout: 200,
      retry: { ...fastRetry, maxAttempts: 2 }
    })
    const tag = yield* hasty.webSearch({ q: "slow answer" }).pipe(
      expectFailure("timeout"),
      Effect.catchTag(
        "RequestTimeout",
        (e) =>
          show(
            ctx,
            "g) the emulator delays its answer 1.5 s, the client allows 0.2 s -> catchTag(\"RequestTimeout\")",
            Failure.requestTimeout(e, { ...ctx.failureContext(), settings: { ...ctx.settings, maxAttempts: 2 } })
          )
      )
    )
    yield* ctx.emulator.clearFaults
    return tag
  })

/** h) every tier exhausted, as the server says: another app used up both keys. */
const everyTierExhausted = (ctx: DemoContext, limits: { readonly S15: number; readonly S16: number }) =>
  Effect.gen(function*() {
    const emu = ctx.emulator.handle
    emu.setUsage({ key: "S15", window: "day", used: limits.S15 })
    emu.setUsage({ key: "S16", window: "day", used: limits.S16 })
    yield* ctx.say(
      "\n  h) another app used up both keys today (emulator admin setUsage); the tracker does not know yet:"
    )
    return yield* ctx.session.client.webSearch({ q: "one more" }).pipe(
      expectFailure("every tier exhausted"),
      Effect.catchTag(
        "QuotaError",
        (e) =>
          Effect.andThen(
            // the tracker's events of this search print first
            Effect.yieldNow,
            show(
              ctx,
              "   -> catchTag(\"QuotaError\") (reason AllTiersExhausted)",
              Failure.quotaError(e, ctx.failureContext())
            )
          )
      )
    )
  })

/**
 * The tour, in order. `dailyLimits` are the tiers' daily limits, which step h) spends on the
 * emulator's side.
 */
export const tour = (ctx: DemoContext, dailyLimits: { readonly S15: number; readonly S16: number }) =>
  Effect.gen(function*() {
    yield* ctx.say()
    yield* ctx.say("3. A tour of the typed errors: each produced by the emulator, each caught by its own catchTag")
    const a = yield* unknownKey(ctx)
    const b = yield* badParameter(ctx)
    const c = yield* rateLimited(ctx)
    const d = yield* emptyAnswer(ctx)
    const e = yield* serverErrors(ctx)
    const f = yield* plainHttp(ctx)
    const g = yield* timeout(ctx)
    const h = yield* everyTierExhausted(ctx, dailyLimits)
    return { caught: tally(a, b, c, d, e.tag, f, g, h), served: tally(e.tier) } satisfies ErrorTour
  })
