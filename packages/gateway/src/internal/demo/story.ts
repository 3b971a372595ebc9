/**
 * The quota story of `bing-gateway demo`, as a caller lives it without knowing: S15 serves; S15's
 * day runs out and the same searches are served by S16 (the caller still sees 200s); S16 runs out
 * too and the caller gets Bing's 403 with a `Retry-After` until midnight; then the emulator's
 * clock (and with it the gateway's) moves past midnight and S15 serves again.
 */
import * as Effect from "effect/Effect"
import type { Answer } from "./caller.js"
import { call, metrics, showStatus, status } from "./caller.js"
import type { DemoContext } from "./context.js"
import { DemoStepFailed, duration, expect, utc } from "./context.js"

/** The searches the caller sends, the same in every step. */
export const queries: ReadonlyArray<string> = ["sailing dinghy", "effect typescript", "quota tracker", "token bucket"]

const search = (ctx: DemoContext, step: string, q: string) =>
  call(ctx, step, { path: `/v7.0/search?q=${encodeURIComponent(q)}&count=3`, key: ctx.keys.app, as: "app" })

/** Sends `n` searches (the queries in turn) and gives the answers. */
const searches = (ctx: DemoContext, step: string, n: number) =>
  Effect.forEach(Array.from({ length: n }, (_, i) => queries[i % queries.length]!), (q) => search(ctx, step, q))

const allServedBy = (step: string, answers: ReadonlyArray<Answer>, tier: string) =>
  expect(
    step,
    answers.every((a) => a.status === 200 && a.log?.tier === tier),
    () =>
      `expected every search to be a 200 served by ${tier}, got ${
        answers.map((a) => `${a.status} ${a.log?.tier ?? "-"}`).join(", ")
      }`
  )

const printStatus = (ctx: DemoContext, step: string) =>
  Effect.tap(status(ctx, step), (s) => ctx.say(`  status   ${showStatus(s)}`))

/** 1. S15, the cheaper tier, serves its whole (scaled-down) day. */
export const s15Serves = (ctx: DemoContext, options: { readonly perDay: number }) =>
  Effect.gen(function*() {
    const step = "S15 serves"
    yield* ctx.say()
    yield* ctx.say(`1. S15 serves: ${options.perDay} searches, S15's whole day`)
    const answers = yield* searches(ctx, step, options.perDay)
    yield* allServedBy(step, answers, "S15")
    yield* printStatus(ctx, step)
  })

/** 2. S15's day is out: the same searches go to S16, and the caller still sees 200s. */
export const s16TakesOver = (ctx: DemoContext, options: { readonly perDay: number }) =>
  Effect.gen(function*() {
    const step = "S16 takes over"
    yield* ctx.say()
    yield* ctx.say(`2. S15's day is out: the same ${options.perDay} searches again`)
    const answers = yield* searches(ctx, step, options.perDay)
    yield* allServedBy(step, answers, "S16")
    const s = yield* printStatus(ctx, step)
    const switched = s.switches.find((e) => e.from === "S15" && e.to === "S16")
    yield* expect(step, switched !== undefined, () => "no S15 -> S16 switch in /_gateway/status")
    yield* ctx.say(`  switch   ${switched!.message} (reason ${switched!.reason}, from /_gateway/status)`)
    for (const line of yield* metrics(ctx, step, ["bing_gateway_quota_switches_total"])) {
      yield* ctx.say(`  metrics  ${line}`)
    }
    const usage = yield* ctx.emulator.usageAll
    const served = (name: string) => usage.find((k) => k.name === name)?.served ?? 0
    yield* ctx.say(`  upstream the emulator served S15 ${served("S15")}, S16 ${served("S16")}`)
    yield* expect(
      step,
      served("S15") === options.perDay && served("S16") === options.perDay,
      () => `the emulator served S15 ${served("S15")} and S16 ${served("S16")}, expected ${options.perDay} each`
    )
  })

/** 3. Every tier is out: Bing's 403 with a Retry-After until the earliest reset (midnight). */
export const allTiersOut = (ctx: DemoContext) =>
  Effect.gen(function*() {
    const step = "all tiers out"
    yield* ctx.say()
    yield* ctx.say("3. S16's day is out too: every tier is out")
    const now = yield* ctx.emulator.now
    const answer = yield* search(ctx, step, queries[0]!)
    yield* expect(
      step,
      answer.status === 403 && answer.error?.startsWith("RateLimitExceeded") === true,
      () => `expected Bing's 403 RateLimitExceeded, got ${answer.status} ${answer.summary}`
    )
    const midnight = new Date(now)
    midnight.setUTCHours(24, 0, 0, 0)
    const untilMidnight = Math.ceil((midnight.getTime() - now) / 1000)
    yield* expect(
      step,
      answer.retryAfter !== undefined && Math.abs(answer.retryAfter - untilMidnight) <= 2,
      () => `expected Retry-After about ${untilMidnight} s (until midnight), got ${answer.retryAfter ?? "none"}`
    )
    yield* ctx.say(`  the caller may retry in ${duration(answer.retryAfter!)}: at ${utc(midnight.getTime())}`)
    yield* printStatus(ctx, step)
  })

/** 4. The next day: both clocks move past midnight, and S15 serves again. */
export const nextDay = (ctx: DemoContext, options: { readonly searches: number }) =>
  Effect.gen(function*() {
    const step = "next day"
    yield* ctx.say()
    yield* ctx.say("4. The next day")
    const before = yield* ctx.emulator.clock
    const after = yield* ctx.emulator.advanceClock("next-day").pipe(
      Effect.mapError((e) => new DemoStepFailed({ step, detail: e.message }))
    )
    yield* ctx.say(`  clock    emulator ${utc(before.now)} -> ${utc(after.now)}; the gateway reads the same clock`)
    const answers = yield* searches(ctx, step, options.searches)
    yield* allServedBy(step, answers, "S15")
    const s = yield* printStatus(ctx, step)
    const back = s.switches.find((e) => e.to === "S15")
    yield* expect(step, back !== undefined, () => "no switch back to S15 in /_gateway/status")
    yield* ctx.say(`  switch   ${back!.message} (reason ${back!.reason})`)
  })
