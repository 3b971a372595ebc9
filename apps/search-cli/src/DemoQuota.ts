/**
 * Steps 1 and 2 of `bing-search demo`, the quota story: a burst of searches that uses up S15's
 * daily quota (the tracker warns at 80% and 95%, then switches to S16), the quota table, and the
 * next day, when the tracker sees the reset on the emulator's clock and goes back to S15.
 */
import type { BingClient } from "@bing-effect/client"
import type { QuotaError } from "@bing-effect/quota-tracker"
import * as Effect from "effect/Effect"
import type { DemoContext, Tally } from "./DemoContext.js"
import { DemoStepFailed, indent, query, seconds, showTally, stopwatch, tally } from "./DemoContext.js"
import * as Output from "./Output.js"
import type * as Progress from "./Progress.js"
import * as Render from "./Render.js"
import * as Screen from "./Screen.js"

/** Searches in the burst, and the pause between two of them (about 125 searches a second). */
export const burstShape = { searches: 260, everyMs: 8 } as const

/**
 * 1. The burst: every search starts on its own schedule, so they overlap as real traffic does.
 * `withProgress` shows a bar for the duration (the tracker's warnings print above it). Gives the
 * searches served, by tier.
 */
export const burst = (
  ctx: DemoContext,
  options: {
    readonly dailyLimitS15: number
    readonly withProgress: <A, E>(
      total: number,
      use: (progress: Progress.Progress) => Effect.Effect<A, E>
    ) => Effect.Effect<A, E | Output.OutputFailed>
  }
): Effect.Effect<Tally, DemoStepFailed | QuotaError.QuotaError | Output.OutputFailed> =>
  Effect.gen(function*() {
    const { searches, everyMs } = burstShape
    yield* ctx.say()
    yield* ctx.say(`1. A burst of ${searches} web searches (about ${Math.round(1000 / everyMs)} a second)`)
    const took = yield* stopwatch
    const outcomes = yield* options.withProgress(searches, (progress) =>
      Effect.forEach(
        Array.from({ length: searches }, (_, i) => i),
        (i) =>
          Effect.sleep(i * everyMs).pipe(
            Effect.andThen(ctx.session.client.webSearch({ q: query(i), count: 3 })),
            Effect.match({
              onSuccess: (result) => ({ tier: result.meta.tier }),
              onFailure: (e: { readonly _tag: string }) => ({ error: e._tag })
            }),
            Effect.tap((o) => progress.tick("error" in o ? `error ${o.error}` : `tier ${o.tier ?? "?"}`))
          ),
        { concurrency: "unbounded" }
      ))
    // the tracker's events of the last searches print before the count
    yield* Effect.yieldNow
    const served = tally(...outcomes.flatMap((o) => ("error" in o ? [] : [o.tier])))
    const errors = tally(...outcomes.flatMap((o) => ("error" in o ? [o.error] : [])))
    yield* ctx.say(`  ${searches} searches in ${seconds(yield* took)}: ${showTally(served)}`)
    if (errors.size > 0) {
      return yield* new DemoStepFailed({ step: "burst", detail: `unexpected errors: ${showTally(errors, " x")}` })
    }
    if ((served.get("S15") ?? 0) !== options.dailyLimitS15 || (served.get("S16") ?? 0) === 0) {
      return yield* new DemoStepFailed({
        step: "burst",
        detail: `expected S15 to serve ${options.dailyLimitS15} and S16 the rest, got ${showTally(served)}`
      })
    }
    yield* ctx.say()
    const status = yield* ctx.session.tracker.status
    const width = Screen.width()
    yield* ctx.say(
      indent(
        Render.quota(status, "memory", {
          ascii: !Output.isTerminal(),
          columns: width.columns - 2,
          fit: width.known,
          palette: Screen.stdout()
        }),
        "  "
      )
    )
    return served
  })

/** 2. The next day: the emulator's clock moves past midnight, and the tracker follows it back to S15. */
export const nextDay = (
  ctx: DemoContext
): Effect.Effect<Tally, DemoStepFailed | QuotaError.QuotaError | BingClient.ClientError | Output.OutputFailed> =>
  Effect.gen(function*() {
    const emu = ctx.emulator.handle
    const { client, tracker } = ctx.session
    yield* ctx.say()
    yield* ctx.say("2. The next day")
    const before = emu.clock()
    const after = emu.advanceClock("next-day")
    yield* ctx.say(`  emulator clock moved by the admin API: ${before.iso} -> ${after.iso}`)
    const trackerNow = (yield* tracker.status).at
    yield* ctx.say(`  the tracker reads the same clock: ${new Date(trackerNow).toISOString()}`)
    const tiers: Array<string | undefined> = []
    for (let i = 0; i < 10; i++) tiers.push((yield* client.webSearch({ q: query(i), count: 3 })).meta.tier)
    const served = tally(...tiers)
    // the TierSwitched event of the reset prints first
    yield* Effect.yieldNow
    const backTo15 = ctx.session.events.some((e) => e._tag === "TierSwitched" && e.to === "S15" && e.reason === "reset")
    yield* ctx.say(
      `  10 searches after the reset: ${showTally(served)}${backTo15 ? " (back on S15, the cheaper tier)" : ""}`
    )
    if (!backTo15 || served.get("S15") !== 10) {
      return yield* new DemoStepFailed({
        step: "next day",
        detail: "the tracker did not switch back to S15 after the reset"
      })
    }
    return served
  })
